"""premailer, the CSS inliner, with what it does the same way for every letter done once.

premailer parses the stylesheet, the declarations of each rule and the style= attributes
with cssutils, and turns every selector into an XPath expression that libxml2 evaluates
against the whole page; for a letter, that is the same work each time. Here the parsed
stylesheet is kept from one letter to the next (and between runs, in the user's cache),
and the stylesheet's plain selectors (`td`, `.entry`, `.body p`) are matched against one
index of the page's elements instead of one XPath walk each. The output is byte for byte
premailer's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree


def user_cache_dir() -> Path | None:
    """Where lettre keeps what it derives from its own templates, whatever the folder:
    `$XDG_CACHE_HOME/lettre` (`~/.cache/lettre`); None when LETTRE_NO_CACHE is set."""
    import os

    from .index import cache_enabled

    if not cache_enabled():
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lettre"


def _no_fetch(url: str) -> None:
    """cssutils' fetcher for `@import`: never fetch anything (lettre has no network)."""
    return None


class _Serialized:
    """The CSS text premailer keeps in <style> (its @media rules), serialised once."""

    def __init__(self, text: str) -> None:
        self.text = text


# premailer's result for a stylesheet, by its text and options: (rules to inline, the CSS
# left in <style>); the same for every letter of a process, and the slowest part of it
_STYLE_RULES: dict[tuple[Any, ...], tuple[list[Any], str | None]] = {}


# --- the stylesheet's selectors, matched against an index of the page ----------------------

# XML's white space, which XPath's normalize-space() splits a class attribute at
_XML_SPACE = re.compile(r"[ \t\r\n]+")
# a compound selector this module matches itself: a tag name and/or class names
_COMPOUND = re.compile(r"([a-z][a-z0-9]*)?((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)")
# premailer looks for these itself, before it has finished changing the page (it adds a
# <head>, removes <style>): they stay XPath, evaluated on the page as it is then
_PREMAILERS_OWN = frozenset({"head", "body", "style"})

Compound = tuple["str | None", frozenset[str]]  # a tag name (or None), class names


def plain_selector(selector: str) -> tuple[Compound, ...] | None:
    """`.body p` as its compound selectors, left to right; None for anything else than
    tag and class names joined by single spaces (ids, attributes, `>`, pseudo-classes…)."""
    compounds: list[Compound] = []
    for part in selector.split(" "):
        match = _COMPOUND.fullmatch(part)
        if not part or match is None:
            return None
        compounds.append((match[1], frozenset(match[2].split(".")[1:])))
    return tuple(compounds)


class _PageIndex:
    """The elements of a page by tag and by class, in document order."""

    def __init__(self, page: etree._Element) -> None:
        from lxml import etree

        self.page = page
        self.by_tag: dict[str, list[etree._Element]] = {}
        self.by_class: dict[str, list[etree._Element]] = {}
        self.class_of: dict[etree._Element, frozenset[str]] = {}
        split: dict[str | None, frozenset[str]] = {None: frozenset()}
        for element in page.iter(etree.Element):
            self.by_tag.setdefault(element.tag, []).append(element)
            attribute = element.get("class")
            names = split.get(attribute)
            if names is None:  # as XPath's normalize-space() splits it
                names = split[attribute] = frozenset(_XML_SPACE.split(str(attribute))) - {""}
            self.class_of[element] = names
            for name in names:
                self.by_class.setdefault(name, []).append(element)

    def matches(self, element: etree._Element, compound: Compound) -> bool:
        tag, classes = compound
        if tag is not None and element.tag != tag:
            return False
        # lxml gives one Python object per element while it is referenced (here, by
        # this index): an element of the page is found by itself
        return not classes or classes <= self.class_of[element]

    def select(self, compounds: Sequence[Compound]) -> list[etree._Element]:
        """The elements a descendant selector matches, in document order, as cssselect's
        XPath finds them (`descendant-or-self::` the page, then `/descendant::`)."""
        from lxml import etree

        (tag, classes), *rest = compounds
        if classes:
            found = self.by_class.get(min(classes), [])
            if tag is not None or len(classes) > 1:
                found = [e for e in found if self.matches(e, (tag, classes))]
        else:
            found = self.by_tag.get(str(tag), [])
        for compound in rest:
            within, found = found, []
            seen: set[etree._Element] = set()
            for ancestor in within:  # nested ones give the same elements again: once each
                for element in ancestor.iterdescendants(compound[0] or etree.Element):
                    if element not in seen and self.matches(element, compound):
                        seen.add(element)
                        found.append(element)
        return list(found)


# the index of the page premailer is inlining: built at its first stylesheet selector,
# after premailer has changed the page's elements, and dropped when the page is done
_INDEX: list[_PageIndex] = []


class _Selection:
    """What premailer calls for a plain selector of the stylesheet instead of lxml's
    CSSSelector: the same elements, from the page's index."""

    def __init__(self, compounds: tuple[Compound, ...]) -> None:
        self.compounds = compounds

    def __call__(self, page: etree._Element) -> list[etree._Element]:
        index = _INDEX[0] if _INDEX else None
        if index is None or index.page is not page:  # (another thread's page: its own index)
            index = _PageIndex(page)
            _INDEX[:] = [index]
        return index.select(self.compounds)


def _offer_selections(rules: Sequence[Any]) -> None:
    """Put a `_Selection` of each plain selector of `rules` where premailer looks for the
    selector it compiles (its cache): it then never evaluates their XPath."""
    from cachetools.keys import hashkey
    from premailer.cache import cache, cache_access_lock

    with cache_access_lock:
        for _specificity, selector, _bulk in rules:
            # premailer drops a pseudo-class (`a:hover` → `a`) before selecting
            name = selector.split(":", 1)[0]
            compounds = plain_selector(name) if name not in _PREMAILERS_OWN else None
            key = hashkey(name)
            if compounds is not None and not isinstance(cache.get(key), _Selection):
                cache[key] = _Selection(compounds)


# --- what premailer makes of each element's styles, kept --------------------------------------

_KEPT_MAX = 10_000  # entries of each memory below: a few dozen for lettre's own templates
# premailer's attributes for a style= value and its disable_basic_attributes
_BASIC_ATTRIBUTES: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str], ...]] = {}


class _Probe:
    """An element with no attribute, for premailer to say which ones it would set."""

    def __init__(self) -> None:
        self.attrib: dict[str, str] = {}


def _kept_merge(merge: Callable[..., str]) -> Callable[..., str]:
    """premailer's merge_styles, keeping its result for the same arguments.

    Each element's style= is merged from its own and the rules' declarations (lists of
    pairs, which premailer keeps parsed): elements styled alike are merged alike.
    """
    if getattr(merge, "kept", False):
        return merge
    kept: dict[tuple[Any, ...], str] = {}

    def merge_styles(
        inline_style: str,
        new_styles: Sequence[Sequence[tuple[str, str]]],
        classes: Sequence[str],
        remove_unset_properties: bool = False,
    ) -> str:
        key = (inline_style, remove_unset_properties, tuple(classes), *map(tuple, new_styles))
        merged = kept.get(key)
        if merged is None:
            merged = merge(inline_style, new_styles, classes, remove_unset_properties)
            if len(kept) > _KEPT_MAX:
                kept.clear()
            kept[key] = merged
        return merged

    merge_styles.kept = True  # type: ignore[attr-defined]
    return merge_styles


@lru_cache(maxsize=1)
def _inliner() -> type[Any]:
    """premailer's Premailer, keeping the parsed stylesheet from one letter to the next.

    premailer parses the same <style> with cssutils for every letter and serialises its
    @media rules again (40 % of its time in an archive run); both depend on the CSS text
    and the options alone, so they are kept, and the output is byte for byte premailer's.
    Its plain selectors are matched against an index of the page (see `_Selection`), and
    what it makes of the same styles for each element is kept (see `_kept_merge`).
    """
    import premailer.premailer
    from premailer import Premailer

    # premailer's transform calls its module's merge_styles for every styled element
    premailer.premailer.merge_styles = _kept_merge(premailer.premailer.merge_styles)

    class Inliner(Premailer):  # type: ignore[misc]
        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> Any:
            key = (
                css_body,
                ruleset_index,
                self.strip_important,
                self.exclude_pseudoclasses,
                self.include_star_selectors,
                self.disable_validation,
            )
            kept = _STYLE_RULES.get(key)
            if kept is None:
                rules, leftover = super()._parse_style_rules(css_body, ruleset_index)
                text = super()._css_rules_to_string(leftover) if leftover else None
                kept = _STYLE_RULES[key] = (rules, text)
            rules, text = kept
            _offer_selections(rules)
            return list(rules), ([_Serialized(text)] if text is not None else [])

        def transform(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().transform(*args, **kwargs)
            finally:
                _INDEX.clear()  # the page is done: it is not kept alive

        def _style_to_basic_html_attributes(
            self, element: Any, style_content: str, force: bool = False
        ) -> None:
            # the attributes a style gives (align=, bgcolor=…), worked out once per style
            key = (style_content, tuple(self.disable_basic_attributes))
            attributes = _BASIC_ATTRIBUTES.get(key)
            if attributes is None:
                probe = _Probe()
                super()._style_to_basic_html_attributes(probe, style_content, force=True)
                attributes = _BASIC_ATTRIBUTES[key] = tuple(probe.attrib.items())
                if len(_BASIC_ATTRIBUTES) > _KEPT_MAX:
                    _BASIC_ATTRIBUTES.clear()
            for name, value in attributes:
                if force or name not in element.attrib:
                    element.attrib[name] = value

        def _css_rules_to_string(self, rules: Any) -> Any:
            if len(rules) == 1 and isinstance(rules[0], _Serialized):
                return rules[0].text
            return super()._css_rules_to_string(rules)

    return Inliner


class _InlineMemory:
    """What premailer derives from the CSS alone, kept between runs in the user's cache.

    A fresh process spends most of its first inlining parsing the stylesheet and the
    templates' style= attributes with cssutils and compiling selectors with cssselect:
    the same every time. Their results — the stylesheet's rules, the declarations' pairs,
    the selectors' XPath — are plain text, kept in `inline.json` with the versions of the
    libraries that made them, and given back to premailer (its own cache for the pairs and
    selectors) so that its output stays byte for byte its own.
    """

    FORMAT = 1

    def __init__(self) -> None:
        self.loaded = False
        self.known = (0, 0, 0)  # how many styles, pairs and selectors were loaded or saved
        self.xpaths: dict[str, str] = {}  # the selectors loaded: CSS → XPath

    def path(self) -> Path | None:
        cache = user_cache_dir()
        return cache / "inline.json" if cache else None

    @staticmethod
    def versions() -> list[str]:
        from importlib import metadata

        from . import __version__

        found = [__version__]
        for library in ("premailer", "cssutils", "cssselect", "lxml"):
            try:
                found.append(metadata.version(library))
            except metadata.PackageNotFoundError:
                found.append("")
        return found

    def load(self) -> None:
        """Give premailer what earlier runs derived from the same CSS (once per process)."""
        import json

        from cachetools.keys import hashkey
        from lxml import etree
        from premailer.cache import cache

        self.loaded = True
        path = self.path()
        if path is None:
            return
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") != self.FORMAT or data.get("versions") != self.versions():
                return
            for css, index, options, rules, text in data["styles"]:
                key = (css, index, *options)
                kept = [((*specificity,), selector, bulk) for specificity, selector, bulk in rules]
                _STYLE_RULES.setdefault(key, (kept, text))
            for args, kwargs, pairs in data["pairs"]:
                cache[hashkey(*args, **kwargs)] = [(name, value) for name, value in pairs]
            xpaths = {}
            for css, xpath in data["selectors"]:
                cache[hashkey(css)] = etree.XPath(xpath)
                xpaths[css] = xpath
        except (OSError, ValueError, TypeError, KeyError, etree.XPathError):
            return  # a torn or doctored file: premailer works it out again
        self.xpaths = xpaths
        self.known = (len(data["styles"]), len(data["pairs"]), len(xpaths))

    def save(self) -> None:
        """Keep what this process derived, when it derived something new."""
        from cachetools.keys import hashkey
        from lxml.cssselect import CSSSelector
        from premailer.cache import cache

        from .index import save_cache_file

        path = self.path()
        if path is None:
            return
        mark = hashkey(_=0)[0]  # what separates the arguments from the keywords in a key
        pairs, selectors = [], []
        for key, value in list(cache.items()):
            if mark in key:  # (args…, mark, (name, value)…)
                cut = key.index(mark)
                args, kwargs = list(key[:cut]), dict(key[cut + 1 :])
            else:
                args, kwargs = list(key), {}
            if isinstance(value, CSSSelector) and args == [value.css] and not kwargs:
                selectors.append([value.css, value.path])
            elif len(args) == 1 and not kwargs and args[0] in self.xpaths:  # loaded: kept
                selectors.append([args[0], self.xpaths[args[0]]])
            elif isinstance(value, list) and all(isinstance(a, str) for a in args):
                pairs.append([args, kwargs, [list(pair) for pair in value]])
        styles = [
            [key[0], key[1], list(key[2:]), [[list(r[0]), r[1], r[2]] for r in rules], text]
            for key, (rules, text) in _STYLE_RULES.items()
        ]
        found = (len(styles), len(pairs), len(selectors))
        if found == self.known:  # nothing new since the file was read or written
            return
        self.known = found
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": self.FORMAT,
            "versions": self.versions(),
            "styles": styles,
            "pairs": pairs,
            "selectors": selectors,
        }
        save_cache_file(path, data)


_MEMORY = _InlineMemory()

#: how lettre calls premailer
PREMAILER_OPTIONS: dict[str, Any] = {
    "allow_network": False,
    "strip_important": False,
    "keep_style_tags": False,
    "disable_validation": True,
    "cssutils_logging_level": logging.CRITICAL,
    "remove_classes": False,
    # the template's width= and height= attributes are the ones Outlook reads: premailer
    # must not replace them with CSS values such as "100%" or "auto"
    "disable_basic_attributes": ["width", "height"],
}
_FLOAT = re.compile(r"float\s*:", re.IGNORECASE)


def inline_css(html: str) -> str:
    """Move CSS into style= attributes (no network, ever); @media rules stay in <style>."""
    import os

    # premailer keeps the selectors it compiles and the declarations it parses in one
    # cache of 128 entries by default: a letter has more, and they would be evicted
    os.environ.setdefault("PREMAILER_CACHE_MAXSIZE", "4096")
    import cssutils
    import cssutils.util

    cssutils.log.setLevel(logging.CRITICAL)
    # premailer does not fetch <link> stylesheets without allow_network, but cssutils
    # fetches the `@import` of a <style> by itself: its default fetcher is replaced
    cssutils.util._defaultFetcher = _no_fetch
    if not _MEMORY.loaded:
        _MEMORY.load()
    # premailer parses every <img style> again (with cssutils, uncached) to add align= to
    # floating images: with no "float:" anywhere there is none to find (a case-blind
    # search of a whole page is slow: a quick look first)
    floats = "float" in html.lower() and _FLOAT.search(html) is not None
    options = {**PREMAILER_OPTIONS, "align_floating_images": floats}
    inlined = str(_inliner()(html, **options).transform(pretty_print=False))
    _MEMORY.save()
    return inlined
