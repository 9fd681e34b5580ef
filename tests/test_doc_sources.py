"""Reading documentation sources: real runbooks from a directory, a real git repository and a GitHub stand-in."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ratchet.knowledge.sources import (
    DocSource,
    SourceError,
    load_docs_config,
    read_source,
)
from tests.github_stub import GitHubStub, git_object_id

DOCS = Path(__file__).parent / "data" / "docs"
PROMETHEUS = DOCS / "runbooks-prometheus-operator"
RUNBOOKS = "content/runbooks"
PROMETHEUS_MARKDOWN = [
    "content/runbooks/alertmanager/AlertmanagerFailedReload.md",
    "content/runbooks/etcd/etcdMembersDown.md",
    "content/runbooks/kubernetes/KubeAPIDown.md",
    "content/runbooks/kubernetes/KubeAPIErrorBudgetBurn.md",
    "content/runbooks/kubernetes/KubePodCrashLooping.md",
    "content/runbooks/kubernetes/_index.md",
    "content/runbooks/node/NodeFilesystemSpaceFillingUp.md",
    "content/runbooks/node/NodeHighNumberConntrackEntriesUsed.md",
    "content/runbooks/prometheus/PrometheusRuleFailures.md",
]


def git(cwd: Path, *args: str) -> str:
    """The system git with a fixed identity, for building test repositories."""
    identity = ["-c", "user.name=ratchet tests", "-c", "user.email=tests@ratchet.invalid", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
    return done.stdout


@pytest.fixture
def docs_repo(tmp_path: Path) -> Path:
    """A real git repository (branch main) holding the prometheus-operator runbooks, one commit."""
    repo = tmp_path / "runbooks"
    shutil.copytree(PROMETHEUS, repo)
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "runbooks")
    return repo


# --- local directories -------------------------------------------------------------------------------------------


async def test_local_source_reads_the_selected_files_as_they_are(tmp_path: Path) -> None:
    copy = shutil.copytree(PROMETHEUS, tmp_path / "prometheus")  # in no git checkout, so its files have no web URL
    source = DocSource(name="prometheus", kind="local", location=str(copy), exclude=["SOURCE.md"])
    files = await read_source(source, tmp_path)
    assert [f.path for f in files] == PROMETHEUS_MARKDOWN  # no LICENSE, no extension-less file, no SOURCE.md
    for file in files:
        data = (PROMETHEUS / file.path).read_bytes()
        assert file.content == data.decode()
        assert file.content_hash == hashlib.sha256(data).hexdigest()
        assert file.url is None and file.version is None


@pytest.mark.parametrize(
    ("path", "include", "exclude", "expected"),
    [
        (
            "content/runbooks",
            ["kubernetes/*.md"],
            ["_index.md"],
            ["KubeAPIDown", "KubeAPIErrorBudgetBurn", "KubePodCrashLooping"],
        ),
        ("", ["content/**"], ["*.md"], ["PrometheusOperatorSyncFailed"]),
        (
            "content",
            ["**/*.md"],
            ["runbooks/kubernetes/", "runbooks/etcd", "_index.md"],
            [
                "AlertmanagerFailedReload",
                "NodeFilesystemSpaceFillingUp",
                "NodeHighNumberConntrackEntriesUsed",
                "PrometheusRuleFailures",
            ],
        ),
        (
            "",
            ["**/Kube[A-O]*.md", "**/etcd???????Down.md"],
            [],
            ["etcdMembersDown", "KubeAPIDown", "KubeAPIErrorBudgetBurn"],
        ),
        (
            "content/runbooks/node",
            ["*.md"],
            [],
            ["NodeFilesystemSpaceFillingUp", "NodeHighNumberConntrackEntriesUsed"],
        ),
    ],
)
async def test_local_include_and_exclude_globs(
    tmp_path: Path, path: str, include: list[str], exclude: list[str], expected: list[str]
) -> None:
    source = DocSource(
        name="prometheus", kind="local", location=str(PROMETHEUS), path=path, include=include, exclude=exclude
    )
    files = await read_source(source, tmp_path)
    assert sorted(Path(f.path).stem for f in files) == sorted(expected)
    assert all((PROMETHEUS / path / f.path).is_file() for f in files)  # paths are relative to location + sub-path


async def test_local_url_template_builds_browsable_urls(tmp_path: Path) -> None:
    template = "https://github.com/prometheus-operator/runbooks/blob/main/{path}"
    source = DocSource(name="prometheus", kind="local", location=str(PROMETHEUS), path=RUNBOOKS, url_template=template)
    files = {f.path: f for f in await read_source(source, tmp_path)}
    assert files["kubernetes/KubePodCrashLooping.md"].url == (
        "https://github.com/prometheus-operator/runbooks/blob/main/content/runbooks/kubernetes/KubePodCrashLooping.md"
    )
    prefix = source.model_copy(update={"url_template": "https://runbooks.example.org/src/"})
    assert prefix.file_url("node/NodeFilesystemSpaceFillingUp.md", None) == (
        "https://runbooks.example.org/src/content/runbooks/node/NodeFilesystemSpaceFillingUp.md"
    )


async def test_local_skips_hidden_outside_links_large_and_undecodable_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runbook = (PROMETHEUS / RUNBOOKS / "kubernetes" / "KubePodCrashLooping.md").read_bytes()
    root, outside = tmp_path / "docs", tmp_path / "outside"
    (root / ".github").mkdir(parents=True)
    outside.mkdir()
    (root / "KubePodCrashLooping.md").write_bytes(runbook)
    (root / ".github" / "KubePodCrashLooping.md").write_bytes(runbook)
    (root / ".draft.md").write_bytes(runbook)
    (outside / "secret.md").write_bytes(runbook)
    (root / "secret.md").symlink_to(outside / "secret.md")
    (root / "alias.md").symlink_to(root / "KubePodCrashLooping.md")
    (root / "outside-dir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "huge.md").write_bytes(runbook * (2 * 1024 * 1024 // len(runbook) + 1))
    (root / "latin1.md").write_bytes(
        runbook.replace(b"Pod is in CrashLoop", "Pod est en boucle, arrêté".encode("latin-1"))
    )
    source = DocSource(name="tmp", kind="local", location=str(root))
    with caplog.at_level(logging.WARNING, logger="ratchet.knowledge.sources"):
        files = await read_source(source, tmp_path / "work")
    assert [f.path for f in files] == ["KubePodCrashLooping.md", "alias.md"]
    assert files[0].content == files[1].content == runbook.decode()
    warnings = caplog.text
    assert "secret.md, a link to outside the source" in warnings
    assert "huge.md, larger than 2097152 bytes" in warnings
    assert "latin1.md, which is not UTF-8 text" in warnings


async def test_local_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    source = DocSource(name="gone", kind="local", location=str(tmp_path / "nowhere"))
    with pytest.raises(SourceError, match=r"^source 'gone': .*nowhere is not a directory$"):
        await read_source(source, tmp_path)


# --- git repositories --------------------------------------------------------------------------------------------


async def test_git_source_clones_then_follows_new_commits(tmp_path: Path, docs_repo: Path) -> None:
    workdir = tmp_path / "work"
    source = DocSource(name="runbooks", kind="git", location=docs_repo.as_uri(), path=f"{RUNBOOKS}/kubernetes")
    first = {f.path: f for f in await read_source(source, workdir)}
    assert sorted(first) == ["KubeAPIDown.md", "KubeAPIErrorBudgetBurn.md", "KubePodCrashLooping.md", "_index.md"]
    crash = docs_repo / RUNBOOKS / "kubernetes" / "KubePodCrashLooping.md"
    assert first["KubePodCrashLooping.md"].content == crash.read_text()
    assert first["KubePodCrashLooping.md"].url is None  # a file:// remote has no web page
    assert git(workdir / "runbooks", "rev-parse", "--is-shallow-repository").strip() == "true"

    # Upstream changes one runbook (its Mitigation section gains the etcd runbook's text) and deletes another.
    etcd = (docs_repo / RUNBOOKS / "etcd" / "etcdMembersDown.md").read_text()
    crash.write_text(crash.read_text() + "\n" + etcd.split("## Mitigation", 1)[1])
    (docs_repo / RUNBOOKS / "kubernetes" / "KubeAPIDown.md").unlink()
    git(docs_repo, "commit", "--quiet", "-am", "update runbooks")
    (workdir / "runbooks" / RUNBOOKS / "kubernetes" / "stray.md").write_text("left behind by hand\n")

    second = {f.path: f for f in await read_source(source, workdir)}
    assert sorted(second) == ["KubeAPIErrorBudgetBurn.md", "KubePodCrashLooping.md", "_index.md"]
    assert second["KubePodCrashLooping.md"].content == crash.read_text()
    assert second["KubePodCrashLooping.md"].content_hash != first["KubePodCrashLooping.md"].content_hash
    assert second["_index.md"].content_hash == first["_index.md"].content_hash
    head = git(docs_repo, "rev-parse", "HEAD").strip()
    assert git(workdir / "runbooks", "rev-parse", "HEAD").strip() == head


async def test_git_source_on_a_branch_and_a_moved_location(tmp_path: Path, docs_repo: Path) -> None:
    git(docs_repo, "checkout", "--quiet", "-b", "release")
    (docs_repo / RUNBOOKS / "prometheus" / "PrometheusRuleFailures.md").unlink()
    git(docs_repo, "commit", "--quiet", "-am", "release without PrometheusRuleFailures")
    git(docs_repo, "checkout", "--quiet", "main")
    workdir = tmp_path / "work"
    source = DocSource(name="runbooks", kind="git", location=docs_repo.as_uri(), branch="release", path=RUNBOOKS)
    on_release = {f.path for f in await read_source(source, workdir)}
    assert "prometheus/PrometheusRuleFailures.md" not in on_release and "etcd/etcdMembersDown.md" in on_release

    moved = tmp_path / "moved.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(docs_repo), str(moved))
    elsewhere = source.model_copy(update={"location": str(moved), "branch": None})
    on_main = {f.path for f in await read_source(elsewhere, workdir)}  # the old clone is replaced, not fetched into
    assert "prometheus/PrometheusRuleFailures.md" in on_main
    assert git(workdir / "runbooks", "config", "--get", "remote.origin.url").strip() == str(moved)


async def test_git_errors_are_one_clear_line(tmp_path: Path, docs_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = DocSource(name="missing", kind="git", location=(tmp_path / "missing.git").as_uri())
    with pytest.raises(SourceError, match=r"^source 'missing': git clone failed: fatal: .*missing\.git") as caught:
        await read_source(missing, tmp_path / "work")
    assert "\n" not in str(caught.value)

    no_branch = DocSource(name="runbooks", kind="git", location=docs_repo.as_uri(), branch="no-such-branch")
    with pytest.raises(SourceError, match=r"git clone failed: .*no-such-branch"):
        await read_source(no_branch, tmp_path / "work")

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(SourceError, match=r"^source 'missing': git is not installed"):
        await read_source(missing, tmp_path / "work")


async def test_git_never_hangs_on_a_silent_server(tmp_path: Path) -> None:
    """A git daemon that accepts the connection and never answers: the clone is stopped at the timeout."""
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source = DocSource(name="silent", kind="git", location=f"git://127.0.0.1:{port}/runbooks.git")
    started = time.monotonic()
    try:
        with pytest.raises(SourceError, match=r"^source 'silent': git clone timed out after 1 s$"):
            await read_source(source, tmp_path / "work", timeout=1)
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()
    assert time.monotonic() - started < 5
    assert connections  # git did connect: it was the wait that was cut short


# --- GitHub ------------------------------------------------------------------------------------------------------


@pytest.fixture
async def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[GitHubStub]:
    """The stand-in serving a copy of the runbooks as prometheus-operator/runbooks, token required."""
    root = tmp_path / "github-repo"
    shutil.copytree(PROMETHEUS, root)
    async with GitHubStub("prometheus-operator", "runbooks", root, token="ghp_test") as stub:
        monkeypatch.setenv("DOCS_TOKEN", "ghp_test")
        yield stub


def github_source(**changes: object) -> DocSource:
    fields = {
        "name": "runbooks",
        "kind": "github",
        "location": "prometheus-operator/runbooks",
        "token_env": "DOCS_TOKEN",
    }
    return DocSource.model_validate({**fields, "path": RUNBOOKS, "exclude": ["_index.md"], **changes})


async def test_github_source_reads_blobs_and_waits_out_a_rate_limit(tmp_path: Path, github: GitHubStub) -> None:
    github.rate_limited = 1  # the first request gets GitHub's 403 "API rate limit exceeded"
    started = time.monotonic()
    files = await read_source(github_source(), tmp_path, github_api_url=github.url)
    assert time.monotonic() - started < 5
    expected = sorted(p.removeprefix(f"{RUNBOOKS}/") for p in PROMETHEUS_MARKDOWN if not p.endswith("_index.md"))
    assert [f.path for f in files] == expected
    for file in files:
        data = (github.root / RUNBOOKS / file.path).read_bytes()
        assert file.content == data.decode()
        assert file.content_hash == hashlib.sha256(data).hexdigest()
        assert file.version == git_object_id("blob", data)
        assert file.url == f"https://github.com/prometheus-operator/runbooks/blob/main/{RUNBOOKS}/{file.path}"
    assert github.requests[:2] == ["/repos/prometheus-operator/runbooks"] * 2  # refused once, then served
    assert github.requests[2] == "/repos/prometheus-operator/runbooks/git/trees/main?recursive=1"
    assert sum("/git/blobs/" in r for r in github.requests) == len(files)


async def test_github_source_downloads_only_changed_blobs(tmp_path: Path, github: GitHubStub) -> None:
    source = github_source(branch="main")
    first = await read_source(source, tmp_path, github_api_url=github.url)
    changed = github.root / RUNBOOKS / "kubernetes" / "KubeAPIDown.md"
    changed.write_text(changed.read_text().replace("for more than 15 minutes", "for more than 5 minutes"))
    github.requests.clear()

    second = {
        f.path: f
        for f in await read_source(
            source, tmp_path, known={f.path: f.version for f in first}, github_api_url=github.url
        )
    }
    assert github.requests[0] == "/repos/prometheus-operator/runbooks/git/trees/main?recursive=1"  # branch given
    blob_requests = [r for r in github.requests if "/git/blobs/" in r]
    assert blob_requests == [
        f"/repos/prometheus-operator/runbooks/git/blobs/{git_object_id('blob', changed.read_bytes())}"
    ]
    assert "for more than 5 minutes" in (second["kubernetes/KubeAPIDown.md"].content or "")
    unchanged = second["kubernetes/KubePodCrashLooping.md"]
    assert unchanged.content is None and unchanged.content_hash is None
    assert unchanged.version == next(f.version for f in first if f.path == unchanged.path)
    assert unchanged.url is not None


async def test_github_errors_are_one_clear_line(
    tmp_path: Path, github: GitHubStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCS_TOKEN", "ghp_wrong")
    with pytest.raises(SourceError, match=r"^source 'runbooks': GitHub rejected the token in \$DOCS_TOKEN \(401 Bad"):
        await read_source(github_source(), tmp_path, github_api_url=github.url)

    monkeypatch.delenv("DOCS_TOKEN")
    with pytest.raises(SourceError, match=r"404 Not Found\); for a private repository set \$DOCS_TOKEN$"):
        await read_source(github_source(), tmp_path, github_api_url=github.url)

    monkeypatch.setenv("DOCS_TOKEN", "ghp_test")
    with pytest.raises(SourceError, match=r"GitHub has no /repos/prometheus-operator/runbooks/git/trees/gh-pages "):
        await read_source(github_source(branch="gh-pages"), tmp_path, github_api_url=github.url)

    github.rate_limited, github.reset_after = 1, 3600  # an hour is longer than ratchet waits
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"^source 'runbooks': GitHub rate limit exceeded, it resets in 3[56]\d\d s$"):
        await read_source(github_source(), tmp_path, github_api_url=github.url)
    assert time.monotonic() - started < 2

    with pytest.raises(SourceError, match=r"^source 'runbooks': GitHub API at http://127.0.0.1:9 failed: ConnectError"):
        await read_source(github_source(), tmp_path, github_api_url="http://127.0.0.1:9")  # the discard port


# --- configuration -----------------------------------------------------------------------------------------------


def test_docs_config_with_every_kind(tmp_path: Path) -> None:
    config = tmp_path / "docs.yaml"
    config.write_text(
        f"""
sources:
  - name: team-runbooks
    kind: local
    location: {PROMETHEUS}
    path: content/runbooks
    exclude: [_index.md]
  - name: gitlab
    kind: git
    location: https://gitlab.com/gitlab-com/runbooks.git
    branch: master
    include: ["docs/**/*.md"]
  - name: pagerduty
    kind: github
    location: PagerDuty/incident-response-docs
    path: docs
"""
    )
    local, gitlab, pagerduty = load_docs_config(config).sources
    assert (local.kind, local.path, local.exclude, local.include) == (
        "local",
        RUNBOOKS,
        ["_index.md"],
        ["**/*.md", "**/*.markdown", "**/*.txt"],
    )
    assert gitlab.file_url("docs/patroni/patroni-management.md", "master") == (
        "https://gitlab.com/gitlab-com/runbooks/-/blob/master/docs/patroni/patroni-management.md"
    )
    assert pagerduty.file_url("before/severity_levels.md", "main") == (
        "https://github.com/PagerDuty/incident-response-docs/blob/main/docs/before/severity_levels.md"
    )
    assert pagerduty.token_env == "GITHUB_TOKEN" and pagerduty.branch is None
    empty = tmp_path / "empty.yaml"
    empty.write_text("# no sources yet\n")
    assert load_docs_config(empty).sources == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "sources:\n  - name: Runbooks\n    kind: local\n    location: /srv/docs\n",
            "sources[0].name: expected lower-case letters",
        ),
        (
            "sources:\n  - name: a\n    kind: svn\n    location: x\n",
            "sources[0].kind: Input should be 'local', 'git' or 'github'",
        ),
        (
            "sources:\n  - name: a\n    kind: github\n    location: https://github.com/o/r\n",
            "sources[0]: location of a github source must be owner/repo",
        ),
        (
            "sources:\n  - name: a\n    kind: git\n    location: /srv/docs\n",
            "sources[0]: location of a git source must be a git URL",
        ),
        (
            "sources:\n  - {name: a, kind: local, location: /x}\n  - {name: a, kind: local, location: /y}\n",
            "sources: two sources are named 'a'",
        ),
        (
            "sources:\n  - {name: a, kind: local, location: /x, branh: main}\n",
            "sources[0].branh: Extra inputs are not permitted",
        ),
        (
            "sources:\n  - {name: a, kind: local, location: /x, path: ../etc}\n",
            "sources[0].path: expected a relative path",
        ),
        (
            "sources:\n  - {name: a, kind: local, location: /x, url_template: 'https://x/{branch}/{path}'}\n",
            "sources[0]: url_template of a local source may only use {path}",
        ),
        (
            "sources:\n  - {name: a, kind: git, location: 'git@github.com:o/r.git', branch: '-x'}\n",
            "sources[0].branch: expected a git branch name",
        ),
        ("sources:\n  - {name: a, kind: local}\n", "sources[0].location: Field required"),
        ("sources:\n  - {name: a, kind: local, location: /x, include: []}\n", "sources[0]: include lists no pattern"),
        ("sources: [\n", "invalid YAML at line 2, column 1: expected the node content"),
        ("- name: a\n", "expected a mapping with a 'sources' list, got a list"),
        (
            "sources:\n  - name: Bad\n    kind: nope\n",
            "sources[0].name: expected lower-case letters, digits, '-' and '_', a letter or digit first, got 'Bad' "
            "(and 2 more problems)",
        ),
    ],
)
def test_docs_config_problems_are_one_line_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    config = tmp_path / "docs.yaml"
    config.write_text(text)
    with pytest.raises(ValueError) as caught:
        load_docs_config(config)
    message = str(caught.value)
    assert message.startswith(f"{config}: ") and problem in message
    assert "\n" not in message


def test_docs_config_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nope\.yaml: cannot read the docs config: No such file or directory$"):
        load_docs_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("location", "kind", "name"),
    [
        ("prometheus-operator/runbooks", "github", "runbooks"),
        ("PagerDuty/incident-response-docs.git", "github", "incident-response-docs"),
        ("https://gitlab.com/gitlab-com/runbooks.git", "git", "runbooks"),
        ("git@github.com:PagerDuty/incident-response-docs.git", "git", "incident-response-docs"),
        ("ssh://git@git.example.com:2222/ops/Runbooks", "git", "runbooks"),
        ("file:///srv/git/team_docs.git", "git", "team_docs"),
        ("/srv/git/ops.docs.git", "git", "ops-docs"),
    ],
)
def test_from_location_guesses_the_kind(location: str, kind: str, name: str) -> None:
    source = DocSource.from_location(location)
    assert (source.kind, source.name) == (kind, name)
    assert source.location == location.removesuffix(".git") if kind == "github" else location


def test_from_location_of_a_directory_and_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DOCS)
    local = DocSource.from_location("runbooks-prometheus-operator/content")  # an existing directory wins
    assert (local.kind, local.name, local.location) == ("local", "content", str(PROMETHEUS / "content"))
    assert DocSource.from_location(str(PROMETHEUS), name="prom").name == "prom"
    with pytest.raises(ValueError, match=r"^cannot tell what 'not a source' is"):
        DocSource.from_location("not a source")
    with pytest.raises(ValueError, match=r"^name: expected lower-case letters"):
        DocSource.from_location("prometheus-operator/runbooks", name="Prometheus Runbooks")


def test_default_urls_of_git_remotes() -> None:
    def url(location: str) -> str | None:
        return DocSource(name="d", kind="git", location=location, path="docs").file_url("a b/c.md", "main")

    assert (
        url("https://github.com/gitlab-com/runbooks.git")
        == "https://github.com/gitlab-com/runbooks/blob/main/docs/a%20b/c.md"
    )
    assert url("git@gitlab.com:gitlab-com/gl-infra/runbooks.git") == (
        "https://gitlab.com/gitlab-com/gl-infra/runbooks/-/blob/main/docs/a%20b/c.md"
    )
    assert url("https://git.example.com/ops/runbooks.git") is None
    custom = DocSource(
        name="d",
        kind="git",
        location="https://git.example.com/ops/runbooks.git",
        url_template="https://git.example.com/{owner}/{repo}/src/{branch}/{path}",
    )
    assert custom.file_url("x.md", "main") == "https://git.example.com/ops/runbooks/src/main/x.md"


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("*.md", ["a.md", "x/y/a.md"], ["a.mdx", "a.txt"]),
        ("/*.md", ["a.md"], ["x/a.md"]),
        ("docs/*.md", ["docs/a.md"], ["x/docs/a.md", "docs/x/a.md"]),
        ("docs/**/*.md", ["docs/a.md", "docs/x/y/a.md"], ["a.md", "x/docs/a.md"]),
        ("**/runbooks/**", ["runbooks/a.md", "x/runbooks/y/a.md"], ["runbooks.md"]),
        ("drafts/", ["drafts/a.md", "x/drafts/y/a.md"], ["drafts.md"]),
        ("Kube?PI*.md", ["x/KubeAPIDown.md"], ["x/KubeAPIDown.txt", "KubeAAPIDown.md"]),
        ("[!_]*.md", ["KubeAPIDown.md"], ["_index.md"]),
    ],
)
def test_glob_semantics(pattern: str, matches: list[str], misses: list[str]) -> None:
    source = DocSource(name="d", kind="local", location="/docs", include=[pattern])
    assert [p for p in matches if source.selects(p)] == matches
    assert [p for p in misses if source.selects(p)] == []
    excluding = DocSource(name="d", kind="local", location="/docs", include=["**"], exclude=[pattern])
    assert [p for p in matches if excluding.selects(p)] == []
    assert not source.selects(".github/" + matches[0]) and not excluding.selects(".hidden.md")
