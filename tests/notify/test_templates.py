"""Every notification renders in every language, shows its figures, and says how to improve."""

from __future__ import annotations

import re
from typing import Any

import pytest

from servicenorm.notify.templates import (
    LOCALES,
    banner_templates,
    catalog,
    locale_for,
    mail_templates,
    render_banner,
    render_mail,
)

AT = "2026-03-09T06:00:00+01:00"
CONTEXTS: dict[str, dict[str, Any]] = {
    "weekly_late": {
        "week": "2026-W10",
        "late": 12,
        "threshold": 10,
        "within": "8",
        "rate": 0.8123,
        "target": 0.9,
        "window_from": "2026-02-09",
        "window_to": "2026-03-09",
        "topics": ["staff_accounts", "queue_by_deadline"],
    },
    "question_rate": {
        "rate": 0.1834,
        "norm": 0.0612,
        "orders": 120,
        "questions": 22,
        "window_from": "2026-02-09",
        "window_to": "2026-03-09",
        "topics": ["product_information"],
    },
    "notify": {
        "window_from": "2026-02-09",
        "window_to": "2026-03-09",
        "findings": [
            {"norm": "first_response", "value": 0.8123, "threshold": 0.9, "detail": ""},
            {"norm": "phone", "value": 0.7, "threshold": 0.9, "detail": ""},
        ],
    },
    "educate": {"topics": ["saved_replies", "vacation_mode"]},
    "restriction_started": {
        "kind": "restrict_search",
        "reason_code": "norms",
        "note": None,
        "start": AT,
        "end": None,
        "linked_from": None,
        "findings": [],
    },
    "restriction_lifted": {"kind": "restrict_search", "lift_reason": "meets the norms again"},
    "restriction_extended": {
        "kind": "restrict_search",
        "previous": "2026-03-16T09:00:00+01:00",
        "end": "2026-03-30T09:00:00+02:00",
        "extend_reason": "the listings are still not fixed",
    },
    "operator_message": {
        "subject": "Your listings of 12 March",
        "text": "Please check the listings we named on the phone.",
    },
    "badge_awarded": {
        "badge": "Star Seller",
        "reason": None,
        "figures": {
            "first_response": 0.98,
            "shipping": 0.97,
            "reviews": 4.91,
            "orders": 31,
            "sales": "1240.50",
            "currency": "USD",
        },
    },
    "badge_removed": {
        "badge": "Star Seller",
        "reason": "criteria",
        "failed": ["shipping"],
        "excluded": False,
        "until": None,
        "figures": {
            "first_response": 0.98,
            "shipping": 0.9123,
            "reviews": 4.91,
            "orders": 31,
            "sales": "1240.50",
            "currency": "USD",
        },
    },
    "badge_reinstated": {"badge": "Star Seller", "reason": "unpaid_bill"},
    "takeover_started": {
        "trigger": "locked_device",
        "conversation": "c-77",
        "order": "o-9",
        "case": None,
    },
    "takeover_charged": {
        "amount": "25.00",
        "currency": "EUR",
        "trigger": "missed_deadline",
        "resolution": "refund",
        "conversation": "c-77",
        "case": None,
    },
    "absence_late": {
        "start": "2026-03-16",
        "end": "2026-03-27",
        "working_days": 10,
        "coverage": "platform",
        "announced": AT,
        "limit_days": 5,
        "notice_days": 14,
        "needed_by": "2026-03-02T00:00:00+01:00",
    },
    "absence_confirmed": {
        "start": "2026-03-16",
        "end": "2026-03-27",
        "working_days": 10,
        "coverage": "staff",
    },
    "statement_of_reasons": {
        "subject": "Statement of reasons: Shop paused",
        "body": "Facts: 12 late replies",
        "action_id": "a1",
    },
    "complaint_decided": {
        "filed": "2026-03-05T15:00:00+01:00",
        "kind": "pause_shop",
        "stated": "2026-03-02T10:00:00+01:00",
        "outcome": "reversed",
        "reasons": "The photos are the seller's own.",
        "at": AT,
    },
}
FIGURES = {
    "weekly_late": ["12"],
    "question_rate": ["120", "22"],
    "badge_awarded": ["31", "1240.50"],
    "takeover_charged": ["25.00"],
    "absence_late": ["10"],
    "statement_of_reasons": ["12 late replies"],
    "complaint_decided": ["The photos are the seller's own."],
}
# Dates are written in words, the language's way (never 2026-03-02 or 2026-W10).
DATES = {
    "weekly_late": {  # the week 2026-W10
        "en": "2 March 2026 – 8 March 2026",
        "nl": "2 maart 2026 – 8 maart 2026",
        "fr": "2 mars 2026 – 8 mars 2026",
        "de": "2. März 2026 – 8. März 2026",
        "pl": "2 marca 2026 r. – 8 marca 2026 r.",
    },
    "absence_late": {  # needed_by
        "en": "2 March 2026",
        "nl": "2 maart 2026",
        "fr": "2 mars 2026",
        "de": "2. März 2026",
        "pl": "2 marca 2026 r.",
    },
    "notify": {  # window_from
        "en": "9 February 2026",
        "nl": "9 februari 2026",
        "fr": "9 février 2026",
        "de": "9. Februar 2026",
        "pl": "9 lutego 2026 r.",
    },
    "complaint_decided": {  # filed
        "en": "5 March 2026",
        "nl": "5 maart 2026",
        "fr": "5 mars 2026",
        "de": "5. März 2026",
        "pl": "5 marca 2026 r.",
    },
    "restriction_extended": {  # previous, with its own offset
        "en": "16 March 2026, 09:00 (UTC+01:00)",
        "nl": "16 maart 2026 om 09:00 (UTC+01:00)",
        "fr": "16 mars 2026 à 09:00 (UTC+01:00)",
        "de": "16. März 2026, 09:00 Uhr (UTC+01:00)",
        "pl": "16 marca 2026 r., godz. 09:00 (UTC+01:00)",
    },
}


def test_every_language_has_every_text_of_the_english_catalog() -> None:
    def keys(d: dict[str, Any], prefix: str = "") -> set[str]:
        out: set[str] = set()
        for k, v in d.items():
            out |= keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"}
        return out

    en = keys(catalog("en"))
    for loc in LOCALES:
        assert keys(catalog(loc)) == en, loc
    assert set(CONTEXTS) == set(mail_templates())


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_each_mail_renders_with_its_figures(locale: str, template: str) -> None:
    subject, body = render_mail(
        template,
        locale,
        {"seller": "Bakkerij Jansen", "marketplace": "bol.com", "at": AT, **CONTEXTS[template]},
    )
    assert subject and "\n" not in subject and "{{" not in subject + body
    assert "Bakkerij Jansen" in body
    for fig in FIGURES.get(template, []):
        assert fig in body or fig.replace(".", ",") in body
    if template in DATES:
        assert DATES[template][locale] in body
    assert not re.search(r"\b20\d\d-(\d\d-\d\d|W\d\d)\b", subject + body), "a date as a code"


@pytest.mark.parametrize("locale", LOCALES)
def test_rates_are_written_the_local_way(locale: str) -> None:
    _, body = render_mail(
        "notify", locale, {"seller": "x", "marketplace": "m", "at": AT, **CONTEXTS["notify"]}
    )
    expected = {"en": "81.2%", "nl": "81,2%", "fr": "81,2 %", "de": "81,2 %", "pl": "81,2%"}[locale]
    assert expected in body


def test_the_notify_mail_names_the_way_to_improve_each_norm() -> None:
    _, body = render_mail(
        "notify", "nl", {"seller": "x", "marketplace": "bol.com", "at": AT, **CONTEXTS["notify"]}
    )
    assert (
        catalog("nl")["tips"]["first_response"] in body and catalog("nl")["tips"]["phone"] in body
    )


def test_badge_removal_explains_the_reinstatement_path_of_each_reason() -> None:
    base = {**CONTEXTS["badge_removed"], "seller": "x", "marketplace": "Etsy", "at": AT}
    paths = {
        ("unpaid_bill", False, None): "regulując zaległości",
        ("terms_violation", False, "2026-06-07T00:00:00+00:00"): "7 czerwca 2026 r.",
        ("account_restricted", False, None): "gdy Twoje konto zostanie przywrócone",
        ("manipulation", True, None): "nie będzie już mógł otrzymać tej odznaki",
        ("criteria", False, None): "najbliższej ocenie",
    }
    for (reason, excluded, until), phrase in paths.items():
        _, body = render_mail(
            "badge_removed",
            "pl",
            {**base, "reason": reason, "excluded": excluded, "until": until, "failed": []},
        )
        assert phrase in body, reason


@pytest.mark.parametrize("locale", LOCALES)
def test_every_banner_renders(locale: str) -> None:
    ctx = {
        "norms": "first_response",
        "kind": "pause_shop",
        "start": AT,
        "end": None,
        "badge": "Star Seller",
        "reason": "unpaid_bill",
        "week": "2026-W10",
        "late": 12,
        "rate": 0.2,
        "norm": 0.1,
        "trigger": "counterfeit",
        "needed_by": AT,
    }
    for b in banner_templates():
        text = render_banner(b, locale, ctx)
        assert text and "{{" not in text


def test_a_missing_figure_fails_loudly() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render_mail("weekly_late", "en", {"seller": "x", "marketplace": "m", "at": AT})


def test_language_follows_the_market_then_the_country() -> None:
    assert locale_for("BE", {"BE": ["nl", "fr"]}) == "nl"
    assert locale_for("BE", {"BE": ["fr"]}) == "fr"
    assert locale_for("PL", {}) == "pl"
    assert locale_for("DE", None) == "de"
    assert locale_for("US", {}) == "en"
    assert locale_for(None) == "en"


def test_a_chosen_language_wins_and_the_marketplace_has_the_last_word() -> None:
    bol = {"NL": ["nl"], "BE": ["nl", "fr"]}
    assert locale_for("BE", bol, None, "nl") == "nl"  # a Belgian seller: Dutch ...
    assert locale_for("BE", bol, "fr", "nl") == "fr"  # ... unless it chose French
    assert [locale_for(c, None, None, "nl") for c in ("NL", "FR", "DE", "PL")] == [
        "nl",
        "fr",
        "de",
        "pl",
    ]
    assert locale_for("US", bol, None, "nl") == "nl"  # no language of its own: bol's
    assert locale_for("US", {}, None, "en") == "en"  # etsy's
    assert locale_for("NL", bol, "xx", "nl") == "nl"  # not one of the five: ignored


@pytest.mark.parametrize(
    ("locale", "questions", "orders"),
    [
        ("en", "1,396", "12,480"),
        ("nl", "1.396", "12.480"),
        ("de", "1.396", "12.480"),
        ("fr", "1\u202f396", "12\u202f480"),
        ("pl", "1396", "12\u00a0480"),  # Polish groups from 10 000 on
    ],
)
def test_e_mails_write_numbers_with_the_languages_thousands_separator(
    locale: str, questions: str, orders: str
) -> None:
    from servicenorm.web.i18n import texts

    ctx = dict(CONTEXTS["question_rate"], seller="s", marketplace="m", at=AT)
    ctx.update(questions=1396, orders=12480)
    _, body = render_mail("question_rate", locale, ctx)
    assert questions in body and orders in body
    # the same separators as the pages (web/i18n), one way of writing numbers per language
    t, f = texts(locale), catalog(locale)["format"]
    assert (f["thousands"], f["group_min"]) == (t("format.thousands"), t("format.group_min"))
