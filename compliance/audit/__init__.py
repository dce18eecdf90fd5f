"""The signed, verifiable audit log of every model call (DESIGN 4; docs/audit.md).

Public surface, by module (import from the module; this package imports nothing itself, so an
offline verifier loads only what it needs):

- :mod:`~compliance.audit.observer` — ``AuditObserver(log, routes)``, the gateway's audit guard
  (``intend`` before each request, ``observe`` after each attempt); ``intent_entry`` and
  ``draft_entry`` build the two entries.
- :mod:`~compliance.audit.attempts` — ``merge_attempt``: an attempt's entries as one record
  (outcome ``unknown`` when its intent has no outcome).
- :mod:`~compliance.audit.log` — ``AuditLog.open(sessions, keys_dir)``: ``await append(draft)``
  (durable, batched), ``append_batch``, ``checkpoint_now()`` / ``await checkpoint()``.
- :mod:`~compliance.audit.verify` — ``verify_log(sessions, verifiers) -> VerifyReport``.
- :mod:`~compliance.audit.export` — ``export_bundle(...)``; :mod:`~compliance.audit.bundle` —
  ``verify_bundle(directory)``, offline (no database).
- :mod:`~compliance.audit.tree` — ``StoredTree``: roots and proofs from the stored nodes.
- :mod:`~compliance.audit.keys` — ``AuditKeys``, ``create_key``, ``rotate_key``.
- Pure building blocks: :mod:`~compliance.audit.entries` (schema, canonical JSON),
  :mod:`~compliance.audit.merkle` (RFC 6962/9162), :mod:`~compliance.audit.note` (C2SP notes).
- :mod:`~compliance.audit.errors` — ``AuditError`` and its subclasses.
"""
