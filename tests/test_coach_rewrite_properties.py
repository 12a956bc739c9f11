"""Property tests: every suggestion the coach offers is safe to post (issue 12, point 2).

The checks here are written independently of bot/coach/safety.py, so a gate that lets a bad
rewrite through is caught rather than agreed with. Drafts are the labelled directive drafts and
variants hypothesis makes of them (case, vocatives, pressure tails, emoji, extra sentences).
"""
from __future__ import annotations

import re

import lemminflect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach import check_draft
from bot.coach.evaluate import DEFAULT_DATA, read_jsonl
from bot.coach.rewrite import rewrite_text
from bot.coach.safety import problems

ROWS = [r for r in read_jsonl(DEFAULT_DATA / "directives.jsonl") if r["directive"]]
ORDER = re.compile(r"\b(?:must|have to|has to|need to|needs to|mandatory|compulsory|required|ensure|make sure|"
                   r"comply|no exceptions|no excuses|expected to|non-negotiable)\b", re.I)
PLACEHOLDER = re.compile(r"…|\.\.\.|\{|\}|\bTODO\b")
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I'd|I've|I'll|my|me)\b")
STOP = set("""the a an and or but to of in on at by for with from is are be it this that so if not do i me my we our you
your they their all every each everyone everybody people team please must need needs required mandatory ensure
make sure expect comply just going will would could should can have has get go goes keep put send won't don't
doesn't isn't can't also now really kindly pls thanks process policy workflow new updated means says
requires rule rules guidelines leadership wants expects asked decided like love great nice would it's
job duty responsibility i'm try trying exceptions excuses final accountable responsible""".split())


def words(text: str) -> set[str]:
    """Content words as dictionary lemmas (any part of speech), independent of the coach's own
    normaliser and stopword list."""
    out = set()
    for w in re.findall(r"[a-z][a-z'-]+", text.lower()):
        if w in STOP or len(w) < 3:
            continue
        lemmas = sorted({lemma for forms in lemminflect.getAllLemmas(w).values() for lemma in forms})
        out.add(lemmas[0] if lemmas else w)
    return out


def assert_safe(draft: str) -> None:
    """The suggestion for a draft is safe to post, or absent with a finding saying so."""
    result = check_draft(draft)
    if not result.directive:  # a miss of the detector: nothing is rewritten
        assert result.suggestion == draft.strip()
        return
    if result.suggestion is None:
        assert "no_clean_rewrite" in {f.kind for f in result.findings}, result
        return
    s = result.suggestion
    assert not check_draft(s).directive, (draft, s)
    assert not ORDER.search(s), (draft, s)
    assert not PLACEHOLDER.search(s), (draft, s)
    assert FIRST_PERSON.search(s), (draft, s)
    before = words(draft)
    kept = len(before & words(s)) / len(before) if before else 1.0
    assert kept >= 1 / 3, (draft, s, kept)  # the coach requires 0.5, with frames and team words not counted
    assert check_draft(s).suggestion == s, (draft, s)  # idempotent
    assert "Here's what I'd like us to try" not in s and "What makes this hard for me is" not in s
    assert len(result.findings) <= 3


def test_every_labelled_directive_gets_a_safe_suggestion_or_none() -> None:
    for row in ROWS:
        assert_safe(row["text"])


def test_most_labelled_directives_get_a_suggestion() -> None:
    offered = sum(check_draft(r["text"]).suggestion is not None for r in ROWS)
    assert offered / len(ROWS) >= 0.6, offered


VARIANT = st.tuples(
    st.sampled_from([r["text"] for r in ROWS]),
    st.sampled_from(["", "Team, ", "Hi all, ", "ok so "]),
    st.sampled_from(["", " No exceptions.", " Thanks!", " 🙏", " I expect everyone to comply."]),
    st.sampled_from(["", "I'm trying this too. ", "Quick one. "]),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VARIANT)
def test_generated_variants_get_a_safe_suggestion_or_none(variant: tuple[str, str, str, str, bool]) -> None:
    text, vocative, tail, lead, lower = variant
    body = vocative + (text[0].lower() + text[1:] if vocative else text)
    draft = lead + body + tail
    assert_safe(draft.lower() if lower else draft)


def test_a_polite_opener_carries_its_request_and_responsibility_becomes_looking_after() -> None:
    assert check_draft("Friendly reminder: timesheets go in by Thursday.").suggestion == \
        "I'm trying to put my timesheets in by Thursday."
    assert check_draft("Each team is responsible for its own documentation.").suggestion == \
        "I'm trying to look after my own documentation."
    assert check_draft("Attendance at the Thursday demo is mandatory.").suggestion == \
        "I'm trying to be there at the Thursday demo."


def test_the_gate_rejects_what_the_rewriter_gets_wrong() -> None:
    bad = {
        "Everyone must post updates.": "I'm trying to post updates. Everyone must too.",
        "Post your wins in #kudos.": "My own barrier is … What makes this hard for me is …",
        "Attendance is mandatory.": "I'm trying to attendance is mandatory.",
        "Send me your numbers by Friday.": "Lovely weather today.",
    }
    for draft, rewrite in bad.items():
        assert problems(draft, rewrite), rewrite
    assert problems("Post your wins in #kudos.", "I'm trying to post my wins in #kudos.") == []


def test_candidate_rewrites_pass_the_checks_on_the_held_out_split() -> None:
    held_out = [r["text"] for r in ROWS if r["split"] == "test" and check_draft(r["text"]).directive]
    candidates = [(t, rewrite_text(t)) for t in held_out]
    made = [(t, c) for t, c in candidates if c and c != t]
    passing = [t for t, c in made if not problems(t, c)]
    assert len(passing) / len(made) >= 0.95, [(t, c, problems(t, c)) for t, c in made if problems(t, c)]
