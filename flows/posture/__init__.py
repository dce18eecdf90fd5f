"""The compliance posture of one nightshift home: what ``nightshift doctor`` reports.

- :mod:`flows.posture.checks` — ``gather``: the database, keys, vault, reports, every route and
  its residency, encryption at rest, and the problems found (read-only, never a secret);
- :mod:`flows.posture.files` — paths, modes, owners and the key directory.
"""
