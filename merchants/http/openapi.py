"""The OpenAPI document, with the ACP request bodies the routes read by hand.

Routes read and validate their bodies themselves (to cap their size, check headers first and
fingerprint them for idempotency), so FastAPI cannot see the models; each route names its model
here (a route whose body depends on ``API-Version`` names one per version, as ``oneOf``) and
this module adds the schemas under ``components``. Models of different versions share names
(``Address``, ``CheckoutSessionCreateRequest``): 2025-09-29's keep the plain name, 2026-04-17's
(:mod:`merchants.acp_2026.requests`) get ``_2026_04_17`` appended.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

_REF = "#/components/schemas/{model}"
#: Where pydantic names clashing models by module, the name each gets in the document.
_SUFFIXES = {"merchants__acp__": "", "merchants__acp_2026__requests__": "_2026_04_17"}


def _placeholder(model: type[BaseModel]) -> str:
    return _REF.format(model=f"{model.__module__}.{model.__qualname__}")


def request_body(*models: type[BaseModel], required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a route whose JSON body is ``models[0]`` (or, by version, any)."""
    refs = [{"$ref": _placeholder(model)} for model in models]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {
        "requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}
    }


def _pretty(key: str) -> str:
    for prefix, suffix in _SUFFIXES.items():
        if key.startswith(prefix):
            return key.removeprefix(prefix) + suffix
    return key


def _rewrite(node: Any, refs: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: refs.get(v, v) if k == "$ref" and isinstance(v, str) else _rewrite(v, refs)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item, refs) for item in node]
    return node


def install_openapi(app: FastAPI, request_models: list[type[BaseModel]]) -> None:
    """Make ``app.openapi()`` include ``request_models`` (and what they refer to)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            named, defs = models_json_schema(
                [(m, "validation") for m in request_models], ref_template=_REF
            )
            found = defs.get("$defs", {})
            refs = {_REF.format(model=key): _REF.format(model=_pretty(key)) for key in found}
            for (model, _), ref in named.items():
                refs[_placeholder(model)] = refs.get(ref["$ref"], ref["$ref"])
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for key, schema in found.items():
                schemas.setdefault(_pretty(key), _rewrite(schema, refs))
            document["paths"] = _rewrite(document["paths"], refs)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
