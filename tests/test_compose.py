"""docker-compose.yml stays in sync with the code: every command it runs exists and parses.

A Herald service's command is `python -m core COMMAND ...` (parsed by the real
CLI parser), `python scripts/serve.py ...` (the script exists and its options
are Streamlit's), or `make TARGET` (a Makefile target). Every variable it sets
is one Herald reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from core.cli import build_parser
from utils.settings import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
HERALD = sorted(name for name, svc in SERVICES.items() if svc.get("image", "").startswith("herald"))
# Read by the PostgreSQL store, which lands from its own branch.
PENDING_VARS = {"HERALD_DATABASE_URL"}


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.M))


def test_compose_starts_redis_postgres_worker_api_and_app():
    assert {"redis", "postgres", "worker", "api", "app"} <= set(SERVICES)
    assert HERALD == ["api", "app", "worker"]
    assert "redis-server" in SERVICES["redis"]["command"]
    assert "--appendonly" in SERVICES["redis"]["command"]  # queued jobs survive a Redis restart


@pytest.mark.parametrize("name", HERALD)
def test_every_herald_command_exists(name):
    command = SERVICES[name]["command"]
    assert isinstance(command, list) and command, f"{name}: give the command as a list"
    if command[:3] == ["python", "-m", "core"]:
        sub = command[3]
        known = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
        assert sub in known, f"{name}: `python -m core {sub}` is not a command ({sorted(known)})"
        build_parser().parse_args(command[3:])  # exits (fails the test) on an unknown option
    elif command[:2] == ["python", "scripts/serve.py"]:
        assert (ROOT / "scripts" / "serve.py").is_file()
        from streamlit import config

        options = [a[2:] for a in command[2:] if a.startswith("--")]
        known_options = config.get_config_options()
        assert options and all(o in known_options for o in options), options
    elif command[0] == "make":
        assert command[1] in _make_targets()
    else:
        pytest.fail(f"{name}: {command} is not a Herald command")


def test_make_has_the_commands_the_readme_names():
    targets = _make_targets()
    assert {"run", "test", "worker", "system-deps"} <= targets
    assert "redis-server" in (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("name", HERALD)
def test_every_variable_is_one_herald_reads(name):
    env = SERVICES[name]["environment"]
    unknown = {k for k in env if k.startswith("HERALD_")} - set(ENV_VARS) - PENDING_VARS
    assert not unknown
    assert env["HERALD_QUEUE"] == "celery"
    assert env["HERALD_REDIS_URL"].startswith("redis://redis:")  # the compose service, not localhost


def test_herald_services_share_one_data_volume():
    for name in HERALD:
        svc = SERVICES[name]
        mount = next(v for v in svc["volumes"] if v.startswith("shared:"))
        assert svc["environment"]["HERALD_DATA_DIR"].startswith(mount.split(":")[1])
    assert "shared" in COMPOSE["volumes"]


def test_readme_team_section_commands_parse():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running for a team", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"python -m core (\w+)", section)
    assert "worker" in commands
    known = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    missing = set(commands) - known - {"api"}  # the API command lands with its own branch
    assert not missing
    assert "make worker" in section and "docker compose up" in section
