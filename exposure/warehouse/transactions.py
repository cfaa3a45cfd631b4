"""What a failed transaction leaves behind: its own cause, in one sentence, never a second error.

Every write of the warehouse runs in one transaction, rolled back on any failure, so a failed
command changes nothing. Two things could hide that: a ROLLBACK that fails in turn ("cannot
rollback - no transaction is active", when DuckDB already aborted the transaction, as it does
when a COMMIT fails) and would be raised over the real cause; and a full disk, which DuckDB
reports as an IO or transaction error with a traceback. :func:`abort` rolls back quietly and
turns a full disk into :class:`DiskFullError`.
"""

from __future__ import annotations

import errno
import logging

import duckdb

from exposure.core.errors import ExposureError

__all__ = ["DiskFullError", "abort", "is_disk_full"]

logger = logging.getLogger(__name__)

_DISK_FULL = ("no space left on device", "disk is full", "disk full", "not enough space")


class DiskFullError(ExposureError):
    """The disk holding the database is full; the command changed nothing."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error (or one it was raised from) says the disk is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return True
        if isinstance(current, duckdb.Error | OSError) and any(
            marker in str(current).lower() for marker in _DISK_FULL
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def abort(con: duckdb.DuckDBPyConnection, exc: BaseException, what: str = "the change") -> None:
    """Roll back after ``exc``; raise :class:`DiskFullError` if the disk is full, else return
    (the caller then re-raises ``exc``). A failing ROLLBACK is logged, never raised: the
    transaction is gone either way, and the real cause is ``exc``.
    """
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as rollback_error:
        logger.info("rollback after %r: %s", exc, rollback_error)
    if is_disk_full(exc):
        raise DiskFullError(
            f"the disk holding the database is full, so {what} was not saved; nothing changed "
            "(free some space and run the command again)"
        ) from exc
