"""Version negotiation through the ``UCP-Agent`` header (UCP 2026-01-11, overview.md).

Every request names the platform's profile, ``UCP-Agent: profile="https://..."``, in RFC 8941
dictionary syntax, and may name the version it speaks (``version="2026-01-11"``). A business
serves its own version and older ones; a newer version is refused with 400
``version_unsupported``. Parsing is lenient about separators (``,`` or ``;``), as platforms write
both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from merchants.specs import UCP_VERSION
from merchants.ucp.errors import UcpError

_MEMBER = re.compile(r'\s*([a-z][a-z0-9_.*-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,;\s]*)\s*')
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Agent:
    """What a request's ``UCP-Agent`` says: the platform's profile URL and version."""

    profile: str | None
    version: str


def parse_agent(header: str | None) -> Agent:
    """The platform behind a request; raises :class:`UcpError` (400) for a missing header,
    a malformed version or one newer than this merchant's."""
    if header is None or not header.strip():
        raise UcpError(400, "missing_ucp_agent", 'the UCP-Agent header is required: profile="URL"')
    members: dict[str, str] = {}
    for part in re.split(r"[,;]", header):
        if not part.strip():
            continue
        found = _MEMBER.fullmatch(part)
        if found is None:
            raise UcpError(400, "invalid_ucp_agent", f"UCP-Agent: cannot read {part.strip()!r}")
        value = found.group(2)
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        members[found.group(1)] = value
    version = members.get("version", UCP_VERSION)
    if not _VERSION.match(version):
        raise UcpError(
            400, "invalid_ucp_agent", f"UCP-Agent: version {version!r} is not YYYY-MM-DD"
        )
    if version > UCP_VERSION:
        raise UcpError(
            400,
            "version_unsupported",
            f"Version {version} is not supported "
            f"(this merchant speaks UCP {UCP_VERSION} and older).",
            severity="requires_buyer_input",
        )
    return Agent(members.get("profile"), version)
