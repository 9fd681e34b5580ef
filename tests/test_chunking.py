"""Chunking real runbooks and incident-response docs (tests/data/docs, see each folder's SOURCE.md)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from ratchet.knowledge.chunking import Chunk, ChunkedDocument, chunk_document, split_front_matter

DOCS = Path(__file__).parent / "data" / "docs"
RUNBOOKS = DOCS / "runbooks-prometheus-operator" / "content" / "runbooks"
GITLAB = DOCS / "gitlab-com-runbooks" / "docs"
PAGERDUTY = DOCS / "pagerduty-incident-response" / "docs"
DOCUMENTS = sorted(p for p in DOCS.rglob("*") if p.is_file() and p.name != "SOURCE.md")  # LICENSEs are the .txt
FENCE = re.compile(r"^\s*```")
ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


def chunk(path: Path, **options: int) -> ChunkedDocument:
    name = path.relative_to(DOCS).as_posix()
    return chunk_document(path.read_text(), path=name + (".txt" if path.name == "LICENSE" else ""), **options)


def doc_id(path: Path) -> str:
    return path.relative_to(DOCS).as_posix()


def outside_fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is Markdown text rather than a fence line or code."""
    result, inside = [], False
    for line in lines:
        if FENCE.match(line):
            inside = not inside
            result.append(False)
        else:
            result.append(not inside)
    return result


def fenced_blocks(text: str) -> list[str]:
    blocks, current = [], None
    for line in text.split("\n"):
        if current is None and FENCE.match(line):
            current = [line]
        elif current is not None:
            current.append(line)
            if FENCE.match(line):
                blocks.append("\n".join(current))
                current = None
    return blocks


def body_text(path: Path) -> str:
    """The document as chunks must cover it: no front matter, no heading lines (none of these docs uses setext)."""
    text = path.read_text()
    if path.name == "LICENSE":
        return text
    lines = split_front_matter(text)[1].split("\n")
    return "\n".join(
        line for line, text in zip(lines, outside_fences(lines), strict=True) if not (text and ATX.match(line))
    )


def is_subsequence(needle: str, haystack: str) -> bool:
    characters = iter(haystack)
    return all(c in characters for c in needle)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("options", [{}, {"max_chars": 500, "overlap": 100}, {"max_chars": 300, "overlap": 0}])
@pytest.mark.parametrize("path", DOCUMENTS, ids=doc_id)
def test_invariants_on_every_real_document(path: Path, options: dict[str, int]) -> None:
    max_chars = options.get("max_chars", 1800)
    document = chunk(path, **options)
    chunks = document.chunks
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(c.content.strip() and c.content == c.content.strip("\n") for c in chunks)

    # Every non-whitespace character of the body lands in a chunk, in order (overlap and merged headings add some).
    assert is_subsequence(squeeze(body_text(path)), squeeze("".join(c.content for c in chunks)))

    # Code fences are never cut: every block is whole in one chunk, every chunk's fences pair up.
    for block in fenced_blocks(body_text(path)):
        assert any(block in c.content for c in chunks), block[:80]
    for c in chunks:
        assert sum(bool(FENCE.match(line)) for line in c.content.split("\n")) % 2 == 0, c.heading

    # Only a chunk that is one code block longer than the limit may exceed it.
    for c in chunks:
        if len(c.content) > max_chars:
            assert fenced_blocks(c.content) == [c.content], c.heading

    # A chunk does not repeat its own heading.
    for c in chunks:
        own = c.heading.rsplit(" > ", 1)[-1]
        assert not any(ATX.match(line) and line.lstrip("# ").strip() == own for line in c.content.split("\n")[:1])

    assert chunk(path, **options) == document  # deterministic


def test_kube_pod_crash_looping_sections() -> None:
    document = chunk(RUNBOOKS / "kubernetes" / "KubePodCrashLooping.md")
    assert document.title == "Kube Pod Crash Looping"
    assert document.metadata == {"title": "Kube Pod Crash Looping", "weight": 20}
    assert [c.heading for c in document.chunks] == [
        "KubePodCrashLooping > Meaning",
        "KubePodCrashLooping > Impact",
        "KubePodCrashLooping > Diagnosis",
        "KubePodCrashLooping > Mitigation",
    ]
    meaning, _, diagnosis, mitigation = document.chunks
    assert meaning.content.startswith("Pod is in CrashLoop which means the app dies")
    assert diagnosis.content.startswith("- Check template via `kubectl -n $NAMESPACE get pod $POD`.")
    assert "Other things to check:" in diagnosis.content and "(for example WORKDIR from Docerkfile" in diagnosis.content
    assert mitigation.content.endswith("debug-application/#debugging-pods)")
    assert not any("#" in c.content.split("\n")[0] for c in document.chunks)


def test_kube_api_error_budget_burn_nested_headings_and_promql() -> None:
    document = chunk(RUNBOOKS / "kubernetes" / "KubeAPIErrorBudgetBurn.md")
    headings = [c.heading for c in document.chunks]
    runbook = "KubeAPIErrorBudgetBurn > Runbook"
    assert headings[:4] == [
        "KubeAPIErrorBudgetBurn > Impact",
        "KubeAPIErrorBudgetBurn > Critical",
        "KubeAPIErrorBudgetBurn > Warning",
        runbook,
    ]
    assert f"{runbook} > Example Queries for slow requests > Slow Read Requests" in headings
    assert headings[-1] == f"{runbook} > Example Queries for slow requests > Slow Write Requests"
    writes = document.chunks[-1].content  # a PromQL block whose lone `-` lines are not setext underlines
    assert writes.startswith("```promql\n(\nsum(rate(apiserver_request_duration_seconds_count") and "\n-\n" in writes


def test_comment_lines_inside_fences_are_not_headings() -> None:
    document = chunk(RUNBOOKS / "node" / "NodeFilesystemSpaceFillingUp.md")
    assert [c.heading.split(" > ")[-1] for c in document.chunks] == ["Meaning", "Impact", "Diagnosis", "Mitigation"]
    assert "```shell\n# TODO: Command needed\n```" in document.chunks[-1].content
    assert "<details>\n<summary>Full context</summary>" in document.chunks[0].content


def test_dashes_and_yaml_documents_inside_fences_are_not_setext_headings() -> None:
    apdex = chunk(GITLAB / "monitoring" / "definition-service-apdex.md")
    assert apdex.title == "Service Apdex"
    assert [c.heading for c in apdex.chunks] == [
        "Service Apdex",
        "Service Apdex > Determining Apdex",
        "Service Apdex > Service Apdex Definitions",
    ]
    assert "(satisfied requests) + (tolerated requests)/2\n---------------------------------------------\n" in (
        apdex.chunks[0].content
    )
    chef = chunk(GITLAB / "config_management" / "chef-workflow.md")
    kitchen = next(c for c in chef.chunks if "```yaml\n---\ndriver:\n  name: vagrant" in c.content)
    assert kitchen.heading.split(" > ")[-1] != "---"


def test_small_sections_merge_under_their_parent_heading() -> None:
    document = chunk(RUNBOOKS / "prometheus" / "PrometheusRuleFailures.md")
    meaning, rest = document.chunks
    assert meaning.heading == "PrometheusRuleFailures > Meaning"  # 94 characters: large enough alone
    assert rest.heading == "PrometheusRuleFailures"
    assert rest.content.startswith("## Impact\n\nMetrics and alerts may be missing or inaccurate.\n\n## Diagnosis\n\n")
    assert rest.content.endswith(
        "debug expression issues.\n\n## Mitigation\n\nFix rules."
    )  # last and small: merged back


def test_front_matter_only_index_and_file_without_extension() -> None:
    index = chunk(RUNBOOKS / "kubernetes" / "_index.md")
    assert index == ChunkedDocument(
        "kubernetes", {"title": "kubernetes", "bookCollapseSection": True, "bookFlatSection": True, "weight": 10}, []
    )
    no_extension = chunk(RUNBOOKS / "prometheus-operator" / "PrometheusOperatorSyncFailed")
    assert no_extension.title == "PrometheusOperatorSyncFailed" and no_extension.metadata == {}
    assert no_extension.chunks[0] == Chunk(
        0,
        "PrometheusOperatorSyncFailed > Meaning",
        "There were problems with Prometheus components synchronization that is usually done by prometheus-operator.",
    )


def test_a_code_block_longer_than_a_chunk_stays_whole() -> None:
    document = chunk(GITLAB / "version" / "gitaly-version-mismatch.md")
    assert document.title == "Gitaly version mismatch"
    long = [c for c in document.chunks if len(c.content) > 1800]
    assert len(long) == 1 and len(long[0].content) > 7000
    assert long[0].content.startswith("```\nroot@file-praefect-02-stor-gprd") and long[0].content.endswith("\n```")
    assert long[0].heading == "Gitaly version mismatch > Known scenarios > Race condition during upgrade"
    index = long[0].index
    assert document.chunks[index - 1].content.endswith("Example process tree:")
    assert document.chunks[index + 1].content.startswith("Example incident: https://gitlab.com/")  # no code carried


def test_long_sections_split_on_paragraphs_with_overlap() -> None:
    document = chunk(PAGERDUTY / "training" / "incident_commander.md", max_chars=600, overlap=150)
    assert document.title == "incident_commander"  # no title in the front matter, no `#` heading
    assert document.metadata["description"].startswith("So you want to be an incident commander?")
    assert document.chunks[0].heading == ""  # the introduction before the first heading
    carried = 0
    for before, after in zip(document.chunks, document.chunks[1:], strict=False):
        assert len(before.content) <= 600
        first_paragraph = after.content.split("\n\n")[0]
        if before.heading == after.heading and before.content.endswith(first_paragraph):
            assert len(first_paragraph) <= 150
            carried += 1
    assert carried >= 10
    assert all(c.heading == "Examples From Pop Culture" for c in document.chunks[-3:])  # `---` breaks: no headings
    assert any("\n\n---\n\n" in c.content for c in document.chunks[-3:])


def test_html_tables_and_admonitions_split_into_lines() -> None:
    document = chunk(PAGERDUTY / "before" / "severity_levels.md")
    assert document.title == "severity_levels"
    assert document.metadata["cover"] == "assets/img/covers/severity_levels.png"
    table = [c for c in document.chunks if "<td" in c.content]
    assert len(table) >= 2 and all(len(c.content) <= 1800 for c in table)
    assert '!!! tip "Always Assume The Worst"' in document.chunks[0].content


def test_setext_headings_chunk_like_atx_headings() -> None:
    text = (RUNBOOKS / "kubernetes" / "KubePodCrashLooping.md").read_text()
    setext = re.sub(r"^# (.+)$", lambda m: f"{m[1]}\n{'=' * len(m[1])}", text, flags=re.MULTILINE)
    setext = re.sub(r"^## (.+)$", lambda m: f"{m[1]}\n{'-' * len(m[1])}", setext, flags=re.MULTILINE)
    assert "Diagnosis\n---------\n" in setext
    path = "content/runbooks/kubernetes/KubePodCrashLooping.md"
    assert chunk_document(setext, path=path) == chunk_document(text, path=path)
    assert chunk_document(text.replace("\n", "\r\n"), path=path) == chunk_document(text, path=path)


def test_txt_files_split_on_blank_lines_only() -> None:
    text = (RUNBOOKS / "kubernetes" / "KubePodCrashLooping.md").read_text()
    document = chunk_document(text, path="KubePodCrashLooping.txt", max_chars=400, overlap=0)
    assert document.title == "KubePodCrashLooping" and document.metadata == {}
    assert {c.heading for c in document.chunks} == {""}
    assert document.chunks[0].content.startswith("---\ntitle: Kube Pod Crash Looping")  # not front matter here
    assert any("## Diagnosis" in c.content for c in document.chunks)
    apache = chunk(DOCS / "runbooks-prometheus-operator" / "LICENSE", max_chars=1000, overlap=0)
    assert apache.title == "LICENSE"
    assert apache.chunks[0].content.startswith("Apache License")
    assert all(len(c.content) <= 1000 for c in apache.chunks)


def test_front_matter_problems_leave_the_text_alone(caplog: pytest.LogCaptureFixture) -> None:
    text = (RUNBOOKS / "kubernetes" / "KubeAPIDown.md").read_text()
    assert split_front_matter(text) == ({"title": "Kube API Down", "weight": 20}, text.split("---\n", 2)[2])
    broken = text.replace("title: Kube API Down", "title: [Kube API Down")
    with caplog.at_level(logging.WARNING, logger="ratchet.knowledge.chunking"):
        assert split_front_matter(broken) == ({}, broken)
    assert "ignoring malformed YAML front matter" in caplog.text
    listed = text.replace("title: Kube API Down\nweight: 20", "- Kube API Down\n- 20")
    assert split_front_matter(listed) == ({}, listed)
    unclosed = text.replace("weight: 20\n---\n", "weight: 20\n")
    assert split_front_matter(unclosed) == ({}, unclosed)
    dated = text.replace("weight: 20", "date: 2024-10-03")
    assert split_front_matter(dated)[0] == {"title": "Kube API Down", "date": "2024-10-03"}
    document = chunk_document(broken, path="KubeAPIDown.md")  # read as Markdown: a break and a setext heading
    assert (document.title, document.metadata) == ("KubeAPIDown", {})
    assert [c.heading for c in document.chunks[1:]] == [
        f"KubeAPIDown > {h}" for h in ("Impact", "Diagnosis", "Mitigation")
    ]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document("text", path="a.md", max_chars=0)
    with pytest.raises(ValueError, match="overlap"):
        chunk_document("text", path="a.md", max_chars=100, overlap=60)
