"""The gateway: the one door every model call goes through (docs/gateway.md).

Public surface, by module (import from the module; this package imports nothing itself, so a
module that needs only the call types does not load the ``openai`` SDK):

- :mod:`~compliance.gateway.factory` — ``build_gateway(...)`` and ``Guards``: the one way to
  build a production gateway, with residency, masking, caller-key limits and the audit log.
- :mod:`~compliance.gateway.gateway` — ``Gateway.call(request, route)``, ``CallPolicy``,
  ``AttemptObserver``; the only module that imports ``openai`` (an import-linter contract).
- :mod:`~compliance.gateway.calls` — ``ModelRequest``, ``Attempt``, ``ModelResponse``,
  ``Outcome``: the contract between the steps, the gateway and its observers;
  :mod:`~compliance.gateway.answers` — one HTTP exchange, classified.
- :mod:`~compliance.gateway.routes` — ``RouteConfig``: named model endpoints;
  :mod:`~compliance.gateway.residency_policy` — the per-call residency check.
- :mod:`~compliance.gateway.retry` (backoff, rate-limit headers),
  :mod:`~compliance.gateway.pacer` (``RoutePacer``: a route's rpm/tpm across processes),
  :mod:`~compliance.gateway.tokens` (estimates before a call),
  :mod:`~compliance.gateway.structured` (JSON output per route, checked against the schema).
"""
