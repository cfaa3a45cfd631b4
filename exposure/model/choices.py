"""The choices a scenario offers, as plain names: impact models, scopes, edge confidences.

Kept apart from the modules that compute with them so the command line can offer them without
importing NumPy.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "CONFIDENCE",
    "IMPACT_MODELS",
    "SCOPES",
    "UNKNOWN_SCOPES",
    "Confidence",
    "ImpactModel",
    "Scope",
    "UnknownScope",
]

ImpactModel = Literal["cascade", "esri", "debtrank", "iim"]
IMPACT_MODELS: tuple[ImpactModel, ...] = ("cascade", "esri", "debtrank", "iim")

# Which ties oblige an organization to cut them (SPEC 4.3): DoD-use ties only, or all ties.
Scope = Literal["dod", "all"]
SCOPES: tuple[Scope, ...] = ("dod", "all")

# Whether a dependency whose deployment facts are blank falls inside a scope clause: in (the
# prudent default: it may well be in scope) or out.
UnknownScope = Literal["in", "out"]
UNKNOWN_SCOPES: tuple[UnknownScope, ...] = ("in", "out")
# How sure the data is that an edge exists, strongest first (the graph codes them 0..3):
# confirmed (stated by the buyer or the supplier in a loaded file or an attestation), reported
# (public data: USAspending, an SBOM), inferred (a fuzzy match, a host's catalogue fact),
# unknown (a supplier that has not answered whether it depends on the designated vendor).
Confidence = Literal["confirmed", "reported", "inferred", "unknown"]
CONFIDENCE: tuple[Confidence, ...] = ("confirmed", "reported", "inferred", "unknown")
