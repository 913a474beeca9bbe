"""Real services for tests marked `service`: a redis-server and Celery workers, each a child process.

`RedisServer` runs the Debian `redis-server` on a free localhost port with its
data in a temporary folder (append-only file, so a restart keeps queued
messages, as in the docker-compose file) and stops it afterwards.
`start_worker` runs `python -m core worker` with an environment pointing at
that Redis and the test's data folder, and waits until Celery says it is ready.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["free_port", "RedisServer", "Worker", "start_worker", "redis_missing_reason"]

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_missing_reason() -> str:
    """Why redis-server cannot run here ('' when it can)."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed: run `make system-deps` (Debian package redis-server)"
    return ""


class RedisServer:
    """One redis-server child process on 127.0.0.1:port with its files in `folder`."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The URL workers and the app use."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING."""
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - kept open for the child's life
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--protected-mode",
                "yes",
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.folder / 'redis.log').read_text()[-2000:]}")
            if self.ping():
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 s")

    def ping(self) -> bool:
        """True when the server answers."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM: it flushes its append-only file first)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self, down_s: float = 1.0) -> None:
        """Stop, stay down for `down_s` seconds, start again on the same port and folder."""
        self.stop()
        time.sleep(down_s)
        self.start()


class Worker:
    """A running `python -m core worker` child process."""

    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.proc.pid

    def output(self) -> str:
        """What the worker wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill9(self) -> None:
        """SIGKILL: no clean-up, no ack, exactly what a crash or OOM kill does."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Stop the worker (SIGTERM, then SIGKILL after a few seconds)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()


def start_worker(env: dict[str, str], folder: Path, *, name: str = "w", timeout: float = 60) -> Worker:
    """Start `python -m core worker` with `env` and wait until it is ready to take jobs."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"worker-{name}-{time.monotonic_ns()}.log"
    fh = open(log, "wb")  # noqa: SIM115 - kept open for the child's life
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "worker", "--loglevel", "INFO", "--name", f"{name}-%h"],
        cwd=ROOT,
        env=env,
        stdout=fh,
        stderr=subprocess.STDOUT,
    )
    worker = Worker(proc, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}:\n{worker.output()[-3000:]}")
        if " ready." in worker.output():
            return worker
        time.sleep(0.1)
    worker.stop()
    raise RuntimeError(f"worker not ready within {timeout} s:\n{worker.output()[-3000:]}")
