"""Modal submissions: the engine validates; field errors go back in the ack (`response_action:
errors`) so the person fixes them in place, and a form the coach has notes on comes back as an
updated view (`response_action: update`) with the notes under their fields. Slow work finishes
after the ack."""
from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.middleware import WORKSPACE
from adapters.slack.blocks import form_errors, form_view, submitted_values
from bot.core.compose import ANSWER_FORM, SHARE_FORM
from bot.core.events import FormSubmitted

if TYPE_CHECKING:
    from adapters.slack.edge import SlackEdge

FORMS = (SHARE_FORM, ANSWER_FORM)
ACK_BUDGET = 2.5   # seconds: Slack gives 3 for the whole round trip


def register(app: AsyncApp, edge: "SlackEdge") -> None:
    @app.view(re.compile(r".+"))
    async def submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        values = submitted_values(view)
        event = FormSubmitted(context[WORKSPACE], str((body.get("user") or {}).get("id", "")),
                              str(view.get("callback_id", "")), values, str(view.get("private_metadata") or ""))
        work = edge.spawn(edge.handle(event))
        try:
            outcome = await asyncio.wait_for(asyncio.shield(work), ACK_BUDGET)
        except asyncio.TimeoutError:
            await ack()   # close the modal now; the engine's answer arrives by DM when it is done
            return
        if outcome.form is not None and outcome.form.has_errors:
            await ack(response_action="errors", errors=form_errors(outcome.form))
        elif outcome.form is not None:
            await ack(response_action="update", view=form_view(outcome.form, edge.wording))
        elif outcome.error:
            first = next(iter(values), None)
            await (ack(response_action="errors", errors={first: edge.wording("errors.submit_failed")})
                   if first else ack())
        else:
            await ack()
