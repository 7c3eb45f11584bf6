"""Run a real Label Studio server (for tests and benchmarks): own data dir, free loopback port, token made at first start."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

READY_TIMEOUT_S = 240  # a fresh data dir migrates its database first: ~25 s idle, over a minute on a busy machine
POLL_S = 1.0
STOP_TIMEOUT_S = 20
STUDIO_BIN_ENV = "SCRAPESEG_STUDIO_BIN"
DEFAULT_BIN = Path(".venv-studio/bin/label-studio")
# Throw-away credentials of servers this module starts on loopback with a fresh data dir.
USERNAME = "admin@scrapeseg.test"
PASSWORD = "scrapeseg-admin-pass"
TOKEN = "scrapeseg0test0token0for0ci0runs0only"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StudioServer:
    """Start, stop and restart one `label-studio` process on a data dir of its own."""

    def __init__(self, binary: Path, data_dir: Path):
        if not binary.exists():
            raise FileNotFoundError(f"label-studio not found at {binary}; `make setup-studio` installs it into .venv-studio")
        self.binary = binary
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict:
        return {
            **os.environ,
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "LABEL_STUDIO_USERNAME": USERNAME,
            "LABEL_STUDIO_PASSWORD": PASSWORD,
            "LABEL_STUDIO_USER_TOKEN": TOKEN,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        }

    def start(self) -> None:
        """Start the server and wait until it answers our token on our port."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "a", encoding="utf-8")
        args = [str(self.binary), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(args, env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"label-studio exited with {self.process.returncode}; log:\n{self.tail()}")
            moved = re.findall(r"Starting development server at http://[\d.]+:(\d+)/", self.tail())
            if moved and int(moved[-1]) != self.port:  # a busy port makes it move silently
                self.stop()
                raise RuntimeError(f"label-studio moved from port {self.port} to {moved[-1]}")
            try:
                response = httpx.get(f"{self.url}/api/projects/", headers={"Authorization": f"Token {TOKEN}"}, timeout=5)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(POLL_S)
        self.stop()
        raise RuntimeError(f"label-studio did not answer within {READY_TIMEOUT_S} s; log:\n{self.tail()}")

    def stop(self) -> None:
        """Stop the server's whole process group."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self, chars: int = 4000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""
