"""Rich renderings of a run's results for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from agent_checkout.market.companies import COMPANY_NET
from agent_checkout.sim.currency_summary import currency_views
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
    peak = summary.get("arrival_peak")
    if peak:  # a run with an arrival curve (agent_checkout.sim.arrival_peak)
        ratio = f" (×{peak['ratio']:.1f})" if peak["ratio"] else ""
        table.add_row(
            "arrivals / min peak vs base",
            f"{peak['peak_per_minute']:,.1f} vs {peak['base_per_minute']:,.1f}{ratio}",
        )
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
    table.add_row(
        "AI platform take rate" + (" (third-party sales)" if _named(summary) else ""),
        f"{summary['ai_platform_take_rate']:.2%}",
    )
    table.add_row("merchant net", format_money(summary["merchant_net"], cur))
    for funder, amount in summary.get("discounts", {}).get("by_funder", {}).items():
        # merchant_net excludes subsidies; ai_platform_net subtracts the AI platform's own
        table.add_row(f"discounts funded by {funder.replace('_', ' ')}", format_money(amount, cur))
    presales = summary.get("presales")
    if presales:  # see merchants.presales
        table.add_row(
            "presales started / completed / forfeited",
            f"{presales['started']:,} / {presales['completed']:,} / {presales['forfeited']:,}",
        )
        forfeited = format_money(presales["forfeited_amount"], cur)
        table.add_row("deposits forfeited to merchants", forfeited)
        table.add_row("deposits held at the end", format_money(presales["deposits_held"], cur))
    table.add_row(
        "inference cost (agent steps)",
        f"{format_money(summary['inference_cost'], cur)} ({summary['agent_steps']:,})",
    )
    table.add_row("AI platform net of inference", format_money(summary["ai_platform_net"], cur))
    for company, figures in summary.get("companies", {}).items():
        if figures["named"] and "ai_platform" in figures["parties"]:
            table.add_row(f"{company} net (company)", format_money(figures["net"], cur))
    welfare = summary.get("welfare")
    if welfare:  # see agent_checkout.sim.welfare
        surplus = format_money(welfare["surplus_per_session"], cur)
        table.add_row("shopper surplus / session", surplus)
        table.add_row(
            "best item shown / first",
            f"{welfare['best_shown_share']:.1%} / {welfare['best_first_share']:.1%}",
        )
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


def recovery_table(summary: dict) -> Table | None:
    """What went wrong at merchants and the payment processor, and the agent's back-offs: each
    error by server, endpoint and status, as the agent met it (a retried call counts each
    time). None when nothing failed, so a clean run prints no empty table."""
    if not summary.get("errors") and not summary.get("retries"):
        return None
    table = Table(
        title="faults met",
        title_justify="left",
        show_header=False,
    )
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("back-offs (wait, then retry)", f"{summary.get('retries', 0):,}")
    for key, count in summary["errors"].items():
        call, status = key.rsplit(":", 1)
        table.add_row(f"{call} answered {status}", f"{count:,}")
    return table


def _named(summary: dict) -> bool:
    """Whether the scenario named companies (then money is also shown by owner)."""
    return any(c["named"] for c in summary.get("companies", {}).values())


def companies_table(summary: dict) -> Table:
    """Money consolidated by owner: fees from outside the company, its merchants' sales, tax,
    inference if it runs the assistant, and net; fees between its own parties are netted out."""
    cur = summary["currency"]
    companies = sorted(summary["companies"].items(), key=lambda row: (not row[1]["named"], row[0]))
    owns = "; ".join(f"{c} = {' + '.join(f['parties'])}" for c, f in companies if f["named"])
    table = Table(title="by company", title_justify="left", caption=owns, caption_justify="left")
    for name in ("company", "fees", "sales", "inference", "net"):
        table.add_column(name, justify="left" if name == "company" else "right")
    for company, figures in companies:
        fees = figures["fees"] + figures["tax"]  # the tax authority's take shows as its fees
        table.add_row(
            company,
            *(format_money(v, cur) for v in (fees, figures["sales"], figures["inference_cost"])),
            format_money(figures["net"], cur),
        )
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


def protocols_table(summary: dict) -> Table:
    """Orders and money by the checkout protocol that carried them, for comparing protocols."""
    cur = summary["currency"]
    table = Table(title=f"by checkout protocol ({cur.upper()})", title_justify="left")
    for name in ("protocol", "merchants", "orders", "GMV", "AOV", "fees", "→ AI platform"):
        table.add_column(name, justify="left" if name in ("protocol", "merchants") else "right")
    table.add_column("take rate", justify="right")
    for name, figures in summary["protocols"].items():
        table.add_row(
            name,
            ", ".join(figures["merchants"]),
            f"{figures['orders']:,}",
            format_money(figures["gmv"], cur),
            format_money(figures["aov"], cur),
            format_money(figures["fees_total"], cur),
            format_money(figures["fees"].get("ai_platform", 0), cur),
            f"{figures['take_rate']:.2%}",
        )
    return table


def _cohort_name(row: dict, by: str) -> str:
    if row["cohort"] is None:
        return "all users"
    return f"day {row['cohort']}" if by == "day" else f"week {row['cohort']}"


def payback_text(row: dict, horizon_days: int) -> str:
    """When a cohort's cumulative P&L first reached 0, or that it did not within the horizon."""
    if row["payback_day"] is None:
        return f"no payback within {horizon_days} days"
    after = row["payback_after_days"]
    return f"day {row['payback_day']} ({after} day{'' if after == 1 else 's'} after joining)"


def cohorts_table(summary: dict) -> Table:
    """The AI platform's P&L per cohort of users over the horizon (agent_checkout.sim.cohorts):
    what it earned and paid, side by side, its cumulative P&L at the end, and the payback."""
    cohorts = summary["cohorts"]
    cur, horizon = cohorts["currency"], cohorts["horizon_days"]
    table = Table(
        title=f"AI platform P&L by cohort over {horizon} days ({cur.upper()})",
        title_justify="left",
    )
    columns = ("cohort", "users", "orders", "fees earned", "coupons")
    columns += ("red packets", "acquisition", "inference", "cumulative P&L", "payback")
    for name in columns:
        table.add_column(name, justify="left" if name in ("cohort", "payback") else "right")
    for row in [*cohorts["rows"], cohorts["all"]]:
        table.add_row(
            _cohort_name(row, cohorts["by"]),
            f"{row['users']:,}",
            f"{row['orders']:,}",
            *(
                format_money(row[k], cur)
                for k in ("fees", "coupons", "red_packets", "acquisition", "inference", "net")
            ),
            "none" if row["payback_day"] is None else f"day {row['payback_day']}",
            style="bold" if row["cohort"] is None else None,
        )
    return table


def print_cohorts(summary: dict, console: Console, what: str = "payback of all users") -> None:
    """The cohorts' P&L table and the payback of all users."""
    console.print(cohorts_table(summary))
    everyone, horizon = summary["cohorts"]["all"], summary["cohorts"]["horizon_days"]
    console.print(f"{what}: {payback_text(everyone, horizon)}", highlight=False, markup=False)


def converted_table(summary: dict) -> Table:
    """A mixed run's headline totals in its reporting currency, titled with the FX table."""
    converted = summary["converted"]
    cur = converted["currency"]
    rates = ", ".join(
        f"{code.upper()} 1 = {cur.upper()} {rate}"
        for code, rate in converted["rates"].items()
        if code != cur
    )
    table = Table(
        title=f"all currencies, {converted['label']}",
        caption=f"{rates}; {converted['rounding']}",
        caption_justify="left",
        show_header=False,
        title_justify="left",
    )
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_row("GMV", format_money(converted["gmv"], cur))
    if converted["refunded"]:
        table.add_row("refunded to buyers", format_money(converted["refunded"], cur))
    for payee, amount in converted["fees"].items():
        table.add_row(f"fees → {payee.replace('_', ' ')}", format_money(amount, cur))
    table.add_row("tax", format_money(converted["tax"], cur))
    table.add_row("merchant net", format_money(converted["merchant_net"], cur))
    table.add_row("inference cost", format_money(converted["inference_cost"], cur))
    table.add_row("AI platform net of inference", format_money(converted["ai_platform_net"], cur))
    return table


def wrong_price_table(summary: dict) -> Table:
    """Sessions shown a wrong stated price, what became of them, and the GMV it cost
    (against the same sessions stated right: agent_checkout.sim.wrong_price)."""
    wrong, cur = summary["wrong_price"], summary["currency"]
    table = Table(title="wrong stated prices", show_header=False, title_justify="left")
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_row("sessions shown a wrong price", f"{wrong['sessions_shown']:,}")
    table.add_row("bought anyway", f"{wrong['bought_anyway']:,}")
    table.add_row("abandoned at checkout", f"{wrong['abandoned_at_checkout']:,}")
    table.add_row("other outcomes", f"{wrong['other']:,}")
    table.add_row("their GMV", format_money(wrong["gmv"], cur))
    if "gmv_lost" in wrong:
        table.add_row("their GMV stated right", format_money(wrong["gmv_without_error"], cur))
        table.add_row("GMV lost to wrong prices", format_money(wrong["gmv_lost"], cur))
    return table


def print_summary(summary: dict, console: Console | None = None) -> None:
    """The run's tables; a mixed run's money once per currency, then converted, labelled."""
    console = console or Console()
    views = currency_views(summary)
    for view in views:
        console.print(summary_table(view))
    if len(views) > 1:
        console.print(converted_table(summary))
    console.print(outcomes_table(summary))
    if summary.get("wrong_price"):
        console.print(wrong_price_table(summary))
    recovery = recovery_table(summary)
    if recovery is not None:
        console.print(recovery)
    for view in views:
        if _named(view):
            console.print(companies_table(view))
        if len(view.get("channels") or {}) > 1:  # one channel's row repeats the run's
            console.print(channels_table(view))
        if view.get("protocols"):
            console.print(protocols_table(view))
    if summary.get("cohorts"):
        print_cohorts(summary, console)


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
    # shopper welfare (agent_checkout.sim.welfare): what a neutrality audit weighs revenue against
    "surplus_per_session": ("shopper surplus / session", "money"),
    "best_shown_share": ("best item shown", "percent"),
    "best_first_share": ("best item shown first", "percent"),
    "best_mean_position": ("position of best item, if shown", "decimal"),
}


#: Figures of a summary's optional blocks (agent_checkout.sim.pooled_blocks), when present.
BLOCK_FORMATS = {
    "wrong_price_gmv_lost": ("GMV lost to wrong prices", "money"),
    "discounts_ai_platform": ("discounts funded by the AI platform", "money"),
    "cohorts_net": ("AI platform net of all cohorts", "money"),
    "cohorts_payback_day": ("payback day of all users (horizon if none)", "decimal"),
}
#: Figures made of counts only: the same in every currency, so never labelled as converted.
COUNT_FIGURES = {
    "orders",
    "conversion_rate",
    "best_shown_share",
    "best_first_share",
    "best_mean_position",
    "cohorts_payback_day",
}


def converted_label(name: str, label: str, converted: str | None) -> str:
    """``label`` saying it was read on converted totals (``GMV (buyer spend, converted to
    USD)``) when ``converted`` is given and the figure is made of money."""
    if not converted or name in COUNT_FIGURES:
        return label
    if label.endswith(")"):
        return f"{label[:-1]}, {converted})"
    return f"{label} ({converted})"


def figure_rows(figures: dict, converted: str | None = None) -> list[tuple[str, str, str]]:
    """``(name, label, kind)`` of the figures to show: the headline ones, those of optional
    blocks found in ``figures``, then each named company's consolidated net; with
    ``converted`` (``converted to USD``, a mixed run), money figures say so."""
    rows = [(name, label, kind) for name, (label, kind) in FIGURE_FORMATS.items()]
    rows += [(name, *BLOCK_FORMATS[name]) for name in BLOCK_FORMATS if name in figures]
    rows += [
        (name, f"{name.removeprefix(COMPANY_NET)} net (company)", "money")
        for name in figures
        if name.startswith(COMPANY_NET)
    ]
    return [(name, converted_label(name, label, converted), kind) for name, label, kind in rows]


def format_figure(value: float, kind: str, currency: str) -> str:
    if kind == "percent":
        return f"{value:.2%}"
    if kind == "money":
        return format_money(round(value), currency)
    if kind == "decimal":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def interval_text(figure: dict, kind: str, currency: str) -> str:
    mean = format_figure(figure["mean"], kind, currency)
    if figure["low"] == figure["high"]:
        return mean
    return (
        f"{mean} [{format_figure(figure['low'], kind, currency)}, "
        f"{format_figure(figure['high'], kind, currency)}]"
    )


def channel_intervals_table(summary: dict) -> Table:
    """Each channel's pooled conversion, and its conversion and revenue per session per
    replication (mean [95% CI]), lowest pooled conversion first."""
    cur = summary["currency"]
    table = Table(
        title=f"by channel ({cur.upper()}) · pooled and per replication", title_justify="left"
    )
    for name in (
        "channel",
        "sessions",
        "orders",
        "conversion",
        "conversion / replication",
        "revenue / session / replication",
    ):
        table.add_column(name, justify="left" if name == "channel" else "right")
    rows = sorted(summary["channels"].items(), key=lambda kv: (kv[1]["conversion_rate"], kv[0]))
    for name, figures in rows:
        ci = {
            figure: summary["ci95"][f"channel:{name}:{figure}"]
            for figure in ("conversion_rate", "revenue_per_session")
        }
        table.add_row(
            name,
            f"{figures['sessions']:,}",
            f"{figures['orders']:,}",
            f"{figures['conversion_rate']:.2%}",
            interval_text(ci["conversion_rate"], "percent", cur),
            interval_text(ci["revenue_per_session"], "money", cur),
        )
    return table


def print_replications(summary: dict, console: Console | None = None) -> None:
    """Mean and 95% interval per replication of the headline figures (named companies' nets
    among them), each channel's conversion, and the pooled money as it adds up."""
    console = console or Console()
    cur = summary["currency"]
    converted = f"converted to {cur.upper()}" if "converted" in summary else None
    table = Table(
        title=f"{summary['scenario']} · {summary['replications']} replications · "
        f"seed {summary['seed']} · mean [95% CI]",
        title_justify="left",
    )
    table.add_column("figure", style="bold")
    table.add_column("per replication", justify="right")
    for name, label, kind in figure_rows(summary["ci95"], converted):
        table.add_row(label, interval_text(summary["ci95"][name], kind, cur))
    console.print(table)
    if len(summary.get("channels") or {}) > 1:  # one channel's row repeats the run's
        console.print(channel_intervals_table(summary))
    console.print(
        f"pooled: {summary['sessions']:,} sessions, {summary['orders']:,} orders, "
        f"unhandled errors {summary['unhandled_errors']}, oversells "
        f"{summary['oversells']}"
    )
    views = currency_views(summary)
    for view in views:
        print_pooled_money(view, console, in_currency=len(views) > 1)
    if converted:
        console.print(converted_table(summary))
    if summary.get("wrong_price"):
        console.print(wrong_price_table(summary))
    if summary.get("cohorts"):
        print_cohorts(summary, console, "payback of all users, pooled")


def print_pooled_money(view: dict, console: Console, *, in_currency: bool) -> None:
    """How one currency's pooled money adds up, with its pooled discounts and presales."""
    cur = view["currency"]
    where = f" ({cur.upper()})" if in_currency else ""
    paid, net, fees, tax = (
        format_money(view[k], cur) for k in ("buyer_paid", "merchant_net", "fees_total", "tax")
    )
    console.print(
        f"pooled money{where}: buyers paid {paid} = merchants {net} + fees {fees} + tax {tax}",
        highlight=False,
        markup=False,
    )
    for funder, amount in view.get("discounts", {}).get("by_funder", {}).items():
        console.print(
            f"pooled discounts{where} funded by {funder.replace('_', ' ')}: "
            f"{format_money(amount, cur)}",
            highlight=False,
            markup=False,
        )
    presales = view.get("presales")
    if presales:
        console.print(
            f"pooled presales{where}: {presales['started']:,} started, "
            f"{presales['completed']:,} completed, {presales['forfeited']:,} forfeited "
            f"({format_money(presales['forfeited_amount'], cur)} of deposits), "
            f"{format_money(presales['deposits_held'], cur)} held at the end",
            highlight=False,
            markup=False,
        )
