"""A dashboard server with the duration of every script run written to $BENCH_RUN_LOG (the benchmark only).

    python -m bench.serve streamlit run dashboard.py ...   (Streamlit's own server)
    python -m bench.serve oversight serve --db ... ...     (st.App under uvicorn, as a street office runs it)

bench/server.py starts it this way when given a run log: these lines are the server's part of a
page's time alone, whatever a browser then spends drawing it. The dashboard's code is not touched:
Streamlit's ScriptRunner is wrapped in this process before the server starts.
"""

import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

_lock = threading.Lock()
_original = ScriptRunner._run_script


def _timed(self, rerun_data):
    started = time.perf_counter()
    try:
        return _original(self, rerun_data)
    finally:
        line = f"{time.time():.3f} {time.perf_counter() - started:.4f} {rerun_data.page_script_hash or '-'}\n"
        with _lock, open(os.environ["BENCH_RUN_LOG"], "a", encoding="utf-8") as log:
            log.write(line)


if __name__ == "__main__":
    ScriptRunner._run_script = _timed
    program, args = sys.argv[1], sys.argv[2:]
    if program == "oversight":
        from oversight.__main__ import main as oversight_main

        sys.exit(oversight_main(args))
    from streamlit.web.cli import main

    sys.argv = ["streamlit", *args]
    main(prog_name="streamlit")
    sys.exit(0)
