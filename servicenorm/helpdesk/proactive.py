"""Proactive stage messages (docs/helpdesk.md): order events produce automated system messages to
the buyer, in the buyer's language, when the seller has them on.

Stage messages are idempotent: the message id derives from the triggering event's id, so a
replayed event never messages the buyer twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid
from servicenorm.access.principal import Principal, manage_seller, work_seller
from servicenorm.helpdesk.directory import seller_row
from servicenorm.helpdesk.stage_texts import DEFAULTS, PROBLEMS, STAGES
from servicenorm.helpdesk.template_values import (
    LANGUAGES,
    BuyerFacts,
    OrderFacts,
    SellerFacts,
    buyer_language,
    template_values,
)
from servicenorm.helpdesk.templates import render, variables_in
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import (
    ProactiveStage,
    Seller,
)


@dataclass(frozen=True)
class StageSetting:
    stage: str
    enabled: bool
    templates: dict[str, str]  # the seller's own texts per language (defaults fill the rest)


@dataclass(frozen=True)
class ProactiveSettings:
    enabled: bool
    stages: list[StageSetting]


def settings_of(s: Session, p: Principal, seller_id: str) -> ProactiveSettings:
    seller = seller_row(s, seller_id)
    work_seller(p, seller)
    return _settings(s, seller)


def settings_from(
    enabled: bool, rows: Mapping[str, tuple[bool, dict[str, str]]]
) -> ProactiveSettings:
    """A seller's settings from its switch and its stage rows (stage -> (enabled, templates))."""
    return ProactiveSettings(
        enabled,
        [
            StageSetting(
                st, rows[st][0] if st in rows else True, dict(rows[st][1]) if st in rows else {}
            )
            for st in STAGES
        ],
    )


def _settings(s: Session, seller: Seller) -> ProactiveSettings:
    rows = s.scalars(select(ProactiveStage).where(ProactiveStage.seller_id == seller.id))
    return settings_from(
        seller.proactive_enabled, {r.stage: (r.enabled, r.templates) for r in rows}
    )


def configure(
    s: Session,
    p: Principal,
    seller_id: str,
    enabled: bool | None,
    stages: dict[str, tuple[bool | None, dict[str, str] | None]],
) -> ProactiveSettings:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    if enabled is not None:
        seller.proactive_enabled = enabled
    for stage, (on, templates) in stages.items():
        if stage not in STAGES:
            raise Invalid(
                f"unknown stage {stage!r}; stages: {', '.join(STAGES)}", f"stages.{stage}"
            )
        for lang, text in (templates or {}).items():
            if lang not in LANGUAGES:
                raise Invalid(
                    f"unknown language {lang!r}; languages: {', '.join(LANGUAGES)}",
                    f"stages.{stage}.templates",
                )
            variables_in(text, f"stages.{stage}.templates.{lang}")
        row = s.get(ProactiveStage, (seller.id, stage))
        if row is None:
            row = ProactiveStage(seller_id=seller.id, stage=stage, enabled=True, templates={})
            s.add(row)
        if on is not None:
            row.enabled = on
        if templates is not None:
            row.templates = dict(templates)
    s.flush()
    return _settings(s, seller)


def stage_text(
    settings: ProactiveSettings,
    stage: str,
    preset: str,
    seller: SellerFacts,
    buyer: BuyerFacts,
    order: OrderFacts,
    problem: str | None = None,
) -> str | None:
    """The text of the stage message for `order` in the buyer's language; None when the seller
    has the stage off (pure: the ORM path and the chunked ingest both use it)."""
    on = next(st for st in settings.stages if st.stage == stage)
    if not (settings.enabled and on.enabled):
        return None
    policy = policy_for(preset)
    lang = buyer_language(buyer, seller, policy.moderation.languages)
    values = template_values(seller, buyer, order, lang, policy.zone)
    key = "shipped_untracked" if stage == "shipped" and not order.tracking else stage
    template = on.templates.get(lang) or DEFAULTS[key][lang]
    if problem is not None:
        values["problem"] = (
            render(PROBLEMS[problem][lang], values) if problem in PROBLEMS else problem
        )
    try:
        return render(template, values)
    except Invalid:  # the seller's own template needs a value this order lacks: use ours
        return render(DEFAULTS[key][lang], values)
