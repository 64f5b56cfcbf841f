"""A marketplace's preset names a shipped preset or a file in the configured policy directory,
nothing else (issue 11 item 12): no arbitrary file is read, none is quoted back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servicenorm.settings import Settings
from servicenorm.web.app import create_app
from tests.integration.conftest import OPERATOR_TOKEN

BOL = Path(__file__).parents[2] / "servicenorm/policy/presets/bol.toml"
AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
SECRET = "secret_key_of_another_file"


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    d = tmp_path / "policies"
    d.mkdir()
    (d / "mine.toml").write_text(BOL.read_text().replace('title = "', 'title = "Mine: ', 1))
    (d / "broken.toml").write_text(f'{SECRET} = "x"\n[[[')
    (d / "foreign.toml").write_text(f'{SECRET} = "x"\n')
    outside = tmp_path / "outside.toml"
    outside.write_text(BOL.read_text())
    os.symlink(outside, d / "link.toml")
    return d


@pytest.fixture
def client_with_dir(settings: Settings, policy_dir: Path) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"policy_dir": policy_dir}))
    with TestClient(app) as c:
        yield c
    app.state.container.engine.dispose()


def refused(c: TestClient, preset: str) -> str:
    r = c.post("/marketplaces", json={"id": "m", "preset": preset, "title": "M"}, headers=AUTH)
    assert r.status_code == 422, (preset, r.status_code, r.text)
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "preset"]], r.text
    assert SECRET not in r.text and "root" not in r.text and "line" not in r.text, r.text
    return r.text


PATHS = ["/etc/passwd", "../../../../etc/passwd", "/proc/self/environ", str(BOL)]


def test_a_path_is_not_a_preset(client: TestClient) -> None:
    for preset in PATHS:
        refused(client, preset)
    r = client.post(
        "/events",
        json={
            "id": "ev-path",
            "type": "seller_registered",
            "at": "2026-03-02T10:00:00+01:00",
            "seller": "s1",
            "marketplace": "/etc/passwd",
            "country": "NL",
        },
        headers=AUTH,
    )
    assert r.status_code == 422 and "root" not in r.text, r.text


def test_files_in_the_policy_directory_are_presets(client_with_dir: TestClient) -> None:
    c = client_with_dir
    for preset in [*PATHS, "broken.toml", "foreign.toml", "link.toml", "missing.toml"]:
        refused(c, preset)
    r = c.post("/marketplaces", json={"id": "m", "preset": "mine.toml", "title": "M"}, headers=AUTH)
    assert r.status_code == 201, r.text
    r = c.post(
        "/sellers",
        json={"id": "s1", "marketplace": "m", "name": "S", "country": "NL"},
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    assert c.get("/sellers/s1/contact", headers=AUTH).status_code == 200
