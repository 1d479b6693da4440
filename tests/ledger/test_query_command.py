"""``agent-checkout ledger query|tables|verify``: read-only SQL, exact output, one-line errors."""

from __future__ import annotations

import json

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from agent_checkout.commands.ledger import ledger_app
from agent_checkout.fees import load_fee_model, price_order, refund_lines
from agent_checkout.ledger import Ledger
from tests.ledger.test_order_pricing import AT, ETSY_ORDER, SHOPIFY_ORDER

app = typer.Typer()
app.add_typer(ledger_app, name="ledger")  # as the main CLI registers it
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["ledger", *args], env={"COLUMNS": "200"})


@pytest.fixture
def run_dir(tmp_path):
    models = {
        "shopify": [load_fee_model(n) for n in ("openai-instant-checkout", "shopify-basic")],
        "etsy": [load_fee_model(n) for n in ("openai-instant-checkout", "etsy-standard")],
    }
    with Ledger(tmp_path / "ledger.duckdb") as ledger:
        ledger.start_run(scenario="hand", seed=1, currency="usd", fee_models=["x"])
        for order in (SHOPIFY_ORDER, ETSY_ORDER):
            lines = price_order(order, models[order.platform])
            ledger.record(order, lines)
        reversal = refund_lines(ETSY_ORDER, lines, 1000, models["etsy"])
        ledger.record_refund(ETSY_ORDER, 1000, reversal, AT, "damaged")
    return tmp_path


SQL = "SELECT payee, SUM(amount) AS net FROM (SELECT payee, amount FROM fee_lines UNION ALL SELECT payee, amount FROM refund_lines) GROUP BY payee ORDER BY payee"  # noqa: E501


def test_query_prints_a_table(run_dir):
    result = invoke("query", str(run_dir), SQL)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│" in line]
    assert [line.split("│")[1:3] for line in rows] == [
        [" ai_platform       ", " 393 "],  # 2.60 + 1.70 - 0.37
        [" marketplace       ", " 255 "],  # 0.40 + 2.76 - 0.61
        [" payment_processor ", " 364 "],  # 2.32 + 1.62 - 0.30
    ]
    assert "payee" in result.output and result.output.rstrip().endswith("3 rows")


def test_query_as_csv_and_json(run_dir):
    result = invoke("query", str(run_dir), SQL, "--format", "csv")
    assert result.exit_code == 0
    assert result.output == "payee,net\nai_platform,393\nmarketplace,255\npayment_processor,364\n"
    result = invoke(
        "query",
        str(run_dir),
        "SELECT refund_id, amount, refunded_at, reason FROM refunds",
        "--format",
        "json",
    )
    assert json.loads(result.output) == [
        {
            "refund_id": "ord_j_1-r1",
            "amount": 1000,
            "refunded_at": "2026-11-11 12:00:00",
            "reason": "damaged",
        }
    ]


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELEC 1", 'error: query failed: Parser Error: syntax error at or near "SELEC"'),
        ("SELECT nope FROM orders", 'Binder Error: Referenced column "nope" not found'),
        ("DELETE FROM orders", 'Cannot execute statement of type "DELETE"'),
        ("DROP TABLE postings", "read-only mode"),
        ("COPY orders TO 'leak.csv'", "file system operations are disabled"),
        ("SELECT * FROM read_csv('/etc/hostname')", "file system operations are disabled"),
    ],
)
def test_bad_or_writing_sql_is_one_line_and_changes_nothing(run_dir, sql, expected):
    before = (run_dir / "ledger.duckdb").read_bytes()
    line = _error_line(invoke("query", str(run_dir), sql))
    assert line.startswith("error: query failed: ") and expected in line
    assert (run_dir / "ledger.duckdb").read_bytes() == before
    assert not (run_dir / "leak.csv").exists()


def test_tables_lists_every_table_with_columns(run_dir):
    result = invoke("tables", str(run_dir))
    assert result.exit_code == 0, result.output
    output = result.output
    for table in (
        "runs",
        "orders",
        "order_lines",
        "fee_lines",
        "refunds",
        "refund_lines",
        "clicks",
        "click_lines",
        "postings",
    ):
        assert f"\n{table} (" in f"\n{output}", table
    assert "refunds (1 row)" in output and "postings (27 rows)" in output
    assert "pass_through double, ranking varchar" in output
    assert "journal varchar, kind varchar" in output


def test_verify_names_the_first_bad_order_and_exits_1(run_dir):
    assert invoke("verify", str(run_dir)).output.startswith("ledger balances: 2 orders, 1 refund")
    con = duckdb.connect(str(run_dir / "ledger.duckdb"))
    con.execute("UPDATE refunds SET tax_amount = 0")
    con.close()
    result = invoke("verify", str(run_dir))
    assert result.exit_code == 1
    assert "(order ord_j_1)" in result.output and "refund row" in result.output


def test_verify_checks_units_against_the_order_lines(run_dir):
    con = duckdb.connect(str(run_dir / "ledger.duckdb"))
    con.execute("UPDATE orders SET units = units + 2 WHERE order_id = 'ord_j_1'")
    con.close()
    result = invoke("verify", str(run_dir))
    assert result.exit_code == 1
    assert "units != the quantities of its lines" in result.output
    assert "(order ord_j_1)" in result.output


def test_verify_checks_the_merchant_fee_lines_name(run_dir):
    con = duckdb.connect(str(run_dir / "ledger.duckdb"))
    con.execute("UPDATE fee_lines SET merchant_id = 'elsewhere' WHERE order_id = 'ord_j_1'")
    con.close()
    result = invoke("verify", str(run_dir))
    assert result.exit_code == 1
    assert "fee line names another merchant than its order by 4 (order ord_j_1)" in result.output


def test_missing_ledger_is_one_line(tmp_path):
    line = _error_line(invoke("query", str(tmp_path), "SELECT 1"))
    assert "no ledger here" in line
