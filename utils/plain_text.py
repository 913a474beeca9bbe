"""Markdown and HTML to the plain text LinkedIn shows as written.

`plain_post_text` parses with markdown-it-py (CommonMark + tables) and renders
plain text: links become their text (a bare or auto-linked URL stays, the
project's main URL at most once), code ticks, emphasis, headings' `#`, images
and HTML tags go (reStructuredText `text <url>`_ links too), entities become characters, bullets become `•`, numbered
items keep their numbers. Blank lines between blocks are kept as the source
had them. `has_markup` says whether a text needs this at all. No I/O.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

__all__ = ["plain_post_text", "has_markup"]

_MARKUP = re.compile(
    r"\[[^\]\n]+\]\([^)\s]+\)|`|\*\*|__\w|^\s{0,3}#{1,6}\s|</?[a-zA-Z][^>\n]*>|&[a-zA-Z]+;|&#\d+;|^\s*[-*+]\s|!\[",
    re.M,
)
_RST_LINK = re.compile(r"`?([^`<>\n]+?)\s*<https?://[^>\s]+>`?_{1,2}")
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "ul", "ol", "table"}
)


def has_markup(text: str) -> bool:
    """True when `text` holds Markdown or HTML syntax that LinkedIn would show literally."""
    return bool(_MARKUP.search(text))


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class _HtmlToText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_text(fragment: str) -> str:
    parser = _HtmlToText()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # noqa: BLE001 - broken HTML is data: fall back to stripping tags
        return html.unescape(re.sub(r"<[^>]*>", "", fragment))
    text = "".join(parser.parts)
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


class _Renderer:
    def __init__(self, main_url: str):
        self.main_url = main_url.rstrip("/")
        self.main_used = False

    def inline(self, token) -> str:
        out: list[str] = []
        link_stack: list[tuple[str, int]] = []
        for child in token.children or ():
            t = child.type
            if t in ("text", "code_inline"):
                out.append(child.content)
            elif t in ("softbreak", "hardbreak"):
                out.append("\n")
            elif t == "link_open":
                link_stack.append((str(child.attrs.get("href", "")), len(out)))
            elif t == "link_close" and link_stack:
                href, start = link_stack.pop()
                inner = "".join(out[start:])
                if inner.strip() == href or inner.strip() == href.removeprefix("mailto:"):
                    del out[start:]
                    out.append(self._url(href))
            elif t == "html_inline":
                if re.match(r"<br\s*/?>", child.content, re.I):
                    out.append("\n")
            elif t == "image":
                continue
        return html.unescape("".join(out))

    def _url(self, url: str) -> str:
        if self.main_url and url.rstrip("/") == self.main_url:
            if self.main_used:
                return ""
            self.main_used = True
        return url

    def render(self, tokens) -> list[tuple[int, int, str]]:
        """(start line, end line, text) of each top-level block."""
        blocks: list[tuple[int, int, str]] = []
        lists: list[list] = []  # per open list: [kind, next number]
        item_prefix: list[str] = []
        pending: list[str] = []
        cells: list[str] | None = None
        top_start = top_end = 0
        for tok in tokens:
            if tok.level == 0 and tok.map and tok.nesting >= 0:
                top_start, top_end = tok.map
            t = tok.type
            text = None
            if t == "bullet_list_open":
                lists.append(["•", 0])
            elif t == "ordered_list_open":
                lists.append(["1", int(tok.attrs.get("start", 1) or 1)])
            elif t in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif t == "list_item_open":
                kind = lists[-1]
                indent = "  " * (len(lists) - 1)
                if kind[0] == "•":
                    item_prefix.append(f"{indent}• ")
                else:
                    item_prefix.append(f"{indent}{kind[1]}. ")
                    kind[1] += 1
            elif t == "list_item_close":
                item_prefix.pop()
            elif t == "tr_open":
                cells = []
            elif t == "tr_close":
                text = " — ".join(c for c in cells or [] if c)
                cells = None
            elif t == "inline" and cells is not None:
                cells.append(self.inline(tok).strip())
            elif t == "inline":
                text = self.inline(tok)
                if item_prefix and item_prefix[-1]:
                    text = item_prefix[-1] + text
                    item_prefix[-1] = "  " * (len(lists))  # later paragraphs of the same item
            elif t in ("fence", "code_block"):
                text = tok.content.rstrip("\n")
            elif t == "html_block":
                text = _html_text(tok.content)
            if text is not None and text.strip():
                pending.append(text)
            closing = tok.level == 0 and tok.nesting <= 0
            if closing and pending:
                blocks.append((top_start, top_end, "\n".join(pending)))
                pending = []
        return blocks


def plain_post_text(text: str, main_url: str = "") -> str:
    """Post text with Markdown and HTML turned into plain text LinkedIn shows as written.

    Example: plain_post_text("- **Fast**: run `lumen build`") == "• Fast: run lumen build"
    """
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n")
    text = _RST_LINK.sub(r"\1", text)  # reStructuredText links copied from a README: `text <url>`_ -> text
    source_lines = text.split("\n")
    tokens = _parser().parse(text)
    renderer = _Renderer(main_url)
    blocks = renderer.render(tokens)
    out: list[str] = []
    prev_end = -1
    for start, end, body in blocks:
        if out:
            blank_before = start > prev_end or (
                0 < start <= len(source_lines) and not source_lines[start - 1].strip()
            )
            out.append("\n\n" if blank_before else "\n")
        out.append(body)
        prev_end = end
    result = "".join(out)
    if renderer.main_url and result.count(renderer.main_url) > 1:
        first = result.find(renderer.main_url) + len(renderer.main_url)
        result = result[:first] + re.sub(r"(?<=\S)  +", " ", result[first:].replace(renderer.main_url, ""))
    return re.sub(r"[ \t]+\n", "\n", re.sub(r"\n{3,}", "\n\n", result)).strip()
