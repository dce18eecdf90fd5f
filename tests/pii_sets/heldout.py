#!/usr/bin/env python3
"""Held-out hand-written PII evaluation set for nightshift: loader and checker (stdlib only)."""

import argparse
import json
import os
import re
import sys
from collections import Counter

PII_TYPES = {
    "PERSON",
    "ADDRESS",
    "KZ_IIN",
    "KZ_BIN",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "ID_DOC",
    "DATE_OF_BIRTH",
}
LOOK_TYPES = {
    "ORDER_ID",
    "CONTRACT_NO",
    "REQUEST_NO",
    "TRACKING_ID",
    "PRODUCT",
    "COMPANY",
    "CITY",
    "BRANCH",
    "HOTLINE",
    "ROLE_MAILBOX",
    "AMOUNT",
    "DATE",
    "MASKED_CARD",
    "URL",
    "JOB_TITLE",
}
LANGS = {"ru", "kk", "en", "mixed"}
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "heldout.txt")
CYR = re.compile(r"[\u0400-\u04FF]")
LAT = re.compile(r"[A-Za-z]")


def parse_markup(src, where):
    """Return (clean_text, spans) for text with {TYPE|value} / {~TYPE|value}; {{ and }} are literal braces."""
    out, spans, i, n = [], [], 0, len(src)
    pos = 0
    while i < n:
        c = src[i]
        if c == "{" and src.startswith("{{", i):
            out.append("{")
            pos += 1
            i += 2
            continue
        if c == "}" and src.startswith("}}", i):
            out.append("}")
            pos += 1
            i += 2
            continue
        if c == "{":
            m = re.match(r"\{(~?)([A-Z_]+)\|([^{}]*)\}", src[i:])
            if not m:
                raise ValueError(f"{where}: bad markup near {src[i : i + 40]!r}")
            look, typ, val = m.group(1) == "~", m.group(2), m.group(3)
            if (look and typ not in LOOK_TYPES) or (not look and typ not in PII_TYPES):
                raise ValueError(f"{where}: unknown type {typ!r}")
            if not val or val != val.strip():
                raise ValueError(f"{where}: empty or padded value {val!r}")
            spans.append(
                {"start": pos, "end": pos + len(val), "type": typ, "value": val, "look": look}
            )
            out.append(val)
            pos += len(val)
            i += m.end()
            continue
        if c == "}":
            raise ValueError(f"{where}: stray '}}' near {src[max(0, i - 30) : i + 10]!r}")
        out.append(c)
        pos += 1
        i += 1
    return "".join(out), spans


def _script(v):
    return "cyrillic" if CYR.search(v) else "latin"


def load(path=DEFAULT):
    with open(path, encoding="utf-8") as fh:
        raw = fh.read()
    blocks = re.split(r"^(?==== )", raw, flags=re.M)
    records = []
    for b in blocks:
        if not b.strip():
            continue
        lines = b.rstrip("\n").split("\n")
        m = re.match(r"^=== (\S+) \| (\S+) \| (\S+)\s*$", lines[0])
        if not m:
            raise ValueError(f"bad header {lines[0]!r}")
        eid, lang, topic = m.groups()
        assert (
            lines[1].startswith("From: ") and lines[2].startswith("Subject: ") and lines[3] == "---"
        ), eid
        fields = {"from": lines[1][6:], "subject": lines[2][9:]}
        rest = lines[4:]
        body_lines, atts, cur = [], [], None
        for ln in rest:
            am = re.match(r"^--- attachment: (.+)$", ln)
            if am:
                cur = {"filename": am.group(1).strip(), "lines": []}
                atts.append(cur)
                continue
            (cur["lines"] if cur else body_lines).append(ln)
        fields["body"] = "\n".join(body_lines).strip("\n")
        for k, a in enumerate(atts):
            fields[f"attachments[{k}].text"] = "\n".join(a["lines"]).strip("\n")
        rec = {
            "external_id": eid,
            "from": None,
            "subject": None,
            "body": None,
            "attachments": [],
            "labels": {"pii": [], "lookalikes": []},
            "meta": {"language": lang, "topic": topic},
        }
        for f, src in fields.items():
            text, spans = parse_markup(src, f"{eid}/{f}")
            if f.startswith("attachments["):
                k = int(f[12 : f.index("]")])
                rec["attachments"].append({"filename": atts[k]["filename"], "text": text})
            else:
                rec[f] = text
            for s in spans:
                d = {
                    "field": f,
                    "start": s["start"],
                    "end": s["end"],
                    "type": s["type"],
                    "value": s["value"],
                }
                if s["look"]:
                    rec["labels"]["lookalikes"].append(d)
                else:
                    if s["type"] in ("PERSON", "ADDRESS"):
                        d["script"] = _script(s["value"])
                        if (
                            s["type"] == "PERSON"
                            and CYR.search(s["value"])
                            and LAT.search(s["value"])
                        ):
                            d["mixed_script"] = True
                    rec["labels"]["pii"].append(d)
        records.append(rec)
    return records


# ---- checksums -------------------------------------------------------------
W1 = list(range(1, 12))
W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def iin_ok(s):
    d = re.sub(r"\D", "", s)
    if len(d) != 12:
        return False
    x = [int(c) for c in d]
    c = sum(a * b for a, b in zip(x, W1)) % 11
    if c == 10:
        c = sum(a * b for a, b in zip(x, W2)) % 11
        if c == 10:
            return False
    return c == x[11]


def luhn_ok(s):
    d = re.sub(r"\D", "", s)
    t = 0
    for i, ch in enumerate(reversed(d)):
        v = int(ch)
        if i % 2:
            v *= 2
            if v > 9:
                v -= 9
        t += v
    return len(d) >= 13 and t % 10 == 0


def iban_ok(s):
    s = re.sub(r"\s", "", s).upper()
    if not re.fullmatch(r"KZ\d{2}[0-9A-Z]{16}", s):
        return False
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


IIN_LABEL = re.compile(r"(ИИН|ЖСН|IIN|ИИН/ЖСН|ЖСН/ИИН)[\s:№.\-]*$", re.I)


def _text(rec, field):
    if field.startswith("attachments["):
        return rec["attachments"][int(field[12 : field.index("]")])]["text"]
    return rec[field]


def check(records, verbose=True):
    errors, warns = [], []
    ids = Counter(r["external_id"] for r in records)
    for k, v in ids.items():
        if v > 1:
            errors.append(f"duplicate id {k}")
    if len(records) < 130:
        errors.append(f"only {len(records)} records (< 130)")
    langs = Counter()
    pii_t = Counter()
    pii_script = Counter()
    look_t = Counter()
    caps = mixed = single = mistyped = atts = 0
    topics = Counter()
    for r in records:
        eid = r["external_id"]
        langs[r["meta"]["language"]] += 1
        topics[r["meta"]["topic"]] += 1
        if r["meta"]["language"] not in LANGS:
            errors.append(f"{eid}: bad language")
        atts += bool(r["attachments"])
        byfield = {}
        for kind in ("pii", "lookalikes"):
            for s in r["labels"][kind]:
                t = _text(r, s["field"])
                if t[s["start"] : s["end"]] != s["value"]:
                    errors.append(f"{eid}: offset mismatch {s}")
                byfield.setdefault(s["field"], []).append((s["start"], s["end"], s["type"]))
                if kind == "lookalikes":
                    look_t[s["type"]] += 1
                    continue
                pii_t[s["type"]] += 1
                v = s["value"]
                if s["type"] in ("PERSON", "ADDRESS"):
                    pii_script[(s["type"], s["script"])] += 1
                if s["type"] == "PERSON":
                    letters = [c for c in v if c.isalpha()]
                    if len(letters) > 2 and all(c.isupper() for c in letters):
                        caps += 1
                    if s.get("mixed_script"):
                        mixed += 1
                    if len(v.split()) == 1:
                        single += 1
                if s["type"] == "KZ_IIN":
                    if not re.fullmatch(r"\d{12}", v):
                        errors.append(f"{eid}: IIN not 12 digits {v}")
                    elif not iin_ok(v):
                        if IIN_LABEL.search(t[max(0, s["start"] - 14) : s["start"]]):
                            mistyped += 1
                        else:
                            errors.append(f"{eid}: invalid IIN {v} not right after a label")
                if s["type"] == "KZ_BIN" and not iin_ok(v):
                    errors.append(f"{eid}: invalid BIN {v}")
                if s["type"] == "KZ_BIN" and v[4] not in "456":
                    errors.append(f"{eid}: BIN 5th digit not 4/5/6 {v}")
                if s["type"] == "CREDIT_CARD" and not luhn_ok(v):
                    errors.append(f"{eid}: card fails Luhn {v}")
                if s["type"] == "IBAN_CODE" and not iban_ok(v):
                    errors.append(f"{eid}: IBAN fails mod-97 {v}")
        for f, sp in byfield.items():
            sp.sort()
            for a, b in zip(sp, sp[1:]):
                if b[0] < a[1]:
                    errors.append(f"{eid}: overlap in {f}: {a} {b}")
        # heuristics for forgotten labels
        fields = ["from", "subject", "body"] + [
            f"attachments[{i}].text" for i in range(len(r["attachments"]))
        ]
        for f in fields:
            t = _text(r, f)
            cov = byfield.get(f, [])

            def covered(a, b):
                return any(s <= a and b <= e for s, e, _ in cov)

            for m in re.finditer(r"(?<!\d)\d{12}(?!\d)", t):
                if iin_ok(m.group()) and not covered(m.start(), m.end()):
                    warns.append(f"{eid}/{f}: unlabelled valid 12-digit {m.group()}")
            for m in re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", t):
                if not covered(m.start(), m.end()):
                    warns.append(f"{eid}/{f}: unlabelled e-mail {m.group()}")
    if verbose:
        print(f"records: {len(records)}  with attachments: {atts}")
        print("per language:", dict(sorted(langs.items())))
        print("topics:", len(topics), dict(sorted(topics.items())))
        print("PII spans per type:", dict(sorted(pii_t.items())), "total", sum(pii_t.values()))
        print(
            "PERSON/ADDRESS per script:",
            {f"{a}/{b}": c for (a, b), c in sorted(pii_script.items())},
        )
        print("look-alikes per type:", dict(sorted(look_t.items())), "total", sum(look_t.values()))
        print(
            f"PERSON ALL-CAPS: {caps}  mixed-script: {mixed}  single-word: {single}  mistyped IINs: {mistyped}"
        )
        for w in warns:
            print("WARN", w)
        for e in errors:
            print("ERROR", e)
        print("check:", "OK" if not errors else f"{len(errors)} errors")
    return not errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="inp", default=DEFAULT)
    ap.add_argument("--out")
    a = ap.parse_args()
    recs = load(a.inp)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    ok = check(recs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
