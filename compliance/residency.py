"""Residency policy: where data may go.

Every route and every store declares a region (ISO 3166-1 alpha-2). The two are checked at
different times, because they fail differently:

* a **store** outside the home country is refused at load (``flows/settings.py``): nightshift does
  not start, since every document would be written there;
* a **route** outside the home country loads, and is checked on **every call** by
  :class:`compliance.gateway.residency_policy.ResidencyPolicy` in the gateway: refused (and audited
  as refused) unless ``allow_masked_export = true``, and then only with masked text. ``nightshift
  doctor`` lists each route with its :class:`RouteResidency`, so an operator sees the refusals
  coming before a run.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RouteResidency(StrEnum):
    """What the policy lets through to a route, by the route's region."""

    IN_COUNTRY = "in_country"  # every (masked) call goes
    MASKED_EXPORT = "masked_export_only"  # abroad: masked text without residual identifiers only
    REFUSED = "refused"  # abroad, export not allowed: every call is refused


class ResidencyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(default="KZ", min_length=2, max_length=2)
    allow_masked_export: bool = False

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    def route_status(self, region: str) -> RouteResidency:
        """What may be sent to a route in ``region``."""
        if region.upper() == self.country:
            return RouteResidency.IN_COUNTRY
        if self.allow_masked_export:
            return RouteResidency.MASKED_EXPORT
        return RouteResidency.REFUSED

    def route_problem(self, name: str, region: str) -> str | None:
        """Why every call to a route in ``region`` will be refused, or None when calls may go."""
        if self.route_status(region) is not RouteResidency.REFUSED:
            return None
        return (
            f"route {name!r} is in region {region} but data must stay in {self.country}: "
            "every call to it is refused and audited"
        )

    def store_problem(self, what: str, region: str) -> str | None:
        """Why a store in ``region`` may not be used, or None when it may."""
        if region.upper() == self.country:
            return None
        return (
            f"the {what} is declared in region {region} but data must stay in {self.country}; "
            "stores are never allowed outside the home country"
        )
