"""The fee model language as JSON Schema, for editors and for checking YAML outside Python.

The schema is generated from the pydantic models, and a copy is kept in ``fee-model.schema.json``
beside this module; a test fails when the copy is stale. Regenerate it with
``python -c "from agent_checkout.fees.schema import write_schema; write_schema()"``.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_checkout.fees.model import FeeModel

SCHEMA_PATH = Path(__file__).parent / "fee-model.schema.json"


def fee_model_json_schema() -> dict:
    """The JSON Schema (draft 2020-12) that a fee model YAML file satisfies."""
    schema = FeeModel.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as the file holds it: sorted keys, two-space indent, final newline."""
    return json.dumps(fee_model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text())
    return path
