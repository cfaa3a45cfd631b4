"""A designation's scope as a predicate over each dependency's deployment facts.

A scenario may narrow what a designation covers with clauses such as ``--only
deployment=edge,embedded``, ``--only environment>=il6``, ``--only use=targeting`` or ``--except
operator=host``. Each clause is a :class:`ScopeClause` (``field``, ``op``, ``values``); a
dependency is in scope when it satisfies every clause. ``--except`` is stored as the opposite
operator (``--except deployment=cloud`` is ``deployment != cloud``), so a clause reads the same
way wherever it is shown. A dependency whose fact is blank is in scope unless the scenario says
unknown facts are out (:data:`~exposure.model.choices.UnknownScope`).

An edge outside the scope is not cut and does not carry the cascade (the engine,
:func:`exposure.model.engine.scope_mask`). Pure and free of NumPy.

>>> clause = parse_clause("deployment=edge,embedded")
>>> clause.describe()
'covers edge and embedded deployments only'
>>> parse_clause("operator=host", exclude=True).describe()
'exempts host-operated dependencies'
>>> describe_scope((parse_clause("environment>=il6"),)).split(";")[0]
'designation covers dependencies at IL6 or higher only'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from exposure.core.errors import ExposureError
from exposure.model.choices import UnknownScope
from exposure.model.facts import (
    FACT_FIELDS,
    FactField,
    canonical_value,
    value_label,
    vocabulary,
)

__all__ = [
    "SCOPE_OPS",
    "ScopeClause",
    "ScopeOp",
    "clauses_from_dicts",
    "describe_scope",
    "parse_clause",
    "parse_clauses",
]

ScopeOp = Literal["=", "!=", ">=", ">", "<=", "<"]
SCOPE_OPS: tuple[ScopeOp, ...] = ("=", "!=", ">=", ">", "<=", "<")
_ORDERED_OPS = (">=", ">", "<=", "<")
# ``--except`` negates: the clause stored is the complement of the one written.
_NEGATION: dict[ScopeOp, ScopeOp] = {
    "=": "!=",
    "!=": "=",
    ">=": "<",
    "<": ">=",
    "<=": ">",
    ">": "<=",
}
_CLAUSE = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")
_NOUNS = {"deployment": "deployments", "use": "uses"}


@dataclass(frozen=True)
class ScopeClause:
    """One condition a dependency must meet to fall inside the designation's scope.

    ``values`` are canonical values of ``field`` (:mod:`exposure.model.facts`); ordered
    operators (``>=``, ``>``, ``<=``, ``<``) take one value and apply to ``environment`` only.
    """

    field: FactField
    op: ScopeOp
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.field not in FACT_FIELDS:
            raise ExposureError(
                f"unknown scope field '{self.field}'; expected one of: {', '.join(FACT_FIELDS)}"
            )
        if self.op not in SCOPE_OPS:
            raise ExposureError(
                f"unknown scope operator '{self.op}'; expected one of: {' '.join(SCOPE_OPS)}"
            )
        if not self.values:
            raise ExposureError(f"the scope clause on {self.field} names no value")
        allowed = vocabulary(self.field)
        for value in self.values:
            if value not in allowed:
                raise ExposureError(
                    f"unknown {self.field} '{value}'; expected one of: {', '.join(allowed)}"
                )
        if self.op in _ORDERED_OPS:
            if self.field != "environment":
                raise ExposureError(
                    f"'{self.op}' compares levels, which only environment has; "
                    f"use = or != for {self.field}"
                )
            if len(self.values) != 1:
                raise ExposureError(f"'environment{self.op}' takes one level, not a list")

    def codes(self) -> tuple[int, ...]:
        """The codes of the values the clause keeps, in the field's vocabulary order."""
        allowed = vocabulary(self.field)
        if self.op in ("=", "!="):
            chosen = {allowed.index(value) for value in self.values}
            if self.op == "!=":
                chosen = set(range(len(allowed))) - chosen
            return tuple(sorted(chosen))
        level = allowed.index(self.values[0])
        keep = {
            ">=": lambda code: code >= level,
            ">": lambda code: code > level,
            "<=": lambda code: code <= level,
            "<": lambda code: code < level,
        }[self.op]
        return tuple(code for code in range(len(allowed)) if keep(code))

    def as_dict(self) -> dict[str, object]:
        """The clause as the JSON report writes it: ``{field, op, values}``."""
        return {"field": self.field, "op": self.op, "values": list(self.values)}

    def as_text(self) -> str:
        """The clause as written on the command line after ``--only``: ``environment>=il6``."""
        return f"{self.field}{self.op}{','.join(self.values)}"

    def describe(self) -> str:
        """The clause in plain words, to follow "designation": "covers edge deployments only"."""
        names = _and([value_label(value) for value in self.values])
        if self.field == "environment":
            if self.op in _ORDERED_OPS:
                level = value_label(self.values[0])
                where = {
                    ">=": f"at {level} or higher",
                    ">": f"above {level}",
                    "<=": f"at {level} or lower",
                    "<": f"below {level}",
                }[self.op]
                return f"covers dependencies {where} only"
            what = f"dependencies in {names} environments"
        elif self.field == "operator":
            what = f"{'-operated and '.join(value_label(v) for v in self.values)}-operated dependencies"
        else:
            what = f"{names} {_NOUNS[self.field]}"
        return f"covers {what} only" if self.op == "=" else f"exempts {what}"


def _and(words: Sequence[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def parse_clause(text: str, *, exclude: bool = False) -> ScopeClause:
    """A clause from its written form (``deployment=edge,embedded``, ``environment>=il6``).

    ``exclude`` (``--except``) stores the complement. Values are read as data values are
    (case and punctuation ignored, common spellings accepted: ``IL-6``, ``on-prem``).

    Raises:
        ExposureError: the text is not ``FIELD OP VALUE[,VALUE...]``, or names an unknown
            field, operator or value.
    """
    match = _CLAUSE.match(text)
    if not match:
        raise ExposureError(
            f"cannot read the scope clause '{text}': write FIELD=VALUE[,VALUE...] or "
            f"environment>=LEVEL, with FIELD one of {', '.join(FACT_FIELDS)}"
        )
    field_text, op_text, values_text = match.groups()
    field = field_text.lower()
    if field not in FACT_FIELDS:
        raise ExposureError(
            f"unknown scope field '{field_text}' in '{text}'; expected one of: "
            f"{', '.join(FACT_FIELDS)}"
        )
    fact = cast(FactField, field)
    values = []
    for part in values_text.split(","):
        if not part.strip():
            continue
        value = canonical_value(fact, part)
        if value is None:
            raise ExposureError(
                f"unknown {fact} '{part.strip()}' in '{text}'; expected one of: "
                f"{', '.join(vocabulary(fact))}"
            )
        if value not in values:
            values.append(value)
    if not values:
        raise ExposureError(f"the scope clause '{text}' names no value")
    op = cast(ScopeOp, op_text)
    return ScopeClause(fact, _NEGATION[op] if exclude else op, tuple(values))


def parse_clauses(only: Iterable[str] = (), exclude: Iterable[str] = ()) -> tuple[ScopeClause, ...]:
    """The clauses of ``--only`` and ``--except`` options, in that order, repeats dropped."""
    clauses: list[ScopeClause] = []
    for clause in [parse_clause(text) for text in only] + [
        parse_clause(text, exclude=True) for text in exclude
    ]:
        if clause not in clauses:
            clauses.append(clause)
    return tuple(clauses)


def clauses_from_dicts(items: Iterable[Mapping[str, object]]) -> tuple[ScopeClause, ...]:
    """Clauses from their JSON form (``{field, op, values}``), as stored with a scenario."""
    clauses = []
    for item in items:
        raw = item.get("values") or ()
        values: tuple[str, ...] = (
            (raw,) if isinstance(raw, str) else tuple(str(v) for v in raw)  # type: ignore[attr-defined]
        )
        clauses.append(
            ScopeClause(
                cast(FactField, str(item.get("field"))),
                cast(ScopeOp, str(item.get("op"))),
                values,
            )
        )
    return tuple(clauses)


def describe_scope(clauses: Sequence[ScopeClause], unknown: UnknownScope = "in") -> str:
    """The whole scope in one sentence, for every surface.

    >>> describe_scope(())
    'designation covers every dependency'
    >>> describe_scope((parse_clause("deployment=cloud", exclude=True),), "out")
    'designation exempts cloud deployments; dependencies with an unknown deployment count as out of scope'
    """
    if not clauses:
        return "designation covers every dependency"
    sentence = "designation " + _and([clause.describe() for clause in clauses])
    fields = list(dict.fromkeys(clause.field for clause in clauses))
    which = " or ".join(fields)
    where = "in scope (the prudent default)" if unknown == "in" else "out of scope"
    return f"{sentence}; dependencies with an unknown {which} count as {where}"
