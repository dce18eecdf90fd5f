"""Compliance: the gateway every model call goes through, and its policies.

- :mod:`compliance.gateway` — the gateway, its calls, routes, retries, pacing, structured output;
- :mod:`compliance.masking` — personal data masked before any call, put back for people allowed;
- :mod:`compliance.keys` — caller keys and their limits; data keys, encryption, the vault;
- :mod:`compliance.audit` — the signed, verifiable audit log;
- shared by them: :mod:`compliance.residency` (where data may go), :mod:`compliance.checksums`
  (check digits of identifiers), :mod:`compliance.errors`.
"""
