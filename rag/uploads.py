"""Turn uploaded files into documents: md, rst, txt, ipynb, or a .zip of a repository.

A zip is unpacked into a temporary folder under `data_dir/uploads/` (members with
absolute paths, `..`, or symlinks are refused, and the unpacked size is capped so a
zip bomb cannot fill the disk; a `.git/` folder is never unpacked, since git would
obey its config), read like a local folder, then deleted. It does
not build the `LoadedSource` (`rag.sources` does).
"""

from __future__ import annotations

import io
import logging
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rag.files import (
    BINARY_EXTS,
    SKIP_DIRS,
    classify_top_file,
    decode_text,
    notebook_to_text,
    scan_folder,
)
from rag.manifests import read_manifests
from rag.types import Document

__all__ = ["UploadScan", "read_uploads", "safe_member_path", "TEXT_UPLOAD_EXTS"]

LOG = logging.getLogger(__name__)

TEXT_UPLOAD_EXTS = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc"})
_CHUNK = 1 << 16


@dataclass
class UploadScan:
    """Documents read from uploads, with what was skipped and a suggested project name."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name: str = ""
    manifests: list[Document] = field(default_factory=list)


def safe_member_path(name: str) -> PurePosixPath | None:
    """A zip member's relative path, or None when it is absolute or climbs out with `..`."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        return None
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*parts)


def _member_skip(rel: PurePosixPath, info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link in zip"
    dirs = rel.parts[:-1]
    if ".git" in dirs[:2]:
        return ".git"  # an uploaded repository's git folder is never unpacked (its config could run programs)
    if any(d.startswith(".") or d.lower() in SKIP_DIRS or d.endswith(".egg-info") for d in dirs):
        return ""  # vendored/hidden: silently not unpacked
    if rel.suffix.lower() in BINARY_EXTS:
        return "binary file"
    return None


def _extract(data: bytes, dest: Path, settings, scan: UploadScan, label: str) -> int:
    """Unpack a zip safely into `dest`; returns how many files were written."""
    budget = 2 * int(settings.max_total_bytes)
    written = files = dropped_git = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.infolist()
        if len(members) > settings.max_scan_entries:
            scan.skipped.append(
                f"{label}: only the first {settings.max_scan_entries:,} of {len(members):,} entries "
                "unpacked (HERALD_MAX_SCAN_ENTRIES)"
            )
            members = members[: settings.max_scan_entries]
        for info in members:
            if info.is_dir():
                continue
            rel = safe_member_path(info.filename)
            if rel is None:
                scan.skipped.append(f"{label}: {info.filename}: unsafe path refused (absolute or '..')")
                continue
            reason = _member_skip(rel, info)
            if reason == ".git":
                dropped_git += 1
                continue
            if reason:
                scan.skipped.append(f"{label}: {rel}: {reason}")
            if reason is not None:
                continue
            target = dest.joinpath(*rel.parts)
            if not target.resolve().is_relative_to(dest.resolve()):
                scan.skipped.append(f"{label}: {info.filename}: unsafe path refused")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > budget:
                        break
                    out.write(chunk)
            files += 1
            if written > budget:
                scan.skipped.append(
                    f"{label}: unpacking stopped at {budget:,} bytes (twice HERALD_MAX_TOTAL_BYTES)"
                )
                break
    if dropped_git:
        scan.notes.append(
            f"{label}: the .git folder ({dropped_git:,} files) was not unpacked: uploaded git history is not "
            "trusted, so no commit messages were read; give a repository URL to include its commits"
        )
    return files


def _project_root(dest: Path) -> Path:
    """The single top folder GitHub-style zips have (`repo-main/`), else `dest` itself."""
    entries = [p for p in dest.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


def _read_zip(name: str, data: bytes, settings, scan: UploadScan) -> None:
    base = Path(settings.data_dir) / "uploads"
    base.mkdir(parents=True, exist_ok=True)
    dest = Path(tempfile.mkdtemp(prefix="zip-", dir=base))
    try:
        try:
            _extract(data, dest, settings, scan, name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
            scan.skipped.append(f"{name}: not a readable zip file ({exc}); re-create the archive")
            return
        root = _project_root(dest)
        folder = scan_folder(root, settings)
        scan.documents.extend(folder.documents)
        scan.manifests.extend(read_manifests(root))
        scan.skipped.extend(f"{name}: {s}" for s in folder.skipped)
        scan.notes.extend(f"{name}: {s}" for s in folder.notes)
        if not scan.name:
            stem = root.name if root != dest else Path(name).stem
            for suffix in ("-main", "-master", "-trunk", "-develop"):
                stem = stem.removesuffix(suffix)
            scan.name = stem
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def _read_text(name: str, data: bytes, settings, scan: UploadScan) -> None:
    ext = Path(name).suffix.lower()
    if len(data) > settings.max_file_bytes:
        scan.skipped.append(
            f"{name}: truncated to the first {settings.max_file_bytes:,} of {len(data):,} bytes "
            "(raise HERALD_MAX_FILE_BYTES to read more)"
        )
        data = data[: settings.max_file_bytes]
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        scan.skipped.append(f"{name}: binary file")
        return
    text, bad = decode_text(data)
    if bad and bad > max(16, len(text) // 10):
        scan.skipped.append(f"{name}: not UTF-8 text ({bad} undecodable bytes); convert it to UTF-8")
        return
    if bad:
        scan.notes.append(f"{name}: not valid UTF-8; {bad} bytes replaced with U+FFFD")
    if ext == ".ipynb":
        try:
            text = notebook_to_text(text)
        except (ValueError, AttributeError, TypeError):
            scan.skipped.append(f"{name}: notebook is not valid JSON; save it again from Jupyter")
            return
        kind = "example"
    else:
        kind = classify_top_file(name, not any(d.kind == "readme" for d in scan.documents)) or "docs"
    if text.strip():
        scan.documents.append(Document(kind=kind, path=name, text=text))
    else:
        scan.skipped.append(f"{name}: empty")


def read_uploads(files: list[tuple[str, bytes]], settings) -> UploadScan:
    """Read uploaded `(file name, bytes)` pairs; unsupported types are listed as skipped."""
    scan = UploadScan()
    used: set[str] = set()
    for raw_name, data in files:
        name = PurePosixPath(str(raw_name).replace("\\", "/")).name or "upload"
        base, n = name, 2
        while name in used:
            stem, dot, ext = base.rpartition(".")
            name = f"{stem} ({n}).{ext}" if dot else f"{base} ({n})"
            n += 1
        used.add(name)
        ext = Path(name).suffix.lower()
        if ext == ".zip":
            _read_zip(name, data, settings, scan)
        elif ext in TEXT_UPLOAD_EXTS or ext == ".ipynb":
            _read_text(name, data, settings, scan)
        else:
            scan.skipped.append(
                f"{name}: unsupported file type; upload .md, .rst, .txt, .ipynb or a .zip of a repository"
            )
    return scan
