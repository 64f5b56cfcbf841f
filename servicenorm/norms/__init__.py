"""The norm registry: every norm defined once, read by findings, the performance
score, the pages, badge criteria, enforcement evidence and simulation."""

from servicenorm.norms.display import plain, reason, texts, threshold_text
from servicenorm.norms.evidence import Selector, against, evidence_rows, item_id, matches
from servicenorm.norms.model import (
    MISSED,
    STATUS_ORDER,
    Comparison,
    Counted,
    Kind,
    Norm,
    Reading,
    Risk,
    Status,
    decimal,
    worst,
)
from servicenorm.norms.registry import NORMS, norm, norms_for

__all__ = [
    "MISSED",
    "NORMS",
    "STATUS_ORDER",
    "Comparison",
    "Counted",
    "Kind",
    "Norm",
    "Reading",
    "Risk",
    "Selector",
    "Status",
    "against",
    "decimal",
    "evidence_rows",
    "item_id",
    "matches",
    "norm",
    "norms_for",
    "plain",
    "reason",
    "texts",
    "threshold_text",
    "worst",
]
