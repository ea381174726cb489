//! Rendering a planted (name, secret) into a container, through an encoding, as a HAR or
//! a bundle (zip, tar.gz, log file).

use std::io::Write;

use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;
use serde_json::{json, Value};

use super::gen::{b64, b64url, jwt, Kind, Rng, ALNUM, LETTERS};

/// Where the credential is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Container {
    Header,
    Cookie,
    Query,
    Fragment,
    Form,
    /// A form body sent as `text/plain` (no params array).
    FormNoMime,
    Multipart,
    JsonReq,
    JsonResp,
    /// JSON labelled `application/octet-stream`.
    JsonOctet,
    Html,
    Js,
    /// SOAP request body.
    Xml,
    WebSocket,
    /// A response body with `"encoding": "base64"`.
    B64Body,
    /// A HAR inside a zip bundle.
    Zip,
    /// A settings file and a log inside a `.tar.gz` bundle.
    TarGz,
    /// A plain log file.
    Log,
    /// Propagation: the secret in a cookie (found by context), and a copy of the bare
    /// secret, encoded, in an unremarkable response field (`"trace"`).
    Echo,
    /// Propagation into a JSON key: the secret in a cookie, and the same secret, encoded,
    /// as an object key in a response body (`{"sessions": {"<secret>": …}}`).
    EchoKey,
}

pub const CONTAINERS: &[Container] = &[
    Container::Header,
    Container::Cookie,
    Container::Query,
    Container::Fragment,
    Container::Form,
    Container::FormNoMime,
    Container::Multipart,
    Container::JsonReq,
    Container::JsonResp,
    Container::JsonOctet,
    Container::Html,
    Container::Js,
    Container::Xml,
    Container::WebSocket,
    Container::B64Body,
    Container::Zip,
    Container::TarGz,
    Container::Log,
    Container::Echo,
    Container::EchoKey,
];

/// How the credential is encoded before it goes into the container. `Raw` and `RawPct`
/// put the secret itself under its name; every other encoding wraps a small document
/// that carries `name: secret` (a callback URL, a JSON object, a JWT) and puts the
/// encoded document under a neutral name (`next`, `ctx`, `blob`…), so a reader has to
/// decode it to see the credential — and so must the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Enc {
    Raw,
    /// the value percent-encoded (encodeURIComponent)
    RawPct,
    /// `https://…/cb?name=secret` percent-encoded once (upper hex)
    Pct1,
    /// … twice
    Pct2,
    /// a form payload encoded with `+` for spaces
    Plus,
    /// every non-alnum byte as lower-hex `%xx`
    PctLower,
    /// JSON with `\/`
    JsonSlash,
    /// JSON with every non-alnum character of its strings as `\u00xx`
    JsonU,
    /// JSON HTML-entity encoded (`&quot;`, `&amp;`, `&#x3D;`…)
    Html,
    /// JSON JS-escaped (`\"`, `\x3d`, `\u002e`…)
    Js,
    B64,
    B64Url,
    B64Unpadded,
    /// base64 wrapped at 76 columns with CRLF
    B64Wrapped,
    GzipB64,
    /// raw deflate, then base64
    DeflateB64,
    /// zlib (HTTP `deflate`), then base64
    ZlibB64,
    /// `data:application/json;base64,…`
    DataUrl,
    /// a claim inside a signed JWT's payload
    Jwt,
    /// an image's bytes, then the payload, base64 in one run (nothing between them)
    AfterImageB64,
    /// lower-case hex
    Hex,
    /// gzip, then hex
    GzipHex,
    /// hex wrapped at 60 columns (`xxd -p`)
    XxdPlain,
    /// an `xxd` dump: offset, hex in two-byte words, the bytes as text, 16 a line
    XxdDump,
    /// a `hexdump -C` dump: offset, hex bytes in two groups of 8, the text between bars
    HexdumpC,
    /// base64 of the base64
    B64Twice,
    /// UTF-16LE (Windows, PowerShell's `-EncodedCommand`), then base64
    Utf16B64,
    /// quoted-printable (mail): `=3D`, and a soft line break (`=` at the end of a line)
    /// every 76 columns
    Qp,
}

pub const ENCS: &[Enc] = &[
    Enc::Raw,
    Enc::RawPct,
    Enc::Pct1,
    Enc::Pct2,
    Enc::Plus,
    Enc::PctLower,
    Enc::JsonSlash,
    Enc::JsonU,
    Enc::Html,
    Enc::Js,
    Enc::B64,
    Enc::B64Url,
    Enc::B64Unpadded,
    Enc::B64Wrapped,
    Enc::GzipB64,
    Enc::DeflateB64,
    Enc::ZlibB64,
    Enc::DataUrl,
    Enc::Jwt,
    Enc::AfterImageB64,
    Enc::Hex,
    Enc::GzipHex,
    Enc::XxdPlain,
    Enc::XxdDump,
    Enc::HexdumpC,
    Enc::B64Twice,
    Enc::Utf16B64,
    Enc::Qp,
];

/// Is this combination one that real traffic produces?
pub fn applicable(kind: Kind, c: Container, e: Enc, name: &str) -> bool {
    let brackets = name.contains('[');
    let multiline_raw = kind == Kind::Pem && e == Enc::Raw;
    match c {
        // header names are tokens; values cannot hold newlines
        Container::Header => !brackets && !multiline_raw,
        // the context copy is a cookie value
        Container::Echo | Container::EchoKey => kind != Kind::Pem,
        // cookie values hold no spaces, quotes, backslashes, `;` or `,`
        Container::Cookie => {
            !multiline_raw
                && !matches!(
                    e,
                    Enc::JsonSlash
                        | Enc::JsonU
                        | Enc::Html
                        | Enc::Js
                        | Enc::B64Wrapped
                        | Enc::XxdPlain
                        | Enc::XxdDump
                        | Enc::HexdumpC
                        | Enc::Qp
                )
        }
        _ => true,
    }
}

/// Is a case in this container a HAR of one entry (so it can share a file)?
pub fn is_har(c: Container) -> bool {
    !matches!(c, Container::Zip | Container::TarGz | Container::Log)
}

/// A rendered case: the file given to the library and the strings that must come out
/// unchanged.
pub struct Doc {
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
    /// Harmless values planted next to the secret (marker, request id, ETag): each must
    /// occur in the copy exactly as often as in the input.
    pub keep: Vec<String>,
    pub har: bool,
}

fn hexlow(rng: &mut Rng, n: usize) -> String {
    rng.chars(b"0123456789abcdef", n)
}

pub fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        hexlow(rng, 8),
        hexlow(rng, 4),
        hexlow(rng, 3),
        hexlow(rng, 3),
        hexlow(rng, 12)
    )
}

// ---------------------------------------------------------------- encoders

/// encodeURIComponent with upper-case hex.
pub fn pct(s: &str) -> String {
    pct_with(s, b"-_.!~*'()", true)
}

fn pct_with(s: &str, keep: &[u8], upper: bool) -> String {
    let mut o = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            o.push(b as char);
        } else if upper {
            o.push_str(&format!("%{b:02X}"));
        } else {
            o.push_str(&format!("%{b:02x}"));
        }
    }
    o
}

/// application/x-www-form-urlencoded: space as `+`.
pub fn form(s: &str) -> String {
    let mut o = String::new();
    for &b in s.as_bytes() {
        match b {
            b' ' => o.push('+'),
            b'-' | b'_' | b'.' | b'*' => o.push(b as char),
            _ if b.is_ascii_alphanumeric() => o.push(b as char),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

/// What a browser leaves of a value in a URL: reserved and unsafe characters escaped,
/// `%` kept (already-encoded values stay as they are), `=` kept.
fn urlfix(s: &str) -> String {
    pct_with(s, b"-_.!~*'()%=:/?@,;$[]", true)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn json_u(s: &str) -> String {
    let mut o = String::from("\"");
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            o.push(ch);
        } else {
            let mut buf = [0u16; 2];
            for u in ch.encode_utf16(&mut buf) {
                o.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    o.push('"');
    o
}

fn html_entities(s: &str) -> String {
    let mut o = String::new();
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("&quot;"),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            c if c.is_ascii_alphanumeric() || c == ' ' => o.push(c),
            c => o.push_str(&format!("&#x{:X};", c as u32)),
        }
    }
    o
}

fn js_escape_all(s: &str) -> String {
    let mut o = String::new();
    for (i, ch) in s.chars().enumerate() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '/' => o.push_str("\\/"),
            '\n' => o.push_str("\\n"),
            '.' => o.push_str("\\u002e"),
            c if c.is_ascii_alphanumeric() || c == ' ' => o.push(c),
            // alternate the two escape forms JS minifiers and Rails use
            c if i % 2 == 0 => o.push_str(&format!("\\x{:02x}", c as u32)),
            c => o.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    o
}

/// Minimal JS string-literal escaping (inside `"…"`).
fn js_str(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn wrap76(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn compress(kind: u8, data: &[u8]) -> Vec<u8> {
    match kind {
        0 => {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        1 => {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        _ => {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
    }
}

/// The JSON text of a small object carrying `name: secret` (a number for numeric
/// secrets when `num`).
fn payload_json(name: &str, secret: &str, num: bool, rng: &mut Rng) -> String {
    let v = if num {
        secret.to_string()
    } else {
        json_str(secret)
    };
    format!(
        "{{\"user\":\"{}\",{}:{},\"next\":\"/home/{}\"}}",
        rng.chars(LETTERS, 6),
        json_str(name),
        v,
        rng.chars(LETTERS, 5)
    )
}

/// Encode (`name`, `secret`) with `e`: the (slot name, slot value) to put in the
/// container, and whether a JSON container may write the value as a bare number.
pub fn encode(
    e: Enc,
    kind: Kind,
    name: &str,
    secret: &str,
    rng: &mut Rng,
) -> (String, String, bool) {
    let num = kind.numeric() && rng.below(2) == 0;
    let cb = |rng: &mut Rng| {
        format!(
            "https://app.example.com/cb?{}={}&lang=en",
            name,
            pct(secret)
        )
        .replace("cb?", &format!("{}/cb?", rng.chars(LETTERS, 4)))
    };
    let url_slot = |rng: &mut Rng| {
        rng.pick(&["next", "return_to", "redirect", "continue"])
            .to_string()
    };
    let blob_slot = |rng: &mut Rng| rng.pick(&["ctx", "payload", "blob", "meta"]).to_string();
    match e {
        Enc::Raw => (name.to_string(), secret.to_string(), num),
        Enc::RawPct => (name.to_string(), pct(secret), false),
        Enc::Pct1 => {
            let u = cb(rng);
            (url_slot(rng), pct(&u), false)
        }
        Enc::Pct2 => {
            let u = cb(rng);
            (url_slot(rng), pct(&pct(&u)), false)
        }
        Enc::Plus => {
            let p = format!(
                "msg=see you soon&{}={}&lang=en",
                name,
                secret.replace('&', "%26")
            );
            (blob_slot(rng), form(&p), false)
        }
        Enc::PctLower => {
            let u = cb(rng);
            (url_slot(rng), pct_with(&u, b"", false), false)
        }
        Enc::JsonSlash => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), p.replace('/', "\\/"), false)
        }
        Enc::JsonU => {
            let v = if num {
                secret.to_string()
            } else {
                json_u(secret)
            };
            let p = format!(
                "{{{}:{},{}:{}}}",
                json_u("user"),
                json_u("bob"),
                json_u(name),
                v
            );
            (blob_slot(rng), p, false)
        }
        Enc::Html => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), html_entities(&p), false)
        }
        Enc::Js => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), js_escape_all(&p), false)
        }
        Enc::B64 | Enc::B64Url | Enc::B64Unpadded | Enc::B64Wrapped => {
            let p = payload_json(name, secret, num, rng);
            let b = p.as_bytes();
            let v = match e {
                Enc::B64 => b64(b),
                Enc::B64Url => b64url(b),
                Enc::B64Unpadded => b64(b).trim_end_matches('=').to_string(),
                _ => wrap76(&b64(b)),
            };
            (blob_slot(rng), v, false)
        }
        Enc::GzipB64 | Enc::DeflateB64 | Enc::ZlibB64 => {
            let p = payload_json(name, secret, num, rng);
            let k = match e {
                Enc::GzipB64 => 0,
                Enc::DeflateB64 => 1,
                _ => 2,
            };
            (blob_slot(rng), b64(&compress(k, p.as_bytes())), false)
        }
        Enc::AfterImageB64 => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), after_image_b64(p.as_bytes()), false)
        }
        Enc::Hex | Enc::GzipHex | Enc::XxdPlain | Enc::XxdDump | Enc::HexdumpC => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), hex_form(e, p.as_bytes()), false)
        }
        Enc::B64Twice | Enc::Utf16B64 | Enc::Qp => {
            let p = payload_json(name, secret, num, rng);
            (blob_slot(rng), other_form(e, p.as_bytes()), false)
        }
        Enc::DataUrl => {
            let p = payload_json(name, secret, num, rng);
            (
                blob_slot(rng),
                format!("data:application/json;base64,{}", b64(p.as_bytes())),
                false,
            )
        }
        Enc::Jwt => {
            let mut claims = serde_json::Map::new();
            claims.insert(
                "sub".into(),
                json!(format!("user-{}", rng.chars(LETTERS, 6))),
            );
            claims.insert(
                name.to_string(),
                if num {
                    json!(secret.parse::<u64>().unwrap())
                } else {
                    json!(secret)
                },
            );
            claims.insert("iat".into(), json!(1_764_750_000u64));
            (
                rng.pick(&["ctx", "hint", "state_blob"]).to_string(),
                jwt(&Value::Object(claims)),
                false,
            )
        }
    }
}

/// The bare secret encoded with `e` (for an echo of a secret found elsewhere).
pub fn encode_bare(e: Enc, secret: &str) -> String {
    let b = secret.as_bytes();
    match e {
        Enc::Raw | Enc::JsonSlash => secret.to_string(),
        Enc::RawPct | Enc::Pct1 => pct(secret),
        Enc::Pct2 => pct(&pct(secret)),
        Enc::Plus => form(&format!("{secret} ")),
        Enc::PctLower => pct_with(secret, b"", false),
        Enc::JsonU => json_u(secret).trim_matches('"').to_string(),
        Enc::Html => html_entities(secret),
        Enc::Js => js_escape_all(secret),
        Enc::B64 => b64(b),
        Enc::B64Url => b64url(b),
        Enc::B64Unpadded => b64(b).trim_end_matches('=').to_string(),
        Enc::B64Wrapped => wrap76(&b64(format!("{secret}\n{secret}\n").as_bytes())),
        Enc::GzipB64 => b64(&compress(0, b)),
        Enc::DeflateB64 => b64(&compress(1, b)),
        Enc::ZlibB64 => b64(&compress(2, b)),
        Enc::DataUrl => format!("data:text/plain;base64,{}", b64(b)),
        Enc::Jwt => jwt(&json!({"sub": "tracker", "ref": secret})),
        Enc::AfterImageB64 => after_image_b64(js_escape_all(secret).as_bytes()),
        Enc::Hex | Enc::GzipHex | Enc::XxdPlain | Enc::XxdDump | Enc::HexdumpC => hex_form(e, b),
        Enc::B64Twice | Enc::Utf16B64 | Enc::Qp => other_form(e, b),
    }
}

/// `b` as base64 of base64, base64 of UTF-16LE, or quoted-printable.
fn other_form(e: Enc, b: &[u8]) -> String {
    match e {
        Enc::B64Twice => b64(b64(b).as_bytes()),
        Enc::Utf16B64 => {
            let wide: Vec<u8> = String::from_utf8_lossy(b)
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
            b64(&wide)
        }
        _ => {
            // `=`, controls and non-ASCII as `=XX`; a line never longer than 76.
            let mut out = String::new();
            let mut col = 0;
            for &x in b {
                let piece = if x == b'=' || !(0x20..0x7f).contains(&x) {
                    format!("={x:02X}")
                } else {
                    (x as char).to_string()
                };
                if col + piece.len() > 75 {
                    out.push_str("=\r\n");
                    col = 0;
                }
                col += piece.len();
                out.push_str(&piece);
            }
            out
        }
    }
}

/// `c` as a dump's text column shows it: a dot for a byte that is not printable.
fn dump_text(c: &[u8]) -> String {
    c.iter()
        .map(|&x| {
            if (0x20..0x7f).contains(&x) {
                x as char
            } else {
                '.'
            }
        })
        .collect()
}

/// `b` in one of the hex encodings.
fn hex_form(e: Enc, b: &[u8]) -> String {
    let hex = |b: &[u8]| -> String { b.iter().map(|x| format!("{x:02x}")).collect() };
    match e {
        Enc::GzipHex => hex(&compress(0, b)),
        Enc::XxdPlain => hex(b)
            .as_bytes()
            .chunks(60)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n"),
        Enc::HexdumpC => {
            let mut s = String::new();
            for (k, c) in b.chunks(16).enumerate() {
                let bytes: Vec<String> = c.iter().map(|x| format!("{x:02x}")).collect();
                let hex = if bytes.len() > 8 {
                    format!("{}  {}", bytes[..8].join(" "), bytes[8..].join(" "))
                } else {
                    bytes.join(" ")
                };
                let text = dump_text(c);
                s.push_str(&format!("{:08x}  {hex:<48}  |{text}|\n", k * 16));
            }
            s
        }
        Enc::XxdDump => {
            let mut s = String::new();
            for (k, c) in b.chunks(16).enumerate() {
                let words: Vec<String> = c.chunks(2).map(hex).collect();
                let text = dump_text(c);
                s.push_str(&format!("{:08x}: {:<40} {text}\n", k * 16, words.join(" ")));
            }
            s
        }
        _ => hex(b),
    }
}

/// `text` after a PNG's first bytes (mostly not printable, a multiple of 3 long), base64
/// in one run: the text does not decode on its own, and the run does not read as text.
fn after_image_b64(text: &[u8]) -> String {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut x: u32 = 0x2026;
    while b.len() < 300 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        b.push((x >> 24) as u8 | 0x80);
    }
    b.extend_from_slice(text);
    b64(&b)
}

// ---------------------------------------------------------------- containers

struct Base {
    marker: String,
    uuid: String,
    etag: String,
}

fn entry(b: &Base, url: &str) -> Value {
    json!({
        "startedDateTime": "2026-12-03T08:00:00.000Z",
        "time": 42.5,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/2",
            "headers": [
                {"name": ":authority", "value": "app.example.com"},
                {"name": "accept", "value": "application/json, text/plain, */*"},
                {"name": "x-request-id", "value": b.uuid},
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/2",
            "headers": [
                {"name": "content-type", "value": "application/json"},
                {"name": "etag", "value": format!("W/\"{}\"", b.etag)},
            ],
            "cookies": [],
            "content": {"size": 11, "mimeType": "application/json", "text": "{\"ok\":true}"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 11
        },
        "cache": {},
        "timings": {"blocked": 0.5, "dns": -1, "connect": -1, "send": 0.1, "wait": 40.2, "receive": 1.7, "ssl": -1}
    })
}

fn har(entries: Vec<Value>) -> Vec<u8> {
    let h = json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [],
        "entries": entries,
    }});
    serde_json::to_vec_pretty(&h).unwrap()
}

fn post(e: &mut Value, mime: &str, text: String, params: Option<Value>) {
    e["request"]["method"] = json!("POST");
    let mut pd = json!({"mimeType": mime, "text": text});
    if let Some(p) = params {
        pd["params"] = p;
    }
    e["request"]["bodySize"] = json!(text.len());
    e["request"]["postData"] = pd;
}

fn respond(e: &mut Value, mime: &str, text: String) {
    e["response"]["content"] = json!({"size": text.len(), "mimeType": mime, "text": text});
    e["response"]["headers"][0]["value"] = json!(mime);
}

/// A JSON value for the slot: a bare number when allowed.
fn jval(v: &str, num: bool) -> Value {
    if num {
        json!(v.parse::<u64>().unwrap())
    } else {
        json!(v)
    }
}

fn log_text(b: &Base, slot: &str, v: &str, rng: &mut Rng) -> String {
    let line = match rng.below(3) {
        0 => format!(
            "2026-12-03 08:00:02,456 DEBUG [auth] login attempt user=alice {slot}={v} lang=en"
        ),
        1 => format!(
            "2026-12-03 08:00:02,456 DEBUG [http] request params: {{'lang': 'en', '{slot}': '{v}'}}"
        ),
        _ => format!(
            "{{\"ts\":\"2026-12-03T08:00:02Z\",\"level\":\"debug\",\"msg\":\"auth\",{}:{}}}",
            json_str(slot),
            json_str(v)
        ),
    };
    format!(
        "2026-12-03 08:00:01,123 INFO  [http] GET /api/items status=200 request_id={} note={}\n{line}\n2026-12-03 08:00:03,789 INFO  [http] done\n",
        b.uuid, b.marker
    )
}

/// Render a case. `name`/`secret` are the planted credential; `e` the encoding.
pub fn render(c: Container, e: Enc, kind: Kind, name: &str, secret: &str, rng: &mut Rng) -> Doc {
    let base = Base {
        marker: format!("keep-me-{}", rng.chars(LETTERS, 14)),
        uuid: uuid(rng),
        etag: hexlow(rng, 32),
    };
    let (slot, v, num) = encode(e, kind, name, secret, rng);
    let marker = base.marker.clone();
    let keep_all = vec![base.marker.clone(), base.uuid.clone(), base.etag.clone()];
    let doc = |bytes: Vec<u8>, file_name: &'static str, har: bool| Doc {
        file_name,
        bytes,
        keep: keep_all.clone(),
        har,
    };
    let mut en = entry(&base, "https://app.example.com/api/v1/items?lang=en");
    match c {
        Container::Header => {
            let hs = en["request"]["headers"].as_array_mut().unwrap();
            hs.push(json!({"name": slot, "value": v}));
            hs.push(json!({"name": "x-note", "value": marker}));
        }
        Container::Cookie => {
            // every cookie value is redacted by design: the marker goes in a header
            let cookie = format!("theme=dark; {slot}={v}; lang=en");
            let hs = en["request"]["headers"].as_array_mut().unwrap();
            hs.push(json!({"name": "cookie", "value": cookie}));
            hs.push(json!({"name": "x-note", "value": marker}));
            en["request"]["cookies"] = json!([
                {"name": "theme", "value": "dark"},
                {"name": slot, "value": v},
                {"name": "lang", "value": "en"},
            ]);
            // the server set it too
            let sc = format!(
                "{slot}={v}; Path=/; Expires=Thu, 03 Dec 2026 09:00:00 GMT; Secure; HttpOnly"
            );
            en["response"]["headers"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "set-cookie", "value": sc}));
        }
        Container::Query => {
            let fv = urlfix(&v);
            en["request"]["url"] = json!(format!(
                "https://app.example.com/api/v1/items?lang=en&{slot}={fv}&note={marker}"
            ));
            en["request"]["queryString"] = json!([
                {"name": "lang", "value": "en"},
                {"name": slot, "value": fv},
                {"name": "note", "value": marker},
            ]);
        }
        Container::Fragment => {
            en["request"]["url"] = json!(format!(
                "https://app.example.com/oauth/callback#{slot}={}&note={marker}",
                urlfix(&v)
            ));
        }
        Container::Form | Container::FormNoMime => {
            let text = format!("lang=en&{}={}&note={marker}", form(&slot), form(&v));
            if c == Container::Form {
                let params = json!([
                    {"name": "lang", "value": "en"},
                    {"name": slot, "value": v},
                    {"name": "note", "value": marker},
                ]);
                post(
                    &mut en,
                    "application/x-www-form-urlencoded",
                    text,
                    Some(params),
                );
            } else {
                post(&mut en, "text/plain;charset=UTF-8", text, None);
            }
        }
        Container::Multipart => {
            let bd = format!("----WebKitFormBoundary{}", rng.chars(ALNUM, 16));
            let q = |n: &str, rng: &mut Rng| {
                if rng.below(3) == 0 {
                    n.to_string()
                } else {
                    format!("\"{n}\"")
                }
            };
            let mut t = String::new();
            for (n, val) in [
                ("lang", "en"),
                (slot.as_str(), v.as_str()),
                ("note", &marker),
            ] {
                t.push_str(&format!(
                    "--{bd}\r\nContent-Disposition: form-data; name={}\r\n\r\n{val}\r\n",
                    q(n, rng)
                ));
            }
            t.push_str(&format!("--{bd}--\r\n"));
            post(
                &mut en,
                &format!("multipart/form-data; boundary={bd}"),
                t,
                None,
            );
        }
        Container::JsonReq | Container::JsonOctet => {
            let mut m = serde_json::Map::new();
            m.insert("user".into(), json!("alice"));
            m.insert(slot.clone(), jval(&v, num));
            m.insert("note".into(), json!(marker));
            let text = serde_json::to_string(&Value::Object(m)).unwrap();
            let mime = if c == Container::JsonReq {
                "application/json"
            } else {
                "application/octet-stream"
            };
            post(&mut en, mime, text, None);
        }
        Container::JsonResp => {
            let mut m = serde_json::Map::new();
            m.insert("id".into(), json!(rng.below(1000)));
            m.insert(slot.clone(), jval(&v, num));
            let body = json!({"data": {"account": Value::Object(m)}, "note": marker});
            respond(
                &mut en,
                "application/json; charset=utf-8",
                serde_json::to_string_pretty(&body).unwrap(),
            );
        }
        Container::Html => {
            // the Html encoding is already attribute text; anything else gets escaped
            let av = if e == Enc::Html { v.clone() } else { attr(&v) };
            let el = match rng.below(3) {
                0 => format!("<input type=\"hidden\" name=\"{slot}\" value=\"{av}\">"),
                1 => format!("<meta name=\"{slot}\" content=\"{av}\">"),
                _ => format!("<input name=\"{slot}\" type=\"hidden\" value=\"{av}\" />"),
            };
            let text = format!(
                "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>\n<form action=\"/session\" method=\"post\">\n{el}\n<input type=\"text\" name=\"note\" value=\"{marker}\">\n</form>\n</body></html>\n"
            );
            respond(&mut en, "text/html; charset=utf-8", text);
        }
        Container::Js => {
            let jv = if e == Enc::Js { v.clone() } else { js_str(&v) };
            let st = match rng.below(3) {
                0 => format!("localStorage.setItem(\"{slot}\", \"{jv}\");"),
                1 => format!("xhr.setRequestHeader(\"{slot}\", \"{jv}\");"),
                _ => {
                    format!("window.__APP_CONFIG__ = {{\"{slot}\": \"{jv}\", \"env\": \"prod\"}};")
                }
            };
            let text = format!(
                "(function(){{\n  \"use strict\";\n  {st}\n  console.log(\"{marker}\");\n}})();\n"
            );
            respond(&mut en, "application/javascript", text);
        }
        Container::Xml => {
            let field = if slot.contains('[') {
                format!("<param name=\"{}\">{}</param>", attr(&slot), xml(&v))
            } else {
                format!("<{slot}>{}</{slot}>", xml(&v))
            };
            let text = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n<soap:Body>\n<Login xmlns=\"urn:example:auth\">\n<Username>alice</Username>\n{field}\n<Note>{marker}</Note>\n</Login>\n</soap:Body>\n</soap:Envelope>\n"
            );
            post(&mut en, "text/xml; charset=utf-8", text, None);
        }
        Container::WebSocket => {
            en["request"]["url"] = json!("wss://app.example.com/socket");
            en["_resourceType"] = json!("websocket");
            en["response"]["status"] = json!(101);
            let mut m = serde_json::Map::new();
            m.insert("type".into(), json!("auth"));
            m.insert(slot.clone(), jval(&v, num));
            en["_webSocketMessages"] = json!([
                {"type": "send", "time": 1764748800.1, "opcode": 1,
                 "data": serde_json::to_string(&Value::Object(m)).unwrap()},
                {"type": "receive", "time": 1764748800.2, "opcode": 1,
                 "data": format!("{{\"note\":\"{marker}\"}}")},
            ]);
        }
        Container::B64Body => {
            let mut m = serde_json::Map::new();
            m.insert(slot.clone(), jval(&v, num));
            m.insert("note".into(), json!(marker));
            let text = b64(serde_json::to_string(&Value::Object(m)).unwrap().as_bytes());
            en["response"]["content"] = json!({
                "size": text.len(), "mimeType": "application/json", "encoding": "base64", "text": text
            });
            // the marker is inside the base64 body: `preserved` compares decoded bodies
            en["response"]["headers"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "x-note", "value": marker}));
        }
        Container::Zip => {
            let mut m = serde_json::Map::new();
            m.insert("user".into(), json!("alice"));
            m.insert(slot.clone(), jval(&v, num));
            m.insert("note".into(), json!(marker));
            post(
                &mut en,
                "application/json",
                serde_json::to_string(&Value::Object(m)).unwrap(),
                None,
            );
            let bytes = crate::common::build::zip(&[
                ("bundle/README.txt", b"support bundle\n"),
                ("bundle/capture.har", &har(vec![en])),
            ]);
            return doc(bytes, "bundle.zip", false);
        }
        Container::TarGz => {
            let log = log_text(&base, &slot, &v, rng);
            let mut m = serde_json::Map::new();
            m.insert("service".into(), json!("api"));
            m.insert(slot.clone(), jval(&v, num));
            let settings = serde_json::to_string_pretty(&Value::Object(m)).unwrap();
            let tarb = crate::common::build::tar(&[
                ("support/logs/app.log", log.as_bytes()),
                ("support/conf/settings.json", settings.as_bytes()),
            ]);
            let mut d = doc(crate::common::build::gz(&tarb), "support.tar.gz", false);
            d.keep.truncate(2); // no ETag in a log
            return d;
        }
        Container::Echo | Container::EchoKey => {
            let hs = en["request"]["headers"].as_array_mut().unwrap();
            hs.push(json!({"name": "cookie", "value": format!("theme=dark; {name}={secret}")}));
            en["request"]["cookies"] = json!([
                {"name": "theme", "value": "dark"},
                {"name": name, "value": secret},
            ]);
            let echo = encode_bare(e, secret);
            let body = if c == Container::Echo {
                json!({"ok": true, "trace": echo, "note": marker})
            } else {
                let mut m = serde_json::Map::new();
                m.insert(echo, json!({"active": true, "age": 42}));
                json!({"ok": true, "sessions": Value::Object(m), "note": marker})
            };
            respond(
                &mut en,
                "application/json",
                serde_json::to_string(&body).unwrap(),
            );
        }
        Container::Log => {
            let text = log_text(&base, &slot, &v, rng);
            let mut d = doc(text.into_bytes(), "app.log", false);
            d.keep.truncate(2); // no ETag in a log
            return d;
        }
    }
    doc(har(vec![en]), "capture.har", true)
}
