"""Read an uploaded file in a process of its own, with memory and time limits.

A hostile workbook can make a reader allocate without bound (a cell at XFD1048576 makes a dense
reader ask for half a terabyte, and a Rust allocator aborts the whole process); a CSV can make
a sniffer spin. The dashboard serves every user from one process, so it first reads each
upload here: a child process (started fresh, not forked from the threaded server) with an
address-space limit and a deadline previews the file. If the child dies or runs out of time,
the file is refused with that reason and the server never reads it; only files that previewed
cleanly are loaded, by the same readers with the same limits.

The child returns the preview over a pipe; it is made by this package's own code from the
file's text, never from anything the file could execute.
"""

from __future__ import annotations

import logging
import pickle
import resource
import subprocess
import sys
from pathlib import Path

from exposure.core.errors import Problem
from exposure.ingest.mapping import LoadOptions
from exposure.ingest.preview import FilePreview, preview_file

__all__ = ["ISOLATED_MEMORY_MB", "ISOLATED_SECONDS", "preview_isolated"]

logger = logging.getLogger(__name__)

# Enough for any file within the loader's limits; far below what the machine holds.
ISOLATED_MEMORY_MB = 6144
ISOLATED_SECONDS = 300.0


def preview_isolated(
    path: Path,
    name: str,
    options: LoadOptions | None = None,
    *,
    memory_mb: int = ISOLATED_MEMORY_MB,
    seconds: float = ISOLATED_SECONDS,
) -> FilePreview:
    """:func:`exposure.ingest.preview.preview_file` in a child process with limits.

    A child that dies, exceeds ``memory_mb`` of address space or ``seconds`` gives a preview
    whose only problem says so (the file is then not loaded). The child is a new interpreter
    (``python -m exposure.app.isolation``), not a fork of the threaded server; the request and
    the preview travel as pickles made by this code on both sides.
    """
    request = pickle.dumps((str(path), name, options or LoadOptions(), memory_mb))
    try:
        child = subprocess.run(
            [sys.executable, "-m", "exposure.app.isolation"],
            input=request,
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _refused(name, f"reading it took longer than {seconds:,.0f} s")
    if child.returncode == 0:
        try:
            kind, value = pickle.loads(child.stdout)
        except Exception:
            kind, value = "error", "no answer from the reader"
        if kind == "ok" and isinstance(value, FilePreview):
            return value
        if kind == "memory":
            return _refused(name, f"reading it needs more than {memory_mb:,} MB of memory")
        return _refused(name, f"it could not be read ({value})")
    return _refused(
        name,
        f"reading it stopped the reader (exit code {child.returncode}), as a file built to "
        "exhaust memory does",
    )


def _refused(name: str, reason: str) -> FilePreview:
    logger.warning("upload %s refused in isolation: %s", name, reason)
    return FilePreview(name, problems=(Problem(name, f"{reason}; the file was not loaded"),))


def _main() -> None:
    path, name, options, memory_mb = pickle.loads(sys.stdin.buffer.read())
    # The readers and adapters are imported before the limit: compiling them under it would
    # fail for a reason that is not the file's.
    import exposure.ingest.adapters.cyclonedx
    import exposure.ingest.adapters.usaspending  # noqa: F401

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        answer: tuple[str, object] = ("ok", preview_file(Path(path), name, options))
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # one sentence for the user, not a traceback
        answer = ("error", f"{type(exc).__name__}: {exc}")
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    _main()
