"""Aggregates of the evidence items (issue 10): per seller and local day (the marketplace's
zone), the counts of the items whose status no longer changes with time, and per marketplace,
day and category the order and question counts the question-rate norm compares against.

The projector's writer keeps them in the transaction that changes the items
(`helpdesk.projection.aggregates`). Each row has `settled`: the latest instant among the
facts it counts (a reply, a call, a shipment, a cancellation, a question naming an order). A
reader as of `as_of` uses a row only when `settled <= as_of`; otherwise it reads that day's
items, so a view of the past is never wrong, and a view of the present reads a few dozen rows.
ISO weeks are the sums of their seven days (a week starts at a local midnight).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Instant


class QuestionDay(Base):
    """Answered questions received that day: on time or late (first response, weekly late)."""

    __tablename__ = "question_days"

    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # local date, ordinal
    on_time: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)


class TurnDay(Base):
    """Answered buyer turns that started that day (message response)."""

    __tablename__ = "turn_days"

    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    on_time: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)


class CallDay(Base):
    """Calls that day in the seller's phone hours with the shop open, and how many answered."""

    __tablename__ = "call_days"

    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)


class ReviewDay(Base):
    """Reviews posted that day: how many and the sum of their ratings."""

    __tablename__ = "review_days"

    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)


class OrderDay(Base):
    """Orders placed that day in one category, not cancelled: how many, the questions naming
    them, and the shipped ones on time (with tracking) or late. Orders not shipped are read
    one by one (pending or late is a matter of time)."""

    __tablename__ = "order_days"

    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(200), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    tracked: Mapped[int] = mapped_column(Integer)  # on time with tracking
    late: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)


class MarketOrderDay(Base):
    """`OrderDay` summed over a marketplace's sellers (the question-rate norm per category)."""

    __tablename__ = "market_order_days"

    marketplace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(200), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)
    settled: Mapped[datetime] = mapped_column(Instant)
