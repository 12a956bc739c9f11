"""The directive detector as a leader meets it: what gets flagged, where, and what does not."""
from __future__ import annotations

import pytest

from bot.coach import check_draft
from bot.coach.directives import directive_findings
from bot.coach.model import DIRECTIVE_KINDS


def kinds(text: str) -> set[str]:
    return {f.kind for f in check_draft(text).findings}


@pytest.mark.parametrize(
    "text, kind, span",
    [
        ("Everyone must post updates in the channel from Monday.", "directive_phrase", "Everyone must"),
        ("I expect you to answer questions in the forum.", "directive_phrase", "I expect you"),
        ("Please make sure you update the tracker.", "polite", "Please make sure"),
        ("Attendance at the demo is mandatory.", "mandate", "mandatory"),
        ("Post your wins in #kudos every Friday.", "imperative", "Post"),
        ("Team, please use the new tool for every request.", "imperative", "please use"),
        # the hard kinds of issue 12: orders dressed as something else
        ("all updates go in the channel", "passive_mandate", "all updates go in"),
        ("It would be great if people could just post in the channel.", "wish", "It would be great if people"),
        ("Leadership wants visibility, so everyone posts weekly.", "authority", "Leadership wants"),
        ("The expectation is that you reply within a day.", "expectation", "The expectation is"),
        ("Each squad is responsible for its own page.", "expectation", "Each squad is responsible for"),
        ("Updates not in by Thursday won't make the report.", "consequence", "won't make"),
        ("I've decided that retros will be shared.", "decision", "I've decided"),
        ("Could everyone please just use the form?", "polite", "Could everyone please just"),
        ("The new process requires every change to be logged.", "process", "The new process requires"),
        ("People forget and I don't have time to remind them.", "blame", "People forget"),
        ("No exceptions.", "pressure", "No exceptions"),
    ],
)
def test_flags_directive_phrasing_with_span_and_why(text: str, kind: str, span: str) -> None:
    result = check_draft(text)
    assert result.directive
    match = [f for f in result.findings if f.kind == kind]
    assert match, result.findings
    f = match[0]
    assert text[f.start : f.end] == f.text == span
    assert f.why.strip()


@pytest.mark.parametrize(
    "text",
    [
        "You don't have to post anything yet; I just want to go first.",
        "Nobody is required to use the channel, it just helps me.",
        "None of this is required.",
        "Should we try keeping decisions in the channel for a month?",
        'My old manager used to say "everyone must be online by eight" and I hated it.',
        "I'm trying to share my priorities every Monday. My barrier is time. What's yours?",
        "Tell me what gets in your way, I'm listening.",
        "Please share your thoughts in the thread, if you have any.",
        "I need to get better at sharing work in progress myself.",
        # look-alikes of the hard kinds, about the leader's own effort
        "I've decided to share my retros with the department.",
        "It would be great if I could post more often myself.",
        "Leadership wants visibility, so I'm starting with my own updates.",
        "I'm responsible for the roadmap and I've let it slip.",
        "If I don't post by Thursday, it won't make the report, so I'm blocking time for it.",
        "Could you help me stick with it by nudging me if I go quiet?",
        "My plan: write three lines on Friday, post them, and see who reacts.",
        "My updates go in the channel every Monday now.",
        "I worry people will think my drafts are not finished.",
    ],
)
def test_negations_questions_quotes_invitations_and_lookalikes_are_not_directive(text: str) -> None:
    result = check_draft(text)
    assert not result.directive, result.findings
    assert not [f for f in result.findings if f.kind in DIRECTIVE_KINDS]


def test_an_unlisted_verb_is_an_imperative_by_its_form() -> None:
    found = directive_findings("Circulate the minutes within a day.")
    assert [(f.kind, f.text) for f in found] == [("imperative", "Circulate")]
    assert not directive_findings("Love this idea, thanks for going first!")


def test_a_passive_needs_a_participle_and_a_rule_cue() -> None:
    assert directive_findings("Meeting notes are shared in the channel within a day.")
    assert not directive_findings("Meeting notes are useful.")  # no participle
    assert not directive_findings("Decisions are shared in the weekly meeting.")  # no cue that it is a rule


def test_prohibition_is_still_directive() -> None:
    assert check_draft("You must not use private chats for project decisions.").directive
    assert check_draft("Please don't send attachments by email anymore.").directive


def test_quote_inside_a_directive_draft_keeps_offsets_right() -> None:
    text = 'He said "hello" to me. Everyone must post by Friday.'
    f = next(f for f in check_draft(text).findings if f.kind == "directive_phrase")
    assert text[f.start : f.end] == "Everyone must"


def test_missing_modelling_elements_are_reported_with_zero_span_on_their_field() -> None:
    missing = {f.kind: f for f in check_draft("Updates are useful.").findings}
    assert set(missing) == {"missing_own_effort", "missing_barrier", "missing_question"}
    assert all(f.start == f.end == 0 and f.text == "" and f.why for f in missing.values())
    assert {k: f.field for k, f in missing.items()} == {
        "missing_own_effort": "try", "missing_barrier": "barrier", "missing_question": "ask"}


def test_a_full_modelling_post_has_no_findings_and_is_left_alone() -> None:
    text = (
        "I'm trying to post my weekly priorities in the channel. My barrier is time. "
        "What gets in your way?"
    )
    result = check_draft(text)
    assert result.findings == []
    assert result.suggestion == text


def test_each_missing_element_is_detected_on_its_own() -> None:
    assert kinds("I'm trying to post more. What gets in your way?") & {"missing_barrier"}
    assert "missing_question" in kinds("I'm trying to post more. My barrier is time.")
    assert "missing_own_effort" in kinds("Time is a barrier for lots of people. What about you?")


def test_empty_draft_has_nothing_to_say() -> None:
    result = check_draft("   ")
    assert result.directive is False and result.findings == []


def test_unknown_locale_falls_back_to_english() -> None:
    assert check_draft("Everyone must post by Friday.", locale="xx").directive
    assert check_draft("Everyone must post by Friday.", locale="../../etc").directive
