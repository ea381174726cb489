//! Raw HTTP messages (Fiddler `.saz` members, pasted dumps) and mitmproxy `.mitm`
//! flow dumps, through the library: planted fake secrets never survive, names and
//! structure stay, `Content-Length` and tnetstring length prefixes stay right, and a
//! cleaned copy is clean. Fixtures are in `testdata/other/` (written by
//! `make_fixtures.py`); the real captures in `../shared/corpus/real-har/other-formats/`
//! are used when present.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::build::{gunzip, gz as gzip, zip, zip_members};
use common::contains;
use harscrub::internals::{sniff, tnetstring, Kind};
use harscrub::{clean_bytes, Cleaned, Engine};

const GHP: &str = "ghp_FAKE0fake1FAKE2fake3FAKE4fake5FAKE6f";
const GHP3: &str = "ghp_TnetFAKEstring0123456789abcdefTESTxy";
const SESSION: &str = "s3ss10n-9f86d081884c7d659a2feaa0c55ad015";

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| common::engine("k"))
}

fn other(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/other")
        .join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(other(name)).unwrap()
}

fn secrets(name: &str) -> Vec<String> {
    let s = std::fs::read_to_string(other(name)).unwrap();
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real-har/other-formats");
    p.is_dir().then_some(p)
}

/// Clean, then check that cleaning the copy again finds nothing and changes nothing.
fn clean(name: &str, data: &[u8]) -> Cleaned {
    let e = engine();
    let out = clean_bytes(e, name, data).unwrap_or_else(|err| panic!("{}: {}", name, err));
    let again =
        clean_bytes(e, name, &out.copy).unwrap_or_else(|err| panic!("{} (copy): {}", name, err));
    assert!(
        again.findings.is_empty(),
        "{}: the copy still has findings: {:?}",
        name,
        again.findings
    );
    out
}

fn refused(name: &str, data: &[u8]) -> String {
    match clean_bytes(engine(), name, data) {
        Ok(_) => panic!("{} must be refused", name),
        Err(e) => e.to_string(),
    }
}

fn assert_gone(what: &str, out: &[u8], secrets: &[impl AsRef<str>]) {
    for s in secrets {
        assert!(
            !contains(out, s.as_ref().as_bytes()),
            "{}: secret {:?} survived",
            what,
            s.as_ref()
        );
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn unzlib(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn brotli_pack(data: &[u8]) -> Vec<u8> {
    let mut e = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 20);
    e.write_all(data).unwrap();
    e.flush().unwrap();
    e.into_inner()
}

fn brotli_unpack(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn zstd_pack(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 1).unwrap()
}

fn zstd_unpack(data: &[u8]) -> Vec<u8> {
    zstd::stream::decode_all(data).unwrap()
}

/// Apply a `Content-Encoding` list (in order) to `data`.
fn pack(enc: &str, data: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    for c in enc.split(',').map(str::trim) {
        d = match c {
            "gzip" => gzip(&d),
            "deflate" => zlib(&d),
            "br" => brotli_pack(&d),
            "zstd" => zstd_pack(&d),
            other => panic!("no coding {other}"),
        };
    }
    d
}

/// Undo a `Content-Encoding` list.
fn unpack(enc: &str, data: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    for c in enc.rsplit(',').map(str::trim) {
        d = match c {
            "gzip" => gunzip(&d),
            "deflate" => unzlib(&d),
            "br" => brotli_unpack(&d),
            "zstd" => zstd_unpack(&d),
            other => panic!("no coding {other}"),
        };
    }
    d
}

// ---------------------------------------------------------------------------------
// A minimal reader for raw HTTP messages, to check the copies.

struct Msg {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Msg {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as the application sees it (de-chunked).
    fn payload(&self) -> Vec<u8> {
        if self
            .header("transfer-encoding")
            .is_some_and(|t| t.contains("chunked"))
        {
            dechunk(&self.body)
        } else {
            self.body.clone()
        }
    }
}

/// Split one message; the body is everything after the blank line.
fn split(data: &[u8]) -> Msg {
    let (head_end, body_start) = match data.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(p) => (p, p + 4),
        None => {
            let p = data.windows(2).position(|w| w == b"\n\n").unwrap();
            (p, p + 2)
        }
    };
    let head = String::from_utf8(data[..head_end].to_vec()).unwrap();
    let mut lines = head.lines();
    let start = lines.next().unwrap().to_string();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_string(), v.trim().to_string())
        })
        .collect();
    Msg {
        start,
        headers,
        body: data[body_start..].to_vec(),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap(), 16).unwrap();
        b = &b[nl + 2..];
        if size == 0 {
            assert!(
                b.starts_with(b"\r\n"),
                "chunked body ends with an empty line"
            );
            return out;
        }
        out.extend_from_slice(&b[..size]);
        assert_eq!(&b[size..size + 2], b"\r\n", "chunk data ends with CRLF");
        b = &b[size + 2..];
    }
}

fn assert_length_right(m: &Msg) {
    if let Some(cl) = m.header("content-length") {
        assert_eq!(
            cl.parse::<usize>().unwrap(),
            m.body.len(),
            "Content-Length matches the body"
        );
    }
}

/// A response with these headers (CRLF) and body; Content-Length added.
fn response(headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    for (n, v) in headers {
        out.extend_from_slice(format!("{}: {}\r\n", n, v).as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

fn json_body() -> Vec<u8> {
    format!(
        r#"{{"access_token":"{}","token_type":"bearer","scope":"repo","user":{{"login":"alice"}}}}"#,
        GHP
    )
    .into_bytes()
}

fn check_json_body(what: &str, body: &[u8]) {
    assert_gone(what, body, &[GHP]);
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["token_type"], "bearer", "{}: other values stay", what);
    assert_eq!(v["user"]["login"], "alice");
    assert!(v["access_token"]
        .as_str()
        .unwrap()
        .starts_with("[REDACTED:"));
}

// ---------------------------------------------------------------------------------
// Raw HTTP.

#[test]
fn sniffs_http_and_mitm() {
    assert_eq!(
        sniff(
            "raw/1_s.txt",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
        ),
        Kind::Http
    );
    assert_eq!(
        sniff(
            "raw/1_c.txt",
            b"GET https://h/x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n"
        ),
        Kind::Http
    );
    assert_eq!(
        sniff("notes.txt", b"GET requests are logged here\n"),
        Kind::Text
    );
    assert_eq!(sniff("x.mitm", b"garbage"), Kind::Mitm);
    let flow = tn_flow(b"", b"", b"");
    assert_eq!(sniff("flows", &flow), Kind::Mitm);
    assert_eq!(sniff("flows.txt", &flow[..40]), Kind::Mitm);
    assert_eq!(sniff("log.txt", b"12:30:05 server started\n"), Kind::Text);
}

#[test]
fn raw_request_is_cleaned_keeping_names_and_length() {
    let data = fixture("request.http");
    let out = clean("request.http", &data);
    let copy = &out.copy;
    assert_gone("request.http", copy, &secrets("request.secrets"));
    let m = split(copy);
    assert!(m
        .start
        .starts_with("POST https://api.example.com/v1/login?client=web&access_token=[REDACTED:"));
    assert!(m.start.ends_with(" HTTP/1.1"));
    assert!(m
        .header("authorization")
        .unwrap()
        .starts_with("Bearer [REDACTED:"));
    let cookie = m.header("cookie").unwrap();
    // Every cookie value goes (names stay).
    assert!(cookie.starts_with("session=[REDACTED:") && cookie.contains("; theme=[REDACTED:"));
    assert_eq!(m.header("host"), Some("api.example.com"));
    assert_eq!(m.header("accept"), Some("application/json"));
    let body = String::from_utf8(m.body.clone()).unwrap();
    assert!(body.starts_with("username=alice&password=[REDACTED:"));
    assert!(body.ends_with("&remember=1"));
    assert_length_right(&m);
    // CRLF kept everywhere.
    assert_eq!(
        copy.windows(2).filter(|w| w == b"\r\n").count(),
        data.windows(2).filter(|w| w == b"\r\n").count()
    );
    assert_eq!(
        copy.iter().filter(|&&b| b == b'\n').count(),
        data.iter().filter(|&&b| b == b'\n').count()
    );
    // Findings are located by line:column.
    assert!(out.findings.iter().any(|f| f.location.starts_with("3:")));
    assert!(out.findings.iter().any(|f| f.location.starts_with("9:")));
}

/// A chunked response whose chunk boundary splits a JSON key (`{"access_t` | `oken":
/// …`) is found only once de-chunked; it must be read as a message of its own wherever
/// it sits: right after a request's `Content-Length` body (no line ending between),
/// after a separator line, or after a log line in a text file.
#[test]
fn chunked_response_after_a_message_separator_or_log_line_is_dechunked() {
    let token = "9XChaf688ZLcQSfgXwpbbYbwPNENDjflTh2aGF49";
    let refresh = "1RWL0ztL8NcQKPv3IvVnfHXp7gXtbe";
    let tail = format!(r#"oken": "{token}", "refresh_token": "{refresh}", "x": 1}}"#);
    let resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\na\r\n{{\"access_t\r\n{:x}\r\n{tail}\r\n0\r\n\r\n",
        tail.len()
    );
    let req = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na=b";
    let sep = "\r\n\r\n=====================\r\n\r\n";
    let cases = [
        ("nosep.http", format!("{req}{resp}")),
        ("sep.http", format!("{req}{sep}{resp}")),
        ("sep.txt", format!("{req}{sep}{resp}")),
        ("log.txt", format!("2023-01-01 dumping response:\n{resp}")),
        (
            "logs-around.log",
            format!("2023-01-01 INFO start\n2023-01-01 DEBUG got:\n{resp}2023-01-01 INFO done\n"),
        ),
    ];
    for (name, doc) in &cases {
        let out = clean(name, doc.as_bytes());
        assert_gone(name, &out.copy, &[token, refresh]);
        let copy = String::from_utf8(out.copy.clone()).unwrap();
        // Everything around the redacted body is kept as it was.
        let at = doc.find("HTTP/1.1 200 OK").unwrap();
        assert_eq!(copy[..at], doc[..at], "{name}");
        assert!(
            copy[at..].starts_with(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            ),
            "{name}: {copy}"
        );
        assert!(
            copy.contains(r#"{"access_token": "[REDACTED:"#),
            "{name}: {copy}"
        );
        if name.starts_with("logs-around") {
            assert!(
                copy.ends_with("\r\n0\r\n\r\n2023-01-01 INFO done\n"),
                "{copy}"
            );
        }
    }
    // The same response alone, for comparison, and a log without a message is unchanged.
    let out = clean("alone.http", resp.as_bytes());
    assert_gone("alone.http", &out.copy, &[token, refresh]);
    let log = "2023-01-01 GET /x HTTP/1.1 took 3 ms\nHTTP/1.1 is the protocol\n";
    assert_eq!(clean("plain.log", log.as_bytes()).copy, log.as_bytes());
}

#[test]
fn raw_response_and_exchange_are_cleaned() {
    let data = fixture("response.txt");
    let out = clean("response.txt", &data);
    assert_gone("response.txt", &out.copy, &secrets("response.secrets"));
    let m = split(&out.copy);
    assert!(m
        .header("set-cookie")
        .unwrap()
        .starts_with("sid=[REDACTED:"));
    assert!(m
        .header("set-cookie")
        .unwrap()
        .ends_with("; Path=/; HttpOnly; Secure"));
    assert_length_right(&m);
    let v: serde_json::Value = serde_json::from_slice(&m.body).unwrap();
    assert_eq!(v["expires_in"], 3599);

    // Request and response one after the other, both with a body and a length.
    let mut both = fixture("request.http");
    both.extend_from_slice(b"\r\n");
    both.extend_from_slice(&fixture("response.txt"));
    let out = clean("both.txt", &both);
    let mut all = secrets("request.secrets");
    all.extend(secrets("response.secrets"));
    assert_gone("both.txt", &out.copy, &all);
    let at = out
        .copy
        .windows(17)
        .position(|w| w == b"\r\nHTTP/1.1 200 OK")
        .unwrap();
    let req = split(&out.copy[..at]);
    assert_length_right(&req);
    assert!(req.body.ends_with(b"&remember=1"));
    let resp = split(&out.copy[at + 2..]);
    assert_length_right(&resp);
    assert!(resp
        .header("set-cookie")
        .unwrap()
        .starts_with("sid=[REDACTED:"));

    let data = fixture("exchange.txt");
    let out = clean("exchange.txt", &data);
    assert_gone("exchange.txt", &out.copy, &secrets("exchange.secrets"));
    let text = String::from_utf8(out.copy).unwrap();
    assert!(text.contains("\nAuthorization: token [REDACTED:"));
    assert!(text
        .contains("\nHTTP/1.1 200 OK\nContent-Type: application/json\nSet-Cookie: sid=[REDACTED:"));
    assert!(text.contains(r#"{"name":"alice","password":"[REDACTED:"#));
    assert!(!text.contains('\r'));
}

#[test]
fn gzip_and_deflate_bodies_are_decoded_and_recompressed() {
    for (enc, pack, unpack) in [
        (
            "gzip",
            gzip as fn(&[u8]) -> Vec<u8>,
            gunzip as fn(&[u8]) -> Vec<u8>,
        ),
        ("deflate", zlib, unzlib),
    ] {
        let data = response(
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", enc),
                ("Set-Cookie", &format!("sid={}; Path=/", SESSION)),
            ],
            &pack(&json_body()),
        );
        let out = clean("s.txt", &data);
        let m = split(&out.copy);
        assert_gone(enc, &out.copy, &[SESSION]);
        assert_length_right(&m);
        assert_eq!(m.header("content-encoding"), Some(enc));
        check_json_body(enc, &unpack(&m.body));
        assert!(out.findings.iter().any(|f| f.kind == "cookie"));
    }
    // Nothing to redact: the compressed bytes stay as they were.
    let quiet = response(
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        &gzip(br#"{"hello":"world"}"#),
    );
    assert_eq!(clean("s.txt", &quiet).copy, quiet);
}

#[test]
fn brotli_and_zstd_bodies_are_decoded_and_recompressed() {
    for enc in ["br", "zstd", "zstd, gzip", "gzip, br"] {
        let data = response(
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", enc),
                ("Set-Cookie", &format!("sid={}; Path=/", SESSION)),
            ],
            &pack(enc, &json_body()),
        );
        let out = clean("s.txt", &data);
        let m = split(&out.copy);
        assert_gone(enc, &out.copy, &[SESSION, GHP]);
        assert_length_right(&m);
        assert_eq!(m.header("content-encoding"), Some(enc));
        check_json_body(enc, &unpack(enc, &m.body));
        assert!(out.findings.iter().any(|f| f.kind == "github-token"));
        assert!(out
            .findings
            .iter()
            .any(|f| f.kind == "cookie" && f.name.as_deref() == Some("sid")));
    }
    // Chunked and brotli together.
    let body = brotli_pack(&json_body());
    let cut = body.len() / 2;
    let mut data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in [&body[..cut], &body[cut..]] {
        data.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        data.extend_from_slice(part);
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b"0\r\n\r\n");
    let out = clean("s.txt", &data);
    let m = split(&out.copy);
    check_json_body("chunked br", &brotli_unpack(&m.payload()));
    // Bombs: the ratio limit applies to brotli and zstd too.
    for enc in ["br", "zstd"] {
        let zeros = vec![0u8; 64 << 20];
        let data = response(&[("Content-Encoding", enc)], &pack(enc, &zeros));
        let err = refused("s.txt", &data);
        assert!(err.contains("inflates past the limit"), "{enc}: {err}");
    }
    // Nothing to redact: the compressed bytes stay as they were.
    for enc in ["br", "zstd"] {
        let quiet = response(
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", enc),
            ],
            &pack(enc, br#"{"hello":"world"}"#),
        );
        assert_eq!(clean("s.txt", &quiet).copy, quiet, "{enc}");
    }
}

#[test]
fn chunked_bodies_are_dechunked_and_reemitted_valid() {
    // The token is split over two chunks, and the stream is gzip.
    for gz in [false, true] {
        let body = if gz { gzip(&json_body()) } else { json_body() };
        let cut = body.len() / 2 + 3;
        let mut data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n".to_vec();
        if gz {
            data.extend_from_slice(b"Content-Encoding: gzip\r\n");
        }
        data.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for part in [&body[..cut], &body[cut..]] {
            data.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            data.extend_from_slice(part);
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b"0\r\n\r\n");
        let out = clean("s.txt", &data);
        let m = split(&out.copy);
        let payload = m.payload();
        let plain = if gz { gunzip(&payload) } else { payload };
        check_json_body("chunked", &plain);
        assert_eq!(m.header("transfer-encoding"), Some("chunked"));
    }
    // Malformed chunking is refused.
    let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
    assert!(refused("s.txt", bad).contains("chunk"));
    let short = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\nabc";
    assert!(refused("s.txt", short).contains("chunk"));
}

#[test]
fn undecodable_encodings_and_binary_secrets_are_refused() {
    for enc in ["br", "zstd", "compress"] {
        let data = response(
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", enc),
            ],
            b"\x1b\x07\x03\x00\x1c\x07v3W",
        );
        let err = refused("s.txt", &data);
        assert!(err.contains(enc), "{}", err);
    }
    // Truncated brotli and zstd streams, and bytes after the end of one, fail closed:
    // whatever is in them would go uninspected.
    for enc in ["br", "zstd"] {
        let whole = pack(enc, &json_body());
        let mut trailing = whole.clone();
        trailing.extend_from_slice(format!(" {GHP}").as_bytes());
        for body in [&whole[..whole.len() - 4], &trailing[..]] {
            let data = response(
                &[
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", enc),
                ],
                body,
            );
            let err = refused("s.txt", &data);
            assert!(err.contains(enc) && err.contains("body at"), "{}", err);
            assert!(!err.contains(GHP));
        }
    }
    // An empty body needs no decoding.
    let empty = response(&[("Content-Encoding", "br")], b"");
    assert_eq!(clean("s.txt", &empty).copy, empty);
    // Corrupt gzip fails closed.
    let data = response(&[("Content-Encoding", "gzip")], b"\x1f\x8bnot gzip");
    assert!(refused("s.txt", &data).contains("gzip"));
    // A body shown decoded under its `Content-Encoding` (a response copied from a
    // proxy as displayed) is read as the text it is.
    let body = format!(r#"{{"access_token": "{GHP}"}}"#);
    let data = response(
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        body.as_bytes(),
    );
    let out = String::from_utf8(clean("s.txt", &data).copy).unwrap();
    assert!(
        !out.contains(GHP) && out.contains("Content-Encoding: gzip"),
        "{out}"
    );

    // Images are kept byte for byte...
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend((0..2000u32).map(|i| (i * 7 % 251) as u8));
    let data = response(&[("Content-Type", "image/png")], &png);
    let out = clean("s.txt", &data);
    assert_eq!(out.copy, data);
    // ... unless a token rule matches in them: they cannot be redacted.
    let mut tainted = png.clone();
    tainted.extend_from_slice(format!(" {} ", GHP).as_bytes());
    let data = response(&[("Content-Type", "image/png")], &tainted);
    let err = refused("s.txt", &data);
    assert!(
        err.contains("image/png") && err.contains("cannot be redacted"),
        "{}",
        err
    );
    assert!(!err.contains(GHP));
}

// ---------------------------------------------------------------------------------
// Fiddler archives.

fn make_zip(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let m: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    zip(&m)
}

fn unzip(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    zip_members(data)
        .into_iter()
        .map(|m| (m.name, m.data))
        .collect()
}

/// Decoded view of a raw HTTP member: headers and body, gzip undone.
fn decoded(member: &[u8]) -> Vec<u8> {
    if !(member.starts_with(b"HTTP/")
        || member.starts_with(b"GET ")
        || member.starts_with(b"POST "))
    {
        return member.to_vec();
    }
    let m = split(member);
    let mut out = member[..member.len() - m.body.len()].to_vec();
    let p = m.payload();
    match m.header("content-encoding") {
        Some(enc) => out.extend(unpack(enc, &p)),
        _ => out.extend(p),
    }
    out
}

#[test]
fn saz_built_in_the_test_is_cleaned() {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend((0..500u32).map(|i| (i * 13 % 256) as u8));
    let meta = br#"<?xml version="1.0" encoding="utf-8"?><Session SID="1"><SessionTimers ClientConnected="2025-01-01T00:00:00"/></Session>"#.to_vec();
    let members = vec![
        ("raw/1_c.txt", fixture("request.http")),
        (
            "raw/1_s.txt",
            response(
                &[
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", "gzip"),
                    ("Set-Cookie", &format!("session={}; Path=/", SESSION)),
                ],
                &gzip(&json_body()),
            ),
        ),
        ("raw/1_m.xml", meta.clone()),
        (
            "raw/2_c.txt",
            b"GET https://cdn.example.com/logo.png HTTP/1.1\r\nHost: cdn.example.com\r\n\r\n"
                .to_vec(),
        ),
        (
            "raw/2_s.txt",
            response(&[("Content-Type", "image/png")], &png),
        ),
        ("raw/2_m.xml", meta),
    ];
    let saz = make_zip(&members);
    let out = clean("capture.saz", &saz);
    let got = unzip(&out.copy);
    let names: Vec<_> = got.iter().map(|(n, _)| n.as_str()).collect();
    let want: Vec<_> = members.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, want, "members and their order stay");
    let mut all = secrets("request.secrets");
    all.push(SESSION.into());
    all.push(GHP.into());
    for ((name, new), (_, old)) in got.iter().zip(&members) {
        assert_gone(name, &decoded(new), &all);
        if name.ends_with(".xml") || name.starts_with("raw/2_") {
            assert_eq!(new, old, "{} unchanged", name);
        }
        if name.ends_with(".txt") {
            assert_length_right(&split(new));
        }
    }
    let s1 = split(&got[1].1);
    check_json_body("saz gzip body", &gunzip(&s1.body));
    assert!(out
        .findings
        .iter()
        .any(|f| f.file.contains("!/raw/1_c.txt")));
}

#[test]
fn saz_with_brotli_and_zstd_bodies_is_cleaned() {
    let meta = br#"<?xml version="1.0" encoding="utf-8"?><Session SID="1"></Session>"#.to_vec();
    let mut members = Vec::new();
    for (i, enc) in ["br", "zstd"].iter().enumerate() {
        let n = i + 1;
        members.push((
            format!("raw/{n}_c.txt"),
            b"GET https://api.example.com/v1/me HTTP/1.1\r\nHost: api.example.com\r\nAccept-Encoding: gzip, br, zstd\r\n\r\n".to_vec(),
        ));
        members.push((
            format!("raw/{n}_s.txt"),
            response(
                &[
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", enc),
                    ("Set-Cookie", &format!("session={}; Path=/", SESSION)),
                ],
                &pack(enc, &json_body()),
            ),
        ));
        members.push((format!("raw/{n}_m.xml"), meta.clone()));
    }
    let refs: Vec<(&str, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    let out = clean("coded.saz", &make_zip(&refs));
    let got = unzip(&out.copy);
    assert_eq!(got.len(), members.len());
    for ((name, new), (_, old)) in got.iter().zip(&members) {
        assert_gone(name, &decoded(new), &[SESSION, GHP]);
        if name.ends_with("_s.txt") {
            let m = split(new);
            assert_length_right(&m);
            let enc = m.header("content-encoding").unwrap().to_string();
            check_json_body(name, &unpack(&enc, &m.body));
        } else {
            assert_eq!(new, old, "{name} unchanged");
        }
    }
    assert!(out
        .findings
        .iter()
        .any(|f| f.file.ends_with("!/raw/2_s.txt") && f.kind == "github-token"));
}

#[test]
fn real_saz_captures() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED: ../shared/corpus/real-har/other-formats not found");
        return;
    };
    // Images only: every member comes back, raw bodies byte for byte.
    let data = std::fs::read(dir.join("saz__images.saz")).unwrap();
    let out = clean("saz__images.saz", &data);
    let (a, b) = (unzip(&data), unzip(&out.copy));
    assert_eq!(a.len(), b.len());
    for ((n, x), (m, y)) in a.iter().zip(&b) {
        assert_eq!(n, m);
        if n.ends_with("_s.txt") {
            assert_eq!(x, y, "{}: image response unchanged", n);
        }
    }

    // httpbin: one response is brotli-compressed (raw/3_s.txt); it is decoded,
    // inspected, and the archive gets a verified copy.
    let data = std::fs::read(dir.join("saz__httpbin-test.saz")).unwrap();
    let out = clean("saz__httpbin-test.saz", &data);
    let (a, b) = (unzip(&data), unzip(&out.copy));
    assert_eq!(a.len(), b.len());
    let mut brotli_bodies = 0;
    for ((n, x), (m, y)) in a.iter().zip(&b) {
        assert_eq!(n, m);
        if n.ends_with(".txt") {
            let (before, after) = (split(x), split(y));
            assert_length_right(&after);
            assert_eq!(before.start, after.start);
            if after.header("content-encoding") == Some("br") {
                brotli_bodies += 1;
                // Still a complete brotli stream, of the same text when nothing in it
                // was a credential.
                let plain = brotli_unpack(&after.payload());
                assert!(std::str::from_utf8(&plain).is_ok(), "{n}");
                if x == y {
                    assert_eq!(plain, brotli_unpack(&before.payload()));
                }
            }
        }
    }
    assert!(brotli_bodies >= 1, "the capture has a brotli body");
}

// ---------------------------------------------------------------------------------
// mitmproxy.

/// A tnetstring value, for building flows.
enum T {
    B(Vec<u8>),
    S(&'static str),
    I(i64),
    F(f64),
    Bool(bool),
    Null,
    L(Vec<T>),
    D(Vec<(&'static str, T)>),
}

fn enc(v: &T) -> Vec<u8> {
    let (p, t): (Vec<u8>, u8) = match v {
        T::B(b) => (b.clone(), b','),
        T::S(s) => (s.as_bytes().to_vec(), b';'),
        T::I(i) => (i.to_string().into_bytes(), b'#'),
        T::F(f) => (format!("{:?}", f).into_bytes(), b'^'),
        T::Bool(b) => (b.to_string().into_bytes(), b'!'),
        T::Null => (Vec::new(), b'~'),
        T::L(items) => (items.iter().flat_map(enc).collect(), b']'),
        T::D(members) => (
            members
                .iter()
                .flat_map(|(k, v)| {
                    let mut x = enc(&T::B(k.as_bytes().to_vec()));
                    x.extend(enc(v));
                    x
                })
                .collect(),
            b'}',
        ),
    };
    let mut out = format!("{}:", p.len()).into_bytes();
    out.extend(p);
    out.push(t);
    out
}

fn hdrs(pairs: &[(&str, String)]) -> T {
    T::L(
        pairs
            .iter()
            .map(|(n, v)| {
                T::L(vec![
                    T::B(n.as_bytes().to_vec()),
                    T::B(v.clone().into_bytes()),
                ])
            })
            .collect(),
    )
}

/// One HTTP flow with a websocket message; `req`, `resp` (gzip-compressed here) and
/// `ws` are the bodies.
fn tn_flow(req: &[u8], resp: &[u8], ws: &[u8]) -> Vec<u8> {
    tn_flow_coded(req, resp, ws, "gzip")
}

/// [`tn_flow`] with the response body sent with `Content-Encoding: enc`.
fn tn_flow_coded(req: &[u8], resp: &[u8], ws: &[u8], coding: &'static str) -> Vec<u8> {
    let resp_gz = pack(coding, resp);
    let flow = T::D(vec![
        (
            "request",
            T::D(vec![
                ("method", T::B(b"POST".to_vec())),
                ("scheme", T::B(b"https".to_vec())),
                ("host", T::S("api.example.com")),
                ("port", T::I(443)),
                (
                    "path",
                    T::B(format!("/v1/items?limit=5&access_token={}", GHP3).into_bytes()),
                ),
                ("http_version", T::B(b"HTTP/1.1".to_vec())),
                (
                    "headers",
                    hdrs(&[
                        ("Host", "api.example.com".into()),
                        ("Cookie", format!("sid={}; lang=en", SESSION)),
                        ("content-type", "application/json".into()),
                        ("content-length", req.len().to_string()),
                    ]),
                ),
                ("content", T::B(req.to_vec())),
                ("trailers", T::Null),
                ("timestamp_start", T::F(1693314200.195591)),
            ]),
        ),
        (
            "response",
            T::D(vec![
                ("status_code", T::I(200)),
                ("reason", T::B(b"OK".to_vec())),
                (
                    "headers",
                    hdrs(&[
                        ("content-type", "application/json".into()),
                        ("content-encoding", coding.into()),
                        ("content-length", resp_gz.len().to_string()),
                    ]),
                ),
                ("content", T::B(resp_gz)),
            ]),
        ),
        (
            "websocket",
            T::D(vec![(
                "messages",
                T::L(vec![T::L(vec![
                    T::I(1),
                    T::Bool(true),
                    T::B(ws.to_vec()),
                    T::F(1693314200.33),
                    T::Bool(false),
                    T::Bool(false),
                ])]),
            )]),
        ),
        ("comment", T::S("")),
        ("marked", T::B(Vec::new())),
        ("type", T::B(b"http".to_vec())),
        ("version", T::I(20)),
    ]);
    enc(&flow)
}

/// A flow with nothing to redact.
fn quiet_flow() -> Vec<u8> {
    enc(&T::D(vec![
        (
            "request",
            T::D(vec![
                ("path", T::B(b"/health?verbose=1".to_vec())),
                ("headers", hdrs(&[("Host", "example.com".into())])),
                ("content", T::B(Vec::new())),
            ]),
        ),
        (
            "response",
            T::D(vec![
                (
                    "headers",
                    hdrs(&[("content-type", "application/json".into())]),
                ),
                ("content", T::B(br#"{"ok":true}"#.to_vec())),
            ]),
        ),
        ("type", T::B(b"http".to_vec())),
    ]))
}

/// The shape of a tnetstring: tags and dictionary keys, not string contents.
fn shape(data: &[u8], n: &tnetstring::Node) -> String {
    match n.tag {
        b'}' => {
            let mut s = String::from("{");
            for kv in n.children.chunks(2) {
                s.push_str(&String::from_utf8_lossy(&data[kv[0].payload.clone()]));
                s.push(':');
                s.push_str(&shape(data, &kv[1]));
                s.push(',');
            }
            s + "}"
        }
        b']' => {
            let inner: Vec<String> = n.children.iter().map(|c| shape(data, c)).collect();
            format!("[{}]", inner.join(","))
        }
        b',' | b';' => (n.tag as char).to_string(),
        _ => String::from_utf8_lossy(&data[n.start..n.end]).into_owned(),
    }
}

fn get<'a>(data: &[u8], n: &'a tnetstring::Node, key: &str) -> &'a tnetstring::Node {
    let i = n
        .children
        .chunks(2)
        .position(|kv| &data[kv[0].payload.clone()] == key.as_bytes())
        .unwrap_or_else(|| panic!("no key {}", key));
    &n.children[2 * i + 1]
}

fn header_value(data: &[u8], headers: &tnetstring::Node, name: &str) -> Vec<u8> {
    headers
        .children
        .iter()
        .find(|p| data[p.children[0].payload.clone()].eq_ignore_ascii_case(name.as_bytes()))
        .map(|p| data[p.children[1].payload.clone()].to_vec())
        .unwrap_or_else(|| panic!("no header {}", name))
}

#[test]
fn mitm_flow_built_in_the_test_is_cleaned() {
    let req = format!(r#"{{"name":"item","api_token":"{}","count":2}}"#, GHP3).into_bytes();
    let ws = format!(r#"{{"type":"auth","token":"{}"}}"#, GHP).into_bytes();
    let one = tn_flow(&req, &json_body(), &ws);
    let mut data = one.clone();
    data.extend_from_slice(&quiet_flow());
    for name in ["flows.mitm", "flows"] {
        let out = clean(name, &data);
        let copy = &out.copy;
        assert_gone(name, copy, &[GHP, GHP3, SESSION]);
        let before = tnetstring::parse_all(&data, 64).unwrap();
        let after = tnetstring::parse_all(copy, 64).expect("the copy re-parses");
        assert_eq!(after.len(), 2);
        assert_eq!(
            after[1].end - after[1].start,
            before[1].end - before[1].start
        );
        assert_eq!(
            &copy[after[1].start..],
            &data[before[1].start..],
            "an untouched flow stays byte for byte"
        );
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(shape(&data, a), shape(copy, b), "same structure");
        }
        let f = &after[0];
        let rq = get(copy, f, "request");
        let content = &copy[get(copy, rq, "content").payload.clone()];
        let v: serde_json::Value = serde_json::from_slice(content).unwrap();
        assert_eq!(v["name"], "item");
        assert_eq!(v["count"], 2);
        let h = get(copy, rq, "headers");
        assert_eq!(
            header_value(copy, h, "content-length"),
            content.len().to_string().into_bytes()
        );
        let cookie = String::from_utf8(header_value(copy, h, "cookie")).unwrap();
        assert!(cookie.starts_with("sid=[REDACTED:") && cookie.contains("; lang=[REDACTED:"));
        assert_eq!(header_value(copy, h, "host"), b"api.example.com");
        let path = String::from_utf8(copy[get(copy, rq, "path").payload.clone()].to_vec()).unwrap();
        assert!(path.starts_with("/v1/items?limit=5&access_token=[REDACTED:"));

        let rs = get(copy, f, "response");
        let gz = &copy[get(copy, rs, "content").payload.clone()];
        let h = get(copy, rs, "headers");
        assert_eq!(
            header_value(copy, h, "content-length"),
            gz.len().to_string().into_bytes()
        );
        check_json_body("mitm response", &gunzip(gz));

        let msgs = get(copy, get(copy, f, "websocket"), "messages");
        let m = &msgs.children[0].children[2];
        let v: serde_json::Value = serde_json::from_slice(&copy[m.payload.clone()]).unwrap();
        assert_eq!(v["type"], "auth");
        assert!(v["token"].as_str().unwrap().starts_with("[REDACTED:"));
        assert!(out
            .findings
            .iter()
            .any(|f| f.location == "/0/request/headers/1/1"));
        // Findings name what they are, and the request (from the copy).
        let named = |loc: &str| -> Vec<String> {
            out.findings
                .iter()
                .filter(|f| f.location == loc)
                .filter_map(|f| f.name.clone())
                .collect()
        };
        assert_eq!(named("/0/request/headers/1/1"), ["sid", "lang"]);
        assert_eq!(named("/0/request/path"), ["access_token"]);
        let f = out
            .findings
            .iter()
            .find(|f| f.location == "/0/request/path")
            .unwrap();
        assert_eq!(f.method.as_deref(), Some("POST"));
        let url = f.url.as_deref().unwrap();
        assert!(
            url.starts_with("https://api.example.com/v1/items?limit=5&access_token=[REDACTED:"),
            "{url}"
        );
    }
}

#[test]
fn mitm_flows_with_brotli_and_zstd_bodies_are_cleaned() {
    let req = format!(r#"{{"api_token":"{}"}}"#, GHP3).into_bytes();
    for enc in ["br", "zstd"] {
        let data = tn_flow_coded(&req, &json_body(), b"hello", enc);
        let out = clean("flows.mitm", &data);
        let copy = &out.copy;
        assert_gone(enc, copy, &[GHP, GHP3, SESSION]);
        let before = tnetstring::parse_all(&data, 64).unwrap();
        let after = tnetstring::parse_all(copy, 64).expect("the copy re-parses");
        assert_eq!(shape(&data, &before[0]), shape(copy, &after[0]));
        let rs = get(copy, &after[0], "response");
        let body = &copy[get(copy, rs, "content").payload.clone()];
        let h = get(copy, rs, "headers");
        assert_eq!(header_value(copy, h, "content-encoding"), enc.as_bytes());
        assert_eq!(
            header_value(copy, h, "content-length"),
            body.len().to_string().into_bytes()
        );
        check_json_body(enc, &unpack(enc, body));
        assert!(out
            .findings
            .iter()
            .any(|f| f.location == "/0/response/content" && f.kind == "github-token"));
    }
    // A damaged zstd body fails the file.
    let mut data = tn_flow_coded(&req, &json_body(), b"hello", "zstd");
    let at = contains_at(&data, &[0x28, 0xb5, 0x2f, 0xfd]).unwrap();
    for b in &mut data[at + 4..at + 12] {
        *b = 0xff;
    }
    let err = refused("flows.mitm", &data);
    assert!(err.contains("zstd"), "{}", err);
}

fn contains_at(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn malformed_mitm_is_refused() {
    let good = tn_flow(b"", b"{}", b"x");
    for bad in [
        &good[..good.len() - 1],
        &good[..good.len() / 2],
        b"12:abc,".as_slice(),
        b"5:hello?".as_slice(),
    ] {
        let err = refused("x.mitm", bad);
        assert!(err.contains("tnetstring"), "{}", err);
    }
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"\nnot a tnetstring");
    assert!(refused("x.mitm", &trailing).contains("tnetstring"));
    // Trailing whitespace is fine.
    let mut nl = quiet_flow();
    nl.push(b'\n');
    assert_eq!(clean("x.mitm", &nl).copy, nl);
}

#[test]
fn real_mitm_captures() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED: ../shared/corpus/real-har/other-formats not found");
        return;
    };
    // Websocket flows: previously taken for text (which broke the length prefixes).
    let name = "mitmproxy__websocket.mitm";
    let data = std::fs::read(dir.join(name)).unwrap();
    assert_eq!(sniff("websocket.txt", &data), Kind::Mitm);
    let out = clean(name, &data);
    assert!(!out.findings.is_empty());
    assert!(!contains(
        &out.copy,
        b"VCXCEuvhGcBDP7XhiJJUDvR1e1D3eiVjgZ9VRiaV"
    ));
    let before = tnetstring::parse_all(&data, 64).unwrap();
    let after = tnetstring::parse_all(&out.copy, 64).unwrap();
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(shape(&data, a), shape(&out.copy, b));
    }

    // Some flows hold brotli bodies: they are decoded and inspected, and the file gets
    // a verified copy with every flow.
    let name = "mitmproxy__diff_data.mitm";
    let data = std::fs::read(dir.join(name)).unwrap();
    let out = clean(name, &data);
    let before = tnetstring::parse_all(&data, 64).unwrap();
    let after = tnetstring::parse_all(&out.copy, 64).unwrap();
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(shape(&data, a), shape(&out.copy, b));
    }
    let brotli = before
        .iter()
        .filter(|f| {
            let raw = &data[f.start..f.end];
            contains(raw, b"16:content-encoding,2:br,")
                || contains(raw, b"16:Content-Encoding,2:br,")
        })
        .count();
    assert!(brotli >= 1, "the capture has brotli bodies");
    eprintln!(
        "{}: {} flows ({} with brotli bodies), {} findings",
        name,
        before.len(),
        brotli,
        out.findings.len()
    );
}

#[test]
fn damaged_inputs_never_panic() {
    let mut inputs = vec![
        ("s.txt", fixture("request.http")),
        (
            "s.txt",
            response(
                &[
                    ("Content-Encoding", "gzip"),
                    ("Content-Type", "application/json"),
                ],
                &gzip(&json_body()),
            ),
        ),
        (
            "x.mitm",
            tn_flow(&json_body(), &json_body(), b"hello there"),
        ),
    ];
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    chunked.extend_from_slice(format!("{:x}\r\n", json_body().len()).as_bytes());
    chunked.extend_from_slice(&json_body());
    chunked.extend_from_slice(b"\r\n0\r\nX-Trailer: 1\r\n\r\n");
    inputs.push(("s.txt", chunked));
    for (name, data) in &inputs {
        let step = (data.len() / 150).max(1);
        for cut in (0..data.len()).step_by(step) {
            let mut flipped = data.clone();
            flipped[cut] ^= 0x5a;
            for d in [&data[..cut], &flipped[..]] {
                // Whatever is accepted holds no rule-shaped token any more.
                if let Ok(o) = clean_bytes(engine(), name, d) {
                    assert_gone(name, &o.copy, &[GHP, GHP3]);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// HAR bodies stored as sent: base64 of the compressed bytes, under the response's
// Content-Encoding.

fn har_with_body(enc: &str, text: &str, b64: bool, mime: &str) -> Vec<u8> {
    let content = if b64 {
        serde_json::json!({"size": 1, "mimeType": mime, "text": text, "encoding": "base64"})
    } else {
        serde_json::json!({"size": 1, "mimeType": mime, "text": text})
    };
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
        "entries": [{"startedDateTime": "2025-01-01T00:00:00Z", "time": 1,
            "request": {"method": "GET", "url": "https://api.example.com/v1/me", "httpVersion": "HTTP/1.1",
                "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Content-Type", "value": mime}, {"name": "content-encoding", "value": enc}],
                "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": 1},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}]}});
    serde_json::to_vec_pretty(&har).unwrap()
}

fn har_body_bytes(har: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let v: serde_json::Value = serde_json::from_slice(har).unwrap();
    let t = v["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    base64::engine::general_purpose::STANDARD.decode(t).unwrap()
}

#[test]
fn har_base64_bodies_stored_compressed_are_decoded_and_recompressed() {
    use base64::Engine as _;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    for enc in ["gzip", "deflate", "br", "zstd", "br, gzip"] {
        let har = har_with_body(
            enc,
            &b64(&pack(enc, &json_body())),
            true,
            "application/json",
        );
        let out = clean("coded.har", &har);
        assert_gone(enc, &out.copy, &[GHP]);
        check_json_body(enc, &unpack(enc, &har_body_bytes(&out.copy)));
        assert!(
            out.findings.iter().any(|f| f.kind == "github-token"
                && f.location == "/log/entries/0/response/content/text"),
            "{enc}: {:?}",
            out.findings
        );
    }
    // Stored decoded (what browsers do) under the same headers: read as it is.
    for enc in ["br", "zstd", "gzip"] {
        let har = har_with_body(
            enc,
            &String::from_utf8(json_body()).unwrap(),
            false,
            "application/json",
        );
        let out = clean("decoded.har", &har);
        assert_gone(enc, &out.copy, &[GHP]);
        let har = har_with_body(enc, &b64(&json_body()), true, "application/json");
        let out = clean("decoded.har", &har);
        check_json_body(enc, &har_body_bytes(&out.copy));
    }
    // Binary stored decoded under a br header (a protobuf Chrome decoded, an image):
    // not brotli, so read as it is, not refused.
    let mut bin = vec![0x0a, 0x03, 0x00, 0xff, 0xfe];
    bin.extend((0..300u32).map(|i| (i * 37 % 256) as u8));
    let har = har_with_body("br", &b64(&bin), true, "application/x-protobuf");
    assert_eq!(clean("bin.har", &har).copy, har);
    // Nothing to redact: the compressed body stays byte for byte.
    let quiet = har_with_body(
        "zstd",
        &b64(&zstd_pack(br#"{"ok":true}"#)),
        true,
        "application/json",
    );
    assert_eq!(clean("quiet.har", &quiet).copy, quiet);
}

/// A zstd body cut short fails the file; a gzip body cut short is read up to the cut
/// (`har_body_codings.rs` has every coding).
#[test]
fn har_bodies_that_cannot_be_decoded_fail_the_file() {
    use base64::Engine as _;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    for enc in ["gzip", "zstd"] {
        let whole = pack(enc, &json_body());
        let har = har_with_body(
            enc,
            &b64(&whole[..whole.len() - 6]),
            true,
            "application/json",
        );
        if enc == "gzip" {
            let out = clean("cut.har", &har);
            assert!(!contains(&out.copy, GHP));
            assert_eq!(out.findings.len(), 1);
            continue;
        }
        let err = refused("broken.har", &har);
        assert!(
            err.contains("/log/entries/0/response/content/text") && err.contains(enc),
            "{err}"
        );
        assert!(!err.contains(GHP));
    }
}

/// Text that starts with the letters of a media signature (`BM`, `ID3`, `OggS`) is
/// text: its credentials are found and redacted by their format (a CSV column, an env
/// name), alone and inside archives, and the rest of it is kept.
#[test]
fn text_starting_like_media_is_text() {
    let pw = "CbJzXeT4Tee0p0-fake";
    let sk = "RfGLcr0JePtE2wrpP7mD4HQb8GeavjTEQFAKEkey";
    let csv = format!("BMI,name,password\r\n22.4,bob,{pw}\r\n");
    let env = format!("BMC_URL=https://example.test\nBMC_SK={sk}\n");
    let id3 = format!("ID3 title,owner,password\nSong,ann,{pw}\n");
    for (name, text) in [("bmi.csv", &csv), ("bm.env", &env), ("id3.csv", &id3)] {
        assert_eq!(sniff(name, text.as_bytes()), Kind::Text, "{name}");
        let out = clean(name, text.as_bytes());
        assert_gone(name, &out.copy, &[pw, sk]);
        assert!(!out.findings.is_empty(), "{name}");
        let first = text.lines().next().unwrap();
        assert!(contains(&out.copy, first.as_bytes()), "{name}: {first}");
    }
    let z = zip(&[
        ("export/bmi.csv", csv.as_bytes()),
        ("etc/bm.env", env.as_bytes()),
    ]);
    let out = clean("bundle.zip", &z);
    let members = zip_members(&out.copy);
    assert_eq!(members.len(), 2);
    for m in members {
        assert_gone(&m.name, &m.data, &[pw, sk]);
    }
    let out = clean("bmi.csv.gz", &gzip(csv.as_bytes()));
    assert_gone("bmi.csv.gz", &gunzip(&out.copy), &[pw]);
}

/// Clean a text document built in the test; the copy as a string.
fn clean_text(name: &str, doc: &str) -> String {
    String::from_utf8(clean(name, doc.as_bytes()).copy).unwrap()
}

/// The copy of `doc` must be `expect` with each `@` standing for one placeholder.
fn assert_shape(what: &str, copy: &str, expect: &str) {
    let mut rest = copy;
    let parts: Vec<&str> = expect.split('@').collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(
            rest.starts_with(part),
            "{what}: expected {expect:?}, got {copy:?}"
        );
        rest = &rest[part.len()..];
        if i + 1 < parts.len() {
            assert!(
                rest.starts_with("[REDACTED:"),
                "{what}: expected {expect:?}, got {copy:?}"
            );
            rest = &rest[rest.find(']').unwrap() + 1..];
        }
    }
    assert!(rest.is_empty(), "{what}: expected {expect:?}, got {copy:?}");
}

/// A quoted env value continued over the next lines (double or single quotes) is
/// redacted up to its closing quote; the quotes and the next variable stay. A stray
/// quote does not swallow the lines after it.
#[test]
fn multi_line_quoted_env_values_are_redacted_whole() {
    let a = "Vq7Lm2Wp9Rv4Tk8Z";
    let b = "Hn5Vq8Jr2Xw7Mc4Ld9Pz3Kb";
    for q in ['"', '\''] {
        let doc = format!("SIGNING_SECRET={q}first\n{a}\n{b}{q}\nOTHER=1\n");
        let copy = clean_text("app.env", &doc);
        assert_gone(".env", copy.as_bytes(), &[a, b, "first"]);
        assert_shape(".env", &copy, &format!("SIGNING_SECRET={q}@{q}\nOTHER=1\n"));
    }
    let doc = format!("DB_PASSWORD=\"{a}\nNAME=\"build-42\"\nREGION=eu-west-1\n");
    let copy = clean_text("app.env", &doc);
    assert_gone("stray quote", copy.as_bytes(), &[a]);
    assert!(
        copy.ends_with("\nNAME=\"build-42\"\nREGION=eu-west-1\n"),
        "{copy}"
    );
}

/// TOML's and Python's triple-quoted strings opened at the end of the line: the text
/// between the quotes is redacted, the quotes stay; an empty one is no value.
#[test]
fn triple_quoted_values_starting_on_the_next_line() {
    let s = "Qx7Lm2Wp9Rv4Tk8Zb3Nc6Yh";
    for (name, doc, shape) in [
        (
            "config.toml",
            format!("title = \"x\"\n[db]\npassword = \"\"\"\n{s}\"\"\"\nport = 5432\n"),
            "title = \"x\"\n[db]\npassword = \"\"\"\n@\"\"\"\nport = 5432\n",
        ),
        (
            "config.toml",
            format!("[db]\npassword = '''\n{s}'''\n"),
            "[db]\npassword = '''\n@'''\n",
        ),
        (
            "settings.py",
            format!("DB_PASSWORD = \"\"\"\n{s}\n\"\"\"\nDEBUG = False\n"),
            "DB_PASSWORD = \"\"\"\n@\n\"\"\"\nDEBUG = False\n",
        ),
    ] {
        let copy = clean_text(name, &doc);
        assert_gone(name, copy.as_bytes(), &[s]);
        assert_shape(name, &copy, shape);
    }
    let empty = "API_TOKEN = \"\"\"\n\"\"\"\nSECRET_KEY = '''\n'''\n";
    assert_eq!(clean_text("settings.py", empty), empty);
}

/// A value continued on the more indented lines after its key: an INI value after
/// `password =`, a YAML double-quoted or plain scalar over two lines.
#[test]
fn continued_values_in_ini_and_yaml() {
    let s = "Wq7Lm2Wp9Rv4Tk8Zb3";
    let t = "Yh5Vq8Jr2Xw7Mc4L";
    for (name, doc, shape) in [
        (
            "app.ini",
            format!("[db]\npassword =\n    {s}\nhost = x\n"),
            "[db]\npassword =\n    @\nhost = x\n",
        ),
        (
            "app.yaml",
            format!("db:\n  password: \"{s}\n    {t}\"\n  host: x\n"),
            "db:\n  password: \"@\"\n  host: x\n",
        ),
        (
            "app.yaml",
            format!("db:\n  password: {s}\n    {t}\n  host: x\n"),
            "db:\n  password: @\n  host: x\n",
        ),
    ] {
        let copy = clean_text(name, &doc);
        assert_gone(name, copy.as_bytes(), &[s, t]);
        assert_shape(name, &copy, shape);
    }
}

/// A YAML anchor on a password stays (the alias that refers to it is no value of its
/// own), and a PEM block in a double-quoted scalar keeps both its quotes.
#[test]
fn yaml_anchors_and_quoted_pem_keep_their_syntax() {
    let s = "Zq8sLw3tRk9mXp2Yt5";
    let doc = format!("db:\n  password: &dbpw {s}\nreplica:\n  password: *dbpw\n");
    let copy = clean_text("app.yaml", &doc);
    assert_gone("anchor", copy.as_bytes(), &[s]);
    assert_shape(
        "anchor",
        &copy,
        "db:\n  password: &dbpw @\nreplica:\n  password: *dbpw\n",
    );
    // Without an alias, a value starting with `&` is a password like any other.
    let copy = clean_text("app.log", "password: &Kq8sd Lw3tRk9mXp2\n");
    assert_gone("no alias", copy.as_bytes(), &["&Kq8sd", "Lw3tRk9mXp2"]);
    let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0";
    let doc = format!(
        "tls:\n  private_key: \"-----BEGIN RSA PRIVATE KEY-----\\n{body}\\n-----END RSA PRIVATE KEY-----\\n\"\n  host: x\n"
    );
    let copy = clean_text("app.yaml", &doc);
    assert_gone("pem", copy.as_bytes(), &[body]);
    assert_shape("pem", &copy, "tls:\n  private_key: \"@\"\n  host: x\n");
}

/// CSV records: a quoted field holding a line break (LF or CRLF) does not shift the
/// rows after it; a row wider than the header keeps its columns; a header name in
/// brackets (and so a file starting with `[`) is a column name.
#[test]
fn csv_columns_follow_records() {
    let a = "Kq8s7dHf6Gv5Wm3N";
    let b = "Lt3Mz9Qa1Xc4Vb7N";
    for (doc, shape) in [
        (
            format!("id,notes,api_token\n1,\"line1\nline2\",\"{a}\"\n2,x,\"{b}\"\n"),
            "id,notes,api_token\n1,\"line1\nline2\",\"@\"\n2,x,\"@\"\n".to_string(),
        ),
        (
            format!("id,comment,token\r\n1,\"multi\r\nline\",{a}\r\n2,x,{b}\r\n"),
            "id,comment,token\r\n1,\"multi\r\nline\",@\r\n2,x,@\r\n".to_string(),
        ),
        (
            format!("user,password\nbob,{a},extra,cols\nann,{b}\n"),
            "user,password\nbob,@,extra,cols\nann,@\n".to_string(),
        ),
        (
            format!("[id],password,token\n1,{a},{b}\n"),
            "[id],password,token\n1,@,@\n".to_string(),
        ),
        (
            format!("[id],[password]\n1,{a}\n"),
            "[id],[password]\n1,@\n".to_string(),
        ),
    ] {
        let copy = clean_text("export.csv", &doc);
        assert_gone("csv", copy.as_bytes(), &[a, b]);
        assert_shape("csv", &copy, &shape);
    }
}

/// A kubeconfig's `client-key-data:` (a base64 PEM key on one line, unpadded) followed
/// by the next list item or key at a lesser indent: the value is redacted whole and the
/// next line stays as it was (it was once read as the last line of a wrapped blob).
#[test]
fn kubeconfig_key_data_before_the_next_item() {
    use base64::Engine as _;
    let body: String = (0..6)
        .map(|i| {
            format!(
                "{}\n",
                "Kq8sLw3tRk9mXp2Yt5Zb7Nc4Vd6Fg1Hj"
                    .repeat(2)
                    .replacen('K', &i.to_string(), 1)
            )
        })
        .collect();
    // A key whose base64 has no padding (a length that is a multiple of 3).
    let mut pem = format!("-----BEGIN EC PRIVATE KEY-----\n{body}-----END EC PRIVATE KEY-----\n");
    while pem.len() % 3 != 0 {
        pem.insert(0, '\n');
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&pem);
    assert!(!b64.ends_with('='));
    for (indent, next) in [
        ("    ", "- name: basic\n  user:\n    username: x\n"),
        ("", "name: basic\n"),
        ("  ", "hello world\n"),
    ] {
        let doc = format!(
            "users:\n- name: admin\n  user:\n{indent}client-certificate-data: LS0tLS1CRUdJTiBDRVJU\n{indent}client-key-data: {b64}\n{next}"
        );
        let copy = clean_text("kubeconfig.yaml", &doc);
        assert_gone(
            "kubeconfig",
            copy.as_bytes(),
            &[&b64[..40], &b64[b64.len() - 40..]],
        );
        assert_shape(
            "kubeconfig",
            &copy,
            &format!("users:\n- name: admin\n  user:\n{indent}client-certificate-data: LS0tLS1CRUdJTiBDRVJU\n{indent}client-key-data: @\n{next}"),
        );
    }
}

/// An Azure Service Bus connection string (its key padded with `=` at the end of a
/// line longer than quoted-printable allows) followed by another line: the `=` is the
/// key's padding, no soft line break joining the next line to it. The key is redacted
/// alone and the next line (a SAS URL, prose, a pair) stays readable.
#[test]
fn padded_key_at_the_end_of_a_long_line_is_no_soft_break() {
    // Random bytes in base64 (no "FAKE" marker: such a value is read differently).
    for key in [
        "OA5FirPV5kP5ZbFJ+Mkrz/k3G7pg9VxtHSuIu6yyppw=",
        "RzZ3o6Qs+QgBgby8Jm2NZTqf8Xa5C1sD3KDBsI24/+jcagZ/bZ7rAPVekx8x3i8HU12FnxApPAGL1mBoieOqYA==",
    ] {
        service_bus_then(key);
    }
}

fn service_bus_then(key: &str) {
    let sig = "3d2a130ed007411b158beb83e2bb3444b5bb6d4d114c5032447b07024f478188";
    let cs = format!(
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={key}"
    );
    for (next, shape) in [
        (
            format!("https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig={sig}"),
            "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=@".to_string(),
        ),
        ("hello world".to_string(), "hello world".to_string()),
        ("se=2030-01-01".to_string(), "se=2030-01-01".to_string()),
    ] {
        let doc = format!("{cs}\n{next}\n");
        let copy = clean_text("settings.txt", &doc);
        assert_gone("service bus", copy.as_bytes(), &[key, &key[..20], sig]);
        assert_shape(
            "service bus",
            &copy,
            &format!(
                "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=@\n{shape}\n"
            ),
        );
    }
}

/// A `.har` holding a JSON object without the `log` wrapper (`{"entries": […]}`), or
/// whose `log` has no `entries`: cleaned as JSON (by key names), not refused. A HAR
/// nested deeper than the JSON limit is refused as a limit, saying so.
#[test]
fn har_without_log_is_cleaned_as_json() {
    let tok = "woGCnSE7vSOjy3BdPhw3Y6aqWIVdtyau";
    let pw = "ZKYivBnrRg1y7Jw641RIFXIpeUcfikk6";
    let entry = format!(
        r#"{{"startedDateTime": "2024-05-01T10:00:00.000Z", "time": 12.5, "request": {{"method": "GET", "url": "https://x.example.com/?token={tok}", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [{{"name": "X-Api-Key", "value": "{pw}"}}], "queryString": [], "headersSize": -1, "bodySize": -1}}, "response": {{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [], "content": {{"size": 0, "mimeType": "application/json", "text": ""}}, "redirectURL": "", "headersSize": -1, "bodySize": -1}}, "cache": {{}}, "timings": {{"send": 1, "wait": 10, "receive": 1.5}}}}"#
    );
    for doc in [
        format!(r#"{{"entries": [{entry}]}}"#),
        format!(r#"{{"log": {{"version": "1.2", "pages": [{entry}]}}}}"#),
    ] {
        let copy = clean_text("capture.har", &doc);
        assert_gone("no log", copy.as_bytes(), &[tok, pw]);
        assert!(
            copy.contains("\"url\": \"https://x.example.com/?token=[REDACTED:"),
            "{copy}"
        );
        serde_json::from_str::<serde_json::Value>(&copy).expect("still JSON");
    }
    // A DevTools performance trace saved as `.har`: JSON, nothing to redact.
    let trace = fixture("devtools-trace.har");
    assert_eq!(clean("trace.har", &trace).copy, trace);
    let deep = format!(
        r#"{{"log": {{"version": "1.2", "entries": [{{"cache": {}{{"password": "{pw}"}}{}}}]}}}}"#,
        "[".repeat(1000),
        "]".repeat(1000)
    );
    let m = refused("deep.har", deep.as_bytes());
    assert!(
        m.contains("nesting deeper than") && m.contains("/log/entries/0"),
        "{m}"
    );
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// UTF-16 text without a byte order mark (a Windows tool's export): recognised by its
/// NUL bytes, cleaned as the text it holds, and written back in UTF-16 the same way
/// (no BOM added). One that does not decode is refused saying so.
#[test]
fn utf16_text_without_a_bom() {
    let pw = "Qx7Lm2Wp9Rv4Tk8Zb3Nc6Yh";
    let ghp = GHP;
    for (name, doc) in [
        (
            "export.log",
            format!("2024-05-01 10:00:00 INFO login password={pw}\r\nAuthorization: token {ghp}\r\nok\r\n"),
        ),
        ("settings.json", format!("{{\"password\": \"{pw}\", \"user\": \"bob\"}}")),
    ] {
        let data = utf16le(&doc);
        let out = clean(name, &data);
        assert!(!out.findings.is_empty(), "{name}: nothing found");
        assert_eq!(out.copy.len() % 2, 0, "{name}");
        assert_ne!(&out.copy[..2], &[0xFF, 0xFE], "{name}: a BOM was added");
        let units: Vec<u16> = out
            .copy
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let text = String::from_utf16(&units).expect("UTF-16");
        assert_gone(name, text.as_bytes(), &[pw, ghp]);
        assert!(text.contains("[REDACTED:"), "{name}: {text}");
    }
    // Big-endian too.
    let be: Vec<u8> = format!("password={pw}\n")
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let out = clean("be.txt", &be);
    assert!(!contains(&out.copy, &utf16le(pw)[1..]));
    // A lone surrogate: refused, saying why.
    let mut bad = utf16le(&format!("password={pw}\n"));
    bad.extend_from_slice(&[0x00, 0xD8]);
    let m = refused("bad.log", &bad);
    assert!(m.contains("UTF-16"), "{m}");
}

/// A header line in markup in a text file ends at its closing tag; an Authorization
/// pair in a map printed by Java or Kotlin ends at the next `, name=` or at `}`. A
/// value that goes on otherwise is still taken to the end of its line.
#[test]
fn scheme_values_end_at_tags_and_map_separators() {
    let t = "FAKEtokenAbc123def456ghi789jklMNOpqr";
    for (doc, shape) in [
        (
            format!("<p>Authorization: Bearer {t}</p>\n"),
            "<p>Authorization: Bearer @</p>\n",
        ),
        (
            format!("<p>\nAuthorization: Bearer {t}</p>\n"),
            "<p>\nAuthorization: Bearer @</p>\n",
        ),
        (
            format!("request headers={{authorization=Bearer {t}, accept=*/*}}\n"),
            "request headers={authorization=Bearer @, accept=*/*}\n",
        ),
        (
            format!("headers: {{Content-Type=application/json, Authorization=Bearer {t}}} done\n"),
            "headers: {Content-Type=application/json, Authorization=Bearer @} done\n",
        ),
        // A table of headers: the next cell is markup and text of its own.
        (
            format!("<tr><td>Authorization: Bearer {t}</td><td>200 OK</td></tr>\n"),
            "<tr><td>Authorization: Bearer @</td><td>200 OK</td></tr>\n",
        ),
        (
            format!("Authorization: Bearer {t}</td><td>200 OK</td></tr>\n"),
            "Authorization: Bearer @</td><td>200 OK</td></tr>\n",
        ),
    ] {
        let copy = clean_text("app.log", &doc);
        assert_gone("scheme", copy.as_bytes(), &[t]);
        assert_shape("scheme", &copy, shape);
    }
    // Not a token's end: the rest of the line stays redacted.
    let u = "Zq8sLw3tRk9mXp2Yt5";
    for doc in [
        format!("request headers={{authorization=Bearer {t},{u}}}\n"),
        format!("request headers={{authorization=Bearer {t}}}{u}, accept=*/*}}\n"),
        format!("Authorization: Bearer {t}</p>{u}\n"),
        format!("Authorization: Bearer {t}</p> {u}\n"),
    ] {
        let copy = clean_text("app.log", &doc);
        assert_gone("scheme", copy.as_bytes(), &[t, u]);
    }
}

/// Compressed files harscrub does not open (zstd, 7-Zip, RAR) are refused by their
/// signature, the error naming the format and what to do; a damaged bzip2 stream
/// fails as bzip2.
#[test]
fn unopened_compressions_are_refused_by_name() {
    let mut bz = b"BZh91AY&SY".to_vec();
    bz.extend_from_slice(b"\x12\x34not really compressed password=Qx7Lm2Wp9Rv4Tk8Zb3");
    let zst = zstd_pack(b"password=Qx7Lm2Wp9Rv4Tk8Zb3\n");
    for (name, data, what) in [
        ("logs.tar.bz2", bz, "bzip2 stream"),
        ("logs.tar.zst", zst, "zstd"),
        (
            "logs.7z",
            b"7z\xBC\xAF\x27\x1C\x00\x04text".to_vec(),
            "7-Zip",
        ),
    ] {
        let m = refused(name, &data);
        assert!(m.contains(what), "{name}: {m}");
        assert!(
            name.ends_with(".bz2") || m.contains("no copy written"),
            "{name}: {m}"
        );
    }
}

/// Text with NUL bytes in it is text: a log that `logrotate`'s `copytruncate` left
/// starting with a run of NULs, a stray NUL in a log, a NUL-separated
/// `/proc/PID/environ`. Its secrets go, its NULs stay, a NUL ends a value as a line
/// break does; binary with NULs (and other control bytes) is still refused.
#[test]
fn text_with_nul_bytes_is_cleaned_binary_is_not() {
    let pw = "Xq7vR2pLm9wTz4Kd";
    let mut rotated = vec![0u8; 9000];
    rotated.extend_from_slice(format!("2024 INFO token={GHP}\n2024 INFO ok\n").as_bytes());
    let stray = format!("INFO a\nINFO b\0\nINFO password={pw}\n").into_bytes();
    let environ = format!("PATH=/usr/bin\0DB_PASSWORD={pw}\0HOME=/root\0").into_bytes();
    for (name, doc, secret) in [
        ("app.log", &rotated, GHP),
        ("app.log", &stray, pw),
        ("environ", &environ, pw),
    ] {
        assert_eq!(sniff(name, doc), Kind::Text, "{name}");
        let out = clean_bytes(engine(), name, doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!contains(&out.copy, secret), "{name}");
        assert_eq!(out.findings.len(), 1, "{name}");
        let nuls = |d: &[u8]| d.iter().filter(|&&b| b == 0).count();
        assert_eq!(nuls(&out.copy), nuls(doc), "{name}");
    }
    let out = clean_bytes(engine(), "environ", &environ).unwrap();
    assert!(
        out.copy.ends_with(b"\0HOME=/root\0"),
        "the value ends at its NUL"
    );
    // Binary: NULs among other control bytes, or bytes that are not UTF-8.
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    assert_eq!(sniff("state.db", &binary), Kind::Unknown);
    assert!(clean_bytes(engine(), "state.db", &binary).is_err());
}

/// Secrets of shapes of their own: an OpenVPN static key in a `.ovpn` profile and as a
/// file, and a JWE (five parts) under a name that says nothing. The lines around them
/// stay.
#[test]
fn openvpn_static_keys_and_jwe_tokens() {
    let hex = "6acef03f62675b4b1bbd03e53b187727";
    let block = format!(
        "-----BEGIN OpenVPN Static key V1-----\n{hex}\n423cea742242106cb2916a8a4c829756\n-----END OpenVPN Static key V1-----\n"
    );
    let profile = format!(
        "client\nremote vpn.example.com 1194\n<tls-auth>\n{block}</tls-auth>\nkey-direction 1\n"
    );
    let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRpFAKEfake0123456789EXAMPLEkey.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpFAKEciphertext.XFBoMYUZodetZdvTiFvSkQ";
    let json = format!(r#"{{"data": "{jwe}", "kind": "encrypted"}}"#);
    for (name, doc, secret, kept) in [
        (
            "client.ovpn",
            profile.as_str(),
            hex,
            "</tls-auth>\nkey-direction 1\n",
        ),
        (
            "ta.key",
            block.as_str(),
            hex,
            "-----END OpenVPN Static key V1-----\n",
        ),
        (
            "state.json",
            json.as_str(),
            "OKOawDo13gRp",
            r#""kind": "encrypted""#,
        ),
    ] {
        let out = clean(name, doc.as_bytes());
        let text = String::from_utf8(out.copy).unwrap();
        assert!(!text.contains(secret), "{name}: {text}");
        assert!(text.contains(kept), "{name}: {text}");
        assert_eq!(out.findings.len(), 1, "{name}");
    }
}

/// SQL rows by column: an `INSERT` of several rows (quotes doubled inside a literal,
/// MySQL's backquoted names) and a `pg_dump` `COPY … FROM stdin` block. The credential
/// columns go; ids, emails, dates, `NULL` and `\N`, and a table without such a column
/// stay.
#[test]
fn sql_rows_by_column() {
    let dump = "INSERT INTO `tokens` (`id`,`user_id`,`token`,`created_at`) VALUES (1,42,'Zq8Lm2Wp9Rv4xYt6','2024-01-01'),(2,43,'It''s9Kd8sPq2Lm4Vx',NULL);\n\
INSERT INTO settings (name, value) VALUES ('theme', 'dark');\n\
COPY public.users (id, email, api_token) FROM stdin;\n\
1\ta@example.com\tRmNN2r01HgV2V7WErYOTO6TiA3gaAXJLhFz9KjA2\n\
2\tb@example.com\t\\N\n\
\\.\n\
SELECT 1;\n";
    let out = clean("dump.sql", dump.as_bytes());
    let text = String::from_utf8(out.copy).unwrap();
    for secret in ["Zq8Lm2Wp9Rv4xYt6", "s9Kd8sPq2Lm4Vx", "RmNN2r01HgV2V7WE"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    for kept in [
        "VALUES (1,42,'[REDACTED:",
        "','2024-01-01'),(2,43,'[REDACTED:",
        "',NULL);\n",
        "VALUES ('theme', 'dark');",
        "1\ta@example.com\t[REDACTED:",
        "2\tb@example.com\t\\N\n\\.\nSELECT 1;\n",
    ] {
        assert!(text.contains(kept), "{kept:?}: {text}");
    }
    assert_eq!(out.findings.len(), 3);
    // Keywords in any common case, a row on the lines after `VALUES`.
    let mixed = "Insert Into keys (id, api_key)\n  Values (3, 'Mm1nNb2vVc3xXz4');\n";
    let text = String::from_utf8(clean("keys.sql", mixed.as_bytes()).copy).unwrap();
    assert!(
        text.starts_with("Insert Into keys (id, api_key)\n  Values (3, '[REDACTED:"),
        "{text}"
    );
}

/// Hex dumps of an HTTP request (`xxd`, `hexdump -C` with CRLF line ends, `tcpdump -X`
/// with a packet line before it, Wireshark's "copy as hex dump", `od -A x -t x1z`):
/// the credentials in the dumped bytes, cut across lines in both columns, lose every
/// byte, and the dump keeps its lines, offsets and columns (its text column still
/// shows its bytes), so the copy still reads as a dump. Also inside a HAR body.
#[test]
fn hex_dumps_lose_the_credentials_of_the_bytes_they_show() {
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlX2Zha2VfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MA";
    let request = format!(
        "POST /api/me HTTP/1.1\r\nHost: app.example.com\r\nAuthorization: Bearer {JWT}\r\n\
         Cookie: theme=dark; session={SESSION}\r\nContent-Type: application/json\r\n\r\n\
         {{\"token\": \"{GHP}\", \"note\": \"dump\"}}\x00\x01\x02"
    );
    let bytes = request.as_bytes();
    let shown = |b: u8| {
        if (0x20..0x7f).contains(&b) {
            b as char
        } else {
            '.'
        }
    };
    // One dump line: the offset as the tool writes it, the bytes in hex in groups of
    // `group` bytes, padded to a full line's width, and the text column between `wrap`.
    let line = |offset: String, c: &[u8], group: usize, upper: bool, wrap: (&str, &str)| {
        let hex: Vec<String> = c
            .chunks(group)
            .map(|p| {
                p.iter()
                    .map(|b| {
                        if upper {
                            format!("{b:02X}")
                        } else {
                            format!("{b:02x}")
                        }
                    })
                    .collect()
            })
            .collect();
        let width = 16 / group * (2 * group + 1) - 1;
        let text: String = c.iter().map(|&b| shown(b)).collect();
        format!(
            "{offset}{:<width$}  {}{text}{}",
            hex.join(" "),
            wrap.0,
            wrap.1
        )
    };
    type Offset = fn(usize) -> String;
    // (tool, offset, bytes a group, upper-case hex, text column between, line break)
    type Format<'a> = (&'a str, Offset, usize, bool, (&'a str, &'a str), &'a str);
    let formats: [Format; 5] = [
        ("xxd", |o| format!("{o:08x}: "), 2, false, ("", ""), "\n"),
        (
            "hexdump -C",
            |o| format!("{o:08x}  "),
            1,
            false,
            ("|", "|"),
            "\r\n",
        ),
        (
            "tcpdump -X",
            |o| format!("\t0x{o:04x}:  "),
            2,
            false,
            ("", ""),
            "\n",
        ),
        (
            "wireshark",
            |o| format!("{o:04x}   "),
            1,
            true,
            ("", ""),
            "\n",
        ),
        ("od", |o| format!("{o:06x} "), 1, false, (">", "<"), "\n"),
    ];
    for (what, offset, group, upper, wrap, eol) in formats {
        let mut dump =
            String::from("12:00:01.000000 IP 10.0.0.1.51234 > 10.0.0.2.80: Flags [P.], length 300");
        dump.push_str(eol);
        for (k, c) in bytes.chunks(16).enumerate() {
            dump.push_str(&line(offset(k * 16), c, group, upper, wrap));
            dump.push_str(eol);
        }
        let out = clean(&format!("{what}.txt"), dump.as_bytes());
        let plain = clean("request.txt", bytes).findings.len();
        assert!(plain >= 3);
        assert_eq!(out.findings.len(), plain, "{what}: {:?}", out.findings);
        let copy = String::from_utf8(out.copy.clone()).unwrap();
        let (old, new): (Vec<&str>, Vec<&str>) =
            (dump.split(eol).collect(), copy.split(eol).collect());
        assert_eq!(old.len(), new.len(), "{what}");
        // Each dump line keeps its offset and its columns; its text column still shows
        // its hex column's bytes.
        let mut decoded = Vec::new();
        for (o, n) in old.iter().zip(&new).skip(1).filter(|(o, _)| !o.is_empty()) {
            assert_eq!(o.len(), n.len(), "{what}: {n}");
            let cut = o.find([' ', ':']).unwrap();
            assert_eq!(o[..cut], n[..cut], "{what}");
            let k = (decoded.len()) / 16 * 16;
            let c = &bytes[k..(k + 16).min(bytes.len())];
            let digits: String = n
                .split_whitespace()
                .skip(1)
                .take_while(|t| t.len() % 2 == 0 && t.chars().all(|ch| ch.is_ascii_hexdigit()))
                .collect::<String>();
            let line_bytes: Vec<u8> = (0..digits.len() / 2)
                .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap())
                .take(c.len())
                .collect();
            let text: String = line_bytes.iter().map(|&b| shown(b)).collect();
            assert!(n.contains(&text), "{what}: {n} does not show {text}");
            decoded.extend(line_bytes);
        }
        assert_eq!(decoded.len(), bytes.len(), "{what}");
        for secret in [&JWT[JWT.len() - 20..], &JWT[..20], SESSION, GHP] {
            assert!(
                !contains(&decoded, secret),
                "{what}: {secret} in the dumped bytes"
            );
            for piece in secret.as_bytes().chunks(8) {
                assert!(!contains(&out.copy, piece), "{what}: {piece:?} in the copy");
            }
        }
        assert!(contains(&decoded, "Cookie: theme="), "{what}");
        assert!(contains(&decoded, "; session=****"), "{what}");
        assert!(contains(&decoded, "\"note\": \"dump\""), "{what}");
        // In a HAR body too.
        let har = serde_json::json!({"log": {"version": "1.2", "entries": [{
            "request": {"method": "GET", "url": "https://support.example.com/", "headers": []},
            "response": {"status": 200, "headers": [],
                         "content": {"mimeType": "text/plain", "text": dump}}}]}});
        let out = clean(&format!("{what}.har"), har.to_string().as_bytes());
        assert_eq!(
            out.findings.len(),
            plain,
            "{what} in a HAR: {:?}",
            out.findings
        );
        for piece in [&JWT[JWT.len() - 8..], &SESSION[..8], &GHP[..8]] {
            assert!(!contains(&out.copy, piece), "{what} in a HAR: {piece}");
        }
    }
}

/// `bytes` in hex, two bytes a word, as `tcpdump -x` and `xxd` write a line.
fn hex_words(bytes: &[u8]) -> String {
    let words: Vec<String> = bytes
        .chunks(2)
        .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    words.join(" ")
}

/// A request captured in two packets, each dumped from offset 0 (`tcpdump -X`, a
/// packet line before each): the JWT and the GitHub token cut between the packets are
/// read whole, and neither half is left in either dump.
#[test]
fn a_credential_cut_between_two_dumped_packets_is_read_whole() {
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlX2Zha2VfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MA";
    let dump = |data: &[u8]| {
        let mut s = String::from("12:00:01.000000 IP 10.0.0.1.51234 > 10.0.0.2.80: length 99\n");
        for (k, c) in data.chunks(16).enumerate() {
            let text: String = c
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            s.push_str(&format!(
                "\t0x{:04x}:  {:<39}  {text}\n",
                k * 16,
                hex_words(c)
            ));
        }
        s
    };
    for (secret, cut) in [(JWT, JWT.len() - 15), (GHP, 12)] {
        let request = format!(
            "GET /api/me HTTP/1.1\r\nHost: app.example.com\r\nAuthorization: Bearer {secret}\r\nAccept: */*\r\n\r\n"
        );
        let at = request.find(secret).unwrap() + cut;
        let text = dump(&request.as_bytes()[..at]) + &dump(&request.as_bytes()[at..]);
        let out = clean("capture.txt", text.as_bytes());
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let copy = String::from_utf8(out.copy).unwrap();
        assert_eq!(copy.lines().count(), text.lines().count());
        // The text columns (from column 51 of each dump line), joined.
        let shown: String = copy
            .lines()
            .filter(|l| l.starts_with("\t0x"))
            .map(|l| &l[51..])
            .collect();
        assert!(shown.contains("Host: app.example.com"), "{shown}");
        for piece in [&secret[cut - 8..cut], &secret[cut..cut + 8]] {
            assert!(!shown.contains(piece), "{piece}: {shown}");
        }
    }
}

/// `tcpdump -x` dumps a packet as offsets and hex only, no text column: the
/// credentials of the request it carries (after the packet's binary headers) become
/// `2a` bytes, and every line keeps its offset and its length.
#[test]
fn a_dump_without_a_text_column_loses_its_credentials() {
    let request = format!(
        "GET /repos HTTP/1.1\r\nHost: api.github.com\r\nAuthorization: token {GHP}\r\nCookie: theme=dark; sid={SESSION}\r\n\r\n"
    );
    let mut packet = vec![0x45, 0x00, 0x00, 0x99];
    packet.extend([0u8; 36]);
    packet.extend(request.as_bytes());
    let mut dump = String::from("12:00:00.000 IP 10.0.0.1.5555 > 140.82.1.1.80: length 99\n");
    for (k, c) in packet.chunks(16).enumerate() {
        dump.push_str(&format!("\t0x{:04x}:  {}\n", k * 16, hex_words(c)));
    }
    let out = clean("capture.txt", dump.as_bytes());
    let plain = clean("request.txt", request.as_bytes()).findings.len();
    assert!(plain >= 2);
    assert_eq!(out.findings.len(), plain, "{:?}", out.findings);
    let copy = String::from_utf8(out.copy).unwrap();
    let mut bytes = Vec::new();
    for (old, new) in dump.lines().zip(copy.lines()).skip(1) {
        assert_eq!(old.len(), new.len(), "{new}");
        assert_eq!(old[..9], new[..9]);
        let digits: String = new[9..].split_whitespace().collect();
        bytes.extend(
            (0..digits.len() / 2)
                .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap()),
        );
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("Authorization: token ****"), "{text}");
    assert!(text.contains("Cookie: theme="), "{text}");
    assert!(text.contains("; sid=****"), "{text}");
    assert!(
        !text.contains(&GHP[4..12]) && !text.contains(&SESSION[..8]),
        "{text}"
    );
}

/// `xxd -p` prints bytes as bare hex wrapped at 60 characters, here after the command
/// line that ends in a word (`request.bin`) and in a log with a `\u` escape elsewhere:
/// the request's token is read across the lines and goes, and the hex stays wrapped
/// at 60 with its raw line breaks.
#[test]
fn plain_hex_wrapped_by_xxd_loses_its_credentials() {
    let request = format!("GET / HTTP/1.1\r\nAuthorization: token {GHP}\r\n\r\n");
    let hex: String = request.bytes().map(|b| format!("{b:02x}")).collect();
    let lines: Vec<&str> = hex
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    assert!(lines.len() >= 3);
    let log = format!(
        "$ xxd -p request.bin\n{}\nname=caf\\u00e9\n",
        lines.join("\n")
    );
    let out = clean("support.log", log.as_bytes());
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    let copy = String::from_utf8(out.copy).unwrap();
    let dump: Vec<&str> = copy
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("name="))
        .collect();
    assert!(dump.len() >= 2, "{copy}");
    assert!(
        dump[..dump.len() - 1].iter().all(|l| l.len() == 60),
        "{copy}"
    );
    let joined: String = dump.concat();
    let bytes: Vec<u8> = (0..joined.len() / 2)
        .map(|i| u8::from_str_radix(&joined[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("GET / HTTP/1.1\r\nAuthorization: token [REDACTED:"),
        "{text}"
    );
    assert!(copy.ends_with("\nname=caf\\u00e9\n"), "{copy}");
}

/// A JSON body compressed and written as hex: read inflated, and written back as
/// hex of the same compression.
#[test]
fn compressed_hex_loses_its_credentials() {
    use std::io::{Read, Write};
    let body = format!(r#"{{"refresh_token": "{SESSION}", "user": "bob"}}"#);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(body.as_bytes()).unwrap();
    let hex: String = z
        .finish()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = clean("blob.txt", format!("state={hex}\n").as_bytes());
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    let copy = String::from_utf8(out.copy).unwrap();
    let run = copy.trim_end().strip_prefix("state=").unwrap();
    let raw: Vec<u8> = (0..run.len() / 2)
        .map(|i| u8::from_str_radix(&run[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let mut plain = String::new();
    flate2::read::ZlibDecoder::new(&raw[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert!(
        plain.starts_with(r#"{"refresh_token": "[REDACTED:"#),
        "{plain}"
    );
    assert!(plain.ends_with(r#"", "user": "bob"}"#), "{plain}");
}

/// Base64 of UTF-16LE text: PowerShell's `-EncodedCommand` in a log, a Windows tool's
/// output in a JSON field. The credential inside is replaced, and the blob is written
/// back as base64 of UTF-16LE with everything else in it as it was.
#[test]
fn base64_of_utf16_text_loses_its_credentials() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    let wide = |t: &str| -> Vec<u8> { t.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let narrow = |b: &[u8]| -> String {
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    };
    let script = format!(
        "Invoke-RestMethod -Uri https://api.github.com/user -Headers @{{Authorization='token {GHP}'}}"
    );
    let blob = STANDARD.encode(wide(&script));
    let log = format!("12:00:01 powershell.exe -NoProfile -EncodedCommand {blob}\n");
    let json = format!(
        "{{\"tool\":\"collector.exe\",\"output\":\"{}\"}}\n",
        STANDARD.encode(wide(&format!(
            "{{\"password\": \"{SESSION}\", \"user\": \"bob\"}}"
        )))
    );
    for (name, doc, prefix) in [
        (
            "ps.log",
            log,
            "12:00:01 powershell.exe -NoProfile -EncodedCommand ",
        ),
        (
            "tool.json",
            json,
            "{\"tool\":\"collector.exe\",\"output\":\"",
        ),
    ] {
        let out = clean(name, doc.as_bytes());
        assert_eq!(out.findings.len(), 1, "{name}: {:?}", out.findings);
        let copy = String::from_utf8(out.copy).unwrap();
        let rest = copy.strip_prefix(prefix).unwrap();
        let run: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        let text = narrow(&STANDARD.decode(&run).unwrap());
        assert!(
            !text.contains(&GHP[4..]) && !text.contains(SESSION),
            "{text}"
        );
        assert!(text.contains("[REDACTED:"), "{text}");
        if name == "ps.log" {
            assert!(text.starts_with("Invoke-RestMethod -Uri https://api.github.com/user"));
            assert!(text.contains("@{Authorization='token [REDACTED:"), "{text}");
        } else {
            assert!(text.starts_with("{\"password\": \"[REDACTED:"), "{text}");
            assert!(text.ends_with("\", \"user\": \"bob\"}"), "{text}");
        }
    }
}

/// Text copied from a terminal has a line break wherever a line reached the
/// terminal's width, cutting a token in two. The two lines are read as one: the JWT of
/// an `Authorization` header cut at 80, 100, 120 or 132 columns (CRLF too) loses its
/// signature, whichever line it ends on.
#[test]
fn tokens_wrapped_at_a_terminals_width_are_read_whole() {
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlX2Zha2VfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MA";
    let signature = &JWT[JWT.rfind('.').unwrap() + 1..];
    let text = format!(
        "$ curl -v https://app.example.com/api/me\n> GET /api/me HTTP/1.1\n\
         > Authorization: Bearer {JWT}\n> Accept: */*\n"
    );
    for width in [80, 100, 120, 132] {
        for eol in ["\n", "\r\n"] {
            let mut wrapped = String::new();
            for line in text.lines() {
                let mut l = line;
                while l.len() > width {
                    wrapped.push_str(&l[..width]);
                    wrapped.push_str(eol);
                    l = &l[width..];
                }
                wrapped.push_str(l);
                wrapped.push_str(eol);
            }
            let out = clean("console.txt", wrapped.as_bytes());
            assert!(!out.findings.is_empty(), "{width}");
            for piece in signature.as_bytes().chunks(8) {
                assert!(!contains(&out.copy, piece), "{width}: {piece:?}");
            }
            assert!(contains(&out.copy, "> Accept: */*"), "{width}");
        }
    }
}

/// A base64 blob wrapped with raw line breaks, in a text whose percent escapes are
/// elsewhere (`?q=a%20b` on another line): when the percent layer reads the whole
/// text (as it does read whole, and in a window that reaches the blob), the blob holds
/// no escape of that layer, so its redacted copy is written back as the blob stood,
/// line breaks raw, not as `%0D%0A`. (Written percent-encoded, the copy's blob no
/// longer read as one and its verification failed: no copy.)
#[test]
fn a_blob_with_no_percent_escape_is_written_back_unescaped() {
    use base64::Engine as _;
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlX2Zha2VfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MA";
    let inner = format!(r#"{{"user":"udogbl","secret":"{JWT}","next":"/home/x"}}"#);
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let log = format!(
        "2026-12-03 08:00:01,123 INFO  [http] GET /api/items?q=a%20b status=200\r\n\
         2026-12-03 08:00:02,456 DEBUG [http] request params: {{'lang': 'en', 'ctx': '{}'}}\r\n\
         2026-12-03 08:00:03,789 INFO  [http] done\r\n",
        lines.join("\r\n")
    );
    let mut whole = common::engine("k");
    whole.set_whole_layers(true);
    for engine in [engine(), &whole] {
        let out = clean_bytes(engine, "app.log", log.as_bytes()).unwrap();
        assert!(!out.findings.is_empty());
        let copy = String::from_utf8(out.copy).unwrap();
        assert!(!copy.contains("%0D%0A"), "{copy}");
        let blob: String = copy
            .split("'ctx': '")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap()
            .replace("\r\n", "");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(blob)
            .unwrap();
        let decoded = String::from_utf8(decoded).unwrap();
        assert!(
            decoded.contains(&JWT[..JWT.rfind('.').unwrap()]),
            "{decoded}"
        );
        assert!(
            !decoded.contains(&JWT[JWT.rfind('.').unwrap()..]),
            "{decoded}"
        );
    }
}
