# ruff: noqa: E501, RUF001
"""Render the second, independent held-out Slack alert set.

    python bench/heldout_fresh/render.py

Stdlib only and deterministic (fixed seed, sorted inputs, no wall clock). Writes
bench/heldout_fresh/messages.jsonl: one {"family", "template", "message", "kind",
"alert"} object per line, the message being the Slack message event as the
Events API delivers it. See README.md in this directory for the conventions.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import random
import re
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ALERTS = ROOT / "tests" / "data" / "alerts" / "alerts.jsonl"
OUT = HERE / "messages.jsonl"
GITLAB = "gitlab-com-runbooks"

rng = random.Random(20250117)

FAMILIES = (
    "alertmanager",
    "grafana",
    "datadog",
    "pagerduty",
    "opsgenie",
    "zabbix",
    "cloudwatch",
    "generic",
    "people",
    "bots",
)
ALERT_KINDS = ("alert_firing", "alert_resolved", "alert_other")
FIRING, RESOLVED, OTHER, QUESTION, CHATTER = "alert_firing", "alert_resolved", "alert_other", "question", "chatter"

# Slack legacy colour names as Slack normalises them.
GOOD, WARNING, DANGER = "2eb886", "daa038", "a30200"

# ---------------------------------------------------------------------------
# ids, clock, Slack event builders
# ---------------------------------------------------------------------------

_B32 = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def sid(prefix: str, key: str, n: int = 10) -> str:
    num = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    chars = []
    for _ in range(n):
        num, r = divmod(num, len(_B32))
        chars.append(_B32[r])
    return prefix + "".join(chars)


TEAM = sid("T", "team", 9)


class Clock:
    def __init__(self) -> None:
        self.sec = 1_715_590_800  # 2024-05-13 09:00 UTC

    def next(self, lo: int = 40, hi: int = 900) -> str:
        self.sec += rng.randint(lo, hi)
        return f"{self.sec}.{rng.randint(0, 999_999):06d}"


clock = Clock()


def when(ts: str | int | float, fmt: str = "%H:%M UTC") -> str:
    return dt.datetime.fromtimestamp(int(float(ts)), tz=dt.UTC).strftime(fmt)


def block_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/="
    return "".join(rng.choice(alphabet) for _ in range(5))


def slack_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_bot(
    key: str, username: str, icon_emoji: str | None = None, icon_url: str | None = None, app: bool = True
) -> dict:
    bot = {"kind": "webhook", "bot_id": sid("B", key), "username": username}
    if app:
        bot["app_id"] = sid("A", key)
    if icon_emoji:
        bot["icons"] = {"emoji": icon_emoji}
    elif icon_url:
        bot["icons"] = {"image_48": icon_url}
    return bot


def app_bot(key: str, name: str, icon: str) -> dict:
    return {
        "kind": "app",
        "user": sid("U", key),
        "bot_id": sid("B", key),
        "app_id": sid("A", key),
        "name": name,
        "icons": {"image_36": icon + "_36.png", "image_48": icon + "_48.png", "image_72": icon + "_72.png"},
    }


def _attachment(att: dict, idx: int) -> dict:
    out = {"id": idx}
    out.update(att)
    if "color" in out:
        out["color"] = out["color"].lstrip("#")
    if "fallback" not in out:
        out["fallback"] = att.get("title") or att.get("pretext") or att.get("text") or "[no preview available]"
    return out


def _blocks(blocks: list[dict]) -> list[dict]:
    out = []
    for b in blocks:
        b = dict(b)
        b.setdefault("block_id", block_id())
        out.append(b)
    return out


def bot_msg(
    bot: dict, text: str = "", attachments: list | None = None, blocks: list | None = None, ts: str | None = None
) -> dict:
    ts = ts or clock.next()
    if bot["kind"] == "webhook":
        m = {
            "type": "message",
            "subtype": "bot_message",
            "text": text,
            "ts": ts,
            "username": bot["username"],
            "bot_id": bot["bot_id"],
        }
        if "app_id" in bot:
            m["app_id"] = bot["app_id"]
        if "icons" in bot:
            m["icons"] = bot["icons"]
    else:
        m = {
            "type": "message",
            "text": text,
            "user": bot["user"],
            "ts": ts,
            "bot_id": bot["bot_id"],
            "app_id": bot["app_id"],
            "team": TEAM,
            "bot_profile": {
                "id": bot["bot_id"],
                "deleted": False,
                "name": bot["name"],
                "updated": 1_689_000_000 + int(hashlib.md5(bot["name"].encode()).hexdigest()[:6], 16) % 20_000_000,
                "app_id": bot["app_id"],
                "icons": bot["icons"],
                "team_id": TEAM,
            },
        }
    if blocks:
        m["blocks"] = _blocks(blocks)
    if attachments:
        m["attachments"] = [_attachment(a, i) for i, a in enumerate(attachments, 1)]
    return m


_TOKEN = re.compile(r"<@(U[0-9A-Z]+)>|<(https?://[^|>]+)(?:\|([^>]+))?>|`([^`]+)`")


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def rich_text(text: str) -> dict:
    elements: list[dict] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            elements.append({"type": "text", "text": _unescape(text[pos : m.start()])})
        if m.group(1):
            elements.append({"type": "user", "user_id": m.group(1)})
        elif m.group(2):
            link = {"type": "link", "url": m.group(2)}
            if m.group(3):
                link["text"] = m.group(3)
            elements.append(link)
        else:
            elements.append({"type": "text", "text": m.group(4), "style": {"code": True}})
        pos = m.end()
    if pos < len(text):
        elements.append({"type": "text", "text": _unescape(text[pos:])})
    return {
        "type": "rich_text",
        "block_id": block_id(),
        "elements": [{"type": "rich_text_section", "elements": elements}],
    }


def human_msg(user: str, text: str, ts: str | None = None) -> dict:
    return {
        "type": "message",
        "text": text,
        "user": user,
        "client_msg_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "team": TEAM,
        "ts": ts or clock.next(),
        "blocks": [rich_text(text)],
    }


def event(msg: dict, channel: str, thread_ts: str | None = None, parent_user: str | None = None) -> dict:
    e = dict(msg)
    if thread_ts:
        e["thread_ts"] = thread_ts
        e["parent_user_id"] = parent_user
    e["channel"] = channel
    e["event_ts"] = e["ts"]
    e["channel_type"] = "channel"
    return e


def changed(new: dict, prev: dict, channel: str) -> dict:
    """message_changed event: `new` replaces `prev` (same ts)."""
    ts = clock.next(20, 1800)
    inner = dict(new)
    inner["ts"] = prev["ts"]
    inner["edited"] = {"user": new.get("user") or new.get("bot_id"), "ts": ts}
    for k in ("thread_ts", "parent_user_id"):
        if k in prev:
            inner[k] = prev[k]
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": inner,
        "previous_message": prev,
        "channel": channel,
        "hidden": True,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def parent_user_of(msg: dict) -> str:
    return msg.get("user") or msg.get("bot_id")


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def section(text: str, fields: list[str] | None = None) -> dict:
    b: dict = {"type": "section", "text": mrkdwn(text)}
    if fields:
        b["fields"] = [mrkdwn(f) for f in fields]
    return b


def fields_only(fields: list[str]) -> dict:
    return {"type": "section", "fields": [mrkdwn(f) for f in fields]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def context(*texts: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts]}


def divider() -> dict:
    return {"type": "divider"}


def buttons(*specs: tuple) -> dict:
    els = []
    for spec in specs:
        label, action = spec[0], spec[1]
        b = {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True}, "action_id": action}
        if len(spec) > 2 and spec[2]:
            b["style"] = spec[2]
        if len(spec) > 3:
            b["url"] = spec[3]
        els.append(b)
    return {"type": "actions", "elements": els}


def legacy_buttons(*specs: tuple) -> list[dict]:
    out = []
    for i, spec in enumerate(specs, 1):
        label, url_or_name = spec[0], spec[1]
        a = {"id": str(i), "text": label, "type": "button", "style": spec[2] if len(spec) > 2 else ""}
        if url_or_name.startswith("http"):
            a["url"] = url_or_name
        else:
            a["name"] = url_or_name
            a["value"] = url_or_name
        out.append(a)
    return out


RECORDS: list[dict] = []


def add(family: str, template: str, message: dict, kind: str, alert: str | None) -> None:
    RECORDS.append(
        {"family": family, "template": f"{family}/{template}", "message": message, "kind": kind, "alert": alert}
    )


def chan(name: str) -> str:
    return sid("C", "channel:" + name)


# ---------------------------------------------------------------------------
# people
# ---------------------------------------------------------------------------

PEOPLE = {
    name: sid("U", "person:" + name)
    for name in (
        "amara",
        "bo",
        "camille",
        "dev",
        "erin",
        "farid",
        "grace",
        "hiro",
        "ines",
        "jonas",
        "kavya",
        "lars",
        "mei",
        "noor",
        "oscar",
        "priya",
    )
}
FULL_NAMES = {
    "amara": "Amara Okafor",
    "bo": "Bo Lindqvist",
    "camille": "Camille Durand",
    "dev": "Dev Raghunathan",
    "erin": "Erin Walsh",
    "farid": "Farid Haddad",
    "grace": "Grace Liu",
    "hiro": "Hiro Tanaka",
    "ines": "Inês Carvalho",
    "jonas": "Jonas Becker",
    "kavya": "Kavya Iyer",
    "lars": "Lars Nygaard",
    "mei": "Mei Chen",
    "noor": "Noor Rahman",
    "oscar": "Oscar Medina",
    "priya": "Priya Shah",
}


def person() -> str:
    return rng.choice(sorted(PEOPLE))


def mention(name: str) -> str:
    return f"<@{PEOPLE[name]}>"


# ---------------------------------------------------------------------------
# GitLab Prometheus rules (the only source of Prometheus alert names)
# ---------------------------------------------------------------------------


def load_rules() -> tuple[dict[str, list[dict]], list[str]]:
    rows = [json.loads(line) for line in ALERTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    other = {r["alert"].lower() for r in rows if r["dataset"] != GITLAB}
    by_name: dict[str, list[dict]] = {}
    for r in rows:
        if r["dataset"] == GITLAB and r["alert"].lower() not in other:
            by_name.setdefault(r["alert"], []).append(r)
    for recs in by_name.values():
        recs.sort(key=lambda r: (r.get("summary") or "", r.get("description") or "", r.get("source") or ""))
    other_names = sorted({r["alert"] for r in rows if r["dataset"] != GITLAB})
    return by_name, other_names


RULES, OTHER_NAMES = load_rules()
_rule_queue: list[str] = []

SERVICES = [
    "web",
    "api",
    "git",
    "sidekiq",
    "patroni",
    "redis-cache",
    "gitaly",
    "registry",
    "pages",
    "ci-runners",
    "frontend",
    "kas",
    "websockets",
    "monitoring",
]
TIERS = {
    "web": "sv",
    "api": "sv",
    "git": "sv",
    "sidekiq": "sv",
    "patroni": "db",
    "redis-cache": "db",
    "gitaly": "stor",
    "registry": "sv",
    "pages": "sv",
}


def _label_defaults(rule: dict, env: str) -> dict[str, str]:
    m = re.search(r"of the `?([\w-]+)`? service", rule.get("summary") or "")
    svc = m.group(1) if m else rng.choice(SERVICES)
    tier = TIERS.get(svc, "sv")
    n = rng.randint(1, 40)
    project = "gitlab-production" if env == "gprd" else "gitlab-staging-1"
    fqdn = f"{svc}-{n:02d}-{tier}-{env}.c.{project}.internal"
    region = rng.choice(["us-east1-b", "us-east1-c", "us-east1-d"])
    pod = f"gitlab-{svc}-{rng.choice(['default', 'main', 'catchall'])}-{rng.randrange(16**9):09x}-{''.join(rng.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))}"
    return {
        "alertname": rule["alert"],
        "env": env,
        "environment": env,
        "stage": rng.choice(["main", "main", "main", "cny"]),
        "type": svc,
        "tier": tier,
        "region": region,
        "severity": rule.get("severity") or "s3",
        "fqdn": fqdn,
        "instance": f"{fqdn}:9100",
        "job": rng.choice(["node", "gitlab-rails", "scrape-redis", "gitaly", "pgbouncer", "blackbox"]),
        "pod": pod,
        "namespace": "gitlab",
        "container": svc,
        "component": rng.choice(["puma", "workhorse", "goserver", "rails_requests", "primary_server"]),
        "resource": rng.choice(["cpu", "memory", "disk_space", "redis_clients", "pgbouncer_pools"]),
        "shard": rng.choice(["catchall", "urgent-other", "memory-bound", "default"]),
        "worker": rng.choice(["PostReceive", "PipelineProcessWorker", "MergeWorker", "AuthorizedProjectsWorker"]),
        "queue": rng.choice(["default", "pipeline_processing", "mailers"]),
        "relname": rng.choice(["ci_builds", "merge_requests", "notes", "project_statistics"]),
        "verb": rng.choice(["GET", "POST", "LIST"]),
        "slot_name": f"logical_replication_slot_{rng.randint(1, 4)}",
        "integration": rng.choice(["jira", "slack", "mattermost"]),
        "gateway_name": f"cloud-nat-{env}",
        "quota": "CPUS",
        "subresource": "status",
        "horizontalpodautoscaler": f"gitlab-{svc}",
        "persistentvolumeclaim": f"data-{svc}-0",
        "pagename": "gitlab-org.gitlab.io",
        "endpoint": "https-metrics",
        "application": svc,
        "interval": "1m",
        "node": f"gke-{env}-{region}-default-{rng.randrange(16**8):08x}",
        "load_balancer_name": f"{env}-{svc}-lb",
        "replicaset": f"gitlab-{svc}-{rng.randrange(16**9):09x}",
        "cronjob": f"{svc}-backup",
        "job_name": f"{svc}-backup-{rng.randint(28_000_000, 29_000_000)}",
        "subscription_id": f"projects/{project}/subscriptions/pubsub-{svc}",
    }


def _render_tpl(s: str, labels: dict[str, str], value: float) -> str:
    s = re.sub(r"\{\{-?\s*if [^}]*\}\}(.*?)\{\{-?\s*else\s*-?\}\}.*?\{\{-?\s*end\s*-?\}\}", r"\1", s, flags=re.S)
    s = re.sub(r"\{\{-?\s*if [^}]*\}\}(.*?)\{\{-?\s*end\s*-?\}\}", r"\1", s, flags=re.S)

    def sub(m: re.Match) -> str:
        expr = m.group(1)
        if "$value" in expr or ".Value" in expr:
            if "humanizePercentage" in expr:
                return f"{value * 100:.2f}%"
            if "humanizeDuration" in expr:
                return f"{int(value * 100) % 50 + 3}m {int(value * 1000) % 60}s"
            if "printf" in expr:
                return f"{value * 100:.2f}"
            return f"{value * 100:.4g}"
        lab = re.search(r"(?:\$labels|\.Labels|\.labels|\$externalLabels)\.(\w+)", expr)
        if lab:
            return labels.get(lab.group(1), lab.group(1))
        return ""

    return re.sub(r"\{\{(.*?)\}\}", sub, s, flags=re.S)


def _first_paragraphs(s: str, limit: int = 320) -> str:
    paras = [p.strip() for p in s.split("\n\n") if p.strip()]
    out = ""
    for p in paras:
        if out and len(out) + len(p) > limit:
            break
        out = f"{out}\n{p}" if out else p
    return out


def rule(env: str | None = None) -> dict:
    """Next GitLab Prometheus rule, with rendered summary/description and plausible labels."""
    if not _rule_queue:
        names = sorted(RULES)
        rng.shuffle(names)
        _rule_queue.extend(names)
    name = _rule_queue.pop()
    r = rng.choice(RULES[name])
    env = env or rng.choice(["gprd", "gprd", "gprd", "gstg"])
    labels = _label_defaults(r, env)
    value = rng.uniform(0.004, 0.4)
    summary = slack_escape(_render_tpl(r.get("summary") or "", labels, value).strip())
    desc = slack_escape(_first_paragraphs(_render_tpl(r.get("description") or r.get("summary") or "", labels, value)))
    rb = r.get("runbook_url") or ""
    if rb and not rb.startswith("http"):
        rb = "https://gitlab.com/gitlab-com/runbooks/-/blob/master/" + rb.lstrip("/")
    return {
        "name": name,
        "summary": summary,
        "description": desc,
        "severity": labels["severity"],
        "labels": labels,
        "runbook": rb or f"https://gitlab.com/gitlab-com/runbooks/-/blob/master/docs/{labels['type']}/README.md",
        "value": value,
    }


def display_labels(a: dict, extra: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    keys = ["alertname", "env", "severity", "stage", "type", *extra]
    return [(k, a["labels"][k]) for k in sorted(dict.fromkeys(keys))]


def am_default_title(a: dict, status: str, n_firing: int) -> str:
    """Alertmanager's slack.default.title for a group_by [alertname] route."""
    head = "FIRING:" + str(n_firing) if status == "firing" else "RESOLVED"
    rest = " ".join(v for k, v in display_labels(a) if k != "alertname")
    return f"[{head}] {a['name']} ({rest})"


def gen_url(a: dict) -> str:
    return f"https://thanos.ops.gitlab.net/graph?g0.expr=ALERTS%7Balertname%3D%22{a['name'].replace(' ', '%20')}%22%7D"


def instances(a: dict, n: int) -> list[str]:
    nums = rng.sample(range(1, 49), n)
    return [re.sub(r"-\d\d-", f"-{num:02d}-", a["labels"]["fqdn"], count=1).split(".")[0] for num in nums]


# ---------------------------------------------------------------------------
# alertmanager
# ---------------------------------------------------------------------------

AM_URL = "https://alertmanager.ops.gitlab.net"


def silence_url(a: dict) -> str:
    return f"{AM_URL}/#/silences/new?filter=%7Balertname%3D%22{a['name'].replace(' ', '%20')}%22%7D"


def fam_alertmanager() -> None:
    f = "alertmanager"
    ch, ch2, ch3 = chan("alerts-gprd"), chan("infra-alerts"), chan("sre-pager")
    prom = webhook_bot("am-prometheus", "Prometheus", icon_emoji=":prometheus:")
    am = webhook_bot("am-plain", "alertmanager", icon_url="https://avatars.githubusercontent.com/u/3380462?s=48")

    # 1. The "Monitoring Event Notification" template from the well-known blog post:
    #    the title never names the alert; the alertname only shows in the label details.
    for nf, nr in [(2, 0), (1, 0), (0, 1), (3, 1), (1, 0), (0, 2), (2, 0), (0, 1)]:
        a = rule()
        parts = []
        for h in instances(a, nf + nr):
            details = "\n".join(f"  • *{k}:* `{v}`" for k, v in [*display_labels(a), ("fqdn", h)])
            parts.append(
                f"*Alert:* {a['summary']} - `{a['severity']}`\n*Description:* {a['description']}\n"
                f"*Graph:* <{gen_url(a)}|:chart_with_upwards_trend:> *Runbook:* <{a['runbook']}|:spiral_note_pad:>\n*Details:*\n{details}\n"
            )
        title = f"[FIRING:{nf}] Monitoring Event Notification" if nf else "[RESOLVED] Monitoring Event Notification"
        link = f"{AM_URL}/#/alerts?receiver=slack-{a['labels']['env']}"
        att = {
            "color": DANGER if nf else GOOD,
            "title": title,
            "title_link": link,
            "text": "\n".join(parts),
            "fallback": am_default_title(a, "firing" if nf else "resolved", nf) + " | " + link,
            "mrkdwn_in": ["fallback", "pretext", "text"],
        }
        add(
            f,
            "monitoring_event_title",
            event(bot_msg(prom, attachments=[att]), ch),
            FIRING if nf else RESOLVED,
            a["name"],
        )

    # 2. "🔥 X is firing on cluster Y" text-only receiver.
    for i, st in enumerate("FFRFRFFR"):
        a = rule()
        cluster = f"{a['labels']['env']}-{a['labels']['region']}"
        n = rng.choice([1, 1, 2, 4])
        if st == "F" and i == 5:
            text = f":fire::fire: `{a['name']}` @ {cluster} ×{n}\n>{a['summary']}\n_status: firing · <{silence_url(a)}|silence 2h>_"
        elif st == "F":
            many = f" ({n} alerts)" if n > 1 else ""
            text = f":fire: *{a['name']}* is firing on cluster *{cluster}*{many}\n>{a['summary']}\n<{a['runbook']}|runbook> | <{silence_url(a)}|silence> | <{gen_url(a)}|query>"
        elif i == 7:
            text = f":white_check_mark: `{a['name']}` @ {cluster} — all clear"
        else:
            text = f":white_check_mark: *{a['name']}* has resolved on cluster *{cluster}* after {rng.randint(3, 90)}m\n>{a['summary']}"
        add(f, "fire_emoji_cluster", event(bot_msg(am, text=text), ch2), FIRING if st == "F" else RESOLVED, a["name"])

    # 3. Per-instance table in a code block; status only in the rows and the colour.
    plans = [
        ["firing", "firing"],
        ["firing", "resolved", "resolved"],
        ["resolved", "resolved"],
        ["firing"],
        ["resolved"],
        ["firing", "firing", "resolved"],
        ["resolved"] * 3,
        ["firing"],
    ]
    for rows in plans:
        a = rule()
        hosts = instances(a, len(rows))
        t0 = int(clock.sec) - rng.randint(600, 7200)
        lines = [f"{'STATUS':<9}{'SEV':<5}{'INSTANCE':<28}SINCE"]
        for st, h in sorted(zip(rows, hosts, strict=True)):
            lines.append(f"{st:<9}{a['severity']:<5}{h:<28}{when(t0 + rng.randint(0, 500), '%H:%MZ')}")
        firing = "firing" in rows
        att = {
            "color": DANGER if firing else GOOD,
            "title": f"{a['labels']['env']} · {a['name']}",
            "title_link": f"{AM_URL}/#/alerts?filter=%7Balertname%3D%22{a['name'].replace(' ', '%20')}%22%7D",
            "text": f"{a['summary']}\n```\n" + "\n".join(lines) + "\n```",
            "footer": f"{len(rows)} alert(s) in group",
            "mrkdwn_in": ["text"],
        }
        add(f, "code_block_table", event(bot_msg(am, attachments=[att]), ch), FIRING if firing else RESOLVED, a["name"])

    # 4. Robusta (Prometheus alerts enriched and posted by the Robusta app, Block Kit).
    robusta = app_bot("robusta", "Robusta", "https://avatars.slack-edge.com/robusta")
    sev_word = {"s1": "High", "s2": "High", "s3": "Medium", "s4": "Low"}
    for st in "FFRFFRFR":
        a = rule()
        sev = sev_word.get(a["severity"], "Medium")
        head = f":red_circle: *Alert firing* · {sev}" if st == "F" else f":large_green_circle: *Alert resolved* · {sev}"
        blocks = [
            section(head),
            section(f"*{a['name']}*\n{a['summary']}"),
            context(
                f"Source: :prometheus: prometheus · cluster: `{a['labels']['env']}-{a['labels']['region']}` · namespace: `{a['labels']['namespace']}`"
            ),
            buttons(
                ("Investigate :mag_right:", "investigate"),
                ("Silence :no_bell:", "silence"),
                ("Runbook", "runbook", None, a["runbook"]),
            ),
        ]
        text = f"{'Alert firing' if st == 'F' else 'Alert resolved'}: {a['name']}"
        add(
            f,
            "robusta_blocks",
            event(bot_msg(robusta, text=text, blocks=blocks), ch3),
            FIRING if st == "F" else RESOLVED,
            a["name"],
        )

    # 5. Title is the bare alertname; status only in a field and the colour.
    for st in "FRFRFRFR":
        a = rule()
        firing = st == "F"
        att = {
            "color": "e01e5a" if firing else "2eb67d",
            "title": a["name"],
            "title_link": gen_url(a),
            "fallback": a["name"],
            "fields": [
                {"title": "Status", "value": "firing" if firing else "resolved", "short": True},
                {"title": "Severity", "value": a["severity"], "short": True},
                {"title": "Environment", "value": a["labels"]["env"], "short": True},
                {"title": "Service", "value": a["labels"]["type"], "short": True},
                {"title": "Summary", "value": a["summary"], "short": False},
            ],
            "footer": f"alertmanager-{a['labels']['env']}",
        }
        add(
            f,
            "status_field_only",
            event(bot_msg(prom, attachments=[att]), ch2),
            FIRING if firing else RESOLVED,
            a["name"],
        )

    # 6. "{{ .Status | title }} :fire: {{ .CommonLabels.alertname }}" with legacy link buttons.
    for st in "FFRFRFFR":
        a = rule()
        firing = st == "F"
        n = rng.choice([1, 1, 2, 3])
        title = (
            f"Firing :fire: {a['name']} ({a['labels']['env']})"
            if firing
            else f"Resolved :sunny: {a['name']} ({a['labels']['env']})"
        )
        labels = " ".join(f"`{k}={v}`" for k, v in display_labels(a) if k != "alertname")
        body = "\n\n".join(
            f"*Summary*: {a['summary']}\n*Severity*: `{a['severity']}`\n*Labels*: {labels} `fqdn={h}`"
            for h in instances(a, n)
        )
        att = {
            "color": DANGER if firing else GOOD,
            "title": title,
            "title_link": f"{AM_URL}/#/alerts",
            "text": body,
            "footer": "alertmanager.ops.gitlab.net",
            "actions": legacy_buttons(
                ("Runbook :blue_book:", a["runbook"]),
                ("Query :mag:", gen_url(a)),
                (
                    "Dashboard :chart_with_upwards_trend:",
                    f"https://dashboards.gitlab.net/d/{a['labels']['type']}-main/{a['labels']['type']}-overview",
                ),
                ("Silence :no_bell:", silence_url(a)),
            ),
        }
        add(
            f,
            "status_title_case_buttons",
            event(bot_msg(am, attachments=[att]), ch),
            FIRING if firing else RESOLVED,
            a["name"],
        )

    # 7. '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] X for job' + per-alert list.
    for nf, nr in [(1, 0), (2, 1), (0, 1), (1, 0), (0, 2), (3, 0), (1, 1), (0, 1)]:
        a = rule()
        job = a["labels"]["job"]
        title = f"[FIRING:{nf}] {a['name']} for {job}" if nf else f"[RESOLVED] {a['name']} for {job}"
        items = [
            f"*Alert:* {a['name']} - `{a['severity']}`\n*Description:* {a['description']}\n*Details:*\n  • *instance:* `{h}:9100`\n  • *env:* `{a['labels']['env']}`"
            for h in instances(a, nf + nr)
        ]
        att = {
            "color": DANGER if nf else GOOD,
            "title": title,
            "title_link": f"{AM_URL}/#/alerts",
            "text": "\n\n".join(items),
            "mrkdwn_in": ["text"],
        }
        add(
            f,
            "status_count_for_job",
            event(bot_msg(prom, attachments=[att]), ch3),
            FIRING if nf else RESOLVED,
            a["name"],
        )

    # 8. Text receiver that prints StartsAt; resolved posts still say "was firing since".
    for st in "FRFRFFR":
        a = rule()
        t1 = int(clock.sec) - rng.randint(900, 14_000)
        if st == "F" and rng.random() < 0.5:
            text = f":alarm_clock: still firing after {rng.randint(2, 9)}h: *{a['name']}* ({a['labels']['env']}, {a['severity']})\n{a['summary']}"
        elif st == "F":
            text = f":rotating_light: *{a['name']}* ({a['labels']['env']}, {a['severity']}) — firing since {when(t1)}\n{a['summary']}\n<{a['runbook']}|runbook>"
        else:
            text = f":heavy_check_mark: *{a['name']}* ({a['labels']['env']}) — resolved at {when(clock.sec)}, was firing since {when(t1)}"
        add(f, "starts_at_text", event(bot_msg(am, text=text), ch2), FIRING if st == "F" else RESOLVED, a["name"])

    # 9. In-house relay app: parent per group, resolution as thread reply or as an edit of the parent.
    relay = app_bot("alert-relay", "alert-relay", "https://avatars.slack-edge.com/alert-relay")

    def parent_blocks(a: dict, resolved: bool, n: int, since: int) -> list[dict]:
        if resolved:
            return [
                section(f":white_check_mark: ~{a['name']}~ `{a['severity']}` `{a['labels']['env']}`\n{a['summary']}"),
                context(f"resolved at {when(clock.sec)} · was open {rng.randint(4, 120)}m"),
            ]
        return [
            section(f":rotating_light: *{a['name']}* `{a['severity']}` `{a['labels']['env']}`\n{a['summary']}"),
            context(f"since {when(since)} · {n} instance(s) · <{silence_url(a)}|Silence> · <{a['runbook']}|Runbook>"),
        ]

    for flow in ("reply", "edit", "refire", "edit_only", "open"):
        a = rule()
        n = rng.randint(1, 3)
        since = int(clock.sec)
        first = bot_msg(relay, text=f"{a['name']} is firing", blocks=parent_blocks(a, False, n, since))
        if flow != "edit_only":
            add(f, "relay_app_thread", event(first, ch3), FIRING, a["name"])
        if flow == "reply":
            r = bot_msg(relay, text=f":white_check_mark: Resolved after {rng.randint(5, 70)}m — *{a['name']}*")
            add(f, "relay_app_thread", event(r, ch3, first["ts"], relay["user"]), RESOLVED, a["name"])
        elif flow in ("edit", "edit_only"):
            new = bot_msg(relay, text=f"{a['name']} resolved", blocks=parent_blocks(a, True, n, since), ts=first["ts"])
            add(f, "relay_app_thread", changed(new, first, ch3), RESOLVED, a["name"])
        elif flow == "refire":
            r1 = bot_msg(relay, text=f":repeat: *{a['name']}* is firing again ({n + 1} instances)")
            add(f, "relay_app_thread", event(r1, ch3, first["ts"], relay["user"]), FIRING, a["name"])
            r2 = bot_msg(relay, text=f":white_check_mark: Resolved — *{a['name']}* (all {n + 1} instances)")
            add(f, "relay_app_thread", event(r2, ch3, first["ts"], relay["user"]), RESOLVED, a["name"])


# ---------------------------------------------------------------------------
# grafana
# ---------------------------------------------------------------------------

GF_URL = "https://grafana.ops.example.net"
GF_RED, GF_GREEN = "D63232", "36a64f"

GRAFANA_RULES = {
    "Checkout p99 latency above 800ms": (
        "Storefront",
        "p99 of checkout requests is {v}ms over the last 10m",
        "pod=checkout-7c9d5f6b8-{s}",
    ),
    "Kafka consumer lag - orders-consumer": (
        "Data platform",
        "Consumer group orders-consumer is {v} messages behind",
        "partition={n}",
    ),
    "Postgres replication lag over 30s (reporting)": (
        "Databases",
        "reporting replica is {v}s behind the primary",
        "instance=pg-reporting-{n}:9187",
    ),
    "Ingress 5xx ratio over 1%": (
        "Platform",
        "{v}% of requests through ingress-nginx returned 5xx",
        "ingress=public-{s}",
    ),
    "Node disk will fill within 24h": (
        "Platform",
        "Filesystem / on the node is predicted to fill in {v}h",
        "node=ip-10-4-{n}-17",
    ),
    "Redis evictions detected - session store": (
        "Storefront",
        "{v} keys evicted from the session store in 5m",
        "instance=redis-sessions-{n}:9121",
    ),
    "Payment webhook queue depth": ("Payments", "{v} payment webhooks waiting to be processed", "queue=webhooks-{s}"),
    "Envoy upstream connect failures - mesh-eu": (
        "Platform",
        "{v} upstream connect failures per second",
        "cluster=outbound-{s}",
    ),
}
GRAFANA_NODATA_RULES = {
    "Orders DB connection pool saturation": "Databases",
    "CDN cache hit ratio low (eu)": "Edge",
    "Billing export job duration": "Payments",
    "Search indexer backlog": "Search",
    "Mobile API error budget burn": "Mobile",
}


def gf_rule(name: str) -> tuple[str, str, str]:
    folder, summary, inst = GRAFANA_RULES[name]
    fill = {
        "v": str(rng.randint(2, 900)),
        "n": str(rng.randint(1, 12)),
        "s": "".join(rng.choice("abcdefghjkmnpqrstvwxyz23456789") for _ in range(5)),
    }
    return folder, summary.format(**fill), inst.format(**fill)


def fam_grafana() -> None:
    f = "grafana"
    ch, ch2 = chan("grafana-alerts"), chan("oncall-platform")
    gf = webhook_bot("grafana-cp", "Grafana", icon_url="https://grafana.com/static/assets/img/fav32.png")
    gf_app = app_bot("grafana-app", "Grafana", "https://avatars.slack-edge.com/grafana")
    version = "Grafana v11.1.4"

    # 1. Docs-style "N alert(s)" + per-alert Summary/Status/Description; title "alertname [env]".
    for statuses in (
        ["firing"],
        ["firing", "firing"],
        ["resolved"],
        ["firing", "resolved"],
        ["resolved", "resolved"],
        ["firing"],
        ["resolved"],
        ["firing"],
    ):
        a = rule()
        body = f"{len(statuses)} alert(s)\n" + "".join(
            f"\n  Summary: {a['summary']}\n  Status: {s}\n  Description: {a['description']}\n" for s in statuses
        )
        firing = "firing" in statuses
        att = {
            "color": GF_RED if firing else GF_GREEN,
            "title": f"{a['name']} [{a['labels']['env']}]",
            "title_link": f"{GF_URL}/alerting/list",
            "text": body,
            "footer": version,
            "footer_icon": "https://grafana.com/static/assets/img/fav32.png",
            "ts": int(clock.sec),
        }
        add(
            f,
            "docs_summary_status",
            event(bot_msg(gf, attachments=[att]), ch),
            FIRING if firing else RESOLVED,
            a["name"],
        )

    # 2. Docs-style "There are N firing alerts, and M resolved alerts" with separate lists (Grafana-managed rules).
    for (nf, nr), name in zip(
        [(1, 0), (2, 1), (0, 1), (1, 2), (0, 2), (3, 0), (0, 1), (0, 3)], sorted(GRAFANA_RULES), strict=True
    ):
        folder = GRAFANA_RULES[name][0]
        parts = [f"There are {nf} firing alerts, and {nr} resolved alerts"]
        if nf:
            parts.append(
                "Firing alerts:"
                + "".join(
                    f"\n- Alert: {name}\n  Labels: {gf_rule(name)[2]}\n  Summary: {gf_rule(name)[1]}" for _ in range(nf)
                )
            )
        if nr:
            parts.append(
                "Resolved alerts:" + "".join(f"\n- Alert: {name}\n  Labels: {gf_rule(name)[2]}" for _ in range(nr))
            )
        att = {
            "color": GF_RED if nf else GF_GREEN,
            "title": f"{name} | {folder}",
            "title_link": f"{GF_URL}/alerting/list?search={name.split(' ')[0]}",
            "text": "\n\n".join(parts),
            "footer": "Grafana v10.4.2",
            "ts": int(clock.sec),
        }
        add(
            f, "docs_firing_resolved_lists", event(bot_msg(gf, attachments=[att]), ch), FIRING if nf else RESOLVED, name
        )

    # 3. Grafana OnCall alert-group cards edited in place (acknowledge / silence / resolve).
    oncall = app_bot("grafana-oncall", "Grafana OnCall", "https://avatars.slack-edge.com/grafana-oncall")

    def oncall_card(num: int, a: dict, state: str, who: str | None = None) -> dict:
        gid = sid("I", f"ag{num}", 12)
        colour = {"firing": "e02f44", "ack": "f2c744", "resolved": "1a7f4b", "silenced": "8e8e8e"}[state]
        line = {
            "firing": f":fire: Firing · {rng.randint(1, 4)} alert(s) in group · escalation chain *sre-primary*",
            "ack": f":eyes: Acknowledged by {who}",
            "resolved": f":white_check_mark: Resolved by {who}",
            "silenced": f":mute: Silenced by {who} for 1h",
        }[state]
        acts = {
            "firing": buttons(
                ("Acknowledge", "acknowledge", "primary"), ("Resolve", "resolve"), ("Silence", "silence")
            ),
            "ack": buttons(("Unacknowledge", "unacknowledge"), ("Resolve", "resolve")),
            "resolved": buttons(("Unresolve", "unresolve")),
            "silenced": buttons(("Unsilence", "unsilence"), ("Resolve", "resolve")),
        }[state]
        blocks = [
            section(f"*<{GF_URL}/a/grafana-oncall-app/alert-groups/{gid}|#{num} {a['name']}>* via Grafana Alerting"),
            section(a["summary"]),
            context(line),
            acts,
        ]
        return bot_msg(
            oncall,
            text="",
            attachments=[{"color": colour, "blocks": _blocks(blocks), "fallback": f"#{num} {a['name']}"}],
        )

    num = 1420
    for seq in (
        ["firing", "ack", "resolved"],
        ["firing", "silenced"],
        ["firing", "resolved-auto"],
        ["ack>resolved"],
        ["firing>ack"],
        ["firing>resolved"],
    ):
        a = rule()
        num += rng.randint(3, 20)
        prev = None
        if "firing>" in seq[0] or "ack>" in seq[0]:
            start, end = seq[0].split(">")
            who = mention(person())
            prev = oncall_card(num, a, start, who)
            new = oncall_card(num, a, end, who)
            kind = RESOLVED if end == "resolved" else OTHER
            add(f, "oncall_card_edits", changed(new, prev, ch2), kind, a["name"])
            continue
        for state in seq:
            if state == "firing":
                prev = oncall_card(num, a, "firing")
                add(f, "oncall_card_edits", event(prev, ch2), FIRING, a["name"])
                continue
            who = "Grafana Alerting" if state == "resolved-auto" else mention(person())
            real = "resolved" if state == "resolved-auto" else state
            new = oncall_card(num, a, real, who)
            new["ts"] = prev["ts"]
            add(f, "oncall_card_edits", changed(new, prev, ch2), RESOLVED if real == "resolved" else OTHER, a["name"])
            prev = new

    # 4. Grafana-managed rules in Alerting / NoData / Error / Normal; no-data alerts carry alertname=DatasourceNoData.
    nodata_names = sorted(GRAFANA_NODATA_RULES)
    for i, state in enumerate(["Alerting", "NoData", "Normal", "Error", "Alerting", "NoData", "Normal"]):
        name = nodata_names[i % len(nodata_names)]
        folder = GRAFANA_NODATA_RULES[name]
        uid = sid("d", name, 9).lower()
        if state == "Alerting":
            body = f"*State:* Alerting\n*Rule:* {name}\n*Value:* B={rng.uniform(1, 99):.2f}\n*Labels:* alertname={name}, grafana_folder={folder}, team={folder.lower()}"
            kind, colour = FIRING, GF_RED
        elif state == "Normal":
            body = f"*State:* Normal\n*Rule:* {name}\n*Labels:* alertname={name}, grafana_folder={folder}, team={folder.lower()}"
            kind, colour = RESOLVED, GF_GREEN
        elif state == "NoData":
            body = f"*State:* NoData\n*Rule:* {name}\n*Labels:* alertname=DatasourceNoData, rulename={name}, datasource_uid={uid}, grafana_folder={folder}\nThe query returned no data for 10m."
            kind, colour = OTHER, GF_RED
        else:
            body = f"*State:* Error\n*Rule:* {name}\n*Labels:* alertname=DatasourceError, rulename={name}, datasource_uid={uid}\n*Error:* failed to execute query A: context deadline exceeded"
            kind, colour = OTHER, GF_RED
        att = {
            "color": colour,
            "title": f"[{folder}] {name}",
            "title_link": f"{GF_URL}/alerting/grafana/{uid}/view",
            "text": body,
            "footer": version,
            "ts": int(clock.sec),
        }
        add(f, "nodata_error_states", event(bot_msg(gf, attachments=[att]), ch), kind, name)

    # 5. Title "alertname | env | status" (lowercase status at the end).
    for st in "FRFFRRFR":
        a = rule()
        status = "firing" if st == "F" else "resolved"
        att = {
            "color": GF_RED if st == "F" else GF_GREEN,
            "title": f"{a['name']} | {a['labels']['env']} | {status}",
            "title_link": f"{GF_URL}/alerting/list",
            "text": f"{a['summary']}\nValue: A={a['value']:.3f}\nDashboard: <{GF_URL}/d/{a['labels']['type']}-main|open>",
            "footer": "Grafana v10.4.2",
            "ts": int(clock.sec),
        }
        add(
            f,
            "env_pipe_status_title",
            event(bot_msg(gf, attachments=[att]), ch2),
            FIRING if st == "F" else RESOLVED,
            a["name"],
        )

    # 6. Bot-token contact point: title is the prose summary; per-alert lines name the rule; panel image attached.
    for st in "FFRFRFR":
        a = rule()
        hosts = instances(a, rng.choice([1, 2]))
        if st == "F":
            lines = [f":small_red_triangle: {a['name']} on {h} — firing" for h in hosts]
        else:
            lines = [f":small_red_triangle_down: {a['name']} on {h} — resolved" for h in hosts]
        att = {
            "color": GF_RED if st == "F" else GF_GREEN,
            "title": a["summary"],
            "title_link": f"{GF_URL}/alerting/list",
            "text": "\n".join(lines),
            "image_url": f"{GF_URL}/public/img/attachments/{sid('', a['name'], 16).lower()}.png",
            "footer": version,
            "ts": int(clock.sec),
        }
        add(
            f,
            "token_summary_title_image",
            event(bot_msg(gf_app, attachments=[att]), ch),
            FIRING if st == "F" else RESOLVED,
            a["name"],
        )

    # 7. Counts as emoji in the title; the status word only in the last line.
    for nf, nr in [(2, 0), (1, 1), (0, 2), (3, 1), (0, 1), (1, 0), (0, 3)]:
        a = rule()
        hosts = instances(a, nf + nr)
        lines = [f"🔥 {h} — {a['summary']}" for h in hosts[:nf]] + [f"✅ {h}" for h in hosts[nf:]]
        lines.append(f"_group status: {'firing' if nf else 'resolved'}_")
        att = {
            "color": GF_RED if nf else GF_GREEN,
            "title": f"{nf}🔥 {nr}✅ {a['name']}",
            "title_link": f"{GF_URL}/alerting/list",
            "text": "\n".join(lines),
            "footer": "Grafana v10.4.2",
            "ts": int(clock.sec),
        }
        add(f, "emoji_count_title", event(bot_msg(gf, attachments=[att]), ch2), FIRING if nf else RESOLVED, a["name"])

    # 8. Grafana IRM alert-group log posted to a log channel.
    irm = app_bot("grafana-irm", "Grafana IRM", "https://avatars.slack-edge.com/grafana-irm")
    log_ch = chan("oncall-log")
    for kind_key in ("escalated", "silenced", "ack", "new", "resolved", "unsilenced", "new"):
        a = rule()
        num = rng.randint(1500, 1900)
        who = mention(person())
        text = {
            "escalated": (
                f":arrow_up: Alert group #{num} *{a['name']}* escalated to step 2 — notifying {who} (phone call)",
                OTHER,
            ),
            "silenced": (f":mute: #{num} *{a['name']}* silenced for 30 minutes by {who}", OTHER),
            "ack": (f":eyes: {who} acknowledged alert group #{num} *{a['name']}*", OTHER),
            "new": (
                f":new: New alert group #{num} *{a['name']}* ({rng.randint(1, 5)} alerts) via Grafana Alerting",
                FIRING,
            ),
            "resolved": (f":white_check_mark: Alert group #{num} *{a['name']}* resolved by {who}", RESOLVED),
            "unsilenced": (f":loud_sound: #{num} *{a['name']}* unsilenced by {who}", OTHER),
        }[kind_key]
        add(f, "irm_log_channel", event(bot_msg(irm, text=text[0]), log_ch), text[1], a["name"])

    # 9. Webhook contact point into an in-house function that posts plain text.
    relay = webhook_bot("grafana-relay", "grafana-relay", icon_emoji=":bar_chart:")
    for st in "FRFRFR":
        a = rule()
        folder = rng.choice(["SRE", "Gitaly", "Database", "Runway"])
        url = f"{GF_URL}/alerting/grafana/{sid('', a['name'], 9).lower()}/view"
        if st == "F":
            text = f"grafana alert FIRING: {a['name']} (folder={folder}) value={a['value']:.4f} — {url}"
        else:
            text = f"grafana alert RESOLVED: {a['name']} (folder={folder}) — {url}"
        add(
            f,
            "webhook_function_text",
            event(bot_msg(relay, text=text), ch),
            FIRING if st == "F" else RESOLVED,
            a["name"],
        )


# ---------------------------------------------------------------------------
# datadog
# ---------------------------------------------------------------------------

DD_URL = "https://app.datadoghq.eu"
DD_COLOUR = {
    "Triggered": "d43f3a",
    "Re-Triggered": "d43f3a",
    "Recovered": "5cb85c",
    "Warn": "f0ad4e",
    "No Data": "7d7d7d",
}
DD_KIND = {"Triggered": FIRING, "Re-Triggered": FIRING, "Recovered": RESOLVED, "Warn": OTHER, "No Data": OTHER}
DD_CODES = {"T": "Triggered", "X": "Re-Triggered", "R": "Recovered", "W": "Warn", "N": "No Data"}


def monitor_id(name: str) -> int:
    return 40_000_000 + int(hashlib.sha1(name.encode()).hexdigest()[:6], 16) % 9_000_000


def fam_datadog() -> None:
    f = "datadog"
    ch, ch2, ch3 = chan("dd-alerts"), chan("payments-alerts"), chan("web-oncall")
    dd = app_bot("datadog-app", "Datadog", "https://avatars.slack-edge.com/datadog")

    def dd_att(title: str, name: str, status: str, text: str, **extra) -> dict:
        att = {
            "color": DD_COLOUR[status],
            "title": title,
            "title_link": f"{DD_URL}/monitors/{monitor_id(name)}?to_ts={int(clock.sec) * 1000}",
            "text": text,
            "footer": f"Datadog · Monitor #{monitor_id(name)}",
            "mrkdwn_in": ["text"],
        }
        att.update(extra)
        return att

    # 1. {{#is_alert}} / {{#is_warning}} / {{#is_recovery}} / {{#is_no_data}} bodies on host monitors.
    host_monitors = [
        "High CPU on web tier",
        "Memory pressure on ingest workers",
        "Disk usage above 85% on kafka brokers",
        "NTP offset too large on db hosts",
        "Load average high on ci-builders",
    ]
    for i, code in enumerate("TTRWTRNTR"):
        status = DD_CODES[code]
        name = host_monitors[i % len(host_monitors)]
        host = rng.choice(["web-04.prod", "ingest-w-11", "kafka-b3.eu1", "pgdb-02", "ci-builder-17"])
        body = {
            "Triggered": f":rotating_light: Above threshold ({rng.randint(86, 99)}) for 10 minutes on `{host}`.\nCheck <https://wiki.example.com/runbooks/hosts|the host runbook> and page #web-oncall if customers are affected.",
            "Warn": f":warning: Over the warning threshold on `{host}` — keep an eye on it, no page yet.",
            "Recovered": f":white_check_mark: Back under threshold on `{host}`. No action needed.",
            "No Data": f":grey_question: No data from `{host}` for 15m — is the agent down?",
        }[status]
        title = f"[{status} on {{host:{host}}}] {name}" if i % 2 else f"[{status}] {name}"
        att = dd_att(title, name, status, f"{body}\n\n@slack-dd-alerts @pagerduty-Infra")
        add(f, "is_alert_host_bodies", event(bot_msg(dd, attachments=[att]), ch), DD_KIND[status], name)

    # 2. Datadog Webhooks integration with a custom payload into a Slack incoming webhook.
    hook = webhook_bot("dd-webhooks", "datadog-webhook", icon_emoji=":dog:")
    wh_monitors = [
        "search-service apdex below 0.85",
        "payments-gateway 5xx spike - eu-west-1",
        "[prod] auth-service latency regression",
        "Image resize queue latency above 30s",
    ]
    for i, code in enumerate("TRWXRTRT"):
        status = DD_CODES[code]
        name = wh_monitors[i % len(wh_monitors)]
        prio = rng.choice(["P1", "P2", "P3"])
        alert_status = {"Triggered": "Alert", "Re-Triggered": "Alert", "Recovered": "OK", "Warn": "Warn"}[status]
        text = (
            f":dog: *{status}* — [{status}] {name}\n"
            f"%%% {rng.choice(['Latency budget exceeded for the last 10m.', 'See dashboard before paging.', 'Owner: team-core'])} %%%\n"
            f"`transition={status}` `alert_status={alert_status}` `priority={prio}`\n<{DD_URL}/monitors/{monitor_id(name)}|Open monitor>"
        )
        add(f, "webhooks_custom_payload", event(bot_msg(hook, text=text), ch2), DD_KIND[status], name)

    # 3. Event monitors.
    ev_monitors = {
        "Kubernetes OOMKilled events on checkout": (
            "sources:kubernetes reason:OOMKilled kube_namespace:checkout",
            "Container checkout-worker was OOMKilled",
        ),
        "Failed Chef runs on edge fleet": (
            "sources:chef status:error role:edge",
            "chef-client run failed on edge-ams-3",
        ),
        "Windows service crash events (billing-win)": (
            "source:windows event_id:7034 host:billing-win-*",
            "Service BillingSync terminated unexpectedly",
        ),
        "EC2 scheduled maintenance events": (
            "sources:amazon_ec2 tags:maintenance",
            "Instance i-0c41e2 scheduled for system-reboot",
        ),
    }
    ev_names = list(ev_monitors)
    for i, code in enumerate("TTRTRTR"):
        status = DD_CODES[code]
        name = ev_names[i % len(ev_names)]
        query, latest = ev_monitors[name]
        if status == "Triggered":
            body = f"More than 5 events matched `{query}` in the last 10m ({rng.randint(6, 40)} events).\nLatest: *{latest}*"
        else:
            body = f"Fewer than 5 events matched `{query}` in the last 10m."
        att = dd_att(f"[{status}] {name}", name, status, f"{body}\n\n@slack-dd-alerts")
        add(f, "event_monitor", event(bot_msg(dd, attachments=[att]), ch), DD_KIND[status], name)

    # 4. Watchdog monitors (the product name appears in the body; the monitor has its own name).
    wd_monitors = [
        "payments-api error rate anomaly (auto-detected)",
        "storefront latency anomalies - prod",
        "Unusual drop in orders-db throughput",
    ]
    for i, code in enumerate("TTRTRT"):
        status = DD_CODES[code]
        name = wd_monitors[i % len(wd_monitors)]
        if status == "Triggered":
            body = f"[Watchdog] Watchdog detected an *{rng.choice(['error rate increase', 'latency increase', 'throughput drop'])}* on service `{name.split()[0]}` (env:prod) starting {when(clock.sec)}.\nImpacted: {rng.randint(2, 30)}% of requests. <{DD_URL}/watchdog|View story>"
        else:
            body = "[Watchdog] The story is over: the metric returned to its usual range."
        att = dd_att(f"[{status}] {name}", name, status, f"{body}\n@slack-payments-alerts")
        add(f, "watchdog_monitor", event(bot_msg(dd, attachments=[att]), ch2), DD_KIND[status], name)

    # 5. SLO burn-rate alerts.
    slo_monitors = [
        "Checkout API availability - fast burn",
        "Login success rate SLO burn (99.5%)",
        "Search latency SLO - slow burn",
        "Public API 30d availability error budget",
    ]
    for i, code in enumerate("TWRTTWRT"):
        status = DD_CODES[code]
        name = slo_monitors[i % len(slo_monitors)]
        burn = rng.uniform(6.5, 30)
        body = {
            "Triggered": f"Burn rate is *{burn:.1f}* over the last 1h and {burn * 1.1:.1f} over 5m (threshold 14.4). Error budget remaining: {rng.randint(5, 80)}%.",
            "Warn": f"Burn rate {burn:.1f} is above the warning threshold (6) over the last 6h.",
            "Recovered": "Burn rate back below threshold on both windows.",
        }[status]
        att = dd_att(
            f"[{status}] {name}",
            name,
            status,
            f"{body}\n<{DD_URL}/slo?slo_id={sid('', name, 12).lower()}|SLO status page>\n@slack-web-oncall",
        )
        add(f, "slo_burn_rate", event(bot_msg(dd, attachments=[att]), ch3), DD_KIND[status], name)

    # 6. Synthetic tests.
    syn = [
        "Login flow - EU (browser)",
        "Public API health check /v2/status",
        "Checkout happy path - us-east-1",
        "Password reset email journey",
    ]
    for i, code in enumerate("TTRTRTTR"):
        status = DD_CODES[code]
        name = syn[i % len(syn)]
        if status == "Triggered":
            locs = rng.sample(["Frankfurt (AWS)", "London (AWS)", "Paris (AWS)", "N. Virginia (AWS)", "Tokyo (AWS)"], 3)
            body = f'Test *failed* from {len(locs)} of 5 locations ({", ".join(locs)}).\nStep {rng.randint(2, 7)} `Click on #place-order`: element\'s content should contain "Thank you".'
        else:
            body = "Test passed from all locations."
        att = dd_att(f"[Synthetics] [{status}] {name}", name, status, body, author_name="Datadog Synthetic Monitoring")
        add(f, "synthetics_test", event(bot_msg(dd, attachments=[att]), ch3), DD_KIND[status], name)

    # 7. Composite monitors; recovered bodies still show one sub-monitor in ALERT.
    comp = ["Checkout degraded: latency and 5xx together", "Orders DB saturated and queue backing up"]
    for i, code in enumerate("TRTNRTR"):
        status = DD_CODES[code]
        name = comp[i % 2]
        a_id, b_id = monitor_id(name + "a"), monitor_id(name + "b")
        sub = {
            "Triggered": ("ALERT", "ALERT"),
            "Recovered": ("OK", "ALERT"),
            "No Data": ("NO DATA", "OK"),
        }[status]
        body = f"Composite monitor `a && b`\n• a: #{a_id} p95 latency — *{sub[0]}*\n• b: #{b_id} 5xx ratio — *{sub[1]}*"
        att = dd_att(f"[{status}] {name}", name, status, f"{body}\n@slack-dd-alerts")
        add(f, "composite_monitor", event(bot_msg(dd, attachments=[att]), ch), DD_KIND[status], name)

    # 8. APM monitors with priority and scope in the title, details in fields.
    apm = [
        "cart p99 latency above 2s in prod",
        "checkout-api error rate above 2% (prod)",
        "recommendations hit rate below 60%",
        "graphql-gateway timeouts - us-west-2",
    ]
    for i, (prio, code) in enumerate(
        [("P1", "T"), ("P3", "W"), ("P1", "R"), ("P2", "T"), ("P2", "R"), ("P1", "X"), ("P3", "T"), ("P2", "R")]
    ):
        status = DD_CODES[code]
        name = apm[i % len(apm)]
        svc = name.split()[0]
        title = f"[{prio}] [{status} on {{service:{svc},env:prod}}] {name}"
        att = dd_att(
            title,
            name,
            status,
            rng.choice(
                [
                    "Investigate recent deploys first.",
                    "Traces: <https://app.datadoghq.eu/apm/traces|APM>",
                    "Owner: @team-commerce",
                ]
            ),
            fields=[
                {"title": "Priority", "value": prio, "short": True},
                {"title": "Service", "value": svc, "short": True},
                {"title": "Env", "value": "prod", "short": True},
                {"title": "Monitor ID", "value": str(monitor_id(name)), "short": True},
            ],
        )
        add(f, "apm_priority_fields", event(bot_msg(dd, attachments=[att]), ch3), DD_KIND[status], name)

    # 9. Log monitors with {{#is_renotify}} bodies.
    logs = [
        "Spike of ERROR logs in billing-worker",
        "Payment provider timeouts in logs (stripe)",
        "nginx upstream timed out - edge-ap",
    ]
    for i, (code, renotify) in enumerate(
        [("T", True), ("X", False), ("R", False), ("T", False), ("R", False), ("T", True)]
    ):
        status = DD_CODES[code]
        name = logs[i % len(logs)]
        if status == "Recovered":
            body = "Log count is back under 100 in 15m."
        elif renotify:
            body = f":bell: Still alerting — {rng.randint(120, 900)} matching logs in the last 15m (threshold 100). Renotifying every 60m."
        else:
            body = f"{rng.randint(120, 900)} matching logs in the last 15m (threshold 100).\n```\nERROR upstream timed out (110: Connection timed out) while reading response header\n```"
        att = dd_att(f"[{status}] {name}", name, status, f"{body}\n@slack-payments-alerts")
        add(f, "log_monitor_renotify", event(bot_msg(dd, attachments=[att]), ch2), DD_KIND[status], name)


# ---------------------------------------------------------------------------
# relayed titles (PagerDuty, Opsgenie)
# ---------------------------------------------------------------------------

DD_RELAY = [
    "checkout 5xx ratio above 2%",
    "Kubelet PLEG latency high on gke-prod",
    "Queue depth above 10k on notifications",
]
CW_RELAY = ["orders-api-5xx-rate", "prod-rds-ledger-FreeStorageSpace-low", "lambda-thumbnailer-throttles"]
ZBX_RELAY = [
    "Zabbix agent is not available (for 3m)",
    "Interface ge-0/0/1 (uplink-dc2): Link down",
    "/srv: Disk space is critically low (used over 95%)",
]
NATIVE = [
    "Checkout success rate below 97%",
    "Manual page: elevated 502s on api.example.com",
    "Nightly ledger reconciliation did not complete",
    "Customer-reported: CSV exports stuck in pending",
    "Kafka cluster kfk-prod-2 has offline partitions",
    "EU login latency degraded after CDN change",
]


def relayed(source: str, status: str = "firing") -> tuple[str, str]:
    """Incident/alert title as the upstream tool sends it, and the gold alert name."""
    if source in ("am_default", "am_custom", "grafana", "am_bare"):
        a = rule()
        n = rng.choice([1, 1, 2, 3])
        if source == "am_default":
            return am_default_title(a, "firing", n), a["name"]
        if source == "am_custom":
            return f"{a['name']}: {a['summary']}", a["name"]
        if source == "am_bare":
            return a["name"], a["name"]
        return f"[FIRING:{n}] {a['name']} ({rng.choice(['SRE', 'Gitaly', 'Database'])} {a['labels']['env']})", a["name"]
    if source == "datadog":
        name = rng.choice(DD_RELAY)
        word = "Recovered" if status == "resolved" else "Triggered"
        return f"[P2] [{word} on {{env:prod}}] {name}", name
    if source == "cloudwatch":
        name = rng.choice(CW_RELAY)
        return f'ALARM: "{name}" in EU (Ireland)', name
    if source == "zabbix":
        name = rng.choice(ZBX_RELAY)
        return f"Problem: {name}", name
    name = rng.choice(NATIVE)
    return name, name


# ---------------------------------------------------------------------------
# pagerduty
# ---------------------------------------------------------------------------

PD_URL = "https://acme-sre.pagerduty.com"
PD_SERVICES = ["GitLab.com Production", "Checkout API", "Payments Platform", "Data Pipeline", "Edge / CDN"]
PD_EMOJI = {"Triggered": ":red_circle:", "Acknowledged": ":large_yellow_circle:", "Resolved": ":large_green_circle:"}


def pd_id(num: int) -> str:
    return sid("Q", f"pd{num}", 13)


def pd_blocks(
    num: int, title: str, status: str, svc: str, assignee: str, priority: str | None, via: str, note: str | None = None
) -> list[dict]:
    blocks = [
        section(f"{PD_EMOJI[status]} *{status}* · <{PD_URL}/incidents/{pd_id(num)}|#{num} {title}>"),
        fields_only(
            [
                f"*Service*\n{svc}",
                f"*Urgency*\n{'High' if priority in ('P1', 'P2') else rng.choice(['High', 'Low'])}",
                f"*Assigned to*\n{assignee}",
                f"*Priority*\n{priority or '--'}",
            ]
        ),
        context(f"Created via {via} · {when(clock.sec)}" + (f" · {note}" if note else "")),
    ]
    if status == "Triggered":
        blocks.append(buttons(("Acknowledge", "ack", "primary"), ("Resolve", "resolve"), ("More actions", "more")))
    elif status == "Acknowledged":
        blocks.append(buttons(("Resolve", "resolve", "primary"), ("More actions", "more")))
    return blocks


VIA = {
    "am_default": "Prometheus Alertmanager",
    "am_custom": "Prometheus Alertmanager",
    "am_bare": "Prometheus Alertmanager",
    "grafana": "Grafana",
    "datadog": "Datadog",
    "cloudwatch": "Amazon CloudWatch",
    "zabbix": "Zabbix",
    "native": "Web UI",
}


def fam_pagerduty() -> None:
    f = "pagerduty"
    ch, ch2 = chan("incidents"), chan("pd-gitlab-prod")
    pd = app_bot("pagerduty", "PagerDuty", "https://avatars.slack-edge.com/pagerduty")
    num = 48_100

    def next_num() -> int:
        nonlocal num
        num += rng.randint(1, 40)
        return num

    def card(
        n: int,
        title: str,
        status: str,
        source: str,
        priority: str | None = None,
        note: str | None = None,
        assignee: str | None = None,
    ) -> dict:
        assignee = assignee or FULL_NAMES[person()]
        blocks = pd_blocks(n, title, status, rng.choice(PD_SERVICES), assignee, priority, VIA[source], note)
        return bot_msg(pd, text=f"[#{n}] {status}: {title}", blocks=blocks)

    status_kind = {"Triggered": FIRING, "Acknowledged": OTHER, "Resolved": RESOLVED}

    # 1. Incident cards posted as new messages, one per status change.
    for status, source in [
        ("Triggered", "am_custom"),
        ("Triggered", "native"),
        ("Acknowledged", "am_bare"),
        ("Triggered", "datadog"),
        ("Resolved", "am_custom"),
        ("Triggered", "grafana"),
        ("Acknowledged", "native"),
        ("Triggered", "am_bare"),
        ("Resolved", "native"),
        ("Triggered", "cloudwatch"),
    ]:
        title, alert = relayed(source, status.lower())
        add(
            f,
            "v3_card_blocks",
            event(card(next_num(), title, status, source, rng.choice([None, "P1", "P2", "P3"])), ch),
            status_kind[status],
            alert,
        )

    # 2. The card edited in place: the new status wins.
    for (old, new, note), source in zip(
        [
            ("Triggered", "Acknowledged", None),
            ("Triggered", "Resolved", None),
            ("Acknowledged", "Resolved", None),
            ("Triggered", "Acknowledged", None),
            ("Acknowledged", "Triggered", "Unacknowledged (acknowledgement timed out)"),
            ("Triggered", "Resolved", "Resolved automatically by the integration"),
            ("Triggered", "Triggered", "Priority set to P1"),
            ("Acknowledged", "Acknowledged", "Reassigned to " + FULL_NAMES["noor"]),
        ],
        ["am_default", "am_custom", "native", "grafana", "am_bare", "am_default", "native", "am_custom"],
        strict=True,
    ):
        title, alert = relayed(source)
        n = next_num()
        assignee = FULL_NAMES[person()]
        prev = card(n, title, old, source, "P3", assignee=assignee)
        newm = card(n, title, new, source, "P1" if note and "P1" in note else "P3", note, assignee=assignee)
        kind = status_kind[new] if old != new and not note else (RESOLVED if new == "Resolved" else OTHER)
        add(f, "v3_card_edit", changed(newm, prev, ch), kind, alert)

    # 3. Thread activity under an incident card (the card itself was posted earlier).
    for what, source in [
        ("note", "am_custom"),
        ("priority", "native"),
        ("escalated", "grafana"),
        ("reassigned", "am_bare"),
        ("resolved", "am_default"),
        ("grouped", "am_bare"),
        ("ack", "native"),
        ("auto_resolved", "am_custom"),
        ("snoozed", "datadog"),
    ]:
        title, alert = relayed(source)
        n = next_num()
        parent_ts = clock.next()
        link = f"<{PD_URL}/incidents/{pd_id(n)}|#{n} {title}>"
        who = FULL_NAMES[person()]
        text, kind = {
            "note": (f':memo: {who} added a note to {link}: "rolled back deploy, watching error rate"', OTHER),
            "priority": (f":arrow_up: Priority changed from P3 to P1 on {link}", OTHER),
            "escalated": (f":arrow_double_up: {link} escalated to level 2 (Platform Leads)", OTHER),
            "reassigned": (f":bust_in_silhouette: {link} reassigned from {who} to {FULL_NAMES['lars']}", OTHER),
            "resolved": (f":large_green_circle: Resolved by {who} — {link}", RESOLVED),
            "grouped": (f":bell: New alert grouped into {link} ({rng.randint(2, 6)} alerts)", FIRING),
            "ack": (f":large_yellow_circle: Acknowledged by {who} — {link}", OTHER),
            "auto_resolved": (
                f":large_green_circle: Resolved automatically by Prometheus Alertmanager — {link}",
                RESOLVED,
            ),
            "snoozed": (f":hourglass: {link} snoozed for 4h by {who}", OTHER),
        }[what]
        add(f, "thread_activity", event(bot_msg(pd, text=text), ch, parent_ts, pd["user"]), kind, alert)

    # 4. v2-style attachment cards for Alertmanager's default PagerDuty description.
    colours = {"Triggered": "e01e5a", "Acknowledged": "ecb22e", "Resolved": "2eb67d"}
    for status in [
        "Triggered",
        "Triggered",
        "Acknowledged",
        "Resolved",
        "Triggered",
        "Acknowledged",
        "Resolved",
        "Triggered",
    ]:
        title, alert = relayed("am_default")
        n = next_num()
        att = {
            "color": colours[status],
            "title": f"#{n}: {title}",
            "title_link": f"{PD_URL}/incidents/{pd_id(n)}",
            "fields": [
                {"title": "Status", "value": status, "short": True},
                {"title": "Urgency", "value": "High", "short": True},
                {"title": "Assigned", "value": FULL_NAMES[person()], "short": True},
                {"title": "Service", "value": "GitLab.com Production", "short": True},
            ],
            "footer": "PagerDuty",
            "actions": legacy_buttons(("Acknowledge", "ack"), ("Resolve", "resolve")) if status != "Resolved" else [],
        }
        if not att["actions"]:
            del att["actions"]
        add(
            f, "v2_fields_alertmanager", event(bot_msg(pd, text="", attachments=[att]), ch2), status_kind[status], alert
        )

    # 5. Grafana-originated incidents; escalation/reassignment cards still read Triggered.
    for status, note in [
        ("Triggered", None),
        ("Resolved", None),
        ("Triggered", None),
        ("Triggered", "Escalated to level 2"),
        ("Triggered", None),
        ("Triggered", "Reassigned to " + FULL_NAMES["camille"]),
        ("Resolved", None),
        ("Triggered", None),
    ]:
        title, alert = relayed("grafana")
        kind = OTHER if note else status_kind[status]
        add(f, "grafana_relay_cards", event(card(next_num(), title, status, "grafana", None, note), ch2), kind, alert)

    # 6. Datadog, Zabbix and CloudWatch incidents.
    for status, source in [
        ("Triggered", "datadog"),
        ("Resolved", "datadog"),
        ("Triggered", "zabbix"),
        ("Acknowledged", "zabbix"),
        ("Triggered", "cloudwatch"),
        ("Resolved", "cloudwatch"),
        ("Triggered", "datadog"),
        ("Resolved", "zabbix"),
    ]:
        title, alert = relayed(source, status.lower())
        add(f, "other_vendor_cards", event(card(next_num(), title, status, source), ch), status_kind[status], alert)

    # 7. Native incidents (web UI / e-mail integration), including priority and note updates posted as cards.
    for status, note in [
        ("Triggered", None),
        ("Triggered", None),
        ("Resolved", None),
        ("Triggered", "Priority changed to P1"),
        ("Acknowledged", "Note added by " + FULL_NAMES["ines"]),
        ("Resolved", None),
        ("Triggered", None),
    ]:
        title, alert = relayed("native")
        kind = OTHER if note else status_kind[status]
        add(f, "native_incidents", event(card(next_num(), title, status, "native", "P2", note), ch), kind, alert)

    # 8. In-house bridge for PagerDuty v3 webhooks: event type printed verbatim.
    bridge = webhook_bot("pd-bridge", "pd-events", icon_emoji=":pager:")
    for etype, source in [
        ("incident.triggered", "am_custom"),
        ("incident.acknowledged", "native"),
        ("incident.resolved", "am_bare"),
        ("incident.escalated", "grafana"),
        ("incident.reassigned", "datadog"),
        ("incident.priority_updated", "am_default"),
        ("incident.resolved", "native"),
        ("incident.triggered", "cloudwatch"),
    ]:
        title, alert = relayed(source, "resolved" if etype.endswith("resolved") else "firing")
        n = next_num()
        extra = {
            "incident.priority_updated": " (P3 → P1)",
            "incident.reassigned": f" → {FULL_NAMES['oscar']}",
            "incident.escalated": " → level 2",
        }.get(etype, "")
        text = f"`{etype}` <{PD_URL}/incidents/{pd_id(n)}|#{n}> *{title}*{extra} — service: {rng.choice(PD_SERVICES)}"
        kind = {"incident.triggered": FIRING, "incident.resolved": RESOLVED}.get(etype, OTHER)
        add(f, "webhook_v3_bridge_text", event(bot_msg(bridge, text=text), ch2), kind, alert)


# ---------------------------------------------------------------------------
# opsgenie
# ---------------------------------------------------------------------------

OG_URL = "https://acme.app.eu.opsgenie.com"
HEARTBEATS = ["nightly-db-dump-prod", "ledger-sync-worker", "k8s-cronjob-invoice-mailer", "backup-verify-eu"]


def fam_opsgenie() -> None:
    f = "opsgenie"
    ch, ch2 = chan("opsgenie-alerts"), chan("ops-escalations")
    og = app_bot("opsgenie", "Opsgenie", "https://avatars.slack-edge.com/opsgenie")
    tiny = 8_000

    def next_tiny() -> int:
        nonlocal tiny
        tiny += rng.randint(1, 60)
        return tiny

    def og_card(
        t: int, title: str, status: str, source: str, prio: str = "P3", by: str | None = None, note: str | None = None
    ) -> dict:
        colour = {
            "Open": "d0021b" if prio in ("P1", "P2") else "f5a623",
            "Acknowledged": "4a90e2",
            "Closed": "7ed321",
            "Snoozed": "9b9b9b",
        }[status]
        head = {
            "Open": ":rotating_light: New alert",
            "Acknowledged": f"Acknowledged by {by}",
            "Closed": f"Closed by {by}",
            "Snoozed": f"Snoozed by {by} until {when(clock.sec + 3600)}",
        }[status]
        if note:
            head = f"{head} · {note}"
        acts = {
            "Open": (
                ("Acknowledge", "ack"),
                ("Close", "close"),
                ("Snooze", "snooze"),
                ("Add Note", "addnote"),
                ("Take Ownership", "own"),
                ("Assign", "assign"),
                ("Escalate", "escalate"),
            ),
            "Acknowledged": (("Close", "close"), ("Add Note", "addnote"), ("Unacknowledge", "unack")),
            "Snoozed": (("Close", "close"), ("Add Note", "addnote")),
            "Closed": (),
        }[status]
        att = {
            "color": colour,
            "title": f"#{t}: {title}",
            "title_link": f"{OG_URL}/alert/detail/{uuid.UUID(int=t * 7919, version=4)}/details",
            "fields": [
                {"title": "Priority", "value": prio, "short": True},
                {"title": "Status", "value": status, "short": True},
                {"title": "Source", "value": source, "short": True},
                {"title": "Responders", "value": rng.choice(["SRE", "Platform", "Payments"]), "short": True},
            ],
            "footer": "Opsgenie",
            "callback_id": f"og-{t}",
        }
        if acts:
            att["actions"] = legacy_buttons(*acts)
        return bot_msg(og, text=head, attachments=[att])

    og_kind = {"Open": FIRING, "Acknowledged": OTHER, "Closed": RESOLVED, "Snoozed": OTHER}
    src_name = {
        "am_default": "Prometheus",
        "am_custom": "Prometheus",
        "am_bare": "Prometheus",
        "grafana": "Grafana",
        "datadog": "Datadog",
        "cloudwatch": "CloudWatch",
        "zabbix": "Zabbix",
        "native": "API",
    }

    # 1. New-alert cards with action buttons; closed alerts re-posted as closed cards.
    for status, source in [
        ("Open", "am_custom"),
        ("Open", "native"),
        ("Closed", "am_bare"),
        ("Open", "datadog"),
        ("Open", "grafana"),
        ("Closed", "native"),
        ("Open", "am_bare"),
        ("Closed", "am_custom"),
        ("Open", "zabbix"),
        ("Open", "native"),
    ]:
        title, alert = relayed(source, "resolved" if status == "Closed" else "firing")
        by = FULL_NAMES[person()] if status == "Closed" else None
        add(
            f,
            "app_card_buttons",
            event(og_card(next_tiny(), title, status, src_name[source], rng.choice(["P1", "P2", "P3"]), by), ch),
            og_kind[status],
            alert,
        )

    # 2. One-line action log posts.
    for action, source in [
        ("ack", "am_custom"),
        ("snooze", "native"),
        ("note", "grafana"),
        ("assign", "am_bare"),
        ("escalate", "datadog"),
        ("close", "am_custom"),
        ("own", "native"),
        ("close", "zabbix"),
        ("unack", "am_bare"),
        ("priority", "native"),
    ]:
        title, alert = relayed(source)
        t = next_tiny()
        who = FULL_NAMES[person()]
        ref = f"*<{OG_URL}/alert/detail/{t}|#{t}>* {title}"
        text, kind = {
            "ack": (f"*{who}* acknowledged alert {ref}", OTHER),
            "snooze": (f"*{who}* snoozed alert {ref} until {when(clock.sec + 7200)}", OTHER),
            "note": (f"*{who}* added note to alert {ref}: _looking at the canary, will update_", OTHER),
            "assign": (f"*{who}* assigned alert {ref} to *{FULL_NAMES['hiro']}*", OTHER),
            "escalate": (f"*{who}* escalated alert {ref} to *Platform_escalation*", OTHER),
            "close": (f"*{who}* closed alert {ref}", RESOLVED),
            "own": (f"*{who}* took ownership of alert {ref}", OTHER),
            "unack": (f"*{who}* unacknowledged alert {ref}", OTHER),
            "priority": (f"*{who}* updated priority of alert {ref} from P3 to P1", OTHER),
        }[action]
        add(f, "action_log_lines", event(bot_msg(og, text=text), ch), kind, alert)

    # 3. Cards edited in place after a Slack button action.
    for (old, new, note), source in zip(
        [
            ("Open", "Acknowledged", None),
            ("Open", "Closed", None),
            ("Acknowledged", "Closed", None),
            ("Open", "Snoozed", None),
            ("Open", "Open", "Priority changed from P3 to P1"),
            ("Acknowledged", "Closed", None),
            ("Open", "Open", "Assigned to " + FULL_NAMES["grace"]),
            ("Open", "Open", "Escalated to Platform_escalation (level 2)"),
        ],
        ["am_custom", "native", "am_bare", "grafana", "native", "datadog", "am_default", "cloudwatch"],
        strict=True,
    ):
        title, alert = relayed(source, "resolved" if new == "Closed" else "firing")
        t = next_tiny()
        by = FULL_NAMES[person()]
        prev = og_card(t, title, old, src_name[source], "P3", by)
        newm = og_card(t, title, new, src_name[source], "P1" if note and "P1" in note else "P3", by, note)
        kind = OTHER if note else og_kind[new]
        add(f, "app_card_edit", changed(newm, prev, ch), kind, alert)

    # 4. Heartbeat alerts: the title keeps saying "expired" on the closed card.
    for i, status in enumerate(["Open", "Open", "Closed", "Open", "Acknowledged", "Closed", "Open", "Closed"]):
        hb = HEARTBEATS[i % len(HEARTBEATS)]
        by = "System" if status == "Closed" else FULL_NAMES[person()]
        msg = og_card(next_tiny(), f"{hb} is expired.", status, "Heartbeat", "P2", by if status != "Open" else None)
        add(f, "heartbeat_cards", event(msg, ch2), og_kind[status], hb)

    # 5. Alertmanager-sourced alerts (default and custom message templates).
    for status, source in [
        ("Open", "am_default"),
        ("Open", "am_custom"),
        ("Closed", "am_default"),
        ("Acknowledged", "am_bare"),
        ("Open", "am_custom"),
        ("Snoozed", "am_default"),
        ("Closed", "am_custom"),
        ("Open", "am_bare"),
        ("Acknowledged", "am_default"),
    ]:
        title, alert = relayed(source)
        by = None if status == "Open" else FULL_NAMES[person()]
        add(
            f,
            "prometheus_sourced",
            event(og_card(next_tiny(), title, status, "Prometheus", rng.choice(["P1", "P2", "P3"]), by), ch2),
            og_kind[status],
            alert,
        )

    # 6. Grafana / Datadog / CloudWatch / Zabbix sourced alerts.
    for status, source in [
        ("Open", "grafana"),
        ("Closed", "datadog"),
        ("Open", "cloudwatch"),
        ("Acknowledged", "zabbix"),
        ("Open", "datadog"),
        ("Closed", "cloudwatch"),
        ("Open", "zabbix"),
        ("Closed", "grafana"),
    ]:
        title, alert = relayed(source, "resolved" if status == "Closed" else "firing")
        by = None if status == "Open" else FULL_NAMES[person()]
        add(
            f,
            "other_vendor_sourced",
            event(og_card(next_tiny(), title, status, src_name[source], "P2", by), ch),
            og_kind[status],
            alert,
        )

    # 7. Jira Service Management (Opsgenie's successor) alert notifications.
    jsm = app_bot("jsm-ops", "Jira Service Management", "https://avatars.slack-edge.com/jsm")
    for what, source in [
        ("created", "am_custom"),
        ("created", "native"),
        ("ack", "grafana"),
        ("closed", "am_bare"),
        ("priority", "native"),
        ("created", "datadog"),
        ("closed", "native"),
    ]:
        title, alert = relayed(source, "resolved" if what == "closed" else "firing")
        key = f"ALRT-{rng.randint(1200, 9800)}"
        who = FULL_NAMES[person()]
        text, kind = {
            "created": (
                f":rotating_light: *P{rng.randint(1, 3)}* alert created — *{title}* · Responders: Platform · Status: Open · <{OG_URL}/jsm/ops/alerts/{key}|{key}>",
                FIRING,
            ),
            "ack": (f":eyes: *{title}* acknowledged by {who} · <{OG_URL}/jsm/ops/alerts/{key}|{key}>", OTHER),
            "closed": (
                f":white_check_mark: *{title}* closed by {who} · <{OG_URL}/jsm/ops/alerts/{key}|{key}>",
                RESOLVED,
            ),
            "priority": (
                f":arrow_up: Priority of *{title}* changed from P3 to P1 by {who} · <{OG_URL}/jsm/ops/alerts/{key}|{key}>",
                OTHER,
            ),
        }[what]
        add(f, "jsm_operations", event(bot_msg(jsm, text=text), ch2), kind, alert)

    # 8. Escalation and responder notices.
    for what, source in [
        ("escalated", "am_custom"),
        ("not_acked", "native"),
        ("priority", "am_bare"),
        ("assigned", "grafana"),
        ("next", "datadog"),
        ("responder", "native"),
    ]:
        title, alert = relayed(source)
        t = next_tiny()
        text = {
            "escalated": f":warning: Alert #{t} escalated to *Platform_escalation* (level 2) — not acknowledged in 10m: {title}",
            "not_acked": f":hourglass_flowing_sand: Alert #{t} has not been acknowledged for 15m, notifying the next on-call: {title}",
            "priority": f":arrow_up_small: Priority of alert #{t} raised to P1: {title}",
            "assigned": f":bust_in_silhouette: Alert #{t} assigned to {FULL_NAMES['priya']}: {title}",
            "next": f":telephone_receiver: Escalating alert #{t} to the secondary schedule: {title}",
            "responder": f":busts_in_silhouette: Team *Database* added as responder to alert #{t}: {title}",
        }[what]
        add(f, "escalation_notices", event(bot_msg(og, text=text), ch2), OTHER, alert)


# ---------------------------------------------------------------------------
# zabbix
# ---------------------------------------------------------------------------

ZBX = [
    "High CPU utilization (over 90% for 5m)",
    "Load average is too high (per CPU load over 1.5 for 5m)",
    "High memory utilization (over 90% for 5m)",
    "/var/lib/mysql: Disk space is low (used over 80%)",
    "/: Running out of free inodes (free under 10%)",
    "Zabbix agent is not available (for 3m)",
    "Unavailable by ICMP ping",
    "High ICMP ping response time",
    "Too many processes running (over 300)",
    "SSL certificate expires in less than 14 days",
    "Interface eth0: High bandwidth usage (over 90%)",
    "System time is out of sync (diff over 60s)",
    "Replication lag is too high (over 30s)",
    "Host has been restarted (uptime under 10m)",
    "Failed to fetch nginx stub status page",
    "Service sshd is not running",
    "Number of established TCP connections is high",
]
ZBX_NET = [
    "Interface Gi0/1(uplink-fw1): Link down",
    "High ICMP ping loss",
    "Interface Te1/0/48(core-trunk): High error rate (over 2 for 5m)",
    "Unavailable by ICMP ping",
]
ZBX_HOSTS = ["db-7.dc1.example.net", "web-12", "lb-02.fra", "mq-3", "app-prod-05", "nas-01", "cache-04.dc2.example.net"]
ZBX_SEV_COLOUR = {
    "Disaster": "e45959",
    "High": "e97659",
    "Average": "ffa059",
    "Warning": "ffc859",
    "Information": "7499ff",
}
ZBX_URL = "https://zabbix.dc1.example.net"


def fam_zabbix() -> None:
    f = "zabbix"
    ch, ch2 = chan("zabbix"), chan("noc")
    zbx = webhook_bot("zabbix-hook", "Zabbix", icon_url="https://assets.zabbix.com/img/favicon_48.png")
    names = list(ZBX)
    rng.shuffle(names)
    pool = iter(names * 6)

    def problem() -> dict:
        return {
            "name": next(pool),
            "host": rng.choice(ZBX_HOSTS),
            "sev": rng.choice(["High", "High", "Average", "Disaster", "Warning"]),
            "eid": rng.randint(3_100_000, 3_999_999),
            "start": int(clock.sec) - rng.randint(120, 5400),
            "dur": f"{rng.randint(1, 59)}m {rng.randint(0, 59)}s",
            "user": FULL_NAMES[person()],
        }

    def zdate(sec: int) -> tuple[str, str]:
        return when(sec, "%Y.%m.%d"), when(sec, "%H:%M:%S")

    # 1. Zabbix 6/7 default message templates posted verbatim (subject in bold, then the body).
    for code in "PPRUPRUPR":
        p = problem()
        d, t = zdate(p["start"])
        rd, rt = zdate(int(clock.sec))
        if code == "P":
            text = f"*Problem: {p['name']}*\nProblem started at {t} on {d}\nProblem name: {p['name']}\nHost: {p['host']}\nSeverity: {p['sev']}\nOperational data: {rng.randint(80, 99)} %\nOriginal problem ID: {p['eid']}"
        elif code == "R":
            text = f"*Resolved in {p['dur']}: {p['name']}*\nProblem has been resolved at {rt} on {rd}\nProblem name: {p['name']}\nProblem duration: {p['dur']}\nHost: {p['host']}\nSeverity: {p['sev']}\nOriginal problem ID: {p['eid']}"
        else:
            action = rng.choice(["acknowledged", "commented", "changed severity to High and acknowledged"])
            text = f"*Updated problem in {p['dur']}: {p['name']}*\n{p['user']} {action} problem at {rd} {rt}.\nlooking into it\n\nCurrent problem status is PROBLEM, age is {p['dur']}, acknowledged: Yes."
        add(
            f,
            "default_message_templates",
            event(bot_msg(zbx, text=text), ch),
            {"P": FIRING, "R": RESOLVED, "U": OTHER}[code],
            p["name"],
        )

    # 2. Python alertscript: colour by severity, status in a field, host prefix in the title.
    py = webhook_bot("zabbix-py", "zabbix-alerts", icon_emoji=":zabbix:")
    for code in "PRPRPRPR":
        p = problem()
        status = "PROBLEM" if code == "P" else "RESOLVED"
        att = {
            "color": ZBX_SEV_COLOUR[p["sev"]] if code == "P" else "009900",
            "title": f"{p['host']}: {p['name']}",
            "title_link": f"{ZBX_URL}/tr_events.php?triggerid={p['eid'] // 7}",
            "fields": [
                {"title": "Status", "value": status, "short": True},
                {"title": "Severity", "value": p["sev"], "short": True},
                {"title": "Host", "value": p["host"], "short": True},
                {"title": "Event age" if code == "P" else "Duration", "value": p["dur"], "short": True},
            ],
            "fallback": f"{status}: {p['host']}: {p['name']}",
            "footer": f"Zabbix · event {p['eid']}",
        }
        add(
            f,
            "severity_colour_fields",
            event(bot_msg(py, attachments=[att]), ch2),
            FIRING if code == "P" else RESOLVED,
            p["name"],
        )

    # 3. One-line shell alertscript with emoji, severity and pipes (Warning is a severity, not a state).
    sh = webhook_bot("zabbix-sh", "zabbix", icon_emoji=":rotating_light:")
    for code in "PRPAPRPR":
        p = problem()
        if code == "P":
            text = f"🔴 *{p['sev']}* | {p['host']} | {p['name']}"
        elif code == "R":
            text = f"🟢 *OK* | {p['host']} | {p['name']} | duration {p['dur']}"
        else:
            text = f'🟡 *ACK* | {p["host"]} | {p["name"]} | by {p["user"]}: "on it"'
        add(
            f,
            "emoji_pipe_line",
            event(bot_msg(sh, text=text), ch2),
            {"P": FIRING, "R": RESOLVED, "A": OTHER}[code],
            p["name"],
        )

    # 4. Bot-token media type posting Block Kit with event tags.
    zapp = app_bot("zabbix-app", "Zabbix", "https://avatars.slack-edge.com/zabbix")
    for code in "PRPPRRPR":
        p = problem()
        tags = ", ".join(
            rng.sample(
                ["scope:availability", "scope:performance", "service:orders", "class:os", "target:linux", "team:dba"], 3
            )
        )
        if code == "P":
            blocks = [
                header(f":red_circle: PROBLEM: {p['name']}"),
                fields_only(
                    [
                        f"*Host*\n{p['host']}",
                        f"*Severity*\n{p['sev']}",
                        f"*Started*\n{when(p['start'], '%Y-%m-%d %H:%M')}",
                        f"*Event ID*\n<{ZBX_URL}/tr_events.php?eventid={p['eid']}|{p['eid']}>",
                    ]
                ),
                context(f"Tags: {tags}"),
            ]
            text = f"PROBLEM: {p['name']} on {p['host']}"
        else:
            blocks = [
                header(f":large_green_circle: RESOLVED: {p['name']}"),
                fields_only(
                    [
                        f"*Host*\n{p['host']}",
                        f"*Severity*\n{p['sev']}",
                        f"*Duration*\n{p['dur']}",
                        f"*Event ID*\n{p['eid']}",
                    ]
                ),
                context(f"Tags: {tags}"),
            ]
            text = f"RESOLVED: {p['name']} on {p['host']}"
        add(
            f,
            "app_blocks_tags",
            event(bot_msg(zapp, text=text, blocks=blocks), ch),
            FIRING if code == "P" else RESOLVED,
            p["name"],
        )

    # 5. Update operations (acknowledge, severity change, suppress, comment, unacknowledge).
    for action in (
        "changed severity from Average to High",
        "acknowledged the problem",
        "suppressed the problem until 18:00",
        "commented: waiting for the vendor",
        "unacknowledged the problem",
        "acknowledged and changed severity to Disaster",
    ):
        p = problem()
        text = f":pencil: {p['host']} — {p['name']}\n*{p['user']}* {action}."
        add(f, "update_operations", event(bot_msg(sh, text=text), ch2), OTHER, p["name"])

    # 6. Script that edits its own problem post on acknowledge and on recovery.
    notify = app_bot("zbx-notify", "zbx-notify", "https://avatars.slack-edge.com/zbx-notify")

    def zpost(p: dict, state: str, ts: str | None = None) -> dict:
        if state == "problem":
            text = f":red_circle: *{p['sev']}* problem on `{p['host']}`: *{p['name']}*\nStarted {when(p['start'])} · event {p['eid']} · <{ZBX_URL}/tr_events.php?eventid={p['eid']}|Zabbix>"
        elif state == "ack":
            text = f":red_circle: *{p['sev']}* problem on `{p['host']}`: *{p['name']}*\nStarted {when(p['start'])} · event {p['eid']} · <{ZBX_URL}/tr_events.php?eventid={p['eid']}|Zabbix>\n:eyes: acknowledged by {p['user']}"
        else:
            text = f":white_check_mark: ~{p['sev']} problem on `{p['host']}`: *{p['name']}*~\nResolved after {p['dur']} · event {p['eid']}"
        return bot_msg(notify, text=text, ts=ts)

    for flow in (["problem", "resolved"], ["problem", "ack", "resolved"], ["problem>resolved"], ["ack>resolved"]):
        p = problem()
        if ">" in flow[0]:
            old, new = flow[0].split(">")
            prev = zpost(p, old)
            add(f, "recovery_edits_post", changed(zpost(p, new, prev["ts"]), prev, ch), RESOLVED, p["name"])
            continue
        prev = zpost(p, "problem")
        add(f, "recovery_edits_post", event(prev, ch), FIRING, p["name"])
        for state in flow[1:]:
            new = zpost(p, state, prev["ts"])
            add(f, "recovery_edits_post", changed(new, prev, ch), RESOLVED if state == "resolved" else OTHER, p["name"])
            prev = new

    # 7. Problem post with the recovery as a thread reply.
    for flow in ("both", "both", "both", "reply_only"):
        p = problem()
        parent_ts = None
        if flow == "both":
            parent = bot_msg(notify, text=f":red_circle: {p['host']}: *{p['name']}* ({p['sev']})")
            parent_ts = parent["ts"]
            add(f, "thread_recovery_reply", event(parent, ch2), FIRING, p["name"])
        reply = bot_msg(notify, text=f"Recovered: *{p['name']}* on {p['host']} (duration {p['dur']})")
        add(
            f,
            "thread_recovery_reply",
            event(reply, ch2, parent_ts or clock.next(), notify["user"]),
            RESOLVED,
            p["name"],
        )

    # 8. Legacy "{TRIGGER.STATUS}: {TRIGGER.NAME}" subject with an item line.
    for code in "PRPRPR":
        p = problem()
        status = "PROBLEM" if code == "P" else "OK"
        text = f"{status}: {p['name']}\nHost: {p['host']}\nSeverity: {p['sev']}\nItem value: {rng.randint(1, 99)}\nEvent ID: {p['eid']}"
        add(
            f,
            "trigger_status_subject",
            event(bot_msg(zbx, text=text), ch),
            FIRING if code == "P" else RESOLVED,
            p["name"],
        )

    # 9. Network team script: @channel on Disaster, "was DISASTER" on recovery.
    net = webhook_bot("zabbix-net", "netmon", icon_emoji=":satellite_antenna:")
    for i, code in enumerate(["D", "O", "H", "D", "O", "H", "O"]):
        name = ZBX_NET[i % len(ZBX_NET)]
        host = rng.choice(["dc2-core-sw1", "fra-edge-rtr2", "ams-tor-14", "dc1-fw-a"])
        if code == "D":
            text = f"<!channel> *DISASTER* on `{host}`: {name}"
        elif code == "H":
            text = f"*HIGH* on `{host}`: {name}"
        else:
            text = f"*OK* on `{host}`: {name} (was {rng.choice(['DISASTER', 'HIGH'])} for {rng.randint(1, 40)}m)"
        add(
            f, "network_channel_mention", event(bot_msg(net, text=text), ch2), RESOLVED if code == "O" else FIRING, name
        )


# ---------------------------------------------------------------------------
# cloudwatch
# ---------------------------------------------------------------------------

REGIONS = {
    "us-east-1": "US East (N. Virginia)",
    "eu-west-1": "EU (Ireland)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "eu-central-1": "EU (Frankfurt)",
    "us-west-2": "US West (Oregon)",
}
CW_ALARMS = [
    ("prod-orders-db-cpu-high", "CPUUtilization", "AWS/RDS", 80.0, "DBInstanceIdentifier=orders-prod"),
    (
        "orders-api-5xx-rate",
        "HTTPCode_Target_5XX_Count",
        "AWS/ApplicationELB",
        50.0,
        "LoadBalancer=app/orders-api/7f3c",
    ),
    ("ecs-checkout-service-memory-utilization", "MemoryUtilization", "AWS/ECS", 85.0, "ServiceName=checkout"),
    (
        "ALB-Target-5XX-prod-public",
        "HTTPCode_Target_5XX_Count",
        "AWS/ApplicationELB",
        100.0,
        "LoadBalancer=app/prod-public/91ab",
    ),
    (
        "awsrds-payments-prod-High-CPU-Utilization",
        "CPUUtilization",
        "AWS/RDS",
        90.0,
        "DBInstanceIdentifier=payments-prod",
    ),
    ("lambda-invoice-generator-errors", "Errors", "AWS/Lambda", 5.0, "FunctionName=invoice-generator"),
    (
        "sqs-dlq-notifications-not-empty",
        "ApproximateNumberOfMessagesVisible",
        "AWS/SQS",
        0.0,
        "QueueName=notifications-dlq",
    ),
    (
        "Kinesis iterator age high (clickstream)",
        "GetRecords.IteratorAgeMilliseconds",
        "AWS/Kinesis",
        60000.0,
        "StreamName=clickstream",
    ),
    (
        "prod-eu-west-1-nat-gateway-packet-drops",
        "PacketsDropCount",
        "AWS/NATGateway",
        100.0,
        "NatGatewayId=nat-0a1b2c3d",
    ),
    ("eks-prod-node-cpu-above-85", "node_cpu_utilization", "ContainerInsights", 85.0, "ClusterName=prod"),
    ("DynamoDB throttled reads - sessions table", "ReadThrottleEvents", "AWS/DynamoDB", 10.0, "TableName=sessions"),
    ("api-gateway-latency-anomaly", "Latency", "AWS/ApiGateway", 0.0, "ApiName=public-api"),
    ("elasticache-sessions-evictions", "Evictions", "AWS/ElastiCache", 1000.0, "CacheClusterId=sessions-001"),
    ("OpenSearch cluster status red - logs-prod", "ClusterStatus.red", "AWS/ES", 1.0, "DomainName=logs-prod"),
]
CW_DESCRIPTIONS = {
    "prod-orders-db-cpu-high": "Orders DB CPU over 80% for 15m - page SRE",
    "orders-api-5xx-rate": "Orders API is returning 5xx to customers",
    "lambda-invoice-generator-errors": "Invoice generator failing, invoices will be late",
    "sqs-dlq-notifications-not-empty": "Messages landing in the notifications DLQ",
    "elasticache-sessions-evictions": "Session cache evicting keys, users may be logged out",
    "eks-prod-node-cpu-above-85": "EKS prod nodes running hot",
    "DynamoDB throttled reads - sessions table": "Sessions table throttling reads",
}
COMPOSITES = {
    "checkout-degraded-composite": ("orders-api-5xx-rate", "ecs-checkout-service-memory-utilization"),
    "payments-critical-composite": ("awsrds-payments-prod-High-CPU-Utilization", "lambda-invoice-generator-errors"),
}


def cw_reason(alarm: tuple, state: str) -> str:
    thr = alarm[3]
    stamp = when(clock.sec, "%d/%m/%y %H:%M:%S")
    if state == "ALARM":
        v = thr * rng.uniform(1.1, 2.5) + rng.randint(1, 9)
        return f"Threshold Crossed: 1 out of the last 1 datapoints [{v:.1f} ({stamp})] was greater than the threshold ({thr}) (minimum 1 datapoint for OK -> ALARM transition)."
    if state == "OK":
        v = thr * rng.uniform(0.1, 0.8)
        return f"Threshold Crossed: 1 out of the last 1 datapoints [{v:.1f} ({stamp})] was not greater than the threshold ({thr}) (minimum 1 datapoint for ALARM -> OK transition)."
    return f"Insufficient Data: 1 datapoint was unknown ({stamp}) (minimum 1 datapoint for {rng.choice(['OK', 'ALARM'])} -> INSUFFICIENT_DATA transition)."


CW_KIND = {"ALARM": FIRING, "OK": RESOLVED, "INSUFFICIENT_DATA": OTHER}


def fam_cloudwatch() -> None:
    f = "cloudwatch"
    ch, ch2 = chan("aws-alarms"), chan("aws-prod-notifications")
    account = "418273659012"
    alarms = list(CW_ALARMS)
    rng.shuffle(alarms)
    pool = iter(alarms * 8)
    codes = {"A": "ALARM", "O": "OK", "I": "INSUFFICIENT_DATA"}

    def region() -> str:
        return rng.choice(sorted(REGIONS))

    def console(name: str, reg: str) -> str:
        return (
            f"https://{reg}.console.aws.amazon.com/cloudwatch/home?region={reg}#alarmsV2:alarm/{name.replace(' ', '+')}"
        )

    # 1. AWS Chatbot custom notifications (EventBridge rule -> SNS -> Chatbot, team-written title/description).
    chatbot = app_bot("aws-chatbot", "AWS Chatbot", "https://avatars.slack-edge.com/aws-chatbot")
    for code in "AOAOAAO":
        al, state, reg = next(pool), codes[code], region()
        title = (
            f":rotating_light: {al[0]} is in ALARM" if state == "ALARM" else f":white_check_mark: {al[0]} is back to OK"
        )
        blocks = [
            section(f"*{title}*\n{slack_escape(cw_reason(al, state))}"),
            context(f"Custom notification · Account {account} · {reg}"),
        ]
        add(
            f,
            "chatbot_custom_notification",
            event(bot_msg(chatbot, text=title, blocks=blocks), ch),
            CW_KIND[state],
            al[0],
        )

    # 2. Composite alarms: children named in the rule, composite is the identity.
    q = app_bot("amazon-q", "Amazon Q Developer", "https://avatars.slack-edge.com/amazon-q")
    comp_names = sorted(COMPOSITES)
    for i, code in enumerate("AOAOAOAO"):
        name = comp_names[i % 2]
        a, b = COMPOSITES[name]
        state, reg = codes[code], "eu-west-1"
        old = "OK" if state == "ALARM" else "ALARM"
        att = {
            "color": "d13212" if state == "ALARM" else "1d8102",
            "title": f"{':rotating_light:' if state == 'ALARM' else ':white_check_mark:'} CloudWatch Composite Alarm | {name} | {REGIONS[reg]} | Account: {account}",
            "title_link": console(name, reg),
            "text": f'Composite alarm state changed from {old} to {state}.\n*AlarmRule:* `ALARM("{a}") AND ALARM("{b}")`\n*Triggering children:* {a}{" (OK)" if state == "OK" else " (ALARM)"}',
            "mrkdwn_in": ["text"],
        }
        add(f, "composite_alarm", event(bot_msg(q, attachments=[att]), ch), CW_KIND[state], name)

    # 3. SNS -> Lambda with emoji and the state in brackets.
    lam = webhook_bot("cw-lambda", "aws-alarms", icon_emoji=":aws:")
    for code in "AOAIOAAOI":
        al, state, reg = next(pool), codes[code], region()
        emoji = {"ALARM": ":rotating_light:", "OK": ":large_green_circle:", "INSUFFICIENT_DATA": ":grey_question:"}[
            state
        ]
        text = f"{emoji} *[{state}]* `{al[0]}` ({reg})\n>{slack_escape(cw_reason(al, state))}\n<{console(al[0], reg)}|Open in console>"
        add(f, "sns_lambda_bracket_state", event(bot_msg(lam, text=text), ch2), CW_KIND[state], al[0])

    # 4. Lazy relay posting the raw SNS alarm JSON in a code block.
    raw = webhook_bot("sns-raw", "sns-to-slack", icon_emoji=":incoming_envelope:")
    for code in "AOAIOAOA":
        al, state, reg = next(pool), codes[code], region()
        old = {"ALARM": "OK", "OK": "ALARM", "INSUFFICIENT_DATA": "OK"}[state]
        payload = {
            "AlarmName": al[0],
            "AlarmDescription": CW_DESCRIPTIONS.get(al[0]),
            "AWSAccountId": account,
            "NewStateValue": state,
            "NewStateReason": cw_reason(al, state),
            "StateChangeTime": when(clock.sec, "%Y-%m-%dT%H:%M:%S.000+0000"),
            "Region": REGIONS[reg],
            "OldStateValue": old,
            "Trigger": {
                "MetricName": al[1],
                "Namespace": al[2],
                "Statistic": "AVERAGE",
                "Period": 60,
                "EvaluationPeriods": 1,
                "ComparisonOperator": "GreaterThanThreshold",
                "Threshold": al[3],
            },
        }
        text = "```" + slack_escape(json.dumps(payload)) + "```"
        add(f, "raw_sns_json", event(bot_msg(raw, text=text), ch2), CW_KIND[state], al[0])

    # 5. EventBridge "CloudWatch Alarm State Change" via input transformer and API destination.
    eb = webhook_bot("eventbridge", "EventBridge", icon_emoji=":zap:")
    for old, new in [
        ("OK", "ALARM"),
        ("ALARM", "OK"),
        ("ALARM", "INSUFFICIENT_DATA"),
        ("INSUFFICIENT_DATA", "OK"),
        ("OK", "ALARM"),
        ("INSUFFICIENT_DATA", "ALARM"),
        ("ALARM", "OK"),
        ("OK", "INSUFFICIENT_DATA"),
        ("OK", "ALARM"),
    ]:
        al, reg = next(pool), region()
        text = f"CloudWatch alarm *{al[0]}* changed state from {old} to *{new}* in {reg}.\nReason: {slack_escape(cw_reason(al, new))}"
        add(f, "eventbridge_transformer", event(bot_msg(eb, text=text), ch), CW_KIND[new], al[0])

    # 6. Anomaly-detection alarms as Block Kit from a webhook.
    blk = webhook_bot("cw-blocks", "cloudwatch", icon_emoji=":cloud:")
    anomaly = [
        "api-gateway-latency-anomaly",
        "checkout-rps-anomaly-band",
        "login-errors-anomaly (eu-central-1)",
        "search-p95-anomaly",
    ]
    for i, code in enumerate("AOAAOAOO"):
        name, state, reg = anomaly[i % len(anomaly)], codes[code], region()
        head = f"🔴 ALARM — {name}" if state == "ALARM" else f"🟢 OK — {name}"
        blocks = [
            header(head),
            fields_only(
                [
                    f"*Metric*\n`{rng.choice(['Latency', 'RequestCount', '5XXError'])}`",
                    "*Band*\n2 standard deviations",
                    f"*Region*\n{reg}",
                    f"*Account*\n{account}",
                ]
            ),
            context(f"<{console(name, reg)}|View alarm> · anomaly detection"),
        ]
        add(f, "anomaly_band_blocks", event(bot_msg(blk, text=head, blocks=blocks), ch2), CW_KIND[state], name)

    # 7. Amazon Q Developer notifications for log metric-filter alarms.
    lmf = [
        ("payments-error-log-count", "/ecs/payments-api", "?ERROR ?Exception"),
        ("auth-failed-logins-spike", "/aws/lambda/authorizer", '"Unauthorized"'),
        ("nginx-upstream-timeouts", "/ec2/nginx/error", '"upstream timed out"'),
    ]
    for i, code in enumerate("AOAIOAOAO"):
        name, lg, pattern = lmf[i % len(lmf)]
        state, reg = codes[code], region()
        word = {"ALARM": "triggered", "OK": "recovered", "INSUFFICIENT_DATA": "has insufficient data"}[state]
        blocks = [
            section(f"*CloudWatch alarm {word}* · `{name}`"),
            fields_only(
                [
                    f"*Metric filter*\n`{slack_escape(pattern)}`",
                    f"*Log group*\n{lg}",
                    f"*State*\n{state}",
                    f"*Region*\n{REGIONS[reg]}",
                ]
            ),
            context(f"Account {account} · via Amazon Q Developer in chat applications"),
            buttons(("Show logs", "show_logs"), ("Show error logs", "show_error_logs")),
        ]
        add(
            f,
            "amazon_q_log_metric_filter",
            event(bot_msg(q, text=f"CloudWatch alarm {word}: {name}", blocks=blocks), ch),
            CW_KIND[state],
            name,
        )

    # 8. Alarm description as the headline; the alarm name only in a field and the footer.
    desc_names = sorted(CW_DESCRIPTIONS)
    for i, code in enumerate("AOAOAOA"):
        name, state, reg = desc_names[i % len(desc_names)], codes[code], region()
        att = {
            "color": "d13212" if state == "ALARM" else "1d8102",
            "title": CW_DESCRIPTIONS[name],
            "title_link": console(name, reg),
            "fields": [
                {"title": "State", "value": state, "short": True},
                {"title": "Alarm", "value": name, "short": True},
                {"title": "Region", "value": reg, "short": True},
            ],
            "footer": f"alarm: {name}",
        }
        add(f, "description_headline", event(bot_msg(lam, attachments=[att]), ch2), CW_KIND[state], name)


# ---------------------------------------------------------------------------
# generic tools
# ---------------------------------------------------------------------------


def fam_generic() -> None:
    f = "generic"
    ch, ch2, ch3 = chan("monitoring"), chan("uptime"), chan("observability")

    # 1. Checkmk's built-in Slack notification plugin (two attachments, state in the text).
    cmk = webhook_bot("checkmk", "Checkmk", icon_url="https://checkmk.com/favicon-48.png")
    cmk_colour = {"CRITICAL": "EE0000", "WARNING": "FFDD00", "OK": "00CC00", "UNKNOWN": "CCCCCC"}
    services = [
        "Filesystem /var",
        "CPU load",
        "Memory",
        "NTP Time",
        "Interface 2",
        "Systemd Service Summary",
        "HTTPS api.example.com",
    ]
    for i, (ntype, state) in enumerate(
        [
            ("PROBLEM", "CRITICAL"),
            ("RECOVERY", "OK"),
            ("PROBLEM", "WARNING"),
            ("ACKNOWLEDGEMENT", "CRITICAL"),
            ("PROBLEM", "CRITICAL"),
            ("RECOVERY", "OK"),
            ("PROBLEM", "UNKNOWN"),
        ]
    ):
        svc = services[i]
        host = rng.choice(["srv-app-03", "fw-branch-12", "mail-01", "kvm-host-7"])
        ip = f"10.20.{rng.randint(0, 40)}.{rng.randint(2, 250)}"
        base = (
            f"https://cmk.example.net/mysite/check_mk/index.py?start_url=view.py%3Fview_name%3Dservice%26host%3D{host}"
        )
        output = {
            "CRITICAL": f"CRIT - {rng.choice(['92.4% used (18.5 of 20.0 GiB)', 'load 14.2 (warn/crit at 8.00/12.00)', 'offset 12.3 s'])}",
            "WARNING": "WARN - 81.7% used (warn/crit at 80.00%/90.00%)",
            "OK": "OK - all values within thresholds",
            "UNKNOWN": "UNKN - item not found in monitoring data",
        }[state]
        contact = rng.choice(["sre", "noc", "windows-team"])
        atts = [
            {
                "color": cmk_colour[state],
                "title": f"Service {ntype} notification",
                "text": f"Host: <{base}|{host}> (IP: {ip})\nService: <{base}%26service%3D{svc.replace(' ', '+')}|{svc}>\nState: {state}",
            },
            {
                "color": cmk_colour[state],
                "title": "Additional Info",
                "text": f"{output}\nPlease take a look: @{contact}",
                "footer": f"Check_MK notification: {when(clock.sec, '%a %b %d %H:%M:%S UTC %Y')}",
            },
        ]
        kind = {("PROBLEM", "CRITICAL"): FIRING, ("RECOVERY", "OK"): RESOLVED}.get((ntype, state), OTHER)
        add(f, "checkmk_plugin", event(bot_msg(cmk, attachments=atts), ch), kind, svc)

    # 2. Nagios notify command piping to a Slack script, with abbreviated states.
    nag = webhook_bot("nagios", "nagios", icon_emoji=":nagios:")
    nag_services = [
        "HTTP",
        "PING",
        "Current Load",
        "Root Partition",
        "Swap Usage",
        "MySQL Replication",
        "SSL Certificate",
    ]
    for i, (ntype, short) in enumerate(
        [
            ("PROBLEM", "CRIT"),
            ("RECOVERY", "OK"),
            ("PROBLEM", "WARN"),
            ("PROBLEM", "CRIT"),
            ("DOWNTIMESTART", "OK"),
            ("PROBLEM", "UNKN"),
            ("RECOVERY", "OK"),
        ]
    ):
        svc = nag_services[i]
        host = rng.choice(["web-03", "db-backup-1", "vpn-gw", "build-02"])
        icon = {
            "CRIT": ":red_circle:",
            "WARN": ":large_orange_circle:",
            "OK": ":large_green_circle:",
            "UNKN": ":white_circle:",
        }[short]
        out = {
            "CRIT": "CRITICAL - Socket timeout after 10 seconds",
            "WARN": "WARNING - load average: 6.12, 5.80, 5.02",
            "OK": "OK - 0.021 second response time",
            "UNKN": "UNKNOWN - plugin timed out",
        }[short]
        text = f"{icon} {ntype}: {host}/{svc} is {short}\n>{out}"
        kind = {("PROBLEM", "CRIT"): FIRING, ("RECOVERY", "OK"): RESOLVED}.get((ntype, short), OTHER)
        add(f, "nagios_short_states", event(bot_msg(nag, text=text), ch), kind, svc)

    # 3. StatusCake uptime tests.
    sc = webhook_bot("statuscake", "StatusCake", icon_url="https://www.statuscake.com/favicon-48.png")
    sc_tests = [
        ("Checkout website", "https://shop.example.com/checkout"),
        ("Marketing site (www)", "https://www.example.com"),
        ("Partner API health", "https://partners.example.com/health"),
    ]
    for i, code in enumerate("DUDDUU"):
        name, url = sc_tests[i % len(sc_tests)]
        if code == "D":
            text = f"*StatusCake* — test *{name}* is *Down*\nURL: {url}\nStatus code: {rng.choice([503, 502, 0, 500])}\nCheck rate: 60s"
        else:
            text = f"*StatusCake* — test *{name}* is *Up* again after {rng.randint(2, 45)} minutes\nURL: {url}"
        add(f, "statuscake", event(bot_msg(sc, text=text), ch2), FIRING if code == "D" else RESOLVED, name)

    # 4. Site24x7 (Down / Trouble / Up).
    s247 = webhook_bot("site24x7", "Site24x7", icon_url="https://www.site24x7.com/favicon-48.png")
    s_mon = ["api-eu-https", "store-frontend-rum", "smtp-relay-01"]
    for i, code in enumerate("DTUDUD"):
        name = s_mon[i % len(s_mon)]
        text = {
            "D": f"Site24x7 | Monitor *{name}* is *Down* from London, Frankfurt\nReason: Connection timed out",
            "T": f"Site24x7 | Monitor *{name}* is in *Trouble*: response time 4.2 s exceeds the 3 s threshold",
            "U": f"Site24x7 | Monitor *{name}* is *Up*",
        }[code]
        add(f, "site24x7", event(bot_msg(s247, text=text), ch2), {"D": FIRING, "T": OTHER, "U": RESOLVED}[code], name)

    # 5. Kibana alerting rules with the default action messages.
    kb = webhook_bot("kibana", "Kibana", icon_url="https://www.elastic.co/favicon-48.png")
    kb_rules = ["Checkout payment failures", "Auth 401 burst from single IP", "Ingest pipeline failures - logs-nginx"]
    for i, code in enumerate("AARARAR"):
        name = kb_rules[i % len(kb_rules)]
        if code == "A" and i % 2:
            text = f"Rule '{name}' is active for group '{rng.choice(['host.name: web-3', 'client.ip: 203.0.113.7', 'service.name: checkout'])}':\n\n- Value: {rng.randint(30, 400)}\n- Conditions Met: count is greater than 25 in the last 5 mins\n- Timestamp: {when(clock.sec, '%Y-%m-%dT%H:%M:%S.000Z')}"
        elif code == "A":
            text = f"Elasticsearch query rule '{name}' is active:\n\n- Value: {rng.randint(30, 400)}\n- Conditions Met: Number of matching documents is greater than 25 over 5m\n- Timestamp: {when(clock.sec, '%Y-%m-%dT%H:%M:%S.000Z')}\n- Link: <https://kibana.example.net/app/management/insightsAndAlerting/triggersActions/rule/{sid('', name, 8).lower()}|View rule>"
        else:
            text = f"Elasticsearch query rule '{name}' recovered"
        add(f, "kibana_default_actions", event(bot_msg(kb, text=text), ch3), FIRING if code == "A" else RESOLVED, name)

    # 6. Splunk Slack alert action (fires only).
    spl = webhook_bot("splunk", "Splunk", icon_url="https://www.splunk.com/favicon-48.png")
    spl_searches = [
        "Failed logins over 50 per minute",
        "Windows Event 4625 burst - DC01",
        "Payment gateway timeouts (index=payments)",
        "Disk errors in syslog",
        "Failed logins over 50 per minute",
    ]
    for name in spl_searches:
        att = {
            "color": "e01e5a",
            "title": name,
            "title_link": f"https://splunk.example.net/app/search/alert?s=%2FservicesNS%2Fnobody%2Fsearch%2Fsaved%2Fsearches%2F{name.replace(' ', '%20')}",
            "text": f"Splunk alert *{name}* was triggered with {rng.randint(1, 300)} results.",
            "fields": [
                {"title": "host", "value": rng.choice(["dc01", "pay-gw-2", "web-7"]), "short": True},
                {"title": "count", "value": str(rng.randint(50, 900)), "short": True},
            ],
            "footer": "Splunk Enterprise",
        }
        add(f, "splunk_alert_action", event(bot_msg(spl, attachments=[att]), ch3), FIRING, name)

    # 7. Sumo Logic monitors (Critical / Warning / Missing Data / Resolved).
    sumo = webhook_bot("sumo", "Sumo Logic", icon_url="https://www.sumologic.com/favicon-48.png")
    sumo_mon = ["Prod API 5xx over 1%", "Spike in payment declines", "Collector offline - k8s-prod"]
    for i, level in enumerate(["Critical", "Resolved", "Warning", "Critical", "Missing Data", "Resolved"]):
        name = sumo_mon[i % len(sumo_mon)]
        text = f"*Sumo Logic Alert:* {level} — {name}\n" + (
            f"Result: {round(rng.uniform(1, 8), 2)} (threshold 1.0)"
            if level in ("Critical", "Warning")
            else "<https://service.eu.sumologic.com/ui/#/alerts|Alert page>"
        )
        add(
            f,
            "sumo_logic_monitor",
            event(bot_msg(sumo, text=text), ch3),
            {"Critical": FIRING, "Resolved": RESOLVED}.get(level, OTHER),
            name,
        )

    # 8. Honeycomb triggers and burn alerts.
    hc = app_bot("honeycomb", "Honeycomb", "https://avatars.slack-edge.com/honeycomb")
    for kind_code, name in [
        ("T", "High 5xx from api-gateway"),
        ("R", "High 5xx from api-gateway"),
        ("T", "Slow DB spans on checkout"),
        ("B", "Checkout requests under 1s"),
        ("R", "Slow DB spans on checkout"),
    ]:
        url = f"https://ui.honeycomb.io/acme/environments/prod/triggers/{sid('', name, 10).lower()}"
        text = {
            "T": f"*Trigger* <{url}|{name}> *triggered*: COUNT where status_code &gt;= 500 is {rng.randint(201, 900)} (threshold &gt; 200)",
            "R": f"*Trigger* <{url}|{name}> *resolved*: back within threshold",
            "B": f"*Burn alert* for SLO <{url}|{name}>: budget will be exhausted in 4 hours at the current rate",
        }[kind_code]
        add(f, "honeycomb_triggers", event(bot_msg(hc, text=text), ch3), RESOLVED if kind_code == "R" else FIRING, name)

    # 9. Dynatrace problem notifications.
    dyn = webhook_bot("dynatrace", "Dynatrace", icon_url="https://dt-cdn.net/favicon-48.png")
    for i, (state, title) in enumerate(
        [
            ("OPEN", "Failure rate increase"),
            ("OPEN", "Response time degradation"),
            ("RESOLVED", "Failure rate increase"),
            ("OPEN", "Low disk space"),
            ("COMMENT", "Response time degradation"),
            ("RESOLVED", "Low disk space"),
            ("OPEN", "Process crashed"),
        ]
    ):
        pid = f"P-{24051200 + i * 7}"
        entity = rng.choice(["Web request service checkout-api", "Host ip-10-2-3-44", "Process group ledger-worker"])
        if state == "COMMENT":
            text = f"*Comment added to problem {pid}*: {title}\n_{FULL_NAMES[person()]}: restarted the pods, watching_"
        else:
            text = f"*{state} Problem {pid} in environment prod*: {title}\nImpact: {rng.randint(1, 5)} services\nAffected entity: {entity}\n<https://abc12345.live.dynatrace.com/#problems/problemdetails;pid={pid}|Open in Dynatrace>"
        add(
            f,
            "dynatrace_problems",
            event(bot_msg(dyn, text=text), ch3),
            {"OPEN": FIRING, "RESOLVED": RESOLVED}.get(state, OTHER),
            title,
        )

    # 10. Azure Monitor common alert schema through a Logic App.
    az = webhook_bot("azure-logicapp", "Azure Monitor", icon_url="https://azure.microsoft.com/favicon-48.png")
    az_rules = [
        ("vm-prod-web-high-cpu", "Percentage CPU", 85, "Microsoft.Compute/virtualMachines/vm-prod-web-01"),
        ("appgw-unhealthy-backend-count", "UnhealthyHostCount", 0, "Microsoft.Network/applicationGateways/appgw-prod"),
        ("sql-orders-dtu-above-90", "dtu_consumption_percent", 90, "Microsoft.Sql/servers/sql-prod/databases/orders"),
        (
            "aks-prod-node-not-ready",
            "kube_node_status_condition",
            0,
            "Microsoft.ContainerService/managedClusters/aks-prod",
        ),
    ]
    for i, cond in enumerate(["Fired", "Resolved", "Fired", "Fired", "Resolved", "Fired", "Resolved"]):
        name, metric, thr, res = az_rules[i % len(az_rules)]
        icon = ":red_circle:" if cond == "Fired" else ":white_check_mark:"
        actual = thr + rng.randint(1, 12) if cond == "Fired" else max(0, thr - rng.randint(1, 30))
        text = (
            f"{icon} Azure Monitor alert *{cond}*: *{name}* (Sev{rng.randint(0, 3)})\n"
            f"Resource: `/subscriptions/7d1c4b2e-0f6a-4a51-9c3e-5b8d21f0aa17/resourceGroups/rg-prod/providers/{res}`\n"
            f"Condition: {metric} GreaterThan {thr} (actual {actual})"
        )
        add(
            f,
            "azure_monitor_logic_app",
            event(bot_msg(az, text=text), ch),
            FIRING if cond == "Fired" else RESOLVED,
            name,
        )

    # 11. Google Cloud Monitoring incidents.
    gcp = app_bot("gcp-monitoring", "Google Cloud Monitoring", "https://avatars.slack-edge.com/gcp")
    gcp_pol = [
        "Cloud SQL orders-primary CPU over 80%",
        "GKE prod-cluster container restarts",
        "Uptime check: www.example.com",
        "Pub/Sub subscription backlog - events-sub",
    ]
    for i, state in enumerate(["opened", "closed", "opened", "acknowledged", "opened", "closed", "closed"]):
        name = gcp_pol[i % len(gcp_pol)]
        iid = f"0.{sid('', name + str(i), 12).lower()}"
        text = f"*Incident {state}* for alert policy *{name}*\nProject: `acme-prod` · Incident ID: `{iid}`\n<https://console.cloud.google.com/monitoring/alerting/incidents/{iid}?project=acme-prod|View incident>"
        add(
            f,
            "gcp_monitoring_incidents",
            event(bot_msg(gcp, text=text), ch3),
            {"opened": FIRING, "closed": RESOLVED}.get(state, OTHER),
            name,
        )

    # 12. Cronitor job monitors.
    cr = webhook_bot("cronitor", "Cronitor", icon_url="https://cronitor.io/favicon-48.png")
    for code, name in [
        ("F", "nightly-invoice-export"),
        ("L", "hourly-search-reindex"),
        ("R", "nightly-invoice-export"),
        ("F", "weekly-gdpr-purge"),
        ("N", "hourly-search-reindex"),
        ("R", "weekly-gdpr-purge"),
    ]:
        text = {
            "F": f":x: *{name}* has failed (exit code 1) on worker-{rng.randint(1, 9)}",
            "L": f":alarm_clock: *{name}* is late — expected a run at {when(clock.sec - 900)}",
            "N": f":warning: *{name}* did not run on schedule",
            "R": f":white_check_mark: *{name}* has recovered",
        }[code]
        add(f, "cronitor", event(bot_msg(cr, text=text), ch2), RESOLVED if code == "R" else FIRING, name)

    # 13. Dead Man's Snitch.
    dms = webhook_bot("dms", "Dead Man's Snitch", icon_emoji=":skull:")
    for code, name in [
        ("M", "hourly-metrics-rollup"),
        ("R", "hourly-metrics-rollup"),
        ("E", "db-backup-s3-sync"),
        ("R", "db-backup-s3-sync"),
    ]:
        text = {
            "M": f":rotating_light: Snitch *{name}* is missing. Last check-in was {rng.randint(2, 9)}h ago (interval: hourly).",
            "E": f":rotating_light: Snitch *{name}* reported an error (exit status 2).",
            "R": f":white_check_mark: Snitch *{name}* has checked in and is healthy again.",
        }[code]
        add(f, "dead_mans_snitch", event(bot_msg(dms, text=text), ch2), RESOLVED if code == "R" else FIRING, name)


# ---------------------------------------------------------------------------
# people
# ---------------------------------------------------------------------------


def fam_people() -> None:
    f = "people"
    channels = [chan("sre"), chan("alerts-gprd"), chan("platform-team"), chan("incidents")]

    def post(template: str, text: str, kind: str, who: str | None = None) -> None:
        add(f, template, event(human_msg(PEOPLE[who or person()], text), rng.choice(channels)), kind, None)

    questions = [
        "does anyone know who owns the billing-export cron now that Jonas moved teams?",
        "is there a runbook for rotating the Redis TLS certs or do we just wing it?",
        "Can someone with prod access check why the canary is stuck at 10%?",
        "how do I silence something for a planned maintenance window in alertmanager? the UI keeps timing out",
        "what's the difference between the s2 and s3 paging policy again?",
        "anyone else seeing 502s on the staging admin panel?",
        "quick q: are we still on PagerDuty for the data team or did they move to Opsgenie?",
        "who's on call this weekend? the schedule page shows nobody for Saturday",
        "Could someone review my MR for the new disk thresholds? <https://gitlab.example.com/infra/alerts/-/merge_requests/812|!812>",
        "is grafana down for everyone or just me?",
        "Where do the CloudWatch alarms for the eu-west-1 RDS instances get routed to?",
        "any objections if I bump the datadog monitor for checkout latency from 1.5s to 2s? it's been noisy all week",
        "can we get a dashboard for sidekiq queue latency per shard? happy to pair on it",
        "how long do we keep zabbix history for? need to look at something from march",
        f"{mention('hiro')} do you have a minute to look at the gitaly nodes? load looks weird",
        "is it expected that the backup job takes 3h now? it used to be 40m",
        "Does the incident review for last Tuesday still happen today at 3?",
        "anyone know the policy for the new bastion passwords? (not the password itself pls 😅)",
    ]
    for q in questions:
        post("channel_question", q, QUESTION)

    chatter = [
        "morning all ☕",
        "heads up: I'm failing over the reporting replica at 14:00 UTC, expect a few seconds of read errors",
        "deploying the new ingress config to staging now",
        "lunch, back in 30",
        "FYI the vendor confirmed the network maintenance in fra1 tonight 22:00-02:00",
        f"thanks {mention('erin')} for jumping on that so quickly yesterday 🙏",
        "I've silenced the disk alerts on nas-01 until tomorrow, the array is rebuilding",
        "new on-call handbook is up: <https://handbook.example.com/oncall|handbook/oncall> — feedback welcome",
        f"welcome {mention('oscar')} to the team! 🎉",
        "TIL you can group Datadog monitors by team tag on the manage page",
        "rolling restarts of the web fleet done, all green",
        "I'll be OOO Thursday and Friday, Priya is covering my reviews",
        "postmortem doc for the checkout outage: <https://docs.example.com/pm/2024-05-checkout|PM 2024-05 checkout>",
        "ok the flaky test is finally fixed",
        "retro notes are in the channel topic",
        "the new thresholds for the zabbix ICMP triggers are live",
    ]
    for c in chatter:
        post("channel_chatter", c, CHATTER)

    # Pasted alert lines.
    a1, a2, a3, a4, a5 = rule(), rule(), rule(), rule(), rule()
    pasted = [
        (f"anyone know why this keeps flapping?\n&gt; {am_default_title(a1, 'firing', 1)}", QUESTION),
        (f"for the record, this was the deploy:\n```[RESOLVED] {a2['name']}```", CHATTER),
        (f"is `{a3['name']}` safe to ignore in gstg? it fires every night around 02:00", QUESTION),
        (f'copying from #alerts-gprd: "{a4["summary"]}" — I\'m on it', CHATTER),
        (f'what does this one mean? ALARM: "{CW_ALARMS[5][0]}" in US East (N. Virginia)', QUESTION),
        (f"pasting for context\n&gt;:red_circle: PROBLEM: {ZBX[3]} on db-7\n&gt;Severity: High", CHATTER),
        (f"[Triggered] {DD_RELAY[0]} — is that the one we muted last week?", QUESTION),
        (f"got paged for {a5['name']} at 3am, turned out to be the backup window again", CHATTER),
        (f"Can someone explain the difference between these two?\n• {a1['name']}\n• {a3['name']}", QUESTION),
        (f"closing the loop: {a2['name']} was a false positive, threshold MR incoming", CHATTER),
    ]
    for text, kind in pasted:
        post("pasted_alert_line", text, kind)

    # "X is firing again".
    b1, b2, b3, b4 = rule(), rule(), rule(), rule()
    again = [
        (f"{b1['name']} is firing again 🙄", CHATTER),
        (f"{b2['name']} firing again — is anyone looking?", QUESTION),
        (f"and we're back: {DD_RELAY[2]} triggered for the third time today", CHATTER),
        (f"{CW_ALARMS[1][0]} went to ALARM again, did the scaling change not go out?", QUESTION),
        (f"heads up, {b3['name']} will probably fire during the migration, ignore it", CHATTER),
        (f"is {b4['name']} firing in other envs or just gprd?", QUESTION),
        (f"{ZBX[7]} flapping again on mq-3, I'll tune it tomorrow", CHATTER),
        (f"resolved itself again. {b1['name']} needs a longer `for:`", CHATTER),
    ]
    for text, kind in again:
        post("says_firing_again", text, kind)

    # Thread replies under alert posts (parents are bot posts elsewhere in the channel).
    parents = [
        sid("U", "alert-relay"),
        sid("U", "pagerduty"),
        sid("U", "grafana-oncall"),
        sid("U", "datadog-app"),
        sid("U", "opsgenie"),
    ]
    replies = [
        ("is this related to the deploy at 14:00?", QUESTION),
        ("can you check the graph? I only see it on one node", QUESTION),
        ("should we page the database team?", QUESTION),
        (f"{mention('lars')} are you on this?", QUESTION),
        ("did anyone ack in PD?", QUESTION),
        ("is this customer-facing?", QUESTION),
        ("do we have a silence for this already?", QUESTION),
        ("ack, looking", CHATTER),
        ("this is the deploy, rolling back", CHATTER),
        ("resolved now, it was a stuck pgbouncer", CHATTER),
        ("false alarm, the exporter restarted", CHATTER),
        ("I've silenced it for 2h", CHATTER),
        ("taking this one", CHATTER),
        ("👀", CHATTER),
        ("same as last week, see the thread from Tuesday", CHATTER),
        ("root cause: certificate expired on the internal LB. firing should stop in a few min", CHATTER),
    ]
    for text, kind in replies:
        parent_ts = clock.next()
        m = human_msg(PEOPLE[person()], text)
        add(f, "thread_reply", event(m, rng.choice(channels), parent_ts, rng.choice(parents)), kind, None)

    # Edited messages.
    c1 = rule()
    edits = [
        ("can somone check the lb?", "can someone check the LB in fra1?", QUESTION),
        ("deploying to prod", "deploying to staging (not prod!)", CHATTER),
        (f"{c1['name']} is firng again", f"{c1['name']} is firing again", CHATTER),
        ("resolved", "resolved now, closing INC-44", CHATTER),
        ("who's oncall", "who's on call for payments this week?", QUESTION),
        (
            f"pls ignore the {c1['name']} page, testing",
            f"pls ignore the {c1['name']} page in #alerts-gstg, I'm testing the new route",
            CHATTER,
        ),
        ("is the vpn flaky again", "is the VPN flaky for anyone else right now?", QUESTION),
        (
            "any1 have the grafana link for the db dash",
            "anyone have the grafana link for the patroni dashboard?",
            QUESTION,
        ),
    ]
    for old, new, kind in edits:
        who = PEOPLE[person()]
        ch = rng.choice(channels)
        prev = human_msg(who, old)
        newm = human_msg(who, new, ts=prev["ts"])
        newm["client_msg_id"] = prev["client_msg_id"]
        add(f, "edited_message", changed(newm, prev, ch), kind, None)

    # Incident status updates written by people.
    d1 = rule()
    updates = [
        f"Update on INC-44: {d1['name']} resolved after the failover, monitoring for 30m",
        "status: mitigated. root cause TBD, next update 15:30 UTC",
        "INC-51 is resolved, thanks all 🙏",
        "all clear on the CDN issue ✅",
        "still investigating the latency spike, next update in 20 min",
        f"the CloudWatch alarm for {CW_ALARMS[1][0]} cleared at 10:42, closing the incident",
        "closing INC-44 👋",
    ]
    for text in updates:
        post("incident_status_update", text, CHATTER)


# ---------------------------------------------------------------------------
# non-alert bots
# ---------------------------------------------------------------------------


def fam_bots() -> None:
    f = "bots"
    ch_deploy, ch_dev, ch_sre = chan("deploys"), chan("dev"), chan("sre")

    def post(
        template: str,
        bot: dict,
        channel: str,
        text: str = "",
        attachments: list | None = None,
        blocks: list | None = None,
    ) -> None:
        add(f, template, event(bot_msg(bot, text=text, attachments=attachments, blocks=blocks), channel), CHATTER, None)

    shipit = app_bot("shipit", "shipit", "https://avatars.slack-edge.com/shipit")
    for text in [
        ":rocket: *checkout-api* v2024.05.14-3 deployed to *production* by Amara Okafor (4m12s)",
        ":x: Deploy of *search-indexer* to staging failed at step `migrate` — <https://ci.example.com/deploys/88412|logs>",
        ":rewind: Rolled back *payments-gateway* in production to v812 (requested by Dev Raghunathan)",
        ":hourglass: Deploy of *web* v3.41.0 to canary is waiting for approval",
    ]:
        post("deploy_bot", shipit, ch_deploy, text)

    gh = app_bot("github", "GitHub", "https://avatars.slack-edge.com/github")
    post(
        "github_app",
        gh,
        ch_dev,
        attachments=[
            {
                "color": "36a64f",
                "pretext": "Pull request opened by camille",
                "title": "#1432 Raise threshold for disk usage monitors",
                "title_link": "https://github.com/acme/infra/pull/1432",
                "text": "Lowers noise from the kafka brokers.",
                "footer": "<https://github.com/acme/infra|acme/infra>",
            }
        ],
    )
    n1 = rule()
    post(
        "github_app",
        gh,
        ch_dev,
        attachments=[
            {
                "color": "1d9bd1",
                "pretext": "Issue opened by grace",
                "title": f"#988 Alert {n1['name']} is too noisy in gstg",
                "title_link": "https://github.com/acme/infra/issues/988",
                "footer": "<https://github.com/acme/infra|acme/infra>",
            }
        ],
    )
    post(
        "github_app",
        gh,
        ch_dev,
        text="*3 new commits* pushed to `main` in <https://github.com/acme/api|acme/api>\n`4f1c9a2` fix retry budget - dev\n`77b0e1d` bump otel sdk - renovate\n`c0ffee1` docs - mei",
    )
    post(
        "github_app",
        gh,
        ch_dev,
        text="Review requested from *@noor* on <https://github.com/acme/web/pull/3310|#3310 Move checkout to new payment SDK>",
    )
    post(
        "github_app",
        gh,
        ch_dev,
        attachments=[
            {
                "color": "6f42c1",
                "pretext": "Pull request merged by lars",
                "title": "#1429 Add runbook links to Datadog monitors",
                "title_link": "https://github.com/acme/infra/pull/1429",
            }
        ],
    )

    gl = app_bot("gitlab", "GitLab", "https://avatars.slack-edge.com/gitlab")
    n2 = rule()
    for text in [
        ":red_circle: Pipeline <https://gitlab.example.com/infra/runbooks/-/pipelines/1185543|#1185543> has failed for `main` in infra/runbooks (job `lint:rules` failed) — 6 min 12 sec",
        ":white_check_mark: Pipeline <https://gitlab.example.com/infra/runbooks/-/pipelines/1185560|#1185560> has passed for `main` in infra/runbooks — 5 min 48 sec",
        f"Merge request <https://gitlab.example.com/infra/runbooks/-/merge_requests/6127|!6127 Tune {n2['name']} window to 15m> was merged by Kavya Iyer",
        ":no_entry_sign: Pipeline #1185601 was canceled for `release/17.1` in gitlab-org/gitlab",
    ]:
        post("gitlab_pipelines", gl, ch_dev, text)

    jira = app_bot("jira", "Jira Cloud", "https://avatars.slack-edge.com/jira")
    n3 = rule()
    for text in [
        f"*Hiro Tanaka* created <https://acme.atlassian.net/browse/OPS-2231|OPS-2231 Investigate {n3['name']} flapping> · Priority: High",
        "*Mei Chen* transitioned <https://acme.atlassian.net/browse/OPS-2231|OPS-2231> from *To Do* to *In Progress*",
        '*Farid Haddad* commented on <https://acme.atlassian.net/browse/INC-44|INC-44 Checkout errors after CDN change>: "timeline is in the doc"',
        "*Grace Liu* changed the status of <https://acme.atlassian.net/browse/OPS-2199|OPS-2199 Rotate bastion host keys> to *Resolved*",
    ]:
        post("jira_cloud", jira, ch_sre, text)

    linear = app_bot("linear", "Linear", "https://avatars.slack-edge.com/linear")
    for text in [
        "*ENG-412* Dedupe Datadog monitors per team · moved to *In Review* by Bo Lindqvist",
        f"New issue *SRE-88* Add runbook link to {DD_RELAY[1]} · created by Ines Carvalho",
        "*SRE-71* Migrate uptime checks to Checkly · completed by Mei Chen",
    ]:
        post("linear", linear, ch_dev, text)

    pd = app_bot("pagerduty", "PagerDuty", "https://avatars.slack-edge.com/pagerduty")
    post(
        "pagerduty_oncall",
        pd,
        ch_sre,
        ":calendar: *Noor Rahman* is now on call for *SRE - Primary* until Mon 20 May 09:00 UTC (handoff from Lars Nygaard)",
    )
    post(
        "pagerduty_oncall",
        pd,
        ch_sre,
        ":busts_in_silhouette: Weekly on-call summary for *Checkout API*: 14 incidents, 3 escalated, mean time to acknowledge 4m",
    )

    og = app_bot("opsgenie", "Opsgenie", "https://avatars.slack-edge.com/opsgenie")
    post("opsgenie_schedule", og, ch_sre, "*Platform_schedule* rotation: *Mei Chen* is now on call until 20 May 09:00")
    post(
        "opsgenie_schedule",
        og,
        ch_sre,
        "Next week on *Payments_schedule*: Oscar Medina (primary), Priya Shah (secondary)",
    )

    standuply = app_bot("standuply", "Standuply", "https://avatars.slack-edge.com/standuply")
    post(
        "standup_bot",
        standuply,
        ch_sre,
        "*Daily SRE standup* — 5 of 7 answered. <https://app.standuply.com/reports/5521|See report>",
    )
    post(
        "standup_bot",
        standuply,
        ch_sre,
        "*Dev Raghunathan* posted an update\n*Yesterday:* fixed the zabbix ICMP triggers\n*Today:* alert routing review\n*Blockers:* none",
    )
    post("standup_bot", standuply, ch_sre, ":wave: Stand-up reminder: please answer by 10:00")

    for text in [
        "Reminder: review open postmortem action items.",
        "Reminder: renew the status page SSL certificate before Friday.",
    ]:
        m = {"type": "message", "text": text, "user": "USLACKBOT", "ts": clock.next()}
        add(f, "slackbot_reminder", event(m, ch_sre), CHATTER, None)

    sp = webhook_bot("statuspage", "Statuspage", icon_url="https://www.atlassian.com/statuspage-48.png")
    for status, body in [
        ("Investigating", "We are investigating elevated error rates on the public API."),
        ("Identified", "The issue has been identified and a fix is being rolled out."),
        ("Resolved", "This incident has been resolved. Error rates are back to normal."),
        ("Scheduled", "Database maintenance on 22 May 22:00-23:00 UTC. Brief read-only period expected."),
    ]:
        post(
            "statuspage",
            sp,
            ch_sre,
            attachments=[
                {
                    "color": "e86f00" if status != "Resolved" else "2fcc66",
                    "title": f"[{status}] Elevated API error rates"
                    if status != "Scheduled"
                    else "Scheduled maintenance: database upgrade",
                    "title_link": "https://status.example.com/incidents/8x2kd",
                    "text": body,
                    "footer": "status.example.com",
                }
            ],
        )

    post(
        "dependency_bots",
        gh,
        ch_dev,
        attachments=[
            {
                "color": "cb2431",
                "pretext": "Dependabot alert",
                "title": "Critical severity vulnerability in lodash (acme/web)",
                "title_link": "https://github.com/acme/web/security/dependabot/77",
                "text": "Prototype pollution in lodash. Upgrade to 4.17.21.",
            }
        ],
    )
    post(
        "dependency_bots",
        gl,
        ch_dev,
        "Renovate opened <https://gitlab.example.com/infra/monitoring/-/merge_requests/221|!221 Update dependency prometheus/alertmanager to v0.27.0>",
    )
    post("dependency_bots", gl, ch_dev, "Renovate dependency dashboard: 12 open updates, 3 pending approval")
    post(
        "dependency_bots",
        gh,
        ch_dev,
        "Dependabot opened <https://github.com/acme/api/pull/1450|#1450 Bump axios from 1.6.7 to 1.6.8>",
    )

    atl = webhook_bot("atlantis", "atlantis", icon_emoji=":earth_americas:")
    post(
        "terraform",
        atl,
        ch_deploy,
        "*Plan* succeeded for `infra/aws/prod` (PR #3312): 2 to add, 1 to change, 0 to destroy",
    )
    post(
        "terraform",
        atl,
        ch_deploy,
        "*Apply* failed for `infra/gcp/monitoring` (PR #3318): Error: googleapi: Error 409: alreadyExists",
    )
    tfc = app_bot("tfc", "Terraform Cloud", "https://avatars.slack-edge.com/tfc")
    post(
        "terraform",
        tfc,
        ch_deploy,
        attachments=[
            {
                "color": "5c4ee5",
                "title": "Run applied in workspace prod-network",
                "title_link": "https://app.terraform.io/app/acme/workspaces/prod-network/runs/run-8Hq2",
                "text": 'Triggered by a VCS push to main: "tighten NAT egress rules"',
            }
        ],
    )

    argo = webhook_bot("argocd", "Argo CD", icon_url="https://argo-cd.readthedocs.io/favicon-48.png")
    post(
        "argocd_notifications",
        argo,
        ch_deploy,
        attachments=[
            {
                "color": "18be52",
                "title": "checkout",
                "title_link": "https://argocd.example.net/applications/checkout",
                "text": "Application *checkout* has been successfully synced at revision 4f1c9a2.",
            }
        ],
    )
    post(
        "argocd_notifications",
        argo,
        ch_deploy,
        attachments=[
            {
                "color": "E96D76",
                "title": "payments",
                "title_link": "https://argocd.example.net/applications/payments",
                "text": "The sync operation of application *payments* has failed: one or more objects failed to apply (ConfigMap payments-env is invalid).",
            }
        ],
    )
    post(
        "argocd_notifications",
        argo,
        ch_deploy,
        attachments=[
            {
                "color": "0DADEA",
                "title": "search",
                "title_link": "https://argocd.example.net/applications/search",
                "text": "Application *search* has been successfully deployed and is now healthy.",
            }
        ],
    )

    flux = webhook_bot("flux", "flux", icon_emoji=":repeat:")
    post(
        "flux_notifications",
        flux,
        ch_deploy,
        "*Kustomization/flux-system/apps* reconciliation succeeded\nrevision: main@sha1:8d2e41c",
    )
    post(
        "flux_notifications",
        flux,
        ch_deploy,
        "*HelmRelease/monitoring/kube-prometheus-stack* upgrade failed: timed out waiting for the condition",
    )
    post(
        "flux_notifications",
        flux,
        ch_deploy,
        "*GitRepository/flux-system/flux-system* stored artifact for revision main@sha1:91ab03f",
    )

    spin = webhook_bot("spinnaker", "Spinnaker", icon_emoji=":spinnaker:")
    post(
        "spinnaker", spin, ch_deploy, "Pipeline *Deploy to Prod* for application *ledger* succeeded (execution 01HX9K2)"
    )
    post(
        "spinnaker",
        spin,
        ch_deploy,
        "Stage *Manual Judgment* is awaiting input in pipeline *Deploy to Prod* for *checkout*",
    )

    sentry = app_bot("sentry", "Sentry", "https://avatars.slack-edge.com/sentry")
    post(
        "release_and_calendar",
        sentry,
        ch_deploy,
        "Release *web@3.41.0* was deployed to *production* (42 commits, 12 issues resolved)",
    )
    cal = app_bot("gcal", "Google Calendar", "https://avatars.slack-edge.com/gcal")
    post(
        "release_and_calendar",
        cal,
        ch_sre,
        ":calendar: *Incident review: INC-44* starts in 10 minutes · <https://meet.example.com/inc-44|Join>",
    )

    wf = app_bot("workflow", "Workflow Builder", "https://avatars.slack-edge.com/workflow")
    post(
        "workflow_builder",
        wf,
        ch_sre,
        "*On-call handover form* submitted by Grace Liu\n*How was the week?* quiet, 2 pages\n*Open issues:* disk on nas-01 rebuilding",
    )
    post(
        "workflow_builder",
        wf,
        ch_sre,
        "*Access request* from Oscar Medina: read-only access to prod-db for 4h · <https://wf.example.com/r/551|Approve>",
    )


# ---------------------------------------------------------------------------
# checks and output
# ---------------------------------------------------------------------------

# Product vocabulary that coincides with another dataset's rule name and may appear only in the named family.
ALLOWED_OTHER_WORDS = {"Watchdog": {"datadog"}}


def check(records: list[dict]) -> None:
    other_res = [(n, re.compile(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", re.I)) for n in OTHER_NAMES]
    gitlab_lower = {n.lower() for n in RULES}
    for r in records:
        assert r["family"] in FAMILIES, r["family"]
        blob = json.dumps(r["message"], ensure_ascii=False)
        if r["family"] in ("people", "bots"):
            assert r["alert"] is None and r["kind"] in (QUESTION, CHATTER), r
        else:
            assert r["kind"] in ALERT_KINDS and r["alert"], r
            assert r["alert"] in blob, (r["template"], r["alert"])
        full = json.dumps(r, ensure_ascii=False)
        for name, rx in other_res:
            if rx.search(full) and r["family"] not in ALLOWED_OTHER_WORDS.get(name, set()):
                raise AssertionError(f"name from another dataset {name!r} in {r['template']}")
        if r["alert"] and r["alert"].lower() in gitlab_lower:
            assert r["alert"] in RULES
    per_template = collections.Counter(r["template"] for r in records)
    for t, n in per_template.items():
        if t.split("/")[0] not in ("people", "bots"):
            assert 4 <= n <= 10, (t, n)


def main() -> None:
    for fam in (
        fam_alertmanager,
        fam_grafana,
        fam_datadog,
        fam_pagerduty,
        fam_opsgenie,
        fam_zabbix,
        fam_cloudwatch,
        fam_generic,
        fam_people,
        fam_bots,
    ):
        fam()
    check(RECORDS)
    with OUT.open("w", encoding="utf-8") as fh:
        for r in RECORDS:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    kinds = (FIRING, RESOLVED, OTHER, QUESTION, CHATTER)
    by_fam: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in RECORDS:
        by_fam[r["family"]][r["kind"]] += 1
    templates = collections.Counter(r["template"] for r in RECORDS)
    print(f"{'family':<14}{'total':>6}{'tpl':>5}" + "".join(f"{k:>16}" for k in kinds))
    for fam in FAMILIES:
        c = by_fam[fam]
        ntpl = sum(1 for t in templates if t.startswith(fam + "/"))
        print(f"{fam:<14}{sum(c.values()):>6}{ntpl:>5}" + "".join(f"{c[k]:>16}" for k in kinds))
    tot = collections.Counter(r["kind"] for r in RECORDS)
    print(f"{'total':<14}{len(RECORDS):>6}{len(templates):>5}" + "".join(f"{tot[k]:>16}" for k in kinds))
    print()
    for t in sorted(templates):
        c = collections.Counter(r["kind"] for r in RECORDS if r["template"] == t)
        print(f"{t:<48}{templates[t]:>4}  " + " ".join(f"{k}={c[k]}" for k in kinds if c[k]))
    gold = {r["alert"] for r in RECORDS if r["alert"] in RULES}
    print(
        f"\ndistinct GitLab rule names used as gold: {len(gold)}; distinct gold names overall: {len({r['alert'] for r in RECORDS if r['alert']})}"
    )


if __name__ == "__main__":
    main()
