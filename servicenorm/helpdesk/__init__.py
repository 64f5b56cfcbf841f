"""The helpdesk (docs/helpdesk.md): conversations, staff, saved replies, proactive stage messages,
listing FAQ suggestions, contact hours and the seller's queue. Services take a SQLAlchemy
session and `now`; they never commit (the web edge owns the transaction)."""
