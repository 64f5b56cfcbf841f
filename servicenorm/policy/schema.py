"""The policy schema: a marketplace's published rules as validated data (docs/enforcement.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servicenorm.clock import Calendar, calendar_from_mapping, parse_duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Duration = Annotated[str, Field(description="a duration such as 8h, 24h, 1h30m")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


def _duration(v: str) -> str:
    parse_duration(v)
    return v


class HolidaySpec(_Strict):
    countries: list[str] = []
    sets: list[str] = []
    closed: list[str] = []
    open: list[str] = []


class CalendarSpec(_Strict):
    """A calendar in the contract's TOML format, plus per-country holiday overrides
    (bol: sellers established in BE use the Belgian holidays only)."""

    zone: str
    hours: dict[str, list[list[str]]]
    holidays: HolidaySpec = HolidaySpec()
    by_country: dict[str, HolidaySpec] = {}
    source: str = ""

    @model_validator(mode="after")
    def _valid(self) -> CalendarSpec:
        self.build(None)  # zone, hours and holiday sets fail here, at load
        return self

    def build(self, country: str | None, name: str = "") -> Calendar:
        hol = self.by_country.get((country or "").upper(), self.holidays)
        return calendar_from_mapping(
            {"zone": self.zone, "hours": self.hours, "holidays": hol.model_dump(), "name": name},
            name or "calendar",
        )


class ResponseNorm(_Strict):
    """First response and every-message response: reply within `within` on `calendar`."""

    within: Duration
    calendar: str
    target: Share
    every_message: bool = False  # SWOPiFY: every buyer message must be answered
    in_score: bool = True
    # whether a seller may mark a question "no reply needed" (`reply_waived`): Amazon lets
    # sellers do so, bol does not; a question waived in time leaves the first-response count
    reply_waiver: bool = False
    source: str = ""

    _v = field_validator("within")(_duration)

    @property
    def allowance(self) -> timedelta:
        return parse_duration(self.within)


def waiver_refusal(policy_name: str) -> str:
    """The one wording of a refused `reply_waived` (ingest, the pages and evaluate)."""
    return (
        f"the {policy_name} policy does not allow 'no reply needed' ([response] reply_waiver):"
        " every question needs an answer"
    )


class WeeklyAlert(_Strict):
    late_at_least: int = Field(ge=1)
    action: Literal["email"] = "email"
    source: str = ""


class PhoneNorm(_Strict):
    calendar: str
    target: Share
    source: str = ""


class QuestionRateNorm(_Strict):
    tolerance: float = Field(ge=0.0, description="share above the personal norm before a finding")
    action: Literal["email"] = "email"
    in_score: bool = False
    source: str = ""


class ShippingNorm(_Strict):
    target_on_time: Share | None = None
    target_on_time_with_tracking: Share | None = None
    marked_before_scan_tolerance: Duration = "24h"
    source: str = ""

    _v = field_validator("marked_before_scan_tolerance")(_duration)


class ReviewNorm(_Strict):
    min_average: float | None = Field(default=None, ge=1.0, le=5.0)
    max_negative_share: Share | None = None
    source: str = ""


class Window(_Strict):
    days: int = Field(ge=1)
    source: str = ""


class BadgeSpec(_Strict):
    """A badge programme such as Etsy's Star Seller (Etsy's Star Seller rules)."""

    name: str
    every: Literal["month", "week", "day"] = "month"
    window_days: int = Field(ge=1)
    first_response_within: Duration
    first_response_calendar: str
    min_response_rate: Share
    min_on_time_with_tracking: Share
    min_average_rating: float = Field(ge=1.0, le=5.0)
    min_orders: int = Field(ge=0)
    min_sales: str
    sales_currency: str
    removal_pause_days: int = Field(ge=0, default=90)
    # Criteria whose figure may be missing (no messages in the window) without failing the
    # badge; our choice, because a shop nobody wrote to has not answered late.
    none_counts_as_met: list[str] = ["first_response"]
    source: str = ""


LadderAction = Literal[
    "notify",
    "educate",
    "restrict_search",
    "pause_shop",
    "delay_payouts",
    "suspend_trading",
    "disable_messaging",
    "suspend_permanently",
]


NoticeGround = Literal["legal_obligation", "imperative_reason", "repeated_infringement"]


class LadderStep(_Strict):
    action: LadderAction
    after_days: int = Field(ge=0, default=0, description="grace after the previous step")
    requires_contact: bool = False
    duration_days: int | None = Field(
        default=None, ge=1, description="a restriction's length; none: until lifted"
    )
    # P2B Art. 4(4): a termination at this step takes effect without the notice period
    notice_exception: NoticeGround | None = None


class NewShopRule(_Strict):
    """Etsy's standards: shops with little history and many complaints may be suspended at once."""

    max_tenure_days: int = Field(ge=1)
    min_cases: int = Field(ge=1)
    min_case_rate: Share = 0.0
    action: LadderAction = "suspend_permanently"
    source: str = ""


class Ladder(_Strict):
    steps: list[LadderStep]
    # Which findings climb the ladder; empty = every finding that counts in the score.
    norms: list[str] = []
    lift_when_met: bool = (
        True  # a later evaluation that meets the norms lifts open-ended restrictions
    )
    reset_after_days: int = Field(
        ge=1, default=28
    )  # clean days after which a new cycle starts at step one
    extend_to_linked: list[LadderAction] = []  # R4.5: restrictions that reach every linked shop
    new_shop: NewShopRule | None = None
    education: dict[str, list[str]] = {}  # norm -> help topics sent by the `educate` step
    source: str = ""


class HolisticSpec(_Strict):
    """R4.8: tenure, cases, reviews and trends weighed together (Etsy's assessment as a whole).

    score = sum(weight * indicator); indicators are shares in [0, 1] (late shipping, questions
    not answered in time, cases per order, review shortfall (5 - average) / 4, an order surge 0/1).
    Established shops (tenure >= established_after_days) have their score multiplied by
    established_factor. A score >= threshold is a finding `holistic`."""

    weights: dict[
        Literal["late_shipping", "unanswered", "cases_per_order", "low_reviews", "surge"], float
    ]
    threshold: float = Field(gt=0.0)
    min_orders: int = Field(ge=0, default=5)
    established_after_days: int = Field(ge=0, default=365)
    established_factor: float = Field(gt=0.0, default=1.0)
    source: str = ""


class ScheduleSpec(_Strict):
    """When `servicenorm serve` evaluates: the ladder's cadence and the local time of day."""

    evaluate_every: Literal["day", "week", "month"] = "week"
    at: str = Field(default="06:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    source: str = ""


class ModerationSpec(_Strict):
    languages: dict[str, list[str]] = {}
    contact: Literal["block", "mask", "record"] = "record"
    language: Literal["block", "record", "off"] = "off"
    automated: Literal["record", "off"] = "off"
    abusive: Literal["block", "mask", "record"] = "record"
    # a buyer's message with contact details (a phone number, an address): masked before the
    # seller reads it, or delivered and recorded; "off": buyers' messages are not checked.
    # Never blocked: a buyer can always reach the seller.
    buyer_contact: Literal["mask", "record", "off"] = "record"
    source: str = ""


class AbsenceRule(_Strict):
    longer_than_working_days: int = Field(ge=0)
    notice_days: int = Field(ge=0)
    calendar: str
    # who answers while the seller is away: a staff member when the seller has one, else the platform
    coverage: Literal["staff_or_platform", "staff", "platform"] = "staff_or_platform"
    source: str = ""


TakeoverTrigger = Literal[
    "missed_deadline",
    "quality_dispute",
    "conformity_dispute",
    "ignored_return_rights",
    "ignored_complaint",
    "locked_device",
    "imei_blacklist",
    "apple_id_lock",
    "google_account_lock",
    "counterfeit",
    "unsafe_product",
    "absence_coverage",
]


class TakeoverSpec(_Strict):
    on_missed_deadline: bool = True
    triggers: list[TakeoverTrigger] = []
    cost_per_case: str = "0"
    costs: dict[TakeoverTrigger, str] = {}  # a cost per trigger, overriding cost_per_case
    currency: str = "EUR"
    # a return or complaint case the seller leaves open this long (working time on the
    # response calendar) counts as ignoring the buyer's rights
    case_ignored_after: Duration = "48h"
    source: str = ""

    _v = field_validator("case_ignored_after")(_duration)

    @field_validator("cost_per_case")
    @classmethod
    def _money(cls, v: str) -> str:
        from decimal import Decimal, InvalidOperation

        try:
            if Decimal(v) < 0:
                raise ValueError("a cost cannot be negative")
        except InvalidOperation:
            raise ValueError(f"{v!r} is not a decimal amount") from None
        return v

    def cost_for(self, trigger: str) -> str:
        return next((v for k, v in self.costs.items() if k == trigger), self.cost_per_case)


# ISO 3166-1 codes of the EU and EEA states (the DSA Transparency Database's territorial scope)
EU_EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)
Locale = Literal["nl", "en", "fr", "pl", "de"]
ReasonCode = Literal[
    "norms", "new_shop", "linked_shop", "terms_violation", "manipulation", "operator"
]


class StatementTexts(_Strict):
    """A statement of reasons in one language; Jinja2 templates over the statement's data."""

    subject: str
    intro: str
    measure: str
    until_lifted: str
    notice: str
    facts: str
    fact: str  # one finding
    fact_note: str  # one fact an operator stated, with its evidence
    ground: str
    why: str  # why the facts meet the ground
    automated: str
    redress: str


class DsaScope(_Strict):
    """Decisions of these kinds taken for these reasons are in DSA scope (Art. 17, 24(5))."""

    kinds: list[LadderAction]
    reasons: list[ReasonCode]


class DecisionsSpec(_Strict):
    """Statements of reasons, notice periods and complaints (P2B Art. 4, 11; DSA Art. 17,
    20, 24): the terms a decision rests on, who may be asked out of court, the windows."""

    terms_url: str = Field(pattern=r"^https://")
    clauses: dict[ReasonCode, str]  # the clause of the terms each reason rests on
    territorial_scope: list[str] = Field(min_length=1)  # ISO codes of EU/EEA states
    notice_days: int = Field(ge=30, default=30)  # P2B Art. 4(2)
    complaint_window_days: int = Field(ge=183, default=183)  # DSA Art. 20(1): >= six months
    complaint_handling: Duration = "40h"  # working time on `complaint_calendar`
    complaint_calendar: str
    out_of_court: list[str] = []  # P2B Art. 12 mediators, DSA Art. 21 bodies
    reverse_takeover_charges: bool = True
    dsa_scope: list[DsaScope] = []
    texts: dict[Locale, StatementTexts]
    source: str = ""

    _v = field_validator("complaint_handling")(_duration)

    @model_validator(mode="after")
    def _complete(self) -> DecisionsSpec:
        missing = sorted({"nl", "en", "fr", "pl", "de"} - set(self.texts))
        if missing:
            raise ValueError(f"decisions.texts lacks the languages {', '.join(missing)}")
        bad = [c for c in self.territorial_scope if c not in EU_EEA]
        if bad:
            raise ValueError(f"territorial_scope: {', '.join(bad)} not EU/EEA ISO codes")
        return self

    def in_dsa_scope(self, kind: str, reason_code: str) -> bool:
        return any(kind in r.kinds and reason_code in r.reasons for r in self.dsa_scope)


class Policy(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    zone: str
    source: str = ""
    window: Window
    calendars: dict[str, CalendarSpec]
    response: ResponseNorm
    weekly_alert: WeeklyAlert | None = None
    phone: PhoneNorm | None = None
    question_rate: QuestionRateNorm | None = None
    shipping: ShippingNorm = ShippingNorm()
    reviews: ReviewNorm = ReviewNorm()
    badge: BadgeSpec | None = None
    ladder: Ladder | None = None
    moderation: ModerationSpec = ModerationSpec()
    absence: AbsenceRule | None = None
    takeover: TakeoverSpec | None = None
    holistic: HolisticSpec | None = None
    decisions: DecisionsSpec | None = None
    schedule: ScheduleSpec = ScheduleSpec()
    proactive_messages: bool = False
    response_target_shown: Duration | None = None
    # the marketplace's language: its pages and e-mails for a reader whose own is not known
    # (a seller without a choice, from a country without a language of its own)
    language: Literal["en", "nl", "fr", "de", "pl"] = "en"

    @model_validator(mode="after")
    def _references(self) -> Policy:
        Calendar.continuous(self.zone)  # the zone itself must exist
        named: list[tuple[str, str]] = [("response.calendar", self.response.calendar)]
        if self.phone:
            named.append(("phone.calendar", self.phone.calendar))
        if self.badge:
            named.append(("badge.first_response_calendar", self.badge.first_response_calendar))
        if self.absence:
            named.append(("absence.calendar", self.absence.calendar))
        if self.decisions:
            named.append(("decisions.complaint_calendar", self.decisions.complaint_calendar))
        for where, cal in named:
            if cal not in self.calendars:
                raise ValueError(
                    f"{where} names calendar {cal!r}, but [calendars] has only {sorted(self.calendars)}"
                )
        return self

    def calendar(self, which: str, country: str | None = None) -> Calendar:
        """The named calendar for a seller established in `country`."""
        if which not in self.calendars:
            raise ValueError(
                f"preset {self.name} has no {which!r} calendar; it has {', '.join(sorted(self.calendars))}"
            )
        return _calendar_cached(self, which, (country or "").upper())

    def response_calendar(self, country: str | None) -> Calendar:
        return self.calendar(self.response.calendar, country)

    def phone_calendar(self, country: str | None) -> Calendar:
        if self.phone is None:
            raise ValueError(f"preset {self.name} has no phone norm")
        return self.calendar(self.phone.calendar, country)

    def summary(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


_CAL_CACHE: dict[tuple[str, str], Calendar] = {}


def _calendar_cached(policy: Policy, which: str, country: str) -> Calendar:
    # Calendars are immutable; sharing one keeps its kernel (the built hour table) warm.
    key = (policy.calendars[which].model_dump_json(), country)
    cal = _CAL_CACHE.get(key)
    if cal is None:
        cal = policy.calendars[which].build(country or None, f"{policy.name}/{which}")
        _CAL_CACHE[key] = cal
    return cal
