"""Configuration: one `Settings` object read from `RATCHET_*` environment variables and `.env`.

Every variable is documented once, in `.env.example`. A bad value becomes a `ConfigError` whose message is one
line naming the variable and what is expected; the CLI prints it instead of a traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "RATCHET_"
CHAT_PROVIDERS = ("openai", "ollama")
EMBEDDING_PROVIDERS = ("openai", "ollama")
MODEL_SPECS = {"llm": ("none", CHAT_PROVIDERS), "embeddings": ("local", EMBEDDING_PROVIDERS)}  # built-in, providers
ConfigModel = TypeVar("ConfigModel", bound=BaseModel)


class ConfigError(Exception):
    """A configuration problem a person must fix; its message is one line that names the variable."""


def split_model_spec(spec: str, providers: tuple[str, ...]) -> tuple[str, str]:
    """Split `provider:model` (the model part may itself contain colons, as in `ollama:qwen2.5:7b`)."""
    provider, sep, model = spec.partition(":")
    if not sep or provider not in providers or not model:
        raise ValueError(f"expected one of {', '.join(p + ':<model>' for p in providers)}, got {spec!r}")
    return provider, model


def _check_file(value: Path | None) -> Path | None:
    if value is not None and not value.expanduser().is_file():
        raise ValueError(f"expected a path to an existing file, got {str(value)!r}")
    return value.expanduser() if value else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    database_url: str | None = None
    home: Path = Path("~/.local/share/ratchet")

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    llm: str = "none"
    llm_base_url: str | None = None
    llm_timeout_seconds: float = Field(default=60, gt=0, le=3600)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    thread_token_budget: int = Field(default=100_000, ge=1000)
    embeddings: str = "local"

    classifier_command: str | None = None
    channels_config: Path | None = None
    mcp_config: Path | None = None
    docs_config: Path | None = None
    github_api_url: str = "https://api.github.com"
    monitor_config: Path | None = None
    schedules_config: Path | None = None

    http_addr: str = "127.0.0.1:5001"
    api_token: SecretStr | None = None
    workers: int = Field(default=4, ge=1, le=64)
    job_lease_seconds: float = Field(default=120, ge=1, le=3600)
    catchup_reply_minutes: float = Field(default=30, ge=0, le=7 * 24 * 60)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^postgres(ql)?://", value):
            raise ValueError(f"expected a postgresql://user:pass@host:port/db URL, got {value[:40]!r}")
        return value or None

    @field_validator("home")
    @classmethod
    def _home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _slack_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        prefix = "xoxb-" if info.field_name == "slack_bot_token" else "xapp-"
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"expected a token starting with {prefix}")
        return value

    @field_validator("slack_api_url", "llm_base_url", "github_api_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == "":
            return None
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        if info.field_name == "slack_api_url" and not value.endswith("/"):
            value += "/"
        return value

    @field_validator("llm", "embeddings")
    @classmethod
    def _model_spec(cls, value: str, info: ValidationInfo) -> str:
        builtin, providers = MODEL_SPECS[info.field_name]
        if value != builtin:
            try:
                split_model_spec(value, providers)
            except ValueError:
                choices = ", ".join(f"{p}:<model>" for p in providers)
                raise ValueError(f"expected {builtin} or one of {choices}, got {value!r}") from None
        return value

    @field_validator("channels_config", "mcp_config", "docs_config", "monitor_config", "schedules_config")
    @classmethod
    def _config_file(cls, value: Path | None) -> Path | None:
        return _check_file(value)

    @field_validator("http_addr")
    @classmethod
    def _http_addr(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected host:port like 127.0.0.1:5001, got {value!r}")
        return value

    @property
    def http_host(self) -> str:
        return self.http_addr.rpartition(":")[0]

    @property
    def http_port(self) -> int:
        return int(self.http_addr.rpartition(":")[2])


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad variable: `RATCHET_X: what is expected`."""
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{ENV_PREFIX}{field.upper()}: {message}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; raise `ConfigError` with a readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None


class ChannelSettings(BaseModel):
    """What the bot may do in one channel (RATCHET_CHANNELS_CONFIG)."""

    model_config = ConfigDict(extra="forbid")

    tools: list[str] | None = None  # the agent's tools allowed here; None = all of them
    # other channels (ids or names) whose messages the agent's tools and an alert's recent activity and past
    # incidents may show here; the channel itself always, no other unless listed (a private channel's text must
    # not reach a public one by accident)
    reads_from: list[str] = Field(default_factory=list)


class ChannelsConfig(BaseModel):
    """Per-channel settings keyed by channel id (`C0123…`) or name (`#alerts` or `alerts`); `default` applies to
    channels not listed."""

    model_config = ConfigDict(extra="forbid")

    default: ChannelSettings = Field(default_factory=ChannelSettings)
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)

    def for_channel(self, channel_id: str, name: str | None = None) -> ChannelSettings:
        for key in (channel_id, name, f"#{name}" if name else None):
            if key and key in self.channels:
                return self.channels[key]
        return self.default

    def readable_from(self, channel_id: str, name: str | None = None) -> list[str]:
        """The channels whose messages may be shown in this one: itself and its `reads_from` (ids, or names
        without the `#`)."""
        return [channel_id, *(ref.removeprefix("#") for ref in self.for_channel(channel_id, name).reads_from)]


def _load_yaml_config(model: type[ConfigModel], path: Path | None, variable: str) -> ConfigModel:
    """A YAML config file read into `model`, or the model's defaults when there is none; a bad file is a
    ConfigError naming the variable, the file and the first problem."""
    if path is None:
        return model()
    import yaml

    try:
        return model.model_validate(yaml.safe_load(path.read_text()) or {})
    except yaml.MarkedYAMLError as error:
        line = f"line {error.problem_mark.line + 1}: " if error.problem_mark else ""
        raise ConfigError(f"{variable}: {path}: {line}{error.problem or error.context}") from None
    except (yaml.YAMLError, ValidationError) as error:
        detail = error.errors()[0] if isinstance(error, ValidationError) else None
        where = ".".join(str(part) for part in detail["loc"]) + ": " if detail and detail["loc"] else ""
        message = detail["msg"].removeprefix("Value error, ") if detail else str(error).splitlines()[0]
        raise ConfigError(f"{variable}: {path}: {where}{message}") from None


def load_channels_config(path: Path | None) -> ChannelsConfig:
    """The channels config file, or the defaults when there is none; a bad file is a ConfigError."""
    return _load_yaml_config(ChannelsConfig, path, "RATCHET_CHANNELS_CONFIG")


class McpServerBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(default=30, gt=0, le=600)  # to start and list tools, and for each tool call


class McpStdioServer(McpServerBase):
    """A server ratchet starts as a subprocess and talks to over its stdin/stdout. `${VAR}` in `env` values is
    read from ratchet's environment (keep secrets out of the file); the child also gets PATH, HOME and the like."""

    transport: Literal["stdio"]
    command: str
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: Path | None = None


class McpHttpServer(McpServerBase):
    """A server reached over streamable HTTP. `${VAR}` in `headers` values is read from ratchet's environment."""

    transport: Literal["streamable_http"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value


McpServer = Annotated[McpStdioServer | McpHttpServer, Field(discriminator="transport")]


class McpConfig(BaseModel):
    """MCP servers whose tools the agent may call (RATCHET_MCP_CONFIG), keyed by a name that prefixes their tool
    names (`<server>_<tool>`)."""

    model_config = ConfigDict(extra="forbid")

    servers: dict[str, McpServer] = Field(default_factory=dict)

    @field_validator("servers")
    @classmethod
    def _server_names(cls, value: dict[str, McpServer]) -> dict[str, McpServer]:
        # no underscore: `<server>_<tool>` then names one tool of one server, and model APIs accept the name
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", name):
                raise ValueError(f"server name {name!r}: use up to 32 letters, digits and hyphens")
        return value


def load_mcp_config(path: Path | None) -> McpConfig:
    """The MCP servers config file, or no servers when there is none; a bad file is a ConfigError."""
    return _load_yaml_config(McpConfig, path, "RATCHET_MCP_CONFIG")


MESSAGE_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{(?:text|author|channel|message)\}")


class MonitorAction(BaseModel):
    """What a rule runs with the model's result: an executable named here (`command`, its argv; nothing the model
    says can choose one) or a `webhook` (POST, with optional `headers`). Exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    command: list[str] | None = Field(default=None, min_length=1)
    webhook: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("command")
    @classmethod
    def _executable(cls, argv: list[str] | None) -> list[str] | None:
        if argv is None:
            return None
        found = shutil.which(argv[0])
        if found is None:
            raise ValueError(f"{argv[0]!r} is not an executable file (give a path, or a name on PATH)")
        return [str(Path(found).resolve()), *argv[1:]]  # resolved now: a later PATH cannot swap the program

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> MonitorAction:
        if (self.command is None) == (self.webhook is None):
            raise ValueError("give either command (a list: the executable and its arguments) or webhook (a URL)")
        if self.headers and self.webhook is None:
            raise ValueError("headers go with a webhook")
        return self


class MonitorRule(BaseModel):
    """One channel-monitor rule: in its channels, every message is shown to the model with the rule's `prompt`;
    the model answers JSON matching `schema`, and that goes to the action. The prompt holds only instructions:
    the message, its author and channel follow it as quoted data (ratchet/prompts/channel_monitor.md)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    channels: list[str] = Field(min_length=1)  # ids (C0123…) or names (#ops or ops)
    prompt: str = Field(min_length=1)
    result_schema: dict[str, Any] = Field(alias="schema")
    action: MonitorAction
    timeout_seconds: float = Field(default=60, gt=0, le=3600)
    approval: bool = False  # a person approves in the thread before the action runs

    @field_validator("prompt")
    @classmethod
    def _instructions_only(cls, value: str) -> str:
        if found := MESSAGE_PLACEHOLDER.search(value):
            raise ValueError(
                f"{found.group()} is not filled in: the message, its author and channel are shown to the model "
                "after the prompt, as quoted data; refer to them as 'the message'"
            )
        return value

    @field_validator("result_schema")
    @classmethod
    def _json_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for

        try:
            validator_for(value).check_schema(value)
        except SchemaError as error:
            where = "/".join(str(part) for part in error.path)
            raise ValueError(f"not a valid JSON schema: {where + ': ' if where else ''}{error.message}") from None
        if value.get("type") != "object" or not isinstance(value.get("properties"), dict):
            raise ValueError('the result must be a JSON object: give the schema "type": "object" and "properties"')
        return value

    def watches(self, channel_id: str, name: str | None = None) -> bool:
        refs = {channel_id, name, f"#{name}"} if name else {channel_id}
        return not refs.isdisjoint(self.channels)


class MonitorConfig(BaseModel):
    """The channel-monitor rules (RATCHET_MONITOR_CONFIG)."""

    model_config = ConfigDict(extra="forbid")

    rules: list[MonitorRule] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique_slugs(cls, rules: list[MonitorRule]) -> list[MonitorRule]:
        slugs = [rule.slug for rule in rules]
        if duplicated := sorted({slug for slug in slugs if slugs.count(slug) > 1}):
            raise ValueError(f"two rules are named {duplicated[0]!r}")
        return rules

    def rules_for(self, channel_id: str, name: str | None = None) -> list[MonitorRule]:
        """The rules that watch this channel, in the file's order."""
        return [rule for rule in self.rules if rule.watches(channel_id, name)]


def load_monitor_config(path: Path | None) -> MonitorConfig:
    """The channel-monitor rules file, or no rules when there is none; a bad file is a ConfigError."""
    return _load_yaml_config(MonitorConfig, path, "RATCHET_MONITOR_CONFIG")
