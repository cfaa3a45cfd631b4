"""The DuckDB warehouse, the only package that owns tables: schema, seeds, loading, resolution, scenarios, results."""
