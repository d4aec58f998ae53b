"""The import contract: one declarative record per table a community fills in and imports.

schema.sql says each table's columns, types, keys, references and CHECKs; the importer reads those
from DuckDB's catalogue. A Contract says what schema.sql cannot: which codes.toml section labels a
coded column, which dates take a bare month, which compound a row belongs to (what a staff scope
limits), the rules beyond the schema, the template's example row and the snapshot query. Every
module that needs a per-table fact (ingest, delete, templates, snapshots, db) reads it here.

This module imports nothing of the app but settings, so db and store may use it freely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from oversight import settings


@dataclass(frozen=True)
class Contract:
    """What the app knows of one import table beyond schema.sql."""

    table: str
    key: tuple[str, ...]  # schema.sql's primary key, said again (a test holds the two equal)
    # The template's example row, in the words a community would write (labels, 是/否); a callable
    # value is worked out from the row when the template is made (it may depend on settings).
    example: Mapping[str, object]
    # Coded column -> the codes.toml section of its labels: a file may give the code or its label.
    codes: Mapping[str, str] = field(default_factory=dict)
    months: tuple[str, ...] = ()  # DATE columns that also take a bare month (2023-09 = 2023-09-01)
    # The column that leads to the row's compound: compound_id itself, or (with via) the column
    # referring to a row of the table via whose compound_id it is. None: the row is street-wide,
    # and only street staff may import or delete it.
    compound: str | None = None
    via: str | None = None
    rules: tuple[str, ...] = ()  # rules beyond schema.sql, by name (ingest.validate.RULES)
    scope_rules: tuple[str, ...] = ()  # further rules for a staff member's import (ingest.validate.SCOPE_RULES)
    snapshot_query: str | None = None  # queries/<name>.sql selecting the rows of a snapshot's compounds

    @property
    def snapshot(self) -> str:
        """The query writing this table into a snapshot (default queries/snapshot_<table>.sql)."""
        return self.snapshot_query or f"snapshot_{self.table}"

    @property
    def scoped(self) -> bool:
        """Whether each row belongs to a compound (so community staff may import it)."""
        return self.compound is not None

    def row_compound(self, alias: str) -> str:
        """SQL for the compound of a row of this table, the row being `alias`."""
        if self.compound is None:
            raise KeyError(f"{self.table} rows belong to no compound")
        if self.via is None:
            return f"{alias}.{self.compound}"
        # Only schema identifiers of this module's records are formatted in.
        parent = f"SELECT _owner.compound_id FROM {self.via} _owner"  # noqa: S608
        return f"({parent} WHERE _owner.{self.compound} = {alias}.{self.compound})"


def _service_points(row: Mapping[str, object]) -> float:
    return float(row["hours"]) * settings.points_per_hour()  # type: ignore[arg-type]


_STAGE = {"stage": "stage"}

# In load order: a table comes after the tables its rows refer to.
CONTRACTS: tuple[Contract, ...] = (
    Contract(
        "communities",
        key=("community_id",),
        example=dict(community_id="C99", name="示例社区", street="台北街道", district="江岸区", city="武汉市"),
    ),
    Contract(
        "property_companies",
        key=("company_id",),
        codes={"kind": "company_kind"},
        example=dict(
            company_id="M99", name="示例物业服务有限公司", kind="市场化物业", has_party_branch="是", party_members=2
        ),
    ),
    Contract(
        "compounds",
        key=("compound_id",),
        compound="compound_id",
        scope_rules=("own_community",),
        example=dict(
            compound_id="X901",
            community_id="C01",
            name="示例小区",
            built_year=1995,
            buildings=3,
            units=9,
            households=108,
            elderly_share=0.35,
            structure="砖混",
            plan_batch="2021-10",
            in_renovation_plan="是",
            company_id="M01",
            lat=30.615,
            lon=114.29,
            floors=6,
        ),
    ),
    Contract(
        "partner_units",
        key=("unit_id",),
        codes={"kind": "unit_kind"},
        example=dict(
            unit_id="P99", name="示例共建单位", kind="国有企业", community_id="C01", joined_on=date(2022, 1, 1)
        ),
    ),
    Contract(
        "renovation_items",
        key=("item_id",),
        compound="compound_id",
        codes={"category": "category", "item_type": "item_type", "funding": "funding", **_STAGE},
        example=dict(
            item_id="X001-99",
            compound_id="X001",
            category="基础类",
            item_type="管网改造",
            title="更换老化供水管网",
            in_plan="是",
            funding="政府资金",
            stage="施工",
            budget_yuan=380000,
            spent_yuan=120000,
            planned_start=date(2023, 3, 1),
            planned_end=date(2023, 12, 31),
            actual_start=date(2023, 3, 15),
            actual_end=None,
            progress_pct=60,
            units_affected=3,
            buildings_affected=1,
            elevators=None,
        ),
    ),
    Contract(
        "progress_updates",
        key=("item_id", "reported_on"),
        compound="item_id",
        via="renovation_items",
        codes=_STAGE,
        example=dict(
            item_id="X001-ELEV", reported_on=date(2023, 9, 15), stage="施工", progress_pct=60, note="主体施工中"
        ),
    ),
    Contract(
        "contributions",
        key=("contribution_id",),
        compound="compound_id",
        codes={"kind": "contribution_kind"},
        rules=("item_compound",),
        example=dict(
            contribution_id="K9001",
            unit_id="P01",
            compound_id="X001",
            item_id="X001-ELEV",
            contributed_on=date(2023, 9, 1),
            kind="服务",
            description="组织志愿者清理楼道",
            value_yuan=2000,
            volunteer_hours=16,
            participants=8,
            households_benefited=36,
        ),
    ),
    Contract(
        "red_property_monthly",
        key=("compound_id", "month"),
        compound="compound_id",
        months=("month",),
        example=dict(
            compound_id="X001",
            month="2023-10",
            company_id="M01",
            cross_appointed_staff=1,
            party_members_serving=5,
            committee_party_share=0.4,
            joint_meetings=1,
            fee_collection_pct=85.5,
            has_owners_committee="是",
        ),
    ),
    Contract(
        "requests",
        key=("request_id",),
        compound="compound_id",
        codes={
            "channel": "channel",
            "handler": "handler",
            "followup_resolved": "followup_resolved",
            "followup_satisfaction": "followup_satisfaction",
            "category": "request_category",
        },
        example=dict(
            request_id="Q99001",
            compound_id="X001",
            received_at=datetime(2023, 9, 20, 9, 30),
            channel="12345热线",
            category="漏水",
            summary="楼顶漏水",
            handler="物业",
            responded_at=datetime(2023, 9, 20, 15, 0),
            resolved_at=datetime(2023, 9, 22, 18, 0),
            satisfaction=None,
            time_limit_days=7,
            followup_resolved="已解决",
            followup_satisfaction="满意",
        ),
    ),
    Contract(
        "volunteers",
        key=("volunteer_id",),
        compound="compound_id",
        codes={"kind": "volunteer_kind"},
        example=dict(
            volunteer_id="V9001",
            compound_id="X001",
            display_name="张*华",
            kind="居民",
            unit_id=None,
            joined_on=date(2023, 1, 1),
        ),
    ),
    Contract(
        "services",
        key=("service_id",),
        compound="volunteer_id",
        via="volunteers",
        rules=("points_rule", "balance"),
        example=dict(
            service_id="S999001",
            volunteer_id="V0001",
            served_on=date(2023, 9, 20),
            activity="楼道清扫",
            hours=2,
            points=_service_points,
        ),
    ),
    Contract(
        "rewards",
        key=("reward_id",),
        example=dict(reward_id="R99", name="雨伞", points_cost=10, stock=20),
    ),
    Contract(
        "redemptions",
        key=("redemption_id",),
        compound="volunteer_id",
        via="volunteers",
        rules=("balance",),
        example=dict(
            redemption_id="D99001",
            volunteer_id="V0010",
            reward_id="R04",
            redeemed_on=date(2023, 9, 30),
            points_spent=5,
        ),
    ),
)

BY_TABLE: Mapping[str, Contract] = MappingProxyType({c.table: c for c in CONTRACTS})
TABLES: tuple[str, ...] = tuple(BY_TABLE)  # the importable tables, in load order


def contract(table: str) -> Contract:
    """The contract of an import table (KeyError for any other name)."""
    return BY_TABLE[table]


def code_section(table: str, column: str) -> str | None:
    """The codes.toml section labelling a coded column's codes, or None."""
    found = BY_TABLE.get(table)
    return found.codes.get(column) if found else None


def is_month(table: str, column: str) -> bool:
    """Whether a DATE column of table also takes a bare month (2023-09)."""
    found = BY_TABLE.get(table)
    return bool(found and column in found.months)


def example_row(table: str) -> dict[str, object]:
    """The template's example row of table, callables worked out."""
    row = dict(contract(table).example)
    for column, value in row.items():
        if isinstance(value, Callable):
            row[column] = value(row)
    return row
