#!/usr/bin/env python3
"""Sanity checks for the HAR fixtures (run after editing any of them):

    python3 testdata/check_fixtures.py

* every testdata/har/*.har and testdata/clean/*.har is valid JSON (a BOM is allowed) with log.entries;
* every testdata/har/X.har has X.secrets and X.keep, and every line of both occurs in X.har, either
  literally, in a JSON-decoded string (so `\\/` and `\\u0026` escapes count), in the decoded text of
  a `"encoding": "base64"` body, or in the `user:password` behind a `Basic` credential;
* no .keep line contains a .secrets line of the same fixture (both could not hold at once);
* every JWT header.payload listed in a .keep file decodes to JSON with alg and iss/sub/aud/exp/iat;
* the clean fixtures carry no cookies, no credential headers and none of the planted secrets;
* every testdata/malformed/*.har is rejected (not JSON, or no log.entries).

Lines starting with '#' in .secrets/.keep files are comments.
"""
import base64
import binascii
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
errors = []


def fail(msg):
    errors.append(msg)


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\r\n") for l in f if l.strip() and not l.startswith("#")]


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    return raw, json.loads(raw.decode("utf-8-sig"))


def strings(v, out):
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, list):
        for x in v:
            strings(x, out)
    elif isinstance(v, dict):
        for k, x in v.items():
            out.append(k)
            strings(x, out)
    return out


def base64_bodies(har):
    out = []
    for e in har["log"]["entries"]:
        c = (e.get("response") or {}).get("content") or {}
        if c.get("encoding") == "base64" and c.get("text"):
            out.append(base64.b64decode(c["text"]).decode("utf-8", "replace"))
    return out


def basic_credentials(strs):
    """`user:password` behind every `Basic <base64>` (Authorization, Proxy-Authorization)."""
    out = []
    for s in strs:
        for m in re.finditer(r"\bBasic ([A-Za-z0-9+/]+=*)", s):
            try:
                out.append(base64.b64decode(m.group(1)).decode("utf-8"))
            except (ValueError, binascii.Error):
                pass
    return out


def haystack(raw, har):
    strs = strings(har, [])
    return [raw.decode("utf-8-sig")] + strs + base64_bodies(har) + basic_credentials(strs)


def b64url_json(seg):
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def check_jwt_keep(name, k):
    parts = k.split(".")
    if len(parts) != 2 or not (parts[0].startswith("eyJ") and parts[1].startswith("eyJ")):
        return False
    try:
        h, p = b64url_json(parts[0]), b64url_json(parts[1])
    except (ValueError, binascii.Error) as e:
        fail(f"{name}: JWT keep line does not decode: {k[:30]}…: {e}")
        return True
    if "alg" not in h:
        fail(f"{name}: JWT header without alg: {h}")
    missing = [c for c in ("iss", "sub", "aud", "exp", "iat") if c not in p]
    if missing:
        fail(f"{name}: JWT payload lacks {missing}: {p}")
    return True


all_secrets = set()
fixtures = sorted(glob.glob(os.path.join(ROOT, "har", "*.har")))
for path in fixtures:
    name = os.path.relpath(path, ROOT)
    stem = path[:-4]
    try:
        raw, har = load(path)
        entries = har["log"]["entries"]
    except Exception as e:  # noqa: BLE001
        fail(f"{name}: not a valid HAR: {e}")
        continue
    hay = haystack(raw, har)
    found = lambda s: any(s in h for h in hay)  # noqa: E731
    for ext in (".secrets", ".keep"):
        if not os.path.exists(stem + ext):
            fail(f"{name}: missing {os.path.basename(stem)}{ext}")
    secrets = lines(stem + ".secrets") if os.path.exists(stem + ".secrets") else []
    keeps = lines(stem + ".keep") if os.path.exists(stem + ".keep") else []
    all_secrets.update(secrets)
    jwts = 0
    for s in secrets:
        if len(s) < 8:
            fail(f"{name}: secret too short to be a useful check: {s!r}")
        if not found(s):
            fail(f"{name}: secret not found in fixture: {s[:40]}…")
    for k in keeps:
        if not found(k):
            fail(f"{name}: keep line not found in fixture: {k[:60]}")
        for s in secrets:
            if s in k:
                fail(f"{name}: keep line contains secret: {k[:40]}… ⊃ {s[:20]}…")
        jwts += check_jwt_keep(name, k)
    print(f"ok  {name:40} {len(entries):3} entries  {len(secrets):3} secrets  {len(keeps):3} keep  {jwts} JWTs")

for path in sorted(glob.glob(os.path.join(ROOT, "clean", "*.har"))):
    name = os.path.relpath(path, ROOT)
    try:
        raw, har = load(path)
        entries = har["log"]["entries"]
    except Exception as e:  # noqa: BLE001
        fail(f"{name}: not a valid HAR: {e}")
        continue
    text = "\n".join(haystack(raw, har))
    for s in all_secrets:
        if s in text:
            fail(f"{name}: contains a planted secret {s[:20]}…")
    for e in entries:
        for part in ("request", "response"):
            m = e.get(part) or {}
            if m.get("cookies"):
                fail(f"{name}: has {part} cookies")
            for h in m.get("headers", []):
                if h["name"].lower() in ("cookie", "set-cookie", "authorization", "proxy-authorization"):
                    fail(f"{name}: has a {h['name']} header")
    print(f"ok  {name:40} {len(entries):3} entries  (clean)")

for path in sorted(glob.glob(os.path.join(ROOT, "malformed", "*.har"))):
    name = os.path.relpath(path, ROOT)
    try:
        _, har = load(path)
        har["log"]["entries"]
        fail(f"{name}: parses as a HAR but should not")
    except (ValueError, KeyError, TypeError):
        print(f"ok  {name:40} rejected as expected")

if errors:
    print("\n".join(["", "FAILED:"] + errors), file=sys.stderr)
    sys.exit(1)
print(f"\nall good: {len(fixtures)} dirty fixtures, {len(all_secrets)} distinct planted secrets")
