"""Posts: generate one, read it back, refine, rate, export it, and the Library over all of them.

`pipeline.py` generates a post (the entry point, re-exported below with the
functions that act on stored posts); `view.py` reads a stored version back and
refines, rates and exports it; `library.py` lists items with their versions,
diffs, restores and the feedback that teaches the agent (import it from there).
"""

from core.posts.pipeline import (
    DEMO_SOURCES,
    STEP_LABELS,
    DemoSource,
    ExportResult,
    GenerationFailedError,
    PostResult,
    PostView,
    SourceInput,
    SourceLoadError,
    build_export,
    export_item,
    export_items,
    generate_post,
    load_post,
    rate_version,
    record_export,
    refine_post,
    retrieval_query,
    validate_brief,
)

__all__ = [
    "PostResult",
    "PostView",
    "SourceInput",
    "ExportResult",
    "DemoSource",
    "SourceLoadError",
    "GenerationFailedError",
    "DEMO_SOURCES",
    "STEP_LABELS",
    "generate_post",
    "load_post",
    "rate_version",
    "refine_post",
    "build_export",
    "record_export",
    "export_item",
    "export_items",
    "validate_brief",
    "retrieval_query",
]
