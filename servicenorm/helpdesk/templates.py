"""Message templates with `{variable}` placeholders (saved replies R2.4, stage messages R2.5).

Templates are checked when saved (unknown variable names are refused) and rendered from the
conversation's facts; a value the facts cannot supply must come from the caller, or the
render fails naming the variable. `{{` and `}}` write literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from servicenorm.access.errors import Invalid

VARIABLES = {
    "buyer_name": "the buyer's name",
    "seller_name": "the shop's name",
    "order_number": "the order the conversation is about",
    "ship_date": "when the order ships (or shipped)",
    "tracking_link": "the carrier's tracking code or link",
    "problem": "what went wrong (stage messages about a problem)",
}
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

DATE_FORMATS = {
    "nl": "%d-%m-%Y",
    "fr": "%d/%m/%Y",
    "de": "%d.%m.%Y",
    "pl": "%d.%m.%Y",
    "en": "%d %b %Y",
}


def variables_in(template: str, field: str = "body") -> list[str]:
    names: list[str] = []
    for m in _PLACEHOLDER.finditer(template):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            continue
        name = m.group(1)
        if name is None:
            raise Invalid("a lone brace; write {{ or }} for a literal brace", field)
        if name not in VARIABLES:
            raise Invalid(
                f"unknown variable {{{name}}}; known: {', '.join('{' + v + '}' for v in VARIABLES)}",
                field,
            )
        names.append(name)
    return names


def render(template: str, values: Mapping[str, str | None], field: str = "variables") -> str:
    variables_in(template, "template")
    missing = sorted({n for n in variables_in(template) if not values.get(n)})
    if missing:
        raise Invalid(
            f"no value for {', '.join('{' + n + '}' for n in missing)}: "
            f"give it in 'variables' or use a conversation about an order that has it",
            field,
        )

    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok in ("{{", "}}"):
            return tok[0]
        return str(values[m.group(1)])

    return _PLACEHOLDER.sub(sub, template)


def format_date(t: datetime, language: str) -> str:
    return t.strftime(DATE_FORMATS.get(language, "%Y-%m-%d"))
