"""Which service tier one attempt goes out on: the one place that decides "is this call flex?".

A route with ``service_tier = "flex"`` sends its nightly calls with OpenAI's
``service_tier: "flex"``: answered synchronously at batch prices (``flex_price_factor``), more
slowly (``flex_timeout_s``, 15 minutes by default), and sometimes refused with 429 "resource
unavailable" (``Outcome.RESOURCE_UNAVAILABLE``: retried with backoff on its own budget, not a
rate limit). Once ``flex_fallback_after`` of the night's window is gone, the route's calls go
out as standard calls (no ``service_tier``, the route's prices and timeout) so the night still
finishes: each such attempt is a *fallback*. Online and API calls never go flex (a person is
waiting). The tier is decided per attempt, so a call retried after the fallback point goes out
standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from compliance.gateway.calls import ModelRequest
from compliance.gateway.routes import RouteConfig

FLEX = "flex"


class WindowShare(Protocol):
    """The nightly window as the gateway needs to see it (``flows.nightly.window.WindowGuard``)."""

    def share_gone(self) -> float | None:
        """The share of the window already gone, from 0 to 1; None when there is no window."""


@dataclass(frozen=True)
class Tier:
    """How one attempt goes out."""

    #: The ``service_tier`` sent; None sends none.
    service_tier: str | None = None
    #: The per-attempt timeout this tier needs; None keeps the call's or the route's.
    timeout_s: float | None = None
    #: Factor on the route's prices.
    price_factor: Decimal = Decimal(1)
    #: A flex route's attempt sent standard because the window's share is gone.
    fallback: bool = False

    @property
    def flex(self) -> bool:
        return self.service_tier == FLEX


STANDARD = Tier()


def wants_flex(route: RouteConfig, request: ModelRequest) -> bool:
    """Is this call flex? A flex route's nightly calls are (``service_tier = "flex"`` or
    ``mode = "flex"`` on the route); the only predicate that says so."""
    flex_route = route.service_tier == FLEX or route.mode == "flex"
    return flex_route and request.path == "nightly"


def tier_for(route: RouteConfig, request: ModelRequest, window: WindowShare | None) -> Tier:
    """The tier of the next attempt of ``request`` on ``route``."""
    if not wants_flex(route, request):
        return Tier(service_tier="default") if route.service_tier == "default" else STANDARD
    gone = window.share_gone() if window is not None else None
    if gone is not None and gone >= route.flex_fallback_after:
        return Tier(fallback=True)
    return Tier(FLEX, route.flex_timeout_s, route.flex_price_factor)
