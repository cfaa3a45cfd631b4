"""pytest collects the package's doctests (--doctest-modules): without pyspark installed,
the modules that import it are left out instead of failing the collection."""

from __future__ import annotations

import importlib.util

collect_ignore = (
    []
    if importlib.util.find_spec("pyspark") is not None
    else ["backend.py", "reach.py", "session.py"]
)
