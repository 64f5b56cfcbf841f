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


def upgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.drop_column("language")
