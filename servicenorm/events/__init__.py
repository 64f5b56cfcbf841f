"""The ingestion contract: typed events, the JSON Lines / Parquet reader, validation errors."""

from servicenorm.events.errors import EventError
from servicenorm.events.models import EVENT_ADAPTER, EVENT_TYPES, Event
from servicenorm.events.reader import EventLog, events_from_objects, parse_event, read_events

__all__ = [
    "EVENT_ADAPTER",
    "EVENT_TYPES",
    "Event",
    "EventError",
    "EventLog",
    "events_from_objects",
    "parse_event",
    "read_events",
]
