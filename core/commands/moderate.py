"""`python -m core moderate --jsonl IN --out OUT`: moderate rows of text in batches.

Reads JSONL rows `{id, text}` and writes rows `{id, level, scores, reasons,
fallbacks}` where `scores` maps each category to a number in [0, 1]. Never
overwrites an existing OUT unless `--force`. Storing nothing: this command
does not touch the database.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from core.errors import InvalidInputError
from utils.settings import load_settings

__all__ = ["register", "run"]

BATCH = 256


def register(subparsers: Any) -> None:
    """Add the `moderate` sub-command."""
    p = subparsers.add_parser("moderate", help="moderate JSONL rows {id, text}")
    p.add_argument("--jsonl", required=True, help="input JSONL file with rows {id, text}")
    p.add_argument("--out", required=True, help="output JSONL file (rows {id, level, scores, reasons})")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=run)


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a file; give --jsonl a JSONL file with rows {{id, text}}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{path}:{n} is not JSON ({exc.msg}); each line must be one object {{id, text}}"
            ) from exc
        if not isinstance(row, dict) or "text" not in row:
            raise InvalidInputError(
                f'{path}:{n} has no "text" field; each line must be {{"id": ..., "text": ...}}'
            )
        rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    """Moderate every row and write the results; returns 0."""
    from core.moderation import moderate_batch

    src, out = Path(args.jsonl).expanduser(), Path(args.out).expanduser()
    if out.exists() and not args.force:
        raise InvalidInputError(f"{out} already exists: choose another --out or add --force")
    if not out.parent.exists():
        raise InvalidInputError(f"Folder {out.parent} does not exist: create it first")
    rows = _read_rows(src)
    settings = load_settings()
    levels: dict[str, int] = {}
    with open(out, "w", encoding="utf-8") as fh:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            texts = [r["text"] if isinstance(r["text"], str) else str(r["text"] or "") for r in chunk]
            for row, result in zip(chunk, moderate_batch(texts, settings), strict=True):
                levels[result.level] = levels.get(result.level, 0) + 1
                record = {"id": row.get("id", start), **result.to_dict()}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(levels.items()))
    print(f"moderated {len(rows)} rows -> {out} ({summary or 'nothing'})")
    return 0
