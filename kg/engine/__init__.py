"""The build engine: discovery, caches, parallelism, incremental exports."""
