"""The fast path: the compiled checkout graph's own nodes and edges, called directly.

LangGraph's per-step machinery (channels, tasks, checkpoint bookkeeping, streaming) costs more
than the agent's logic. A run that needs none of it (no interrupts, checkpointer, store,
retries, tracing) can walk the very same compiled graph with a plain loop: :class:`GraphWalker`
reads the node functions, fixed edges and conditional edges from ``compiled.builder`` (never a
second copy of the flow) and merges each update as the graph's channels would. It refuses a
graph it cannot reproduce exactly (a reducer, a private schema, parallel branches, ``Send``,
``Command``, a retry or cache policy, ...), so whatever it runs gives the same steps, updates
and final state as ``graph.stream``; the parity suite (tests/sim/test_engine_parity.py) checks
it on every built-in scenario.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from langgraph.channels.last_value import LastValue
from langgraph.constants import END, START
from langgraph.errors import ErrorCode, GraphRecursionError, create_error_message
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

#: What a node function may ask LangGraph for; the fast path supplies only the runtime.
_SUPPLIED = frozenset({"runtime"})


#: The node the fast path is running in this context (LangGraph keeps it in the run's config,
#: as ``langgraph_node``): a session's trace stamps each merchant call with it.
_running: ContextVar[str] = ContextVar("fast_path_node", default="")


def running_node() -> str:
    """The node a fast-path walk is running here, or ``""`` outside one."""
    return _running.get()


class UnsupportedGraph(ValueError):
    """The graph uses a LangGraph feature the fast path does not reproduce."""


@dataclass(frozen=True, slots=True)
class _Step:
    """One node: its function, whether it takes ``runtime``, and where it leads."""

    func: Callable[..., Any]
    takes_runtime: bool
    goto: str | None  # a fixed edge's target, or None when a conditional edge decides
    route: Callable[..., Any] | None
    route_takes_runtime: bool
    ends: Mapping[Any, str] | None


class GraphWalker:
    """Runs a compiled ``StateGraph`` step by step without Pregel, or refuses to at build time.

    :meth:`walk` yields ``(node, update)`` exactly as ``graph.stream(..., stream_mode="updates")``
    yields ``{node: update}`` (``None`` for a step that wrote nothing); the merged state is on
    the :class:`Walk` it returns.
    """

    def __init__(self, graph: CompiledStateGraph) -> None:
        builder = getattr(graph, "builder", None)
        if builder is None or not hasattr(builder, "branches"):
            raise UnsupportedGraph("not a compiled StateGraph")
        _refuse_runtime_features(graph, builder)
        self.keys = _last_value_keys(builder)  # in channel order, for the final state
        self.key_set = frozenset(self.keys)
        fixed = _fixed_edges(builder)
        if len(fixed.get(START, ())) != 1 or builder.branches.get(START):
            raise UnsupportedGraph("the graph must start at exactly one node, by a fixed edge")
        self.entry: str = fixed[START][0]
        self.steps: dict[str, _Step] = {
            name: _step(name, spec, fixed.get(name, ()), builder.branches.get(name, {}), builder)
            for name, spec in builder.nodes.items()
        }
        limit = (graph.config or {}).get("recursion_limit", _default_recursion_limit())
        self.recursion_limit: int = int(limit)

    def walk(self, context: Any) -> Walk:
        """A walk from ``START`` with an empty input and ``context`` as the run's context."""
        return Walk(self, Runtime(context=context))


class Walk:
    """One run of a :class:`GraphWalker`: iterate it for the steps; ``state`` holds the merged
    state in the graph's channel order (what the last ``values`` chunk of a stream holds)."""

    __slots__ = ("_walker", "_runtime", "_state")

    def __init__(self, walker: GraphWalker, runtime: Runtime) -> None:
        self._walker, self._runtime, self._state = walker, runtime, {}

    @property
    def state(self) -> dict:
        state = self._state
        return {key: state[key] for key in self._walker.keys if key in state}

    def __iter__(self) -> Iterator[tuple[str, dict | None]]:
        walker, runtime, state = self._walker, self._runtime, self._state
        keys, steps, limit = walker.key_set, walker.steps, walker.recursion_limit
        node, taken = walker.entry, 0
        while node != END:
            step = steps[node]
            token = _running.set(node)
            try:  # each node reads its own copy of the state, as LangGraph hands it one
                if step.takes_runtime:
                    out = step.func(dict(state), runtime=runtime)
                else:
                    out = step.func(dict(state))
            finally:
                _running.reset(token)
            update = _writes(node, out, keys)
            if update:
                state.update(update)
            taken += 1
            yield node, update
            node = step.goto if step.route is None else _routed(node, step, state, runtime)
            if taken >= limit:
                raise GraphRecursionError(
                    create_error_message(
                        message=(
                            f"Recursion limit of {limit} reached without hitting a stop "
                            "condition. You can increase the limit by setting the "
                            "`recursion_limit` config key."
                        ),
                        error_code=ErrorCode.GRAPH_RECURSION_LIMIT,
                    )
                )


def _default_recursion_limit() -> int:
    """The step limit LangGraph applies when the graph's config sets none."""
    try:
        from langgraph._internal._config import DEFAULT_RECURSION_LIMIT
    except ImportError:  # a LangGraph that keeps it elsewhere: its config's default
        from langchain_core.runnables.config import ensure_config

        return int(ensure_config()["recursion_limit"])
    return int(DEFAULT_RECURSION_LIMIT)


def _writes(node: str, out: Any, keys: frozenset[str]) -> dict | None:
    """The channel writes of a node's return value, as LangGraph keeps them (unknown keys
    dropped, ``None`` for no write); anything but a dict or None is refused."""
    if out is None:
        return None
    if type(out) is not dict:
        raise UnsupportedGraph(f"node {node!r} returned {type(out).__name__}, not a dict")
    if keys.issuperset(out):
        return out or None
    return {k: v for k, v in out.items() if k in keys} or None


def _routed(node: str, step: _Step, state: dict, runtime: Runtime) -> str:
    """Where a conditional edge sends the walk: its function on the updated state, through
    its ``ends`` map."""
    view = dict(state)
    target = step.route(view, runtime=runtime) if step.route_takes_runtime else step.route(view)
    if isinstance(target, (list, tuple)) and len(target) == 1:
        target = target[0]
    if not isinstance(target, str):
        raise UnsupportedGraph(f"the edge after {node!r} returned {target!r}, not one node")
    if step.ends is not None:
        if target not in step.ends:
            raise ValueError(f"the edge after {node!r} returned {target!r}, not one of its ends")
        target = step.ends[target]
    return target


def _refuse_runtime_features(graph: CompiledStateGraph, builder: Any) -> None:
    """Whatever the Pregel loop does beyond calling nodes and edges, the walker cannot."""
    has = functools.partial(_has, graph)  # attributes some LangGraph versions lack count absent
    features = {
        "a checkpointer": graph.checkpointer not in (None, False),
        "a store": has("store"),
        "interrupts": has("interrupt_before_nodes") or has("interrupt_after_nodes"),
        "a retry policy": has("retry_policy"),
        "a cache policy": has("cache_policy") or has("cache"),
        "a step timeout": has("step_timeout"),
        "debug output": has("debug"),
        "node error handlers": has("node_error_handler_map"),
        "managed values": _has(builder, "managed"),
        "waiting edges": _has(builder, "waiting_edges"),
        "an input or output schema of its own": not (
            builder.input_schema is builder.state_schema
            and builder.output_schema is builder.state_schema
        ),
    }
    used = [name for name, present in features.items() if present]
    if used:
        raise UnsupportedGraph(f"the graph uses {', '.join(used)}")


def _has(owner: Any, name: str) -> bool:
    """Whether ``owner`` sets the LangGraph option ``name`` (empty, None or missing: not)."""
    return bool(getattr(owner, name, None))


def _last_value_keys(builder: Any) -> tuple[str, ...]:
    """The state's keys, each of which must keep its last value (no reducer): then merging
    an update is a dict update, as the channels would merge it."""
    keys = []
    for key, channel in builder.channels.items():
        if type(channel) is not LastValue:
            raise UnsupportedGraph(f"state key {key!r} has a {type(channel).__name__} channel")
        keys.append(key)
    return tuple(keys)


def _fixed_edges(builder: Any) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for start, end in sorted(builder.edges):
        edges.setdefault(start, []).append(end)
    return edges


def _step(name: str, spec: Any, fixed: list[str], branches: Mapping, builder: Any) -> _Step:
    """One node of the builder as the walker runs it; refuses what it would run differently."""
    has = functools.partial(_has, spec)
    refusals = {
        "a retry policy": has("retry_policy"),
        "a cache policy": has("cache_policy"),
        "deferred": has("defer"),
        "Command destinations": has("ends"),
        "an error handler": has("is_error_handler") or has("error_handler_node"),
        "a timeout": has("timeout"),
        "a trace policy": has("trace_policy"),
        "a private input schema": spec.input_schema is not builder.state_schema,
    }
    used = [what for what, present in refusals.items() if present]
    if used:
        raise UnsupportedGraph(f"node {name!r} has {', '.join(used)}")
    func, takes_runtime = _plain_call(f"node {name!r}", spec.runnable)
    if len(fixed) + len(branches) != 1:
        raise UnsupportedGraph(f"node {name!r} must have exactly one way out (edge or branch)")
    if fixed:
        return _Step(func, takes_runtime, fixed[0], None, False, None)
    (branch,) = branches.values()
    if branch.input_schema not in (None, builder.state_schema):
        raise UnsupportedGraph(f"the edge after {name!r} reads a private schema")
    route, route_takes_runtime = _plain_call(f"the edge after {name!r}", branch.path)
    return _Step(func, takes_runtime, None, route, route_takes_runtime, branch.ends)


def _plain_call(what: str, runnable: Any) -> tuple[Callable[..., Any], bool]:
    """The synchronous function inside a LangGraph ``RunnableCallable``, and whether it takes
    ``runtime``; anything else (a Runnable chain, config or store injection) is refused."""
    func = getattr(runnable, "func", None)
    accepts = getattr(runnable, "func_accepts", None)
    if func is None or accepts is None or runnable.kwargs or runnable.explode_args:
        raise UnsupportedGraph(f"{what} is not a plain function")
    if not set(accepts) <= _SUPPLIED:
        raise UnsupportedGraph(f"{what} asks for {', '.join(sorted(set(accepts) - _SUPPLIED))}")
    return func, "runtime" in accepts
