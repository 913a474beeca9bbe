"""The METADATA corpus: the README (long description) of every installed package, as a project folder.

`readmes` lists (name, README file name, body, metadata header) for each
METADATA file whose body is over a size; `write_project` writes one into a
folder (README plus the header as `PKG-INFO` unless asked not to). Shared by
`bench/posts.py` and `bench/cards.py`; it does not build cards or posts.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = str(ROOT / ".venv/lib/python3.11/site-packages/*.dist-info/METADATA")


def readmes(pattern: str, min_bytes: int) -> list[tuple[str, str, str, str]]:
    """(name, README file name, body, metadata header) for each METADATA whose body is over `min_bytes`."""
    out = []
    for path in sorted(glob.glob(pattern)):
        raw = Path(path).read_text(encoding="utf-8", errors="replace")
        head, _, body = raw.partition("\n\n")
        if len(body.encode()) < min_bytes:
            continue
        m = re.search(r"^Name:\s*(.+)$", head, re.M)
        ctype = (re.search(r"^Description-Content-Type:\s*(\S+)", head, re.M) or [None, ""])[1].lower()
        ext = ".md" if "markdown" in ctype else ".rst" if "rst" in ctype else ".txt"
        out.append((m.group(1).strip() if m else Path(path).parent.name, "README" + ext, body, head))
    return out


def write_project(work: Path, name: str, readme: str, body: str, head: str, *, manifest: bool = True) -> Path:
    """A project folder under `work` holding the README (and the header as PKG-INFO when `manifest`)."""
    folder = work / "projects" / re.sub(r"[^\w.-]", "_", name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / readme).write_text(body, encoding="utf-8")
    if manifest:
        (folder / "PKG-INFO").write_text(head + "\n", encoding="utf-8")
    return folder
