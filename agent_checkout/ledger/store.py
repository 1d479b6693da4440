"""The ledger: an append-only, double-entry record of every order, refund and click in DuckDB.

Each order posts one balanced journal: the buyer pays the total (plus any fee charged to the
buyer), the merchant receives the total less tax, the tax authority the tax, and every fee line
moves its amount from its payer to its payee. An order's promotions go to ``discount_lines``;
those funded by the marketplace or the AI platform post a ``discount`` journal paying the
merchant from the funder (a refund does not claw them back). A refund posts its own journal (see
:func:`~agent_checkout.ledger.journals.refund_journal`), and so does a paid click. Postings of
every journal, and of the whole ledger per currency, sum to zero. Fee lines keep model,
component, base, rate and payee, so a recorded run can be queried or re-priced later. Rows are
buffered and bulk-loaded in batches through CSV and DuckDB's COPY.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from agent_checkout.fees.context import Click
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.refund import check_refund
from agent_checkout.ledger.journals import (
    acquisition_journal,
    click_journal,
    deposit_applied_journal,
    deposit_journal,
    discount_journal,
    forfeit_journal,
    inference_journal,
    journal,
    red_packet_journal,
    refund_journal,
    refund_tax,
)
from agent_checkout.ledger.schema import TABLES
from merchants.orders import PlacedOrder
from merchants.presales import DepositForfeited, PresaleDeposit

if TYPE_CHECKING:
    from agent_checkout.sim.cohorts import InferenceBill

__all__ = ["Ledger", "journal", "utc_text"]

NULL = "\\N"  # how the CSV files of the COPY path spell SQL NULL


def utc_text(at: datetime) -> str:
    """A time as the ledger stores it: UTC, without a zone (a naive time is taken as UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat()


def _fee_row(line: FeeLine) -> tuple:
    return (
        line.model,
        line.component,
        line.payer,
        line.payee,
        line.base,
        line.base_amount,
        line.rate_bps,
        line.fixed,
        line.per_unit,
        line.units,
        line.amount,
        line.currency,
    )


def _affiliate_row(order: PlacedOrder) -> tuple[str, str, str]:
    """The order's affiliate columns: provider, publisher and campaign (NULL when absent)."""
    found = order.affiliate
    if found is None:
        return (NULL, NULL, NULL)
    return (
        found.provider,
        NULL if found.publisher_id is None else found.publisher_id,
        NULL if found.campaign_id is None else found.campaign_id,
    )


MEMORY_LIMIT = "20MB"  # the most DuckDB holds: written pages go to the file
#: Rows buffered, over every table, before they are written: memory stays flat however long
#: the run, and each COPY is still large enough to be cheap.
BATCH_ROWS = 10_000
#: Rows per COPY of :meth:`Ledger.bulk_load`: what DuckDB loads within :data:`MEMORY_LIMIT`.
COPY_ROWS = 50_000


class Ledger:
    """Writes orders, refunds, clicks, fee lines and postings to ``path``; :meth:`close` flushes.

    Opening an existing file appends to it, adding any table or column an older file lacks.
    """

    def __init__(self, path: str | Path, *, batch_size: int = BATCH_ROWS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Bounded memory however long the run: DuckDB keeps at most this much in its buffers
        # and writes the rest to the file; no index grows with the orders (see schema.py).
        self._con = duckdb.connect(
            str(self.path), config={"memory_limit": MEMORY_LIMIT, "threads": 1}
        )
        _create_or_upgrade(self._con)
        self._batch_size = batch_size
        self._pending: dict[str, list[tuple]] = {table.name: [] for table in TABLES}
        # Order id -> (amount, count) of refunds not yet written; the file answers for the rest.
        self._refunded: dict[str, tuple[int, int]] = {}
        self._clicks = self._con.execute("SELECT COUNT(*) FROM clicks").fetchone()[0]

    def start_run(
        self,
        *,
        scenario: str,
        seed: int,
        currency: str,
        fee_models: list[str],
        pass_through: float = 0.0,
        ranking: str = "neutral",
    ) -> None:
        """Record the run, with the behaviour fees may have driven: re-pricing needs to know."""
        self._con.execute(
            "INSERT INTO runs (scenario, seed, currency, fee_models, pass_through, ranking) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [scenario, seed, currency, ",".join(fee_models), pass_through, ranking],
        )

    def record(
        self,
        order: PlacedOrder,
        fee_lines: list[FeeLine],
        session_id: str = "",
        channel: str | None = None,
        protocol: str | None = None,
    ) -> None:
        """An order, its lines, its fee lines and its journal; ``channel``: how its shopper
        arrived, if the run has traffic channels; ``protocol``: what the agent placed it over
        (``acp-2025-09-29``, ``acp-2026-04-17``, ``ucp-2026-01-11``)."""
        buyer_fees = sum(f.amount for f in fee_lines if f.payer == "buyer")
        self._pending["orders"].append(
            (
                order.id,
                session_id,
                order.checkout_session_id,
                order.merchant_id,
                order.platform,
                order.currency,
                order.items_amount,
                order.discount_amount,
                order.shipping_amount,
                order.tax_amount,
                order.total_amount,
                order.total_amount + buyer_fees,
                order.units,
                utc_text(order.placed_at),
                NULL if channel is None else channel,
                *_affiliate_row(order),
                *_protocol_row(protocol),
            )
        )
        self._pending["order_lines"] += [
            (
                order.id,
                n,
                line.product_id,
                line.title,
                line.category,
                line.quantity,
                line.unit_price,
                line.subtotal,
                line.tax,
            )
            for n, line in enumerate(order.lines, 1)
        ]
        self._pending["fee_lines"] += [
            (order.id, n, *_fee_row(f), order.merchant_id) for n, f in enumerate(fee_lines, 1)
        ]
        self._post(order.id, order.id, "order", order.currency, journal(order, fee_lines))
        self._pending["discount_lines"] += [
            (
                order.id,
                n,
                d.promotion_id,
                d.kind,
                NULL if d.code is None else d.code,
                d.funder,
                d.amount,
                order.currency,
            )
            for n, d in enumerate(order.discounts, 1)
        ]
        subsidies = discount_journal(order)
        if subsidies:
            self._post(order.id, f"{order.id}-d", "discount", order.currency, subsidies)
        if order.presale_id is not None:
            pid = order.presale_id
            applied = deposit_applied_journal(order)
            self._post(pid, f"{pid}-applied", "presale", order.currency, applied)
            final = order.total_amount - order.deposit
            self._presale_row(pid, "completed", session_id, order, final, order.placed_at)
        self._maybe_flush()

    def record_deposit(self, deposit: PresaleDeposit, session_id: str = "") -> None:
        """A presale deposit paid: held as ``customer_deposits`` until its sale or forfeiture
        (:func:`~agent_checkout.ledger.journals.deposit_journal`)."""
        pid, postings = deposit.id, deposit_journal(deposit)
        self._post(pid, f"{pid}-deposit", "presale", deposit.currency, postings)
        self._presale_row(pid, "deposit", session_id, deposit, deposit.amount, deposit.paid_at)
        self._maybe_flush()

    def record_forfeit(self, forfeited: DepositForfeited, session_id: str = "") -> None:
        """A deposit forfeited: the merchant keeps it (:func:`forfeit_journal`)."""
        deposit = forfeited.deposit
        postings = forfeit_journal(forfeited)
        self._post(deposit.id, f"{deposit.id}-forfeit", "presale", deposit.currency, postings)
        self._presale_row(
            deposit.id,
            "forfeited",
            session_id,
            deposit,
            deposit.amount,
            forfeited.at,
            reason=forfeited.reason,
        )
        self._maybe_flush()

    def _presale_row(
        self,
        presale_id: str,
        event: str,
        session_id: str,
        source: PresaleDeposit | PlacedOrder,
        amount: int,
        at: datetime,
        *,
        reason: str | None = None,
    ) -> None:
        """One row of ``presales``; ``source`` is the deposit, or the sale for ``completed``."""
        if isinstance(source, PlacedOrder):  # the inflation is a discount line of the sale
            line = source.lines[0]
            inflation = [d for d in source.discounts if d.kind == "presale_inflation"]
            value = source.deposit + sum(d.amount for d in inflation)
            row = (line.product_id, line.quantity, source.deposit, value)
            funder = inflation[0].funder if inflation else NULL
            order_id = source.id
        else:
            row = (source.product_id, source.quantity, source.amount, source.value)
            funder, order_id = source.presale.funder, NULL
        self._pending["presales"].append(
            (
                presale_id,
                event,
                session_id,
                source.merchant_id,
                *row,
                funder,
                amount,
                source.currency,
                order_id,
                utc_text(at),
                NULL if reason is None else reason,
            )
        )

    def refunded(self, order_id: str) -> int:
        """What refunds recorded so far returned of the order's total (0 if none)."""
        return self._refund_state(order_id)[0]

    def record_refund(
        self,
        order: PlacedOrder,
        refund_amount: int,
        reversal_lines: Sequence[FeeLine],
        at: datetime,
        reason: str = "",
    ) -> str:
        """Refund ``refund_amount`` of ``order``'s total to the buyer; returns the refund id.

        ``reversal_lines`` come from :func:`agent_checkout.fees.refund_lines` (called with
        ``refunded_before=ledger.refunded(order.id)``). Tax is returned pro rata to the refunded
        share, rounded once on the cumulative share (:func:`refund_tax`); the merchant returns
        the rest. Raises ``ValueError`` for a refund that is not positive, exceeds what is left
        of the total, or carries a positive line or another currency.
        """
        before, count = self._refund_state(order.id)
        check_refund(order, refund_amount, before)
        for line in reversal_lines:
            if line.amount > 0 or line.currency != order.currency:
                raise ValueError(
                    f"order {order.id}: reversal line {line.model}/{line.component} must be a "
                    f"non-positive amount in {order.currency}"
                )
        refund_id = f"{order.id}-r{count + 1}"
        tax_back = refund_tax(order, refund_amount, before)
        fee_reversals = sum(f.amount for f in reversal_lines)
        buyer_back = -sum(f.amount for f in reversal_lines if f.payer == "buyer")
        self._pending["refunds"].append(
            (
                refund_id,
                order.id,
                count + 1,
                refund_amount,
                tax_back,
                fee_reversals,
                refund_amount + buyer_back,
                order.currency,
                utc_text(at),
                reason,
            )
        )
        self._pending["refund_lines"] += [
            (refund_id, order.id, n, *_fee_row(f)) for n, f in enumerate(reversal_lines, 1)
        ]
        postings = refund_journal(order, refund_amount, tax_back, reversal_lines)
        self._post(order.id, refund_id, "refund", order.currency, postings)
        self._refunded[order.id] = (before + refund_amount, count + 1)
        self._maybe_flush()
        return refund_id

    def record_click(
        self,
        click: Click,
        lines: Sequence[FeeLine],
        session_id: str = "",
        channel: str | None = None,
    ) -> str:
        """A click on a paid link and its cost-per-click lines; returns the click id."""
        self._clicks += 1
        click_id = f"click-{self._clicks:08d}"
        self._pending["clicks"].append(
            (
                click_id,
                session_id,
                click.merchant_id,
                click.platform,
                click.currency,
                click.product_category,
                utc_text(click.at),
                sum(f.amount for f in lines),
                NULL if channel is None else channel,
            )
        )
        self._pending["click_lines"] += [
            (click_id, n, *_fee_row(f)) for n, f in enumerate(lines, 1)
        ]
        self._post(None, click_id, "click", click.currency, click_journal(click, lines))
        self._maybe_flush()
        return click_id

    def record_user(
        self,
        user_id: str,
        *,
        cohort: int,
        joined_day: int,
        joined_at: datetime,
        acquisition_cost: int,
        red_packet: int,
        currency: str,
    ) -> None:
        """A user the AI platform acquired: its ``acquisition`` and ``red_packet`` journals
        (journal = ``user_id``), each posted only when not zero."""
        self._pending["users"].append(
            (
                user_id,
                cohort,
                joined_day,
                utc_text(joined_at),
                acquisition_cost,
                red_packet,
                currency,
            )
        )
        if acquisition_cost:
            postings = acquisition_journal(user_id, acquisition_cost)
            self._post(None, user_id, "acquisition", currency, postings)
        if red_packet:
            packet = red_packet_journal(user_id, red_packet)
            self._post(None, user_id, "red_packet", currency, packet)
        self._maybe_flush()

    def record_visit(
        self, session_id: str, user_id: str, *, cohort: int, day: int, started_at: datetime
    ) -> None:
        """Whose session ``session_id`` is, and the day of the horizon its money counts on."""
        self._pending["visits"].append((session_id, user_id, cohort, day, utc_text(started_at)))
        self._maybe_flush()

    def record_inference(self, bill: InferenceBill, currency: str) -> str:
        """A cohort's inference bill for a day, paid by the AI platform; returns its id."""
        bill_id = f"inference-c{bill.cohort:04d}-d{bill.day:04d}"
        self._pending["inference_bills"].append(
            (bill_id, bill.cohort, bill.day, bill.steps, bill.usd_micros, bill.amount, currency)
        )
        if bill.amount:
            paid = inference_journal(bill_id, bill.amount)
            self._post(None, bill_id, "inference", currency, paid)
        self._maybe_flush()
        return bill_id

    def bulk_load(self, table: str, rows: Iterable[tuple]) -> None:
        """Append rows (in the table's column order) straight through the COPY path.

        Spell SQL NULL as :data:`NULL`. Rows may stop short of the table's later columns
        (all rows of one call alike), which are then NULL: a tool written against an older
        schema keeps loading.
        For tools that generate a ledger without the simulation, e.g. the re-pricing
        benchmark; nothing is checked, so run :func:`verify_ledger` on what you write.
        """
        self.flush()
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= COPY_ROWS:
                _copy_rows(self._con, table, chunk)
                chunk.clear()
        if chunk:
            _copy_rows(self._con, table, chunk)

    def flush(self) -> None:
        """Bulk-load the buffered rows through a CSV file: DuckDB's COPY is ~100x executemany."""
        for table, rows in self._pending.items():
            if rows:
                _copy_rows(self._con, table, rows)
                rows.clear()
        self._refunded.clear()  # all in the file now, which answers :meth:`refunded`

    def buffered(self) -> int:
        """Rows waiting to be written, over every table (a flush comes at the batch size)."""
        return sum(len(rows) for rows in self._pending.values())

    def close(self) -> None:
        self.flush()
        self._con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(
        self,
        order_id: str | None,
        journal_id: str,
        kind: str,
        currency: str,
        postings: list[tuple[str, str, int, str]],
    ) -> None:
        order = NULL if order_id is None else order_id
        self._pending["postings"] += [
            (order, n, account, party, amount, currency, memo, journal_id, kind)
            for n, (account, party, amount, memo) in enumerate(postings, 1)
        ]

    def _refund_state(self, order_id: str) -> tuple[int, int]:
        state = self._refunded.get(order_id)
        if state is None:  # not refunded in this session: ask the file
            amount, count = self._con.execute(
                "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM refunds WHERE order_id = ?",
                [order_id],
            ).fetchone()
            state = self._refunded[order_id] = (int(amount), int(count))
        return state

    def _maybe_flush(self) -> None:
        if self.buffered() >= self._batch_size:
            self.flush()


def _protocol_row(protocol: str | None) -> tuple[str, str]:
    """``acp-2026-04-17`` as ``(acp, 2026-04-17)``; none (a purchase on the merchant's site)."""
    if protocol is None:
        return NULL, NULL
    name, _, version = protocol.partition("-")
    return name, version


def _create_or_upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables; add columns an older file lacks, filling its old rows."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall():
        present.setdefault(table, set()).add(column)
    for table in TABLES:
        if table.name not in present:
            con.execute(table.ddl())
            continue
        for name, sql_type, *default in table.columns:
            if name in present[table.name]:
                continue
            extra = f" DEFAULT {default[0]}" if default else ""
            con.execute(f"ALTER TABLE {table.name} ADD COLUMN {name} {sql_type}{extra}")
            if name in table.older:
                con.execute(f"UPDATE {table.name} SET {name} = {table.older[name]}")


#: Each table's columns in the order its rows are written.
_COLUMNS = {table.name: table.column_names for table in TABLES}


def _copy_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    handle, name = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "w", newline="") as out:
            csv.writer(out).writerows(rows)
        # By name: a file an older version wrote has its later columns in the order they came.
        columns = ", ".join(_COLUMNS[table][: len(rows[0])])
        con.execute(
            f"COPY {table} ({columns}) FROM '{name}' "
            f"(FORMAT csv, HEADER false, QUOTE '\"', NULL '\\N')"
        )
    finally:
        os.remove(name)
