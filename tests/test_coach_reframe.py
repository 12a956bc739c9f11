"""The reframe: a modelling version built from the leader's own words."""
from __future__ import annotations

from bot.coach import check_draft, reframe, reframe_text
from bot.coach.lexicon import load

COPY = load("reframe", "en")


def test_the_issue_example_becomes_a_modelling_post() -> None:
    out = reframe({"try": "Everyone must post updates in the channel from Monday", "why": "", "barrier": "", "ask": ""})
    assert out["try"].rstrip(".") == "I'm trying to post my updates in the channel from Monday"
    assert out["ask"] == "Could you help me keep at it, and tell me what makes this hard for you?"
    assert out["ask"] == COPY["ask"]
    assert set(out) == {"try", "why", "barrier", "ask"}


def test_the_leaders_own_words_survive() -> None:
    out = reframe_text("Please make sure you log your lessons learned in Confluence by Friday.")
    assert "log my lessons learned in Confluence by Friday" in out
    assert "make sure" not in out.lower()


def test_closing_phrases_are_dropped() -> None:
    out = reframe_text("Use Teams for all internal communication, that's final.")
    assert "that's final" not in out
    assert "use Teams for all internal communication" in out


def test_prohibition_becomes_trying_not_to() -> None:
    out = reframe_text("You must not use private chats for project decisions.")
    assert out.startswith("I'm trying not to use private chats for project decisions.")


def test_passive_rule_becomes_the_leaders_action() -> None:
    out = reframe_text("Effective immediately, all handovers are to be documented in Confluence.")
    assert out.startswith("I'm trying to document my handovers in Confluence.")


def test_modelling_fields_are_kept() -> None:
    fields = {
        "try": "I'm trying to share my drafts earlier.",
        "why": "So the team can shape them with me.",
        "barrier": "I worry people will think they're not finished.",
        "ask": "Would you tell me when a draft helped you, and what makes sharing hard for you?",
    }
    assert reframe(fields) == fields


def test_barrier_is_first_person() -> None:
    assert reframe({"barrier": "time"})["barrier"] == "My own barrier is time."
    assert reframe({"barrier": ""})["barrier"] == COPY["barrier_empty"]
    directive_barrier = reframe({"barrier": "You need to stop saying you have no time."})["barrier"]
    assert directive_barrier == "My own barrier is time."


def test_ask_gets_a_question_about_theirs() -> None:
    out = reframe({"ask": "I'd welcome your support"})["ask"]
    assert out.startswith("I'd welcome your support.") and out.endswith("?")
    assert reframe({"ask": "Everyone must comment on my posts."})["ask"] == COPY["ask"]


def test_directive_why_is_turned_around() -> None:
    out = reframe({"why": "Because you need to be more visible to other teams."})["why"]
    assert "be more visible to other teams" in out
    assert not check_draft(out).directive


def test_every_labelled_directive_gets_a_non_directive_rewrite() -> None:
    from bot.coach.evaluate import DEFAULT_DATA, read_jsonl

    rows = [r for r in read_jsonl(DEFAULT_DATA / "directives.jsonl") if r["directive"]]
    still = [r["text"] for r in rows if check_draft(reframe_text(r["text"])).directive]
    assert len(still) <= len(rows) // 10, still
