"""The model: the dependency graph, the propagation engine, impact and the reference models. Pure: no I/O, never imports duckdb."""
