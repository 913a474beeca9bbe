"""A real PostgreSQL server for tests: initdb + pg_ctl in a temporary folder, a random free port.

Debian's `postgresql` package puts the binaries in /usr/lib/postgresql/<version>/bin.
initdb refuses to run as root, so as root the server runs as the `postgres`
system user (created by the package) through `runuser`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PgServer", "find_pg_bin", "start_postgres", "stop_postgres", "create_database"]


@dataclass(frozen=True)
class PgServer:
    """A running test server: its folder, port and admin URL."""

    base: Path
    port: int
    bin_dir: Path
    as_user: str | None

    def url(self, dbname: str = "postgres") -> str:
        """A connection URL for one database on this server."""
        return f"postgresql://herald@127.0.0.1:{self.port}/{dbname}"


def find_pg_bin() -> Path | None:
    """The folder with initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A localhost TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(server_user: str | None, args: list[str]) -> subprocess.CompletedProcess[str]:
    cmd = ["runuser", "-u", server_user, "--", *args] if server_user else args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def start_postgres() -> PgServer:
    """Create a cluster in a new temporary folder and start it on a free port (trust auth, localhost)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make system-deps)")
    as_user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="herald-pg-"))
    if as_user:
        shutil.chown(base, user=as_user)
    data = base / "data"
    done = _run(
        as_user,
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "herald", "--auth=trust", "-E", "UTF8", "--no-sync"],
    )
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")
    port = free_port()
    opts = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={base} -c fsync=off"
    done = _run(
        as_user,
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
    )
    if done.returncode:
        log = (base / "log").read_text(errors="replace")[-800:] if (base / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log}")
    return PgServer(base, port, bin_dir, as_user)


def stop_postgres(server: PgServer) -> None:
    """Stop the server (fast shutdown) and remove its folder."""
    _run(
        server.as_user,
        [str(server.bin_dir / "pg_ctl"), "-D", str(server.base / "data"), "-m", "fast", "-w", "stop"],
    )
    shutil.rmtree(server.base, ignore_errors=True)


def create_database(server: PgServer) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)
