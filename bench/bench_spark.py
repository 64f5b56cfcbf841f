"""`evaluate --engine spark` on a standalone cluster (one worker, two cores) against DuckDB:
demo events as Parquet partitions, wall time and the driver's Python peak RSS.

    python -m bench spark                            # 1M, 5M and 20M events
    BENCH_SIZES=1000000,5000000 python -m bench spark
    BENCH_SPARK_CONF="spark.eventLog.enabled=true spark.eventLog.dir=/tmp/ev" python -m bench spark
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).parent / "out"
DAYS = 28
START = date(2026, 3, 2)
END = START + timedelta(days=DAYS)
AS_OF = "2026-04-06T00:00:00+02:00"
PART_ROWS = 1_000_000
# The driver process reports its own peak: RUSAGE_CHILDREN would mix in the JVM it starts.
_DRIVER = (
    "import resource, sys\n"
    "from servicenorm.cli import main\n"
    "try:\n    main()\n"
    "finally:\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    open(__import__('os').environ['BENCH_PEAK'], 'w').write(str(peak))\n"
)


def _partitions(n: int) -> tuple[Path, Path]:
    """(one Parquet file for DuckDB, a directory of ~1M-row partitions for Spark)."""
    import pyarrow.parquet as pq

    from servicenorm.demo import generate, sellers_for

    d = OUT / f"demo-{n}"
    single = d / "events.parquet"
    if not single.exists():
        generate(sellers_for(n, DAYS), DAYS, d, preset="bol", seed=7, start=START, fmt="parquet")
    parts = d / "partitions"
    if not parts.exists():
        tmp = d / "partitions.tmp"
        tmp.mkdir(exist_ok=True)
        f = pq.ParquetFile(single)
        writer, k, rows = None, 0, 0
        for batch in f.iter_batches(batch_size=100_000):
            if writer is None or rows >= PART_ROWS:
                if writer is not None:
                    writer.close()
                writer = pq.ParquetWriter(
                    tmp / f"part-{k:04d}.parquet", f.schema_arrow, compression="zstd"
                )
                k, rows = k + 1, 0
            writer.write_batch(batch)
            rows += batch.num_rows
        if writer is not None:
            writer.close()
        tmp.rename(parts)
    return single, parts


def _evaluate(events: Path, *extra: str) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, the driver's Python peak RSS (MiB) and the report of one process."""
    cmd = [sys.executable, "-c", _DRIVER, "evaluate", "--preset", "bol", "--events", str(events)]
    cmd += ["--from", START.isoformat(), "--to", END.isoformat(), "--as-of", AS_OF]
    cmd += ["--format", "json", *extra]
    with tempfile.NamedTemporaryFile() as peak:
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=os.environ | {"BENCH_PEAK": peak.name}
        )
        wall = time.perf_counter() - t0
        if proc.returncode:
            raise RuntimeError(proc.stderr[-3000:])
        kib = int(Path(peak.name).read_text() or 0)
    return wall, kib / 1024, json.loads(proc.stdout)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run() -> str:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.spark_cluster import standalone_cluster

    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000000,5000000,20000000").split(",")]
    rows = []
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    with (
        tempfile.TemporaryDirectory() as root,
        standalone_cluster(Path(root), cores=2, memory="6g") as cluster,
    ):
        master = cluster.ready()
        spark_args = ["--engine", "spark", "--spark-master", master]
        spark_args += ["--spark-conf", "spark.executor.memory=5g"]
        for kv in os.environ.get("BENCH_SPARK_CONF", "").split():  # e.g. the event log, an A/B
            spark_args += ["--spark-conf", kv]
        for n in sizes:
            single, parts = _partitions(n)
            import pyarrow.parquet as pq

            events = pq.ParquetFile(single).metadata.num_rows
            k = len(list(parts.glob("*.parquet")))
            load0 = _load()
            dw, dp, drep = _evaluate(single)
            sw, sp, srep = _evaluate(parts, *spark_args)
            assert srep == drep, "Spark and DuckDB reports differ"
            rows.append(
                f"| {events:,} | {k} | {dw:.1f} s | {dp:,.0f} MiB | {sw:.1f} s | {sp:,.0f} MiB"
                f" | {sw / dw:.1f}x | {load0} / {_load()} |"
            )
            print(rows[-1], flush=True)
    return "\n".join(
        [
            "## evaluate on a Spark standalone cluster vs DuckDB",
            "",
            f"Command: `BENCH_SIZES={','.join(map(str, sizes))} python -m bench spark`. Demo marketplace",
            f"(bol preset, 28-day window {START}..{END}, as of {AS_OF}) as Parquet: one file for",
            "DuckDB, partitions of ~1M rows for Spark. Spark: a standalone master and one worker",
            "(2 cores, executor 5 GiB) started from the pyspark package on 127.0.0.1, the driver in",
            "the `servicenorm evaluate` process; its Python peak RSS is the process's own",
            "(`RUSAGE_SELF`, the driver JVM apart). The reports are asserted equal.",
            "Load average (1/5/15 min) at the start and end of each row: the machine's 2 cores are shared.",
            "",
            "| events | partitions | DuckDB wall | DuckDB peak RSS | Spark wall | Spark driver Python peak RSS | Spark / DuckDB | load |",
            "|---:|---:|---:|---:|---:|---:|---:|---|",
            *rows,
        ]
    )
