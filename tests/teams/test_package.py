"""The Teams app package: a manifest valid against Microsoft's own schema, icons Teams accepts,
and commands that match what the bot implements."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.core.vocabulary import COMMANDS

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"
BOT_ID = "6d3c5e2a-1b2c-4d5e-8f90-123456789abc"


def build(tmp_path: Path, *extra: str) -> tuple[dict, zipfile.ZipFile]:
    output = tmp_path / "gofirst-teams.zip"
    result = CliRunner().invoke(cli, ["teams", "package", "--bot-id", BOT_ID, "--domain", "gofirst.example.com",
                                      "--output", str(output), *extra])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(output)
    return json.loads(archive.read("manifest.json")), archive


@pytest.mark.parametrize("version", ["1.24", "1.30"])
def test_the_manifest_is_valid_against_the_official_schema(tmp_path: Path, version: str) -> None:
    schema_file = SCHEMAS / f"teams-app-manifest.v{version}.schema.json"
    if not schema_file.exists():
        pytest.skip(f"{schema_file} is absent (it ships in the npm package @microsoft/app-manifest)")
    manifest, _ = build(tmp_path, "--manifest-version", version)
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    assert manifest["manifestVersion"] == version


def test_the_zip_holds_the_manifest_and_icons_teams_accepts(tmp_path: Path) -> None:
    manifest, archive = build(tmp_path)
    assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]  # at the root
    color = Image.open(io.BytesIO(archive.read("color.png")))
    outline = Image.open(io.BytesIO(archive.read("outline.png"))).convert("RGBA")
    assert color.size == (192, 192) and outline.size == (32, 32)
    pixels = list(outline.getdata())
    assert all(a == 0 or (r, g, b, a) == (255, 255, 255, 255) for r, g, b, a in pixels), "white on transparent"
    assert any(a == 0 for *_, a in pixels) and any(a == 255 for *_, a in pixels)
    bot = manifest["bots"][0]
    assert bot["botId"] == BOT_ID and set(bot["scopes"]) == {"personal", "team"}
    assert manifest["validDomains"] == ["gofirst.example.com"]


def test_command_lists_match_the_implemented_commands_and_rsc_is_requested(tmp_path: Path) -> None:
    manifest, _ = build(tmp_path)
    for command_list in manifest["bots"][0]["commandLists"]:
        assert [c["title"] for c in command_list["commands"]] == list(COMMANDS)[:10]  # Teams' limit
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in \
        manifest["authorization"]["permissions"]["resourceSpecific"]


def test_the_same_bot_always_gets_the_same_app_id(tmp_path: Path) -> None:
    first, _ = build(tmp_path)
    second, _ = build(tmp_path, "--app-version", "1.0.1")
    assert first["id"] == second["id"] and second["version"] == "1.0.1"


@pytest.mark.parametrize("flags,message", [
    (["--bot-id", "not-a-guid", "--domain", "gofirst.example.com"], "GUID"),
    (["--bot-id", BOT_ID, "--domain", "https://gofirst.example.com/teams"], "host name"),
    (["--bot-id", BOT_ID, "--domain", "gofirst.example.com", "--manifest-version", "1.5"], "1.24"),
])
def test_bad_flags_fail_with_a_clear_message_and_no_file(tmp_path: Path, flags: list[str], message: str) -> None:
    output = tmp_path / "out.zip"
    result = CliRunner().invoke(cli, ["teams", "package", *flags, "--output", str(output)])
    assert result.exit_code == 1 and message in result.output and not output.exists()
