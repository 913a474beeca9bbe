"""Uploaded files: md, rst, txt, notebooks, and zips of a repository (zip-slip and bombs refused)."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from dataclasses import replace

import pytest

from rag.errors import EmptySourceError
from rag.sources import load_source, load_uploads
from tests.test_rag_sources import make_repo


def _zip(members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return buf.getvalue()


NOTEBOOK = json.dumps(
    {
        "cells": [
            {"cell_type": "markdown", "source": ["# Tutorial\n", "Push a job."]},
            {"cell_type": "code", "source": "queue.push({'task': 'x'})", "outputs": []},
            {"cell_type": "raw", "source": "ignored"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
).encode()


def test_text_files_and_notebooks(settings):
    src = load_uploads(
        [
            ("README.md", b"# Widget\n\nWidget does things.\n"),
            ("CHANGES.rst", b"1.0\n===\n\n- first release\n"),
            ("notes.txt", b"Some notes.\n"),
            ("tutorial.ipynb", NOTEBOOK),
            ("setup.exe", b"MZ\x00\x00"),
        ],
        settings,
    )
    kinds = {d.path: d.kind for d in src.documents}
    assert kinds == {"README.md": "readme", "CHANGES.rst": "changelog", "notes.txt": "docs",
                     "tutorial.ipynb": "example"}  # fmt: skip
    nb = next(d for d in src.documents if d.path == "tutorial.ipynb").text
    assert nb == "# Tutorial\nPush a job.\n\n```python\nqueue.push({'task': 'x'})\n```"
    assert src.kind == "upload" and src.name == "Widget"
    assert any(s.startswith("setup.exe: unsupported file type") for s in src.skipped)


def test_uploaded_names_cannot_escape_and_duplicates_are_kept(settings):
    src = load_uploads([("../../etc/README.md", b"# a\n\none"), ("README.md", b"# b\n\ntwo")], settings)
    assert [d.path for d in src.documents] == ["README.md", "README (2).md"]
    assert [d.kind for d in src.documents] == ["readme", "docs"]


def test_bad_uploads_name_the_fix(settings):
    with pytest.raises(EmptySourceError, match="Nothing was uploaded"):
        load_uploads([], settings)
    with pytest.raises(EmptySourceError, match="not a readable zip file"):
        load_uploads([("repo.zip", b"this is not a zip")], settings)
    with pytest.raises(EmptySourceError, match="notebook is not valid JSON"):
        load_uploads([("nb.ipynb", b"{not json")], settings)
    with pytest.raises(EmptySourceError, match="unsupported file type"):
        load_uploads([("photo.png", b"\x89PNG")], settings)
    big = load_uploads(
        [("README.md", b"# big\n\n" + b"line of text\n" * 200)], replace(settings, max_file_bytes=500)
    )
    assert len(big.documents[0].text) <= 500 and "HERALD_MAX_FILE_BYTES" in big.skipped[0]


def test_zip_of_a_repository_with_zip_slip_attempts(tmp_path, settings):
    data = _zip(
        {
            "widget-main/README.md": b"# widget\n\nWidget is a tiny tool.\n",
            "widget-main/docs/usage.md": b"Run `widget go`.\n",
            "widget-main/examples/demo.py": b"print('demo')\n",
            "widget-main/node_modules/x/README.md": b"vendored\n",
            "widget-main/logo.png": b"\x89PNG....",
            "../evil.md": b"escaped!\n",
            "/abs/evil2.md": b"absolute!\n",
            "widget-main/../../evil3.md": b"escaped again\n",
        },
        symlinks={"widget-main/docs/link.md": "/etc/passwd"},
    )
    src = load_uploads([("widget-main.zip", data)], settings)
    assert {d.path: d.kind for d in src.documents} == {
        "README.md": "readme",
        "docs/usage.md": "docs",
        "examples/demo.py": "example",
    }
    assert src.name == "widget"
    skipped = "\n".join(src.skipped)
    for bad in ("../evil.md", "/abs/evil2.md", "widget-main/../../evil3.md"):
        assert f"{bad}: unsafe path refused" in skipped
    assert "symbolic link in zip" in skipped and "logo.png: binary file" in skipped
    uploads = settings.data_dir / "uploads"
    assert not list(uploads.iterdir())  # the temporary folder is removed
    for escaped in ("evil.md", "evil2.md", "evil3.md"):
        assert not list(settings.data_dir.parent.rglob(escaped))


def test_zip_with_git_history_is_read_without_its_git_folder(tmp_path, settings):
    repo = tmp_path / "proj"
    make_repo(repo, ["Add the widget", "Document the widget"])
    out = tmp_path / "proj.zip"
    _zip_dir(repo, out)
    src = load_uploads([("proj.zip", out.read_bytes())], settings)
    assert not [d for d in src.documents if d.kind == "commit"]  # uploaded .git/ is never unpacked
    assert src.documents[0].path == "README.md"
    assert any("proj.zip: the .git folder" in n for n in src.notes)
    assert load_source(out, settings).kind == "local"  # a .zip path loads like an upload


def test_zip_bomb_is_capped(settings):
    data = _zip({"p/README.md": b"# p\n\nreadme\n", "p/docs/huge.txt": b"a" * 3_000_000})
    src = load_uploads([("p.zip", data)], replace(settings, max_total_bytes=1_000_000))
    assert any("unpacking stopped" in s for s in src.skipped)
    assert src.documents[0].path == "README.md"


def _zip_dir(folder, out) -> None:
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{folder.name}/{path.relative_to(folder)}")
