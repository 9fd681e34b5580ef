"""The bundled local embedding model: deterministic, the right size, and it captures meaning."""

from __future__ import annotations

import json
import math
import re

from ratchet.config import Settings
from ratchet.llm import LocalEmbeddings, build_embeddings, embedding_identity
from tests.conftest import DATA

PAIRS = [
    ("KubePodCrashLooping", "KubernetesPodCrashLooping"),
    ("KubeNodeNotReady", "KubernetesNodeNotReady"),
    ("NodeFilesystemAlmostOutOfSpace", "HostOutOfDiskSpace"),
    ("KubePersistentVolumeFillingUp", "KubernetesVolumeOutOfDiskSpace"),
]
DISK_ALERTS = {name for pair in PAIRS[2:] for name in pair}  # four ways to say "disk space is running out"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def real_rules() -> dict[str, dict]:
    lines = (DATA / "alerts" / "paraphrase-pairs.jsonl").read_text().splitlines()
    return {rule["alert"]: rule for rule in map(json.loads, lines)}


def test_local_model_is_the_default_and_256_dimensional() -> None:
    embeddings = build_embeddings(Settings(_env_file=None))
    assert isinstance(embeddings, LocalEmbeddings)
    identity = embedding_identity(Settings(_env_file=None), embeddings)
    assert (identity.spec, identity.dimension) == ("local", 256)
    assert len(embeddings.embed_query("Pod is crash looping.")) == 256


def test_embeddings_are_deterministic_across_model_instances(local_embeddings: LocalEmbeddings) -> None:
    texts = [rule["summary"] for rule in real_rules().values()]
    first = local_embeddings.embed_documents(texts)
    again = LocalEmbeddings().embed_documents(texts)
    assert first == again
    assert local_embeddings.embed_query(texts[0]) == first[0]
    assert all(abs(math.hypot(*vector) - 1) < 1e-3 for vector in first)


async def test_async_interface_matches(local_embeddings: LocalEmbeddings) -> None:
    text = real_rules()["KubeNodeNotReady"]["description"]
    assert await local_embeddings.aembed_query(text) == local_embeddings.embed_query(text)


def summary_without_placeholders(rule: dict) -> str:
    """The rule's summary with `{{ $labels.x }}` placeholders removed (a notification fills them with values)."""
    return re.sub(r"\(?instance \{\{.*?\}\}\)?|\{\{.*?\}\}", "", rule["summary"]).strip()


def test_paraphrase_scores_closer_than_unrelated_alerts(local_embeddings: LocalEmbeddings) -> None:
    """A kube-prometheus rule is closer to the awesome-prometheus-alerts rule for the same condition than to
    any rule about another condition."""
    rules = real_rules()
    vectors = {name: local_embeddings.embed_query(summary_without_placeholders(rule)) for name, rule in rules.items()}
    for ours, paraphrase in PAIRS:
        related = {ours, paraphrase} | (DISK_ALERTS if ours in DISK_ALERTS else set())
        paraphrase_score = cosine(vectors[ours], vectors[paraphrase])
        unrelated = {name: cosine(vectors[ours], vectors[name]) for name in rules if name not in related}
        assert paraphrase_score > max(unrelated.values()), (ours, paraphrase_score, unrelated)


def test_empty_batch() -> None:
    assert LocalEmbeddings().embed_documents([]) == []
