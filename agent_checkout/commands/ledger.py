"""``agent-checkout ledger``: check and query a run's ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agent_checkout.ledger.verify import verify_ledger

ledger_app = typer.Typer(help="Check and query a run's ledger.", no_args_is_help=True,
                         add_completion=False, pretty_exceptions_enable=False)
console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def ledger_path(run_dir: Path) -> Path:
    """``DIR/ledger.duckdb`` for a run directory (or the file itself); one-line error if absent."""
    path = run_dir / "ledger.duckdb" if run_dir.is_dir() else run_dir
    if not path.exists():
        raise _fail(f"{path}: no ledger here (run `agent-checkout run ... --out DIR` first)")
    return path


@ledger_app.command("verify")
def verify(
    run_dir: Annotated[Path, typer.Argument(help="A run's output directory.")],
) -> None:
    """Exit 0 when every order balances; otherwise name the first bad order and exit 1."""
    verdict = verify_ledger(ledger_path(run_dir))
    if not verdict.ok:
        raise _fail(str(verdict), code=1)
    console.print(str(verdict))
