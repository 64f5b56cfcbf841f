"""The norms, each defined once: what it reads from the report, its threshold in the policy,
how they compare, how it is written, whether it counts in the score, and its evidence.

Sources: bol's Prestaties (first response within the working-time allowance, phone, the
weekly late-question alert and the personal question-rate norm, bol's norms); Etsy's Star
Seller and shipping norms (Etsy's Star Seller rules); SWOPiFY's every-message response (the presets'
`source` fields say where each threshold comes from).
"""

from __future__ import annotations

from fractions import Fraction

from servicenorm.norms.evidence import Selector, all_of, any_of, is_
from servicenorm.norms.model import Counted, Entry, Norm, Risk, decimal
from servicenorm.policy import Policy

_LATE_ITEMS = Selector(
    "first_response", "received", is_("status", "on_time"), is_("status", "late"),
    is_("status", "pending"),
)  # fmt: skip


# a quarter of the way from the threshold to the best value, and at least 10 items
RATE_RISK = Risk(Fraction(1, 4), 10, Fraction(1))
COUNT_RISK = Risk(Fraction(1, 4), 0, Fraction(0))  # an alert at 10: from 8 late questions
AVERAGE_RISK = Risk(Fraction(1, 4), 10, Fraction(5), Fraction(1))  # stars: 1 to 5


def _rate(good: int, bad: int, pending: int = 0) -> Counted:
    total = good + bad
    return Counted(Fraction(good, total) if total else None, good, bad, pending, (good, total))


def _response(slug: str) -> Norm:
    def figure(e: Entry, _: str) -> Counted:
        c = e[slug]
        return _rate(int(c["on_time"]), int(c["late"]), int(c["pending"]))

    every = slug == "message_response"
    return Norm(
        slug=slug,
        names={
            "en": "Every buyer message answered within {within}"
            if every
            else "First response within {within}",
            "nl": "Elk kopersbericht beantwoord binnen {within}"
            if every
            else "Eerste reactie binnen {within}",
            "fr": "Chaque message d’acheteur traité sous {within}"
            if every
            else "Première réponse sous {within}",
            "de": "Jede Käufernachricht beantwortet innerhalb von {within}"
            if every
            else "Erste Antwort innerhalb von {within}",
            "pl": "Odpowiedź na każdą wiadomość kupującego w ciągu {within}"
            if every
            else "Pierwsza odpowiedź w ciągu {within}",
        },
        metric=slug,
        kind="rate",
        comparison="at_least",
        figure=figure,
        threshold=lambda p, _: decimal(p.response.target),
        applies=lambda p: p.response.every_message == every,
        counts_in_score=lambda p: p.response.in_score,
        evidence=Selector(
            slug,
            "received",
            is_("status", "on_time"),
            is_("status", "late"),
            is_("status", "pending"),
        ),
        reason=("every buyer message answered" if every else "first response")
        + " {value}{of}, below the norm {threshold}",
        # Etsy's Star Seller: messages answered within the badge's allowance (Etsy's Star Seller
        # rules)
        risk=RATE_RISK,
        dated_plan=True,
        facts=(("on_time", "on_time"), ("late", "late"), ("pending", "pending")),
        badge=None if every else ("first_response", lambda b: b.min_response_rate),
    )


def _weekly(e: Entry, week: str) -> Counted | None:
    late = (e.get("weekly_late") or {}).get(week)
    return None if late is None else Counted(Fraction(int(late)), bad=int(late))


def _phone(e: Entry, _: str) -> Counted | None:
    p = e.get("phone")
    if p is None:
        return None
    answered, attempts = int(p["answered"]), int(p["attempts"])
    return _rate(answered, attempts - answered)


def _question_rate(e: Entry, _: str) -> Counted:
    q = e["question_rate"]
    orders, questions = int(q["orders"]), int(q["questions"])
    value = Fraction(questions, orders) if orders else None
    return Counted(value, good=orders, bad=questions, of=(questions, orders))


def _question_limit(p: Policy, e: Entry) -> Fraction | None:
    """The personal norm as the report publishes it (4 decimals) plus the policy's tolerance."""
    norm = e["question_rate"]["norm"]
    if norm is None or p.question_rate is None:
        return None
    return decimal(norm) * (1 + decimal(p.question_rate.tolerance))


def _shipping(e: Entry, _: str) -> Counted:
    s = e["shipping"]
    return _rate(int(s["on_time"]), int(s["late"]), int(s["pending"]))


def _tracked(e: Entry, _: str) -> Counted:
    s = e["shipping"]
    good, decided = int(s["on_time_with_tracking"]), int(s["on_time"]) + int(s["late"])
    return _rate(good, decided - good, int(s["pending"]))


def _reviews(e: Entry, _: str) -> Counted:
    """The average as the report publishes it (2 decimals): the report has no rating sum, and
    the seller sees this figure; held exactly as that decimal."""
    r = e["reviews"]
    avg = r["average"]
    return Counted(None if avg is None else decimal(avg), good=int(r["count"]))


def _target(v: float | None) -> Fraction | None:
    return None if v is None else decimal(v)


NORMS: dict[str, Norm] = {
    n.slug: n
    for n in (
        _response("first_response"),
        _response("message_response"),
        Norm(
            slug="weekly_late",
            names={
                "en": "Late questions this week ({week})",
                "nl": "Te late vragen deze week ({week})",
                "fr": "Questions en retard cette semaine ({week})",
                "de": "Verspätete Fragen diese Woche ({week})",
                "pl": "Spóźnione pytania w tym tygodniu ({week})",
            },
            metric="weekly_late",
            kind="count",
            comparison="below",
            figure=_weekly,
            threshold=lambda p, _: (
                None if p.weekly_alert is None else Fraction(p.weekly_alert.late_at_least)
            ),
            applies=lambda p: p.weekly_alert is not None,
            counts_in_score=lambda p: False,
            evidence=_LATE_ITEMS,
            reason="{value} questions without a timely first reply in {week} (alert at {threshold})",
            risk=COUNT_RISK,
            weekly=True,
            digits=0,
        ),
        Norm(
            slug="phone",
            names={
                "en": "Calls answered in phone hours",
                "nl": "Oproepen beantwoord binnen openingstijden",
                "fr": "Appels répondus pendant les heures d’appel",
                "de": "Angenommene Anrufe in den Telefonzeiten",
                "pl": "Połączenia odebrane w godzinach dostępności telefonicznej",
            },
            metric="phone",
            kind="rate",
            comparison="at_least",
            figure=_phone,
            threshold=lambda p, _: None if p.phone is None else decimal(p.phone.target),
            applies=lambda p: p.phone is not None,
            counts_in_score=lambda p: True,
            evidence=Selector(
                "phone", "received", is_("status", "answered"), is_("status", "missed")
            ),
            reason="calls answered {value}{of}, below the norm {threshold}",
            risk=RATE_RISK,
            facts=(("attempts", "attempts"), ("answered", "answered")),
        ),
        Norm(
            slug="question_rate",
            names={
                "en": "Questions per order",
                "nl": "Vragen per bestelling",
                "fr": "Questions par commande",
                "de": "Fragen pro Bestellung",
                "pl": "Pytania na zamówienie",
            },
            metric="question_rate",
            kind="ratio",
            comparison="at_most",
            figure=_question_rate,
            threshold=_question_limit,
            applies=lambda p: p.question_rate is not None,
            counts_in_score=lambda p: p.question_rate is not None and p.question_rate.in_score,
            evidence=Selector("question_rate", None, is_("questions", 0), is_("questions", 0, ">")),
            reason="{value} questions per order{of}, above the personal norm {threshold}",
            facts=(("orders", "orders"), ("questions", "questions")),
            digits=3,
        ),
        Norm(
            slug="shipping_on_time",
            names={
                "en": "Orders shipped on time",
                "nl": "Bestellingen op tijd verzonden",
                "fr": "Commandes expédiées à temps",
                "de": "Rechtzeitig versandte Bestellungen",
                "pl": "Zamówienia wysłane na czas",
            },
            metric="shipping",
            kind="rate",
            comparison="at_least",
            figure=_shipping,
            threshold=lambda p, _: _target(p.shipping.target_on_time),
            applies=lambda p: p.shipping.target_on_time is not None,
            counts_in_score=lambda p: True,
            evidence=Selector(
                "shipping",
                "placed",
                is_("status", "on_time"),
                is_("status", "late"),
                is_("status", "pending"),
            ),
            reason="orders shipped on time {value}{of}, below the norm {threshold}",
            risk=RATE_RISK,
            facts=(("on_time", "on_time"), ("late", "late")),
        ),
        Norm(
            slug="shipping_on_time_with_tracking",
            names={
                "en": "Orders on time with tracking",
                "nl": "Bestellingen op tijd met track & trace",
                "fr": "Commandes à temps avec suivi",
                "de": "Bestellungen rechtzeitig mit Sendungsverfolgung",
                "pl": "Zamówienia na czas z numerem przesyłki",
            },
            metric="shipping",
            kind="rate",
            comparison="at_least",
            figure=_tracked,
            threshold=lambda p, _: _target(p.shipping.target_on_time_with_tracking),
            applies=lambda p: p.shipping.target_on_time_with_tracking is not None,
            counts_in_score=lambda p: True,
            evidence=Selector(
                "shipping",
                "placed",
                all_of(("status", "=", "on_time"), ("has_tracking", "=", True)),
                any_of(
                    is_("status", "late"),
                    all_of(("status", "=", "on_time"), ("has_tracking", "=", False)),
                ),
                is_("status", "pending"),
            ),
            reason="orders on time with tracking {value}{of}, below the norm {threshold}",
            risk=RATE_RISK,
            facts=(("on_time_with_tracking", "on_time_with_tracking"), ("late", "late")),
            badge=("shipping", lambda b: b.min_on_time_with_tracking),
        ),
        Norm(
            slug="reviews",
            names={
                "en": "Average review rating",
                "nl": "Gemiddelde beoordeling",
                "fr": "Note moyenne des avis",
                "de": "Durchschnittliche Bewertung",
                "pl": "Średnia ocena w opiniach",
            },
            metric="reviews",
            kind="average",
            comparison="at_least",
            figure=_reviews,
            threshold=lambda p, _: _target(p.reviews.min_average),
            applies=lambda p: p.reviews.min_average is not None,
            counts_in_score=lambda p: True,
            evidence=Selector("reviews", "received", is_("rating", 3, ">"), is_("rating", 3, "<=")),
            reason="average rating {value}, below {threshold}",
            risk=AVERAGE_RISK,
            facts=(("reviews", "count"), ("average_rating", "average")),
            digits=2,
            badge=("reviews", lambda b: b.min_average_rating),
        ),
    )
}


def norm(slug: str) -> Norm:
    """The norm named `slug`; a clear error for a name that is not a norm."""
    found = NORMS.get(slug)
    if found is None:
        raise KeyError(f"unknown norm {slug!r}; norms: {', '.join(NORMS)}")
    return found


def norms_for(policy: Policy) -> list[Norm]:
    """The norms the policy has, in the registry's order (the order of the pages)."""
    return [n for n in NORMS.values() if n.applies(policy)]
