"""The SparkSession the backend runs in: local by default, a cluster's when one is active.

Under ``spark-submit`` (or any program that built its own session) the active session is
used as it is. Otherwise a local one is started with settings for one machine: ``local[2]``
(or ``$EXPOSURE_SPARK_MASTER``), no web UI, few shuffle partitions, scratch space and
checkpoints in a temporary folder, and only errors logged.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

__all__ = ["checkpoint_dir", "spark_session"]

_CHECKPOINT_KEY = "spark.exposure.checkpointDir"


def spark_session(
    master: str | None = None,
    *,
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
    scratch: str | Path | None = None,
    extra: dict[str, Any] | None = None,
) -> SparkSession:
    """The active SparkSession, or a new local one configured for this machine.

    ``scratch`` holds Spark's local directories (shuffle files, spills) and the checkpoints;
    a temporary folder, removed at exit, when not given.
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        _ensure_checkpoint_dir(active, scratch)
        return active
    root = Path(scratch) if scratch else Path(tempfile.mkdtemp(prefix="exposure-spark-"))
    if scratch is None:
        atexit.register(shutil.rmtree, root, True)
    (root / "local").mkdir(parents=True, exist_ok=True)
    master = master or os.environ.get("EXPOSURE_SPARK_MASTER", "local[2]")
    builder = (
        SparkSession.builder.master(master)
        .appName("exposure")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", str(root / "local"))
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or 4))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config(_CHECKPOINT_KEY, str(root / "checkpoints"))
    )
    if master.startswith("local"):
        # The host name of a container may not resolve: bind the driver to the loopback.
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    for key, value in (extra or {}).items():
        builder = builder.config(key, str(value))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    _ensure_checkpoint_dir(spark, root)
    return spark


def _ensure_checkpoint_dir(spark: SparkSession, scratch: str | Path | None) -> None:
    context = spark.sparkContext
    if context.getCheckpointDir():
        return
    configured = spark.conf.get(_CHECKPOINT_KEY, None)
    if configured:
        folder = configured
    elif scratch is not None:
        folder = str(Path(scratch) / "checkpoints")
    else:
        folder = tempfile.mkdtemp(prefix="exposure-spark-checkpoints-")
    context.setCheckpointDir(folder)


def checkpoint_dir(spark: SparkSession) -> str:
    """Where reliable checkpoints go (set by :func:`spark_session` if it was not)."""
    _ensure_checkpoint_dir(spark, None)
    return str(spark.sparkContext.getCheckpointDir())
