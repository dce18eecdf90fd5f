"""The morning report of a nightly run.

- :mod:`flows.report.build` — the report itself (``build_report``): counts, categories against
  earlier nights, the work queues (ids and masked subjects only), cost, the window;
- :mod:`flows.report.history` — earlier nights and their categories;
- :mod:`flows.report.render` — HTML, Markdown, JSON and the PNG chart;
- :mod:`flows.report.flow` — the Prefect flow and ``make_report``: build, render, write files.
"""
