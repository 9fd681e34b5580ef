"""A stand-in for the three read endpoints of GitHub's REST API, serving a local directory as a repository.

`GET /repos/{owner}/{repo}`, `GET /repos/{owner}/{repo}/git/trees/{branch-or-sha}?recursive=1` and
`GET /repos/{owner}/{repo}/git/blobs/{sha}` answer with the JSON shapes of GitHub's documented examples (field
names, base64 blobs with line breaks, `truncated`), with real git object ids computed from the files as they are
at the time of the request, so a test can change a file between two reads. With `token` set, a request without it
gets GitHub's 404 for a private repository and a wrong one its 401 "Bad credentials". `rate_limited = n` makes the
next n requests get GitHub's primary rate-limit answer (403 with `x-ratelimit-remaining: 0` and a reset time
`reset_after` seconds ahead).
"""

from __future__ import annotations

import base64
import hashlib
import time
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
        app = web.Application(middlewares=[self._gatekeeper])
        base = f"/repos/{owner}/{repo}"
        app.router.add_get(base, self._repository)
        app.router.add_get(base + "/git/trees/{tree}", self._tree)
        app.router.add_get(base + "/git/blobs/{sha}", self._blob)
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
        return await handler(request)

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
