"""langgraph.json names graphs that LangGraph Studio / `langgraph dev` can load: each path and variable resolves to
a compiled graph (checked by hand with `langgraph dev` from langgraph-cli[inmem], which lists the triage assistant
and these nodes; the CLI is not a test dependency)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from langgraph.graph.state import CompiledStateGraph

ROOT = Path(__file__).resolve().parents[1]


def test_every_graph_in_langgraph_json_loads_as_a_compiled_graph() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["dependencies"] == ["."]
    for name, target in config["graphs"].items():
        path, variable = target.split(":")
        spec = importlib.util.spec_from_file_location(f"langgraph_json_{name}", ROOT / path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        graph = getattr(module, variable)
        assert isinstance(graph, CompiledStateGraph) and graph.name == name
    nodes = set(graph.get_graph().nodes)
    assert {"understand", "agent", "compose", "monitor", "request_approval", "carry_out", "respond"} <= nodes
