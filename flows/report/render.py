"""The morning report as HTML, Markdown, JSON and a PNG chart.

- **HTML**: one self-contained file: inline CSS, the chart embedded as a ``data:`` URI; every
  value is escaped (a masked subject is still text written by a stranger);
- **Markdown**: the same sections as tables; the chart is linked by file name;
- **JSON**: :meth:`Report.as_dict`, the whole report (the queues up to the item limit);
- **PNG**: documents per category per night for the last 7 nights with a run (stacked bars).
  matplotlib is imported inside :func:`chart_png` only, with the Agg backend, so the CLI starts
  fast and no display is needed.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flows.report.build import ItemList, Report

FORMATS = ("html", "md", "json", "png")
TITLE = "nightshift morning report"


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def chart_png(report: Report) -> bytes:
    """Stacked bars: documents per category per night (oldest left), as PNG bytes."""
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    nights = report.history
    names = sorted({c for n in nights for c in n.categories})
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    positions = list(range(len(nights)))
    bottoms = [0] * len(nights)
    palette = colormaps["tab10"]
    for index, name in enumerate(names):
        values = [n.categories.get(name, 0) for n in nights]
        axes.bar(positions, values, 0.6, bottom=bottoms, label=name, color=palette(index % 10))
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_xticks(positions, [n.date for n in nights])
    axes.set_xlim(-0.6, max(len(nights), 7) - 0.4)
    axes.set_title("Documents per category per night")
    axes.set_ylabel("documents")
    axes.tick_params(axis="x", labelrotation=30)
    if names:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


# -- shared rows ---------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f} %"


def _money(value: str) -> str:
    try:
        return str(Decimal(value).quantize(Decimal("0.01")))
    except InvalidOperation:
        return value


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _overview(report: Report) -> list[tuple[str, str]]:
    docs, window = report.documents, report.window
    inside = {True: "yes", False: "NO", None: "still running"}[window.finished_in_window]
    used = "–" if window.used_share is None else f"{100 * window.used_share:.1f} %"
    return [
        ("documents in", str(docs["in"])),
        ("done", str(docs["done"])),
        ("in review", str(docs["review"])),
        ("failed", str(docs["failed"])),
        ("deferred (not started before the window end)", str(docs["deferred"])),
        ("drafts ready", str(report.drafts_ready.total)),
        ("urgent", str(report.urgent.total)),
        ("cost", f"{_money(report.cost)} {report.currency}"),
        ("cost per 1,000 documents", f"{report.cost_per_1000_documents} {report.currency}"),
        ("duration", f"{_duration(window.duration_s)} (window {window.window}: {used})"),
        ("finished before the window end", f"{inside} (deadline {window.deadline})"),
    ]


COUNTER_LABELS = {
    "calls": "attempts that reached the provider",
    "rate_limited": "429 (rate limited)",
    "flex_calls": "flex calls (batch prices)",
    "resource_unavailable": "flex 429 (resource unavailable)",
    "flex_fallbacks": "flex calls sent standard (window share gone)",
    "empty_responses": "empty answers",
    "invalid_json": "answers not JSON",
    "schema_invalid": "answers not matching the schema",
    "refused": "refused before sending (policy)",
}


def _counter_rows(report: Report) -> list[tuple[str, str]]:
    return [
        (COUNTER_LABELS.get(name, name.replace("_", " ")), str(value))
        for name, value in report.counters.items()
    ]


def _token_rows(report: Report) -> list[tuple[str, str, str]]:
    rows = [
        (step, str(tokens.get("in", 0)), str(tokens.get("out", 0)))
        for step, tokens in sorted(report.tokens_by_step.items())
    ]
    rows.append(("total", str(report.tokens_in), str(report.tokens_out)))
    return rows


def _category_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            row.category,
            str(row.tonight),
            f"{row.average:g}",
            _percent(row.change_pct),
            "GROWTH" if row.growth else "",
        )
        for row in report.categories
    ]


def _item_rows(items: ItemList) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            str(item.document_id),
            item.subject,
            item.category or "–",
            "yes" if item.urgent else "",
            ", ".join(item.reasons) or item.status,
        )
        for item in items.items
    ]


QUEUE_TITLES = (
    ("urgent", "Urgent items"),
    ("review", "In review"),
    ("failed", "Failed"),
    ("drafts_ready", "Drafts ready"),
)
ITEM_HEADER = ("document", "subject (masked)", "category", "urgent", "reasons / status")


def _sections(report: Report) -> Iterable[tuple[str, Sequence[str], list[tuple[str, ...]]]]:
    """(title, header, rows) of every table after the overview and the chart."""
    yield (
        "Categories against the previous nights",
        (
            "category",
            "tonight",
            f"average of {report.nights_averaged} previous night(s)",
            "change",
            "",
        ),
        list(_category_rows(report)),
    )
    yield (
        "Review reasons",
        ("reason", "steps"),
        [(k, str(v)) for k, v in report.review_reasons.items()],
    )
    yield (
        "Failure reasons",
        ("reason", "steps"),
        [(k, str(v)) for k, v in report.failed_reasons.items()],
    )
    for key, title in QUEUE_TITLES:
        queue: ItemList = getattr(report, key)
        shown = f"{len(queue.items)} of {queue.total}"
        yield f"{title} ({shown})", ITEM_HEADER, list(_item_rows(queue))
    yield "Calls", ("counter", "count"), list(_counter_rows(report))
    yield "Tokens by step", ("step", "in", "out"), list(_token_rows(report))
    yield "Prompt versions", ("step", "version"), sorted(report.prompt_versions.items())


# -- Markdown ------------------------------------------------------------------------------


def _md_cell(value: str) -> str:
    return " ".join(value.split()).replace("|", "\\|") or " "


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = [
        "| " + " | ".join(_md_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: Report, png_name: str | None = None) -> str:
    lines = [
        f"# {TITLE}: night of {report.night}",
        "",
        f"Run `{report.run_id}` ({report.status}), generated {report.generated_at}. "
        "Documents are shown by id and masked subject only.",
        "",
        *_md_table(("", ""), _overview(report)),
        "",
    ]
    if png_name:
        lines += [f"![documents per category per night]({png_name})", ""]
    for title, header, rows in _sections(report):
        lines += [f"## {title}", ""]
        lines += _md_table(header, rows) if rows else ["(none)"]
        lines.append("")
    lines += [f"_{report.growth_rule}._", ""]
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}.growth{color:#b00;font-weight:bold}
.muted{color:#666}.no{color:#b00;font-weight:bold}img{max-width:100%}
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return '<p class="muted">(none)</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header) if any(header) else ""
    body = "".join("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>"


def _html_cell(value: str) -> str:
    css = (
        ' class="growth"' if value == "GROWTH" else ' class="no"' if value.startswith("NO ") else ""
    )
    return f"<td{css}>{html.escape(value)}</td>"


def render_html(report: Report, png: bytes | None = None) -> str:
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(TITLE)}: {html.escape(report.night)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(TITLE)}: night of {html.escape(report.night)}</h1>",
        f'<p class="muted">Run <code>{html.escape(report.run_id)}</code> '
        f"({html.escape(report.status)}), generated {html.escape(report.generated_at)}. "
        "Documents are shown by id and masked subject only.</p>",
        _html_table(("", ""), _overview(report)),
    ]
    if png:
        data = base64.b64encode(png).decode("ascii")
        alt = "documents per category per night"
        parts.append(f'<p><img alt="{alt}" src="data:image/png;base64,{data}"></p>')
    for title, header, rows in _sections(report):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(_html_table(header, rows))
    parts.append(f'<p class="muted">{html.escape(report.growth_rule)}.</p></body></html>')
    return "\n".join(parts) + "\n"


def render(report: Report, fmt: str, png: bytes | None = None, png_name: str | None = None) -> Any:
    """Text (html, md, json) or bytes (png) of one format."""
    if fmt == "html":
        return render_html(report, png)
    if fmt == "md":
        return render_markdown(report, png_name)
    if fmt == "json":
        return render_json(report)
    if fmt == "png":
        return png if png is not None else chart_png(report)
    raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
