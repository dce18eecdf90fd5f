"""Residency policy: where data may go.

Every route and every store declares a region. A route outside the home country is refused unless
the policy allows masked-only export; a store outside the home country is never allowed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ResidencyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(default="KZ", min_length=2, max_length=2)
    allow_masked_export: bool = False

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    def route_problem(self, name: str, region: str) -> str | None:
        """Why a route in ``region`` may not be used, or None when it may."""
        if region == self.country or self.allow_masked_export:
            return None
        return (
            f"route {name!r} is in region {region} but data must stay in {self.country}; "
            "use an in-country endpoint, or set residency.allow_masked_export = true to send "
            "masked text only"
        )

    def store_problem(self, what: str, region: str) -> str | None:
        """Why a store in ``region`` may not be used, or None when it may."""
        if region == self.country:
            return None
        return (
            f"the {what} is declared in region {region} but data must stay in {self.country}; "
            "stores are never allowed outside the home country"
        )
