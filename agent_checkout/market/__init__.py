"""The market around the merchants: who owns which of the ledger's parties.

A company is a reporting view over ledger parties, never a change to the postings.
"""

from agent_checkout.market.companies import (
    COMPANY_NET,
    MERCHANT,
    ROLES,
    company_figures,
    company_problem,
    consolidate,
    third_party_take_rate,
)

__all__ = [
    "COMPANY_NET",
    "MERCHANT",
    "company_figures",
    "ROLES",
    "company_problem",
    "consolidate",
    "third_party_take_rate",
]
