"""The ledger's tables: columns, types, defaults and what each table holds, in one place.

The writer creates them (and adds columns an older file lacks), read-only readers stand in for
what an older file lacks, and ``agent-checkout ledger tables`` prints them. Money columns are
BIGINT minor units; times are UTC TIMESTAMPs without a zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_FEE_COLUMNS = (
    ("model", "VARCHAR"),
    ("component", "VARCHAR"),
    ("payer", "VARCHAR"),
    ("payee", "VARCHAR"),
    ("base", "VARCHAR"),
    ("base_amount", "BIGINT"),
    ("rate_bps", "INTEGER"),
    ("fixed", "BIGINT"),
    ("per_unit", "BIGINT"),
    ("units", "INTEGER"),
    ("amount", "BIGINT"),
    ("currency", "VARCHAR"),
)


@dataclass(frozen=True, slots=True)
class Table:
    """One table: ``columns`` are ``(name, type)`` or ``(name, type, default SQL)``.

    ``older`` gives, for a column added after the first release, the SQL value of rows written
    before it existed (``journal`` of an old posting is its order; an old run's ranking is
    unknown, so NULL).
    """

    name: str
    about: str
    columns: tuple[tuple[str, ...], ...]
    key: str | None = None  # unique by construction; checked by verify, not indexed
    older: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [column[0] for column in self.columns]

    def ddl(self, *, temporary: bool = False) -> str:
        """``CREATE TABLE`` for the writer, or an empty ``TEMP`` stand-in for a reader."""
        parts = []
        for name, sql_type, *default in self.columns:
            extra = f" DEFAULT {default[0]}" if default else ""
            parts.append(f"{name} {sql_type}{extra}")
        kind = "TEMP TABLE" if temporary else "TABLE IF NOT EXISTS"
        return f"CREATE {kind} {self.name} ({', '.join(parts)})"


TABLES = (
    Table(
        "runs",
        "one row per run: scenario, seed, currency, fee models, and the behaviour fees may drive "
        "(pass_through: share of fees passed on in prices; ranking: the agent's ranking policy)",
        (
            ("scenario", "VARCHAR"),
            ("seed", "BIGINT"),
            ("currency", "VARCHAR"),
            ("fee_models", "VARCHAR"),
            ("pass_through", "DOUBLE", "0"),
            ("ranking", "VARCHAR", "'neutral'"),
        ),
        older={"pass_through": "NULL", "ranking": "NULL"},
    ),
    Table(
        "orders",
        "one row per completed order; buyer_paid = total_amount + fees charged to the buyer; "
        "channel: how its shopper arrived (NULL for runs without traffic channels); "
        "affiliate_provider, affiliate_publisher_id, affiliate_campaign_id: the affiliate "
        "credited with the sale (ACP affiliate_attribution, last touch; NULL when none); "
        "protocol, protocol_version: the checkout protocol the agent placed it over (acp "
        "2025-09-29, acp 2026-04-17 or ucp 2026-01-11; NULL for a purchase on the merchant's own "
        "site after a click-out)",
        (
            ("order_id", "VARCHAR"),
            ("session_id", "VARCHAR"),
            ("checkout_session_id", "VARCHAR"),
            ("merchant_id", "VARCHAR"),
            ("platform", "VARCHAR"),
            ("currency", "VARCHAR"),
            ("items_amount", "BIGINT"),
            ("discount_amount", "BIGINT"),
            ("shipping_amount", "BIGINT"),
            ("tax_amount", "BIGINT"),
            ("total_amount", "BIGINT"),
            ("buyer_paid", "BIGINT"),
            ("units", "INTEGER"),
            ("placed_at", "TIMESTAMP"),
            ("channel", "VARCHAR"),
            ("affiliate_provider", "VARCHAR"),
            ("affiliate_publisher_id", "VARCHAR"),
            ("affiliate_campaign_id", "VARCHAR"),
            ("protocol", "VARCHAR"),
            ("protocol_version", "VARCHAR"),
        ),
        key="order_id",
        older={
            "channel": "NULL",
            "affiliate_provider": "NULL",
            "affiliate_publisher_id": "NULL",
            "affiliate_campaign_id": "NULL",
            "protocol": "NULL",
            "protocol_version": "NULL",
        },
    ),
    Table(
        "order_lines",
        "the products of each order, numbered from 1",
        (
            ("order_id", "VARCHAR"),
            ("line_no", "INTEGER"),
            ("product_id", "VARCHAR"),
            ("title", "VARCHAR"),
            ("category", "VARCHAR"),
            ("quantity", "INTEGER"),
            ("unit_price", "BIGINT"),
            ("subtotal", "BIGINT"),
            ("tax", "BIGINT"),
        ),
    ),
    Table(
        "fee_lines",
        "every fee charged on an order, with its model, component, base, rate, payer and payee; "
        "merchant_id: the order's merchant (NULL in ledgers written before it was kept), so "
        "whose models charged what needs no join with orders",
        (
            ("order_id", "VARCHAR"),
            ("line_no", "INTEGER"),
            *_FEE_COLUMNS,
            ("merchant_id", "VARCHAR"),
        ),
        older={"merchant_id": "CAST(NULL AS VARCHAR)"},
    ),
    Table(
        "discount_lines",
        "every promotion applied to an order (they add up to its discount_amount) and who funds "
        "it: merchant (less revenue), marketplace or ai_platform (a subsidy paid to the merchant)",
        (
            ("order_id", "VARCHAR"),
            ("line_no", "INTEGER"),
            ("promotion_id", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("code", "VARCHAR"),
            ("funder", "VARCHAR"),
            ("amount", "BIGINT"),
            ("currency", "VARCHAR"),
        ),
    ),
    Table(
        "refunds",
        "one row per refund: amount is what it returns of the order total, tax_amount the part "
        "of it the tax authority returns, fee_reversals the sum of its (negative) refund_lines, "
        "buyer_received what the buyer got back (amount plus surcharges returned)",
        (
            ("refund_id", "VARCHAR"),
            ("order_id", "VARCHAR"),
            ("seq", "INTEGER"),
            ("amount", "BIGINT"),
            ("tax_amount", "BIGINT"),
            ("fee_reversals", "BIGINT"),
            ("buyer_received", "BIGINT"),
            ("currency", "VARCHAR"),
            ("refunded_at", "TIMESTAMP"),
            ("reason", "VARCHAR"),
        ),
        key="refund_id",
    ),
    Table(
        "refund_lines",
        "fee reversals of each refund: negative amounts, from payee back to payer",
        (("refund_id", "VARCHAR"), ("order_id", "VARCHAR"), ("line_no", "INTEGER"), *_FEE_COLUMNS),
    ),
    Table(
        "clicks",
        "one row per click on a paid product link or a link out; fees is the sum of its "
        "click_lines; channel as for orders",
        (
            ("click_id", "VARCHAR"),
            ("session_id", "VARCHAR"),
            ("merchant_id", "VARCHAR"),
            ("platform", "VARCHAR"),
            ("currency", "VARCHAR"),
            ("product_category", "VARCHAR"),
            ("clicked_at", "TIMESTAMP"),
            ("fees", "BIGINT"),
            ("channel", "VARCHAR"),
        ),
        key="click_id",
        older={"channel": "NULL"},
    ),
    Table(
        "click_lines",
        "the link_clicked fees (cost per click) of each click",
        (("click_id", "VARCHAR"), ("line_no", "INTEGER"), *_FEE_COLUMNS),
    ),
    Table(
        "presales",
        "one row per presale event (merchants.presales): deposit (amount: what the buyer paid "
        "now), completed (amount: the final payment; order_id: the sale) or forfeited (amount: "
        "the deposit the merchant keeps; reason); deposit and deposit_value are the presale "
        "order's (per unit times quantity), so the sale's inflation is their difference",
        (
            ("presale_id", "VARCHAR"),
            ("event", "VARCHAR"),
            ("session_id", "VARCHAR"),
            ("merchant_id", "VARCHAR"),
            ("product_id", "VARCHAR"),
            ("quantity", "INTEGER"),
            ("deposit", "BIGINT"),
            ("deposit_value", "BIGINT"),
            ("funder", "VARCHAR"),
            ("amount", "BIGINT"),
            ("currency", "VARCHAR"),
            ("order_id", "VARCHAR"),
            ("happened_at", "TIMESTAMP"),
            ("reason", "VARCHAR"),
        ),
    ),
    Table(
        "postings",
        "double-entry postings; each journal (an order, a refund, a click, the discount "
        "subsidies of an order, a presale's deposit, its application to the sale or its "
        "forfeiture, a user's acquisition or red_packet, an inference bill: kind) sums to zero; "
        "order_id is set for orders, refunds and discounts (the presale order for presale "
        "journals), journal is the order, refund, click, user or bill id (an order's id + '-d' "
        "for discounts; the presale id + '-deposit', '-applied', '-forfeit')",
        (
            ("order_id", "VARCHAR"),
            ("seq", "INTEGER"),
            ("account", "VARCHAR"),
            ("party", "VARCHAR"),
            ("amount", "BIGINT"),
            ("currency", "VARCHAR"),
            ("memo", "VARCHAR"),
            ("journal", "VARCHAR"),
            ("kind", "VARCHAR", "'order'"),
        ),
        older={"journal": "order_id", "kind": "'order'"},
    ),
)

_COHORT_TABLES = (
    Table(
        "users",
        "runs with users: one row per user acquired; cohort is the day or week it joined (as "
        "the scenario groups them); its acquisition and red_packet journals have its user_id",
        (
            ("user_id", "VARCHAR"),
            ("cohort", "INTEGER"),
            ("joined_day", "INTEGER"),
            ("joined_at", "TIMESTAMP"),
            ("acquisition_cost", "BIGINT"),
            ("red_packet", "BIGINT"),
            ("currency", "VARCHAR"),
        ),
        key="user_id",
    ),
    Table(
        "visits",
        "runs with users: whose session each session_id was, its cohort and its day of the "
        "horizon (money a session causes counts on that day)",
        (
            ("session_id", "VARCHAR"),
            ("user_id", "VARCHAR"),
            ("cohort", "INTEGER"),
            ("day", "INTEGER"),
            ("started_at", "TIMESTAMP"),
        ),
        key="session_id",
    ),
    Table(
        "inference_bills",
        "runs with users: a cohort's inference on a day (agent steps and chat turns), priced "
        "in usd_micros and converted once to amount; journal is its inference journal",
        (
            ("journal", "VARCHAR"),
            ("cohort", "INTEGER"),
            ("day", "INTEGER"),
            ("steps", "BIGINT"),
            ("usd_micros", "BIGINT"),
            ("amount", "BIGINT"),
            ("currency", "VARCHAR"),
        ),
        key="journal",
    ),
)
TABLES = TABLES + _COHORT_TABLES

BY_NAME = {table.name: table for table in TABLES}
