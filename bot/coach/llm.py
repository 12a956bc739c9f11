"""Optional language-model reframe over an OpenAI-compatible chat endpoint, with the rules as the
fallback. Off unless both a URL and a model are given; never called for an opted-out person; a
strict timeout keeps the share form responsive. The model's answer must pass the same safety
checks as the rules' rewrite (safety.field_problems); on any failure the rules answer."""
from __future__ import annotations

import asyncio
import json
import logging
import re
from importlib import resources
from typing import Any

import aiohttp

from bot.coach.reframe import FIELDS, reframe
from bot.coach.safety import field_problems

log = logging.getLogger(__name__)
_FENCE = re.compile(r"\A\s*```(?:json)?\s*(.*?)\s*```\s*\Z", re.S)


def chat_url(url: str) -> str:
    """POST target: the URL as given if it already ends with /chat/completions, else {url}/chat/completions."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def _template(name: str, locale: str = "en") -> str:
    """A prompt template from prompts/llm/<language>/, else prompts/llm/ (English): a German
    draft gets German instructions, so the answer is German and passes the German checks."""
    folder = resources.files("prompts") / "llm"
    language = (locale or "en").replace("_", "-").split("-")[0].lower()
    localised = folder / language / name
    if language.isalpha() and localised.is_file():
        return localised.read_text(encoding="utf-8")
    return (folder / name).read_text(encoding="utf-8")


def build_messages(fields: dict[str, str], locale: str = "en") -> list[dict[str, str]]:
    """Chat messages for a reframe request, filled from prompts/llm/*.md."""
    user = _template("reframe_user.md", locale)
    for key in FIELDS:
        user = user.replace("{{" + key + "}}", str(fields.get(key) or "").strip())
    return [
        {"role": "system", "content": _template("reframe_system.md", locale)},
        {"role": "user", "content": user},
    ]


def parse_reply(body: Any, draft: dict[str, str] | None = None, locale: str = "en") -> dict[str, str] | None:
    """The four fields from a chat completion body, or None if it is not a usable answer.

    An answer that fails a safety check against the draft (still directive, an order word, a
    placeholder, an invented barrier, the leader's words dropped) is rejected too.
    """
    try:
        content = body["choices"][0]["message"]["content"]
        fence = _FENCE.match(content)
        data = json.loads(fence.group(1) if fence else content)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in FIELDS):
        return None
    out = {k: data[k].strip() for k in FIELDS}
    problems = field_problems(draft or {}, out, locale) if draft is not None else []
    if not out["try"] or problems:
        if problems:
            log.warning("coach llm: answer rejected (%s); using rules", "; ".join(problems[:3]))
        return None
    return out


async def _ask(url: str, model: str, fields: dict[str, str], timeout: float,
               locale: str = "en") -> dict[str, str] | None:
    """One chat completion call; None on any HTTP, network, timeout or format problem."""
    payload = {"model": model, "messages": build_messages(fields, locale), "temperature": 0.2}
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    try:
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            async with session.post(chat_url(url), json=payload) as resp:
                if resp.status != 200:
                    log.warning("coach llm: HTTP %s from endpoint; using rules", resp.status)
                    return None
                body = await resp.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        log.warning("coach llm: %s; using rules", type(exc).__name__)
        return None
    return parse_reply(body, fields, locale)


async def reframe_with_llm(
    fields: dict[str, str],
    settings_url: str | None,
    model: str | None,
    opted_out: bool,
    timeout: float = 4.0,
    locale: str = "en",
) -> tuple[dict[str, str], str]:
    """Reframe with the language model when configured and allowed; otherwise, or on failure, the rules.

    Returns (fields, source) where source is "llm" or "rules".
    """
    if opted_out or not settings_url or not model:
        return reframe(fields, locale), "rules"
    try:
        answer = await asyncio.wait_for(_ask(settings_url, model, fields, timeout, locale), timeout=timeout)
    except asyncio.TimeoutError:
        answer = None
    if answer is None:
        return reframe(fields, locale), "rules"
    return answer, "llm"
