"""The `gofirst` command. Each module in this package that defines `register(app)` adds its commands."""
from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="gofirst",
    help="GoFirst: helps leaders change how their teams work by going first.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _register = getattr(importlib.import_module(f"{__name__}.{_module.name}"), "register", None)
    if _register is not None:
        _register(app)


def main() -> None:
    app()
