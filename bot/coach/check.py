"""check_draft: the coach's one call for a leader's draft - findings plus a modelling suggestion.

check_fields does the same for the share form, field by field, so every finding says which field
it is about and its span indexes that field's text.
"""
from __future__ import annotations

from bot.coach.directives import directive_findings, missing_elements
from bot.coach.findings import curate
from bot.coach.lexicon import load
from bot.coach.model import DIRECTIVE_KINDS, FIELDS, MISSING_FIELDS, NO_REWRITE, DraftCheck, Finding
from bot.coach.reframe import clean_rewrite


def is_directive(text: str, locale: str = "en") -> bool:
    """True when any directive rule fires: the detector's verdict alone, for evaluation."""
    return any(f.kind in DIRECTIVE_KINDS for f in directive_findings(text, locale))


def _no_rewrite(locale: str) -> Finding:
    """The finding that says why no suggestion is offered."""
    return Finding(NO_REWRITE, 0, 0, "", str(load("modelling", locale)["no_rewrite_why"]), "try")


def check_draft(text: str, locale: str = "en") -> DraftCheck:
    """Flag top-down phrasing and missing modelling elements; suggest a modelling version.

    The suggestion is the draft itself when nothing needs rewriting, a rewrite that passed every
    safety check, or None when no clean rewrite exists (a finding then says so). It never holds
    a placeholder: a missing barrier or question is a finding on that field instead.
    """
    found = directive_findings(text, locale)
    directive = any(f.kind in DIRECTIVE_KINDS for f in found)
    suggestion = clean_rewrite(text, locale)
    if suggestion is None:
        found.append(_no_rewrite(locale))
    findings = curate(found + missing_elements(text, locale), text, locale)
    return DraftCheck(directive=directive, findings=findings, suggestion=suggestion)


def check_fields(fields: dict[str, str], locale: str = "en") -> DraftCheck:
    """Check the share form: directive findings per field (spans into that field's text), then
    the modelling elements missing from the whole post, each on its own field.

    The suggestion is None here; `reframe(fields)` gives the field-by-field rewrite.
    """
    found: list[Finding] = []
    for key in FIELDS:
        text = str(fields.get(key) or "")
        for f in directive_findings(text, locale):
            found.append(Finding(f.kind, f.start, f.end, f.text, f.why, f.field or key))
    whole = " ".join(str(fields.get(k) or "").strip() for k in FIELDS)
    missing = [m for m in missing_elements(whole, locale) if not _field_has(fields, MISSING_FIELDS[m.kind])]
    directive = any(f.kind in DIRECTIVE_KINDS for f in found)
    return DraftCheck(directive=directive, findings=curate(found + missing, whole, locale), suggestion=None)


def _field_has(fields: dict[str, str], key: str) -> bool:
    """A barrier field counts as a named barrier when it names a theme ("None, it's simple" does not)."""
    from bot.coach.themes import OTHER, classify_themes

    text = str(fields.get(key) or "").strip()
    return key == "barrier" and bool(text) and classify_themes(text) != [OTHER]
