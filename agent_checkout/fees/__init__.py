"""Fee models and their exact pricing of orders."""

from agent_checkout.fees.library import builtin_names, load_fee_model
from agent_checkout.fees.model import FeeComponent, FeeLine, FeeModel, price_order

__all__ = ["FeeComponent", "FeeLine", "FeeModel", "builtin_names", "load_fee_model",
           "price_order"]
