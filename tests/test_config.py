"""Settings: defaults, `.env`, and one clear line per bad variable (never a traceback)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ratchet.config import ConfigError, Settings, load_channels_config, load_monitor_config, load_settings
from tests.helpers import ratchet_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No RATCHET_* from the developer's shell and no .env from the checkout."""
    for name in list(__import__("os").environ):
        if name.startswith("RATCHET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_nothing_configured() -> None:
    settings = load_settings()
    assert settings.database_url is None
    assert settings.llm == "none"
    assert settings.embeddings == "local"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 5001)
    assert settings.home == Path("~/.local/share/ratchet").expanduser()


def test_reads_dotenv_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("RATCHET_LLM=ollama:qwen2.5:7b\nRATCHET_HTTP_ADDR=0.0.0.0:8080\nRATCHET_HOME=\n")
    monkeypatch.setenv("RATCHET_HTTP_ADDR", "127.0.0.1:9000")
    settings = load_settings()
    assert settings.llm == "ollama:qwen2.5:7b"
    assert settings.http_addr == "127.0.0.1:9000"
    assert settings.home == Path("~/.local/share/ratchet").expanduser()  # empty means default


def test_slack_api_url_gets_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATCHET_SLACK_API_URL", "http://127.0.0.1:8765/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:8765/api/"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RATCHET_HTTP_ADDR", "localhost", "expected host:port"),
        ("RATCHET_HTTP_ADDR", "127.0.0.1:99999", "expected host:port"),
        ("RATCHET_LLM", "gpt-4.1-mini", "expected none or one of openai:<model>, ollama:<model>"),
        ("RATCHET_LLM", "anthropic:claude", "expected none or one of openai:<model>, ollama:<model>"),
        ("RATCHET_EMBEDDINGS", "nomic-embed-text", "expected local or one of openai:<model>, ollama:<model>"),
        ("RATCHET_DATABASE_URL", "mysql://root@localhost/db", "expected a postgresql://"),
        ("RATCHET_SLACK_BOT_TOKEN", "xoxp-user-token", "starting with xoxb-"),
        ("RATCHET_SLACK_APP_TOKEN", "xoxb-not-an-app-token", "starting with xapp-"),
        ("RATCHET_SLACK_API_URL", "slack.com/api", "expected an http(s):// URL"),
        ("RATCHET_CHANNELS_CONFIG", "/nonexistent/channels.yaml", "existing file"),
        ("RATCHET_MCP_CONFIG", "/nonexistent/mcp.yaml", "existing file"),
        ("RATCHET_DOCS_CONFIG", "/nonexistent/docs.yaml", "existing file"),
        ("RATCHET_MONITOR_CONFIG", "/nonexistent/monitor.yaml", "existing file"),
        ("RATCHET_WORKERS", "0", "greater than or equal to 1"),
        ("RATCHET_WORKERS", "many", "valid integer"),
        ("RATCHET_LOG_LEVEL", "LOUD", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{variable}: ")
    assert expected in message


def test_secrets_never_appear_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATCHET_SLACK_BOT_TOKEN", "xoxp-1234-secret-value")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "secret-value" not in str(caught.value)


def test_env_example_documents_every_setting_once() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = re.findall(r"^(RATCHET_[A-Z_]+)=", text, flags=re.MULTILINE)
    expected = {f"RATCHET_{name.upper()}" for name in Settings.model_fields}
    assert sorted(documented) == sorted(expected)


def test_env_example_loads_as_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    assert load_settings() == Settings(_env_file=None)


def test_cli_prints_one_line_per_bad_variable_and_exits_2(tmp_path: Path) -> None:
    result = ratchet_cli(
        "db", "status", env={"RATCHET_HTTP_ADDR": "nowhere", "RATCHET_LLM": "gpt4"}, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: RATCHET_LLM: expected none or one of openai:<model>, ollama:<model>, got 'gpt4'",
        "error: RATCHET_HTTP_ADDR: expected host:port like 127.0.0.1:5001, got 'nowhere'",
    ]


def test_channels_config_is_read_by_id_or_name(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("default:\n  tools: [search_docs]\nchannels:\n  '#alerts':\n    tools: []\n  C0OPS0001: {}\n")
    config = load_channels_config(path)
    assert config.for_channel("C0ALERTS1", "alerts").tools == []
    assert config.for_channel("C0OPS0001", "ops").tools is None
    assert config.for_channel("C0OTHER01", "random").tools == ["search_docs"]
    assert load_channels_config(None).for_channel("C0OTHER01").tools is None


def test_a_channel_reads_itself_and_the_channels_it_is_configured_to_read_from(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  '#alerts':\n    reads_from: ['#ops', C0INFRA01]\n")
    config = load_channels_config(path)
    assert config.readable_from("C0ALERTS1", "alerts") == ["C0ALERTS1", "ops", "C0INFRA01"]
    assert config.readable_from("C0OPS0001", "ops") == ["C0OPS0001"], "reading is one way, and opt-in"
    assert load_channels_config(None).readable_from("C0OTHER01") == ["C0OTHER01"]


def test_the_channels_example_in_env_example_is_a_valid_config(tmp_path: Path) -> None:
    example = re.search(r"^#   default:\n(?:#     .*\n|#   channels:\n)+", (ROOT / ".env.example").read_text(), re.M)
    assert example is not None
    path = tmp_path / "channels.yaml"
    path.write_text("".join(line[2:] + "\n" for line in example[0].splitlines()))
    config = load_channels_config(path)
    assert config.readable_from("C0OPS0001", "ops") == ["C0OPS0001", "alerts", "payments-sec"]


def test_a_bad_channels_config_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  '#alerts':\n    tool: [search_docs]\n")
    with pytest.raises(ConfigError) as caught:
        load_channels_config(path)
    assert (
        str(caught.value) == f"RATCHET_CHANNELS_CONFIG: {path}: channels.#alerts.tool: Extra inputs are not permitted"
    )


def test_serve_refuses_a_tool_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  '#alerts':\n    tools: [search_docs, page_everyone]\n")
    env = {
        "RATCHET_CHANNELS_CONFIG": str(path),
        "RATCHET_SLACK_BOT_TOKEN": "xoxb-0-0-x",
        "RATCHET_SLACK_SIGNING_SECRET": "s",
    }
    result = ratchet_cli("serve", env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("error: RATCHET_CHANNELS_CONFIG: #alerts: no tool named page_everyone (tools: ")


def test_monitor_rules_are_found_by_channel_id_or_name(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "rules:\n"
        "  - slug: disk-requests\n"
        "    channels: ['#ops', C0INFRA01]\n"
        "    prompt: Does the message ask for more disk space, and for which host?\n"
        "    schema: {type: object, properties: {host: {type: [string, 'null']}}, required: [host]}\n"
        "    action: {webhook: 'https://hooks.example.com/disk', headers: {Authorization: Bearer x}}\n"
        "    approval: true\n"
    )
    config = load_monitor_config(path)
    [rule] = config.rules
    assert (rule.timeout_seconds, rule.approval, rule.action.command) == (60, True, None)
    assert config.rules_for("C0OPS0001", "ops") == config.rules_for("C0INFRA01") == [rule]
    assert config.rules_for("C0OTHER01", "random") == [] and config.rules_for("C0OTHER01") == []
    assert load_monitor_config(None).rules == []
