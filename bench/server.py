"""The one launcher of a dashboard server on this machine, for the browser tests (tests/e2e) and the benchmark.

    server = Server(db_file, users={"e2e_admin": ("street_admin", ())}).start()
    ... server.url, server.port, server.passwords["e2e_admin"] ...
    server.stop()

It starts the dashboard on a free port of 127.0.0.1 against `db_file`, waits until Streamlit's health
route answers, and stops it. Two ways to run it:
- "serve": `python -m oversight serve`, the way a street office runs it (st.App under uvicorn, with the
  session cookie routes, security headers and /ready);
- "streamlit": `streamlit run dashboard.py`, Streamlit's own server.
With `run_log`, the server times every script run into that file (bench/serve.py wraps Streamlit's
ScriptRunner in the server's process; the dashboard's code is not touched).

Accounts: `users` are made in the accounts file with passwords made for this server only (kept in
`passwords`); a second process on the same data is given the first one's `passwords` instead.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOW = ("serve", "streamlit")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A dashboard process on 127.0.0.1: start(), url, port, passwords, log_file, stop()."""

    def __init__(
        self,
        db_file: Path,
        *,
        how: str = "serve",
        users: dict[str, tuple[str, tuple[str, ...] | list[str]]] | None = None,
        passwords: dict[str, str] | None = None,
        accounts: Path | None = None,
        snapshots: Path | None = None,
        run_log: Path | None = None,
        log_file: Path | None = None,
        env: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = 120,
    ):
        """db_file: the store (or file) served. users: {name: (role, community ids)} to (re)create with new
        passwords; passwords: the accounts another Server already made on this data (a second process).
        accounts, snapshots and log_file default to files beside db_file. env: more environment variables."""
        if how not in HOW:
            raise ValueError(f"how must be one of {HOW}, not {how!r}")
        self.db_file, self.how, self.timeout = Path(db_file), how, timeout
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder = self.db_file.parent
        self.accounts = accounts or folder / "accounts.sqlite"
        self.snapshots = snapshots or folder / "snapshots"
        self.run_log = run_log
        self.log_file = log_file or folder / f"server-{self.port}.log"
        self.users = dict(users or {})
        self.passwords = dict(passwords or {})
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self._log = None

    def command(self) -> list[str]:
        if self.how == "serve":
            program = ["oversight", "serve", "--db", str(self.db_file), "--port", str(self.port)]
        else:
            program = [
                "streamlit", "run", "dashboard.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", "--server.runOnSave", "false",
            ]  # fmt: skip
        if self.run_log is not None:
            return [sys.executable, "-m", "bench.serve", *program]
        if self.how == "serve":
            return [sys.executable, "-m", *program]
        return [sys.executable, "-m", "streamlit", *program[1:]]

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "OVERSIGHT_DB": str(self.db_file),
            "OVERSIGHT_SNAPSHOT_DIR": str(self.snapshots),
            "OVERSIGHT_ACCOUNTS": str(self.accounts),
            **self.extra_env,
        }
        if self.run_log is not None:
            env["BENCH_RUN_LOG"] = str(self.run_log)
        return env

    def make_accounts(self) -> None:
        """(Re)create `users`, each with a password made for this server only."""
        if not self.users:
            return
        from oversight import auth

        self.accounts.parent.mkdir(parents=True, exist_ok=True)
        for name, (role, communities) in self.users.items():
            self.passwords[name] = secrets.token_urlsafe(16)
            auth.remove_user(name, self.accounts)
            auth.add_user(name, role, self.passwords[name], list(communities), path=self.accounts)

    def start(self) -> Server:
        """Start the process and wait until it answers on /_stcore/health (RuntimeError with its log if not)."""
        self.make_accounts()
        if self.run_log is not None:
            self.run_log.unlink(missing_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.environment(), stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the dashboard ({self.how}) did not become healthy:\n" + self.log_text(4000))

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Terminate the process (killed if it has not ended within 20 s) and close its log."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self, tail: int | None = None) -> str:
        """What the process printed (its last `tail` characters)."""
        text = self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file.exists() else ""
        return text[-tail:] if tail else text

    def script_runs(self, since: float) -> list[float]:
        """Seconds of every script run the server finished after `since` (time.time()); needs run_log."""
        if self.run_log is None or not self.run_log.exists():
            return []
        runs = []
        for line in self.run_log.read_text(encoding="utf-8").splitlines():
            at, seconds, _ = line.split(" ", 2)
            if float(at) >= since:
                runs.append(float(seconds))
        return runs

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
