"""Templates and the language of a page: Jinja2 with autoescape, numbers, dates and working
time written the reader's way (nl: 92,5%, ma 3 nov 14:05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from servicenorm.web.i18n import Texts, languages, negotiate, texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE = "sn_lang"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def language_of(request: Request) -> str:
    """?lang= (a choice from the switcher), then the cookie, then the browser's preference."""
    asked = request.query_params.get("lang")
    if asked in languages():
        return str(asked)
    kept = request.cookies.get(LANG_COOKIE)
    if kept in languages():
        return str(kept)
    return negotiate(request.headers.get("accept-language"))


@dataclass(frozen=True)
class Fmt:
    """Formatting in one language; instants are shown in the zone they carry."""

    t: Texts

    def number(self, v: float | None, digits: int = 1) -> str:
        if v is None:
            return "—"
        return f"{v:.{digits}f}".replace(".", self.t.decimal)

    def pct(self, v: float | None, digits: int = 1) -> str:
        if v is None:
            return "—"
        text = f"{v * 100:.{digits}f}"
        if digits and text.endswith("0" * digits):
            text = text[: -digits - 1]  # 90.0 -> 90
        return self.t("format.percent", value=text.replace(".", self.t.decimal))

    def date(self, d: datetime | None) -> str:
        if d is None:
            return "—"
        return f"{self.t.names('format.weekdays')[d.weekday()]} {d.day} {self.t.names('format.months')[d.month - 1]}"

    def day(self, d: Any) -> str:
        return f"{d.day} {self.t.names('format.months')[d.month - 1]} {d.year}"

    def dt(self, d: datetime | None) -> str:
        return "—" if d is None else f"{self.date(d)} {d:%H:%M}"

    def span(self, v: timedelta | int | None) -> str:
        """Working time as h:mm:ss (`int`: microseconds)."""
        if v is None:
            return "—"
        secs = int(v.total_seconds()) if isinstance(v, timedelta) else int(v) // 1_000_000
        sign = "-" if secs < 0 else ""
        secs = abs(secs)
        return f"{sign}{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def url_with(request: Request, **changes: str | None) -> str:
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language_of(request)
    t = texts(lang)
    body = env.get_template(name).render(
        request=request,
        lang=lang,
        languages=languages(),
        t=t,
        f=Fmt(t),
        url_with=lambda **kw: url_with(request, **kw),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    if request.query_params.get("lang") in languages():
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86_400, samesite="lax", path="/")
    return response
