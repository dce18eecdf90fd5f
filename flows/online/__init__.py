"""The online path: one document, a person waiting, answered in seconds.

- :mod:`flows.online.flow` — ``process_online`` (called in-process by the HTTP API and the CLI)
  and the Prefect flow around it: open the document, mask it once, the steps (through
  :mod:`flows.steps.sequencer`), the answer;
- :mod:`flows.online.writes` — one commit queue per process for what a request writes (its run,
  vault entry, step results, finish), group-committed, each write queued as soon as it is known.
"""
