#!/usr/bin/env python3
"""Hand-written PII evaluation set for nightshift (independent of the masker's generator).

File format (emails.txt):
    === hw-001 | ru | topic
    From: ...
    Subject: ...
    ---
    body lines ...
    --- attachment: name.txt
    attachment text ...

Inline markup: {TYPE|value} = personal data, {~TYPE|value} = look-alike (must NOT be masked).
Escapes: '{{' -> literal '{', '}}' -> literal '}'.  A span value ends at the first '}'.
Lines starting with '#' *between* blocks (before the first '===' of a block's header) are comments.
"""

import json
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
}

CYR = re.compile(r"[\u0400-\u04FF]")
LAT = re.compile(r"[A-Za-z]")


# ---------------------------------------------------------------- checksums
def iin_check(s):
    """Return the check digit (0-9) for the first 11 digits of an IIN/BIN, or None if impossible."""
    d = [int(c) for c in s[:11]]
    c = sum(x * w for x, w in zip(d, range(1, 12))) % 11
    if c == 10:
        c = sum(x * w for x, w in zip(d, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
        if c == 10:
            return None
    return c


def iin_valid(s):
    s = re.sub(r"\s", "", s)
    if not re.fullmatch(r"\d{12}", s):
        return False
    c = iin_check(s)
    return c is not None and c == int(s[11])


def iin_date_ok(s):
    s = re.sub(r"\s", "", s)
    mm, dd, cent = int(s[2:4]), int(s[4:6]), int(s[6])
    return 1 <= mm <= 12 and 1 <= dd <= 31 and cent in (1, 2, 3, 4, 5, 6)


def bin_shape_ok(s):
    s = re.sub(r"\s", "", s)
    return 1 <= int(s[2:4]) <= 12 and s[4] in "456"


def luhn_valid(s):
    d = [int(c) for c in re.sub(r"\D", "", s)]
    if len(d) < 13:
        return False
    tot = 0
    for i, x in enumerate(reversed(d)):
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        tot += x
    return tot % 10 == 0


def iban_valid(s):
    s = re.sub(r"\s", "", s).upper()
    if not re.fullmatch(r"KZ\d{2}[0-9A-Z]{16}", s):
        return False
    r = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in r)
    return int(num) % 97 == 1


# ---------------------------------------------------------------- parsing
SPAN_RE = re.compile(r"\{(~?)([A-Z_]+)\|")


def parse_markup(raw):
    """Return (plain_text, spans) where spans = [(start, end, type, is_lookalike)]."""
    out, spans, i, n = [], [], 0, len(raw)
    pos = 0
    while i < n:
        if raw.startswith("{{", i):
            out.append("{")
            pos += 1
            i += 2
            continue
        if raw.startswith("}}", i):
            out.append("}")
            pos += 1
            i += 2
            continue
        m = SPAN_RE.match(raw, i)
        if m:
            look, typ = m.group(1) == "~", m.group(2)
            j = raw.find("}", m.end())
            if j < 0:
                raise ValueError("unclosed span at %r" % raw[i : i + 60])
            val = raw[m.end() : j]
            if "{" in val or ("\n" in val and typ not in ("ADDRESS",)):
                raise ValueError("bad span value %r" % val)
            if (look and typ not in LOOK_TYPES) or (not look and typ not in PII_TYPES):
                raise ValueError(
                    "unknown type %s%s in %r" % ("~" if look else "", typ, raw[i : j + 1])
                )
            out.append(val)
            spans.append((pos, pos + len(val), typ, look))
            pos += len(val)
            i = j + 1
            continue
        if raw[i] in "{}":
            raise ValueError("stray brace at %r" % raw[max(0, i - 30) : i + 30])
        out.append(raw[i])
        pos += 1
        i += 1
    return "".join(out), spans


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = re.split(r"^(?==== )", text, flags=re.M)
    records = []
    for blk in blocks:
        if not blk.startswith("=== "):
            continue
        lines = blk.split("\n")
        hdr = [x.strip() for x in lines[0][4:].split("|")]
        eid, lang, topic = hdr[0], hdr[1], hdr[2]
        rest = lines[1:]
        frm = subj = None
        k = 0
        while k < len(rest) and rest[k] != "---":
            if rest[k].startswith("From: "):
                frm = rest[k][6:]
            elif rest[k].startswith("Subject: "):
                subj = rest[k][9:]
            elif rest[k].strip():
                raise ValueError("%s: unexpected header line %r" % (eid, rest[k]))
            k += 1
        if k >= len(rest):
            raise ValueError("%s: no '---' separator" % eid)
        parts, cur_name, cur = [], None, []
        for ln in rest[k + 1 :]:
            m = re.match(r"^--- attachment: (.+)$", ln)
            if m:
                parts.append((cur_name, cur))
                cur_name, cur = m.group(1).strip(), []
            else:
                cur.append(ln)
        parts.append((cur_name, cur))
        rec = {
            "external_id": eid,
            "from": None,
            "subject": None,
            "body": None,
            "attachments": [],
            "labels": {"pii": [], "lookalikes": []},
            "meta": {"language": lang, "topic": topic},
        }

        def add(field, raw):
            plain, spans = parse_markup(raw)
            for s, e, typ, look in spans:
                d = {"field": field, "start": s, "end": e, "type": typ, "value": plain[s:e]}
                if look:
                    rec["labels"]["lookalikes"].append(d)
                else:
                    if typ in ("PERSON", "ADDRESS"):
                        v = plain[s:e]
                        d["script"] = "cyrillic" if CYR.search(v) else "latin"
                        if typ == "PERSON" and CYR.search(v) and LAT.search(v):
                            d["mixed_script"] = True
                    rec["labels"]["pii"].append(d)
            return plain

        rec["from"] = add("from", frm or "")
        rec["subject"] = add("subject", subj or "")
        for idx, (name, ls) in enumerate(parts):
            raw = "\n".join(ls).strip("\n")
            if name is None:
                rec["body"] = add("body", raw)
            else:
                rec["attachments"].append(
                    {"filename": name, "text": add("attachments[%d].text" % (idx - 1), raw)}
                )
        records.append(rec)
    return records


def field_text(rec, field):
    if field in ("from", "subject", "body"):
        return rec[field]
    m = re.fullmatch(r"attachments\[(\d+)\]\.text", field)
    return rec["attachments"][int(m.group(1))]["text"]


IIN_LABEL = re.compile(r"(ИИН|ЖСН|IIN|ИИН/ЖСН|ЖСН/ИИН)\s*(\(.{0,12}\))?\s*[:№#-]?\s*$", re.I)


def is_allcaps(v):
    letters = [c for c in v if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def check(records, verbose=True):
    errors = []
    ids = Counter(r["external_id"] for r in records)
    for k, v in ids.items():
        if v > 1:
            errors.append("duplicate id %s" % k)
    stats = Counter()
    scripts = Counter()
    looks = Counter()
    langs = Counter()
    bad_iin = 0
    iin_total = 0
    allcaps = 0
    mixed = 0
    single = 0
    attach = 0
    req12 = 0
    for r in records:
        langs[r["meta"]["language"]] += 1
        attach += bool(r["attachments"])
        for kind in ("pii", "lookalikes"):
            byfield = {}
            for sp in r["labels"][kind]:
                byfield.setdefault(sp["field"], []).append(sp)
            for f, sps in byfield.items():
                txt = field_text(r, f)
                for sp in sps:
                    if txt[sp["start"] : sp["end"]] != sp["value"]:
                        errors.append("%s offset mismatch %r" % (r["external_id"], sp))
                    if sp["value"] != sp["value"].strip() or not sp["value"]:
                        errors.append(
                            "%s span has outer whitespace %r" % (r["external_id"], sp["value"])
                        )
        allsp = {}
        for sp in r["labels"]["pii"] + r["labels"]["lookalikes"]:
            allsp.setdefault(sp["field"], []).append(sp)
        for f, sps in allsp.items():
            sps = sorted(sps, key=lambda x: x["start"])
            for a, b in zip(sps, sps[1:]):
                if b["start"] < a["end"]:
                    errors.append("%s overlap %r %r" % (r["external_id"], a["value"], b["value"]))
        for sp in r["labels"]["pii"]:
            t, v = sp["type"], sp["value"]
            stats[t] += 1
            if "script" in sp:
                scripts[(t, sp["script"])] += 1
            if t == "PERSON":
                if sp.get("mixed_script"):
                    mixed += 1
                if is_allcaps(v):
                    allcaps += 1
                if len(v.split()) == 1 and "." not in v:
                    single += 1
            if t == "ADDRESS" and is_allcaps(v):
                allcaps += 1
            if t == "KZ_IIN":
                iin_total += 1
                digits = re.sub(r"\s", "", v)
                if not re.fullmatch(r"\d{12}", digits) or not iin_date_ok(digits):
                    errors.append("%s IIN shape %r" % (r["external_id"], v))
                elif not iin_valid(digits):
                    before = field_text(r, sp["field"])[: sp["start"]][-25:]
                    if IIN_LABEL.search(before):
                        bad_iin += 1
                    else:
                        errors.append(
                            "%s invalid IIN without label %r (before=%r)"
                            % (r["external_id"], v, before)
                        )
            if t == "KZ_BIN":
                digits = re.sub(r"\s", "", v)
                if not iin_valid(digits) or not bin_shape_ok(digits):
                    errors.append("%s invalid BIN %r" % (r["external_id"], v))
            if t == "CREDIT_CARD" and not luhn_valid(v):
                errors.append("%s invalid card %r" % (r["external_id"], v))
            if t == "IBAN_CODE" and not iban_valid(v):
                errors.append("%s invalid IBAN %r" % (r["external_id"], v))
        for sp in r["labels"]["lookalikes"]:
            looks[sp["type"]] += 1
            d = re.sub(r"\D", "", sp["value"])
            if len(d) == 12 and sp["type"] in (
                "REQUEST_NO",
                "ORDER_ID",
                "CONTRACT_NO",
                "TRACKING_ID",
            ):
                req12 += 1
                if iin_valid(d):
                    errors.append(
                        "%s 12-digit look-alike is a valid IIN %r" % (r["external_id"], sp["value"])
                    )
    if len(records) < 160:
        errors.append("only %d records (< 160)" % len(records))
    if verbose:
        print("records: %d  (with attachments: %d)" % (len(records), attach))
        print("languages:", dict(sorted(langs.items())))
        print("PII spans per type:")
        for k, v in stats.most_common():
            print("   %-14s %4d" % (k, v))
        print("PERSON/ADDRESS by script:")
        for (t, s), v in sorted(scripts.items()):
            print("   %-8s %-9s %4d" % (t, s, v))
        print("look-alikes per type:")
        for k, v in looks.most_common():
            print("   %-14s %4d" % (k, v))
        print("IIN: %d total, %d mistyped-after-label" % (iin_total, bad_iin))
        print("12-digit non-IIN look-alikes: %d" % req12)
        print(
            "ALL-CAPS PERSON/ADDRESS spans: %d; mixed-script names: %d; single-word names: %d"
            % (allcaps, mixed, single)
        )
        print("errors: %d" % len(errors))
        for e in errors[:50]:
            print("  ERROR", e)
    return errors


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=__file__.rsplit("/", 1)[0] + "/handwritten.txt")
    ap.add_argument("--out")
    a = ap.parse_args()
    recs = load(a.src)
    errs = check(recs)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print("wrote", a.out)
    sys.exit(1 if errs else 0)
