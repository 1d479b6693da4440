"""Where session, cart, order and payment-token ids come from.

Over HTTP an id is the only thing between a stranger and someone else's checkout or cart, so a
server must not hand out guessable ones; in a simulation the same scenario and seed must give
the same ids, so the ledger stays byte-identical. One interface, two sources:

* :class:`SerialIds`, the default in process: the prefix and the owner's zero-padded serial
  (``cs_shop_0000001``). A function of the run alone, so every replay of a seed agrees.
* :class:`SecretIds`, what ``agent-checkout serve`` installs (see
  :func:`merchants.http.create_app`'s ``ids``): the prefix and 128 bits from :mod:`secrets`
  as 22 URL-safe characters (``cs_shop_Xk3...``), different in every server process.
"""

from __future__ import annotations

import secrets
from typing import Protocol

#: Random bytes in a secret id: 128 bits, as UUID4 and Stripe-style ids carry about.
SECRET_BYTES = 16


class IdSource(Protocol):
    """Mints the id of the ``serial``-th object an owner creates under ``prefix``."""

    def mint(self, prefix: str, serial: int, width: int = 7) -> str: ...


class SerialIds:
    """``prefix`` + ``serial`` zero-padded to ``width``: deterministic, the in-process default."""

    def mint(self, prefix: str, serial: int, width: int = 7) -> str:
        return f"{prefix}{serial:0{width}d}"


class SecretIds:
    """``prefix`` + 128 random bits (``secrets.token_urlsafe``): unguessable, for servers."""

    def mint(self, prefix: str, serial: int, width: int = 7) -> str:
        return prefix + secrets.token_urlsafe(SECRET_BYTES)
