"""What a check finds and what the policy decides (docs/moderation.md; CLI contract `servicenorm
moderate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Span kinds for off-platform contact (docs/moderation.md), and "abusive" for tone (R5.4).
ContactKind = Literal["email", "phone", "url", "messenger", "handle", "payment", "offplatform"]
CONTACT_KINDS: tuple[str, ...] = (
    "email",
    "phone",
    "url",
    "messenger",
    "handle",
    "payment",
    "offplatform",
)


@dataclass(frozen=True, slots=True)
class Span:
    """Characters [start, end) of the input that triggered a check; `text` is input[start:end]."""

    start: int
    end: int
    kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class ModerationResult:
    """The checks of one message. `to_json()` is exactly the CLI contract's object;
    `market` and `abusive_spans` are for `decide`."""

    contact: bool
    spans: list[Span]
    language: str | None
    language_ok: bool
    abusive: bool
    market: str = ""
    abusive_spans: list[Span] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "contact": self.contact,
            "spans": [s.to_json() for s in self.spans],
            "language": self.language,
            "language_ok": self.language_ok,
            "abusive": self.abusive,
        }


Action = Literal["deliver", "block", "mask"]


@dataclass(frozen=True)
class Decision:
    """What the send path does with a message (docs/moderation.md/R5.2/R5.4 per the preset's
    `[moderation]` actions). `delivered_text` is None when the message is blocked;
    `violations` lists the checks that failed ("contact", "language", "abusive"), whatever
    the action, for the metrics (R3.10); `spans` are what the API shows when it refuses."""

    action: Action
    delivered_text: str | None
    violations: list[str]
    spans: list[Span] = field(default_factory=list)
