#!/usr/bin/env python3
"""Writes the raw-HTTP fixtures in this folder (CRLF line endings, exact
Content-Length). Every secret here is fake, shaped like a real one. The `.secrets`
files list the values that must not survive in a cleaned copy."""

CRLF = "\r\n"

GHP = "ghp_" + "FAKE0fake1FAKE2fake3FAKE4fake5FAKE6f"
GHP2 = "ghp_" + "Zq9TESTtest8TESTtest7TESTtest6TESTtX"
SESSION = "s3ss10n-9f86d081884c7d659a2feaa0c55ad015"
PASSWORD = "Hunter2-Very-Secret-Pass"
COOKIE_SET = "aGVsbG8tZmFrZS1zZXNzaW9uLTEyMzQ1Njc4OQ"
ACCESS = "ya29.FAKEa0AfH6SMBxTESTfakeTokenValue1234567890"


def message(start, headers, body=b""):
    if isinstance(body, str):
        body = body.encode()
    head = start + CRLF + "".join(f"{n}: {v}{CRLF}" for n, v in headers) + CRLF
    return head.encode() + body


def write(name, data, secrets):
    with open(name, "wb") as f:
        f.write(data)
    with open(name.rsplit(".", 1)[0] + ".secrets", "w") as f:
        f.write("".join(s + "\n" for s in secrets))


form = f"username=alice&password={PASSWORD}&remember=1"
write(
    "request.http",
    message(
        f"POST https://api.example.com/v1/login?client=web&access_token={GHP2} HTTP/1.1",
        [
            ("Host", "api.example.com"),
            ("Authorization", f"Bearer {GHP}"),
            ("Cookie", f"session={SESSION}; theme=dark"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", str(len(form))),
            ("Accept", "application/json"),
        ],
        form,
    ),
    [GHP, GHP2, SESSION, PASSWORD],
)

body = '{"access_token":"%s","token_type":"Bearer","expires_in":3599,"user":"alice"}' % ACCESS
write(
    "response.txt",
    message(
        "HTTP/1.1 200 OK",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Set-Cookie", f"sid={COOKIE_SET}; Path=/; HttpOnly; Secure"),
            ("Cache-Control", "no-store"),
            ("Content-Length", str(len(body))),
        ],
        body,
    ),
    [ACCESS, COOKIE_SET],
)

# A pasted exchange: request without a body, then the response (LF line endings).
exchange = (
    f"GET /api/me?api_key={GHP2} HTTP/1.1\n"
    "Host: example.com\n"
    f"Authorization: token {GHP}\n"
    "\n"
    "HTTP/1.1 200 OK\n"
    "Content-Type: application/json\n"
    f"Set-Cookie: sid={COOKIE_SET}; Path=/\n"
    "\n"
    '{"name":"alice","password":"%s"}\n' % PASSWORD
)
write("exchange.txt", exchange.encode(), [GHP, GHP2, COOKIE_SET, PASSWORD])
