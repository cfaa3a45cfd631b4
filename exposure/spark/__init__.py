"""The optional Spark backend (``pip install exposure[spark]``): the same assessment at scale.

* :func:`assess` (:mod:`exposure.spark.backend`): a drop-in for
  :func:`exposure.engine.assess` returning the same :class:`~exposure.engine.Assessment`;
* :func:`assess_model`: a scenario on a Parquet model folder, results written as Parquet;
* :mod:`exposure.spark.reach`: the search as DataFrame joins;
* :mod:`exposure.spark.parquet_io`: the model and results folders, and results back to an
  Assessment (needs pyarrow only, not pyspark);
* :mod:`exposure.pipeline.spark_commands`: what ``exposure export``, ``exposure assess --engine spark``
  and ``exposure report --from`` call.

``docs/scale.md`` says when to use it. pyspark is imported only when one of the Spark
functions is first used, so the Parquet readers work without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assess", "assess_model", "spark_session"]


def __getattr__(name: str) -> Any:
    if name in ("assess", "assess_model"):
        from exposure.spark import backend

        return getattr(backend, name)
    if name == "spark_session":
        from exposure.spark.session import spark_session

        return spark_session
    raise AttributeError(name)
