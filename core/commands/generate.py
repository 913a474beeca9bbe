"""`python -m core generate`: write one post from a project and print it (or one JSON object).

Builds its own `Services` from the environment, runs `core.posts.pipeline.generate_post`
and prints the draft. Bad input raises a `HeraldError`, which `core.cli` turns
into `error: ...` and exit code 2. It does not export (see `export`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from chains.types import Brief
from core.commands.acting import acting_user
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run", "result_json"]


def register(subparsers: Any) -> None:
    """Add the `generate` sub-command."""
    p = subparsers.add_parser("generate", help="write a LinkedIn post from a project")
    p.add_argument("--source", required=True, help="a local folder, a git checkout or a GitHub/GitLab URL")
    p.add_argument(
        "--style", default="announcement", help="announcement, tutorial, story, listicle, release_notes"
    )
    p.add_argument(
        "--tone", default="professional", help="professional, friendly, enthusiastic, technical, casual"
    )
    p.add_argument("--length", default="auto", help="auto (the agent chooses), short, medium or long")
    p.add_argument(
        "--audience", default="developers", help="developers, engineering_leaders, data_scientists, general"
    )
    p.add_argument("--topic", default="", help="an optional focus, e.g. 'the new CLI'")
    p.add_argument("--user", default="cli", help="who is creating the post (stored with it)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def result_json(result: Any) -> dict[str, Any]:
    """The JSON object `generate --json` prints for a `PostResult`."""
    draft = result.draft
    guard, moderation = result.guard, result.moderation
    return {
        "item_id": result.item_id,
        "version_id": result.version_id,
        "status": result.status,
        "text": result.text or draft.text,
        "draft_text": draft.text,
        "draft_version_id": result.draft_version_id,
        "guard_confidence": None if guard is None else round(float(guard.confidence), 3),
        "moderation_level": None if moderation is None else moderation.level,
        "reasons": list(result.reasons),
        "hook": draft.hook,
        "hashtags": list(draft.hashtags),
        "caption": draft.caption,
        "quality": round(float(draft.quality), 1),
        "quality_parts": {k: round(float(v), 3) for k, v in draft.quality_parts.items()},
        "provider": draft.provider,
        "model": draft.model,
        "attempts": [
            {
                "provider": a.provider,
                "model": a.model,
                "ok": a.ok,
                "latency_ms": round(a.latency_ms, 1),
                "error": a.error,
            }
            for a in draft.attempts
        ],
        "fold_index": draft.fold_index,
        "passages": [
            {
                "path": p.path,
                "kind": p.kind,
                "score": round(float(p.score), 4),
                "start_line": p.start_line,
                "end_line": p.end_line,
            }
            for p in result.passages
        ],
        "source": {
            "kind": result.source.kind,
            "location": result.source.location,
            "name": result.source.name,
        },
        "notes": list(result.notes),
        "timings_ms": {k: round(v, 1) for k, v in result.timings.items()},
        "card": result.card.to_dict() if getattr(result, "card", None) is not None else None,
    }


def run(args: argparse.Namespace) -> int:
    """Generate one post and print it; returns 0."""
    from core.posts.pipeline import generate_post

    brief = Brief(
        style=args.style, tone=args.tone, audience=args.audience, length=args.length, topic=args.topic
    )
    services = _services()
    result = generate_post(args.source, brief, services, created_by=args.user, by=acting_user(args, services))
    if args.json:
        print(json.dumps(result_json(result), ensure_ascii=False))
        return 0
    draft = result.draft
    print(result.text or draft.text)
    print()
    print(
        f"-- item {result.item_id} version {result.version_id} | {result.status.replace('_', ' ')} | "
        f"quality {draft.quality:.0f}/100 | "
        f"{len(draft.text)} chars | provider {draft.provider} ({len(draft.attempts)} attempt(s)) | "
        f"{len(result.passages)} passages"
    )
    for p in result.passages:
        print(f"   {p.score:.3f}  {p.kind:<9} {p.location}")
    return 0
