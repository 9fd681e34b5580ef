"""Documentation sources: a local directory, a git repository, or a GitHub repository read through its REST API.

The docs config (YAML) lists them:

    sources:
      - name: runbooks
        kind: github                      # local | git | github
        location: prometheus-operator/runbooks
        path: content/runbooks            # optional sub-path
        exclude: ["_index.md"]
      - name: wiki
        kind: local
        location: /srv/wiki
        url_template: "https://wiki.example.com/{path}"

`read_source` returns every selected file of one source as text, each with its web URL: from the source's
`url_template`, else where GitHub or GitLab shows it (a github source; a git source's remote; for a local directory,
the `origin` of the git checkout it is in, at the checked-out branch), else none. Include/exclude globs are
gitignore-like: `**` spans directories, `*` and `?` stay inside one name, a pattern without a slash matches a name
at any depth, a trailing slash means everything below, and excluding a directory excludes what is in it. Hidden
files and directories, symlinks leading outside the source, files over `MAX_FILE_BYTES` and files that are not
UTF-8 are skipped (the last two with a warning).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import logging
import os
import re
import shutil
import signal
import string
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx
import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

log = logging.getLogger(__name__)

DEFAULT_INCLUDE = ("**/*.md", "**/*.markdown", "**/*.txt")
MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_TIMEOUT = 300.0  # seconds for one git command or one HTTP request
GITHUB_API_URL = "https://api.github.com"
GITHUB_MAX_WAIT = 60.0  # the longest wait for a GitHub rate limit to reset before giving up
GITHUB_RETRIES = 3
GITHUB_CONCURRENCY = 8

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/(?!\.\.?$)[A-Za-z0-9._-]+")
_GIT_URL = re.compile(r"(?:https?|ssh|git|file)://\S+|[\w.-]+@[\w.-]+:\S+")
_BRANCH = re.compile(r"(?!-)(?!.*\.\.)[^\s~^:?*\[\\]+")
_SCP_REMOTE = re.compile(r"(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)")  # git@github.com:owner/repo.git
GITHUB_BLOB = "https://github.com/{owner}/{repo}/blob/{branch}/{path}"


class SourceError(Exception):
    """A source could not be read; the message is one line naming the source and the problem."""


class DocSource(BaseModel):
    """One place documentation is read from."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Literal["local", "git", "github"]
    location: str
    branch: str | None = None
    path: str = ""
    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = Field(default_factory=list)
    url_template: str | None = Field(default=None, validation_alias=AliasChoices("url_template", "url_base"))
    token_env: str = "GITHUB_TOKEN"

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"expected lower-case letters, digits, '-' and '_', a letter or digit first, got {value!r}"
            )
        return value

    @field_validator("branch")
    @classmethod
    def _check_branch(cls, value: str | None) -> str | None:
        if value is not None and not _BRANCH.fullmatch(value):
            raise ValueError(f"expected a git branch name, got {value!r}")
        return value

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        sub = PurePosixPath(value.strip())
        if sub.is_absolute() or ".." in sub.parts:
            raise ValueError(f"expected a relative path inside the source without '..', got {value!r}")
        return "" if str(sub) == "." else str(sub)

    @field_validator("include", "exclude")
    @classmethod
    def _check_globs(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern.strip():
                raise ValueError("expected non-empty glob patterns")
            try:
                _glob(pattern)
            except re.error as exc:
                raise ValueError(f"invalid glob {pattern!r}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _check_kind(self) -> DocSource:
        location = self.location.strip()
        if not location:
            raise ValueError("location is empty")
        if self.kind == "github" and not _GITHUB_REPO.fullmatch(location):
            raise ValueError(f"location of a github source must be owner/repo, got {location!r}")
        if self.kind == "git" and not (_GIT_URL.fullmatch(location) or location.endswith(".git")):
            raise ValueError(
                f"location of a git source must be a git URL (https, ssh, file, host:path), not {location!r}"
            )
        if not self.include:
            raise ValueError("include lists no pattern, so nothing would be read")
        allowed = {"path"} if self.kind == "local" else {"path", "branch", "owner", "repo"}
        try:
            template = self.url_template or ""
            fields = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
        except ValueError as exc:
            raise ValueError(f"url_template is not a valid template: {exc}") from None
        if fields - allowed:
            names = ", ".join("{" + f + "}" for f in sorted(allowed))
            raise ValueError(f"url_template of a {self.kind} source may only use {names}, got {self.url_template!r}")
        self.location = location
        return self

    @classmethod
    def from_location(cls, location: str, name: str | None = None) -> DocSource:
        """Guess the kind from a string: an existing directory, `owner/repo` (GitHub) or a git URL."""
        location = location.strip()
        directory = Path(location).expanduser()
        kind: Literal["local", "git", "github"]
        if location and directory.is_dir():
            kind, location = "local", str(directory.resolve())
        elif _GITHUB_REPO.fullmatch(location.removesuffix(".git")):
            kind, location = "github", location.removesuffix(".git")
        elif _GIT_URL.fullmatch(location) or location.endswith(".git"):
            kind = "git"
        else:
            raise ValueError(f"cannot tell what {location!r} is: expected an existing directory, git URL or owner/repo")
        stem = re.split(r"[/:]", location.rstrip("/"))[-1].removesuffix(".git")
        name = name or re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_") or "docs"
        try:
            return cls(name=name, kind=kind, location=location)
        except ValidationError as exc:
            raise ValueError(describe_validation_error(exc)) from None

    def selects(self, path: str) -> bool:
        """Whether a file at `path` (relative to the source root, POSIX) is read: included, not excluded, not hidden."""
        parts = path.split("/")
        if any(part.startswith(".") for part in parts) or not any(_glob(p).fullmatch(path) for p in self.include):
            return False
        ancestors = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return not any(_glob(p).fullmatch(a) for p in self.exclude for a in ancestors)

    def file_url(self, path: str, branch: str | None) -> str | None:
        """The browsable URL of the file at `path` (relative to the source root), from `url_template`, else where
        GitHub or GitLab shows a github or git source's files (a local checkout's: `_checkout_links`)."""
        template = self.url_template
        if template is None and self.kind == "github":
            template = GITHUB_BLOB
        elif template is None and self.kind == "git":
            template = web_blob_template(self.location)
        if template is None:
            return None
        owner, repo = self._owner_repo()
        return _fill(
            template, "/".join(p for p in (self.path, path) if p), branch=branch or "HEAD", owner=owner, repo=repo
        )

    def _owner_repo(self) -> tuple[str, str]:
        if self.kind == "local":
            return "", ""
        if self.kind == "github":
            owner, _, repo = self.location.partition("/")
            return owner, repo
        repo_path = urlsplit(self.location).path if "://" in self.location else self.location.split(":", 1)[-1]
        owner, _, repo = repo_path.strip("/").removesuffix(".git").rpartition("/")
        return owner, repo


def web_blob_template(remote: str) -> str | None:
    """Where the web shows a file of the git repository at `remote`, as a template of `{branch}` and `{path}`:
    GitHub's `/blob/`, GitLab's `/-/blob/` (github.com, gitlab.com and self-hosted hosts named github.* or
    gitlab.*), from the remote's https, ssh or scp-like (`git@host:owner/repo.git`) form; None for other hosts."""
    remote = remote.strip()
    if "://" in remote:
        parts = urlsplit(remote)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        try:
            port = parts.port
        except ValueError:
            return None
        host, path = parts.hostname, parts.path
        scheme = "http" if parts.scheme == "http" else "https"
        address = f"{host}:{port}" if port and scheme == parts.scheme else host  # an ssh port is not the web's
    elif match := _SCP_REMOTE.fullmatch(remote):
        host, path, scheme = match["host"].lower(), match["path"], "https"
        address = host
    else:
        return None
    repo = path.strip("/").removesuffix(".git")
    labels = host.split(".")
    if "/" not in repo or not {"github", "gitlab"} & set(labels):
        return None
    blob = "blob" if "github" in labels else "-/blob"
    return f"{scheme}://{address}/{repo}/{blob}/{{branch}}/{{path}}"


def _fill(template: str, path: str, **fields: str) -> str:
    """A file's URL: `template` with `path` (quoted) and `fields`; a template without `{path}` is a base the path
    follows."""
    full = quote(path, safe="/")
    if "{path}" not in template:
        return f"{template.rstrip('/')}/{full}"
    return template.format(path=full, **fields)


class DocsConfig(BaseModel):
    """The docs config file: a list of sources with distinct names."""

    model_config = ConfigDict(extra="forbid")

    sources: list[DocSource] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[DocSource]) -> list[DocSource]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(source.name)
        return sources


class SourceFile(BaseModel):
    """One file read from a source.

    `content` and `content_hash` are None only for a GitHub file whose blob SHA equals the one passed in `known`: it
    was not downloaded, the caller's copy is current. `version` is the GitHub blob SHA (None for other kinds).
    """

    path: str
    content: str | None
    url: str | None
    content_hash: str | None
    version: str | None = None


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem of a pydantic error on one line, as `sources[1].kind: Input should be ...`."""
    errors = exc.errors()
    first = errors[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def load_docs_config(path: Path | str) -> DocsConfig:
    """Read and check a docs config file; any problem is a `ValueError` with one line naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the docs config: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the docs config is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise ValueError(f"{path}: invalid YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with a 'sources' list, got a {type(data).__name__}")
    try:
        return DocsConfig.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path}: {describe_validation_error(exc)}") from None


async def read_source(
    source: DocSource,
    workdir: Path,
    *,
    known: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    github_api_url: str = GITHUB_API_URL,
) -> list[SourceFile]:
    """Every selected file of `source`, sorted by path.

    A git source is cloned into (or updated in) `workdir / source.name`, which belongs to it. `known` maps paths to
    the GitHub blob SHAs (`SourceFile.version`) the caller already has: those blobs are not downloaded again.
    `timeout` bounds each git command and each HTTP request; `github_api_url` is RATCHET_GITHUB_API_URL (GitHub
    Enterprise). Raises `SourceError`.
    """
    if source.kind == "local":
        links = await _checkout_links(source, timeout)
        return await asyncio.to_thread(_read_tree, source, source.location, links)
    if source.kind == "git":
        checkout, branch = await _checkout(source, workdir, timeout)
        return await asyncio.to_thread(_read_tree, source, checkout, functools.partial(source.file_url, branch=branch))
    return await _read_github(source, known or {}, timeout, github_api_url)


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob as a regular expression for `fullmatch` against a POSIX relative path."""
    body = pattern.strip()
    anchored = body.startswith("/") or "/" in body.strip("/")
    directory = body.endswith("/")
    body = body.strip("/")
    if directory:
        body += "/**"
    if not anchored:
        body = f"**/{body}"
    parts = body.split("/")
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _glob_segment(part) + ("" if last else "/")
    return re.compile(regex)


def _glob_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        end = segment.find("]", i + 2) if char == "[" else -1
        if char == "*":
            out.append("[^/]*")
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1
        elif char == "?":
            out.append("[^/]")
        elif end != -1:
            inner = segment[i + 1 : end].replace("\\", "\\\\").replace("[", "\\[")
            out.append("[^/" + inner[1:] + "]" if inner.startswith("!") else "[" + inner + "]")
            i = end
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            out.append(re.escape(segment[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _decode(source: DocSource, path: str, data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("source %r: skipping %s, which is not UTF-8 text", source.name, path)
        return None


async def _checkout_links(source: DocSource, timeout: float) -> Callable[[str], str | None]:
    """How a local source's files are linked: by its `url_template`; else, when its directory is in a git checkout
    whose `origin` is on GitHub or GitLab, where that host shows them at the checked-out branch (a detached HEAD's
    commit); else not at all."""
    configured = functools.partial(source.file_url, branch=None)  # by the url_template, or none
    root = _tree_root(source, source.location)
    if source.url_template is not None or not await asyncio.to_thread(root.is_dir):
        return configured
    try:
        remote = await _git(source, timeout, "remote", "get-url", "origin", cwd=root)
        prefix = (await _git(source, timeout, "rev-parse", "--show-prefix", cwd=root)).strip()  # "" or "docs/"
        branch = (await _git(source, timeout, "rev-parse", "--abbrev-ref", "HEAD", cwd=root)).strip()
        if branch == "HEAD":
            branch = (await _git(source, timeout, "rev-parse", "HEAD", cwd=root)).strip()
    except SourceError:  # not a checkout, no origin, no commit yet, or no git
        return configured
    template = web_blob_template(remote)
    if template is None:
        return configured
    return lambda path: _fill(template, prefix + path, branch=branch)


def _tree_root(source: DocSource, base: Path | str) -> Path:
    return Path(base).expanduser() / source.path


def _read_tree(source: DocSource, base: Path | str, link: Callable[[str], str | None]) -> list[SourceFile]:
    """The selected files under `base / source.path`, each linked by `link` (blocking; run in a thread)."""
    root = _tree_root(source, base)
    if not root.is_dir():
        raise SourceError(f"source {source.name!r}: {root} is not a directory")
    real_root = root.resolve()
    files: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):  # not into linked directories: outside, or read where they are
        directory = Path(dirpath)
        relative = directory.relative_to(root).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not _excluded_dir(source, prefix + d))
        for filename in sorted(filenames):
            path = prefix + filename
            if not source.selects(path):
                continue
            target = (directory / filename).resolve()
            if not target.is_relative_to(real_root):
                log.warning("source %r: skipping %s, a link to outside the source", source.name, path)
                continue
            if not target.is_file():  # a broken link, a pipe
                continue
            if target.stat().st_size > MAX_FILE_BYTES:
                log.warning("source %r: skipping %s, larger than %d bytes", source.name, path, MAX_FILE_BYTES)
                continue
            data = target.read_bytes()
            if (content := _decode(source, path, data)) is not None:
                files.append(SourceFile(path=path, content=content, url=link(path), content_hash=_sha256(data)))
    return sorted(files, key=lambda f: f.path)


def _excluded_dir(source: DocSource, path: str) -> bool:
    return any(_glob(p).fullmatch(path) for p in source.exclude)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _git(source: DocSource, timeout: float, *args: str, cwd: Path) -> str:
    """Run the system git without a shell, a terminal prompt or a chance to hang; its stdout."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
        "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
    }
    try:
        process = await asyncio.create_subprocess_exec(
            "git",
            *args,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout ends its helpers too
        )
    except FileNotFoundError:
        raise SourceError(f"source {source.name!r}: git is not installed (install it, or use kind: github)") from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except BaseException as exc:  # timed out or cancelled: leave no git behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        if isinstance(exc, TimeoutError):
            raise SourceError(f"source {source.name!r}: git {args[0]} timed out after {timeout:g} s") from None
        raise
    if process.returncode != 0:
        lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        causes = [line for line in lines if not line.startswith(("hint:", "warning:"))]  # the first is the cause
        problem = causes[0] if causes else lines[-1] if lines else f"exit status {process.returncode}"
        raise SourceError(f"source {source.name!r}: git {args[0]} failed: {problem}")
    return stdout.decode(errors="replace")


async def _checkout(source: DocSource, workdir: Path, timeout: float) -> tuple[Path, str]:
    """Clone the repository shallowly, or bring an existing clone to the branch's tip; the checkout and branch."""
    checkout = workdir / source.name
    origin = ""
    if (checkout / ".git").is_dir():
        with contextlib.suppress(SourceError):
            origin = (await _git(source, timeout, "config", "--get", "remote.origin.url", cwd=checkout)).strip()
    if origin == source.location:
        await _git(source, timeout, "fetch", "--depth", "1", "--quiet", "origin", source.branch or "HEAD", cwd=checkout)
        await _git(source, timeout, "reset", "--hard", "--quiet", "FETCH_HEAD", cwd=checkout)
        await _git(source, timeout, "clean", "-ffdxq", cwd=checkout)
    else:
        await asyncio.to_thread(_make_room, checkout)
        branch_args = ["--branch", source.branch] if source.branch else []
        clone = ["clone", "--depth", "1", "--quiet", *branch_args, "--", source.location, str(checkout)]
        await _git(source, timeout, *clone, cwd=workdir)
    branch = source.branch or (await _git(source, timeout, "rev-parse", "--abbrev-ref", "HEAD", cwd=checkout)).strip()
    return checkout, branch


def _make_room(checkout: Path) -> None:
    """Remove what is at `checkout` (a clone of another location, or debris) and create its parent."""
    if checkout.exists():
        shutil.rmtree(checkout)
    checkout.parent.mkdir(parents=True, exist_ok=True)


def github_token(source: DocSource) -> str | None:
    """The GitHub token of a source: the value of its `token_env` variable, None when unset or empty."""
    return os.environ.get(source.token_env) or None


def github_client(api_url: str, token: str | None, timeout: float = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """An HTTP client for GitHub's REST API at `api_url` (RATCHET_GITHUB_API_URL), authenticated when given a token."""
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "ratchet"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.AsyncClient(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout)


class GitHubAPI:
    """Requests about one source to GitHub's REST API, rate limits honoured (waiting at most `GITHUB_MAX_WAIT` s);
    every failure is a `SourceError` of one line with GitHub's status and message."""

    def __init__(self, client: httpx.AsyncClient, source: DocSource, has_token: bool) -> None:
        self.client = client
        self.source = source
        self.has_token = has_token

    async def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        body = self.json(url, await self.send("GET", url, params=params))
        if not isinstance(body, dict):
            raise SourceError(f"source {self.source.name!r}: GitHub answered {url} with a {type(body).__name__}")
        return body

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        accept: tuple[int, ...] = (),
    ) -> httpx.Response:
        """GitHub's answer when it is a success or its status is in `accept`."""
        name = self.source.name
        attempt = 0
        while True:
            try:
                response = await self.client.request(method, url, params=params, json=json)
            except httpx.HTTPError as exc:
                raise SourceError(f"source {name!r}: GitHub API at {self.client.base_url} failed: {exc!r}") from None
            if response.is_success or response.status_code in accept:
                return response
            wait = self._rate_limit_wait(response)
            if wait is None:
                raise SourceError(self.problem(url, response))
            if wait > GITHUB_MAX_WAIT or attempt >= GITHUB_RETRIES:
                hint = "" if self.has_token else f"; set ${self.source.token_env} for a higher limit"
                raise SourceError(f"source {name!r}: GitHub rate limit exceeded, it resets in {wait:.0f} s{hint}")
            log.warning("source %r: GitHub rate limit hit, retrying in %.1f s", name, wait)
            attempt += 1
            await asyncio.sleep(wait)

    def json(self, url: str, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"source {self.source.name!r}: GitHub answered {url} with something not JSON") from None

    @staticmethod
    def message(response: httpx.Response) -> str:
        """GitHub's error message, with the details of a 422 "Validation Failed" when it gives them."""
        with contextlib.suppress(ValueError, AttributeError, KeyError, TypeError):
            body = response.json()
            details = [str(e["message"]) for e in body.get("errors") or [] if isinstance(e, dict) and "message" in e]
            return "; ".join([str(body["message"]), *details])
        return response.reason_phrase

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying a rate-limited answer, or None when it is not about a rate limit."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        if retry_after := headers.get("retry-after"):
            try:
                return max(float(retry_after), 0.0)
            except ValueError:
                with contextlib.suppress(TypeError, ValueError):
                    return max(parsedate_to_datetime(retry_after).timestamp() - time.time(), 0.0)
        if headers.get("x-ratelimit-remaining") == "0" and (reset := headers.get("x-ratelimit-reset")):
            with contextlib.suppress(ValueError):
                return max(float(reset) - time.time(), 0.0)
        if response.status_code == 429 or "rate limit" in self.message(response).lower():
            return 60.0  # GitHub's advice when it does not say how long
        return None

    def problem(self, url: str, response: httpx.Response) -> str:
        """One line naming the source, what was asked, and GitHub's status and message."""
        source, status, message = self.source, response.status_code, self.message(response)
        if status == 401:
            return f"source {source.name!r}: GitHub rejected the token in ${source.token_env} (401 {message})"
        if status == 404:
            hint = "" if self.has_token else f"; for a private repository set ${source.token_env}"
            return f"source {source.name!r}: GitHub has no {url} (404 {message}){hint}"
        return f"source {source.name!r}: GitHub answered {status} to {url}: {message}"


async def _read_github(source: DocSource, known: Mapping[str, str], timeout: float, api: str) -> list[SourceFile]:
    token = github_token(source)
    repo = f"/repos/{source.location}"
    async with github_client(api, token, timeout) as client:
        github = GitHubAPI(client, source, has_token=bool(token))
        branch = source.branch or str((await github.get(repo)).get("default_branch") or "")
        if not branch:
            raise SourceError(f"source {source.name!r}: GitHub did not say which branch is the default of {repo}")
        tree = await github.get(f"{repo}/git/trees/{quote(branch, safe='')}", params={"recursive": "1"})
        if tree.get("truncated"):
            log.warning("source %r: GitHub truncated the file list of %s; some files are missing", source.name, repo)
        prefix = f"{source.path}/" if source.path else ""
        wanted: list[tuple[str, str]] = []
        for entry in tree.get("tree") or []:
            full = str(entry.get("path", ""))
            if entry.get("type") != "blob" or entry.get("mode") == "120000" or not full.startswith(prefix):
                continue
            path = full[len(prefix) :]
            if not source.selects(path):
                continue
            if int(entry.get("size") or 0) > MAX_FILE_BYTES:
                log.warning("source %r: skipping %s, larger than %d bytes", source.name, path, MAX_FILE_BYTES)
                continue
            wanted.append((path, str(entry["sha"])))
        limit = asyncio.Semaphore(GITHUB_CONCURRENCY)

        async def fetch(path: str, sha: str) -> SourceFile | None:
            url = source.file_url(path, branch)
            if known.get(path) == sha:
                return SourceFile(path=path, content=None, url=url, content_hash=None, version=sha)
            async with limit:
                blob = await github.get(f"{repo}/git/blobs/{sha}")
            try:
                raw = str(blob["content"])
                data = base64.b64decode(raw) if blob.get("encoding") == "base64" else raw.encode()
            except (KeyError, binascii.Error):
                raise SourceError(f"source {source.name!r}: GitHub sent an unreadable blob for {path}") from None
            content = _decode(source, path, data)
            if content is None:
                return None
            return SourceFile(path=path, content=content, url=url, content_hash=_sha256(data), version=sha)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(fetch(path, sha)) for path, sha in wanted]
        except* SourceError as errors:
            raise errors.exceptions[0] from None
    files = [file for task in tasks if (file := task.result()) is not None]
    return sorted(files, key=lambda f: f.path)
