"""Read a project folder into `Document`s: which files count, how they are read, what is skipped.

Covers the README, docs folders, examples folders, changelogs, other top-level
text files and the last commit messages (read with dulwich: no `git` process ever
runs on a project, so its config, hooks and signature programs stay data). Vendored and build
folders, binaries, lock files and minified files are skipped; file size, total
size, file count and the number of directory entries scanned are capped, and
everything left out is reported. It does not clone URLs (`rag.remote`) or unpack
uploads (`rag.uploads`).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from rag.types import Document

__all__ = [
    "FolderScan",
    "scan_folder",
    "read_git_log",
    "decode_text",
    "notebook_to_text",
    "classify_top_file",
    "SKIP_DIRS",
]

LOG = logging.getLogger(__name__)

SKIP_DIRS = frozenset(
    {
        "node_modules", "bower_components", "vendor", "vendors", "third_party", "third-party",
        "dist", "build", "_build", "target", "out", "site", "public", "coverage", "htmlcov",
        "__pycache__", "site-packages", "venv", "env", "eggs", "wheels", "_site",
    }
)  # fmt: skip
TEST_DIRS = frozenset({"tests", "test", "testing", "testdata", "test_data", "fixtures", "__tests__", "spec"})
DOCS_DIRS = frozenset({"docs", "doc", "documentation", "guide", "guides", "manual", "wiki"})
EXAMPLE_DIRS = frozenset(
    {"examples", "example", "samples", "sample", "demo", "demos", "tutorials", "tutorial", "cookbook"}
)
DOC_EXTS = frozenset({".md", ".markdown", ".mdx", ".rst", ".txt", ".adoc", ".asciidoc", ".ipynb", ".org"})
CODE_EXTS = frozenset(
    {
        ".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java", ".kt", ".rb", ".php", ".c",
        ".cc", ".cpp", ".h", ".hpp", ".cs", ".swift", ".scala", ".sh", ".bash", ".r", ".jl", ".lua",
        ".sql", ".toml", ".yaml", ".yml", ".json", ".html", ".css", ".ex", ".exs", ".hs", ".dart", ".vue",
    }
)  # fmt: skip
BINARY_EXTS = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".svg", ".tif", ".tiff", ".psd",
        ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".whl", ".egg", ".jar",
        ".so", ".dll", ".dylib", ".exe", ".bin", ".o", ".a", ".pyc", ".pyo", ".class", ".wasm",
        ".mp3", ".mp4", ".wav", ".ogg", ".mov", ".avi", ".mkv", ".webm", ".flac", ".ttf", ".otf",
        ".woff", ".woff2", ".eot", ".db", ".sqlite", ".sqlite3", ".npy", ".npz", ".pt", ".pth",
        ".onnx", ".gguf", ".safetensors", ".pkl", ".pickle", ".parquet", ".h5", ".xls", ".xlsx",
        ".doc", ".docx", ".ppt", ".pptx", ".dmg", ".iso",
    }
)  # fmt: skip
LOCK_NAMES = frozenset(
    {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
        "pipfile.lock", "cargo.lock", "gemfile.lock", "composer.lock", "uv.lock", "pdm.lock",
        "go.sum", "flake.lock", "mix.lock", "pubspec.lock", "packages.lock.json",
    }
)  # fmt: skip
CHANGELOG_STEMS = frozenset(
    {"changelog", "changes", "history", "news", "releases", "release_notes", "release-notes"}
)
LICENSE_STEMS = frozenset({"license", "licence", "copying", "notice"})
LICENSE_HEAD_BYTES = 600  # enough to say which licence it is
KIND_ORDER = {"readme": 0, "changelog": 1, "docs": 2, "example": 3}
_README = re.compile(r"^readme(\.[a-z0-9_-]+)*$", re.IGNORECASE)


@dataclass
class FolderScan:
    """What scanning one folder produced."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total_bytes: int = 0


@dataclass(frozen=True)
class _Candidate:
    kind: str
    rel: str
    path: Path
    size: int
    head_only: bool = False  # licences: only the first bytes


def _stem(name: str) -> str:
    return name.lower().split(".", 1)[0]


def classify_top_file(name: str, first_readme: bool = True) -> str | None:
    """Kind of a top-level file by name (readme, changelog, docs) or None when it is not a doc.

    Example: classify_top_file("CHANGES.rst") == "changelog"
    """
    lower = name.lower()
    ext = os.path.splitext(lower)[1]
    if _README.match(name) and (ext in DOC_EXTS or ext in ("", ".html", ".htm")):
        return "readme" if first_readme else "docs"
    if _stem(name) in CHANGELOG_STEMS and (ext in DOC_EXTS or ext == ""):
        return "changelog"
    if ext in DOC_EXTS and not lower.startswith(("requirements", "constraints")):
        return "docs"
    return None


def _skip_reason(name: str) -> str | None:
    lower = name.lower()
    ext = os.path.splitext(lower)[1]
    if ext in BINARY_EXTS:
        return "binary file"
    if lower in LOCK_NAMES or ext == ".lock":
        return "lock file"
    if lower.endswith((".min.js", ".min.css", ".map")):
        return "minified or generated file"
    return None


def _is_skipped_dir(name: str) -> bool:
    return name.startswith(".") or name.lower() in SKIP_DIRS or name.endswith(".egg-info")


def decode_text(data: bytes) -> tuple[str, int]:
    """Bytes to text: UTF-8 (BOM aware), UTF-16 with a BOM, else UTF-8 with replacement.

    Returns the text and how many replacement characters decoding introduced.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), 0
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.decode("utf-8", "ignore").count("\ufffd")


def notebook_to_text(raw: str) -> str:
    """A Jupyter notebook's markdown cells as text and its code cells as fenced code."""
    nb = json.loads(raw)
    parts: list[str] = []
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if not src.strip():
            continue
        if cell.get("cell_type") == "code":
            parts.append(f"```python\n{src.rstrip()}\n```")
        elif cell.get("cell_type") == "markdown":
            parts.append(src.rstrip())
    return "\n\n".join(parts)


def _walk(
    root: Path, budget: int, scan: FolderScan, exclude: frozenset[Path]
) -> tuple[list[_Candidate], bool]:
    """Breadth-first walk (root first), pruning vendored/hidden/test folders, within `budget` entries."""
    candidates: list[_Candidate] = []
    seen = 0
    capped = False
    queue: deque[tuple[Path, str, str | None]] = deque([(root, "", None)])
    first_readme = True
    real_root = root.resolve()
    while queue and not capped:
        folder, rel_dir, area = queue.popleft()
        entries: list[os.DirEntry[str]] = []
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    seen += 1
                    if seen > budget:
                        capped = True
                        break
                    entries.append(entry)
        except OSError as exc:
            scan.skipped.append(f"{rel_dir or '.'}/: cannot be read ({exc.strerror or exc})")
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            rel = f"{rel_dir}{entry.name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
                if not (is_dir or is_file) and entry.is_symlink():  # e.g. README.md -> docs/index.md
                    target = Path(entry.path).resolve()
                    is_file = target.is_file() and target.is_relative_to(real_root)
            except (OSError, RuntimeError):
                continue
            if is_dir:
                if _is_skipped_dir(entry.name):
                    if not entry.name.startswith("."):
                        scan.skipped.append(f"{rel}/: vendored or build folder")
                    continue
                if entry.name.lower() in TEST_DIRS:
                    scan.skipped.append(f"{rel}/: test folder (fixtures are not the project's docs)")
                    continue
                if exclude and Path(entry.path).resolve() in exclude:
                    scan.skipped.append(f"{rel}/: Herald's own data or log folder")
                    continue
                low = entry.name.lower()
                sub_area = area or (
                    "docs" if low in DOCS_DIRS else "example" if low in EXAMPLE_DIRS else None
                )
                queue.append((Path(entry.path), rel + "/", sub_area))
                continue
            if not is_file:
                continue
            cand = _classify(entry, rel, rel_dir == "", area, first_readme, scan)
            if cand is not None:
                if cand.kind == "readme":
                    first_readme = False
                candidates.append(cand)
    return candidates, capped


def _classify(
    entry: os.DirEntry[str], rel: str, top: bool, area: str | None, first_readme: bool, scan: FolderScan
) -> _Candidate | None:
    name = entry.name
    if name.startswith("."):
        return None  # dotfiles (.env, .npmrc...) may hold secrets and are never project docs
    ext = os.path.splitext(name.lower())[1]
    considered = top or area is not None or _README.match(name) or _stem(name) in CHANGELOG_STEMS
    if not considered:
        return None
    reason = _skip_reason(name)
    if reason:
        scan.skipped.append(f"{rel}: {reason}")
        return None
    try:
        size = entry.stat().st_size
    except OSError:
        return None
    if top:
        if _stem(name) in LICENSE_STEMS and ext in ("", ".md", ".txt", ".rst"):
            return _Candidate("docs", rel, Path(entry.path), size, head_only=True)
        kind = classify_top_file(name, first_readme)
    elif _README.match(name) and ext in DOC_EXTS | {""}:
        kind = "docs" if area != "example" else "example"
    elif _stem(name) in CHANGELOG_STEMS and ext in DOC_EXTS | {""}:
        kind = "changelog"
    elif area == "docs":
        kind = "docs" if ext in DOC_EXTS else None
    elif area == "example":
        kind = "example" if ext in DOC_EXTS | CODE_EXTS else None
    else:
        kind = None
    return None if kind is None else _Candidate(kind, rel, Path(entry.path), size)


def _read(cand: _Candidate, settings, scan: FolderScan, remaining: int) -> Document | None:
    """Read one candidate within the per-file and remaining total byte caps."""
    limit = LICENSE_HEAD_BYTES if cand.head_only else min(settings.max_file_bytes, remaining)
    try:
        with open(cand.path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        scan.skipped.append(f"{cand.rel}: cannot be read ({exc.strerror or exc})")
        return None
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        scan.skipped.append(f"{cand.rel}: binary file")
        return None
    truncated = len(data) > limit
    if truncated:
        data = data[:limit]
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut > limit // 2 else data
        if not cand.head_only:
            why = "HERALD_MAX_FILE_BYTES" if limit == settings.max_file_bytes else "HERALD_MAX_TOTAL_BYTES"
            scan.skipped.append(
                f"{cand.rel}: truncated to the first {len(data):,} of {cand.size:,} bytes "
                f"(raise {why} to read more)"
            )
    text, bad = decode_text(data)
    if bad and bad > max(16, len(text) // 10):
        scan.skipped.append(f"{cand.rel}: not UTF-8 text ({bad} undecodable bytes); convert it to UTF-8")
        return None
    if bad:
        scan.notes.append(f"{cand.rel}: not valid UTF-8; {bad} bytes replaced with U+FFFD")
    if cand.path.suffix.lower() == ".ipynb":
        try:
            text = notebook_to_text(text)
        except (ValueError, AttributeError, TypeError):
            why = "larger than HERALD_MAX_FILE_BYTES" if truncated else "not valid JSON"
            scan.skipped.append(f"{cand.rel}: notebook is {why}")
            return None
    if not text.strip():
        return None
    scan.total_bytes += len(data)
    return Document(kind=cand.kind, path=cand.rel, text=text)


def _probe_top(root: Path, have: set[str]) -> list[_Candidate]:
    """When the scan cap cut the root listing short, still find its README and changelog."""
    out = []
    for name in ("README.md", "README.rst", "README.txt", "README", "readme.md", "CHANGELOG.md",
                 "CHANGELOG.rst", "CHANGES.md", "CHANGES.rst", "HISTORY.md", "NEWS.md"):  # fmt: skip
        path = root / name
        if name not in have and path.is_file():
            kind = classify_top_file(name, not any(c.kind == "readme" for c in out))
            if kind:
                out.append(_Candidate(kind, name, path, path.stat().st_size))
    return out


def scan_folder(root: Path, settings) -> FolderScan:
    """Read a project folder's docs files within the caps in `settings`; commits are separate."""
    scan = FolderScan()
    exclude = frozenset(Path(p).resolve() for p in (settings.data_dir, settings.log_dir))
    candidates, capped = _walk(root, settings.max_scan_entries, scan, exclude)
    if capped:
        have = {c.rel for c in candidates}
        extra = [c for c in _probe_top(root, have) if not (c.kind == "readme" and any(
            x.kind == "readme" for x in candidates))]  # fmt: skip
        candidates.extend(extra)
        scan.skipped.append(
            f"scan stopped after {settings.max_scan_entries:,} directory entries (HERALD_MAX_SCAN_ENTRIES): "
            "the rest of the tree was not read; point at the project root or a smaller folder, "
            "or raise the limit"
        )
    candidates.sort(key=lambda c: (KIND_ORDER[c.kind], c.rel.count("/"), c.rel))
    if len(candidates) > settings.max_files:
        left = candidates[settings.max_files :]
        candidates = candidates[: settings.max_files]
        scan.skipped.append(
            f"{len(left):,} more files not read: more than {settings.max_files:,} files (HERALD_MAX_FILES)"
        )
    for i, cand in enumerate(candidates):
        remaining = settings.max_total_bytes - scan.total_bytes
        if remaining <= 0:
            scan.skipped.append(
                f"{len(candidates) - i:,} more files not read: total size cap of "
                f"{settings.max_total_bytes:,} bytes reached (HERALD_MAX_TOTAL_BYTES)"
            )
            break
        doc = _read(cand, settings, scan, remaining)
        if doc is not None:
            scan.documents.append(doc)
    return scan


def read_git_log(root: Path, n: int) -> tuple[list[Document], list[str]]:
    """The last `n` commit messages of the repository at `root`, as `commit` documents, plus notes.

    Read with dulwich, a pure-Python git reader: the repository's own `.git/config`, hooks,
    signature programs, pagers and diff drivers are data here, never run (no `git` process).
    """
    if n <= 0 or not (root / ".git").exists():
        return [], []
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    try:
        repo = Repo(str(root))
    except (NotGitRepository, OSError, ValueError, KeyError) as exc:
        return [], [f"git log not read: {exc}"]
    docs: list[Document] = []
    try:
        with repo:
            try:
                head = repo.head()
            except KeyError:  # no commits yet
                return [], []
            for entry in repo.get_walker(include=[head], max_entries=n):
                commit = entry.commit
                message = commit.message.decode(commit.encoding or "utf-8", "replace").strip()
                if message:
                    sha = commit.id.decode("ascii")[:7]
                    docs.append(Document(kind="commit", path=f"commit:{sha}", text=message))
    except Exception as exc:  # a damaged or shallow history: keep what was read
        LOG.info("git log of %s stopped: %s", root, exc)
        note = f"git log stopped after {len(docs)} commits: {type(exc).__name__}"
        return docs, [note]
    return docs, []
