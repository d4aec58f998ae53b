"""Settings in one place, each overridable by an OVERSIGHT_* environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"OVERSIGHT_{name}", default)


def db_path() -> Path:
    """The DuckDB file: OVERSIGHT_DB, default data/oversight.duckdb (read at call time)."""
    return Path(_env("DB", str(ROOT / "data" / "oversight.duckdb")))


def default_language() -> str:
    lang = _env("LANG", "zh")
    return lang if lang in ("zh", "en") else "zh"


def upload_limit_mb() -> int:
    return int(_env("UPLOAD_LIMIT_MB", "200"))


def points_per_hour() -> float:
    return float(_env("POINTS_PER_HOUR", "1"))


def snapshot_dir() -> Path:
    return Path(_env("SNAPSHOT_DIR", str(ROOT / "data" / "snapshots")))


def score_weights() -> dict[str, float]:
    """综合得分 weights of 响应率, 解决率, 满意率 (OVERSIGHT_SCORE_WEIGHTS, default 0.1,0.45,0.45,
    as 接诉即办 assessments weigh them); they are scaled to sum to 1. Named as the queries' parameters
    and the locale strings that show them call them."""
    parts = [float(x) for x in _env("SCORE_WEIGHTS", "0.1,0.45,0.45").split(",")]
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise ValueError("OVERSIGHT_SCORE_WEIGHTS: three non-negative numbers, e.g. 0.1,0.45,0.45")
    names = ("w_response", "w_resolution", "w_satisfaction")
    return {name: p / sum(parts) for name, p in zip(names, parts, strict=True)}


def ranking_min_rated() -> int:
    """Rated requests (回访) a compound, community or company needs before it is ranked."""
    return int(_env("RANKING_MIN_RATED", "10"))


def ranking_size() -> int:
    """How many make the top (红榜) and the bottom (黑榜) lists."""
    return int(_env("RANKING_SIZE", "3"))


def time_limit_days() -> int:
    """办理时限 in days for a request whose row gives none."""
    return int(_env("TIME_LIMIT_DAYS", "15"))


def query_settings() -> dict:
    """The settings queries may name as parameters ($w_response, $min_rated, ...)."""
    return {
        **score_weights(),
        "min_rated": ranking_min_rated(),
        "ranking_size": ranking_size(),
        "default_time_limit_days": time_limit_days(),
        "satisfaction_line": satisfaction_line(),
    }


DEMO_DIR = ROOT / "data" / "demo"
QUERY_DIR = ROOT / "queries"
LOCALE_DIR = ROOT / "locales"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"


def accounts_path() -> Path:
    """Accounts live apart from the imported data, so rebuilding the data never drops one."""
    return Path(_env("ACCOUNTS", str(ROOT / "data" / "accounts.sqlite")))


def idle_minutes() -> float:
    return float(_env("IDLE_MINUTES", "30"))


def keep_versions() -> int:
    """How many versions of the data are kept (each a full copy: disk = versions x database size)."""
    return max(1, int(_env("KEEP_VERSIONS", "30")))


def write_wait_seconds() -> float:
    """How long a write waits for another one to finish before it is refused."""
    return float(_env("WRITE_WAIT_SECONDS", "60"))


def satisfaction_line() -> float:
    """满意率 below this line (0-1) puts a compound on 总览's 需要关注 and opens a 督办 case."""
    return float(_env("SATISFACTION_LINE", "0.8"))


def compound_list_max() -> int:
    """The most compounds the 小区 filter lists before a 社区 is chosen; past it, it waits for one."""
    return int(_env("COMPOUND_LIST_MAX", "500"))


def retire_seconds() -> float:
    """A superseded version stays open this long after its last use, so a rerun still reading it finishes."""
    return float(_env("RETIRE_SECONDS", "60"))


LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 60


def xlsx_unpacked_limit_mb() -> int:
    """The most an XLSX may unpack to, checked from its zip directory before it is opened."""
    return int(_env("XLSX_UNPACKED_LIMIT_MB", "150"))


def trusted_proxies() -> tuple[str, ...]:
    """Peers whose X-Forwarded-For is believed (comma-separated): OVERSIGHT_TRUSTED_PROXIES."""
    return tuple(a.strip() for a in _env("TRUSTED_PROXIES", "127.0.0.1").split(",") if a.strip())


def audit_path() -> Path:
    """The audit log, an SQLite file of its own: OVERSIGHT_AUDIT, default data/audit.sqlite."""
    return Path(_env("AUDIT", str(ROOT / "data" / "audit.sqlite")))


def session_hours() -> float:
    """A signed-in session's absolute lifetime, however active: OVERSIGHT_SESSION_HOURS."""
    return float(_env("SESSION_HOURS", "12"))


def exports_at_once() -> int:
    """How many CSV downloads the server makes at the same time: OVERSIGHT_EXPORTS_AT_ONCE."""
    return max(1, int(_env("EXPORTS_AT_ONCE", "2")))


def export_stall_seconds() -> float:
    """How long a download may wait for the browser to take the next megabyte before it is dropped
    (a reader that stalls would hold a place for exports at once): OVERSIGHT_EXPORT_STALL_SECONDS."""
    return float(_env("EXPORT_STALL_SECONDS", "30"))


def export_wait_seconds() -> float:
    """How long a download waits for a free place before it is refused as busy: OVERSIGHT_EXPORT_WAIT_SECONDS."""
    return float(_env("EXPORT_WAIT_SECONDS", "20"))
