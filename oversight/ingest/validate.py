"""Checking staged rows in DuckDB: every cell typed, every rule of schema.sql and of the contract
(contracts.Contract.rules), keys, references and a staff member's scope, each problem a row of
the temp table _ingest_problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from oversight import contracts, i18n, settings
from oversight.ingest.catalogue import (
    DECIMAL,
    EXAMPLE_MARK,
    FALSE_WORDS,
    TRUE_WORDS,
    Column,
    TableSpec,
    code_words,
    key_match,
    quote,
    raw_column,
)
from oversight.ingest.problems import expected_text

_BLANKS = " \t\r\n\u3000\u00a0"


class _Params:
    """Named parameters collected while a statement is built."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def __call__(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _text_of(column: str) -> str:
    """The trimmed text of a present column in the stage's inner projection (NULL when blank)."""
    return quote(f"_v_{column}")


def _typed_expression(spec: TableSpec, col: Column, p: _Params) -> str:
    """SQL turning the column's trimmed text into its schema type; NULL where the text does not fit."""
    v = _text_of(col.name)
    t = col.type
    if t == "VARCHAR":
        words = code_words(spec.name, col.name)
        if words:
            return (
                f"coalesce(list_extract({p(list(words.values()))}::VARCHAR[], "
                f"list_position({p(list(words))}::VARCHAR[], lower({v}))), {v})"
            )
        return v
    if t == "BOOLEAN":
        return (
            f"CASE WHEN list_contains({p(list(TRUE_WORDS))}::VARCHAR[], lower({v})) THEN true "
            f"WHEN list_contains({p(list(FALSE_WORDS))}::VARCHAR[], lower({v})) THEN false END"
        )
    if t in ("INTEGER", "BIGINT", "DOUBLE") or DECIMAL.fullmatch(t):
        # Thousands separators (1,050,000) are how Excel shows money; drop them.
        n = (
            f"CASE WHEN contains({v}, ',') AND regexp_full_match({v}, '[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
            f"THEN replace({v}, ',', '') ELSE {v} END"
        )
        d = f"try_cast({n} AS DOUBLE)"
        if t == "DOUBLE":
            return f"CASE WHEN isfinite({d}) THEN {d} END"
        if t in ("INTEGER", "BIGINT"):
            limit = 2**31 - 1 if t == "INTEGER" else 2**53
            return f"CASE WHEN isfinite({d}) AND {d} = trunc({d}) AND abs({d}) <= {limit} THEN {d}::{t} END"
        precision, scale = (int(x) for x in DECIMAL.fullmatch(t).groups())
        return (
            f"CASE WHEN isfinite({d}) AND round({d}, {scale}) = {d} AND abs({d}) < {10 ** (precision - scale)} "
            f"THEN coalesce(try_cast({n} AS {t}), {d}::{t}) END"
        )
    day = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    iso = f"regexp_replace({v}, '^{day}', '\\1-\\2-\\3')"
    # The usual spelling (2023-09-30, 2023-09-30 14:05:00) takes the fast path; others are respelled.
    strict_day = r"\d{4}-\d{2}-\d{2}"
    if t == "DATE":
        expr = (
            f"WHEN regexp_full_match({v}, '{strict_day}') THEN try_cast({v} AS DATE) "
            f"WHEN regexp_full_match({v}, '{day}( 0?0:00(:00)?)?') THEN try_cast(split_part({iso}, ' ', 1) AS DATE)"
        )
        if contracts.is_month(spec.name, col.name):
            expr += (
                f" WHEN regexp_full_match({v}, '\\d{{4}}[-/.]\\d{{1,2}}') "
                f"THEN try_cast(regexp_replace({v}, '^(\\d{{4}})[-/.](\\d{{1,2}})$', '\\1-\\2-01') AS DATE)"
            )
        return f"CASE {expr} END"
    if t == "TIMESTAMP":
        strict = f"{strict_day}( \\d{{2}}:\\d{{2}}(:\\d{{2}})?)?"
        loose = f"{day}([ T]\\d{{1,2}}:\\d{{2}}(:\\d{{2}}(\\.\\d{{1,6}})?)?)?"
        return (
            f"CASE WHEN regexp_full_match({v}, '{strict}') THEN try_cast({v} AS TIMESTAMP) "
            f"WHEN regexp_full_match({v}, '{loose}') THEN try_cast({iso} AS TIMESTAMP) END"
        )
    raise NotImplementedError(f"column type {t}")


def create_stage(con, spec: TableSpec, present: list[str]) -> None:
    """_ingest_stage: _row, every column typed (absent ones NULL or their default), and the raw text
    of present ones. The trimmed text is worked out once, in an inner projection."""
    p = _Params()
    inner = ["_row"] + [
        f"{raw_column(c)}, nullif(trim({raw_column(c)}, {p(_BLANKS)}), '') AS {_text_of(c)}" for c in present
    ]
    parts = ["_row"]
    numeric_default = re.compile(r"-?\d+(\.\d+)?")
    for col in spec.columns:
        has_default = col.default is not None and numeric_default.fullmatch(col.default)
        if col.name in present:
            typed = _typed_expression(spec, col, p)
            if has_default:
                typed = f"CASE WHEN {_text_of(col.name)} IS NULL THEN {col.default}::{col.type} ELSE {typed} END"
            parts.append(f"({typed})::{col.type} AS {quote(col.name)}")
            parts.append(raw_column(col.name))
        elif has_default:
            parts.append(f"{col.default}::{col.type} AS {quote(col.name)}")
        else:
            parts.append(f"NULL::{col.type} AS {quote(col.name)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _ingest_stage AS SELECT {', '.join(parts)} "  # noqa: S608
        f"FROM (SELECT {', '.join(inner)} FROM _ingest_raw)",
        p.values,
    )


def fill_absent(con, spec: TableSpec, absent: list[str]) -> None:
    """Columns the file leaves out keep, for rows that replace an existing one, the current value."""
    if not absent or not spec.primary_key:
        return
    sets = ", ".join(f"{quote(c)} = t.{quote(c)}" for c in absent)
    con.execute(
        f"UPDATE _ingest_stage s SET {sets} FROM {quote(spec.name)} t WHERE {key_match(spec, 't', 's')}"  # noqa: S608
    )


def _insert_problems(con, select_sql: str, params: dict | None = None) -> None:
    """select_sql yields (_row, col, value, rule, detail)."""
    con.execute(f"INSERT INTO _ingest_problems {select_sql}", params or {})  # noqa: S608 - callers' SQL, values bound


def _text(expr: str) -> str:
    return f"CAST({expr} AS VARCHAR)"


def _qualified(expr: str, alias: str) -> str:
    """raw_or_typed's expression with its column qualified by alias, for queries that join the table
    itself (a column the file lacks has the same name on both sides: "ambiguous reference")."""
    match = re.fullmatch(r'CAST\(("[^"]+")\ AS VARCHAR\)', expr)
    return f"CAST({alias}.{match.group(1)} AS VARCHAR)" if match else f"{alias}.{expr}"


def validate_rows(con, spec: TableSpec, present: list[str], step: Callable[[float], None]) -> None:
    """Fill _ingest_problems with every row problem of _ingest_stage (step(fraction) after each part)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ingest_problems "
        "(_row BIGINT, col VARCHAR, value VARCHAR, rule VARCHAR, detail VARCHAR)"
    )
    table = quote(spec.name)
    raw_or_typed = {c: (raw_column(c) if c in present else _text(quote(c))) for c in spec.column_names}

    # The template's example row, left in: named once, its other problems left out.
    if present:
        marked = " UNION ALL ".join(
            f"SELECT _row, '{c}' AS col, {raw_column(c)} AS value FROM _ingest_stage "  # noqa: S608
            f"WHERE starts_with(trim({raw_column(c)}), $mark)"
            for c in present
        )
        _insert_problems(
            con,
            f"SELECT _row, col, value, 'example_row', NULL FROM ({marked}) "  # noqa: S608
            "QUALIFY row_number() OVER (PARTITION BY _row) = 1",
            {"mark": EXAMPLE_MARK},
        )

    # Types, then required cells.
    parts = []
    for col in spec.columns:
        if col.name not in present:
            continue
        raw = raw_column(col.name)
        parts.append(
            f"SELECT _row, '{col.name}', {raw}, 'type', NULL FROM _ingest_stage "  # noqa: S608
            f"WHERE {quote(col.name)} IS NULL AND nullif(trim({raw}, $blanks), '') IS NOT NULL"
        )
        if col.not_null:
            parts.append(
                f"SELECT _row, '{col.name}', NULL, 'required', NULL FROM _ingest_stage "  # noqa: S608
                f"WHERE nullif(trim({raw}, $blanks), '') IS NULL AND {quote(col.name)} IS NULL"
            )
    if parts:
        _insert_problems(con, " UNION ALL ".join(parts), {"blanks": _BLANKS})
    step(0.3)

    # Every CHECK of the schema, evaluated on the typed values exactly as DuckDB would.
    for index, check in enumerate(spec.checks):
        detail = "NULL"
        if check.kind in ("after", "equiv") and check.other:
            detail = _text(quote(check.other))
        _insert_problems(
            con,
            f"SELECT _row, '{check.column}', {raw_or_typed[check.column]}, 'check:{index}', {detail} "  # noqa: S608
            f"FROM _ingest_stage WHERE NOT ({check.expression})",
        )

    step(0.6)

    # Keys repeated inside the file.
    if spec.primary_key:
        keys = ", ".join(quote(k) for k in spec.primary_key)
        first_key = spec.primary_key[-1] if len(spec.primary_key) > 1 else spec.primary_key[0]
        not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in spec.primary_key)
        _insert_problems(
            con,
            f"SELECT _row, '{first_key}', {raw_or_typed[first_key]}, 'duplicate', CAST(first_row AS VARCHAR) "  # noqa: S608
            f"FROM (SELECT *, min(_row) OVER (PARTITION BY {keys}) AS first_row FROM _ingest_stage WHERE {not_null}) "
            f"WHERE _row > first_row",
        )

    # References: to rows in the database, or in this file when the table refers to itself.
    for fk in spec.foreign_keys:
        col, ref, ref_col = quote(fk.column), quote(fk.ref_table), quote(fk.ref_column)
        in_file = ""
        if fk.ref_table == spec.name:
            in_file = f" AND NOT EXISTS (SELECT 1 FROM _ingest_stage f WHERE f.{ref_col} = s.{col})"  # noqa: S608
        _insert_problems(
            con,
            f"SELECT _row, '{fk.column}', {raw_or_typed[fk.column]}, 'reference', NULL FROM _ingest_stage s "  # noqa: S608
            f"WHERE s.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {ref} r WHERE r.{ref_col} = s.{col}){in_file}",
        )

    # DuckDB cannot change a referencing column of a row that other rows refer to.
    if spec.referenced_by and spec.primary_key:
        referenced = " OR ".join(
            f"EXISTS (SELECT 1 FROM {quote(fk.table)} c WHERE c.{quote(fk.column)} = t.{quote(fk.ref_column)})"  # noqa: S608
            for fk in spec.referenced_by
        )
        for fk in spec.foreign_keys:
            if fk.column in spec.primary_key:
                continue
            col = quote(fk.column)
            _insert_problems(
                con,
                f"SELECT s._row, '{fk.column}', {_qualified(raw_or_typed[fk.column], 's')}, 'referenced_change', "  # noqa: S608
                f"coalesce(CAST(t.{col} AS VARCHAR), '') "
                f"FROM _ingest_stage s JOIN {table} t ON {key_match(spec, 't', 's')} "
                f"WHERE t.{col} IS DISTINCT FROM s.{col} AND ({referenced})",
            )

    step(0.8)
    for rule in contracts.contract(spec.name).rules:
        RULES[rule](con, spec, raw_or_typed)
    con.execute(
        "DELETE FROM _ingest_problems WHERE rule <> 'example_row' "
        "AND _row IN (SELECT _row FROM _ingest_problems WHERE rule = 'example_row')"
    )
    step(1.0)


def _points_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A service's points are its hours times the points per hour of settings."""
    _insert_problems(
        con,
        f"SELECT _row, 'points', {raw_or_typed['points']}, 'points_rule', NULL FROM _ingest_stage "  # noqa: S608
        "WHERE points IS NOT NULL AND hours IS NOT NULL AND abs(points - hours * $per_hour) > 1e-6",
        {"per_hour": settings.points_per_hour()},
    )


def _item_compound_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A contribution's renovation item belongs to the contribution's compound."""
    _insert_problems(
        con,
        f"SELECT s._row, 'item_id', {_qualified(raw_or_typed['item_id'], 's')}, 'item_compound', i.compound_id "  # noqa: S608
        "FROM _ingest_stage s JOIN renovation_items i ON i.item_id = s.item_id "
        "WHERE s.compound_id IS NOT NULL AND i.compound_id <> s.compound_id",
    )


def _own_community_rule(con, spec: TableSpec, allowed: list[str]) -> None:
    """Staff may not move a compound of theirs into another community either."""
    _insert_problems(
        con,
        "SELECT s._row, 'community_id', CAST(s.community_id AS VARCHAR), 'own_community', NULL "
        "FROM _ingest_stage s WHERE s.community_id NOT IN "
        "(SELECT community_id FROM compounds WHERE list_contains($allowed::VARCHAR[], compound_id))",
        {"allowed": list(allowed)},
    )


def row_compound(table: str, alias: str) -> str:
    """SQL for the compound of a row of table, the row being `alias`."""
    return contracts.contract(table).row_compound(alias)


def scope_column(spec: TableSpec) -> str:
    """The column a row outside the importer's scope is reported on."""
    return contracts.contract(spec.name).compound


def scope_problems(con, spec: TableSpec, allowed: list[str]) -> None:
    """Rows outside the importer's scope, each named, and the file refused whole: a row of another
    compound in the file, and a row whose id already belongs to another compound (it may not be
    taken over, whatever compound the file gives it)."""
    owner, column = row_compound(spec.name, "s"), scope_column(spec)
    _insert_problems(
        con,
        f"SELECT s._row, '{column}', CAST(s.{quote(column)} AS VARCHAR), 'scope', NULL FROM _ingest_stage s "  # noqa: S608
        f"WHERE {owner} IS NULL OR NOT list_contains($allowed::VARCHAR[], {owner})",
        {"allowed": list(allowed)},
    )
    for rule in contracts.contract(spec.name).scope_rules:
        SCOPE_RULES[rule](con, spec, allowed)
    key = spec.primary_key[-1]
    existing = row_compound(spec.name, "t")
    _insert_problems(
        con,
        f"SELECT s._row, '{key}', CAST(s.{quote(key)} AS VARCHAR), 'scope_existing', NULL "  # noqa: S608
        f"FROM _ingest_stage s JOIN {quote(spec.name)} t ON {key_match(spec, 't', 's')} "
        f"WHERE NOT list_contains($allowed::VARCHAR[], {existing})",
        {"allowed": list(allowed)},
    )


def _balance_rule(con, spec: TableSpec, raw_or_typed: dict[str, str]) -> None:
    """A volunteer's points balance, services minus redemptions in date order (services of a day
    first), may never go below zero: the database's rows, with the file's replacing or adding."""
    if spec.name == "services":
        file_events = "SELECT volunteer_id, served_on AS day, 0 AS ord, points AS delta, _row FROM _ingest_stage"
        db_services = (
            "SELECT volunteer_id, served_on, 0, points, NULL FROM services ANTI JOIN _ingest_stage USING (service_id)"
        )
        db_redemptions = "SELECT volunteer_id, redeemed_on, 1, -points_spent, NULL FROM redemptions"
        column = "points"
    else:
        file_events = (
            "SELECT volunteer_id, redeemed_on AS day, 1 AS ord, -points_spent AS delta, _row FROM _ingest_stage"
        )
        db_services = "SELECT volunteer_id, served_on, 0, points, NULL FROM services"
        db_redemptions = (
            "SELECT volunteer_id, redeemed_on, 1, -points_spent, NULL FROM redemptions "
            "ANTI JOIN _ingest_stage USING (redemption_id)"
        )
        column = "points_spent"
    _insert_problems(
        con,
        f"""
        WITH touched AS (SELECT DISTINCT volunteer_id FROM _ingest_stage WHERE volunteer_id IS NOT NULL),
        events AS (
            SELECT * FROM ({file_events}) WHERE volunteer_id IS NOT NULL AND day IS NOT NULL AND delta IS NOT NULL
            UNION ALL SELECT * FROM ({db_services}) WHERE volunteer_id IN (SELECT volunteer_id FROM touched)
            UNION ALL SELECT * FROM ({db_redemptions}) WHERE volunteer_id IN (SELECT volunteer_id FROM touched)
        ),
        running AS (
            SELECT *, sum(delta) OVER (PARTITION BY volunteer_id ORDER BY day, ord, _row
                                       ROWS UNBOUNDED PRECEDING) AS balance
            FROM events
        ),
        negative AS (
            SELECT *, row_number() OVER (PARTITION BY volunteer_id ORDER BY day, ord, _row) AS n
            FROM running WHERE balance < -1e-9
        ),
        first_in_file AS (SELECT volunteer_id, min(_row) AS first_row FROM _ingest_stage GROUP BY volunteer_id),
        target AS (
            SELECT g.volunteer_id, g.day, g.balance, coalesce(g._row, f.first_row) AS at_row
            FROM negative g JOIN first_in_file f USING (volunteer_id) WHERE g.n = 1
        )
        SELECT s._row, '{column}', {raw_or_typed[column]}, 'balance',
               t.volunteer_id || '|' || CAST(t.day AS VARCHAR) || '|' || CAST(round(t.balance, 2) AS VARCHAR)
        FROM target t JOIN _ingest_stage s ON s._row = t.at_row
        """,  # noqa: S608
    )


# The rules a contract names beyond schema.sql (contracts.Contract.rules and scope_rules).
RULES: dict[str, Callable[..., None]] = {
    "points_rule": _points_rule,
    "balance": _balance_rule,
    "item_compound": _item_compound_rule,
}


SCOPE_RULES: dict[str, Callable[..., None]] = {"own_community": _own_community_rule}


def listed_problems(con, spec: TableSpec, lang: str, limit: int) -> tuple[list[tuple], int]:
    """The first `limit` row problems (row, column, value, rule, expected) and how many there are in all."""
    total = con.execute("SELECT count(*) FROM _ingest_problems").fetchone()[0]
    order = {c: i for i, c in enumerate(spec.column_names)}
    rows = con.execute(
        "SELECT _row, col, value, rule, detail FROM _ingest_problems ORDER BY _row, col LIMIT $limit",
        {"limit": limit},
    ).fetchall()
    rows.sort(key=lambda r: (r[0], order.get(r[1], 99)))
    out = []
    for row, column, value, rule, detail in rows:
        expected = expected_text(spec, rule, column, detail, lang)
        out.append((row, column, value, rule, expected))
    return out, total


def still_referenced(con, spec: TableSpec, keys_table: str, lang: str) -> list[tuple[str, str, str]]:
    """Rows of keys_table (the table's key columns) that rows of other tables still refer to:
    (key column, key value, "table: n rows; ...") for each, in key order."""
    found: dict[str, list[str]] = {}
    key = spec.primary_key[-1]
    for fk in spec.referenced_by:
        if fk.table == spec.name:
            continue
        rows = con.execute(
            f"SELECT CAST(g.{quote(fk.ref_column)} AS VARCHAR), count(*) FROM {keys_table} g "  # noqa: S608
            f"JOIN {quote(fk.table)} c ON c.{quote(fk.column)} = g.{quote(fk.ref_column)} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        for value, n in rows:
            found.setdefault(value, []).append(
                i18n.t("import.referenced_by", lang, table=i18n.t(f"data.table_{fk.table}", lang), rows=n)
            )
    return [(key, value, "；".join(refs) if lang == "zh" else "; ".join(refs)) for value, refs in sorted(found.items())]
