"""The key an event is stored under (issue 11 item 8): its id scoped to its marketplace.

Event ids come from each marketplace's own systems, so two marketplaces may use the same id;
stored under the id alone, one marketplace's import would be refused (or taken for a
duplicate) because of another's, and the refusal would tell its operator that the id is in use
elsewhere. The stored key is derived from the marketplace and the id, as `scoped_id` derives a
conversation id an API caller chooses: the same id from the same marketplace is the same event
(a duplicate, or "used by a different event"), while another marketplace's id is never seen.

Everything stored under an event's id uses the key: the event-log row, an imported message's
id and `event_id`, the stage message `{key}:stage`, call and review items. The event's own id
stays in its payload, which is what metric runs and exports read. Ids the server makes itself
(`api-…`, `takeover-…`) never have the key's form.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any


def named(e: Any, name: str) -> Any:
    """The event's field `name`, None when its type has no such field: `getattr(e, name,
    None)` without pydantic's slow path for a missing attribute (a few microseconds each, and
    a chunk asks every message event for its seller and order)."""
    return e.__dict__.get(name)


@lru_cache(maxsize=1 << 16)  # the projector, the writer's items and the state ask per event
def event_key(marketplace_id: str, event_id: str) -> str:
    """The stored key of event `event_id` of marketplace `marketplace_id` (fixed length)."""
    digest = hashlib.sha256(f"{marketplace_id}\n{event_id}".encode()).hexdigest()
    return f"e-{digest[:40]}"
