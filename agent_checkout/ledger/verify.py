"""Ledger invariants, checked by query: a recorded run either balances to the cent or says where.

Every journal (an order, a refund, a click, an order's discount subsidies, a user's acquisition
or red packet, an inference bill) sums to zero, and each inference bill equals its postings; an
order's discount lines add up to its discount, and the subsidies posted to its merchant equal its
lines funded by others. For every order, net of its refunds:
what the buyer paid equals merchant net plus every fee line (less reversals) plus tax; the fee
lines equal what was posted to payees; refunds never return more than was paid, of the total,
of the tax or of any fee. Each refund and click row agrees with its postings. Every presale
journal sums to zero; what ``customer_deposits`` holds for a presale is its deposit until it is
settled (completed or forfeited, once) and nothing after; a completed presale's order totals its
deposit plus its final payment, and its inflation discount line is the deposit value less the
deposit. An order's units are the quantities of its lines, and its fee lines name its merchant.
Over the whole ledger, postings sum to zero per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent_checkout.ledger.reader import open_read_only

_PAYEES = "account NOT IN ('buyer', 'merchant', 'tax_authority')"

# (problem, SQL giving (subject id, off by), subject: "order" or "click"). The first failing
# check names its smallest subject id.
_CHECKS: list[tuple[str, str, str]] = [
    (
        "order recorded twice",  # ids are unique by construction; no index is kept to say so
        "SELECT order_id, COUNT(*) - 1 FROM orders GROUP BY order_id HAVING COUNT(*) > 1",
        "order",
    ),
    (
        "order postings do not sum to zero",
        "SELECT order_id, SUM(amount) AS off FROM postings WHERE kind = 'order' "
        "GROUP BY order_id HAVING off <> 0",
        "order",
    ),
    (
        "refund postings do not sum to zero",
        "SELECT ANY_VALUE(order_id), SUM(amount) AS off FROM postings WHERE kind = 'refund' "
        "GROUP BY journal HAVING off <> 0",
        "order",
    ),
    (
        "order has no postings",
        "SELECT o.order_id, 0 FROM orders o ANTI JOIN "
        "(SELECT order_id FROM postings WHERE kind = 'order') p USING (order_id)",
        "order",
    ),
    (
        "total != items - discount + shipping + tax",
        """SELECT order_id, total_amount - (items_amount - discount_amount + shipping_amount
                                            + tax_amount) AS off
           FROM orders WHERE off <> 0""",
        "order",
    ),
    (
        "units != the quantities of its lines",  # what re-pricing reads for per-unit fees
        """SELECT o.order_id, o.units - COALESCE(l.quantity, 0) AS off FROM orders o
           LEFT JOIN (SELECT order_id, SUM(quantity) AS quantity FROM order_lines
                      GROUP BY order_id) l USING (order_id) WHERE off <> 0""",
        "order",
    ),
    (
        "fee line names another merchant than its order",  # what re-pricing reads
        """SELECT o.order_id, COUNT(*) AS off FROM fee_lines f JOIN orders o USING (order_id)
           WHERE f.merchant_id <> o.merchant_id GROUP BY o.order_id""",
        "order",
    ),
    (
        "discount lines != the order's discount",
        """SELECT o.order_id, SUM(d.amount) - ANY_VALUE(o.discount_amount) AS off
           FROM discount_lines d JOIN orders o USING (order_id)
           GROUP BY o.order_id HAVING off <> 0""",
        "order",
    ),
    (
        "discount postings do not sum to zero",
        "SELECT order_id, SUM(amount) AS off FROM postings WHERE kind = 'discount' "
        "GROUP BY order_id HAVING off <> 0",
        "order",
    ),
    (
        "discount postings != subsidies in its discount lines",
        """WITH p AS (SELECT order_id, SUM(amount) AS paid FROM postings
                      WHERE kind = 'discount' AND account = 'merchant' GROUP BY order_id),
            d AS (SELECT order_id, SUM(amount) AS subsidy FROM discount_lines
                  WHERE funder <> 'merchant' GROUP BY order_id)
           SELECT order_id, COALESCE(p.paid, 0) - COALESCE(d.subsidy, 0) AS off
           FROM p FULL JOIN d USING (order_id) WHERE off <> 0""",
        "order",
    ),
    (
        "refund of an unknown order",
        "SELECT r.order_id, r.amount FROM refunds r ANTI JOIN orders o USING (order_id)",
        "order",
    ),
    (
        "refund row != its postings and lines",
        f"""WITH p AS (
                SELECT journal,
                       COALESCE(SUM(amount) FILTER (WHERE account = 'buyer'), 0) AS buyer,
                       COALESCE(SUM(amount) FILTER (WHERE account = 'tax_authority'), 0) AS tax,
                       COALESCE(SUM(amount) FILTER (WHERE {_PAYEES}), 0) AS payees
                FROM postings WHERE kind = 'refund' GROUP BY journal),
            l AS (
                SELECT refund_id, SUM(amount) AS fees,
                       COALESCE(SUM(amount) FILTER (WHERE payer = 'buyer'), 0) AS buyer_fees
                FROM refund_lines GROUP BY refund_id)
            SELECT r.order_id,
                   COALESCE(NULLIF(r.buyer_received - r.amount + COALESCE(l.buyer_fees, 0), 0),
                            NULLIF(COALESCE(p.buyer, 0) - r.buyer_received, 0),
                            NULLIF(p.tax + r.tax_amount, 0),
                            NULLIF(p.payees - COALESCE(l.fees, 0), 0),
                            r.fee_reversals - COALESCE(l.fees, 0)) AS off
            FROM refunds r LEFT JOIN p ON p.journal = r.refund_id LEFT JOIN l USING (refund_id)
            WHERE p.journal IS NULL
               OR r.buyer_received <> r.amount - COALESCE(l.buyer_fees, 0)
               OR p.buyer <> r.buyer_received OR p.tax <> -r.tax_amount
               OR p.payees <> COALESCE(l.fees, 0) OR r.fee_reversals <> COALESCE(l.fees, 0)""",
        "order",
    ),
    (
        "buyer paid != merchant net + fees + tax, net of refunds",
        """WITH p AS (
                SELECT order_id,
                       -SUM(amount) FILTER (WHERE account = 'buyer') AS paid,
                       COALESCE(SUM(amount) FILTER (WHERE account = 'merchant'), 0) AS net,
                       COALESCE(SUM(amount) FILTER (WHERE account = 'tax_authority'), 0) AS tax
                FROM postings WHERE kind IN ('order', 'refund') GROUP BY order_id),
            f AS (SELECT order_id, SUM(amount) AS fees FROM (
                    SELECT order_id, amount FROM fee_lines
                    UNION ALL SELECT order_id, amount FROM refund_lines) GROUP BY order_id),
            r AS (SELECT order_id, SUM(buyer_received) AS back, SUM(tax_amount) AS tax_back
                  FROM refunds GROUP BY order_id)
            SELECT o.order_id,
                   COALESCE(NULLIF(p.paid - (o.buyer_paid - COALESCE(r.back, 0)), 0),
                            NULLIF(p.tax - (o.tax_amount - COALESCE(r.tax_back, 0)), 0),
                            p.paid - (p.net + COALESCE(f.fees, 0) + p.tax)) AS off
            FROM orders o JOIN p USING (order_id) LEFT JOIN f USING (order_id)
                 LEFT JOIN r USING (order_id)
            WHERE p.paid <> o.buyer_paid - COALESCE(r.back, 0)
               OR p.tax <> o.tax_amount - COALESCE(r.tax_back, 0)
               OR p.paid <> p.net + COALESCE(f.fees, 0) + p.tax""",
        "order",
    ),
    (
        "order postings != its row and fee lines",
        f"""WITH p AS (
                SELECT order_id,
                       -SUM(amount) FILTER (WHERE account = 'buyer') AS paid,
                       COALESCE(SUM(amount) FILTER (WHERE account = 'tax_authority'), 0) AS tax,
                       COALESCE(SUM(amount) FILTER (WHERE {_PAYEES}), 0) AS payees
                FROM postings WHERE kind = 'order' GROUP BY order_id),
            f AS (SELECT order_id, SUM(amount) AS fees FROM fee_lines GROUP BY order_id)
            SELECT o.order_id,
                   COALESCE(NULLIF(p.paid - o.buyer_paid, 0), NULLIF(p.tax - o.tax_amount, 0),
                            p.payees - COALESCE(f.fees, 0)) AS off
            FROM orders o JOIN p USING (order_id) LEFT JOIN f USING (order_id)
            WHERE p.paid IS DISTINCT FROM o.buyer_paid OR p.tax <> o.tax_amount
               OR p.payees <> COALESCE(f.fees, 0)""",
        "order",
    ),
    (
        "refunds exceed what was paid",
        """WITH r AS (
                SELECT order_id, SUM(amount) AS refunded, SUM(tax_amount) AS tax_back,
                       MIN(amount) AS smallest, MIN(tax_amount) AS least_tax
                FROM refunds GROUP BY order_id)
            SELECT o.order_id, r.refunded - o.total_amount AS off
            FROM orders o JOIN r USING (order_id)
            WHERE r.refunded > o.total_amount OR r.tax_back > o.tax_amount
               OR r.smallest <= 0 OR r.least_tax < 0""",
        "order",
    ),
    (
        "refund returns more of a fee than was charged",
        """WITH f AS (SELECT order_id, model, component, SUM(amount) AS charged
                      FROM fee_lines GROUP BY ALL),
            r AS (SELECT order_id, model, component, SUM(amount) AS back,
                         MAX(amount) AS largest
                  FROM refund_lines GROUP BY ALL)
            SELECT r.order_id, -r.back - COALESCE(f.charged, 0) AS off
            FROM r LEFT JOIN f USING (order_id, model, component)
            WHERE -r.back > COALESCE(f.charged, 0) OR r.largest > 0""",
        "order",
    ),
    (
        "click postings do not sum to zero",
        "SELECT journal, SUM(amount) AS off FROM postings WHERE kind = 'click' "
        "GROUP BY journal HAVING off <> 0",
        "click",
    ),
    (
        "click row != its postings and lines",
        f"""WITH p AS (SELECT journal AS click_id,
                              COALESCE(SUM(amount) FILTER (WHERE {_PAYEES}), 0) AS payees
                       FROM postings WHERE kind = 'click' GROUP BY journal),
            l AS (SELECT click_id, SUM(amount) AS fees, MIN(amount) AS smallest
                  FROM click_lines GROUP BY click_id)
            SELECT c.click_id,
                   COALESCE(NULLIF(c.fees - COALESCE(l.fees, 0), 0),
                            COALESCE(p.payees, 0) - c.fees) AS off
            FROM clicks c LEFT JOIN p USING (click_id) LEFT JOIN l USING (click_id)
            WHERE c.fees <> COALESCE(l.fees, 0) OR COALESCE(p.payees, 0) <> c.fees
               OR l.smallest < 0""",
        "click",
    ),
]

_PRESALE_CHECKS: list[tuple[str, str, str]] = [
    (
        "presale postings do not sum to zero",
        "SELECT ANY_VALUE(order_id), SUM(amount) AS off FROM postings WHERE kind = 'presale' "
        "GROUP BY journal HAVING off <> 0",
        "presale",
    ),
    (
        "presale deposits held != its deposit and settlement rows",
        """WITH p AS (SELECT order_id AS presale_id,
                             SUM(amount) FILTER (WHERE account = 'customer_deposits') AS held
                      FROM postings WHERE kind = 'presale' GROUP BY order_id),
            e AS (SELECT presale_id,
                         COALESCE(SUM(amount) FILTER (WHERE event = 'deposit'), 0)
                         - COALESCE(SUM(deposit) FILTER (WHERE event <> 'deposit'), 0) AS held,
                         COUNT(*) FILTER (WHERE event = 'deposit') AS paid,
                         COUNT(*) FILTER (WHERE event <> 'deposit') AS settled
                  FROM presales GROUP BY presale_id)
           SELECT presale_id, COALESCE(p.held, 0) - COALESCE(e.held, 0) AS off
           FROM p FULL JOIN e USING (presale_id)
           WHERE off <> 0 OR e.paid IS DISTINCT FROM 1 OR e.settled > 1""",
        "presale",
    ),
    (
        "completed presale: order total != deposit + final payment",
        """SELECT e.presale_id, COALESCE(o.total_amount, 0) - (e.deposit + e.amount) AS off
           FROM presales e LEFT JOIN orders o USING (order_id)
           WHERE e.event = 'completed'
             AND (o.order_id IS NULL OR o.total_amount <> e.deposit + e.amount)""",
        "presale",
    ),
    (
        "completed presale: inflation discount line != deposit_value - deposit",
        """WITH d AS (SELECT order_id, SUM(amount) AS inflation FROM discount_lines
                      WHERE kind = 'presale_inflation' GROUP BY order_id)
           SELECT e.presale_id, COALESCE(d.inflation, 0) - (e.deposit_value - e.deposit) AS off
           FROM presales e LEFT JOIN d USING (order_id)
           WHERE e.event = 'completed'
             AND COALESCE(d.inflation, 0) <> e.deposit_value - e.deposit""",
        "presale",
    ),
]
# Journals of a run with users (acquisition, red packets, inference bills), subject "journal".
_COHORT_CHECKS: list[tuple[str, str, str]] = [
    (
        "journal postings do not sum to zero",
        "SELECT journal, SUM(amount) AS off FROM postings "
        "WHERE kind IN ('acquisition', 'red_packet', 'inference') "
        "GROUP BY kind, journal HAVING off <> 0",
        "journal",
    ),
    (
        "inference bill != its postings",
        """SELECT b.journal, b.amount - COALESCE(p.paid, 0) AS off
           FROM inference_bills b LEFT JOIN
                (SELECT journal, SUM(amount) AS paid FROM postings
                 WHERE kind = 'inference' AND account = 'inference' GROUP BY journal) p
           USING (journal) WHERE off <> 0""",
        "journal",
    ),
]
_CHECKS += _COHORT_CHECKS

_CURRENCY = "SELECT currency, SUM(amount) AS off FROM postings GROUP BY currency HAVING off <> 0"


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    orders: int
    postings: int
    problem: str | None = None
    order_id: str | None = None
    refunds: int = 0
    clicks: int = 0
    click_id: str | None = None
    presales: int = 0  # presale orders (deposits paid)
    presale_id: str | None = None
    journal_id: str | None = None

    def __str__(self) -> str:
        if self.ok:
            presales = f", {self.presales} presales" if self.presales else ""
            return (
                f"ledger balances: {self.orders} orders, {self.refunds} refunds, "
                f"{self.clicks} clicks{presales}, {self.postings} postings"
            )
        where = f" (order {self.order_id})" if self.order_id else ""
        where += f" (click {self.click_id})" if self.click_id else ""
        where += f" (presale {self.presale_id})" if self.presale_id else ""
        where += f" (journal {self.journal_id})" if self.journal_id else ""
        return f"ledger does not balance: {self.problem}{where}"


def verify_ledger(path: str | Path) -> Verdict:
    """Check every invariant; the verdict names the first failing order (or click) by id."""
    con = open_read_only(path)
    try:
        counts = {
            table: con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("orders", "postings", "refunds", "clicks")
        }
        counts["presales"] = con.execute(
            "SELECT COUNT(*) FROM presales WHERE event = 'deposit'"
        ).fetchone()[0]

        def verdict(ok: bool, **found: str | None) -> Verdict:
            return Verdict(
                ok,
                counts["orders"],
                counts["postings"],
                refunds=counts["refunds"],
                clicks=counts["clicks"],
                presales=counts["presales"],
                **found,
            )

        for problem, sql, subject in _CHECKS + _PRESALE_CHECKS:
            row = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT 1").fetchone()
            if row is not None:
                return verdict(False, problem=f"{problem} by {row[1]}", **{f"{subject}_id": row[0]})
        row = con.execute(_CURRENCY).fetchone()
        if row is not None:
            return verdict(False, problem=f"postings in {row[0]} sum to {row[1]}, not zero")
        return verdict(True)
    finally:
        con.close()
