"""Rich renderings of a run's results for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from merchants.money import format_money


def summary_table(summary: dict) -> Table:
    """The end-of-run table: funnel, money, fees by payee, session time."""
    cur = summary["currency"]
    table = Table(title=f"{summary['scenario']} · seed {summary['seed']}", show_header=False,
                  title_justify="left")
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_row("sessions", f"{summary['sessions']:,}")
    table.add_row("orders", f"{summary['orders']:,}")
    table.add_row("conversion", f"{summary['conversion_rate']:.2%}")
    table.add_row("GMV", format_money(summary["gmv"], cur))
    table.add_row("AOV", format_money(summary["aov"], cur))
    for payee, amount in summary["fees"].items():
        table.add_row(f"fees → {payee.replace('_', ' ')}", format_money(amount, cur))
    table.add_row("take rate (all fees / GMV)", f"{summary['take_rate']:.2%}")
    table.add_row("AI platform take rate", f"{summary['ai_platform_take_rate']:.2%}")
    table.add_row("merchant net", format_money(summary["merchant_net"], cur))
    table.add_row("inference cost (agent steps)",
                  f"{format_money(summary['inference_cost'], cur)} "
                  f"({summary['agent_steps']:,})")
    table.add_row("AI platform net of inference", format_money(summary["ai_platform_net"], cur))
    seconds = summary["session_seconds"]
    table.add_row("session time p50 / p95", f"{seconds['p50']:.2f} s / {seconds['p95']:.2f} s")
    table.add_row("unhandled errors / oversells",
                  f"{summary['unhandled_errors']} / {summary['oversells']}")
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


def print_summary(summary: dict, console: Console | None = None) -> None:
    console = console or Console()
    console.print(summary_table(summary))
    console.print(outcomes_table(summary))
