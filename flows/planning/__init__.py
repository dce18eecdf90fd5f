"""Planning: what is pending, and whether tonight fits its window (``nightshift plan``).

- :mod:`flows.planning.work` — which (document, step) pairs still need a model, in what order
  (urgent, new, changed, archive); the nightly run takes its work from here;
- :mod:`flows.planning.sample` — what one document costs per step, measured on a sample;
- :mod:`flows.planning.history` — what earlier nights tell it: retries, output tokens,
  escalations, latency;
- :mod:`flows.planning.window` — the night's time, tokens and cost against the window.
"""
