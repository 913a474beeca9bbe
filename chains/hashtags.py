"""Hashtags from a project's card: its language or ecosystem, its domain words, its name in CamelCase.

`card_hashtags(card, text)` returns 3-5 tags. Domain words come from the
manifest's keywords, then from the tagline and features (weighted by how
often the post and the card use them). A tag is never a URL or path
fragment, a repository word (https, com, org, github, commit, date, readme,
md, chapter, install, ...) or a generic word (library, tool, simple, ...).
It does not score posts (`chains.quality`).
"""

from __future__ import annotations

import re
from collections import Counter

from chains.sentences import STOPWORDS
from rag.card_types import ProjectCard

__all__ = ["card_hashtags", "camel_tag", "JUNK_WORDS", "is_clean_tag"]

JUNK_WORDS = frozenset(
    """https http www com org net io dev github gitlab bitbucket commit commits date readme md rst txt html chapter
    install installation installing pip npm yarn cargo license licence docs doc documentation version versions release
    releases badge badges build builds status pypi master main branch src lib bin todo example examples usage setup
    changelog issue issues pull request requests merge fork clone repo repository http https url link links page
    python3 copyright contributing contributors authors maintainers sponsor sponsors""".split()
)
GENERIC_WORDS = frozenset(
    """library libraries package packages module modules tool tools project projects simple fast easy easily support
    supports supported based using provides provide allows allow makes make features feature code file files way
    things like also well many much more most other different various powerful useful lightweight modern small tiny
    pure new full high level low great good best better first just without within across every each value values
    need needs used user users work works working want set get run runs running write writes written read reads help
    helps thing item items part parts kind type types time times number numbers case cases able available default
    instead following including include includes provided allowing making another whole real same several specific
    common general standard minimal quick quickly single multiple extra additional current latest beautiful base
    manipulation combining convenient official ultimate friendly creation study structure function functions access
    change changes internals page pages mean means enable enables test tests free open source aptly named thing fork core main simple robust
    application applications app apps program programs software system systems""".split()
)
LANGUAGE_TAGS = {"python": "#Python", "javascript": "#JavaScript", "typescript": "#TypeScript", "rust": "#RustLang",
                 "go": "#Golang", "ruby": "#Ruby", "php": "#PHP", "java": "#Java", "kotlin": "#Kotlin",
                 "jupyter": "#Jupyter", "r": "#RStats", "julia": "#JuliaLang"}  # fmt: skip
DOMAIN_WORDS = frozenset(
    """api apis http rest graphql grpc json yaml toml xml csv sql database databases orm cache caching async asyncio
    concurrency parallel testing tests mocking logging tracing monitoring observability profiling benchmarking
    debugging security cryptography encryption authentication auth oauth jwt validation serialization parsing parser
    compiler interpreter cli terminal shell automation devops cloud aws azure gcp kubernetes docker containers
    serverless web frontend backend server servers http2 websocket websockets networking scraping crawler search
    markdown documentation templates templating rendering linting linter formatter formatting typing types schema
    schemas machinelearning ml ai llm llms nlp embeddings vectors dataframes dataframe numpy statistics math
    mathematics science scientific visualization plotting charts dashboard notebooks jupyter data analytics etl
    pipelines workflow scheduling queue queues messaging streaming events microservices performance unicode
    encoding datetime timezone regex configuration packaging dependencies plugins plugin framework frameworks
    sdk aws cloudformation git github actions ci testing pytest unittest fixtures""".split()
)
_VERBISH = re.compile(r"(ly|ing|ed|ize|ise|izes|ises)$")
FALLBACK_TAGS = ("#OpenSource", "#DeveloperTools", "#Programming")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+]*")
_TAG = re.compile(r"^#[A-Za-z][A-Za-z0-9]{1,29}$")


def is_clean_tag(tag: str) -> bool:
    """True for a tag made of letters and digits that is not a repository, URL or generic word."""
    body = tag.lstrip("#").lower()
    return bool(_TAG.match(tag)) and body not in JUNK_WORDS and body not in GENERIC_WORDS


def camel_tag(term: str) -> str:
    """ "#" plus the term's words in CamelCase ("" when nothing usable is left).

    Example: camel_tag("scikit-learn") == "#ScikitLearn"
    """
    words = re.findall(r"[A-Za-z0-9]+", term)
    if not words:
        return ""
    body = "".join(w if w[:1].isupper() else w[:1].upper() + w[1:] for w in words)
    if body[:1].isdigit():
        return ""
    return "#" + body[:30]


def _domain_words(card: ProjectCard, text: str, context: str = "") -> list[str]:
    name_words = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", card.name.value)}
    lang = (
        card.language.value.lower() if card.language else "",
        card.ecosystem.value.lower() if card.ecosystem else "",
    )
    blob = " ".join([card.tagline.value if card.tagline else "", *(f.value for f in card.features)])
    spelled: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    post = Counter(w.lower() for w in _WORD.findall(text))
    for i, source in enumerate((card.tagline.value if card.tagline else "", blob)):
        for w in _WORD.findall(source):
            low = w.lower()
            if len(low) < 3 or low in JUNK_WORDS or low in GENERIC_WORDS or low in name_words or low in lang:
                continue
            if low in STOPWORDS or not low.isalpha():
                continue
            if _VERBISH.search(low) and low not in DOMAIN_WORDS:
                continue
            counts[low] += 2 if i == 0 else 1
            spelled.setdefault(low, Counter())[w] += 1
    around = Counter(w.lower() for w in _WORD.findall(context[:50_000]))

    def weight(w: str) -> float:
        form = spelled[w].most_common(1)[0][0]
        special = form.isupper() and len(form) > 1 or bool(re.search(r"[a-z][A-Z]", form))
        return (counts[w] + (1 if post[w] else 0) + min(around[w], 10) / 5 + (3 if w in DOMAIN_WORDS else 0)
                + (1.5 if special else 0))  # fmt: skip

    ranked = sorted(counts, key=lambda w: (-weight(w), -len(w), w))
    out = []
    for w in ranked:
        form = spelled[w].most_common(1)[0][0]
        if len(w) < 4 and w not in DOMAIN_WORDS and not form.isupper():
            continue
        camel = bool(re.search(r"[a-z][A-Z]", form))
        out.append(form if (form.isupper() and len(form) <= 6) or camel else w.capitalize())
    return out


def card_hashtags(card: ProjectCard, text: str = "", *, policy: str = "nop", min_tags: int = 3,
                  max_tags: int = 5, context: str = "") -> tuple[str, ...]:  # fmt: skip
    """3-5 clean hashtags for a post about the card's project; `policy` as in `chains.quality.extract_hashtags`.

    `context` (e.g. the passages' text) breaks ties between domain words by how often the project uses them.
    """
    lang_tag = ""
    for f in (card.language, card.ecosystem):
        if f is not None and f.value.lower() in LANGUAGE_TAGS:
            lang_tag = LANGUAGE_TAGS[f.value.lower()]
            break
    name_tag = camel_tag(card.name.value)
    keywords = [camel_tag(k.value) for k in card.keywords if len(k.value.split()) <= 2 and "/" not in k.value]
    domain = [t for t in keywords if is_clean_tag(t)][:2]
    domain += ["#" + w for w in _domain_words(card, text, context)]
    ordered = [*domain[:1], lang_tag, name_tag, *domain[1:]]
    if policy == "boost_tag":
        ordered = [name_tag, *(t for t in ordered if t != name_tag)]
    elif policy == "add_suggested_tag":
        broad = lang_tag or "#OpenSource"
        ordered = [*(t for t in ordered if t != broad)][: max_tags - 1] + [broad]
    tags: list[str] = []
    seen: set[str] = set()
    for tag in [*ordered, *FALLBACK_TAGS]:
        key = tag.lower().rstrip("s")
        if tag and (is_clean_tag(tag) or tag == name_tag and _TAG.match(tag)) and key not in seen:
            seen.add(key)
            tags.append(tag)
        if len(tags) >= max_tags:
            break
    if policy == "add_suggested_tag" and tags and tags[-1] != (lang_tag or "#OpenSource"):
        broad = lang_tag or "#OpenSource"
        tags = [t for t in tags if t != broad][: max_tags - 1] + [broad]
    return tuple(tags[: max(min_tags, min(max_tags, len(tags)))])
