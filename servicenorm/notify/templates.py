"""Localised notification texts (nl, fr, de, pl, en): subject and body of each e-mail, and the
one-line banners, rendered from the TOML catalogs next to this module.

Rendering is a sandboxed Jinja2 environment with strict undefined variables: a template that
names a figure the context lacks fails loudly in the tests, not silently in a seller's inbox.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from servicenorm.norms import NORMS, Norm, display

LOCALES = ("en", "nl", "fr", "de", "pl")
DEFAULT_LOCALE = "en"
_BY_COUNTRY = {
    "NL": "nl",
    "BE": "nl",
    "FR": "fr",
    "LU": "fr",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "PL": "pl",
}
_DECIMAL_COMMA = {"nl", "fr", "de", "pl"}
_SPACE_BEFORE_PERCENT = {"fr", "de"}


def locale_for(
    country: str | None,
    languages: Mapping[str, list[str]] | None = None,
    chosen: str | None = None,
    default: str = DEFAULT_LOCALE,
) -> str:
    """The seller's language: its own choice (`chosen`), else the market's first language for
    its country, else its country's (NL and BE nl, FR fr, DE de, PL pl), else the
    marketplace's (`default`, the policy's `language`)."""
    if chosen in LOCALES:
        return str(chosen)
    c = (country or "").upper()
    for lang in (languages or {}).get(c, []):
        if lang in LOCALES:
            return lang
    return _BY_COUNTRY.get(c, default if default in LOCALES else DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> dict[str, Any]:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; known: {', '.join(LOCALES)}")
    text = (
        files("servicenorm.notify").joinpath(f"catalog/{locale}.toml").read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


def _lookup(locale: str, *path: str) -> Any:
    for loc in (locale, DEFAULT_LOCALE):
        node: Any = catalog(loc)
        for p in path:
            node = node.get(p) if isinstance(node, dict) else None
        if node is not None:
            return node
    raise KeyError(f"notification catalog has no {'.'.join(path)}")


def _number(v: float, digits: int, locale: str) -> str:
    """`v` with the language's decimal mark and thousands separator, as the pages write it
    ("1.396" in nl and de, "1 396" in fr; Polish groups from 10 000 on)."""
    f = _lookup(locale, "format")
    grouped = abs(v) >= 10 ** (2 + int(f.get("group_min", "1")))
    s = f"{v:{',' if grouped else ''}.{digits}f}".replace(",", "\x00")
    s = s.replace(".", ",") if locale in _DECIMAL_COMMA else s
    return s.replace("\x00", str(f.get("thousands", ",")))


def _finalize(locale: str) -> Any:
    """Every whole number a template prints ({{ late }}, {{ questions }}) is written with the
    language's thousands separator; other values as they are."""

    def out(v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return _number(v, 0, locale)
        return v

    return out


def _pct(v: Any, locale: str) -> str:
    if v is None:
        return "—"
    s = _number(float(v) * 100, 1, locale)
    return f"{s} %" if locale in _SPACE_BEFORE_PERCENT else f"{s}%"


def _norm_of(name: str) -> Norm | None:
    """The registry norm of a finding's norm or of a badge criterion ("shipping")."""
    return NORMS.get(name) or next(
        (n for n in NORMS.values() if n.badge is not None and n.badge[0] == name), None
    )


def _figure(v: Any, name: str, locale: str, against: Any = None) -> str:
    """A norm's figure by the registry's display rule (`against`: the threshold it is read
    against, for the digits that keep the two apart); other figures as plain numbers."""
    if v is None:
        return "—"
    n = _norm_of(name)
    if n is not None:
        percent = "{value} %" if locale in _SPACE_BEFORE_PERCENT else "{value}%"
        point = "," if locale in _DECIMAL_COMMA else "."
        return display.plain(n, v, against, point, percent)
    if name in ("orders", "new_shop_complaints"):
        return _number(int(v), 0, locale)
    if name == "holistic":
        return _number(float(v), 2, locale)
    return str(v)


def _day(v: Any, locale: str) -> str:
    """A day in words, the language's way: "3 March 2026", "3. März 2026", "1er mars 2026"."""
    d = date.fromisoformat(str(v)[:10])
    f = _lookup(locale, "format")
    day = f["first"] if d.day == 1 else str(d.day)
    return str(f["day"]).format(day=day, month=f["months"][d.month - 1], year=d.year)


def _when(v: Any, locale: str) -> str:
    """An instant in its own offset, stated: "3 March 2026, 09:00 (UTC+01:00)"."""
    t = datetime.fromisoformat(str(v))
    text = str(_lookup(locale, "format", "when")).format(
        day=_day(t.date().isoformat(), locale), time=f"{t:%H:%M}"
    )
    off = t.strftime("%z")
    return f"{text} (UTC{off[:3]}:{off[3:]})" if off else text


def _week(v: Any, locale: str) -> str:
    """An ISO week code (YYYY-Www) as its Monday and Sunday: people read dates, not codes."""
    year, _, week = str(v).partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return str(v)
    sunday = monday + timedelta(days=6)
    return f"{_day(monday.isoformat(), locale)} – {_day(sunday.isoformat(), locale)}"


def label(locale: str, group: str, key: str) -> str:
    """The label of `key` in `group` (norm, action, trigger, ...) in `locale`, for the pages;
    an unknown key is shown as itself, with spaces for underscores."""
    try:
        return str(_lookup(locale, "labels", group, key))
    except KeyError:
        return key.replace("_", " ")


def _labels(locale: str, group: str, keys: Any) -> str:
    """Several keys (a list, or one comma-separated string) each by its label."""
    items = [
        str(k).strip() for k in (keys if isinstance(keys, list | tuple) else str(keys).split(","))
    ]
    return "; ".join(str(_lookup(locale, "labels", group, k)) for k in items if k)


@cache
def _env(locale: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
        finalize=_finalize(locale),
    )
    env.filters["pct"] = lambda v: _pct(v, locale)
    env.filters["figure"] = lambda v, norm, against=None: _figure(v, norm, locale, against)
    env.filters["when"] = lambda v: _when(v, locale)
    env.filters["day"] = lambda v: _day(v, locale)
    env.filters["week"] = lambda v: _week(v, locale)
    env.globals["labels"] = lambda group, keys: _labels(locale, group, keys)
    env.globals["label"] = lambda group, key: str(_lookup(locale, "labels", group, str(key)))
    env.globals["tip"] = lambda norm: str(_lookup(locale, "tips", str(norm)))
    env.globals["topic"] = lambda t: str(_lookup(locale, "topics", str(t)))
    return env


@lru_cache(maxsize=1024)
def _compiled(locale: str, source: str) -> Template:
    """A template compiled once per locale and source: an evaluation renders the same few
    templates for every finding (compiling was most of an e-mail's cost)."""
    return _env(locale).from_string(source)


def _render(locale: str, source: str, context: Mapping[str, Any]) -> str:
    return _compiled(locale, source).render(**context)


def render_text(locale: str, source: str, context: Mapping[str, Any]) -> str:
    """Render a text that is not in the catalog (a policy's statement texts) with the
    catalog's filters and labels."""
    return _render(locale, source, context)


def render_mail(template: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of e-mail `template` in `locale`."""
    spec = _lookup(locale, "mail", template)
    subject = " ".join(_render(locale, spec["subject"], context).split())
    body = _render(locale, spec["body"], context).strip() + "\n"
    return subject, body


def render_banner(template: str, locale: str, context: Mapping[str, Any]) -> str:
    return " ".join(_render(locale, str(_lookup(locale, "banner", template)), context).split())


def mail_templates() -> list[str]:
    return sorted(catalog(DEFAULT_LOCALE)["mail"])


def banner_templates() -> list[str]:
    return sorted(catalog(DEFAULT_LOCALE)["banner"])
