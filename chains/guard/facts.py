"""Structured checks of what a claim about software asserts, each with its own verdict and evidence.

A claim about a project asserts specific things: a version, a number with its
unit, a command or flag, a file or package name, a programming language, a
platform, a licence, a person or organisation, a superlative or endorsement,
and a polarity (it does or does not do something). `check_facts` finds each
assertion in the claim and looks it up in the project (`ProjectFacts`: every
sentence of the project with its path and lines, built once per project), so
each gets a `FactCheck` with a verdict and the sentence that supports or
contradicts it. A failed check makes the claim unsupported outright (verify.py);
a claim whose checks all pass goes on to the calibrated score.

Rules:
- versions, URLs, @handles, files, packages, flags: must appear in the project;
- numbers: must appear in a sentence that shares a content word with the claim,
  with the same unit when the claim gives one ("2 ms" is not "2 s"); number
  words count ("three" = 3);
- languages, platforms, licences: a name the project never uses is unsupported
  (a project's language is also read from its install commands and file names);
- people and organisations named as author, maker or user ("built by", "used
  by Google"): must appear in the project;
- superlatives and endorsements ("the fastest", "the most popular", "used by
  Netflix", "trusted by thousands"): unsupported by rule unless the project
  says the same;
- polarity: when one project sentence says nearly everything the claim says,
  but one of them is negated or uses the opposite word ("optional" vs
  "required"), the claim is unsupported and that sentence is the evidence.
No models: regex and sets only (about 2 ms per claim; reading a project once,
0.1-0.3 s, is cached).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from chains.guard.report import Evidence, FactCheck
from chains.guard.specifics import HARD_KINDS, ProjectText, Specific, extract_specifics
from chains.guard.textutil import content_tokens, negation_count, tokens

__all__ = [
    "FactCheck",
    "ProjectFacts",
    "check_facts",
    "project_facts",
    "failed",
    "FACT_KINDS",
    "LANGUAGES",
    "PLATFORMS",
    "LICENCES",
    "ORGANISATIONS",
]

FACT_KINDS = (
    "url",
    "handle",
    "version",
    "file",
    "package",
    "flag",
    "command",
    "tool",
    "number",
    "language",
    "platform",
    "licence",
    "person",
    "organisation",
    "superlative",
    "negation",
)

# canonical name -> pattern (case-insensitive unless noted by a (?-i:...) group)
LANGUAGES: dict[str, str] = {
    "Python": r"python|cpython|pypy",
    "JavaScript": r"javascript|node\.?js|ecmascript",
    "TypeScript": r"typescript",
    "Rust": r"rust",
    "Go": r"(?-i:Go)|golang",
    "Java": r"java(?!script)",
    "Kotlin": r"kotlin",
    "Scala": r"scala",
    "Ruby": r"ruby",
    "C++": r"c\+\+|cpp",
    "C#": r"c#|\.net|dotnet",
    "C": r"(?-i:C)(?![+#])",
    "PHP": r"php",
    "Swift": r"swift",
    "Elixir": r"elixir",
    "Haskell": r"haskell",
    "Perl": r"perl",
    "Lua": r"lua",
    "Dart": r"dart",
    "Julia": r"julia",
    "Zig": r"zig",
    "R": r"(?-i:R)(?![\w'])",
}
# a project that installs with one of these is written for that language
_LANGUAGE_HINTS: dict[str, str] = {
    "Python": r"pip3? install|pypi|\.py\b|pyproject|requires-python|setup\.py|conda install|uv add",
    "JavaScript": r"npm (?:install|i)\b|yarn add|pnpm add|package\.json|node\.js\b",
    "TypeScript": r"\.ts\b|tsconfig",
    "Rust": r"cargo (?:install|add)|crates\.io|cargo\.toml|\.rs\b|crate\b",
    "Go": r"go (?:get|install)|go\.mod|pkg\.go\.dev|\.go\b",
    "Java": r"maven|gradle|\.jar\b|jdk|jvm",
    "Ruby": r"gem install|gemfile|rubygems|bundler|\.rb\b",
    "PHP": r"composer require|packagist",
    "C#": r"nuget|dotnet add",
}
PLATFORMS: dict[str, str] = {
    "Windows": r"windows|win32|win64",
    "macOS": r"macos|mac os|os x|osx|\bmac\b|homebrew",
    "Linux": r"linux|ubuntu|debian|fedora|arch linux|centos|rhel",
    "FreeBSD": r"freebsd",
    "iOS": r"\bios\b",
    "Android": r"android",
    "WebAssembly": r"webassembly|wasm",
    "the browser": r"browsers?\b",
    "Docker": r"docker",
    "Kubernetes": r"kubernetes|k8s",
    "AWS Lambda": r"aws lambda|lambda functions?",
    "Raspberry Pi": r"raspberry pi",
    "ARM": r"(?-i:ARM)|arm64|aarch64",
    "GPU": r"(?-i:GPU)s?|cuda",
}
LICENCES: dict[str, str] = {
    "MIT": r"(?-i:MIT)\b",
    "Apache": r"apache(?:[- ]2(?:\.0)?| license| licence| software license)?",
    "BSD": r"bsd",
    "GPL": r"(?<![al])gpl|gnu general public",
    "LGPL": r"lgpl|lesser general public",
    "AGPL": r"agpl|affero",
    "MPL": r"(?-i:MPL)|mozilla public",
    "ISC": r"(?-i:ISC)\b",
    "Unlicense": r"unlicense",
    "public domain": r"public domain",
    "proprietary": r"proprietary|closed[- ]source|commercial licen[cs]e",
    "Creative Commons": r"creative commons|cc-by|cc0",
    "PSF": r"(?-i:PSF)|python software foundation licen",
}
ORGANISATIONS = (
    "Google",
    "Microsoft",
    "Meta",
    "Facebook",
    "Amazon",
    "AWS",
    "Apple",
    "Netflix",
    "Uber",
    "Airbnb",
    "Spotify",
    "Twitter",
    "Stripe",
    "Mozilla",
    "IBM",
    "Oracle",
    "Red Hat",
    "NASA",
    "OpenAI",
    "Anthropic",
    "Hugging Face",
    "Shopify",
    "Dropbox",
    "Intel",
    "Nvidia",
    "NVIDIA",
    "JetBrains",
    "Vercel",
    "Cloudflare",
    "Salesforce",
    "Instagram",
    "Pinterest",
    "Reddit",
    "Slack",
    "Discord",
    "Tesla",
    "Samsung",
    "Alibaba",
    "Baidu",
    "Tencent",
    "CERN",
    "the Apache Software Foundation",
    "the Linux Foundation",
    "the Python Software Foundation",
    "Fortune 500",
)
_SUPERLATIVE = re.compile(
    r"\b(?:the\s+(?:world'?s\s+)?(?:fastest|quickest|best|most\s+\w+|leading|only|smallest|lightest|simplest|"
    r"easiest|largest|biggest|safest|most)|world'?s\s+(?:fastest|best|first|leading|most\s+\w+)|"
    r"(?:number|no\.?)\s*(?:one|1)\b|#1\b|industry[- ]standard|best[- ]in[- ]class|state[- ]of[- ]the[- ]art|"
    r"unmatched|unrivall?ed|unbeatable|fastest|most popular|most widely used|de facto standard|"
    r"blazing(?:ly)?[- ]fast|lightning[- ]fast|award[- ]winning|battle[- ]tested|"
    r"(?:thousands|millions|hundreds|dozens)\s+of\s+(?:companies|developers|teams|users|organi[sz]ations|enterprises)|"
    r"(?:used|trusted|relied\s+(?:up)?on|adopted|loved|backed|endorsed|recommended|chosen)\s+by\s+"
    r"(?:\w+\s+){0,3}?(?:millions|thousands|hundreds|many|most|companies|teams|developers|enterprises|"
    r"[A-Z][\w&.-]+)|in production at\s+[A-Z][\w&.-]+|powers\s+(?:\w+\s+){0,2}(?:millions|thousands|[A-Z][\w.-]+))",
    re.I,
)
_MAKER = re.compile(
    r"\b(?:(?:created|written|built|made|developed|maintained|authored|founded|designed|started|sponsored|"
    r"funded|backed|used|trusted|adopted)\s+(?:\w+\s+)?(?:by|at)|author(?:ed)?\s+(?:is|was)|from|by)\s+"
    r"((?:[A-Z][\w'’.-]*(?:\s+(?:van|von|de|da|der|du|la|le)\b)?\s*){1,4})"
)
_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*(?:=\S+)?)")
_UNITS = {
    "ms": ("ms", "millisecond", "milliseconds"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hour", "hours"),
    "x": ("x", "times", "×"),
    "%": ("%", "percent", "per cent"),
    "kb": ("kb", "kib", "kilobytes"),
    "mb": ("mb", "mib", "megabytes"),
    "gb": ("gb", "gib", "gigabytes"),
    "tb": ("tb", "terabytes"),
    "k": ("k", "thousand"),
    "m": ("million", "millions"),
    "ghz": ("ghz",),
}
_UNIT_OF = {alias: unit for unit, aliases in _UNITS.items() for alias in aliases}
_NUMBER_UNIT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*("
    + "|".join(sorted((re.escape(a) for a in _UNIT_OF), key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "fifty": "50",
    "hundred": "100",
    "dozen": "12",
    "twice": "2",
    "half": "50",
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
# opposite words: a claim using one where the project's matching sentence uses the other says the opposite
ANTONYMS = (
    ("optional", "required"),
    ("enabled", "disabled"),
    ("enable", "disable"),
    ("synchronous", "asynchronous"),
    ("sync", "async"),
    ("case-sensitive", "case-insensitive"),
    ("include", "exclude"),
    ("includes", "excludes"),
    ("before", "after"),
    ("always", "never"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("minimum", "maximum"),
    ("more", "less"),
    ("newer", "older"),
    ("higher", "lower"),
    ("first", "last"),
    ("static", "dynamic"),
    ("local", "remote"),
    ("public", "private"),
    ("mutable", "immutable"),
    ("blocking", "non-blocking"),
    ("supported", "unsupported"),
    ("deprecated", "recommended"),
    ("inside", "outside"),
    ("serial", "parallel"),
    ("serially", "parallel"),
    ("single", "multiple"),
    ("read-only", "writable"),
    ("lossless", "lossy"),
    ("stable", "experimental"),
    ("compiled", "interpreted"),
    ("free", "paid"),
)
_OPPOSITE = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}
POLARITY_COVER = 0.75  # share of the claim's content words one project sentence must hold
_WEAK = frozenset("also it its can may will use uses used using".split())


@dataclass(frozen=True)
class _Sentence:
    text: str
    lower: str
    path: str
    start_line: int
    end_line: int
    words: frozenset[str]


class ProjectFacts:
    """A project's sentences with locations, normalised once, and what it names (languages, platforms, licences)."""

    def __init__(self, documents: list[tuple[str, int, str]]):
        from chains.guard.evidence import split_with_lines

        self.sentences: list[_Sentence] = []
        for path, first_line, text in documents:
            for s in split_with_lines(text or "", path, max(1, int(first_line or 1))):
                low = " ".join(s.text.lower().split())
                self.sentences.append(
                    _Sentence(s.text, low, s.path, s.start_line, s.end_line, frozenset(_words(s.text)))
                )
        whole = "\n".join(t for _, _, t in documents)
        self.whole = " ".join(whole.split())
        self.whole_lower = self.whole.lower()
        self.text = ProjectText(whole, tuple(p for p, _, _ in documents))
        self.languages = {n for n, p in LANGUAGES.items() if _find(p, whole)} | {
            n for n, p in _LANGUAGE_HINTS.items() if re.search(rf"(?<![\w])(?:{p})", whole, re.I)
        }
        self.platforms = {n for n, p in PLATFORMS.items() if _find(p, whole)}
        self.licences = {n for n, p in LICENCES.items() if _find(p, whole)}

    @property
    def empty(self) -> bool:
        """True when the project has no text."""
        return not self.sentences

    def locate(self, needle: str, near: set[str] | None = None, case: bool = False) -> _Sentence | None:
        """The first sentence containing `needle` (preferring one sharing words with `near`), or None."""
        low = " ".join(needle.lower().split())
        if low not in self.whole_lower:  # fast path: most look-ups of a missing name end here
            return None
        pattern = re.compile(rf"(?<![\w-]){re.escape(needle if case else needle.lower())}(?![\w])")
        hits = [
            s
            for s in self.sentences
            if low in s.lower and pattern.search(" ".join(s.text.split()) if case else s.lower)
        ]
        if not hits:
            return None
        if near:
            hits.sort(key=lambda s: -len(near & s.words))
        return hits[0]

    def locate_pattern(self, pattern: str, near: set[str] | None = None) -> _Sentence | None:
        """The first sentence matching a regex (case-insensitive), preferring one sharing words with `near`."""
        rx = re.compile(rf"(?<![\w]){_ci(pattern)}(?![\w])")
        if not rx.search(self.whole):
            return None
        hits = [s for s in self.sentences if rx.search(s.text)]
        if not hits:
            return None
        if near:
            hits.sort(key=lambda s: -len(near & s.words))
        return hits[0]


def _ci(pattern: str) -> str:
    return f"(?i:{pattern})"


def _find(pattern: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){_ci(pattern)}(?![\w])", text) is not None


def _stem(word: str) -> str:
    w = word.rstrip(".")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w[:6]


def _words(text: str) -> list[str]:
    """Crude stems of a text's content words ("requires" and "required" meet as "requir")."""
    return [_stem(t) for t in content_tokens(text) if not t.replace(".", "").isdigit()]


def _ev(s: _Sentence | None) -> Evidence | None:
    return Evidence(s.text, s.path, s.start_line, s.end_line, 1.0) if s is not None else None


_CACHE: OrderedDict[int, tuple[tuple, ProjectFacts]] = OrderedDict()
_LOCK = threading.Lock()


def project_facts(documents: list[tuple[str, int, str]]) -> ProjectFacts:
    """`ProjectFacts` for a project's documents (path, first line, text), cached for the last 32 projects."""
    key_tuple = tuple((p, int(f or 1), hash(t)) for p, f, t in documents)
    key = hash(key_tuple)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == key_tuple:
            _CACHE.move_to_end(key)
            return hit[1]
    facts = ProjectFacts(documents)
    with _LOCK:
        _CACHE[key] = (key_tuple, facts)
        while len(_CACHE) > 32:
            _CACHE.popitem(last=False)
    return facts


def failed(checks: tuple[FactCheck, ...] | list[FactCheck]) -> list[FactCheck]:
    """The checks that did not pass."""
    return [c for c in checks if c.verdict == "unsupported"]


def _mentions(table: dict[str, str], claim: str) -> list[tuple[str, str]]:
    out = []
    for name, pattern in table.items():
        m = re.search(rf"(?<![\w]){_ci(pattern)}(?![\w])", claim)
        if m:
            out.append((name, m.group(0)))
    return out


def _spec_check(spec: Specific, facts: ProjectFacts, near: set[str]) -> FactCheck:
    if not facts.text.contains(spec):
        return FactCheck(
            spec.kind, spec.text, "unsupported", f"the project never mentions {spec.kind} {spec.text!r}"
        )
    needle = spec.norm if spec.kind != "handle" else f"@{spec.norm}"
    if spec.kind == "version":
        where = facts.locate_pattern(rf"v?{re.escape(spec.norm)}(?![\d])", near)
    else:
        where = facts.locate(needle, near) or facts.locate(spec.text, near)
    if spec.kind == "version" and where is not None:
        context = near - _GENERIC_CONTEXT
        if context and not (context & where.words):
            return FactCheck(
                "version",
                spec.text,
                "unsupported",
                f"the project gives {spec.text!r} only about something else ({_ev(where).location})",
                _ev(where),
            )
    return FactCheck(
        spec.kind, spec.text, "supported", f"{spec.kind} {spec.text!r} is in the project", _ev(where)
    )


# words that say nothing about which fact a version belongs to
_GENERIC_CONTEXT = frozenset(
    _stem(w)
    for w in "python version versions release released support supports supported new now later newer "
    "older require requires required".split()
)


def _number_checks(claim: str, facts: ProjectFacts, near: set[str], specs: list[Specific]) -> list[FactCheck]:
    """Numbers must appear in a sentence sharing a word with the claim, with the claim's unit when given."""
    out: list[FactCheck] = []
    units = {
        m.group(1).replace(",", ""): _UNIT_OF.get(m.group(2).lower(), "")
        for m in _NUMBER_UNIT.finditer(claim)
    }
    numbers = [(s.text, s.norm) for s in specs if s.kind == "number"]
    for m in _NUMBER_WORD.finditer(claim):
        word = m.group(1).lower()
        after = claim[m.end() : m.end() + 12].lower()
        if word == "half" and "%" not in after:
            continue
        numbers.append((m.group(1), NUMBER_WORDS[word]))
        unit_word = re.match(r"\s+(\w+)", after)
        if unit_word and unit_word.group(1) in _UNIT_OF:
            units[NUMBER_WORDS[word]] = _UNIT_OF[unit_word.group(1)]
    for text, norm in numbers:
        word_hits = [s for s in facts.sentences if _has_number(s.lower, norm)]
        if not word_hits:
            out.append(
                FactCheck("number", text, "unsupported", f"the project never gives the number {text!r}")
            )
            continue
        unit = units.get(norm, "")
        if unit:
            with_unit = [s for s in word_hits if _has_number_unit(s.lower, norm, unit)]
            if not with_unit:
                out.append(
                    FactCheck(
                        "number",
                        text,
                        "unsupported",
                        f"the project gives {norm} but never as {unit!r} ({_ev(word_hits[0]).location})",
                        _ev(word_hits[0]),
                    )
                )
                continue
            word_hits = with_unit
        related = [s for s in word_hits if near & s.words]
        if near and not related:
            out.append(
                FactCheck(
                    "number",
                    text,
                    "unsupported",
                    f"the project gives {text!r} only about something else ({_ev(word_hits[0]).location})",
                    _ev(word_hits[0]),
                )
            )
            continue
        best = max(related or word_hits, key=lambda s: len(near & s.words))
        out.append(FactCheck("number", text, "supported", f"{text!r} is in the project", _ev(best)))
    return out


def _has_number(lower: str, norm: str) -> bool:
    words = [w for w, n in NUMBER_WORDS.items() if n == norm and w not in ("half", "dozen")]
    if norm.split(".")[0] not in lower.replace(",", "") and not any(w in lower for w in words):
        return False
    for m in re.finditer(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d])", lower):
        if _norm_number(m.group(1)) == norm:
            return True
    words = [w for w, n in NUMBER_WORDS.items() if n == norm and w not in ("half", "dozen")]
    return any(re.search(rf"\b{w}\b", lower) for w in words)


_HEADER_CELL = re.compile(r"(?<![\w])([a-z%]+)\)?\s*:\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d])")


def _has_number_unit(lower: str, norm: str, unit: str) -> bool:
    for m in _NUMBER_UNIT.finditer(lower):
        if _norm_number(m.group(1)) == norm and _UNIT_OF.get(m.group(2).lower(), "") == unit:
            return True
    for m in _HEADER_CELL.finditer(lower):  # a table row read as "seconds: 0.5"
        if _norm_number(m.group(2)) == norm and _UNIT_OF.get(m.group(1), "") == unit:
            return True
    words = [w for w, n in NUMBER_WORDS.items() if n == norm]
    aliases = _UNITS.get(unit, ())
    return any(re.search(rf"\b{w}\s+{re.escape(a)}\b", lower) for w in words for a in aliases)


def _norm_number(t: str) -> str:
    t = t.replace(",", "")
    if "." in t:
        t = t.rstrip("0").rstrip(".") or "0"
    return t


def _flag_checks(claim: str, facts: ProjectFacts, near: set[str], taken: set[str]) -> list[FactCheck]:
    out = []
    for m in _FLAG.finditer(claim):
        flag = m.group(1).split("=")[0]
        before = claim[max(0, m.start() - 1) : m.start()]
        if (
            len(flag) < 2
            or flag.lower() in taken
            or (flag.startswith("-") and not flag.startswith("--") and before not in (" ", "`", "(", "/"))
        ):
            continue
        if not flag.startswith("--") and len(flag) > 4:
            continue  # "-based", "-fast": a hyphenated word, not a short flag
        if re.fullmatch(r"--?\d.*", flag):
            continue
        where = facts.locate(flag, near, case=True)
        if where is None:
            out.append(
                FactCheck("flag", flag, "unsupported", f"the project never mentions the option {flag!r}")
            )
        else:
            out.append(FactCheck("flag", flag, "supported", f"option {flag!r} is in the project", _ev(where)))
    return out


def _named_checks(
    kind: str, table: dict[str, str], have: set[str], claim: str, facts: ProjectFacts, near: set[str]
) -> list[FactCheck]:
    out = []
    for name, written in _mentions(table, claim):
        if name in have:
            out.append(
                FactCheck(
                    kind,
                    written,
                    "supported",
                    f"the project names {name}",
                    _ev(facts.locate_pattern(table[name], near)),
                )
            )
            continue
        if kind == "language" and name in ("C", "R", "Go") and written != name:
            continue
        said = sorted(have)
        hint = f" (it names {', '.join(said[:4])})" if said else ""
        example = None
        for other in said:
            example = facts.locate_pattern(table[other], near) if other in table else None
            if example is not None:
                break
        out.append(
            FactCheck(
                kind, written, "unsupported", f"the project never names the {kind} {name}{hint}", _ev(example)
            )
        )
    return out


def _who_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out: list[FactCheck] = []
    seen: set[str] = set()
    for org in ORGANISATIONS:
        core = org.removeprefix("the ")
        if re.search(rf"(?<![\w]){re.escape(core)}(?![\w])", claim) and core.lower() not in seen:
            seen.add(core.lower())
            where = facts.locate(core, near)
            verdict = "supported" if where is not None else "unsupported"
            why = f"the project names {core}" if where else f"the project never mentions {core}"
            out.append(FactCheck("organisation", core, verdict, why, _ev(where)))
    for m in _MAKER.finditer(claim):
        name = m.group(1).strip(" .,;:")
        words = name.split()
        if not words or name.lower() in seen or words[0].lower() in ("the", "a", "an", "default", "it"):
            continue
        if len(words) == 1 and (name.lower() in facts.text.tokens or len(name) < 3):
            continue
        seen.add(name.lower())
        where = facts.locate(name, near) or (facts.locate(words[-1], near) if len(words) > 1 else None)
        kind = "person" if len(words) > 1 else "organisation"
        if where is None:
            out.append(FactCheck(kind, name, "unsupported", f"the project never mentions {name}"))
        else:
            out.append(FactCheck(kind, name, "supported", f"the project names {name}", _ev(where)))
    return out


def _superlative_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out = []
    for m in _SUPERLATIVE.finditer(claim):
        phrase = " ".join(m.group(0).split())
        key = [w for w in tokens(phrase) if w not in ("the", "by", "world's", "s") and len(w) > 2]
        where = None
        if not all(w in facts.whole_lower for w in key):
            key = []  # some word of the phrase is nowhere in the project: no sentence can say it
        for s in facts.sentences if key else []:
            if (
                all(w in s.lower for w in key)
                and all(re.search(rf"\b{re.escape(w)}\b", s.lower) for w in key)
                and (not near or near & s.words)
            ):
                where = s
                break
        if where is None:
            out.append(
                FactCheck(
                    "superlative",
                    phrase,
                    "unsupported",
                    f"'{phrase}' is a superlative or endorsement the project never states; it needs a source",
                )
            )
        else:
            out.append(
                FactCheck("superlative", phrase, "supported", f"the project says '{phrase}'", _ev(where))
            )
    return out


def _closest_clause(text: str, core: set[str]) -> list[str]:
    """The tokens of the clause of `text` that holds most of the claim's words.

    A list item's bold title can be glued to the sentence before it ("... takes about 40 ms. Search
    without a server."); the polarity of the glued clause is not the polarity of the claim's.
    """
    clauses = [c for c in re.split(r"(?<=[.!?;])\s+|\*\*|\s[-–—]\s", text) if c.strip()]
    if len(clauses) < 2:
        return tokens(text)
    scored = [(len(core & {_stem(w) for w in content_tokens(c)}), c) for c in clauses]
    best = max(n for n, _ in scored)
    return tokens(next(c for n, c in scored if n == best)) if best else tokens(text)


def _polarity_check(claim: str, facts: ProjectFacts) -> list[FactCheck]:
    """A project sentence that says nearly all the claim says, with the opposite polarity or word."""
    ctoks = tokens(claim)
    words = [t for t in content_tokens(claim) if t not in _WEAK]
    core = {_stem(w) for w in words if w not in _OPPOSITE and not w.replace(".", "").isdigit()}
    claim_opp = {t for t in ctoks if t in _OPPOSITE}
    if len(core) < (2 if claim_opp else 3):
        return []
    claim_neg = _negated(ctoks)
    covers = [(len(core & s.words) / len(core), s) for s in facts.sentences]
    best_cover = max((c for c, _ in covers), default=0.0)
    if best_cover < POLARITY_COVER:
        return []
    near = [(c, s) for c, s in covers if c >= max(POLARITY_COVER, best_cover - 0.15)]
    near.sort(key=lambda cs: -cs[0])
    verdicts = []
    for _, s in near:
        stoks = _closest_clause(s.text, core)
        flipped = [w for w in claim_opp if _OPPOSITE[w] in stoks and w not in stoks]
        verdicts.append((claim_neg == _negated(stoks) and not flipped, flipped, s))
    agree = [s for ok, _, s in verdicts if ok]
    if agree:
        # one nearly-as-close sentence says the same thing with the same polarity: no contradiction
        return [
            FactCheck("negation", _snippet(claim), "supported", "same polarity as the project", _ev(agree[0]))
        ]
    _, flipped, best = verdicts[0]
    if flipped:
        w = flipped[0]
        return [
            FactCheck(
                "negation",
                w,
                "unsupported",
                f"the claim says '{w}' where the project says '{_OPPOSITE[w]}' ({best.path}:{best.start_line})",
                _ev(best),
            )
        ]
    said = "negates what the project says" if claim_neg else "drops the project's negation"
    return [
        FactCheck(
            "negation",
            _snippet(claim),
            "unsupported",
            f"the claim {said} ({best.path}:{best.start_line})",
            _ev(best),
        )
    ]


_NEG_EXTRA = frozenset("unlikely unable lacks lack missing absent impossible".split())


def _negated(toks: list[str]) -> bool:
    return negation_count(toks) > 0 or any(t in _NEG_EXTRA for t in toks)


_CODE_CMD = re.compile(r"`([a-z][\w.-]*)\s+[^`]*`")
_BARE_CMD = re.compile(
    r"(?<![\w-])(npm|yarn|pnpm|pip3?|pipx|conda|uv|poetry|cargo|go|gem|bundle|brew|apt(?:-get)?|choco|scoop|"
    r"mvn|gradle|dotnet|composer|docker|kubectl|make)\s+(install|add|get|run|build|test|start|exec|init)\b"
)


def _command_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    """A command in backticks, or a package-manager command, must start with a program the project uses."""
    out: list[FactCheck] = []
    seen: set[str] = set()
    for m in list(_CODE_CMD.finditer(claim)) + list(_BARE_CMD.finditer(claim)):
        prog = m.group(1)
        if prog in seen:
            continue
        seen.add(prog)
        where = facts.locate(prog, near)
        if where is None:
            out.append(
                FactCheck("command", prog, "unsupported", f"the project never uses the command {prog!r}")
            )
        else:
            out.append(FactCheck("command", prog, "supported", f"the project uses {prog!r}", _ev(where)))
    return out


# well-known software a post may name: one the project never mentions is a swapped or invented name
TOOLS = tuple(
    """SQLite PostgreSQL Postgres MySQL MariaDB MongoDB Redis Memcached Cassandra DynamoDB Elasticsearch Kafka
    RabbitMQ Celery Docker Podman Kubernetes Terraform Ansible Nginx Bazel Maven Gradle Ant CMake Meson
    npm yarn pnpm conda pip poetry pipenv Homebrew Jenkins CircleCI Travis GraphQL gRPC REST SOAP XML YAML TOML
    INI Protobuf Avro Parquet HDF5 LaTeX AsciiDoc reStructuredText Sphinx MkDocs Jupyter Zeppelin Django Flask
    FastAPI Pyramid Bottle Tornado Starlette Rails Laravel React Vue Angular Svelte jQuery Node.js Deno
    webpack Vite Babel ESLint Prettier Jest Mocha pytest nose unittest tox Selenium Playwright Puppeteer NumPy
    pandas Polars SciPy CuPy Dask Spark Hadoop TensorFlow PyTorch Keras JAX scikit-learn XGBoost Bokeh matplotlib
    Plotly Seaborn D3 OpenCV FFmpeg GStreamer ImageMagick Pillow curses ncurses Mercurial Subversion SVN Perforce
    asyncio gevent trio Twisted uvloop HTTP/3 QUIC WebSocket WebSockets OAuth SAML LDAP JWT TLS SSH SFTP AES-256
    CUDA OpenCL Vulkan OpenGL DirectX Electron Tauri GTK Tkinter wxWidgets Unreal Blender
    Tableau PowerBI Snowflake BigQuery Redshift Airflow Prefect Luigi Jira Trello""".split()
)
_TOOL_RX = {
    t: re.compile(rf"(?<![\w-]){re.escape(t)}(?![\w-])", 0 if t[0].isupper() else re.I) for t in TOOLS
}


def _tool_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out = []
    for tool, rx in _TOOL_RX.items():
        if rx.search(claim):
            where = facts.locate(tool, near)
            if where is None:
                out.append(FactCheck("tool", tool, "unsupported", f"the project never mentions {tool}"))
            else:
                out.append(FactCheck("tool", tool, "supported", f"the project mentions {tool}", _ev(where)))
    return out


def _snippet(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def check_facts(claim: str, facts: ProjectFacts) -> tuple[FactCheck, ...]:
    """Every structured check of a claim against the project, in the order of `FACT_KINDS`."""
    if facts.empty or not claim.strip():
        return ()
    near = set(_words(claim))
    specs = extract_specifics(claim)
    out: list[FactCheck] = []
    for spec in specs:
        if spec.kind == "package" and spec.text.startswith("-"):
            continue  # an option in backticks: the flag check below reads it, case-sensitively
        if spec.kind in HARD_KINDS and spec.kind != "number":
            out.append(_spec_check(spec, facts, near))
    taken = {s.text.lower() for s in specs if s.kind == "package" and not s.text.startswith("-")}
    out += _command_checks(claim, facts, near)
    out += _tool_checks(claim, facts, near)
    out += _flag_checks(claim, facts, near, taken)
    out += _number_checks(claim, facts, near - {_stem(s.norm) for s in specs if s.kind == "number"}, specs)
    out += _named_checks("language", LANGUAGES, facts.languages, claim, facts, near)
    out += _named_checks("platform", PLATFORMS, facts.platforms, claim, facts, near)
    out += _named_checks("licence", LICENCES, facts.licences, claim, facts, near)
    out += _who_checks(claim, facts, near)
    out += _superlative_checks(claim, facts, near)
    out += _polarity_check(claim, facts)
    order = {k: i for i, k in enumerate(FACT_KINDS)}
    return tuple(sorted(out, key=lambda c: order.get(c.kind, 99)))
