"""bench/pages.py: its AppTests share what a server's Runtime keeps once (components, compiled scripts)."""

from __future__ import annotations

import subprocess
import sys

from oversight import settings

CHECK = """
from streamlit.runtime.scriptrunner import script_cache
from streamlit.testing.v1 import AppTest

from bench.pages import prepare

compiled = []
original = script_cache.ScriptCache.get_bytecode


def counting(self, path):
    compiled.append((id(self), path))
    return original(self, path)


script_cache.ScriptCache.get_bytecode = counting
prepare()
apps = [AppTest.from_string("import streamlit as st\\nst.title('x')\\n") for _ in range(2)]
for at in apps:
    at.run()
    assert [t.value for t in at.title] == ["x"]
first, second = apps
assert first._bidi_component_manager is second._bidi_component_manager is not None
assert len({cache for cache, _ in compiled}) == 1, compiled  # one script cache for every AppTest
print("shared")
"""


def test_the_page_workers_apptests_share_one_component_registry_and_script_cache():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=settings.ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("shared")
