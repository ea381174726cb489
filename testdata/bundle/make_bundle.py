#!/usr/bin/env python3
"""Rebuild testdata/bundle/support-bundle.zip from the plain files beside it.

    python3 testdata/bundle/make_bundle.py          # rewrite support-bundle.zip
    python3 testdata/bundle/make_bundle.py --check  # exit 1 if the zip is out of date

The bundle looks like what a customer attaches to a support case:

    case/                      directory entry
    case/README.txt            nothing secret
    case/capture.har           browser capture (login, cookies, JWT, base64 body, ...)
    case/app.log               server log: header dicts, raw HTTP dump, curl -u, DSN
    case/.env                  container environment (*_PASSWORD, *_SECRET, ...)
    case/config.json           service configuration (not a HAR)
    case/screenshot.png        binary; must come back byte-identical
    case/logs.zip              nested zip (stored), built from logs/:
        app.log                worker log (AWS keys, JDBC password=)
        browser/               directory entry
        browser/session.har    a second capture (X-Api-Key, cookie)

Sources: support-bundle/case/* and logs/*. Every planted credential is FAKE and is
listed in support-bundle.secrets (one per line, as it reads once decoded).

The output is deterministic: members are written in the order above with a fixed
timestamp, fixed permissions and fixed compression, so the same sources give the
same bytes (with the same zlib).
"""
import io
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2024, 5, 1, 10, 15, 0)


def info(name, is_dir=False, method=zipfile.ZIP_DEFLATED):
    zi = zipfile.ZipInfo(name, date_time=STAMP)
    zi.create_system = 3  # unix, so the modes below are meaningful
    if is_dir:
        zi.external_attr = (0o40755 << 16) | 0x10
        zi.compress_type = zipfile.ZIP_STORED
    else:
        zi.external_attr = 0o100644 << 16
        zi.compress_type = method
    return zi


def read(*parts):
    with open(os.path.join(HERE, *parts), "rb") as f:
        return f.read()


def build(members):
    """members: (name, bytes or None for a directory, method)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in members:
            if data is None:
                z.writestr(info(name, is_dir=True), b"")
            else:
                z.writestr(info(name, method=method), data, compresslevel=9)
    return buf.getvalue()


def bundle():
    D, S = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
    logs = build(
        [
            ("app.log", read("logs", "app.log"), D),
            ("browser/", None, S),
            ("browser/session.har", read("logs", "browser", "session.har"), D),
        ]
    )
    case = lambda n: read("support-bundle", "case", n)  # noqa: E731
    return build(
        [
            ("case/", None, S),
            ("case/README.txt", case("README.txt"), D),
            ("case/capture.har", case("capture.har"), D),
            ("case/app.log", case("app.log"), D),
            ("case/.env", case(".env"), D),
            ("case/config.json", case("config.json"), D),
            ("case/screenshot.png", case("screenshot.png"), S),
            ("case/logs.zip", logs, S),
        ]
    )


def main():
    data = bundle()
    target = os.path.join(HERE, "support-bundle.zip")
    if "--check" in sys.argv[1:]:
        try:
            current = read("support-bundle.zip")
        except FileNotFoundError:
            current = b""
        if current != data:
            print("support-bundle.zip is out of date: run make_bundle.py", file=sys.stderr)
            return 1
        print("support-bundle.zip is up to date")
        return 0
    with open(target, "wb") as f:
        f.write(data)
    print(f"wrote {target} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
