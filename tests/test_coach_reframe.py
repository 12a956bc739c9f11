"""The reframe: a modelling version built from the leader's own words, or none at all."""
from __future__ import annotations

from bot.coach import check_draft, reframe, reframe_text
from bot.coach.lexicon import load

COPY = load("reframe", "en")


def test_the_issue_example_drops_the_pressure_and_says_why() -> None:
    result = check_draft("Starting Monday, all updates go in the channel. I expect everyone to comply.")
    assert result.suggestion == "Starting Monday, I'm trying to put my updates in the channel."
    pressure = next(f for f in result.findings if f.kind == "pressure")
    assert pressure.text == "expect everyone to comply" and "left out" in pressure.why


def test_the_share_form_example_becomes_a_modelling_post() -> None:
    out = reframe({"try": "Everyone must post updates in the channel from Monday", "why": "", "barrier": "", "ask": ""})
    assert out == {"try": "I'm trying to post my updates in the channel from Monday.", "why": "", "barrier": "", "ask": ""}


def test_no_placeholder_is_ever_inserted() -> None:
    for draft in ("Everyone must post updates.", "Post your wins in #kudos every Friday.", "All files go in SharePoint."):
        result = check_draft(draft)
        assert result.suggestion and "…" not in result.suggestion and "..." not in result.suggestion
        assert {"missing_barrier", "missing_question"} <= {f.kind for f in result.findings}


def test_the_leaders_own_words_survive() -> None:
    out = reframe_text("Please make sure you log your lessons learned in Confluence by Friday.")
    assert out == "I'm trying to log my lessons learned in Confluence by Friday."


def test_closing_phrases_are_dropped() -> None:
    assert reframe_text("Use Teams for all internal communication, that's final.") == (
        "I'm trying to use Teams for all internal communication.")


def test_prohibition_becomes_trying_not_to() -> None:
    assert reframe_text("You must not use private chats for project decisions.") == (
        "I'm trying not to use private chats for project decisions.")


def test_passive_rule_becomes_the_leaders_action_after_its_time_anchor() -> None:
    assert reframe_text("Effective immediately, all handovers are to be documented in Confluence.") == (
        "Effective immediately, I'm trying to document my handovers in Confluence.")


def test_hard_kinds_are_rewritten_from_their_own_words() -> None:
    assert reframe_text("It would be great if people could just put their updates in the channel.") == (
        "I'm trying to put my updates in the channel.")
    assert reframe_text("Leadership wants visibility, so please put your status in the tracker every Friday.") == (
        "Leadership wants visibility, so I'm trying to put my status in the tracker every Friday.")
    assert reframe_text("I've decided that retros will be shared with the whole department.") == (
        "I've decided to share my retros with the whole department.")
    assert reframe_text("Could everyone please just use the ticket form?") == "I'm trying to use the ticket form."


def test_no_clean_rewrite_is_said_not_faked() -> None:
    for draft in ("Updates not in by Thursday won't make the report.", "I expect everyone to comply.",
                  "People forget and I don't have time to remind them."):
        result = check_draft(draft)
        assert result.directive and result.suggestion is None
        assert "no_clean_rewrite" in {f.kind for f in result.findings}
        assert reframe_text(draft) == draft  # the text call keeps the draft rather than a bad rewrite


def test_modelling_fields_are_kept() -> None:
    fields = {
        "try": "I'm trying to share my drafts earlier.",
        "why": "So the team can shape them with me.",
        "barrier": "I worry people will think they're not finished.",
        "ask": "Would you tell me when a draft helped you, and what makes sharing hard for you?",
    }
    assert reframe(fields) == fields


def test_barrier_is_first_person_only_when_it_names_one() -> None:
    assert reframe({"barrier": "time"})["barrier"] == "My own barrier is time."
    assert reframe({"barrier": ""})["barrier"] == ""
    assert reframe({"barrier": "None, it's simple."})["barrier"] == "None, it's simple."
    blame = reframe({"barrier": "People forget and I don't have time to remind them."})["barrier"]
    assert blame == "My own barrier is time."


def test_a_directive_ask_becomes_a_request_for_help_with_the_same_action() -> None:
    assert reframe({"ask": "Make sure you do it every Friday"})["ask"] == (
        "Could you help me do it every Friday, and tell me what gets in your way?")
    assert reframe({"ask": "I'd welcome your support"})["ask"] == "I'd welcome your support"


def test_directive_why_is_turned_around() -> None:
    out = reframe({"why": "Because you need to be more visible to other teams."})["why"]
    assert out == "For my part, I want to be more visible to other teams."
    assert not check_draft(out).directive
