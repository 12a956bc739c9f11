"""check_draft: the coach's one call for a leader's draft - findings plus a modelling suggestion."""
from __future__ import annotations

from bot.coach.directives import directive_findings, missing_elements
from bot.coach.model import DIRECTIVE_KINDS, DraftCheck
from bot.coach.reframe import reframe_text


def is_directive(text: str, locale: str = "en") -> bool:
    """True when any directive rule fires: the detector's verdict alone, for evaluation."""
    return any(f.kind in DIRECTIVE_KINDS for f in directive_findings(text, locale))


def check_draft(text: str, locale: str = "en") -> DraftCheck:
    """Flag top-down phrasing and missing modelling elements; suggest a modelling version."""
    findings = directive_findings(text, locale) + missing_elements(text, locale)
    directive = any(f.kind in DIRECTIVE_KINDS for f in findings)
    suggestion = reframe_text(text, locale) if findings else text.strip()
    return DraftCheck(directive=directive, findings=findings, suggestion=suggestion)
