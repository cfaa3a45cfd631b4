"""SPEC 4.1 and 4.3 on Spark DataFrames: the NumPy engine's reach, one join per level.

The model comes in as two DataFrames in the layout of :mod:`exposure.spark.parquet_io`
(``orgs``: ``org_id``, ``parent_id``; ``edges``: ``edge``, ``edge_id``, ``supplier_id``,
``buyer_id``, ``product_key``/``used_in_key`` or ``product``/``used_in``,
``annual_value_usd``, ``replacement_months``, ``dod_use``). :func:`prepare` turns them into the
engine's shape: each edge gets its *group* (its supplier's edges of one product, named by the
group's first edge, so group ids sort like the NumPy engine's group indexes) and, for an edge
with a ``used_in``, the buyer's group of that product (``feeds``).

:func:`run_reach` then does what :func:`exposure.engine.assess` does:

* sources: the designated organizations closed under ownership (``parent``), then the named
  non-compliant organizations obliged to cut a tie with a source, until no more become so;
* reach: a semi-naive breadth-first search over groups. Level L's frontier (the groups first
  reached at L) is joined with the edges; organizations not yet exposed are anti-joined
  out as the newly exposed; the groups those edges feed (every group of the buyer for an
  edge with blank ``used_in``, the buyer's group ``used_in`` otherwise, and the blank-product
  group of a newly exposed buyer) minus the groups already reached are the next frontier;
* the accumulated tables (reached groups and organizations) are checkpointed every few
  levels, so the lineage Spark keeps stays a few levels long;
* value at risk, late and obliged as in SPEC 4.1, 4.3, 4.4.

The same answers, to the chain: where several edges could be "the one that reached" a group
or an organization, the NumPy engine keeps the last in its frontier's order. This module
keeps that order as a number per frontier group (a sort of the new frontier per level, then
``monotonically_increasing_id``, which follows the sort) and picks the greatest with
``max(struct(...))``, so tiers, chains and every other array are equal, not just equivalent.
Everything is DataFrame joins and aggregates: no Python UDF, no GraphFrames, and no edge
collected to the driver (only counts, and the few named non-compliant organizations).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

__all__ = ["LevelStat", "Reach", "SparkModel", "prepare", "run_reach"]

logger = logging.getLogger(__name__)

# Organization status codes, as in exposure.engine.STATUS.
CLEAR, EXPOSED, NONCOMPLIANT, DESIGNATED = 0, 1, 2, 3

# SPEC 4.4: months are converted to days at the mean Gregorian month length.
DAYS_PER_MONTH = 30.4375

_PERSIST = StorageLevel.MEMORY_AND_DISK


@dataclass(frozen=True)
class SparkModel:
    """The network in the engine's shape (see the module docstring)."""

    orgs: DataFrame  # org, parent
    edges: DataFrame  # edge, edge_id, supplier, buyer, grp, whole, feeds, value, months, dod
    groups: DataFrame  # grp, org, blank


@dataclass
class LevelStat:
    """One level of the search: the frontier's groups and the seconds the level took."""

    level: int
    groups: int
    seconds: float


@dataclass
class Reach:
    """The result, as DataFrames (materialized) and a few driver-side facts.

    ``organizations``: one row per organization that is not clear or is obliged (``org``,
    ``status``, ``tier``, ``via``, ``value_at_risk_usd``, ``late``, ``obliged``); every other
    organization is clear, tier -1, nothing at risk. ``edges``: one row per exposed edge
    (``edge``, ``edge_id``, ``grp``, ``tier``, ``via``, ``late``).
    """

    organizations: DataFrame
    edges: DataFrame
    ignored_noncompliant: tuple[int, ...]
    levels: list[LevelStat] = field(default_factory=list)
    seconds: float = 0.0


def _key(frame: DataFrame, name: str) -> Column:
    """The match key of ``product``/``used_in``: lower case, trimmed, white space collapsed.

    A ``*_key`` column (as :func:`exposure.spark.parquet_io.export_model` writes it) is taken
    as it is; blank is null.
    """
    if f"{name}_key" in frame.columns:
        key = F.col(f"{name}_key").cast("string")
    else:
        key = F.lower(F.trim(F.regexp_replace(F.col(name).cast("string"), r"\s+", " ")))
    return F.when(key != "", key)


def _number(frame: DataFrame, name: str) -> Column:
    """A double column with NaN made null (Spark orders NaN above every number)."""
    if name not in frame.columns:
        return F.lit(None).cast("double")
    value = F.col(name).cast("double")
    return F.when(~F.isnan(value), value)


def prepare(orgs: DataFrame, edges: DataFrame) -> SparkModel:
    """The model in the engine's shape; the edges are persisted (every level reads them)."""
    organizations = orgs.select(
        F.col("org_id").cast("long").alias("org"), F.col("parent_id").cast("long").alias("parent")
    )
    dod = (
        F.coalesce(F.col("dod_use").cast("boolean"), F.lit(False))
        if "dod_use" in edges.columns
        else F.lit(False)
    )
    base = edges.select(
        *([F.col("edge").cast("long").alias("edge")] if "edge" in edges.columns else []),
        F.col("edge_id").cast("long").alias("edge_id"),
        F.col("supplier_id").cast("long").alias("supplier"),
        F.col("buyer_id").cast("long").alias("buyer"),
        _key(edges, "product").alias("product"),
        _key(edges, "used_in").alias("used_in"),
        _number(edges, "annual_value_usd").alias("value"),
        _number(edges, "replacement_months").alias("months"),
        dod.alias("dod"),
    )
    if "edge" not in base.columns:
        # The graph's order: by supplier, then product (blank last), then edge_id.
        base = base.orderBy("supplier", F.col("product").asc_nulls_last(), "edge_id").withColumn(
            "edge", F.monotonically_increasing_id()
        )
    base = base.withColumn("grp", F.min("edge").over(Window.partitionBy("supplier", "product")))
    groups = (
        base.groupBy("grp")
        .agg(F.first("supplier").alias("org"), F.first("product").alias("product"))
        .persist(_PERSIST)
    )
    named = groups.where(F.col("product").isNotNull()).select(
        F.col("grp").alias("feeds"),
        F.col("org").alias("buyer"),
        F.col("product").alias("used_in"),
    )
    wired = (
        base.join(named, ["buyer", "used_in"], "left")
        .select(
            "edge",
            "edge_id",
            "supplier",
            "buyer",
            "grp",
            F.col("used_in").isNull().alias("whole"),
            "feeds",
            "value",
            "months",
            "dod",
        )
        .persist(_PERSIST)
    )
    return SparkModel(
        orgs=organizations,
        edges=wired,
        groups=groups.select("grp", "org", F.col("product").isNull().alias("blank")),
    )


def _candidate_key(segment: int, group: Column | None = None) -> Column:
    """Where a candidate stands in the NumPy engine's list of a level's candidate groups.

    That list is: the groups of buyers of unscoped edges (segment 0, by the buyer's last such
    edge, then group), the groups scoped edges feed (segment 1, by edge), the blank-product
    groups of newly exposed buyers (segment 2, by their first exposed input); its last entry
    for a group wins, so the greatest key does.
    """
    return F.struct(
        F.lit(segment).alias("segment"),
        F.col("at.pos").alias("pos"),
        F.col("at.edge").alias("edge"),
        (group if group is not None else F.lit(0).cast("long")).alias("group"),
    )


def _ids(spark: SparkSession, ids: Sequence[int]) -> DataFrame:
    return spark.createDataFrame([(int(i),) for i in ids], "org long")


def _materialize(frame: DataFrame) -> tuple[DataFrame, int]:
    """Compute ``frame`` once and cut its lineage (a local checkpoint); count its rows.

    Every level's tables are built from the previous level's: without the cut their plans
    would grow (and Spark analyse them again) level after level.
    """
    frame = _cut(frame)
    return frame, frame.count()


def _cut(frame: DataFrame) -> DataFrame:
    """``frame`` with its lineage cut: computed by the first query that reads it, then kept
    (memory and disk) for the next ones."""
    return frame.localCheckpoint(eager=False)


def owned_closure(model: SparkModel, designated: DataFrame) -> DataFrame:
    """``designated`` and everything they own, directly or not (semi-naive over ``parent``)."""
    frontier, count = _materialize(designated.join(model.orgs.select("org"), "org").distinct())
    owned = frontier
    while count:
        children = (
            model.orgs.join(frontier.select(F.col("org").alias("parent")), "parent")
            .select("org")
            .distinct()
            .join(owned, "org", "left_anti")
        )
        frontier, count = _materialize(children)
        owned = _cut(owned.unionByName(frontier))
    return owned


def _tied(ties: DataFrame, sources: DataFrame) -> DataFrame:
    """Organizations with a tie (either direction) to a source, sources left out."""
    selling = ties.join(sources.select(F.col("org").alias("supplier")), "supplier").select(
        F.col("buyer").alias("org")
    )
    buying = ties.join(sources.select(F.col("org").alias("buyer")), "buyer").select(
        F.col("supplier").alias("org")
    )
    return selling.union(buying).distinct().join(sources, "org", "left_anti")


class _Accumulated:
    """A table that grows by one piece per level, checkpointed to storage now and then.

    Pieces may carry more columns than the table has: ``columns`` are the table's.
    """

    def __init__(self, columns: Sequence[str], base: DataFrame) -> None:
        self.columns = list(columns)
        self.pieces = [base]

    @property
    def frame(self) -> DataFrame:
        frame = self.pieces[0].select(*self.columns)
        for piece in self.pieces[1:]:
            frame = frame.unionByName(piece.select(*self.columns))
        return frame

    def add(self, piece: DataFrame) -> None:
        self.pieces.append(piece)

    def compact(self) -> None:
        """One checkpointed table instead of the pieces: the lineage starts again here."""
        if len(self.pieces) > 1:
            whole = self.frame.checkpoint(eager=True)
            self.pieces = [whole]


def run_reach(
    spark: SparkSession,
    model: SparkModel,
    *,
    designated: Sequence[int],
    noncompliant: Sequence[int] = (),
    scope: str = "all",
    transition_days: int = 180,
    checkpoint_every: int = 4,
    rank_in_one_partition: int = 100_000,
) -> Reach:
    """Sources, reach, tiers, value at risk, late and obliged, as :func:`exposure.engine.assess`."""
    started = time.perf_counter()
    edges = model.edges
    closed = owned_closure(model, _ids(spark, designated))
    named = set(int(i) for i in noncompliant)
    if named:
        already = {int(r.org) for r in closed.join(_ids(spark, sorted(named)), "org").collect()}
        named -= already
    ties = edges.select("supplier", "buyer", "dod")
    if scope == "dod":
        ties = ties.where("dod")
    ties = ties.select("supplier", "buyer")
    chosen: set[int] = set()
    while named - chosen:
        sources = closed.unionByName(_ids(spark, sorted(chosen))) if chosen else closed
        candidates = _ids(spark, sorted(named - chosen))
        tied = {int(r.org) for r in _tied(ties, sources).join(candidates, "org").collect()}
        if not tied:
            break
        chosen |= tied
    noncompliant_df = _ids(spark, sorted(chosen))
    sources = _cut(
        closed.withColumn("status", F.lit(DESIGNATED)).unionByName(
            noncompliant_df.withColumn("status", F.lit(NONCOMPLIANT))
        )
    )
    obliged = _cut(_tied(ties, sources.select("org")).withColumn("obliged", F.lit(True)))

    # --- the search: groups of the sources first, in group order ---------------------------
    by_org = model.groups.select("grp", "org")
    blank = model.groups.where("blank").select("org", F.col("grp").alias("blank_grp"))
    frontier, size = _materialize(
        by_org.join(sources.select("org"), "org").select(
            "grp",
            F.col("grp").alias("pos"),
            F.lit(-1).cast("long").alias("via"),
            F.lit(1).alias("tier"),
        )
    )
    # Groups reached, with their tier and the edge that reached them.
    done = _Accumulated(["grp", "tier", "via"], frontier)
    # Organizations reached, with their tier and first exposed input; sources at tier 0.
    reached = _Accumulated(
        ["org", "tier", "via"],
        sources.select("org", F.lit(0).alias("tier"), F.lit(-1).cast("long").alias("via")),
    )
    # Organizations whose every group is reached (sources, and buyers of an unscoped edge).
    full = _Accumulated(["org"], sources)
    stats: list[LevelStat] = []
    level = 1
    while size:
        level_started = time.perf_counter()
        step = (
            frontier.select("grp", "pos")
            .join(edges.select("grp", "edge", "buyer", "whole", "feeds"), "grp")
            .join(
                reached.frame.select(F.col("org").alias("buyer"), F.lit(True).alias("seen")),
                "buyer",
                "left",
            )
            .join(
                full.frame.select(F.col("org").alias("buyer"), F.lit(True).alias("full")),
                "buyer",
                "left",
            )
            .select(
                "buyer",
                "whole",
                "feeds",
                F.struct("pos", "edge").alias("at"),
                F.col("seen").isNull().alias("first"),
                F.col("full").isNull().alias("open"),
            )
            .persist(_PERSIST)
        )
        # Per buyer, in one pass: exposed for the first time (the last frontier edge into it
        # reached it), and reached by an unscoped input (every group of it is reached; the
        # last such edge counts).
        buyers = _cut(
            step.groupBy(F.col("buyer").alias("org")).agg(
                F.max(F.when(F.col("first"), F.col("at"))).alias("first_at"),
                F.max(F.when(F.col("open") & F.col("whole"), F.col("at"))).alias("whole_at"),
            )
        )
        newly = buyers.where(F.col("first_at").isNotNull()).select(
            "org",
            F.lit(level).alias("tier"),
            F.col("first_at.edge").alias("via"),
            F.col("first_at").alias("at"),
        )
        whole = buyers.where(F.col("whole_at").isNotNull()).select(
            "org", F.col("whole_at").alias("at")
        )
        candidates = (
            whole.join(by_org, "org")
            .select("grp", _candidate_key(0, F.col("grp")).alias("key"))
            .unionByName(
                step.where("open AND NOT whole AND feeds IS NOT NULL").select(
                    F.col("feeds").alias("grp"),
                    _candidate_key(1).alias("key"),
                )
            )
            .unionByName(
                newly.join(blank, "org").select(
                    F.col("blank_grp").alias("grp"),
                    _candidate_key(2).alias("key"),
                )
            )
        )
        fresh = (
            candidates.join(done.frame.select("grp"), "grp", "left_anti")
            .groupBy("grp")
            .agg(F.max("key").alias("key"))
        )
        # The next frontier, numbered in the order the NumPy engine would list it: a small
        # frontier is ranked in one partition, a large one by a distributed sort.
        if size <= rank_in_one_partition:
            ranked = fresh.withColumn(
                "pos", F.row_number().over(Window.orderBy("key")).cast("long")
            )
        else:
            ranked = fresh.orderBy("key").withColumn("pos", F.monotonically_increasing_id())
        following, next_size = _materialize(
            ranked.select(
                "grp", "pos", F.col("key.edge").alias("via"), F.lit(level + 1).alias("tier")
            )
        )
        step.unpersist()
        reached.add(newly)
        full.add(whole)
        done.add(following)
        frontier = following
        stats.append(LevelStat(level, size, time.perf_counter() - level_started))
        size = next_size
        level += 1
        if checkpoint_every and level % checkpoint_every == 0 and size:
            for table in (done, reached, full):
                table.compact()

    # --- results --------------------------------------------------------------------------
    threshold = float(transition_days) / DAYS_PER_MONTH
    exposed_edges = _cut(
        edges.join(done.frame, "grp").select(
            "edge",
            "edge_id",
            "grp",
            "buyer",
            "tier",
            "via",
            F.coalesce(F.col("months") > F.lit(threshold), F.lit(False)).alias("late"),
            F.when(F.col("value") > 0, F.col("value")).otherwise(F.lit(0.0)).alias("at_risk"),
        )
    )
    # Summed in edge order from 0.0, as numpy.bincount does: the same double, to the last bit.
    per_buyer = exposed_edges.groupBy(F.col("buyer").alias("org")).agg(
        F.aggregate(
            F.array_sort(F.collect_list(F.struct("edge", "at_risk"))),
            F.lit(0.0),
            lambda total, item: total + item["at_risk"],
        ).alias("value_at_risk_usd"),
        F.max("late").alias("late"),
    )
    organizations = (
        reached.frame.join(sources, "org", "left")
        .join(per_buyer, "org", "left")
        .join(obliged, "org", "full")
        .select(
            "org",
            F.coalesce("status", F.when(F.col("tier").isNotNull(), F.lit(EXPOSED)), F.lit(CLEAR))
            .cast("byte")
            .alias("status"),
            F.coalesce("tier", F.lit(-1)).cast("long").alias("tier"),
            F.coalesce("via", F.lit(-1)).cast("long").alias("via"),
            F.coalesce("value_at_risk_usd", F.lit(0.0)).alias("value_at_risk_usd"),
            F.coalesce("late", F.lit(False)).alias("late"),
            F.coalesce("obliged", F.lit(False)).alias("obliged"),
        )
    )
    organizations = _cut(organizations)
    ignored = tuple(sorted(named - chosen))
    return Reach(
        organizations=organizations,
        edges=exposed_edges.drop("buyer", "at_risk"),
        ignored_noncompliant=ignored,
        levels=stats,
        seconds=time.perf_counter() - started,
    )
