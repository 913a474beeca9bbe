"""Repository URLs: recognise them, shallow-clone them into a cache, fetch GitHub/GitLab issues.

A URL is accepted when it names a GitHub or GitLab repository (`https://github.com/OWNER/REPO`,
`https://gitlab.com/GROUP/.../REPO`, `git@github.com:OWNER/REPO.git`) or ends in `.git`;
anything else is refused before any network use. Clones live under
`data_dir/clones/` and are refreshed when the host is reachable; offline, a cached
clone is used with a note, and without one `OfflineError` is raised quickly. Issues
come from the public APIs with short timeouts; failure there is a note, never an error.
It does not read files (`rag.files`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

from rag.errors import NotARepositoryError, OfflineError
from rag.types import Document

__all__ = ["RepoUrl", "is_url", "parse_repo_url", "clone_repo", "fetch_issues", "host_reachable"]

LOG = logging.getLogger(__name__)

REACH_TIMEOUT_S = 3.0
API_TIMEOUT_S = 6.0
ISSUES_N = 30
ISSUE_MAX_CHARS = 8_000
_GITHUB_RESERVED = frozenset(
    {"about", "features", "marketplace", "orgs", "settings", "topics", "trending", "explore", "login",
     "join", "pricing", "search", "sponsors", "notifications", "collections", "enterprise", "apps"}
)  # fmt: skip
_SCP = re.compile(r"^git@(?P<host>[\w.-]+):(?P<path>[\w./-]+?)(?:\.git)?/?$")
_NAME = re.compile(r"^[\w.-]+$")
_CREDENTIALS = re.compile(r"//[^/@\s]+@")


@dataclass(frozen=True)
class RepoUrl:
    """A parsed repository URL."""

    host: str  # github.com, gitlab.com or another git host
    path: str  # OWNER/REPO (GitLab: GROUP/SUBGROUP/REPO)
    clone_url: str

    @property
    def name(self) -> str:
        """The repository's own name (last path segment)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def display_url(self) -> str:
        """The repository's web address, without any credentials the user pasted."""
        return f"https://{self.host}/{self.path}"

    @property
    def cache_key(self) -> str:
        """A folder name for this repository's cached clone."""
        return re.sub(r"[^\w.-]", "_", f"{self.host}__{self.path.replace('/', '__')}")


def is_url(spec: str) -> bool:
    """True when `spec` looks like a URL rather than a local path."""
    s = spec.strip().lower()
    return s.startswith("git@") or bool(
        re.match(r"^([a-z][a-z0-9+.-]*://|(www\.)?(github\.com|gitlab\.com)/)", s)
    )


def _not_repo(url: str, why: str) -> NotARepositoryError:
    return NotARepositoryError(
        f"{url} is not a repository URL ({why}); give https://github.com/OWNER/REPO, "
        "https://gitlab.com/GROUP/REPO, a URL ending in .git, or a local folder"
    )


def parse_repo_url(spec: str) -> RepoUrl:
    """Parse a GitHub/GitLab (or `.git`) URL, raising `NotARepositoryError` without network use."""
    url = spec.strip()
    m = _SCP.match(url)
    if m:
        host, path = m.group("host").lower(), m.group("path").strip("/")
        return _checked(url, host, path.split("/"))
    scheme = re.match(r"^([a-z][a-z0-9+.-]*)://", url.lower())
    if scheme and scheme.group(1) not in ("http", "https", "ssh", "git"):
        raise _not_repo(spec, f"{scheme.group(1)}:// is not a git protocol")
    if not scheme:
        url = "https://" + url
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower().removeprefix("www.")
    if not host:
        raise _not_repo(spec, "no host")
    segments = [s for s in parsed.path.split("/") if s]
    if host == "github.com":
        return _checked(spec, host, segments[:2])
    if host == "gitlab.com":
        if "-" in segments:
            segments = segments[: segments.index("-")]
        return _checked(spec, host, segments)
    if parsed.path.endswith(".git") and len(segments) >= 1:
        path = "/".join(segments).removesuffix(".git")
        return RepoUrl(host=host, path=path, clone_url=url)
    raise _not_repo(spec, f"{host} is not GitHub or GitLab and the URL does not end in .git")


def _checked(spec: str, host: str, segments: list[str]) -> RepoUrl:
    segments = [s.removesuffix(".git") for s in segments if s]
    if len(segments) < 2:
        raise _not_repo(spec, "it names no OWNER/REPO")
    if host == "github.com" and segments[0].lower() in _GITHUB_RESERVED:
        raise _not_repo(spec, f"github.com/{segments[0]} is a GitHub page, not an owner")
    if not all(_NAME.match(s) for s in segments):
        raise _not_repo(spec, "the owner or repository name has characters GitHub and GitLab do not allow")
    path = "/".join(segments)
    return RepoUrl(host=host, path=path, clone_url=f"https://{host}/{path}.git")


def host_reachable(host: str, timeout_s: float = REACH_TIMEOUT_S, port: int = 443) -> bool:
    """True when a TCP connection to `host:port` opens within `timeout_s` (DNS included)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)  # getaddrinfo itself has no timeout
    thread.start()
    thread.join(timeout_s + 0.5)
    return bool(result and result[0])


# git obeys a repository's own config (hooks, fsmonitor, signature programs, pagers); a clone we
# refresh could have been tampered with on disk, so every call switches those off and ignores the
# machine's and the user's config too.
_HARDENING = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "log.showSignature=false",
    "gpg.program=false",
    "submodule.recurse=false",
    "protocol.ext.allow=never",
    "http.lowSpeedLimit=1000",
    "http.lowSpeedTime=15",
)


def _git(args: list[str], timeout_s: float, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "",
           "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=5",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_PAGER": "cat",
           "GIT_NO_REPLACE_OBJECTS": "1"}  # fmt: skip
    cmd = ["git", "--no-pager", "-c", "safe.directory=*"]
    for setting in _HARDENING:
        cmd += ["-c", setting]
    return subprocess.run([*cmd, *args], cwd=cwd, env=env, capture_output=True, timeout=timeout_s, check=False)


def _classify_failure(repo: RepoUrl, stderr: str) -> Exception:
    low = stderr.lower()
    if any(s in low for s in ("not found", "could not read username", "authentication failed",
                              "repository not found", "does not appear to be a git repository")):  # fmt: skip
        return NotARepositoryError(
            f"{repo.host}/{repo.path} does not exist or is private; check the URL, "
            "or clone it yourself and give the local folder"
        )
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "git clone failed"
    last = _CREDENTIALS.sub("//", last)
    return OfflineError(
        f"Cannot clone {repo.host}/{repo.path}: {last}; check the network, "
        "or clone it yourself and give the local folder"
    )


def clone_repo(repo: RepoUrl, settings, depth: int) -> tuple[Path, list[str]]:
    """Shallow-clone (or refresh) `repo` into the clone cache; returns the folder and notes."""
    cache = Path(settings.data_dir) / "clones"
    target = cache / repo.cache_key
    have_cache = (target / ".git").is_dir()
    timeout = max(5.0, float(settings.clone_timeout_s))
    scheme = repo.clone_url.split(":", 1)[0].lower()
    port = {"http": 80, "git": 9418, "ssh": 22}.get(scheme, 22 if repo.clone_url.startswith("git@") else 443)
    if not host_reachable(repo.host, port=port):
        if have_cache:
            return target, [f"offline: {repo.host} unreachable, using the cached clone of {repo.path}"]
        raise OfflineError(
            f"Cannot reach {repo.host} to clone {repo.path} (offline?); connect to the network, "
            "or clone it yourself and give the local folder"
        )
    if have_cache:
        try:
            fetched = _git(
                ["-C", str(target), "fetch", "--quiet", f"--depth={depth}", "origin", "HEAD"], timeout
            )
            if fetched.returncode == 0:
                _git(["-C", str(target), "reset", "--quiet", "--hard", "FETCH_HEAD"], timeout)
                return target, []
            note = fetched.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["fetch failed"]
        except subprocess.TimeoutExpired:
            note = [f"fetch timed out after {timeout:.0f} s"]
        why = _CREDENTIALS.sub("//", note[0])
        return target, [f"could not refresh the cached clone of {repo.path} ({why}); using it as is"]
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{repo.cache_key}.tmp-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    args = ["clone", "--quiet", f"--depth={depth}", "--single-branch", "--no-tags", repo.clone_url, str(tmp)]
    try:
        done = _git(args, timeout)
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OfflineError(
            f"Cloning {repo.path} took longer than {timeout:.0f} s; check the network or raise "
            "HERALD_CLONE_TIMEOUT_S, or clone it yourself and give the local folder"
        ) from exc
    if done.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _classify_failure(repo, done.stderr.decode("utf-8", "replace"))
    try:
        tmp.rename(target)
    except OSError:  # another process cloned it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return target, []


def fetch_issues(repo: RepoUrl, settings, n: int = ISSUES_N) -> tuple[list[Document], list[str]]:
    """Recent issues (not pull requests) from the GitHub or GitLab API; failures become notes."""
    if repo.host not in ("github.com", "gitlab.com"):
        return [], []
    import requests

    headers = {"Accept": "application/vnd.github+json", "User-Agent": "herald"}
    if repo.host == "github.com":
        url = f"https://api.github.com/repos/{repo.path}/issues"
        params = {"state": "all", "per_page": str(n), "sort": "updated"}
        if getattr(settings, "github_token", ""):
            headers["Authorization"] = f"Bearer {settings.github_token}"
    else:
        url = f"https://gitlab.com/api/v4/projects/{quote(repo.path, safe='')}/issues"
        params = {"state": "all", "per_page": str(n), "order_by": "updated_at"}
    try:
        resp = requests.get(url, params=params, headers=headers, timeout=API_TIMEOUT_S)
    except requests.RequestException as exc:
        return [], [f"issues not fetched from {repo.host} ({type(exc).__name__}); offline?"]
    if resp.status_code != 200:
        hint = " (rate limited: set GITHUB_TOKEN)" if resp.status_code in (403, 429) else ""
        return [], [f"issues not fetched from {repo.host}: HTTP {resp.status_code}{hint}"]
    docs = []
    try:
        items = resp.json()
    except ValueError:
        return [], [f"issues from {repo.host} were not JSON"]
    for item in items if isinstance(items, list) else []:
        if "pull_request" in item:
            continue
        number = item.get("number") or item.get("iid")
        body = (item.get("body") or item.get("description") or "").strip()[:ISSUE_MAX_CHARS]
        text = f"{item.get('title', '').strip()}\n\n{body}".strip()
        if number and text:
            docs.append(Document(kind="issue", path=f"issue#{number}", text=text))
    return docs, []
