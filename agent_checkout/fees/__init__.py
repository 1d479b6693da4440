"""Fee models and their exact pricing of orders, clicks, attributed purchases and refunds;
the FX table that converts inference cost into a run's currency."""

from agent_checkout.fees.context import Click, FeeContext
from agent_checkout.fees.fx import REFERENCE_FX, FxTable
from agent_checkout.fees.library import FeeModelError, builtin_names, load_fee_model
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.model import (
    Band,
    CategoryRate,
    FeeComponent,
    FeeModel,
    RefundRule,
    Tiers,
    price_order,
)
from agent_checkout.fees.pricer import FeePricer, price_attributed, price_click
from agent_checkout.fees.refund import refund_lines
from agent_checkout.fees.schema import fee_model_json_schema

__all__ = [
    "Band",
    "CategoryRate",
    "Click",
    "FeeComponent",
    "FeeContext",
    "FeeLine",
    "FeeModel",
    "FeeModelError",
    "FeePricer",
    "FxTable",
    "REFERENCE_FX",
    "RefundRule",
    "Tiers",
    "builtin_names",
    "fee_model_json_schema",
    "load_fee_model",
    "price_attributed",
    "price_click",
    "price_order",
    "refund_lines",
]
