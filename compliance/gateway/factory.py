"""The one way to build a production gateway: with its four guards (DESIGN 11).

:class:`Guards` holds them, each a required field of its own type, checked again at run time:

=============  ==================================================  =========================
field          guard                                               plugs in as
=============  ==================================================  =========================
``residency``  :class:`~compliance.gateway.residency_policy.ResidencyPolicy`  policy, checked first
``masking``    :class:`~compliance.masking.policy.MaskedTextPolicy`  policy, second
``limits``     :class:`~compliance.keys.limits.KeyLimiter`               policy, third; observer
``audit``      :class:`~compliance.audit.observer.AuditObserver`    intent and first observer
=============  ==================================================  =========================

``Gateway(routes, api_keys, guards)`` refuses anything else; :func:`build_gateway` makes the
guards from the settings' parts and is what ``flows/runtime.py`` calls. ``add_policy`` and
``add_observer`` only add after the guards; nothing removes one. A gateway without guards
exists for tests only, under the name ``Gateway.unguarded_for_tests``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import tzinfo
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.log import AuditLog
from compliance.audit.observer import AuditObserver
from compliance.errors import MissingGuard
from compliance.gateway.gateway import AttemptObserver, Gateway
from compliance.gateway.residency_policy import ResidencyPolicy
from compliance.gateway.routes import RouteConfig
from compliance.keys.limits import KeyLimiter
from compliance.masking.policy import MaskedTextPolicy
from compliance.residency import ResidencyConfig

#: What each guard is, as a person reads it in an error.
_NAMES = {
    "residency": "residency (ResidencyPolicy)",
    "masking": "masking (MaskedTextPolicy)",
    "limits": "limits (KeyLimiter)",
    "audit": "the audit log (AuditObserver)",
}
_TYPES: dict[str, type] = {
    "residency": ResidencyPolicy,
    "masking": MaskedTextPolicy,
    "limits": KeyLimiter,
    "audit": AuditObserver,
}


@dataclass(frozen=True)
class Guards:
    """The four guards every gateway is built with; none may be left out."""

    residency: ResidencyPolicy
    masking: MaskedTextPolicy
    limits: KeyLimiter
    audit: AuditObserver

    def __post_init__(self) -> None:
        check_guards(self)


def check_guards(guards: Guards) -> None:
    """Raise :class:`~compliance.errors.MissingGuard` naming every guard that is not there."""
    missing = [
        _NAMES[f.name]
        for f in fields(Guards)
        if not isinstance(getattr(guards, f.name, None), _TYPES[f.name])
    ]
    if missing:
        raise MissingGuard(missing)


def build_gateway(
    routes: Mapping[str, RouteConfig],
    api_keys: Mapping[str, str],
    *,
    sessions: sessionmaker[Session],
    audit: AuditLog,
    residency: ResidencyConfig,
    timezone: tzinfo,
    observers: Sequence[AttemptObserver] = (),
    **options: Any,
) -> Gateway:
    """A gateway over ``routes`` that masks, keeps data in-country, limits caller keys (shared
    through ``sessions``; daily budgets in ``timezone``) and audits every attempt in ``audit``.

    ``observers`` see attempts after the guards; ``options`` go to the gateway (``pacer``,
    ``retry``, ``transport``, ``max_connections``, ``sleep``, ``clock``, ``attempt_ids``)."""
    guards = Guards(
        residency=ResidencyPolicy(residency),
        masking=MaskedTextPolicy(),
        limits=KeyLimiter(sessions, timezone=timezone),
        audit=AuditObserver(audit, routes),
    )
    return Gateway(routes, api_keys, guards, observers=observers, **options)


__all__ = ["Guards", "build_gateway", "check_guards"]
