"""Workload files as real ones come: CRLF, trailing spaces, blank lines, odd DUMPLOGs."""

from __future__ import annotations

import io

import pytest

from backend.generate_workload import generate
from backend.workload import BadLine, Command, by_user, parse_line, parse_lines, segments


def test_a_plain_line_becomes_a_request_body_with_the_line_number_as_trx() -> None:
    cmd = parse_line(3, "[3] BUY,oY01WVirLr,S,276.83")
    assert cmd == Command(
        3, 3, "BUY", "oY01WVirLr", {"username": "oY01WVirLr", "sym": "S", "amount": "276.83"}
    )
    assert cmd.path == "/buy/buy"


@pytest.mark.parametrize(
    "raw",
    [
        "[1] ADD,oY01WVirLr,63511.53 ",
        "[1] ADD,oY01WVirLr,63511.53\r\n",
        "  [1]  ADD , oY01WVirLr , 63511.53 \t",
        "\ufeff[1] ADD,oY01WVirLr,63511.53",
        "[1] add,oY01WVirLr,63511.53",
    ],
)
def test_trailing_space_crlf_padding_bom_and_case_are_tolerated(raw: str) -> None:
    assert parse_line(1, raw) == Command(
        1, 1, "ADD", "oY01WVirLr", {"username": "oY01WVirLr", "amount": "63511.53"}
    )


def test_blank_lines_are_skipped() -> None:
    assert parse_line(7, "   \r\n") is None
    assert list(parse_lines(["\n", "[1] COMMIT_BUY,u1\n", "\r\n"])) == [
        Command(2, 1, "COMMIT_BUY", "u1", {"username": "u1"})
    ]


def test_dumplog_with_only_a_file_name_is_everyones_log() -> None:
    assert parse_line(100, "[100] DUMPLOG,./testLOG") == Command(
        100, 100, "DUMPLOG", None, {"filename": "./testLOG"}
    )


def test_dumplog_with_a_user_and_a_file_name_is_that_users_log() -> None:
    assert parse_line(5, "[5] DUMPLOG,alice,./a.xml") == Command(
        5, 5, "DUMPLOG", "alice", {"username": "alice", "filename": "./a.xml"}
    )


def test_a_value_the_rules_refuse_is_still_sent_for_the_server_to_refuse() -> None:
    cmd = parse_line(9, "[9] ADD,u1,-100.00")
    assert isinstance(cmd, Command) and cmd.body["amount"] == "-100.00"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ADD,u1,10.00", "not of the form"),
        ("[x] ADD,u1,10.00", "not of the form"),
        ("[1] FROBNICATE,u1", "unknown command"),
        ("[1] BUY,u1,S", "takes a user id and 2"),
        ("[1] ADD,u1,10.00,extra", "takes a user id and 1"),
        ("[1] COMMIT_BUY", "takes a user id"),
        ("[1] DUMPLOG", "DUMPLOG takes"),
        ("[1] DUMPLOG,a,b,c", "DUMPLOG takes"),
    ],
)
def test_malformed_lines_are_reported_with_their_line_number(raw: str, reason: str) -> None:
    bad = parse_line(42, raw)
    assert isinstance(bad, BadLine)
    assert bad.line_no == 42 and reason in bad.reason


def test_parsing_goes_on_after_a_bad_line() -> None:
    items = list(parse_lines(io.StringIO("[1] ADD,u1,1.00\ngarbage\n[3] QUOTE,u1,S\n")))
    assert [type(i).__name__ for i in items] == ["Command", "BadLine", "Command"]
    assert items[1].line_no == 2


def test_dumplog_splits_the_workload_into_barriers() -> None:
    cmds = [
        c
        for c in parse_lines(
            io.StringIO("[1] ADD,a,1.00\n[2] ADD,b,1.00\n[3] DUMPLOG,x\n[4] QUOTE,a,S\n")
        )
    ]
    assert [[c.trx_num for c in seg] for seg in segments(cmds)] == [[1, 2], [3], [4]]


def test_each_users_commands_keep_file_order() -> None:
    cmds = [
        c
        for c in parse_lines(
            io.StringIO(
                "[1] ADD,a,1.00\n[2] ADD,b,1.00\n[3] BUY,a,S,1.00\n"
                "[4] COMMIT_BUY,a\n[5] QUOTE,b,S\n"
            )
        )
    ]
    queues = by_user(cmds)
    assert [c.trx_num for c in queues["a"]] == [1, 3, 4]
    assert [c.trx_num for c in queues["b"]] == [2, 5]


def test_generated_workloads_are_reproducible_and_well_formed() -> None:
    first = list(generate(users=5, per_user=50, seed=7))
    assert first == list(generate(users=5, per_user=50, seed=7))
    assert first != list(generate(users=5, per_user=50, seed=8))
    parsed = list(parse_lines(first))
    assert not [p for p in parsed if isinstance(p, BadLine)]
    assert len(parsed) == 5 * 50 + 1 and parsed[-1].name == "DUMPLOG"
    assert [p.trx_num for p in parsed] == list(range(1, len(parsed) + 1))
    firsts = {q[0].name for u, q in by_user(parsed[:-1]).items()}
    assert firsts == {"ADD"}


@pytest.mark.parametrize("shape", ["classic", "final"])
def test_generated_mix_is_close_to_the_classic_workload(shape: str) -> None:
    parsed = [p for p in parse_lines(generate(users=20, per_user=1000, seed=3, shape=shape))]
    share = {
        name: sum(p.name == name for p in parsed) / len(parsed) * 100
        for name in ("BUY", "QUOTE", "ADD", "DISPLAY_SUMMARY", "COMMIT_BUY", "SELL")
    }
    expected = {
        "BUY": 14.1,
        "QUOTE": 13.1,
        "ADD": 11.1,
        "DISPLAY_SUMMARY": 9.0,
        "COMMIT_BUY": 8.2,
        "SELL": 6.3,
    }
    for name, pct in expected.items():
        assert abs(share[name] - pct) < 1.0, (name, share[name])


def _sells_of_symbols_never_bought(shape: str) -> tuple[float, int]:
    parsed = list(parse_lines(generate(users=300, per_user=100, seed=5, shape=shape)))
    bought: dict[str, set[str]] = {}
    sells = blind = 0
    for p in parsed:
        sym = p.body.get("sym")
        if p.name == "BUY":
            bought.setdefault(p.user, set()).add(sym)
        elif p.name == "SELL":
            sells += 1
            blind += sym not in bought.get(p.user, set())
    symbols = {p.body.get("sym") for p in parsed if p.body.get("sym")}
    return blind / sells, len(symbols)


def test_the_final_shape_trades_thousands_of_symbols_with_little_regard_for_holdings() -> None:
    """What makes the course's final refuse about 45 % of its commands; the classic shape's users
    sell what they bought."""
    final_blind, final_symbols = _sells_of_symbols_never_bought("final")
    classic_blind, classic_symbols = _sells_of_symbols_never_bought("classic")
    assert final_symbols > 2000 and classic_symbols <= 300
    assert final_blind > 0.5 and classic_blind < 0.3
