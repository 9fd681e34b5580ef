#!/usr/bin/env python3
# ruff: noqa: E501  (long literal message templates read better unwrapped)
"""Render the held-out Slack alert-classification set.

Usage (from the repository root):

    python bench/heldout/render.py

Writes ``bench/heldout/messages.jsonl``: one JSON object per line,
``{"family", "template", "message", "kind", "alert"}``, where ``message`` is a
Slack message event as the Events API delivers it to a bot.

The templates were written from knowledge of how the vendors' Slack
integrations format their posts and how teams customise them, independently
of (and without looking at) the classifier in ``ratchet/``.  See README.md for
the label conventions.

Stdlib only and deterministic: a fixed seed, sorted inputs, no set/dict-hash
ordering and no wall clock.  Prometheus rule names come exclusively from
``tests/data/alerts/alerts.jsonl`` records whose dataset is
``gitlab-com-runbooks`` (minus any name that also occurs in another dataset).
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ALERTS_FILE = ROOT / "tests" / "data" / "alerts" / "alerts.jsonl"
OUT_FILE = HERE / "messages.jsonl"

R = random.Random(0x5EED_2024)
UPPER = string.ascii_uppercase + string.digits
LOWER = string.ascii_lowercase + string.digits
MIXED = string.ascii_letters + string.digits
HEX = "0123456789abcdef"

FIRING, RESOLVED, OTHER = "alert_firing", "alert_resolved", "alert_other"
QUESTION, CHATTER = "question", "chatter"


def rid(prefix: str, n: int = 9, alphabet: str = UPPER) -> str:
    return prefix + "".join(R.choice(alphabet) for _ in range(n))


def pick(seq):
    return R.choice(seq)


def chance(p: float) -> bool:
    return R.random() < p


def hexs(n: int) -> str:
    return "".join(R.choice(HEX) for _ in range(n))


def lows(n: int) -> str:
    return "".join(R.choice(string.ascii_lowercase) for _ in range(n))


def schedule(n: int, weights: list[tuple[str, float]]) -> list[str]:
    """Deterministic status list of length n with roughly the given mix."""
    total = sum(w for _, w in weights)
    out: list[str] = []
    for status, w in weights:
        out += [status] * round(n * w / total)
    while len(out) < n:
        out.append(weights[0][0])
    out = out[:n]
    R.shuffle(out)
    return out


# --------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 1714557600  # 2024-05-01T10:00:00Z

    def next(self) -> str:
        self.t += R.randint(15, 1500)
        return f"{self.t}.{R.randint(0, 999999):06d}"


CLOCK = Clock()


def secs(ts: str) -> int:
    return int(ts.split(".")[0])


def earlier(ts: str, lo: int = 60, hi: int = 5400) -> str:
    return f"{secs(ts) - R.randint(lo, hi)}.{R.randint(0, 999999):06d}"


def utc(t: int, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(t, UTC).strftime(fmt)


def iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def duration(s: int) -> str:
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h}h {m}m {sec}s" if chance(0.5) else f"{h}h {m}m"
    if m:
        return f"{m}m {sec}s"
    return f"{sec}s"


# --------------------------------------------------------------------------
# Slack plumbing
# --------------------------------------------------------------------------
TEAM = "T03NQ7RK2LB"
CH_ALERTS = [rid("C0", 9) for _ in range(7)]
CH_INCIDENT = [rid("C0", 9) for _ in range(4)]
CH_TEAM = [rid("C0", 9) for _ in range(5)]
CH_DEPLOY = [rid("C0", 9) for _ in range(3)]

PEOPLE = [
    ("Priya Raman", "priya"),
    ("Marco Bellini", "marco.b"),
    ("Sam Okafor", "sokafor"),
    ("Jana Novak", "jnovak"),
    ("Lucas Ferreira", "lferreira"),
    ("Emily Chen", "echen"),
    ("Tomasz Wójcik", "twojcik"),
    ("Aisha Bello", "abello"),
    ("Kenji Sato", "ksato"),
    ("Hannah Schmidt", "hschmidt"),
    ("Diego Alvarez", "dalvarez"),
    ("Olivia Brooks", "obrooks"),
    ("Ravi Menon", "rmenon"),
    ("Chloé Martin", "cmartin"),
    ("Noah Williams", "nwilliams"),
    ("Fatima Zahra", "fzahra"),
    ("Ben Carter", "bcarter"),
    ("Ingrid Larsen", "ilarsen"),
]
USER_IDS = {handle: rid("U0", 9) for _, handle in PEOPLE}


def person():
    name, handle = pick(PEOPLE)
    return name, handle, USER_IDS[handle]


def block_id() -> str:
    return "".join(R.choice(MIXED) for _ in range(R.choice([3, 4, 5])))


def pt(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def md(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": False}


def b_header(text: str) -> dict:
    return {"type": "header", "block_id": block_id(), "text": pt(text)}


def b_section(text: str | None = None, fields: list[str] | None = None, accessory: dict | None = None) -> dict:
    b: dict = {"type": "section", "block_id": block_id()}
    if text is not None:
        b["text"] = md(text)
    if fields:
        b["fields"] = [md(f) for f in fields]
    if accessory:
        b["accessory"] = accessory
    return b


def b_context(*texts: str) -> dict:
    return {"type": "context", "block_id": block_id(), "elements": [md(t) for t in texts]}


def b_divider() -> dict:
    return {"type": "divider", "block_id": block_id()}


def b_image(url: str, alt: str) -> dict:
    return {
        "type": "image",
        "block_id": block_id(),
        "image_url": url,
        "alt_text": alt,
        "image_width": 800,
        "image_height": 400,
        "image_bytes": R.randint(20000, 90000),
        "fallback": "800x400px image",
    }


def button(label: str, url: str | None = None, style: str | None = None, value: str | None = None) -> dict:
    b = {"type": "button", "action_id": "".join(R.choice(MIXED) for _ in range(R.choice([4, 5]))), "text": pt(label)}
    if url:
        b["url"] = url
    if value:
        b["value"] = value
    if style:
        b["style"] = style
    return b


def b_actions(*buttons: dict) -> dict:
    return {"type": "actions", "block_id": block_id(), "elements": list(buttons)}


NAMED_COLORS = {"good": "2eb886", "warning": "daa038", "danger": "a30200"}


def norm_color(c: str) -> str:
    c = NAMED_COLORS.get(c, c)
    return c.lstrip("#")


def legacy_action(label: str, value: str, style: str = "", url: str | None = None, n: int = 1) -> dict:
    a = {"id": str(n), "name": value, "text": label, "type": "button", "value": value, "style": style}
    if url:
        a["url"] = url
    return a


def attach(**kw) -> dict:
    a = {}
    for k, v in kw.items():
        if v is None or v == [] or v == {}:
            continue
        a[k] = v
    if "color" in a:
        a["color"] = norm_color(a["color"])
    if "fields" in a:
        a["fields"] = [
            dict(title=f.get("title", ""), value=f.get("value", ""), short=bool(f.get("short", False)))
            for f in a["fields"]
        ]
    if "fallback" not in a:
        if "blocks" in a:
            a["fallback"] = "[no preview available]"
        else:
            a["fallback"] = a.get("title") or a.get("text") or a.get("pretext") or "[no preview available]"
    if "actions" in a:
        for i, act in enumerate(a["actions"], 1):
            if "id" in act:
                act["id"] = str(i)
    return a


class Bot:
    """A Slack integration.  webhook=True -> incoming webhook (bot_message subtype)."""

    def __init__(self, name: str, username: str | None = None, webhook: bool = True, icons: dict | None = None) -> None:
        self.name = name
        self.username = username or name
        self.webhook = webhook
        self.icons = icons
        self.bot_id = rid("B0", 9)
        self.app_id = rid("A0", 9)
        self.user_id = rid("U0", 9)
        stamp = f"2023-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}"
        img = f"https://avatars.slack-edge.com/{stamp}/{R.randint(10**12, 10**13 - 1)}_{hexs(20)}"
        self.profile_icons = {"image_36": img + "_36.png", "image_48": img + "_48.png", "image_72": img + "_72.png"}
        self.updated = R.randint(1650000000, 1710000000)

    def profile(self) -> dict:
        return {
            "id": self.bot_id,
            "deleted": False,
            "name": self.name,
            "updated": self.updated,
            "app_id": self.app_id,
            "icons": self.profile_icons,
            "team_id": TEAM,
        }


def post(
    bot: Bot,
    text: str = "",
    attachments: list | None = None,
    blocks: list | None = None,
    channel: str | None = None,
    thread_ts: str | None = None,
    username: str | None = None,
    icons: dict | None = None,
    ts: str | None = None,
    files: list | None = None,
    subtype: str | None = None,
    with_channel: bool = True,
) -> dict:
    ts = ts or CLOCK.next()
    m: dict = {"type": "message"}
    if bot.webhook:
        m["subtype"] = subtype or "bot_message"
        m["text"] = text
        m["ts"] = ts
        m["username"] = username or bot.username
        ic = icons or bot.icons
        if ic:
            m["icons"] = ic
        m["bot_id"] = bot.bot_id
        m["app_id"] = bot.app_id
    else:
        if subtype:
            m["subtype"] = subtype
        m["text"] = text
        m["user"] = bot.user_id
        m["ts"] = ts
        m["bot_id"] = bot.bot_id
        m["app_id"] = bot.app_id
        m["team"] = TEAM
        m["bot_profile"] = bot.profile()
    if blocks:
        m["blocks"] = blocks
    if attachments:
        for i, a in enumerate(attachments, 1):
            a["id"] = i
        m["attachments"] = attachments
    if files:
        m["files"] = files
        m["upload"] = False
        m["display_as_bot"] = False
    if thread_ts:
        m["thread_ts"] = thread_ts
        m["parent_user_id"] = bot.user_id if not bot.webhook else pick([u for u in USER_IDS.values()])
    if with_channel:
        m["channel"] = channel or pick(CH_ALERTS)
        m["event_ts"] = ts
        m["channel_type"] = "channel"
    return m


def edited(new: dict, prev: dict, channel: str | None = None) -> dict:
    """Wrap a bot's chat.update as the message_changed event Slack delivers."""
    edit_ts = CLOCK.next()
    ch = channel or new.get("channel") or pick(CH_ALERTS)
    inner = {k: v for k, v in new.items() if k not in ("channel", "event_ts", "channel_type")}
    old = {k: v for k, v in prev.items() if k not in ("channel", "event_ts", "channel_type")}
    inner["ts"] = old["ts"]
    inner["edited"] = {"user": inner.get("user") or inner.get("bot_id"), "ts": edit_ts}
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": inner,
        "previous_message": old,
        "channel": ch,
        "hidden": True,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": "channel",
    }


# rich_text rendering for human messages -----------------------------------
_RT_TOKEN = re.compile(
    r"```(.*?)```|<@(U[A-Z0-9]+)>|<!(here|channel)>|<(https?://[^|>]+)(?:\|([^>]+))?>|`([^`]+)`|\*([^*\n]+)\*|_([^_\n]+)_",
    re.S,
)


def rich_text(text: str) -> dict:
    elements: list = []
    section: list = []

    def flush():
        nonlocal section
        if section:
            elements.append({"type": "rich_text_section", "elements": section})
            section = []

    pos = 0
    for m in _RT_TOKEN.finditer(text):
        if m.start() > pos:
            section.append({"type": "text", "text": text[pos : m.start()]})
        pre, uid, bc, url, label, code, bold, ital = m.groups()
        if pre is not None:
            flush()
            elements.append(
                {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": pre.strip("\n")}], "border": 0}
            )
        elif uid:
            section.append({"type": "user", "user_id": uid})
        elif bc:
            section.append({"type": "broadcast", "range": bc})
        elif url:
            el = {"type": "link", "url": url}
            if label:
                el["text"] = label
            section.append(el)
        elif code is not None:
            section.append({"type": "text", "text": code, "style": {"code": True}})
        elif bold is not None:
            section.append({"type": "text", "text": bold, "style": {"bold": True}})
        elif ital is not None:
            section.append({"type": "text", "text": ital, "style": {"italic": True}})
        pos = m.end()
    if pos < len(text):
        section.append({"type": "text", "text": text[pos:]})
    flush()
    return {"type": "rich_text", "block_id": block_id(), "elements": elements}


def human(
    uid: str,
    text: str,
    channel: str | None = None,
    thread_ts: str | None = None,
    parent_user: str | None = None,
    blocks: bool = True,
) -> dict:
    ts = CLOCK.next()
    m: dict = {
        "type": "message",
        "client_msg_id": str(uuid.UUID(int=R.getrandbits(128), version=4)),
        "text": text,
        "user": uid,
        "ts": ts,
        "team": TEAM,
    }
    if blocks:
        m["blocks"] = [rich_text(text)]
    if thread_ts:
        m["thread_ts"] = thread_ts
        m["parent_user_id"] = parent_user or pick(list(USER_IDS.values()))
    m["channel"] = channel or pick(CH_ALERTS + CH_TEAM + CH_INCIDENT)
    m["event_ts"] = ts
    m["channel_type"] = "channel"
    return m


# --------------------------------------------------------------------------
# Prometheus rule pool (gitlab-com-runbooks only)
# --------------------------------------------------------------------------
def load_prom_pool():
    recs = [json.loads(line) for line in ALERTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    other = sorted({r["alert"].strip().lower() for r in recs if r.get("dataset") != "gitlab-com-runbooks"})
    other_set = set(other)
    chosen: dict = {}
    for r in recs:
        if r.get("dataset") != "gitlab-com-runbooks":
            continue
        name = r["alert"]
        if name.strip().lower() in other_set or name in chosen or name == "IncidentProjectTest":
            continue
        chosen[name] = r
    names = sorted(chosen)
    slo = [n for n in names if re.search(r"SLOViolation|TrafficAbsent|TrafficCessation", n)]
    cause = [n for n in names if n not in slo]
    R.shuffle(slo)
    R.shuffle(cause)
    pool = cause[:95] + slo[:65]
    R.shuffle(pool)
    other_names = sorted({r["alert"] for r in recs if r.get("dataset") != "gitlab-com-runbooks"})
    return chosen, pool, other_names


PROM, PROM_POOL, OTHER_DATASET_NAMES = load_prom_pool()
_prom_i = 0


def next_prom() -> dict:
    global _prom_i
    rec = PROM[PROM_POOL[_prom_i % len(PROM_POOL)]]
    _prom_i += 1
    return rec


def prom_name() -> str:
    return next_prom()["alert"]


ENVS = ["gprd", "gprd", "gprd", "gstg", "ops", "pre"]
ENV_PROJECT = {"gprd": "gitlab-production", "gstg": "gitlab-staging-1", "ops": "gitlab-ops", "pre": "gitlab-pre"}
GCP_REGIONS = ["us-east1", "us-east1", "us-central1", "europe-west1", "us-east1-b", "us-east1-c", "us-east1-d"]
TYPE_HINTS = [
    ("patroni", "patroni"),
    ("postgres", "patroni"),
    ("walg", "patroni"),
    ("pgbouncer", "pgbouncer"),
    ("redis", "redis"),
    ("sentinel", "redis"),
    ("sidekiq", "sidekiq"),
    ("gitaly", "gitaly"),
    ("praefect", "praefect"),
    ("haproxy", "frontend"),
    ("loadbalancer", "frontend"),
    ("registry", "registry"),
    ("mailroom", "mailroom"),
    ("imap", "mailroom"),
    ("elasticsearch", "logging"),
    ("mtail", "monitoring"),
    ("thanos", "monitoring"),
    ("prometheus", "monitoring"),
    ("alertmanager", "monitoring"),
    ("kube", "kube"),
    ("horizontalpod", "kube"),
    ("chef", "infra"),
    ("cicd", "ci-runners"),
    ("runner", "ci-runners"),
    ("pages", "web-pages"),
    ("workhorse", "web"),
    ("ssh", "git"),
    ("cloudnat", "nat"),
    ("airflow", "airflow"),
    ("pubsub", "logging"),
    ("blackbox", "blackbox"),
]
TIERS = {
    "patroni": "db",
    "pgbouncer": "db",
    "redis": "db",
    "gitaly": "stor",
    "praefect": "stor",
    "frontend": "lb",
    "nat": "inf",
    "monitoring": "inf",
    "logging": "inf",
    "kube": "inf",
    "infra": "inf",
    "ci-runners": "runners",
}
GROUP_BYS = [
    ["alertname"],
    ["alertname", "env"],
    ["alertname", "env", "stage", "type"],
    ["alertname", "environment", "tier", "type"],
    ["alertname", "env", "type"],
]


def infer_type(rec: dict) -> str:
    text = (rec.get("summary") or "") + " " + (rec.get("description") or "")
    m = re.search(r"of the ([a-z0-9_-]+) service", text)
    if m:
        return m.group(1)
    n = rec["alert"].lower()
    for key, t in TYPE_HINTS:
        if key in n:
            return t
    return pick(["web", "api", "git", "sidekiq", "monitoring"])


def gen_fqdn(L: dict) -> str:
    t, env = L.get("type", "web"), L.get("env", "gprd")
    tier = L.get("tier", "sv")
    base = f"{t}-main-v16-{R.randint(1, 12):02d}" if t == "patroni" else f"{t}-{R.randint(1, 30):02d}"
    return f"{base}-{tier}-{env}.c.{ENV_PROJECT.get(env, 'gitlab-production')}.internal"


def gen_label(k: str, L: dict) -> str:
    t = L.get("type", "web")
    if k == "stage":
        return pick(["main", "main", "cny"])
    if k == "region":
        return pick(GCP_REGIONS)
    if k == "fqdn":
        return gen_fqdn(L)
    if k == "instance":
        return gen_fqdn(L).split(".")[0] + pick([":9100", ":9187", ":9121", ":9168", ":8083", ":9236"])
    if k == "job":
        return pick(["gitlab-rails", "node", "postgres", "redis", "gitaly", "scrape-k8s-pods", "blackbox", "pgbouncer"])
    if k == "pod":
        return f"gitlab-{t}-{hexs(10)}-{lows(5)}"
    if k == "namespace":
        return pick(["gitlab", "gitlab-cny", "monitoring", "logging", "pubsubbeat"])
    if k == "container":
        return pick(["webservice", "sidekiq", "registry", "gitlab-workhorse"])
    if k == "component":
        return pick(
            [
                "disk_space",
                "memory",
                "cpu",
                "single_node_cpu",
                "pgbouncer_async_pool",
                "redis_clients",
                "kube_pool_max_nodes",
                "go_memory",
            ]
        )
    if k == "relname":
        return pick(["ci_builds", "merge_requests", "notes", "project_statistics", "ci_pipelines", "issues"])
    if k == "resource":
        return pick(["cpu", "memory", "pods"])
    if k == "worker":
        return pick(["ProjectImportScheduleWorker", "PostReceive", "Ci::BuildFinishedWorker", "MergeWorker"])
    if k == "shard":
        return pick(["catchall", "urgent-other", "imports", "memory-bound", "default"])
    if k == "slot_name":
        return pick(["walg_replication", "logical_ci_decomp", "patroni_main_slot"])
    if k == "queue":
        return pick(["default", "mailers", "pipeline_processing", "project_export"])
    if k in ("deployment", "statefulset", "daemonset", "horizontalpodautoscaler", "replicaset"):
        return f"gitlab-{t}-{L.get('stage', 'main')}"
    if k == "node":
        return f"gke-{L.get('env', 'gprd')}-{t}-pool-{hexs(8)}-{lows(4)}"
    if k in ("persistentvolumeclaim", "persistentvolume"):
        return f"data-{t}-{R.randint(0, 5)}"
    if k == "verb":
        return pick(["GET", "LIST", "WATCH", "PATCH"])
    if k == "environment":
        return L.get("env", "gprd")
    if k == "pagename":
        return pick(["saturation", "services", "gprd"])
    return pick([t, "default", "main"])


def _pct(name: str) -> str:
    v = R.uniform(0.72, 0.995) if "apdex" in name.lower() else R.uniform(0.004, 0.31)
    return f"{v * 100:.4g}%"


def render_tmpl(s: str | None, L: dict) -> str | None:
    if not s:
        return None
    name = L.get("alertname", "")
    s = re.sub(r"\{\{\s*\$value\s*\|\s*humanizePercentage\s*\}\}", lambda m: _pct(name), s)
    s = re.sub(
        r"\{\{\s*[.$]?[Vv]alue\s*\|\s*humanizeDuration\s*\}\}",
        lambda m: f"{R.randint(1, 30)}h {R.randint(0, 59)}m {R.randint(0, 59)}s",
        s,
    )
    s = re.sub(
        r"\{\{\s*\$value\s*\|\s*humanize(?:1024)?\s*\}\}",
        lambda m: f"{R.uniform(1.1, 950):.4g}{pick(['k', 'M', 'Gi', ''])}",
        s,
    )
    s = re.sub(
        r"\{\{\s*(?:\$value\s*\|\s*printf\s*\"%[.0-9]*f\"|printf\s*\"%[.0-9]*f\"\s*\$value)\s*\}\}",
        lambda m: f"{R.uniform(1, 500):.2f}",
        s,
    )
    s = re.sub(r"\{\{\s*\$value\s*\}\}", lambda m: f"{R.uniform(1, 500):.4g}", s)
    s = re.sub(r"\{\{\s*\$externalLabels\.(\w+)\s*\}\}", lambda m: L.get("env", "gprd"), s)

    def lab(m):
        k = m.group(1)
        if k not in L:
            L[k] = gen_label(k, L)
        return str(L[k])

    s = re.sub(r"\{\{\s*\$labels\.(\w+)\s*\}\}", lab, s)
    s = re.sub(r"\{\{\s*\.(?:labels|Labels)\.(\w+)\s*\}\}", lab, s)
    if "{{" in s:
        return None
    s = s.strip()
    return s or None


RUNBOOK_BASE = pick(["https://gitlab.com/gitlab-com/runbooks/-/blob/master/", "https://runbooks.ops.acme-corp.net/"])


def prom_group(max_n: int = 3, n: int | None = None) -> dict:
    rec = next_prom()
    name = rec["alert"]
    ann = rec.get("annotations") or {}
    summary_t = rec.get("summary") or ann.get("title") or ann.get("summary")
    desc_t = rec.get("description") or ann.get("description")
    env = pick(ENVS)
    typ = infer_type(rec)
    L0 = {
        "alertname": name,
        "env": env,
        "environment": env,
        "type": typ,
        "tier": TIERS.get(typ, "sv"),
        "stage": pick(["main", "main", "main", "cny"]),
    }
    for k, v in sorted((rec.get("labels") or {}).items()):
        if "{{" not in str(v):
            L0[k] = str(v)
    L0.setdefault("severity", rec.get("severity") or "s3")
    L0["monitor"] = pick(["default", "default", "gitlab-rails", "db"])
    if name.endswith("Regional"):
        L0["region"] = pick(GCP_REGIONS)
    if n is None:
        n = 1 if chance(0.6) else R.randint(2, max_n)
    alerts = []
    s0 = render_tmpl(summary_t, L0)
    d0 = render_tmpl(desc_t, L0)
    vary = [k for k in ("fqdn", "instance", "pod", "region", "relname", "node", "shard") if k in L0]
    if not vary:
        if "stage" in L0 and n > 1:
            vary = ["stage"]
            n = 2
        else:
            n = 1
    alerts.append({"labels": L0, "summary": s0, "description": d0})
    for _i in range(1, n):
        L = dict(L0)
        for k in vary:
            if k == "stage":
                L[k] = "cny" if L0[k] == "main" else "main"
            elif k == "instance" and "fqdn" in L:
                L[k] = L["fqdn"].split(".")[0] + ":" + L0[k].split(":")[-1]
            else:
                L[k] = gen_label(k, L)
        alerts.append(
            {"labels": L, "summary": render_tmpl(summary_t, dict(L)), "description": render_tmpl(desc_t, dict(L))}
        )
    CL = {k: v for k, v in L0.items() if all(a["labels"].get(k) == v for a in alerts)}
    gb = pick(GROUP_BYS)
    GL = {k: CL[k] for k in gb if k in CL}
    runbook = ann.get("runbook") or ""
    if runbook and not runbook.startswith("http"):
        runbook = RUNBOOK_BASE + runbook
    if not runbook:
        runbook = rec.get("runbook_url") or f"{RUNBOOK_BASE}docs/{typ}/README.md"
    dash = (
        render_tmpl(ann.get("grafana_dashboard_link"), dict(L0))
        or f"https://dashboards.gitlab.net/d/{typ}-main/{typ}-overview?orgId=1&var-environment={env}"
    )
    ext = pick(AM_EXT)
    recv = pick(AM_RECEIVERS)
    start = CLOCK.t - R.randint(120, 7200)
    return {
        "name": name,
        "sev": L0.get("severity", "s3"),
        "env": env,
        "type": typ,
        "alerts": alerts,
        "CL": CL,
        "GL": GL,
        "runbook": runbook,
        "dash": dash,
        "ext": ext,
        "receiver": recv,
        "title_link": f"{ext}/#/alerts?receiver={quote_plus(recv)}",
        "silence": f"{ext}/#/silences/new?filter=" + quote(f'{{alertname="{name}"}}', safe=""),
        "gen": f"https://prometheus-{pick(['app', 'db', 'default'])}.{env}.gitlab.net/graph?g0.expr="
        + quote(f'ALERTS{{alertname="{name}"}}', safe="")
        + "&g0.tab=1",
        "start": start,
        "summary": s0 or name,
        "description": d0,
    }


AM_EXT = [
    "https://alerts.gitlab.net",
    "https://alertmanager.ops.acme-corp.net",
    "http://alertmanager-main.monitoring.svc:9093",
    "https://am.prod.internal.shopwise.io",
]
AM_RECEIVERS = [
    "slack_bridge-prod",
    "prod-alerts",
    "infra-oncall-slack",
    "team-data-stores",
    "gstg-noise",
    "slack_production",
]


def am_default_title(G: dict, status: str, n_firing: int | None = None) -> str:
    head = f"[FIRING:{n_firing if n_firing is not None else len(G['alerts'])}]" if status == "firing" else "[RESOLVED]"
    gv = " ".join(v for _, v in sorted(G["GL"].items()))
    s = f"{head} {gv} "
    if len(G["CL"]) > len(G["GL"]):
        extra = {k: v for k, v in G["CL"].items() if k not in G["GL"]}
        s += "(" + " ".join(v for _, v in sorted(extra.items())) + ")"
    return s


def inst_of(a: dict) -> str:
    L = a["labels"]
    for k in ("fqdn", "instance", "pod", "node", "region", "relname", "shard"):
        if k in L:
            return L[k]
    return L.get("stage", "main")


# ==========================================================================
# Alertmanager (slack_configs with team templates; one in-house bridge)
# ==========================================================================
AM_HOOKS = [
    Bot("Alertmanager", "alertmanager", icons={"emoji": ":prometheus:"}),
    Bot("Prometheus Alerts", "Prometheus", icons={"emoji": ":fire:"}),
    Bot("alerts-gprd", "AlertManager [gprd]"),
    Bot("incoming-webhook", "alertmanager-ops", icons={"image_48": "https://avatars.slack-edge.com/prometheus_48.png"}),
]
AM_BRIDGE = Bot("alert-relay", webhook=False)
ONCALL_GROUPS = ["<!subteam^S02AB3CD4EF|@sre-oncall>", "<!subteam^S05QW7ERT1Y|@dbre>", "<!here>", "<!channel>"]


def st_emoji(firing: bool) -> str:
    return (
        pick([":fire:", ":rotating_light:", ":red_circle:", ":boom:"])
        if firing
        else pick([":white_check_mark:", ":large_green_circle:", ":heavy_check_mark:"])
    )


def am_post(attachment: dict, **kw) -> dict:
    hook = pick(AM_HOOKS)
    attachment.setdefault("mrkdwn_in", ["fallback", "pretext", "text"])
    return post(hook, text="", attachments=[attach(**attachment)], **kw)


def am_default(st):
    G = prom_group()
    f = st == "firing"
    title = am_default_title(G, st)
    text = ""
    if chance(0.5):
        text = "\n".join(a["description"] or a["summary"] or "" for a in G["alerts"]).strip()
    m = am_post(
        dict(
            color="danger" if f else "good",
            title=title,
            title_link=G["title_link"],
            fallback=f"{title} | {G['title_link']}",
            text=text,
            callback_id=None,
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_bullets(st):
    G = prom_group()
    f = st == "firing"
    job = G["CL"].get("job") or pick([G["type"], G["type"], f"{G['type']}-exporter", "scrape-k8s-pods", ""])
    head = f"[FIRING:{len(G['alerts'])}]" if f else "[RESOLVED]"
    title = f"{head} {G['name']} for {job}"
    lines = []
    for a in G["alerts"]:
        sev = a["labels"].get("severity")
        lines.append(f"*Alert:* {a['summary'] or G['name']}" + (f" - `{sev}`" if sev else ""))
        if a["description"]:
            lines.append(f"*Description:* {a['description']}")
        if chance(0.5):
            lines.append(
                f"*Graph:* <{G['gen']}|:chart_with_upwards_trend:> *Runbook:* <{G['runbook']}|:spiral_note_pad:>"
            )
        lines.append("*Details:*")
        for k, v in sorted(a["labels"].items()):
            lines.append(f"  • *{k}:* `{v}`")
        lines.append("")
    text = "\n".join(lines).rstrip()
    m = am_post(
        dict(
            color="danger" if f else "good",
            title=title,
            title_link=G["title_link"],
            fallback=f"{title} | {G['title_link']}",
            text=text,
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_emoji(st):
    G = prom_group()
    f = st == "firing"
    title = f"{st_emoji(f)} {G['name']}"
    if chance(0.4):
        title += f" ({G['env']})"
    parts = [G["summary"]]
    if chance(0.5):
        parts.append(f"*Status:* {st}")
    links = f"<{G['runbook']}|:book: Runbook>  <{G['dash']}|:chart_with_upwards_trend: Dashboard>"
    if f:
        links += f"  <{G['silence']}|:no_bell: Silence>"
    parts.append(links)
    m = am_post(
        dict(
            color=pick(["danger", "#E01E5A"]) if f else pick(["good", "#2EB67D"]),
            title=title,
            title_link=G["title_link"],
            fallback=title,
            text="\n".join(parts),
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


SEV_COLORS = {"s1": "#8B0000", "s2": "#E01E5A", "s3": "#ECB22E", "s4": "#439FE0"}


def am_sev_prefix(st):
    G = prom_group()
    f = st == "firing"
    sev = G["sev"].upper()
    env = G["env"].upper()
    sep = pick(["", " "])
    title = f"[{sev}]{sep}[{env}] {G['name']}"
    if not f:
        title = f"[RESOLVED]{sep}" + title
    pretext = pick(ONCALL_GROUPS) if f and G["sev"] in ("s1", "s2") and chance(0.7) else None
    text = "> " + G["summary"]
    if G["description"] and chance(0.6):
        text += "\n" + G["description"][:400]
    m = am_post(
        dict(
            color=SEV_COLORS.get(G["sev"], "#E01E5A") if f else "#2EB67D",
            pretext=pretext,
            title=title,
            title_link=G["runbook"],
            text=text,
            footer=f"alertmanager · {G['receiver']}",
            fallback=title,
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_summary_title(st):
    G = prom_group(n=1)
    f = st == "firing"
    title = G["summary"]
    started = utc(G["start"], "%Y-%m-%d %H:%M:%S UTC")
    text = (
        f"*alertname:* `{G['name']}`  •  *severity:* `{G['sev']}`  •  *status:* `{st}`\n"
        f"*env:* {G['env']}  *stage:* {G['CL'].get('stage', 'main')}\n*started:* {started}"
    )
    if not f:
        text += f"\n*ended:* {utc(CLOCK.t, '%Y-%m-%d %H:%M:%S UTC')}"
    m = am_post(
        dict(
            color="danger" if f else "good",
            title=title,
            title_link=G["runbook"],
            text=text,
            fallback=f"{'Firing' if f else 'Resolved'}: {title}",
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_fields(st):
    G = prom_group()
    f = st == "firing"
    word = pick([("Firing", "Resolved"), ("FIRING", "RESOLVED"), ("Alert firing", "Alert resolved")])
    title = f"{word[0] if f else word[1]}{pick([': ', ' - ', ' | '])}{G['name']}"
    fields = [
        {"title": "Severity", "value": G["sev"], "short": True},
        {"title": "Environment", "value": G["env"], "short": True},
        {"title": "Service", "value": G["type"], "short": True},
        {"title": "Alerts", "value": str(len(G["alerts"])), "short": True},
        {"title": "Summary", "value": G["summary"], "short": False},
    ]
    if chance(0.7):
        fields.append({"title": "Runbook", "value": f"<{G['runbook']}|open runbook>", "short": False})
    m = am_post(
        dict(
            color="#E01E5A" if f else "#2EB67D", title=title, title_link=G["title_link"], fields=fields, fallback=title
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_pretext_multi(st):
    G = prom_group(max_n=4)
    f = st == "firing"
    n = len(G["alerts"])
    pretext = f"*{st.upper()}* — {n} alert{'s' if n > 1 else ''} in *{G['env']}*"
    lines = [f"• `{inst_of(a)}` — {a['summary'] or G['name']}" for a in G["alerts"]]
    m = am_post(
        dict(
            color="danger" if f else "good",
            pretext=pretext,
            title=G["name"],
            title_link=G["gen"],
            text="\n".join(lines),
            fallback=f"{st.upper()}: {G['name']}",
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def am_text_only(st):
    G = prom_group(n=1)
    f = st == "firing"
    if f:
        if chance(0.5):
            text = (
                f"{pick([':red_circle:', ':rotating_light:'])} *FIRING* `{G['name']}` ({G['sev']}, {G['env']})\n"
                f">{G['summary']}\n<{G['runbook']}|Runbook> • <{G['silence']}|Silence>"
            )
        else:
            text = f"*{G['name']}* is firing in *{G['env']}* ({G['sev']})\n{G['summary']}"
    else:
        if chance(0.5):
            text = f":large_green_circle: *RESOLVED* `{G['name']}` ({G['env']}) — after {duration(R.randint(90, 9000))}"
        else:
            text = f"*{G['name']}* has resolved in *{G['env']}*"
    m = am_post(dict(color="danger" if f else "good", text=text, mrkdwn_in=["text"], fallback=text.split("\n")[0]))
    return m, FIRING if f else RESOLVED, G["name"]


def am_pipes(st):
    G = prom_group()
    f = st == "firing"
    title = " | ".join([st, G["name"], G["env"], G["sev"]])
    text = G["description"] or G["summary"]
    m = am_post(
        dict(
            color="#d63232" if f else "#36a64f",
            title=title,
            title_link=G["title_link"],
            text=text,
            fallback=title,
            footer=pick([None, "prometheus-operator", G["ext"]]),
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


def bridge_blocks(G: dict, f: bool) -> tuple[str, list]:
    head = f"{'🔥 FIRING' if f else '✅ RESOLVED'}: {G['name']}"
    blocks = [
        b_header(head),
        b_section(G["summary"]),
        b_section(
            fields=[
                f"*Severity*\n{G['sev']}",
                f"*Environment*\n{G['env']}",
                f"*Stage*\n{G['CL'].get('stage', 'main')}",
                f"*Alerts*\n{len(G['alerts'])}",
            ]
        ),
        b_context(
            f"Alertmanager · {G['receiver']} · started <!date^{G['start']}^{{date_short_pretty}} "
            f"{{time}}|{utc(G['start'])} UTC>"
        ),
    ]
    btns = [button("Runbook", G["runbook"]), button("Dashboard", G["dash"])]
    if f:
        btns.append(button("Silence 2h", G["silence"], style="danger"))
    blocks.append(b_actions(*btns))
    return f"[{'FIRING' if f else 'RESOLVED'}] {G['name']}", blocks


def am_bridge(st):
    G = prom_group()
    f = st == "firing"
    text, blocks = bridge_blocks(G, f)
    ch = pick(CH_ALERTS)
    m = post(AM_BRIDGE, text=text, blocks=blocks, channel=ch)
    if not f and chance(0.5):
        t0, b0 = bridge_blocks(G, True)
        prev = post(AM_BRIDGE, text=t0, blocks=b0, channel=ch, ts=earlier(m["ts"]))
        m = edited(m, prev, ch)
    return m, FIRING if f else RESOLVED, G["name"]


def am_counts(st):
    G = prom_group(max_n=4)
    n = len(G["alerts"])
    nf = R.randint(1, n) if st == "firing" else 0
    nr = n - nf
    title = f"{G['name']} — {nf} firing, {nr} resolved" if chance(0.5) else f"[FIRING:{nf} | RESOLVED:{nr}] {G['name']}"
    lines = []
    for i, a in enumerate(G["alerts"]):
        lines.append(f"{'🔥' if i < nf else '✅'} `{inst_of(a)}` {a['summary'] or ''}".rstrip())
    f = nf > 0
    m = am_post(
        dict(
            color="danger" if f else "good",
            title=title,
            title_link=G["title_link"],
            text="\n".join(lines),
            fallback=title,
        )
    )
    return m, FIRING if f else RESOLVED, G["name"]


AM_TEMPLATES = [
    ("default_title", am_default, 8, 0.6),
    ("bullet_details", am_bullets, 14, 0.6),
    ("emoji_title", am_emoji, 12, 0.6),
    ("severity_env_prefix", am_sev_prefix, 12, 0.6),
    ("summary_as_title", am_summary_title, 10, 0.6),
    ("fields_layout", am_fields, 10, 0.6),
    ("pretext_instances", am_pretext_multi, 10, 0.6),
    ("text_only", am_text_only, 10, 0.5),
    ("lowercase_pipes", am_pipes, 8, 0.6),
    ("bridge_blocks", am_bridge, 12, 0.5),
    ("firing_resolved_counts", am_counts, 6, 0.6),
]


# ==========================================================================
# Grafana (unified alerting, legacy alerting, OnCall)
# ==========================================================================
GF_RULES = [
    ("High CPU usage", "CPU above 90% for 10 minutes", "instance"),
    ("Disk almost full", "Root volume above 92%", "instance"),
    ("Checkout API 5xx ratio", "More than 2% of checkout requests are failing", "service"),
    ("API p99 latency > 1s", "p99 latency of the public API is above 1s", "route"),
    ("Pod restarts in payments namespace", "A payments pod restarted more than 3 times in 15m", "pod"),
    ("Kafka consumer lag - orders", "orders-consumer is falling behind", "topic"),
    ("Redis memory above 80%", "Redis used_memory is above 80% of maxmemory", "instance"),
    ("Ingress error rate", "NGINX ingress is returning 5xx", "ingress"),
    ("Node memory pressure", "Node reports MemoryPressure", "node"),
    ("Postgres connections saturated", "Connections above 90% of max_connections", "instance"),
    ("Login success rate dropped", "Login success rate below 97% for 15m", "region"),
    ("Queue depth: order-events", "order-events backlog above 10k", "queue"),
    ("TLS certificate expiring soon", "Certificate expires in less than 14 days", "target"),
    ("Blackbox probe failing", "HTTP probe failed from 2+ locations", "target"),
    ("Loki ingestion errors", "Distributors are rejecting pushes", "tenant"),
    ("Search latency degraded", "Search p95 above 800ms", "cluster"),
    ("Scheduler heartbeat missing", "No heartbeat from the job scheduler in 10 minutes", "instance"),
    ("Too many 429s from upstream", "The shipping provider API is rate limiting us", "service"),
]
GF_LEGACY = [
    ("CPU usage alert", "web-0"),
    ("Disk usage alert", "db-"),
    ("API latency alert", "api-"),
    ("Errors per minute alert", "svc-"),
    ("RabbitMQ queue size alert", "mq-"),
    ("Elasticsearch heap alert", "es-data-"),
    ("Web 5xx rate alert", "lb-"),
    ("Replication lag alert", "pg-replica-"),
    ("Free memory alert", "app-"),
    ("Response time alert", "edge-"),
]
GF_FOLDERS = ["Infrastructure", "Payments", "Platform", "Databases", "SRE", "Checkout", "Observability", "Data"]
GF_URLS = [
    "https://grafana.acme-corp.net",
    "https://shopwise.grafana.net",
    "https://grafana.ops.internal",
    "https://monitoring.example-shop.com/grafana",
]
GF_VERSIONS = ["10.4.2", "11.1.0", "9.5.3", "10.2.3", "11.3.1", "11.5.2"]
GF_FOOTER_ICON = "https://grafana.com/static/assets/img/fav32.png"
GF_HOOKS = [
    Bot("Grafana", "grafana"),
    Bot("Grafana Alerts", "Grafana Alerts"),
    Bot("grafana-prod", "Grafana", icons={"emoji": ":grafana:"}),
]
GF_APP = Bot("Grafana", webhook=False)
GF_ONCALL = Bot("Grafana OnCall", webhook=False)


def gf_value(label_val: str) -> str:
    v = R.uniform(1, 100)
    if chance(0.5):
        return f"B={v:.4g}, C=1"
    return f"[ var='B' labels={{instance={label_val}}} value={v:.6g} ], [ var='C' labels={{instance={label_val}}} value=1 ]"


def gf_group(n: int | None = None, prom_ok: bool = True) -> dict:
    url = pick(GF_URLS)
    folder = pick(GF_FOLDERS)
    if prom_ok and chance(0.25):
        rec = next_prom()
        name = rec["alert"]
        summary = name
        L0 = {"alertname": name, "grafana_folder": folder, "env": pick(ENVS)}
        s = render_tmpl(rec.get("summary"), L0)
        summary = s or name
        key = "instance"
    else:
        name, summary, key = pick(GF_RULES)
        L0 = {"alertname": name, "grafana_folder": folder}
    L0["severity"] = pick(["critical", "warning", "critical", "page", "P2"])
    if chance(0.5):
        L0["team"] = pick(["platform", "payments", "sre", "data"])
    if chance(0.4):
        L0["cluster"] = pick(["prod-eu-1", "prod-us-2", "prod", "staging"])
    n = n or (1 if chance(0.65) else R.randint(2, 3))
    alerts = []
    used: list = []
    for _ in range(n * 6):
        if len(alerts) == n:
            break
        L = dict(L0)
        L[key] = pick(
            {
                "instance": [
                    f"db-{R.randint(1, 9)}:9100",
                    f"web-{R.randint(1, 40):02d}:9100",
                    f"10.20.{R.randint(0, 9)}.{R.randint(2, 250)}:9187",
                ],
                "service": ["checkout-api", "orders", "cart", "shipping"],
                "route": ["/api/v1/orders", "/api/v1/cart", "/graphql"],
                "pod": [f"payments-worker-{hexs(9)}-{lows(5)}", f"payments-api-{hexs(9)}-{lows(5)}"],
                "topic": ["orders.created", "orders.updated"],
                "ingress": ["storefront", "api", "admin"],
                "node": [f"ip-10-4-{R.randint(0, 255)}-{R.randint(1, 254)}.eu-west-1.compute.internal"],
                "region": ["eu-west-1", "us-east-1", "ap-southeast-2"],
                "queue": ["order-events", "order-events-retry", "order-events-priority"],
                "target": ["https://shop.example.com", "https://api.example.com/health", "https://status.example.com"],
                "tenant": ["prod", "platform", "security"],
                "cluster": ["search-prod-1", "search-prod-2"],
            }[key]
        )
        if L[key] in used:
            continue
        used.append(L[key])
        alerts.append(L)
    uid = "".join(R.choice(LOWER) for _ in range(14))
    dash = f"{url}/d/{''.join(R.choice(MIXED) for _ in range(9))}/{folder.lower()}-overview?orgId=1"
    return {
        "name": name,
        "summary": summary,
        "folder": folder,
        "alerts": alerts,
        "key": key,
        "url": url,
        "source": f"{url}/alerting/grafana/{uid}/view?orgId=1",
        "dash": dash,
        "panel": f"{dash}&viewPanel={R.randint(2, 40)}",
        "version": pick(GF_VERSIONS),
    }


def gf_common(G: dict) -> tuple[dict, dict]:
    CL = {k: v for k, v in G["alerts"][0].items() if all(a.get(k) == v for a in G["alerts"])}
    GL = {k: CL[k] for k in ("alertname", "grafana_folder") if k in CL}
    return CL, GL


def gf_default_title(G: dict, st: str, nf: int | None = None) -> str:
    CL, GL = gf_common(G)
    head = f"[FIRING:{nf if nf is not None else len(G['alerts'])}]" if st == "firing" else "[RESOLVED]"
    s = f"{head} " + " ".join(v for _, v in sorted(GL.items())) + " "
    extra = {k: v for k, v in CL.items() if k not in GL}
    if extra:
        s += "(" + " ".join(v for _, v in sorted(extra.items())) + ")"
    return s


def gf_alert_block(G: dict, L: dict) -> str:
    silence = (
        f"{G['url']}/alerting/silence/new?alertmanager=grafana&"
        + "&".join("matcher=" + quote_plus(f"{k}={v}") for k, v in sorted(L.items()))
        + "&orgId=1"
    )
    lines = [f"Value: {gf_value(L.get(G['key'], 'x'))}", "Labels:"]
    lines += [f" - {k} = {v}" for k, v in sorted(L.items())]
    lines += ["Annotations:", f" - summary = {G['summary']}"]
    if chance(0.4):
        lines.append(
            f" - runbook_url = https://wiki.acme-corp.net/runbooks/{quote(G['name'].lower().replace(' ', '-'))}"
        )
    lines += [f"Source: {G['source']}", f"Silence: {silence}", f"Dashboard: {G['dash']}", f"Panel: {G['panel']}"]
    return "\n".join(lines)


def gf_default_text(G: dict, firing: list, resolved: list) -> str:
    out = ""
    if firing:
        out += "**Firing**\n\n" + "\n\n".join(gf_alert_block(G, L) for L in firing)
        if resolved:
            out += "\n\n\n"
    if resolved:
        out += "**Resolved**\n\n" + "\n\n".join(gf_alert_block(G, L) for L in resolved)
    return out


def gf_attach(G: dict, st_color: bool, title: str, text: str, pretext: str | None = None) -> dict:
    return attach(
        color="#D63232" if st_color else "#36a64f",
        title=title,
        title_link=G["source"],
        fallback=title,
        text=text,
        pretext=pretext,
        mrkdwn_in=["pretext"] if pretext else None,
        footer=f"Grafana v{G['version']}",
        footer_icon=GF_FOOTER_ICON,
        ts=CLOCK.t,
    )


def gf_send(att: dict) -> dict:
    if chance(0.6):
        return post(pick(GF_HOOKS), attachments=[att])
    return post(GF_APP, attachments=[att])


def gf_unified_default(st):
    G = gf_group()
    f = st == "firing"
    title = gf_default_title(G, st)
    text = gf_default_text(G, G["alerts"] if f else [], [] if f else G["alerts"])
    pretext = pick(["<!here|here>", "<!subteam^S04PLT9ZX2K>"]) if f and chance(0.25) else None
    return gf_send(gf_attach(G, f, title, text, pretext)), FIRING if f else RESOLVED, G["name"]


def gf_emoji_title(st):
    G = gf_group()
    f = st == "firing"
    n = len(G["alerts"])
    style = R.randint(0, 2)
    if style == 0:
        title = f"{'🔥' if f else '✅'} [{st.upper()}] {G['name']}"
    elif style == 1:
        title = f"{'🚨' if f else '🟢'} {G['name']}" + (f" ({n})" if n > 1 else "")
    else:
        title = f"{':red_circle:' if f else ':large_green_circle:'} {G['name']} is {'FIRING' if f else 'RESOLVED'}"
    lines = [f"*Summary:* {G['summary']}", f"*Severity:* {G['alerts'][0]['severity']}"]
    lines += [f"• {L.get(G['key'])}" for L in G["alerts"]]
    lines.append(f"<{G['dash']}|Dashboard> | <{G['source']}|Rule>")
    return gf_send(gf_attach(G, f, title, "\n".join(lines))), FIRING if f else RESOLVED, G["name"]


def gf_sev_bracket(st):
    G = gf_group()
    f = st == "firing"
    sev = G["alerts"][0]["severity"].upper()
    env = G["alerts"][0].get("cluster", pick(["prod", "production", "prod-eu"]))
    if f:
        title = pick([f"[{sev}][FIRING] {G['name']} - {env}", f"[{sev}] {G['name']} ({env})"])
        status_line = pick(["*Status:* Firing", "Status: firing", "*State:* alerting"])
    else:
        title = pick([f"[RESOLVED] {G['name']} - {env}", f"[{sev}] {G['name']} ({env})"])
        status_line = pick(["*Status:* Resolved", "Status: resolved", "*State:* normal (resolved)"])
    text = f"{status_line}\n{G['summary']}\n" + "\n".join(f"`{L.get(G['key'])}`" for L in G["alerts"])
    return gf_send(gf_attach(G, f, title, text)), FIRING if f else RESOLVED, G["name"]


def gf_legacy(st):
    name, prefix = pick(GF_LEGACY)
    url = pick(GF_URLS)
    state = {"firing": "Alerting", "resolved": "OK", "other": "No Data"}[st]
    title = f"[{state}] {name}"
    msg = pick(
        [
            "",
            "@oncall please check",
            f"{name.replace(' alert', '')} crossed the threshold",
            "See runbook: https://wiki.acme-corp.net/x/AbC123",
        ]
    )
    fields = []
    if st == "firing":
        for _ in range(R.randint(1, 4)):
            fields.append({"title": f"{prefix}{R.randint(1, 9)}", "value": f"{R.uniform(50, 999):.3f}", "short": True})
    dash = f"{url}/d/{''.join(R.choice(MIXED) for _ in range(9))}/infra?tab=alert&editPanel={R.randint(1, 20)}&orgId=1"
    color = {"firing": "#D63232", "resolved": "#36a64f", "other": "#888888"}[st]
    att = attach(
        color=color,
        title=title,
        title_link=dash,
        text=msg,
        fallback=title,
        fields=fields,
        image_url=f"{url}/public/img/attachments/{hexs(20)}.png" if st == "firing" and chance(0.6) else None,
        footer=f"Grafana v{pick(['7.5.17', '8.5.27', '8.3.3', '6.7.4'])}",
        footer_icon=GF_FOOTER_ICON,
        ts=CLOCK.t,
    )
    kind = {"firing": FIRING, "resolved": RESOLVED, "other": OTHER}[st]
    return post(pick(GF_HOOKS), attachments=[att]), kind, name


def gf_image_reply(st):
    G = gf_group(n=1)
    f = st == "firing"
    L = G["alerts"][0]
    items = list(L.items())
    R.shuffle(items)  # Go map iteration order
    text = f"*{'Firing' if f else 'Resolved'}*: {G['name']}, *Labels*: " + ", ".join(f"{k} = {v}" for k, v in items)
    fid = rid("F0", 9)
    fname = f"{hexs(8)}-{hexs(4)}-{hexs(4)}-{hexs(4)}-{hexs(12)}.png"
    t = CLOCK.t
    files = [
        {
            "id": fid,
            "created": t,
            "timestamp": t,
            "name": fname,
            "title": fname,
            "mimetype": "image/png",
            "filetype": "png",
            "pretty_type": "PNG",
            "user": GF_APP.user_id,
            "user_team": TEAM,
            "editable": False,
            "size": R.randint(30000, 120000),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": True,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"https://files.slack.com/files-pri/{TEAM}-{fid}/{fname}",
            "permalink": f"https://acme-corp.slack.com/files/{GF_APP.user_id}/{fid}/{fname}",
            "original_w": 1000,
            "original_h": 500,
        }
    ]
    parent = earlier(f"{CLOCK.t}.0", 5, 60)
    m = post(GF_APP, text=text, files=files, subtype="file_share", thread_ts=parent)
    return m, FIRING if f else RESOLVED, G["name"]


def oncall_card(G: dict, gid: int, state: str, who: str | None) -> tuple[str, list, list]:
    title = f"#{gid} {G['name']}"
    link = f"{G['url']}/a/grafana-oncall-app/alert-groups/I{''.join(R.choice(UPPER) for _ in range(12))}"
    emoji = {
        "firing": ":red_circle:",
        "ack": ":large_orange_circle:",
        "resolved": ":large_green_circle:",
        "silenced": ":mute:",
        "escalated": ":arrow_up:",
    }[state]
    status = {
        "firing": "Firing",
        "ack": f"Acknowledged by <@{who}>",
        "resolved": f"Resolved by <@{who}>" if who else "Resolved by Grafana Alerting",
        "silenced": f"Silenced by <@{who}> for 1 hour",
        "escalated": "Escalated to <!subteam^S03ESC9LV2P> (step 2)",
    }[state]
    blocks = [
        b_section(
            f"{emoji} *<{link}|{title}>* via {pick(['Grafana Alerting', 'Grafana Alerting (prod)', 'Alertmanager'])}"
        ),
        b_section(f"{status}\n{G['summary']}"),
        b_context(
            f"Alert group has {len(G['alerts'])} alert{'s' if len(G['alerts']) > 1 else ''} · "
            f"Escalation chain: {pick(['Default', 'Platform primary', 'DB team'])}"
        ),
    ]
    if state in ("firing", "escalated", "silenced"):
        blocks.append(
            b_actions(
                button("Acknowledge", value="ack", style="primary"),
                button("Resolve", value="resolve"),
                button("Silence", value="silence"),
            )
        )
    elif state == "ack":
        blocks.append(
            b_actions(button("Unacknowledge", value="unack"), button("Resolve", value="resolve", style="primary"))
        )
    else:
        blocks.append(b_actions(button("Unresolve", value="unresolve")))
    color = {
        "firing": "#F2453D",
        "ack": "#FF9900",
        "resolved": "#2FBF71",
        "silenced": "#9E9E9E",
        "escalated": "#F2453D",
    }[state]
    atts = [attach(color=color, blocks=[b_context(f"Team: {pick(['Platform', 'Payments', 'SRE'])}")])]
    return f"{title}: {status}", blocks, atts


def gf_oncall(st):
    G = gf_group(prom_ok=True)
    gid = R.randint(120, 9999)
    _, _, uid = person()
    state = {"firing": "firing", "resolved": "resolved"}.get(st) or pick(["ack", "ack", "silenced", "escalated"])
    ch = pick(CH_ALERTS)
    text, blocks, atts = oncall_card(G, gid, state, uid if state != "resolved" or chance(0.6) else None)
    m = post(GF_ONCALL, text=text, blocks=blocks, attachments=atts, channel=ch)
    if state != "firing" and chance(0.7):
        t0, b0, a0 = oncall_card(G, gid, "firing", None)
        prev = post(GF_ONCALL, text=t0, blocks=b0, attachments=a0, channel=ch, ts=earlier(m["ts"]))
        m = edited(m, prev, ch)
    kind = {"firing": FIRING, "resolved": RESOLVED}.get(state, OTHER)
    return m, kind, G["name"]


def gf_mixed_group(st):
    G = gf_group(n=R.randint(2, 4))
    alerts = G["alerts"]
    nf = (R.randint(1, len(alerts) - 1) if len(alerts) > 1 else 1) if st == "firing" else 0
    firing, resolved = alerts[:nf], alerts[nf:]
    title = gf_default_title(G, "firing" if nf else "resolved", nf)
    text = gf_default_text(G, firing, resolved)
    return gf_send(gf_attach(G, nf > 0, title, text)), FIRING if nf else RESOLVED, G["name"]


def gf_docs_counts(st):
    G = gf_group()
    f = st == "firing"
    n = len(G["alerts"])
    nf, nr = (n, 0) if f else (0, n)
    if f and n > 1 and chance(0.4):
        nf, nr = n - 1, 1
    title = f"{nf} firing alert(s), {nr} resolved alert(s)"
    parts = []
    if nf:
        parts.append(
            f"{nf} firing alert(s)\n"
            + "\n".join(f"- [{G['name']}] {G['summary']} ({L.get(G['key'])})" for L in G["alerts"][:nf])
        )
    if nr:
        parts.append(
            f"{nr} resolved alert(s)\n"
            + "\n".join(f"- [{G['name']}] {G['summary']} ({L.get(G['key'])})" for L in G["alerts"][nf:])
        )
    return gf_send(gf_attach(G, nf > 0, title, "\n".join(parts))), FIRING if nf else RESOLVED, G["name"]


GF_TEMPLATES = [
    ("unified_default", gf_unified_default, 16, [("firing", 0.6), ("resolved", 0.4)]),
    ("custom_emoji_title", gf_emoji_title, 14, [("firing", 0.6), ("resolved", 0.4)]),
    ("severity_bracket_title", gf_sev_bracket, 12, [("firing", 0.55), ("resolved", 0.45)]),
    ("legacy_alerting", gf_legacy, 16, [("firing", 0.5), ("resolved", 0.3), ("other", 0.2)]),
    ("image_thread_reply", gf_image_reply, 8, [("firing", 0.6), ("resolved", 0.4)]),
    ("oncall_alert_group", gf_oncall, 14, [("firing", 0.3), ("resolved", 0.3), ("other", 0.4)]),
    ("mixed_group_default", gf_mixed_group, 10, [("firing", 0.7), ("resolved", 0.3)]),
    ("docs_count_title", gf_docs_counts, 10, [("firing", 0.6), ("resolved", 0.4)]),
]


# ==========================================================================
# Datadog
# ==========================================================================
def _host():
    return pick(
        [
            f"web-{R.randint(1, 40):02d}",
            f"i-0{hexs(16)}",
            f"ip-10-{R.randint(0, 9)}-{R.randint(0, 255)}-{R.randint(1, 254)}",
            f"prod-app-{R.randint(1, 12)}.acme.internal",
        ]
    )


# name, query, alert body, scope generator (None -> simple alert), value generator
DD_MONITORS = [
    (
        "High CPU usage on web hosts",
        "avg(last_10m):avg:system.cpu.user{role:web} by {host} > 90",
        "CPU usage is above 90% on {scope_host} for the last 10 minutes.",
        lambda: {"host": _host()},
        lambda: f"{R.uniform(90, 99.9):.2f}",
    ),
    (
        "Checkout API p99 latency above 1.5s",
        "percentile(last_5m):p99:trace.http.request{service:checkout-api,env:prod} > 1.5",
        "p99 latency of checkout-api is above 1.5s. Check recent deploys and the payments dependency.",
        None,
        lambda: f"{R.uniform(1.5, 6):.3f}",
    ),
    (
        "Kafka consumer lag on orders-ingest is growing",
        "avg(last_15m):max:kafka.consumer_lag{consumer_group:orders-ingest} by {topic} > 50000",
        "orders-ingest is falling behind. Scale the consumer deployment or check for a poison message.",
        lambda: {"topic": pick(["orders.created", "orders.paid", "orders.refunded"])},
        lambda: f"{R.randint(50001, 400000)}",
    ),
    (
        "Postgres replica lag too high",
        "max(last_5m):max:postgresql.replication_delay{env:prod} by {host} > 60",
        "Replica is more than 60s behind the primary. Reads may be stale.",
        lambda: {"host": pick(["pg-replica-1", "pg-replica-2", "orders-db-replica-3"])},
        lambda: f"{R.uniform(60, 900):.1f}",
    ),
    (
        "Payment gateway error rate is elevated",
        "sum(last_10m):sum:payments.gateway.errors{env:prod}.as_count() / sum:payments.gateway.requests{env:prod}.as_count() > 0.02",
        "More than 2% of payment gateway calls failed in the last 10 minutes.",
        lambda: {"provider": pick(["adyen", "stripe", "braintree"])},
        lambda: f"{R.uniform(0.02, 0.2):.4f}",
    ),
    (
        "Disk usage above 85% on data volumes",
        "max(last_5m):max:system.disk.in_use{device:/dev/nvme1n1} by {host,device} > 0.85",
        "Data volume is filling up. Runbook: https://wiki.acme-corp.net/disk-full",
        lambda: {"host": _host(), "device": "/dev/nvme1n1"},
        lambda: f"{R.uniform(0.85, 0.99):.3f}",
    ),
    (
        "Too many 5xx on the public ALB",
        "sum(last_5m):sum:aws.applicationelb.httpcode_elb_5xx{name:public-prod}.as_count() > 200",
        "The public load balancer is returning 5xx.",
        None,
        lambda: f"{R.randint(201, 5000)}",
    ),
    (
        "Sidekiq queue latency high",
        "avg(last_10m):max:sidekiq.queue.latency{env:prod} by {queue} > 300",
        "Jobs are waiting more than 5 minutes.",
        lambda: {"queue": pick(["default", "mailers", "webhooks", "exports"])},
        lambda: f"{R.uniform(300, 3600):.0f}",
    ),
    (
        "Redis evictions detected",
        "sum(last_5m):sum:redis.keys.evicted{cluster:sessions}.as_count() > 0",
        "Redis is evicting keys; sessions may be lost.",
        lambda: {"cluster": pick(["sessions", "cache-prod"])},
        lambda: f"{R.randint(1, 9000)}",
    ),
    (
        "ECS service web-frontend has no running tasks",
        "min(last_5m):min:aws.ecs.service.running{servicename:web-frontend} < 1",
        "No running tasks for web-frontend.",
        None,
        lambda: "0",
    ),
    (
        "JVM heap usage high on search cluster",
        "avg(last_15m):avg:jvm.heap_memory{cluster:search-prod} by {host} / avg:jvm.heap_memory_max{cluster:search-prod} by {host} > 0.9",
        "Heap above 90%; expect GC pauses.",
        lambda: {"host": f"es-data-{R.randint(1, 12)}"},
        lambda: f"{R.uniform(0.9, 0.99):.3f}",
    ),
    (
        "Container OOM kills in prod",
        "sum(last_10m):sum:kubernetes.containers.state.terminated{reason:oomkilled,env:prod} by {kube_namespace}.as_count() > 3",
        "Containers are being OOM-killed.",
        lambda: {"kube_namespace": pick(["payments", "search", "checkout"])},
        lambda: f"{R.randint(4, 40)}",
    ),
    (
        "Unusual drop in orders per minute",
        "avg(last_4h):anomalies(sum:shop.orders.created{env:prod}.as_count(), 'agile', 3) >= 1",
        "Orders per minute are well below the expected band.",
        None,
        lambda: "1",
    ),
    (
        "Elevated 4xx on api-gateway",
        "sum(last_5m):sum:trace.http.request.errors{service:api-gateway,http.status_class:4xx}.as_count() > 1000",
        "Clients are getting lots of 4xx responses - auth issue?",
        lambda: {"service": "api-gateway", "env": "prod"},
        lambda: f"{R.randint(1001, 9000)}",
    ),
    (
        "RDS free storage space low",
        "min(last_15m):min:aws.rds.free_storage_space{dbinstanceidentifier:orders-prod} < 10000000000",
        "orders-prod has less than 10GB free.",
        None,
        lambda: f"{R.uniform(1e9, 9.9e9):.4g}",
    ),
    (
        "Trace error rate spike on checkout-service",
        "sum(last_10m):sum:trace.http.request.errors{service:checkout-service,env:prod}.as_count() / sum:trace.http.request.hits{service:checkout-service,env:prod}.as_count() > 0.05",
        "checkout-service error rate above 5%.",
        lambda: {"service": "checkout-service", "env": "prod"},
        lambda: f"{R.uniform(0.05, 0.4):.4f}",
    ),
    (
        "Lambda throttles on image-resizer",
        "sum(last_5m):sum:aws.lambda.throttles{functionname:image-resizer}.as_count() > 10",
        "image-resizer is being throttled; uploads will be slow.",
        None,
        lambda: f"{R.randint(11, 400)}",
    ),
    (
        "Nightly ETL did not report success",
        '"etl.nightly.success".over("env:prod").last(2).count_by_status()',
        "The nightly ETL has not checked in. Data in the warehouse will be stale.",
        None,
        lambda: "CRITICAL",
    ),
    (
        "Memcached hit ratio dropped below 80%",
        "avg(last_15m):avg:memcache.get_hits{env:prod} / avg:memcache.cmd_get{env:prod} < 0.8",
        "Cache hit ratio is low; the database will take more load.",
        lambda: {"host": f"memcached-{R.randint(1, 6)}"},
        lambda: f"{R.uniform(0.4, 0.79):.3f}",
    ),
    (
        "Checkout conversion rate dropped",
        "avg(last_30m):avg:shop.checkout.conversion_rate{env:prod} < 0.02",
        "Checkout conversion is below 2% - possible payment or frontend issue.",
        None,
        lambda: f"{R.uniform(0.002, 0.019):.4f}",
    ),
    (
        "High number of 502s from nginx ingress",
        "sum(last_5m):sum:nginx_ingress.controller.requests{status:502} by {ingress}.as_count() > 100",
        "Upstreams behind the ingress are failing.",
        lambda: {"ingress": pick(["storefront", "api", "admin"])},
        lambda: f"{R.randint(101, 3000)}",
    ),
    (
        "Celery task failures on billing workers",
        "sum(last_15m):sum:celery.task.failed{queue:billing} by {task_name}.as_count() > 20",
        "Billing tasks are failing.",
        lambda: {"task_name": pick(["billing.tasks.charge_invoice", "billing.tasks.sync_stripe"])},
        lambda: f"{R.randint(21, 500)}",
    ),
    (
        "Host is not reporting",
        '"datadog.agent.up".over("env:prod").by("host").last(2).count_by_status()',
        "The Datadog agent on {scope_host} stopped reporting.",
        lambda: {"host": _host()},
        lambda: "CRITICAL",
    ),
    (
        "Elasticsearch cluster status is red",
        "max(last_5m):max:elasticsearch.cluster_status{cluster_name:logs-prod} >= 2",
        "At least one primary shard is unassigned.",
        None,
        lambda: "2",
    ),
    (
        "Slow queries on orders-db",
        "avg(last_10m):avg:postgresql.queries.time{db:orders} by {host} > 0.5",
        "Average query time on orders-db above 500ms.",
        lambda: {"host": pick(["orders-db-1", "orders-db-2"])},
        lambda: f"{R.uniform(0.5, 4):.3f}",
    ),
    (
        "Pods in CrashLoopBackOff in checkout namespace",
        "max(last_10m):max:kubernetes_state.container.status_report.count.waiting{reason:crashloopbackoff,kube_namespace:checkout} by {pod_name} >= 1",
        "A checkout pod is crash looping.",
        lambda: {"pod_name": f"checkout-api-{hexs(9)}-{lows(5)}"},
        lambda: "1",
    ),
    (
        "Login service error budget burn rate",
        'burn_rate("slo-login-availability").over("30d").long_window("1h").short_window("5m") > 14.4',
        "Login SLO is burning its monthly budget 14x too fast.",
        None,
        lambda: f"{R.uniform(14.4, 40):.1f}",
    ),
]
DD_APP = Bot("Datadog", webhook=False)
DD_HOOK = Bot("Datadog", "Datadog", icons={"emoji": ":datadog:"})
DD_STATES = {
    "triggered": ("Triggered", FIRING, "danger"),
    "retriggered": ("Re-Triggered", FIRING, "danger"),
    "recovered": ("Recovered", RESOLVED, "good"),
    "warn": ("Warn", OTHER, "warning"),
    "nodata": ("No Data", OTHER, "#888888"),
}


def dd_ctx():
    name, query, body, scopegen, valgen = pick(DD_MONITORS)
    scope = scopegen() if scopegen else None
    mid = R.randint(1000000, 160000000)
    prio = pick([None, "P1", "P2", "P2", "P3", "P4"])
    return {
        "name": name,
        "query": query,
        "body": body,
        "scope": scope,
        "value": valgen(),
        "id": mid,
        "prio": prio,
        "url": f"https://app.datadoghq.{pick(['com', 'com', 'eu'])}/monitors/{mid}",
        "handle": pick(["@slack-ops-alerts", "@slack-prod-alerts", "@slack-payments-oncall", "@pagerduty-Platform"]),
    }


def dd_scope_str(D: dict) -> str:
    return "{" + ",".join(f"{k}:{v}" for k, v in D["scope"].items()) + "}"


def dd_title(D: dict, st: str, prio_first: bool = False, with_prio: bool = False) -> str:
    word = DD_STATES[st][0]
    t = f"[{word} on {dd_scope_str(D)}]" if D["scope"] else f"[{word}]"
    if with_prio and D["prio"]:
        t = f"[{D['prio']}] {t}" if prio_first else f"{t} [{D['prio']}]"
    return f"{t} {D['name']}"


def dd_body(D: dict, st: str) -> str:
    body = D["body"]
    if D["scope"] and "host" in D["scope"]:
        body = body.replace("{scope_host}", D["scope"]["host"])
    else:
        body = body.replace("{scope_host}", "the host")
    if st == "recovered":
        body = pick(["Recovered.", "Back to normal.", "", body])
    t0 = CLOCK.t - 3600
    links = [f"<{D['url']}?to_ts={CLOCK.t}000&from_ts={t0}000|Monitor Status>", f"<{D['url']}/edit|Edit Monitor>"]
    if D["scope"] and "host" in D["scope"]:
        links.append(f"<https://app.datadoghq.com/infrastructure?host={D['scope']['host']}|View {D['scope']['host']}>")
        links.append(f"<https://app.datadoghq.com/process?host={D['scope']['host']}|Show Processes>")
    if chance(0.4):
        links.append(
            f"<https://app.datadoghq.com/logs?query=host%3A{quote(str((D['scope'] or {}).get('host', '*')))}|Related Logs>"
        )
    parts = [body.strip(), D["handle"], "- - -", f"`{D['query']}`"]
    if st in ("triggered", "retriggered", "warn"):
        parts.append(f"Metric value: {D['value']}")
    parts.append(" · ".join(links))
    return "\n".join(p for p in parts if p)


def dd_legacy(st):
    D = dd_ctx()
    _word, kind, color = DD_STATES[st]
    title = dd_title(D, st)
    att = attach(
        color=color,
        title=title,
        title_link=D["url"],
        text=dd_body(D, st),
        fallback=title,
        image_url=f"https://p.datadoghq.com/snapshot/view/dd-snapshots-prod/org_{R.randint(10000, 99999)}/{iso(CLOCK.t)[:10]}/{hexs(40)}.png"
        if st != "recovered" and chance(0.5)
        else None,
        mrkdwn_in=["text"],
    )
    return post(DD_APP, attachments=[att]), kind, D["name"]


def dd_prio(st):
    D = dd_ctx()
    if not D["prio"]:
        D["prio"] = pick(["P1", "P2", "P3"])
    _word, kind, color = DD_STATES[st]
    title = dd_title(D, st, prio_first=chance(0.7), with_prio=True)
    att = attach(color=color, title=title, title_link=D["url"], text=dd_body(D, st), fallback=title, mrkdwn_in=["text"])
    return post(pick([DD_APP, DD_HOOK]), attachments=[att]), kind, D["name"]


def dd_blocks(st):
    D = dd_ctx()
    word, kind, _ = DD_STATES[st]
    emoji = {
        "triggered": ":red_circle:",
        "retriggered": ":red_circle:",
        "recovered": ":large_green_circle:",
        "warn": ":large_yellow_circle:",
        "nodata": ":white_circle:",
    }[st]
    fields = [f"*Monitor ID*\n{D['id']}"]
    if D["prio"]:
        fields.append(f"*Priority*\n{D['prio']}")
    if D["scope"]:
        fields.append(f"*Scope*\n`{', '.join(f'{k}:{v}' for k, v in D['scope'].items())}`")
    if st in ("triggered", "retriggered", "warn"):
        fields.append(f"*Value*\n{D['value']}")
    body = dd_body(D, st).split("\n- - -")[0]
    blocks = [b_section(f"{emoji} *{word}:* <{D['url']}|{D['name']}>"), b_section(fields=fields)]
    if body.strip():
        blocks.append(b_section(body))
    blocks.append(
        b_context(
            f"<{D['url']}|Monitor Status> · <{D['url']}/edit|Edit> · env:prod · team:{pick(['sre', 'payments', 'platform'])}"
        )
    )
    if st != "recovered":
        blocks.append(
            b_actions(
                button("Mute 1h", value="mute_1h"),
                button("Resolve", value="resolve"),
                button("Declare Incident", value="incident", style="danger"),
            )
        )
    text = f"{word}: {D['name']}"
    return post(DD_APP, text=text, blocks=blocks), kind, D["name"]


def dd_textlink(st):
    D = dd_ctx()
    _word, kind, _ = DD_STATES[st]
    title = dd_title(D, st, with_prio=chance(0.3), prio_first=True)
    event = f"https://app.datadoghq.com/event/event?id={R.randint(10**18, 10**19 - 1)}"
    text = f"<{event}|{title}>\n{dd_body(D, st)}"
    return post(DD_HOOK, text=text), kind, D["name"]


def dd_custom_body(st):
    D = dd_ctx()
    _word, kind, color = DD_STATES[st]
    title = dd_title(D, st)
    grp = pick(["<!subteam^S01DBA7TQ2M|@payments-oncall>", "<!subteam^S02AB3CD4EF|@sre-oncall>", "<!here>"])
    if st in ("triggered", "retriggered"):
        head = pick(
            [f":rotating_light: *ALERT* {grp}", f":fire: *{D['name']}* {grp}", ":rotating_light: Paging on-call"]
        )
        if st == "retriggered":
            head += " (still broken after 30m)"
    elif st == "recovered":
        head = pick(
            [
                ":white_check_mark: *RECOVERED* — no action needed",
                ":tada: all good again",
                ":large_green_circle: Recovered",
            ]
        )
    elif st == "warn":
        head = pick([":warning: *WARNING* — approaching threshold, keep an eye on it", ":eyes: warn threshold crossed"])
    else:
        head = ":grey_question: *NO DATA* — the agent or integration stopped reporting"
    text = (
        f"{head}\n{D['body'].replace('{scope_host}', (D['scope'] or {}).get('host', 'the host'))}\n"
        f"*Value:* {D['value']}  *Runbook:* <https://wiki.acme-corp.net/runbooks/{D['id']}|link>\n{D['handle']}"
    )
    att = attach(color=color, title=title, title_link=D["url"], text=text, fallback=title, mrkdwn_in=["text"])
    return post(DD_APP, attachments=[att]), kind, D["name"]


def dd_muted(st):
    D = dd_ctx()
    _name, handle, _uid = person()
    who = f"{handle.split('.')[0]}@acme-corp.net"
    scope = f" (scope `{', '.join(f'{k}:{v}' for k, v in D['scope'].items())}`)" if D["scope"] else ""
    variant = R.randint(0, 2)
    if variant == 0:
        text = f":mute: Monitor <{D['url']}|{D['name']}> was muted by {who} for {pick(['1 hour', '4 hours', '1 day'])}{scope}"
        return post(DD_APP, text=text), OTHER, D["name"]
    if variant == 1:
        title = f"[Muted] {D['name']}"
        att = attach(
            color="#888888",
            title=title,
            title_link=D["url"],
            text=f"Downtime started{scope}. Notifications for this monitor are silenced until {utc(CLOCK.t + 7200, '%H:%M UTC')}.\nScheduled by {who}",
            fallback=title,
        )
        return post(DD_APP, attachments=[att]), OTHER, D["name"]
    text = f"Scheduled downtime started for monitor *{D['name']}*{scope} — muted until {utc(CLOCK.t + 3600 * R.randint(1, 8), '%a %H:%M UTC')}"
    return post(DD_HOOK, text=text), OTHER, D["name"]


def dd_logmon(st):
    svc = pick(["payments", "checkout", "auth", "notifications"])
    name = pick(
        [
            "Payment provider timeouts in logs",
            f"Error log spike on {svc}",
            "Failed logins from a single IP",
            "Unhandled exceptions in worker logs",
        ]
    )
    word, kind, color = DD_STATES[st]
    mid = R.randint(1000000, 160000000)
    url = f"https://app.datadoghq.com/monitors/{mid}"
    title = f"[{word} on {{service:{svc}}}] {name}" if chance(0.7) else f"[{word}] {name}"
    q = f'logs("service:{svc} status:error").index("*").rollup("count").by("service").last("5m") > 50'
    text = f"More than 50 matching error logs in 5 minutes.\n@slack-{svc}-alerts\n- - -\n`{q}`"
    if st in ("triggered", "retriggered"):
        text += (
            f"\nMatching logs:\n```{utc(CLOCK.t, '%b %d %H:%M:%S')} {svc}-{hexs(6)} ERROR upstream timed out after 30000ms (request_id={hexs(16)})\n"
            f"{utc(CLOCK.t - 7, '%b %d %H:%M:%S')} {svc}-{hexs(6)} ERROR upstream timed out after 30000ms (request_id={hexs(16)})```"
        )
    text += f"\n<{url}|Monitor Status> · <{url}/edit|Edit Monitor> · <https://app.datadoghq.com/logs?query=service%3A{svc}|Related Logs>"
    att = attach(color=color, title=title, title_link=url, text=text, fallback=title, mrkdwn_in=["text"])
    return post(DD_APP, attachments=[att]), kind, name


DD_MIX = [("triggered", 0.42), ("recovered", 0.3), ("warn", 0.1), ("nodata", 0.08), ("retriggered", 0.1)]
DD_TEMPLATES = [
    ("legacy_attachment", dd_legacy, 22, DD_MIX),
    ("priority_prefix", dd_prio, 12, [("triggered", 0.5), ("recovered", 0.35), ("warn", 0.15)]),
    ("app_blocks", dd_blocks, 20, DD_MIX),
    (
        "webhook_text_link",
        dd_textlink,
        12,
        [("triggered", 0.5), ("recovered", 0.3), ("nodata", 0.1), ("retriggered", 0.1)],
    ),
    ("custom_message_body", dd_custom_body, 14, DD_MIX),
    ("muted_downtime", dd_muted, 8, [("other", 1.0)]),
    ("log_monitor", dd_logmon, 10, [("triggered", 0.6), ("recovered", 0.4)]),
]


# ==========================================================================
# Cross-vendor helpers: titles carried by incident tools
# ==========================================================================
CW_ALARMS = [
    (
        "orders-prod-SQS-AgeOfOldestMessage",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "GreaterThanThreshold",
        900,
        "Messages in orders-prod queue are older than 15 minutes",
    ),
    (
        "checkout-api-prod-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "GreaterThanThreshold",
        1.5,
        "p99 target response time above 1.5s",
    ),
    (
        "prod-rds-orders-CPUUtilization-High",
        "AWS/RDS",
        "CPUUtilization",
        "GreaterThanOrEqualToThreshold",
        85,
        "orders-prod RDS CPU >= 85%",
    ),
    (
        "prod-rds-orders-FreeStorageSpace-Low",
        "AWS/RDS",
        "FreeStorageSpace",
        "LessThanThreshold",
        10737418240,
        "Less than 10 GiB free on orders-prod",
    ),
    ("lambda-image-resize-Errors", "AWS/Lambda", "Errors", "GreaterThanThreshold", 5, ""),
    (
        "ecs-web-prod-MemoryUtilization-85",
        "AWS/ECS",
        "MemoryUtilization",
        "GreaterThanThreshold",
        85,
        "web-prod service memory above 85%",
    ),
    (
        "api-gw-prod-5XXError",
        "AWS/ApiGateway",
        "5XXError",
        "GreaterThanThreshold",
        25,
        "API Gateway prod stage returning 5XX",
    ),
    (
        "awseb-e-m3kq8p2xzt-stack-AWSEBCloudwatchAlarmHigh-1NQ7ZP0R4VJ3K",
        "AWS/EC2",
        "NetworkOut",
        "GreaterThanThreshold",
        6000000,
        "ElasticBeanstalk Default Scale Up alarm",
    ),
    (
        "nat-gw-euw1-ErrorPortAllocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        "GreaterThanThreshold",
        0,
        "NAT gateway ran out of source ports",
    ),
    (
        "dynamodb-sessions-ReadThrottleEvents",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        "GreaterThanThreshold",
        50,
        "sessions table is throttling reads",
    ),
    (
        "billing-batch-StepFunctions-ExecutionsFailed",
        "AWS/States",
        "ExecutionsFailed",
        "GreaterThanOrEqualToThreshold",
        1,
        "The billing batch state machine failed",
    ),
    (
        "Prod API Gateway 5XX errors",
        "AWS/ApiGateway",
        "5XXError",
        "GreaterThanThreshold",
        50,
        "Public API returning errors",
    ),
    (
        "kinesis-clickstream-IteratorAgeMilliseconds",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        "GreaterThanThreshold",
        600000,
        "clickstream consumers are lagging",
    ),
    (
        "elasticache-redis-prod-EngineCPU-high",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        "GreaterThanThreshold",
        90,
        "Redis engine CPU above 90%",
    ),
    (
        "cloudfront-static-4xx-rate",
        "AWS/CloudFront",
        "4xxErrorRate",
        "GreaterThanThreshold",
        10,
        "More than 10% 4xx on the static distribution",
    ),
    (
        "efs-shared-BurstCreditBalance-low",
        "AWS/EFS",
        "BurstCreditBalance",
        "LessThanThreshold",
        1000000000000,
        "EFS burst credits almost exhausted",
    ),
    (
        "eks-prod-cluster-failed-node-count",
        "ContainerInsights",
        "cluster_failed_node_count",
        "GreaterThanThreshold",
        0,
        "At least one EKS node is NotReady",
    ),
    (
        "search-prod-opensearch-ClusterStatus.red",
        "AWS/ES",
        "ClusterStatus.red",
        "GreaterThanOrEqualToThreshold",
        1,
        "OpenSearch cluster is RED",
    ),
    (
        "Billing - EstimatedCharges over 25000 USD",
        "AWS/Billing",
        "EstimatedCharges",
        "GreaterThanThreshold",
        25000,
        "Monthly AWS spend forecast exceeded",
    ),
    (
        "payments-webhook-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "GreaterThanThreshold",
        0,
        "Messages landed in the payments webhook DLQ",
    ),
    (
        "prod-alb-UnHealthyHostCount",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "GreaterThanOrEqualToThreshold",
        2,
        "Two or more targets unhealthy behind the prod ALB",
    ),
    (
        "route53-healthcheck-api-eu-failing",
        "AWS/Route53",
        "HealthCheckStatus",
        "LessThanThreshold",
        1,
        "Route 53 health check for api-eu is failing",
    ),
    (
        "checkout-stack-TargetGroup5xxAlarm-K2J4H6L8M0N1",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "GreaterThanThreshold",
        20,
        "",
    ),
    (
        "ProdAuroraReplicaLagHigh",
        "AWS/RDS",
        "AuroraReplicaLag",
        "GreaterThanThreshold",
        2000,
        "Aurora replica lag above 2s",
    ),
    (
        "ses-bounce-rate-above-5pct",
        "AWS/SES",
        "Reputation.BounceRate",
        "GreaterThanOrEqualToThreshold",
        0.05,
        "SES bounce rate is approaching suspension level",
    ),
    (
        "asg-web-prod-GroupInServiceInstances-low",
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        "LessThanThreshold",
        3,
        "Fewer than 3 healthy web instances",
    ),
    (
        "msk-orders-OfflinePartitionsCount",
        "AWS/Kafka",
        "OfflinePartitionsCount",
        "GreaterThanThreshold",
        0,
        "Kafka has offline partitions",
    ),
    (
        "WAF-prod-BlockedRequests-spike",
        "AWS/WAFV2",
        "BlockedRequests",
        "GreaterThanThreshold",
        5000,
        "WAF is blocking an unusual number of requests",
    ),
    (
        "lambda-pdf-render-Duration-p95",
        "AWS/Lambda",
        "Duration",
        "GreaterThanThreshold",
        25000,
        "pdf-render p95 duration close to the timeout",
    ),
    (
        "StagingEC2-bastion-StatusCheckFailed",
        "AWS/EC2",
        "StatusCheckFailed",
        "GreaterThanOrEqualToThreshold",
        1,
        "Bastion host failed its status checks",
    ),
]
AWS_REGIONS = [
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-2", "US West (Oregon)"),
    ("eu-west-1", "EU (Ireland)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-central-1", "EU (Frankfurt)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("sa-east-1", "South America (Sao Paulo)"),
]
AWS_ACCOUNTS = ["123456789012", "480915236274", "731029384756", "905418273640"]
CMP_WORD = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def cw_alarm() -> dict:
    name, ns, metric, cmp, thr, desc = pick(CW_ALARMS)
    region, rname = pick(AWS_REGIONS)
    acct = pick(AWS_ACCOUNTS)
    return {
        "name": name,
        "ns": ns,
        "metric": metric,
        "cmp": cmp,
        "thr": thr,
        "desc": desc,
        "region": region,
        "rname": rname,
        "acct": acct,
        "url": f"https://{region}.console.aws.amazon.com/cloudwatch/deeplink.js?region={region}#alarmsV2:alarm/{quote(name, safe='')}",
        "arn": f"arn:aws:cloudwatch:{region}:{acct}:alarm:{name}",
    }


def _fmt_num(x) -> str:
    if isinstance(x, int) or float(x).is_integer():
        return f"{float(x):.1f}"
    return f"{x}"


def _dp(v: float, A: dict) -> str:
    if A["metric"] in (
        "Errors",
        "5XXError",
        "ErrorPortAllocation",
        "ReadThrottleEvents",
        "ExecutionsFailed",
        "ApproximateNumberOfMessagesVisible",
        "UnHealthyHostCount",
        "HealthCheckStatus",
        "cluster_failed_node_count",
        "ClusterStatus.red",
        "HTTPCode_Target_5XX_Count",
        "GroupInServiceInstances",
        "OfflinePartitionsCount",
        "BlockedRequests",
        "StatusCheckFailed",
    ):
        return f"{float(max(1, round(v))) if 'HealthCheck' not in A['metric'] else float(round(v) % 2)}"
    return repr(round(v, 3)) if v < 1e6 else repr(float(round(v)))


def cw_reason(A: dict, state: str) -> str:
    t = CLOCK.t - R.randint(60, 300)
    stamp = utc(t, "%d/%m/%y %H:%M:00")
    thr = float(A["thr"])
    cmpw = CMP_WORD[A["cmp"]]
    if state == "INSUFFICIENT_DATA":
        return pick(["Insufficient Data: 1 datapoint was unknown.", "Insufficient Data: 3 datapoints were unknown."])
    over = A["cmp"].startswith("Greater")
    if state == "ALARM":
        v = thr * R.uniform(1.05, 4) + (1 if thr == 0 else 0) if over else thr * R.uniform(0.05, 0.95)
        n = pick([1, 1, 2, 3])
        v = _dp(v, A)
        return (
            (
                f"Threshold Crossed: {n} out of the last {n} datapoints [{v} ({stamp})] was {cmpw} the threshold "
                f"({_fmt_num(thr)}) (minimum {n} datapoint{'s' if n > 1 else ''} for OK -> ALARM transition)."
            )
            if n > 1
            else (f"Threshold Crossed: 1 datapoint [{v} ({stamp})] was {cmpw} the threshold ({_fmt_num(thr)}).")
        )
    v = _dp(thr * R.uniform(0.05, 0.9) if over else thr * R.uniform(1.1, 3) + 1, A)
    return f"Threshold Crossed: 1 datapoint [{v} ({stamp})] was not {cmpw} the threshold ({_fmt_num(thr)})."


def sns_subject(A: dict, state: str) -> str:
    return f'{state}: "{A["name"]}" in {A["rname"]}'


def pd_title_for(kind_hint: str = "") -> tuple[str, str, str]:
    """Return (incident title, gold alert name, source description)."""
    r = R.random()
    if r < 0.55:
        G = prom_group()
        if chance(0.7):
            return am_default_title(G, "firing").strip(), G["name"], "am"
        return f"{G['name']} ({G['env']}): {G['summary']}", G["name"], "am-custom"
    if r < 0.68:
        A = cw_alarm()
        return sns_subject(A, "ALARM"), A["name"], "cloudwatch"
    if r < 0.78:
        D = dd_ctx()
        return dd_title(D, "triggered"), D["name"], "datadog"
    name = pick(PD_NATIVE)
    return name, name, "native"


PD_NATIVE = [
    "Nightly billing export did not complete",
    "Checkout synthetic check failing from 3 locations",
    "Primary database failover detected",
    "Customer-reported outage: EU login failures",
    "SFTP drop for partner invoices is empty",
    "Kubernetes cluster prod-eu-1 API unreachable",
    "Vault sealed on vault-2",
    "Stripe webhooks failing signature verification",
]


# ==========================================================================
# PagerDuty
# ==========================================================================
PD_APP = Bot("PagerDuty", webhook=False)
PD_HOOK = Bot("PagerDuty", "PagerDuty", icons={"emoji": ":pagerduty:"})
PD_SERVICES = {
    "am": ["Production Alertmanager", "GitLab.com Production", "Infra - Prometheus"],
    "am-custom": ["Production Alertmanager", "DB Reliability"],
    "cloudwatch": ["AWS CloudWatch (prod)", "Payments AWS"],
    "datadog": ["Datadog", "Payments API"],
    "native": ["Payments API", "Data Platform", "Customer Support Escalations", "Core Infrastructure"],
}
PD_COLORS = {"triggered": "#D8000C", "acknowledged": "#F5A623", "resolved": "#2FB170", "other": "#7D7D7D"}


def pd_incident() -> dict:
    title, gold, src = pd_title_for()
    num = R.randint(18000, 99999)
    iid = "Q" + "".join(R.choice(UPPER) for _ in range(13))
    sub = pick(["acme-corp", "shopwise", "gitlab"])
    return {
        "title": title,
        "gold": gold,
        "src": src,
        "num": num,
        "url": f"https://{sub}.pagerduty.com/incidents/{iid}",
        "service": pick(PD_SERVICES[src]),
        "surl": f"https://{sub}.pagerduty.com/service-directory/P{''.join(R.choice(UPPER) for _ in range(6))}",
        "urgency": pick(["High", "High", "Low"]),
        "prio": pick([None, "P1", "P2", "P3"]),
        "ep": pick(["Infra Primary", "DBRE", "Payments On-Call", "Default"]),
    }


PD_OTHER_STATES = ["acknowledged", "escalated", "reassigned", "unacknowledged", "note", "priority", "snoozed"]


def pd_state_line(inc: dict, state: str, uid: str, name: str) -> tuple[str, str]:
    """(status label, update sentence)"""
    who_resolve = pick([f"<@{uid}>", inc["service"] + " (integration)", "Alertmanager", name])
    _, _, uid2 = person()
    return {
        "triggered": ("Triggered", ""),
        "acknowledged": ("Acknowledged", f"Acknowledged by <@{uid}>"),
        "resolved": ("Resolved", f"Resolved by {who_resolve}"),
        "escalated": ("Triggered", f"Escalated to level 2: <@{uid2}>"),
        "reassigned": ("Triggered", f"Reassigned to <@{uid2}> by <@{uid}>"),
        "unacknowledged": ("Triggered", "Unacknowledged: acknowledgement timeout reached"),
        "note": (
            "Acknowledged",
            f"<@{uid}> added a note: _{pick(['restarting pgbouncer on the primary', 'looks like the 14:00 deploy, rolling back', 'vendor confirmed degradation on their side', 'failover in progress'])}_",
        ),
        "priority": (
            "Triggered",
            f"Priority changed from {pick(['P3', 'P4', 'none'])} to *{pick(['P1', 'P2'])}* by <@{uid}>",
        ),
        "snoozed": ("Acknowledged", f"Snoozed for {pick(['1 hour', '4 hours', '24 hours'])} by <@{uid}>"),
    }[state]


def pd_kind(state: str) -> str:
    return {"triggered": FIRING, "resolved": RESOLVED}.get(state, OTHER)


def pd_card_attachment(inc: dict, state: str, uid: str, name: str) -> dict:
    label, line = pd_state_line(inc, state, uid, name)
    fields = [
        {"title": "Status", "value": label, "short": True},
        {"title": "Urgency", "value": inc["urgency"], "short": True},
        {"title": "Service", "value": f"<{inc['surl']}|{inc['service']}>", "short": True},
        {"title": "Assigned", "value": f"<@{uid}>", "short": True},
    ]
    if inc["prio"]:
        fields.append({"title": "Priority", "value": inc["prio"], "short": True})
    actions = []
    if label == "Triggered":
        actions = [legacy_action("Acknowledge", "acknowledge", "primary"), legacy_action("Resolve", "resolve")]
    elif label == "Acknowledged":
        actions = [legacy_action("Resolve", "resolve", "primary")]
    color = (
        PD_COLORS.get(state, PD_COLORS["other"])
        if state in PD_COLORS
        else (PD_COLORS["acknowledged"] if label == "Acknowledged" else PD_COLORS["triggered"])
    )
    return attach(
        color=color,
        title=f"#{inc['num']}: {inc['title']}",
        title_link=inc["url"],
        fallback=f"{label}: #{inc['num']} {inc['title']}",
        text=line,
        fields=fields,
        footer=f"Escalation policy: {inc['ep']}",
        actions=actions,
        callback_id=inc["url"].rsplit("/", 1)[-1],
        mrkdwn_in=["text", "fields"],
    )


def pd_card(st):
    inc = pd_incident()
    name, _, uid = person()
    state = st if st in ("triggered", "resolved", "acknowledged") else pick(PD_OTHER_STATES)
    return post(PD_APP, attachments=[pd_card_attachment(inc, state, uid, name)]), pd_kind(state), inc["gold"]


def pd_blocks_msg(inc: dict, state: str, uid: str, name: str) -> tuple[str, list]:
    label, line = pd_state_line(inc, state, uid, name)
    emoji = {"Triggered": ":red_circle:", "Acknowledged": ":large_yellow_circle:", "Resolved": ":large_green_circle:"}[
        label
    ]
    blocks = [b_section(f"{emoji} *{label}*  <{inc['url']}|*#{inc['num']}* {inc['title']}>")]
    fields = [f"*Service*\n<{inc['surl']}|{inc['service']}>", f"*Urgency*\n{inc['urgency']}", f"*Assigned*\n<@{uid}>"]
    if inc["prio"]:
        fields.append(f"*Priority*\n{inc['prio']}")
    blocks.append(b_section(fields=fields))
    if line:
        blocks.append(b_context(line))
    if label == "Triggered":
        blocks.append(
            b_actions(
                button("Acknowledge", value="ack", style="primary"),
                button("Resolve", value="resolve"),
                button("More actions", value="more"),
            )
        )
    elif label == "Acknowledged":
        blocks.append(
            b_actions(button("Resolve", value="resolve", style="primary"), button("More actions", value="more"))
        )
    return f"{label}: #{inc['num']} {inc['title']}", blocks


def pd_blocks(st):
    inc = pd_incident()
    name, _, uid = person()
    state = st if st in ("triggered", "resolved", "acknowledged") else pick(PD_OTHER_STATES)
    text, blocks = pd_blocks_msg(inc, state, uid, name)
    return post(PD_APP, text=text, blocks=blocks), pd_kind(state), inc["gold"]


def pd_thread(st):
    inc = pd_incident()
    _name, _, uid = person()
    state = st if st in ("resolved", "acknowledged") else pick(PD_OTHER_STATES)
    ref = f"<{inc['url']}|#{inc['num']}: {inc['title']}>"
    _, _, uid2 = person()
    text = {
        "acknowledged": f"<@{uid}> acknowledged {ref}",
        "resolved": f"{ref} was resolved by {pick([f'<@{uid}>', inc['service'], 'Alertmanager (auto-resolve)'])}",
        "escalated": f"{ref} escalated to <@{uid2}> (level {R.randint(2, 3)})",
        "reassigned": f"<@{uid}> reassigned {ref} to <@{uid2}>",
        "unacknowledged": f"{ref} was unacknowledged (acknowledgement timeout reached)",
        "note": f"<@{uid}> added a note to {ref}:\n>{pick(['mitigated by scaling the node pool', 'root cause looks like a noisy neighbour', 'waiting on GCP support'])}",
        "priority": f"Priority of {ref} changed from *P3* to *P1* by <@{uid}>",
        "snoozed": f"<@{uid}> snoozed {ref} for {pick(['1 hour', '4 hours'])}",
    }[state]
    parent = earlier(f"{CLOCK.t}.0", 120, 7200)
    return post(PD_APP, text=text, thread_ts=parent), pd_kind(state), inc["gold"]


def pd_edited(st):
    inc = pd_incident()
    name, _, uid = person()
    state = st if st in ("resolved", "acknowledged") else pick(["escalated", "reassigned", "snoozed", "priority"])
    ch = pick(CH_ALERTS + CH_INCIDENT)
    if chance(0.5):
        text, blocks = pd_blocks_msg(inc, state, uid, name)
        new = post(PD_APP, text=text, blocks=blocks, channel=ch)
        t0, b0 = pd_blocks_msg(inc, "triggered", uid, name)
        prev = post(PD_APP, text=t0, blocks=b0, channel=ch, ts=earlier(new["ts"]))
    else:
        new = post(PD_APP, attachments=[pd_card_attachment(inc, state, uid, name)], channel=ch)
        prev = post(
            PD_APP, attachments=[pd_card_attachment(inc, "triggered", uid, name)], channel=ch, ts=earlier(new["ts"])
        )
    return edited(new, prev, ch), pd_kind(state), inc["gold"]


def pd_legacy_text(st):
    inc = pd_incident()
    name, _, _uid = person()
    if st == "triggered":
        text = pick(
            [
                f"Triggered <{inc['url']}|#{inc['num']}> ({inc['title']}) - Assigned to {name}",
                f":rotating_light: *Triggered* <{inc['url']}|#{inc['num']}>: {inc['title']}\n*Service:* {inc['service']}  *Assigned to:* {name}",
            ]
        )
        state = "triggered"
    elif st == "resolved":
        text = pick(
            [
                f"Resolved <{inc['url']}|#{inc['num']}> ({inc['title']}) - by {pick([name, inc['service']])}",
                f":white_check_mark: *Resolved* <{inc['url']}|#{inc['num']}>: {inc['title']}",
            ]
        )
        state = "resolved"
    elif st == "acknowledged":
        text = f"Acknowledged <{inc['url']}|#{inc['num']}> ({inc['title']}) - by {name}"
        state = "acknowledged"
    else:
        state = pick(["escalated", "reassigned", "unacknowledged"])
        verb = {
            "escalated": f"Escalated <{inc['url']}|#{inc['num']}> ({inc['title']}) - to {person()[0]}",
            "reassigned": f"Reassigned <{inc['url']}|#{inc['num']}> ({inc['title']}) - to {person()[0]}",
            "unacknowledged": f"Unacknowledged <{inc['url']}|#{inc['num']}> ({inc['title']}) - ack timeout",
        }[state]
        text = verb
    return post(PD_HOOK, text=text), pd_kind(state), inc["gold"]


def pd_native(st):
    for _ in range(50):
        inc = pd_incident()
        if inc["src"] in ("native", "cloudwatch", "datadog"):
            break
    name, _, uid = person()
    state = st if st in ("triggered", "resolved", "acknowledged") else pick(PD_OTHER_STATES)
    if chance(0.5):
        return post(PD_APP, attachments=[pd_card_attachment(inc, state, uid, name)]), pd_kind(state), inc["gold"]
    text, blocks = pd_blocks_msg(inc, state, uid, name)
    return post(PD_APP, text=text, blocks=blocks), pd_kind(state), inc["gold"]


def pd_am_custom(st):
    G = prom_group(n=1)
    inc = pd_incident()
    inc["title"] = pick(
        [
            f"{G['name']} ({G['env']}): {G['summary']}",
            f"[{G['sev'].upper()}] {G['name']} - {G['summary']}",
            f"{G['summary']} [{G['name']}]",
        ]
    )
    inc["gold"] = G["name"]
    inc["service"] = pick(PD_SERVICES["am"])
    name, _, uid = person()
    state = st if st in ("triggered", "resolved", "acknowledged") else pick(PD_OTHER_STATES)
    if chance(0.5):
        return post(PD_APP, attachments=[pd_card_attachment(inc, state, uid, name)]), pd_kind(state), inc["gold"]
    text, blocks = pd_blocks_msg(inc, state, uid, name)
    return post(PD_APP, text=text, blocks=blocks), pd_kind(state), inc["gold"]


PD_MIX = [("triggered", 0.38), ("acknowledged", 0.2), ("resolved", 0.25), ("other", 0.17)]
PD_TEMPLATES = [
    ("app_card_attachment", pd_card, 20, PD_MIX),
    ("app_blocks", pd_blocks, 18, PD_MIX),
    ("thread_update", pd_thread, 16, [("acknowledged", 0.3), ("resolved", 0.3), ("other", 0.4)]),
    ("edited_card", pd_edited, 12, [("acknowledged", 0.4), ("resolved", 0.4), ("other", 0.2)]),
    (
        "legacy_webhook_text",
        pd_legacy_text,
        12,
        [("triggered", 0.4), ("acknowledged", 0.2), ("resolved", 0.25), ("other", 0.15)],
    ),
    ("native_and_other_sources", pd_native, 14, PD_MIX),
    ("alertmanager_custom_description", pd_am_custom, 10, PD_MIX),
]


# ==========================================================================
# Opsgenie
# ==========================================================================
OG_APP = Bot("Opsgenie", webhook=False)
OG_HOOK = Bot("Opsgenie", "Opsgenie", icons={"emoji": ":opsgenie:"})
OG_NATIVE = [
    ("Backup job failed: pg-main nightly", "Email"),
    ("Certificate for api.shopwise.io expires in 7 days", "API"),
    ("Stripe webhook delivery failures", "API"),
    ("VPN tunnel eu-west-1 to dc1 is down", "Email"),
    ("Disk quota exceeded on build cache bucket", "API"),
    ("Partner SFTP import stuck", "Email"),
]
OG_HEARTBEATS = ["billing-export-cron", "nightly-etl", "k8s-prod-eu-watchdog"]
SEV_TO_P = {"s1": "P1", "s2": "P2", "s3": "P3", "s4": "P4"}


def og_alert() -> dict:
    r = R.random()
    tiny = R.randint(1200, 98000)
    aid = str(uuid.UUID(int=R.getrandbits(128), version=4))
    base = {
        "tiny": tiny,
        "url": f"https://{pick(['acme-corp', 'shopwise'])}.app.{pick(['', 'eu.'])}opsgenie.com/alert/detail/{aid}/details",
        "teams": pick(["SRE", "Platform", "DBRE", "Payments"]),
    }
    if r < 0.6:
        G = prom_group()
        if chance(0.6):
            msg = am_default_title(G, "firing").strip()
        else:
            msg = pick(
                [
                    f"[{G['sev'].upper()}] {G['name']}: {G['summary']}",
                    f"{G['name']} - {G['env']}",
                    f"{G['name']} ({G['env']}/{G['CL'].get('stage', 'main')})",
                ]
            )
        base.update(
            msg=msg[:130] if G["name"] in msg[:130] else msg,
            gold=G["name"],
            source="Alertmanager",
            prio=SEV_TO_P.get(G["sev"], "P3"),
            tags=", ".join([G["env"], G["type"], G["sev"]]),
        )
    elif r < 0.9:
        msg, src = pick(OG_NATIVE)
        base.update(
            msg=msg, gold=msg, source=src, prio=pick(["P1", "P2", "P3"]), tags=pick(["prod", "prod, backup", "network"])
        )
    else:
        hb = pick(OG_HEARTBEATS)
        base.update(msg=f"{hb} is expired.", gold=hb, source="Heartbeat", prio="P2", tags="heartbeat")
    return base


OG_STATES = {
    "created": ("New alert created", FIRING, "#D04437"),
    "acknowledged": ("Alert acknowledged by {who}", OTHER, "#F5A623"),
    "closed": ("Alert closed by {closer}", RESOLVED, "#2EB886"),
    "snoozed": ("Alert snoozed by {who} until {until}", OTHER, "#9B9B9B"),
    "assigned": ("Alert assigned to {who2} by {who}", OTHER, "#D04437"),
    "escalated": ("Alert escalated to {team} (escalation: {team}_escalation)", OTHER, "#D04437"),
    "note": ("Note added by {who}: {note}", OTHER, "#F5A623"),
    "priority": ("Priority changed from P3 to {prio} by {who}", OTHER, "#D04437"),
    "unacked": ("Alert unacknowledged by {who}", OTHER, "#D04437"),
}
OG_OTHER = ["acknowledged", "snoozed", "assigned", "escalated", "note", "priority", "unacked"]


def og_line(A: dict, state: str) -> tuple[str, str, str]:
    tpl, kind, color = OG_STATES[state]
    who = person()[0]
    line = tpl.format(
        who=who,
        who2=person()[0],
        closer=pick([who, "Alertmanager-prod", "Alertmanager (API)"])
        if A["source"] == "Alertmanager"
        else pick([who, who, "System"]),
        until=utc(CLOCK.t + 3600 * R.randint(1, 12), "%b %d, %Y %H:%M UTC"),
        team=A["teams"],
        note=pick(['"investigating"', '"caused by maintenance, safe to ignore"', '"DB team paged"']),
        prio=pick(["P1", "P2"]),
    )
    return line, kind, color


def og_card_att(A: dict, state: str) -> dict:
    line, _kind, color = og_line(A, state)
    status = (
        "Closed" if state == "closed" else ("Acknowledged" if state in ("acknowledged", "snoozed", "note") else "Open")
    )
    fields = [
        {"title": "Priority", "value": A["prio"], "short": True},
        {"title": "Status", "value": status, "short": True},
        {"title": "Source", "value": A["source"], "short": True},
        {"title": "Routed Teams", "value": A["teams"], "short": True},
    ]
    if chance(0.6):
        fields.append({"title": "Tags", "value": A["tags"], "short": False})
    actions = (
        []
        if state == "closed"
        else [
            legacy_action("Acknowledge", "ack", "primary"),
            legacy_action("Close", "close"),
            legacy_action("Take Ownership", "own"),
            legacy_action("Add Note", "note"),
        ]
    )
    return attach(
        color=color,
        pretext=line,
        title=f"#{A['tiny']}: {A['msg']}",
        title_link=A["url"],
        fallback=f"{line}: #{A['tiny']} {A['msg']}",
        fields=fields,
        actions=actions,
        callback_id=f"opsgenie_{A['tiny']}",
        mrkdwn_in=["pretext", "text"],
    )


def og_state(st: str) -> str:
    return st if st in ("created", "closed", "acknowledged") else pick(OG_OTHER)


def og_card(st):
    A = og_alert()
    state = og_state(st)
    return post(OG_APP, attachments=[og_card_att(A, state)]), OG_STATES[state][1], A["gold"]


def og_legacy(st):
    A = og_alert()
    state = og_state(st)
    line, kind, _ = og_line(A, state)
    link = f"<{A['url']}|#{A['tiny']}>"
    if state == "created":
        text = pick(
            [
                f'*[Opsgenie]* New alert: {link} "{A["msg"]}" created by {A["source"]}',
                f"[Opsgenie] :rotating_light: {A['prio']} {link} {A['msg']}",
            ]
        )
    else:
        text = f'*[Opsgenie]* {line}: {link} "{A["msg"]}"'
    return post(OG_HOOK, text=text), kind, A["gold"]


def og_thread(st):
    A = og_alert()
    state = og_state(st)
    line, kind, _ = og_line(A, state)
    text = f"{line}\n>#{A['tiny']}: {A['msg']}" if chance(0.5) else f"{line} · <{A['url']}|#{A['tiny']} {A['msg']}>"
    parent = earlier(f"{CLOCK.t}.0", 60, 3600)
    return post(OG_APP, text=text, thread_ts=parent), kind, A["gold"]


def og_am_custom(st):
    G = prom_group(n=1)
    A = og_alert()
    A.update(
        msg=pick(
            [
                f"[{G['sev'].upper()}] {G['name']}: {G['summary']}"[:130],
                f"{G['name']} on {G['env']}",
                f"{G['summary'][:90]} ({G['name']})",
            ]
        ),
        gold=G["name"],
        source="Alertmanager",
        prio=SEV_TO_P.get(G["sev"], "P3"),
        tags=f"{G['env']}, {G['type']}",
    )
    if G["name"] not in A["msg"]:
        A["msg"] = f"{G['name']}: {G['summary']}"
    state = og_state(st)
    return post(OG_APP, attachments=[og_card_att(A, state)]), OG_STATES[state][1], A["gold"]


def og_edited(st):
    A = og_alert()
    state = og_state(st)
    ch = pick(CH_ALERTS)
    new = post(OG_APP, attachments=[og_card_att(A, state)], channel=ch)
    prev = post(OG_APP, attachments=[og_card_att(A, "created")], channel=ch, ts=earlier(new["ts"]))
    return edited(new, prev, ch), OG_STATES[state][1], A["gold"]


def og_native(st):
    for _ in range(50):
        A = og_alert()
        if A["source"] != "Alertmanager":
            break
    state = og_state(st)
    if chance(0.6):
        return post(OG_APP, attachments=[og_card_att(A, state)]), OG_STATES[state][1], A["gold"]
    line, kind, _ = og_line(A, state)
    return post(OG_HOOK, text=f'*[Opsgenie]* {line}: <{A["url"]}|#{A["tiny"]}> "{A["msg"]}"'), kind, A["gold"]


OG_MIX = [("created", 0.38), ("acknowledged", 0.17), ("closed", 0.25), ("other", 0.2)]
OG_TEMPLATES = [
    ("app_card", og_card, 22, OG_MIX),
    ("legacy_webhook_text", og_legacy, 16, OG_MIX),
    ("thread_action", og_thread, 14, [("acknowledged", 0.3), ("closed", 0.3), ("other", 0.4)]),
    ("alertmanager_custom_message", og_am_custom, 14, OG_MIX),
    ("native_sources", og_native, 14, OG_MIX),
    ("edited_card", og_edited, 10, [("acknowledged", 0.4), ("closed", 0.4), ("other", 0.2)]),
]


# ==========================================================================
# Zabbix
# ==========================================================================
# (trigger name as configured, host-suffix style?)  host-suffix names render "... on {HOST.NAME}"
ZBX_TRIGGERS = [
    ("Free disk space is less than 20% on volume /", False),
    ("Free disk space is less than 5% on volume /data", False),
    ("Free inodes is less than 10% on volume /var/lib/docker", False),
    ("Processor load is too high", True),
    ("Lack of free swap space", True),
    ("Too many processes", True),
    ("Disk I/O is overloaded", True),
    ("Lack of available memory", True),
    ("High CPU utilization (over 90% for 5m)", False),
    ("Load average is too high (per CPU load over 1.5 for 5m)", False),
    ("High memory utilization (>90% for 5m)", False),
    ("Zabbix agent is not available (for 3m)", False),
    ("Unavailable by ICMP ping", False),
    ("High ICMP ping loss", False),
    ("/var: Disk space is critically low (used > 90%)", False),
    ("System time is out of sync (diff with Zabbix server > 60s)", False),
    ("PostgreSQL replication lag is too high", False),
    ("RabbitMQ queue orders.created has more than 10000 messages", False),
    ("SSL certificate on shop.example.com expires in less than 14 days", False),
    ("HAProxy backend api_servers has no healthy servers", False),
    ("MySQL slow queries above 50 per second", False),
    ("Interface eth0: High bandwidth usage (>90%)", False),
    ("Nginx 5xx responses above 2%", False),
    ("UPS is running on battery", False),
    ("Temperature is above critical threshold", False),
    ("Host has been restarted (uptime < 10m)", False),
    ('Service "nginx" is not running', False),
    ("Ping response time is too high", True),
    ("Backup job did not finish in time", False),
    ("Memory usage above 95% for 15 minutes", False),
    ("Port 5432 is not listening", False),
    ("Low free disk space on /var/log (<5%)", False),
    ("Too many established TCP connections", True),
]
ZBX_HOSTS = [
    ("db-2", "10.0.4.12"),
    ("web-03", "10.0.2.23"),
    ("pg-main-01.dc1.acme.lan", "192.168.10.21"),
    ("fw-edge-1", "172.16.0.1"),
    ("app-srv-14", "10.0.3.114"),
    ("mq-01", "10.0.5.10"),
    ("lb-02", "10.0.1.3"),
    ("nas-backup", "192.168.20.5"),
    ("esx-07.dc2", "10.9.0.37"),
    ("ups-rack4", "10.9.9.4"),
]
ZBX_SEV = [("Average", 3), ("High", 4), ("Disaster", 5), ("Warning", 2), ("High", 4), ("Information", 1)]
ZBX_COLORS = ["#97AAB3", "#7499FF", "#FFC859", "#FFA059", "#E97659", "#E45959"]
ZBX_APP = Bot("Zabbix", webhook=False)
ZBX_HOOK = Bot("zabbix", "Zabbix", icons={"emoji": ":zabbix:"})
ZBX_URLS = ["https://zabbix.acme-corp.net", "https://monitor.dc1.acme.lan/zabbix", "http://zabbix.internal"]


def zbx_item(trig: str) -> tuple[str, str, str]:
    t = trig.lower()
    if "disk space" in t or "inodes" in t:
        return ("Free disk space on / (percentage)", "vfs.fs.size[/,pfree]", f"{R.uniform(1, 19):.2f} %")
    if "processor" in t or "cpu" in t or "load" in t:
        return ("Processor load (1 min average per core)", "system.cpu.load[percpu,avg1]", f"{R.uniform(1.5, 9):.2f}")
    if "memory" in t or "swap" in t:
        return ("Available memory", "vm.memory.size[available]", f"{R.randint(20, 900)} MB")
    if "icmp" in t or "agent" in t:
        return ("ICMP ping", "icmpping", "Down (0)")
    if "processes" in t:
        return ("Number of processes", "proc.num[]", str(R.randint(300, 900)))
    return (trig.split(" is ")[0][:40], "custom.check", f"{R.uniform(0, 100):.2f}")


ZBX_HOST_CLASS = {
    "PostgreSQL": ["db-2", "pg-main-01.dc1.acme.lan"],
    "Port 5432": ["db-2", "pg-main-01.dc1.acme.lan"],
    "Backup": ["nas-backup"],
    'Service "nginx"': ["web-03", "lb-02"],
    "RabbitMQ": ["mq-01"],
    "HAProxy": ["lb-02"],
    "MySQL": ["db-2"],
    "Nginx": ["web-03", "lb-02"],
    "UPS": ["ups-rack4"],
    "Temperature": ["esx-07.dc2", "ups-rack4"],
    "SSL": ["web-03", "lb-02"],
    "Interface": ["fw-edge-1", "lb-02"],
}


def zbx_event() -> dict:
    trig, suffix = pick(ZBX_TRIGGERS)
    host, ip = pick(ZBX_HOSTS)
    for key, hosts in ZBX_HOST_CLASS.items():
        if trig.startswith(key):
            host = pick(hosts)
            ip = dict(ZBX_HOSTS)[host]
    sev, nsev = pick(ZBX_SEV)
    name = f"{trig} on {host}" if suffix else trig
    eid = R.randint(1000000, 99999999)
    tid = R.randint(10000, 99999)
    url = pick(ZBX_URLS)
    t0 = CLOCK.t - R.randint(60, 20000)
    return {
        "trig": trig,
        "name": name,
        "host": host,
        "ip": ip,
        "sev": sev,
        "nsev": nsev,
        "eid": eid,
        "tid": tid,
        "url": f"{url}/tr_events.php?triggerid={tid}&eventid={eid}",
        "t0": t0,
        "opdata": pick(
            ["", f"Current value: {R.uniform(1, 99):.2f}%", f"{R.uniform(1, 20):.2f}", f"Free: {R.randint(1, 19)}%"]
        ),
        "tags": pick(
            [
                "scope: performance\nclass: os",
                "scope: capacity\ncomponent: storage",
                "service: database",
                "None",
                "scope: availability\ntarget: linux",
            ]
        ),
    }


def zbx_fields(E: dict, short: bool, details: str | None = None, t: int | None = None) -> list:
    t = t or E["t0"]
    fields = [
        {"title": "Host", "value": f"{E['host']} [{E['ip']}]", "short": True},
        {"title": "Event time", "value": utc(t, "%Y.%m.%d %H:%M:%S"), "short": True},
        {"title": "Severity", "value": E["sev"], "short": True},
        {"title": "Opdata", "value": E["opdata"], "short": True},
    ]
    if not short:
        fields += [
            {"title": "Event tags", "value": E["tags"], "short": True},
            {
                "title": "Trigger description",
                "value": pick(["", "Check the runbook in Confluence", "Last value: see Opdata"]),
                "short": True,
            },
        ]
    if details:
        fields.append({"title": "Details", "value": details, "short": False})
    return fields


def zbx_problem_att(E: dict) -> dict:
    subj = f"Problem: {E['name']}"
    return attach(
        fallback=subj,
        title=subj,
        color=ZBX_COLORS[E["nsev"]],
        title_link=E["url"],
        pretext="",
        fields=zbx_fields(E, False),
        actions=[{"id": "1", "type": "button", "text": "Open in Zabbix", "url": E["url"], "style": ""}],
    )


def zbx_resolved_att(E: dict) -> dict:
    subj = f"Resolved in {duration(R.randint(60, 20000))}: {E['name']}"
    return attach(
        fallback=subj,
        title=subj,
        color="#009900",
        title_link=E["url"],
        pretext="",
        fields=zbx_fields(E, False, t=CLOCK.t),
        actions=[{"id": "1", "type": "button", "text": "Open in Zabbix", "url": E["url"], "style": ""}],
    )


def zbx_update_details(E: dict) -> str:
    who = pick(["Admin (Zabbix Administrator)", "jnovak (Jana Novak)", "twojcik (Tomasz Wójcik)", "noc (NOC shift)"])
    action = pick(
        [
            "acknowledged",
            "commented",
            "changed severity from Average to High",
            "acknowledged and commented",
            "suppressed",
            "unacknowledged",
        ]
    )
    msg = pick(["", "Looking into it", "known issue, vendor ticket 44812", "increasing volume tonight"])
    return (
        f"{who} {action} problem at {utc(CLOCK.t, '%Y.%m.%d %H:%M:%S')}.\n{msg}\n\n"
        f"Current problem status is PROBLEM, age is {duration(CLOCK.t - E['t0'])}, acknowledged: {pick(['Yes', 'No'])}."
    )


def zbx_official(st):
    E = zbx_event()
    if st == "firing":
        return post(ZBX_APP, attachments=[zbx_problem_att(E)]), FIRING, E["trig"]
    # event mode: resolution posted as a new message
    return post(ZBX_APP, attachments=[zbx_resolved_att(E)]), RESOLVED, E["trig"]


def zbx_alarm_edit(st):
    E = zbx_event()
    ch = pick(CH_ALERTS)
    new = post(ZBX_APP, attachments=[zbx_resolved_att(E)], channel=ch)
    prev = post(ZBX_APP, attachments=[zbx_problem_att(E)], channel=ch, ts=earlier(new["ts"], 300, 30000))
    return edited(new, prev, ch), RESOLVED, E["trig"]


def zbx_update_thread(st):
    E = zbx_event()
    subj = f"Updated problem in {duration(CLOCK.t - E['t0'])}: {E['name']}"
    att = attach(
        fallback=subj,
        title=subj,
        color=ZBX_COLORS[E["nsev"]],
        title_link=E["url"],
        pretext="",
        fields=zbx_fields(E, True, details=zbx_update_details(E), t=CLOCK.t),
    )
    parent = f"{E['t0']}.{R.randint(0, 999999):06d}"
    return post(ZBX_APP, attachments=[att], thread_ts=parent), OTHER, E["trig"]


def zbx_script_text(st):
    E = zbx_event()
    f = st == "firing"
    subj = f"{'PROBLEM' if f else 'OK'}: {E['name']}"
    item = zbx_item(E["trig"])
    body = (
        f"Trigger: {E['name']}\nTrigger status: {'PROBLEM' if f else 'OK'}\nTrigger severity: {E['sev']}\n"
        f"Trigger URL: \n\nItem values:\n\n1. {item[0]} ({E['host']}:{item[1]}): {item[2]}\n2. *UNKNOWN* (*UNKNOWN*:*UNKNOWN*): *UNKNOWN*\n3. *UNKNOWN* (*UNKNOWN*:*UNKNOWN*): *UNKNOWN*\n\n"
        f"Original event ID: {E['eid']}"
    )
    emoji = ":frowning:" if f else ":smile:"
    return post(ZBX_HOOK, text=f"{subj}\n{body}", icons={"emoji": emoji}), FIRING if f else RESOLVED, E["trig"]


def zbx_sev_host(st):
    E = zbx_event()
    f = st == "firing"
    trig = E["trig"]  # these teams' triggers don't carry the host; host goes into the subject
    style = R.randint(0, 2)
    if style == 0:
        subj = f"{E['sev']}: {E['host']}: {trig}" if f else f"RESOLVED: {E['host']}: {trig}"
    elif style == 1:
        subj = f"{E['sev']} | {E['host']} | {trig}" if f else f"OK | {E['host']} | {trig}"
    else:
        subj = (
            f"[{E['sev'].upper()}] PROBLEM on {E['host']}: {trig}"
            if f
            else f"[{E['sev'].upper()}] RECOVERED on {E['host']}: {trig}"
        )
    detail = f"Started: {utc(E['t0'], '%H:%M:%S %Y.%m.%d')}\nValue: {E['opdata'] or 'n/a'}\nEvent ID: {E['eid']}"
    if not f:
        detail += f"\nDuration: {duration(CLOCK.t - E['t0'])}"
    if chance(0.5):
        att = attach(
            color=ZBX_COLORS[E["nsev"]] if f else "#009900",
            title=subj,
            title_link=E["url"],
            text=detail,
            fallback=subj,
            mrkdwn_in=["text"],
        )
        return post(ZBX_HOOK, attachments=[att]), FIRING if f else RESOLVED, trig
    return post(ZBX_HOOK, text=f"*{subj}*\n{detail}"), FIRING if f else RESOLVED, trig


def zbx_blocks(st):
    E = zbx_event()
    f = st == "firing"
    head = f"{'🔴 PROBLEM' if f else '🟢 RESOLVED'} | {E['sev']}"
    blocks = [
        b_header(head),
        b_section(f"*<{E['url']}|{E['name']}>*"),
        b_section(
            fields=[
                f"*Host:*\n{E['host']}",
                f"*Severity:*\n{E['sev']}",
                f"*Started:*\n{utc(E['t0'], '%Y-%m-%d %H:%M:%S')}",
                f"*{'Value' if f else 'Duration'}:*\n{(E['opdata'] or '-') if f else duration(CLOCK.t - E['t0'])}",
            ]
        ),
        b_context(f"Zabbix event {E['eid']} · trigger {E['tid']}"),
    ]
    return (
        post(ZBX_APP, text=f"{'PROBLEM' if f else 'RESOLVED'}: {E['name']}", blocks=blocks),
        FIRING if f else RESOLVED,
        E["trig"],
    )


def zbx_update_text(st):
    E = zbx_event()
    who = pick(["Admin", "noc", "jnovak", "twojcik"])
    act = pick(["acknowledged", "commented on", "changed severity of", "added a message to", "suppressed"])
    text = pick(
        [
            f'Updated problem: {E["name"]}\n{who} {act} the problem: "{pick(["on it", "ticket INC-4821", "expected during backup"])}"',
            f":memo: *Updated problem in {duration(CLOCK.t - E['t0'])}:* {E['name']} ({E['host']}) — {who} {act} it",
        ]
    )
    return post(ZBX_HOOK, text=text), OTHER, E["trig"]


ZBX_TEMPLATES = [
    ("official_webhook_problem", zbx_official, 20, [("firing", 0.7), ("resolved", 0.3)]),
    ("official_alarm_mode_resolve_edit", zbx_alarm_edit, 10, [("resolved", 1.0)]),
    ("official_update_thread", zbx_update_thread, 10, [("other", 1.0)]),
    ("alertscript_text", zbx_script_text, 16, [("firing", 0.55), ("resolved", 0.45)]),
    ("severity_host_subject", zbx_sev_host, 16, [("firing", 0.55), ("resolved", 0.45)]),
    ("custom_blocks", zbx_blocks, 14, [("firing", 0.55), ("resolved", 0.45)]),
    ("update_text", zbx_update_text, 8, [("other", 1.0)]),
]


# ==========================================================================
# CloudWatch (AWS Chatbot / Amazon Q Developer, SNS relays, Lambdas)
# ==========================================================================
CHATBOT = Bot("AWS Chatbot", webhook=False)
AMAZON_Q = Bot("Amazon Q Developer", webhook=False)
SNS_HOOK = Bot("aws-sns-relay", "AWS SNS", icons={"emoji": ":aws:"})
BLUEPRINT_HOOK = Bot("cloudwatch-alarms", "cloudwatch-alarms")
NOTIFY_SLACK_HOOK = Bot("notify-slack", "prod-account-alerts", icons={"emoji": ":aws:"})
CW_CUSTOM = Bot("cw-alerts", webhook=False)
CW_STATE = {"firing": "ALARM", "resolved": "OK", "other": "INSUFFICIENT_DATA"}
CW_KIND = {"ALARM": FIRING, "OK": RESOLVED, "INSUFFICIENT_DATA": OTHER}


def cw_prev(state: str) -> str:
    return {
        "ALARM": pick(["OK", "OK", "INSUFFICIENT_DATA"]),
        "OK": "ALARM",
        "INSUFFICIENT_DATA": pick(["OK", "ALARM"]),
    }[state]


def cw_chatbot(st):
    A = cw_alarm()
    state = CW_STATE[st]
    emoji = {"ALARM": ":rotating_light:", "OK": ":white_check_mark:", "INSUFFICIENT_DATA": ":grey_question:"}[state]
    head = f"{emoji} CloudWatch Alarm | {A['name']} | {A['region']} | Account: {A['acct']}"
    text = (A["desc"] + "\n" if A["desc"] else "") + cw_reason(A, state)
    att = attach(
        color={"ALARM": "danger", "OK": "good", "INSUFFICIENT_DATA": "#C2C2C2"}[state],
        title=head,
        title_link=A["url"],
        text=text,
        fallback=head,
        image_url=f"https://chatbot-{A['region']}-graphs.s3.amazonaws.com/{hexs(32)}.png"
        if state == "ALARM" and chance(0.6)
        else None,
        actions=[legacy_action("Show logs", "show_logs"), legacy_action("Show error logs", "show_error_logs")]
        if A["ns"] == "AWS/Lambda" and state == "ALARM"
        else None,
    )
    return post(CHATBOT, attachments=[att]), CW_KIND[state], A["name"]


def cw_amazon_q(st):
    A = cw_alarm()
    state = CW_STATE[st]
    emoji = {"ALARM": ":red_circle:", "OK": ":large_green_circle:", "INSUFFICIENT_DATA": ":white_circle:"}[state]
    cmp = {
        "GreaterThanThreshold": ">",
        "GreaterThanOrEqualToThreshold": ">=",
        "LessThanThreshold": "<",
        "LessThanOrEqualToThreshold": "<=",
    }[A["cmp"]]
    blocks = [
        b_section(f"{emoji} *<{A['url']}|CloudWatch Alarm | {A['name']} | {A['region']} | Account: {A['acct']}>*")
    ]
    if A["desc"]:
        blocks.append(b_section(A["desc"]))
    blocks.append(
        b_section(
            fields=[
                f"*Alarm state*\n{state}",
                f"*Previous state*\n{cw_prev(state)}",
                f"*Metric*\n{A['ns']} {A['metric']}",
                f"*Threshold*\n{cmp} {_fmt_num(A['thr'])} for 1 datapoint",
            ]
        )
    )
    blocks.append(b_section(cw_reason(A, state)))
    if state == "ALARM" and chance(0.5):
        blocks.append(b_image(f"https://amazon-q-{A['region']}-charts.s3.amazonaws.com/{hexs(32)}.png", "Metric graph"))
    blocks.append(b_context(pick(["Amazon Q Developer in chat applications", "Amazon Q Developer · CloudWatch"])))
    text = f"CloudWatch Alarm | {A['name']} | {A['region']} | Account: {A['acct']}"
    return post(AMAZON_Q, text=text, blocks=blocks), CW_KIND[state], A["name"]


def sns_body(A: dict, state: str, prev: str) -> str:
    t = utc(CLOCK.t, "%A %d %B, %Y %H:%M:%S UTC")
    reason = cw_reason(A, state)
    return (
        f'You are receiving this email because your Amazon CloudWatch Alarm "{A["name"]}" in the {A["rname"]} region '
        f'has entered the {state} state, because "{reason}" at "{t}".\n\n'
        f"View this alarm in the AWS Management Console:\n{A['url']}\n\nAlarm Details:\n"
        f"- Name:                       {A['name']}\n- Description:                {A['desc']}\n"
        f"- State Change:               {prev} -> {state}\n- Reason for State Change:    {reason}\n"
        f"- Timestamp:                  {t}\n- AWS Account:                {A['acct']}\n- Alarm Arn:                  {A['arn']}"
    )


def cw_sns(st):
    A = cw_alarm()
    state = CW_STATE[st]
    subj = sns_subject(A, state)
    body = sns_body(A, state, cw_prev(state))
    if chance(0.5):
        text = f"*{subj}*\n```{body}```"
        return post(SNS_HOOK, text=text), CW_KIND[state], A["name"]
    att = attach(
        color={"ALARM": "danger", "OK": "good", "INSUFFICIENT_DATA": "warning"}[state],
        title=subj,
        text=body,
        fallback=subj,
    )
    return post(SNS_HOOK, text="", attachments=[att]), CW_KIND[state], A["name"]


def cw_blueprint(st):
    A = cw_alarm()
    state = CW_STATE[st]
    text = f"{A['name']} state is now {state}: {cw_reason(A, state)}"
    return post(BLUEPRINT_HOOK, text=text), CW_KIND[state], A["name"]


def cw_notify_slack(st):
    A = cw_alarm()
    state = CW_STATE[st]
    color = {"OK": "good", "INSUFFICIENT_DATA": "warning", "ALARM": "danger"}[state]
    fields = [
        {"title": "Alarm Name", "value": A["name"], "short": True},
        {"title": "Alarm Description", "value": A["desc"], "short": False},
        {"title": "Alarm reason", "value": cw_reason(A, state), "short": False},
        {"title": "Old State", "value": cw_prev(state), "short": True},
        {"title": "Current State", "value": state, "short": True},
        {
            "title": "Link to Alarm",
            "value": f"https://console.aws.amazon.com/cloudwatch/home?region={A['region']}#alarm:alarmFilter=ANY;name={quote_plus(A['name'])}",
            "short": False,
        },
    ]
    att = attach(color=color, fallback=f"Alarm {A['name']} triggered", fields=fields)
    return post(NOTIFY_SLACK_HOOK, attachments=[att]), CW_KIND[state], A["name"]


def cw_custom_blocks(st):
    A = cw_alarm()
    state = CW_STATE[st]
    emoji = {"ALARM": ":red_circle:", "OK": ":large_green_circle:", "INSUFFICIENT_DATA": ":grey_question:"}[state]
    word = {
        "ALARM": pick(["ALARM", "In alarm"]),
        "OK": pick(["OK", "Back to OK"]),
        "INSUFFICIENT_DATA": "INSUFFICIENT DATA",
    }[state]
    blocks = [
        b_header(f"{emoji} {word} — {A['name']}"),
        b_section(
            fields=[
                f"*Region*\n{A['rname']}",
                f"*Account*\n{A['acct']}",
                f"*Metric*\n`{A['metric']}`",
                f"*Namespace*\n{A['ns']}",
            ]
        ),
        b_section(f">{cw_reason(A, state)}"),
        b_actions(button("Open in console", A["url"])),
    ]
    return post(CW_CUSTOM, text=f"{word}: {A['name']}", blocks=blocks), CW_KIND[state], A["name"]


def cw_eventbridge(st):
    A = cw_alarm()
    state = CW_STATE[st]
    prev = cw_prev(state)
    text = (
        f":warning: *CloudWatch Alarm State Change* — `{A['name']}` changed from *{prev}* to *{state}* "
        f"in {A['region']} ({A['acct']})\n>{cw_reason(A, state)}"
    )
    return post(pick([BLUEPRINT_HOOK, CW_CUSTOM]), text=text), CW_KIND[state], A["name"]


CW_MIX = [("firing", 0.5), ("resolved", 0.35), ("other", 0.15)]
CW_TEMPLATES = [
    ("chatbot_classic", cw_chatbot, 20, CW_MIX),
    ("amazon_q_blocks", cw_amazon_q, 14, CW_MIX),
    ("sns_subject_relay", cw_sns, 14, CW_MIX),
    ("lambda_blueprint_text", cw_blueprint, 12, CW_MIX),
    ("notify_slack_fields", cw_notify_slack, 14, CW_MIX),
    ("custom_blocks", cw_custom_blocks, 12, CW_MIX),
    ("eventbridge_state_change", cw_eventbridge, 10, CW_MIX),
]


# ==========================================================================
# Generic tools
# ==========================================================================
KUMA = Bot("Uptime Kuma", "Uptime Kuma", icons={"emoji": ":kuma:"})
GATUS = Bot("gatus", "gatus")
HC = Bot("Healthchecks.io", "Healthchecks.io", icons={"image_48": "https://healthchecks.io/static/img/logo.png"})
SENTRY = Bot("Sentry", webhook=False)
NEWRELIC = Bot("New Relic", webhook=False)
ICINGA = Bot("icinga2", "Icinga 2", icons={"emoji": ":icinga:"})
NAGIOS = Bot("nagios", "nagios", icons={"emoji": ":warning:"})
CHECKLY = Bot("Checkly", "Checkly")
PINGDOM = Bot("Pingdom", "Pingdom")
BETTERSTACK = Bot("Better Stack", webhook=False)
UPTIMEROBOT = Bot("UptimeRobot", "UptimeRobot")


def g_kuma(st):
    name = pick(
        [
            "checkout-api",
            "Marketing site",
            "Grafana",
            "MQTT broker",
            "Customer portal (EU)",
            "status-api",
            "Postgres primary (TCP 5432)",
            "Keycloak",
        ]
    )
    f = st == "firing"
    if f:
        detail = pick(
            [
                "Request failed with status code 503",
                "timeout of 48000ms exceeded",
                "connect ECONNREFUSED 10.0.3.7:443",
                "getaddrinfo ENOTFOUND portal.example.eu",
                "Keyword 'ok' not found",
            ]
        )
        msg = f"[{name}] [🔴 Down] {detail}"
    else:
        msg = f"[{name}] [✅ Up] {pick(['200 - OK', 'OK', '204 - No Content', 'Keyword found'])}"
    if chance(0.3):
        msg += " <!channel>"
    t = utc(CLOCK.t)
    blocks = [
        {
            "type": "header",
            "block_id": block_id(),
            "text": {"type": "plain_text", "text": "Uptime Kuma Alert", "emoji": True},
        },
        b_section(fields=["*Message*\n" + msg, "*Time (UTC)*\n" + t]),
    ]
    if chance(0.7):
        blocks.append(
            b_actions(
                button(
                    "Visit Uptime Kuma",
                    f"https://status.acme-corp.net/dashboard/{R.randint(1, 80)}",
                    value="Uptime-Kuma",
                )
            )
        )
    att = attach(color="#2eb886" if not f else "#e01e5a", blocks=blocks)
    return post(KUMA, text=f"Uptime Kuma Alert\n{msg}", attachments=[att]), FIRING if f else RESOLVED, name


def g_gatus(st):
    name = pick(["api-health", "frontend", "auth-service", "dns-resolver", "webhook-ingest", "cdn-edge"])
    f = st == "firing"
    n = R.randint(2, 5)
    if f:
        message = f"An alert for *{name}* has been triggered due to having failed {n} time(s) in a row"
    else:
        message = f"An alert for *{name}* has been resolved after passing successfully {n} time(s) in a row"
    if chance(0.4):
        message += ":\n> " + pick(["healthcheck endpoint", "Public DNS must resolve", "p95 < 500ms"])
    conds = [
        ("[STATUS] == 200", not f),
        ("[RESPONSE_TIME] < 500", not f or chance(0.5)),
        ("[BODY].status == UP", not f),
    ]
    val = "".join(f"{':white_check_mark:' if ok else ':x:'} - `{c}`\n" for c, ok in conds[: R.randint(1, 3)])
    att = attach(
        title=pick([":helmet_with_white_cross: Gatus", ":helmet_with_white_cross: Gatus (prod)"]),
        text=message,
        color="#DD0000" if f else "#36A64F",
        fields=[{"title": "Condition results", "value": val, "short": False}],
    )
    att["short"] = False
    return post(GATUS, attachments=[att]), FIRING if f else RESOLVED, name


def g_healthchecks(st):
    name = pick(
        ["nightly-db-backup", "Invoice generator", "restic prune", "sync-ldap", "weekly-reports", "certbot renew"]
    )
    f = st == "firing"
    status = "DOWN" if f else "UP"
    fields = []
    if chance(0.5):
        fields.append(
            {"title": "Description", "value": pick(["pg_dump of prod to S3", "Runs on cron01", "Owner: data team"])}
        )
    fields.append({"title": "Project", "value": pick(["Production", "Ops crons"]), "short": True})
    if chance(0.6):
        fields.append({"title": "Tags", "value": "`prod` `cron` ", "short": True})
    fields.append(
        {"title": pick(["Period", "Schedule"]), "value": pick(["1 day", "0 3 * * *", "1 hour"]), "short": True}
    )
    fields.append(
        {
            "title": "Last Ping",
            "value": ("Failure, " if f and chance(0.5) else "Success, ")
            + pick(["1 day ago", "3 hours ago", "2 minutes ago", "now"]),
            "short": True,
        }
    )
    fields.append({"title": "Total Pings", "value": str(R.randint(40, 9000)), "short": True})
    att = attach(
        color="good" if not f else "danger",
        fallback=f'The check "{name}" is {status}.',
        mrkdwn_in=["fields"],
        title=f"“{name}” is {status}.",
        title_link=f"https://healthchecks.io/cloaked/{uuid.UUID(int=R.getrandbits(128), version=4)}/",
        fields=fields,
    )
    return post(HC, attachments=[att]), FIRING if f else RESOLVED, name


def g_sentry(st):
    rule, text = pick(
        [
            ("High error rate - checkout-web", f"{R.randint(15, 900)} events in the last 10 minutes"),
            (
                "p95 transaction duration > 2s (api)",
                f"{R.uniform(2, 9):.2f}s p95 transaction duration in the last 10 minutes",
            ),
            (
                "Crash free sessions below 99.5% (iOS)",
                f"{R.uniform(95, 99.4):.2f}% crash free session rate in the last hour",
            ),
            ("Failure rate on /api/v2/orders", f"{R.uniform(1, 30):.2f}% failure rate in the last 5 minutes"),
            ("Spike in unhandled errors - mobile", f"{R.randint(40, 2000)} events in the last 15 minutes"),
        ]
    )
    word = {"firing": "Critical", "resolved": "Resolved", "other": "Warning"}[st]
    org = pick(["acme-corp", "shopwise"])
    url = f"https://{org}.sentry.io/alerts/rules/details/{R.randint(10000, 999999)}/?alert={R.randint(100000, 9999999)}"
    if chance(0.5):
        att = attach(
            color={"Critical": "#E03E2F", "Resolved": "#2BA185", "Warning": "#FFC227"}[word],
            title=f"{word}: {rule}",
            title_link=url,
            text=text,
            fallback=f"{word}: {rule}",
            footer=f"<{url}|{org}> · Metric Alert",
        )
        return post(SENTRY, attachments=[att]), {"Critical": FIRING, "Resolved": RESOLVED, "Warning": OTHER}[word], rule
    emoji = {"Critical": ":red_circle:", "Resolved": ":large_green_circle:", "Warning": ":large_yellow_circle:"}[word]
    blocks = [
        b_section(f"{emoji} <{url}|*{word}: {rule}*>"),
        b_section(text),
        b_context(f"Metric Alert · {utc(CLOCK.t, '%b %d, %H:%M UTC')}"),
    ]
    return (
        post(SENTRY, text=f"{word}: {rule}", blocks=blocks),
        {"Critical": FIRING, "Resolved": RESOLVED, "Warning": OTHER}[word],
        rule,
    )


def g_newrelic(st):
    cond = pick(
        [
            "Error percentage > 5% (checkout)",
            "Apdex below 0.85 - storefront",
            "Host not reporting - batch workers",
            "Synthetics login flow failure",
            "Memory usage above 90% on k8s nodes",
            "Queue time over 500ms",
        ]
    )
    state = {
        "firing": "activated",
        "resolved": "closed",
        "other": pick(["acknowledged", "acknowledged", "priority changed"]),
    }[st]
    prio = pick(["Critical", "High", "Critical"])
    issue = f"https://one.newrelic.com/alerts-ai/issues/{uuid.UUID(int=R.getrandbits(128), version=4)}"
    if chance(0.6):
        head = {
            "activated": f":red_circle: {prio} priority issue is active",
            "closed": ":large_green_circle: Issue closed",
            "acknowledged": f":large_yellow_circle: Issue acknowledged by {person()[0]}",
            "priority changed": f":arrow_up: Issue priority changed from High to {prio}",
        }[state]
        blocks = [
            b_header(head),
            b_section(f"*<{issue}|{cond}>*"),
            b_section(
                fields=[
                    f"*Policy*\n{pick(['Production golden signals', 'Infra baseline', 'Checkout SLOs'])}",
                    f"*Entity*\n{pick(['checkout-service (PROD)', 'storefront-web', 'batch-worker-03', 'login-flow-monitor'])}",
                    f"*Priority*\n{prio}",
                    f"*Opened*\n{utc(CLOCK.t - R.randint(60, 9000), '%b %d %H:%M UTC')}",
                ]
            ),
        ]
        if state != "closed":
            blocks.append(
                b_actions(
                    button("Acknowledge", value="ack"), button("Close", value="close"), button("View issue", issue)
                )
            )
        return (
            post(NEWRELIC, text=f"{head}: {cond}", blocks=blocks),
            {"activated": FIRING, "closed": RESOLVED}.get(state, OTHER),
            cond,
        )
    # legacy channel format
    verb = {"activated": "opened", "closed": "closed", "acknowledged": "acknowledged", "priority changed": "updated"}[
        state
    ]
    inc = R.randint(100000, 9999999)
    text = f"Incident #{inc} {verb}: '{cond}' on '{pick(['checkout-service', 'storefront-web', 'Production golden signals'])}'"
    att = attach(
        color={"opened": "#D0021B", "closed": "#3BB273"}.get(verb, "#F5A623"),
        title=f"Incident #{inc} {verb}",
        title_link=f"https://alerts.newrelic.com/accounts/{R.randint(100000, 3999999)}/incidents/{inc}",
        text=text,
        fallback=text,
    )
    return post(NEWRELIC, attachments=[att]), {"activated": FIRING, "closed": RESOLVED}.get(state, OTHER), cond


def g_icinga(st):
    svc = pick(
        [
            "disk /var",
            "http_checkout",
            "pgsql-replication",
            "apt",
            "load",
            "ntp_time",
            "mailq",
            "ssl-cert-shop",
            "procs-sidekiq",
        ]
    )
    host = pick(["web-03.dc1", "db-01.dc1", "mail-02", "backup-01", "app-07.dc2"])
    ntype = {
        "firing": "PROBLEM",
        "resolved": "RECOVERY",
        "other": pick(["ACKNOWLEDGEMENT", "ACKNOWLEDGEMENT", "DOWNTIMESTART"]),
    }[st]
    state = {"PROBLEM": "CRITICAL", "RECOVERY": "OK"}.get(ntype, "CRITICAL")
    output = {
        "CRITICAL": pick(
            [
                "DISK CRITICAL - free space: /var 812 MB (4% inode=77%);",
                "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 512 bytes in 0.051 second response time",
                'POSTGRES_HOT_STANDBY_DELAY CRITICAL: DB "postgres" (host:db-02) 4812 and 1203 seconds',
                "PROCS CRITICAL: 0 processes with args 'sidekiq'",
            ]
        ),
        "OK": pick(
            [
                "DISK OK - free space: /var 12034 MB (61% inode=91%);",
                "HTTP OK: HTTP/1.1 200 OK - 1204 bytes in 0.032 second response time",
                'POSTGRES_HOT_STANDBY_DELAY OK: DB "postgres" (host:db-02) 0 and 2 seconds',
                "PROCS OK: 4 processes with args 'sidekiq'",
            ]
        ),
    }[state]
    url = f"https://icinga.acme-corp.net/icingaweb2/monitoring/service/show?host={quote(host)}&service={quote(svc)}"
    if chance(0.5):
        emoji = {"PROBLEM": ":red_circle:", "RECOVERY": ":large_green_circle:"}.get(ntype, ":information_source:")
        text = f"{emoji} *{ntype}*: Service <{url}|{svc}> on *{host}* is *{state}*"
        if ntype == "ACKNOWLEDGEMENT":
            text += f'\nAcknowledged by {person()[1]}: "{pick(["on it", "known, vendor ticket open"])}"'
        att = attach(
            color={"CRITICAL": "#FF5566", "OK": "#44BB77"}[state] if ntype in ("PROBLEM", "RECOVERY") else "#AA44FF",
            text=output,
            fallback=f"{ntype}: {svc} on {host} is {state}",
            mrkdwn_in=["text"],
        )
        return (
            post(ICINGA, text=text, attachments=[att]),
            {"PROBLEM": FIRING, "RECOVERY": RESOLVED}.get(ntype, OTHER),
            svc,
        )
    text = f"*{ntype}* :: {host}/{svc} is {state}\n```{output}```\n<{url}|Open in Icinga Web>"
    return post(pick([ICINGA, NAGIOS]), text=text), {"PROBLEM": FIRING, "RECOVERY": RESOLVED}.get(ntype, OTHER), svc


def g_checkly(st):
    name = pick(["Checkout flow", "Login E2E", "Public API /v1/status", "Search results page", "Signup (EU)"])
    f = st == "firing"
    loc = pick(["Frankfurt", "N. Virginia", "Singapore", "London"])
    if f:
        text = pick([f":rotating_light: Check *{name}* has failed in {loc}", f'Check "{name}" failed'])
        extra = pick(
            [
                "Error: expect(received).toBeVisible() - locator('#place-order')",
                "Response time 12034ms exceeds max 10000ms",
                "Expected status code 200, got 502",
            ]
        )
    else:
        text = pick([f":white_check_mark: Check *{name}* has recovered in {loc}", f'Check "{name}" recovered'])
        extra = f"Back to passing after {duration(R.randint(120, 5400))}"
    url = f"https://app.checklyhq.com/checks/{uuid.UUID(int=R.getrandbits(128), version=4)}"
    att = attach(
        color="#D0021B" if f else "#0CA678",
        title=name,
        title_link=url,
        text=extra,
        fields=[
            {"title": "Location", "value": loc, "short": True},
            {"title": "Check type", "value": pick(["BROWSER", "API"]), "short": True},
        ],
    )
    return post(CHECKLY, text=text, attachments=[att]), FIRING if f else RESOLVED, name


def g_pingdom(st):
    name, host = pick(
        [
            ("Shop homepage", "www.shopwise.io"),
            ("API eu-west", "api-eu.shopwise.io"),
            ("Admin login page", "admin.shopwise.io"),
            ("CDN health", "cdn.shopwise.io"),
        ]
    )
    f = st == "firing"
    if f:
        text = f"DOWN alert: {name} ({host}) is DOWN"
        detail = pick(["Reason: Timeout (> 30s)", "Reason: HTTP Error 503", "Reason: Cannot resolve default host name"])
    else:
        text = f"UP alert: {name} ({host}) is UP again"
        detail = f"It was down for {duration(R.randint(120, 9000))}"
    att = attach(color="danger" if f else "good", text=detail, fallback=text)
    return post(PINGDOM, text=text, attachments=[att]), FIRING if f else RESOLVED, name


def g_betterstack(st):
    name = pick(["https://api.shopwise.io/health", "shopwise.io keyword check", "Postgres heartbeat", "SMTP relay"])
    state = {"firing": "new", "resolved": "resolved", "other": "acknowledged"}[st]
    inc = f"https://uptime.betterstack.com/team/{R.randint(1000, 99999)}/incidents/{R.randint(100000000, 999999999)}"
    who = person()[0]
    head = {
        "new": f":red_circle: New incident: *{name}*",
        "resolved": f":white_check_mark: Resolved: *{name}*",
        "acknowledged": f":eyes: {who} acknowledged the incident on *{name}*",
    }[state]
    detail = {
        "new": pick(["Status 500 received", "Timeout after 30 seconds", "Keyword not found", "Heartbeat missed"]),
        "resolved": f"Incident lasted {duration(R.randint(120, 9000))}",
        "acknowledged": "Escalation stopped.",
    }[state]
    blocks = [b_section(head), b_section(detail), b_context(f"<{inc}|View incident> · Better Stack Uptime")]
    if state == "new":
        blocks.append(
            b_actions(button("Acknowledge", value="ack", style="primary"), button("Resolve", value="resolve"))
        )
    return (
        post(BETTERSTACK, text=head.replace("*", ""), blocks=blocks),
        {"new": FIRING, "resolved": RESOLVED}.get(state, OTHER),
        name,
    )


def g_uptimerobot(st):
    name = pick(["Main website", "Webshop API", "Mail server", "Docs site"])
    url = pick(
        ["https://www.shopwise.io", "https://api.shopwise.io/ping", "smtp.shopwise.io", "https://docs.shopwise.io"]
    )
    f = st == "firing"
    if f:
        text = f"Monitor is DOWN: {name} ( {url} ) - Reason: {pick(['Connection Timeout', 'HTTP 502 - Bad Gateway', 'Keyword Not Found'])}"
    else:
        text = f"Monitor is UP: {name} ( {url} ). It was down for {R.randint(0, 3)} hours, {R.randint(1, 59)} minutes and {R.randint(0, 59)} seconds."
    return post(UPTIMEROBOT, text=text), FIRING if f else RESOLVED, name


G2 = [("firing", 0.58), ("resolved", 0.42)]
G3 = [("firing", 0.5), ("resolved", 0.33), ("other", 0.17)]
GENERIC_TEMPLATES = [
    ("uptime_kuma", g_kuma, 14, G2),
    ("gatus", g_gatus, 10, G2),
    ("healthchecks_io", g_healthchecks, 12, G2),
    ("sentry_metric_alert", g_sentry, 12, G3),
    ("new_relic", g_newrelic, 12, G3),
    ("icinga_nagios", g_icinga, 14, G3),
    ("checkly", g_checkly, 10, G2),
    ("pingdom", g_pingdom, 8, G2),
    ("better_stack", g_betterstack, 10, G3),
    ("uptimerobot", g_uptimerobot, 8, G2),
]


# ==========================================================================
# People
# ==========================================================================
PEOPLE_Q = [
    "is anyone looking at {prom}? it's been firing for like 20 min",
    "who's on call for databases this week?",
    "can someone ack the PD page for #{num}, I'm on the train with no signal",
    "did someone silence {prom}? I can't see it in alertmanager anymore",
    "is {cw} expected during the migration window?",
    "why does `{zbx}` fire every night at 03:00 on {host}?",
    "anyone know where the runbook for {prom} lives",
    'should we bump the threshold on "{dd}"? it paged 4 times this week and it\'s always noise',
    "<@{u}> can you take a look at {host} when you get a sec",
    "what's the grafana dashboard for sidekiq queue latency again?",
    "has the deploy to prod finished? seeing elevated 5xx",
    "Is there an incident channel for this or are we using this thread?",
    "any ETA on the fix for the checkout latency?",
    "can I restart pgbouncer on {host} without paging everyone?",
    "is it just me or is the VPN down",
    "hey team, how do I get access to the prod Grafana?",
    "does anyone know what changed at 14:05 UTC? everything went red at once",
    "Are we still seeing this or can I close the PD incident?",
    "<!here> is anyone else getting 502s from the internal API?",
    "which alertmanager receiver does `severity=s3` route to?",
    "<@{u}> did you run the reindex on {host}? disk just jumped 15%",
    "what does `{prom}` actually measure? the description isn't super clear",
    'is "{gf}" supposed to page or just notify?',
    "could someone review my MR that tunes the `for:` on {prom}?",
    "anyone seen this before?\n```[FIRING:1] {prom} ({env} main)```",
    "I'm getting paged for {cw} but the graph looks flat, is the alarm misconfigured?",
    "hmm, should `{zbx}` really be Disaster severity? seems like High at most",
    "who owns the {svc} service these days",
    "how long are we keeping the silence on {prom}?",
    "quick q: is the staging db being restored today",
    "can we mute the datadog monitor for the load test? it's going to scream",
    "ok to merge the alert rule change now, or wait until after the freeze?",
    "Is the postmortem for yesterday's outage scheduled yet?",
    "anyone got a sec to pair on the sidekiq backlog?",
    "what's the difference between the apdex and the error SLO alerts for {svc}",
    "is {host} in the maintenance window or should I page someone",
    "did the failover finish? {prom} just resolved for me",
    "Wait, did we lose the replica again?",
    "how do I silence only the cny stage for {prom}?",
    "can someone with AWS console access check the RDS event log for orders-prod?",
    "any objections to me rolling back payments-api to yesterday's build?",
    "do we have a status page entry up yet?",
    "who's IC for this one?",
    "is this related to the GCP incident in us-east1?",
    '<@{u}> are you still seeing "{dd}" on your side',
    "should I open a ticket for the flapping `{zbx}` alerts or is there one already",
    "Can somebody explain why the Opsgenie alert auto-closed but the issue is still there",
    "anyone know the rotation schedule for the zabbix API user password",
    "is there a way to stop PagerDuty re-paging every 5 min for the same incident",
    "Can you share the link to the dashboard you were looking at",
    "thoughts on moving {cw} to a composite alarm so it stops flapping?",
    "what region is that alarm in",
    "Is everyone OK if I take the pager handoff 30 min late today?",
    "any idea why grafana shows no data for the last hour",
    "could you double check the `severity` label on the new rules? looks like everything is s4",
    "Why is the backup job running during peak hours",
    "is {prom} firing in gstg too or just prod?",
    "Who silenced all of prod alertmanager until Monday?? 😅",
    "can someone approve the terraform plan for the new alarm thresholds",
    "are we expecting more traffic today because of the campaign?",
    "<@{u}> mind taking the page for #{num}? I'm in the all-hands",
    "Datadog says `{dd}` triggered on host:{host} — is that the box we're decommissioning?",
]
PEOPLE_C = [
    "ack, looking",
    "on it",
    "firing again :sob:",
    "resolved — it was a bad deploy, rolled back to {sha}",
    "same as yesterday: `[FIRING:1] {prom} ({env})`",
    "FYI I silenced {prom} for 2h while we reindex",
    "thanks <@{u}>!",
    ":+1:",
    "that was me, sorry — ran the migration without `--throttle`",
    'ALARM: "{cw}" in US East (N. Virginia) again. I\'ll take it',
    "postmortem draft: <https://docs.acme-corp.net/pm/{num}|INC-{num} postmortem>",
    "nothing to see here, it's flapping between 89 and 91%",
    "recovered on its own, will keep an eye on it",
    "closing the PD incident, root cause was the cron on {host}",
    "Going for lunch, <@{u}> has the pager",
    "mitigated. cache hit ratio back to 94%",
    "here's the log snippet:\n```\n{log}\n```",
    "lol the alert for the alerting system is firing",
    'the "{dd}" monitor is just noisy during the batch window, ignore',
    "status page updated",
    "failover complete, {host} is the new primary",
    "good morning! handover: quiet night except `{zbx}` on {host} twice",
    "I'll write up the incident timeline after standup",
    "reminder: change freeze starts Friday 18:00 UTC",
    "PSA: new runbook for {prom} is up <https://runbooks.acme-corp.net/{num}|here>",
    "confirmed, customers in EU can log in again",
    "👀",
    "merged the threshold change, should be quieter now",
    "The graph for {cw} looks fine now",
    "Scaling the node pool from 12 to 18",
    "ok it's resolved, I'm out for the day",
    "bumped the disk on {host} to 500G",
    "Resolved in PD, keeping the channel open for 30 min",
    "huh, Zabbix says `{zbx}` resolved but the disk is still at 97%",
    "triggered again at 14:32 UTC, same pattern",
    "I acked it, digging in",
    "It's DNS. It's always DNS.",
    "restarting the workers now",
    "deploy paused until we understand the latency spike",
    "Escalated to the DB team",
    "re-opened the incident, it's back",
    "rolling restart done, all pods healthy",
    "+1, seeing the same from the EU side",
    "Datadog is lying, the host is fine, the agent just lost connectivity",
    "New on-call schedule is live from Monday",
    "shipping the fix now: <https://gitlab.com/acme/payments/-/merge_requests/{num}|!{num}>",
    "will do",
    'I copied the alert into the ticket: "[Triggered on {{host:{host}}}] {dd}"',
    "noise. the synthetic check runner itself was down",
    "muted the monitor until the migration is done",
    "paging the network team",
    "{prom} is a known issue, tracked in <https://gitlab.com/gitlab-com/gl-infra/production/-/issues/{num}|production#{num}>",
    "snoozed the opsgenie alert for 1h",
    "handover: {prom} fired 3x overnight, all auto-resolved",
    "cool, thanks for the quick fix!",
    "Standup in 5",
    "the new dashboards look great btw",
    "spinning up a replacement for {host}",
    "i'll take this one",
    "agree, let's raise it at the retro",
    "{host} is back in the LB pool",
    "sorry, wrong channel",
    'load test starts at 15:00, expect some noise from "{dd}"',
    "Nope, still down for me",
    "brb",
    "updated the thread with graphs",
    "CPU back under 60%",
    "this alert is firing because of the batch job, not a real outage",
    "just got the same page, i'm on it",
    "It's not the database, the connection pool is exhausted on the app side",
    "PROBLEM: {zbx} — that's the third time today, opening a ticket",
    "{gf} fired in staging only, prod is fine",
]
LOGS = [
    "2024-06-11T14:05:02Z ERROR pgbouncer: no more connections allowed (max_client_conn)",
    "Jun 11 14:05:02 web-03 kernel: Out of memory: Killed process 48213 (puma) total-vm:4123344kB",
    "FATAL:  remaining connection slots are reserved for non-replication superuser connections",
    'level=error ts=2024-06-11T14:05:02Z caller=notify.go:732 component=dispatcher msg="Notify for alerts failed"',
]


def fill_people(t: str) -> str:
    D = dd_ctx()
    vals = {
        "prom": prom_name(),
        "cw": cw_alarm()["name"],
        "dd": D["name"],
        "zbx": zbx_event()["trig"],
        "host": pick([h for h, _ in ZBX_HOSTS] + ["patroni-main-v16-03-db-gprd", "redis-cache-02", "web-cny-01"]),
        "u": pick(list(USER_IDS.values())),
        "num": R.randint(1000, 99999),
        "svc": pick(["sidekiq", "registry", "gitaly", "payments-api", "search"]),
        "env": pick(ENVS),
        "sha": hexs(8),
        "gf": pick(GF_RULES)[0],
        "log": pick(LOGS),
    }
    return t.format(**vals)


def people_records() -> list:
    items = [(t, QUESTION) for t in PEOPLE_Q] + [(t, CHATTER) for t in PEOPLE_C]
    R.shuffle(items)
    extra = [items[i] for i in range(12)]  # a few phrasings recur with different fills
    recs = []
    for t, kind in items + extra:
        _, _, uid = person()
        text = fill_people(t)
        thread = None
        if chance(0.35):
            thread = earlier(f"{CLOCK.t}.0", 30, 3600)
        m = human(uid, text, thread_ts=thread, blocks=chance(0.8))
        if chance(0.08):
            prev = dict(m)
            prev["text"] = text.replace("the ", "teh ", 1) if "the " in text else text + " "
            if "blocks" in prev:
                prev["blocks"] = [rich_text(prev["text"])]
            edit_ts = CLOCK.next()
            inner = {k: v for k, v in m.items() if k not in ("channel", "event_ts", "channel_type")}
            inner["edited"] = {"user": uid, "ts": edit_ts}
            old = {k: v for k, v in prev.items() if k not in ("channel", "event_ts", "channel_type")}
            m = {
                "type": "message",
                "subtype": "message_changed",
                "message": inner,
                "previous_message": old,
                "channel": m["channel"],
                "hidden": True,
                "ts": edit_ts,
                "event_ts": edit_ts,
                "channel_type": "channel",
            }
        tpl = "thread_reply" if thread else "channel_message"
        if m.get("subtype") == "message_changed":
            tpl = "edited_message"
        recs.append(("people", tpl, m, kind, None))
    return recs


# ==========================================================================
# Bots (non-alert integration posts)
# ==========================================================================
GITHUB = Bot("GitHub", webhook=False)
GITLAB = Bot("GitLab", webhook=False)
JIRA = Bot("Jira Cloud", webhook=False)
GHA_HOOK = Bot("github-actions", "GitHub Actions", icons={"emoji": ":github:"})
ARGOCD = Bot("argocd-notifications", "Argo CD", icons={"emoji": ":argo:"})
TFC = Bot("Terraform Cloud", webhook=False)
STATUSPAGE = Bot("Statuspage", webhook=False)
GCAL = Bot("Google Calendar", webhook=False)
GEEKBOT = Bot("Geekbot", webhook=False)
POLLY = Bot("Polly", webhook=False)
CONFLUENCE = Bot("Confluence Cloud", webhook=False)
CIRCLE = Bot("CircleCI", webhook=False)
SPINNAKER = Bot("spinnaker", "Spinnaker")
REPOS = ["acme/payments", "acme/checkout-web", "acme/infra-terraform", "acme/alert-rules", "acme/runbooks"]


def bot_records() -> list:
    out = []

    def add(tpl, m):
        out.append(("bots", tpl, m, CHATTER, None))

    for i in range(9):  # GitHub
        repo = pick(REPOS)
        n = R.randint(100, 9000)
        who = person()[1]
        kind = i % 4
        if kind == 0:
            title = pick(
                [
                    "Bump pgbouncer pool size to 150",
                    "Add retry to payment webhook consumer",
                    "Fix flaky checkout e2e test",
                    f"Raise `for:` on {prom_name()} to 15m",
                ]
            )
            att = attach(
                color="36a64f",
                pretext=f"[{repo}] Pull request opened by {who}",
                title=f"#{n} {title}",
                title_link=f"https://github.com/{repo}/pull/{n}",
                text=pick(["", "Closes #" + str(n - 3), "See incident INC-" + str(R.randint(100, 999))]),
                footer=f"<https://github.com/{repo}|{repo}>",
                footer_icon="https://github.githubassets.com/favicon.ico",
                ts=CLOCK.t,
            )
        elif kind == 1:
            att = attach(
                color="6f42c1",
                pretext=f"[{repo}] Pull request merged by {who}",
                title=f"#{n} {pick(['Tune disk alert thresholds', 'Upgrade grafana to 11.1', 'Remove unused SQS queue'])}",
                title_link=f"https://github.com/{repo}/pull/{n}",
                footer=f"<https://github.com/{repo}|{repo}>",
                ts=CLOCK.t,
            )
        elif kind == 2:
            shas = [hexs(40) for _ in range(R.randint(1, 3))]
            commits = "\n".join(
                f"<https://github.com/{repo}/commit/{sha}|`{sha[:7]}`> - {pick(['fix typo', 'add alert for dlq depth', 'bump deps', 'wip'])}"
                for sha in shas
            )
            att = attach(
                color="24292f",
                pretext=f"[{repo}:main] {len(shas)} new commit{'s' if len(shas) > 1 else ''} by {who}",
                text=commits,
                mrkdwn_in=["text", "pretext"],
            )
        else:
            att = attach(
                color="d73a4a",
                pretext=f"[{repo}] Issue opened by {who}",
                title=f"#{n} Alert {prom_name()} is too noisy",
                title_link=f"https://github.com/{repo}/issues/{n}",
                text="It fired 14 times last week and every one was a false positive.",
            )
        add("github", post(GITHUB, attachments=[att], channel=pick(CH_DEPLOY + CH_TEAM)))
    for i in range(6):  # GitLab
        n = R.randint(1000, 99999)
        if i % 3 == 0:
            text = f"Pipeline <https://gitlab.com/acme/payments/-/pipelines/{n}|#{n}> of branch `main` by {person()[0]} has *failed* in 4 min 12 s"
        elif i % 3 == 1:
            text = f"{person()[0]} opened merge request <https://gitlab.com/gitlab-com/runbooks/-/merge_requests/{n}|!{n} *Tune {prom_name()} window*> in <https://gitlab.com/gitlab-com/runbooks|runbooks>"
        else:
            text = f":white_check_mark: Deployment to *gprd-cny* succeeded for <https://gitlab.com/acme/payments/-/commit/{hexs(40)}|{hexs(8)}> ({person()[0]})"
        add("gitlab", post(GITLAB, text=text, channel=pick(CH_DEPLOY)))
    for i in range(6):  # Jira
        key = f"OPS-{R.randint(1000, 4999)}"
        summ = pick(
            [
                f"Investigate {zbx_event()['trig']} on db-2",
                f"Alarm {cw_alarm()['name']} too sensitive",
                "Rotate Zabbix API credentials",
                f"Postmortem follow-up: add alert for {pick(GF_RULES)[0]}",
            ]
        )
        if i % 2 == 0:
            blocks = [
                b_section(f"*{person()[0]}* created a Task"),
                b_section(f"<https://acme-corp.atlassian.net/browse/{key}|*{key}: {summ}*>"),
                b_context(f"Status: *To Do* · Assignee: *Unassigned* · Priority: *{pick(['Medium', 'High'])}*"),
            ]
        else:
            blocks = [
                b_section(f"*{person()[0]}* changed status to *Done*"),
                b_section(f"<https://acme-corp.atlassian.net/browse/{key}|*{key}: {summ}*>"),
            ]
        add("jira", post(JIRA, text=f"{key}: {summ}", blocks=blocks, channel=pick(CH_TEAM)))
    for i in range(6):  # CI / deploy
        svc = pick(["payments-api", "checkout-web", "search-indexer", "notifications"])
        ok = i % 3 != 2
        if i % 2 == 0:
            text = (
                f":white_check_mark: Deploy *{svc}* to *production* succeeded — <https://github.com/acme/{svc}/actions/runs/{R.randint(10**9, 10**10)}|run #{R.randint(100, 9999)}> ({hexs(7)})"
                if ok
                else f":x: Workflow *CI* failed on `main` for *{svc}* — <https://github.com/acme/{svc}/actions/runs/{R.randint(10**9, 10**10)}|details>"
            )
            add("github_actions", post(GHA_HOOK, text=text, channel=pick(CH_DEPLOY)))
        else:
            att = attach(
                color="good" if ok else "danger",
                text=f"{'Success' if ok else 'Failed'}: {person()[1]}'s workflow (<https://app.circleci.com/pipelines/github/acme/{svc}/{R.randint(1000, 9999)}|build-and-deploy>) in acme/{svc} (main)",
                fallback=f"{'Success' if ok else 'Failed'}: build-and-deploy",
            )
            add("circleci", post(CIRCLE, attachments=[att], channel=pick(CH_DEPLOY)))
    for i in range(5):  # Argo CD
        app = pick(["checkout-api", "payments-worker", "grafana", "alertmanager-config", "ingress-nginx"])
        if i % 2 == 0:
            att = attach(
                color="#18be52",
                title=app,
                title_link=f"https://argocd.acme-corp.net/applications/{app}",
                text=f"Application {app} has been successfully synced at {iso(CLOCK.t)}.",
                fields=[
                    {"title": "Sync Status", "value": "Synced", "short": True},
                    {"title": "Repository", "value": "https://github.com/acme/k8s-manifests", "short": True},
                    {"title": "Revision", "value": hexs(40), "short": True},
                ],
            )
            add("argocd", post(ARGOCD, text="", attachments=[att], channel=pick(CH_DEPLOY)))
        else:
            add(
                "argocd",
                post(
                    ARGOCD,
                    text=f":information_source: The sync operation of application {app} has started at {iso(CLOCK.t)}.",
                    channel=pick(CH_DEPLOY),
                ),
            )
    for _ in range(3):  # Terraform Cloud
        ws = pick(["prod-network", "prod-monitoring", "staging-eks"])
        text = pick(
            [
                f"Run applied in workspace *{ws}*: {R.randint(1, 12)} added, {R.randint(0, 5)} changed, 0 destroyed",
                f"Run needs confirmation in workspace *{ws}* — plan: 0 to add, 3 to change, 0 to destroy",
            ]
        )
        add("terraform_cloud", post(TFC, text=text, channel=pick(CH_DEPLOY)))
    for _ in range(3):  # PagerDuty / Opsgenie on-call handoffs (not alerts)
        name = person()[0]
        add(
            "pagerduty_oncall_handoff",
            post(
                PD_APP,
                text=f"{name} is now on call for *{pick(['Infra Primary', 'DBRE', 'Payments On-Call'])}* until {utc(CLOCK.t + 7 * 86400, '%a %b %d %H:%M UTC')}",
                channel=pick(CH_TEAM),
            ),
        )
    for _ in range(2):
        add(
            "opsgenie_schedule",
            post(
                OG_APP,
                text=f"On-call rotation *SRE_schedule* changed: {person()[0]} is now on call (until {utc(CLOCK.t + 86400, '%b %d %H:%M UTC')})",
                channel=pick(CH_TEAM),
            ),
        )
    for i in range(3):  # Statuspage
        if i == 2:
            text = f"*Resolved* - Elevated checkout errors\nThis incident has been resolved. <https://status.shopwise.io/incidents/{lows(12)}|View on status page>"
        else:
            text = f"*Scheduled maintenance* - Database upgrade\nStarts {utc(CLOCK.t + 86400 * 3, '%b %d, %H:%M UTC')}, expected duration 2h. <https://status.shopwise.io/incidents/{lows(12)}|Details>"
        add("statuspage", post(STATUSPAGE, text=text, channel=pick(CH_TEAM)))
    for _ in range(2):
        add(
            "google_calendar",
            post(
                GCAL,
                text=f"*{pick(['Incident review', 'On-call handoff', 'Weekly SRE sync'])}* starts in 10 minutes\n<https://meet.google.com/{lows(3)}-{lows(4)}-{lows(3)}|Join with Google Meet>",
                channel=pick(CH_TEAM),
            ),
        )
    for _ in range(2):
        n = person()[0]
        add(
            "geekbot",
            post(
                GEEKBOT,
                text=f"{n} posted an update for *Daily Standup*",
                attachments=[
                    attach(
                        color="#4a5fe0", title="What did you do yesterday?", text="Finished the alert routing cleanup"
                    ),
                    attach(color="#f5a623", title="Anything blocking?", text="Waiting on DB access"),
                ],
                channel=pick(CH_TEAM),
            ),
        )
    add(
        "polly",
        post(
            POLLY,
            text="*Which on-call tool should we keep after the migration?*",
            blocks=[
                b_section("*Which on-call tool should we keep after the migration?*"),
                b_section("1️⃣ PagerDuty `3`\n2️⃣ Opsgenie `1`\n3️⃣ Grafana OnCall `4`"),
                b_context("Anonymous poll · 8 responses"),
            ],
            channel=pick(CH_TEAM),
        ),
    )
    add(
        "confluence",
        post(
            CONFLUENCE,
            text=f"{person()[0]} published *Postmortem: {pick(['checkout latency 2024-06-11', 'EU login outage'])}* in SRE",
            channel=pick(CH_TEAM),
        ),
    )
    add(
        "spinnaker",
        post(
            SPINNAKER,
            text=f"Pipeline *deploy-prod* for *search-indexer* has completed (execution {hexs(8)})",
            channel=pick(CH_DEPLOY),
        ),
    )
    for _ in range(2):  # Slackbot reminders
        ts = CLOCK.next()
        m = {
            "type": "message",
            "text": f"Reminder: {pick(['rotate the on-call notes doc', 'review silences before the weekend', 'file the postmortem action items'])}.",
            "user": "USLACKBOT",
            "ts": ts,
            "team": TEAM,
            "channel": pick(CH_TEAM),
            "event_ts": ts,
            "channel_type": "channel",
        }
        add("slackbot_reminder", m)
    return out


# ==========================================================================
# assemble, validate, write
# ==========================================================================
FAMILIES = [
    ("alertmanager", AM_TEMPLATES),
    ("grafana", GF_TEMPLATES),
    ("datadog", DD_TEMPLATES),
    ("pagerduty", PD_TEMPLATES),
    ("opsgenie", OG_TEMPLATES),
    ("zabbix", ZBX_TEMPLATES),
    ("cloudwatch", CW_TEMPLATES),
    ("generic", GENERIC_TEMPLATES),
]


def alert_records() -> list:
    recs = []
    for family, templates in FAMILIES:
        for tname, fn, n, mix in templates:
            if isinstance(mix, float):
                mix = [("firing", mix), ("resolved", 1 - mix)]
            for st in schedule(n, mix):
                m, kind, alert = fn(st)
                recs.append((family, tname, m, kind, alert))
    return recs


def strings_in(obj) -> list:
    out = []
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            out += strings_in(v)
    elif isinstance(obj, list):
        for v in obj:
            out += strings_in(v)
    return out


def validate(rows: list) -> None:
    kinds = {FIRING, RESOLVED, OTHER, QUESTION, CHATTER}
    other_names = [n for n in OTHER_DATASET_NAMES if len(n) >= 8 and re.search(r"[A-Z].*[A-Z]|_", n)]
    problems = []
    for i, r in enumerate(rows):
        m, fam = r["message"], r["family"]
        assert r["kind"] in kinds, r
        inner = m["message"] if m.get("subtype") == "message_changed" else m
        strs = strings_in(m)
        if fam == "people":
            assert r["alert"] is None and r["kind"] in (QUESTION, CHATTER)
            assert "bot_id" not in inner and inner.get("user"), r
        elif fam == "bots":
            assert r["alert"] is None and r["kind"] == CHATTER
        else:
            assert r["kind"] in (FIRING, RESOLVED, OTHER), r
            assert isinstance(r["alert"], str) and r["alert"], r
            assert "bot_id" in inner, r
            if not any(r["alert"] in s for s in strs):
                problems.append(f"row {i} ({r['family']}/{r['template']}): gold {r['alert']!r} not verbatim in message")
        blob = "\n".join(strs)
        for n in other_names:
            if re.search(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", blob):
                problems.append(f"row {i}: contains name {n!r} from a non-gitlab dataset")
    if problems:
        sys.exit("\n".join(problems[:50]))


def main() -> None:
    rows = []
    for family, tname, m, kind, alert in alert_records() + people_records() + bot_records():
        rows.append({"family": family, "template": f"{family}/{tname}", "message": m, "kind": kind, "alert": alert})
    validate(rows)
    with OUT_FILE.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    fam = Counter(r["family"] for r in rows)
    print(f"wrote {len(rows)} messages to {OUT_FILE.relative_to(ROOT)}")
    for f, n in fam.items():
        kinds = Counter(r["kind"] for r in rows if r["family"] == f)
        tpls = len({r["template"] for r in rows if r["family"] == f})
        print(f"  {f:13s} {n:4d}  templates={tpls:2d}  " + "  ".join(f"{k}={v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
