"""Nothing leaked: fifteen kinds of secret people paste into Slack (webhook URLs, tokens, keys, private key blocks,
signed URLs, passwords in prose) never reach a model's prompt, a Slack post, `bot_posts` or the logs — whether a
person asks the bot with one, says one in an alert's thread or an alert carries one; with no LLM, and with a
scripted model whose tool finds them in stored messages. The bot's real parts on the simulator."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage, ToolMessage

from ratchet.classify.classifier import Classifier
from ratchet.config import Settings
from ratchet.llm import RedactedEmbeddings, build_embeddings
from ratchet.redact import RedactSecrets
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.helpers import ScriptedModel
from tests.slack_thread import Thread
from tests.test_agent import call
from tests.test_triage import attachment

# the team's own classifier command, crashing and printing what it was given (as a script's traceback would)
CRASHING_CLASSIFIER = "sh -c 'cat >&2; exit 1'"


@dataclass(frozen=True)
class Secret:
    """One kind of secret: a message with it, as a person (or an alert) would write it."""

    name: str
    label: str  # the kind `redact()` names it by
    alert: str  # the real alert whose thread it is said in
    message: str  # "{secret}" stands for the secret
    secret: str  # as pasted: shaped like the real thing, valid for nothing
    tell: str = ""  # the part that must never show, when not all of it

    @property
    def said(self) -> str:
        return self.message.replace("{secret}", self.secret)

    @property
    def never(self) -> str:
        return self.tell or self.secret

    @property
    def topic(self) -> str:
        """The message without its secret: what a search for it would ask."""
        return self.message.replace("{secret}", "")


PGP_BODY = "lQOYBGZfAkEBCADcmF0Y2hldCBmYWtlIHBncCBrZXkgbWF0ZXJpYWwsIHRlc3RzIG9ubHkgMDEyMzQ1Njc4OQ"
OPENSSH_BODY = "QyNTUxOQAAACBjmF0Y2hldCBmYWtlIG9wZW5zc2gga2V5IG1hdGVyaWFsLCB0ZXN0cyBvbmx5IDAxMjM0NTY3ODk"
SECRETS = [
    Secret(
        "slack webhook url",
        "slack webhook",
        "AlertmanagerFailedToSendAlerts",
        "the receiver posts to https://hooks.slack.com/services/T0RATCH3T/B0FAKE0001/{secret} and nothing arrives",
        "Xq7fAkEw3bH00kNotReal123",
    ),
    Secret(
        "slack refresh token",
        "slack token",
        "AlertmanagerClusterFailedToSendAlerts",
        "the notifier bot still runs on {secret} from the old app install",
        "xoxe.xoxp-1-" + "Mi0yLTQ4MTUxNjIzNDItMTEyMzU4MTMyMTM0NS1GYWtlUmF0Y2hldFRva2VuMDE",
    ),
    Secret(
        "aws secret access key",
        "aws secret key",
        "KubeJobFailed",
        "the backup job uploads with AKIA" + "FAKE0EXAMPLE0123 {secret} from the ops account",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "FAKEKEY0ab",
    ),
    Secret(
        "pgp private key block",
        "private key",
        "KubeJobNotCompleted",
        "here is the release signing key so the job can finish:\n{secret}",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + PGP_BODY + "\n=fAkE\n-----END PGP PRIVATE KEY BLOCK-----",
        tell=PGP_BODY,
    ),
    Secret(
        "openssh private key block",
        "private key",
        "KubeNodeUnreachable",
        "node access for whoever is on call:\n{secret}",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        + OPENSSH_BODY
        + "\n-----END OPENSSH PRIVATE KEY-----",
        tell=OPENSSH_BODY,
    ),
    Secret(
        "stripe live key",
        "stripe key",
        "KubeDeploymentReplicasMismatch",
        "payments-api pods crash because STRIPE_KEY is unset, the value is {secret} until we fix the secret",
        "sk_live_" + "51FakeRatchetTests0nlyAbCdEfGh0123456789",
    ),
    Secret(
        "google api key",
        "google api key",
        "KubeHpaMaxedOut",
        "geocoder hits its quota with key {secret} since the deploy",
        "AIza" + "SyFakeKeyForRatchetTests0nly-123456",
    ),
    Secret(
        "gitlab personal access token",
        "gitlab token",
        "KubeDeploymentRolloutStuck",
        'rollout is stuck on image pull, tried curl -H "PRIVATE-TOKEN: {secret}" on the registry API',
        "glpat-" + "FakeRatchet0nly12345",
    ),
    Secret(
        "npm token",
        "npm token",
        "KubeDeploymentGenerationMismatch",
        "the frontend build pulls private packages with {secret} in .npmrc",
        "npm_" + "FakeRatchetTokenForTests0nly12345678",
    ),
    Secret(
        "azure sas url",
        "url signature",
        "KubePersistentVolumeFillingUp",
        "moved the dump off the volume to https://ratchetbackups.blob.core.windows.net/dumps/payments.sql.gz"
        "?sv=2022-11-02&ss=b&srt=o&sp=r&se=2031-01-01T00:00:00Z&spr=https&sig={secret} grab it from there",
        "cmF0Y2hldC1mYWtlLXNhcy1zaWduYXR1cmUtdGVzdHMtb25seSE%3D",
        tell="cmF0Y2hldC1mYWtlLXNhcy1zaWduYXR1cmUtdGVzdHMtb25seSE",
    ),
    Secret(
        "azure storage account key",
        "secret",
        "KubeQuotaExceeded",
        "the exporter connects with DefaultEndpointsProtocol=https;AccountName=ratchetbackups;AccountKey={secret};"
        "EndpointSuffix=core.windows.net",
        "cmF0Y2hldC1mYWtlLXN0b3JhZ2UtYWNjb3VudC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4OWFiY2RlZiEh",
    ),
    Secret(
        "basic authorization header",
        "authorization header",
        "TargetDown",
        "curl -H 'Authorization: Basic {secret}' https://registry.internal.example/v2/_catalog answers 401",
        "ZGVwbG95OkZBS0UtcmVnaXN0cnktcGFzcy0yNDY4",
    ),
    Secret(
        "database url with a password",
        "url credentials",
        "KubeStatefulSetReplicasMismatch",
        "the replica follows postgresql://payments:{secret}@payments-db-0.internal:5432/payments",
        "FakePw-0nly-4-tests",
    ),
    Secret(
        "password in prose",
        "password",
        "AlertmanagerFailedReload",
        "the password is {secret} for the grafana admin, rotate it after this",
        "hunter2-prod",
    ),
    Secret(
        "vault token",
        "vault token",
        "KubeClientCertificateExpiration",
        "renewed the cert by hand with VAULT_TOKEN {secret} on the bastion",
        "hvs." + "CAESIJcmF0Y2hldC1mYWtlLXZhdWx0LXRva2VuLWZvci10ZXN0cy1vbmx5GhHodnMuRmFrZVRva2Vu",
    ),
]


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    """The simulator without Slack's rate limits: a test here posts about 45 replies in one channel in seconds."""
    async with SlackSimulator(ack_timeout=1.0, rate_limits=False) as sim:
        yield sim


def alert_with(secret: Secret) -> dict[str, Any]:
    """A real Alertmanager notification of the secret's alert whose text carries the secret."""
    notification = attachment(secret.alert, "alerts_range")
    return {**notification, "text": f"{notification['text']}*Last error:* {secret.said}\n"}


def logs_as_the_command_line_writes_them(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog's handler with the filter `ratchet`'s own log handler carries (ratchet/cli.py)."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RedactSecrets())
    return caplog


def thread_in(runtime: Runtime, sim: SlackSimulator, model: ScriptedModel | None) -> Thread:
    thread = Thread(runtime, sim, model)
    thread.handlers.context.classifier = Classifier(command=CRASHING_CLASSIFIER)
    return thread


async def everything_the_bot_wrote(
    runtime: Runtime, sim: SlackSimulator, caplog: pytest.LogCaptureFixture, prompts: str = ""
) -> dict[str, str]:
    async with runtime.pool.connection() as conn:
        rows = await (await conn.execute("SELECT row_to_json(p)::text FROM bot_posts p")).fetchall()
    return {
        "Slack": json.dumps([c.params for c in sim.calls], ensure_ascii=False),
        "bot_posts": "\n".join(row for (row,) in rows),
        "logs": caplog.text,
        "prompts": prompts,
    }


def leaked(places: dict[str, str]) -> dict[str, list[str]]:
    """For each kind of secret that shows somewhere: where."""
    found = {s.name: [where for where, text in places.items() if s.never in text] for s in SECRETS}
    return {name: where for name, where in found.items() if where}


async def test_no_secret_is_quoted_back_without_an_llm(
    runtime: Runtime, sim: SlackSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An alert carries the secret, someone says it in the alert's thread, someone asks the bot with it (the answer
    quotes the question), the alert fires again (its brief quotes what people said in the thread)."""
    logs = logs_as_the_command_line_writes_them(caplog)
    for secret in SECRETS:
        thread = thread_in(runtime, sim, None)
        await thread.alert("Alertmanager", "", attachments=[alert_with(secret)])
        await thread.say("diego", secret.said)
        await thread.say("priya", f"<@{sim.bot_user_id}> {secret.said}")
        again = await thread.alert("Alertmanager", "", attachments=[alert_with(secret)])

        [*_, answer] = thread.said()
        [brief] = sim.bot_messages(thread.channel, thread_ts=again)
        redacted = f"[redacted {secret.label}]"
        assert redacted in answer["text"] and redacted in brief["text"], f"{secret.name} was quoted, redacted"

    assert logs.text.count("classifier command failed") >= 2 * len(SECRETS)
    assert leaked(await everything_the_bot_wrote(runtime, sim, logs)) == {}


async def test_no_secret_reaches_the_model(
    runtime: Runtime, sim: SlackSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The alert with the secret and a reply with it are in the thread the agent is shown, the question has it,
    and the agent's search_messages finds the stored messages that hold it."""
    logs = logs_as_the_command_line_writes_them(caplog)
    models = []
    for secret in SECRETS:
        model = ScriptedModel(
            responses=[call("search_messages", query=secret.topic), AIMessage(content="Rotate it: it was in Slack.")]
        )
        thread = thread_in(runtime, sim, model)
        await thread.alert("Alertmanager", "", attachments=[alert_with(secret)])
        await thread.say("diego", secret.said)
        await thread.say("priya", f"<@{sim.bot_user_id}> {secret.said}")

        assert len(model.seen) == 2 and thread.said()[-1]["text"].startswith("Rotate it")
        [found] = [m for m in model.seen[1] if isinstance(m, ToolMessage)]
        assert f"[redacted {secret.label}]" in found.text, f"the search found the {secret.name}, redacted"
        models.append(model)

    prompts = "\n".join(m.model_dump_json() for model in models for prompt in model.seen for m in prompt)
    assert leaked(await everything_the_bot_wrote(runtime, sim, logs, prompts)) == {}


def test_the_command_lines_log_redacts_what_it_quotes() -> None:
    """`ratchet classify` with a classifier command that fails and prints its input: the real command's log lines
    quote the command's output, redacted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATCHET_", "OPENAI_", "LANGSMITH_"))}
    messages = "".join(json.dumps({"type": "message", "user": "U0PRIYA", "text": s.said}) + "\n" for s in SECRETS)
    result = subprocess.run(
        [sys.executable, "-m", "ratchet", "classify"],
        input=messages,
        capture_output=True,
        text=True,
        env={**env, "RATCHET_CLASSIFIER_COMMAND": CRASHING_CLASSIFIER, "NO_COLOR": "1"},
        timeout=120,
        check=True,
    )
    assert result.stderr.count("classifier command failed") == len(SECRETS)
    assert leaked({"stderr": result.stderr, "stdout": result.stdout}) == {}


class RecordingEmbeddings(Embeddings):
    """Stands in for a remote provider's embedding model: keeps every text it is sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.sent += texts
        return [[float(len(text)), 1.0] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


async def test_a_remote_embedding_model_is_sent_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-stub-not-a-real-key")  # building the client makes no request
    configured = build_embeddings(Settings(_env_file=None, embeddings="openai:text-embedding-3-small"))
    assert isinstance(configured, RedactedEmbeddings) and type(configured.remote).__name__ == "OpenAIEmbeddings"
    remote = RecordingEmbeddings()
    embeddings = RedactedEmbeddings(remote)
    await embeddings.aembed_documents([secret.said for secret in SECRETS])
    await embeddings.aembed_query(SECRETS[0].said)
    assert len(remote.sent) == len(SECRETS) + 1
    assert [secret.name for secret in SECRETS if any(secret.never in text for text in remote.sent)] == []
    assert all("[redacted " in text for text in remote.sent)
