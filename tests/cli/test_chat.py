"""``agent-checkout chat`` driven by typed answers: recommend, pick, confirm, fees shown."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.commands.chat import guess_category

runner = CliRunner()


def test_guess_category():
    assert guess_category("a cast iron skillet") == "kitchen"
    assert guess_category("silver earrings") == "jewelry"


def test_buy_and_see_every_fee():
    result = runner.invoke(app, ["chat"], input="brass lamp\n80\n1\ny\n\n")
    assert result.exit_code == 0, result.output
    assert "The agent recommends" in result.output
    assert "Buy Vintage Brass Necklace from Juniper & Thread for $56.83" in result.output
    assert "Order ord_juniper_0000001 · $56.83" in result.output
    rows = [
        (m.group(1), m.group(2))
        for m in re.finditer(r"│ ([a-z ]+?)\s+│ [^│]+│\s+(\$[\d.,]+) │", result.output)
    ]
    # 52.99 + free shipping (over 35.00) + 3.84 tax = 56.83; 4% of 52.99 = 2.12; renewal 0.20;
    # 6.5% of 52.99 = 3.44; 3% of 56.83 + 0.25 = 1.95; net 56.83 - 3.84 - 7.71 = 45.28
    assert rows == [
        ("ai platform", "$2.12"),
        ("marketplace", "$0.20"),
        ("marketplace", "$3.44"),
        ("payment processor", "$1.95"),
        ("tax authority", "$3.84"),
        ("merchant juniper", "$45.28"),
    ]
    assert result.output.rstrip().endswith("Goodbye.")


def test_decline_at_confirmation_and_pick_none():
    result = runner.invoke(app, ["chat"], input="brass lamp\n80\n1\nn\nwool hat\n50\n0\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("No order: declined by shopper") == 2
    assert "Order ord_" not in result.output
