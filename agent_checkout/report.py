"""Rich renderings of a run's results for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from merchants.money import format_money


def summary_table(summary: dict) -> Table:
    """The end-of-run table: funnel, money, fees by payee, session time."""
    cur = summary["currency"]
    table = Table(
        title=f"{summary['scenario']} · seed {summary['seed']}",
        show_header=False,
        title_justify="left",
    )
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_row("sessions", f"{summary['sessions']:,}")
    table.add_row("orders", f"{summary['orders']:,}")
    table.add_row("conversion", f"{summary['conversion_rate']:.2%}")
    table.add_row("GMV", format_money(summary["gmv"], cur))
    table.add_row("AOV", format_money(summary["aov"], cur))
    if summary.get("refunded"):
        table.add_row("refunded to buyers", format_money(summary["refunded"], cur))
    for payee, amount in summary["fees"].items():
        table.add_row(f"fees → {payee.replace('_', ' ')}", format_money(amount, cur))
    if summary.get("click_fees"):
        table.add_row("of which paid clicks", format_money(summary["click_fees"], cur))
    table.add_row("take rate (all fees / GMV)", f"{summary['take_rate']:.2%}")
    table.add_row("AI platform take rate", f"{summary['ai_platform_take_rate']:.2%}")
    table.add_row("merchant net", format_money(summary["merchant_net"], cur))
    table.add_row(
        "inference cost (agent steps)",
        f"{format_money(summary['inference_cost'], cur)} ({summary['agent_steps']:,})",
    )
    table.add_row("AI platform net of inference", format_money(summary["ai_platform_net"], cur))
    seconds = summary["session_seconds"]
    table.add_row("session time p50 / p95", f"{seconds['p50']:.2f} s / {seconds['p95']:.2f} s")
    table.add_row(
        "unhandled errors / oversells", f"{summary['unhandled_errors']} / {summary['oversells']}"
    )
    return table


def outcomes_table(summary: dict) -> Table:
    """How sessions ended, by named outcome, with their share."""
    table = Table(title="outcomes", title_justify="left")
    table.add_column("outcome")
    table.add_column("sessions", justify="right")
    table.add_column("share", justify="right")
    for outcome, count in summary["outcomes"].items():
        if count:
            table.add_row(outcome, f"{count:,}", f"{count / summary['sessions']:.1%}")
    return table


def channels_table(summary: dict) -> Table:
    """Funnel and money by traffic channel, lowest conversion first."""
    cur = summary["currency"]
    table = Table(title=f"by channel ({cur.upper()})", title_justify="left")
    for name in ("channel", "sessions", "orders", "conversion", "revenue / session", "AOV"):
        table.add_column(name, justify="left" if name == "channel" else "right")
    payees = sorted({p for c in summary["channels"].values() for p in c["fees"]})
    for payee in payees:
        table.add_column(f"fees → {payee.replace('_', ' ')}", justify="right")
    table.add_column("inference", justify="right")
    rows = sorted(summary["channels"].items(), key=lambda kv: (kv[1]["conversion_rate"], kv[0]))
    for name, figures in rows:
        table.add_row(
            name,
            f"{figures['sessions']:,}",
            f"{figures['orders']:,}",
            f"{figures['conversion_rate']:.2%}",
            format_money(figures["revenue_per_session"], cur),
            format_money(figures["aov"], cur),
            *(format_money(figures["fees"].get(p, 0), cur) for p in payees),
            format_money(figures["inference_cost"], cur),
        )
    return table


def print_summary(summary: dict, console: Console | None = None) -> None:
    console = console or Console()
    console.print(summary_table(summary))
    console.print(outcomes_table(summary))
    if summary.get("channels"):
        console.print(channels_table(summary))


#: Figures shown for replications and comparisons, with how to format a value.
FIGURE_FORMATS = {
    "orders": ("orders", "count"),
    "conversion_rate": ("conversion", "percent"),
    "gmv": ("GMV (buyer spend)", "money"),
    "ai_platform_revenue": ("AI platform revenue", "money"),
    "merchant_net": ("merchant net", "money"),
    "take_rate": ("take rate", "percent"),
    "revenue_per_1000_sessions": ("AI revenue / 1,000 sessions", "money"),
    "inference_cost": ("inference cost", "money"),
    "ai_platform_net": ("AI platform net of inference", "money"),
    "ai_platform_net_margin": ("AI net margin", "percent"),
}


def format_figure(value: float, kind: str, currency: str) -> str:
    if kind == "percent":
        return f"{value:.2%}"
    if kind == "money":
        return format_money(round(value), currency)
    return f"{value:,.1f}"


def interval_text(figure: dict, kind: str, currency: str) -> str:
    mean = format_figure(figure["mean"], kind, currency)
    if figure["low"] == figure["high"]:
        return mean
    return (
        f"{mean} [{format_figure(figure['low'], kind, currency)}, "
        f"{format_figure(figure['high'], kind, currency)}]"
    )


def print_replications(summary: dict, console: Console | None = None) -> None:
    """Mean and 95% interval per replication of the headline figures."""
    console = console or Console()
    table = Table(
        title=f"{summary['scenario']} · {summary['replications']} replications · "
        f"seed {summary['seed']} · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    table.add_column("per replication", justify="right")
    for name, (label, kind) in FIGURE_FORMATS.items():
        table.add_row(label, interval_text(summary["ci95"][name], kind, summary["currency"]))
    console.print(table)
    console.print(
        f"pooled: {summary['sessions']:,} sessions, {summary['orders']:,} orders, "
        f"unhandled errors {summary['unhandled_errors']}, oversells "
        f"{summary['oversells']}"
    )
