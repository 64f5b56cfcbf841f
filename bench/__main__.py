"""Run the benchmarks and assemble bench/RESULTS.md.

python -m bench              # every bench_*.py module
python -m bench clock        # only bench_clock.py
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    (HERE / "results").mkdir(exist_ok=True)
    for name in names:
        print(f"== bench {name}", flush=True)
        mod = importlib.import_module(f"bench.bench_{name}")
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        section = mod.run()
        header = f"<!-- {name}: measured {started} on {platform.machine()}, Python {platform.python_version()} -->\n"
        (HERE / "results" / f"{name}.md").write_text(header + section.rstrip() + "\n")
        print(section)
    parts = [
        "# Benchmark results\n",
        "Produced by `make bench` (`python -m bench [name]`); each section names the command "
        "that produced it. Machines are noisy: every figure is set against a baseline "
        "measured in the same run.\n",
    ]
    for f in sorted((HERE / "results").glob("*.md")):
        parts.append(f.read_text())
    (HERE / "RESULTS.md").write_text("\n".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
