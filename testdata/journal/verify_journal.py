#!/usr/bin/env python3
"""Independent verifier of a Coffer journal (journal.jsonl), for auditors.

Written from the format in audit/doc.go, not from the Go code, to check that
the format is specified well enough to be re-implemented. Needs Python 3.8+
and the `cryptography` package.

    verify_journal.py JOURNAL PUBKEY_HEX        verify a journal
    verify_journal.py --key SEED_HEX            print the journal public key of a seed

Exit status 0 when every check holds, 1 otherwise (the first bad line is named).
"""
import hashlib
import hmac
import json
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

DOMAIN = b"coffer journal entry v1\n"
GENESIS = "0" * 64
MAX_LINE = 1 << 20
LINE = re.compile(
    rb'\{"seq":([1-9][0-9]*),'
    rb'"time":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)",'
    rb'"kind":"([a-z][a-z0-9-]{0,31})",'
    rb'"prev":"([0-9a-f]{64})",'
    rb'"data":(\{.*\}),'
    rb'"sig":"([0-9a-f]{128})"\}\Z',
    re.S,
)


def journal_public_key(seed: bytes) -> bytes:
    k = hmac.new(b"coffer journal key v1", seed, hashlib.sha512).digest()[:32]
    return (
        Ed25519PrivateKey.from_private_bytes(k)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def compact(data: bytes) -> bool:
    """True when data has no white space outside JSON strings."""
    in_str = esc = False
    for c in data:
        if in_str:
            if esc:
                esc = False
            elif c == 0x5C:
                esc = True
            elif c == 0x22:
                in_str = False
        elif c == 0x22:
            in_str = True
        elif c in b" \t\r\n":
            return False
    return True


def verify(path: str, pub: bytes) -> int:
    key = Ed25519PublicKey.from_public_bytes(pub)
    prev, seq, last_time, kinds = GENESIS, 0, "", {}
    with open(path, "rb") as f:
        content = f.read()
    if content and not content.endswith(b"\n"):
        print("last line has no newline (torn)")
        return 1
    for n, line in enumerate(content.split(b"\n")[:-1] if content else [], 1):
        def bad(why):
            print(f"line {n}: {why}")
            return 1
        if len(line) > MAX_LINE:
            return bad("too long")
        m = LINE.match(line)
        if not m:
            return bad("not a canonical journal entry")
        s, t, kind, p, data, sig = m.groups()
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return bad("data is not UTF-8 JSON")
        if not isinstance(obj, dict) or not compact(data):
            return bad("data is not a compact JSON object")
        if int(s) != seq + 1:
            return bad(f"seq {int(s)}, expected {seq + 1}")
        if p.decode() != prev:
            return bad(f"seq {int(s)}: prev is not the hash of the previous line")
        if t.decode() < last_time:  # fixed-width UTC: text order is time order
            return bad(f"seq {int(s)}: time goes backwards")
        body = line[: len(line) - len(b',"sig":"') - 128 - 2] + b"}"
        try:
            key.verify(bytes.fromhex(sig.decode()), DOMAIN + body)
        except InvalidSignature:
            return bad(f"seq {int(s)}: bad signature")
        seq, prev, last_time = int(s), hashlib.sha256(line).hexdigest(), t.decode()
        kinds[kind.decode()] = kinds.get(kind.decode(), 0) + 1
    print(f"ok: {seq} entries, last {last_time or '-'}, head {prev}")
    print("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--key":
        print(journal_public_key(bytes.fromhex(argv[2])).hex())
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    return verify(argv[1], bytes.fromhex(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
