"""The policy step (issue 5, item 5): each check's action per preset."""

from __future__ import annotations

import pytest

from servicenorm.moderation import ABUSE_MASK, CONTACT_MASK, Span, decide, mask, moderate
from servicenorm.policy import load_preset
from servicenorm.policy.schema import ModerationSpec

CONTACT = "Bel me op 06-12345678 of mail jan@gmail.com"
ENGLISH = "Thanks for your order, we will ship it tomorrow morning."


def rules(**kw: object) -> ModerationSpec:
    return ModerationSpec.model_validate(kw)


def test_block_refuses_the_message_and_shows_the_spans() -> None:
    d = decide(moderate(CONTACT, "NL"), rules(contact="block"), CONTACT)
    assert (d.action, d.delivered_text, d.violations) == ("block", None, ["contact"])
    assert [s.kind for s in d.spans] == ["phone", "email"]


def test_mask_replaces_each_span() -> None:
    d = decide(moderate(CONTACT, "NL"), rules(contact="mask"), CONTACT)
    assert d.action == "mask"
    assert d.delivered_text == f"Bel me op {CONTACT_MASK} of mail {CONTACT_MASK}"


def test_record_delivers_and_records() -> None:
    d = decide(moderate(CONTACT, "NL"), rules(contact="record"), CONTACT)
    assert (d.action, d.delivered_text, d.violations) == ("deliver", CONTACT, ["contact"])


def test_a_clean_message_is_delivered_without_violations() -> None:
    text = "Je bestelling is vandaag verzonden met PostNL."
    d = decide(moderate(text, "NL"), load_preset("swopify").moderation, text)
    assert (d.action, d.delivered_text, d.violations, d.spans) == ("deliver", text, [], [])


def test_the_strictest_action_wins_and_every_violation_is_listed() -> None:
    text = "Bel 0612345678, klootzak"
    d = decide(moderate(text, "NL"), rules(contact="mask", abusive="block"), text)
    assert (d.action, d.violations) == ("block", ["contact", "abusive"])
    d = decide(moderate(text, "NL"), rules(contact="mask", abusive="mask"), text)
    assert d.delivered_text == f"Bel {CONTACT_MASK}, {ABUSE_MASK}"


@pytest.mark.parametrize(("language_rule", "violations"), [("off", []), ("record", ["language"])])
def test_language_off_or_recorded(language_rule: str, violations: list[str]) -> None:
    d = decide(moderate(ENGLISH, "NL"), rules(language=language_rule), ENGLISH)
    assert (d.action, d.violations) == ("deliver", violations)


def test_language_block() -> None:
    assert decide(moderate(ENGLISH, "NL"), rules(language="block"), ENGLISH).action == "block"


def test_the_presets_languages_decide_over_the_market_default() -> None:
    d = decide(
        moderate(ENGLISH, "NL"), rules(language="record", languages={"NL": ["nl", "en"]}), ENGLISH
    )
    assert d.violations == []


@pytest.mark.parametrize(
    ("preset", "action"),
    [("bol", "mask"), ("swopify", "block"), ("etsy", "deliver"), ("ebay", "deliver")],
)
def test_shipped_presets(preset: str, action: str) -> None:
    d = decide(moderate(CONTACT, "NL"), load_preset(preset).moderation, CONTACT)
    assert d.action == action and "contact" in d.violations


def test_overlapping_spans_mask_once() -> None:
    text = "abcdefghij"
    spans = [
        Span(1, 5, "phone", text[1:5]),
        Span(3, 8, "url", text[3:8]),
        Span(9, 10, "abusive", "j"),
    ]
    assert mask(text, spans) == f"a{CONTACT_MASK}i{ABUSE_MASK}"
