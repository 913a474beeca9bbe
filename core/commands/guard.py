"""`python -m core verify` and `python -m core guard`: the hallucination guard from the shell.

`verify --jsonl IN --out OUT` scores rows {id, source, claim} whose source text is
given inline (no index) and writes rows {id, score, verdict}, score in [0, 1]
meaning supported. `guard --source PATH --text-file F [--json]` checks a
finished post against a project and prints the claim-by-claim report. Neither
stores anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.errors import InvalidInputError, NotFoundError
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run_verify", "run_guard", "read_verify_rows"]


def register(subparsers: Any) -> None:
    """Add the `verify` and `guard` sub-commands."""
    v = subparsers.add_parser("verify", help="score claims against inline sources (JSONL in, JSONL out)")
    v.add_argument("--jsonl", required=True, help="input rows {id, source, claim}")
    v.add_argument("--out", required=True, help="output rows {id, score, verdict}")
    v.set_defaults(func=run_verify)
    g = subparsers.add_parser("guard", help="check a finished post against a project")
    g.add_argument("--source", required=True, help="a local folder, a git checkout or a GitHub/GitLab URL")
    g.add_argument("--text-file", required=True, help="a file holding the post text ('-' for stdin)")
    g.add_argument("--json", action="store_true", help="print the report as one JSON object")
    g.add_argument("--no-rewrite", action="store_true", help="report only; do not rewrite or drop claims")
    g.set_defaults(func=run_guard)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def read_verify_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a verify input file; raises InvalidInputError naming the bad line."""
    if not path.is_file():
        raise NotFoundError(f"No file {path}; give --jsonl a JSONL file of {{id, source, claim}} rows")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InvalidInputError(
                f"{path}:{n} is not JSON ({exc.msg}); each line must be one JSON object"
            ) from None
        if not isinstance(row, dict) or "claim" not in row or "source" not in row:
            raise InvalidInputError(f"{path}:{n} needs the keys id, source and claim")
        if not isinstance(row["claim"], str) or not isinstance(row["source"], str):
            raise InvalidInputError(f"{path}:{n}: source and claim must be strings")
        rows.append(row)
    return rows


def run_verify(args: argparse.Namespace) -> int:
    """Score every row and write the output JSONL."""
    from chains.guard import verify_claims

    rows = read_verify_rows(Path(args.jsonl))
    services = _services()
    results = verify_claims([(r["claim"], r["source"]) for r in rows], services.embedder(), services.settings)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for i, (row, (score, verdict)) in enumerate(zip(rows, results, strict=False)):
            fh.write(json.dumps({"id": row.get("id", i), "score": score, "verdict": verdict}) + "\n")
    supported = sum(v == "supported" for _, v in results)
    print(f"wrote {len(results)} rows to {out} ({supported} supported, {len(results) - supported} not)")
    return 0


def run_guard(args: argparse.Namespace) -> int:
    """Check a post file against a project and print the report."""
    from chains.guard import check_post, report_to_dict
    from rag.index import build_index
    from rag.sources import load_source

    text_path = args.text_file
    if text_path == "-":
        text = sys.stdin.read()
    else:
        p = Path(text_path)
        if not p.is_file():
            raise NotFoundError(f"No file {p}; give --text-file the post to check")
        text = p.read_text(encoding="utf-8")
    services = _services()
    settings = services.settings
    source = load_source(args.source, settings)
    index = build_index(source, services.embedder(), settings)
    chain = None if args.no_rewrite else services.chain()
    project_text = "\n".join(f"{d.path}\n{d.text}" for d in source.documents)
    report = check_post(text, index, services.embedder(), settings, chain, project_text=project_text)
    if args.json:
        print(json.dumps(report_to_dict(report), ensure_ascii=False, indent=1))
        return 0
    print(
        f"confidence {report.confidence:.2f}  unsupported {report.unsupported_share:.0%}  claims {len(report.claims)}"
    )
    for c in report.claims:
        mark = {"supported": "OK ", "unsupported": "NO ", "not_checkable": "-- "}[c.verdict]
        print(f"{mark} {c.score:.2f}  {c.text.strip()[:100]}")
        print(f"       {c.reason}")
        if c.evidence:
            print(f"       evidence: {c.evidence[0].location}: {c.evidence[0].text.strip()[:100]}")
    for note in report.notes:
        print(f"note: {note}")
    if report.changed:
        print("\nrevised post:\n" + report.revised_text)
    return 0
