"""Persistence: SQLAlchemy 2.0 rows, repositories and Alembic migrations."""
