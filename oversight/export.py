"""Excel-safe CSV: UTF-8 with BOM (so Excel shows Chinese), labelled headers, no formula injection."""

from __future__ import annotations

import re

import pandas as pd

BOM = "\ufeff"
# Excel treats a cell that starts with these as a formula (tab and CR also start DDE payloads).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def neutralise(cell):
    """Prefix a text cell that Excel would run as a formula with an apostrophe."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """The frame as CSV bytes: BOM, headers renamed by `headers`, text cells neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    if headers:
        out = out.rename(columns=headers)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return (BOM + out.to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d %H:%M:%S")).encode("utf-8")


def file_name(page: str, filter_words: list[str], as_of: str) -> str:
    """page_filters_asof.csv, safe on every file system."""
    parts = [page, *filter_words[:4], f"截至{as_of}" if not page.isascii() else f"asof-{as_of}"]
    name = "_".join(_UNSAFE_FILE_CHARS.sub("-", p).strip("-") for p in parts if p)
    return name[:150] + ".csv"
