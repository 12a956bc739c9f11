"""The optional language model, against a local OpenAI-style chat endpoint on 127.0.0.1.

Every failure (slow, 500, malformed, still directive) must quietly fall back to the rules, and an
opted-out person's words must never leave the process.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.coach import reframe, reframe_with_llm
from bot.coach.llm import chat_url

DRAFT = {"try": "Everyone must post updates in the channel from Monday", "why": "", "barrier": "time", "ask": ""}
GOOD = {
    "try": "I'm trying to post my own updates in the channel from Monday.",
    "why": "I want our work to be easier to find.",
    "barrier": "My barrier is time.",
    "ask": "Could you reply when I post, and tell me what gets in your way?",
}


class FakeChat:
    """Behaves like /v1/chat/completions; `mode` picks the behaviour of the next answers."""

    def __init__(self) -> None:
        self.mode = "good"
        self.requests: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        if self.mode == "slow":
            await asyncio.sleep(2)
        if self.mode == "500":
            return web.json_response({"error": {"message": "boom"}}, status=500)
        if self.mode == "malformed":
            return web.Response(text="{not json", content_type="application/json")
        content = json.dumps(GOOD)
        if self.mode == "fenced":
            content = f"```json\n{content}\n```"
        if self.mode == "directive":
            content = json.dumps({**GOOD, "try": "Everyone must post updates from Monday."})
        if self.mode == "wrong_shape":
            content = json.dumps({"text": "hello"})
        if self.mode == "placeholder":
            content = json.dumps({**GOOD, "barrier": "What makes this hard for me is …"})
        if self.mode == "order_word":
            content = json.dumps({**GOOD, "ask": "Please make sure you reply, it is mandatory."})
        if self.mode == "lost_words":
            content = json.dumps({**GOOD, "try": "I'm trying to be more open."})
        if self.mode == "invented_barrier":
            content = json.dumps({**GOOD, "barrier": "My barrier is fear of looking silly."})
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": content}}]})


@pytest.fixture
async def chat() -> AsyncIterator[tuple[FakeChat, str]]:
    fake = FakeChat()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("/v1"))
    finally:
        await server.close()


async def test_good_answer_is_used(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fields, source = await reframe_with_llm(DRAFT, url, "tiny", opted_out=False)
    assert source == "llm" and fields == GOOD
    sent = fake.requests[0]
    assert sent["model"] == "tiny"
    assert "Everyone must post updates in the channel from Monday" in sent["messages"][-1]["content"]
    assert sent["messages"][0]["role"] == "system"


async def test_full_completions_url_is_used_as_given(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fields, source = await reframe_with_llm(DRAFT, url + "/chat/completions", "tiny", opted_out=False)
    assert source == "llm" and len(fake.requests) == 1


async def test_fenced_json_answer_is_accepted(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fake.mode = "fenced"
    assert (await reframe_with_llm(DRAFT, url, "tiny", opted_out=False)) == (GOOD, "llm")


@pytest.mark.parametrize("mode", ["500", "malformed", "directive", "wrong_shape", "placeholder", "order_word",
                                  "lost_words"])
async def test_failures_fall_back_to_rules(chat: tuple[FakeChat, str], mode: str) -> None:
    fake, url = chat
    fake.mode = mode
    fields, source = await reframe_with_llm(DRAFT, url, "tiny", opted_out=False)
    assert source == "rules"
    assert fields == reframe(DRAFT)
    assert len(fake.requests) == 1


async def test_slow_answer_times_out_to_rules(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fake.mode = "slow"
    loop = asyncio.get_running_loop()
    started = loop.time()
    fields, source = await reframe_with_llm(DRAFT, url, "tiny", opted_out=False, timeout=0.3)
    assert source == "rules" and fields == reframe(DRAFT)
    assert loop.time() - started < 1.5


async def test_opted_out_person_is_never_sent(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fields, source = await reframe_with_llm(DRAFT, url, "tiny", opted_out=True)
    assert source == "rules" and fields == reframe(DRAFT)
    assert fake.requests == []


@pytest.mark.parametrize("url, model", [(None, "tiny"), ("http://127.0.0.1:9", None), ("", "")])
async def test_off_unless_url_and_model_are_set(url: str | None, model: str | None) -> None:
    assert (await reframe_with_llm(DRAFT, url, model, opted_out=False))[1] == "rules"


async def test_unreachable_endpoint_falls_back() -> None:
    fields, source = await reframe_with_llm(DRAFT, "http://127.0.0.1:9/v1", "tiny", opted_out=False, timeout=1)
    assert source == "rules" and fields == reframe(DRAFT)


def test_chat_url() -> None:
    assert chat_url("http://h/v1") == "http://h/v1/chat/completions"
    assert chat_url("http://h/v1/") == "http://h/v1/chat/completions"
    assert chat_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


async def test_a_barrier_the_leader_never_named_is_not_accepted(chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    fake.mode = "invented_barrier"
    draft = {**DRAFT, "barrier": ""}
    fields, source = await reframe_with_llm(draft, url, "tiny", opted_out=False)
    assert source == "rules" and fields == reframe(draft) and fields["barrier"] == ""


async def test_a_german_draft_gets_german_instructions_and_an_english_answer_falls_back(
        chat: tuple[FakeChat, str]) -> None:
    fake, url = chat
    draft = {"try": "Alle müssen ihre Updates ab Montag im Kanal posten.", "why": "", "barrier": "", "ask": ""}
    fields, source = await reframe_with_llm(draft, url, "tiny", opted_out=False, locale="de")
    system, user = fake.requests[0]["messages"]
    assert "Schreib auf Deutsch" in system["content"] and "Alle müssen ihre Updates" in user["content"]
    assert source == "rules" and fields == reframe(draft, "de")  # GOOD is English: it keeps none of her words
    english = (await reframe_with_llm(DRAFT, url, "tiny", opted_out=False, locale="en-GB"))[0]
    assert "Schreib auf Deutsch" not in fake.requests[1]["messages"][0]["content"] and english == GOOD
