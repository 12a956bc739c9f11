"""Helpers every command group shares: settings with flag overrides, logging, clean failures."""
from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from bot.config import Settings, load_settings
from bot.logs import configure as configure_logging
from storage.db import DatabaseUnavailable
from storage.migrate import NotMigrated

T = TypeVar("T")


def settings_from(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'setting'}: {e['msg']}" for e in exc.errors())
        fail(f"invalid settings: {problems}. Fix the environment variable named and try again.")


def setup_logging(settings: Settings) -> None:
    configure_logging(settings)  # text or JSON, request id and workspace, secrets redacted (bot/logs.py)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine and turns the expected failures into one line and a non-zero exit."""
    try:
        return asyncio.run(coro)
    except (DatabaseUnavailable, NotMigrated) as exc:
        fail(str(exc))
