"""Saved-reply templates and FAQ/fact suggestions (pure)."""

from __future__ import annotations

import pytest

from servicenorm.access.errors import Invalid
from servicenorm.helpdesk.stage_texts import DEFAULTS, PROBLEMS
from servicenorm.helpdesk.suggestions import suggest
from servicenorm.helpdesk.templates import VARIABLES, render, variables_in


def test_render_fills_variables_and_keeps_literal_braces() -> None:
    out = render(
        "Hi {buyer_name}, order {order_number} {{ok}}", {"buyer_name": "Anna", "order_number": "7"}
    )
    assert out == "Hi Anna, order 7 {ok}"


def test_unknown_variable_and_lone_brace_are_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as e:
        variables_in("Hoi {naam}")
    assert e.value.field == "body" and "{naam}" in e.value.message
    with pytest.raises(Invalid):
        variables_in("price { 5")


def test_a_missing_value_names_the_variable() -> None:
    with pytest.raises(Invalid) as e:
        render("{tracking_link}", {"tracking_link": None})
    assert e.value.field == "variables" and "{tracking_link}" in e.value.message


def test_every_default_stage_text_exists_in_five_languages_with_known_variables() -> None:
    for texts in [*DEFAULTS.values(), *PROBLEMS.values()]:
        assert set(texts) == {"nl", "fr", "de", "pl", "en"}
        for text in texts.values():
            assert set(variables_in(text)) <= set(VARIABLES)


@pytest.mark.parametrize(
    "question,fact",
    [
        ("Wat zijn de verzendkosten?", "shipping_cost"),
        ("Quels sont les frais de port ?", "shipping_cost"),
        ("Wie hoch sind die Versandkosten?", "shipping_cost"),
        ("Jaki jest koszt wysyłki?", "shipping_cost"),
        ("Kann ich das zurückschicken?", "returns"),
        ("Welke maat valt dit?", "size"),
        ("How long does delivery take?", "delivery_time"),
    ],
)
def test_facts_are_suggested_in_every_market_language(question: str, fact: str) -> None:
    facts = {
        "shipping_cost": "free",
        "returns": "30 days",
        "size": "fits small",
        "delivery_time": "2 days",
    }
    assert fact in [s.key for s in suggest(question, [], facts) if s.kind == "fact"]


def test_faqs_match_similar_questions_only() -> None:
    faqs = [
        ("f1", "Is dit de nieuwste editie?", "Ja, 2025."),
        ("f2", "Is het boek gesigneerd?", "Nee."),
    ]
    got = suggest("is dit wel de nieuwste editie", faqs, {})
    assert got[0].key == "f1" and all(s.key != "f2" for s in got)
    assert suggest("ok", faqs, {}) == []
