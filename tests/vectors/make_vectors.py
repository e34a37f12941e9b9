#!/usr/bin/env python3
"""Writes ledger-chain.json: fixed test vectors for the record's hash chain.

The Rust ledger and the browser checker (static/js/chain.js) both check these
vectors, so the two implementations cannot drift apart without a test failing.
The hashes here are computed independently, with nothing but Python's hashlib,
from the rule below.

An entry's hash is the lowercase hex SHA-256 of eight fields, in this order,
each written as an 8-byte big-endian unsigned length followed by its UTF-8
bytes:

    domain tag "amends.ledger.v1", seq (decimal), prev_hash, at,
    author (decimal, or "" when there is none), kind, subject, body

The body is the exact text of a JSON document. It is hashed as stored and never
parsed and re-serialised, so the bodies below keep their odd spacing and
escapes on purpose.

Run from anywhere:  python3 tests/vectors/make_vectors.py
"""

import copy
import hashlib
import json
import pathlib
import struct

DOMAIN_TAG = "amends.ledger.v1"
ZERO_HASH = "0" * 64
OUT = pathlib.Path(__file__).with_name("ledger-chain.json")


def field(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack(">Q", len(data)) + data


def preimage(e: dict) -> bytes:
    author = "" if e["author"] is None else str(e["author"])
    parts = [DOMAIN_TAG, str(e["seq"]), e["prev_hash"], e["at"], author,
             e["kind"], e["subject"], e["body"]]
    return b"".join(field(p) for p in parts)


def entry_hash(e: dict) -> str:
    return hashlib.sha256(preimage(e)).hexdigest()


def chain(raw: list, prev: str = ZERO_HASH) -> list:
    """Gives each raw entry its prev_hash and hash, in order."""
    out = []
    for r in raw:
        e = {k: r[k] for k in ("seq", "at", "author", "kind", "subject", "body")}
        e["prev_hash"] = prev
        e["hash"] = entry_hash(e)
        prev = e["hash"]
        out.append(e)
    return out


def rechain_from(entries: list, index: int) -> list:
    """Recomputes hashes from entries[index] onwards, relinking the later ones.

    entries[index] keeps its own prev_hash, so a tampered link stays tampered.
    """
    out = copy.deepcopy(entries)
    for i in range(index, len(out)):
        if i > index:
            out[i]["prev_hash"] = out[i - 1]["hash"]
        out[i]["hash"] = entry_hash(out[i])
    return out


RAW = [
    {"seq": 1, "at": "2025-03-01T09:00:00.000000Z", "author": None,
     "kind": "record.started", "subject": "record", "body": "{}"},
    {"seq": 2, "at": "2025-03-01T09:05:12.345678Z", "author": 1,
     "kind": "person.joined", "subject": "person/1",
     "body": '{"display_name":"Zoë — 東京"}'},
    {"seq": 3, "at": "2025-03-02T20:41:07.000001Z", "author": 2,
     "kind": "person.joined", "subject": "person/2",
     # A JSON escape kept as text: the hash covers the six characters \u00e9,
     # not the single character they stand for.
     "body": '{"display_name":"Ren\\u00e9e"}'},
    {"seq": 4, "at": "2025-03-03T07:15:00.500000Z", "author": 1,
     "kind": "breach.recorded", "subject": "breach/3",
     "body": '{ "title": "I read your messages 🙈",\n  "what_happened": "Line one\\nline two" }'},
    # Same instant as seq 4: times may repeat, they may not go backwards.
    {"seq": 5, "at": "2025-03-03T07:15:00.500000Z", "author": 2,
     "kind": "breach.acknowledged", "subject": "breach/3",
     "body": '{"note":"Thank you for saying it 💛"}'},
]

# One more valid entry, used as "a newer copy" that the base chain is a prefix of.
EXTRA = {"seq": 6, "at": "2025-03-04T18:00:00.000000Z", "author": 1,
         "kind": "commitment.made", "subject": "commitment/1",
         "body": '{"text":"Phone stays on the table, face up."}'}


def tampered_cases(base: list) -> list:
    cases = []

    def add(name, why, entries, seq, reason):
        cases.append({"name": name, "why": why, "entries": entries,
                      "expect": {"seq": seq, "reason": reason}})

    t = copy.deepcopy(base)
    t[2]["body"] = '{"display_name":"Renee"}'
    add("body_changed", "The body of entry 3 was edited and its hash left as it was.",
        t, 3, "hash")

    t = copy.deepcopy(base)
    t[1]["author"] = 2
    add("author_changed", "Entry 2 was re-attributed to the other person.",
        t, 2, "hash")

    t = copy.deepcopy(base)
    t[0]["author"] = 0
    add("null_author_became_zero",
        "Entry 1 had no author; it now claims author 0, which encodes differently.",
        t, 1, "hash")

    t = copy.deepcopy(base)
    t[1]["body"] = '{"display_name":"Zoe"}'
    t[1]["hash"] = entry_hash(t[1])
    add("body_changed_and_rehashed",
        "Entry 2 was edited and given a fresh hash, but entry 3 still points at the old one.",
        t, 3, "prev_hash")

    t = copy.deepcopy(base)
    del t[2]
    add("entry_removed", "Entry 3 was deleted; the next entry found is numbered 4.",
        t, 4, "seq")

    t = copy.deepcopy(base)
    t[3]["at"] = "2025-03-02T20:41:07.000000Z"
    t = rechain_from(t, 3)
    add("time_went_backwards",
        "Entry 4 was moved to a moment before entry 3 and the chain recomputed from there.",
        t, 4, "time")

    t = copy.deepcopy(base)
    t[0]["prev_hash"] = "f" * 64
    t = rechain_from(t, 0)
    add("first_entry_has_a_predecessor",
        "Entry 1 points at a previous entry although it must be the first.",
        t, 1, "prev_hash")

    t = copy.deepcopy(base)
    t[4]["hash"] = t[4]["hash"].upper()
    add("hash_in_capitals", "Hashes are lowercase hex; the same digits in capitals do not match.",
        t, 5, "hash")

    return cases


def prefix_cases(base: list, newer: list) -> list:
    rewritten = copy.deepcopy(base)
    rewritten[2]["body"] = '{"display_name":"Someone else"}'
    rewritten = rechain_from(rewritten, 2)
    return [
        {"name": "newer_copy_extends", "old": "base", "new": newer,
         "expect": {"isPrefix": True, "missing": False, "firstDifferenceSeq": None}},
        {"name": "same_copy", "old": "base", "new": base,
         "expect": {"isPrefix": True, "missing": False, "firstDifferenceSeq": None}},
        {"name": "history_rewritten",
         "why": "Entry 3 was changed and every later hash recomputed: the chain is whole, "
                "but it no longer starts with the earlier copy.",
         "old": "base", "new": rewritten,
         "expect": {"isPrefix": False, "missing": False, "firstDifferenceSeq": 3}},
        {"name": "entries_missing", "old": "base", "new": base[:3],
         "expect": {"isPrefix": False, "missing": True, "firstDifferenceSeq": None}},
    ]


def main() -> None:
    base = chain(RAW)
    newer = chain(RAW + [EXTRA])
    assert newer[:len(base)] == base
    doc = {
        "about": "Test vectors for the Amends record's hash chain. Generated by "
                 "make_vectors.py; edit that script, not this file.",
        "rule": {
            "domain_tag": DOMAIN_TAG,
            "fields": ["domain_tag", "seq", "prev_hash", "at", "author", "kind",
                       "subject", "body"],
            "encoding": "each field: u64 big-endian byte length, then its UTF-8 bytes",
            "author_when_null": "",
            "first_prev_hash": ZERO_HASH,
            "hash": "lowercase hex SHA-256 of the concatenated fields",
            "checks": "entry by entry, stopping at the first problem; within an entry in "
                      "this order: seq (previous + 1, first is 1), prev_hash (previous "
                      "hash, first is 64 zeros), time (at >= previous at), hash (recomputes)",
            "reported_seq": "the seq written in the first entry that fails a check",
        },
        "entries": base,
        "preimages_hex": [preimage(e).hex() for e in base],
        "newer_entry": newer[-1],
        "tampered": tampered_cases(base),
        "prefix": prefix_cases(base, newer),
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
