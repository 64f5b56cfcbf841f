"""Who may do what: the one role table (issue 11 item 13).

The checks in the helpdesk read it (`require`), the isolation test probes every row of it for
every role (tests/integration/test_roles.py), and docs/security.md shows it as `markdown()`
writes it (a test keeps the page and this table equal). Each row is a permission *within the
caller's scope*: a marketplace's operators and agents act only in their marketplace, sellers
and staff only at their own seller, buyers only on their own conversations and orders. What
lies outside the scope is not found (404); what is in scope but not allowed is forbidden (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from servicenorm.access.errors import Forbidden
from servicenorm.access.principal import Principal, Role

ROLES: tuple[Role, ...] = ("operator", "agent", "seller", "staff", "buyer")


@dataclass(frozen=True)
class Permission:
    action: str
    endpoints: str
    roles: frozenset[Role]
    note: str = ""


def _p(action: str, endpoints: str, roles: str, note: str = "") -> Permission:
    return Permission(action, endpoints, frozenset(roles.split()), note)  # type: ignore[arg-type]


TABLE: tuple[Permission, ...] = (
    _p(
        "create marketplaces",
        "`POST /marketplaces`",
        "operator",
        "deployment-wide operators only",
    ),
    _p("read marketplaces", "`GET /marketplaces`, `GET /marketplaces/{id}`", "operator agent"),
    _p("list sellers", "`GET /sellers`", "operator agent"),
    _p(
        "read a seller's public face",
        "`GET /sellers/{id}`, `GET /sellers/{id}/contact`, `GET /listings/{id}`, "
        "`POST /listings/{id}/suggestions`",
        "operator agent seller staff buyer",
        "buyers: sellers of their own marketplace",
    ),
    _p(
        "create sellers, buyers and accounts",
        "`POST /sellers`, `POST /buyers`, `POST /accounts`",
        "operator",
    ),
    _p("ingest events", "`POST /events`, `POST /events/batch`", "operator"),
    _p("read a buyer", "`GET /buyers/{id}`", "operator agent buyer", "buyers: themselves"),
    _p(
        "work a seller's desk",
        "`GET /sellers/{id}/queue`, `GET /sellers/{id}/saved-replies`, "
        "`GET /sellers/{id}/proactive`, `GET /conversations?seller=`",
        "operator agent seller staff",
    ),
    _p(
        "read an order",
        "`GET /orders/{id}`",
        "operator agent seller staff buyer",
        "buyers: their own orders",
    ),
    _p(
        "manage a seller",
        "`PUT /sellers/{id}/contact`, `PUT /sellers/{id}/proactive`, staff, saved replies, "
        "listings and FAQs",
        "operator seller",
    ),
    _p("announce an order's delay", "`POST /orders/{id}/delay`", "seller staff"),
    _p(
        "open a conversation",
        "`POST /conversations`",
        "operator agent buyer",
        "the platform forwards a buyer's question",
    ),
    _p(
        "answer in a conversation",
        "`POST /conversations/{id}/messages`",
        "agent seller staff buyer",
        "agents after a takeover; sellers and staff until then",
    ),
    _p("take a conversation over", "`POST /conversations/{id}/takeover`", "operator agent"),
    _p(
        "revoke a token",
        "`DELETE /accounts/{id}/tokens/{token}`",
        "operator agent seller staff buyer",
        "everyone their own; operators in scope; sellers their staff's",
    ),
    _p(
        "deactivate an account",
        "`POST /accounts/{id}/deactivate`, `DELETE /sellers/{id}/staff/{account}`",
        "operator seller",
        "sellers: their staff; never one's own account",
    ),
)

BY_ACTION = {p.action: p for p in TABLE}


def may(p: Principal, action: str) -> bool:
    return p.role in BY_ACTION[action].roles


def require(p: Principal, action: str) -> None:
    """403 unless the table lets the caller's role do `action` (scope is checked apart)."""
    if not may(p, action):
        raise Forbidden(f"a {p.role} may not {action}")


def markdown() -> str:
    """The table as docs/security.md shows it."""
    head = "| may | " + " | ".join(ROLES) + " | endpoints | notes |"
    rule = "|---" * (len(ROLES) + 3) + "|"
    rows = [
        "| "
        + " | ".join([p.action, *("yes" if r in p.roles else "-" for r in ROLES)])
        + f" | {p.endpoints} | {p.note} |"
        for p in TABLE
    ]
    return "\n".join([head, rule, *rows])
