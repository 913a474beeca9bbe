"""A hostile repository stays data: its `.git/config` never makes Herald run a program (issue 12, item 0).

The fixture is the attack that was reported: a repository whose config sets `log.showSignature`
and `gpg.program` to a script, with one commit carrying a `gpgsig` header. Plain `git log` runs the
script (checked first, so the fixture is known to be hostile); loading the folder, a zip of it, or
refreshing a clone of it must not.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

from rag import remote
from rag.sources import load_source, load_uploads
from tests.test_rag_sources import _git, make_repo

FAKE_SIG = "-----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"


def hostile_repo(root: Path, marker: Path) -> Path:
    """A repository whose config runs a script that creates `marker` when git reads its log."""
    repo = root / "hostile"
    make_repo(repo, ["Add the widget", "Document the widget"])
    raw = _git(repo, "cat-file", "commit", "HEAD")
    header, _, body = raw.partition("\n\n")
    signed = f"{header}\ngpgsig {FAKE_SIG}\n\n{body}\n"
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo, input=signed, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    _git(repo, "update-ref", "HEAD", sha)
    script = root / "payload.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(0o755)
    for key, value in (("log.showSignature", "true"), ("gpg.program", str(script)),
                       ("core.pager", f"{script} #"), ("core.fsmonitor", str(script))):  # fmt: skip
        _git(repo, "config", key, value)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-merge", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    return repo


def test_the_fixture_is_hostile_to_plain_git(tmp_path):
    marker = tmp_path / "pwned"
    repo = hostile_repo(tmp_path, marker)
    subprocess.run(["git", "-C", str(repo), "log", "-n1"], capture_output=True, check=False)
    assert marker.exists(), "plain git log should run gpg.program: the fixture is not hostile"


def test_local_folder_with_hostile_git_config_runs_nothing(tmp_path, settings):
    marker = tmp_path / "pwned"
    repo = hostile_repo(tmp_path, marker)
    src = load_source(repo, settings)
    assert [d.text for d in src.documents if d.kind == "commit"] == ["Document the widget", "Add the widget"]
    assert not marker.exists()


def test_reading_tags_of_a_hostile_repository_runs_nothing(tmp_path):
    from rag.manifests import read_git_tags

    marker = tmp_path / "pwned"
    repo = hostile_repo(tmp_path, marker)
    _git(repo, "tag", "-a", "v1.2.0", "-m", "release 1.2.0")
    for key in ("tag.gpgSign", "tag.forceSignAnnotated"):
        _git(repo, "config", key, "true")
    marker.unlink(missing_ok=True)  # setting up with plain git already ran the payload once
    doc = read_git_tags(repo)
    assert doc is not None and doc.text.startswith("v1.2.0 ")
    assert not marker.exists()


def test_uploaded_zip_of_hostile_repository_runs_nothing(tmp_path, settings):
    marker = tmp_path / "pwned"
    repo = hostile_repo(tmp_path, marker)
    out = tmp_path / "hostile.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(repo.rglob("*")):
            if path.is_file():
                zf.write(path, f"hostile/{path.relative_to(repo)}")
    src = load_uploads([("hostile.zip", out.read_bytes())], settings)
    assert not marker.exists()
    assert not [d for d in src.documents if d.kind == "commit"]
    assert any(".git folder" in n and "not trusted" in n for n in src.notes)
    assert any(d.kind == "readme" for d in src.documents)
    assert not list((settings.data_dir / "uploads").iterdir())  # nothing of it stays on disk


def test_refreshing_a_tampered_clone_runs_nothing(tmp_path, settings, monkeypatch):
    upstream = tmp_path / "upstream"
    make_repo(upstream, ["First"])
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: True)
    repo = remote.RepoUrl(host="localhost", path="me/upstream", clone_url=f"file://{upstream}")
    folder, _ = remote.clone_repo(repo, settings, depth=5)
    marker = tmp_path / "pwned"
    script = tmp_path / "payload.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for key in ("core.fsmonitor", "core.pager", "gpg.program"):
        _git(folder, "config", key, str(script))
    _git(folder, "config", "log.showSignature", "true")
    for hook in ("post-checkout", "reference-transaction", "post-merge"):
        (folder / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (folder / ".git" / "hooks" / hook).chmod(0o755)
    os.utime(folder)
    folder2, notes = remote.clone_repo(repo, settings, depth=5)
    assert folder2 == folder and notes == []
    load_source(folder2, settings)
    assert not marker.exists()
