"""Errors that name where bad input is: file, sheet, row and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DatabaseBusyError", "ExposureError", "LoadError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as it can be.

    ``row`` is the row number a person sees when they open the file in a spreadsheet program
    (the header is row 1); for parquet it is the 1-based record number plus one, so that the
    same convention holds. ``cell`` is the A1-style reference when the source is a worksheet.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        if self.cell:
            where.append(f"cell {self.cell}")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f" (found {shown!r})"
        return text


class ExposureError(Exception):
    """Base class of the errors this package raises on purpose."""


class DatabaseBusyError(ExposureError):
    """The database file is held read-write by another process."""


class LoadError(ExposureError):
    """A load was refused; nothing from it was stored.

    ``problems`` lists every problem found (up to a cap per column, see ``truncated``).
    """

    def __init__(self, problems: Iterable[Problem], truncated: int = 0) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        lines = [str(problem) for problem in self.problems[:50]]
        hidden = len(self.problems) - len(lines) + truncated
        if hidden > 0:
            lines.append(f"... and {hidden} more problem(s)")
        summary = f"{len(self.problems) + truncated} problem(s); nothing was loaded"
        super().__init__(summary + ":\n" + "\n".join(lines))
