"""The archive's letters composed in a pool of processes, one per core (up to 4).

Each worker reads a week's items and composes its page (`Done`); the first page is composed
before forking, so that the workers inherit what it loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .archivepages import LetterSummary, render_page
from .config import Config
from .errors import LettreError
from .items import Week
from .workers import can_fork, shared_with_workers

if TYPE_CHECKING:
    from .examples import Example
    from .items import Anniversary, PreparedImage


Progress = Callable[[int, int], None]


# --- composing -------------------------------------------------------------------------------

# What forked workers inherit: the configuration and the anniversaries (set before forking).
_JOB: dict[str, Any] = {}

Task = tuple[str, "str | None", Week, tuple[str, ...]]  # page name, inputs digest, week, files


@dataclass(frozen=True)
class Done:
    """A letter composed (`summary` and `page`), or the problems that stopped it."""

    name: str
    summary: LetterSummary | None = None
    page: bytes = b""
    errors: list[LettreError] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    photos: list[PreparedImage] = field(default_factory=list)
    sources: list[list[Any]] = field(default_factory=list)  # see imagefiles.source_status


def _compose(task: Task) -> Done:
    """Read a week's items and compose its page; the problems found instead, if any."""
    from .errors import ItemErrors
    from .imagefiles import local_items, source_status
    from .itemfiles import read_items

    config: Config = _JOB["config"]
    name, _key, week, names = task
    items, errors = read_items(
        config.items_dir, config.kinds, [config.items_dir / n for n in names]
    )
    if errors:
        return Done(name, errors=errors)
    # the photos' files as they are before being read: a later change is seen next run
    sources = [
        source_status(config.folder, item.image.src)
        for item in local_items(items)
        if item.image is not None
    ]
    try:
        summary, page, examples, photos = render_page(config, week, items, _JOB["anniversaries"])
    except ItemErrors as err:
        return Done(name, errors=list(err.errors))
    except LettreError as err:
        return Done(name, errors=[err])
    return Done(name, summary, page, [], examples, photos, sources)


def compose_all(
    config: Config,
    tasks: Sequence[Task],
    anniversaries: Sequence[Anniversary],
    progress: Progress | None,
    workers: int,
) -> Iterator[Done]:
    """Compose the pages of `tasks`, one at a time, in as many processes as `workers`.

    The first page is composed here, so that the forked workers inherit everything it
    loaded (templates, the parsed stylesheet, Babel's data) instead of each loading it.
    """
    import multiprocessing  # only where work is shared

    _JOB.update(config=config, anniversaries=anniversaries)
    total = len(tasks)
    if progress:
        progress(0, total)
    done = 0
    rest: Sequence[Task] = tasks
    parallel = workers > 1 and total > workers and can_fork()
    if parallel:
        yield _compose(tasks[0])
        done, rest = 1, tasks[1:]
        if progress:
            progress(done, total)
        with shared_with_workers(), multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap_unordered(_compose, rest):
                done += 1
                if progress:
                    progress(done, total)
                yield result
        return
    for task in rest:
        result = _compose(task)
        done += 1
        if progress:
            progress(done, total)
        yield result
