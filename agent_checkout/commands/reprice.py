"""``agent-checkout reprice DIR MODELS``: a recorded run's orders under other fee models.

Registered by the main CLI as a command. Each comma-separated entry of MODELS is one variant
(``a+b`` prices with both together); the run is read once and priced under every variant. A bad
name, a missing ledger, or a run whose fees changed behaviour ends in one line and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent_checkout.commands.ledger import ledger_path
from agent_checkout.fees.library import FeeModelError, load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.ledger.reprice import (
    RepriceResult,
    recorded_totals,
    reprice_variants,
)
from merchants.money import format_money

console = Console()
errors = Console(stderr=True)

CAVEAT = (
    "Re-pricing holds only where fees do not change behaviour: it keeps every recorded order, "
    "which is right only with no pass-through of fees into prices and a ranking that ignores "
    "fees (this run's are checked). Otherwise use `agent-checkout compare`."
)


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


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


def _table(rows: dict[str, RepriceResult]) -> Table:
    """One row per variant; money columns are never cut short, the names fold instead."""
    currency = next(iter(rows.values())).currency
    payees = sorted({p for r in rows.values() for p in r.fees_by_payee} - {"ai_platform"})
    headers = ["orders", *(p.replace("_", " ") for p in payees)]
    headers += ["AI platform revenue", "take rate", "merchant net"]
    cells = {
        name: [
            f"{result.orders:,}",
            *(format_money(result.fees_by_payee.get(p, 0), currency) for p in payees),
            format_money(result.ai_platform_revenue, currency),
            f"{result.take_rate:.2%}",
            format_money(result.merchant_net, currency),
        ]
        for name, result in rows.items()
    }
    table = Table(
        title="Re-priced run: fees by payee, net of refunds", title_justify="left", box=None
    )
    table.add_column("fee models", style="bold", overflow="fold")
    for index, header in enumerate(headers):
        width = max(len(row[index]) for row in cells.values())
        table.add_column(header, justify="right", min_width=width, overflow="fold")
    for name, row in cells.items():
        table.add_row(name, *row)
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
) -> None:
    """Re-price a recorded run's orders under other fee models, without simulating again."""
    path = ledger_path(run_dir)
    try:
        variants = parse_variants(fee_models)
        results, notes = reprice_variants(path, variants, replace_all=replace_all)
    except ValueError as problem:  # RepriceError is one
        raise _fail(str(problem)) from None
    rows = {"as recorded": recorded_totals(path), **results}
    console.print(_table(rows))
    side = (
        "each variant's models only"
        if replace_all
        else "each variant's models plus each merchant's own merchant-platform models from the run"
    )
    console.print(
        f"Priced with {side}; refunds reversed by each model's on_refund rule.", highlight=False
    )
    attributed = sorted(
        {
            m.name
            for ms in variants.values()
            for m in ms
            if any(c.trigger == "purchase_attributed" for c in m.components)
        }
    )
    if attributed:
        console.print(
            f"Not charged: {', '.join(attributed)} (purchase_attributed: the ledger does not "
            "link orders to clicks)."
        )
    for note in notes:
        console.print(f"note: {note}", style="yellow", highlight=False)
    console.print(CAVEAT, style="dim", highlight=False)
