"""Keys and what they guard (docs/keys.md, docs/deploy.md#key-rotation).

Public surface, by module (import from the module; this package imports nothing itself):

- Caller keys — who may call, in which role, how much: :mod:`~compliance.keys.callers`
  (``CallerKeys``: create, authenticate, revoke; only a keyed hash of the secret is stored) and
  :mod:`~compliance.keys.limits` (``KeyLimiter``: rpm, tpm, daily tokens, monthly budget, a gateway
  guard shared by every process through the database).
- Data keys — what seals every stored text: :mod:`~compliance.keys.encryption` (``KeyRing``,
  ``DataKey``: envelope encryption, AES-256-GCM), :mod:`~compliance.keys.data_keys` (rotate,
  rewrap, retire the key-encryption key) and :mod:`~compliance.keys.vault` (a document's masked
  texts and placeholder map, sealed under its data key).
"""
