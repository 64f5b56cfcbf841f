"""Benchmarks: `make bench` (python -m bench [name ...]). Each `bench_*.py` module has a
`run() -> str` returning a Markdown section; the runner writes it to bench/results/NAME.md
and assembles bench/RESULTS.md from all sections."""
