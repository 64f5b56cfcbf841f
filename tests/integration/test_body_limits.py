"""Request size limits against a running server (issue 11 item 4): an unauthenticated or
oversized body is refused before it is read, and costs the server no time or memory."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import BACKENDS, OPERATOR_TOKEN, new_database
from tests.integration.hostile_http import answer_before_body, stream
from tests.integration.live import Live, live_server

MB = 1024 * 1024


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """One server per store for the module's tests (starting one costs seconds)."""
    tmp = tmp_path_factory.mktemp("body-limits")
    url = new_database(str(request.param), request, tmp)
    with live_server(url, tmp, operator_token=OPERATOR_TOKEN) as srv:
        yield srv


def test_large_bodies_are_refused_before_they_are_read(live: Live) -> None:
    httpx.get(f"{live.url}/health").raise_for_status()
    before = live.rss()
    cases = [
        # (path, token, declare_length, expected status)
        ("/events/batch", None, False, 401),  # unauthenticated, chunked: nothing is read
        ("/events/batch", "sn_not_a_token", False, 401),
        ("/conversations/x/messages", None, False, 401),
        ("/events/batch", None, True, 413),  # Content-Length over the limit: refused unread
        ("/events/batch", OPERATOR_TOKEN, True, 413),
        ("/sellers", OPERATOR_TOKEN, True, 413),
    ]
    for path, token, declare, expected in cases:
        out = stream(live.host, live.port, path, token=token, declare_length=declare)
        assert out.status == expected, (path, token, declare, out)
        assert out.seconds < 1.0, (path, out)
        assert out.sent < 8 * MB, (path, out)  # (what the socket buffers took, not the server)
    # a known token, chunked: read up to the limit, then 413
    for path, limit in (("/conversations/x/messages", 1 * MB), ("/events/batch", 50 * MB)):
        out = stream(live.host, live.port, path, token=OPERATOR_TOKEN, total=300 * MB)
        assert out.status == 413, (path, out)
        assert out.sent < limit + 32 * MB, (path, out)  # (socket buffers again)
    assert live.rss() - before < 64 * MB


def test_bodies_within_the_limits_still_work(live: Live) -> None:
    auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    r = httpx.post(
        f"{live.url}/marketplaces", json={"id": "bol", "preset": "bol", "title": "b"}, headers=auth
    )
    assert r.status_code == 201, r.text
    big = [
        {
            "id": f"ev-{i}",
            "type": "seller_registered",
            "at": "2026-03-02T10:00:00+01:00",
            "seller": f"s-{i}",
            "marketplace": "bol",
            "country": "NL",
            "linked_sellers": ["x" * 1000],
        }
        for i in range(200)
    ]  # ~250 KB: above the unauthenticated allowance, below the batch limit
    r = httpx.post(f"{live.url}/events/batch", json=big, headers=auth, timeout=60)
    assert r.status_code == 200 and r.json()["accepted"] == 200, r.text
    r = httpx.post(f"{live.url}/events/batch", json=big)
    assert r.status_code == 401, r.text


def test_no_byte_of_a_body_is_read_before_its_sender_is_known(live: Live) -> None:
    """Small bodies too (issue 11 item 4): the server answers a request whose sender it does
    not know while the body has not even been sent; a known sender's body is waited for."""
    token = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    cases = [
        ("/conversations/x/messages", 1000, {}, 401),
        ("/conversations/x/messages", 1000, {"Authorization": "Bearer sn_not_a_token"}, 401),
        ("/sellers", 200, {}, 401),
        ("/ui/conversations/x/reply", 1000, {}, 303),  # a page form: no session
        ("/ui/conversations/x/reply", 1000, {"Cookie": "sn_session=forged"}, 303),
        ("/ui/login", 64 * 1024, {}, 413),  # the login form is small
    ]
    for path, declared, headers, expected in cases:
        status = answer_before_body(
            live.host, live.port, path, declared=declared, headers=headers, timeout=2.0
        )
        assert status == expected, (path, headers, status)
    # those it knows, and the login form, are read: the server waits for the body
    # (a form post names its type: without one there is no form to wait for)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for path, headers in (("/conversations/x/messages", token), ("/ui/login", form)):
        status = answer_before_body(
            live.host, live.port, path, declared=100, headers=headers, timeout=0.3
        )
        assert status is None, (path, status)
