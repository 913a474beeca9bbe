"""Loading projects: local folders, git history, caps and bad input (every source case of issue 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

from rag import remote
from rag.errors import EmptySourceError, NotARepositoryError, OfflineError, SourceNotFoundError
from rag.sources import hash_documents, load_source


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def make_repo(path: Path, messages: list[str]) -> list[str]:
    """A git repository at `path` with one commit per message; returns the shas, newest first."""
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    (path / "README.md").write_text("# demo\n\nA demo project.\n")
    for i, message in enumerate(messages):
        (path / "file.txt").write_text(f"change {i}\n")
        _git(path, "add", "-A")
        _git(path, "commit", "-q", "-m", message)
    return _git(path, "log", "--format=%H").splitlines()


def test_sample_project_loads_with_kinds_name_and_stable_hash(sample_project, settings):
    src = load_source(sample_project, settings)
    kinds = {d.path: d.kind for d in src.documents}
    assert kinds == {
        "README.md": "readme",
        "CHANGELOG.md": "changelog",
        "docs/benchmarks.md": "docs",
        "docs/guide.md": "docs",
        "examples/scheduled.md": "example",
        "examples/send_emails.py": "example",
    }
    assert src.documents[0].kind == "readme"
    assert src.name == "tinyqueue"
    assert src.kind == "local" and src.location == str(sample_project.resolve())
    assert len(src.content_hash) == 64
    assert load_source(str(sample_project), settings, kind="demo").content_hash == src.content_hash
    assert hash_documents(src.documents) == src.content_hash
    assert load_source(sample_project, settings, kind="demo").kind == "demo"


def test_content_hash_changes_when_a_file_changes(tmp_path, settings):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "README.md").write_text("# p\n\nversion 1\n")
    first = load_source(tmp_path / "p", settings).content_hash
    (tmp_path / "p" / "README.md").write_text("# p\n\nversion 2\n")
    assert load_source(tmp_path / "p", settings).content_hash != first


def test_missing_path_names_the_fix(tmp_path, settings):
    with pytest.raises(SourceNotFoundError, match="does not exist; check the path"):
        load_source(tmp_path / "nope", settings)
    with pytest.raises(SourceNotFoundError, match="No source given"):
        load_source("  ", settings)


def test_empty_folder(tmp_path, settings):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptySourceError, match="No readable text.*add a README.md"):
        load_source(tmp_path / "empty", settings)


def test_folder_with_only_binaries(tmp_path, settings):
    root = tmp_path / "bin"
    (root / "docs").mkdir(parents=True)
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (root / "docs" / "manual.pdf").write_bytes(b"%PDF-1.4" + os.urandom(200))
    (root / "notes.txt").write_bytes(b"\x00\x01\x02" * 100)  # a text name with binary content
    with pytest.raises(EmptySourceError) as err:
        load_source(root, settings)
    message = str(err.value)
    assert "logo.png: binary file" in message and "notes.txt: binary file" in message


@pytest.fixture
def fast_tmp(tmp_path):
    """A scratch folder on tmpfs when there is one (creating 50,000 files there is ~5x faster)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="herald-test-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_tree_of_50000_files_is_capped_quickly_with_a_message(fast_tmp, settings):
    root = fast_tmp / "huge"
    root.mkdir()
    (root / "README.md").write_text("# huge\n\nA project with a very large docs tree.\n")
    for d in range(50):
        folder = root / "docs" / f"part{d:02d}"
        folder.mkdir(parents=True)
        for f in range(1000):
            os.close(os.open(folder / f"page{f:04d}.md", os.O_CREAT | os.O_WRONLY, 0o644))
    started = time.perf_counter()
    src = load_source(root, settings)
    elapsed = time.perf_counter() - started
    assert any("HERALD_MAX_SCAN_ENTRIES" in s for s in src.skipped)
    assert src.documents[0].path == "README.md"
    assert elapsed < 30, f"loading a capped tree took {elapsed:.1f} s"  # a hang guard, not a benchmark


def test_scan_cap_still_finds_the_root_readme(tmp_path, settings):
    root = tmp_path / "flat"
    root.mkdir()
    for i in range(300):
        (root / f"aaa{i:03d}.dat").write_text("x")
    (root / "README.md").write_text("# flat\n\nThe readme sorts after the data files.\n")
    src = load_source(root, replace(settings, max_scan_entries=100))
    assert [d.path for d in src.documents] == ["README.md"]
    assert any("HERALD_MAX_SCAN_ENTRIES" in s for s in src.skipped)


def test_non_utf8_files_are_decoded_with_replacement_or_skipped(tmp_path, settings):
    root = tmp_path / "enc"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text("# enc\n\nHello.\n")
    (root / "docs" / "latin1.md").write_bytes("Caf\u00e9 cr\u00e8me, na\u00efve.\n".encode("latin-1"))
    (root / "docs" / "garbage.md").write_bytes(bytes(range(0x80, 0x100)) * 8)
    (root / "docs" / "utf16.md").write_bytes("Unicode via UTF-16: \u00e9t\u00e9\n".encode("utf-16"))
    src = load_source(root, settings)
    docs = {d.path: d.text for d in src.documents}
    assert "\ufffd" in docs["docs/latin1.md"] and docs["docs/latin1.md"].startswith("Caf")
    assert any("docs/latin1.md: not valid UTF-8" in n for n in src.notes)
    assert "docs/garbage.md" not in docs
    assert any(s.startswith("docs/garbage.md: not UTF-8 text") for s in src.skipped)
    assert docs["docs/utf16.md"].strip() == "Unicode via UTF-16: \u00e9t\u00e9"


def test_five_megabyte_readme_is_capped(tmp_path, settings):
    root = tmp_path / "big"
    root.mkdir()
    line = "tinyqueue is a job queue backed by SQLite with retries and priorities.\n"
    (root / "README.md").write_text("# big\n\n" + line * (5 * 1024 * 1024 // len(line)))
    assert (root / "README.md").stat().st_size > 5_000_000
    src = load_source(root, settings)
    readme = src.documents[0]
    assert readme.kind == "readme"
    assert len(readme.text.encode()) <= settings.max_file_bytes
    assert readme.text.endswith("\n")  # cut at a line boundary
    assert any(s.startswith("README.md: truncated") and "HERALD_MAX_FILE_BYTES" in s for s in src.skipped)


def test_total_size_and_file_count_caps(tmp_path, settings):
    root = tmp_path / "many"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text("# many\n\n" + "readme text\n" * 50)
    for i in range(20):
        (root / "docs" / f"p{i:02d}.md").write_text(f"page {i}\n" * 100)
    capped = load_source(root, replace(settings, max_total_bytes=3000))
    assert capped.documents[0].path == "README.md"
    assert any("HERALD_MAX_TOTAL_BYTES" in s for s in capped.skipped)
    assert sum(len(d.text) for d in capped.documents) <= 3000
    few = load_source(root, replace(settings, max_files=5))
    assert len(few.documents) == 5 and any("HERALD_MAX_FILES" in s for s in few.skipped)


def test_vendored_build_test_folders_and_lock_files_are_skipped(tmp_path, settings):
    root = tmp_path / "proj"
    for sub in ("node_modules/left-pad", "dist", "tests/fixtures", ".venv", "docs/_build", "src/pkg"):
        (root / sub).mkdir(parents=True)
    (root / "README.md").write_text("# proj\n\nReal readme.\n")
    (root / "node_modules" / "left-pad" / "README.md").write_text("# left-pad\n")
    (root / "dist" / "notes.md").write_text("built\n")
    (root / "tests" / "fixtures" / "README.md").write_text("fixture\n")
    (root / ".venv" / "README.md").write_text("venv\n")
    (root / "docs" / "_build" / "index.md").write_text("sphinx output\n")
    (root / "docs" / "index.md").write_text("Real docs.\n")
    (root / "src" / "pkg" / "README.md").write_text("Package notes.\n")
    (root / "src" / "pkg" / "core.py").write_text("x = 1\n")
    (root / "poetry.lock").write_text("[[package]]\n")
    (root / "requirements.txt").write_text("requests==2.0\n")
    (root / "LICENSE").write_text("MIT License\n\n" + "Permission is hereby granted...\n" * 100)
    src = load_source(root, settings)
    paths = {d.path: d.kind for d in src.documents}
    assert paths == {"README.md": "readme", "LICENSE": "docs", "docs/index.md": "docs",
                     "src/pkg/README.md": "docs"}  # fmt: skip
    assert len(next(d for d in src.documents if d.path == "LICENSE").text) <= 600
    for expected in ("node_modules/: vendored", "dist/: vendored", "tests/: test folder",
                     "docs/_build/: vendored", "poetry.lock: lock file"):  # fmt: skip
        assert any(s.startswith(expected) for s in src.skipped), expected


def test_git_commit_messages_are_loaded_newest_first(tmp_path, settings):
    shas = make_repo(tmp_path / "repo", ["Initial import", "Add retries\n\nWith backoff.", "Release 1.0"])
    src = load_source(tmp_path / "repo", replace(settings, git_log_n=2))
    commits = [d for d in src.documents if d.kind == "commit"]
    assert [c.path for c in commits] == [f"commit:{shas[0][:7]}", f"commit:{shas[1][:7]}"]
    assert commits[0].text == "Release 1.0"
    assert commits[1].text == "Add retries\n\nWith backoff."
    assert src.documents[0].kind == "readme"
    none = load_source(tmp_path / "repo", replace(settings, git_log_n=0))
    assert not [d for d in none.documents if d.kind == "commit"]


def test_a_git_repo_with_only_commits_is_not_empty(tmp_path, settings):
    root = tmp_path / "bare"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "main.c").write_text("int main(){}\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Write the main loop")
    src = load_source(root, settings)
    assert [(d.kind, d.text) for d in src.documents] == [("commit", "Write the main loop")]


def test_single_file_path_is_loaded(tmp_path, settings):
    (tmp_path / "NOTES.md").write_text("# notes\n\nSome notes.\n")
    src = load_source(tmp_path / "NOTES.md", settings)
    assert src.kind == "local" and [d.path for d in src.documents] == ["NOTES.md"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/foo",
        "https://github.com/psf",
        "github.com/features/copilot",
        "https://gitlab.com/justagroup",
        "ftp://example.com/x",
        "https://github.com/a b/c",
    ],  # fmt: skip
)
def test_url_that_is_not_a_repository(url, settings, monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("no network use for a URL that cannot be a repository")

    monkeypatch.setattr(remote, "host_reachable", no_network)
    with pytest.raises(NotARepositoryError, match="is not a repository URL.*github.com/OWNER/REPO"):
        load_source(url, settings)


@pytest.mark.parametrize(
    ("url", "host", "path"),
    [
        ("https://github.com/psf/requests", "github.com", "psf/requests"),
        ("https://github.com/psf/requests.git", "github.com", "psf/requests"),
        ("https://www.github.com/psf/requests/tree/main/docs", "github.com", "psf/requests"),
        ("github.com/psf/requests", "github.com", "psf/requests"),
        ("git@github.com:psf/requests.git", "github.com", "psf/requests"),
        ("https://gitlab.com/group/sub/project/-/issues/3", "gitlab.com", "group/sub/project"),
        ("https://git.example.org/team/tool.git", "git.example.org", "team/tool"),
    ],
)
def test_repository_urls_are_parsed(url, host, path):
    repo = remote.parse_repo_url(url)
    assert (repo.host, repo.path) == (host, path)
    assert repo.name == path.rsplit("/", 1)[-1]


def test_url_while_offline_fails_fast(settings, monkeypatch):
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: False)
    started = time.perf_counter()
    with pytest.raises(OfflineError, match="Cannot reach github.com.*clone it yourself"):
        load_source("https://github.com/psf/requests", settings)
    assert time.perf_counter() - started < 5


def test_url_without_network_here_does_not_hang(settings):
    """The real path, no monkeypatching: this machine has no route to github.com."""
    if remote.host_reachable("github.com", timeout_s=2):
        pytest.skip("the network is reachable here")
    started = time.perf_counter()
    with pytest.raises(OfflineError):
        load_source("https://github.com/psf/requests", settings)
    assert time.perf_counter() - started < 15


def test_offline_with_a_cached_clone_uses_it_and_notes_it(settings, monkeypatch):
    repo = remote.parse_repo_url("https://github.com/acme/widget")
    cached = settings.data_dir / "clones" / repo.cache_key
    make_repo(cached, ["Ship widget 1.0"])
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: False)
    src = load_source("https://github.com/acme/widget", settings)
    assert src.kind == "url" and src.name == "widget"
    assert any(n.startswith("offline:") for n in src.notes)
    assert "offline: issues not fetched" in src.notes
    assert [d.text for d in src.documents if d.kind == "commit"] == ["Ship widget 1.0"]


def test_clone_and_refresh_from_a_local_remote(tmp_path, settings, monkeypatch):
    upstream = tmp_path / "upstream"
    make_repo(upstream, ["First", "Second"])
    repo = remote.RepoUrl(host="localhost", path="me/upstream", clone_url=f"file://{upstream}")
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: True)
    folder, notes = remote.clone_repo(repo, settings, depth=5)
    assert notes == [] and (folder / "README.md").exists()
    assert folder.parent == settings.data_dir / "clones"
    (upstream / "CHANGELOG.md").write_text("## 1.1\n\n- new\n")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-q", "-m", "Third")
    folder2, notes2 = remote.clone_repo(repo, settings, depth=5)
    assert folder2 == folder and notes2 == [] and (folder / "CHANGELOG.md").exists()


def test_clone_of_a_missing_repository(tmp_path, settings, monkeypatch):
    repo = remote.RepoUrl(host="localhost", path="me/missing", clone_url=f"file://{tmp_path}/missing")
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: True)
    with pytest.raises(NotARepositoryError, match="does not exist or is private"):
        remote.clone_repo(repo, settings, depth=1)
    assert not list((settings.data_dir / "clones").glob("*"))  # no half-written clone left behind


def test_dotfiles_are_never_read_and_symlinked_readme_is(tmp_path, settings):
    root = tmp_path / "links"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# links\n\nThe real readme lives in docs.\n")
    (root / "README.md").symlink_to(root / "docs" / "index.md")
    (root / ".env.md").write_text("SECRET=hunter2\n")
    (root / "outside.md").symlink_to("/etc/hostname")
    src = load_source(root, settings)
    assert {d.path: d.kind for d in src.documents} == {"README.md": "readme", "docs/index.md": "docs"}
    assert not any("hunter2" in d.text for d in src.documents)


def test_credentials_in_a_url_are_not_kept(settings, monkeypatch):
    repo = remote.parse_repo_url("https://user:ghp_secret@github.com/acme/widget")
    assert "ghp_secret" not in repo.clone_url and repo.display_url == "https://github.com/acme/widget"
    make_repo(settings.data_dir / "clones" / repo.cache_key, ["One"])
    monkeypatch.setattr(remote, "host_reachable", lambda *a, **k: False)
    src = load_source("https://user:ghp_secret@github.com/acme/widget", settings)
    assert src.location == "https://github.com/acme/widget"
