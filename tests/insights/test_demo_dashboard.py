"""From the playground to a dashboard with data: `gofirst demo-data --admin-email` fills the
playground's database and makes a console admin of the new workspace, whose password it prints
once, and the playground's admin pane links to the dashboard."""
from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from pathlib import Path

from adapters.admin.accounts import sign_in
from storage.db import Database
from tests.insights.test_demo_data import filled
from tests.local.conftest import Server, server  # noqa: F401  (the playground served on loopback)
from tests.test_cli import gofirst


def test_demo_data_makes_an_admin_who_can_sign_in_to_the_dashboard(tmp_path: Path) -> None:
    env = {"GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'play.db'}"}
    assert gofirst("db", "upgrade", env=env).returncode == 0
    result = gofirst("demo-data", "--workspace", "local:acme", "--leaders", "4", "--weeks", "2", "--until",
                     "2026-11-30", "--admin-email", "HR@Acme.example", env=env)
    assert result.returncode == 0, result.stderr
    found = re.search(r"as hr@acme\.example with password (\S+) and open /admin/insights", result.stdout)
    assert found, result.stdout

    async def check() -> tuple[bool, bool]:
        db = Database(env["GOFIRST_DATABASE_URL"])
        try:
            now = datetime.now(timezone.utc)
            right = await sign_in(db, "hr@acme.example", found.group(1), now)
            wrong = await sign_in(db, "hr@acme.example", "not the password at all", now)
            return right.account is not None, wrong.account is not None
        finally:
            await db.dispose()

    assert asyncio.run(check()) == (True, False)
    filled(tmp_path, "other.db", "--leaders", "2", "--weeks", "1")  # without the flag nobody is made


def test_a_bad_admin_email_is_named_and_the_data_stays(tmp_path: Path) -> None:
    env = {"GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'play.db'}"}
    assert gofirst("db", "upgrade", env=env).returncode == 0
    result = gofirst("demo-data", "--workspace", "local:acme", "--leaders", "2", "--weeks", "1", "--admin-email",
                     "nobody", env=env)
    assert result.returncode == 1 and "--admin-email:" in result.stderr and "gofirst admin create-user" in result.stderr


async def test_the_playgrounds_admin_pane_links_to_the_dashboard(server: Server) -> None:
    async with server.http.get(server.url + "/") as response:
        page = await response.text()
    assert re.search(r'<a id="admin-dashboard" href="/admin/insights">HR dashboard', page)
