"""check_draft: the coach's one call for a leader's draft - findings plus a modelling suggestion."""
from __future__ import annotations

from bot.coach.directives import directive_findings, missing_elements
from bot.coach.model import DIRECTIVE_KINDS, DraftCheck
from bot.coach.reframe import reframe_text


def check_draft(text: str, locale: str = "en") -> DraftCheck:
    """Flag top-down phrasing and missing modelling elements; suggest a modelling version.

    The suggestion is the draft itself when nothing needs changing, so a UI can always offer it.
    """
    findings = directive_findings(text, locale) + missing_elements(text, locale)
    directive = any(f.kind in DIRECTIVE_KINDS for f in findings)
    suggestion = reframe_text(text, locale) if findings else text.strip()
    return DraftCheck(directive=directive, findings=findings, suggestion=suggestion)
