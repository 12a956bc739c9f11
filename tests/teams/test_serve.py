"""`gofirst serve` and Teams credentials: no silent unauthenticated Teams endpoint."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.teams import mount as mount_teams
from bot.cli import app as cli
from bot.cli.teams import check_serve_settings
from bot.config import Settings
from bot.app.mounts import mounts_for


def test_serve_refuses_teams_credentials_without_an_app_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MicrosoftAppId", "GOFIRST_TEAMS_DEV_MODE"):
        monkeypatch.delenv(name, raising=False)
    env = {"MicrosoftAppPassword": "a-secret", "GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    result = CliRunner().invoke(cli, ["serve", "--port", "0"], env=env)
    assert result.exit_code == 1
    assert "MicrosoftAppId is empty" in result.output and "GOFIRST_TEAMS_DEV_MODE=1" in result.output


def test_dev_mode_is_logged_loudly_and_mounts_teams(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(GOFIRST_TEAMS_DEV_MODE=True, GOFIRST_HOST="0.0.0.0")
    with caplog.at_level(logging.WARNING):
        check_serve_settings(settings)
    text = caplog.text
    assert "TEAMS DEV MODE" in text and "WITHOUT checking Bot Framework tokens" in text and "0.0.0.0" in text
    assert mount_teams in mounts_for(settings, playground=False)


def test_without_any_teams_setting_teams_is_not_served() -> None:
    settings = Settings(MicrosoftAppId="", GOFIRST_TEAMS_DEV_MODE=False)
    check_serve_settings(settings)  # nothing to refuse: Teams is simply off
    assert mount_teams not in mounts_for(settings, playground=False)
