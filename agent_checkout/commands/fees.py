"""``agent-checkout fees``: list the built-in fee models, and explain one component by component.

Registered by the main CLI as a sub-app. A bad name or file ends in one line and exit code 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent_checkout.fees.explain import describe_model, source_lines
from agent_checkout.fees.library import FeeModelError, builtin_names, load_fee_model

fees_app = typer.Typer(
    help="List the fee models, or explain one.",
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
errors = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@fees_app.callback(invoke_without_command=True)
def list_models(ctx: typer.Context) -> None:
    """List the built-in fee models: name, who is paid, and what they charge."""
    if ctx.invoked_subcommand is not None:
        return
    table = Table(title="Built-in fee models", show_lines=False)
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("paid to", no_wrap=True)
    table.add_column("what it charges", overflow="fold")
    for name in builtin_names():
        model = load_fee_model(name)
        payees = ", ".join(p.replace("_", " ") for p in model.payees)
        table.add_row(name, payees, model.title)
    console.print(table)
    console.print("Explain one, with its source: agent-checkout fees show NAME (or a YAML file)")


@fees_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A built-in model name, or a fee model YAML file.")],
) -> None:
    """Explain a fee model component by component: rates, amounts, base, payer, trigger."""
    try:
        model = load_fee_model(name)
    except KeyError as problem:
        raise _fail(str(problem.args[0])) from None
    except (FileNotFoundError, FeeModelError) as problem:
        raise _fail(str(problem)) from None
    console.print(f"[bold]{model.name}[/]: {model.title}", highlight=False)
    for line in source_lines(model):
        console.print(line, highlight=False, style="dim")
    if model.notes:
        console.print(f"notes: {model.notes.strip()}", highlight=False, style="dim")
    if model.currency:
        console.print(f"amounts in {model.currency}", highlight=False, style="dim")
    for component, rows in describe_model(model):
        table = Table(
            title=component, title_justify="left", show_header=False, box=None, padding=(0, 2, 0, 0)
        )
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for label, value in rows:
            table.add_row(label, value)
        console.print()
        console.print(table)
