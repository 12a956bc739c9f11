"""The container files, checked as files (no container runtime here): what would go wrong in
production is a compose file that starts replicas before the schema exists, runs without health
checks, runs as root, or carries a secret in the repository."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)
REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[?-][^}]*)?\}")


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    return dict(item.split("=", 1) for item in env) if isinstance(env, list) else {k: str(v) for k, v in env.items()}


def inline_secrets(services: dict[str, Any]) -> list[str]:
    """Secret-looking variables whose value is written out rather than taken from the environment,
    and database URLs with a literal password."""
    found = []
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and not REFERENCE.fullmatch(value):
                found.append(f"{name}.{key}")
            password = re.match(r"\w[\w+]*://[^:/@]+:([^@]+)@", value)
            if password and not REFERENCE.fullmatch(password.group(1)):
                found.append(f"{name}.{key}")
    return found


def test_compose_runs_three_healthy_replicas_after_the_migration() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "gofirst"}
    app, migrate, db = services["gofirst"], services["migrate"], services["postgres"]
    assert app["deploy"]["replicas"] == 3
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["postgres"]["condition"] == migrate["depends_on"]["postgres"]["condition"] \
        == "service_healthy"
    assert migrate["command"] == ["gofirst", "db", "upgrade"] and migrate["restart"] == "no"
    assert app["command"] == ["gofirst", "serve"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") for v in db["volumes"]) and "pgdata" in compose()["volumes"]
    assert ".env" in app["env_file"] and ".env" in migrate["env_file"]
    assert environment(app)["GOFIRST_DATABASE_URL"].startswith("postgresql+asyncpg://") and "@postgres:" in \
        environment(app)["GOFIRST_DATABASE_URL"]


def test_no_secret_value_is_written_in_the_compose_file() -> None:
    assert inline_secrets(compose()["services"]) == []
    # the check itself catches both ways a secret gets pasted in
    pasted = {"x": {"environment": {"SLACK_BOT_TOKEN": "xoxb-1", "GOFIRST_DATABASE_URL": "postgresql://u:pw@db/x"}}}
    assert inline_secrets(pasted) == ["x.SLACK_BOT_TOKEN", "x.GOFIRST_DATABASE_URL"]


def test_the_env_example_holds_names_only_and_the_real_env_stays_out_of_the_image() -> None:
    lines = [line for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert {line.split("=", 1)[0] for line in lines} >= {"POSTGRES_PASSWORD", "GOFIRST_SECRET_KEY"}
    assert all(line.endswith("=") for line in lines)
    assert "deploy/.env" in (DEPLOY.parent / ".dockerignore").read_text(encoding="utf-8").splitlines()


def instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_image_is_slim_runs_as_a_user_and_checks_its_health() -> None:
    steps = instructions()
    assert all(re.fullmatch(r"python:3\.\d+-slim( AS \w+)?", arg) for op, arg in steps if op == "FROM")
    users = [arg.split(":")[0] for op, arg in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    health = [arg for op, arg in steps if op == "HEALTHCHECK"]
    assert len(health) == 1 and "/healthz" in health[0]
    assert steps[-1] == ("CMD", '["gofirst", "serve"]')
