"""The HTTP side of `ratchet serve`: health and version now; the JSON API and Slack events join it later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ratchet import __version__
from ratchet.config import Settings
from ratchet.runtime import Runtime, open_runtime


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(title="ratchet", version=__version__, lifespan=lifespan)

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        try:
            async with runtime.pool.connection(timeout=5) as conn:
                await conn.execute("SELECT 1")
        except Exception as error:
            return JSONResponse({"status": "unhealthy", "database": str(error)}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/version")
    async def version() -> dict[str, str]:
        return {"version": __version__}

    return app
