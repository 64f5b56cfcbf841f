"""`servicenorm moderate` (CLI contract, contract/report.md): one JSON object per input line,
in order, whatever the lines hold. The contract's example runs through the installed command,
the other cases in the test process (tests/cli_process.py)."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from tests.cli_process import SERVICENORM, TERMINAL, run_cli

KEYS = ["contact", "spans", "language", "language_ok", "abusive"]


def installed(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`servicenorm moderate ARGS` as the installed script, in its own process."""
    env = {**os.environ, **TERMINAL}
    return subprocess.run(
        [str(SERVICENORM), "moderate", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


def run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return run_cli("moderate", *args, input=stdin, text=False)


def lines(stdin: bytes, *args: str, process: bool = False) -> tuple[list[dict[str, Any]], str]:
    done = (installed if process else run)(stdin, *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.decode().splitlines()], done.stderr.decode()


def test_the_contract_example() -> None:
    """Through the installed command: the JSON lines alone on stdout, status 0; a usage error
    is status 2, its message on stderr and nothing on stdout."""
    out, err = lines(
        b"Bel me op 06-12345678\nJe bestelling 1143567890 is verzonden\n",
        "--market",
        "NL",
        "--format",
        "jsonl",
        process=True,
    )
    assert out == [
        {
            "contact": True,
            "spans": [{"start": 10, "end": 21, "kind": "phone", "text": "06-12345678"}],
            "language": "nl",
            "language_ok": True,
            "abusive": False,
        },
        {"contact": False, "spans": [], "language": "nl", "language_ok": True, "abusive": False},
    ]
    assert list(out[0]) == KEYS
    assert err == ""
    done = installed(b"hallo\n", "--market", "XX")
    assert done.returncode == 2 and done.stdout == b""
    assert "unknown market 'XX'" in done.stderr.decode()


def test_empty_lines_are_messages_too_and_order_is_kept() -> None:
    out, _ = lines(
        b"\nmail jan@gmail.com\n\n\nThanks for your order, we will ship it tomorrow.",
        "--market",
        "NL",
    )
    assert len(out) == 5
    assert [o["contact"] for o in out] == [False, True, False, False, False]
    assert out[0] == {
        "contact": False,
        "spans": [],
        "language": None,
        "language_ok": True,
        "abusive": False,
    }
    assert (out[4]["language"], out[4]["language_ok"]) == (
        "en",
        False,
    )  # the last line has no newline


def test_offsets_are_characters_of_the_input_line() -> None:
    text = "Ça coûte 5 € — écrivez à marie@exemple.fr"
    out, _ = lines((text + "\r\n").encode(), "--market", "FR")
    [span] = out[0]["spans"]
    assert text[span["start"] : span["end"]] == span["text"] == "marie@exemple.fr"


def test_invalid_utf8_is_checked_with_a_warning_and_the_other_lines_survive() -> None:
    out, err = lines(b"eerste regel\n\xff\xfe bel 0612345678 \xc3\nderde regel\n", "--market", "NL")
    assert len(out) == 3
    assert "warning" not in out[0] and "warning" not in out[2]
    assert out[1]["contact"] is True and out[1]["spans"][0]["text"] == "0612345678"
    assert "invalid UTF-8 at byte 0" in out[1]["warning"]
    assert "line 2: invalid UTF-8" in err


def test_overlong_lines_get_an_error_and_the_other_lines_survive() -> None:
    long_line = b"bel 0612345678 " * 10_000  # 150,000 bytes
    out, err = lines(b"kort\n" + long_line + b"\nmail jan@gmail.com\n", "--market", "NL")
    assert len(out) == 3
    assert out[1]["contact"] is None and "longer than 20000 bytes (150000 bytes)" in out[1]["error"]
    assert out[2]["contact"] is True
    assert "line 2: line longer than" in err
    small, _ = lines(b"123456\n1234\n", "--market", "NL", "--max-bytes", "5")
    assert ["error" in o for o in small] == [True, False]


def test_a_presets_languages() -> None:
    out, _ = lines(
        b"Merci pour votre commande, nous envoyons le colis demain matin.\n",
        "--market",
        "FR",
        "--preset",
        "swopify",
    )
    assert out[0]["language_ok"] is True


def test_usage_errors_exit_2_before_reading() -> None:
    done = run(b"hallo\n", "--market", "XX")
    assert done.returncode == 2 and done.stdout == b""
    assert "unknown market 'XX'" in done.stderr.decode()
    done = run(b"hallo\n", "--market", "NL", "--format", "csv")
    assert done.returncode == 2 and "--format must be jsonl" in done.stderr.decode()
    assert run(b"", "--format", "jsonl").returncode == 2  # --market is required


def test_many_lines_stream_through() -> None:
    body = b"".join(f"bericht {i}: bel 06{i:08d}\n".encode() for i in range(500))
    out, _ = lines(body, "--market", "NL")
    assert len(out) == 500
