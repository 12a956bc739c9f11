"""Reading the odd shapes Teams sends: mentions, HTML, thread ids, time zones."""
from __future__ import annotations

from botbuilder.schema import Activity

from adapters.teams.activities import mentions_bot, plain_text, split_thread, tenant_of, timezone_of

BOT = {"id": "28:bot", "name": "GoFirst"}


def message(text: str, entities: list[dict] | None = None, **extra: object) -> Activity:
    return Activity().deserialize({"type": "message", "text": text, "recipient": BOT, "entities": entities or [],
                                   **extra})


def test_mentions_and_html_are_stripped_from_commands() -> None:
    assert plain_text(message("<at>GoFirst</at> snooze 2w")) == "snooze 2w"
    assert plain_text(message("<p><at>Go First</at>&nbsp;<b>Status</b></p>\n")) == "Status"
    assert plain_text(message("")) == ""


def test_only_a_mention_of_this_bot_counts() -> None:
    ours = [{"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>GoFirst</at>"}]
    theirs = [{"type": "mention", "mentioned": {"id": "29:sam"}, "text": "<at>Sam</at>"}]
    assert mentions_bot(message("<at>GoFirst</at> help", ours))
    assert not mentions_bot(message("<at>Sam</at> help", theirs))


def test_thread_ids_split_into_channel_and_root() -> None:
    assert split_thread("19:abc@thread.tacv2;messageid=1716") == ("19:abc@thread.tacv2", "1716")
    assert split_thread("19:abc@thread.tacv2") == ("19:abc@thread.tacv2", None)
    assert split_thread("a:1personal") == ("a:1personal", None)


def test_tenant_and_time_zone_come_from_wherever_teams_put_them() -> None:
    assert tenant_of(message("x", conversation={"id": "c", "tenantId": "t1"})) == "t1"
    assert tenant_of(message("x", conversation={"id": "c"}, channelData={"tenant": {"id": "t2"}})) == "t2"
    assert tenant_of(message("x", conversation={"id": "c"})) is None
    zone = [{"type": "clientInfo", "timezone": "Asia/Kolkata"}]
    assert timezone_of(message("x", zone)) == "Asia/Kolkata"
    assert timezone_of(message("x", [{"type": "clientInfo", "timezone": "Mars/Olympus"}])) is None


def test_readers_take_odd_shapes_without_crashing() -> None:
    """msrest keeps unknown fields as they came; the readers check their type before using them."""
    assert not mentions_bot(message("<at>x</at> help", [{"type": "mention", "mentioned": "28:bot"}]))
    assert tenant_of(message("x", conversation={"id": "c", "tenantId": 42})) is None
    assert tenant_of(message("x", conversation={"id": "c"}, channelData={"tenant": "t3"})) is None
    assert timezone_of(message("x", [{"type": "clientInfo", "timezone": ["Europe/Paris"]}])) is None
    assert timezone_of(message("x", [{"type": "clientInfo", "timezone": "../../etc/passwd"}])) is None
