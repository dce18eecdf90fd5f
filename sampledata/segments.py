"""Texts built from segments, so every labelled span is known while the string is built.

A text is a list of :class:`Seg`: literal prose (``kind`` None) or one labelled value (personal
data or a look-alike). Hard-case transformations (typos, HTML remnants, quoting, OCR noise) only
ever rewrite literal segments, so a labelled value stays byte-identical and its offsets are
computed once, in :func:`assemble`. Nothing is searched for afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

Span = dict[str, Any]

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Seg:
    """A piece of text; ``kind`` names the entity type when the piece is a labelled value."""

    text: str
    kind: str | None = None
    pii: bool = False
    script: str | None = None


def lit(text: str) -> Seg:
    return Seg(text)


def pii(kind: str, text: str, script: str | None = None) -> Seg:
    return Seg(text, kind, True, script)


def look(kind: str, text: str) -> Seg:
    return Seg(text, kind, False)


def render(template: str, resolve: Callable[[str], Seg | str | list[Seg]]) -> list[Seg]:
    """Split ``template`` on ``{slot}`` markers and let ``resolve`` fill each slot."""
    out: list[Seg] = []
    pos = 0
    for match in _SLOT.finditer(template):
        if match.start() > pos:
            out.append(lit(template[pos : match.start()]))
        value = resolve(match.group(1))
        if isinstance(value, str):
            out.append(lit(value))
        elif isinstance(value, Seg):
            out.append(value)
        else:
            out.extend(value)
        pos = match.end()
    if pos < len(template):
        out.append(lit(template[pos:]))
    return out


def render_with(template: str, slots: Mapping[str, Seg | str | list[Seg]]) -> list[Seg]:
    return render(template, slots.__getitem__)


def map_literals(segs: Iterable[Seg], fn: Callable[[str], str]) -> list[Seg]:
    """Rewrite every literal segment with ``fn``; labelled values are kept as they are."""
    return [seg if seg.kind else replace(seg, text=fn(seg.text)) for seg in segs]


def plain(segs: Iterable[Seg]) -> str:
    return "".join(seg.text for seg in segs)


def join(parts: Iterable[list[Seg]], sep: str) -> list[Seg]:
    out: list[Seg] = []
    for i, part in enumerate(parts):
        if i and sep:
            out.append(lit(sep))
        out.extend(part)
    return out


def assemble(segs: Iterable[Seg], field: str) -> tuple[str, list[Span], list[Span]]:
    """Concatenate ``segs`` into the final string and return (text, pii spans, look-alike spans)."""
    pieces: list[str] = []
    pii_spans: list[Span] = []
    lookalikes: list[Span] = []
    offset = 0
    for seg in segs:
        pieces.append(seg.text)
        end = offset + len(seg.text)
        if seg.kind:
            span: Span = {
                "type": seg.kind,
                "value": seg.text,
                "field": field,
                "start": offset,
                "end": end,
            }
            if seg.script:
                span["script"] = seg.script
            (pii_spans if seg.pii else lookalikes).append(span)
        offset = end
    return "".join(pieces), pii_spans, lookalikes
