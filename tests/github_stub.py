"""A stand-in for the parts of GitHub's REST API ratchet uses, serving a local directory as a repository.

Reading: `GET /repos/{owner}/{repo}`, `GET /repos/{owner}/{repo}/git/trees/{branch-or-sha}?recursive=1` and
`GET /repos/{owner}/{repo}/git/blobs/{sha}` answer with the JSON shapes of GitHub's documented examples (field
names, base64 blobs with line breaks, `truncated`), with real git object ids computed from the files as they are
at the time of the request, so a test can change a file between two reads.

Proposing a change: `GET .../git/ref/heads/{branch}`, `POST .../git/refs` (422 "Reference already exists"),
`GET` and `PUT .../contents/{path}?ref=` (the blob `sha` required to replace a file, 409 when it is not the
current one), `GET .../pulls?head=owner:branch&state=` and `POST .../pulls` (422 "Validation Failed" for a second
open pull request of a branch or one without commits). The directory is the default branch; a branch created
through the API holds a copy of its files. What was created is recorded in `refs`, `commits` and `pulls`.

With `token` set, a request without it gets GitHub's 404 for a private repository and a wrong one its 401 "Bad
credentials"; a write without any token gets 401 "Requires authentication"; an unknown path gets GitHub's 404.
`rate_limited = n` makes the next n requests get GitHub's primary rate-limit answer (403 with
`x-ratelimit-remaining: 0` and a reset time `reset_after` seconds ahead); `fail(method, suffix)` makes the next
such request get a 502.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

DOCS = "https://docs.github.com/rest"


def git_object_id(kind: str, data: bytes) -> str:
    """The SHA-1 git gives an object (what `git hash-object` prints for a blob)."""
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False).hexdigest()


class GitHubStub:
    def __init__(self, owner: str, repo: str, root: Path, *, token: str | None = None, branch: str = "main") -> None:
        self.owner, self.repo, self.root, self.token, self.branch = owner, repo, root, token, branch
        self.requests: list[str] = []
        self.rate_limited = 0
        self.reset_after = 1.0
        self.url = ""
        self.branches: dict[str, dict[str, bytes]] = {}  # branch created through the API -> its files
        self.heads: dict[str, str] = {}  # branch created through the API -> its head commit
        self.refs: list[dict[str, str]] = []  # every `POST git/refs` that created a branch: ref, sha
        self.commits: list[dict[str, str]] = []  # every file written: branch, path, message, content, sha
        self.pulls: list[dict[str, Any]] = []  # every pull request opened, as GitHub describes it
        self._failures: list[tuple[str, str]] = []
        app = web.Application(middlewares=[self._gatekeeper])
        base = f"/repos/{owner}/{repo}"
        app.router.add_get(base, self._repository)
        app.router.add_get(base + "/git/trees/{tree}", self._tree)
        app.router.add_get(base + "/git/blobs/{sha}", self._blob)
        app.router.add_get(base + "/git/ref/heads/{branch:.+}", self._ref)
        app.router.add_post(base + "/git/refs", self._create_ref)
        app.router.add_get(base + "/contents/{path:.+}", self._contents)
        app.router.add_put(base + "/contents/{path:.+}", self._write_contents)
        app.router.add_get(base + "/pulls", self._list_pulls)
        app.router.add_post(base + "/pulls", self._create_pull)
        self._runner = web.AppRunner(app)

    async def __aenter__(self) -> GitHubStub:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    def fail(self, method: str, suffix: str) -> None:
        """The next `method` request whose path ends with `suffix` gets a 502, as when GitHub has an outage."""
        self._failures.append((method, suffix))

    def _api(self, path: str) -> str:
        return f"{self.url}/repos/{self.owner}/{self.repo}{path}"

    @web.middleware
    async def _gatekeeper(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        given = request.headers.get("Authorization")
        if self.token and given is None:
            return web.json_response({"message": "Not Found", "documentation_url": DOCS, "status": "404"}, status=404)
        if self.token and given != f"Bearer {self.token}":
            return web.json_response(
                {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}, status=401
            )
        if given is None and request.method != "GET":
            return web.json_response(
                {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"}, status=401
            )
        if self.rate_limited:
            self.rate_limited -= 1
            headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(int(time.time() + self.reset_after)),
                "x-ratelimit-resource": "core",
            }
            body = {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
            return web.json_response(body, status=403, headers=headers)
        for failure in self._failures:
            if request.method == failure[0] and request.path.endswith(failure[1]):
                self._failures.remove(failure)
                return web.json_response({"message": "Server Error"}, status=502)
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return web.json_response({"message": "Not Found", "documentation_url": DOCS, "status": "404"}, status=404)

    def _blobs(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and not p.is_symlink()
        }

    def _tree_entries(self) -> tuple[str, list[dict[str, Any]]]:
        """The root tree's id and every entry below it, as the recursive tree endpoint lists them."""
        blobs = self._blobs()
        entries: list[dict[str, Any]] = []

        def tree_id(prefix: str) -> str:
            names: dict[str, tuple[str, str]] = {}  # name -> (mode, id)
            for path, data in blobs.items():
                if not path.startswith(prefix):
                    continue
                name, _, rest = path[len(prefix) :].partition("/")
                if rest:
                    names.setdefault(name, ("40000", ""))
                else:
                    names[name] = ("100644", git_object_id("blob", data))
            raw = b""
            for name in sorted(names, key=lambda n: n + "/" if names[n][0] == "40000" else n):
                mode, sha = names[name]
                if mode == "40000":
                    sha = tree_id(f"{prefix}{name}/")
                    entries.append({"path": prefix + name, "mode": "040000", "type": "tree", "sha": sha})
                else:
                    entries.append(
                        {
                            "path": prefix + name,
                            "mode": mode,
                            "type": "blob",
                            "sha": sha,
                            "size": len(blobs[prefix + name]),
                        }
                    )
                raw += f"{mode} {name}\0".encode() + bytes.fromhex(sha)
            return git_object_id("tree", raw)

        root = tree_id("")
        for entry in entries:
            kind = "trees" if entry["type"] == "tree" else "blobs"
            entry["url"] = self._api(f"/git/{kind}/{entry['sha']}")
        return root, sorted(entries, key=lambda e: e["path"])

    async def _repository(self, request: web.Request) -> web.Response:
        full_name = f"{self.owner}/{self.repo}"
        return web.json_response(
            {
                "id": 1296269,
                "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
                "name": self.repo,
                "full_name": full_name,
                "owner": {
                    "login": self.owner,
                    "id": 1,
                    "type": "Organization",
                    "url": f"{self.url}/users/{self.owner}",
                },
                "private": bool(self.token),
                "html_url": f"https://github.com/{full_name}",
                "description": "Runbooks",
                "fork": False,
                "url": self._api(""),
                "trees_url": self._api("/git/trees{/sha}"),
                "blobs_url": self._api("/git/blobs{/sha}"),
                "default_branch": self.branch,
                "visibility": "private" if self.token else "public",
            }
        )

    async def _tree(self, request: web.Request) -> web.Response:
        root, entries = self._tree_entries()
        if request.match_info["tree"] not in (self.branch, root):
            return web.json_response({"message": "Not Found", "documentation_url": DOCS, "status": "404"}, status=404)
        if request.query.get("recursive") is None:
            entries = [e for e in entries if "/" not in e["path"]]
        return web.json_response(
            {"sha": root, "url": self._api(f"/git/trees/{root}"), "tree": entries, "truncated": False}
        )

    async def _blob(self, request: web.Request) -> web.Response:
        sha = request.match_info["sha"]
        for data in self._blobs().values():
            if git_object_id("blob", data) == sha:
                return web.json_response(
                    {
                        "content": base64.encodebytes(data).decode(),
                        "encoding": "base64",
                        "url": self._api(f"/git/blobs/{sha}"),
                        "sha": sha,
                        "size": len(data),
                        "node_id": base64.b64encode(f"04:Blob{sha}".encode()).decode(),
                    }
                )
        return web.json_response({"message": "Not Found", "documentation_url": DOCS, "status": "404"}, status=404)

    # --- proposing a change ----------------------------------------------------------------------------------------

    def _files(self, branch: str) -> dict[str, bytes] | None:
        """The files of a branch, None when there is no such branch."""
        return self._blobs() if branch == self.branch else self.branches.get(branch)

    def _head(self, branch: str) -> str:
        if branch in self.heads:
            return self.heads[branch]
        return git_object_id("commit", f"tree {self._tree_entries()[0]}\n".encode())

    def _ref_json(self, branch: str) -> dict[str, Any]:
        sha = self._head(branch)
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": base64.b64encode(f"03:Ref{branch}".encode()).decode(),
            "url": self._api(f"/git/refs/heads/{branch}"),
            "object": {"sha": sha, "type": "commit", "url": self._api(f"/git/commits/{sha}")},
        }

    def _content_json(self, branch: str, path: str, data: bytes) -> dict[str, Any]:
        sha = git_object_id("blob", data)
        return {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": base64.encodebytes(data).decode(),
            "sha": sha,
            "url": self._api(f"/contents/{path}?ref={branch}"),
            "git_url": self._api(f"/git/blobs/{sha}"),
            "html_url": f"https://github.com/{self.owner}/{self.repo}/blob/{branch}/{path}",
            "download_url": f"https://raw.githubusercontent.com/{self.owner}/{self.repo}/{branch}/{path}",
        }

    @staticmethod
    def _invalid(message: str, status: int = 422, errors: list[dict[str, str]] | None = None) -> web.Response:
        body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if errors:
            body["errors"] = errors
        return web.json_response(body, status=status)

    async def _ref(self, request: web.Request) -> web.Response:
        branch = request.match_info["branch"]
        if self._files(branch) is None:
            return self._invalid("Not Found", 404)
        return web.json_response(self._ref_json(branch))

    async def _create_ref(self, request: web.Request) -> web.Response:
        body = await request.json()
        ref, sha = str(body.get("ref", "")), str(body.get("sha", ""))
        branch = ref.removeprefix("refs/heads/")
        if not ref.startswith("refs/") or ref.count("/") < 2:
            return self._invalid("Reference update failed")
        if self._files(branch) is not None:
            return self._invalid("Reference already exists")
        origin = next((b for b in [self.branch, *self.branches] if self._head(b) == sha), None)
        if origin is None:
            return self._invalid("Object does not exist")
        self.branches[branch] = dict(self._files(origin) or {})
        self.heads[branch] = sha
        self.refs.append({"ref": ref, "sha": sha})
        return web.json_response(self._ref_json(branch), status=201)

    async def _contents(self, request: web.Request) -> web.Response:
        branch = request.query.get("ref", self.branch)
        path = request.match_info["path"]
        files = self._files(branch)
        if files is None or path not in files:
            return self._invalid("Not Found", 404)
        return web.json_response(self._content_json(branch, path, files[path]))

    async def _write_contents(self, request: web.Request) -> web.Response:
        body = await request.json()
        branch, path = str(body.get("branch") or self.branch), request.match_info["path"]
        files = self._files(branch)
        if files is None:
            return self._invalid(f"Branch {branch} not found", 404)
        try:
            data = base64.b64decode(str(body["content"]), validate=True)
        except (KeyError, binascii.Error):
            return self._invalid("Invalid request.\n\ncontent is not valid Base64.")
        if path in files and "sha" not in body:
            return self._invalid('Invalid request.\n\n"sha" wasn\'t supplied.')
        if path in files and body["sha"] != git_object_id("blob", files[path]):
            return self._invalid(f"{path} does not match {body['sha']}", 409)
        parent = self._head(branch)
        commit = git_object_id("commit", f"parent {parent}\n{path}\n{body.get('message', '')}".encode() + data)
        if branch == self.branch:
            (self.root / path).write_bytes(data)
        else:
            self.branches[branch][path] = data
            self.heads[branch] = commit
        self.commits.append(
            {
                "branch": branch,
                "path": path,
                "message": str(body.get("message", "")),
                "content": data.decode(),
                "sha": commit,
            }
        )
        return web.json_response(
            {
                "content": self._content_json(branch, path, data),
                "commit": {
                    "sha": commit,
                    "url": self._api(f"/git/commits/{commit}"),
                    "html_url": f"https://github.com/{self.owner}/{self.repo}/commit/{commit}",
                    "message": body.get("message", ""),
                    "parents": [{"sha": parent, "url": self._api(f"/git/commits/{parent}")}],
                },
            },
            status=201 if path not in files else 200,
        )

    async def _list_pulls(self, request: web.Request) -> web.Response:
        head, state = request.query.get("head"), request.query.get("state", "open")
        return web.json_response(
            [
                pull
                for pull in self.pulls
                if (head is None or pull["head"]["label"] == head) and state in ("all", pull["state"])
            ]
        )

    async def _create_pull(self, request: web.Request) -> web.Response:
        body = await request.json()
        head, base = str(body.get("head", "")), str(body.get("base", self.branch))
        label = head if ":" in head else f"{self.owner}:{head}"
        branch = label.partition(":")[2]
        if not body.get("title"):
            return self._invalid(
                "Validation Failed", errors=[{"resource": "Issue", "field": "title", "code": "missing_field"}]
            )
        if self._files(branch) is None or self._files(base) is None:
            return self._invalid(
                "Validation Failed", errors=[{"resource": "PullRequest", "field": "head", "code": "invalid"}]
            )
        if any(p["head"]["label"] == label and p["state"] == "open" for p in self.pulls):
            message = f"A pull request already exists for {label}."
            return self._invalid(
                "Validation Failed", errors=[{"resource": "PullRequest", "code": "custom", "message": message}]
            )
        if self._files(branch) == self._files(base):
            message = f"No commits between {base} and {branch}"
            return self._invalid(
                "Validation Failed", errors=[{"resource": "PullRequest", "code": "custom", "message": message}]
            )
        number = len(self.pulls) + 1
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        pull = {
            "url": self._api(f"/pulls/{number}"),
            "id": 1000 + number,
            "node_id": base64.b64encode(f"04:PullRequest{number}".encode()).decode(),
            "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}",
            "number": number,
            "state": "open",
            "locked": False,
            "title": body["title"],
            "body": body.get("body"),
            "draft": bool(body.get("draft", False)),
            "created_at": now,
            "updated_at": now,
            "head": {"label": label, "ref": branch, "sha": self._head(branch)},
            "base": {"label": f"{self.owner}:{base}", "ref": base, "sha": self._head(base)},
        }
        self.pulls.append(pull)
        return web.json_response(pull, status=201)
