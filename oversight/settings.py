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


def score_weights() -> tuple[float, float, float]:
    """综合得分 weights of 响应率, 解决率, 满意率 (OVERSIGHT_SCORE_WEIGHTS, default 0.1,0.45,0.45,
    as 接诉即办 assessments weigh them); they are scaled to sum to 1."""
    parts = [float(x) for x in _env("SCORE_WEIGHTS", "0.1,0.45,0.45").split(",")]
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise ValueError("OVERSIGHT_SCORE_WEIGHTS: three non-negative numbers, e.g. 0.1,0.45,0.45")
    return tuple(p / sum(parts) for p in parts)  # type: ignore[return-value]


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
    w_response, w_resolution, w_satisfaction = score_weights()
    return {
        "w_response": w_response,
        "w_resolution": w_resolution,
        "w_satisfaction": w_satisfaction,
        "min_rated": ranking_min_rated(),
        "ranking_size": ranking_size(),
        "default_time_limit_days": time_limit_days(),
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


LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 60
