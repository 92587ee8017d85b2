"""Performance benchmarks (`make bench`). Each reports a ratio against a baseline measured in
the same run, with absolute numbers beside it; results are also written to benchmarks/results/."""
