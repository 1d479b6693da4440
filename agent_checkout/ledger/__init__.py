"""The double-entry ledger of a run, in an embedded DuckDB file, and its invariants."""

from agent_checkout.ledger.store import Ledger, journal
from agent_checkout.ledger.verify import Verdict, verify_ledger

__all__ = ["Ledger", "Verdict", "journal", "verify_ledger"]
