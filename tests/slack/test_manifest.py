"""manifest.json is a valid Slack app manifest and says exactly what the code does: every command,
event, scope and button the app handles is declared, and every declared one is handled."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from adapters.slack.listeners.actions import ENGINE_ACTIONS
from adapters.slack.listeners.commands import COMMANDS
from adapters.slack.listeners.events import EVENTS
from adapters.slack.listeners.views import FORMS
from adapters.slack.oauth import BOT_SCOPES
from tests.slack.conftest import LEADER, Live

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "schemas" / "slack-app-manifest.v1.schema.json"
# What each thing the app does needs from Slack (Slack's scope docs for each event and method).
NEEDS = {"message.channels": {"channels:history"}, "message.groups": {"groups:history"},
         "message.im": {"im:history"}, "member_joined_channel": {"channels:read", "groups:read"},
         "app_home_opened": set(), "app_uninstalled": set(), "tokens_revoked": set(),
         "/gofirst": {"commands"}, "chat.postMessage": {"chat:write"}, "chat.update": {"chat:write"},
         "share posts in the leader's name": {"chat:write.customize"},
         "users.info": {"users:read"}, "views.open": set(), "views.publish": set(),
         "conversations.open": {"im:write"}, "conversations.history": {"im:history"},
         # the directory sync (adapters/slack/directory.py)
         "users.list": {"users:read", "users:read.email"}, "usergroups.list": {"usergroups:read"},
         "usergroups.users.list": {"usergroups:read"}, "conversations.list": {"channels:read", "groups:read"},
         "conversations.members": {"channels:read", "groups:read"}}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_is_valid_against_slacks_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (the shared schemas folder is absent)")
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_manifest_declares_what_the_code_handles(manifest: dict[str, Any]) -> None:
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == set(COMMANDS)
    assert all(c.get("usage_hint") for c in manifest["features"]["slash_commands"])
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]
    assert manifest["features"]["bot_user"]["display_name"]


def test_scopes_are_the_minimum_the_app_needs(manifest: dict[str, Any]) -> None:
    declared = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = set().union(*NEEDS.values())
    assert declared == needed == set(BOT_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_urls_point_at_the_one_server(manifest: dict[str, Any]) -> None:
    urls = [manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"],
            *(c["url"] for c in manifest["features"]["slash_commands"])]
    assert {urlparse(u).path for u in urls} == {"/slack/events"}
    assert [urlparse(u).path for u in manifest["oauth_config"]["redirect_urls"]] == ["/slack/oauth_redirect"]
    assert len({urlparse(u).netloc for u in urls + manifest["oauth_config"]["redirect_urls"]}) == 1


def test_every_engine_button_is_known_to_the_adapter_and_has_a_flow() -> None:
    from bot.copy import load_copy
    from bot.core import compose
    from bot.engine.actions import FLOWS
    from bot.core.streaks import Streak
    from storage.tables import Person, Reply, Share

    copy, person = load_copy("en"), Person(workspace_id="slack:T", platform_user_id="U1", is_admin=True)
    share = Share(id=1, workspace_id="slack:T", leader_id=1)
    prompt = type("Prompt", (), {"text": "t", "action": "a", "why": "w"})()
    messages = [compose.nudge_message(copy, prompt, 1),  # type: ignore[arg-type]
                compose.preview_message(copy, share, "#c", offer_reframe=True),
                compose.digest_message(copy, share, [(Reply(id=1, workspace_id="slack:T", share_id=1,
                                                            platform_message_id="m"), "Sam")])]
    rendered = {a.action_id for m in messages for a in m.actions}
    home = compose.home_view(copy, person, Streak(0, 0, False, False), [], [])
    rendered |= {a.action_id for section in home.sections for a in section.actions}
    assert len(rendered) >= 10
    assert rendered <= set(ENGINE_ACTIONS) == set(FLOWS)


EVENT_SAMPLES = {
    "message.channels": {"type": "message", "channel": "C0X", "channel_type": "channel", "user": LEADER,
                         "text": "hi", "ts": "1.1"},
    "message.groups": {"type": "message", "channel": "G0X", "channel_type": "group", "user": LEADER,
                       "text": "hi", "ts": "1.2"},
    "message.im": {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                   "text": "help", "ts": "1.3"},
    "app_home_opened": {"type": "app_home_opened", "user": LEADER, "tab": "messages"},
    "member_joined_channel": {"type": "member_joined_channel", "user": "U0NEW", "channel": "C0X"},
    "app_uninstalled": {"type": "app_uninstalled"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"]}},
}


async def test_every_declared_event_command_and_form_is_handled(live: Live, manifest: dict[str, Any]) -> None:
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        if name == "app_uninstalled":
            continue  # handled: see test_outbound's uninstall scenario; here it would end the test's workspace
        status, _ = await live.event(EVENT_SAMPLES[name])
        assert status == 200, f"{name} is declared but not handled"
    status, _ = await live.event({"type": "reaction_added", "user": LEADER, "reaction": "tada"})
    assert status == 404, "an event GoFirst doesn't declare must not be silently handled either"
    for command in manifest["features"]["slash_commands"]:
        status, _ = await live.command(LEADER, "help")
        assert status == 200, command["command"]
    for form in FORMS:
        status, _ = await live.submit(LEADER, {"callback_id": form, "blocks": []}, {})
        assert status == 200
    await live.settle()
