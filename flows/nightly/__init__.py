"""The nightly path: one run over the pending work, in chunks, inside the night's window.

- :mod:`flows.nightly.flow` — the Prefect flow and its plain function ``run_nightly``: plan, lease,
  chunk tasks, the run's summary;
- :mod:`flows.nightly.chunk` — one chunk of documents: decrypt, mask once, the steps (through
  :mod:`flows.steps.sequencer`), group-committed results;
- :mod:`flows.nightly.lease` — one nightly run at a time (heartbeats, taking over a dead run);
- :mod:`flows.nightly.window` — stop starting documents when the window's end is near.
"""
