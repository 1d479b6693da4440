"""GraphWalker: it walks what ``graph.stream`` walks, merges as the channels merge, stops where
LangGraph stops, and refuses the graphs it could not reproduce; the engine choice follows."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import GraphRecursionError
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy
from langsmith import tracing_context

from agent_checkout.agent.engines import chosen_engine, fast_path_problem
from agent_checkout.agent.fast_engine import GraphWalker, UnsupportedGraph
from agent_checkout.agent.graph import build_checkout_graph
from agent_checkout.agent.llm_policy import LLMPolicy
from agent_checkout.agent.policy import RulePolicy


class Count(TypedDict, total=False):
    n: int
    seen: str


def bump(state: Count, runtime: Runtime[int]) -> Count:
    """Adds the context to ``n``; writes a key the state lacks, which LangGraph drops."""
    return {"n": state.get("n", 0) + runtime.context, "stray": True}


def nothing(state: Count) -> Count:
    return {}


def tag(state: Count) -> Count:
    return {"seen": f"n={state['n']}"}


def loop_until_ten(state: Count) -> str:
    return END if state["n"] >= 10 else "bump"


def counting_graph():
    graph = StateGraph(Count, context_schema=int)
    graph.add_node("bump", bump)
    graph.add_node("nothing", nothing)
    graph.add_node("tag", tag)
    graph.add_edge(START, "bump")
    graph.add_edge("bump", "nothing")
    graph.add_edge("nothing", "tag")
    graph.add_conditional_edges("tag", loop_until_ten, ["bump", END])
    return graph


def streamed(compiled, context) -> tuple[list, dict, BaseException | None]:
    steps, state = [], {}
    try:
        for mode, chunk in compiled.stream({}, context=context, stream_mode=["updates", "values"]):
            if mode == "updates":
                steps.extend(chunk.items())
            else:
                state = chunk
    except GraphRecursionError as error:
        return steps, state, error
    return steps, state, None


def walked(compiled, context) -> tuple[list, dict, BaseException | None]:
    walk, steps = GraphWalker(compiled).walk(context), []
    try:
        steps.extend(walk)
    except GraphRecursionError as error:
        return steps, walk.state, error
    return steps, walk.state, None


def test_the_walker_yields_what_stream_yields_and_ends_in_the_same_state():
    compiled = counting_graph().compile()
    steps, state, error = walked(compiled, 4)
    assert (steps, state, error) == streamed(compiled, 4)[:2] + (None,)
    assert steps == [
        ("bump", {"n": 4}),  # the stray key is dropped, as the channels drop it
        ("nothing", None),  # an empty update is no write
        ("tag", {"seen": "n=4"}),
        ("bump", {"n": 8}),
        ("nothing", None),
        ("tag", {"seen": "n=8"}),
        ("bump", {"n": 12}),
        ("nothing", None),
        ("tag", {"seen": "n=12"}),
    ]
    assert state == {"n": 12, "seen": "n=12"}


@pytest.mark.parametrize("limit", [1, 5, 9, 10])
def test_the_recursion_limit_stops_both_at_the_same_step_with_the_same_error(limit):
    compiled = counting_graph().compile().with_config(recursion_limit=limit)
    fast, langgraph = walked(compiled, 4), streamed(compiled, 4)
    assert fast[0] == langgraph[0]
    assert len(fast[0]) == min(limit, 9)
    assert (fast[2] is None) == (langgraph[2] is None) == (limit > 9)
    if fast[2] is not None:
        assert str(fast[2]) == str(langgraph[2])
        assert str(fast[2]).startswith(f"Recursion limit of {limit} reached")


def test_the_checkout_graph_is_walkable():
    walker = GraphWalker(build_checkout_graph())
    assert walker.entry == "search"
    assert set(walker.steps) == {
        "search",
        "recommend",
        "decide",
        "checkout",
        "confirm",
        "pay",
        "authenticate",
        "backoff",
    }
    assert walker.steps["recommend"].goto == "decide"
    assert set(walker.steps["pay"].ends) == {
        "pay",
        "recommend",
        "checkout",
        "confirm",
        "authenticate",
        "backoff",
        END,
    }


class Summed(TypedDict, total=False):
    items: Annotated[list[str], operator.add]


def add_item(state: Summed) -> Summed:
    return {"items": ["x"]}


def one_node(schema, node, **node_options):
    graph = StateGraph(schema)
    graph.add_node("only", node, **node_options)
    graph.add_edge(START, "only")
    graph.add_edge("only", END)
    return graph


@pytest.mark.parametrize(
    ("compiled", "reason"),
    [
        (one_node(Summed, add_item).compile(), "state key 'items' has a BinaryOperatorAggregate"),
        (
            one_node(Count, nothing).compile(checkpointer=InMemorySaver()),
            "the graph uses a checkpointer",
        ),
        (
            one_node(Count, nothing).compile(interrupt_before=["only"]),
            "the graph uses interrupts",
        ),
        (
            one_node(Count, nothing, retry_policy=RetryPolicy()).compile(),
            "node 'only' has a retry policy",
        ),
    ],
)
def test_a_graph_the_walker_cannot_reproduce_is_refused(compiled, reason):
    with pytest.raises(UnsupportedGraph, match=f"^{reason}"):
        GraphWalker(compiled)
    assert fast_path_problem(compiled, RulePolicy()).startswith(reason)
    assert chosen_engine("auto", compiled, RulePolicy()) == "langgraph"
    with pytest.raises(ValueError, match=f"^engine fast: {reason}"):
        chosen_engine("fast", compiled, RulePolicy())


def test_auto_takes_the_fast_path_for_rules_and_langgraph_for_a_chat_model():
    graph = build_checkout_graph()
    llm = LLMPolicy(FakeMessagesListChatModel(responses=[]))
    assert chosen_engine("auto", graph, RulePolicy()) == "fast"
    assert chosen_engine("auto", graph, llm) == "langgraph"
    assert chosen_engine("langgraph", graph, RulePolicy()) == "langgraph"
    with pytest.raises(ValueError, match="^engine fast: the 'llm' policy calls a chat model"):
        chosen_engine("fast", graph, llm)
    with pytest.raises(ValueError, match="^engine 'quick': choose one of langgraph, fast, auto$"):
        chosen_engine("quick", graph, RulePolicy())
    with tracing_context(enabled=True):  # as LANGSMITH_TRACING=true turns it on
        assert fast_path_problem(graph, RulePolicy()) == "LangSmith tracing is on"
        assert chosen_engine("auto", graph, RulePolicy()) == "langgraph"
