"""dts.adapters.mongo.accounts.write_outcome: after a batch falls short, each writer learns its own
fate exactly."""

from __future__ import annotations

from dts.adapters.mongo.accounts import OP_SLOTS, _Write, write_outcome


def _write(version: int, token: str = "mine") -> _Write:
    return _Write(username="alice", version=version, document={}, token=token)


def _doc(version: int, slots: dict[int, str]) -> dict:
    return {"_id": "alice", "version": version, "ops": {str(k): v for k, v in slots.items()}}


def test_landed_when_its_token_holds_the_slot_of_the_version_it_made() -> None:
    assert write_outcome(_write(4), _doc(5, {5: "mine"})) is True


def test_landed_even_after_later_writes_while_its_slot_is_not_reused() -> None:
    doc = _doc(4 + OP_SLOTS - 1, {5: "mine", 6: "b", 7: "c"})
    assert write_outcome(_write(4), doc) is True


def test_lost_when_another_writer_made_that_version() -> None:
    assert write_outcome(_write(4), _doc(5, {5: "theirs"})) is False
    assert write_outcome(_write(4), _doc(9, {5: "theirs"})) is False


def test_lost_when_the_account_never_reached_that_version_or_is_gone() -> None:
    assert write_outcome(_write(4), _doc(4, {})) is False
    assert write_outcome(_write(4), None) is False


def test_unknown_once_the_slot_may_have_been_reused() -> None:
    # Retrying on a guess could apply the command twice, so the answer is "cannot tell".
    assert write_outcome(_write(4), _doc(5 + OP_SLOTS, {5: "other"})) is None
    assert write_outcome(_write(4), _doc(5 + OP_SLOTS, {5: "mine"})) is None
