"""Issue 11 item 9: tokens can be revoked and accounts deactivated for every role, through the
API and the command line, and the page cookie holds a server-side session, not the token.

On SQLite and PostgreSQL (the `client` fixture), against the real app."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from servicenorm.settings import Settings
from servicenorm.store.tables import WebSession
from servicenorm.web.deps import get_now
from servicenorm.web.pages.session import COOKIE
from tests.cli_process import TERMINAL, run_cli
from tests.integration.world import World, auth, build_world, ok

ROLES = ["operator ebay", "agent bol", "seller A", "staff A", "buyer A"]


def _works(c: TestClient, token: str) -> bool:
    r = c.get("/me", headers=auth(token))
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def _tokens(w: World, who: str) -> list[dict[str, object]]:
    return list(w.get("operator", f"/accounts/{w.ids[who]}/tokens"))


def test_an_operator_revokes_a_token_and_deactivates_an_account_of_every_role(
    client: TestClient,
) -> None:
    w = build_world(client)
    for who in ROLES:
        first = w.tokens[who]
        second = w.post("operator", f"/accounts/{w.ids[who]}/tokens")
        listed = _tokens(w, who)
        assert {t["id"] for t in listed} >= {second["token_id"]}
        assert all("token" not in t and first not in str(t) for t in listed)  # never the value
        assert _works(client, first) and _works(client, second["token"])
        client.delete(
            f"/accounts/{w.ids[who]}/tokens/{second['token_id']}", headers=w.as_("operator")
        ).raise_for_status()
        assert not _works(client, second["token"]), who  # revoked: at once
        assert _works(client, first), who  # the other token is untouched
        out = w.post("operator", f"/accounts/{w.ids[who]}/deactivate", status=200)
        assert out["active"] is False
        assert not _works(client, first), who
        assert all(t["revoked_at"] is not None for t in _tokens(w, who))
        again = client.post(f"/accounts/{w.ids[who]}/tokens", headers=w.as_("operator"))
        assert again.status_code == 422  # a deactivated account gets no new token


def test_revoked_tokens_stop_the_message_post_fast_path_too(client: TestClient) -> None:
    w = build_world(client)
    cid = w.ids["conversation B"]
    w.post("buyer B", f"/conversations/{cid}/messages", {"body": "Nog een vraag"})  # now cached
    [token] = _tokens(w, "buyer B")
    client.delete(
        f"/accounts/{w.ids['buyer B']}/tokens/{token['id']}", headers=w.as_("buyer B")
    ).raise_for_status()  # anyone may revoke their own token
    r = client.post(
        f"/conversations/{cid}/messages", json={"body": "en nog een"}, headers=w.as_("buyer B")
    )
    assert r.status_code == 401


def test_who_may_revoke_and_deactivate(client: TestClient) -> None:
    w = build_world(client)
    staff_a, staff_b = w.ids["staff A"], w.ids["staff B"]

    def deactivate(who: str, account: str) -> int:
        return client.post(f"/accounts/{account}/deactivate", headers=w.as_(who)).status_code

    assert deactivate("buyer A", w.ids["buyer B"]) == 404  # invisible: not found
    assert deactivate("seller A", staff_b) == 404  # another seller's staff
    assert deactivate("agent bol", w.ids["seller A"]) == 404
    assert deactivate("operator ebay", w.ids["seller A"]) == 404  # another marketplace
    assert deactivate("seller A", w.ids["seller A"]) == 403  # never oneself
    assert deactivate("buyer A", w.ids["buyer A"]) == 403
    [t] = _tokens(w, "staff B")
    r = client.delete(f"/accounts/{staff_b}/tokens/{t['id']}", headers=w.as_("staff A"))
    assert r.status_code == 404
    assert deactivate("seller A", staff_a) == 200
    assert not _works(client, w.tokens["staff A"]) and _works(client, w.tokens["staff B"])


def _cli(settings: Settings, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    """`servicenorm accounts ARGS` on the test's store: in the test process, or with `process`
    as `python -m servicenorm.cli` in its own (tests/cli_process.py)."""
    env = {
        **os.environ,
        **TERMINAL,
        "SERVICENORM_DATABASE_URL": str(settings.database_url),
        "SERVICENORM_DATA_DIR": str(settings.data_dir),
    }
    env.pop("SERVICENORM_OPERATOR_TOKEN", None)
    if not process:
        return run_cli("accounts", *args, env=env)
    return subprocess.run(
        [sys.executable, "-m", "servicenorm.cli", "accounts", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_command_line_lists_revokes_and_deactivates(
    client: TestClient, settings: Settings
) -> None:
    w = build_world(client)
    process = str(settings.database_url).startswith("sqlite")  # one backend as a real process
    listed = _cli(settings, "list", "--role", "agent", process=process)
    assert listed.returncode == 0, listed.stderr
    assert {line.split("\t")[0] for line in listed.stdout.splitlines()} == {
        w.ids["agent bol"],
        w.ids["agent ebay"],
    }
    [t] = _tokens(w, "agent bol")
    shown = _cli(settings, "tokens", w.ids["agent bol"])
    assert shown.returncode == 0 and str(t["id"]) in shown.stdout
    assert w.tokens["agent bol"] not in shown.stdout
    done = _cli(settings, "revoke-token", w.ids["agent bol"], str(t["id"]))
    assert done.returncode == 0, done.stderr
    assert not _works(client, w.tokens["agent bol"])
    done = _cli(settings, "deactivate", w.ids["buyer A"])
    assert done.returncode == 0, done.stderr
    assert not _works(client, w.tokens["buyer A"]) and _works(client, w.tokens["buyer B"])
    missing = _cli(settings, "deactivate", "nobody", process=process)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "servicenorm: error: account 'nobody' not found"
    bad = _cli(settings, "list", "--role", "admin")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def _login(client: TestClient, token: str) -> str:
    client.cookies.clear()
    r = client.post("/ui/login", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(client.cookies[COOKIE])


def _page_ok(client: TestClient, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)
    r = client.get("/ui/sellers/seller-a/queue", follow_redirects=False)
    assert r.status_code in (200, 303), r.text
    return r.status_code == 200


def test_the_page_cookie_is_a_server_side_session_that_logout_revokes(
    client: TestClient,
) -> None:
    w = build_world(client)
    token = w.tokens["seller A"]
    cookie = _login(client, token)
    assert token not in cookie and cookie != token  # never the API token
    with client.app.state.container.sessions() as s:  # type: ignore[attr-defined]
        stored = list(s.scalars(select(WebSession)))
    assert len(stored) == 1 and cookie not in {stored[0].session_hash, stored[0].id}
    assert stored[0].expires_at - stored[0].created_at == timedelta(hours=12)
    assert _page_ok(client, cookie)
    # a page form's CSRF value comes from the session; logout revokes the session itself
    page = client.get("/ui/sellers/seller-a/queue").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    ok(client.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False), 303)
    assert not _page_ok(client, cookie)  # the old cookie, replayed: logged out
    assert _works(client, token)  # the API token itself is untouched by logout


def test_a_session_expires_and_ends_with_its_token_or_account(client: TestClient) -> None:
    w = build_world(client)
    cookie = _login(client, w.tokens["seller A"])
    later = client.app.state.container.clock() + timedelta(hours=12, minutes=1)  # type: ignore[attr-defined]
    client.app.dependency_overrides[get_now] = lambda: later  # type: ignore[attr-defined]
    try:
        assert not _page_ok(client, cookie)
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert _page_ok(client, cookie)
    [t] = _tokens(w, "seller A")
    client.delete(
        f"/accounts/{w.ids['seller A']}/tokens/{t['id']}", headers=w.as_("operator")
    ).raise_for_status()
    assert not _page_ok(client, cookie)
    fresh = w.post("operator", f"/accounts/{w.ids['seller A']}/tokens")["token"]
    cookie = _login(client, fresh)
    assert _page_ok(client, cookie)
    w.post("operator", f"/accounts/{w.ids['seller A']}/deactivate", status=200)
    assert not _page_ok(client, cookie)
