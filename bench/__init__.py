"""Performance benchmarks of aipolicy: ``python -m bench.run`` (see bench/README.md)."""
