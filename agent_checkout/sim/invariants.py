"""What must hold after any run, whatever its figures: no session ended in an unhandled error,
no unit was sold beyond stock, and every ledger the run wrote balances. CI checks these
(``run --check``, the pytest plugin's ``invariants``) so a broken agent or merchant fails a build.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from agent_checkout.ledger.verify import verify_ledger

#: The invariants by name, as an ``expect:`` block lists them.
INVARIANTS = ("no_unhandled_error", "no_oversell", "ledger_balances")


def run_ledgers(out: Path) -> list[Path]:
    """The ledgers a run wrote to ``out``: its own, or each replication's, in replication order."""
    if (out / "ledger.duckdb").is_file():
        return [out / "ledger.duckdb"]
    folders = [p for p in (out / "replications").glob("*") if p.name.isdigit()]
    return [p / "ledger.duckdb" for p in sorted(folders, key=lambda p: int(p.name))]


def broken_invariants(
    summary: dict, out: Path | None, names: Collection[str] = INVARIANTS
) -> list[str]:
    """One line per broken invariant of ``names`` (empty when all hold). The ledgers are read
    from ``out`` (none when it is None: a run kept in memory has no ledger to check)."""
    problems = []
    errors = summary.get("unhandled_errors", 0)
    if "no_unhandled_error" in names and errors:
        problems.append(
            f"unhandled errors: {errors} session{'s' * (errors != 1)} ended in an unhandled error"
        )
    oversold = summary.get("oversells", 0)
    if "no_oversell" in names and oversold:
        problems.append(f"oversells: {oversold} unit{'s' * (oversold != 1)} sold beyond stock")
    if "ledger_balances" in names and out is not None:
        for ledger in run_ledgers(out):
            verdict = verify_ledger(ledger)
            if not verdict.ok:
                problems.append(f"unbalanced ledger: {ledger}: {verdict}")
    return problems
