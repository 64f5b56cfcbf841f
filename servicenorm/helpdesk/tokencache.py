"""A per-process cache (one per app: `web.app.create_app`) from an API token's hash to the
principal it names.

It holds *identity* only (account, role, scope: none of which an account can change), never
*validity*: whoever takes a principal from it checks in the same transaction that does
its work that the token is unrevoked and the account active (see
`web.api.conversations.post_in_thread`), so a token revoked or an account deactivated through any
process stops working at once. Entries also expire after `ttl` seconds, `evict`/`evict_account`
drop them early (a failed check, a deactivation in this process), and the size is bounded.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servicenorm.access.principal import Principal


class TokenCache:
    def __init__(self, ttl: float = 300.0, max_size: int = 10_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> Principal | None:
        hit = self._entries.get(token_hash)
        if hit is None:
            return None
        if hit[1] < time.monotonic():
            self.evict(token_hash)
            return None
        return hit[0]

    def put(self, token_hash: str, p: Principal) -> None:
        with self._lock:
            if len(self._entries) >= self.max_size:
                self._entries.clear()  # rare: a full cache starts over rather than tracking use
            self._entries[token_hash] = (p, time.monotonic() + self.ttl)

    def evict(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)

    def evict_account(self, account_id: str) -> None:
        with self._lock:
            for h in [h for h, (p, _) in self._entries.items() if p.account_id == account_id]:
                del self._entries[h]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
