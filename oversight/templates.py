"""Import templates: one per table, as CSV (BOM, Chinese headers, one example row) or XLSX
(sheet 1 the same, sheet 2 explaining each column: name, Chinese header, type, required,
allowed values or range, meaning). The example row's first cell starts with ingest.EXAMPLE_MARK, so a
template uploaded with its example left in is refused, naming the row to delete.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from oversight import contracts, fmt, i18n, ingest
from oversight.export import BOM, neutralise


def _example(table: str) -> dict[str, object]:
    row = contracts.example_row(table)
    # The first cell carries the example mark: an import refuses the row until it is replaced.
    first = ingest.table_spec(table).column_names[0]
    row[first] = f"{ingest.EXAMPLE_MARK}{row[first]}"
    return row


def headers(table: str) -> list[str]:
    """The template's headers: each column's Chinese label."""
    return [ingest.column_label(c, "zh") for c in ingest.table_spec(table).column_names]


def _check_table(table: str) -> None:
    if table not in contracts.BY_TABLE:
        raise KeyError(table)


def csv_template(table: str) -> bytes:
    """The CSV template: UTF-8 with BOM, Chinese headers, one example row."""
    _check_table(table)
    spec = ingest.table_spec(table)
    row = _example(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers(table)])
    writer.writerow([neutralise(fmt.cell(row.get(c))) for c in spec.column_names])
    return (BOM + out.getvalue()).encode("utf-8")


def _type_text(table: str, col: ingest.Column, lang: str) -> str:
    t = col.type
    if contracts.is_month(table, col.name):
        key = "month"
    elif t == "VARCHAR":
        key = "text"
    elif t in ("INTEGER", "BIGINT"):
        key = "integer"
    elif t == "DOUBLE":
        key = "number"
    elif t.startswith("DECIMAL"):
        key = "money"
    else:
        key = t.lower()
    return i18n.t(f"template.type_{key}", lang)


def column_help(table: str, lang: str = "zh") -> pd.DataFrame:
    """One row per column: name, Chinese header, type, required, allowed values or range, meaning."""
    _check_table(table)
    spec = ingest.table_spec(table)
    sep = "；" if lang == "zh" else "; "
    rows = []
    for col in spec.columns:
        allowed: list[str] = []
        if col.name in spec.primary_key:
            allowed.append(i18n.t("template.key_note", lang))
        for fk in spec.foreign_keys:
            if fk.column == col.name:
                allowed.append(
                    i18n.t("template.reference_note", lang, table=i18n.t(f"data.table_{fk.ref_table}", lang))
                )
        if col.type == "BOOLEAN":
            allowed.append(ingest.type_expectation(spec, col, lang))
        for check in spec.checks_on(col.name):
            allowed.append(ingest.check_expectation(spec, check, lang))
        section = contracts.code_section(table, col.name)
        if section and not spec.enum(col.name):
            words = ingest.code_words(table, col.name)
            codes = sorted(set(words.values()))
            allowed.append(
                ("、" if lang == "zh" else ", ").join(
                    i18n.t(
                        "import.code_with_label",
                        lang,
                        code=c,
                        label=i18n.label(section, c, lang),
                    )
                    for c in codes
                )
            )
        rows.append(
            {
                i18n.t("template.th_name", lang): col.name,
                i18n.t("template.th_label", lang): ingest.column_label(col.name, "zh"),
                i18n.t("template.th_type", lang): _type_text(table, col, lang),
                i18n.t("template.th_required", lang): i18n.t("template.yes" if col.required else "template.no", lang),
                i18n.t("template.th_allowed", lang): sep.join(allowed),
                i18n.t("template.th_meaning", lang): _meaning(table, col.name, lang),
            }
        )
    return pd.DataFrame(rows)


def _meaning(table: str, column: str, lang: str) -> str:
    """The column's meaning: the table's own wording where a column name means different things."""
    strings = i18n.strings(lang)
    return strings.get(f"template.meaning.{table}.{column}") or i18n.t(f"template.meaning.{column}", lang)


def _list_choices(table: str, col: ingest.Column) -> list[str] | None:
    """The drop-down choices of a coded or yes/no column (Chinese labels)."""
    if col.type == "BOOLEAN":
        return ["是", "否"]
    spec = ingest.table_spec(table)
    section = contracts.code_section(table, col.name)
    codes = spec.enum(col.name)
    if codes and section:
        return [i18n.label(section, c, "zh") for c in codes]
    return None


def xlsx_template(table: str, lang: str = "zh") -> bytes:
    """The XLSX template: sheet 1 headers and example row (with drop-downs for coded columns),
    sheet 2 the column explanations in lang."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    _check_table(table)
    spec = ingest.table_spec(table)
    row = _example(table)
    book = Workbook()
    data = book.active
    data.title = i18n.t("template.sheet_data", lang)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F1EFE9")
    for j, (col, header) in enumerate(zip(spec.columns, headers(table), strict=True), start=1):
        cell = data.cell(row=1, column=j, value=header)
        cell.font = bold
        cell.fill = fill
        value = row.get(col.name)
        example = data.cell(row=2, column=j, value=value if value is not None else None)
        if isinstance(value, datetime):
            example.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, date):
            example.number_format = "yyyy-mm-dd"
        elif col.type == "VARCHAR":
            example.number_format = "@"
        letter = get_column_letter(j)
        data.column_dimensions[letter].width = max(12, min(30, len(header) * 2 + 4))
        choices = _list_choices(table, col)
        if choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not col.not_null)
            data.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}100000")
    data.freeze_panes = "A2"

    help_sheet = book.create_sheet(i18n.t("template.sheet_help", lang))
    frame = column_help(table, lang)
    help_sheet.append(list(frame.columns))
    for cell in help_sheet[1]:
        cell.font = bold
        cell.fill = fill
    for values in frame.itertuples(index=False):
        help_sheet.append(list(values))
    for j, width in enumerate((22, 18, 16, 8, 60, 40), start=1):
        help_sheet.column_dimensions[get_column_letter(j)].width = width
    for cells in help_sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_bytes(table: str, kind: str, lang: str = "zh") -> bytes:
    """The template of table as csv or xlsx bytes."""
    if kind == "csv":
        return csv_template(table)
    if kind == "xlsx":
        return xlsx_template(table, lang)
    raise ValueError(kind)


def file_name(table: str, kind: str, lang: str = "zh") -> str:
    """The download name, e.g. 居民诉求模板.xlsx."""
    title = i18n.t("template.readme_title", lang, table=i18n.t(f"data.table_{table}", lang))
    return f"{title.replace(' ', '_')}.{kind}"


def write_template(table: str, out: Path | str, lang: str = "zh") -> Path:
    """Write the template to out; .csv or .xlsx by its ending."""
    out = Path(out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        raise ValueError(i18n.t("template.unsupported", lang, csv=".csv", xlsx=".xlsx"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(template_bytes(table, kind, lang))
    return out
