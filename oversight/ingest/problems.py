"""What an import reports: each problem (row, column, value, what was expected, in the user's
language), the result of an attempt, and the words that explain each rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from oversight import contracts, i18n, settings
from oversight.ingest.catalogue import (
    DECIMAL,
    FALSE_WORDS,
    TRUE_WORDS,
    Check,
    Column,
    TableSpec,
    column_label,
    normalise,
    table_spec,
)


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (row as a spreadsheet shows it, header = row 1; None = the whole
    file), the column, the value found and what was expected, in the UI language."""

    row: int | None
    column: str  # the contract column, or the file's header for a column the contract lacks
    header: str  # the column as the file calls it (its label when the file lacks it)
    letter: str  # the spreadsheet column letter, "" when the file lacks the column
    value: str
    expected: str
    rule: str

    def line(self, lang: str = "zh") -> str:
        """The problem as one line of text."""
        if self.row is None:
            return i18n.t(
                "import.problem_line_file", lang, where=i18n.t("import.where_file", lang), message=self.expected
            )
        elif not self.header and self.letter:
            where = i18n.t("import.where_letter", lang, row=self.row, letter=self.letter)
        elif not self.header:
            where = i18n.t("import.where_row", lang, row=self.row)
        else:
            col = self.header if normalise(self.header) == normalise(self.column) else f"{self.header} ({self.column})"
            label = i18n.t(f"col.{self.column}", lang)
            if normalise(self.header) == normalise(self.column) and label != f"col.{self.column}" and lang == "zh":
                col = f"{self.header}（{label}）"  # an English header still gets its Chinese name
            key = "import.where_cell" if self.letter else "import.where_column"
            where = i18n.t(key, lang, row=self.row, letter=self.letter, column=col)
        if self.value:
            return i18n.t("import.problem_line", lang, where=where, value=self.value, expected=self.expected)
        return i18n.t("import.problem_line_empty", lang, where=where, expected=self.expected)


@dataclass
class ImportResult:
    """What an import did: ok with added/replaced counts, or the problems that stopped it."""

    ok: bool
    table: str
    file_name: str
    file_sha256: str = ""
    rows: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0  # of the replaced rows, those identical to what was there
    deleted: int = 0  # rows a --replace import removed (in scope, absent from the file)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    import_id: str = ""
    data_version: str | None = None
    message: str = ""
    seconds: float = 0.0


def is_lock_error(error: BaseException) -> bool:
    """Whether opening the database failed because another process (the dashboard) holds it."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def _field_label(column: str, lang: str) -> str:
    label = i18n.t(f"col.{column}", lang)
    return column if label == f"col.{column}" or not column else f"{label}（{column}）" if lang == "zh" else label


def problems_frame(problems: list[Problem], lang: str = "zh") -> pd.DataFrame:
    """The problems as a table to show and download, with headers in lang."""
    return pd.DataFrame(
        {
            i18n.t("import.th_row", lang): [p.row if p.row is not None else "" for p in problems],
            i18n.t("import.th_column", lang): [
                (f"{p.letter} " if p.letter else "") + (p.header or "") for p in problems
            ],
            i18n.t("import.th_field", lang): [_field_label(p.column, lang) for p in problems],
            i18n.t("import.th_value", lang): [p.value for p in problems],
            i18n.t("import.th_expected", lang): [p.expected for p in problems],
        }
    )


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def type_expectation(spec: TableSpec, col: Column, lang: str) -> str:
    """What a cell of this column must look like, in words."""
    t = col.type
    if t == "BOOLEAN":
        return i18n.t(
            "import.expected_boolean", lang, words="、".join(TRUE_WORDS[:3]) + " / " + "、".join(FALSE_WORDS[:3])
        )
    if t in ("INTEGER", "BIGINT"):
        return i18n.t("import.expected_integer", lang)
    if t == "DOUBLE":
        return i18n.t("import.expected_number", lang)
    m = DECIMAL.fullmatch(t)
    if m:
        return i18n.t("import.expected_decimal", lang, scale=m.group(2))
    if t == "DATE":
        if contracts.is_month(spec.name, col.name):
            return i18n.t("import.expected_month", lang)
        return i18n.t("import.expected_date", lang)
    if t == "TIMESTAMP":
        return i18n.t("import.expected_timestamp", lang)
    return i18n.t("import.expected_text", lang)


def code_list(table: str, column: str, lang: str) -> str:
    """The allowed codes of a column, each with its label."""
    section = contracts.code_section(table, column)
    parts = []
    for code in table_spec(table).enum(column) or ():
        label = i18n.label(section, code, lang) if section else code
        parts.append(code if label == code else i18n.t("import.code_with_label", lang, code=code, label=label))
    sep = "、" if lang == "zh" else ", "
    return sep.join(parts)


def _range_text(check: Check, lang: str) -> str:
    lo = None if check.low is None else _number(check.low)
    hi = None if check.high is None else _number(check.high)
    if lo is not None and hi is not None:
        if check.low_inclusive and check.high_inclusive:
            return i18n.t("import.range_between", lang, low=lo, high=hi)
        return i18n.t("import.range_above_upto", lang, low=lo, high=hi)
    if lo is not None:
        return i18n.t("import.range_min" if check.low_inclusive else "import.range_above", lang, low=lo)
    return i18n.t("import.range_max" if check.high_inclusive else "import.range_below", lang, high=hi)


def check_expectation(spec: TableSpec, check: Check, lang: str, detail: str | None = None) -> str:
    """What a CHECK asks for, in words (detail: the other column's value, where there is one)."""
    other = column_label(check.other, lang) if check.other else ""
    if check.kind == "enum":
        return i18n.t("import.expected_enum", lang, codes=code_list(spec.name, check.column, lang))
    if check.kind == "range":
        return _range_text(check, lang)
    if check.kind == "after":
        if detail:
            return i18n.t("import.expected_after_value", lang, other=other, value=detail)
        return i18n.t("import.expected_after", lang, other=other)
    if check.kind == "requires":
        return i18n.t("import.expected_requires", lang, other=other)
    if check.kind == "equiv":
        number, code = check.values
        section = contracts.code_section(spec.name, check.other or "")
        code_label = i18n.label(section, code, lang) if section else code
        if detail:
            shown = i18n.label(section, detail, lang) if section else detail
            return i18n.t("import.expected_equiv_value", lang, number=number, other=other, code=code_label, value=shown)
        return i18n.t("import.expected_equiv", lang, number=number, other=other, code=code_label)
    if check.kind == "first_of_month":
        return i18n.t("import.expected_first_of_month", lang)
    if check.kind == "masked":
        return i18n.t("import.expected_masked", lang)
    if check.kind == "pattern":
        example = {r"\d{4}-\d{2}": "2021-10"}.get(check.values[0], check.values[0])
        return i18n.t("import.expected_pattern", lang, example=example)
    return i18n.t("import.expected_check", lang, expression=check.expression)


# Rules whose expectation is one locale string: rule -> (its key under [import], the name it gives
# the problem's detail, if it shows it).
_SAID_ONCE: dict[str, tuple[str, str | None]] = {
    "required": ("expected_required", None),
    "duplicate": ("expected_unique", "row"),
    "scope": ("expected_scope", None),
    "own_community": ("expected_own_community", None),
    "scope_existing": ("expected_scope_existing", None),
    "example_row": ("expected_not_example", None),
    "replace_referenced": ("expected_not_referenced", "refs"),
    "item_compound": ("expected_item_compound", "compound"),
    "missing_column": ("expected_column_present", None),
    "unknown_column": ("expected_known_column", None),
    "duplicate_column": ("expected_column_once", "header"),
    "blank_header": ("expected_header", None),
    "extra_cells": ("expected_no_extra", None),
}


def expected_text(spec: TableSpec, rule: str, column: str, detail: str | None, lang: str) -> str:
    t = i18n.t
    if rule == "type":
        return type_expectation(spec, spec.column(column), lang)
    if rule.startswith("check:"):
        return check_expectation(spec, spec.checks[int(rule[6:])], lang, detail)
    if rule == "reference":
        fk = next(f for f in spec.foreign_keys if f.column == column)
        return t("import.expected_reference", lang, table=t(f"data.table_{fk.ref_table}", lang))
    if rule == "referenced_change":
        return t("import.expected_keep", lang, value=detail or t("import.empty_value", lang))
    if rule == "points_rule":
        return t("import.expected_points", lang, per_hour=_number(settings.points_per_hour()))
    if rule == "balance":
        volunteer, day, balance = (detail or "||").split("|")
        return t("import.expected_balance", lang, volunteer=volunteer, day=day, balance=balance)
    if rule in _SAID_ONCE:
        key, name = _SAID_ONCE[rule]
        return t(f"import.{key}", lang, **({name: detail} if name else {}))
    return t(f"import.file_{rule}", lang)


def problem(row, column, header, letter, value, rule, expected) -> Problem:
    return Problem(row, column or "", header or "", letter or "", "" if value is None else str(value), expected, rule)
