"""A Rich progress bar on stderr for the long commands (`archive`, `send`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

#: what a long job calls as it goes: (done, total)
Advance = Callable[[int, int], None]


@contextlib.contextmanager
def progress_bar(label: str, *columns: Any) -> Iterator[Advance]:
    """A bar with its label, the count done out of the total and `columns` (Rich progress
    columns), shown on a terminal only: in logs and pipes, nothing at all (a disabled
    Progress still writes a line end when it stops, before rich 14.3: it is not started
    there); it goes away when the job ends."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        *columns,
        console=console,
        transient=True,
    )
    task = progress.add_task(label, total=None)

    def advance(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress if console.is_terminal else contextlib.nullcontext():
        yield advance
