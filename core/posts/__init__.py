"""Posts: generate one, read it back, refine, rate, export it, and the Library over all of them.

`pipeline.py` generates a post (the entry point, re-exported below with the
functions that act on stored posts). Lowest first: `errors.py` (the pipeline's
errors and `mapped_errors`), `view.py` (a stored version read back),
`feedback.py` (ratings, rewards, improved versions), `refine.py` and
`export.py` (acting on a stored post), `library.py` (items with their versions,
diffs and restores; import it from there).
"""

from core.posts.pipeline import (
    DEMO_SOURCES,
    STEP_LABELS,
    CardEdit,
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
    "CardEdit",
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
