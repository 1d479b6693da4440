"""The built-in fee models, as YAML files beside this module, each citing its public source."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from agent_checkout.fees.model import FeeModel

BUILTIN_DIR = Path(__file__).parent / "builtin"


class FeeModelError(ValueError):
    """A fee model file that cannot be read or is not valid; the message is one line."""


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


@cache
def _builtin(name: str) -> FeeModel:
    return read_fee_model(BUILTIN_DIR / f"{name}.yaml")


def describe_validation_error(problem: ValidationError) -> str:
    """The first validation error as ``field.path: message``, one line."""
    first = problem.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def read_fee_model(path: Path) -> FeeModel:
    """Parse and validate a fee model file; any problem is a one-line :class:`FeeModelError`."""
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise FeeModelError(f"{path}: not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise FeeModelError(f"{path}: expected a mapping of fee model fields at the top level")
    try:
        return FeeModel.model_validate(raw)
    except ValidationError as problem:
        raise FeeModelError(f"{path}: {describe_validation_error(problem)}") from problem


def load_fee_model(name_or_path: str | Path) -> FeeModel:
    """A built-in model by name, or a user's YAML file by path.

    Raises ``FileNotFoundError`` for a missing file, ``KeyError`` for an unknown name and
    :class:`FeeModelError` (a ``ValueError``) for a file that is not a valid fee model.
    """
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or isinstance(name_or_path, Path) or "/" in text:
        if not path.is_file():
            raise FileNotFoundError(f"fee model file {text} does not exist")
        return read_fee_model(path)
    if text not in builtin_names():
        raise KeyError(f"unknown fee model {text!r} (built in: {', '.join(builtin_names())})")
    return _builtin(text)
