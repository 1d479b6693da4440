"""``agent-checkout schema``: print the JSON Schema of a scenario or a fee model file."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer


class SchemaKind(StrEnum):
    """The files the schema command describes."""

    scenario = "scenario"
    fee_model = "fee-model"


def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="scenario or fee-model.")],
) -> None:
    """Print the JSON Schema (draft 2020-12) of a scenario or fee model YAML file, for an
    editor's YAML language server or a check outside Python."""
    if kind is SchemaKind.scenario:
        from agent_checkout.sim.scenario_schema import scenario_json_schema

        document = scenario_json_schema()
    else:
        from agent_checkout.fees.schema import fee_model_json_schema

        document = fee_model_json_schema()
    typer.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
