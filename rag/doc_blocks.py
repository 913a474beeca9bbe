"""A README (Markdown, reStructuredText, HTML or a notebook's text) as a list of typed blocks with lines.

`parse_blocks` turns a document into `Block`s: headings, paragraphs, list
items, code and table rows, each as plain text (links become their text,
images, HTML tags and inline markup go) with its 1-based line range and the
headings it sits under. Markdown goes through markdown-it-py (CommonMark plus
tables); HTML blocks inside Markdown, and HTML READMEs, through the standard
library's `HTMLParser`; reStructuredText through a few light rules (titles by
underline, bullets, `::` and `code-block` literals, inline roles and links).
It does not judge what a block is about (see `rag.sections`) or build a card.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["Block", "parse_blocks", "MAX_PARSE_CHARS", "detect_format"]

MAX_PARSE_CHARS = 300_000  # a 5 MB README is read for its first 300 KB: the card lives near the top
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "source", "wbr"})
_HTML_BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "td", "th", "div", "dd", "dt"}
)


@dataclass(frozen=True)
class Block:
    """One block of a document as plain text, with where it is and what it sits under."""

    kind: str  # heading | paragraph | item | code | row
    text: str
    start_line: int  # 1-based, inclusive
    end_line: int
    level: int = 0  # heading level (1-6) or list depth (1 = top level)
    sections: tuple[str, ...] = ()  # heading texts above this block, outermost first
    lang: str = ""  # a code block's language
    links: tuple[str, ...] = ()  # link targets in the block
    link_text: int = 0  # characters of text that sit inside links or images
    images: int = 0  # images (badges) in the block

    @property
    def section(self) -> str:
        """The nearest heading above the block ("" before the first heading)."""
        return self.sections[-1] if self.sections else ""

    @property
    def only_links(self) -> bool:
        """True when the block is nothing but links and images (badges, a table of contents)."""
        bare = re.sub(r"[\s|·•,/\-–—:()\[\]]+", "", self.text)
        return bool(self.links or self.images) and len(bare) <= max(self.link_text, 0) + 2


def detect_format(path: str, text: str) -> str:
    """ "md", "rst", "html" or "txt" from the file name, else from the text."""
    lower = path.lower()
    if lower.endswith((".rst", ".rest")):
        return "rst"
    if lower.endswith((".html", ".htm")):
        return "html"
    if lower.endswith((".md", ".markdown", ".mdx", ".ipynb")):
        return "md"
    head = text[:3000]
    if re.search(r"^\s*<(!doctype|html|body|div|p|h1)\b", head, re.I):
        return "html"
    if re.search(r"^[^\n]{2,80}\n[=\-~^*]{3,}\s*$", head, re.M) and not re.search(r"^#{1,6} ", head, re.M):
        return "rst"
    return "md"


# --- HTML ----------------------------------------------------------------
class _HtmlText(HTMLParser):
    """Collects block-level text of HTML: headings, paragraphs, list items, pre; links and images counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int, tuple[str, ...], int, int, int]] = []
        self._stack: list[str] = []
        self._buf: list[str] = []
        self._links: list[str] = []
        self._link_chars = 0
        self._images = 0
        self._in_link = 0
        self._line = 1
        self._skip = 0

    def _flush(self, tag: str) -> None:
        text = " ".join("".join(self._buf).split()) if tag != "pre" else "".join(self._buf).strip("\n")
        if text or self._links or self._images:
            kind = "heading" if re.fullmatch(r"h[1-6]", tag) else "item" if tag == "li" else (
                "code" if tag == "pre" else "paragraph")  # fmt: skip
            level = int(tag[1]) if kind == "heading" else 0
            self.blocks.append((kind, text, level, tuple(self._links), self._link_chars, self._images,
                                self._line))  # fmt: skip
        self._buf, self._links, self._link_chars, self._images = [], [], 0, 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._line = self.getpos()[0]
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _HTML_BLOCKS:
            self._flush("p")
        if tag == "a":
            self._in_link += 1
            href = dict(attrs).get("href") or ""
            if href:
                self._links.append(href)
        elif tag == "img":
            self._images += 1
        elif tag == "br" and self._buf:
            self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._in_link = max(0, self._in_link - 1)
        elif tag in _HTML_BLOCKS:
            self._flush(tag)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._buf:
            self._line = self.getpos()[0]
        self._buf.append(data)
        if self._in_link:
            self._link_chars += len(re.sub(r"\s+", "", data))

    def close(self) -> None:
        super().close()
        self._flush("p")


def _html_blocks(text: str, first_line: int, sections: list[tuple[int, str]]) -> list[Block]:
    parser = _HtmlText()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - malformed HTML is data: keep what was read
        pass
    out: list[Block] = []
    for kind, body, level, links, link_chars, images, line in parser.blocks:
        ln = first_line + line - 1
        if kind == "heading":
            _push(sections, level, body)
        out.append(Block(kind, body, ln, ln, level, _titles(sections) if kind != "heading" else
                         _titles(sections)[:-1], "", links, link_chars, images))  # fmt: skip
    return out


def _push(sections: list[tuple[int, str]], level: int, title: str) -> None:
    while sections and sections[-1][0] >= level:
        sections.pop()
    sections.append((level, title))


def _titles(sections: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(t for _, t in sections)


# --- Markdown -------------------------------------------------------------
def _md():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _inline(token) -> tuple[str, tuple[str, ...], int, int]:
    """Plain text of an inline token, its link targets, characters inside links/images, image count."""
    parts: list[str] = []
    links: list[str] = []
    in_link = 0
    link_chars = images = 0
    for child in token.children or ():
        t = child.type
        if t == "text" or t == "code_inline":
            parts.append(child.content)
            if in_link:
                link_chars += len(re.sub(r"\s+", "", child.content))
        elif t in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif t == "link_open":
            in_link += 1
            links.append(str(child.attrs.get("href", "")))
        elif t == "link_close":
            in_link = max(0, in_link - 1)
        elif t == "image":
            images += 1
        elif t == "html_inline":
            m = re.match(r"<a\s[^>]*href=[\"']([^\"']+)", child.content, re.I)
            if m:
                links.append(m.group(1))
            if re.match(r"<img\b", child.content, re.I):
                images += 1
    text = html.unescape(" ".join("".join(parts).split()))
    return text, tuple(links), link_chars, images


def _markdown_blocks(text: str) -> list[Block]:
    tokens = _md().parse(text)
    out: list[Block] = []
    sections: list[tuple[int, str]] = []
    depth = 0
    item_open: list[bool] = []  # per open list item: has its first paragraph been taken
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        lines = (tok.map[0] + 1, tok.map[1]) if tok.map else (0, 0)
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "list_item_open":
            item_open.append(False)
        elif tok.type == "list_item_close":
            item_open.pop()
        elif tok.type == "heading_open":
            body, links, lc, imgs = _inline(tokens[i + 1])
            level = int(tok.tag[1])
            out.append(Block("heading", body, *lines, level, _titles(sections), "", links, lc, imgs))
            _push(sections, level, body)
            i += 3
            continue
        elif tok.type == "paragraph_open":
            body, links, lc, imgs = _inline(tokens[i + 1])
            if item_open and not item_open[-1]:
                item_open[-1] = True
                out.append(Block("item", body, *lines, depth, _titles(sections), "", links, lc, imgs))
            elif item_open and out and out[-1].kind == "item":
                last = out[-1]
                out[-1] = Block("item", f"{last.text} {body}".strip(), last.start_line, lines[1], last.level,
                                last.sections, "", last.links + links, last.link_text + lc,
                                last.images + imgs)  # fmt: skip
            else:
                out.append(Block("paragraph", body, *lines, 0, _titles(sections), "", links, lc, imgs))
            i += 3
            continue
        elif tok.type in ("fence", "code_block"):
            lang = (tok.info or "").strip().split(" ")[0].lower()
            out.append(Block("code", tok.content.rstrip("\n"), *lines, depth, _titles(sections), lang))
        elif tok.type == "html_block":
            out.extend(_html_blocks(tok.content, lines[0], sections))
        elif tok.type == "tr_open":
            cells = []
            j = i + 1
            while j < len(tokens) and tokens[j].type != "tr_close":
                if tokens[j].type == "inline":
                    cells.append(_inline(tokens[j])[0])
                j += 1
            out.append(Block("row", " | ".join(cells), *lines, 0, _titles(sections)))
            i = j
        i += 1
    return out


# --- reStructuredText (light rules) -----------------------------------------
_RST_UNDERLINE = re.compile(r"^([=\-~^*+#`':\"._])\1{2,}\s*$")
_RST_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d+[.)]|#\.)\s+(.*)$")
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+(\|[^|]+\|\s+)?([\w:-]+)::\s*(.*)$")


def _rst_inline(text: str) -> tuple[str, tuple[str, ...], int, int]:
    links = tuple(re.findall(r"`[^`<]*<([^>]+)>`__?", text)) + tuple(
        re.findall(r"(?<![<(])https?://\S+", text)
    )
    link_chars = sum(len(m) for m in re.findall(r"`([^`<]*)<[^>]+>`__?", text))
    images = len(re.findall(r"\|[^|\s][^|]*\|", text))
    text = re.sub(r"`([^`<]*?)\s*<[^>]+>`__?", r"\1", text)  # `text <url>`_ -> text
    text = re.sub(r":[\w:-]+:`([^`]*)`", r"\1", text)  # :role:`x` -> x
    text = re.sub(r"``([^`]*)``", r"\1", text)
    text = re.sub(r"`([^`]*)`_{0,2}", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*|\*([^*]+)\*", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\|[^|\s][^|]*\|_{0,2}", "", text)  # substitutions (badges)
    text = re.sub(r"(?<=\w)_{1,2}(?=[\s.,;:)]|$)", "", text)  # reference links: word_
    return " ".join(text.split()), links, link_chars, images


def _rst_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    out: list[Block] = []
    sections: list[tuple[int, str]] = []
    levels: list[str] = []
    buf: list[str] = []
    state = {"start": 0, "kind": "paragraph", "literal": False}

    def flush(end: int) -> None:
        if buf:
            raw = " ".join(re.sub(r"^\|\s+", "", s.strip()) for s in buf)  # "| text": a line block
            if raw.endswith("::"):
                raw = raw[:-3] if raw.endswith(" ::") else raw[:-1]
                state["literal"] = True
            body, links, lc, imgs = _rst_inline(raw)
            if body:
                out.append(Block(str(state["kind"]), body, int(state["start"]), end,
                                 1 if state["kind"] == "item" else 0, _titles(sections), "", links, lc, imgs))  # fmt: skip
        buf.clear()
        state["kind"] = "paragraph"

    def indented_run(i: int) -> tuple[list[str], int]:
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        return body, i

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not stripped:
            flush(i)
            i += 1
            continue
        if (not line.startswith((" ", "\t")) and _RST_UNDERLINE.match(nxt)
                and len(nxt.strip()) >= len(stripped) * 0.6 and not _RST_UNDERLINE.match(line)):  # fmt: skip
            flush(i)
            char = nxt.strip()[0]
            if char not in levels:
                levels.append(char)
            level = levels.index(char) + 1
            title = _rst_inline(stripped)[0]
            out.append(Block("heading", title, i + 1, i + 2, level, _titles(sections)))
            _push(sections, level, title)
            i += 2
            continue
        if _RST_UNDERLINE.match(stripped) and not buf:
            i += 1  # an overline
            continue
        if stripped.startswith(".. ") or stripped == "..":
            flush(i)
            directive = _RST_DIRECTIVE.match(line)
            body, j = indented_run(i + 1)
            name = directive.group(2).lower() if directive else ""
            if name in ("code", "code-block", "sourcecode"):
                code = textwrap.dedent("\n".join(b for b in body if not b.strip().startswith(":"))).strip(
                    "\n"
                )
                if code:
                    out.append(
                        Block(
                            "code", code, i + 2, j, 0, _titles(sections), directive.group(3).strip().lower()
                        )
                    )  # type: ignore[union-attr]
            i = j
            continue
        if line.startswith((" ", "\t")) and state["literal"] and not buf:
            body, j = indented_run(i)
            code = textwrap.dedent("\n".join(body)).strip("\n")
            out.append(Block("code", code, i + 1, j, 0, _titles(sections)))
            state["literal"] = False
            i = j
            continue
        state["literal"] = False
        bullet = _RST_BULLET.match(line)
        if bullet and not bullet.group(1):
            flush(i)
            buf.append(bullet.group(2))
            state["kind"], state["start"] = "item", i + 1
        else:
            if not buf:
                state["start"] = i + 1
            buf.append(stripped)
        i += 1
    flush(len(lines))
    return out


def parse_blocks(text: str, path: str = "README.md", fmt: str = "") -> list[Block]:
    """The blocks of a document (first `MAX_PARSE_CHARS` characters), in order, with 1-based lines."""
    text = text[:MAX_PARSE_CHARS].replace("\r\n", "\n")
    fmt = fmt or detect_format(path, text)
    if fmt == "rst":
        return _rst_blocks(text)
    if fmt == "html":
        return _html_blocks(text, 1, [])
    return _markdown_blocks(text)
