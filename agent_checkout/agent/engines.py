"""Which engine walks the checkout graph in a simulation: LangGraph itself, or the fast path.

Both walk the one compiled graph (:func:`~agent_checkout.agent.graph.build_checkout_graph`) and
give the same steps, updates and final state; they differ in cost and in what else they offer.
LangGraph (``graph.stream``) is the engine for chat-model policies, interrupts, checkpointers
and tracing; the fast path (:class:`~agent_checkout.agent.fast_engine.GraphWalker`) calls the
graph's nodes and edges directly and is several times cheaper per step. ``auto`` takes the fast
path when nothing in the run needs LangGraph: a rule policy, no LangSmith tracing, a graph the
walker can reproduce.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, Protocol

from langgraph.graph.state import CompiledStateGraph

from agent_checkout.agent.fast_engine import GraphWalker, UnsupportedGraph
from agent_checkout.agent.policy import RulePolicy

Engine = Literal["langgraph", "fast", "auto"]
ENGINES: tuple[str, ...] = Engine.__args__


class Walk(Protocol):
    """One session's walk through the graph: iterate for ``(node, update)`` per step, then
    read the final ``state``."""

    state: dict

    def __iter__(self) -> Iterator[tuple[str, dict | None]]: ...


class StreamedWalk:
    """The graph run by LangGraph: ``graph.stream`` with ``updates`` and ``values``."""

    __slots__ = ("graph", "context", "state")

    def __init__(self, graph: CompiledStateGraph, context: Any) -> None:
        self.graph, self.context, self.state = graph, context, {}

    def __iter__(self) -> Iterator[tuple[str, dict | None]]:
        for mode, chunk in self.graph.stream(
            {}, context=self.context, stream_mode=["updates", "values"]
        ):
            if mode == "updates":
                yield from chunk.items()
            else:
                self.state = chunk


class GraphEngine:
    """Starts each session's walk on the engine chosen for the run (``name``)."""

    def __init__(self, graph: CompiledStateGraph, name: str) -> None:
        self.graph, self.name = graph, name
        self._walker = GraphWalker(graph) if name == "fast" else None

    def walk(self, context: Any) -> Walk:
        if self._walker is not None:
            return self._walker.walk(context)
        return StreamedWalk(self.graph, context)


def chosen_engine(requested: str, graph: CompiledStateGraph, policy: Any) -> str:
    """``langgraph`` or ``fast`` for a run asking for ``requested``. ``auto`` takes the fast
    path only for a rule policy with nothing else needing LangGraph; ``fast`` is refused (a
    ``ValueError`` saying why) for a chat-model policy, tracing, or a graph it cannot walk."""
    if requested not in ENGINES:
        raise ValueError(f"engine {requested!r}: choose one of {', '.join(ENGINES)}")
    if requested == "langgraph":
        return "langgraph"
    problem = fast_path_problem(graph, policy)
    if requested == "fast":
        if problem is not None:
            raise ValueError(f"engine fast: {problem}; use engine langgraph (or auto)")
        return "fast"
    if problem is None and isinstance(policy, RulePolicy):
        return "fast"
    return "langgraph"


def fast_path_problem(graph: CompiledStateGraph, policy: Any) -> str | None:
    """Why this run needs LangGraph itself, or None when the fast path gives the same run."""
    if getattr(policy, "usage", None) is not None:  # a metered chat model (LLMPolicy)
        return f"the {getattr(policy, 'name', 'agent')!r} policy calls a chat model"
    if _tracing():
        return "LangSmith tracing is on"
    try:
        GraphWalker(graph)
    except UnsupportedGraph as problem:
        return str(problem)
    return None


def _tracing() -> bool:
    try:
        from langsmith.utils import tracing_is_enabled
    except ImportError:  # no LangSmith client: nothing can trace
        return False
    return bool(tracing_is_enabled())
