"""API tokens: random, shown once, stored only as an HMAC under the deployment's pepper."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

PREFIX = "sn_"


def new_id() -> str:
    return uuid.uuid4().hex


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()
