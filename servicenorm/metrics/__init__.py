"""Seller metrics per window (docs/metrics.md), each explainable down to its items."""

from servicenorm.metrics.definitions import REGISTRY, Metric
from servicenorm.metrics.report import CONTRACT_ORDER, Run, prepare, report
from servicenorm.metrics.window import Window, current_window

__all__ = [
    "CONTRACT_ORDER",
    "REGISTRY",
    "Metric",
    "Run",
    "Window",
    "current_window",
    "prepare",
    "report",
]
