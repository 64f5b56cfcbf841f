"""Templates and the language of a page: Jinja2 with autoescape, numbers, dates and working
time written the reader's way (nl: 92,5%, ma 3 nov 14:05; de: 92,5 %, Do., 3. Dez., 14:05).
Every pattern, name and separator comes from the language's text file (servicenorm/web/i18n).

Every instant a person reads goes through `Fmt.dt` / `Fmt.date`, which show it in the page's
zone: the marketplace's (its preset's zone), stated at the foot of the page. `fmt_for` makes
the one formatter of a request; `render` uses the same one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import date as Date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace
from servicenorm.web.i18n import DEFAULT, Texts, languages, negotiate, texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE = "sn_lang"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def asked_language(request: Request) -> str | None:
    """?lang= (a choice from the switcher), then the cookie, then the browser's preference;
    None when none of them names one of the five languages."""
    asked = request.query_params.get("lang")
    if asked in languages():
        return str(asked)
    kept = request.cookies.get(LANG_COOKIE)
    if kept in languages():
        return str(kept)
    return negotiate(request.headers.get("accept-language"), None)


def language_of(request: Request) -> str:
    """The language asked for (`asked_language`), else the viewer's own: a seller's (or its
    staff's) chosen language, else its country's, else the marketplace's, which
    `session.optional_viewer` reads while the request's session is open."""
    found = asked_language(request)
    if found is not None:
        return found
    own = getattr(request.state, "viewer_language", None)
    return own if own in languages() else DEFAULT


UTC_ZONE = ZoneInfo("UTC")


def market_zone(market: Marketplace | None) -> ZoneInfo:
    """The zone a marketplace's people read times in: its preset's zone (UTC without one)."""
    if market is None:
        return UTC_ZONE
    return ZoneInfo(policy_for(market.preset).zone)


@dataclass(frozen=True)
class Fmt:
    """Formatting in one language; instants are shown in `zone` (the marketplace's)."""

    t: Texts
    zone: ZoneInfo = UTC_ZONE

    @property
    def zone_label(self) -> str:
        """How the page states its zone: the city of the zone name ("Amsterdam"), or "UTC"."""
        return self.zone.key.rsplit("/", 1)[-1].replace("_", " ")

    def local(self, d: datetime) -> datetime:
        """`d` in the page's zone (an aware instant; a naive one is taken as UTC)."""
        return (d if d.tzinfo is not None else d.replace(tzinfo=UTC)).astimezone(self.zone)

    def number(self, v: float | None, digits: int = 1) -> str:
        """`v` with the language's decimal mark and thousands separator ("1.234,5" in nl and
        de, "1 234,5" in fr); Polish groups only from 10 000 on (`format.group_min`)."""
        if v is None:
            return "—"
        grouped = abs(v) >= 10 ** (2 + int(self.t("format.group_min")))
        text = f"{v:{',' if grouped else ''}.{digits}f}".replace(",", "\x00")
        text = text.replace(".", self.t.decimal)
        return text.replace("\x00", self.t("format.thousands"))

    def count(self, n: int) -> str:
        return self.number(n, 0)

    def pct(self, v: float | None, digits: int = 1) -> str:
        if v is None:
            return "—"
        text = f"{v * 100:.{digits}f}"
        if digits and text.endswith("0" * digits):
            text = text[: -digits - 1]  # 90.0 -> 90
        return self.t("format.percent", value=text.replace(".", self.t.decimal))

    def date(self, d: datetime | Date | None) -> str:
        if d is None:
            return "—"
        if isinstance(d, datetime):
            d = self.local(d)
        wd = self.t.names("format.weekdays")[d.weekday()]
        return self.t("format.date", weekday=wd, day=d.day, month=self._month(d))

    def _month(self, d: Date) -> str:
        return self.t.names("format.months")[d.month - 1]

    def day(self, d: datetime | Date) -> str:
        if isinstance(d, datetime):
            d = self.local(d)
        return self.t("format.day", day=d.day, month=self._month(d), year=d.year)

    def short(self, d: Date) -> str:
        """A day without weekday and year: "30 Nov"."""
        return self.t("format.short", day=d.day, month=self._month(d))

    def week(self, code: str) -> str:
        """An ISO week (YYYY-Www) as its dates, Monday to Sunday: "30 Nov – 6 Dec"."""
        monday = week_monday(code)
        if monday is None:
            return code
        return self.t(
            "format.week", start=self.short(monday), end=self.short(monday + timedelta(days=6))
        )

    def week_start(self, code: str) -> str:
        monday = week_monday(code)
        return code if monday is None else self.short(monday)

    def dt(self, d: datetime | None) -> str:
        if d is None:
            return "—"
        local = self.local(d)
        return self.t("format.datetime", date=self.date(local), time=f"{local:%H:%M}")

    def span(self, v: timedelta | int | None, seconds: bool = False) -> str:
        """A duration (`int`: microseconds) in hours and minutes: "136 h", "7 h 05 min",
        "42 min"; with `seconds`, to the second (the queue's countdown)."""
        if v is None:
            return "—"
        secs = int(v.total_seconds()) if isinstance(v, timedelta) else int(v) // 1_000_000
        return duration_text(secs, self.t, seconds)


def week_monday(code: str) -> Date | None:
    """The Monday of an ISO week code (YYYY-Www), None for anything else."""
    year, _, week = code.partition("-W")
    try:
        return Date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None


def duration_text(secs: int, t: Texts, seconds: bool = False) -> str:
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    h, m, s = secs // 3600, secs % 3600 // 60, secs % 60
    hu, mu, su = t("format.unit_h"), t("format.unit_min"), t("format.unit_s")
    if seconds:
        parts = [f"{h} {hu}"] if h else []
        if h or m:
            parts.append(f"{m:02d} {mu}" if h else f"{m} {mu}")
        parts.append(f"{s:02d} {su}" if h or m else f"{s} {su}")
        return sign + " ".join(parts)
    if h and m:
        return f"{sign}{h} {hu} {m:02d} {mu}"
    if h:
        return f"{sign}{h} {hu}"
    return f"{sign}{m} {mu}"


def fmt_for(
    request: Request, market: Marketplace | None = None, zone: ZoneInfo | None = None
) -> Fmt:
    """The page's one formatter: the reader's language, the marketplace's zone."""
    return Fmt(texts(language_of(request)), zone or market_zone(market))


def url_with(request: Request, **changes: str | None) -> str:
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def wants_csv(request: Request) -> bool:
    return request.query_params.get("format") == "csv"


def csv_response(filename: str, header: list[str], rows: list[list[str]]) -> Response:
    """A table of a page as CSV (UTF-8 with a byte-order mark, so spreadsheets read the
    accents), the cells exactly as the page writes them."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_url(request: Request) -> str:
    """This page's URL asking for its table as CSV (the same filters)."""
    return url_with(request, format="csv")


def render(
    request: Request,
    name: str,
    status_code: int = 200,
    fmt_zone: ZoneInfo | None = None,
    **context: Any,
) -> HTMLResponse:
    """`fmt_zone`: the zone of the page's times when it is not its `market`'s."""
    lang = language_of(request)
    t = texts(lang)
    body = env.get_template(name).render(
        request=request,
        lang=lang,
        languages=languages(),
        language_name=lambda code: texts(code)("app.language_name"),
        t=t,
        f=fmt_for(request, context.get("market"), fmt_zone),
        url_with=lambda **kw: url_with(request, **kw),
        csv_url=csv_url(request),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    if request.query_params.get("lang") in languages():
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86_400, samesite="lax", path="/")
    return response
