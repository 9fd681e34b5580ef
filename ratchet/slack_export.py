"""Reading Slack's standard export: a .zip (or its unpacked folder) holding channels.json, users.json, optionally
groups.json / dms.json / mpims.json, and one folder per conversation of <YYYY-MM-DD>.json message arrays (named
after the channel, or after the ID for DMs). Shared by `ratchet import` and the simulator's workspace loader, so
it depends on nothing of either."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


class ExportError(ValueError):
    """The export, or one file of it, is unreadable or not shaped as Slack writes it."""


class Purpose(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: str = ""
    creator: str = ""
    last_set: int = 0


class ExportUser(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    team_id: str | None = None
    real_name: str | None = None
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    tz: str | None = None
    color: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)


class ExportChannel(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    name: str | None = None
    created: int = 0
    creator: str = ""
    is_archived: bool = False
    is_general: bool = False
    members: list[str] = Field(default_factory=list)
    topic: Purpose = Field(default_factory=Purpose)
    purpose: Purpose = Field(default_factory=Purpose)


class ExportSource:
    """Read JSON files of an export from a folder or a zip, wherever channels.json sits inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.names: set[str] = set()  # the zip's members, looked up once: an export can hold many thousand files
        if path.is_dir():
            if not (path / "channels.json").exists():
                nested = sorted(path.rglob("channels.json"), key=lambda p: len(p.parts))
                if not nested:
                    raise ExportError(f"{path}: no channels.json")
                self.path = nested[0].parent
            self.prefix = ""
        elif zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            candidates = sorted(
                (n for n in self.zip.namelist() if PurePosixPath(n).name == "channels.json"), key=lambda n: n.count("/")
            )
            if not candidates:
                self.zip.close()
                raise ExportError(f"{path}: no channels.json in the zip")
            parent = str(PurePosixPath(candidates[0]).parent)
            self.prefix = "" if parent == "." else parent + "/"
            self.names = set(self.zip.namelist())
        else:
            raise ExportError(f"{path}: neither a folder nor a zip file")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def read(self, name: str) -> Any:
        """The parsed JSON of `name` (a path inside the export), or None when the export has no such file."""
        try:
            if self.zip is not None:
                if self.prefix + name not in self.names:
                    return None
                raw = self.zip.read(self.prefix + name)
            else:
                file = self.path / name
                if not file.is_file():
                    return None
                raw = file.read_bytes()
            return json.loads(raw.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ExportError(f"{name}: not valid JSON ({exc})") from exc
        except (OSError, zipfile.BadZipFile) as exc:
            raise ExportError(f"{name}: unreadable ({exc})") from exc

    def day_files(self, folder: str) -> list[str]:
        """The conversation's day files, oldest first."""
        if self.zip is not None:
            base = self.prefix + folder + "/"
            names = [n[len(base) :] for n in self.names if n.startswith(base)]
        else:
            directory = self.path / folder
            names = [p.name for p in directory.iterdir()] if directory.is_dir() else []
        return sorted(f"{folder}/{n}" for n in names if DAY_FILE.match(n))

    def day(self, name: str) -> list[Any]:
        """One day file's records (raises ExportError when it is not a JSON array)."""
        data = self.read(name)
        if not isinstance(data, list):
            raise ExportError(f"{name}: expected a JSON array of messages")
        return data

    def records(self, name: str, model: type[BaseModel], *, required: bool = False) -> list[Any]:
        """The validated records of a top-level listing such as channels.json (empty when it is absent)."""
        data = self.read(name)
        if data is None:
            if required:
                raise ExportError(f"{self.path}: {name} is missing")
            return []
        if not isinstance(data, list):
            raise ExportError(f"{name}: expected a JSON array")
        out = []
        for item in data:
            try:
                out.append(model.model_validate(item))
            except ValidationError as exc:
                raise ExportError(f"{name}: {exc.errors()[0]['msg']} in {item!r:.200}") from exc
        return out
