"""Web hardening as a browser and an attacker see it, over real HTTP: every HTML page GoFirst serves
sends a Content-Security-Policy without inline script, refuses framing and sniffing; the playground
refuses cross-site and token-less writes; the Slack OAuth cookie is SameSite; there is a favicon;
and in Chromium the playground still works end to end under its policy while another site's
attempts to post to it or frame it fail."""
from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.local.security import CSRF_HEADER
from tests.reliability.live import Edges, edges, slack_oauth, sqlite_db  # noqa: F401  (fixtures)
from tests.slack.conftest import Live as SlackLive

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
COMMAND = "/playground/api/command"


def check_html_headers(headers: "aiohttp.typedefs.LooseHeaders | dict[str, str]", where: str) -> None:
    headers = {k.lower(): v for k, v in dict(headers).items()}
    csp = headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    script = directives.get("script-src", directives.get("default-src"))
    assert script is not None and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where


def inline_scripts(html: str) -> list[str]:
    """<script> elements that would run code written into the page (data blocks don't run)."""
    found = []
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE):
        if body.strip() and 'type="application/json"' not in attrs:
            found.append(body[:80])
    return found + re.findall(r"\son[a-z]+\s*=", html) + re.findall(r"javascript:", html)


async def test_every_html_page_sends_the_security_headers(edges: Edges) -> None:
    """Every GET route without a path parameter is asked for; the HTML ones must carry the policy.
    (The HR console at /admin sets its own headers, and is tested by its own suite.)"""
    paths = sorted({r.resource.canonical for r in edges.app.router.routes()
                    if r.method == "GET" and r.resource is not None and "{" not in r.resource.canonical
                    and not r.resource.canonical.startswith("/admin")})
    pages = []
    for path in paths:
        async with edges.http.get(f"{edges.url}{path}", allow_redirects=False) as response:
            assert response.headers.get("X-Content-Type-Options") == "nosniff", path  # on every answer
            if response.content_type == "text/html":
                pages.append(path)
                check_html_headers(response.headers, path)
                assert inline_scripts(await response.text()) == [], path
    assert {"/", "/playground"} <= set(pages)


async def test_error_pages_and_api_answers_are_not_sniffed(edges: Edges) -> None:
    for path in ("/no/such/page", "/healthz", "/playground/api/state"):
        async with edges.http.get(f"{edges.url}{path}") as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff", path


async def test_a_favicon_is_served(edges: Edges) -> None:
    async with edges.http.get(f"{edges.url}/favicon.ico") as response:
        assert response.status == 200 and response.content_type == "image/svg+xml"
        assert (await response.text()).lstrip().startswith("<svg")
    async with edges.http.get(f"{edges.url}/") as response:
        assert 'rel="icon"' in await response.text()


@pytest.mark.parametrize("origin, content_type, token", [
    ("http://evil.example", "text/plain", None),            # the classic: a form or no-cors fetch elsewhere
    ("http://evil.example", "application/json", "right"),   # even with a stolen token
    ("null", "text/plain", None),                           # a sandboxed frame, a file:// page
    (None, "application/json", None),                       # no token at all
    (None, "application/json", "stale-token-from-yesterday"),
])
async def test_cross_site_or_tokenless_writes_to_the_playground_are_refused(
        edges: Edges, origin: str | None, content_type: str, token: str | None) -> None:
    headers = {"Content-Type": content_type}
    if origin:
        headers["Origin"] = origin
    if token:
        headers[CSRF_HEADER] = edges.token if token == "right" else token
    body = json.dumps({"user": "alex", "text": "optout"})
    async with edges.http.post(f"{edges.url}{COMMAND}", data=body, headers=headers) as response:
        assert response.status == 403 and (await response.json())["error"]
    async with edges.http.get(f"{edges.url}/playground/api/state") as response:
        assert not [m for m in (await response.json())["messages"] if m["kind"] == "command"]  # nothing happened


async def test_every_state_changing_playground_route_needs_the_token(edges: Edges) -> None:
    posts = sorted({r.resource.canonical for r in edges.app.router.routes()
                    if r.method == "POST" and r.resource is not None and r.resource.canonical.startswith("/playground")})
    assert len(posts) >= 10
    for path in posts:
        async with edges.http.post(f"{edges.url}{path}", json={"user": "alex"},
                                   headers={"Origin": edges.url}) as response:
            assert response.status == 403, path
    async with edges.http.post(f"{edges.url}{COMMAND}", json={"user": "alex", "text": "streak"},
                               headers={"Origin": edges.url, CSRF_HEADER: edges.token,
                                        "Sec-Fetch-Site": "same-origin"}) as response:
        assert response.status == 200  # the page's own request, as Chromium sends it


async def test_the_slack_oauth_state_cookie_is_samesite_and_its_pages_run_no_script(slack_oauth: SlackLive) -> None:
    live = slack_oauth
    async with live.http.get(f"{live.url}/slack/install") as response:
        assert response.status == 200
        check_html_headers(response.headers, "/slack/install")
        assert inline_scripts(await response.text()) == []
        cookies = response.headers.getall("Set-Cookie")
    state_cookie = next(c for c in cookies if c.startswith("slack-app-oauth-state="))
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in state_cookie.split(";")}
    assert attributes["samesite"].lower() == "samesite=lax" and "httponly" in attributes and "secure" in attributes
    async with live.http.get(f"{live.url}/slack/oauth_redirect", params={"code": "x", "state": "forged"}) as response:
        check_html_headers(response.headers, "/slack/oauth_redirect")
        for cookie in response.headers.getall("Set-Cookie", []):
            assert "samesite=lax" in cookie.lower(), cookie


# --- in Chromium -------------------------------------------------------------------------------

@pytest.fixture
async def attacker() -> AsyncIterator[tuple[str, list[str]]]:
    """Another site, on another port: its page posts to the playground and tries to frame it."""
    pages: list[str] = []

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=pages[0], content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://localhost:{runner.addresses[0][1]}/", pages
    finally:
        await runner.cleanup()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("GOFIRST_REQUIRE_CHROMIUM"),
                    reason="Debian's chromium is not installed at /usr/bin/chromium")
async def test_in_chromium_the_page_works_under_its_policy_and_other_sites_are_kept_out(
        edges: Edges, attacker: tuple[str, list[str]]) -> None:
    from playwright.async_api import async_playwright

    attacker_url, attacker_pages = attacker
    attacker_pages.append(f"""<!doctype html><html><body>
      <form id="f" method="post" action="{edges.url}{COMMAND}" enctype="text/plain" target="sink">
        <input name='{{"user":"alex","text":"optout","x":"' value='"}}'></form>
      <iframe name="sink"></iframe><iframe id="framed" src="{edges.url}/"></iframe>
      <script>
        fetch("{edges.url}{COMMAND}", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
               body: JSON.stringify({{user: "alex", text: "optout"}})}}).finally(() => {{
          document.getElementById("f").submit(); document.title = "sent"; }});
      </script></body></html>""")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = await browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            await page.goto(edges.url + "/")
            await page.fill("#command-input", "streak")
            await page.press("#command-input", "Enter")
            await page.wait_for_selector("#dm-log li:has-text('streak')", timeout=10_000)
            assert problems == [], problems  # no CSP violation, no script error

            other = await browser.new_page()
            await other.goto(attacker_url)
            await other.wait_for_function("document.title === 'sent'", timeout=10_000)
            await other.wait_for_timeout(500)
            framed = next(f for f in other.frames if f.name != "sink" and f != other.main_frame)
            assert framed.url in ("", "about:blank") or framed.url.startswith("chrome-error://")
        finally:
            await browser.close()
    async with edges.http.get(f"{edges.url}/playground/api/state") as response:
        commands = [m["payload"]["text"] for m in (await response.json())["messages"] if m["kind"] == "command"]
    assert commands == ["streak"]  # the page's own command, and nothing from the other site
