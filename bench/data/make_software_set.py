"""Build bench/data/software_set.jsonl: claims about real software projects, half supported, half not.

Run: .venv/bin/python bench/data/make_software_set.py [--copy-python] [--seed 7]

Deterministic: the same project files and seed give the same rows. Steps:
1. `--copy-python` copies the README of each Python package in PYTHON_PACKAGES from
   `.venv/lib/python3.11/site-packages/<pkg>-*.dist-info/METADATA` (the long description)
   into bench/data/projects/<name>/README.md, and its header fields (version, summary,
   licence, author, Python and OS classifiers) into PKG-INFO.md. The other projects'
   files (Rust, Go, JavaScript, Java, Ruby) are notes written by hand from their public
   READMEs (bench/data/README.md says where each comes from).
2. For each project, fact sentences are picked from its files (prose only: code blocks,
   tables, headings, HTML and link lists are skipped; 8 to 40 words; one per idea), with a
   seeded shuffle that prefers sentences holding numbers, versions, flags or names.
3. Each picked sentence gives a supported paraphrase (scripted rewrites: subject named,
   synonyms, parenthetical dropped, a list reordered) and, for as many sentences as keep
   the set balanced, an unsupported perturbation of one kind: number, version, flag,
   tool/name swap, negation, antonym, language, platform, licence, invented capability,
   superlative/endorsement, person. Templates add claims about the project's language,
   licence and author (true and false) and unsupported superlatives and endorsements.
4. HAND_CLAIMS (hand-written, labelled by hand) are added with their evidence phrase.
Each row: {id, project, ecosystem, label, kind, origin, claim, evidence: {path, start_line,
end_line} or null, source_sentence}.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from chains.guard.evidence import split_with_lines  # noqa: E402
from chains.guard.facts import LANGUAGES, LICENCES, PLATFORMS, project_facts  # noqa: E402

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"
OUT = HERE / "software_set.jsonl"
SITE = ROOT / ".venv" / "lib" / "python3.11" / "site-packages"
PYTHON_PACKAGES = (
    "pydantic",
    "fonttools",
    "watchdog",
    "tqdm",
    "orjson",
    "python_dotenv",
    "diskcache",
    "ruff",
    "rich",
    "typer",
    "sqlite_utils",
    "httpx",
    "urllib3",
    "uvicorn",
    "moviepy",
    "websockets",
    "attrs",
    "xxhash",
)
OTHER = {
    "ripgrep": ("rust", "ripgrep"),
    "fd": ("rust", "fd"),
    "cobra": ("go", "Cobra"),
    "express": ("javascript", "Express"),
    "gson": ("java", "Gson"),
    "sinatra": ("ruby", "Sinatra"),
}
MAX_README = 30_000  # characters of a copied README kept
PER_PROJECT = 10  # picked sentences per project (each gives a paraphrase)

# ---------------------------------------------------------------- copying METADATA


def copy_python(names: tuple[str, ...]) -> list[str]:
    """Copy each package's METADATA README and header card; the project folder names written."""
    done = []
    for pkg in names:
        metas = sorted(SITE.glob(f"{pkg}-*.dist-info/METADATA")) or sorted(
            SITE.glob(f"{pkg.replace('_', '-')}-*.dist-info/METADATA")
        )
        if not metas:
            metas = [
                m
                for m in SITE.glob("*.dist-info/METADATA")
                if m.parent.name.lower().startswith(pkg.lower() + "-")
            ]
        if not metas:
            print(f"skip {pkg}: not installed")
            continue
        raw = metas[0].read_text(encoding="utf-8", errors="replace")
        head, _, body = raw.partition("\n\n")
        fields: dict[str, list[str]] = {}
        for line in head.splitlines():
            if ": " in line and not line.startswith(" "):
                k, v = line.split(": ", 1)
                fields.setdefault(k, []).append(v.strip())
        if len(body) < 3000:
            print(f"skip {pkg}: README under 3 KB")
            continue
        name = fields.get("Name", [pkg])[0].lower()
        folder = PROJECTS / name
        folder.mkdir(parents=True, exist_ok=True)
        body = body.strip()
        if len(body) > MAX_README:  # keep fixtures small: cut at a line boundary (changelogs mostly)
            body = body[: body.rfind("\n", 0, MAX_README)].rstrip()
        (folder / "README.md").write_text(body + "\n", encoding="utf-8")
        card = [f"# {fields.get('Name', [pkg])[0]} package card", ""]
        for key in (
            "Version",
            "Summary",
            "Author",
            "Author-email",
            "Maintainer",
            "License",
            "License-Expression",
            "Requires-Python",
            "Home-page",
        ):
            for v in fields.get(key, []):
                card.append(f"{key}: {v}")
        for v in fields.get("Classifier", []):
            if v.startswith(("License ::", "Operating System ::", "Programming Language ::", "Framework ::")):
                card.append(f"Classifier: {v}")
        (folder / "PKG-INFO.md").write_text("\n".join(card) + "\n", encoding="utf-8")
        done.append(name)
    return done


# ---------------------------------------------------------------- reading projects


def project_files(name: str) -> list[tuple[str, str]]:
    """(relative path, text) of a project's files, README first."""
    folder = PROJECTS / name
    files = sorted(folder.glob("*.md"), key=lambda p: (p.name != "README.md", p.name))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def prose(text: str) -> str:
    """The text with code blocks, tables, headings, HTML and badge lines blanked (line count kept)."""
    out, fence = [], False
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith(("```", "~~~")):
            fence = not fence
            out.append("")
            continue
        if (
            fence
            or s.startswith(("#", "|", "<", "![", "[!", "[![", ">", "..", ":", "=", "-" * 3))
            or (line.startswith(("    ", "\t")) and not s.startswith(("-", "*")))
        ):
            out.append("")
            continue
        s2 = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)
        s2 = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", s2)
        s2 = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", s2)
        s2 = s2.replace("**", "")
        out.append(s2)
    return "\n".join(out)


def candidates(name: str) -> list[dict]:
    """Fact sentences of a project with their location."""
    out = []
    for path, text in project_files(name):
        if path == "PKG-INFO.md":
            continue
        for s in split_with_lines(prose(text), path):
            t = " ".join(s.text.split()).lstrip("-*• ").strip()
            words = t.split()
            if not (8 <= len(words) <= 40) or not t.endswith(".") or "http" in t or "://" in t:
                continue
            if not re.match(r"[A-Z`]", t) or t.count("`") % 2 or re.search(r"[{}<>=]|\.\.\.|…", t):
                continue
            if re.match(
                r"(?i)(see|note|please|thanks|copyright|this (?:readme|document)|for more|read more|"
                r"if you|you can find|check out|notes on)\b",
                t,
            ):
                continue
            if sum(c.isalpha() for c in t) / len(t) < 0.7:
                continue
            out.append({"text": t, "path": s.path, "start_line": s.start_line, "end_line": s.end_line})
    seen, uniq = set(), []
    for c in out:
        key = c["text"].lower()[:50]
        if key not in seen:
            seen.add(key)
            uniq.append(c)
    return uniq


def interest(text: str) -> int:
    score = 0
    score += 2 * bool(re.search(r"\d", text))
    score += 2 * bool(re.search(r"`[^`]+`|--?\w", text))
    score += bool(re.search(r"(?<!^)\b[A-Z][a-z]+[A-Z]|\b[A-Z]{2,}", text))
    score += bool(re.search(r"(?i)\b(?:python|rust|go|java|ruby|windows|linux|macos|mit|apache|bsd)\b", text))
    return score


# ---------------------------------------------------------------- paraphrases

SYNONYMS = (
    (r"\ballows you to\b", "lets you"),
    (r"\ballows users to\b", "lets users"),
    (r"\bmakes it easy to\b", "makes it simple to"),
    (r"\bis able to\b", "can"),
    (r"\bin order to\b", "to"),
    (r"\bprovides\b", "offers"),
    (r"\bprovide\b", "offer"),
    (r"\butilizes\b", "uses"),
    (r"\bsupports\b", "has support for"),
    (r"\bcontains\b", "includes"),
    (r"\bquickly\b", "fast"),
    (r"\bautomatically\b", "on its own"),
    (r"\bhelps you\b", "helps developers"),
    (r"\bthe user\b", "the developer"),
    (r"\bIt is\b", "{name} is"),
    (r"^It\b", "{name}"),
    (r"^This (?:library|package|module|tool|project)\b", "{name}"),
    (r"\bYou can\b", "Developers can"),
    (r"^You\b", "Users"),
    (r"\bvery\b ", ""),
    (r"\ba lot of\b", "many"),
    (r"\bmust\b", "has to"),
    (r"\bdoes not\b", "doesn't"),
    (r"\bcannot\b", "can't"),
    (r"\bis not\b", "isn't"),
)


def paraphrase(text: str, name: str) -> str:
    out = text
    out = re.sub(r"\s*\([^()]{0,80}\)", "", out)
    n = 0
    for pat, rep in SYNONYMS:
        new = re.sub(pat, rep.replace("{name}", name), out, count=1)
        if new != out:
            out, n = new, n + 1
        if n >= 2:
            break
    m = re.search(r"\b(\w[\w-]*), (\w[\w-]*),? and (\w[\w-]*)(?=[.,;])", out)
    if m and out == text:
        out = out[: m.start()] + f"{m.group(3)}, {m.group(2)} and {m.group(1)}" + out[m.end() :]
    out = re.sub(r"\s+", " ", out).strip()
    if not out or out.startswith(name):
        return out
    return out[0].upper() + out[1:]


# ---------------------------------------------------------------- perturbations

SWAPS = (
    ("SQLite", "PostgreSQL"),
    ("PostgreSQL", "MySQL"),
    ("MySQL", "MongoDB"),
    ("Redis", "Memcached"),
    ("pip", "conda"),
    ("npm", "yarn"),
    ("pytest", "nose"),
    ("unittest", "doctest"),
    ("Maven", "Bazel"),
    ("Gradle", "Ant"),
    ("JSON", "XML"),
    ("YAML", "INI"),
    ("TOML", "YAML"),
    ("asyncio", "gevent"),
    ("trio", "gevent"),
    ("pandas", "Polars"),
    ("NumPy", "CuPy"),
    ("Jupyter", "Zeppelin"),
    ("Django", "Pyramid"),
    ("Flask", "Bottle"),
    ("React", "Svelte"),
    ("Docker", "Podman"),
    ("Git", "Mercurial"),
    ("Markdown", "AsciiDoc"),
    ("HTML", "LaTeX"),
    ("CSV", "Parquet"),
    ("matplotlib", "Bokeh"),
    ("Pydantic", "marshmallow"),
    ("threads", "processes"),
    ("UTF-8", "UTF-32"),
    ("regex", "glob"),
    ("gzip", "bzip3"),
    ("HTTP/2", "HTTP/3"),
    ("OAuth", "SAML"),
    ("Haml", "Mustache"),
    ("Erb", "Twig"),
    ("hyperfine", "perf"),
    ("crossbeam", "rayon"),
    ("pflag", "cli"),
    ("Levenshtein", "Hamming"),
    ("ffmpeg", "GStreamer"),
    ("FFmpeg", "GStreamer"),
    ("OpenType", "Type 1"),
    ("Rich", "curses"),
    ("ANSI", "VT52"),
    ("Jinja", "Mako"),
    ("SIMD", "GPU"),
    ("GPU", "TPU"),
    ("FAISS", "Annoy"),
    ("urllib3", "httplib2"),
)
FLAG_POOL = (
    "--recursive",
    "--force",
    "--dry-run",
    "--watch",
    "--all",
    "--strict",
    "--no-cache",
    "--quiet",
    "--follow-links",
    "--parallel",
)
LANG_SWAP = {
    "Python": "Rust",
    "JavaScript": "TypeScript",
    "Rust": "Go",
    "Go": "Rust",
    "Java": "Kotlin",
    "Ruby": "Python",
    "Kotlin": "Scala",
    "C": "Zig",
    "C++": "Rust",
}
PLATFORM_SWAP = ("FreeBSD", "iOS", "Android", "WebAssembly", "Windows", "Raspberry Pi")
LICENCE_SWAP = {
    "MIT": "GPL-3.0",
    "Apache": "MIT",
    "BSD": "GPL-2.0",
    "GPL": "MIT",
    "Unlicense": "Apache 2.0",
    "PSF": "GPL-3.0",
}
CAPABILITIES = (
    "export its results as PDF reports",
    "sync your settings to the cloud",
    "generate GraphQL schemas for you",
    "show everything in a live web dashboard",
    "encrypt your data at rest with AES-256",
    "train machine learning models on your data",
    "replay past sessions from a timeline",
    "manage Kubernetes clusters",
    "translate its output into 40 languages",
    "run natively on smartwatches",
)
SUPERLATIVES = (
    "{name} is the fastest {cat} available today.",
    "{name} is the most popular {cat} in the world.",
    "{name} is used in production by Google, Netflix and Uber.",
    "Thousands of companies, including Microsoft, trust {name} every day.",
    "{name} is the industry-standard {cat}, recommended by every major cloud provider.",
    "{name} is the only {cat} you will ever need.",
)
PEOPLE = (
    "Guido van Rossum",
    "Linus Torvalds",
    "Ryan Dahl",
    "Yukihiro Matsumoto",
    "Rich Hickey",
    "Anders Hejlsberg",
)
NUMBER_WORDS = {
    "two": "four",
    "three": "five",
    "four": "six",
    "five": "three",
    "six": "eight",
    "ten": "twelve",
    "nine": "seven",
    "twice": "three times",
}


def p_number(text, facts, rng):
    spans = [
        m
        for m in re.finditer(r"(?<![\w.\-/`])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)(?![\w/-])", text)
        if not re.search(r"\d+\.\d+\.\d+", text[max(0, m.start() - 2) : m.end() + 4])
    ]
    for m in spans:
        raw = m.group(1)
        val = raw.replace(",", "")
        if "." in val:
            ints, dec = val.split(".")
            new = (
                f"{ints}.{(int(dec[-1]) + 3) % 10}"
                if len(dec) == 1
                else f"{ints}.{dec[:-1]}{(int(dec[-1]) + 3) % 10}"
            )
        else:
            n = int(val)
            new = str(n + 1 if n < 10 else (n * 3) // 2)
            if "," in raw:
                new = f"{int(new):,}"
        if new != raw:
            return text[: m.start(1)] + new + text[m.end(1) :]
    m = re.search(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", text)
    if m:
        return text[: m.start()] + NUMBER_WORDS[m.group(1)] + text[m.end() :]
    return None


def p_version(text, facts, rng):
    m = re.search(r"\b(v?)(\d+)\.(\d+)(?:\.(\d+))?\b", text)
    if not m or (
        m.group(4) is None
        and not m.group(1)
        and not re.search(r"(?i)(version|release|python|java|node|api)\W*$", text[: m.start()])
    ):
        return None
    major, minor = int(m.group(2)), int(m.group(3))
    new = f"{m.group(1)}{major}.{minor + 2}" + (f".{m.group(4)}" if m.group(4) is not None else "")
    return text[: m.start()] + new + text[m.end() :]


def p_flag(text, facts, rng):
    m = re.search(r"(?<![\w-])(--[a-z][\w-]+|-[A-Za-z])(?![\w-])", text)
    if not m:
        return None
    flag = m.group(1)
    if flag.startswith("--"):
        options = [f for f in FLAG_POOL if f not in facts.text.lower]
        new = options[rng.randrange(len(options))]
    else:
        new = (
            flag.swapcase()
            if f"{flag.swapcase()} " not in facts.text.lower
            and flag.swapcase() not in re.findall(r"-[A-Za-z]\b", facts.text.lower)
            else "-" + "qwkzy"[rng.randrange(5)]
        )
        if re.search(rf"(?<![\w-]){re.escape(new)}(?![\w-])", " ".join(s.text for s in facts.sentences)):
            return None
    return text[: m.start(1)] + new + text[m.end(1) :]


def p_swap(text, facts, rng):
    for a, b in SWAPS:
        if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text) and not re.search(
            rf"(?i)(?<![\w-]){re.escape(b)}(?![\w-])", facts.text.lower
        ):
            return re.sub(rf"(?<![\w-]){re.escape(a)}(?![\w-])", b, text, count=1)
    return None


NEGATE = (
    (r"\bis not\b", "is"),
    (r"\bdoes not\b", "does"),
    (r"\bdo not\b", "do"),
    (r"\bcannot\b", "can"),
    (r"\bwill not\b", "will"),
    (r"\bnever\b", "always"),
    (r"\bis\b", "is not"),
    (r"\bare\b", "are not"),
    (r"\bcan\b", "cannot"),
    (r"\bwill\b", "will not"),
    (r"\bhas\b", "does not have"),
    (r"\bsupports\b", "does not support"),
    (r"\buses\b", "does not use"),
    (r"\bincludes\b", "does not include"),
    (r"\brequires\b", "does not require"),
    (r"\bworks\b", "does not work"),
    (r"\bruns\b", "does not run"),
)


def p_negation(text, facts, rng):
    for pat, rep in NEGATE:
        if re.search(pat, text):
            return re.sub(pat, rep, text, count=1)
    return None


def p_antonym(text, facts, rng):
    from chains.guard.facts import ANTONYMS

    for a, b in ANTONYMS:
        for x, y in ((a, b), (b, a)):
            if re.search(rf"\b{re.escape(x)}\b", text) and len(x) > 3:
                return re.sub(rf"\b{re.escape(x)}\b", y, text, count=1)
    return None


def p_language(text, facts, rng):
    for lang, pat in LANGUAGES.items():
        if lang in LANG_SWAP and re.search(rf"(?<![\w])(?i:{pat})(?![\w])", text):
            new = LANG_SWAP[lang]
            if new in facts.languages:
                continue
            return re.sub(rf"(?<![\w])(?i:{pat})(?![\w])", new, text, count=1)
    return None


def p_platform(text, facts, rng):
    for _plat, pat in PLATFORMS.items():
        if re.search(rf"(?<![\w])(?i:{pat})(?![\w])", text):
            for new in PLATFORM_SWAP:
                if new not in facts.platforms:
                    return re.sub(rf"(?<![\w])(?i:{pat})(?![\w])", new, text, count=1)
    return None


def p_licence(text, facts, rng):
    for lic, pat in LICENCES.items():
        if lic in LICENCE_SWAP and re.search(rf"(?<![\w])(?i:{pat})(?![\w])", text):
            return re.sub(rf"(?<![\w])(?i:{pat})(?![\w])", LICENCE_SWAP[lic], text, count=1)
    return None


def p_capability(text, facts, rng):
    cap = CAPABILITIES[rng.randrange(len(CAPABILITIES))]
    return text.rstrip(".") + f", and it can also {cap}."


def p_superlative(text, facts, rng):
    m = re.search(r"\b(is|are) an? (\w)", text)
    if m:
        return (
            text[: m.start()]
            + f"{m.group(1)} the fastest and most widely used {m.group(2)}"
            + text[m.end() :]
        )
    return text.rstrip(".") + ", which is why Google and Netflix rely on it."


PERTURB = (
    ("number", p_number),
    ("version", p_version),
    ("flag", p_flag),
    ("name_swap", p_swap),
    ("language", p_language),
    ("platform", p_platform),
    ("licence", p_licence),
    ("negation", p_negation),
    ("antonym", p_antonym),
    ("capability", p_capability),
    ("superlative", p_superlative),
)


# ---------------------------------------------------------------- building


def ecosystem_of(name: str) -> str:
    return OTHER[name][0] if name in OTHER else "python"


def display_name(name: str) -> str:
    return OTHER[name][1] if name in OTHER else name


def category(facts, name: str) -> str:
    text = facts.text.lower
    for word, cat in (
        ("framework", "web framework" if "web" in text else "framework"),
        ("search", "search tool"),
        ("command line", "command-line tool"),
        ("cli", "command-line tool"),
        ("json", "JSON library"),
        ("http", "HTTP library"),
        ("test", "testing tool"),
        ("plot", "plotting library"),
        ("font", "font toolkit"),
        ("video", "video editing library"),
    ):
        if word in text:
            return cat
    return "library"


def locate(facts, pattern: str) -> dict | None:
    s = facts.locate_pattern(pattern)
    return {"path": s.path, "start_line": s.start_line, "end_line": s.end_line} if s else None


def card_field(name: str, key: str) -> str:
    card = PROJECTS / name / "PKG-INFO.md"
    if not card.exists():
        return ""
    for line in card.read_text(encoding="utf-8").splitlines():
        if line.startswith(key + ": "):
            return line.split(": ", 1)[1].strip()
    return ""


def build_project(name: str, rng: random.Random, start_id: int, used: Counter) -> list[dict]:
    files = project_files(name)
    facts = project_facts([(p, 1, t) for p, t in files])
    disp = display_name(name)
    eco = ecosystem_of(name)
    cands = candidates(name)
    rng.shuffle(cands)
    cands.sort(key=lambda c: -min(interest(c["text"]), 3))
    picked = cands[:PER_PROJECT]
    rows: list[dict] = []

    def add(label, kind, origin, claim, evidence, source=""):
        rows.append(
            {
                "id": f"sw{start_id + len(rows):04d}",
                "project": name,
                "ecosystem": eco,
                "label": label,
                "kind": kind,
                "origin": origin,
                "claim": claim,
                "evidence": evidence,
                "source_sentence": source,
            }
        )

    for c in picked:
        ev = {"path": c["path"], "start_line": c["start_line"], "end_line": c["end_line"]}
        add("supported", "paraphrase", "scripted", paraphrase(c["text"], disp), ev, c["text"])
    # templates: the project's language, licence and author, true and false
    lang = (
        "Python"
        if eco == "python"
        else {"rust": "Rust", "go": "Go", "javascript": "JavaScript", "java": "Java", "ruby": "Ruby"}[eco]
    )
    lang_ev = locate(facts, LANGUAGES[lang]) or locate(
        facts, r"pip install|cargo install|npm install|go get|gem install|maven"
    )
    add("supported", "language_true", "template", f"{disp} is a {lang} project.", lang_ev)
    wrong = LANG_SWAP[lang] if LANG_SWAP[lang] not in facts.languages else "Haskell"
    add("unsupported", "language", "template", f"{disp} is written in {wrong}.", lang_ev)
    lic = next(
        (lic for lic in ("MIT", "Apache", "BSD", "GPL", "Unlicense", "PSF") if lic in facts.licences), ""
    )
    if lic:
        lic_ev = locate(facts, LICENCES[lic])
        add(
            "supported", "licence_true", "template", f"{disp} is open source under the {lic} licence.", lic_ev
        )
        add(
            "unsupported",
            "licence",
            "template",
            f"{disp} is released under the {LICENCE_SWAP[lic]} licence.",
            lic_ev,
        )
    author = card_field(name, "Author") or ("TJ Holowaychuk" if name == "express" else "")
    if author and re.fullmatch(r"[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){1,3}", author):
        a_ev = locate(facts, re.escape(author))
        add("supported", "person_true", "template", f"{disp} was created by {author}.", a_ev)
        other = next(p for p in PEOPLE if p != author)
        add("unsupported", "person", "template", f"{disp} was created by {other}.", a_ev)
    cat = category(facts, name)
    for tpl in rng.sample(SUPERLATIVES, 2):
        add("unsupported", "superlative", "template", tpl.format(name=disp, cat=cat), None)
    n_sup = sum(r["label"] == "supported" for r in rows)
    n_unsup = sum(r["label"] == "unsupported" for r in rows)
    need = n_sup - n_unsup
    offset = rng.randrange(len(PERTURB))
    for i, c in enumerate(picked):
        if need <= 0:
            break
        ev = {"path": c["path"], "start_line": c["start_line"], "end_line": c["end_line"]}
        # the applicable kind used least so far across the set (ties: a rotation), to balance kinds
        options = []
        for j in range(len(PERTURB)):
            kind, fn = PERTURB[(offset + i + j) % len(PERTURB)]
            new = fn(c["text"], facts, random.Random(f"{name}-{i}-{kind}"))
            if new and new != c["text"]:
                options.append((used[kind], j, kind, new))
        if options:
            _, _, kind, new = min(options)
            used[kind] += 1
            add("unsupported", kind, "scripted", new, ev, c["text"])
            need -= 1
    return rows


HAND_CLAIMS = (
    # (project, label, kind, claim, evidence phrase) -- written and labelled by hand
    (
        "ripgrep",
        "supported",
        "hand",
        "By default ripgrep skips files ignored by .gitignore, hidden files and binary files.",
        "respects gitignore",
    ),
    (
        "ripgrep",
        "supported",
        "hand",
        "You can search gzip or zstd compressed files with rg -z.",
        "search-zip",
    ),
    (
        "ripgrep",
        "supported",
        "hand",
        "Precompiled ripgrep binaries are available for Windows, macOS and Linux.",
        "Precompiled binaries",
    ),
    ("ripgrep", "unsupported", "hand", "ripgrep fully conforms to the POSIX grep standard.", "POSIX"),
    ("ripgrep", "unsupported", "hand", "ripgrep switches to PCRE2 by default for every search.", "PCRE2"),
    (
        "ripgrep",
        "unsupported",
        "hand",
        "ripgrep searched the Linux kernel in 0.82 seconds in the README benchmark.",
        "0.082",
    ),
    (
        "fd",
        "supported",
        "hand",
        "fd ignores hidden files and .gitignore patterns unless you pass -H or -I.",
        "--hidden",
    ),
    ("fd", "supported", "hand", "With fd -x, a command runs for each result in parallel.", "--exec"),
    ("fd", "supported", "hand", "The fd crate on crates.io is called fd-find.", "fd-find"),
    (
        "fd",
        "unsupported",
        "hand",
        "fd's search is case-sensitive unless you pass --ignore-case.",
        "case-insensitive by default",
    ),
    ("fd", "unsupported", "hand", "fd aims to support every feature of find.", "does not aim"),
    ("fd", "unsupported", "hand", "In the benchmark, fd found 28,800 files that find missed.", "20880"),
    ("cobra", "supported", "hand", "Cobra suggests the closest command when you mistype one.", "Levenshtein"),
    (
        "cobra",
        "supported",
        "hand",
        "A persistent flag in Cobra is inherited by every subcommand.",
        "persistent flag",
    ),
    ("cobra", "supported", "hand", "Cobra gets its POSIX flags from the pflag library.", "pflag"),
    (
        "cobra",
        "unsupported",
        "hand",
        "Cobra needs a special constructor for every command.",
        "special constructors",
    ),
    ("cobra", "unsupported", "hand", "Cobra suggests commands using a neural spell checker.", "Levenshtein"),
    (
        "cobra",
        "unsupported",
        "hand",
        "Install Cobra with go install github.com/spf13/cobra-cli@v2.0.0.",
        "go get",
    ),
    ("express", "supported", "hand", "Express needs Node.js 18 or newer.", "Node.js 18"),
    (
        "express",
        "supported",
        "hand",
        "Express lets you pick your own ORM and template engine.",
        "does not force",
    ),
    ("express", "supported", "hand", "TJ Holowaychuk wrote the first version of Express.", "TJ Holowaychuk"),
    ("express", "unsupported", "hand", "Express ships with a built-in ORM for PostgreSQL.", "ORM"),
    (
        "express",
        "unsupported",
        "hand",
        "Express supports more than 40 template engines out of the box.",
        "14+",
    ),
    (
        "express",
        "unsupported",
        "hand",
        "Express was originally written by Ryan Dahl, the creator of Node.js.",
        "TJ Holowaychuk",
    ),
    ("gson", "supported", "hand", "Gson turns Java objects into JSON and back.", "converts Java objects"),
    (
        "gson",
        "supported",
        "hand",
        "Gson is in maintenance mode, so large new features are unlikely.",
        "maintenance mode",
    ),
    ("gson", "supported", "hand", "Building Gson requires JDK 17 or newer.", "JDK 17"),
    ("gson", "unsupported", "hand", "Gson is the recommended JSON library for Android apps.", "Android"),
    ("gson", "unsupported", "hand", "Gson fully supports Kotlin's non-null types.", "non-null"),
    ("gson", "unsupported", "hand", "Gson 2.12.0 and newer still run on Java 6.", "Java 8"),
    (
        "sinatra",
        "supported",
        "hand",
        "Sinatra is a Ruby DSL for building web apps with little effort.",
        "DSL",
    ),
    (
        "sinatra",
        "supported",
        "hand",
        "In Sinatra the first route that matches a request wins.",
        "first route",
    ),
    ("sinatra", "supported", "hand", "Sinatra serves static files from ./public by default.", "./public"),
    ("sinatra", "unsupported", "hand", "Sinatra serves apps on port 3000 by default.", "4567"),
    (
        "sinatra",
        "unsupported",
        "hand",
        "Sinatra matches routes in alphabetical order.",
        "order they are defined",
    ),
    (
        "sinatra",
        "unsupported",
        "hand",
        "Sinatra templates can be referenced with plain strings or symbols.",
        "symbols",
    ),
)


def hand_rows(start_id: int, projects: set[str]) -> list[dict]:
    rows = []
    for project, label, kind, claim, phrase in HAND_CLAIMS:
        if project not in projects:
            continue
        files = project_files(project)
        facts = project_facts([(p, 1, t) for p, t in files])
        ev = locate(facts, re.escape(phrase))
        rows.append(
            {
                "id": f"sw{start_id + len(rows):04d}",
                "project": project,
                "ecosystem": ecosystem_of(project),
                "label": label,
                "kind": kind,
                "origin": "hand",
                "claim": claim,
                "evidence": ev,
                "source_sentence": "",
            }
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copy-python", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.copy_python:
        print("copied:", ", ".join(copy_python(PYTHON_PACKAGES)))
    names = sorted(p.name for p in PROJECTS.iterdir() if (p / "README.md").exists())
    rows: list[dict] = []
    used: Counter = Counter()
    for name in names:
        rng = random.Random(f"{args.seed}-{name}")
        rows += build_project(name, rng, len(rows), used)
    rows += hand_rows(len(rows), set(names))
    with OUT.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows, {len(names)} projects -> {OUT.relative_to(ROOT)}")
    print("labels:", dict(Counter(r["label"] for r in rows)))
    print("kinds:", dict(Counter(r["kind"] for r in rows)))
    print("ecosystems:", dict(Counter(r["ecosystem"] for r in rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
