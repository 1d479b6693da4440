"""The report's sections drawn from summary.json: each returns an HTML fragment, or "" when the
run has nothing for it (a run without channels has no channel section)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from agent_checkout.html_report.figures import key, label, number, shown
from agent_checkout.html_report.svg import Bar, bar_chart, line_chart
from agent_checkout.sim.pooled_blocks import COHORT_SUMS

#: Headline figures: summary key and kind; money keys live per currency in a mixed run.
COUNT_HEADLINES = (
    ("sessions", "count"),
    ("orders", "count"),
    ("conversion_rate", "percent"),
    ("checkout_abandonment", "percent"),
    ("unhandled_errors", "count"),
    ("oversells", "count"),
)
MONEY_HEADLINES = (
    ("gmv", "money"),
    ("aov", "money"),
    ("fees_total", "money"),
    ("take_rate", "percent"),
    ("ai_platform_take_rate", "percent"),
    ("merchant_net", "money"),
    ("tax", "money"),
    ("inference_cost", "money"),
    ("ai_platform_net", "money"),
)
#: The time series drawn, each chart a group of columns of ``timeseries.rows``.
TIMESERIES_CHARTS = (
    (
        "load: arrivals, sessions ended and orders per interval",
        ("arrivals", "sessions_ended", "orders"),
    ),
    ("queue: merchant calls queued and in flight (max)", ("queue_max", "in_flight_max")),
    ("errors and merchant calls per interval", ("errors", "calls")),
    ("merchant latency (ms)", ("latency_mean_ms", "latency_max_ms")),
)
PERCENTILES = ("p50", "p95", "p99")
#: The funnel's steps in the order a session passes them (summary.json sorts its keys).
FUNNEL_STEPS = ("sessions", "searched", "shown", "decided", "checkout_started", "paid")


def section(title: str, *parts: str) -> str:
    """A titled section, or "" when every part is empty."""
    body = "".join(parts)
    return f"<section><h2>{escape(title)}</h2>{body}</section>" if body else ""


def figure_table(rows: list[tuple[str, str]]) -> str:
    """A two-column table of a label and a tagged number."""
    cells = "".join(f"<tr><th>{escape(name)}</th><td>{value}</td></tr>" for name, value in rows)
    return f'<table class="figures">{cells}</table>'


def breakdown_grid(
    found: dict,
    path: tuple,
    heads: tuple[str, ...],
    kinds: tuple[tuple[str, str], ...],
    currency: str,
    *,
    name: Callable[[str], str] = str,
    cells: Callable[[dict], tuple[str, ...]] = lambda figures: (),
) -> str:
    """A grid of one row per entry of a summary's breakdown (``found``, at ``path``): its
    ``name``, any plain ``cells``, then each figure of ``kinds`` as a tagged number."""
    rows = "".join(
        f"<tr><th>{escape(name(entry))}</th>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in cells(figures))
        + "".join(
            f"<td>{number(key(*path, entry, k), figures[k], kind, currency)}</td>"
            for k, kind in kinds
        )
        + "</tr>"
        for entry, figures in found.items()
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    return f'<table class="grid"><tr>{head}</tr>{rows}</table>'


def headline(summary: dict, view: dict, prefix: tuple, currency: str) -> str:
    """The run's headline figures: counts from the run, money from ``view`` (its currency)."""
    rows = [
        (label(name), number(key(name), summary[name], kind, currency))
        for name, kind in COUNT_HEADLINES
        if name in summary
    ]
    rows += [
        (label(name), number(key(*prefix, name), view[name], kind, currency))
        for name, kind in MONEY_HEADLINES
        if isinstance(view.get(name), int | float)
    ]
    seconds = summary.get("session_seconds") or {}
    rows += [
        (f"session time {p}", number(key("session_seconds", p), seconds[p], "seconds"))
        for p in ("p50", "p95")
        if p in seconds
    ]
    return figure_table(rows)


def bars(title: str, mapping: dict, path: tuple, kind: str, currency: str) -> str:
    """A bar chart of a summary mapping (name -> number) with a table of the same numbers."""
    if not mapping:
        return ""
    chart = bar_chart(
        title,
        [
            Bar(label(name), value, shown(value, kind, currency), key(*path, name))
            for name, value in mapping.items()
        ],
    )
    return f"<h3>{escape(title)}</h3>{chart}"


def funnel_and_outcomes(summary: dict) -> str:
    """How far sessions got, and how each ended."""
    return section(
        "Funnel and outcomes",
        bars(
            "funnel (sessions reaching each step)",
            _in_order(summary.get("funnel", {})),
            ("funnel",),
            "count",
            "",
        ),
        bars("outcomes (sessions)", summary.get("outcomes", {}), ("outcomes",), "count", ""),
    )


def _in_order(funnel: dict) -> dict:
    """The funnel's steps in session order, any step not known here after them."""
    known = {step: funnel[step] for step in FUNNEL_STEPS if step in funnel}
    return known | {step: value for step, value in funnel.items() if step not in known}


def fees(view: dict, prefix: tuple, currency: str) -> str:
    """Fees by payee and by fee model."""
    return section(
        f"Fees ({currency.upper()})",
        bars("fees by payee", view.get("fees", {}), (*prefix, "fees"), "money", currency),
        bars(
            "fees by model",
            view.get("fees_by_model", {}),
            (*prefix, "fees_by_model"),
            "money",
            currency,
        ),
    )


def protocols(view: dict, prefix: tuple, currency: str) -> str:
    """Orders, GMV and fees per checkout protocol (only for runs that compare protocols)."""
    found = view.get("protocols") or {}
    if not found:
        return ""
    kinds = (("orders", "count"), ("gmv", "money"), ("aov", "money"))
    kinds += (("fees_total", "money"), ("take_rate", "percent"))
    heads = ("protocol", "merchants", "orders", "GMV", "AOV", "fees", "take rate")
    table = breakdown_grid(
        found,
        (*prefix, "protocols"),
        heads,
        kinds,
        currency,
        cells=lambda figures: (", ".join(figures["merchants"]),),
    )
    return section(f"By checkout protocol ({currency.upper()})", table)


def channels(view: dict, prefix: tuple, currency: str) -> str:
    """GMV, orders and conversion per traffic channel."""
    found = view.get("channels") or {}
    if not found:
        return ""
    kinds = (("sessions", "count"), ("orders", "count"), ("conversion_rate", "percent"))
    kinds += (("gmv", "money"),)
    heads = ("channel", "sessions", "orders", "conversion", "GMV")
    table = breakdown_grid(found, (*prefix, "channels"), heads, kinds, currency, name=label)
    gmv = {name: ch["gmv"] for name, ch in found.items()}
    chart = bar_chart(
        "GMV by channel",
        [
            Bar(label(n), v, shown(v, "money", currency), key(*prefix, "channels", n, "gmv"))
            for n, v in gmv.items()
        ],
    )
    return section(f"By channel ({currency.upper()})", "<h3>GMV by channel</h3>", chart, table)


def companies(view: dict, prefix: tuple, currency: str) -> str:
    """Each company's (or ledger party's) net over the run."""
    found = view.get("companies") or {}
    nets = {name: figures["net"] for name, figures in found.items()}
    chart = bar_chart(
        "net by company",
        [
            Bar(label(n), v, shown(v, "money", currency), key(*prefix, "companies", n, "net"))
            for n, v in nets.items()
        ],
    )
    return section(f"By company ({currency.upper()})", chart)


def latency(summary: dict) -> str:
    """Merchant call latency percentiles per operation."""
    found = summary.get("latency_ms") or {}
    if not found:
        return ""
    head = "".join(f"<th>{p}</th>" for p in PERCENTILES)
    rows = "".join(
        f"<tr><th>{escape(op)}</th><td>{number(key('latency_ms', op, 'count'), s['count'])}</td>"
        + "".join(f"<td>{number(key('latency_ms', op, p), s[p], 'ms')}</td>" for p in PERCENTILES)
        + "</tr>"
        for op, s in found.items()
    )
    chart = bar_chart(
        "p95 latency by operation (ms)",
        [
            Bar(op, s["p95"], shown(s["p95"], "ms", ""), key("latency_ms", op, "p95"))
            for op, s in found.items()
        ],
    )
    table = f'<table class="grid"><tr><th>operation</th><th>calls</th>{head}</tr>{rows}</table>'
    return section("Latency", "<h3>p95 latency by operation</h3>", chart, table)


def timeseries(summary: dict) -> str:
    """Load, queues, errors and latency over virtual time."""
    series = summary.get("timeseries") or {}
    rows = series.get("rows") or []
    if not rows:
        return ""
    xs = [row["start_seconds"] / 60 for row in rows]
    charts = []
    for title, columns in TIMESERIES_CHARTS:
        present = {c: [row[c] for row in rows] for c in columns if all(c in r for r in rows)}
        if present:
            charts.append(f"<h3>{escape(title)}</h3>{line_chart(title, xs, present, 'min')}")
    resolution = number(
        key("timeseries", "resolution_seconds"), series["resolution_seconds"], "seconds"
    )
    return section(
        "Load, queues and errors over time", f"<p>one point every {resolution}</p>", *charts
    )


def _cohort_kind(column: str) -> str:
    return "count" if column in ("users", "orders") else "money"


def cohorts(summary: dict) -> str:
    """The AI platform's P&L per cohort of users, and each cohort's cumulative P&L by day."""
    found = summary.get("cohorts")
    if not found:
        return ""
    currency = found["currency"]
    columns = tuple(c for c in COHORT_SUMS if c != "sessions")  # the terminal table's columns
    every = [
        *(
            (("cohorts", "rows", i), f"{found['by']} {row['cohort']}", row)
            for i, row in enumerate(found["rows"])
        ),
        (("cohorts", "all"), "all users", found["all"]),
    ]
    body = ""
    for where, name, row in every:
        cells = "".join(
            f"<td>{number(key(*where, c), row[c], _cohort_kind(c), currency)}</td>" for c in columns
        )
        payback = (
            "none"
            if row["payback_day"] is None
            else number(key(*where, "payback_day"), row["payback_day"])
        )
        body += f"<tr><th>{escape(name)}</th>{cells}<td>{payback}</td></tr>"
    head = "".join(f"<th>{escape(label(c))}</th>" for c in columns)
    table = f'<table class="grid"><tr><th>cohort</th>{head}<th>payback day</th></tr>{body}</table>'
    horizon = found["horizon_days"]
    curves = {
        f"{found['by']} {row['cohort']}": [None] * row["first_day"] + row["cumulative"]
        for row in found["rows"]
    }
    xs = list(range(horizon))
    chart = line_chart(
        "cumulative AI-platform P&L by cohort",
        xs,
        {name: [v if v is not None else 0 for v in ys] for name, ys in curves.items()},
        "day",
    )
    return section(
        f"Cohort P&L ({currency.upper()})",
        table,
        "<h3>cumulative P&amp;L by cohort (minor units)</h3>",
        chart,
    )
