"""The Slack edge: a bolt AsyncApp (signature and timestamp checks, url_verification, ack-then-work)
with GoFirst's middleware (workspace id, retried-event ledger) and listeners, wired to the engine."""
from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack import middleware
from adapters.slack.directory import SlackDirectoryPlatform
from adapters.slack.edge import ListenerStart, SlackEdge
from adapters.slack.listeners import actions, commands, events, views
from adapters.slack.oauth import oauth_settings
from adapters.slack.client import web_client
from bot.copy import load_copy
from bot.runtime import Runtime

def build_edge(runtime: Runtime, *, socket_mode: bool = False) -> SlackEdge:
    """Single-workspace with SLACK_BOT_TOKEN, or OAuth with SLACK_CLIENT_ID/SECRET and the stores."""
    settings = runtime.settings
    if settings.slack_signing_secret is not None:
        signing_secret = settings.slack_signing_secret.get_secret_value()
    elif socket_mode:  # Socket Mode needs no signature; HTTP requests then fail verification, as they should
        signing_secret = secrets.token_hex(32)
    else:
        raise RuntimeError("SLACK_SIGNING_SECRET is not set: Slack requests cannot be verified")
    if not settings.slack_bot_token and not (settings.slack_client_id and settings.slack_client_secret):
        raise RuntimeError("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth)")
    edge = SlackEdge(runtime, load_copy("en", "slack"))
    edge.signing_secret = signing_secret
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = web_client(token, settings.slack_api_url)
    common: dict[str, Any] = {"signing_secret": signing_secret,
                              "client": client, "process_before_response": False,
                              "raise_error_for_unhandled_request": False, "logger": logging.getLogger("slack_bolt")}
    if token:
        edge.app = AsyncApp(**common)
    else:
        oauth = oauth_settings(settings, runtime.db.engine, on_saved=edge.installed)
        edge.store = oauth.installation_store
        edge.app = AsyncApp(oauth_settings=oauth, **common)
    edge.platform = SlackDirectoryPlatform(runtime.db, edge.wording, token=token, store=edge.store,
                                           base_url=settings.slack_api_url, on_workspace_lost=edge.workspace_lost)

    edge.app.listener_runner.listener_start_handler = ListenerStart(edge)
    middleware.register(edge.app, edge)
    for group in (commands, actions, views, events):
        group.register(edge.app, edge)
    return edge
