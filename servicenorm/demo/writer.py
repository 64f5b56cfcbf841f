"""Put the generated blocks in order and write them: JSON Lines (plain or gzip) or Parquet.

Events are cut at the end of the run, given ids in generation order (so a shuffled file is a
permutation of the ordered one), sorted by `at` (or shuffled), and rendered a chunk at a time:
each chunk's rows are rendered per block with Arrow string kernels and put back in order.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from servicenorm.demo.blocks import Block, RenderContext
from servicenorm.demo.build import Demo
from servicenorm.demo.catalog import catalog
from servicenorm.demo.phrases import phrases

I64 = npt.NDArray[np.int64]
FORMATS = ("jsonl", "jsonl.gz", "parquet")
CHUNK = 250_000
THREADS = 2
GZIP_LEVEL = 3  # fast enough for 10M events; files about a tenth of the plain size


@dataclass
class Layout:
    """Which rows of which block go where in the output."""

    block: npt.NDArray[np.int32]
    row: I64
    ids: I64

    def __len__(self) -> int:
        return int(self.block.shape[0])


def layout(demo: Demo, shuffle: bool) -> Layout:
    end = demo.end_us
    blocks, rows, ids, ats = [], [], [], []
    first_id = 1
    for b, block in enumerate(demo.blocks):
        keep = np.flatnonzero(block.at < end)
        blocks.append(np.full(keep.size, b, dtype=np.int32))
        rows.append(keep.astype(np.int64))
        ids.append(first_id + keep)
        ats.append(block.at[keep])
        first_id += len(block)
    block_of, row_of = np.concatenate(blocks), np.concatenate(rows)
    id_of, at = np.concatenate(ids), np.concatenate(ats)
    if shuffle:
        order = np.random.default_rng([demo.seed, 99]).permutation(at.shape[0])
    else:
        order = np.argsort(at, kind="stable")
    return Layout(block_of[order], row_of[order], id_of[order])


def context(demo: Demo) -> RenderContext:
    ph = phrases()
    return RenderContext(
        phrase_raw=pa.array(ph.texts, type=pa.string()),
        phrase_json=pa.array(ph.escaped, type=pa.string()),
        zones=demo.zones,
        carriers=[(c.prefix, c.digits) for c in catalog().carriers.values()],
    )


def _chunk(
    lay: Layout, lo: int, hi: int, blocks: list[Block], render: Callable[[Block, I64, I64], Any]
) -> list[tuple[I64, Any]]:
    """Render rows lo..hi of the layout per block; returns (positions, rendered) pairs."""
    sel_block = lay.block[lo:hi]
    out = []
    for b in np.unique(sel_block):
        pos = np.flatnonzero(sel_block == b)
        out.append((pos, render(blocks[int(b)], lay.row[lo:hi][pos], lay.ids[lo:hi][pos])))
    return out


def _reorder(parts: list[tuple[I64, Any]], concat: Callable[[list[Any]], Any]) -> Any:
    merged = concat([p for _, p in parts])
    where = np.concatenate([pos for pos, _ in parts])
    return merged.take(pa.array(np.argsort(where, kind="stable")))


def _line_bytes(lines: Any) -> Any:
    """The bytes of a string array whose strings each end in a newline: its data buffer."""
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
    )
    return lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def write_jsonl(
    demo: Demo,
    lay: Layout,
    target: IO[bytes] | gzip.GzipFile,
    advance: Callable[[int], None],
    threads: int = THREADS,
) -> None:
    ctx = context(demo)

    def render(lo: int) -> Any:
        hi = min(lo + CHUNK, len(lay))
        parts = _chunk(
            lay, lo, hi, demo.blocks, lambda blk, rows, ids: blk.json_lines(rows, ids, ctx)
        )
        return _reorder(parts, pa.concat_arrays)

    # Arrow's kernels release the GIL: a second thread renders the next chunk meanwhile
    starts = list(range(0, len(lay), CHUNK))
    with ThreadPoolExecutor(max(1, threads)) as pool:
        pending = [pool.submit(render, lo) for lo in starts[:threads]]
        for k in range(len(starts)):
            lines = pending.pop(0).result()
            if k + threads < len(starts):
                pending.append(pool.submit(render, starts[k + threads]))
            target.write(_line_bytes(lines))
            advance(len(lines))


def parquet_schema(blocks: list[Block]) -> Any:
    fields: dict[str, Any] = {"id": pa.string(), "type": pa.string(), "at": pa.string()}
    for block in blocks:
        for f in block.fields:
            fields.setdefault(f.name, f.arrow_type)
    return pa.schema(list(fields.items()))


def write_parquet(demo: Demo, lay: Layout, path: Path, advance: Callable[[int], None]) -> None:
    """One row per event, one column per contract field (null when the event has none).

    Values are as in JSON Lines: instants and dates as ISO 8601 text with their offsets,
    amounts as decimal text, `hours` as a struct of the seven weekdays (closed days empty).
    """
    ctx = context(demo)
    schema = parquet_schema(demo.blocks)

    def table(blk: Block, rows: I64, ids: I64) -> Any:
        cols = blk.columns(rows, ids, ctx)
        n = rows.shape[0]
        return pa.table(
            {f.name: cols.get(f.name, pa.nulls(n, type=f.type)) for f in schema}, schema=schema
        )

    with pq.ParquetWriter(path, schema, compression="zstd") as w:
        for lo in range(0, len(lay), CHUNK * 4):
            hi = min(lo + CHUNK * 4, len(lay))
            parts = _chunk(lay, lo, hi, demo.blocks, table)
            w.write_table(_reorder(parts, pa.concat_tables))
            advance(hi - lo)


def write(
    demo: Demo, out: Path, fmt: str, shuffle: bool, advance: Callable[[int], None] = lambda _: None
) -> tuple[Path, Layout]:
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out.mkdir(parents=True, exist_ok=True)
    lay = layout(demo, shuffle)
    path = out / f"events.{fmt}"
    if fmt == "parquet":
        write_parquet(demo, lay, path, advance)
    elif fmt == "jsonl.gz":
        with gzip.open(path, "wb", compresslevel=GZIP_LEVEL) as gz:
            write_jsonl(demo, lay, gz, advance)
    else:
        with path.open("wb") as f:
            write_jsonl(demo, lay, f, advance)
    return path, lay
