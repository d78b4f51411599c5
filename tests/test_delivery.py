"""`lettre send`'s options → its way (readers, test message, dry run, list), checked before
anything is composed or sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG
from lettre.compose import open_folder
from lettre.delivery import choose
from lettre.errors import ConfigError, UsageError

READERS = 'readers = "abonnes.csv"\n'
LIST = 'list = "hebdo@lists.example.org"\n'


def _config(make_folder: Callable[..., Path], recipients: str = READERS, send: str = ""):  # type: ignore[no-untyped-def]
    text = CONFIG.replace("[recipients]\n", f"[recipients]\n{recipients}") + send
    return open_folder(make_folder(config=text))


def test_the_readers_of_lettre_toml_by_default(make_folder: Callable[..., Path]) -> None:
    config = _config(make_folder)
    way = choose(config)
    assert (way.mode, way.readers, way.via, way.rate) == (
        "readers",
        config.folder / "abonnes.csv",
        ("sendmail", "-t", "-oi"),
        None,
    )
    assert choose(config, dry_run=True).mode == "dry-run"


def test_options_override_lettre_toml(make_folder: Callable[..., Path]) -> None:
    config = _config(make_folder)
    via = "msmtp -t -C 'mon fichier'"
    way = choose(config, readers=Path("autres.csv"), via=via, rate="600/min")
    assert (way.readers, way.via, way.rate) == (
        Path("autres.csv"),
        ("msmtp", "-t", "-C", "mon fichier"),
        10.0,
    )


def test_a_test_message_needs_an_address(make_folder: Callable[..., Path]) -> None:
    config = _config(make_folder)
    way = choose(config, to=" moi@example.org ")
    assert (way.mode, way.to) == ("test", " moi@example.org ")
    with pytest.raises(UsageError, match="--to: 'moi' is not an e-mail address"):
        choose(config, to="moi")


def test_no_readers_is_a_configuration_error(make_folder: Callable[..., Path]) -> None:
    config = _config(make_folder, recipients="")
    with pytest.raises(ConfigError, match=r"no readers: set \[recipients\] readers"):
        choose(config)
    assert choose(config, readers=Path("abonnes.csv")).mode == "readers"


def test_the_list_mode_takes_none_of_the_readers_options(
    make_folder: Callable[..., Path],
) -> None:
    config = _config(make_folder, recipients=READERS + LIST, send='\n[send]\nmode = "list"\n')
    assert choose(config).mode == "list"
    assert choose(config, readers=Path("abonnes.csv")).mode == "readers"  # --readers wins
    for options, option in (
        ({"to": "moi@example.org"}, "--to"),
        ({"dry_run": True}, "--dry-run"),
        ({"readers": Path("a.csv"), "to_list": True}, "--readers"),
    ):
        with pytest.raises(UsageError, match=f"{option}: not with a posting to a list manager"):
            choose(config, **options)  # type: ignore[arg-type]


def test_a_bad_command_or_rate_is_named_first(make_folder: Callable[..., Path]) -> None:
    config = _config(make_folder, recipients="")
    with pytest.raises(UsageError, match="--via: the sender command is empty"):
        choose(config, via=" ", to_list=True)
    with pytest.raises(UsageError, match="--rate: 'vite' is not a rate"):
        choose(config, readers=Path("a.csv"), rate="vite")
