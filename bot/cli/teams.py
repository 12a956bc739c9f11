"""`gofirst teams package`: the app package an admin uploads to Teams."""
from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.common import fail

teams_app = typer.Typer(help="Microsoft Teams: build the app package.", no_args_is_help=True)


@teams_app.command("package")
def package(
    bot_id: str = typer.Option(..., "--bot-id", help="The bot's Microsoft App ID (MicrosoftAppId), a GUID."),
    domain: str = typer.Option(..., "--domain", help="The public host GoFirst is served on, e.g. gofirst.example.com."),
    output: Path = typer.Option(Path("gofirst-teams.zip"), "--output", help="Where to write the zip."),
    app_version: str = typer.Option("1.0.0", "--app-version", help="Raise it for each upload of a changed package."),
    manifest_version: str = typer.Option("1.24", "--manifest-version", help="Teams manifest schema: 1.24 or 1.30."),
) -> None:
    """Write manifest.json, color.png and outline.png into a zip for Teams' "Upload a custom app"."""
    from adapters.teams.package import RSC, PackageError, build

    if output.suffix.lower() != ".zip":
        fail(f"--output must name a .zip file; got {output}")
    try:
        data = build(bot_id, domain, output, app_version, manifest_version)
    except PackageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    commands = ", ".join(c["title"] for c in data["bots"][0]["commandLists"][0]["commands"])
    typer.echo(f"Wrote {output} (manifest {data['manifestVersion']}, app id {data['id']}, version {data['version']}).")
    typer.echo(f"Commands: {commands}. Asks for the resource-specific permission {RSC} "
               "(read this team's channel messages without an @mention).")
    typer.echo("Upload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app.")


def register(app: typer.Typer) -> None:
    app.add_typer(teams_app, name="teams")
