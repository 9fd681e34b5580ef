# syntax=docker/dockerfile:1
#
# ratchet container image.
#
#   docker build -t ratchet .
#   docker run --rm -p 127.0.0.1:5001:5001 --env-file .env ratchet
#
# Two stages: the builder installs the project and all of its dependencies
# into a virtualenv at /opt/venv; the runtime stage copies only that venv, so
# no source tree, build backend or pip caches end up in the final image.
# No apt packages are installed: every dependency ships manylinux wheels.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY ratchet ./ratchet
RUN pip install --no-cache-dir .


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="ratchet" \
      org.opencontainers.image.description="An AI bot that lives in an operations team's Slack and takes toil off them." \
      org.opencontainers.image.licenses="Apache-2.0"

# Dedicated unprivileged user with a fixed UID/GID so volume ownership is
# predictable across rebuilds and hosts.
ARG RATCHET_UID=10001
ARG RATCHET_GID=10001
RUN groupadd --system --gid "${RATCHET_GID}" ratchet \
    && useradd --system --no-log-init --uid "${RATCHET_UID}" --gid ratchet \
        --home-dir /data --shell /usr/sbin/nologin ratchet \
    && mkdir -p /data \
    && chown ratchet:ratchet /data

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RATCHET_HOME=/data \
    RATCHET_HTTP_ADDR=0.0.0.0:5001

WORKDIR /data
VOLUME ["/data"]
USER ${RATCHET_UID}:${RATCHET_GID}
EXPOSE 5001

# slim has no curl/wget: probe /healthz with the standard library instead.
# urlopen raises (exit 1) on connection errors and on non-2xx/3xx statuses.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5001/healthz', timeout=4)"]

ENTRYPOINT ["ratchet"]
CMD ["serve"]
