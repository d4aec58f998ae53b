"""The import contract as the importer reads it: each table's columns, key, references and CHECKs
from schema.sql (DuckDB's catalogue of a scratch database), and the words a file may use for a
table's headers and coded values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb

from oversight import contracts, db, i18n

# The templates' example row starts with this mark, so it can never be imported as data.
EXAMPLE_MARK = "【示例】"


TRUE_WORDS = ("是", "true", "1", "yes", "y", "t")


FALSE_WORDS = ("否", "false", "0", "no", "n", "f")


@dataclass(frozen=True)
class Check:
    """One CHECK constraint: its kind, the column a problem is reported on, and its parameters."""

    kind: str  # enum, range, after, requires, equiv, first_of_month, masked, pattern, other
    column: str
    expression: str
    other: str | None = None  # the second column of after / requires / equiv
    values: tuple[str, ...] = ()  # enum codes; equiv: (number, code); pattern: (regex,)
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # VARCHAR, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, BOOLEAN
    not_null: bool
    default: str | None

    @property
    def required(self) -> bool:
        """A file must have this column: NOT NULL without a default."""
        return self.not_null and self.default is None


@dataclass(frozen=True)
class ForeignKey:
    table: str  # the referencing table
    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    checks: tuple[Check, ...]
    referenced_by: tuple[ForeignKey, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def checks_on(self, column: str) -> list[Check]:
        return [c for c in self.checks if c.column == column]

    def enum(self, column: str) -> tuple[str, ...] | None:
        return next((c.values for c in self.checks if c.kind == "enum" and c.column == column), None)


_ID = r'"?(\w+)"?'


_NUM = r"(-?\d+(?:\.\d+)?)"


_PATTERNS = [
    ("enum", re.compile(rf"^\({_ID} IN \((.*)\)\)$")),
    ("between", re.compile(rf"^\({_ID} BETWEEN {_NUM} AND {_NUM}\)$")),
    ("compare", re.compile(rf"^\({_ID} (>=|>|<=|<) {_NUM}\)$")),
    ("compare2", re.compile(rf"^\(\({_ID} (>=|>|<=|<) {_NUM}\) AND \({_ID} (>=|>|<=|<) {_NUM}\)\)$")),
    ("after", re.compile(rf"^\({_ID} >= {_ID}\)$")),
    ("requires", re.compile(rf"^\(\({_ID} IS NULL\) OR \({_ID} IS NOT NULL\)\)$")),
    ("equiv", re.compile(rf"^\(\({_ID} = {_NUM}\) = \({_ID} = '(\w+)'\)\)$")),
    ("first_of_month", re.compile(rf'^\("?day"?\({_ID}\) = 1\)$')),
    ("masked", re.compile(rf"^contains\({_ID}, '\*'\)$")),
    ("pattern", re.compile(rf"^\(\({_ID} IS NULL\) OR regexp_full_match\({_ID}, '(.*)'\)\)$")),
]


def _bound(check: dict, op: str, number: str) -> None:
    if op.startswith(">"):
        check.update(low=float(number), low_inclusive=op == ">=")
    else:
        check.update(high=float(number), high_inclusive=op == "<=")


def parse_check(expression: str, columns: list[str]) -> Check:
    """Describe a CHECK expression as one of the kinds the importer explains in words."""
    for kind, pattern in _PATTERNS:
        m = pattern.match(expression)
        if not m:
            continue
        g = m.groups()
        if kind == "enum":
            return Check("enum", g[0], expression, values=tuple(re.findall(r"'([^']*)'", g[1])))
        if kind == "between":
            return Check("range", g[0], expression, low=float(g[1]), high=float(g[2]))
        if kind == "compare":
            spec: dict = {}
            _bound(spec, g[1], g[2])
            return Check("range", g[0], expression, **spec)
        if kind == "compare2" and g[0] == g[3]:
            spec = {}
            _bound(spec, g[1], g[2])
            _bound(spec, g[4], g[5])
            return Check("range", g[0], expression, **spec)
        if kind == "after":
            return Check("after", g[0], expression, other=g[1])
        if kind == "requires":
            # "b must be filled when a is": the problem is the missing b.
            return Check("requires", g[1], expression, other=g[0])
        if kind == "equiv":
            return Check("equiv", g[0], expression, other=g[2], values=(g[1], g[3]))
        if kind == "first_of_month":
            return Check("first_of_month", g[0], expression)
        if kind == "masked":
            return Check("masked", g[0], expression)
        if kind == "pattern" and g[0] == g[1]:
            return Check("pattern", g[0], expression, values=(g[2],))
    return Check("other", columns[0], expression)


@lru_cache(maxsize=1)
def schema() -> dict[str, TableSpec]:
    """Every table of schema.sql as a TableSpec, read from DuckDB's catalogue of a scratch database."""
    con = duckdb.connect()
    try:
        db.create_schema(con)
        cols = con.execute(
            "SELECT table_name, column_name, data_type, NOT is_nullable, column_default "
            "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
        cons = con.execute(
            "SELECT table_name, constraint_type, expression, constraint_column_names, referenced_table, "
            "referenced_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
            "ORDER BY table_name, constraint_index"
        ).fetchall()
    finally:
        con.close()
    columns: dict[str, list[Column]] = {}
    for table, name, dtype, not_null, default in cols:
        columns.setdefault(table, []).append(Column(name, dtype, bool(not_null), default))
    pks: dict[str, tuple[str, ...]] = {}
    fks: dict[str, list[ForeignKey]] = {}
    checks: dict[str, list[Check]] = {}
    for table, kind, expression, names, ref_table, ref_names in cons:
        if kind == "PRIMARY KEY":
            pks[table] = tuple(names)
        elif kind == "FOREIGN KEY":
            if len(names) != 1:
                raise NotImplementedError(f"composite foreign key on {table}")
            fks.setdefault(table, []).append(ForeignKey(table, names[0], ref_table, ref_names[0]))
        elif kind == "CHECK":
            checks.setdefault(table, []).append(parse_check(expression, list(names)))
    specs = {}
    for table, table_columns in columns.items():
        referenced_by = tuple(fk for fk_list in fks.values() for fk in fk_list if fk.ref_table == table)
        specs[table] = TableSpec(
            table,
            tuple(table_columns),
            pks.get(table, ()),
            tuple(fks.get(table, [])),
            tuple(checks.get(table, [])),
            referenced_by,
        )
    return specs


def table_spec(table: str) -> TableSpec:
    """The contract of one table (KeyError for a name that is not a table)."""
    return schema()[table]


def code_words(table: str, column: str) -> dict[str, str]:
    """What a file may write for a coded column -> the code: the code itself, its zh and en labels."""
    spec = table_spec(table)
    codes = list(spec.enum(column) or ())
    section = contracts.code_section(table, column)
    words: dict[str, str] = {}
    for lang in i18n.LANGUAGES:
        if not section:
            break
        prefix = f"{section}."
        for key, text in i18n.strings(lang).items():
            if key.startswith(prefix):
                code = key[len(prefix) :]
                if not codes or code in codes:
                    words.setdefault(text.strip().lower(), code)
    for code in codes:
        words[code.lower()] = code
    return words


def normalise(text: str) -> str:
    """A header or label compared loosely: NFKC (full-width brackets), no spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(text)).strip().rstrip("*").strip()
    return re.sub(r"\s+", "", text).lower()


def header_words(table: str) -> dict[str, str]:
    """Every header a file may use for a column of table -> the column name."""
    words: dict[str, str] = {}
    for col in table_spec(table).columns:
        words[normalise(col.name)] = col.name
        for lang in ("zh", "en"):
            label = i18n.strings(lang).get(f"col.{col.name}")
            if label:
                words.setdefault(normalise(label), col.name)
    return words


def column_label(column: str, lang: str) -> str:
    return i18n.strings(lang).get(f"col.{column}", column)


def quote(identifier: str) -> str:
    """A schema identifier, quoted; anything else is refused."""
    if not re.fullmatch(r"\w+", identifier):
        raise ValueError(f"not an identifier: {identifier!r}")
    return f'"{identifier}"'


def raw_column(column: str) -> str:
    return quote(f"_raw_{column}")


DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def key_match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in spec.primary_key)
