"""Package manifests: find them in a project folder and read name, description, language and links.

`read_manifests(root)` returns the manifests at a project's root as `manifest`
documents (pyproject.toml, setup.cfg, setup.py, PKG-INFO, package.json,
Cargo.toml, go.mod, pom.xml, build.gradle(.kts), Gemfile, *.gemspec,
composer.json) plus the latest git tags (`git:tags`). `parse_manifest(doc)`
reads one into a `ManifestInfo` whose fields are `CardField`s that keep the
manifest's path and line. Manifests are data: nothing is executed (setup.py
and gemspecs are read with patterns, never run). It does not choose between
manifests and the README (`rag.card` does).
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from xml.etree import ElementTree

from rag.card_types import CardField
from rag.types import Document

LOG = logging.getLogger(__name__)

__all__ = ["MANIFEST_NAMES", "ManifestInfo", "read_manifests", "parse_manifest", "read_git_tags"]

MANIFEST_NAMES = (
    "pyproject.toml", "setup.cfg", "setup.py", "PKG-INFO", "METADATA", "package.json", "Cargo.toml",
    "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "Gemfile", "composer.json",
)  # fmt: skip
MAX_MANIFEST_BYTES = 200_000
# manifest file -> (language, ecosystem)
ECOSYSTEMS = {
    "pyproject.toml": ("Python", "PyPI"), "setup.cfg": ("Python", "PyPI"), "setup.py": ("Python", "PyPI"),
    "PKG-INFO": ("Python", "PyPI"), "METADATA": ("Python", "PyPI"), "package.json": ("JavaScript", "npm"),
    "Cargo.toml": ("Rust", "crates.io"), "go.mod": ("Go", "Go modules"), "pom.xml": ("Java", "Maven"),
    "build.gradle": ("Java", "Gradle"), "build.gradle.kts": ("Kotlin", "Gradle"), "Gemfile": ("Ruby", "RubyGems"),
    "composer.json": ("PHP", "Packagist"), ".gemspec": ("Ruby", "RubyGems"),
}  # fmt: skip


@dataclass(frozen=True)
class ManifestInfo:
    """What one manifest says about its project; every field keeps the manifest's path and line."""

    path: str
    language: CardField | None = None
    ecosystem: CardField | None = None
    name: CardField | None = None
    description: CardField | None = None
    version: CardField | None = None
    licence: CardField | None = None
    keywords: tuple[CardField, ...] = ()
    links: tuple[CardField, ...] = ()  # label: homepage | docs | repository
    members: tuple[str, ...] = field(default=())  # workspace / monorepo packages


def read_git_tags(root: Path, n: int = 5, max_tags: int = 2000) -> Document | None:
    """The `n` newest git tags with their dates as one `git:tags` document ("v1.2.0 2024-05-01" lines).

    Read with dulwich like the commit log: no `git` process runs on a project, so its config is data.
    """
    if not (root / ".git").exists():
        return None
    from datetime import UTC, datetime

    from dulwich.objects import Commit, Tag
    from dulwich.repo import Repo

    dated: list[tuple[int, str]] = []
    try:
        with Repo(str(root)) as repo:
            for ref in list(repo.refs.keys(base=b"refs/tags"))[:max_tags]:
                obj = repo[repo.refs[b"refs/tags/" + ref]]
                when = obj.tag_time if isinstance(obj, Tag) else obj.commit_time if isinstance(obj, Commit) else 0
                dated.append((int(when), ref.decode("utf-8", "replace")))
    except Exception as exc:  # a damaged repository just has no tags for the card
        LOG.info("git tags of %s not read: %s", root, exc)
        return None
    newest = sorted(dated, reverse=True)[:n]
    text = "\n".join(f"{name} {datetime.fromtimestamp(t, UTC):%Y-%m-%d}" for t, name in newest if t)
    return Document("manifest", "git:tags", text) if text else None


def read_manifests(root: Path) -> list[Document]:
    """The manifests at `root` (and its git tags) as `manifest` documents, first 200 KB of each."""
    docs: list[Document] = []
    try:
        names = sorted(e.name for e in os.scandir(root) if e.is_file(follow_symlinks=False))
    except OSError:
        return docs
    wanted = [n for n in names if n in MANIFEST_NAMES or n.endswith(".gemspec")]
    for name in wanted:
        try:
            with open(root / name, "rb") as fh:
                data = fh.read(MAX_MANIFEST_BYTES)
        except OSError:
            continue
        text = data.decode("utf-8", "replace")
        if text.strip():
            docs.append(Document("manifest", name, text))
    tags = read_git_tags(root)
    if tags is not None:
        docs.append(tags)
    return docs


def _line_of(text: str, needle: str, key: str = "") -> int:
    """1-based line where `key` and `needle` first appear together (else `needle`, else `key`), or 1."""
    lines = text.splitlines()
    for probe in ((key, needle), (needle,), (key,)):
        probe = tuple(p for p in probe if p)
        if not probe:
            continue
        for i, line in enumerate(lines, 1):
            if all(p in line for p in probe):
                return i
    return 1


def _f(doc: Document, value: object, key: str = "", label: str = "") -> CardField | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    value = re.sub(
        r"\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|`([^`]*)`", lambda m: next(g for g in m.groups() if g), value
    )
    if not value or value.upper() in ("UNKNOWN", "TODO", "NONE"):
        return None
    line = _line_of(doc.text, value[:60], key)
    return CardField(value, doc.path, line, line, label)


def _lang(doc: Document, key: str) -> tuple[CardField | None, CardField | None]:
    language, ecosystem = ECOSYSTEMS[key]
    return CardField(language, doc.path, 1, 1), CardField(ecosystem, doc.path, 1, 1)


def _links(doc: Document, urls: dict[str, str]) -> tuple[CardField, ...]:
    out = []
    for label, url in urls.items():
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            out.append(_f(doc, url.removesuffix(".git"), label=label))
    return tuple(f for f in out if f is not None)


def _url_label(name: str) -> str:
    low = name.lower()
    if re.search(r"doc|manual|guide|reference", low):
        return "docs"
    if re.search(r"source|repo|code|github|gitlab", low):
        return "repository"
    if re.search(r"home|website|page", low):
        return "homepage"
    return ""


def _licence_from_classifiers(classifiers: list[str]) -> str:
    for c in classifiers:
        if c.startswith("License ::"):
            return c.rsplit("::", 1)[-1].strip()
    return ""


def _python(doc: Document, data: dict) -> dict:
    project = data.get("project") or {}
    poetry = ((data.get("tool") or {}).get("poetry")) or {}
    src = project or poetry
    lic = src.get("license")
    if isinstance(lic, dict):
        lic = lic.get("text") or ""
    lic = lic or _licence_from_classifiers(src.get("classifiers") or [])
    urls = {_url_label(k): v for k, v in (src.get("urls") or {}).items() if _url_label(k)}
    for key, label in (("homepage", "homepage"), ("documentation", "docs"), ("repository", "repository")):
        if isinstance(src.get(key), str):
            urls.setdefault(label, src[key])
    return {"name": src.get("name"), "description": src.get("description"), "version": src.get("version"),
            "licence": lic if isinstance(lic, str) and len(lic) < 80 else "", "keywords": src.get("keywords") or [],
            "urls": urls}  # fmt: skip


def _pkg_info(doc: Document) -> dict:
    head = doc.text.split("\n\n", 1)[0]
    msg = HeaderParser().parsestr(head)
    urls: dict[str, str] = {}
    if msg.get("Home-page"):
        urls["homepage"] = msg["Home-page"]
    for entry in msg.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if _url_label(label):
            urls.setdefault(_url_label(label), url.strip())
    lic = msg.get("License-Expression") or msg.get("License") or ""
    lic = (
        lic
        if lic and len(lic) < 60 and "\n" not in lic
        else _licence_from_classifiers(msg.get_all("Classifier") or [])
    )
    keywords = re.split(r"[,\s]+", msg.get("Keywords") or "")
    topics = [
        c.rsplit("::", 1)[-1].strip() for c in msg.get_all("Classifier") or [] if c.startswith("Topic ::")
    ]
    return {"name": msg.get("Name"), "description": msg.get("Summary"), "version": msg.get("Version"),
            "licence": lic, "keywords": [k for k in keywords if k] + topics[:3], "urls": urls}  # fmt: skip


def _setup_cfg(doc: Document) -> dict:
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(doc.text)
    except configparser.Error:
        return {}
    meta = cp["metadata"] if cp.has_section("metadata") else {}
    urls = {"homepage": meta.get("url", "")}
    for line in (meta.get("project_urls") or "").splitlines():
        label, _, url = line.partition("=")
        if _url_label(label):
            urls.setdefault(_url_label(label), url.strip())
    return {"name": meta.get("name"), "description": meta.get("description"), "version": meta.get("version"),
            "licence": meta.get("license"), "keywords": re.split(r"[,\s]+", meta.get("keywords", "")), "urls": urls}  # fmt: skip


def _by_pattern(doc: Document, keys: dict[str, str]) -> dict:
    out: dict = {"urls": {}}
    for key, pattern in keys.items():
        m = re.search(pattern, doc.text)
        if m:
            if key in ("homepage", "repository", "docs"):
                out["urls"][key] = m.group(1)
            else:
                out[key] = m.group(1)
    return out


def _package_json(doc: Document, data: dict) -> dict:
    repo = data.get("repository")
    repo = repo.get("url") if isinstance(repo, dict) else repo
    if isinstance(repo, str):
        repo = re.sub(r"^git\+|\.git$", "", repo)
        repo = re.sub(
            r"^(github):(.+)$|^([\w-]+/[\w.-]+)$",
            lambda m: f"https://github.com/{m.group(2) or m.group(3)}",
            repo,
        )
    lic = data.get("license")
    lic = lic.get("type") if isinstance(lic, dict) else lic
    return {"name": data.get("name"), "description": data.get("description"), "version": data.get("version"),
            "licence": lic, "keywords": data.get("keywords") or [],
            "urls": {"homepage": data.get("homepage"), "repository": repo},
            "members": data.get("workspaces") if isinstance(data.get("workspaces"), list) else []}  # fmt: skip


def parse_manifest(doc: Document) -> ManifestInfo | None:
    """What a manifest document says, or None when it cannot be read (it is never executed)."""
    name = doc.path.rsplit("/", 1)[-1]
    key = ".gemspec" if name.endswith(".gemspec") else name
    if key not in ECOSYSTEMS:
        return None
    try:
        if key == "pyproject.toml":
            raw = _python(doc, tomllib.loads(doc.text))
        elif key in ("PKG-INFO", "METADATA"):
            raw = _pkg_info(doc)
        elif key == "setup.cfg":
            raw = _setup_cfg(doc)
        elif key == "setup.py":
            raw = _by_pattern(doc, {"name": r"\bname\s*=\s*['\"]([^'\"]+)", "description": r"\bdescription\s*=\s*['\"]([^'\"]+)",
                                    "licence": r"\blicense\s*=\s*['\"]([^'\"]+)", "homepage": r"\burl\s*=\s*['\"](https?://[^'\"]+)"})  # fmt: skip
        elif key == "package.json":
            raw = _package_json(doc, json.loads(doc.text))
            deps = json.loads(doc.text)
            if "typescript" in {
                **(deps.get("devDependencies") or {}),
                **(deps.get("dependencies") or {}),
            } or deps.get("types"):
                lang = CardField(
                    "TypeScript", doc.path, _line_of(doc.text, "typescript"), _line_of(doc.text, "typescript")
                )
                return _info(doc, raw, (lang, CardField("npm", doc.path, 1, 1)))
        elif key == "Cargo.toml":
            data = tomllib.loads(doc.text)
            pkg = data.get("package") or {}
            raw = {k: pkg.get(k) for k in ("name", "description", "version")}
            raw.update(licence=pkg.get("license"), keywords=(pkg.get("keywords") or []) + (pkg.get("categories") or []),
                       urls={"homepage": pkg.get("homepage"), "docs": pkg.get("documentation"), "repository": pkg.get("repository")},
                       members=(data.get("workspace") or {}).get("members") or [])  # fmt: skip
        elif key == "go.mod":
            m = re.search(r"^module\s+(\S+)", doc.text, re.M)
            module = m.group(1) if m else ""
            raw = {"name": module.rstrip("/").split("/")[-1] if module else None,
                   "urls": {"repository": f"https://{module}" if module.startswith(("github.com/", "gitlab.com/")) else ""}}  # fmt: skip
        elif key == "pom.xml":
            root = ElementTree.fromstring(doc.text.encode("utf-8"))
            ns = re.match(r"\{[^}]+\}", root.tag)
            p = ns.group(0) if ns else ""
            raw = {"name": root.findtext(f"{p}name") or root.findtext(f"{p}artifactId"),
                   "description": root.findtext(f"{p}description"), "version": root.findtext(f"{p}version"),
                   "licence": root.findtext(f"{p}licenses/{p}license/{p}name"), "urls": {"homepage": root.findtext(f"{p}url")}}  # fmt: skip
        elif key in ("build.gradle", "build.gradle.kts"):
            raw = _by_pattern(
                doc,
                {
                    "description": r"\bdescription\s*=\s*['\"]([^'\"]+)",
                    "version": r"\bversion\s*=\s*['\"]([^'\"]+)",
                },
            )
        elif key == ".gemspec":
            raw = _by_pattern(doc, {"name": r"\.name\s*=\s*['\"]([^'\"]+)", "description": r"\.summary\s*=\s*['\"]([^'\"]+)",
                                    "licence": r"\.licen[cs]es?\s*=\s*\[?\s*['\"]([^'\"]+)", "homepage": r"\.homepage\s*=\s*['\"]([^'\"]+)",
                                    "repository": r"source_code_uri['\"]?\s*(?:=>|\]\s*=)\s*['\"]([^'\"]+)"})  # fmt: skip
        elif key == "composer.json":
            data = json.loads(doc.text)
            support = data.get("support") or {}
            raw = {"name": (data.get("name") or "").split("/")[-1] or None, "description": data.get("description"),
                   "licence": data.get("license") if isinstance(data.get("license"), str) else None,
                   "keywords": data.get("keywords") or [],
                   "urls": {"homepage": data.get("homepage"), "docs": support.get("docs"), "repository": support.get("source")}}  # fmt: skip
        else:  # Gemfile: only says the language
            raw = {}
    except (ValueError, TypeError, AttributeError, KeyError, ElementTree.ParseError, tomllib.TOMLDecodeError):
        return ManifestInfo(doc.path, *_lang(doc, key))
    return _info(doc, raw, _lang(doc, key))


def _info(doc: Document, raw: dict, lang: tuple[CardField | None, CardField | None]) -> ManifestInfo:
    keywords = tuple(
        f
        for k in (raw.get("keywords") or [])[:12]
        if isinstance(k, str) and (f := _f(doc, k, label="keyword"))
    )
    return ManifestInfo(
        path=doc.path,
        language=lang[0],
        ecosystem=lang[1],
        name=_f(doc, raw.get("name"), "name"),
        description=_f(doc, raw.get("description"), "description"),
        version=_f(doc, raw.get("version"), "version"),
        licence=_f(doc, raw.get("licence"), "licen"),
        keywords=keywords,
        links=_links(doc, {k: v for k, v in (raw.get("urls") or {}).items() if k and v}),
        members=tuple(str(m) for m in raw.get("members") or [] if isinstance(m, str)),
    )
