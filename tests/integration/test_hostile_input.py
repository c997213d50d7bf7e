"""Inputs found by review: each is refused cleanly (4xx JSON), audited, and breaks nothing later."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from tests.integration.harness import Client, Stack, logged


def test_a_json_exponent_beyond_what_decimal_takes_is_a_400(stack: Stack, new_user) -> None:
    user = new_user("1.00")
    resp = Client(stack.url, stack.operator_token).session.post(
        stack.url + "/user_utils/add",
        data=f'{{"username": "{user}", "amount": 1e999999999999999999999}}',
        timeout=10,
    )
    assert resp.status_code == 400 and resp.json()["code"] == "BAD_INPUT"


def test_a_password_with_a_lone_surrogate_is_a_400(operator: Client) -> None:
    resp = operator.session.post(
        operator.base_url + "/auth/register",
        data='{"username": "s' + uuid.uuid4().hex[:8] + '", "password": "\\ud800\\ud800abcdefgh"}',
        timeout=10,
    )
    assert resp.status_code == 400 and resp.json()["ok"] is False


def test_a_filename_that_xml_cannot_carry_is_refused_and_the_log_stays_valid(
    operator: Client, new_user
) -> None:
    user = new_user("1.00")
    operator.refused("/user_utils/dumplog", {"username": user, "filename": "a\u0001b"}, 400)
    resp = operator.post("/user_utils/dumplog", {"username": user, "filename": "ok.xml"})
    assert resp.status_code == 200
    ET.fromstring(resp.content)  # still well-formed


def test_the_watchers_name_cannot_be_registered_or_funded(operator: Client) -> None:
    operator.refused("/auth/register", {"username": "dts-watcher", "password": "x" * 12}, 400)
    operator.refused("/user_utils/add", {"username": "dts-watcher", "amount": "1.00"}, 400)


def test_dumplog_of_an_unknown_user_is_a_404(operator: Client) -> None:
    operator.refused(
        "/user_utils/dumplog",
        {"username": f"nobody{uuid.uuid4().hex[:8]}", "filename": "x.xml"},
        404,
        "UNKNOWN_USER",
    )


def test_an_operator_dumplog_with_an_empty_username_is_everyones(operator: Client) -> None:
    resp = operator.post("/user_utils/dumplog", {"username": "", "filename": "every.xml"})
    assert resp.status_code == 200
    assert ET.fromstring(resp.content).tag == "log"


def test_a_refused_buy_still_logs_its_quote_fetch(operator: Client, new_user, db) -> None:
    user = new_user("1.00")
    sym = "Q" + uuid.uuid4().hex[:3].upper()  # a symbol nobody has quoted: a real fetch
    operator.refused(
        "/buy/buy", {"username": user, "sym": sym, "amount": "1.00", "trxNum": 77001}, 409
    )
    fetches = logged(db).count_documents({"type": "quoteServer", "username": user, "sym": sym})
    assert fetches == 1
