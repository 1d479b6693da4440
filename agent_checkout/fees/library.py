"""The built-in fee models, as YAML files beside this module, each citing its public source."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from agent_checkout.fees.model import FeeModel

BUILTIN_DIR = Path(__file__).parent / "builtin"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


@cache
def _builtin(name: str) -> FeeModel:
    return FeeModel.model_validate(yaml.safe_load((BUILTIN_DIR / f"{name}.yaml").read_text()))


def load_fee_model(name_or_path: str) -> FeeModel:
    """A built-in model by name, or a user's YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise FileNotFoundError(f"fee model file {name_or_path} does not exist")
        return FeeModel.model_validate(yaml.safe_load(path.read_text()) or {})
    if name_or_path not in builtin_names():
        raise KeyError(f"unknown fee model {name_or_path!r} (built in: "
                       f"{', '.join(builtin_names())})")
    return _builtin(name_or_path)
