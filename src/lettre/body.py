"""Markdown bodies → safe HTML and wrapped plain text, with the locale's typography."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def scheme(url: str) -> str | None:
    """The scheme of `url` in lower case (`http`, `javascript`), or None when it has none."""
    match = _SCHEME.match(url)
    return match[1].lower() if match else None


def safe_scheme(url: str) -> bool:
    """True when `url` is relative or its scheme is http(s) or mailto."""
    name = scheme(url)
    return name is None or name in SAFE_SCHEMES


def is_local(src: str) -> bool:
    """True when an item's `image.src` names a file of the folder rather than a web address
    (no scheme, not `//host/…`): a photo that imagecache.py prepares."""
    src = src.strip()
    return scheme(src) is None and not src.startswith("//")


def safe_url(url: str, base_url: str | None = None, image: bool = False) -> str | None:
    """An absolute http(s)/mailto URL (no mailto for an `image`), or None for anything else."""
    url = url.strip()
    if not url or any(ord(c) < 32 for c in url):
        return None
    name = scheme(url)
    if name is not None:
        if image and url.startswith("mailto:"):
            return None
        return url if name in SAFE_SCHEMES else None
    if url.startswith("//"):
        return "https:" + url
    if base_url:
        return urljoin(base_url if base_url.endswith("/") else base_url + "/", url)
    return None


@dataclass
class References:
    """Numbered link references for the plain text, in reading order, one number per URL."""

    urls: list[str] = field(default_factory=list)

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": allow_html})
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # vetted by safe_url
    return md


def parse(text: str, allow_html: bool = False) -> list[Token]:
    """The token stream of a Markdown text."""
    return _parser(allow_html).parse(text)


# --- typography on the token stream -------------------------------------------------------

# raw HTML elements whose text is never typeset
VERBATIM_TAGS = frozenset({"code", "kbd", "samp", "tt", "pre", "math", "script", "style"})
_HTML_PIECE = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
    re.DOTALL,
)
_BREAK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"tr", "td", "th", "table", "blockquote", "section", "article", "figure", "figcaption"}
    | {"header", "footer", "hr", "aside", "nav", "details", "summary"}
)
# a line break inside a run: whitespace for the rules (\s matches it), never in an item
BREAK = "\x1e"


def _typeset_run(run: Sequence[str], typeset: Callable[[str], str]) -> list[str]:
    """Typeset the text pieces of `run` as one text, and return them, in order.

    Pieces that are not text are given as MARK (a tag, the edge of emphasis or a link),
    WORD (code, an image: read as a word) or BREAK (a line break).
    """
    from .french import MARK, WORD

    separators = (MARK, WORD, BREAK)
    texts = [p for p in run if p not in separators]
    if not any(t.strip() for t in texts):
        return texts
    # one text slot between every two separators (an empty one where there is no text)
    slots: list[int | None] = []  # for each slot, the index of its text piece, or None
    expecting_text = True
    number = 0
    for piece in run:
        if piece in separators:
            if expecting_text:
                slots.append(None)
            expecting_text = True
        else:
            slots.append(number)
            number += 1
            expecting_text = False
    if expecting_text:
        slots.append(None)
    parts = re.split(f"[{MARK}{WORD}{BREAK}]", typeset("".join(run)))
    if len(parts) != len(slots):
        return texts  # a separator was in the text itself: leave the run as written
    out = list(texts)
    carried = ""  # what the rules put where no text piece was: goes to the next one
    for slot, part in zip(slots, parts, strict=True):
        if slot is None:
            carried += part
        else:
            out[slot] = carried + part
            carried = ""
    if carried and out:
        out[-1] += carried
    return out


def _verbatim_tag(html: str) -> int:
    """+1 for a raw tag that opens an element never typeset (<code>), -1 for its end, else 0."""
    match = _HTML_PIECE.fullmatch(html.strip())
    if not match or not match[2] or match[2].lower() not in VERBATIM_TAGS or match[3]:
        return 0
    return -1 if match[1] else 1


_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


def _decoded(text: str) -> str:
    """Character references as their characters (&nbsp; is a space the rules must see),
    except those of HTML's own syntax (&lt; &gt; &amp; &quot; &apos;), kept as written."""
    import html

    def one(match: re.Match[str]) -> str:
        char = html.unescape(match[0])
        return match[0] if char == match[0] or char in "<>&\"'" else char

    return _ENTITY.sub(one, text) if "&" in text else text


def typeset_html(html: str, typeset: Callable[[str], str]) -> str:
    """The text of a raw HTML fragment typeset; tags, attributes, comments and the text of
    <code>, <kbd>, <samp>, <tt>, <pre>, <math>, <script>, <style> as written."""
    from .french import MARK, WORD

    run: list[str] = []
    pieces: list[str] = []  # the fragment: tags as written, text replaced after typesetting
    text_at: list[int] = []  # where each text piece of `run` sits in `pieces`
    depth = 0
    position = 0
    for match in _HTML_PIECE.finditer(html):
        text = html[position : match.start()]
        if text:
            pieces.append(text)
            if depth:
                run.append(WORD)
            else:
                pieces[-1] = text = _decoded(text)
                text_at.append(len(pieces) - 1)
                run.append(text)
        tag = match[0]
        pieces.append(tag)
        name = (match[2] or "").lower()
        if name in VERBATIM_TAGS and not match[3]:
            depth = max(0, depth + (-1 if match[1] else 1))
        run.append(BREAK if name in _BREAK_TAGS else MARK)
        position = match.end()
    if html[position:]:
        pieces.append(html[position:])
        if depth:
            run.append(WORD)
        else:
            pieces[-1] = _decoded(pieces[-1])
            text_at.append(len(pieces) - 1)
            run.append(pieces[-1])
    for at, new in zip(text_at, _typeset_run(run, typeset), strict=True):
        pieces[at] = new
    return "".join(pieces)


def _typeset_children(children: Sequence[Token], typeset: Callable[[str], str]) -> None:
    """Typeset the text of one paragraph's inline tokens as one text (quotes may span
    emphasis, « **Bravo** ! » gets its space), leaving code and raw <code> as written."""
    from .french import MARK, WORD

    run: list[str] = []
    groups: list[list[Token]] = []  # the text tokens of each text piece (adjacent ones join)
    depth = 0  # inside raw <code>, <kbd>…
    for child in children:
        kind = child.type
        if kind == "text" and depth:
            run.append(WORD)
        elif kind == "text":
            if run and run[-1] not in (MARK, WORD, BREAK):
                run[-1] += child.content
                groups[-1].append(child)
            else:
                run.append(child.content)
                groups.append([child])
        elif kind in ("softbreak", "hardbreak"):
            run.append(BREAK)
        elif kind == "html_inline":
            depth = max(0, depth + _verbatim_tag(child.content))
            name = _HTML_PIECE.fullmatch(child.content.strip())
            tag = (name[2] or "").lower() if name else ""
            run.append(BREAK if tag in _BREAK_TAGS else MARK)
        elif kind in ("code_inline", "image"):
            if kind == "image":
                _typeset_image(child, typeset)
            run.append(WORD)
        else:
            run.append(MARK)
    for group, new in zip(groups, _typeset_run(run, typeset), strict=True):
        group[0].content = new
        for token in group[1:]:
            token.content = ""


def _typeset_image(image: Token, typeset: Callable[[str], str]) -> None:
    if image.children:
        _typeset_children(image.children, typeset)
        # HTML renders the alt text from the children, the plain text from the attribute
        image.attrSet("alt", "".join(c.content for c in image.children if c.type == "text"))
        image.content = str(image.attrGet("alt"))
    else:
        image.attrSet("alt", typeset(str(image.attrGet("alt") or "")))


def typeset_tokens(tokens: Sequence[Token], typeset: Callable[[str], str]) -> None:
    """Apply `typeset` to the text of a Markdown token stream, in place (raw HTML too)."""
    for token in tokens:
        if token.type == "inline" and token.children:
            _typeset_children(token.children, typeset)
        elif token.type == "html_block":
            token.content = typeset_html(token.content, typeset)


def typeset_parse(
    text: str, typeset: Callable[[str], str] = lambda s: s, allow_html: bool = False
) -> list[Token]:
    """The token stream of a Markdown text, its words typeset: one parse for every output
    (`tokens_text` and `tokens_summary` read it; `tokens_html`, which changes it, goes last)."""
    tokens = parse(text, allow_html)
    typeset_tokens(tokens, typeset)
    return tokens


def to_html(
    text: str,
    typeset: Callable[[str], str] = lambda s: s,
    base_url: str | None = None,
    allow_html: bool = False,
) -> str:
    """Safe HTML: raw HTML escaped (unless allowed), only http(s)/mailto links kept."""
    return tokens_html(typeset_parse(text, typeset, allow_html), base_url, allow_html)


def tokens_html(tokens: list[Token], base_url: str | None = None, allow_html: bool = False) -> str:
    """`to_html` of a typeset token stream (see `typeset_parse`); changes the tokens."""
    md = _parser(allow_html)
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                href = safe_url(str(child.attrGet("href") or ""), base_url)
                if href is None:
                    child.attrs.pop("href", None)
                    child.meta["dropped"] = True
                else:
                    child.attrSet("href", href)
            elif child.type == "image":
                src = safe_url(str(child.attrGet("src") or ""), base_url, image=True)
                if src is None:
                    # the alt text is in `content` (the renderer rebuilds it from children)
                    child.type = "text"
                    child.content = child.content or str(child.attrGet("alt") or "")
                    child.children = None
                else:
                    child.attrSet("src", src)
    html: str = md.renderer.render(tokens, md.options, {})
    # a dropped link renders as <a> without href: unwrap it, keeping its text
    html = re.sub(r"<a>(.*?)</a>", r"\1", html, flags=re.DOTALL)
    return html.strip()


# --- plain text ----------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a string takes in a terminal or a monospaced font (accents take none)."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200b\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# a day or a small number and the word after it stay on one line: « 1er juin », « 2 h »
_GLUED = re.compile(r"(?<![\w.,])(\d{1,2}(?:er|re|e|st|nd|rd|th|\.)?) (?=[^\W\d_])")
# French punctuation written with plain spaces (text in another locale's letter) too
_GLUED_MARKS = re.compile(r"(?<=\S) (?=[!?;:»]+(?:\s|$))|(?<=«) ")
_GLUE = "\ue004"  # stands for a space that must not break while wrapping


def wrap(text: str, width: int = 72, indent: str = "", subsequent: str | None = None) -> str:
    """Wrap at spaces only (never at a no-break space, inside a URL or after a day)."""
    lines = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(
            _GLUED_MARKS.sub(_GLUE, _GLUED.sub(rf"\1{_GLUE}", paragraph)),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent if subsequent is None else subsequent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [indent.rstrip()])
    return "\n".join(lines).replace(_GLUE, " ")


def _inline_text(children: Sequence[Token], refs: References | None, base_url: str | None) -> str:
    out: list[str] = []
    pending: list[tuple[str | None, int]] = []  # open links: (URL, where their text starts)
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "link_open":
            href = safe_url(str(child.attrGet("href") or ""), base_url)
            pending.append((href, len(out)))  # the link's text, to compare it with the URL
        elif kind == "link_close":
            href, start = pending.pop() if pending else (None, len(out))
            label = "".join(out[start:])
            del out[start:]
            if href is None:
                out.append(label)
            elif label.strip() in (href, href.removeprefix("mailto:")):
                out.append(href.removeprefix("mailto:"))
            else:
                out.append(f"{label}\u00a0[{refs.number(href)}]" if refs is not None else label)
        elif kind == "image":
            alt = child.attrGet("alt") or child.content
            if alt:
                out.append(f"[{alt}]")
    return "".join(out)


def to_text(
    text: str,
    typeset: Callable[[str], str] = lambda s: s,
    refs: References | None = None,
    base_url: str | None = None,
    width: int = 72,
    allow_html: bool = False,
) -> str:
    """Plain text wrapped at `width`; links become numbered references kept in `refs`."""
    return tokens_text(typeset_parse(text, typeset, allow_html), refs, base_url, width)


def tokens_text(
    tokens: Sequence[Token],
    refs: References | None = None,
    base_url: str | None = None,
    width: int = 72,
) -> str:
    """`to_text` of a typeset token stream (see `typeset_parse`); leaves the tokens as they are."""
    blocks: list[tuple[bool, str]] = []  # (tight: no blank line before it, text)
    prefixes: list[str] = []  # "> " for quotes, list markers as indents
    lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
    marker_prefix: str | None = None  # the prefix of a list item's first line
    item_index = 0  # how many items the innermost list has shown
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind == "bullet_list_open":
            lists.append([])
            item_index = 0
        elif kind == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
            item_index = 0
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            counter = lists[-1]
            marker = "- " if not counter else f"{counter[0]}. "
            if counter:
                counter[0] += 1
            marker_prefix = "".join(prefixes) + marker
            prefixes.append(" " * len(marker))
            item_index += 1
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "inline":
            content = _inline_text(token.children or [], refs, base_url)
            indent = "".join(prefixes)
            tight = bool(tokens[index - 1].hidden) and marker_prefix is not None and item_index > 1
            first = marker_prefix if marker_prefix is not None else indent
            marker_prefix = None
            blocks.append((tight, wrap(content, width, first, indent)))
        elif kind == "heading_close" and token.tag in ("h1", "h2") and blocks:
            tight, heading = blocks[-1]
            last = heading.split("\n")[-1].strip()
            blocks[-1] = (tight, heading + "\n" + "-" * display_width(last))
        elif kind in ("fence", "code_block"):
            indent = "".join(prefixes) + "    "
            code = token.content.rstrip("\n")
            blocks.append((False, "\n".join(indent + line for line in code.split("\n"))))
        elif kind == "html_block":
            blocks.append((False, wrap(token.content.strip(), width, "".join(prefixes))))
        elif kind == "hr":
            blocks.append((False, "".join(prefixes) + "* * *"))
    out = ""
    for tight, block in blocks:
        out += (("\n" if tight else "\n\n") + block) if out else block
    return out


def plain_summary(
    text: str,
    limit: int = 220,
    typeset: Callable[[str], str] = lambda s: s,
    allow_html: bool = False,
) -> str:
    """The first words of a Markdown body as one line, cut at a word boundary with « … »."""
    return tokens_summary(typeset_parse(text, typeset, allow_html), limit)


def tokens_summary(tokens: Sequence[Token], limit: int = 220) -> str:
    """`plain_summary` of a typeset token stream (see `typeset_parse`); leaves it as it is."""
    import html

    words: list[str] = []
    for token in tokens:
        if token.type == "inline":
            children = [c for c in token.children or () if c.type != "html_inline"]
            words.extend(_words(_inline_text(children, None, None)))
        elif token.type == "html_block":
            words.extend(_words(html.unescape(_HTML_PIECE.sub(" ", token.content))))
        if sum(len(w) + 1 for w in words) > limit:
            break
    return cut(" ".join(words), limit)


def _words(text: str) -> list[str]:
    """The words of `text`, split at spaces that may break (a no-break space joins)."""
    return [w for w in re.split(r"[ \t\n\r\f\v\x1e\x85\u2028\u2029]+", text) if w]


def cut(text: str, limit: int) -> str:
    """`text`, or its first words within `limit` characters followed by « … »."""
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.!?-–— \u00a0\u202f") + "…"
