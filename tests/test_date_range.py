"""`--since` after `--until` is a usage error naming the reversed range."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", ["list", "weeks"])
def test_a_reversed_range_is_a_usage_error(run, make_folder, command: str) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    result = run(command, "-C", folder, "--since", "2026-11-26", "--until", "2026-11-20")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --since 2026-11-26 is after --until 2026-11-20: swap them (the range is reversed)\n"
    )


def test_a_one_day_range_is_fine(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    result = run("list", "-C", folder, "--since", "2025-06-10", "--until", "2025-06-10")
    assert result.exit_code == 0, result.stderr
