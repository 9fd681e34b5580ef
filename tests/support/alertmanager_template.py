"""Prometheus Alertmanager's Slack notifications, rendered the way Alertmanager renders them.

Test support, not part of ratchet (it does not ship in the wheel): scripts/render_alert_corpus.py renders the
classify benchmark's corpus with it (tests/data/alert-formats/alertmanager-eval), tests/test_alertmanager_render.py
tests it.

    group = NotificationGroup(receiver="Default", group_by=["namespace"], alerts=[Alert(labels={...}, ...)])
    payload = render_slack_payload(group)                      # what Alertmanager POSTs to the Slack webhook
    payload = render_slack_payload(group, text_variant="docs_common_annotations")
    message = slack_message(payload)                           # how that post reaches a bot (a bot_message)

    alert = alert_from_rule(rule, {"namespace": "payments", "pod": "api-7d9f"}, value=3.0)   # as Prometheus sends it

Faithful to Alertmanager (template/default.tmpl, template.Data, notify/slack) and Prometheus (rules: annotation
expansion): a small interpreter of Go's `text/template` executes the verbatim default Slack templates, the
documented custom `text` templates and the alert rules' annotation templates. What it reproduces:

- `template.Data`: GroupLabels are the route's `group_by` labels the alerts carry (absent ones are left out, so
  the title can have no group values: `[FIRING:1]  (...)`, two spaces); CommonLabels / CommonAnnotations are
  those equal on every alert; Status is `firing` if any alert fires; Receiver is `regexp.QuoteMeta`-escaped;
  alerts are ordered like the dispatcher's `AlertSlice` (by `job`, then `instance`, then label set).
- `KV.SortedPairs` sorts by label name but puts `alertname` first; `.Remove` / `.Names` / `.Values` likewise.
- `[FIRING:<n>]` counts firing alerts only (a group can carry resolved ones too); `[RESOLVED]` has no count;
  with no labels beyond the group labels the title ends in a space and has no parentheses.
- Alertmanager executes templates with `missingkey=zero` (a missing annotation is ""), titles are cut to 1024
  runes, `mrkdwn_in` defaults to fallback/pretext/text, empty optional fields are left out as Go's JSON does.
- Annotation templates: `$labels`, `$value`, `$externalLabels`, `$externalURL`, printf, humanize*, if/with/range,
  ... as Prometheus expands them; `query` (needs a live Prometheus) and broken templates are left verbatim.
  A missing label renders as Go's default `<no value>` (what the shared rendered examples show); Prometheus
  itself parses with `missingkey=zero` and renders "" - pass `missing_key="zero"` for that.

The default template text below is Alertmanager's (Apache-2.0, prometheus/alertmanager template/default.tmpl).
"""

from __future__ import annotations

import functools
import json
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote_plus, unquote_plus

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_TEMPLATES",
    "TEXT_VARIANTS",
    "Alert",
    "NotificationGroup",
    "TemplateError",
    "UnsupportedTemplate",
    "alert_from_rule",
    "execute_alertmanager_template",
    "expand_annotations",
    "expand_template",
    "generator_url",
    "group_alerts",
    "label_fingerprint",
    "render_slack_payload",
    "slack_message",
]


class TemplateError(ValueError):
    """What Go's text/template would reject: a parse error or an execution error."""


class UnsupportedTemplate(TemplateError):
    """A template that needs something only a running Prometheus has (the `query` function)."""


# ---------------------------------------------------------------------------------------------------------------
# Go text/template: lexer
# ---------------------------------------------------------------------------------------------------------------

_SPACE = " \t\r\n"
_KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"})
_IDENT_CHARS = frozenset(string.ascii_letters + string.digits + "_")
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9_]+)?)")


@dataclass(slots=True)
class _Tok:
    kind: str  # field var ident dot string number char bool nil ( ) | := = ,
    value: Any
    spaced: bool  # whitespace before it (`$x.y` chains, `$x .y` does not)


def _lex(text: str) -> list[tuple[str, Any]]:
    """Split a template into ('text', str) and ('action', [tokens]) items, applying `{{-` / `-}}` trimming."""
    items: list[tuple[str, Any]] = []
    pos = 0
    trim_next = False
    while True:
        start = text.find("{{", pos)
        chunk = text[pos:] if start < 0 else text[pos:start]
        if trim_next:
            chunk = chunk.lstrip(_SPACE)
        if start < 0:
            if chunk:
                items.append(("text", chunk))
            return items
        inner = start + 2
        if text.startswith("-", inner) and inner + 1 < len(text) and text[inner + 1] in _SPACE:
            chunk = chunk.rstrip(_SPACE)
            inner += 2
        if chunk:
            items.append(("text", chunk))
        if text.startswith("/*", inner):  # a comment: {{/* ... */}} or {{- /* ... */ -}}
            close = text.find("*/", inner + 2)
            if close < 0:
                raise TemplateError("unclosed comment")
            after = close + 2
            trim_next = after < len(text) and text[after] in _SPACE and text.startswith("-}}", after + 1)
            if trim_next:
                after += 2
            if not text.startswith("}}", after):
                raise TemplateError("comment ends before closing delimiter")
            pos = after + 2
            continue
        tokens, pos, trim_next = _lex_action(text, inner)
        items.append(("action", tokens))


def _lex_action(text: str, pos: int) -> tuple[list[_Tok], int, bool]:
    tokens: list[_Tok] = []
    spaced = True
    n = len(text)
    while True:
        if pos >= n:
            raise TemplateError("unclosed action")
        ch = text[pos]
        if ch in _SPACE:
            if text.startswith("-}}", pos + 1):
                return tokens, pos + 4, True
            pos += 1
            spaced = True
            continue
        if text.startswith("}}", pos):
            return tokens, pos + 2, False
        if ch == '"':
            end = pos + 1
            while end < n and text[end] != '"':
                if text[end] == "\\":
                    end += 1
                elif text[end] == "\n":
                    raise TemplateError("unterminated quoted string")
                end += 1
            if end >= n:
                raise TemplateError("unterminated quoted string")
            tokens.append(_Tok("string", _unquote(text[pos + 1 : end]), spaced))
            pos = end + 1
        elif ch == "`":
            end = text.find("`", pos + 1)
            if end < 0:
                raise TemplateError("unterminated raw quoted string")
            tokens.append(_Tok("string", text[pos + 1 : end].replace("\r", ""), spaced))
            pos = end + 1
        elif ch == "'":
            end = pos + 1
            while end < n and text[end] != "'":
                end += 2 if text[end] == "\\" else 1
            raw = _unquote(text[pos + 1 : end])
            if len(raw) != 1:
                raise TemplateError(f"malformed character constant: {text[pos : end + 1]}")
            tokens.append(_Tok("number", ord(raw), spaced))
            pos = end + 1
        elif ch == "$":
            end = pos + 1
            while end < n and text[end] in _IDENT_CHARS:
                end += 1
            tokens.append(_Tok("var", text[pos:end], spaced))
            pos = end
        elif ch == "." and pos + 1 < n and (text[pos + 1] in _IDENT_CHARS and not text[pos + 1].isdigit()):
            end = pos + 1
            while end < n and text[end] in _IDENT_CHARS:
                end += 1
            tokens.append(_Tok("field", text[pos + 1 : end], spaced))
            pos = end
        elif ch.isdigit() or (ch in "+-." and pos + 1 < n and text[pos + 1].isdigit()):
            match = _NUMBER.match(text, pos)
            assert match is not None
            tokens.append(_Tok("number", _number(match.group(0)), spaced))
            pos = match.end()
        elif ch == ".":
            tokens.append(_Tok("dot", None, spaced))
            pos += 1
        elif ch in _IDENT_CHARS:
            end = pos
            while end < n and text[end] in _IDENT_CHARS:
                end += 1
            word = text[pos:end]
            if word in ("true", "false"):
                tokens.append(_Tok("bool", word == "true", spaced))
            elif word == "nil":
                tokens.append(_Tok("nil", None, spaced))
            else:
                tokens.append(_Tok("ident", word, spaced))
            pos = end
        elif text.startswith(":=", pos):
            tokens.append(_Tok(":=", None, spaced))
            pos += 2
        elif ch in "()|=,":
            tokens.append(_Tok(ch, None, spaced))
            pos += 1
        else:
            raise TemplateError(f"unexpected {ch!r} in action")
        spaced = False


def _number(text: str) -> int | float:
    """A Go template number constant: int unless it is written as a float (has . e E)."""
    clean = text.replace("_", "")
    if clean.lower().lstrip("+-").startswith("0x"):
        return int(clean, 16)
    if any(c in clean for c in ".eE"):
        return float(clean)
    return int(clean)


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"'}


def _unquote(body: str) -> str:
    """Go's strconv.Unquote for the inside of a "..." literal."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1 : i + 2]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 2
        elif esc in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[esc]
            out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        elif esc.isdigit():
            out.append(chr(int(body[i + 1 : i + 4], 8)))
            i += 4
        else:
            raise TemplateError(f"invalid escape \\{esc}")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Go text/template: parse tree
# ---------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Field:  # .A.B on dot
    names: tuple[str, ...]


@dataclass(slots=True)
class _Var:  # $x.A.B
    name: str
    names: tuple[str, ...]


@dataclass(slots=True)
class _Ident:  # a function name
    name: str


@dataclass(slots=True)
class _Const:
    value: Any


@dataclass(slots=True)
class _Dot:
    pass


@dataclass(slots=True)
class _Nil:
    pass


@dataclass(slots=True)
class _Cmd:
    args: list[Any]


@dataclass(slots=True)
class _Pipe:
    decl: list[str]
    is_assign: bool
    cmds: list[_Cmd]


@dataclass(slots=True)
class _SubPipe:  # ( pipeline ).A.B
    pipe: _Pipe
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Action:
    pipe: _Pipe


@dataclass(slots=True)
class _Branch:
    kind: str  # if with range
    pipe: _Pipe
    body: list[Any]
    otherwise: list[Any] | None


@dataclass(slots=True)
class _Call:
    name: str
    pipe: _Pipe | None


@dataclass(slots=True)
class _Jump:
    kind: str  # break continue


@dataclass(slots=True)
class _Parsed:
    root: list[Any]
    defines: dict[str, list[Any]] = field(default_factory=dict)


class _PipeParser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise TemplateError("unexpected end of action")
        self.pos += 1
        return tok

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def pipeline(self, *, allow_decl: bool = True, range_decl: bool = False) -> _Pipe:
        decl: list[str] = []
        is_assign = False
        if allow_decl:
            decl, is_assign = self._declaration(range_decl)
        cmds: list[_Cmd] = []
        while True:
            cmd = self._command()
            cmds.append(cmd)
            tok = self.peek()
            if tok is None or tok.kind == ")":
                break
            if tok.kind != "|":
                raise TemplateError(f"unexpected {tok.kind} in pipeline")
            self.take()
        return _Pipe(decl, is_assign, cmds)

    def _declaration(self, range_decl: bool) -> tuple[list[str], bool]:
        toks = self.tokens[self.pos :]
        if len(toks) >= 2 and toks[0].kind == "var" and toks[1].kind in (":=", "="):
            self.pos += 2
            return [toks[0].value], toks[1].kind == "="
        if (
            range_decl
            and len(toks) >= 4
            and toks[0].kind == "var"
            and toks[1].kind == ","
            and toks[2].kind == "var"
            and toks[3].kind in (":=", "=")
        ):
            self.pos += 4
            return [toks[0].value, toks[2].value], toks[3].kind == "="
        return [], False

    def _command(self) -> _Cmd:
        args: list[Any] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind in ("|", ")"):
                break
            if args and not tok.spaced and tok.kind != "field":
                raise TemplateError("missing space between operands")
            args.append(self._operand())
        if not args:
            raise TemplateError("missing command")
        return _Cmd(args)

    def _operand(self) -> Any:
        tok = self.take()
        node: Any
        if tok.kind == "field":
            names = [tok.value]
            names += self._chain()
            return _Field(tuple(names))
        if tok.kind == "var":
            return _Var(tok.value, tuple(self._chain()))
        if tok.kind == "(":
            pipe = self.pipeline(allow_decl=False)
            close = self.take()
            if close.kind != ")":
                raise TemplateError("unclosed left paren")
            return _SubPipe(pipe, tuple(self._chain()))
        if tok.kind == "ident":
            if tok.value in _KEYWORDS:
                raise TemplateError(f"unexpected keyword {tok.value}")
            node = _Ident(tok.value)
        elif tok.kind in ("string", "number", "bool"):
            node = _Const(tok.value)
        elif tok.kind == "dot":
            node = _Dot()
        elif tok.kind == "nil":
            node = _Nil()
        else:
            raise TemplateError(f"unexpected {tok.kind} in operand")
        if (nxt := self.peek()) is not None and nxt.kind == "field" and not nxt.spaced:
            raise TemplateError("unexpected . after term")
        return node

    def _chain(self) -> list[str]:
        names = []
        while (tok := self.peek()) is not None and tok.kind == "field" and not tok.spaced:
            names.append(self.take().value)
        return names


class _Parser:
    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self.items = items
        self.pos = 0
        self.defines: dict[str, list[Any]] = {}

    def parse(self) -> _Parsed:
        root, stop = self._list(())
        if stop is not None:
            raise TemplateError(f"unexpected {{{{{stop[0]}}}}}")
        return _Parsed(root, self.defines)

    def _list(self, stops: tuple[str, ...]) -> tuple[list[Any], tuple[str, list[_Tok]] | None]:
        nodes: list[Any] = []
        while self.pos < len(self.items):
            kind, payload = self.items[self.pos]
            self.pos += 1
            if kind == "text":
                nodes.append(_Text(payload))
                continue
            tokens: list[_Tok] = payload
            if not tokens:
                raise TemplateError("missing value for command")
            head = tokens[0]
            word = head.value if head.kind == "ident" and head.value in _KEYWORDS else None
            if word in ("end", "else"):
                if word not in stops:
                    raise TemplateError(f"unexpected {{{{{word}}}}}")
                return nodes, (word, tokens)
            if word in ("if", "with", "range"):
                nodes.append(self._branch(word, tokens[1:]))
            elif word == "template":
                nodes.append(self._template_call(tokens[1:]))
            elif word in ("define", "block"):
                name, rest = self._name(tokens[1:])
                pipe = None
                if word == "block":
                    parser = _PipeParser(rest)
                    pipe = parser.pipeline()
                elif rest:
                    raise TemplateError("unexpected tokens after define name")
                body, stop = self._list(("end",))
                if stop is None:
                    raise TemplateError(f"unexpected EOF in {word}")
                self.defines[name] = body
                if word == "block":
                    nodes.append(_Call(name, pipe))
            elif word in ("break", "continue"):
                nodes.append(_Jump(word))
            else:
                parser = _PipeParser(tokens)
                pipe = parser.pipeline()
                if not parser.done():
                    raise TemplateError("unexpected ) in action")
                nodes.append(_Action(pipe))
        if stops:
            raise TemplateError("unexpected EOF")
        return nodes, None

    def _branch(self, kind: str, tokens: list[_Tok]) -> _Branch:
        parser = _PipeParser(tokens)
        pipe = parser.pipeline(range_decl=kind == "range")
        if not parser.done():
            raise TemplateError(f"unexpected tokens in {kind}")
        body, stop = self._list(("end", "else"))
        assert stop is not None
        otherwise: list[Any] | None = None
        if stop[0] == "else":
            rest = stop[1][1:]
            if rest and rest[0].kind == "ident" and rest[0].value in ("if", "with") and kind != "range":
                # {{else if x}} / {{else with x}}: a nested branch closed by the same {{end}}
                otherwise = [self._branch(rest[0].value, rest[1:])]
            else:
                if rest:
                    raise TemplateError("unexpected tokens after else")
                otherwise, stop = self._list(("end",))
                if stop is None:
                    raise TemplateError("unexpected EOF")
        return _Branch(kind, pipe, body, otherwise)

    def _template_call(self, tokens: list[_Tok]) -> _Call:
        name, rest = self._name(tokens)
        pipe = None
        if rest:
            parser = _PipeParser(rest)
            pipe = parser.pipeline(allow_decl=False)
        return _Call(name, pipe)

    @staticmethod
    def _name(tokens: list[_Tok]) -> tuple[str, list[_Tok]]:
        if not tokens or tokens[0].kind != "string":
            raise TemplateError("template name must be a string")
        return tokens[0].value, tokens[1:]


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> _Parsed:
    return _Parser(_lex(text)).parse()


# ---------------------------------------------------------------------------------------------------------------
# Go text/template: execution
# ---------------------------------------------------------------------------------------------------------------


class _Missing:
    """Go's invalid reflect.Value: a missing map key under the default `missingkey` option."""

    def __repr__(self) -> str:
        return "<no value>"


_MISSING = _Missing()
_NOFINAL = object()  # no value piped in from the previous command


class _GoObject:
    """Base for values with Go fields (instance attributes) and methods (capitalised methods)."""

    def __str__(self) -> str:
        fields = [_print_value(v) for k, v in vars(self).items() if k[:1].isupper()]
        return "{" + " ".join(fields) + "}"


class _JumpSignal(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


class _Exec:
    def __init__(self, defines: Mapping[str, list[Any]], funcs: Mapping[str, Callable[..., Any]], zero: bool) -> None:
        self.defines = defines
        self.funcs = funcs
        self.zero = zero  # missingkey=zero: a missing map key is "" (our maps hold strings)
        self.vars: list[list[Any]] = []
        self.out: list[str] = []
        self.depth = 0

    def run(self, nodes: list[Any], dot: Any) -> str:
        self.vars = [["$", dot]]
        self.walk(nodes, dot)
        return "".join(self.out)

    def walk(self, nodes: list[Any], dot: Any) -> None:
        for node in nodes:
            kind = type(node)
            if kind is _Text:
                self.out.append(node.text)
            elif kind is _Action:
                value = self.pipeline(node.pipe, dot)
                if not node.pipe.decl:
                    self.out.append(_print_value(value))
            elif kind is _Branch:
                self.branch(node, dot)
            elif kind is _Call:
                self.call_template(node, dot)
            elif kind is _Jump:
                raise _JumpSignal(node.kind)

    def branch(self, node: _Branch, dot: Any) -> None:
        mark = len(self.vars)
        try:
            if node.kind == "range":
                self.range(node, dot)
                return
            value = self.pipeline(node.pipe, dot)
            if _is_true(value):
                self.walk(node.body, value if node.kind == "with" else dot)
            elif node.otherwise is not None:
                self.walk(node.otherwise, dot)
        finally:
            del self.vars[mark:]

    def range(self, node: _Branch, dot: Any) -> None:
        pipe = node.pipe
        value = self.pipeline(_Pipe([], False, pipe.cmds), dot)
        if isinstance(value, Mapping):
            pairs: Iterable[tuple[Any, Any]] = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list | tuple):
            pairs = enumerate(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            pairs = ((i, i) for i in range(value))
        elif value is _MISSING or value is None:
            pairs = []
        else:
            raise TemplateError(f"range can't iterate over {_print_value(value)}")
        ran = False
        for key, item in pairs:
            ran = True
            mark = len(self.vars)
            if len(pipe.decl) == 1:
                self.vars.append([pipe.decl[0], item])
            elif len(pipe.decl) == 2:
                self.vars.append([pipe.decl[0], key])
                self.vars.append([pipe.decl[1], item])
            try:
                self.walk(node.body, item)
            except _JumpSignal as jump:
                if jump.kind == "break":
                    break
            finally:
                del self.vars[mark:]
        if not ran and node.otherwise is not None:
            self.walk(node.otherwise, dot)

    def call_template(self, node: _Call, dot: Any) -> None:
        body = self.defines.get(node.name)
        if body is None:
            raise TemplateError(f'no such template "{node.name}"')
        new_dot = self.pipeline(node.pipe, dot) if node.pipe is not None else None
        self.depth += 1
        if self.depth > 100:
            raise TemplateError("exceeded maximum template depth")
        saved, self.vars = self.vars, [["$", new_dot]]
        try:
            self.walk(body, new_dot)
        finally:
            self.vars = saved
            self.depth -= 1

    # -- pipelines ---------------------------------------------------------------------------------------------

    def pipeline(self, pipe: _Pipe, dot: Any) -> Any:
        value: Any = _NOFINAL
        for cmd in pipe.cmds:
            value = self.command(cmd, dot, value)
        for name in pipe.decl:
            if pipe.is_assign:
                self.set_var(name, value)
            else:
                self.vars.append([name, value])
        return value

    def command(self, cmd: _Cmd, dot: Any, final: Any) -> Any:
        first = cmd.args[0]
        kind = type(first)
        if kind is _Field:
            return self.field_chain(dot, first.names, cmd.args[1:], final, dot)
        if kind is _Ident:
            return self.function(first.name, cmd.args[1:], dot, final)
        if kind is _Var:
            value = self.var(first.name)
            if first.names:
                return self.field_chain(value, first.names, cmd.args[1:], final, dot)
            self.not_a_function(cmd, final)
            return value
        if kind is _SubPipe:
            value = self.pipeline(first.pipe, dot)
            if first.names:
                return self.field_chain(value, first.names, cmd.args[1:], final, dot)
            self.not_a_function(cmd, final)
            return value
        if kind is _Nil:
            raise TemplateError("nil is not a command")
        self.not_a_function(cmd, final)
        return dot if kind is _Dot else first.value

    @staticmethod
    def not_a_function(cmd: _Cmd, final: Any) -> None:
        if len(cmd.args) > 1 or final is not _NOFINAL:
            raise TemplateError("can't give argument to non-function")

    def var(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise TemplateError(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise TemplateError(f"undefined variable: {name}")

    def arg(self, node: Any, dot: Any) -> Any:
        kind = type(node)
        if kind is _Const:
            return node.value
        if kind is _Field:
            return self.field_chain(dot, node.names, [], _NOFINAL, dot)
        if kind is _Var:
            value = self.var(node.name)
            return self.field_chain(value, node.names, [], _NOFINAL, dot) if node.names else value
        if kind is _Dot:
            return dot
        if kind is _Nil:
            return None
        if kind is _SubPipe:
            value = self.pipeline(node.pipe, dot)
            return self.field_chain(value, node.names, [], _NOFINAL, dot) if node.names else value
        if kind is _Ident:
            return self.function(node.name, [], dot, _NOFINAL)
        raise TemplateError(f"can't handle {node!r} as an argument")

    def field_chain(self, receiver: Any, names: tuple[str, ...], args: list[Any], final: Any, dot: Any) -> Any:
        for name in names[:-1]:
            receiver = self.field(receiver, name, [], _NOFINAL, dot)
        return self.field(receiver, names[-1], args, final, dot)

    def field(self, receiver: Any, name: str, args: list[Any], final: Any, dot: Any) -> Any:
        """`.name` on receiver: a method (called with args evaluated against dot), a struct field or a map key."""
        has_args = bool(args) or final is not _NOFINAL
        if receiver is _MISSING:
            return _MISSING
        if receiver is None:
            raise TemplateError(f"nil pointer evaluating .{name}")
        if isinstance(receiver, _GoObject) and name[:1].isupper():
            method = getattr(type(receiver), name, None)
            if callable(method):
                values = [self.arg(a, dot) for a in args]
                if final is not _NOFINAL:
                    values.append(final)
                return _invoke(getattr(receiver, name), values, name)
            if not isinstance(receiver, dict) and name in vars(receiver):
                if has_args:
                    raise TemplateError(f"{name} has arguments but cannot be invoked as function")
                return vars(receiver)[name]
        if isinstance(receiver, Mapping):
            if has_args:
                raise TemplateError(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            return "" if self.zero else _MISSING
        raise TemplateError(f"can't evaluate field {name} in type {_go_type(receiver)}")

    def function(self, name: str, args: list[Any], dot: Any, final: Any) -> Any:
        if name in ("and", "or"):  # short-circuit: the first falsy (and) / truthy (or) argument, else the last
            total = len(args) + (final is not _NOFINAL)
            if total == 0:
                raise TemplateError(f"wrong number of args for {name}: want at least 1 got 0")
            for i in range(total):
                value = self.arg(args[i], dot) if i < len(args) else final
                if _is_true(value) == (name == "or") or i == total - 1:
                    return value
        fn = self.funcs.get(name) or _BUILTINS.get(name)
        if fn is None:
            raise TemplateError(f'function "{name}" not defined')
        values = [self.arg(a, dot) for a in args]
        if final is not _NOFINAL:
            values.append(final)
        return _invoke(fn, values, name)


def _invoke(fn: Callable[..., Any], values: list[Any], name: str) -> Any:
    try:
        return fn(*values)
    except TemplateError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, OSError, re.error) as exc:
        raise TemplateError(f"error calling {name}: {exc}") from exc


def _execute(
    text: str,
    dot: Any,
    *,
    funcs: Mapping[str, Callable[..., Any]],
    zero: bool,
    defines: Mapping[str, list[Any]] | None = None,
) -> str:
    parsed = _parse(text)
    all_defines = {**(defines or {}), **parsed.defines}
    executor = _Exec(all_defines, funcs, zero)
    try:
        return executor.run(parsed.root, dot)
    except _JumpSignal as exc:
        raise TemplateError(f"{{{{{exc.kind}}}}} outside {{{{range}}}}") from exc
    except RecursionError as exc:
        raise TemplateError("template too deeply nested") from exc


# ---------------------------------------------------------------------------------------------------------------
# Go values: truth, printing, fmt
# ---------------------------------------------------------------------------------------------------------------


def _is_true(value: Any) -> bool:
    if value is _MISSING or value is None or value is _NOFINAL:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return True


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]string"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__.lstrip("_")


def _print_value(value: Any) -> str:
    """What `{{ value }}` prints (fmt.Fprint of the value)."""
    if isinstance(value, str):
        return value
    if value is _MISSING or value is _NOFINAL:
        return "<no value>"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value, "g", -1)
    if isinstance(value, KV | _Pairs | _GoTime):  # Go Stringers
        return str(value)
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{_print_value(k)}:{_print_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_print_value(v) for v in value) + "]"
    return str(value)


def _go_float(value: float, verb: str, prec: int) -> str:
    """strconv.FormatFloat / fmt for %v %g %e %f; prec -1 = the shortest representation that round-trips."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if prec >= 0 or verb in "eEfF":
        return f"%.{prec if prec >= 0 else 6}{verb}" % value
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    exponent += len(digits) - len(ds)
    minus = "-" if sign else ""
    if ds == "0":
        return minus + "0"
    point = len(ds) + exponent  # digits before the decimal point
    exp = point - 1
    if exp < -4 or exp >= 6:  # shortest %g/%v: exponent form from 1e+06 up, as strconv does
        mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{minus}{mantissa}{'E' if verb in 'EG' else 'e'}{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{ds}"
    if point >= len(ds):
        return minus + ds + "0" * (point - len(ds))
    return f"{minus}{ds[:point]}.{ds[point:]}"


_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])")


def _sprintf(fmt: str, *args: Any) -> str:
    """Go's fmt.Sprintf for the verbs templates use (%s %v %d %f %e %g %q %x %t %c %%), with Go's error forms."""
    out: list[str] = []
    pos = 0
    argi = 0
    args_list = list(args)
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        pos = match.end()
        flags, width_s, prec_s, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        width = prec = -1
        if width_s == "*":
            width, argi = (int(args_list[argi]) if argi < len(args_list) else 0), argi + 1
        elif width_s:
            width = int(width_s)
        if prec_s == "*":
            prec, argi = (int(args_list[argi]) if argi < len(args_list) else 0), argi + 1
        elif prec_s is not None:
            prec = int(prec_s or 0)
        if argi >= len(args_list):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args_list[argi]
        argi += 1
        out.append(_pad(_format_one(verb, flags, prec, arg), flags, width, arg))
    out.append(fmt[pos:])
    if argi < len(args_list):
        extra = ", ".join(f"{_go_type(a)}={_print_value(a)}" for a in args_list[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _bad_verb(verb: str, arg: Any) -> str:
    if arg is None or arg is _MISSING:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({_go_type(arg)}={_print_value(arg)})"


def _format_one(verb: str, flags: str, prec: int, arg: Any) -> str:
    plus = "+" if "+" in flags else (" " if " " in flags else "")
    number = isinstance(arg, int | float) and not isinstance(arg, bool)
    if verb == "v" and not number:
        return _print_value(arg)
    if verb == "s" and (isinstance(arg, str | _GoObject | list | dict)):
        text = _print_value(arg)
        return text[:prec] if prec >= 0 else text
    if verb in "dboxXc" and number and isinstance(arg, int):
        text = chr(arg) if verb == "c" else format(arg, verb)
    elif verb in "veEfFgG" and isinstance(arg, float):
        text = _go_float(arg, "g" if verb == "v" else verb, prec)
    elif verb == "v" and isinstance(arg, int):
        text = str(arg)
    elif verb in "xX" and isinstance(arg, str):
        return arg.encode().hex() if verb == "x" else arg.encode().hex().upper()
    elif verb == "q" and isinstance(arg, str):
        return json.dumps(arg, ensure_ascii=False)
    elif verb == "t" and isinstance(arg, bool):
        return "true" if arg else "false"
    else:
        return _bad_verb(verb, arg)
    return text if not plus or text.startswith(("-", "+")) else plus + text


def _pad(text: str, flags: str, width: int, arg: Any) -> str:
    if width <= len(text):
        return text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags and isinstance(arg, int | float) and not isinstance(arg, bool):
        sign = text[0] if text[:1] in "+- " else ""
        return sign + text[len(sign) :].rjust(width - len(sign), "0")
    return text.rjust(width)


def _sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(_print_value(arg))
    return "".join(out)


def _eval_args(args: tuple[Any, ...]) -> str:
    return args[0] if len(args) == 1 and isinstance(args[0], str) else _sprint(*args)


def _kind(value: Any) -> str | None:
    if value is None or value is _MISSING:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _eq(first: Any, *others: Any) -> bool:
    if not others:
        raise TemplateError("missing argument for comparison")
    for other in others:
        k1, k2 = _kind(first), _kind(other)
        if k1 != k2:
            if k1 is not None and k2 is not None:
                raise TemplateError("incompatible types for comparison")
            continue
        if first == other:
            return True
    return False


def _lt(a: Any, b: Any) -> bool:
    k1, k2 = _kind(a), _kind(b)
    if k1 not in ("int", "float", "string") or k2 not in ("int", "float", "string"):
        raise TemplateError("invalid type for comparison")
    if k1 != k2:
        raise TemplateError("incompatible types for comparison")
    return bool(a < b)


def _len(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, list | tuple | dict):
        return len(value)
    raise TemplateError(f"len of type {_go_type(value)}")


def _index(item: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(item, Mapping):
            item = item.get(key, "")
        elif isinstance(item, list | tuple | str):
            item = item[key]
        else:
            raise TemplateError(f"can't index item of type {_go_type(item)}")
    return item


def _html_escape(*args: Any) -> str:
    text = _eval_args(args)
    return (
        text.replace("&", "&amp;")
        .replace("'", "&#39;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("\x00", "\ufffd")
    )


def _js_escape(*args: Any) -> str:
    text = _eval_args(args)
    return "".join(
        {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}.get(c, c)
        for c in text
    )


def _slice(item: Any, *indices: int) -> Any:
    if len(indices) > 2:
        raise TemplateError("too many slice indices")
    start = indices[0] if indices else 0
    end = indices[1] if len(indices) > 1 else len(item)
    return item[start:end]


_BUILTINS: dict[str, Callable[..., Any]] = {
    "not": lambda value: not _is_true(value),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": _sprint,
    "printf": _sprintf,
    "println": lambda *args: " ".join(_print_value(a) for a in args) + "\n",
    "html": _html_escape,
    "js": _js_escape,
    "urlquery": lambda *args: quote_plus(_eval_args(args), safe=""),
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _lt,
    "le": lambda a, b: _lt(a, b) or _eq(a, b),
    "gt": lambda a, b: not (_lt(a, b) or _eq(a, b)),
    "ge": lambda a, b: not _lt(a, b),
    "call": lambda fn, *args: fn(*args),
}


# ---------------------------------------------------------------------------------------------------------------
# Template functions of Prometheus (rule annotations) and Alertmanager (notifications)
# ---------------------------------------------------------------------------------------------------------------


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TemplateError("can't convert bool to float")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError as exc:
            raise TemplateError(f"strconv.ParseFloat: parsing {value!r}: invalid syntax") from exc
    raise TemplateError(f"can't convert {_go_type(value)} to float")


def _g4(value: float) -> str:
    return _go_float(value, "g", 4)


def _humanize(value: Any) -> str:
    v = _to_float(value)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return _g4(v) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return _g4(v) + prefix


def _humanize1024(value: Any) -> str:
    v = _to_float(value)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return _g4(v) + prefix


def _humanize_duration(value: Any) -> str:
    v = _to_float(value)
    if math.isnan(v) or math.isinf(v):
        return _g4(v)
    if v == 0:
        return _g4(v) + "s"
    if abs(v) >= 1:
        sign = ""
        if v < 0:
            sign, v = "-", -v
        whole = int(v)
        seconds, minutes, hours, days = whole % 60, (whole // 60) % 60, (whole // 3600) % 24, whole // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g4(v)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{_g4(v)}{prefix}s"


def _humanize_timestamp(value: Any) -> str:
    v = _to_float(value)
    if math.isnan(v) or math.isinf(v):
        return _g4(v)
    return str(_GoTime(datetime.fromtimestamp(v, UTC)))


def _go_regex(pattern: str) -> re.Pattern[str]:
    """RE2 syntax as Python's re reads it (named groups are spelt (?P<n>...) in both)."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise TemplateError(f"regexp: {exc}") from exc


def _re_replace_all(pattern: str, repl: str, text: str) -> str:
    """regexp.ReplaceAllString: `$1`, `${1}`, `${name}` and `$$` in the replacement, as Go expands them."""
    regex = _go_regex(pattern)

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(repl):
            ch = repl[i]
            if ch != "$" or i + 1 >= len(repl):
                out.append(ch)
                i += 1
                continue
            if repl[i + 1] == "$":
                out.append("$")
                i += 2
                continue
            if repl[i + 1] == "{":
                close = repl.find("}", i + 2)
                if close < 0:
                    out.append(ch)
                    i += 1
                    continue
                name, i = repl[i + 2 : close], close + 1
            else:
                end = i + 1
                while end < len(repl) and repl[end] in _IDENT_CHARS:
                    end += 1
                if end == i + 1:
                    out.append(ch)
                    i += 1
                    continue
                name, i = repl[i + 1 : end], end
            try:
                group = match.group(int(name) if name.isdigit() else name)
            except IndexError:  # no such group: Go substitutes ""
                group = ""
            out.append(group or "")
        return "".join(out)

    return regex.sub(expand, text)


def _title_words(text: str, *, lower_rest: bool) -> str:
    """strings.Title (Prometheus) or cases.Title (Alertmanager, which also lower-cases the rest of each word)."""
    out = []
    previous_is_separator = True
    for ch in text:
        is_separator = not (ch.isalnum() or ch == "_") if ch.isascii() else ch.isspace()
        if previous_is_separator and not is_separator:
            out.append(ch.upper())
        else:
            out.append(ch.lower() if lower_rest and not is_separator else ch)
        previous_is_separator = is_separator
    return "".join(out)


def _strip_port(host_port: str) -> str:
    if host_port.startswith("["):
        close = host_port.find("]")
        return host_port[1:close] if close > 0 else host_port
    host, sep, port = host_port.rpartition(":")
    return host if sep and ":" not in host and port.isdigit() else host_port


def _needs_prometheus(*_args: Any) -> Any:
    raise UnsupportedTemplate("query needs a running Prometheus")


def _unsupported(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise UnsupportedTemplate(f"{name} works on query results, which need a running Prometheus")

    return fn


class _PromData(_GoObject):
    """The data Prometheus gives an alerting rule's templates (template.AlertTemplateData)."""

    def __init__(self, labels: dict[str, str], external_labels: dict[str, str], external_url: str, value: float):
        self.Labels = labels
        self.ExternalLabels = external_labels
        self.ExternalURL = external_url
        self.Value = value


# Prometheus prepends these to every rule template (rules/alerting.go).
_PROMETHEUS_DEFS = (
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
)


def _prometheus_funcs(external_url: str) -> dict[str, Callable[..., Any]]:
    def table_link(expr: str) -> str:
        return f"/graph?g0.expr={quote_plus(expr, safe='')}&g0.tab=1"

    def graph_link(expr: str) -> str:
        return f"/graph?g0.expr={quote_plus(expr, safe='')}&g0.tab=0"

    path = re.sub(r"^[a-z]+://[^/]*", "", external_url)
    return {
        "query": _needs_prometheus,
        "first": _unsupported("first"),
        "label": _unsupported("label"),
        "value": _unsupported("value"),
        "strvalue": _unsupported("strvalue"),
        "sortByLabel": _unsupported("sortByLabel"),
        "args": lambda *args: {f"arg{i}": a for i, a in enumerate(args)},
        "reReplaceAll": _re_replace_all,
        "safeHtml": lambda text: text,
        "match": lambda pattern, text: _go_regex(pattern).search(text) is not None,
        "title": lambda text: _title_words(text, lower_rest=False),
        "toUpper": lambda text: text.upper(),
        "toLower": lambda text: text.lower(),
        "graphLink": graph_link,
        "tableLink": table_link,
        "humanize": _humanize,
        "humanize1024": _humanize1024,
        "humanizeDuration": _humanize_duration,
        "humanizePercentage": lambda value: _g4(_to_float(value) * 100) + "%",
        "humanizeTimestamp": _humanize_timestamp,
        "toTime": lambda value: _GoTime(datetime.fromtimestamp(_to_float(value), UTC)),
        "pathPrefix": lambda: path,
        "externalURL": lambda: external_url,
        "stripPort": _strip_port,
        "stripDomain": lambda host_port: re.sub(r"^([^.:\[]+)\.[^:]*", r"\1", host_port),
    }


_PROMETHEUS_FUNCS = _prometheus_funcs("")


def expand_template(
    text: str,
    *,
    labels: Mapping[str, str],
    value: float = 0.0,
    external_labels: Mapping[str, str] | None = None,
    external_url: str = "",
    missing_key: Literal["default", "zero"] = "default",
) -> str:
    """Expand one alert-rule template as Prometheus does (labels = the series' labels, value = the sample).

    Raises TemplateError (UnsupportedTemplate for `query`) where Prometheus would fail or needs a live server.
    """
    if "{{" not in text:
        return text
    data = _PromData(dict(labels), dict(external_labels or {}), external_url, float(value))
    funcs = _PROMETHEUS_FUNCS if not external_url else _prometheus_funcs(external_url)
    return _execute(_PROMETHEUS_DEFS + text, data, funcs=funcs, zero=missing_key == "zero")


def expand_annotations(
    annotations: Mapping[str, str],
    *,
    labels: Mapping[str, str],
    value: float = 0.0,
    external_labels: Mapping[str, str] | None = None,
    external_url: str = "",
    missing_key: Literal["default", "zero"] = "default",
) -> dict[str, str]:
    """Expand every annotation; one that can't be expanded offline (`query`, a broken template) stays verbatim."""
    expanded = {}
    for name, text in annotations.items():
        try:
            expanded[name] = expand_template(
                text,
                labels=labels,
                value=value,
                external_labels=external_labels,
                external_url=external_url,
                missing_key=missing_key,
            )
        except TemplateError:
            expanded[name] = text
    return expanded


# ---------------------------------------------------------------------------------------------------------------
# Alertmanager's template data and functions
# ---------------------------------------------------------------------------------------------------------------


class _GoTime(_GoObject):
    def __init__(self, moment: datetime | None) -> None:
        self.moment = moment

    def IsZero(self) -> bool:
        return self.moment is None

    def Unix(self) -> int:
        return 0 if self.moment is None else int(self.moment.timestamp())

    def __str__(self) -> str:
        """time.Time.String(): 2006-01-02 15:04:05.999999999 -0700 MST."""
        if self.moment is None:
            return "0001-01-01 00:00:00 +0000 UTC"
        moment = self.moment.astimezone(UTC)
        fraction = f".{moment.microsecond:06d}".rstrip("0").rstrip(".")
        return moment.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


class _Pair(_GoObject):
    def __init__(self, name: str, value: str) -> None:
        self.Name = name
        self.Value = value


class _Pairs(list[_Pair], _GoObject):
    def Names(self) -> list[str]:
        return [p.Name for p in self]

    def Values(self) -> list[str]:
        return [p.Value for p in self]

    def __str__(self) -> str:
        return ", ".join(f"{p.Name}={p.Value}" for p in self)


class KV(dict[str, str], _GoObject):
    """Alertmanager's template.KV: a label or annotation map with SortedPairs / Remove / Names / Values."""

    def SortedPairs(self) -> _Pairs:
        keys = sorted(k for k in self if k != "alertname")
        if "alertname" in self:
            keys.insert(0, "alertname")
        return _Pairs(_Pair(k, self[k]) for k in keys)

    def Remove(self, keys: list[str]) -> KV:
        drop = set(keys)
        return KV({k: v for k, v in self.items() if k not in drop})

    def Names(self) -> list[str]:
        return self.SortedPairs().Names()

    def Values(self) -> list[str]:
        return self.SortedPairs().Values()

    def __str__(self) -> str:
        return str(self.SortedPairs())


class _Alerts(list["_TemplateAlert"], _GoObject):
    def Firing(self) -> list[Any]:
        return [a for a in self if a.Status == "firing"]

    def Resolved(self) -> list[Any]:
        return [a for a in self if a.Status == "resolved"]


class _TemplateAlert(_GoObject):
    def __init__(self, alert: Alert) -> None:
        self.Status = alert.status
        self.Labels = KV(alert.labels)
        self.Annotations = KV(alert.annotations)
        self.StartsAt = _GoTime(alert.starts_at)
        self.EndsAt = _GoTime(alert.ends_at)
        self.GeneratorURL = alert.generator_url
        self.Fingerprint = alert.fingerprint


class _TemplateData(_GoObject):
    def __init__(self, group: NotificationGroup) -> None:
        self.Receiver = _quote_meta(group.receiver)
        self.Status = group.status
        self.Alerts = _Alerts(_TemplateAlert(a) for a in group.sorted_alerts())
        self.GroupLabels = KV(group.group_labels)
        self.CommonLabels = KV(group.common_labels)
        self.CommonAnnotations = KV(group.common_annotations)
        self.ExternalURL = group.external_url


def _quote_meta(text: str) -> str:
    """regexp.QuoteMeta, which Alertmanager applies to the receiver name in template data."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", text)


ALERTMANAGER_FUNCS: dict[str, Callable[..., Any]] = {
    "toUpper": lambda text: text.upper(),
    "toLower": lambda text: text.lower(),
    "title": lambda text: _title_words(text, lower_rest=True),
    "trimSpace": lambda text: text.strip(" \t\n\r\v\f"),
    "join": lambda sep, items: sep.join(items),
    "match": lambda pattern, text: _go_regex(pattern).search(text) is not None,
    "safeHtml": lambda text: text,
    "safeUrl": lambda text: text,
    "urlUnescape": unquote_plus,
    "reReplaceAll": _re_replace_all,
    "stringSlice": lambda *items: list(items),
    "list": lambda *items: list(items),
    "append": lambda items, *more: [*items, *more],
    "dict": lambda *pairs: dict(zip(pairs[::2], pairs[1::2], strict=True)),
    "toJson": lambda value: json.dumps(value, separators=(",", ":"), sort_keys=True, default=str),
    "humanizeDuration": _humanize_duration,
}

# Alertmanager's template/default.tmpl (prometheus/alertmanager, Apache-2.0): the shared definitions and the Slack
# ones, verbatim.
DEFAULT_TEMPLATES = """\
{{ define "__alertmanager" }}Alertmanager{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] \
{{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}\
({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}
{{ define "__description" }}{{ end }}

{{ define "__text_alert_list" }}{{ range . }}Labels:
{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Annotations:
{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Source: {{ .GeneratorURL }}
{{ end }}{{ end }}

{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | \
{{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
{{ define "slack.default.color" }}{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}{{ end }}
"""  # (a backslash-newline only wraps a long line here; the template text is one line there)

# `text` of the Slack receiver: Alertmanager's default (empty) and customisations teams use.
TEXT_VARIANTS: dict[str, str] = {
    "default": '{{ template "slack.default.text" . }}',
    # Alertmanager docs, notification_examples.md, "Accessing annotations in CommonAnnotations" (verbatim).
    "docs_common_annotations": (
        "<!channel> \nsummary: {{ .CommonAnnotations.summary }}\ndescription: {{ .CommonAnnotations.description }}"
    ),
    # One entry per alert, as in the docs' "Ranging over all received Alerts", with summary and description.
    "alerts_range": "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n{{ end }}",
    # The widely copied "*Alert:* <summary> - `severity`" layout with a details list of the alert's labels.
    "alert_details": (
        "{{ range .Alerts -}}\n"
        "*Alert:* {{ .Annotations.summary }}{{ if .Labels.severity }} - `{{ .Labels.severity }}`{{ end }}\n"
        "*Description:* {{ .Annotations.description }}\n"
        "*Details:*\n"
        "{{ range .Labels.SortedPairs }} • *{{ .Name }}:* `{{ .Value }}`\n{{ end }}\n"
        "{{ end }}"
    ),
}

_MAX_TITLE_RUNES = 1024


@functools.lru_cache(maxsize=1)
def _default_defines() -> dict[str, list[Any]]:
    return _parse(DEFAULT_TEMPLATES).defines


def execute_alertmanager_template(text: str, group: NotificationGroup) -> str:
    """Execute one Alertmanager template string (a receiver field) on a group, with the default templates loaded."""
    return _execute(text, _TemplateData(group), funcs=ALERTMANAGER_FUNCS, zero=True, defines=_default_defines())


# ---------------------------------------------------------------------------------------------------------------
# Alerts, groups, payloads
# ---------------------------------------------------------------------------------------------------------------

_GO_ZERO_TIME = "0001-01-01T00:00:00Z"
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _rfc3339nano(moment: datetime | None) -> str:
    """Go's time.Time JSON encoding (RFC 3339, fraction without trailing zeros)."""
    if moment is None:
        return _GO_ZERO_TIME
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    fraction = f".{moment.microsecond:06d}".rstrip("0").rstrip(".")
    offset = moment.utcoffset() or timedelta(0)
    if offset == timedelta(0):
        zone = "Z"
    else:
        minutes = int(offset.total_seconds()) // 60
        zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """Prometheus' model.LabelSet.Fingerprint (FNV-1a 64 over sorted name/value pairs), as Alertmanager shows it."""
    digest = 0xCBF29CE484222325
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode() + b"\xff":
                digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


class Alert(BaseModel):
    """One alert as Alertmanager holds it: labels (with `alertname`), expanded annotations, times, source link."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    status: Literal["firing", "resolved"] = "firing"
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(default=_EPOCH, alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")  # None: Go's zero time, still firing
    generator_url: str = Field(default="", alias="generatorURL")

    @field_validator("starts_at", "ends_at", mode="after")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None or value.year == 1:  # "0001-01-01T00:00:00Z" is Go's zero time
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def fingerprint(self) -> str:
        return label_fingerprint(self.labels)

    def template_data(self) -> dict[str, Any]:
        """The alert as template.Alert serialises (webhook payload `alerts[]`)."""
        return {
            "status": self.status,
            "labels": dict(sorted(self.labels.items())),
            "annotations": dict(sorted(self.annotations.items())),
            "startsAt": _rfc3339nano(self.starts_at),
            "endsAt": _rfc3339nano(self.ends_at),
            "generatorURL": self.generator_url,
            "fingerprint": self.fingerprint,
        }


class NotificationGroup(BaseModel):
    """One aggregation group's notification: the receiver, the route's group_by and the alerts in the group."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    receiver: str = "Default"
    group_by: list[str] = Field(default_factory=lambda: ["namespace"])  # kube-prometheus' route; [] = one group
    external_url: str = Field(default="http://alertmanager-main.monitoring.svc:9093", alias="externalURL")
    channel: str | None = None
    alerts: list[Alert] = Field(min_length=1)

    @property
    def status(self) -> str:
        return "firing" if any(a.status == "firing" for a in self.alerts) else "resolved"

    @property
    def group_labels(self) -> dict[str, str]:
        """The group_by labels the group's alerts carry (`...` = all labels), as dispatch computes them."""
        first = self.alerts[0].labels
        names = list(first) if "..." in self.group_by else self.group_by
        labels = {name: first[name] for name in names if name in first}
        for alert in self.alerts[1:]:
            if {n: alert.labels[n] for n in names if n in alert.labels} != labels:
                raise ValueError(f"alerts of one group must agree on the group_by labels {self.group_by}")
        return labels

    @property
    def common_labels(self) -> dict[str, str]:
        return _common([a.labels for a in self.alerts])

    @property
    def common_annotations(self) -> dict[str, str]:
        return _common([a.annotations for a in self.alerts])

    def sorted_alerts(self) -> list[Alert]:
        """The order the dispatcher hands alerts to notifiers (types.AlertSlice: job, instance, then labels)."""
        return sorted(self.alerts, key=functools.cmp_to_key(_alert_order))

    def template_data(self) -> dict[str, Any]:
        """Alertmanager's template.Data as JSON (the webhook payload without version/groupKey/truncatedAlerts)."""
        return {
            "receiver": _quote_meta(self.receiver),
            "status": self.status,
            "alerts": [a.template_data() for a in self.sorted_alerts()],
            "groupLabels": dict(sorted(self.group_labels.items())),
            "commonLabels": dict(sorted(self.common_labels.items())),
            "commonAnnotations": dict(sorted(self.common_annotations.items())),
            "externalURL": self.external_url,
        }


def _common(maps: list[dict[str, str]]) -> dict[str, str]:
    common = dict(maps[0])
    for other in maps[1:]:
        common = {k: v for k, v in common.items() if other.get(k) == v}
    return common


def _alert_order(a: Alert, b: Alert) -> int:
    for key in ("job", "instance"):
        in_a, in_b = key in a.labels, key in b.labels
        if not in_a and not in_b:
            continue
        if not in_a:
            return 1
        if not in_b:
            return -1
        if a.labels[key] != b.labels[key]:
            return -1 if a.labels[key] < b.labels[key] else 1
    return -1 if _labels_before(a.labels, b.labels) else (1 if _labels_before(b.labels, a.labels) else 0)


def _labels_before(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """model.LabelSet.Before."""
    if len(a) != len(b):
        return len(a) < len(b)
    for name in sorted([*a, *b]):
        if name not in a:
            return True
        if name not in b:
            return False
        if a[name] != b[name]:
            return a[name] < b[name]
    return False


def group_alerts(
    alerts: Iterable[Alert], *, group_by: list[str], receiver: str = "Default", **fields: Any
) -> list[NotificationGroup]:
    """Split alerts into the aggregation groups a route with this group_by makes, in first-seen order."""
    groups: dict[tuple[tuple[str, str], ...], list[Alert]] = {}
    for alert in alerts:
        names = sorted(alert.labels) if "..." in group_by else group_by
        key = tuple((n, alert.labels[n]) for n in names if n in alert.labels)
        groups.setdefault(key, []).append(alert)
    return [
        NotificationGroup(receiver=receiver, group_by=group_by, alerts=members, **fields) for members in groups.values()
    ]


def render_slack_payload(
    group: NotificationGroup,
    *,
    text_variant: str = "default",
    text: str | None = None,
    title: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """The JSON body Alertmanager's Slack notifier POSTs for this group (DefaultSlackConfig unless overridden).

    text_variant names one of TEXT_VARIANTS; `text` / `title` take any Alertmanager template instead.
    """
    if text is None:
        if text_variant not in TEXT_VARIANTS:
            raise ValueError(f"unknown text_variant {text_variant!r}; one of {sorted(TEXT_VARIANTS)}")
        text = TEXT_VARIANTS[text_variant]
    data = _TemplateData(group)
    defines = _default_defines()

    def run(template: str) -> str:
        return _execute(template, data, funcs=ALERTMANAGER_FUNCS, zero=True, defines=defines)

    rendered_title = run(title if title is not None else '{{ template "slack.default.title" . }}')
    runes = list(rendered_title)
    if len(runes) > _MAX_TITLE_RUNES:
        rendered_title = "".join(runes[: _MAX_TITLE_RUNES - 1]) + "…"
    attachment: dict[str, Any] = {
        "title": rendered_title,
        "title_link": run('{{ template "slack.default.titlelink" . }}'),
        "pretext": run('{{ template "slack.default.pretext" . }}'),
        "text": run(text),
        "fallback": run('{{ template "slack.default.fallback" . }}'),
        "callback_id": run('{{ template "slack.default.callbackid" . }}'),
        "footer": run('{{ template "slack.default.footer" . }}'),
        "color": run('{{ template "slack.default.color" . }}'),
        "mrkdwn_in": ["fallback", "pretext", "text"],
    }
    for omitempty in ("title", "title_link", "pretext", "color"):
        if not attachment[omitempty]:
            del attachment[omitempty]
    payload: dict[str, Any] = {}
    channel = group.channel if channel is None else channel
    if channel:
        payload["channel"] = channel
    if username := run('{{ template "slack.default.username" . }}'):
        payload["username"] = username
    payload["attachments"] = [attachment]
    return payload


def slack_message(
    payload: Mapping[str, Any], *, bot_id: str = "B0ALERTMGR", ts: str = "1741918665.000100"
) -> dict[str, Any]:
    """How an incoming-webhook post reaches a bot: a `bot_message` message event (Slack numbers attachments)."""
    attachments = [{**attachment, "id": i} for i, attachment in enumerate(payload.get("attachments") or [], 1)]
    message: dict[str, Any] = {
        "type": "message",
        "subtype": "bot_message",
        "text": payload.get("text", ""),
        "ts": ts,
        "bot_id": bot_id,
        "attachments": attachments,
    }
    if payload.get("username"):
        message["username"] = payload["username"]
    return message


def generator_url(prometheus_url: str, expr: str) -> str:
    """The link Prometheus puts in an alert (strutil.TableLinkForExpression on the rule's expression)."""
    return f"{prometheus_url.rstrip('/')}/graph?g0.expr={quote_plus(expr, safe='')}&g0.tab=1"


def alert_from_rule(
    rule: Mapping[str, Any],
    series_labels: Mapping[str, str],
    *,
    value: float = 1.0,
    status: Literal["firing", "resolved"] = "firing",
    starts_at: datetime = _EPOCH,
    ends_at: datetime | None = None,
    external_labels: Mapping[str, str] | None = None,
    prometheus_url: str = "http://prometheus-k8s.monitoring.svc:9090",
    missing_key: Literal["default", "zero"] = "default",
) -> Alert:
    """The alert Prometheus sends for one series matching an alerting rule (a record of alerts.jsonl).

    `$labels` in the rule's templates is the series' labels; the alert's labels are those without `__name__`, plus
    the rule's labels (expanded), `alertname`, and the external labels the series does not already have.
    """
    series = dict(series_labels)
    external = dict(external_labels or {})

    def expand(text: str) -> str:
        try:
            return expand_template(text, labels=series, value=value, external_labels=external, missing_key=missing_key)
        except TemplateError:
            return text

    labels = {k: v for k, v in series.items() if k != "__name__"}
    for name, text in (rule.get("labels") or {}).items():
        labels[name] = expand(str(text))
    labels["alertname"] = str(rule["alert"])
    for name, text in external.items():
        labels.setdefault(name, text)
    annotations = {name: expand(str(text)) for name, text in (rule.get("annotations") or {}).items()}
    return Alert(
        status=status,
        labels=labels,
        annotations=annotations,
        starts_at=starts_at,
        ends_at=None if status == "firing" else (ends_at or starts_at + timedelta(minutes=5)),
        generator_url=generator_url(prometheus_url, str(rule.get("expr") or "")),
    )
