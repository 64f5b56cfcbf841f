"""A seller's own language (issue 14): the language its pages and e-mails are written in when
the browser asks for none of the five, chosen on its performance page; without one, the
language of its country, else its marketplace's (the policy's `language`).

Revision ID: 0252_pages_seller_language
Revises: 0251_decisions_round_indexes
Create Date: 2026-12-03 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0252_pages_seller_language"
down_revision = "0251_decisions_round_indexes"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has ADD and DROP COLUMN since 3.35): a batch
# operation copies `sellers` into a new table and drops the old one, which the foreign keys
# that point at sellers refuse.


def upgrade() -> None:
    op.add_column("sellers", sa.Column("language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE sellers DROP COLUMN language")
