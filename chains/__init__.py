"""Writing: LLM providers behind one interface, the fallback chain, post generation, refinement.

Import from here: `build_chain`, `FallbackChain`, `generate_draft`, `refine_text`, ...
Importing this package loads no model and touches no network.
"""

from chains.card_writer import NoCardContentError, compose_card_post, effective_hook
from chains.errors import (
    AllProvidersFailedError,
    ChainError,
    InvalidOutputError,
    NeedsKeyError,
    NoPassagesError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    UnknownProviderError,
    UnsupportedTaskError,
)
from chains.generate import generate_draft
from chains.hashtags import card_hashtags
from chains.post_checks import post_problems
from chains.prompts import looks_like_instruction, wrap_passages
from chains.providers import (
    FallbackChain,
    Provider,
    ProviderStatus,
    TokenSink,
    build_chain,
    get_provider,
    provider_names,
    register_provider,
)
from chains.quality import extract_hashtags, linkedin_fold, score_quality
from chains.refine import RefineResult, improve_storyboard_lines, refine_text
from chains.types import (
    AUDIENCES,
    HASHTAG_POLICIES,
    HOOK_TYPES,
    LENGTHS,
    STYLES,
    TONES,
    Attempt,
    Brief,
    ChainResult,
    Completion,
    Draft,
    Request,
    Strategy,
)

__all__ = [
    "compose_card_post",
    "effective_hook",
    "NoCardContentError",
    "card_hashtags",
    "post_problems",
    "AllProvidersFailedError",
    "ChainError",
    "InvalidOutputError",
    "NeedsKeyError",
    "NoPassagesError",
    "ProviderError",
    "ProviderTimeoutError",
    "ProviderUnavailableError",
    "UnknownProviderError",
    "UnsupportedTaskError",
    "generate_draft",
    "looks_like_instruction",
    "wrap_passages",
    "FallbackChain",
    "Provider",
    "ProviderStatus",
    "TokenSink",
    "build_chain",
    "get_provider",
    "provider_names",
    "register_provider",
    "extract_hashtags",
    "linkedin_fold",
    "score_quality",
    "RefineResult",
    "improve_storyboard_lines",
    "refine_text",
    "AUDIENCES",
    "HASHTAG_POLICIES",
    "HOOK_TYPES",
    "LENGTHS",
    "STYLES",
    "TONES",
    "Attempt",
    "Brief",
    "ChainResult",
    "Completion",
    "Draft",
    "Request",
    "Strategy",
]
