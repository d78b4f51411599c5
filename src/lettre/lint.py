"""The composed letter as mail clients will see it → findings: errors and warnings.

Pure: everything comes from the composed letter (and the configuration, for the file
names it points at); nothing is read from disk. `lettre check --week W` prints these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_SECTIONS
from .findings import Finding
from .messages import _
from .render import GMAIL_CLIP_BYTES, gmail_clips

if TYPE_CHECKING:
    from .compose import Composed
    from .config import Config
    from .items import Entry

#: mail clients show about this many characters of a subject (phones about 40)
SUBJECT_LIMIT = 70
#: Gmail drops a <style> element larger than this
GMAIL_STYLE_BYTES = 16 * 1024
#: a message over this size (photos embedded) is slow to fetch and refused by some servers
MESSAGE_LIMIT_BYTES = 1024 * 1024
_WEB_SCHEMES = ("http://", "https://")


# --- reading the HTML ----------------------------------------------------------------------


@dataclass
class _Tag:
    """An element of the HTML part that lint looks at, with its line in the HTML."""

    name: str
    attrs: dict[str, str | None]
    line: int


@dataclass
class _Section:
    """A section title (class `section-title`) and whether anything follows it."""

    label: str
    line: int
    content: bool = False


class _Page(HTMLParser):
    """What lint needs from the HTML: images, links, `lang`, sections and their content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[_Tag] = []
        self.links: list[_Tag] = []
        self.lang: str | None = None
        self.sections: list[_Section] = []
        self._in_title = False
        # the element whose content is not shown (the <head>, the preheader), and how many
        # elements of its name are open inside it
        self._hidden: list[str] = []
        self._after_footer = False
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        line = self.getpos()[0]
        classes = (values.get("class") or "").split()
        if tag == "style":
            self._in_style = True
        hides = tag == "head" or "preheader" in classes
        if (tag == self._hidden[0]) if self._hidden else hides:
            self._hidden.append(tag)
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "img":
            self.images.append(_Tag(tag, values, line))
            self._content()
        elif tag == "a":
            self.links.append(_Tag(tag, values, line))
        if "section-title" in classes:
            self.sections.append(_Section("", line))
            self._in_title = True
        elif "footer" in classes:
            self._after_footer = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if self._hidden and tag == self._hidden[0]:
            self._hidden.pop()
        if tag in ("h1", "h2", "h3", "h4", "div", "p", "td") and self._in_title:
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
            return
        if self._hidden or not data.strip():
            return
        if self._in_title and self.sections:
            self.sections[-1].label += data.strip()
        else:
            self._content()

    def _content(self) -> None:
        if self.sections and not self._after_footer and not self._in_title:
            self.sections[-1].content = True


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


# --- where a problem comes from ------------------------------------------------------------


def _item_source(composed: Composed, url: str) -> tuple[Path | None, int | None]:
    """The item file (and line of its body) an image or link of the HTML comes from."""
    for entry in composed.letter.entries:
        if entry.image is not None and entry.image.src == url:
            return entry.item.path, entry.image.line
        if entry.url == url and url not in entry.body_html:
            return entry.item.path, None
        if url in entry.body_html or _escaped(url) in entry.body_html:
            return entry.item.path, _body_line(entry, url)
    return None, None


def _escaped(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def _body_line(entry: Entry, url: str) -> int:
    """The line of the item file whose body mentions `url` (or its file name)."""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    lines = entry.item.body.split("\n")
    for needle in (url, name):
        for number, text in enumerate(lines):
            if needle and needle in text:
                return entry.item.body_line + number
    return entry.item.body_line


def _where(composed: Composed, tag: _Tag, url: str) -> tuple[Path | None, int | None, str]:
    """File and line for a finding about `tag`, and a hint naming its line in the HTML."""
    path, line = _item_source(composed, url)
    return path, line, ("" if path else _(" (HTML part, line {line})").format(line=tag.line))


# --- the checks ----------------------------------------------------------------------------


def html_size(composed: Composed) -> Iterator[Finding]:
    """Gmail clips an HTML part over 102 KB: the end of the letter, unsubscribe link included,
    would be hidden."""
    size = gmail_clips(composed.html)
    if size is not None:
        yield Finding(
            "warning",
            _(
                "the HTML part is {value:.0f} KB: Gmail clips messages over {value2} KB, hiding "
                "the end of the letter (shorten the bodies or move items to another week)"
            ).format(value=size / 1024, value2=GMAIL_CLIP_BYTES // 1024),
        )


def style_size(page: _Page) -> Iterator[Finding]:
    """Gmail ignores a <style> over 16 KB: the phone and dark-mode rules would be lost."""
    size = sum(len(css.encode("utf-8")) for css in page.styles)
    if size > GMAIL_STYLE_BYTES:
        yield Finding(
            "warning",
            _(
                "the <style> left after inlining is {value:.0f} KB: Gmail ignores it over "
                "{value2} KB (trim the @media rules of style.css)"
            ).format(value=size / 1024, value2=GMAIL_STYLE_BYTES // 1024),
        )


def images(composed: Composed, page: _Page) -> Iterator[Finding]:
    """Every image has an alt text, an http(s) address, a width and a height."""
    photos = {e.image.src for e in composed.letter.entries if e.photo and e.image}
    for tag in page.images:
        src = (tag.attrs.get("src") or "").strip()
        path, line, hint = _where(composed, tag, src)
        shown = src if len(src) <= 60 else src[:57] + "..."
        if tag.attrs.get("alt") is None:
            yield Finding(
                "error",
                _(
                    "image {shown!r} has no alt text: describe it for readers who cannot see it "
                    '(alt="" for a decorative image){hint}'
                ).format(shown=shown, hint=hint),
                path,
                line,
            )
        if not src.lower().startswith(_WEB_SCHEMES) and src not in photos:  # see `photos`
            yield Finding(
                "error",
                _(
                    "image {shown!r} is not at an http(s) address: mail clients cannot load "
                    "it{hint}"
                ).format(shown=shown, hint=hint),
                path,
                line,
            )
        missing = [a for a in ("width", "height") if not (tag.attrs.get(a) or "").isdigit()]
        if missing:
            yield Finding(
                "warning",
                _(
                    "image {shown!r} has no {missing} in pixels: Outlook shows it at its own size "
                    "and the text moves as it loads (give 'image: width' and 'height' in the item)"
                    "{hint}"
                ).format(shown=shown, missing=_(" and no ").join(missing), hint=hint),
                path,
                line,
            )


def photos(composed: Composed, config: Config | None) -> Iterator[Finding]:
    """Local photos published with the archive need its address; embedded ones weigh."""
    letter = composed.letter
    if config is None or not letter.photos:
        return
    if config.images.mode == "publish" and not config.archive_url:
        for entry in letter.entries:
            if entry.photo is None or entry.item.image is None:
                continue
            yield Finding(
                "error",
                _(
                    "image {src!r} is published with the web archive, but lettre.toml gives the "
                    "archive no address: set base_url or [archive] url, or embed the photos in "
                    'the message ([images] mode = "embed")'
                ).format(src=entry.item.image.src),
                entry.item.path,
                entry.item.image.line,
            )
    size = len(composed.eml())
    if size > MESSAGE_LIMIT_BYTES:
        yield Finding(
            "warning",
            _(
                "the message is {value:.1f} MB with its embedded photos (over {value2} MB): slow "
                "to open on a phone, refused by some mail servers; use fewer photos or [images] "
                'mode = "publish"'
            ).format(value=size / 1024 / 1024, value2=MESSAGE_LIMIT_BYTES // 1024 // 1024),
            _config_path(config),
        )


def links(composed: Composed, page: _Page) -> Iterator[Finding]:
    """Every link is absolute and http(s) or mailto: relative ones lead nowhere in a mail."""
    for tag in page.links:
        href = tag.attrs.get("href")
        if href is None:
            continue  # an anchor without a destination
        href = href.strip()
        lowered = href.lower()
        if lowered.startswith((*_WEB_SCHEMES, "mailto:")):
            continue
        path, line, hint = _where(composed, tag, href)
        scheme = lowered.partition(":")[0] if ":" in lowered.split("/")[0] else ""
        if scheme:
            message = _(
                "link {href!r} is a {scheme}: link: only http(s) and mailto links work"
            ).format(href=href, scheme=scheme)
        else:
            message = _(
                "link {href!r} is relative: it leads nowhere in an e-mail (write the full "
                "https:// address, or set base_url in lettre.toml)"
            ).format(href=href)
        yield Finding("error", message + hint, path, line)


def dropped_links(composed: Composed, config: Config | None) -> Iterator[Finding]:
    """Links and images of the items that the letter had to leave out (relative without
    base_url, or another scheme than http(s) and mailto)."""
    from .body import is_local, parse, safe_url

    base = composed.letter.base_url
    allow_html = config.allow_html if config is not None else False
    why = _("it is relative and lettre.toml has no base_url") if not base else _("not http(s)")
    for entry in composed.letter.entries:
        item = entry.item
        if item.url and safe_url(item.url, base) is None:
            yield Finding(
                "warning",
                _("'url' {url!r} is left out: {why}").format(url=item.url, why=why),
                item.path,
            )
        if item.image and not is_local(item.image.src) and safe_url(item.image.src, base) is None:
            yield Finding(
                "warning",
                _("'image' {src!r} is left out: {why}").format(src=item.image.src, why=why),
                item.path,
            )
        for token in parse(item.body, allow_html) if item.body else ():
            line = item.body_line + (token.map[0] if token.map else 0)
            for child in token.children or ():
                if child.type not in ("link_open", "image"):
                    continue
                attr = "href" if child.type == "link_open" else "src"
                url = str(child.attrGet(attr) or "").strip()
                if safe_url(url, base, image=attr == "src") is not None:
                    continue
                what = _("link") if attr == "href" else _("image")
                reason = why if not _has_scheme(url) else _("only http(s) and mailto links work")
                yield Finding(
                    "warning",
                    _(
                        "{what} {url!r} is left out of the letter (its text is kept): {reason}"
                    ).format(what=what, url=url, reason=reason),
                    item.path,
                    line,
                )


def _has_scheme(url: str) -> bool:
    # not body.scheme: any colon before the first slash counts ('ma page:x'), for the message
    head = url.split("/", 1)[0]
    return ":" in head


def subject(composed: Composed, config: Config | None) -> Iterator[Finding]:
    """A subject longer than mail clients show is cut where the reader looks first."""
    text = composed.letter.subject
    if len(text) > SUBJECT_LIMIT:
        yield Finding(
            "warning",
            _(
                "the subject has {text} characters: mail clients show about {subject_limit} "
                "(phones about 40); shorten 'title' in lettre.toml: '{text2}'"
            ).format(text=len(text), subject_limit=SUBJECT_LIMIT, text2=text),
            _config_path(config),
        )


def sections(composed: Composed, config: Config | None, page: _Page) -> Iterator[Finding]:
    """Section titles with nothing under them, configured sections with no item, empty items."""
    for section in page.sections:
        if not section.content:
            yield Finding(
                "error",
                _(
                    "section {label!r} is empty in the HTML (HTML part, line {line}): check the "
                    "template"
                ).format(label=section.label, line=section.line),
                None,
            )
    if config is not None and config.sections != DEFAULT_SECTIONS:  # declared in lettre.toml
        from .letter import section_label

        present = {s.kind for s in composed.letter.sections}
        for declared in config.sections:
            if declared.kind not in present:
                label = section_label(declared.kind, declared, composed.letter.locale)
                yield Finding(
                    "warning",
                    _("section {label!r} has no item this week: the letter leaves it out").format(
                        label=label
                    ),
                    _config_path(config),
                )
    for entry in composed.letter.entries:
        if not (entry.summary or entry.body_html or entry.results or entry.url or entry.image):
            yield Finding(
                "warning",
                _("{title!r} has only a title: add a summary or a body").format(title=entry.title),
                entry.item.path,
                entry.item.body_line,
            )


def structure(composed: Composed, config: Config | None, page: _Page) -> Iterator[Finding]:
    """The language and the unsubscribe link that clients and bulk-mail rules expect."""
    if not page.lang:
        yield Finding(
            "warning", _("the HTML has no lang attribute: screen readers guess the language")
        )
    letter = composed.letter
    unsubscribe = letter.unsubscribe_url or (
        f"mailto:{letter.unsubscribe_mailto}?subject=unsubscribe"
        if letter.unsubscribe_mailto
        else None
    )
    path = _config_path(config)
    if unsubscribe is None:
        yield Finding(
            "warning",
            _(
                "no unsubscribe address: Gmail and Yahoo require one of bulk senders (add "
                "[unsubscribe] url and mailto to lettre.toml)"
            ),
            path,
        )
        return
    if not letter.unsubscribe_url:
        yield Finding(
            "warning",
            _(
                "no [unsubscribe] url (https): without it there is no one-click unsubscribe (RFC "
                "8058), which Gmail and Yahoo require of bulk senders"
            ),
            path,
        )
    if not any((t.attrs.get("href") or "").strip() == unsubscribe for t in page.links):
        yield Finding("error", _("the HTML has no unsubscribe link: check the template's footer"))


def _config_path(config: Config | None) -> Path | None:
    from .config import CONFIG_NAME

    return config.folder / CONFIG_NAME if config is not None else None


def lint(composed: Composed, config: Config | None = None) -> list[Finding]:
    """Everything that would spoil the composed letter in a mail client, errors first."""
    page = _read(composed.html)
    found: Iterable[Finding] = [
        *html_size(composed),
        *style_size(page),
        *images(composed, page),
        *photos(composed, config),
        *links(composed, page),
        *dropped_links(composed, config),
        *subject(composed, config),
        *sections(composed, config, page),
        *structure(composed, config, page),
    ]
    return sorted(found, key=lambda f: (f.severity != "error", str(f.path or ""), f.line or 0))
