"""The migrate hook: signal receivers, the run's state, the execute wrapper that keeps the
readers' lock order, the autodetector that leaves readable views out, their content types."""
