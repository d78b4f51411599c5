"""Rich renderables for the terminal: the letter preview, the item and week tables."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text

from .body import parse, safe_url, typeset_tokens
from .files import CONTROL
from .french import TypographyRules, format_date, format_period, typography
from .i18n import translations
from .weeks import week_of

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.table import Table

    from .config import Config
    from .items import Entry, Letter
    from .listing import Listed, WeekSummary

# No-break spaces are held as private-use letters while Rich wraps lines (it would break
# at them), then printed as themselves: « 14 juillet », « armes : » never split.
_HOLD = str.maketrans({"\u00a0": "\ue0a0", "\u202f": "\ue02f"})
_RELEASE = str.maketrans({"\ue0a0": "\u00a0", "\ue02f": "\u202f"})

ACCENT = "bold blue"
MUTED = "dim"
MARK = "bold white on red"  # « EXEMPLE », « BROUILLON »: a proof's marks


class Sanitized:
    """A renderable whose text is stripped of control characters (escape sequences)."""

    def __init__(self, inner: RenderableType):
        self.inner = inner

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement  # heavy (Rich)

        return Measurement.get(console, options, self.inner)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment  # heavy (Rich)

        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                text = CONTROL.sub("", segment.text).translate(_RELEASE)
                yield Segment(text, segment.style)


class _Text(Text):
    """Rich Text whose no-break spaces do not break (see _HOLD); never parsed as markup."""

    def __init__(self, text: str = "", style: str | Style = "", **kwargs: Any):
        super().__init__(text.translate(_HOLD), style, **kwargs)

    def append(self, text: str | Text, style: str | Style | None = None) -> Text:
        if isinstance(text, str):
            text = text.translate(_HOLD)
        return super().append(text, style)


def _link(url: str | None) -> Style:

    return Style(link=url) if url else Style()


# --- Markdown bodies -------------------------------------------------------------------------


class _Body:
    """Markdown → Rich renderables: typography applied, only safe links kept (OSC 8)."""

    def __init__(self, typeset: Callable[[str], str], base_url: str | None, show_urls: bool):
        self.typeset, self.base_url, self.show_urls = typeset, base_url, show_urls

    def render(self, text: str, allow_html: bool = False) -> list[RenderableType]:
        from markdown_it.tree import SyntaxTreeNode  # heavy (markdown-it)

        tokens = parse(text, allow_html)
        typeset_tokens(tokens, self.typeset)
        return self.blocks(SyntaxTreeNode(tokens).children)

    def blocks(self, nodes: Sequence[SyntaxTreeNode], tight: bool = False) -> list[RenderableType]:

        out: list[RenderableType] = []
        for node in nodes:
            if out and not tight:
                out.append(_Text(""))
            out.append(self.block(node))
        return out

    def block(self, node: SyntaxTreeNode) -> RenderableType:
        from rich.console import Group  # heavy (Rich)
        from rich.padding import Padding  # heavy (Rich)
        from rich.rule import Rule  # heavy (Rich)
        from rich.table import Table  # heavy (Rich)

        kind = node.type
        if kind == "paragraph":
            return self.inline(node.children[0]) if node.children else _Text("")
        if kind == "heading":
            text = self.inline(node.children[0]) if node.children else _Text("")
            text.stylize("bold")
            return text
        if kind in ("bullet_list", "ordered_list"):
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, justify="right")
            grid.add_column()
            number = int(node.attrs.get("start", 1) or 1)
            tight = all(
                c.hidden for item in node.children for c in item.children if c.type == "paragraph"
            )
            for item in node.children:
                marker = "•" if kind == "bullet_list" else f"{number}."
                number += 1
                grid.add_row(_Text(marker, style=ACCENT), Group(*self.blocks(item.children, tight)))
            return grid
        if kind == "blockquote":
            inner = Group(*self.blocks(node.children))
            return Padding(inner, (0, 0, 0, 2), style="italic")
        if kind in ("fence", "code_block"):
            return Padding(_Text(node.content.rstrip("\n"), style=MUTED), (0, 0, 0, 4))
        if kind == "hr":
            return Rule(style=MUTED)
        return _Text(node.content.strip())  # html_block: shown as text, never interpreted

    def inline(self, node: SyntaxTreeNode) -> Text:

        text = _Text()
        self._inline(node.children, text, [])
        return text

    def _inline(self, nodes: Sequence[SyntaxTreeNode], text: Text, styles: list[str]) -> None:
        style = Style.parse(" ".join(styles)) if styles else Style()
        for node in nodes:
            kind = node.type
            if kind == "text":
                text.append(node.content, style)
            elif kind in ("code_inline", "html_inline"):
                code = style + Style.parse("bold") if kind == "code_inline" else style
                text.append(node.content, code)
            elif kind == "softbreak":
                text.append(" ")
            elif kind == "hardbreak":
                text.append("\n")
            elif kind == "strong":
                self._inline(node.children, text, [*styles, "bold"])
            elif kind == "em":
                self._inline(node.children, text, [*styles, "italic"])
            elif kind == "link":
                href = safe_url(str(node.attrs.get("href", "")), self.base_url)
                if href is None:
                    self._inline(node.children, text, styles)
                    continue
                start = len(text)
                self._inline(node.children, text, [*styles, "underline"])
                text.stylize(_link(href), start)
                label = text.plain[start:].strip()
                shown = href.removeprefix("mailto:")
                if self.show_urls and label not in (href, shown):
                    text.append(f" <{shown}>", MUTED)
            elif kind == "image":
                alt = str(node.attrs.get("alt", "") or node.content)
                if alt:
                    text.append(f"[{alt}]", MUTED)
            else:
                self._inline(node.children, text, styles)


# --- the letter ------------------------------------------------------------------------------


def letter_view(
    letter: Letter,
    *,
    allow_html: bool = False,
    show_urls: bool = False,
    rules: TypographyRules | None = None,
) -> RenderableType:
    """The whole letter: a header, one panel per section, the footer."""
    from rich.console import Group  # heavy (Rich)
    from rich.panel import Panel  # heavy (Rich)

    _ = translations(letter.locale).gettext
    typeset = _typesetter(letter.locale, rules)
    body = _Body(typeset, letter.base_url, show_urls)
    header = _Text()
    if letter.sender_name:
        header.append(letter.sender_name + "\n", MUTED)
    header.append(letter.title + "\n", "bold")
    header.append(letter.date_text, ACCENT)
    header.append(f" · {letter.period_text}", MUTED)
    parts: list[RenderableType] = [_Text(notice, style=MARK) for notice in letter.notices]
    parts.append(Panel(header, border_style="blue", padding=(1, 2)))
    for section in letter.sections:
        entries: list[RenderableType] = []
        for index, entry in enumerate(section.entries):
            if index:
                entries.append(_separator())
            entries.extend(_entry(entry, body, allow_html, _("Read more")))
        title = _Text(section.label, style=ACCENT)
        parts.append(Panel(Group(*entries), title=title, title_align="left", padding=(1, 2)))
    parts.append(_footer(letter))
    return Sanitized(Group(*parts))


def _typesetter(locale: str, rules: TypographyRules | None) -> Callable[[str], str]:
    return lambda text: typography(text, locale, rules)


def _separator() -> RenderableType:
    from rich.rule import Rule  # heavy (Rich)

    return Rule(style=MUTED, characters="·")


def _entry(entry: Entry, body: _Body, allow_html: bool, read_more: str) -> list[RenderableType]:

    title = _Text()
    for mark in entry.marks:
        title.append(f" {mark} ", MARK)
        title.append(" ")
    start = len(title)
    title.append(entry.title, "bold")
    if entry.url:
        title.stylize(_link(entry.url), start)
    meta = " · ".join(filter(None, (entry.date_text, entry.period_text, entry.years_text)))
    out: list[RenderableType] = [title, _Text(meta, style=MUTED)]
    if entry.lead:
        out += [_Text(""), _Text(entry.lead, style="italic")]
    if entry.image:
        out += [_Text(""), _image_line(entry)]
    if entry.item.body:
        out += [_Text(""), *body.render(entry.item.body, allow_html)]
    if entry.results:
        out += [_Text(""), results_table(entry.results)]
    if entry.url:
        more = _Text(body.typeset(f"{read_more}:"), style=ACCENT)
        more.append(" ")
        more.append(entry.url, _link(entry.url))
        out += [_Text(""), more]
    return out


def _image_line(entry: Entry) -> Text:
    """`[the alt text]`, and for a local photo its final size: `1200 × 900 px, 143 kB`."""
    assert entry.image is not None
    line = _Text(f"[{entry.image.alt}]", style=MUTED)
    photo = entry.photo
    if photo is not None:
        line.stylize(_link(entry.image.src))
        line.append(f" {photo.width} × {photo.height} px, {round(photo.size / 1000)} kB", MUTED)
    return line


def results_table(groups: Sequence[tuple[str, Sequence[dict[str, str]]]]) -> Table:
    """An item's results grouped by sport: rank, then athlete — event, details dimmed below."""
    from rich.table import Table  # heavy (Rich)

    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False, expand=True)
    table.add_column(justify="right", no_wrap=True, style=ACCENT)
    table.add_column()
    for index, (sport, rows) in enumerate(groups):
        if index:
            table.add_row(_Text(""), _Text(""))
        table.add_row("", _Text(sport, style=f"bold {ACCENT}"))
        for row in rows:
            line = _Text(" ".join(filter(None, (row["grade"], row["name"]))), style="bold")
            if row["event"]:
                line.append(f" — {row['event']}")
            detail = ", ".join(filter(None, (row["competition"], row["place"], row["dates"])))
            if detail:
                line.append("\n" + detail, style=MUTED)
            table.add_row(_Text(row["rank"]), line)
    return table


def _footer(letter: Letter) -> RenderableType:

    _ = translations(letter.locale).gettext
    sender = letter.footer_name or letter.sender_name or letter.sender_address
    text = _Text(_("You receive this letter from %(sender)s.") % {"sender": sender}, style=MUTED)
    unsubscribe = letter.unsubscribe_url or (
        f"mailto:{letter.unsubscribe_mailto}?subject=unsubscribe"
        if letter.unsubscribe_mailto
        else None
    )
    if unsubscribe:
        text.append("\n")
        text.append(
            typography(_("Unsubscribe: %(url)s") % {"url": unsubscribe}, letter.locale), MUTED
        )
    return text


# --- tables of items and letters -------------------------------------------------------------


def section_label(config: Config, kind: str) -> str:
    """The label the letter gives to a kind in the configured locale, typeset."""
    from .listing import shown_label  # heavy: the index (YAML)

    return shown_label(config, kind)


def items_table(items: Sequence[Listed], config: Config) -> RenderableType:
    """Items, one row each: date in words, section, title (a link to its file) and file name;
    drafts and examples marked."""
    from rich.table import Table  # heavy (Rich)

    _ = translations(config.locale).gettext
    rules = config.typography
    table = Table(box=_box(), header_style=ACCENT, show_edge=False)
    table.add_column(_Text(_("Date")), no_wrap=True)
    table.add_column(_Text(_("Section")), style=MUTED)
    table.add_column(_Text(_("Title")), ratio=1, overflow="fold")
    previous = None
    for item in items:
        week = week_of(item.date, config.publication_day)
        if previous is not None and week != previous:
            table.add_section()
        previous = week
        title = _Text()
        for mark, shown in ((_("DRAFT"), item.draft), (_("EXAMPLE"), item.example)):
            if shown:
                title.append(f" {typography(mark, config.locale, rules)} ", MARK)
                title.append(" ")
        start = len(title)
        title.append(typography(item.title, config.locale, rules), "bold")
        title.stylize(_link(item.path.resolve().as_uri()), start)
        title.append("\n" + item.path.name, style=MUTED)
        table.add_row(
            _Text(format_date(item.date, config.locale, "full")),
            _Text(section_label(config, item.kind)),
            title,
        )
    return Sanitized(table)


def weeks_table(summaries: Sequence[WeekSummary], config: Config, today: dt.date) -> RenderableType:
    """The letters: publication date and period in words, items per section and in all."""
    from rich.table import Table  # heavy (Rich)

    from .listing import kinds_in_order  # heavy: the index (YAML)

    _ = translations(config.locale).gettext
    kinds = kinds_in_order(config, {k for s in summaries for k in s.counts})
    table = Table(box=_box(), header_style=ACCENT, show_edge=False)
    table.add_column(_Text(_("Letter of")), no_wrap=True)
    for kind in kinds:
        label = section_label(config, kind)
        width = max(map(len, label.split()))
        table.add_column(_Text(label), justify="right", min_width=width)
    total = _("Total")
    table.add_column(
        _Text(total), justify="right", style="bold", no_wrap=True, min_width=len(total)
    )
    for summary in summaries:
        week = summary.week
        date = _Text(format_date(week.end, config.locale, "long"), style="bold")
        if today in week:
            date.stylize(ACCENT)
            date.append(" ◂", ACCENT)
        date.append("\n" + format_period(week.start, week.end, config.locale), MUTED)
        counts = [str(summary.counts.get(k, "")) for k in kinds]
        table.add_row(date, *map(_Text, counts), _Text(str(summary.total)))
    return Sanitized(table)


def _box() -> Any:
    from rich import box  # heavy (Rich)

    return box.SIMPLE_HEAD


# --- output ----------------------------------------------------------------------------------


def page(text: str, stream: IO[str] | None = None) -> None:
    """Show `text` through $PAGER (default `less`, with colours), or print it when not a tty."""
    out = stream or sys.stdout
    if not (out.isatty() and sys.stdin.isatty()):
        out.write(text)
        out.flush()
        return
    command = os.environ.get("PAGER") or "less"
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # keep colours, quit when it fits on one screen
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        out.write(text)
        return
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode("utf-8"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    process.wait()


def print_whole(console: Console, renderable: RenderableType) -> None:
    """Print `renderable` (a table); into a file or a pipe, every column whole, however wide."""
    if not console.is_terminal:
        from rich.measure import Measurement

        wide = console.options.update_width(10_000)
        console.width = max(console.width, Measurement.get(console, wide, renderable).maximum)
    console.print(renderable)


def render(renderable: RenderableType, console: Console) -> str:
    """What `console` would print for `renderable`, escape codes included."""
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()
