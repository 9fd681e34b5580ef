"""Models from config: the chat model (or none), the embedding model, and the record of every LLM call.

`RATCHET_LLM` is `openai:<model>`, `ollama:<model>` or `none`; `RATCHET_EMBEDDINGS` is `openai:<model>`,
`ollama:<model>` or `local`. The local embedding model ships inside the package (a model2vec static model
distilled from all-MiniLM-L6-v2), so the default set-up needs no download and no torch.
"""

from __future__ import annotations

import logging
import time
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain.chat_models import init_chat_model
from langchain.embeddings import init_embeddings
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.outputs import LLMResult
from psycopg_pool import AsyncConnectionPool

from ratchet.config import CHAT_PROVIDERS, EMBEDDING_PROVIDERS, Settings, split_model_spec
from ratchet.redact import redact
from ratchet.storage import llm_usage
from ratchet.storage.vectors import EmbeddingIdentity

LOCAL_MODEL_DIR = Path(__file__).parent / "embeddings" / "model"
KNOWN_DIMENSIONS = {
    "openai:text-embedding-3-small": 1536,
    "openai:text-embedding-3-large": 3072,
    "openai:text-embedding-ada-002": 1536,
}
log = logging.getLogger(__name__)


class LocalEmbeddings(Embeddings):
    """The bundled static embedding model: deterministic, CPU-only, thousands of texts a second."""

    def __init__(self, model_dir: Path = LOCAL_MODEL_DIR) -> None:
        self.model_dir = model_dir

    @cached_property
    def _model(self) -> Any:
        from model2vec import StaticModel  # imported late: loading is only needed when something is embedded

        return StaticModel.from_pretrained(str(self.model_dir), normalize=True)

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(texts).astype(float).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class RedactedEmbeddings(Embeddings):
    """A remote embedding model that is sent texts with their secrets replaced (what people pasted must not leave
    for the provider; a search for a secret is not something anyone needs)."""

    def __init__(self, remote: Embeddings) -> None:
        self.remote = remote

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.remote.embed_documents([redact(text) for text in texts])

    def embed_query(self, text: str) -> list[float]:
        return self.remote.embed_query(redact(text))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await self.remote.aembed_documents([redact(text) for text in texts])

    async def aembed_query(self, text: str) -> list[float]:
        return await self.remote.aembed_query(redact(text))


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None in no-LLM mode."""
    if settings.llm == "none":
        return None
    provider, model = split_model_spec(settings.llm, CHAT_PROVIDERS)
    options: dict[str, Any] = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
    if provider == "openai":  # the openai client retries timeouts, 429s (after Retry-After) and 5xx with backoff
        options |= {"timeout": settings.llm_timeout_seconds, "max_retries": settings.llm_max_retries}
    else:  # Ollama's client has no retries: only the timeout, given to its httpx client
        options["client_kwargs"] = {"timeout": settings.llm_timeout_seconds}
    return init_chat_model(model, model_provider=provider, **options)


def build_embeddings(settings: Settings) -> Embeddings:
    if settings.embeddings == "local":
        return LocalEmbeddings()
    provider, model = split_model_spec(settings.embeddings, EMBEDDING_PROVIDERS)
    options: dict[str, Any] = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
    return RedactedEmbeddings(init_embeddings(model, provider=provider, **options))


def embedding_identity(settings: Settings, embeddings: Embeddings) -> EmbeddingIdentity:
    """The spec and vector dimension of the configured embedding model (asks the model when not known)."""
    if isinstance(embeddings, LocalEmbeddings):
        dimension = embeddings.dimension
    else:
        dimension = KNOWN_DIMENSIONS.get(settings.embeddings) or len(embeddings.embed_query("dimension probe"))
    return EmbeddingIdentity(spec=settings.embeddings, dimension=dimension)


class LLMCallRecorder(AsyncCallbackHandler):
    """Writes one `llm_calls` row per chat model call: module, model, tokens, latency, error.

    The module comes from the run's metadata (`config={"metadata": {"module": "runbook"}}`).
    """

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        self._started: dict[UUID, tuple[float, str, str]] = {}

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        metadata = metadata or {}
        params = invocation_params or {}
        model = str(
            metadata.get("ls_model_name") or params.get("model") or params.get("model_name") or params.get("_type")
        )
        self._started[run_id] = (time.monotonic(), str(metadata.get("module", "unknown")), model)

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        input_tokens = output_tokens = None
        for generation in (g for batch in response.generations for g in batch):
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                input_tokens = (input_tokens or 0) + usage.get("input_tokens", 0)
                output_tokens = (output_tokens or 0) + usage.get("output_tokens", 0)
        await self._record(run_id, input_tokens=input_tokens, output_tokens=output_tokens, error=None)

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        await self._record(run_id, input_tokens=None, output_tokens=None, error=f"{type(error).__name__}: {error}")

    async def _record(
        self, run_id: UUID, *, input_tokens: int | None, output_tokens: int | None, error: str | None
    ) -> None:
        started, module, model = self._started.pop(run_id, (time.monotonic(), "unknown", "unknown"))
        call = llm_usage.LLMCall(
            module=module,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=round((time.monotonic() - started) * 1000),
            error=error,
            run_id=str(run_id),
        )
        try:
            await llm_usage.record(self.pool, call)
        except Exception:  # accounting must never break the answer a person is waiting for
            log.exception("could not record an LLM call")
