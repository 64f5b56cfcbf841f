"""`servicenorm moderate`: the message policy checks (docs/moderation.md) on standard input, one
message
per line, one JSON object per line out, in order (CLI contract).

A line that cannot be checked never costs the other lines their results: invalid UTF-8 is
checked with the bad bytes replaced (U+FFFD) and a "warning"; a line over --max-bytes gets
an object with "error" and nulls instead of verdicts. Both are also reported on stderr with
the line number. An empty line is an ordinary message with nothing in it.
"""

from __future__ import annotations

import sys
from typing import IO, Annotated, Any

import orjson
import typer

from servicenorm.moderation import moderate
from servicenorm.moderation.markets import accepted_languages

MAX_LINE_BYTES = 20_000  # several times the longest message a marketplace lets a seller send

MarketOpt = Annotated[
    str,
    typer.Option(
        "--market", help="the market the messages are for (ISO 3166: NL, BE, FR, DE, PL, GB)"
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="output format: jsonl (one JSON object per input line)")
]
PresetOpt = Annotated[
    str | None,
    typer.Option("--preset", help="take the market's languages from this preset or policy file"),
]
MaxBytesOpt = Annotated[
    int,
    typer.Option(
        "--max-bytes", min=1, help="longest line (bytes, without its newline) that is checked"
    ),
]


def moderate_command(
    market: MarketOpt,
    format: FormatOpt = "jsonl",
    preset: PresetOpt = None,
    max_bytes: MaxBytesOpt = MAX_LINE_BYTES,
) -> None:
    """Check messages on standard input for off-platform contact, language and tone."""
    if format != "jsonl":
        raise ValueError(f"--format must be jsonl, not {format!r}")
    languages = None
    if preset is not None:
        from servicenorm.policy import load_policy

        languages = load_policy(preset).moderation.languages or None
    accepted_languages(market, languages)  # an unknown market fails here, before any input is read
    failed = run(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, market, languages, max_bytes)
    if failed:
        raise typer.Exit(1)


def run(
    src: IO[bytes],
    out: IO[bytes],
    err: IO[str],
    market: str,
    languages: dict[str, list[str]] | None,
    max_bytes: int,
) -> bool:
    """Moderate every line of `src`; True when a line hit an internal error."""
    failed = False
    for number, raw, overlong in _lines(src, max_bytes):
        obj: dict[str, Any]
        if overlong:
            obj = _error(f"line longer than {max_bytes} bytes ({raw} bytes); not checked")
            err.write(f"servicenorm: line {number}: {obj['error']}\n")
        else:
            assert isinstance(raw, bytes)
            text, warning = _decode(raw)
            try:
                obj = moderate(text, market, languages=languages).to_json()
            except Exception as e:  # a bug must not cost the other lines their results
                failed = True
                obj = _error(f"internal error: {type(e).__name__}: {e}")
                err.write(f"servicenorm: line {number}: {obj['error']}\n")
            if warning:
                obj["warning"] = warning
                err.write(f"servicenorm: line {number}: {warning}\n")
        out.write(orjson.dumps(obj) + b"\n")
        out.flush()  # a caller may be waiting for this line's answer before writing the next
    err.flush()
    return failed


def _error(message: str) -> dict[str, Any]:
    return {
        "contact": None,
        "spans": [],
        "language": None,
        "language_ok": None,
        "abusive": None,
        "error": message,
    }


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return (
            raw.decode("utf-8", errors="replace"),
            f"invalid UTF-8 at byte {e.start}; undecodable bytes replaced by U+FFFD, offsets refer to the replaced text",
        )


def _lines(src: IO[bytes], max_bytes: int) -> Any:
    """(line number, bytes without the line ending, False) or (number, length, True) when the
    line is longer than `max_bytes`: such a line is skipped without holding it in memory."""
    number = 0
    while True:
        chunk = src.readline(max_bytes + 2)  # + "\r\n"
        if not chunk:
            return
        number += 1
        if chunk.endswith(b"\n") or len(chunk) <= max_bytes:
            line = chunk[:-1] if chunk.endswith(b"\n") else chunk
            line = line[:-1] if line.endswith(b"\r") else line
            if len(line) <= max_bytes:
                yield number, line, False
                continue
        length = len(chunk.rstrip(b"\r\n"))
        while not chunk.endswith(b"\n"):
            chunk = src.readline(1 << 16)
            if not chunk:
                break
            length += len(chunk.rstrip(b"\r\n"))
        yield number, length, True
