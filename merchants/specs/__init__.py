"""The ACP and UCP specification files the mock merchants answer to, shipped with the package.

Copied unmodified from the public specifications (Apache-2.0, see the ``LICENSE`` and ``NOTICE``
in ``acp/`` and ``ucp/``), so tests and users validate against them without anything beside the
checkout.
"""

from __future__ import annotations

from pathlib import Path

ACP_DIR = Path(__file__).parent / "acp"
ACP_SPEC_VERSIONS: tuple[str, ...] = ("2025-09-29", "2026-04-17")


def acp_spec_dir(version: str) -> Path:
    """The folder holding ACP ``version``'s files (OpenAPI, JSON Schemas, examples)."""
    if version not in ACP_SPEC_VERSIONS:
        raise ValueError(
            f"no ACP specification shipped for version {version!r} "
            f"(shipped: {', '.join(ACP_SPEC_VERSIONS)})"
        )
    return ACP_DIR / version


UCP_DIR = Path(__file__).parent / "ucp"
UCP_VERSION = "2026-01-11"


def ucp_spec_dir() -> Path:
    """The folder holding UCP 2026-01-11's files (``source/`` schemas, ``specification/`` prose)."""
    return UCP_DIR / UCP_VERSION
