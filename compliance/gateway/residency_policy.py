"""The gateway's residency check, run on every call (a ``CallPolicy``, see gateway/gateway.py).

A route in the home country (``residency.country``) passes. A route abroad is refused unless
``residency.allow_masked_export = true``; with export allowed, the request must pass the very
check the gateway applies to every call (:class:`~compliance.masking.policy.MaskedTextPolicy`:
built from masked text, no residual identifier), so masked export can never be looser than the
masking guard, whatever order the policies are registered in.

A refusal is a reason code, recorded by the gateway as one ``refused`` attempt (and so one audit
entry, whose ``region`` field names the route's region) with no HTTP request:

* ``residency:<region>`` — the route is abroad and export is not allowed;
* ``residency:<region>:unmasked`` — export is allowed, but the request was not built from
  masked text;
* ``residency:<region>:residual_identifiers:<TYPE>=<n>,...`` — export is allowed, but an
  identifier survived masking.

Codes carry regions, types and counts — never text from the call. This lives apart from
:mod:`compliance.residency` so that loading settings does not load the masking engine.
"""

from __future__ import annotations

from compliance.gateway.calls import ModelRequest
from compliance.gateway.routes import RouteConfig
from compliance.masking.policy import MaskedTextPolicy
from compliance.residency import ResidencyConfig, RouteResidency

REASON_PREFIX = "residency"


class ResidencyPolicy:
    """Refuse calls to routes outside the home country, or let masked text only through."""

    def __init__(self, config: ResidencyConfig) -> None:
        self.config = config
        self._masked = MaskedTextPolicy()

    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        status = self.config.route_status(route.region)
        if status is RouteResidency.IN_COUNTRY:
            return None
        code = f"{REASON_PREFIX}:{route.region}"
        if status is RouteResidency.REFUSED:
            return code
        if not request.masked:
            return f"{code}:unmasked"
        residual = await self._masked.check(request, route_name, route)
        return f"{code}:{residual}" if residual is not None else None
