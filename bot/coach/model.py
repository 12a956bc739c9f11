"""Plain result types of the coach, shared by the detector, the reframe and the CLI."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Finding kinds that make a draft directive; the missing_* kinds are coaching hints only.
DIRECTIVE_KINDS: frozenset[str] = frozenset({"directive_phrase", "imperative", "mandate"})
MISSING_KINDS: tuple[str, ...] = ("missing_own_effort", "missing_barrier", "missing_question")


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed: where (start/end into the draft), what kind, and why it matters."""

    kind: str
    start: int
    end: int
    text: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the CLI and the UIs."""
        return asdict(self)


@dataclass(frozen=True)
class DraftCheck:
    """The coach's verdict on a draft and a modelling version to offer instead."""

    directive: bool
    findings: list[Finding] = field(default_factory=list)
    suggestion: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"directive", "findings", "suggestion"}."""
        return {
            "directive": self.directive,
            "findings": [f.to_dict() for f in self.findings],
            "suggestion": self.suggestion,
        }
