"""Coaching the leader's answer to a teammate: orders are flagged as in a draft, and the advice
is tied to the barrier the teammate named, from data in prompts/coach/."""
from __future__ import annotations

import pytest

from bot.coach import check_answer
from bot.coach.answers import UNADDRESSED
from bot.coach.lexicon import load

ADVICE = {k: v["advice"] for k, v in load("answers", "en")["advice"].items()}


def test_an_order_in_the_answer_is_flagged_with_the_advice_for_their_barrier() -> None:
    result = check_answer("You must make time for it, no exceptions.", ["time"])
    assert result.directive
    kinds = [f.kind for f in result.findings]
    assert kinds[:2] == ["directive_phrase", "pressure"] and UNADDRESSED in kinds
    assert result.findings[0].text == "You must"
    assert result.advice == [ADVICE["time"]]
    assert all(f.field is None for f in result.findings)


@pytest.mark.parametrize("theme, answer", [
    ("fear", "Half-finished is welcome here; here's my own rough draft from Monday."),
    ("it_access", "I'll raise the VPN block with IT today and report back on Friday."),
    ("time", "I'm dropping the Wednesday status meeting so we all get that hour back."),
    ("policy", "I'll find out what the policy really says and share it here."),
])
def test_an_answer_that_takes_up_the_barrier_gets_no_finding(theme: str, answer: str) -> None:
    result = check_answer(answer, [theme])
    assert not result.directive and result.findings == [], result.findings
    assert result.advice == [ADVICE[theme]]


@pytest.mark.parametrize("theme", ["fear", "it_access", "time", "policy", "know_how", "control", "system"])
def test_a_vague_answer_gets_the_advice_for_the_barrier_named(theme: str) -> None:
    result = check_answer("Thanks, good point.", [theme])
    assert [f.kind for f in result.findings] == [UNADDRESSED]
    assert ADVICE[theme] in result.findings[0].why
    assert result.advice == [ADVICE[theme]]


def test_several_barriers_each_get_advice_in_order_and_unknown_falls_back_to_other() -> None:
    result = check_answer("Noted.", ["it_access", "fear", "it_access"])
    assert result.advice == [ADVICE["it_access"], ADVICE["fear"]]
    assert check_answer("Noted.", ["mystery"]).advice == [ADVICE["other"]]
    assert check_answer("Noted.", []).advice == [ADVICE["other"]]


def test_answer_findings_stay_within_three_and_json_keeps_its_shape() -> None:
    result = check_answer("You need to log in. Everyone must use the VPN. Stop complaining, no excuses.",
                          ["it_access", "time", "fear"])
    assert len(result.findings) <= 3
    assert set(result.to_dict()) == {"directive", "findings", "advice"}


@pytest.mark.parametrize("theme, words", [("fear", "half-finished"), ("it_access", "raise"), ("time", "drop"),
                                          ("policy", "really says")])
def test_the_advice_does_what_the_issue_asks_for_each_barrier(theme: str, words: str) -> None:
    assert words in check_answer("Noted.", [theme]).advice[0].lower()
