"""Bulk ingest runs the cycle collector less often, and only while it runs."""

from __future__ import annotations

import gc

import pytest

from servicenorm.helpdesk import ingest


def test_the_collector_threshold_is_raised_while_an_ingest_runs_and_restored_after() -> None:
    before = gc.get_threshold()
    with ingest._fewer_collections():
        assert gc.get_threshold() == (ingest.BULK_GC_THRESHOLD, *before[1:])
        with ingest._fewer_collections():  # a second ingest at the same time
            assert gc.get_threshold()[0] == ingest.BULK_GC_THRESHOLD
        assert gc.get_threshold()[0] == ingest.BULK_GC_THRESHOLD  # the first still runs
    assert gc.get_threshold() == before


def test_the_threshold_is_restored_when_an_ingest_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), ingest._fewer_collections():
        raise RuntimeError("a chunk failed")
    assert gc.get_threshold() == before
