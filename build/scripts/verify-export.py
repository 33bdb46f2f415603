#!/usr/bin/env python3
"""Reference verifier of a loginshell audit export, with Python's standard library only.

    verify-export.py [--fingerprint FP]... EXPORT.json
    verify-export.py --self-test

It checks what `loginshell audit verify --export` checks, written from the
format described in README.md ("Exports for auditors") and not from the Go
code, so an auditor can read every rule in one file:

  * every entry's hash is the SHA-256 of its canonical encoding (v1, or v2
    when it has idp, actor or content), entries are consecutive and each one's
    prev is the hash of the one before (entry 1's is "");
  * every checkpoint names the export's store, is signed (Ed25519, RFC 8032;
    implemented below from the RFC's reference code, since the standard
    library has none) by a key registered for its station, and each names the
    checkpoint before it (prev); one with a link (version 2) links to the
    checkpoint its key signed before (the SHA-256 of that one's encoding and
    signature; 64 zeros for the key's first);
  * the entry at a checkpoint's seq has the hash it signed, and no checkpoint
    lies past the last entry (a cut tail);
  * every entry lies in the range from..seq of a checkpoint of the station it
    names (else nobody's key vouches for it), except entries before the first
    checkpoint of the store (prev 0), which are reported as a note;
  * with --fingerprint, every key is one of the fingerprints given.

Exit status 0 when the export holds together, 1 naming each problem, 2 for
a wrong command line. The checks read the export once; nearly all the time
goes to the signatures, about 10 ms each in pure Python: it verifies every
one (one checkpoint per transaction a station committed: a whole export of a
busy plant's year takes minutes, an export of one request a fraction of a
second), where loginshell verifies one per key's chain.
"""

import calendar
import hashlib
import json
import re
import sys

EXPORT_FORMAT = "loginshell/audit/export/v1"

# --- Ed25519 verification (RFC 8032, section 6, the reference code) ------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def _add(a, b):
    A = (a[1] - a[0]) * (b[1] - b[0]) % P
    B = (a[1] + a[0]) * (b[1] + b[0]) % P
    C = 2 * a[3] * b[3] * D % P
    Dd = 2 * a[2] * b[2] % P
    E, F, Gg, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, Gg * H % P, F * Gg % P, E * H % P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def ed25519_verify(public, msg, sig):
    """True when sig (64 bytes) is public's (32 bytes) Ed25519 signature of msg."""
    if len(public) != 32 or len(sig) != 64:
        return False
    a = _decompress(public)
    r = _decompress(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if a is None or r is None or s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % L
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# --- The canonical encodings -----------------------------------------------


def u64(n):
    return (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def u32(n):
    return n.to_bytes(4, "big")


def text(s):
    b = s.encode("utf-8")
    return u64(len(b)) + b


_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def unix_time(t):
    """RFC 3339 text -> (seconds since 1970, nanoseconds within the second)."""
    m = _TIME.match(t)
    if not m:
        raise ValueError("time %r is not RFC 3339" % t)
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    secs = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
    zone = m.group(8)
    if zone != "Z":
        off = int(zone[1:3]) * 3600 + int(zone[4:6]) * 60
        secs -= off if zone[0] == "+" else -off
    return secs, int((m.group(7) or "").ljust(9, "0"))


def entry_hash(e):
    """The hex SHA-256 of an entry's canonical encoding (README, Entry)."""
    g = lambda k: e.get(k, "")
    v2 = bool(g("idp") or g("actor") or g("content"))
    b = text("loginshell/audit/entry/v2" if v2 else "loginshell/audit/entry/v1")
    secs, nanos = unix_time(e["time"])
    b += u64(e["seq"]) + u64(secs) + u32(nanos)
    for k in ("offset", "station", "event", "request", "request_name", "slot", "template", "user_id", "printed_name", "meaning"):
        b += text(g(k))
    approve = e.get("approve")
    b += bytes([0 if approve is None else (2 if approve else 1)])
    for k in ("comment", "detail", "prev"):
        b += text(g(k))
    if v2:
        for k in ("idp", "actor", "content"):
            b += text(g(k))
    return hashlib.sha256(b).hexdigest()


GENESIS_LINK = "0" * 64


def checkpoint_message(c):
    """The signed encoding: v1, or v2 (link appended) when the checkpoint has a link."""
    secs, nanos = unix_time(c["time"])
    link = c.get("link", "")
    b = (text("loginshell/audit/checkpoint/v2" if link else "loginshell/audit/checkpoint/v1") + text(c["store"]) +
         text(c["station"]) + u64(c["prev"]) + u64(c["from"]) + u64(c["seq"]) + text(c["hash"]) + u64(secs) + u32(nanos))
    if link:
        b += text(link)
    return b


def link_of(c):
    """What the next checkpoint of c's key holds as its link."""
    return hashlib.sha256(checkpoint_message(c) + text(c["signature"])).hexdigest()


def checkpoint_verifies(c):
    try:
        return ed25519_verify(bytes.fromhex(c["key"]), checkpoint_message(c), bytes.fromhex(c["signature"]))
    except ValueError:
        return False


def fingerprint(key_hex):
    try:
        raw = bytes.fromhex(key_hex)
    except ValueError:
        raw = key_hex.encode()
    h = hashlib.sha256(raw).hexdigest()
    return " ".join(h[i:i + 4] for i in range(0, 64, 4))


def normal_fingerprint(s):
    h = re.sub(r"[\s:-]", "", s.lower())
    if not re.fullmatch(r"[0-9a-f]{64}", h):
        raise ValueError("fingerprint %r: want 64 hex digits" % s)
    return " ".join(h[i:i + 4] for i in range(0, 64, 4))


# --- The checks --------------------------------------------------------------


def verify(x, fingerprints):
    """Returns (problems, notes, summary) for the export x (a parsed JSON object)."""
    problems, notes = [], []
    if x.get("format") != EXPORT_FORMAT:
        return ["the file's format is %r, not %r" % (x.get("format"), EXPORT_FORMAT)], notes, ""
    entries, cps, keys = x.get("entries") or [], x.get("checkpoints") or [], x.get("keys") or []
    partial = x.get("filter") is not None
    store = x.get("store", "")

    # 1. The chain: each entry intact, numbered on, linked to the one before.
    for i, e in enumerate(entries):
        if entry_hash(e) != e.get("hash"):
            return problems + ["entry %d does not match its hash: a field or the hash was changed" % e.get("seq", 0)], notes, ""
        if i == 0:
            if e["seq"] == 1 and e.get("prev", "") != "":
                return problems + ["entry 1 records a hash for an entry before it"], notes, ""
            if e["seq"] != 1 and not partial:
                return problems + ["the export does not start at entry 1 but at %d" % e["seq"]], notes, ""
            continue
        before = entries[i - 1]
        if e["seq"] != before["seq"] + 1:
            return problems + ["entry %d follows entry %d: entries are missing or moved" % (e["seq"], before["seq"])], notes, ""
        if e.get("prev", "") != before["hash"]:
            return problems + ["entry %d does not record the hash of entry %d before it" % (e["seq"], before["seq"])], notes, ""
    first = entries[0]["seq"] if entries else 0
    last = entries[-1]["seq"] if entries else 0
    by_seq = {e["seq"]: e for e in entries}

    # 2. The keys: against the fingerprints given.
    registered = {(k["station"], k["key"]) for k in keys}
    for k in keys:
        fp = fingerprint(k["key"])
        if fingerprints and fp not in fingerprints:
            problems.append("station %s's key %s is not among the fingerprints given" % (k["station"], fp))
    if not fingerprints:
        notes.append("no --fingerprint given: the keys were not compared with the stations' validation records")

    # 3. Each checkpoint on its own, then their chain.
    cps = sorted(cps, key=lambda c: c["seq"])
    for i, c in enumerate(cps):
        name = "station %s's checkpoint at #%d" % (c["station"], c["seq"])
        if i > 0 and c["seq"] == cps[i - 1]["seq"]:
            problems.append("two checkpoints are given for entry %d" % c["seq"])
        elif c.get("store") != store:
            problems.append("%s was signed for another store" % name)
        elif not (c["prev"] < c["from"] <= c["seq"]):
            problems.append("%s does not hold together" % name)
        elif (c["station"], c["key"]) not in registered:
            problems.append("%s is signed by a key (%s) not registered for %s" % (name, fingerprint(c["key"]), c["station"]))
        elif not checkpoint_verifies(c):
            problems.append("%s does not verify under its key %s" % (name, fingerprint(c["key"])))
    # Each key's checkpoints with a link (v2) form a chain of their own:
    # none of them removed, changed or inserted.
    newest = {}
    for c in cps:
        link = c.get("link", "")
        before = newest.get(c["key"])
        if link and before is None and link != GENESIS_LINK and not partial:
            problems.append("station %s's checkpoint at #%d follows a checkpoint of its key that is not in the export" % (c["station"], c["seq"]))
        elif link and before is not None and link != link_of(before):
            problems.append("station %s's checkpoint at #%d does not follow its key's checkpoint at #%d" % (c["station"], c["seq"], before["seq"]))
        newest[c["key"]] = c
    in_run = [c for c in cps if c["seq"] >= first]
    for i, c in enumerate(in_run):
        want = in_run[i - 1]["seq"] if i > 0 else 0
        if i == 0 and partial:
            if c["prev"] >= first:
                problems.append("station %s's checkpoint at #%d follows a checkpoint at #%d that is not in the export" % (c["station"], c["seq"], c["prev"]))
        elif c["prev"] > want:
            problems.append("station %s's checkpoint at #%d follows a checkpoint at #%d that is not there" % (c["station"], c["seq"], c["prev"]))
        elif c["prev"] < want:
            problems.append("station %s's checkpoint at #%d names #%d as the one before it, but there is one at #%d" % (c["station"], c["seq"], c["prev"], want))

    # 4. The entries against the checkpoints: hashes signed, and who vouches.
    legacy, unvouched = [], []
    k, rewritten = 0, 0
    for e in entries:
        while k < len(in_run) and in_run[k]["seq"] < e["seq"]:
            k += 1
        if k == len(in_run):
            if not in_run and not partial:
                legacy.append(e["seq"])
            else:
                unvouched.append(e["seq"])
            continue
        c = in_run[k]
        if e["seq"] >= c["from"]:
            if e.get("station", "") != c["station"]:
                unvouched.append(e["seq"])
        elif c["prev"] == 0:
            legacy.append(e["seq"])
        else:
            unvouched.append(e["seq"])
        if e["seq"] == c["seq"] and e["hash"] != c["hash"]:
            rewritten += 1
            if rewritten == 1:
                problems.append("station %s signed a checkpoint at #%d for hash %s, but entry %d now has hash %s: the trail was rewritten and re-hashed" % (c["station"], c["seq"], c["hash"], e["seq"], e["hash"]))
    if rewritten > 1:
        problems.append("%d later checkpoints no longer match the trail either" % (rewritten - 1))
    if unvouched:
        problems.append("no station's key vouches for %s: appended or inserted without a station's key" % spans(unvouched))
    if legacy:
        notes.append("%s were written before any station signed checkpoints: vouched for by the chain only" % spans(legacy))
    for c in cps:
        if c["seq"] > last:
            problems.append("the trail ends at #%d but station %s signed a checkpoint at #%d: entries were deleted from the end" % (last, c["station"], c["seq"]))
    for s in x.get("selected") or []:
        if s not in by_seq:
            problems.append("entry %d is named as selected but is not in the export" % s)

    stations = sorted({k["station"] for k in keys})
    summary = "%d entries (#%d to #%d), %d checkpoints of %d station%s" % (len(entries), first, last, len(cps), len(stations), "" if len(stations) == 1 else "s")
    if partial:
        summary += ", %d selected by its filter" % len(x.get("selected") or [])
    return problems, notes, summary


def safe(line):
    """line with every character that is not printable (a terminal escape, a
    newline, a text-direction override) escaped: station names come from the
    export, and must not hide a line of the output."""
    return "".join(ch if ch.isprintable() else "\\x%02x" % ord(ch) if ord(ch) < 256 else "\\u%04x" % ord(ch) for ch in line)


def spans(seqs):
    """'entries 3 to 5, 9' for [3, 4, 5, 9]."""
    out, start = [], seqs[0]
    for a, b in zip(seqs, seqs[1:] + [None]):
        if b != a + 1:
            out.append("%d" % start if start == a else "%d to %d" % (start, a))
            start = b
    return ("entry " if len(seqs) == 1 else "entries ") + ", ".join(out)


# --- Self-test and command line ------------------------------------------------


def self_test():
    # RFC 8032, 7.1, tests 1 and 2.
    vectors = [
        ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]
    for pub, msg, sig in vectors:
        assert ed25519_verify(bytes.fromhex(pub), bytes.fromhex(msg), bytes.fromhex(sig)), "RFC 8032 vector"
        bad = bytearray(bytes.fromhex(sig))
        bad[5] ^= 1
        assert not ed25519_verify(bytes.fromhex(pub), bytes.fromhex(msg), bytes(bad)), "a changed signature verifies"
    # The golden checkpoint of internal/audit's TestCheckpointGolden.
    c = {"store": "9d7c0a52-3f0e-4d7a-9f51-6a0f2a1b7c11", "station": "ST-7", "prev": 12, "from": 13, "seq": 14,
         "hash": "438455fe9f2d897b48d2ef685a8af8e0ba82ece272769214e99f53629e94eeb8", "time": "2025-03-01T09:15:02.123456Z",
         "key": "0fd29e4f508bb4b8ffcfce8df3b46f66ecfe4361f16d89221873cde5707d3867",
         "signature": "64437fc869b24c066ec70d169c9534fc8f54684dbc04c0d19604daf6aa16a658a8233718ec45d4d2eb7a9fd73511227563efc2e1f442c721441f840bef2b0603"}
    assert checkpoint_verifies(c), "the golden checkpoint"
    assert fingerprint(c["key"]) == "da35 8755 2075 72d1 cb3c 2b1a 2bb3 344f e996 aa43 3682 0c87 0a13 59fd 03cf 18f7", "the golden fingerprint"
    # Version 2: the same with a link (TestCheckpointGolden too).
    c = dict(c, link="5f1c0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
             signature="063d9da8eda66301e6a705dd2c913e4e44601a6361aa07d7337ad3d17e912dd9bcf431e181ec446d0a9a19ab413a31e37442df2850b5237e05baf97f4a42a906")
    assert checkpoint_verifies(c), "the golden checkpoint, version 2"
    assert link_of(c) == "d234d47c56bdb432fccce5e4370757ad5f4a4c976e43eada4e9068cd29eed0ce", "the golden link"
    # The golden entries of internal/audit's TestHashGolden (versions 1 and 2).
    e = {"seq": 1, "time": "2025-03-01T09:15:02.123456Z", "offset": "+01:00", "station": "ST-7", "event": "approve",
         "request": "6f1c2a7e-1b3d-4c5e-8f90-000000000042", "request_name": "Batch 42 release",
         "slot": "0b7e3f5a-9c2d-4e1f-a6b8-000000000001", "template": "Release", "user_id": "jdoe", "printed_name": "Jane Doe",
         "meaning": "Approval", "approve": True, "comment": "checked twice", "prev": ""}
    assert entry_hash(e) == "438455fe9f2d897b48d2ef685a8af8e0ba82ece272769214e99f53629e94eeb8", "the golden entry, v1"
    print("self-test passed: RFC 8032 vectors, the golden checkpoint and entry")


def main(argv):
    fingerprints, files = [], []
    args = iter(argv)
    for a in args:
        if a == "--self-test":
            self_test()
            return 0
        if a in ("--fingerprint", "-fingerprint"):
            try:
                fingerprints.append(normal_fingerprint(next(args)))
            except (StopIteration, ValueError) as err:
                print("verify-export.py: --fingerprint: %s" % (err or "missing"), file=sys.stderr)
                return 2
        elif a.startswith("-"):
            print("usage: verify-export.py [--fingerprint FP]... EXPORT.json | --self-test", file=sys.stderr)
            return 2
        else:
            files.append(a)
    if len(files) != 1:
        print("usage: verify-export.py [--fingerprint FP]... EXPORT.json | --self-test", file=sys.stderr)
        return 2
    try:
        with open(files[0], encoding="utf-8") as f:
            x = json.load(f)
        problems, notes, summary = verify(x, fingerprints)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print("verify-export.py: %s: not a readable export: %s" % (files[0], err), file=sys.stderr)
        return 1
    for n in notes:
        print("note: %s" % safe(n))
    if problems:
        for p in problems:
            print("verify-export.py: %s" % safe(p), file=sys.stderr)
        return 1
    print("OK: the export %s is intact: %s%s" % (files[0], summary,
          "; every station key is one of the fingerprints given" if fingerprints else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
