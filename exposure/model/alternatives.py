"""Who else is authorized at a dependency's level: the authorized alternatives of a remediation plan.

Pure: a plan frame (one row per dependency, with ``relation``, ``environment`` and
``supplier``) and an *offers* frame (``provider``, ``host``, ``product``, ``relation``,
``environment``, ``origin``) in; the plan with four columns added out:

* ``authorized_alternatives``: the offers of the same relation class (an offer with a blank
  relation serves any) authorized at the dependency's environment or higher, as
  "provider (via host): product [LEVEL, origin]" joined by "; ";
* ``authorized_alternatives_count``: how many;
* ``no_authorized_alternative``: True when the dependency's environment is known and no offer
  reaches it, the highest-risk remediation line;
* ``alternatives``: the count fills the data's own ``alternatives`` where that is blank.

Offers from an excluded organization (a designated or non-compliant one, or the dependency's
own supplier) never count. A dependency with a blank environment lists nothing: without a
level there is no "authorized at this level".

>>> plan = pd.DataFrame({"supplier": ["Vendor"], "relation": ["model_api"],
...                      "environment": ["il5"], "alternatives": [pd.NA]})
>>> offers = pd.DataFrame({"provider": ["Other AI", "Low AI"], "host": [None, None],
...                        "product": ["Model X", "Model Y"], "relation": ["model_api", None],
...                        "environment": ["il6", "il2"], "origin": ["seed", "network"]})
>>> out = authorized_alternatives(plan, offers, excluded={"Vendor"})
>>> out.loc[0, "authorized_alternatives"], int(out.loc[0, "alternatives"])
('Other AI: Model X [IL6, seed]', 1)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from exposure.core.names import normalize_name
from exposure.model.facts import ENVIRONMENTS, value_label

__all__ = ["OFFER_COLUMNS", "authorized_alternatives", "environment_rank"]

OFFER_COLUMNS = ("provider", "host", "product", "relation", "environment", "origin")


def environment_rank(values: pd.Series) -> np.ndarray:
    """Each environment's rank in the seed order (lowest 0); -1 for blank or unknown."""
    order = {level: rank for rank, level in enumerate(ENVIRONMENTS)}
    return np.asarray([order.get(str(v), -1) if isinstance(v, str) else -1 for v in values])


def _key(name: object) -> str:
    return normalize_name(str(name)) or "" if isinstance(name, str) else ""


def authorized_alternatives(
    plan: pd.DataFrame, offers: pd.DataFrame, *, excluded: Iterable[str] = ()
) -> pd.DataFrame:
    """The plan with the authorized alternatives of each dependency (see the module)."""
    out = plan.copy()
    n = len(out)
    listed: list[str | None] = [None] * n
    counts = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    if n:
        barred = {_key(name) for name in excluded}
        offer_rank = environment_rank(offers["environment"]) if len(offers) else np.zeros(0)
        offer_relation: list[object] = list(offers["relation"]) if len(offers) else []
        provider_keys = [_key(p) for p in offers["provider"]] if len(offers) else []
        host_keys = [_key(h) for h in offers["host"]] if len(offers) else []
        labels = [
            f"{row.provider}{f' (via {row.host})' if isinstance(row.host, str) and row.host else ''}"
            f": {row.product} [{value_label(str(row.environment))}, {row.origin}]"
            for row in offers.itertuples(index=False)
        ]
        needed = environment_rank(out["environment"])
        for i, (supplier, relation, level) in enumerate(
            zip(out["supplier"], out["relation"], needed, strict=True)
        ):
            if level < 0:
                continue
            own = barred | {_key(supplier)}
            chosen = sorted(
                {
                    labels[j]
                    for j in range(len(labels))
                    if offer_rank[j] >= level
                    and (not isinstance(offer_relation[j], str) or offer_relation[j] == relation)
                    and provider_keys[j] not in own
                    and host_keys[j] not in own
                }
            )
            counts[i] = len(chosen)
            missing[i] = not chosen
            listed[i] = "; ".join(chosen) if chosen else None
    out["authorized_alternatives"] = listed
    out["authorized_alternatives_count"] = pd.array(
        np.where(environment_rank(out["environment"]) >= 0, counts, -1), dtype="Int64"
    )
    out.loc[out["authorized_alternatives_count"] < 0, "authorized_alternatives_count"] = pd.NA
    out["no_authorized_alternative"] = missing
    if "action" in out:
        # The plan's words: who is authorized at the level, or the highest-risk flag.
        replacing = (
            (out["edge_type"] != "tie").to_numpy() if "edge_type" in out else np.ones(n, bool)
        )
        level = [value_label(v) if isinstance(v, str) else "" for v in out["environment"]]
        extra = [
            (
                f" No authorized alternative at this level ({lvl}): highest risk; "
                "seek an authorization or a waiver now."
                if flag
                else f" Authorized at {lvl} or higher: {names}."
                if names
                else ""
            )
            if keep and lvl
            else ""
            for keep, lvl, flag, names in zip(replacing, level, missing, listed, strict=True)
        ]
        out["action"] = out["action"].astype(str) + pd.Series(extra, index=out.index)
        out["no_authorized_alternative"] = missing & replacing
    if "alternatives" in out:
        known = out["authorized_alternatives_count"]
        given = pd.to_numeric(out["alternatives"], errors="coerce").astype("Int64")
        out["alternatives"] = given.where(given.notna(), known)
    return out
