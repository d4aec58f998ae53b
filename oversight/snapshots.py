"""Dated snapshots: every table restricted to a set of compounds, as Excel-safe CSV in a zip with
a manifest; saved under settings.snapshot_dir(), listed, and compared two at a time.

Each table is written by DuckDB (COPY of queries/snapshot_<table>.sql to a temporary file) and
streamed into the zip behind a BOM and a labelled header, so a large table never sits in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from oversight import contracts, db, fmt, i18n, ingest, metrics, rollups, settings
from oversight.export import BOM, neutralise
from oversight.filters import Filter, add_months, month_start, scope

FORMAT = "oversight-snapshot/1"
MANIFEST = "manifest.json"
# Text cells starting with these are prefixed with an apostrophe (as export.neutralise does).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The query writing each table into a snapshot: the import contract's tables (each names its own),
# then the app's own meta and 督办 ledger; the import log is left out.
QUERIES = {
    **{c.table: c.snapshot for c in contracts.CONTRACTS},
    **{t: f"snapshot_{t}" for t in ("meta", "supervision_cases", "supervision_events")},
}
TABLES = list(QUERIES)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _neutralised_select(table: str) -> str:
    """The table's snapshot query, with text cells made safe for Excel."""
    spec = ingest.table_spec(table)
    starts = ", ".join(_sql_string(c) for c in _FORMULA_START)
    columns = []
    for col in spec.columns:
        name = f'"{col.name}"'
        if col.type == "VARCHAR":
            columns.append(f"CASE WHEN left({name}, 1) IN ({starts}) THEN '''' || {name} ELSE {name} END AS {name}")
        else:
            columns.append(name)
    return f"SELECT {', '.join(columns)} FROM ({db.query_text(QUERIES[table])}) q"  # noqa: S608


def _header_line(table: str, lang: str) -> str:
    labels = [neutralise(ingest.column_label(c, lang)) for c in ingest.table_spec(table).column_names]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(labels)
    return out.getvalue()


def compound_ids_for(
    con: duckdb.DuckDBPyConnection, communities: list[str] | None = None, compounds: list[str] | None = None
) -> list[str]:
    """The compound ids of the chosen communities and compounds (all when none is chosen)."""
    frame = db.run("snapshot_compounds_scope", con)
    return scope(frame, Filter(communities=tuple(communities or ()), compounds=tuple(compounds or ())))


def write_snapshot(
    out: Path | str,
    compound_ids: list[str] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    filters: dict | None = None,
    created_by: str = "",
    lang: str = "zh",
) -> dict:
    """Write a snapshot zip of every table restricted to compound_ids to out and return its manifest.

    compound_ids None means everything, even rows of places no compound refers to. filters (e.g.
    {"communities": [...], "compounds": [...]}) is recorded as given. All tables are read in one
    transaction, so an import committing meanwhile is either wholly in the snapshot or not at all.
    """
    con = con or db.connect()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute("BEGIN TRANSACTION")
    try:
        return _write_snapshot(con, out, compound_ids, filters, created_by, lang)
    finally:
        con.execute("ROLLBACK")  # the transaction only read


def _write_snapshot(con, out: Path, compound_ids, filters, created_by: str, lang: str) -> dict:
    whole = compound_ids is None
    ids = db.all_compound_ids(con) if whole else list(compound_ids)
    meta = db.meta(con)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "created_by": created_by,
        "as_of": meta.get("as_of"),
        "data_version": meta.get("data_version"),
        "lang": lang,
        "filters": filters or {},
        "compound_ids": ids,
        "files": [],
    }
    work = Path(tempfile.mkdtemp(prefix="snapshot-"))
    partial = out.with_name(out.name + f".{uuid.uuid4().hex[:8]}.part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for table in TABLES:
                manifest["files"].append(_write_table(con, zf, work, table, ids, whole, lang))
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _write_table(con, zf: zipfile.ZipFile, work: Path, table: str, ids: list[str], whole: bool, lang: str) -> dict:
    tmp = work / f"{table}.csv"
    query = _neutralised_select(table)
    given = {"compound_ids": ids, "all_compounds": whole}
    params = {k: v for k, v in given.items() if f"${k}" in query}
    params["copy_target"] = str(tmp)
    rows = con.execute(
        f"COPY ({query}) TO $copy_target "
        "(FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', "
        "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')",
        params,
    ).fetchone()[0]
    digest = hashlib.sha256()
    size = 0
    name = f"{table}.csv"
    with zf.open(name, "w", force_zip64=True) as member:
        head = (BOM + _header_line(table, lang)).encode("utf-8")
        for chunk in _chunks(head, tmp):
            member.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return {
        "file": name,
        "table": table,
        "rows": int(rows),
        "bytes": size,
        "sha256": digest.hexdigest(),
        "columns": ingest.table_spec(table).column_names,
    }


def _chunks(head: bytes, path: Path):
    yield head
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            yield chunk


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")[:40]


def save_snapshot(
    compound_ids: list[str] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    filters: dict | None = None,
    created_by: str = "",
    lang: str = "zh",
    directory: Path | None = None,
) -> Path:
    """Write a snapshot into settings.snapshot_dir() (or directory) under a new name; return its path."""
    con = con or db.connect()
    directory = Path(directory or settings.snapshot_dir())
    as_of = db.meta(con).get("as_of", "")
    scope_word = "all" if compound_ids is None else f"{len(compound_ids)}c"
    name = f"snapshot_{_safe(as_of)}_{datetime.now():%Y%m%d-%H%M%S}_{scope_word}_{uuid.uuid4().hex[:6]}.zip"
    path = directory / name
    write_snapshot(path, compound_ids, con=con, filters=filters, created_by=created_by, lang=lang)
    return path


def read_manifest(path: Path | str) -> dict:
    """The manifest of a snapshot zip (ValueError when it is not one)."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (KeyError, zipfile.BadZipFile, json.JSONDecodeError, OSError) as e:
        raise ValueError(str(path)) from e
    if manifest.get("format") != FORMAT:
        raise ValueError(str(path))
    return manifest


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    name: str
    created_at: str
    created_by: str
    as_of: str
    data_version: str
    filters: dict
    compound_ids: tuple[str, ...]
    rows: int
    size_bytes: int

    @property
    def compounds(self) -> int:
        return len(self.compound_ids)


def list_snapshots(directory: Path | None = None) -> list[SnapshotInfo]:
    """Every snapshot saved in directory (default settings.snapshot_dir()), newest first."""
    directory = Path(directory or settings.snapshot_dir())
    found = []
    for path in directory.glob("*.zip") if directory.is_dir() else []:
        try:
            m = read_manifest(path)
        except ValueError:
            continue
        found.append(
            SnapshotInfo(
                path=path,
                name=path.name,
                created_at=m.get("created_at", ""),
                created_by=m.get("created_by", ""),
                as_of=m.get("as_of") or "",
                data_version=m.get("data_version") or "",
                filters=m.get("filters", {}),
                compound_ids=tuple(m.get("compound_ids", [])),
                rows=sum(f["rows"] for f in m.get("files", [])),
                size_bytes=path.stat().st_size,
            )
        )
    # Saved within the same second: the file's modification time breaks the tie.
    return sorted(found, key=lambda s: (s.created_at, s.path.stat().st_mtime_ns, s.name), reverse=True)


def verify(path: Path | str) -> list[str]:
    """The files of a snapshot whose row count or sha256 differs from its manifest (empty when all match)."""
    manifest = read_manifest(path)
    wrong = []
    with zipfile.ZipFile(path) as zf:
        for entry in manifest["files"]:
            digest = hashlib.sha256()
            with zf.open(entry["file"]) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
            with zf.open(entry["file"]) as member:
                text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                rows = sum(1 for _ in csv.reader(text)) - 1
            if digest.hexdigest() != entry["sha256"] or rows != entry["rows"]:
                wrong.append(entry["file"])
    return wrong


# --------------------------------------------------------------------------------------------
# Comparing two snapshots
# --------------------------------------------------------------------------------------------


def load(path: Path | str) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """An in-memory database holding a snapshot's tables (typed as in schema.sql), and its manifest;
    for a version of the data (a .duckdb file), that version opened read-only and a manifest like it."""
    if Path(path).suffix == ".duckdb":
        con = rollups.open_read_only(str(path))
        ids = [r[0] for r in con.execute("SELECT compound_id FROM compounds ORDER BY 1").fetchall()]
        return con, {**db.meta(con), "compound_ids": ids, "version": Path(path).stem}
    manifest = read_manifest(path)
    con = duckdb.connect()
    work = Path(tempfile.mkdtemp(prefix="snapshot-load-"))
    try:
        with zipfile.ZipFile(path) as zf:
            for entry in manifest["files"]:
                table = entry["table"]
                spec = ingest.table_spec(table)
                if entry["columns"] != spec.column_names:
                    raise ValueError(f"{path}: {table} columns differ from the schema")
                target = work / entry["file"]
                with zf.open(entry["file"]) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                _load_table(con, spec, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # The pages' figures read the roll-ups, as of the snapshot's own day.
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    if manifest.get("as_of"):
        con.execute("DELETE FROM meta WHERE key = 'as_of'")
        con.execute("INSERT INTO meta (key, value) VALUES ('as_of', $d)", {"d": str(manifest["as_of"])})
    rollups.rebuild(con)
    return con, manifest


def _load_table(con, spec: ingest.TableSpec, path: Path) -> None:
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in spec.column_names)
    select = []
    for col in spec.columns:
        name = f'"{col.name}"'
        if col.type == "VARCHAR":
            # Undo the apostrophe the snapshot put before formula-like text.
            select.append(
                f"CASE WHEN regexp_matches({name}, '^''[=+@\\t\\r-]') THEN substr({name}, 2) ELSE {name} END AS {name}"
            )
        else:
            select.append(f"TRY_CAST({name} AS {col.type}) AS {name}")
    con.execute(
        f'CREATE TABLE "{spec.name}" AS SELECT {", ".join(select)} FROM read_csv($path, '  # noqa: S608
        f"header = true, columns = {{{columns}}}, auto_detect = false, delim = ',', quote = '\"', escape = '\"')",
        {"path": str(path)},
    )


def _params(manifest: dict, compound_ids: list[str]) -> dict:
    """The dashboard's default period for a snapshot: the 12 months up to its as_of."""
    as_of = date.fromisoformat(manifest["as_of"]) if manifest.get("as_of") else date.today()
    end = month_start(as_of)
    flt = Filter(start=add_months(end, -11), end=end, as_of=as_of)
    return flt.params(compound_ids)


@dataclass
class Comparison:
    before: dict  # manifest
    after: dict
    figures: pd.DataFrame  # key, figure, before, after, change (formatted) and before_value, after_value
    items: pd.DataFrame  # renovation items whose stage or progress changed


def _figures(con, manifest: dict, compound_ids: list[str]) -> dict[str, object]:
    params = _params(manifest, compound_ids)
    values = {}
    rows: dict[str, pd.Series] = {}
    for key, metric in metrics.CATALOGUE.items():
        if metric.query not in rows:
            frame = db.run(metric.query, con, **params)
            rows[metric.query] = frame.iloc[0] if len(frame) else pd.Series(dtype=object)
        values[key] = metrics._plain(rows[metric.query].get(metric.column))
    return values


def compare(
    before: Path | str, after: Path | str, lang: str = "zh", compound_ids: list[str] | None = None
) -> Comparison:
    """Headline figures of two snapshots (or two versions of the data) side by side with the change,
    and the renovation items whose stage or progress changed between them. compound_ids narrows
    both (default: all they hold)."""
    before_con, before_manifest = load(before)
    after_con, after_manifest = load(after)
    try:
        ids = compound_ids
        if ids is None:
            ids = sorted(set(before_manifest.get("compound_ids", [])) | set(after_manifest.get("compound_ids", [])))
        old = _figures(before_con, before_manifest, ids)
        new = _figures(after_con, after_manifest, ids)
        rows = []
        for key, metric in metrics.CATALOGUE.items():
            rows.append(
                {
                    "key": key,
                    i18n.t("snapshot.figure", lang): i18n.t(f"metric.{key}", lang),
                    i18n.t("snapshot.before", lang): metrics.display(key, old[key], lang),
                    i18n.t("snapshot.after", lang): metrics.display(key, new[key], lang),
                    i18n.t("snapshot.change", lang): fmt.delta(metric.kind, new[key], old[key], lang) or "",
                    "before_value": old[key],
                    "after_value": new[key],
                }
            )
        figures = pd.DataFrame(rows)
        before_items = db.run("snapshot_compare_before_items", before_con, compound_ids=ids)
        after_con.register("before_items", before_items)
        items = db.run("snapshot_compare_items", after_con, compound_ids=ids)
        after_con.unregister("before_items")
        items = _label_items(items, lang)
    finally:
        before_con.close()
        after_con.close()
    return Comparison(before_manifest, after_manifest, figures, items)


def _label_items(items: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Stage codes and change kinds in words, headers in lang."""
    out = items.copy()
    for col in ("stage_before", "stage_after"):
        out[col] = out[col].map(lambda v: i18n.label("stage", v, lang) if isinstance(v, str) else "")
    out["status"] = out["status"].map(lambda v: i18n.t(f"snapshot.status_{v}", lang))
    return out.rename(
        columns={
            "item_id": ingest.column_label("item_id", lang),
            "compound_id": ingest.column_label("compound_id", lang),
            "compound": i18n.t("snapshot.compound", lang),
            "title": ingest.column_label("title", lang),
            "stage_before": i18n.t("snapshot.stage_before", lang),
            "stage_after": i18n.t("snapshot.stage_after", lang),
            "progress_before": i18n.t("snapshot.progress_before", lang),
            "progress_after": i18n.t("snapshot.progress_after", lang),
            "status": i18n.t("snapshot.status", lang),
        }
    )
