"""The double-entry ledger of a run, in an embedded DuckDB file, its invariants and re-pricing."""

from agent_checkout.ledger.journals import click_journal, journal, refund_journal, refund_tax
from agent_checkout.ledger.query import QueryError, ledger_tables, run_query
from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.reprice import (
    RepriceError,
    RepriceResult,
    recorded_totals,
    reprice_ledger,
    reprice_variants,
)
from agent_checkout.ledger.store import Ledger
from agent_checkout.ledger.verify import Verdict, verify_ledger

__all__ = [
    "Ledger",
    "QueryError",
    "RepriceError",
    "RepriceResult",
    "Verdict",
    "click_journal",
    "journal",
    "ledger_tables",
    "open_read_only",
    "recorded_totals",
    "refund_journal",
    "refund_tax",
    "reprice_ledger",
    "reprice_variants",
    "run_query",
    "verify_ledger",
]
