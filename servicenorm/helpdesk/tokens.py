"""API tokens: random, shown once, stored only as an HMAC under the deployment's pepper."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "sn_"

# Tokens printed by `serve --demo`, the docs, the tests and the benchmarks: public, so a
# production deployment refuses them at authentication even when its database holds one.
WELL_KNOWN = frozenset({"sn_demo_operator", "sn_test_operator_token", "sn_bench_operator"})
DEMO_OPERATOR_TOKEN = "sn_demo_operator"


def refused(token: str, environment: str) -> bool:
    """Whether `token` may not authenticate anyone in `environment` (a well-known token in
    production)."""
    return environment == "production" and token in WELL_KNOWN


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()
