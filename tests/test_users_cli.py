"""`python -m core users|audit|api` in real subprocesses: accounts, tokens, --as, the audit trail, uvicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"


def _cli(*args: str, stdin: str = "", token: str = "") -> subprocess.CompletedProcess:
    env = (
        {**os.environ, "HERALD_TOKEN": token}
        if token
        else {k: v for k, v in os.environ.items() if k != "HERALD_TOKEN"}
    )
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture
def admin_token(isolated_dirs) -> str:
    r = _cli("users", "add", "root", "--role", "admin", "--token")
    assert r.returncode == 0, r.stderr
    added, token = r.stdout.strip().splitlines()
    assert added == "added root (admin)" and token.startswith("hrd_")
    r = _cli("users", "token", "root")  # accounts exist now: the CLI must act as someone
    assert r.returncode == 2 and "HERALD_TOKEN" in r.stderr
    return token


def test_users_add_list_token_roles_remove(admin_token) -> None:
    r = _cli(
        "users",
        "add",
        "ada",
        "--role",
        "creator",
        "--role",
        "reviewer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert r.returncode == 2 and "--as NAME" in r.stderr  # the first account exists: act as an admin now
    r = _cli(
        "--as",
        "root",
        "users",
        "add",
        "ada",
        "--role",
        "creator",
        "--role",
        "reviewer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        token=admin_token,
    )
    assert r.returncode == 0 and "added ada (creator, reviewer)" in r.stdout
    r = _cli("users", "list", "--json", "--as", "root", token=admin_token)
    listed = {a["name"]: a for a in json.loads(r.stdout)}
    assert listed["ada"]["roles"] == ["creator", "reviewer"] and listed["ada"]["has_password"]
    assert PASSWORD not in r.stdout
    r = _cli("users", "token", "ada", "--as", "root", token=admin_token)
    ada_token = r.stdout.strip()
    assert r.returncode == 0 and ada_token.startswith("hrd_") and "shown once" in r.stderr
    r = _cli("users", "list", "--as", "ada", token=ada_token)
    assert r.returncode == 2 and "users.manage needs the admin role" in r.stderr
    r = _cli("users", "roles", "ada", "--role", "analyst", "--as", "root", token=admin_token)
    assert r.returncode == 0 and "ada: analyst" in r.stdout
    r = _cli("users", "remove", "ada", "--as", "root", token=admin_token)
    assert r.returncode == 0
    r = _cli("users", "list", "--as", "ada", token=ada_token)
    assert r.returncode == 2 and "not valid" in r.stderr  # a deleted user's token


def test_bad_names_roles_and_tokens_exit_2_with_the_fix(admin_token) -> None:
    r = _cli("users", "add", "<b>x</b>", "--role", "creator", "--as", "root", token=admin_token)
    assert r.returncode == 2 and "letters, digits" in r.stderr
    r = _cli("users", "add", "bob", "--role", "king", "--as", "root", token=admin_token)
    assert r.returncode == 2 and "Unknown role king" in r.stderr
    r = _cli("users", "list", "--as", "root", token="hrd_forged")
    assert r.returncode == 2 and "not valid" in r.stderr


def test_audit_lists_filters_and_never_shows_secrets(admin_token) -> None:
    _cli(
        "users",
        "add",
        "ada",
        "--role",
        "creator",
        "--password-stdin",
        "--as",
        "root",
        stdin=PASSWORD,
        token=admin_token,
    )
    r = _cli("audit", "--json", "--as", "root", token=admin_token)
    entries = json.loads(r.stdout)
    assert r.returncode == 0 and [e["action"] for e in entries][:2] == ["user.add", "token.create"]
    assert entries[0]["user"] == "root" and entries[0]["target"] == "ada"
    r = _cli("audit", "--user", "root", "--since", "1h", "--as", "root", token=admin_token)
    assert "user.add\tada" in r.stdout
    r = _cli("audit", "--since", "2999-01-01", "--json", "--as", "root", token=admin_token)
    assert json.loads(r.stdout) == []
    r = _cli("audit", "--since", "yesterday", "--as", "root", token=admin_token)
    assert r.returncode == 2 and "ISO date" in r.stderr
    r = _cli("audit", "--csv", "--as", "root", token=admin_token)
    assert r.stdout.startswith('"id","ts","user"')
    for text in (r.stdout, json.dumps(entries)):
        assert PASSWORD not in text and admin_token not in text


def test_single_user_mode_cli_acts_as_local(isolated_dirs) -> None:
    r = _cli("audit", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str = "") -> tuple[int, dict]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_api_on_a_real_uvicorn(admin_token, isolated_dirs) -> None:
    port = _free_port()
    log = open(isolated_dirs / "api.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        assert _get(base + "/health") == (200, {"status": "ok"})
        assert _get(base + "/items")[0] == 401
        assert _get(base + "/items", admin_token) == (200, {"items": []})
        # a 100 MB body is refused from its headers: the server answers without waiting for the bytes
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST /posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin_token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
                + b"{" * 1000
            )
            started = time.monotonic()
            answer = sock.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 413") and time.monotonic() - started < 5
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert admin_token not in (isolated_dirs / "api.log").read_text()


def test_existing_commands_act_as_the_token_user(admin_token) -> None:
    from core import auth
    from core.services import build_services
    from tests.seed import seed_item
    from utils.settings import load_settings

    services = build_services(load_settings())
    auth.add_user(services.store, "cat", ["creator"])
    auth.add_user(services.store, "rex", ["reviewer"])
    cat, rex = auth.create_token(services.store, "cat"), auth.create_token(services.store, "rex")
    item, _ = seed_item(services, "A held post.", created_by="cat", status="flagged")
    item_id = str(item.id)
    r = _cli("review", "approve", "--item", item_id, "--reviewer", "x")
    assert r.returncode == 2 and "--as NAME" in r.stderr  # accounts exist: nobody is anonymous
    r = _cli("review", "approve", "--item", item_id, "--as", "cat", token=cat)
    assert r.returncode == 2 and "review.act needs the reviewer or admin role" in r.stderr
    r = _cli("generate", "--source", "https://example.com/x.git", "--as", "rex", token=rex)
    assert r.returncode == 2 and "post.create needs the creator or admin role" in r.stderr
    r = _cli("review", "approve", "--item", item_id, "--reviewer", "typed", "--as", "rex", token=rex)
    assert r.returncode == 0 and "approve by rex -> approved" in r.stdout, r.stderr
    r = _cli("export", "--item", item_id, "--format", "markdown", "--as", "rex", token=rex)
    assert r.returncode == 2 and "post.export" in r.stderr
    r = _cli("export", "--item", item_id, "--format", "markdown", "--as", "cat", token=cat)
    assert r.returncode == 0 and "A held post." in r.stdout
    actions = [
        (e.user, e.action)
        for e in auth.list_audit(services.store)
        if e.action.startswith(("review.", "post."))
    ]
    assert actions == [("cat", "post.export"), ("rex", "review.approve")]
