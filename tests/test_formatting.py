"""Markdown -> mrkdwn, splitting for Slack's limits and the signed Block Kit messages, on real runbooks."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ratchet.slack.formatting import (
    MAX_BLOCKS,
    MODULE_SIGNATURE_PREFIX,
    SECTION_LIMIT,
    TEXT_LIMIT,
    SlackPost,
    excerpt,
    markdown_to_mrkdwn,
    module_of,
    render_reply,
    split_for_slack,
)

RUNBOOKS = sorted((Path(__file__).parent / "data" / "runbooks").glob("*/*.md"))
FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*$", re.MULTILINE)
LIMITS = (16, 17, 31, 64, 100, 257, 500, 1000, 2048, 3000)


def runbook(name: str) -> str:
    return next(p for p in RUNBOOKS if p.name == name).read_text()


def content(text: str) -> str:
    """What a text says, ignoring whitespace and bare code fences (splitting adds fences around a cut)."""
    return re.sub(r"\s+", "", FENCE_LINE.sub("", text))


def code_blocks(mrkdwn: str) -> list[str]:
    return re.findall(r"^```\n.*?\n```$", mrkdwn, re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and __bold__", "*bold* and *bold*"),
        ("*italic* and _italic_", "_italic_ and _italic_"),
        ("***both***", "*_both_*"),
        ("~~gone~~", "~gone~"),
        ("**bold with _italic_ inside**", "*bold with _italic_ inside*"),
        ("[the runbook](https://runbooks.example/kube)", "<https://runbooks.example/kube|the runbook>"),
        ("[**Grafana**](https://g.example/d/x?a=1&b=2)", "<https://g.example/d/x?a=1&amp;b=2|Grafana>"),
        ("[Foo](https://en.wikipedia.org/wiki/Foo_(bar))", "<https://en.wikipedia.org/wiki/Foo_(bar)|Foo>"),
        ("[](https://x.example)", "<https://x.example>"),
        ("[relative](../etcd/etcdMembersDown.md)", "relative (../etcd/etcdMembersDown.md)"),
        ("![graph](https://x.example/p.png)", "<https://x.example/p.png|graph>"),
        ("see https://x.example/a_b_c*d and www.example.com.", "see https://x.example/a_b_c*d and www.example.com."),
        ("# Heading", "*Heading*"),
        ("### Heading with **bold** ###", "*Heading with bold*"),
        ("#hashtag", "#hashtag"),
        ("- item", "• item"),
        ("* item", "• item"),
        ("+ item", "• item"),
        ("- a\n  - b\n    - c\n\t- d", "• a\n  • b\n    • c\n    • d"),
        ("1. one\n2. **two**\n   10. ten", "1. one\n2. *two*\n   10. ten"),
        ("> quoted **bold**\n> > twice\n>>- item", "> quoted *bold*\n> > twice\n> > • item"),
        ("---\n* * *", "──────────\n──────────"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("already &amp; &lt;escaped&gt;", "already &amp; &lt;escaped&gt;"),
        (
            "<@U123> <#C123> <#C123|ops> <!here> <!subteam^S1|@sre>",
            "<@U123> <#C123> <#C123|ops> <!here> <!subteam^S1|@sre>",
        ),
        ("<https://x.example> <https://x.example|label>", "<https://x.example> <https://x.example|label>"),
        ("<b>html</b>", "&lt;b&gt;html&lt;/b&gt;"),
        ("`**not bold** <x> & y`", "`**not bold** &lt;x&gt; &amp; y`"),
        ("``a `tick` b``", "``a `tick` b``"),
        ("\\*not italic\\* and \\_x\\_", "*not italic* and _x_"),
        ("snake_case_name and 2 * 3 * 4 and *.log", "snake_case_name and 2 * 3 * 4 and *.log"),
        (
            "```python\nx = a < b and **c**\n# not a heading\n- not a bullet\n```",
            "```\nx = a &lt; b and **c**\n# not a heading\n- not a bullet\n```",
        ),
        ("~~~\ncode\n~~~", "```\ncode\n```"),
        ("1. Run:\n   ```shell\n   kubectl get pods\n     -n x\n   ```", "1. Run:\n```\nkubectl get pods\n  -n x\n```"),
        ("```\nnever closed **x**", "```\nnever closed **x**\n```"),
        ("```one line``` and text", "```one line``` and text"),
        (
            "| a | b |\n|---|:-:|\n| 1 | **2** |\n| `x \\| y` | [l](https://z) |",
            "```\na      b\n-----  -------------\n1      2\nx | y  l (https://z)\n```",
        ),
        ("a | b\n--- | ---\n1 | 2", "```\na  b\n-  -\n1  2\n```"),
        ("not | a table\n---", "not | a table\n──────────"),
        ("line\r\nbreaks\x00", "line\nbreaks"),
        ("", ""),
    ],
)
def test_markdown_to_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert markdown_to_mrkdwn(markdown) == mrkdwn


def test_real_table_becomes_an_aligned_code_block() -> None:
    mrkdwn = markdown_to_mrkdwn(runbook("logging-README.md"))
    assert "|---" not in mrkdwn
    table = next(block for block in code_blocks(mrkdwn) if "pubsub-application-inf" in block)
    lines = table.splitlines()
    assert lines[1].split() == ["Index", "Production", "(gprd)", "Staging", "(gstg)"]
    assert set(lines[2]) == {"-", " "}
    assert lines[3].split() == ["pubsub-application-inf", "7", "days", "6", "days"]
    assert len({line.index("7 days") for line in lines[3:-1]}) == 1  # columns line up


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_real_code_blocks_survive_conversion(path: Path) -> None:
    markdown = path.read_text()
    mrkdwn = markdown_to_mrkdwn(markdown)
    source_blocks = re.findall(r"^ *```[^\n`]*\n(.*?)\n *```$", markdown, re.MULTILINE | re.DOTALL)
    assert source_blocks
    for block in source_blocks:
        if "|" not in block.splitlines()[0]:  # a table inside a fence is still code
            escaped = block.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert "\n".join(line.lstrip() for line in escaped.splitlines()) in "\n".join(
                line.lstrip() for line in mrkdwn.splitlines()
            )
    assert mrkdwn.count("```") % 2 == 0


def test_real_runbook_conversion() -> None:
    mrkdwn = markdown_to_mrkdwn(runbook("KubePersistentVolumeFillingUp.md"))
    assert "*KubePersistentVolumeFillingUp*" in mrkdwn
    assert "\n*Mitigation*\n" in mrkdwn
    assert "• cassandra\n• ceph" in mrkdwn
    assert "*Notice*: some services" in mrkdwn
    assert "$ kubectl -n &lt;my-namespace&gt; edit pvc &lt;my-pvc&gt;" in mrkdwn  # code kept, only escaped
    assert not [line for line in mrkdwn.split("```")[0].splitlines() if line.startswith("#")]


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_split_invariants_on_real_documents(path: Path) -> None:
    markdown = path.read_text()
    for text in (markdown, markdown_to_mrkdwn(markdown)):
        for limit in LIMITS:
            parts = split_for_slack(text, limit)
            assert all(len(part) <= limit for part in parts), limit
            assert all(part.strip() for part in parts), limit
            assert content("\n".join(parts)) == content(text), limit


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_code_blocks_are_cut_only_when_too_long(path: Path) -> None:
    mrkdwn = markdown_to_mrkdwn(path.read_text())
    for limit in (500, 1000, SECTION_LIMIT):
        parts = split_for_slack(mrkdwn, limit)
        for part in parts:
            assert sum(1 for line in part.splitlines() if line.startswith("```")) % 2 == 0  # every fence closed
        for block in code_blocks(mrkdwn):
            if len(block) <= limit:
                assert sum(block in part for part in parts) >= 1, block[:60]


def test_a_code_block_longer_than_a_section_is_closed_and_reopened() -> None:
    mrkdwn = markdown_to_mrkdwn(runbook("gitaly-version-mismatch.md"))
    longest = max(code_blocks(mrkdwn), key=len)
    assert len(longest) > 2 * SECTION_LIMIT
    codes = [part[4 : part.index("\n```")] for part in split_for_slack(mrkdwn) if part.startswith("```\n")]
    pieces = [code for code in codes if code in longest]
    assert len(pieces) == 3  # each closed, the next reopened (the last shares its part with the text after it)
    assert "\n".join(pieces) == longest[4:-4]  # cut between lines: nothing lost or added


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    first, second = "a" * 1500, "b" * 1500
    assert split_for_slack(f"{first}\n\n{second}") == [first, second]
    assert split_for_slack(f"{first}\n\n{'c' * 1400}") == [f"{first}\n\n{'c' * 1400}"]  # fits: untouched
    lines = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    parts = split_for_slack(lines, 1000)
    assert all(part.startswith("line ") and part.endswith("x") for part in parts)
    words = " ".join(["word"] * 2000)
    assert all(part.startswith("word") and part.endswith("word") for part in split_for_slack(words, 100))
    assert split_for_slack("x" * 10_000, 3000) == ["x" * 3000, "x" * 3000, "x" * 3000, "x" * 1000]


def test_split_never_cuts_a_link_or_an_entity() -> None:
    line = " ".join(f"<https://x.example/{n}|link number {n}> &amp;" for n in range(300))
    for part in split_for_slack(line, 64):
        assert part.count("<") == part.count(">")
        assert re.sub(r"&(amp|lt|gt);", "", part).count("&") == 0
    assert split_for_slack("&amp;" * 40, 16)[0] == "&amp;&amp;&amp;"


def test_split_edge_cases() -> None:
    assert split_for_slack("") == []
    assert split_for_slack(" \n\n \n") == []
    assert split_for_slack("  indented\nsecond") == ["  indented\nsecond"]
    with pytest.raises(ValueError):
        split_for_slack("text", 15)


def assert_valid_posts(posts: list[SlackPost], module: str) -> None:
    for post in posts:
        assert 1 <= len(post.blocks) <= MAX_BLOCKS
        assert 0 < len(post.text) <= TEXT_LIMIT
        for block in post.blocks:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= SECTION_LIMIT
                assert block["text"]["type"] == "mrkdwn"
    assert [block["type"] for block in posts[-1].blocks[-2:]] == ["divider", "context"]
    assert module_of(posts[-1].blocks) == module
    assert all(module_of(post.blocks) is None for post in posts[:-1])
    assert all(
        block["type"] == "section" for post in posts for block in post.blocks[: -2 if post is posts[-1] else None]
    )


def test_render_reply_of_a_real_runbook() -> None:
    markdown = runbook("KubePersistentVolumeFillingUp.md")
    posts = render_reply(markdown, module="runbook")
    assert_valid_posts(posts, "runbook")
    assert len(posts) == 1
    assert posts[0].blocks[-1] == {
        "type": "context",
        "elements": [
            {
                "type": "plain_text",
                "text": "Generated by ratchet · runbook · React with :thumbsup: or :thumbsdown:",
                "emoji": True,
            }
        ],
    }
    sections = "\n\n".join(b["text"]["text"] for b in posts[0].blocks if b["type"] == "section")
    assert content(sections) == content(markdown_to_mrkdwn(markdown))
    assert posts[0].text == sections
    assert SlackPost.model_validate_json(posts[0].model_dump_json()) == posts[0]


def test_render_reply_of_100_000_characters() -> None:
    documents = "\n\n".join(path.read_text() for path in RUNBOOKS)
    markdown = (documents * (100_000 // len(documents) + 1))[:100_000]
    posts = render_reply(markdown, module="docrag")
    assert_valid_posts(posts, "docrag")
    sections = [b["text"]["text"] for post in posts for b in post.blocks if b["type"] == "section"]
    assert content("\n".join(sections)) == content(markdown_to_mrkdwn(markdown))
    assert [len(post.blocks) for post in posts] == [len(sections) + 2]
    assert len(posts[0].text) <= TEXT_LIMIT < len("\n\n".join(sections))
    assert posts[0].text.endswith("…")
    assert "\n\n".join(sections).startswith(posts[0].text.removesuffix("…"))


def test_render_reply_spills_into_more_messages() -> None:
    block = "```\n" + "\n".join(f"step {n}: kubectl rollout restart deploy/api-{n}" for n in range(45)) + "\n```"
    assert 2000 < len(block) < SECTION_LIMIT
    posts = render_reply("\n\n".join([block] * 120), module="runbook")
    assert [len(post.blocks) for post in posts] == [50, 50, 20 + 2]
    assert_valid_posts(posts, "runbook")
    posts = render_reply("\n\n".join([block] * 49), module="runbook")  # 49 sections + 2 do not fit one message
    assert [len(post.blocks) for post in posts] == [48, 1 + 2]
    assert_valid_posts(posts, "runbook")
    posts = render_reply("\n\n".join([block] * 48), module="runbook")
    assert [len(post.blocks) for post in posts] == [50]


def test_render_reply_of_nothing_is_just_the_signature() -> None:
    posts = render_reply("  \n", module="report")
    assert len(posts) == 1
    assert [block["type"] for block in posts[0].blocks] == ["divider", "context"]
    assert posts[0].text.startswith(MODULE_SIGNATURE_PREFIX)
    assert module_of(posts[0].blocks) == "report"


@pytest.mark.parametrize("module", ["runbook", "recent_activity", "docs · search", "a&b <c>", "x"])
def test_module_round_trip(module: str) -> None:
    assert module_of(render_reply("hello", module=module)[-1].blocks) == module


def test_module_of_a_message_slack_sent_back_escaped() -> None:
    blocks = render_reply("hello", module="a&b")[-1].blocks
    blocks[-1]["elements"][0]["text"] = blocks[-1]["elements"][0]["text"].replace("&", "&amp;")
    assert module_of(blocks) == "a&b"


@pytest.mark.parametrize("module", ["", " ", " runbook", "runbook\n", "two\nlines", "x" * 101])
def test_bad_module_names(module: str) -> None:
    with pytest.raises(ValueError):
        render_reply("hello", module=module)


@pytest.mark.parametrize(
    "blocks",
    [
        None,
        "context",
        [],
        [None, 1, "x"],
        [{"type": "context"}, {"type": "context", "elements": "x"}, {"type": "context", "elements": [None, 3]}],
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "Generated by someone else"}]}],
        [{"type": "context", "elements": [{"type": "plain_text", "text": MODULE_SIGNATURE_PREFIX + "no suffix"}]}],
        [{"type": "section", "text": {"type": "mrkdwn", "text": MODULE_SIGNATURE_PREFIX + "x · y"}}],
    ],
)
def test_module_of_messages_without_a_signature(blocks: object) -> None:
    assert module_of(blocks) is None  # type: ignore[arg-type]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "line",
    [
        "**x " * 25_000,
        "*x " * 33_000,
        "__x " * 25_000,
        "~~x " * 25_000,
        "[" * 100_000,
        "![" * 50_000,
        "<@" * 50_000,
        "> " * 50_000,
        ">  " * 33_000,
    ],
    ids=lambda line: repr(line[:4]),
)
def test_pathological_lines_take_linear_time(line: str) -> None:
    parts = split_for_slack(markdown_to_mrkdwn(line))
    assert all(len(part) <= SECTION_LIMIT for part in parts)


def test_random_documents_keep_the_split_invariants() -> None:
    rng = random.Random(20240601)
    tokens = ["word", "**bold**", "_it_", "~~x~~", "`code`", "<@U1>", "[l](https://x.example/a_b)", "a<b", "&", "&amp;"]
    tokens += ["\n", "\n\n", "\t", "> ", "\n```\n", "\n   ```sh\n", "\n- item ", "\n# head ", " ", "🔥", "\u200d"]
    tokens += [
        "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "x" * 700,
        "y&amp;" * 200,
        "<https://a.example/p|label with spaces>",
    ]
    tokens += ["\n" + "c" * 2500 + "\n"]
    for _ in range(300):
        markdown = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 400)))
        mrkdwn = markdown_to_mrkdwn(markdown)
        limit = rng.choice(LIMITS)
        parts = split_for_slack(mrkdwn, limit)
        assert all(0 < len(part) <= limit for part in parts)
        assert content("\n".join(parts)) == content(mrkdwn)


EXCERPT = (
    "## Diagnosis\n\nVerify the `config-reloader` logs.\n\n"
    "```shell\n$ kubectl logs sts/alertmanager-main -c config-reloader\n$ kubectl get pods\n```\n\n"
    "## Mitigation\n\nRun [amtool](https://github.com/prometheus/alertmanager#amtool)."
)


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1000, EXCERPT),
        (60, "## Diagnosis\n\nVerify the `config-reloader` logs.\n…"),  # a fence with no room for its code: dropped
        (
            120,
            "## Diagnosis\n\nVerify the `config-reloader` logs.\n\n```shell\n"
            "$ kubectl logs sts/alertmanager-main -c config-reloader\n```\n…",
        ),
        (175, EXCERPT.split("\n\n## Mitigation")[0] + "\n…"),  # a heading with nothing under it is left out
        (20, "Verify the `config-…"),  # not even a line fits: the first line of text, shortened
    ],
)
def test_an_excerpt_cuts_between_lines_and_closes_its_code_block(limit: int, expected: str) -> None:
    cut = excerpt(EXCERPT, limit)
    assert cut == expected
    assert sum(line.startswith("```") for line in cut.splitlines()) % 2 == 0
