"""Trace one session: every merchant call with the node that made it, its status and timing.

Wrap a session's connectors with :func:`traced`; each call appends a record ``{t, node, server,
call, status, latency_ms}`` to a :class:`SessionTrace`, stamped by the session's clock (virtual
time in the simulation), and the trace is written as JSON Lines for debugging one shopper. The
simulation adds a ``recommend`` record of what the shopper was shown: list, worked-out and
stated unit prices.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.config import get_config

from agent_checkout.agent.connectors import Clock, MerchantUnavailable
from agent_checkout.agent.fast_engine import running_node
from merchants.errors import ProtocolError


def _current_node() -> str:
    try:
        return get_config()["metadata"].get("langgraph_node", "")
    except RuntimeError:  # outside a LangGraph run: the fast path's node, if any
        return running_node()


def _status(answer: Any) -> str:
    status = getattr(answer, "status", None)
    errors = getattr(answer, "errors", None)
    codes = [m.code for m in errors()] if callable(errors) else []
    if status is None:
        return "ok"
    return status + (f" ({', '.join(codes)})" if codes else "")


@dataclass
class SessionTrace:
    """The records of one session, in the order the calls were made."""

    session: str
    clock: Clock
    records: list[dict] = field(default_factory=list)

    def call(self, server: str, endpoint: str, operation: Callable[[], Any]) -> Any:
        started = self.clock()
        record = {
            "session": self.session,
            "t": started.isoformat(),
            "node": _current_node(),
            "server": server,
            "call": endpoint,
        }
        try:
            answer = operation()
        except ProtocolError as problem:
            record["status"] = f"{problem.status} {problem.code}"
            raise
        except MerchantUnavailable as problem:
            record["status"] = f"unavailable: {problem}"
            raise
        else:
            record["status"] = _status(answer)
            return answer
        finally:
            record["latency_ms"] = round((self.clock() - started).total_seconds() * 1000, 3)
            self.records.append(record)

    def shown(self, recommendations: Sequence[Any]) -> None:
        """What the shopper was shown: each option's list, worked-out and stated unit price."""
        self.records.append(
            {
                "session": self.session,
                "t": self.clock().isoformat(),
                "node": "recommend",
                "prices": [
                    {
                        "key": r.key,
                        "list": r.offer.price,
                        "unit": r.unit_price,
                        "stated": r.price,
                    }
                    for r in recommendations
                ],
            }
        )

    def end(self, state: Mapping[str, Any], **figures: Any) -> None:
        """The session's last record: its outcome, and figures such as its inference cost."""
        self.records.append(
            {
                "session": self.session,
                "t": self.clock().isoformat(),
                "node": "__end__",
                "outcome": state.get("outcome"),
                "detail": state.get("detail"),
                **figures,
            }
        )

    def write(self, path: str | Path) -> None:
        with Path(path).open("w") as out:
            for record in self.records:
                out.write(json.dumps(record, sort_keys=True) + "\n")


class _Traced:
    """A connector whose every public method goes through :meth:`SessionTrace.call`."""

    def __init__(self, inner: Any, trace: SessionTrace, server: str) -> None:
        self._inner, self._trace, self._server = inner, trace, server

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._trace.call(self._server, name, lambda: attribute(*args, **kwargs))

        return call


def traced(connector: Any, trace: SessionTrace, server: str) -> Any:
    """``connector`` with every call recorded in ``trace`` under ``server``'s name."""
    return _Traced(connector, trace, server)
