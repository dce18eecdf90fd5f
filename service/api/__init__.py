"""The HTTP API (FastAPI), one module per resource; ``nightshift serve`` starts it (docs/api.md).

Public surface, by module (import from the module; this package imports nothing itself):

- :mod:`~service.api.app` — ``create_app(settings)``, ``app_from_environment()`` (the uvicorn
  factory ``service.api.app:app_from_environment``), the probes and the body limit.
- :mod:`~service.api.documents` — ``/v1/process``, ``/v1/documents``;
  :mod:`~service.api.review` — ``/v1/review``; :mod:`~service.api.chat` —
  ``/v1/chat/completions``, ``/v1/models``; :mod:`~service.api.audit` — ``/v1/audit/…``;
  :mod:`~service.api.keys` — ``/v1/keys``.
- :mod:`~service.api.support` — the process state and the caller's key and role;
  :mod:`~service.api.errors` — the one JSON error shape; :mod:`~service.api.metrics` —
  ``/metrics``.
- :mod:`~service.api.audit_queries` — the read side of the audit log, shared with
  ``nightshift audit``.
"""
