"""Reading a run's ledgers: one file, or every replication's as one read-only database; and a
file that is not a ledger refused in one line."""

from __future__ import annotations

import json

import duckdb
import pytest

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, QueryError, ledger_tables, run_query
from agent_checkout.ledger.reader import NotALedger, RunLedgers, open_read_only, run_ledgers
from tests.ledger.test_order_pricing import ETSY_ORDER, SHOPIFY_ORDER

MODELS = {
    "shopify": ["openai-instant-checkout", "shopify-basic"],
    "etsy": ["openai-instant-checkout", "etsy-standard"],
}


def write_ledger(path, orders, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Ledger(path) as ledger:
        ledger.start_run(scenario="hand", seed=seed, currency="usd", fee_models=["x"])
        for order in orders:
            ledger.record(
                order, price_order(order, [load_fee_model(n) for n in MODELS[order.platform]])
            )


@pytest.fixture
def replicated(tmp_path):
    """Replication 0 holds both orders, replication 1 only the Shopify one, written by an
    older version: its runs table has no ranking column and it has no clicks table."""
    write_ledger(tmp_path / "replications" / "0" / "ledger.duckdb", [SHOPIFY_ORDER, ETSY_ORDER], 3)
    older = tmp_path / "replications" / "1" / "ledger.duckdb"
    write_ledger(older, [SHOPIFY_ORDER], 4)
    con = duckdb.connect(str(older))
    con.execute("ALTER TABLE runs DROP COLUMN ranking")
    con.execute("DROP TABLE clicks")
    con.close()
    (tmp_path / "summary.json").write_text(json.dumps({"replications": 2}))
    return tmp_path


def rows(source, sql):
    columns, found = run_query(source, sql)
    return columns, list(found)


def test_every_replication_is_one_table_with_its_number(replicated):
    ledgers = run_ledgers(replicated)
    assert ledgers.replications == (0, 1)
    assert rows(
        ledgers, "SELECT replication, order_id, total_amount FROM orders ORDER BY 1, 2"
    ) == (
        ["replication", "order_id", "total_amount"],
        [(0, "ord_j_1", 4559), (0, "ord_n_1", 6968), (1, "ord_n_1", 6968)],
    )
    # 4,559 + 6,968 + 6,968: every replication's orders, each once
    assert rows(ledgers, "SELECT SUM(total_amount) FROM orders")[1] == [(18495,)]
    assert rows(ledgers, "SELECT replication, seed, ranking FROM runs ORDER BY 1")[1] == [
        (0, 3, "neutral"),
        (1, 4, None),  # the older file did not record it
    ]
    assert rows(ledgers, "SELECT COUNT(*) FROM clicks")[1] == [(0,)]
    tables = {t.name: t for t in ledger_tables(ledgers)}
    assert tables["orders"].rows == 3 and tables["orders"].columns[0] == ("replication", "INTEGER")


def test_one_replication(replicated):
    second = run_ledgers(replicated, 1)
    assert second == RunLedgers((replicated / "replications" / "1" / "ledger.duckdb",), (1,))
    assert rows(second, "SELECT replication, COUNT(*) FROM orders GROUP BY ALL")[1] == [(1, 1)]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM orders",
        "DROP TABLE postings",
        "CREATE TABLE copy AS SELECT * FROM orders",
        "COPY orders TO 'leak.csv'",
        "SET enable_external_access = true",
        "ATTACH 'other.duckdb' AS other",
    ],
)
def test_the_union_is_read_only(replicated, sql):
    files = sorted(replicated.rglob("*"))
    before = {p: p.read_bytes() for p in files if p.is_file()}
    with pytest.raises(QueryError):
        rows(run_ledgers(replicated), sql)
    assert sorted(replicated.rglob("*")) == files
    assert {p: p.read_bytes() for p in files if p.is_file()} == before


def test_a_single_run_and_its_file(tmp_path):
    write_ledger(tmp_path / "ledger.duckdb", [SHOPIFY_ORDER], 1)
    assert run_ledgers(tmp_path) == RunLedgers((tmp_path / "ledger.duckdb",))
    assert run_ledgers(tmp_path / "ledger.duckdb") == RunLedgers((tmp_path / "ledger.duckdb",))
    assert rows(run_ledgers(tmp_path), "SELECT order_id FROM orders") == (
        ["order_id"],
        [("ord_n_1",)],
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text("hello\n"), "{p}: not a ledger (not a DuckDB database file)"),
        (lambda p: p.write_bytes(b""), "{p}: not a ledger (not a DuckDB database file)"),
        (
            lambda p: duckdb.connect(str(p)).execute("CREATE TABLE orders (id INT)").close(),
            "{p}: not a ledger (a DuckDB database without the postings table)",
        ),
        (lambda p: None, "{p}: no such file"),
    ],
    ids=["text", "empty", "no-postings", "missing"],
)
def test_a_file_that_is_not_a_ledger_is_one_line(tmp_path, make, expected):
    path = tmp_path / "ledger.duckdb"
    make(path)
    with pytest.raises(NotALedger) as refused:
        open_read_only(path)
    assert str(refused.value) == expected.format(p=path)


@pytest.mark.parametrize(
    ("replication", "expected"),
    [
        (2, "--replication 2: {d} has replications 0 to 1"),
        (
            None,
            "{d}/replications/1/ledger.duckdb: no ledger here (the replicated run is incomplete)",
        ),
    ],
)
def test_a_missing_replication_is_named(replicated, replication, expected):
    if replication is None:
        (replicated / "replications" / "1" / "ledger.duckdb").unlink()
    with pytest.raises(NotALedger) as refused:
        run_ledgers(replicated, replication)
    assert str(refused.value) == expected.format(d=replicated)


def test_empty_sql_is_refused(tmp_path):
    write_ledger(tmp_path / "ledger.duckdb", [SHOPIFY_ORDER], 1)
    for sql in ("", "  \n", "-- only a comment"):
        with pytest.raises(QueryError, match="^no SQL"):
            run_query(tmp_path, sql)
