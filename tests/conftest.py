"""Shared fixtures: the sample folder, temporary newsletter folders, the CLI."""

from __future__ import annotations

import difflib
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from lettre.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# `PYTHONPATH=src python -m pytest`: keep the path valid for subprocesses run elsewhere
# lettre's messages follow the user's language (LANG, LC_ALL…): the suite speaks English
# unless a test asks for another language (run(..., env={"LETTRE_LANG": "fr"}))
os.environ["LETTRE_LANG"] = "en"

if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p
    )

CONFIG = """\
title = "Lettre de test"
locale = "fr_FR"
timezone = "Europe/Paris"
base_url = "https://lettre.example.org/"

[sender]
name = "Cellule communication"
address = "communication@example.org"

[recipients]
to = ["abonnes@example.net"]

[unsubscribe]
url = "https://lettre.example.org/desabonnement"
"""


def item_text(
    date: str = "2025-06-10",
    kind: str = "communique",
    title: str = "Un titre",
    body: str = "Un corps de texte.",
    **extra: str,
) -> str:
    """The text of an item file with the given front matter."""
    lines = ["---", f"date: {date}", f"kind: {kind}", f"title: {title}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", body, ""])


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """lettre's user cache (`$XDG_CACHE_HOME/lettre`) in a folder of the test session's own."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "lettre"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def make_folder(tmp_path: Path) -> Callable[..., Path]:
    """A newsletter folder in tmp_path with the given items {file name: text}."""

    def make(
        items: dict[str, str] | None = None, config: str = CONFIG, name: str = "lettre"
    ) -> Path:
        folder = tmp_path / name
        (folder / "items").mkdir(parents=True)
        (folder / "lettre.toml").write_text(config, encoding="utf-8")
        for file_name, text in (items or {"2025-06-10-un-titre.md": item_text()}).items():
            (folder / "items" / file_name).write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return make


class Run:
    """The CLI run in-process, with stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | os.PathLike[str], env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
        """`env` adds to (or, with None, removes from) the environment of this run only."""
        return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)


@pytest.fixture
def run() -> Run:
    return Run()


#: the one command that writes every golden file of tests/data again (review its diff after)
REGENERATE = "LETTRE_REGENERATE=1 python -m pytest -m golden"


class Golden:
    """Outputs compared byte for byte with their golden files in tests/data.

    With LETTRE_REGENERATE=1 the golden files are written instead: after a deliberate change,
    run REGENERATE (every test that takes the `golden` fixture is marked `golden`), then
    review the diff of tests/data.
    """

    def check(self, path: Path, output: str | bytes) -> None:
        """`output` is the content of the golden file at `path`."""
        data = output.encode("utf-8") if isinstance(output, str) else output
        if os.environ.get("LETTRE_REGENERATE"):
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            return
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if not path.exists():
            pytest.fail(f"no golden file {name}: write it with `{REGENERATE}`", pytrace=False)
        expected = path.read_bytes()
        if data == expected:
            return
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            data.decode("utf-8", "replace").splitlines(),
            f"{name} (golden)",
            f"{name} (now)",
            lineterm="",
        )
        shown = list(diff)
        more = f"\n… {len(shown) - 60} more lines" if len(shown) > 60 else ""
        pytest.fail(
            f"the output differs from the golden file {name}. If the change is deliberate, "
            f"write every golden file again with\n\n    {REGENERATE}\n\nand review the diff "
            "(git diff tests/data) before committing it.\n\n" + "\n".join(shown[:60]) + more,
            pytrace=False,
        )

    def check_folder(self, folder: Path, golden: Path) -> None:
        """The files of `folder` are those of the golden folder, byte for byte."""
        made = {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}
        if os.environ.get("LETTRE_REGENERATE"):
            for stale in golden.rglob("*") if golden.is_dir() else ():
                if stale.is_file() and stale.relative_to(golden) not in made:
                    stale.unlink()
        else:
            kept = {p.relative_to(golden) for p in golden.rglob("*") if p.is_file()}
            assert sorted(map(str, made)) == sorted(map(str, kept)), (
                f"the files written are not those of {golden.relative_to(ROOT)}: if the change "
                f"is deliberate, run `{REGENERATE}`"
            )
        for name in sorted(made):
            self.check(golden / name, (folder / name).read_bytes())


@pytest.fixture
def golden() -> Golden:
    return Golden()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"golden: compares an output with its golden file (`{REGENERATE}`)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that takes the `golden` fixture is marked `golden`, so that REGENERATE
    reaches every golden file."""
    for item in items:
        if "golden" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.golden)


def skip_without(reason: str) -> None:
    """Skip a module whose real component is missing; fail instead where CI requires it.

    `.ci/run` sets LETTRE_REQUIRE_COMPONENTS=1, so that the SMTP and browser tests can
    never pass there by being skipped.
    """
    if os.environ.get("LETTRE_REQUIRE_COMPONENTS") == "1":
        pytest.fail(f"{reason}, and LETTRE_REQUIRE_COMPONENTS=1", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


# Hypothesis: a fixed seed and a bounded number of examples, so that CI runs are repeatable;
# `HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py` explores further.
settings.register_profile(
    "lettre", derandomize=True, max_examples=100, deadline=None, database=None, print_blob=True
)
settings.register_profile("thorough", max_examples=5_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lettre"))
