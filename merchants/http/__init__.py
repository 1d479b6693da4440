"""The mock merchants over HTTP: ACP checkout, product feeds and delegated payment (FastAPI).

Imported on demand only, so the in-process merchants never need a web framework.
"""

from merchants.http.app import create_app

__all__ = ["create_app"]
