"""Helpdesk tables: marketplaces, sellers, buyers, accounts and tokens, orders,
conversations and messages (deadlines indexed while unanswered), violations, saved replies,
proactive stages, listings and FAQs, and the raw event log.

Instants are int64 epoch microseconds (servicenorm.store.types.Instant).

Revision ID: 0001_helpdesk
Revises:
Create Date: 2026-11-22 08:03:27.494760
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0001_helpdesk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=True),
        sa.Column("payload", JSON_DOC, nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_seller_at", ["seller_id", "at"], unique=False)
        batch_op.create_index("ix_events_type_at", ["type", "at"], unique=False)

    op.create_table(
        "marketplaces",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("preset", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplaces")),
    )
    op.create_table(
        "buyers",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_buyers_marketplace_id_marketplaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyers")),
    )
    with op.batch_alter_table("buyers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buyers_marketplace_id"), ["marketplace_id"], unique=False
        )

    op.create_table(
        "sellers",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("linked_sellers", JSON_DOC, nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.Column("proactive_enabled", sa.Boolean(), nullable=False),
        sa.Column("contact_hours", JSON_DOC, nullable=True),
        sa.Column("expected_response", sa.String(length=20), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_sellers_marketplace_id_marketplaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sellers_marketplace_id"), ["marketplace_id"], unique=False
        )

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("marketplace_id", sa.String(length=100), nullable=True),
        sa.Column("seller_id", sa.String(length=100), nullable=True),
        sa.Column("buyer_id", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "role IN ('operator','agent','seller','staff','buyer')", name=op.f("ck_accounts_role")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_accounts_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_accounts_marketplace_id_marketplaces"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_accounts_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "listings",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("facts", JSON_DOC, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_listings_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("buyer_id", sa.String(length=100), nullable=False),
        sa.Column("placed_at", sa.BigInteger(), nullable=False),
        sa.Column("ship_by", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("shipped_at", sa.BigInteger(), nullable=True),
        sa.Column("tracking", sa.String(length=200), nullable=True),
        sa.Column("scanned_at", sa.BigInteger(), nullable=True),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.Column("cancelled_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_orders_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_orders_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "proactive_stages",
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("templates", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_proactive_stages_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "stage", name=op.f("pk_proactive_stages")),
    )
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_saved_replies_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_replies")),
        sa.UniqueConstraint("seller_id", "title", name="uq_saved_replies_seller_title"),
    )
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_replies_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_api_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_account_id"), ["account_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("buyer_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("last_message_at", sa.BigInteger(), nullable=False),
        sa.Column("awaiting_since", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.BigInteger(), nullable=True),
        sa.Column("first_reply_at", sa.BigInteger(), nullable=True),
        sa.Column("taken_over_at", sa.BigInteger(), nullable=True),
        sa.Column("taken_over_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('buyer','platform_forward','proactive')",
            name=op.f("ck_conversations_origin"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_conversations_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_conversations_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_conversations_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["taken_over_by"], ["accounts.id"], name=op.f("fk_conversations_taken_over_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(
            "ix_conversations_due",
            ["deadline"],
            unique=False,
            sqlite_where=sa.text("deadline IS NOT NULL"),
            postgresql_where=sa.text("deadline IS NOT NULL"),
        )
        batch_op.create_index(batch_op.f("ix_conversations_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_conversations_seller_due",
            ["seller_id", "deadline"],
            unique=False,
            sqlite_where=sa.text("deadline IS NOT NULL"),
            postgresql_where=sa.text("deadline IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_conversations_seller_last", ["seller_id", "last_message_at"], unique=False
        )

    op.create_table(
        "listing_faqs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("listing_id", sa.String(length=100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_faqs_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_faqs")),
    )
    with op.batch_alter_table("listing_faqs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_faqs_listing_id"), ["listing_id"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("original_body", sa.Text(), nullable=True),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=True),
        sa.Column("answered_at", sa.BigInteger(), nullable=True),
        sa.Column("saved_reply_id", sa.String(length=32), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("event_id", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "author IN ('buyer','seller','staff','agent','system')", name=op.f("ck_messages_author")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_messages_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("event_id", name=op.f("uq_messages_event_id")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_at", ["conversation_id", "at"], unique=False
        )
        batch_op.create_index(
            "ix_messages_unanswered_due",
            ["deadline"],
            unique=False,
            sqlite_where=sa.text("answered_at IS NULL AND deadline IS NOT NULL"),
            postgresql_where=sa.text("answered_at IS NULL AND deadline IS NOT NULL"),
        )

    op.create_table(
        "violations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_violations_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_violations_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_violations_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_message_id"), ["message_id"], unique=False)
        batch_op.create_index("ix_violations_seller_at", ["seller_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index("ix_violations_seller_at")
        batch_op.drop_index(batch_op.f("ix_violations_message_id"))

    op.drop_table("violations")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_messages_unanswered_due",
            sqlite_where=sa.text("answered_at IS NULL AND deadline IS NOT NULL"),
            postgresql_where=sa.text("answered_at IS NULL AND deadline IS NOT NULL"),
        )
        batch_op.drop_index("ix_messages_conversation_at")

    op.drop_table("messages")
    with op.batch_alter_table("listing_faqs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_faqs_listing_id"))

    op.drop_table("listing_faqs")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_seller_last")
        batch_op.drop_index(
            "ix_conversations_seller_due",
            sqlite_where=sa.text("deadline IS NOT NULL"),
            postgresql_where=sa.text("deadline IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_conversations_order_id"))
        batch_op.drop_index(
            "ix_conversations_due",
            sqlite_where=sa.text("deadline IS NOT NULL"),
            postgresql_where=sa.text("deadline IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_conversations_buyer_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_account_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_replies_seller_id"))

    op.drop_table("saved_replies")
    op.drop_table("proactive_stages")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_seller_id"))
        batch_op.drop_index(batch_op.f("ix_orders_buyer_id"))

    op.drop_table("orders")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_seller_id"))

    op.drop_table("listings")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_seller_id"))
        batch_op.drop_index(batch_op.f("ix_accounts_buyer_id"))

    op.drop_table("accounts")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sellers_marketplace_id"))

    op.drop_table("sellers")
    with op.batch_alter_table("buyers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyers_marketplace_id"))

    op.drop_table("buyers")
    op.drop_table("marketplaces")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_type_at")
        batch_op.drop_index("ix_events_seller_at")

    op.drop_table("events")
