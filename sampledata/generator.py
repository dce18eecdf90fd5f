"""Synthetic customer e-mails in nightshift's ingest shape, with ground-truth labels.

``generate_records(count, seed)`` is a pure function of its arguments: record ``i`` is built
from its own ``random.Random`` seeded with (seed, i), so the same (count, seed) gives
byte-identical output and a larger count extends a smaller one. All people, numbers and
addresses are made up; see ``docs/sample-data.md`` for the record format and label schema.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sampledata import hardcases as hc
from sampledata import identifiers as ids
from sampledata.corpus import (
    CATEGORIES,
    DEPARTMENTS,
    LANGUAGES,
    PROBLEM_CATEGORIES,
    UNIVERSAL_CONTEXT,
    Core,
    Frame,
)
from sampledata.names import Person, random_person
from sampledata.segments import Seg, Span, assemble, join, lit, pii
from sampledata.slots import SlotFiller
from sampledata.templates import FRAMES, cores_for

ALMATY = dt.timezone(dt.timedelta(hours=5), "Asia/Almaty")
DEFAULT_START = dt.datetime(2026, 11, 25, tzinfo=ALMATY)
SUPPORT_ADDRESS = "support@bank.example.kz"

LANGUAGE_WEIGHTS = (35, 25, 25, 15)  # ru, kk, en, mixed
CATEGORY_WEIGHTS = (15, 15, 15, 15, 15, 15, 10)  # no_reply_needed last
EXTRA_URGENT_RATE = 0.025  # on top of the cores that are urgent by nature (fraud)
TWO_TOPIC_RATE = 0.056
HARD_CASE_RATE = 0.26
_PII_LINE_COUNTS = ((0, 1, 2, 3), (20, 35, 30, 15))
_EXCLUSIVE = {"forwarded_chain", "quoted_reply", "near_empty_body"}


@dataclass
class Plan:
    """What one record will be, decided before any text is written."""

    external_id: str
    received_at: dt.datetime
    lang: str
    text_lang: str  # the frame's language: "ru", "kk" or "en" (mixed uses ru or kk)
    category: str
    core: Core
    second_category: str | None
    urgent: bool
    urgent_today: bool
    hard_cases: list[str]
    urgency_stated: bool = False


@dataclass
class Draft:
    sender: list[Seg]
    subject: list[Seg]
    body: list[Seg]
    attachments: list[tuple[str, list[Seg]]] = field(default_factory=list)


def generate_records(
    count: int, seed: int, start: dt.date | dt.datetime = DEFAULT_START
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` labelled synthetic e-mails received on the day starting at ``start``."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    origin = _as_almaty(start)
    for index in range(1, count + 1):
        yield build_record(seed, index, origin)


def _as_almaty(start: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(start, dt.datetime):
        return start.replace(tzinfo=ALMATY) if start.tzinfo is None else start.astimezone(ALMATY)
    return dt.datetime(start.year, start.month, start.day, tzinfo=ALMATY)


def build_record(seed: int, index: int, origin: dt.datetime) -> dict[str, Any]:
    """Record number ``index`` (1-based) of the sample with ``seed``."""
    rng = random.Random(f"nightshift-sample/{seed}/{index}")
    plan = _plan(rng, f"S{seed}-{index:06d}", origin)
    frame = FRAMES[plan.text_lang]
    filler, display = _filler(rng, plan)
    if plan.urgent_today:
        filler.deadline_days = 0
    draft = Draft(_sender(plan, filler, frame, display), _subject(plan, filler, frame, rng), [])
    draft.body = _letter(plan, filler, frame, rng)
    _apply_hard_cases(draft, plan, filler, frame, rng)
    _maybe_attach_statement(draft, plan, filler, frame, rng)
    return _record(plan, draft, filler, display, rng)


def _plan(rng: random.Random, external_id: str, origin: dt.datetime) -> Plan:
    lang = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    category = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
    core = rng.choice(cores_for(category, lang))
    text_lang = rng.choice(("ru", "kk")) if lang == "mixed" else lang
    replying = category != "no_reply_needed"
    urgent = replying and (core.urgent or rng.random() < EXTRA_URGENT_RATE)
    second = None
    if replying and rng.random() < TWO_TOPIC_RATE:
        second = rng.choice([c for c in CATEGORIES[:-1] if c != category])
    return Plan(
        external_id=external_id,
        received_at=origin + dt.timedelta(seconds=rng.randrange(86_400)),
        lang=lang,
        text_lang=text_lang,
        category=category,
        core=core,
        second_category=second,
        urgent=urgent,
        urgent_today=urgent and rng.random() < 0.3,
        hard_cases=_choose_hard_cases(rng, core),
    )


def _choose_hard_cases(rng: random.Random, core: Core) -> list[str]:
    if rng.random() >= HARD_CASE_RATE:
        return []
    if core.kind in ("newsletter", "autoreply"):
        return [rng.choice(("html_remnants", "typos"))]
    chosen = [rng.choice(hc.HARD_CASES)]
    if rng.random() < 0.25:
        extra = rng.choice(hc.HARD_CASES)
        if extra not in chosen and not (extra in _EXCLUSIVE and chosen[0] in _EXCLUSIVE):
            chosen.append(extra)
    return sorted(chosen, key=hc.HARD_CASES.index)


def _filler(rng: random.Random, plan: Plan) -> tuple[SlotFiller, str]:
    latin = plan.text_lang == "en"
    sender = _person(rng, plan.lang)
    if plan.lang == "mixed" and rng.random() < 0.2:
        sender = sender.to_latin()
    agent = _person(rng, "en" if latin else "ru")
    people = {"sender": sender, "agent": agent, "other": _person(rng, plan.lang)}
    display = sender.full() if rng.random() < 0.45 else sender.first_last()
    from_email = ids.email(rng, sender)
    today = plan.received_at.date()
    return SlotFiller(rng, plan.text_lang, today, people, display, from_email), display


def _person(rng: random.Random, lang: str) -> Person:
    if lang == "en":
        origin = rng.choices(("en", "kz", "ru"), weights=(45, 40, 15))[0]
        return random_person(rng, origin).to_latin()
    if lang == "kk":
        return random_person(rng, rng.choices(("kz", "ru"), weights=(90, 10))[0])
    return random_person(rng, rng.choices(("kz", "ru"), weights=(55, 45))[0])


def _sender(plan: Plan, filler: SlotFiller, frame: Frame, display: str) -> list[Seg]:
    if plan.core.kind == "newsletter":
        return [lit(filler.rng.choice(frame.newsletter_senders))]
    name = pii("PERSON", display, filler.sender.script)
    return [name, lit(" <"), pii("EMAIL_ADDRESS", filler.from_email), lit(">")]


def _subject(plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random) -> list[Seg]:
    subject = filler.fill(rng.choice(plan.core.subjects))
    if plan.core.kind == "autoreply":
        return [lit(frame.autoreply_prefix), *subject]
    if plan.urgent and rng.random() < 0.6:
        return [lit(rng.choice(frame.urgent_subjects)), *subject]
    return subject


def _letter(plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random) -> list[Seg]:
    core, fill = plan.core, filler.fill
    if core.kind == "newsletter":
        return fill(core.text)
    if core.kind == "autoreply":
        return join([fill(core.text), fill(rng.choice(("{name}", frame.signoffs[0])))], "\n\n")
    blocks: list[list[Seg]] = []
    if rng.random() < 0.9:
        blocks.append(fill(rng.choice(frame.greetings)))
    blocks.append(_opening(plan, filler, frame, rng))
    if plan.second_category:
        blocks.append(fill(rng.choice(frame.secondary[plan.second_category])))
    blocks.extend(_pii_paragraph(plan, filler, frame, rng))
    blocks.extend(_urgency_ending(plan, filler, frame, rng))
    if core.kind != "thanks" and rng.random() < 0.8:
        blocks.append(fill(rng.choice(frame.closings)))
    if "long_signature" in plan.hard_cases:
        blocks.append(fill(frame.long_signature))
    else:
        blocks.append(fill(rng.choice(frame.signoffs)))
    return join(blocks, "\n\n")


def _opening(plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random) -> list[Seg]:
    parts: list[list[Seg]] = []
    if rng.random() < 0.45:
        parts.append(filler.fill(rng.choice(frame.intros)))
    if plan.urgent and not plan.urgent_today and rng.random() < 0.5:
        parts.append(filler.fill(rng.choice(frame.urgent_lines)))
        plan.urgency_stated = True
    parts.append(filler.fill(plan.core.text))
    if plan.core.kind == "request":
        problem = plan.category in PROBLEM_CATEGORIES
        pool = frame.context if problem else frame.context[:UNIVERSAL_CONTEXT]
        wanted = rng.choices((0, 1, 2), weights=(30, 45, 25))[0]
        for text in rng.sample(pool, wanted):
            parts.append(filler.fill(text))
    return join(parts, " ")


def _urgency_ending(
    plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random
) -> list[list[Seg]]:
    if not plan.urgent or plan.urgency_stated:
        return []
    lines = frame.urgent_today if plan.urgent_today else frame.urgent_lines
    return [filler.fill(rng.choice(lines))]


def _pii_paragraph(
    plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random
) -> list[list[Seg]]:
    counts, weights = _PII_LINE_COUNTS
    wanted = rng.choices(counts, weights=weights)[0]
    if plan.core.kind == "thanks":
        wanted = min(wanted, 1)
    free = [key for key in frame.pii_lines if not filler.used(key)]
    keys = rng.sample(free, min(wanted, len(free)))
    if not keys:
        return []
    return [join([filler.fill(rng.choice(frame.pii_lines[key])) for key in keys], " ")]


def _apply_hard_cases(
    draft: Draft, plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random
) -> None:
    tags = plan.hard_cases
    if "typos" in tags:
        draft.body = hc.add_typos(draft.body, rng)
    if "near_empty_body" in tags:
        draft.attachments.append((frame.letter_filename, draft.body))
        short = [filler.fill(rng.choice(frame.near_empty))]
        if rng.random() < 0.5:
            short.append(filler("name"))
        draft.body = join(short, "\n\n")
    if "quoted_reply" in tags:
        header = filler.fill(frame.quote_header)
        draft.body = [*draft.body, *header, *hc.quote(filler.fill(frame.quoted_reply))]
        draft.subject = [lit("Re: "), *draft.subject]
    if "forwarded_chain" in tags:
        filler.set_slot("subject", draft.subject)
        note = filler.fill(rng.choice(frame.forward_note))
        draft.body = [*note, lit("\n\n"), *filler.fill(frame.forward_header), *draft.body]
        draft.subject = [lit(rng.choice(("Fwd: ", "Fw: ", "FW: "))), *draft.subject]
    if "ocr_noise" in tags:
        filename, template = rng.choice(frame.scans)
        draft.attachments.append((filename, hc.add_ocr_noise(filler.fill(template), rng)))
    if "html_remnants" in tags:
        draft.body = hc.add_html_remnants(draft.body, rng)


def _maybe_attach_statement(
    draft: Draft, plan: Plan, filler: SlotFiller, frame: Frame, rng: random.Random
) -> None:
    if plan.category in ("payment_complaint", "card_blocked_or_fraud") and rng.random() < 0.12:
        filename, template = frame.statement
        draft.attachments.append((filename, filler.fill(template)))


def _record(
    plan: Plan, draft: Draft, filler: SlotFiller, display: str, rng: random.Random
) -> dict[str, Any]:
    pii_spans: list[Span] = []
    lookalikes: list[Span] = []

    def text_of(segs: list[Seg], where: str) -> str:
        text, found_pii, found_look = assemble(segs, where)
        pii_spans.extend(found_pii)
        lookalikes.extend(found_look)
        return text

    sender = text_of(draft.sender, "from")
    subject = text_of(draft.subject, "subject")
    body = text_of(draft.body, "body")
    attachments = [
        {"filename": name, "text": text_of(segs, f"attachments[{i}].text")}
        for i, (name, segs) in enumerate(draft.attachments)
    ]
    flagged = rng.random() < (0.6 if plan.urgent else 0.02)
    return {
        "external_id": plan.external_id,
        "received_at": plan.received_at.isoformat(),
        "from": sender,
        "to": SUPPORT_ADDRESS,
        "subject": subject,
        "body": body,
        "attachments": attachments,
        "urgent": flagged,
        "labels": {
            "language": plan.lang,
            "category": plan.category,
            "second_category": plan.second_category,
            "urgent": plan.urgent,
            "fields": _fields(plan, filler, display),
            "hard_cases": list(plan.hard_cases),
            "pii": pii_spans,
            "lookalikes": lookalikes,
        },
    }


def _fields(plan: Plan, filler: SlotFiller, display: str) -> dict[str, Any]:
    found = filler.fields
    return {
        "request_number": found.get("request_number"),
        "customer_name": None if plan.core.kind == "newsletter" else display,
        "problem_type": plan.core.problem_type,
        "deadline": found.get("deadline"),
        "department": DEPARTMENTS[plan.category],
        "amount": found.get("amount"),
        "currency": found.get("currency"),
        "contract_number": found.get("contract_number"),
    }
