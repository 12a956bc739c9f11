"""Long CLI work shows a bar to a person at a terminal, on stderr, and nothing to a pipe or with
--quiet: run for real, under a pseudo-terminal and with plain pipes."""
from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from rich.console import Console

from bot.cli.directory import Watched
from bot.cli.progress import progress_bar
from bot.directory.source import DirectoryGroupInfo, DirectoryPerson
from tests.support.postgres import on_own_loop
from tests.support.templates import MigratedTemplates, demo_database
from tests.test_cli import gofirst

GOFIRST = str(Path(sys.executable).parent / "gofirst")
CSV = "platform_id,name,timezone,team_channel,role\n" + "".join(
    f"U{n:04d},Person {n},Europe/Berlin,,member\n" for n in range(40))


def at_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Runs the command with stdout and stderr on a pseudo-terminal; returns its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([GOFIRST, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                               env={**os.environ, **env, "COLUMNS": "120", "TERM": "xterm"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("progress")


@pytest.fixture(scope="module")
def demo_env(folder: Path, migrated_templates: MigratedTemplates) -> dict[str, str]:
    """One demo database for the module, made in-process: each CLI run is a few seconds of start-up,
    kept for the runs under test."""
    env = {"GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'gofirst.db'}"}
    on_own_loop(demo_database(migrated_templates, env["GOFIRST_DATABASE_URL"]))
    (folder / "people.csv").write_text(CSV, encoding="utf-8")
    return env


@pytest.mark.slow
def test_a_csv_import_shows_a_bar_at_a_terminal_only(demo_env: dict[str, str], folder: Path) -> None:
    args = ("directory", "import", str(folder / "people.csv"), "--workspace", "local:demo")
    code, shown = at_terminal(*args, env=demo_env)
    assert code == 0 and "importing people" in shown and "40/40" in shown
    code, quiet = at_terminal(*args, "--quiet", env=demo_env)
    assert code == 0 and "importing people" not in quiet and "imported 40 people" in quiet
    piped = gofirst(*args, env=demo_env)
    assert piped.returncode == 0 and piped.stdout.strip() == "imported 40 people into local:demo"
    assert "importing people" not in piped.stderr and "\x1b" not in piped.stderr


@pytest.mark.slow
def test_a_report_export_shows_its_stages_and_keeps_the_csv_clean(demo_env: dict[str, str], tmp_path: Path) -> None:
    args = ("report", "export", "--workspace", "local:demo", "--by", "team")
    code, shown = at_terminal(*args, "--output", str(tmp_path / "out.csv"), env=demo_env)
    assert code == 0 and "writing CSV" in shown
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("period,group_kind,group,metric,value,note")
    piped = gofirst(*args, env=demo_env)
    assert piped.returncode == 0 and piped.stdout.startswith("period,") and piped.stderr == ""


class Listing:
    async def list_people(self, workspace_id: str) -> list[DirectoryPerson]:
        return [DirectoryPerson(f"U{n}", f"Person {n}") for n in range(3)]

    async def list_user_groups(self, workspace_id: str) -> list[DirectoryGroupInfo]:
        return []

    async def channel_members(self, workspace_id: str, channel: str) -> DirectoryGroupInfo:
        return DirectoryGroupInfo("channel", "C1", "leads", "leads", ("U1",))


async def test_a_directory_sync_names_each_listing_as_it_comes_back() -> None:
    screen = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_bar(console=screen) as bar:
        watched = Watched(Listing(), bar, bar.add_task("listing people", total=None))
        await watched.list_people("slack:T1")
        await watched.list_user_groups("slack:T1")
        await watched.channel_members("slack:T1", "leads")
        bar.refresh()
        assert bar.tasks[0].completed == 3
    drawn = screen.file.getvalue()
    assert "listing people" in drawn and "channel leads listed" in drawn
    hidden = Console(file=io.StringIO(), force_terminal=True)
    with progress_bar(quiet=True, console=hidden) as bar:
        bar.add_task("listing people", total=None)
    assert hidden.file.getvalue() == ""
