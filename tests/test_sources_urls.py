"""Where a documentation file is on the web: a local directory in a git checkout is linked where its `origin` (GitHub
or GitLab) shows it at the checked-out branch, any source by its `url_template`; so an alert's runbook is posted as a
link. And `ratchet docs add` keeps a name to its location unless told to replace it, and `ratchet doctor` counts the
sources it added. Real git repositories (their remotes set, never contacted), the real command, a real Postgres."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ratchet.demo import DEMO_DATA
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource, read_source, web_blob_template
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.helpers import ratchet_cli
from tests.slack_thread import Thread
from tests.test_doc_sources import DOCS, PROMETHEUS, RUNBOOKS, git

CRASHLOOP = "kubernetes/KubePodCrashLooping.md"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of the prometheus-operator runbooks as a person has it: branch main, origin on GitHub."""
    repo = Path(shutil.copytree(PROMETHEUS, tmp_path / "runbooks"))
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "runbooks")
    git(repo, "remote", "add", "origin", "git@github.com:acme/runbooks.git")
    return repo


async def crashloop_url(source: DocSource, tmp_path: Path) -> str | None:
    files = {file.path: file for file in await read_source(source, tmp_path / "work")}
    return files[CRASHLOOP].url


@pytest.mark.parametrize(
    ("remote", "web"),
    [
        ("git@github.com:acme/runbooks.git", "https://github.com/acme/runbooks/blob/main"),
        ("https://github.com/acme/runbooks", "https://github.com/acme/runbooks/blob/main"),
        ("ssh://git@gitlab.com/acme/ops/runbooks.git", "https://gitlab.com/acme/ops/runbooks/-/blob/main"),
        (
            "https://oauth2:glpat-x1y2@gitlab.example.com/acme/runbooks.git",
            "https://gitlab.example.com/acme/runbooks/-/blob/main",
        ),
    ],
)
async def test_a_local_checkout_links_its_files_where_its_remote_shows_them(
    checkout: Path, tmp_path: Path, remote: str, web: str
) -> None:
    git(checkout, "remote", "set-url", "origin", remote)
    source = DocSource(name="runbooks", kind="local", location=str(checkout / "content"), path="runbooks")
    assert await crashloop_url(source, tmp_path) == f"{web}/{RUNBOOKS}/{CRASHLOOP}"


async def test_the_checked_out_branch_or_a_detached_commit(checkout: Path, tmp_path: Path) -> None:
    source = DocSource(name="runbooks", kind="local", location=str(checkout), path=RUNBOOKS)
    git(checkout, "checkout", "--quiet", "-b", "docs/next")
    assert await crashloop_url(source, tmp_path) == (
        f"https://github.com/acme/runbooks/blob/docs/next/{RUNBOOKS}/{CRASHLOOP}"
    )
    commit = git(checkout, "rev-parse", "HEAD").strip()
    git(checkout, "checkout", "--quiet", "--detach")
    assert (
        await crashloop_url(source, tmp_path)
        == f"https://github.com/acme/runbooks/blob/{commit}/{RUNBOOKS}/{CRASHLOOP}"
    )


async def test_no_url_where_no_web_page_is_known(checkout: Path, tmp_path: Path) -> None:
    source = DocSource(name="runbooks", kind="local", location=str(checkout), path=RUNBOOKS)
    git(checkout, "remote", "set-url", "origin", "https://git.example.com/acme/runbooks.git")
    assert await crashloop_url(source, tmp_path) is None, "a host of unknown kind"
    git(checkout, "remote", "remove", "origin")
    assert await crashloop_url(source, tmp_path) is None, "no origin"
    shutil.rmtree(checkout / ".git")
    assert await crashloop_url(source, tmp_path) is None, "no checkout"


async def test_a_url_template_wins_and_the_older_url_base_still_reads(checkout: Path, tmp_path: Path) -> None:
    wiki = "https://wiki.example.com/{path}"
    source = DocSource(name="runbooks", kind="local", location=str(checkout), path=RUNBOOKS, url_template=wiki)
    assert await crashloop_url(source, tmp_path) == f"https://wiki.example.com/{RUNBOOKS}/{CRASHLOOP}"
    stored = {**source.model_dump(mode="json", exclude={"url_template"}), "url_base": wiki}  # a source saved before
    assert DocSource.model_validate(stored) == source


@pytest.mark.parametrize(
    ("remote", "template"),
    [
        ("https://github.com/acme/runbooks.git", "https://github.com/acme/runbooks/blob/{branch}/{path}"),
        ("ssh://git@github.com/acme/runbooks.git", "https://github.com/acme/runbooks/blob/{branch}/{path}"),
        ("git@github.example.com:acme/runbooks.git", "https://github.example.com/acme/runbooks/blob/{branch}/{path}"),
        ("https://gitlab.com/acme/ops/runbooks.git", "https://gitlab.com/acme/ops/runbooks/-/blob/{branch}/{path}"),
        (
            "ssh://git@gitlab.example.com:2222/acme/runbooks.git",
            "https://gitlab.example.com/acme/runbooks/-/blob/{branch}/{path}",
        ),
        (
            "https://gitlab.example.com:8443/acme/runbooks",
            "https://gitlab.example.com:8443/acme/runbooks/-/blob/{branch}/{path}",
        ),
        ("http://gitlab.lan/acme/runbooks.git", "http://gitlab.lan/acme/runbooks/-/blob/{branch}/{path}"),
        ("https://git.example.com/acme/runbooks.git", None),
        ("https://github.com/acme", None),
        ("https://github.com:x/acme/runbooks", None),
        ("file:///srv/git/runbooks.git", None),
        ("/srv/git/runbooks.git", None),
    ],
)
def test_web_blob_templates_of_remotes(remote: str, template: str | None) -> None:
    assert web_blob_template(remote) == template


async def test_an_alerts_runbook_from_a_checkout_is_posted_as_its_link(
    runtime: Runtime, sim: SlackSimulator, checkout: Path, tmp_path: Path
) -> None:
    source = DocSource.from_location(str(checkout / RUNBOOKS), name="runbooks")
    report = await refresh_source(runtime.pool, runtime.embeddings, source, tmp_path / "work")
    assert report.error is None and report.added >= 7
    notification = json.loads((DEMO_DATA / "alertmanager" / "1-KubePodCrashLooping-firing.json").read_text())
    thread = Thread(runtime, sim, None)
    await thread.alert("Alertmanager", "", attachments=notification["slack_payload_default_config"]["attachments"])
    [brief] = thread.said()
    url = f"https://github.com/acme/runbooks/blob/main/{RUNBOOKS}/{CRASHLOOP}"
    assert f"*Runbook:* <{url}|Kube Pod Crash Looping> (runbooks)" in brief["text"]


async def test_files_indexed_before_their_source_had_urls_get_them_without_being_embedded_again(
    runtime: Runtime, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(PROMETHEUS / RUNBOOKS, tmp_path / "plain"))  # in no checkout: no URLs
    source = DocSource(name="runbooks", kind="local", location=str(copy))
    await refresh_source(runtime.pool, runtime.embeddings, source, tmp_path / "work")
    linked = source.model_copy(update={"url_template": "https://wiki.example.com/runbooks/{path}"})
    report = await refresh_source(runtime.pool, runtime.embeddings, linked, tmp_path / "work")
    assert (report.added, report.changed, report.chunks_embedded) == (0, 0, 0)
    async with runtime.pool.connection() as conn:
        urls = dict(await (await conn.execute("SELECT path, url FROM documents")).fetchall())
    assert urls[CRASHLOOP] == f"https://wiki.example.com/runbooks/{CRASHLOOP}"
    assert all(url for url in urls.values())


def test_docs_add_keeps_a_name_to_its_location_and_doctor_counts_what_it_added(
    database_url: str, checkout: Path, tmp_path: Path
) -> None:
    env = {"RATCHET_DATABASE_URL": database_url, "RATCHET_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    pagerduty = shutil.copytree(DOCS / "pagerduty-incident-response", tmp_path / "pagerduty")
    added = ratchet_cli("docs", "add", str(checkout / RUNBOOKS), "--name", "runbooks", env=env, cwd=tmp_path)
    assert added.returncode == 0 and "runbooks: ok" in added.stdout, added.stderr
    doctor = ratchet_cli("doctor", env=env, cwd=tmp_path).stdout
    assert "✓ docs config: not set; documentation sources added with `ratchet docs add`: runbooks" in doctor

    taken = ratchet_cli("docs", "add", str(pagerduty), "--name", "runbooks", env=env, cwd=tmp_path)
    assert taken.returncode == 2 and taken.stdout == ""
    assert taken.stderr.strip() == (
        f"error: docs add: a source named 'runbooks' already reads {checkout / RUNBOOKS}; choose another --name, "
        "or pass --replace to replace it and drop its documents"
    )
    runbook = json.loads(ratchet_cli("runbook", "KubePodCrashLooping", "--json", env=env, cwd=tmp_path).stdout)
    assert runbook["curated"]["url"] == f"https://github.com/acme/runbooks/blob/main/{RUNBOOKS}/{CRASHLOOP}"
    again = ratchet_cli("docs", "add", str(checkout / RUNBOOKS), "--name", "runbooks", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "0 added, 0 changed" in again.stdout, "the same location is refreshed"

    replaced = ratchet_cli("docs", "add", str(pagerduty), "--name", "runbooks", "--replace", env=env, cwd=tmp_path)
    assert replaced.returncode == 0 and "runbooks: ok" in replaced.stdout, replaced.stderr
    gone = ratchet_cli("docs", "show", CRASHLOOP, env=env, cwd=tmp_path)
    assert gone.returncode == 2, "the replaced location's documents went with it"

    config = tmp_path / "docs.yaml"
    config.write_text(f"sources:\n  - {{name: prometheus, kind: local, location: {checkout}}}\n")
    with_config = {**env, "RATCHET_DOCS_CONFIG": str(config)}
    named = ratchet_cli(
        "docs", "add", str(pagerduty), "--name", "prometheus", "--replace", env=with_config, cwd=tmp_path
    )
    assert named.returncode == 2 and "in RATCHET_DOCS_CONFIG; choose another --name" in named.stderr
    doctor = ratchet_cli("doctor", env=with_config, cwd=tmp_path).stdout
    assert "✓ docs config: documentation sources: prometheus; added with `ratchet docs add`: runbooks" in doctor
