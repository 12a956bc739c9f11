"""Plain result types of the coach, shared by the detector, the reframe and the CLI."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Finding kinds that make a draft directive, most important first (the order findings are shown in);
# the missing_* kinds are coaching hints only.
DIRECTIVE_ORDER: tuple[str, ...] = (
    "directive_phrase", "imperative", "mandate", "passive_mandate", "wish", "authority", "expectation",
    "consequence", "decision", "polite", "process", "blame", "pressure",
)
DIRECTIVE_KINDS: frozenset[str] = frozenset(DIRECTIVE_ORDER)
MISSING_KINDS: tuple[str, ...] = ("missing_own_effort", "missing_barrier", "missing_question")
# The share-form field each missing element belongs to.
MISSING_FIELDS: dict[str, str] = {"missing_own_effort": "try", "missing_barrier": "barrier", "missing_question": "ask"}
# Kinds about the suggestion itself rather than the draft.
NO_REWRITE = "no_clean_rewrite"
FIELDS: tuple[str, ...] = ("try", "why", "barrier", "ask")


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed: where (start/end into the draft), what kind, and why it matters."""

    kind: str
    start: int
    end: int
    text: str
    why: str
    field: str | None = None  # the share-form field it concerns: try, why, barrier, ask (None: unknown)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the CLI and the UIs."""
        return asdict(self)


@dataclass(frozen=True)
class DraftCheck:
    """The coach's verdict on a draft and a modelling version to offer instead (the draft itself
    when nothing needs rewriting)."""

    directive: bool
    findings: list[Finding] = field(default_factory=list)
    suggestion: str | None = ""  # None: no clean rewrite exists (a finding says why)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"directive", "findings", "suggestion"}."""
        return {
            "directive": self.directive,
            "findings": [f.to_dict() for f in self.findings],
            "suggestion": self.suggestion,
        }
