"""Load a project into a `LoadedSource`: from a local folder or git checkout, a repository URL, or uploads.

This is `rag`'s entry point for sources. It decides what kind of spec it was
given, delegates the reading (`rag.files` for folders, `rag.remote` for cloning
and issues, `rag.uploads` for uploaded files), then names the project and hashes
its documents so the index can be cached. It raises `SourceError` subclasses
whose messages name the fix; it never chunks or embeds.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rag.errors import EmptySourceError, SourceNotFoundError
from rag.files import read_git_log, scan_folder
from rag.manifests import read_manifests
from rag.remote import clone_repo, fetch_issues, is_url, parse_repo_url
from rag.types import Document, LoadedSource
from rag.uploads import read_uploads

__all__ = ["load_source", "load_uploads", "hash_documents", "project_name"]

LOG = logging.getLogger(__name__)

_TITLE = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_RST_TITLE = re.compile(r"^([^\n]{1,60})\n(={3,}|-{3,}|\*{3,})\s*$", re.MULTILINE)
_SIMPLE_NAME = re.compile(r"^[\w][\w .+-]{0,39}$")


def hash_documents(documents: Iterable[Document]) -> str:
    """A stable sha256 over the documents' kind, path and text, in order."""
    h = hashlib.sha256()
    for doc in documents:
        for part in (doc.kind, doc.path, doc.text):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        h.update(b"\x01")
    return h.hexdigest()


def _readme_title(documents: Iterable[Document]) -> str:
    readme = next((d for d in documents if d.kind == "readme"), None)
    if readme is None:
        return ""
    head = readme.text[:4000]
    m = _TITLE.search(head) or _RST_TITLE.search(head)
    if not m:
        return ""
    title = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))  # links and badges -> their text
    title = re.sub(r"<[^>]+>|[`*_]", "", title).strip()
    return title if _SIMPLE_NAME.match(title) and len(title.split()) <= 4 else ""


def project_name(documents: Iterable[Document], fallback: str) -> str:
    """The README's title when it is short and name-like, else `fallback` (folder or repo name)."""
    return _readme_title(list(documents)) or fallback or "project"


def _finish(
    kind: str,
    location: str,
    documents: list[Document],
    skipped: list[str],
    notes: list[str],
    name: str,
    empty_hint: str,
    manifests: list[Document] | None = None,
) -> LoadedSource:
    if not documents:
        detail = f" Skipped: {'; '.join(skipped[:5])}." if skipped else ""
        raise EmptySourceError(f"No readable text in {location}: {empty_hint}.{detail}")
    documents, secret_notes = _redact(_dedupe_paths(documents))
    notes = [*notes, *secret_notes]
    return LoadedSource(
        kind=kind,
        location=location,
        documents=tuple(documents),
        skipped=tuple(skipped),
        notes=tuple(notes),
        content_hash=hash_documents(documents),
        name=name,
        manifests=tuple(manifests or ()),
    )


def _redact(documents: list[Document]) -> tuple[list[Document], list[str]]:
    """Documents with every secret replaced by a marker, and one note per document that had some."""
    from rag.redact import redact_text

    out, notes = [], []
    for doc in documents:
        text, found = redact_text(doc.text)
        if found:
            kinds = ", ".join(sorted({f.kind for f in found}))
            lines = ", ".join(str(n) for n in sorted({f.line for f in found})[:10])
            notes.append(f"{doc.path}: {len(found)} secret(s) redacted ({kinds}; lines {lines}); never written from")
            doc = replace(doc, text=text)
        out.append(doc)
    return out, notes


def _dedupe_paths(documents: list[Document]) -> list[Document]:
    seen: set[tuple[str, str]] = set()
    out = []
    for doc in documents:
        key = (doc.kind, doc.path)
        if key in seen:
            continue
        seen.add(key)
        out.append(doc)
    return out


def _load_folder(root: Path, settings, kind: str, location: str, fallback_name: str,
                 extra_notes: list[str] | None = None) -> LoadedSource:  # fmt: skip
    scan = scan_folder(root, settings)
    commits, git_notes = read_git_log(root, settings.git_log_n)
    documents = scan.documents + commits
    name = project_name(documents, fallback_name)
    return _finish(
        kind,
        location,
        documents,
        scan.skipped,
        [*(extra_notes or []), *scan.notes, *git_notes],
        name,
        "no README, docs, examples, changelog or commit messages were found; "
        "point at the project's root folder or add a README.md",
        read_manifests(root),
    )


def _load_url(spec: str, settings, kind: str) -> LoadedSource:
    repo = parse_repo_url(spec)
    folder, notes = clone_repo(repo, settings, depth=max(1, int(settings.git_log_n)))
    scan = scan_folder(folder, settings)
    commits, git_notes = read_git_log(folder, settings.git_log_n)
    issues, issue_notes = (
        ([], []) if notes and notes[0].startswith("offline") else fetch_issues(repo, settings)
    )
    if notes and notes[0].startswith("offline"):
        issue_notes = ["offline: issues not fetched"]
    documents = scan.documents + commits + issues
    return _finish(
        kind,
        repo.display_url,
        documents,
        scan.skipped,
        [*notes, *scan.notes, *git_notes, *issue_notes],
        repo.name,
        "the repository has no README, docs, examples, changelog or commit messages",
        read_manifests(folder),
    )


def load_source(spec: str | Path, settings, *, kind: str | None = None) -> LoadedSource:
    """Load a local folder, git checkout, single file, or GitHub/GitLab URL into documents.

    `kind` overrides the recorded source kind (e.g. "demo"); by default it is "url" or "local".
    """
    if isinstance(spec, str) and is_url(spec):
        return _load_url(spec, settings, kind or "url")
    text = str(spec).strip()
    if not text:
        raise SourceNotFoundError(
            "No source given: enter a folder path, a GitHub/GitLab URL, or upload files"
        )
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceNotFoundError(
            f"{path} does not exist; check the path (it is read on the machine running Herald) "
            "or give a GitHub/GitLab URL"
        )
    path = path.resolve()
    if path.is_file():
        source = load_uploads([(path.name, path.read_bytes())], settings)
        return replace(source, kind=kind or "local", location=str(path))
    return _load_folder(path, settings, kind or "local", str(path), path.name)


def load_uploads(files: list[tuple[str, bytes]], settings) -> LoadedSource:
    """Load uploaded (name, bytes) pairs: md, rst, txt, ipynb, or a .zip of a repository."""
    if not files:
        raise EmptySourceError(
            "Nothing was uploaded: add .md, .rst, .txt, .ipynb files or a .zip of a repository"
        )
    scan = read_uploads(files, settings)
    names = [str(name) for name, _ in files]
    location = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return _finish(
        "upload",
        location,
        scan.documents,
        scan.skipped,
        scan.notes,
        project_name(scan.documents, scan.name or "upload"),
        "upload .md, .rst, .txt or .ipynb files with text in them, or a .zip of a repository",
        scan.manifests,
    )
