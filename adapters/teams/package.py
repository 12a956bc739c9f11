"""The Teams app package: manifest.json plus two icons, zipped, ready for "Upload a custom app".

The icons are drawn at build time (pillow) so the repository holds no binaries: a 192×192 colour
icon and a 32×32 outline that is pure white on transparent, as Teams requires."""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bot.copy import load_copy
from bot.core.vocabulary import COMMANDS

MENU_SIZE = 10  # Teams takes at most 10 commands per list; `help` names every one

MANIFEST_VERSIONS = ("1.24", "1.30")
SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v{v}/MicrosoftTeams.schema.json"
ACCENT = "#1F6F5C"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
HOST = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}(:\d{1,5})?$")
RSC = "ChannelMessage.Read.Group"  # read every message in the team's channels, no @mention needed


class PackageError(ValueError):
    """A flag the package cannot be built from; the message says which and why."""


def check(bot_id: str, domain: str, version: str) -> str:
    if not GUID.match(bot_id):
        raise PackageError(f"--bot-id must be the bot's Microsoft App ID, a GUID; got {bot_id!r}")
    host = domain.strip().removeprefix("https://").rstrip("/")
    if not HOST.match(host):
        raise PackageError(f"--domain must be a host name like gofirst.example.com (no path); got {domain!r}")
    if version not in MANIFEST_VERSIONS:
        raise PackageError(f"--manifest-version must be one of {', '.join(MANIFEST_VERSIONS)}")
    return host


def manifest(bot_id: str, domain: str, app_version: str = "1.0.0", manifest_version: str = "1.24") -> dict[str, Any]:
    """The manifest; its app id is derived from the bot id, so rebuilding updates the same app."""
    host = check(bot_id, domain, manifest_version)
    copy, teams = load_copy("en"), load_copy("en", "teams")
    commands = [{"title": name, "description": copy(f"commands.{name}.about")} for name in COMMANDS[:MENU_SIZE]]
    return {
        "$schema": SCHEMA_URL.format(v=manifest_version),
        "manifestVersion": manifest_version,
        "version": app_version,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"gofirst-teams:{bot_id.lower()}")),
        "developer": {"name": teams("manifest.developer"), "websiteUrl": f"https://{host}/",
                      "privacyUrl": f"https://{host}/privacy", "termsOfUseUrl": f"https://{host}/terms"},
        "name": {"short": teams("manifest.name_short"), "full": teams("manifest.name_full")},
        "description": {"short": teams("manifest.description_short"),
                        "full": teams("manifest.description_full")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [{
            "botId": bot_id,
            "scopes": ["personal", "team"],
            "isNotificationOnly": False,
            "supportsFiles": False,
            "commandLists": [{"scopes": ["personal"], "commands": commands},
                             {"scopes": ["team"], "commands": commands}],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        "webApplicationInfo": {"id": bot_id, "resource": f"api://{host}/{bot_id}"},
        "authorization": {"permissions": {"resourceSpecific": [{"name": RSC, "type": "Application"}]}},
    }


def _arrow(draw: ImageDraw.ImageDraw, size: int, fill: tuple[int, int, int, int], width: int) -> None:
    """An upward chevron over a short bar: one person stepping ahead of the line."""
    s = size
    draw.line([(s * 0.25, s * 0.55), (s * 0.5, s * 0.28), (s * 0.75, s * 0.55)], fill=fill, width=width, joint="curve")
    draw.line([(s * 0.5, s * 0.3), (s * 0.5, s * 0.74)], fill=fill, width=width)


def color_icon() -> Image.Image:
    image = Image.new("RGBA", (192, 192), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, 191, 191], radius=36, fill=ACCENT)
    _arrow(draw, 192, (255, 255, 255, 255), 18)
    return image


def outline_icon() -> Image.Image:
    """White on transparent only: drawn on a 1-bit mask so no grey edge pixels appear."""
    mask = Image.new("1", (32, 32), 0)
    draw = ImageDraw.Draw(mask)
    draw.rounded_rectangle([1, 1, 30, 30], radius=6, outline=1, width=2)
    _arrow(draw, 32, 1, 3)  # type: ignore[arg-type]
    image = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    image.putalpha(mask.convert("L").point(lambda v: 255 if v else 0))
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build(bot_id: str, domain: str, output: Path, app_version: str = "1.0.0",
          manifest_version: str = "1.24") -> dict[str, Any]:
    """Writes the zip (files at its root, as Teams expects) and returns the manifest."""
    data = manifest(bot_id, domain, app_version, manifest_version)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("color.png", png(color_icon()))
        archive.writestr("outline.png", png(outline_icon()))
    return data
