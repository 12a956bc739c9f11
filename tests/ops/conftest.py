"""The Slack suite's live server and seeded workspace, reused to drive real traffic at /metrics."""
from __future__ import annotations

from tests.slack.conftest import double, live, seeded, slack_settings  # noqa: F401  (fixtures)
