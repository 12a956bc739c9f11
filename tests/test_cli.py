"""The `gofirst` command as a newcomer meets it: real subprocesses, real databases."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import free_port

GOFIRST = str(Path(sys.executable).parent / "gofirst")


def gofirst(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([GOFIRST, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def test_help_lists_every_command() -> None:
    result = gofirst("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "db", "seed-demo", "report", "demo-data"):
        assert command in result.stdout
    assert "upgrade" in gofirst("db", "--help").stdout


def test_db_upgrade_is_idempotent_and_seed_demo_too(database_url: str) -> None:
    env = {"GOFIRST_DATABASE_URL": database_url}
    first = gofirst("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    second = gofirst("db", "upgrade", env=env)
    assert second.returncode == 0 and second.stdout == first.stdout
    for _ in range(2):
        seeded = gofirst("seed-demo", env=env)
        assert seeded.returncode == 0, seeded.stderr
        assert "demo workspace local:demo ready (leader #1, campaign #1)" in seeded.stdout


def test_serve_refuses_an_unmigrated_database_with_the_fix(tmp_path: Path) -> None:
    env = {"GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "GOFIRST_PORT": str(free_port())}
    result = gofirst("serve", env=env)
    assert result.returncode == 1
    assert "not migrated" in result.stderr and "gofirst db upgrade" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_gets_one_line_with_the_password_hidden() -> None:
    url = f"postgresql+asyncpg://gofirst:hunter2@127.0.0.1:{free_port()}/gofirst"
    result = gofirst("serve", env={"GOFIRST_DATABASE_URL": url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database" in lines[0]
    assert "hunter2" not in result.stderr and "gofirst:***@127.0.0.1" in lines[0]


def test_invalid_settings_name_the_variable() -> None:
    result = gofirst("serve", env={"GOFIRST_PORT": "not-a-port"})
    assert result.returncode == 1 and "GOFIRST_PORT" in result.stderr


@pytest.mark.parametrize("args", [("db", "upgrade", "--help"), ("serve", "--help"), ("demo", "--help")])
def test_every_command_has_help(args: tuple[str, ...]) -> None:
    result = gofirst(*args)
    assert result.returncode == 0 and "Usage" in result.stdout and len(result.stdout.splitlines()) > 4


def test_person_export_then_erase(sqlite_url: str) -> None:
    env = {"GOFIRST_DATABASE_URL": sqlite_url}
    assert gofirst("db", "upgrade", env=env).returncode == 0
    assert gofirst("seed-demo", env=env).returncode == 0
    exported = gofirst("person", "export", "--workspace", "local:demo", "--user", "sam", env=env)
    assert exported.returncode == 0 and '"display_name": "Sam Okafor"' in exported.stdout
    assert '"teams_conversations": []' in exported.stdout and '"playground_messages": []' in exported.stdout
    erased = gofirst("person", "erase", "--workspace", "local:demo", "--user", "sam", "--yes", env=env)
    assert erased.returncode == 0 and "person 1" in erased.stdout
    assert "teams_conversations 0, playground_messages 0" in erased.stdout  # every adapter's hook ran
    gone = gofirst("person", "export", "--workspace", "local:demo", "--user", "sam", env=env)
    assert gone.returncode == 1 and "no person 'sam'" in gone.stderr


def test_report_barriers_withholds_small_groups(sqlite_url: str) -> None:
    env = {"GOFIRST_DATABASE_URL": sqlite_url}
    assert gofirst("db", "upgrade", env=env).returncode == 0
    assert gofirst("seed-demo", env=env).returncode == 0
    result = gofirst("report", "barriers", "--workspace", "local:demo", env=env)
    assert result.returncode == 0 and "Too few people" in result.stdout


def test_serve_with_no_edge_says_how_to_configure_one(sqlite_url: str) -> None:
    env = {**os.environ, "GOFIRST_DATABASE_URL": sqlite_url, "GOFIRST_PORT": str(free_port()), "GOFIRST_SCHEDULER": "0"}
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "MicrosoftAppId", "GOFIRST_TEAMS_DEV_MODE"):
        env.pop(name, None)
    assert gofirst("db", "upgrade", env=env).returncode == 0
    process = subprocess.Popen([GOFIRST, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        while len(lines) < 50 and "GoFirst serving" not in (lines[-1] if lines else ""):
            lines.append(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=20)
    warning = next(line for line in lines if "no edge is configured" in line)
    assert "--playground" in warning and "(edges: none)" in lines[-1]


def test_demo_migrates_seeds_and_serves_the_playground(tmp_path: Path) -> None:
    import time
    import urllib.request

    port = free_port()
    env = {**os.environ, "GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
           "GOFIRST_PORT": str(port)}
    process = subprocess.Popen([GOFIRST, "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for _ in range(50):  # log lines may come before the banner
            lines.append(process.stdout.readline())
            if "playground: open" in lines[-1]:
                break
        assert f"http://127.0.0.1:{port}/" in lines[-1], lines
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the demo server never answered /healthz"
                time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
        assert "GoFirst playground" in page and "product-team" in page
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0


def test_admin_privacy_from_the_shell_is_found_and_audited(sqlite_url: str) -> None:
    env = {"GOFIRST_DATABASE_URL": sqlite_url}
    assert gofirst("db", "upgrade", env=env).returncode == 0 and gofirst("seed-demo", env=env).returncode == 0
    found = gofirst("directory", "find", "okaf", "--workspace", "local:demo", env=env)
    assert found.returncode == 0 and found.stdout.split()[:3] == ["sam", "Sam", "Okafor"]
    assert gofirst("person", "export", "--workspace", "local:demo", "--user", "sam", env=env).returncode == 0
    assert gofirst("person", "erase", "--workspace", "local:demo", "--user", "sam", "--yes", env=env).returncode == 0
    audit = gofirst("admin", "audit", "--workspace", "local:demo", "--action", "person.", env=env).stdout.splitlines()
    erased, exported = (json.loads(line) for line in audit)
    assert (erased["action"], erased["target"], erased["detail"]["after"]["person"]) == ("person.erased", "erased", 1)
    assert exported["action"] == "person.exported" and exported["target"] == "erased"  # anonymised by the erase
    assert all(e["actor"].startswith("cli:") for e in (erased, exported))
    gone = gofirst("directory", "find", "okaf", "--workspace", "local:demo", env=env)
    assert gone.returncode == 1 and "nobody in local:demo matches 'okaf'" in gone.stderr


def test_admin_create_user_reads_the_password_from_stdin(sqlite_url: str) -> None:
    env = {**os.environ, "GOFIRST_DATABASE_URL": sqlite_url}
    assert gofirst("db", "upgrade", env=env).returncode == 0 and gofirst("seed-demo", env=env).returncode == 0
    args = [GOFIRST, "admin", "create-user", "--workspace", "local:demo", "--email", "Dana@Example.com", "--role", "admin",
            "--password-stdin"]
    made = subprocess.run(args, input="a long enough password\n", capture_output=True, text=True, env=env, timeout=60)
    assert made.returncode == 0 and "admin dana@example.com can now sign in to local:demo" in made.stdout
    again = subprocess.run(args, input="a long enough password\n", capture_output=True, text=True, env=env, timeout=60)
    assert again.returncode == 1 and "already has an account" in again.stderr
    short = subprocess.run([a if a != "Dana@Example.com" else "x@example.com" for a in args], input="short\n",
                           capture_output=True, text=True, env=env, timeout=60)
    assert short.returncode == 1 and "shorter than 12 characters" in short.stderr
    entry = json.loads(gofirst("admin", "audit", "--workspace", "local:demo", env=env).stdout.splitlines()[0])
    assert entry["action"] == "admin.account_created" and entry["detail"]["after"]["role"] == "admin"
