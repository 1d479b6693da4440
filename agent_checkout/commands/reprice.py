"""``agent-checkout reprice DIR MODELS``: a recorded run's orders under other fee models.

Registered by the main CLI as a command. Each comma-separated entry of MODELS is one variant
(``a+b`` prices with both together); the run is read once and priced under every variant. A run
written with --replications is priced replication by replication (each with its own running
volume) and reported pooled, then per replication; ``--replication k`` prices one. A bad name,
a missing ledger, or a run whose fees changed behaviour ends in one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agent_checkout.commands.bad_input import fail
from agent_checkout.commands.ledger import Replication, ledgers_or_fail
from agent_checkout.fees.library import FeeModelError, load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.ledger.reprice import (
    SPONSORED_CLICK_MODEL,
    RepriceResult,
    recorded_totals,
    reprice_variants,
)
from agent_checkout.ledger.vectorized import ENGINES
from agent_checkout.sim.channels import CHANNELS
from agent_checkout.sim.channels import FEE_MODELS as CHANNEL_MODELS  # by default: see notes
from merchants.money import format_money

console = Console()

#: Which AI-platform fees each traffic channel lets charge, as the simulation priced them.
CHANNEL_FEES = {name: channel.ai_fees for name, channel in CHANNELS.items()}

CAVEAT = (
    "Re-pricing holds only where fees do not change behaviour: it keeps every recorded order, "
    "which is right only with no pass-through of fees into prices and a ranking that ignores "
    "fees (this run's are checked). Otherwise use `agent-checkout compare`."
)


def parse_variants(text: str) -> dict[str, list[FeeModel]]:
    """``"a,b+c"`` -> ``{"a": [a], "b+c": [b, c]}``; raises ValueError naming a bad entry."""
    variants: dict[str, list[FeeModel]] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            raise ValueError(f"fee models {text!r}: an empty entry (give names separated by ,)")
        models = []
        for name in (n.strip() for n in entry.split("+")):
            try:
                models.append(load_fee_model(name))
            except KeyError as problem:
                raise ValueError(str(problem.args[0])) from None
            except (FileNotFoundError, FeeModelError) as problem:
                raise ValueError(str(problem)) from None
        variants[entry] = models
    return variants


def pooled(results: Sequence[RepriceResult]) -> RepriceResult:
    """Several replications' results as one: counts and money summed."""
    total = RepriceResult(results[0].currency)
    for result in results:
        total.orders += result.orders
        total.refunds += result.refunds
        total.clicks += result.clicks
        total.click_fees += result.click_fees
        total.gmv += result.gmv
        total.tax += result.tax
        total.merchant_net += result.merchant_net
        total.fees.update(result.fees)
    return total


def _table(rows: dict[str, RepriceResult], title: str) -> Table:
    """One row per variant; money columns are never cut short, the names fold instead."""
    currency = next(iter(rows.values())).currency
    payees = sorted({p for r in rows.values() for p in r.fees_by_payee} - {"ai_platform"})
    clicks = any(r.clicks for r in rows.values())  # no column for a run without paid clicks
    headers = ["orders", *(["click fees"] if clicks else [])]
    headers += [*(p.replace("_", " ") for p in payees)]
    headers += ["AI platform revenue", "take rate", "merchant net"]
    cells = {
        name: [
            f"{result.orders:,}",
            *([format_money(result.click_fees, currency)] if clicks else []),
            *(format_money(result.fees_by_payee.get(p, 0), currency) for p in payees),
            format_money(result.ai_platform_revenue, currency),
            f"{result.take_rate:.2%}",
            format_money(result.merchant_net, currency),
        ]
        for name, result in rows.items()
    }
    table = Table(title=title, title_justify="left", box=None)
    table.add_column("fee models", style="bold", overflow="fold")
    for index, header in enumerate(headers):
        width = max(len(row[index]) for row in cells.values())
        table.add_column(header, justify="right", min_width=width, overflow="fold")
    for name, row in cells.items():
        table.add_row(name, *row)
    return table


def _per_replication(by_replication: dict[int | None, dict[str, RepriceResult]]) -> Table:
    """AI platform revenue of each variant in each replication, and its mean."""
    names = list(next(iter(by_replication.values())))
    currency = next(iter(next(iter(by_replication.values())).values())).currency
    table = Table(title="AI platform revenue per replication", title_justify="left", box=None)
    table.add_column("replication", style="bold")
    for name in names:
        table.add_column(name, justify="right", overflow="fold")
    for number, rows in by_replication.items():
        table.add_row(
            str(number), *(format_money(rows[n].ai_platform_revenue, currency) for n in names)
        )
    count = len(by_replication)
    table.add_row(
        "mean",
        *(
            format_money(
                round(sum(rows[n].ai_platform_revenue for rows in by_replication.values()) / count),
                currency,
            )
            for n in names
        ),
    )
    return table


def reprice(
    run_dir: Annotated[Path, typer.Argument(help="A run's output directory (or its ledger).")],
    fee_models: Annotated[
        str,
        typer.Option(
            "--fee-models",
            help="Comma-separated variants, each a model name or YAML file; a+b prices with "
            "both together. They are the AI platform's side: each merchant keeps its own "
            "merchant-platform models from the run unless --replace-all.",
        ),
    ],
    replace_all: Annotated[
        bool,
        typer.Option(
            "--replace-all", help="Price with the given models only, dropping the merchants' own."
        ),
    ] = False,
    replication: Replication = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="auto (default): SQL over whole tables, order by order only where a ledger "
            "needs it (a refund beyond its order's total, a model in another currency); "
            "vectorized or per-order force one (same results; for tests and benchmarks).",
        ),
    ] = "auto",
) -> None:
    """Re-price a recorded run's orders under other fee models, without simulating again."""
    if engine not in ENGINES:
        raise fail(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
    try:
        variants = parse_variants(fee_models)
    except ValueError as problem:
        raise fail(f"--fee-models: {problem}") from None
    ledgers = ledgers_or_fail(run_dir, replication)
    by_replication: dict[int | None, dict[str, RepriceResult]] = {}
    notes: list[str] = []
    try:
        for number, path in ledgers:
            results, found = reprice_variants(
                path,
                variants,
                replace_all=replace_all,
                channel_fees=CHANNEL_FEES,
                channel_models=CHANNEL_MODELS,
                engine=engine,
            )
            by_replication[number] = {"as recorded": recorded_totals(path), **results}
            notes += [note for note in found if note not in notes]
    except ValueError as problem:  # RepriceError and NotALedger are ones
        raise fail(str(problem)) from None
    title = "Re-priced run: fees by payee, net of refunds"
    if ledgers.replications is None:
        rows = by_replication[None]
    else:
        rows = {
            name: pooled([results[name] for results in by_replication.values()])
            for name in next(iter(by_replication.values()))
        }
        numbers = ledgers.replications
        title += (
            f", replication {numbers[0]}"
            if len(numbers) == 1
            else f", pooled over {len(numbers)} replications"
        )
    console.print(_table(rows, title))
    if ledgers.replications is not None and len(ledgers.replications) > 1:
        console.print(_per_replication(by_replication))
    side = (
        "each variant's models only"
        if replace_all
        else "each variant's models plus each merchant's own merchant-platform models from the run"
    )
    console.print(
        f"Priced with {side}; refunds reversed by each model's on_refund rule.", highlight=False
    )
    recorded = next(iter(rows.values()))
    on_clicks = sorted(
        {
            m.name
            for ms in variants.values()
            for m in ms
            if any(c.trigger != "order_completed" for c in m.components)
        }
    )
    if on_clicks and not recorded.clicks:
        console.print(
            f"Not charged: {', '.join(on_clicks)} (link_clicked and purchase_attributed "
            "components: this run recorded no clicks).",
            highlight=False,
        )
    if recorded.clicks:
        console.print(
            f"Clicks ({recorded.clicks:,}) priced by each variant's link_clicked components; "
            "purchase_attributed components priced on orders placed after a click in its session.",
            highlight=False,
        )
    kept = recorded.fees_by_model.get(SPONSORED_CLICK_MODEL, 0)
    if kept:
        console.print(
            f"Kept as recorded in every row: {SPONSORED_CLICK_MODEL} clicks "
            f"({format_money(kept, recorded.currency)}), billed by the sponsored ranking at its "
            "cpc, not by a fee model.",
            highlight=False,
        )
    for note in notes:
        console.print(f"note: {note}", style="yellow", highlight=False, markup=False)
    console.print(CAVEAT, style="dim", highlight=False)
