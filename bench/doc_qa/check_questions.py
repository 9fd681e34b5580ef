"""Validate bench/doc_qa/questions.jsonl (stdlib only).

Usage (from the repo root):

    python bench/doc_qa/check_questions.py CORPUS_ROOT

CORPUS_ROOT holds the four corpora (where to get them: bench/doc_qa/README.md; `tests/data` holds the
trimmed copies kept in the repo, where only the in-repo questions' paths exist). A source is looked up at
<corpus_root>/<source> first, then <corpus_root>/docs/<source>, so both the upstream layout
(runbooks-prometheus-operator at the top, the other three under docs/) and a flat layout work.

Checks: every line is a well-formed record, ids are unique, every expected path exists, answerable
records have expected documents and unanswerable ones have none, split follows id parity, at least
20% of the questions are unanswerable, and in_repo is true exactly when the question is answerable
and every expected document also exists under tests/data/docs/<source>/<path>.
Exits 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
QUESTIONS = HERE / "questions.jsonl"
IN_REPO_ROOT = REPO_ROOT / "tests" / "data" / "docs"
SOURCES = (
    "runbooks-prometheus-operator",
    "gitlab-com-runbooks",
    "openshift-runbooks",
    "pagerduty-incident-response",
)
FIELDS = {"id": str, "question": str, "answerable": bool, "expected": list, "split": str, "in_repo": bool}
ID_RE = re.compile(r"^q(\d{3,})$")
MIN_UNANSWERABLE = 0.20


def source_dir(corpus_root: Path, source: str) -> Path | None:
    for candidate in (corpus_root / source, corpus_root / "docs" / source):
        if candidate.is_dir():
            return candidate
    return None


def check_record(rec: object, lineno: int, corpus_dirs: dict[str, Path], errors: list[str]) -> None:
    where = f"line {lineno}"
    if not isinstance(rec, dict):
        errors.append(f"{where}: not a JSON object")
        return
    for name, typ in FIELDS.items():
        if name not in rec:
            errors.append(f"{where}: missing field {name!r}")
        elif not isinstance(rec[name], typ):
            errors.append(f"{where}: field {name!r} should be {typ.__name__}")
    if set(rec) - set(FIELDS):
        errors.append(f"{where}: unknown fields {sorted(set(rec) - set(FIELDS))}")
    if any(name not in rec or not isinstance(rec[name], typ) for name, typ in FIELDS.items()):
        return
    where = f"{rec['id']} (line {lineno})"
    match = ID_RE.match(rec["id"])
    if not match:
        errors.append(f"{where}: id should look like q001")
    elif rec["split"] != ("tune" if int(match.group(1)) % 2 else "test"):
        errors.append(f"{where}: split {rec['split']!r} does not follow id parity (odd=tune, even=test)")
    if rec["split"] not in ("tune", "test"):
        errors.append(f"{where}: split must be 'tune' or 'test'")
    if not rec["question"].strip():
        errors.append(f"{where}: empty question")
    if rec["answerable"] and not rec["expected"]:
        errors.append(f"{where}: answerable but expected is empty")
    if not rec["answerable"] and rec["expected"]:
        errors.append(f"{where}: unanswerable but expected is not empty")

    all_in_repo = True
    seen: set[tuple[str, str]] = set()
    for exp in rec["expected"]:
        if not isinstance(exp, dict) or set(exp) != {"source", "path"}:
            errors.append(f"{where}: expected entries need exactly 'source' and 'path'")
            all_in_repo = False
            continue
        source, path = exp["source"], exp["path"]
        if source not in SOURCES:
            errors.append(f"{where}: unknown source {source!r}")
            all_in_repo = False
            continue
        if (source, path) in seen:
            errors.append(f"{where}: duplicate expected {source}/{path}")
        seen.add((source, path))
        if path.startswith("/") or ".." in Path(path).parts:
            errors.append(f"{where}: path must be relative to the corpus directory: {path}")
            all_in_repo = False
            continue
        base = corpus_dirs.get(source)
        if base is not None and not (base / path).is_file():
            errors.append(f"{where}: expected document not found: {source}/{path}")
        if not (IN_REPO_ROOT / source / path).is_file():
            all_in_repo = False
    want_in_repo = rec["answerable"] and bool(rec["expected"]) and all_in_repo
    if rec["in_repo"] != want_in_repo:
        errors.append(f"{where}: in_repo is {rec['in_repo']} but should be {want_in_repo}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} CORPUS_ROOT", file=sys.stderr)
        return 2
    corpus_root = Path(argv[1])
    errors: list[str] = []
    corpus_dirs: dict[str, Path] = {}
    for source in SOURCES:
        found = source_dir(corpus_root, source)
        if found is None:
            errors.append(f"corpus {source!r} not found under {corpus_root} (tried <root>/{source} and <root>/docs/)")
        else:
            corpus_dirs[source] = found

    records: list[dict] = []
    ids: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    with QUESTIONS.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            check_record(rec, lineno, corpus_dirs, errors)
            if isinstance(rec, dict):
                records.append(rec)
                ids[str(rec.get("id"))] += 1
                questions[str(rec.get("question", "")).strip().lower()] += 1

    errors += [f"duplicate id {i} ({n} times)" for i, n in ids.items() if n > 1]
    errors += [f"duplicate question text: {q[:60]!r}" for q, n in questions.items() if n > 1]

    total = len(records)
    unanswerable = sum(1 for r in records if r.get("answerable") is False)
    if total == 0:
        errors.append("no questions")
    elif unanswerable / total < MIN_UNANSWERABLE:
        errors.append(f"only {unanswerable}/{total} unanswerable (< {MIN_UNANSWERABLE:.0%})")

    answerable = [r for r in records if r.get("answerable") is True and r.get("expected")]
    primary = Counter(r["expected"][0].get("source") for r in answerable if isinstance(r["expected"][0], dict))
    splits = Counter((r.get("split"), "answerable" if r.get("answerable") else "unanswerable") for r in records)
    print(f"{QUESTIONS.relative_to(REPO_ROOT)}: {total} questions, corpus root {corpus_root}")
    print(f"  answerable {total - unanswerable}, unanswerable {unanswerable} ({unanswerable / max(total, 1):.1%})")
    print("  answerable by corpus (first expected doc): " + ", ".join(f"{s} {primary[s]}" for s in SOURCES))
    print("  splits: " + ", ".join(f"{s}/{a} {n}" for (s, a), n in sorted(splits.items())))
    print(f"  in_repo: {sum(1 for r in records if r.get('in_repo') is True)}")
    if errors:
        print(f"FAIL: {len(errors)} error(s)")
        for err in errors:
            print(f"  - {err}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
