"""The gateway's fail-closed privacy check: only masked text leaves the process.

Every request must have been built from masked text (``ModelRequest.masked``), and no message may
still carry a high-confidence identifier (valid IIN/BIN, Luhn card, valid IBAN, personal email,
KZ mobile number) — if one slipped through masking, the call is refused and audited as refused.
Reasons name types and counts, never values.
"""

from __future__ import annotations

from collections import Counter

from compliance.calls import ModelRequest
from compliance.masking.residual import residual_identifiers
from compliance.routes import RouteConfig


class MaskedTextPolicy:
    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        if not request.masked:
            return "unmasked: the request was not built from masked text"
        found: Counter[str] = Counter()
        for message in request.messages:
            found.update(residual_identifiers(message.get("content", "")))
        if found:
            kinds = ",".join(f"{kind}={count}" for kind, count in sorted(found.items()))
            return f"residual_identifiers:{kinds}"
        return None
