from __future__ import annotations

import pytest

from bot.demo import DemoIds, seed_demo
from bot.runtime import Runtime
from tests.support.recording import RecordingPlatform


@pytest.fixture
async def demo(runtime: Runtime, platform: RecordingPlatform) -> DemoIds:
    return await seed_demo(runtime.services)
