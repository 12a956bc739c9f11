"""Every card GoFirst shows in Teams, checked by Microsoft's own Adaptive Cards library (npm
`adaptivecards`, the parser Teams' web client builds on): no unknown elements, no invalid values."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.teams import cards
from bot.copy import load_copy
from bot.core import compose
from bot.core.messages import Action
from bot.core.streaks import Streak
from storage.tables import Person, Reply, Share, Team
from tests.teams.playground import npm_package

CHECK = """
const AC = require(process.argv[2] + "/dist/adaptivecards.js");
const cards = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {};
for (const [name, json] of Object.entries(cards)) {
  const context = new AC.SerializationContext();
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) problems.push(e.message);
  out[name] = {version: card.version ? card.version.toString() : null, problems};
}
console.log(JSON.stringify(out));
"""


def every_card() -> dict[str, cards.Card]:
    copy = load_copy("en")
    prompt = type("Prompt", (), {"text": "Try sharing one thing you're unsure about.", "action": "Post it",
                                 "why": "People copy what leaders do."})()
    share = Share(id=7, workspace_id="teams:t", leader_id=1, try_text="posting my updates in the open",
                  why_text="decisions stall in email", barrier_text="time", ask_text="what's yours?")
    leader = Person(id=1, workspace_id="teams:t", platform_user_id="29:alex", display_name="Alex Rivera")
    team = Team(id=1, workspace_id="teams:t", name="Product", channel_id="19:c@thread.tacv2", channel_name="General")
    reply = Reply(id=3, workspace_id="teams:t", share_id=7, platform_message_id="9", text="IT blocks the app")
    form = compose.share_form(copy, [team], {"try": "x"}, {"why": copy("share.form.why.empty")},
                              notes=("This reads like an instruction: try “I'm trying…”",))
    form = type(form)(**{**form.__dict__, "extra_actions": (Action("share.reframe", "Rewrite it for me", "7"),)})
    streak = Streak(current=2, longest=3, this_week_counted=True, waiting_for_answer=False)
    nudge = compose.nudge_message(copy, prompt, 5)  # type: ignore[arg-type]
    preview = compose.preview_message(copy, share, "#General", notes=("A coach note",), offer_reframe=True)
    home = compose.home_view(copy, leader, streak, [share], [])
    return {
        "nudge": cards.message_card(nudge),
        "nudge_closed": cards.message_card(compose.nudge_closed_message(copy, "Try it", "nudge.skipped")),
        "preview": cards.message_card(preview),
        "preview_posted": cards.settled(cards.message_card(preview), "Posted."),
        "share_post": cards.message_card(compose.share_post_message(copy, share, leader)),
        "digest": cards.message_card(compose.digest_message(copy, share, [(reply, "Sam")])),
        "streak": cards.message_card(compose.streak_message(copy, streak)),
        "help": cards.message_card(compose.help_message(copy)),
        "share_form": cards.form_card(form),
        "answer_form": cards.form_card(compose.answer_form(copy, reply, "Sam")),
        "submitted": cards.submitted_card(form, {"try": "x", "channel": "19:c@thread.tacv2"}, "Sent."),
        "home": cards.home_card(home),
    }


def test_cards_are_adaptive_cards_1_5_with_our_data_on_every_button() -> None:
    for name, card in every_card().items():
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5", name
        for button in submits(card):
            assert button["data"]["gofirst_kind"] in ("action", "form"), name
    form = every_card()["share_form"]
    inputs = [i for i in form["body"] if i["type"].startswith("Input.")]
    assert all(i.get("label") for i in inputs)
    why = next(i for i in inputs if i["id"] == "why")
    assert why["errorMessage"] == load_copy("en")("share.form.why.empty")  # the engine's own words
    assert all(i.get("errorMessage") for i in inputs if i["isRequired"])  # Teams checks these itself
    assert form["body"][2]["type"] == "Container"  # the coach's notes, before the fields


def submits(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [found for item in node for found in submits(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "Action.Submit" else []
    return own + [found for value in node.values() for found in submits(value)]


def test_microsofts_adaptive_cards_library_reads_every_card_without_a_problem(tmp_path: Path) -> None:
    folder = npm_package("adaptivecards", "3.0.6")
    if isinstance(folder, str):
        pytest.skip(folder)
    script = tmp_path / "check.js"
    script.write_text(CHECK, encoding="utf-8")
    done = subprocess.run([shutil.which("node") or "node", str(script), str(folder)], capture_output=True,
                          text=True, timeout=60, input=json.dumps(every_card()))
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert {name: r for name, r in results.items() if r["problems"] or r["version"] != "1.5"} == {}
    # and the checker does catch a broken card
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Bogus"}, {"type": "TextBlock",
                                                                                     "text": "x", "color": "Purple"}]}
    done = subprocess.run(["node", str(script), str(folder)], capture_output=True, text=True, timeout=60,
                          input=json.dumps({"broken": broken}))
    assert len(json.loads(done.stdout)["broken"]["problems"]) == 2
