"""UI strings in Simplified Chinese (default) and English, from locales/<lang>/*.toml.

Each area of the app keeps its own file (locales/zh/common.toml, locales/zh/renovation.toml, ...);
the files of one language are merged, and a key is its section and name: "nav.overview".
"""

from __future__ import annotations

import re
import string
import tomllib
from functools import cache

from oversight import settings

LANGUAGES = ("zh", "en")


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            _flatten(key, v, out)
        else:
            out[key] = str(v)


def defined_twice(lang: str) -> dict[str, list[str]]:
    """Keys that more than one file of a language defines (the last file read would win), with the files."""
    where: dict[str, list[str]] = {}
    for path in sorted((settings.LOCALE_DIR / lang).glob("*.toml")):
        with open(path, "rb") as f:
            keys: dict[str, str] = {}
            _flatten("", tomllib.load(f), keys)
        for key in keys:
            where.setdefault(key, []).append(path.name)
    return {k: files for k, files in where.items() if len(files) > 1}


@cache
def strings(lang: str) -> dict[str, str]:
    """Every string of one language, keyed 'section.name'."""
    out: dict[str, str] = {}
    for path in sorted((settings.LOCALE_DIR / lang).glob("*.toml")):
        with open(path, "rb") as f:
            _flatten("", tomllib.load(f), out)
    return out


# A value that reads as exactly one: 1, "1", "1 item"; not 1.0, "1,200", "10".
_ONE = re.compile(r"\s*1(?![\d.,])")


class _Counts(string.Formatter):
    """str.format, and the words that follow a count: "{rows} {rows:row|rows}" reads "1 row", "1,200 rows",
    and "{n:was|were}" agrees with it (English only: Chinese has no plural). So no format spec of these
    strings may hold "|" for anything else."""

    def format_field(self, value, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if _ONE.match(str(value)) else other
        return super().format_field(value, format_spec)


_COUNTS = _Counts()


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The string for key in lang; a missing key shows itself, so it is seen and fixed."""
    text = strings(lang).get(key, key)
    if not fmt:
        return text
    return _COUNTS.vformat(text, (), fmt) if "|" in text else text.format(**fmt)


def label(section: str, value, lang: str) -> str:
    """A code's label (a stage, category, channel...); values without one show as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = str(value).lower()
    return strings(lang).get(f"{section}.{value}", str(value))


@cache
def codes(section: str, lang: str) -> dict[str, str]:
    """Every code of a section with its label: {"done": "完成", ...}. Shared: read it, never change it
    (every table and chart labels its codes with it, on every first draw of its rows)."""
    prefix = section + "."
    return {
        k[len(prefix) :]: v for k, v in strings(lang).items() if k.startswith(prefix) and "." not in k[len(prefix) :]
    }
