"""`message_text`, `message_files` and `plain_text` on real Slack payloads (tests/data/slack_events, alert-formats)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ratchet.slack.text import message_files, message_text, plain_text

DATA = Path(__file__).parent / "data"
BOLT = DATA / "slack_events" / "bolt-python"
ALERTMANAGER = sorted((DATA / "alert-formats" / "rendered_examples").glob("[0-9]*.json"))
PAYLOAD_KEYS = (
    "slack_payload_default_config",
    "slack_payload_with_docs_example_text",
    "as_slack_message_event_constructed",
)


def bolt_message(name: str) -> dict[str, Any]:
    """The message object of a bolt-python fixture (a message_changed event's is its inner `message`)."""
    event = json.loads((BOLT / name).read_text())["event"]
    return event["message"] if event.get("subtype") == "message_changed" else event


def alertmanager_message(path: Path, key: str) -> dict[str, Any]:
    payload = json.loads(path.read_text())[key]
    return payload["event"] if key == "as_slack_message_event_constructed" else payload


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("message__test_message_L208.json", "This message should match the second listener only"),
        ("message__test_message_L317.json", "Please fix JIRA-1234, SCM-567 and BUG-169 as soon as you can!"),
        ("message__test_message_L294.json", "We've received 103 messages from you!"),
        ("message__test_message_L253.json", "Hello World!"),  # text + the same words as rich_text blocks
        ("message__test_message_bot_L79.json", "Hi there! Thanks for sharing the info!"),
        ("message__test_events_org_apps_L203.json", "<@W222>"),
        ("app_mention__test_app_L334.json", "<@W111> Hi there!"),
        ("app_mention__test_block_actions_respond_L69.json", "<@U111> hey"),  # blocks: a user element + " hey"
        ("message.bot__test_message_bot_L128.json", "Hi there! Thanks for sharing the info!"),
        ("message.bot_message.bot__test_message_bot_L173.json", "Hi there! Thanks for sharing the info!"),
        ("message.file_share__test_events_L337.json", "Here is your file!"),
        ("message.file_share__test_message_file_share_L74.json", "Hi there!"),
        ("message.thread_broadcast.thread__test_message_thread_broadcast_L74.json", "Hi there!"),
        ("message.message_changed__test_message_changed_L68.json", "updated message"),
        ("message.message_changed__test_authorize_L85.json", "Hello, world!"),
        ("message.message_deleted__test_message_deleted_L68.json", ""),  # only `previous_message` has text
    ],
)
def test_bolt_python_messages(name: str, expected: str) -> None:
    assert message_text(bolt_message(name)) == expected


def test_every_bolt_python_message_event_reads_without_error() -> None:
    names = sorted(p.name for p in BOLT.glob("*.json") if p.name.startswith(("message", "app_mention")))
    assert len(names) >= 21
    for name in names:
        event = json.loads((BOLT / name).read_text())["event"]
        assert isinstance(message_text(event), str)
        assert isinstance(message_text(bolt_message(name)), str)


def test_thread_broadcast_leaves_out_the_root_message() -> None:
    message = bolt_message("message.thread_broadcast.thread__test_message_thread_broadcast_L74.json")
    assert message["root"]["text"] == "Write in the thread :bow:"
    assert "Write in the thread" not in message_text(message)


def test_files_of_a_file_share() -> None:
    message = bolt_message("message.file_share__test_events_L337.json")
    assert message_files(message) == [
        {
            "name": "test.png",
            "title": "test.png",
            "mimetype": "image/png",
            "permalink": "https://xxx.slack.com/files/U111/F111/test.png",
        }
    ]
    assert message_files(bolt_message("message__test_message_L208.json")) == []


def test_web_api_message_objects() -> None:
    lines = (DATA / "slack_events" / "web-api-examples" / "message_objects.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 11
    for record in records:
        message = record["message"]
        if "attachments" in message:  # chat.postMessage's bot_message: the fallback is not repeated
            assert message_text(message) == "Here's a message for you\nThis is an attachment"
        else:
            assert message_text(message) == message["text"]


@pytest.mark.parametrize("path", ALERTMANAGER, ids=lambda p: p.stem)
@pytest.mark.parametrize("key", PAYLOAD_KEYS)
def test_alertmanager_payloads_say_their_title_once(path: Path, key: str) -> None:
    message = alertmanager_message(path, key)
    attachment = message["attachments"][0]
    text = message_text(message)
    assert message.get("text", "") == ""  # Alertmanager puts nothing in the message's own text
    assert attachment["fallback"].startswith(attachment["title"] + " | http")  # the fallback repeats the title
    assert text.count(attachment["title"]) == 1
    assert " | http" not in text
    summary = json.loads(path.read_text())["alertmanager_template_data"]["commonAnnotations"]["summary"]
    if key == "slack_payload_default_config":
        assert text == attachment["title"]  # the default template's text is empty: the title is all there is
    else:
        assert summary in text
        assert "<!channel>" in text


def test_firing_kube_pod_crash_looping() -> None:
    path = next(p for p in ALERTMANAGER if p.stem == "1-KubePodCrashLooping-firing")
    text = message_text(alertmanager_message(path, "as_slack_message_event_constructed"))
    assert text.startswith("[FIRING:1] monitoring (KubePodCrashLooping ")
    assert text.count("KubePodCrashLooping") == 1
    assert "summary: Pod is crash looping." in text
    assert "prometheus-adapter-7d5f6b7c9d-8kq2x (prometheus-adapter) is in waiting state" in text
    assert plain_text(text).splitlines()[1].strip() == "@channel"
    # The Go template left `<no value>` for a missing label; Slack would read it as markup, plain_text keeps it.
    assert plain_text(text).endswith("on cluster <no value>.")


def test_resolved_alerts_read_resolved() -> None:
    for path in ALERTMANAGER:
        text = message_text(alertmanager_message(path, "slack_payload_default_config"))
        assert text.startswith("[RESOLVED]" if "resolved" in path.stem else "[FIRING:")


# Shapes the real fixtures above do not have, written as Slack's Block Kit reference documents them.
LIST_BLOCKS = [
    {
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "Steps:"}]},
            {
                "type": "rich_text_list",
                "style": "bullet",
                "indent": 0,
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "drain the node"}]},
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": "page "},
                            {"type": "usergroup", "usergroup_id": "S0614TZR7"},
                        ],
                    },
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "indent": 1,
                "offset": 2,
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "check disk"}]}],
            },
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "df -h /var"}]},
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted\ntwice"}]},
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "link", "url": "https://grafana.example/d/1", "text": "dashboard"},
                    {"type": "text", "text": " "},
                    {"type": "link", "url": "https://example.com"},
                    {"type": "text", "text": " "},
                    {"type": "channel", "channel_id": "C123"},
                    {"type": "emoji", "name": "fire", "unicode": "1f525"},
                    {"type": "emoji", "name": "thumbsup", "skin_tone": 3},
                    {"type": "broadcast", "range": "here"},
                    {"type": "date", "timestamp": 1720000000, "format": "{date}", "fallback": "Jul 3"},
                ],
            },
        ],
    }
]


def test_rich_text_lists_code_quotes_and_inline_elements() -> None:
    assert message_text({"blocks": LIST_BLOCKS}) == "\n".join(
        [
            "Steps:",
            "• drain the node",
            "• page <!subteam^S0614TZR7>",
            "    3. check disk",
            "df -h /var",
            "> quoted",
            "> twice",
            "<https://grafana.example/d/1|dashboard> <https://example.com> <#C123>:fire::thumbsup::skin-tone-3:"
            "<!here><!date^1720000000^{date}|Jul 3>",
        ]
    )


def test_text_as_slack_renders_rich_text_is_kept_once() -> None:
    text = "Steps:\n• drain the node\n• page <!subteam^S0614TZR7|@oncall>\n    3. check disk\n```df -h /var```"
    text += "\n&gt; quoted\n&gt; twice\n<https://grafana.example/d/1|dashboard> <https://example.com> <#C123|ops>"
    text += ":fire::thumbsup::skin-tone-3:<!here><!date^1720000000^{date}|Jul 3>"
    assert message_text({"text": text, "blocks": LIST_BLOCKS}) == text.replace("&gt;", ">")


def test_section_header_context_and_attachment_fields() -> None:
    message = {
        "text": "CPU high on db-1",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "CPU high & rising"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*Host* db-1 &lt;primary&gt;"},
                "fields": [{"type": "mrkdwn", "text": "*Severity*\ncritical"}, {"type": "plain_text", "text": "eu-1"}],
            },
            {"type": "context", "elements": [{"type": "image", "image_url": "x"}, {"type": "mrkdwn", "text": "via x"}]},
            {"type": "divider"},
        ],
        "attachments": [
            {
                "pretext": "New alert",
                "title": "Disk",
                "text": "92% &amp; growing",
                "fields": [{"title": "Node", "value": "n1", "short": True}, {"title": "Count", "value": 3}],
                "footer": "Grafana",
                "fallback": "Disk alert",
            }
        ],
    }
    assert message_text(message) == "\n".join(
        [
            "CPU high on db-1",
            "CPU high & rising",
            "*Host* db-1 <primary>",
            "*Severity*\ncritical",
            "eu-1",
            "via x",
            "New alert",
            "Disk",
            "92% & growing",
            "Node: n1",
            "Count: 3",
            "Grafana",
        ]
    )


def test_fallback_only_when_the_attachment_says_nothing_else() -> None:
    assert message_text({"attachments": [{"fallback": "only this", "text": ""}]}) == "only this"
    assert message_text({"attachments": [{"fallback": "not this", "text": "this"}]}) == "this"


def test_unescaping_happens_once() -> None:
    assert (
        message_text({"text": "a &lt; b &amp;&amp; c &gt; d, literally &amp;lt;"}) == "a < b && c > d, literally &lt;"
    )


@pytest.mark.parametrize(
    ("mrkdwn", "expected"),
    [
        ("see <https://x.example/a?b=1&amp;c=2|the runbook>", "see the runbook (https://x.example/a?b=1&c=2)"),
        ("<https://x.example>", "https://x.example"),
        ("<https://x.example|https://x.example>", "https://x.example"),
        ("<mailto:oncall@example.com|oncall@example.com>", "oncall@example.com"),
        ("<!channel> <!here> <!everyone>", "@channel @here @everyone"),
        ("<!subteam^S123|@sre> and <!subteam^S123>", "@sre and <!subteam^S123>"),
        ("<!date^1392734382^{date_num}|2014-02-18>", "2014-02-18"),
        ("<@U1> and <@U2|alice> in <#C1|ops>", "<@U1> and <@U2|alice> in <#C1|ops>"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("<no value>", "<no value>"),
        ("", ""),
    ],
)
def test_plain_text(mrkdwn: str, expected: str) -> None:
    assert plain_text(mrkdwn) == expected


def cyclic() -> dict[str, Any]:
    element: dict[str, Any] = {"type": "rich_text_list", "elements": []}
    element["elements"].append(element)
    return {"blocks": [{"type": "rich_text", "elements": [element]}]}


def deep(levels: int) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "text", "text": "bottom"}
    for _ in range(levels):
        element = {"type": "rich_text_section_x", "elements": [element]}
    return {"blocks": [{"type": "rich_text", "elements": [element]}]}


MALFORMED: list[Any] = [
    None,
    "a string",
    ["a", "list"],
    42,
    {},
    {"text": None, "blocks": None, "attachments": None, "files": None},
    {"text": ["not", "a", "string"], "blocks": "section", "attachments": "abc", "files": "x"},
    {"text": True, "blocks": {"type": "section"}, "attachments": {"text": "x"}},
    {"attachments": [None, 1, "x", [], {"fields": "nope"}, {"fields": [None, {"title": None, "value": ["x"]}]}]},
    {"attachments": [{"title": {"text": "x"}, "text": 5.5, "pretext": [], "footer": None, "fallback": {}}]},
    {"blocks": [None, "x", {"type": None}, {"type": "section", "text": None, "fields": "abc"}]},
    {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": None}, "fields": [None, 3, {"text": []}]}]},
    {"blocks": [{"type": "header", "text": "bare string"}, {"type": "context", "elements": None}]},
    {"blocks": [{"type": "rich_text", "elements": "x"}, {"type": "rich_text", "elements": [None, "y", {}]}]},
    {"blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_list", "elements": "z", "indent": "9"}]}]},
    {"blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_list", "indent": 10**9, "offset": -5}]}]},
    {"blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "link"}]}]}]},
    {"blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "user"}]}]}]},
    {"blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "emoji"}]}]}]},
    cyclic(),
    deep(5000),
]


@pytest.mark.parametrize("message", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_shapes_never_raise(message: Any) -> None:
    text = message_text(message)
    assert isinstance(text, str)
    assert isinstance(message_files(message), list)


def test_nothing_to_say_is_empty() -> None:
    assert message_text({}) == ""
    assert message_text({"text": "   \n ", "blocks": [{"type": "divider"}], "attachments": [{"color": "good"}]}) == ""
    assert message_text(None) == ""  # type: ignore[arg-type]


def test_deeply_nested_junk_is_cut_off() -> None:
    assert message_text(deep(5)) == "bottom"
    assert message_text(deep(5000)) == ""


def test_deleted_files_are_skipped() -> None:
    files = [None, "x", {"id": "F1", "mode": "tombstone"}, {"name": "a.log", "title": None, "mimetype": 3}]
    assert message_files({"files": files}) == [{"name": "a.log", "title": "", "mimetype": "3", "permalink": ""}]


def test_odd_unicode_survives_and_nul_does_not() -> None:
    odd = "\u200f\u05de\u05ea\u05e8\u05d9\u05e2\u200e disk \U0001f468\u200d\U0001f4bb\u200d full 🔥 e\u0301 \x00nul\x00"
    text = message_text({"text": odd, "attachments": [{"title": "t\x00itle"}]})
    assert "\x00" not in text
    assert text == odd.replace("\x00", "") + "\ntitle"
    assert message_files({"files": [{"name": "a\x00.txt"}]})[0]["name"] == "a.txt"


def test_lone_surrogates_become_storable() -> None:
    message = json.loads('{"text": "broken \\ud83d emoji"}')
    text = message_text(message)
    assert text == "broken ? emoji"
    text.encode("utf-8")


def test_forty_thousand_characters() -> None:
    long_text = ("disk full on db-1 &amp; db-2 " * 1400)[:40_000]
    message = {"text": long_text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": long_text}}]}
    text = message_text(message)
    assert text == long_text.replace("&amp;", "&").strip()  # once: the section repeats `text`
