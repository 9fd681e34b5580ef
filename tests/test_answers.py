"""What a person is told from the docs, on the real prometheus-operator runbooks and a real Postgres: without an LLM
the best passages as clean mrkdwn or "I don't know" when none is close enough (`abstains`), and how a model's
answer is held to the passages it was given (`ground`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.knowledge.answers import (
    ABSTAIN_BELOW,
    NEEDS_LLM,
    RELEVANCE_WEIGHT,
    DocAnswer,
    Passage,
    Source,
    abstains,
    answer_question,
    ground,
)
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.slack.formatting import markdown_to_mrkdwn
from tests.conftest import DATA

RUNBOOKS = DATA / "docs" / "runbooks-prometheus-operator"
CRASHLOOP = "content/runbooks/kubernetes/KubePodCrashLooping.md"
URL_BASE = "https://github.com/prometheus-operator/runbooks/blob/main/{path}"
CRASHLOOP_URL = URL_BASE.format(path=CRASHLOOP)
ANSWERABLE = "what should I check first when KubePodCrashLooping fires?"
OFF_TOPIC = "who won the football match last night?"


@pytest.fixture
async def indexed(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, tmp_path: Path) -> DocSource:
    source = DocSource(name="runbooks", kind="local", location=str(RUNBOOKS), url_template=URL_BASE)
    report = await refresh_source(pool, local_embeddings, source, tmp_path)
    assert report.error is None and report.added >= 8
    return source


async def test_without_a_model_the_best_passages_are_the_answer(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource
) -> None:
    found = await answer_question(pool, local_embeddings, ANSWERABLE, limit=3)
    assert found.kind == "passages" and not found.abstained and found.note == NEEDS_LLM
    assert len(found.passages) == 3 and found.passages[0].path == CRASHLOOP
    best = found.passages[0]
    assert best.coverage is not None and best.coverage + RELEVANCE_WEIGHT * (best.bm25 or 0) >= ABSTAIN_BELOW
    markdown = found.to_markdown()
    assert markdown.startswith(f"_{NEEDS_LLM}_")
    assert all(f"**[{p.number}]** <{URL_BASE.format(path=p.path)}|" in markdown for p in found.passages)
    assert all(p.content.strip().splitlines()[0] in markdown for p in found.passages)  # the text, not only links
    report = found.report()
    assert (report.answer, report.abstained, report.citations) == (None, False, [])
    assert [(p.path, p.url) for p in report.passages] == [(p.path, p.url) for p in found.passages]
    assert all(p.score is not None and 0 < len(p.snippet) <= 300 for p in report.passages)


@pytest.mark.parametrize(
    "question",
    [
        "alertmanager keeps failing to reload its configuration, what do I run?",
        "how do I debug a crash looping pod?",
        "etcd members are down, what do I check?",
        "the prometheus rules are failing to evaluate",
    ],
)
async def test_passages_reach_slack_as_clean_mrkdwn(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, question: str
) -> None:
    """No Markdown heading, raw link or half a code block is left once the passages are rendered for Slack."""
    found = await answer_question(pool, local_embeddings, question)
    mrkdwn = markdown_to_mrkdwn(found.to_markdown())
    lines = mrkdwn.splitlines()
    assert all(line.strip() == "```" for line in lines if "```" in line), "a code fence is a line of its own"
    fences = [n for n, line in enumerate(lines) if line.strip() == "```"]
    assert found.passages and len(fences) % 2 == 0, "every code block opened is closed"
    in_code = {n for start, end in zip(fences[::2], fences[1::2], strict=True) for n in range(start, end)}
    text = "\n".join(line for n, line in enumerate(lines) if n not in in_code)
    assert not re.search(r"(?:^|\s)#{1,6}\s", text) and "](http" not in text, "no Markdown heading or link is left"


def test_a_passage_keeps_its_headings_code_and_links_readable() -> None:
    content = (
        "## Impact\n\nPods restart.\n\n```bash\nkubectl -n $NAMESPACE logs $POD --previous\n"
        "kubectl -n $NAMESPACE describe pod $POD\n```\n\nSee [Debugging Pods](https://kubernetes.io/docs/debug)."
    )
    passage = Passage(number=1, source="runbooks", path=CRASHLOOP, url=CRASHLOOP_URL, heading="A > B", content=content)
    found = DocAnswer(question="why?", kind="passages", passages=[passage])
    mrkdwn = markdown_to_mrkdwn(found.to_markdown())
    assert mrkdwn.startswith(f"*[1]* <{CRASHLOOP_URL}|A &gt; B> ({CRASHLOOP})\n*Impact*\n\nPods restart.")
    assert "```\nkubectl -n $NAMESPACE logs $POD --previous\nkubectl -n $NAMESPACE describe pod $POD\n```" in mrkdwn
    assert "<https://kubernetes.io/docs/debug|Debugging Pods>" in mrkdwn and "## Impact" not in mrkdwn


async def test_without_a_model_an_off_topic_question_gets_i_dont_know_and_the_closest_passages(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource
) -> None:
    found = await answer_question(pool, local_embeddings, OFF_TOPIC, source="runbooks")
    assert found.abstained and found.passages and abstains(found.passages)
    markdown = found.to_markdown()
    assert markdown.startswith("I don't know: nothing in the docs answers this.")
    assert f"I searched the 'runbooks' documentation for “{OFF_TOPIC}”; closest:" in markdown
    assert all(f"• {p.link}" in markdown for p in found.passages) and NEEDS_LLM not in markdown
    report = found.report()
    assert report.abstained and report.answer is None and report.citations == [] and report.passages


async def test_nothing_found_is_an_i_dont_know(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings) -> None:
    found = await answer_question(pool, local_embeddings, ANSWERABLE, source="nowhere")
    assert found.abstained and not found.passages
    assert found.to_markdown() == (
        f"I don't know: nothing in the docs answers this. I searched the 'nowhere' documentation for “{ANSWERABLE}” "
        "and found no passages."
    )


@pytest.mark.parametrize(
    ("scores", "abstained"),
    [
        ([], True),
        ([(None, None), (None, 0.9)], True),  # read by a tool, not found by search
        ([(0.3, 0.6), (ABSTAIN_BELOW - 0.01, None)], True),
        ([(0.3, 0.6), (0.5, (ABSTAIN_BELOW - 0.5) / RELEVANCE_WEIGHT)], False),
        ([(ABSTAIN_BELOW, None)], False),
    ],
)
def test_abstention_reads_the_best_documents_coverage_and_passage_score(
    scores: list[tuple[float | None, float | None]], abstained: bool
) -> None:
    passages = [Source(source="s", path=f"{n}.md", coverage=c, bm25=b) for n, (c, b) in enumerate(scores)]
    assert abstains(passages) is abstained


PASSAGES = [
    Passage(number=1, source="runbooks", path=CRASHLOOP, url=CRASHLOOP_URL, heading="KubePodCrashLooping > Diagnosis"),
    Passage(number=2, source="sre", path="docs/oncall/escalation.md", url=None, heading="Escalation"),
]


def test_statements_that_cite_no_given_passage_are_left_out() -> None:
    text = (
        f"Check the pod's events first <{CRASHLOOP_URL}#diagnosis|runbook>. Then restart the whole cluster.\n"
        "Escalate to the secondary after 15 minutes (`docs/oncall/escalation.md`). "
        "Page the CTO as well <https://wiki.example/escalation|wiki>."
    )
    kept, cited, left_out = ground(text, PASSAGES)
    assert kept == (
        f"Check the pod's events first <{CRASHLOOP_URL}#diagnosis|runbook>.\n"
        "Escalate to the secondary after 15 minutes (`docs/oncall/escalation.md`)."
    )
    assert (cited, left_out) == ({1, 2}, 2)


@pytest.mark.parametrize(
    "citation",
    [f"<{CRASHLOOP_URL}|runbook>", f"[the runbook]({CRASHLOOP_URL}#impact)", f"{CRASHLOOP_URL}/", f"`{CRASHLOOP}`"],
    ids=["slack-link", "markdown-link", "bare-url", "path"],
)
def test_a_citation_after_the_full_stop_stays_with_its_sentence(citation: str) -> None:
    kept, cited, left_out = ground(f"Look at the previous container's logs. {citation}", PASSAGES)
    assert (kept, cited, left_out) == (f"Look at the previous container's logs. {citation}", {1}, 0)


def test_a_lead_in_and_its_code_block_stand_or_fall_with_what_follows() -> None:
    text = (
        "To see why it crashed:\n```\nkubectl -n $NAMESPACE logs $POD --previous\n```\n"
        f"The previous container's logs say why <{CRASHLOOP_URL}|runbook>.\n\n"
        "*Cleanup*\nDelete the namespace:\n```\nkubectl delete namespace payments\n```\nIt starts over."
    )
    kept, cited, left_out = ground(text, PASSAGES)
    assert kept == (
        "To see why it crashed:\n```\nkubectl -n $NAMESPACE logs $POD --previous\n```\n"
        f"The previous container's logs say why <{CRASHLOOP_URL}|runbook>."
    )
    assert (cited, left_out) == ({1}, 1)


def test_list_items_keep_their_markers_and_uncited_ones_go() -> None:
    text = (
        f"Check these <{CRASHLOOP_URL}|runbook>:\n"
        f"• pod events via `kubectl describe pod` ({CRASHLOOP})\n"
        "• the node's kernel version\n"
        f"  - missing configmaps. Also secrets <{CRASHLOOP_URL}|runbook>."
    )
    kept, _, left_out = ground(text, PASSAGES)
    assert kept == (
        f"Check these <{CRASHLOOP_URL}|runbook>:\n"
        f"• pod events via `kubectl describe pod` ({CRASHLOOP})\n"
        f"  - Also secrets <{CRASHLOOP_URL}|runbook>."
    )
    assert left_out == 2


def test_an_answer_citing_nothing_given_keeps_nothing() -> None:
    kept, cited, left_out = ground(
        "Restart the kubelet <https://wiki.example/kubelet|wiki>. It always works.", PASSAGES
    )
    assert (kept, cited, left_out) == ("", set(), 2)
