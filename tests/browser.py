"""Start the real app with `streamlit run` and drive it with Debian's Chromium via Playwright.

Used by tests marked `e2e`. Chromium comes from apt (`make test` installs it);
Playwright comes from pip and never downloads a browser of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class RunningApp:
    """A Streamlit server started for tests, with its own data and log folders."""

    url: str
    data_dir: Path
    log_dir: Path
    process: subprocess.Popen


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(data_dir: Path, log_dir: Path, extra_env: dict[str, str] | None = None) -> RunningApp:
    """Start the app (scripts/serve.py) on a free port and wait until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "HERALD_DATA_DIR": str(data_dir),
        "HERALD_LOG_DIR": str(log_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        # the local models have their own slow tests; a browser test must not wait minutes on them
        "HERALD_PROVIDERS": "groq,openai_compat,template",
        **(extra_env or {}),
    }
    for key in ("GROQ_API_KEY", "HERALD_OPENAI_BASE_URL", "GITHUB_TOKEN"):
        env.pop(key, None)
    log_file = open(log_dir.parent / f"streamlit-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "serve.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {log_file.name}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return RunningApp(url, data_dir, log_dir, proc)
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_app(app: RunningApp) -> None:
    """Terminate the server and wait for it."""
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()
