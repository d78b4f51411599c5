"""lettre: compose weekly newsletters from dated text items, French first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = (
    "Composed",
    "Item",
    "Letter",
    "LettreError",
    "Week",
    "__version__",
    "compose",
    "open_folder",
)

if TYPE_CHECKING:
    from .compose import Composed, compose, open_folder
    from .errors import LettreError
    from .items import Item, Letter, Week

_LAZY = {
    "Composed": "compose",
    "compose": "compose",
    "open_folder": "compose",
    "LettreError": "errors",
    "Item": "items",
    "Letter": "items",
    "Week": "items",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so that `lettre --help` stays quick."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'lettre' has no attribute {name!r}")
