"""Companies: one owner holding several ledger parties, and its money consolidated.

A scenario may say that one company is several parties at once (ByteDance runs the assistant and
the mall; Amazon runs Rufus, the marketplace and first-party retail)::

    companies:
      Amazon: [ai_platform, marketplace, merchant:mall]

A party is a ledger role (:data:`ROLES`, the ``account`` of its postings) or a merchant,
``merchant:<id>`` (postings with ``account = 'merchant'`` and ``party = <id>``). A party no
company names stands as its own company, keyed by the party. The ledger is never changed: a
company's figures are sums of its parties' postings, with the fees its merchants paid its own
roles (``internal_fees``) moved from "fees" back to "sales", as consolidation nets them out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

#: The ledger's roles that a company may own (the ``account`` of their postings).
ROLES = ("ai_platform", "marketplace", "payment_processor", "affiliate_network", "tax_authority")

#: The prefix of a merchant party: ``merchant:<merchant id>``.
MERCHANT = "merchant:"


def company_problem(
    companies: Mapping[str, Collection[str]], merchant_ids: Collection[str]
) -> tuple[str, str] | None:
    """``(company, message)`` for the first company that names no party, an unknown party, a
    party another company already owns, or that takes a party's name; else None."""
    owner: dict[str, str] = {}
    known = [*ROLES, *(MERCHANT + m for m in merchant_ids)]
    for company, parties in companies.items():
        if company in known:
            return company, "a company's name cannot be a party's name; choose another"
        if not parties:
            return company, f"name at least one party ({', '.join(known)})"
        for party in parties:
            if party not in known:
                return company, f"unknown party {party!r} (known: {', '.join(known)})"
            if party in owner:
                first = owner[party]
                where = "twice" if first == company else f"already in companies.{first}"
                return company, f"party {party!r} is {where}; a party has one owner"
            owner[party] = company
    return None


def owners(companies: Mapping[str, Collection[str]]) -> dict[str, str]:
    """Party -> the company that owns it, for the named companies."""
    return {party: company for company, parties in companies.items() for party in parties}


def company_of(party: str, companies: Mapping[str, Collection[str]]) -> str:
    """The owner of ``party``: its named company, or the party itself standing alone."""
    return owners(companies).get(party, party)


def consolidate(
    by_party: Mapping[str, int],
    fees_paid: Mapping[tuple[str, str], int],
    companies: Mapping[str, Collection[str]],
    inference_cost: int,
) -> dict[str, dict]:
    """Each company's money, in the run's minor units.

    ``by_party`` is each party's net postings; ``fees_paid`` the fees each merchant party paid
    each payee role (net of reversals). Per company: ``fees`` its roles received from outside it,
    ``sales`` its merchants' sales net of tax and refunds less fees paid outside it, ``tax``
    what it collected as the tax authority, ``internal_fees`` what its merchants paid its own
    roles (netted out), ``inference_cost`` if it owns the AI platform, and
    ``net = fees + sales + tax - inference_cost``. ``fees + sales + tax`` equals the sum of its
    parties' ledger postings.
    """
    owner = owners(companies)
    parties = {p for p, amount in by_party.items() if amount} | {"ai_platform"} | set(owner)
    grouped: dict[str, list[str]] = {}
    for party in sorted(parties):
        grouped.setdefault(owner.get(party, party), []).append(party)
    result = {}
    for company, members in grouped.items():
        internal = sum(
            amount
            for (payer, payee), amount in fees_paid.items()
            if payer in members and payee in members
        )
        roles = [p for p in members if p in ROLES and p != "tax_authority"]
        shops = [p for p in members if p.startswith(MERCHANT)]
        fees = sum(by_party.get(p, 0) for p in roles) - internal
        sales = sum(by_party.get(p, 0) for p in shops) + internal
        tax = by_party.get("tax_authority", 0) if "tax_authority" in members else 0
        inference = inference_cost if "ai_platform" in members else 0
        result[company] = {
            "named": company in companies,
            "parties": members,
            "fees": fees,
            "sales": sales,
            "tax": tax,
            "internal_fees": internal,
            "inference_cost": inference,
            "net": fees + sales + tax - inference,
        }
    return result


#: Prefix of a named company's net in figures across replications (``company_net:Amazon``).
COMPANY_NET = "company_net:"


def company_figures(summary: Mapping) -> dict[str, Callable[[Mapping], float]]:
    """Readers of each named company's consolidated net, for means across replications and
    comparisons (a company no variant's summary names reads 0)."""
    return {
        COMPANY_NET + name: lambda s, name=name: s["companies"].get(name, {}).get("net", 0)
        for name, figures in summary.get("companies", {}).items()
        if figures["named"]
    }


def third_party_sales(
    fees_paid: Mapping[tuple[str, str], int],
    fees_by_payee: Mapping[str, int],
    gmv: int,
    gmv_by_merchant: Mapping[str, int],
    companies: Mapping[str, Collection[str]],
) -> dict[str, int]:
    """The AI platform's fees from merchants outside its company (``fees``) and those
    merchants' GMV (``gmv``): the two integers its take rate divides, kept so that rates of
    several runs pool exactly.

    With no company named these are all its fees and all GMV; when the platform owns a mall,
    the mall's sales (and the first-party line that moves them) are left out of both, so the
    rate reads as a commission, not as the owner's retail revenue.
    """
    company = company_of("ai_platform", companies)
    own = {p for p, c in owners(companies).items() if c == company} | {"ai_platform"}
    internal = sum(
        amount
        for (payer, payee), amount in fees_paid.items()
        if payee == "ai_platform" and payer in own
    )
    outside_gmv = gmv - sum(
        amount for merchant, amount in gmv_by_merchant.items() if MERCHANT + merchant in own
    )
    return {"fees": fees_by_payee.get("ai_platform", 0) - internal, "gmv": outside_gmv}


def take_rate(sales: Mapping[str, int]) -> float:
    """``fees / gmv`` of :func:`third_party_sales`, to six decimals (0 without sales)."""
    return round(sales["fees"] / sales["gmv"], 6) if sales["gmv"] else 0.0


def third_party_take_rate(
    fees_paid: Mapping[tuple[str, str], int],
    fees_by_payee: Mapping[str, int],
    gmv: int,
    gmv_by_merchant: Mapping[str, int],
    companies: Mapping[str, Collection[str]],
) -> float:
    """The AI platform's fees from merchants outside its company over those merchants' GMV."""
    return take_rate(third_party_sales(fees_paid, fees_by_payee, gmv, gmv_by_merchant, companies))
