"""A parsed scrape, looked up by sample name and labels."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample


@dataclass
class Scrape:
    parsed: list[Metric]
    families: dict[str, Metric] = field(init=False)

    def __post_init__(self) -> None:
        self.families = {family.name: family for family in self.parsed}

    def samples(self, name: str) -> Iterator[Sample]:
        return (s for family in self.parsed for s in family.samples if s.name == name)

    def value(self, name: str, **labels: str) -> float:
        """The sample's value, 0 when the scrape has no such sample (a counter not yet bumped)."""
        return next((s.value for s in self.samples(name) if s.labels == labels), 0.0)
