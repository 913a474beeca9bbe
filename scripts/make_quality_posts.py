"""Build bench/data/quality_posts.jsonl: labelled good and poor LinkedIn posts about real projects.

Usage: python scripts/make_quality_posts.py [--site-packages DIR ...] [--out PATH]

Good posts (label 1, writer "human") are hand-written in
bench/data/quality_good_posts.txt from the READMEs of installed packages
(`*.dist-info/METADATA`). Poor posts (label 0) come from three writers:
"fragments" composes the failures seen in issue 13 out of the same READMEs'
real text (contributing, support and sponsor sections, lists of links,
command-line usage lines, changelog lines, badges), in the shape the old
template writer gave them; "perturbed" takes a good post and adds exactly one
defect (Markdown/HTML, junk hashtags, an invented figure, no project name, cut
off mid-sentence, tags and markup only, vague hype); "herald-template" is the
template writer of this repository as it was before issue 13, run on the
README, labelled by hand in bench/data/quality_template_labels.json.
Deterministic: no randomness beyond a fixed seed.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOOD = ROOT / "bench" / "data" / "quality_good_posts.txt"
TEMPLATE_LABELS = ROOT / "bench" / "data" / "quality_template_labels.json"
OUT = ROOT / "bench" / "data" / "quality_posts.jsonl"
SITE_PACKAGES = (
    ROOT / ".venv" / "lib" / "python3.11" / "site-packages",
    Path("/work/main/.venv/lib/python3.11/site-packages"),
)
SEED = 13
_HEADING_MD = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
_BOILER = {
    "contributing": re.compile(r"contribut|develop|hacking|pull request", re.I),
    "support": re.compile(r"support|help|bug|question|issue|community|contact|discuss", re.I),
    "sponsors": re.compile(r"donat|sponsor|backer|funding|tidelift|enterprise", re.I),
    "licence": re.compile(r"licen[sc]e|copyright", re.I),
    "changelog": re.compile(r"change|release|history|news|what'?s new", re.I),
}


def find_readme(dist: str, dirs: list[Path]) -> tuple[str, str]:
    """(README text, path) of a distribution's METADATA in the first site-packages that has it."""
    pattern = dist.replace("-", "_").lower()
    for d in dirs:
        for path in sorted(glob.glob(str(d / "*.dist-info" / "METADATA"))):
            folder = Path(path).parent.name.lower()
            if folder.rsplit("-", 1)[0] == pattern or re.sub(r"-\d.*$", "", folder) == pattern:
                raw = Path(path).read_text(encoding="utf-8", errors="replace")
                return (raw.split("\n\n", 1)[1] if "\n\n" in raw else ""), path
    raise FileNotFoundError(f"no METADATA for {dist} in {', '.join(map(str, dirs))}")


def sections(readme: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) of a Markdown or reStructuredText README."""
    out: list[tuple[str, list[str]]] = [("", [])]
    lines = readme.splitlines()
    for i, line in enumerate(lines):
        md = _HEADING_MD.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if md:
            out.append((md.group(1).strip(), []))
        elif line.strip() and _RST_UNDERLINE.match(nxt) and len(line.strip()) <= 60:
            out.append((line.strip(), []))
        elif _RST_UNDERLINE.match(line):
            continue
        else:
            out[-1][1].append(line)
    return out


def prose(lines: list[str]) -> list[str]:
    """Sentences of a section's prose paragraphs, Markdown left in (as the old writer copied it)."""
    paras, cur, in_code = [], [], False
    for line in lines:
        s = line.strip()
        if s.startswith("```") or s.startswith(".. code"):
            in_code = not in_code if s.startswith("```") else True
            continue
        if in_code and (not s or line.startswith((" ", "\t")) or not s):
            if not s:
                in_code = in_code and s.startswith("```")
            continue
        in_code = False
        if not s or s.startswith(("|", "<", "![", "[![", ".. ", ">>>")):
            if cur:
                paras.append(" ".join(cur))
            cur = []
            continue
        cur.append(s.lstrip("> "))
    if cur:
        paras.append(" ".join(cur))
    out = []
    for p in paras:
        out.extend(x.strip() for x in re.split(r"(?<=[.!?])\s+(?=[A-Z\[`*])", p) if len(x.split()) >= 4)
    return out


def link_lines(readme: str) -> list[str]:
    """Lines that are mostly a link (link lists, tables of contents)."""
    out = []
    for line in readme.splitlines():
        s = line.strip().lstrip("-*• ").strip()
        if re.search(r"\[[^\]]+\]\([^)]+\)|https?://\S+|`[^`]+ <https?://", s) and len(s) < 160:
            out.append(s)
    return out


def code_lines(readme: str) -> list[str]:
    """Command-line usage and option lines, and shell commands, from the README's code."""
    out = []
    for line in readme.splitlines():
        s = line.strip()
        if re.match(r"^(?:-\w,?\s+--?[\w-]+|--[\w-]+|usage:|\$ \S+|>>> \S+)", s) and len(s) < 140:
            out.append(s)
    return out


def url_words(readme: str) -> list[str]:
    """Words of the README's URLs (https, com, github, org, ...): what the old hashtags were made of."""
    words: list[str] = []
    for url in re.findall(r"https?://[^\s)\]>\"']+", readme):
        words.extend(w.lower() for w in re.findall(r"[A-Za-z]{2,}", url))
    seen: dict[str, int] = {}
    for w in words:
        seen[w] = seen.get(w, 0) + 1
    return [w for w, _ in sorted(seen.items(), key=lambda kv: -kv[1])]


def read_good() -> list[dict]:
    """The hand-written posts: `%% dist | style | writer [| label]` then the post (label 1 unless given)."""
    rows, head, buf = [], None, []
    for line in GOOD.read_text(encoding="utf-8").splitlines() + ["%% end | end | end"]:
        if line.startswith("%% "):
            if head is not None:
                dist, style, writer, *label = (x.strip() for x in head.split("|"))
                rows.append(
                    {
                        "dist": dist,
                        "style": style,
                        "writer": writer,
                        "label": int(label[0]) if label else 1,
                        "text": "\n".join(buf).strip(),
                    }
                )
            head, buf = line[3:], []
        else:
            buf.append(line)
    return rows


def split_tags(text: str) -> tuple[str, list[str]]:
    lines = text.rstrip().splitlines()
    tags: list[str] = []
    while lines and (not lines[-1].strip() or re.fullmatch(r"\s*(#[\w-]+\s*)+", lines[-1])):
        tags = re.findall(r"#[\w-]+", lines.pop()) + tags
    return "\n".join(lines).rstrip(), tags


def join(body: str, tags: list[str]) -> str:
    return f"{body.strip()}\n\n{' '.join(tags)}" if tags else body.strip()


def display_name(readme: str, dist: str) -> str:
    for heading, _ in sections(readme)[1:2]:
        name = re.sub(r"[`*_]|<[^>]+>|\[|\]\(.*?\)", "", heading).strip()
        if 1 <= len(name.split()) <= 3:
            return name
    return dist


def fragment_posts(dist: str, name: str, readme: str, kinds: list[str], rng: random.Random) -> list[dict]:
    """Poor posts made of the README's own fragments, one per kind that has material."""
    secs = sections(readme)
    intro = next((s for h, lines in secs[:3] for s in prose(lines) if len(s) > 40), f"{name} is here.")
    by_kind: dict[str, list[str]] = {k: [] for k in _BOILER}
    for heading, lines in secs:
        for kind, rx in _BOILER.items():
            if heading and rx.search(heading):
                by_kind[kind].extend(prose(lines) or [ln.strip() for ln in lines if len(ln.split()) > 3])
    junk = [w for w in url_words(readme) if w in ("https", "com", "github", "org", "io", "www", "html")]
    tags_junk = ["#" + w for w in (junk + ["https", "com", "github"])[:3]] + [
        f"#{dist.split('-')[0]}",
        "#chapter",
    ]
    stock = rng.choice(["Here is the short story of Highlights.", f"Here is the short story of {name}."])
    out = []
    for kind in kinds:
        body = ""
        if kind == "contributing":
            src = by_kind["contributing"] + by_kind["sponsors"]
            if len(src) >= 1:
                body = f"{intro}\n\n" + "\n\n".join(src[:3]) + "\n\nWhat would you use it for?"
        elif kind == "support":
            src = by_kind["support"] + by_kind["licence"]
            if src:
                body = f"{stock}\n\n" + "\n\n".join(src[:3]) + "\n\nShare your thoughts in the comments."
        elif kind == "links":
            links = link_lines(readme)
            if len(links) >= 3:
                body = f"{stock}\n\n" + "\n".join(f"• {x}" for x in links[:6]) + "\n\nWhich one do you like?"
        elif kind == "manpage":
            code = code_lines(readme)
            if len(code) >= 2:
                body = f"{stock}\n\n" + "\n".join(code[:5]) + f"\n\n{intro}"
        elif kind == "changelog":
            src = by_kind["changelog"]
            if src:
                lines = [re.sub(r"^[*-]\s*", "", s) for s in src[:3]]
                body = (
                    f"Here is the short story of {name}.\n\n" + "\n\n".join(lines) + "\n\nWhat do you think?"
                )
        elif kind == "ci_commit":
            first, second = _CI_LINES[len(dist) % len(_CI_LINES)], _CI_LINES[(len(dist) + 1) % len(_CI_LINES)]
            body = f"Here is the short story of {name}.\n\n{first}\n\n{second}\n\nWhat do you think?"
            out.append(_row(dist, name, "fragments", kind, join(body, ["#rustc", "#date", "#commit"])))
            continue
        if body:
            tags = (
                tags_junk
                if kind in ("links", "manpage")
                else [f"#{dist.split('-')[0]}", "#python", "#opensource"]
            )
            out.append(_row(dist, name, "fragments", kind, join(body, tags)))
    return out


def _row(dist: str, name: str, writer: str, kind: str, text: str, label: int = 0) -> dict:
    return {"project": name, "dist": dist, "label": label, "writer": writer, "kind": kind, "text": text}


# Commit and changelog lines about CI, as real projects write them (the Rust crate post).
_CI_LINES = (
    "Fixed couple CI/test issues.",
    "Fixed various CI/testing issues.",
    "ci: pin nightly rustc, the date in the toolchain file broke the build (#1412)",
    "Merge pull request #882 from dependabot/github_actions/actions/checkout-4",
    "Bump version and fix the flaky CI job on Windows.",
)
_INVENTED = (
    "Teams that adopt it ship 10x faster and see 73% fewer bugs in production.",
    "There is a 10% chance of being hacked every day without it.",
    "It is used by 4,500 companies and saves each developer 12 hours a week.",
)
_VAGUE = (
    "Excited to share {name}! 🚀\n\nThis is a game changer for every developer. It will change how you work "
    "forever, and the community loves it.\n\nYou have to try it. Check it out today!"
)


def perturbed_posts(good: dict, name: str, readme: str, kind: str, rng: random.Random) -> dict:
    """A good post with one defect of `kind`."""
    body, tags = split_tags(good["text"])
    if kind == "markdown":
        urls = [
            u
            for u in re.findall(r"https?://[^\s)\]>\"'`]+", readme)
            if not re.search(r"badge|shields|\.svg|\.png", u)
        ]
        url = urls[0] if urls else "https://example.org"
        first, rest = body.split("\n", 1) if "\n" in body else (body, "")
        first = re.sub(re.escape(name), f"**{name}**", first, count=1, flags=re.I)
        rest = re.sub(r"\b(pip install [\w.\-\[\]]+( -U)?)", r"`\1`", rest)
        body = f"{first}\n{rest}\n\nRead more: [the docs]({url})</p>"
    elif kind == "junk_tags":
        tags = ["#https", "#com", "#github", "#org", "#chapter"][: max(3, len(tags))]
    elif kind == "invented":
        paras = body.split("\n\n")
        paras.insert(1, rng.choice(_INVENTED))
        body = "\n\n".join(paras)
    elif kind == "no_name":
        for variant in sorted({name, good["dist"], name.lower()}, key=len, reverse=True):
            body = re.sub(rf"(?<![\w-]){re.escape(variant)}(?![\w-])", "this library", body, flags=re.I)
        body = body[:1].upper() + body[1:]
        tags = [t for t in tags if name.lower().replace("-", "") not in t.lower().replace("-", "")]
    elif kind == "cut_off":
        words = body.split(" ")
        body = " ".join(words[: max(12, int(len(words) * 0.45))]).rstrip(".,") + ","
    elif kind == "tags_only":
        body = "</P>"
        tags = list(dict.fromkeys(tags + ["#python", "#opensource", "#devtools"]))[:5]
    elif kind == "vague":
        body = _VAGUE.format(name=name)
        tags = ["#tech", "#innovation", "#coding"]
    return {**_row(good["dist"], name, "perturbed", kind, join(body, tags)), "from_good": good["id"]}


def template_posts(dist: str, name: str, readme: str) -> list[dict]:
    """The template writer as it was before issue 13, on the README (story and announcement)."""
    from chains.generate import generate_draft
    from chains.providers import FallbackChain, get_provider
    from chains.types import Brief, Strategy
    from rag.types import Passage
    from utils.settings import load_settings

    settings = load_settings({})
    chain = FallbackChain(list(get_provider("template")(settings)))
    passages = [
        Passage(text=readme[i : i + 1500], kind="readme", path="README.md", score=1.0)
        for i in range(0, min(len(readme), 12_000), 1500)
    ]
    out = []
    for style, hook in (("story", "story"), ("announcement", "question")):
        try:
            draft = generate_draft(
                Brief(style=style), Strategy(hook=hook), passages, chain, settings, project_name=name
            )
        except Exception as exc:  # a README the old writer cannot handle gives no row
            print(f"template writer failed on {dist}: {exc}", file=sys.stderr)
            continue
        out.append(_row(dist, name, "herald-template", style, draft.text, label=-1))
    return out


PERTURB_KINDS = ("markdown", "junk_tags", "invented", "no_name", "cut_off", "tags_only", "vague")
FRAGMENT_KINDS = ("contributing", "support", "links", "manpage", "changelog", "ci_commit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-template", action="store_true", help="skip the herald-template writer")
    args = parser.parse_args(argv)
    dirs = [*args.site_packages, *SITE_PACKAGES]
    rng = random.Random(SEED)
    goods = read_good()
    labels = json.loads(TEMPLATE_LABELS.read_text()) if TEMPLATE_LABELS.exists() else {}
    rows: list[dict] = []
    dists = list(dict.fromkeys(g["dist"] for g in goods if g["label"] == 1))
    for pi, dist in enumerate(dists):
        readme, path = find_readme(dist, dirs)
        mine = [g for g in goods if g["dist"] == dist and g["label"] == 1]
        name = _project_name(dist)
        for h in (g for g in goods if g["dist"] == dist and g["label"] == 0):
            rows.append(
                {"id": f"{dist}-{h['style']}", **_row(dist, name, h["writer"], h["style"], h["text"])}
            )
        for gi, g in enumerate(mine):
            g["id"] = f"{dist}-good-{gi}"
            rows.append({"id": g["id"], **_row(dist, name, g["writer"], g["style"], g["text"], label=1)})
        kinds = [FRAGMENT_KINDS[(pi + k) % len(FRAGMENT_KINDS)] for k in range(3)]
        for row in fragment_posts(dist, name, readme, kinds, rng):
            rows.append({"id": f"{dist}-{row['kind']}", **row})
        for k in range(2):
            kind = PERTURB_KINDS[(2 * pi + k) % len(PERTURB_KINDS)]
            row = perturbed_posts(mine[k % len(mine)], name, readme, kind, rng)
            rows.append({"id": f"{dist}-{kind}", **row})
        if not args.no_template:
            for row in template_posts(dist, name, readme):
                rid = f"{dist}-template-{row['kind']}"
                if rid not in labels:  # one style per project was read and labelled
                    continue
                row["label"] = int(labels[rid]["label"])
                row["note"] = labels.get(rid, {}).get("note", "")
                rows.append({"id": rid, **row})
        for r in rows:
            if r["dist"] == dist:
                r["readme"] = str(Path(path).relative_to(Path(path).parents[1]))
    unlabelled = [r["id"] for r in rows if r["label"] not in (0, 1)]
    if unlabelled:
        print(f"{len(unlabelled)} rows without a label (add them to {TEMPLATE_LABELS.name}): {unlabelled}")
    kept = [r for r in rows if r["label"] in (0, 1)]
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    good = sum(r["label"] for r in kept)
    print(
        f"wrote {len(kept)} posts ({good} good, {len(kept) - good} poor, {len(dists)} projects) to {args.out}"
    )
    return 0


_NAMES = {
    "requests": "Requests",
    "click": "Click",
    "jinja2": "Jinja",
    "pydantic": "Pydantic",
    "networkx": "NetworkX",
    "urllib3": "urllib3",
    "charset-normalizer": "charset-normalizer",
    "jsonschema": "jsonschema",
    "pygments": "Pygments",
    "rich": "Rich",
    "httpx": "HTTPX",
    "tqdm": "tqdm",
    "pytest": "pytest",
    "python-dateutil": "dateutil",
    "attrs": "attrs",
    "numpy": "NumPy",
    "sympy": "SymPy",
    "rpds-py": "rpds.py",
}


def _project_name(dist: str) -> str:
    return _NAMES.get(dist, dist)


if __name__ == "__main__":
    raise SystemExit(main())
