//! HAR bodies stored compressed whatever their `Content-Encoding` says.
//!
//! A base64 body may hold the bytes as sent (gzip, zlib, raw deflate, zstd, brotli,
//! gzip of gzip) under no `Content-Encoding` header, under `identity`, under the
//! matching coding, or under another one. Every combination, under three media types,
//! with the `encoding: base64` marker and without it, must come out with the credential
//! redacted inside the compressed body, the body still decoding the way it was
//! encoded, and every other byte of the HAR unchanged. A gzip or deflate body cut
//! short is read up to the cut; a compressed body that cannot be decoded fails the
//! file (no copy); binary that merely starts like a compressed stream is copied
//! unchanged.

mod common;

use std::io::{Read, Write};

use base64::Engine as _;
use common::{engine, leaks, views};
use harscrub::{clean_bytes, scan_bytes};

const SECRET: &str = "Zq81LmT0pXv2Rk7NaW3sYd5Hc9Uf";

/// The fake secret of body `i` (each body its own, so that a secret learned in one
/// body cannot help redact another).
fn secret(i: usize) -> String {
    format!("P{i:03}x{SECRET}")
}

fn body_with(secret: &str) -> Vec<u8> {
    format!(
        r#"{{"user":"alice","password":"{secret}","items":[1,2,3],"note":"the quick brown fox"}}"#
    )
    .into_bytes()
}

fn body() -> Vec<u8> {
    body_with(SECRET)
}

#[derive(Clone, Copy, Debug)]
enum C {
    Gzip,
    Zlib,
    Deflate,
    Zstd,
    Brotli,
    GzipGzip,
}

fn gzip(d: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(d).unwrap();
    e.finish().unwrap()
}

fn pack(c: C, d: &[u8]) -> Vec<u8> {
    let level = flate2::Compression::default();
    match c {
        C::Gzip => gzip(d),
        C::GzipGzip => gzip(&gzip(d)),
        C::Zlib => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(d).unwrap();
            e.finish().unwrap()
        }
        C::Deflate => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
            e.write_all(d).unwrap();
            e.finish().unwrap()
        }
        C::Zstd => zstd::stream::encode_all(d, 3).unwrap(),
        C::Brotli => {
            let mut e = brotli::CompressorWriter::new(Vec::new(), 4096, 9, 22);
            e.write_all(d).unwrap();
            e.flush().unwrap();
            e.into_inner()
        }
    }
}

/// Undo `c`: None unless `d` is a stream of that coding.
fn unpack(c: C, d: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match c {
        C::Gzip => flate2::read::GzDecoder::new(d).read_to_end(&mut out).ok()?,
        C::GzipGzip => return unpack(C::Gzip, &unpack(C::Gzip, d)?),
        C::Zlib => flate2::read::ZlibDecoder::new(d)
            .read_to_end(&mut out)
            .ok()?,
        C::Deflate => flate2::read::DeflateDecoder::new(d)
            .read_to_end(&mut out)
            .ok()?,
        C::Zstd => {
            out = zstd::stream::decode_all(d).ok()?;
            0
        }
        C::Brotli => brotli::Decompressor::new(d, 4096)
            .read_to_end(&mut out)
            .ok()?,
    };
    Some(out)
}

/// One HAR entry whose response body is `text`, with `Content-Encoding: enc` if any.
fn entry(enc: Option<&str>, mime: &str, text: &str, base64: bool) -> String {
    let headers = match enc {
        Some(e) => format!(
            r#"[{{"name":"Content-Type","value":"{mime}"}},{{"name":"Content-Encoding","value":"{e}"}}]"#
        ),
        None => format!(r#"[{{"name":"Content-Type","value":"{mime}"}}]"#),
    };
    let marker = if base64 {
        r#","encoding":"base64""#
    } else {
        ""
    };
    format!(
        r#"{{"startedDateTime":"2025-01-01T00:00:00.000Z","time":1,"request":{{"method":"GET","url":"https://api.example.com/v1/me","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":{headers},"cookies":[],"content":{{"size":{size},"mimeType":"{mime}"{marker},"text":"{text}"}},"redirectURL":"","headersSize":-1,"bodySize":-1}},"cache":{{}},"timings":{{"send":0,"wait":1,"receive":1}}}}"#,
        size = body().len(),
    )
}

/// A HAR of these entries.
fn doc(entries: &[String]) -> String {
    format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"entries":[{}]}}}}"#,
        entries.join(",")
    )
}

/// A one-entry HAR (see [`entry`]).
fn har(enc: Option<&str>, mime: &str, text: &str, base64: bool) -> String {
    doc(&[entry(enc, mime, text, base64)])
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

/// Every coding (for the bodies with nothing to redact).
const CODINGS: &[C] = &[
    C::Gzip,
    C::Zlib,
    C::Deflate,
    C::Zstd,
    C::Brotli,
    C::GzipGzip,
];
const HEADERS: &[Option<&str>] = &[
    None,
    Some("identity"),
    Some("gzip"),
    Some("deflate"),
    Some("br"),
    Some("zstd"),
    Some("compress"),
];
const MIMES: &[&str] = &["application/json", "text/html", "application/octet-stream"];

/// Every header, media type and marker for one coding, as the entries of one HAR
/// (one clean per coding: a clean costs much more than an entry in a debug build; one
/// test per coding: they run in parallel), each body with its own secret.
fn every_combination(c: C) {
    let mut cases = Vec::new();
    for &enc in HEADERS {
        for &mime in MIMES {
            for base64 in [true, false] {
                let i = cases.len();
                let what =
                    format!("entry {i}: {c:?} under {enc:?}, {mime}, base64 marker {base64}");
                let packed = b64(&pack(c, &body_with(&secret(i))));
                let e = entry(enc, mime, &packed, base64);
                cases.push((what, packed, e));
            }
        }
    }
    let secrets: Vec<String> = (0..cases.len()).map(secret).collect();
    let input = doc(&cases.iter().map(|c| c.2.clone()).collect::<Vec<_>>());
    let out = match clean_bytes(&engine("k"), "t.har", input.as_bytes()) {
        Ok(o) => o.copy,
        Err(err) => panic!("{c:?}: refused: {err:#}"),
    };
    let v: serde_json::Value = serde_json::from_slice(&out).expect("the copy is JSON");
    let mut failures = Vec::new();
    let (mut was, mut now) = (input.clone(), String::from_utf8(out.clone()).unwrap());
    for (i, (what, packed, _)) in cases.iter().enumerate() {
        let text = v["log"]["entries"][i]["response"]["content"]["text"]
            .as_str()
            .unwrap_or_default();
        // Every byte outside the bodies is the input's (compared below).
        was = was.replacen(packed.as_str(), &format!("@{i}@"), 1);
        now = now.replacen(text, &format!("@{i}@"), 1);
        let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(text) else {
            failures.push(format!("{what}: the body is no longer base64: {text}"));
            continue;
        };
        // Still the same coding, and the secret is gone from inside it.
        let Some(plain) = unpack(c, &raw) else {
            failures.push(format!("{what}: the body no longer decodes as {c:?}"));
            continue;
        };
        let plain = String::from_utf8_lossy(&plain).into_owned();
        if plain.contains(&secrets[i]) || !plain.contains("[REDACTED") {
            failures.push(format!("{what}: the decoded body is {plain}"));
        } else if serde_json::from_str::<serde_json::Value>(&plain).is_err() {
            failures.push(format!("{what}: the decoded body is not JSON: {plain}"));
        }
        let found = leaks(&plain, &secrets);
        if !found.is_empty() {
            failures.push(format!("{what}: {found:?}"));
        }
    }
    if was != now {
        failures.push(format!("bytes outside the bodies changed:\n{was}\n{now}"));
    }
    let found = views(&out)
        .iter()
        .flat_map(|v| leaks(v, &secrets))
        .collect::<Vec<_>>();
    if !found.is_empty() {
        failures.push(format!("in the copy: {found:?}"));
    }
    common::assert_no_failures(&format!("{c:?} HAR bodies"), failures);
}

#[test]
fn gzip_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::Gzip);
}

#[test]
fn zlib_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::Zlib);
}

#[test]
fn raw_deflate_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::Deflate);
}

#[test]
fn zstd_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::Zstd);
}

#[test]
fn brotli_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::Brotli);
}

#[test]
fn gzip_of_gzip_bodies_are_cleaned_whatever_the_header_says() {
    every_combination(C::GzipGzip);
}

/// A gzip or deflate body cut off before its end (an aborted download a proxy saved as
/// it was) is read up to the cut: its secrets go, in the copy's body (a whole stream
/// again) and in every view of the copy; cut inside the secret, the part before the
/// cut goes too. A corrupt stream, or a zstd one cut short, still fails the file.
#[test]
fn compressed_bodies_cut_short_are_read_up_to_the_cut_corrupt_ones_fail() {
    let e = engine("k");
    for c in [C::Gzip, C::GzipGzip, C::Zlib, C::Deflate] {
        let whole = pack(c, &body());
        for cut in [6, whole.len() / 3] {
            let part = &whole[..whole.len() - cut];
            let enc = match c {
                C::Zlib | C::Deflate => Some("deflate"),
                _ => Some("gzip"),
            };
            let doc = har(enc, "application/json", &b64(part), true);
            let out = clean_bytes(&e, "t.har", doc.as_bytes())
                .unwrap_or_else(|err| panic!("{c:?} cut by {cut}: {err:#}"))
                .copy;
            let found: Vec<String> = views(&out)
                .iter()
                .flat_map(|v| leaks(v, &[SECRET.to_string()]))
                .collect();
            assert!(found.is_empty(), "{c:?} cut by {cut}: {found:?}");
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let text = v["log"]["entries"][0]["response"]["content"]["text"]
                .as_str()
                .unwrap();
            let raw = base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap();
            let plain =
                String::from_utf8(unpack(c, &raw).unwrap_or(raw.clone())).unwrap_or_default();
            assert!(!plain.contains(&SECRET[..8]), "{c:?} cut by {cut}: {plain}");
        }
    }
    for (c, name, broken) in [
        (C::Gzip, "gzip", {
            let mut b = pack(C::Gzip, &body());
            let n = b.len();
            b[n - 10] ^= 0xff;
            b
        }),
        (C::Zstd, "zstd", {
            let w = pack(C::Zstd, &body());
            w[..w.len() - 6].to_vec()
        }),
    ] {
        for enc in [None, Some(name)] {
            let doc = har(enc, "application/json", &b64(&broken), true);
            let err = clean_bytes(&e, "t.har", doc.as_bytes())
                .map(|_| ())
                .expect_err(&format!("{c:?} broken under {enc:?} was copied"))
                .to_string();
            assert!(
                err.contains("/log/entries/0/response/content/text") && err.contains(name),
                "{err}"
            );
            assert!(!err.contains(SECRET), "{err}");
        }
    }
}

/// A redacted copy's compressed blob read cut short (a view that splits its base64 at a
/// `+` read as a space inflates only a part of it) ends inside what the redaction kept
/// or wrote: a JWT's header or payload, or a placeholder. A blob in a script, cut
/// anywhere, holds nothing to find.
#[test]
fn a_redacted_blob_cut_anywhere_holds_nothing_to_find() {
    let e = engine("k");
    let redacted = r#"{"user":"u","key":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo0MTAyNDQ0ODAwfQ.[REDACTED:jwt:87b14551]","githubToken":"[REDACTED:github-token:b192e167]","next":"/home"}"#;
    let (header, placeholder) = (
        redacted.find("eyJ").unwrap(),
        redacted.find("[REDACTED:github").unwrap(),
    );
    for c in [C::Gzip, C::Zlib] {
        let whole = pack(c, redacted.as_bytes());
        // The cuts whose text ends inside the JWT's header or the token's placeholder.
        let mut inside = 0;
        for n in 12..whole.len() {
            let mut text = Vec::new();
            let _ = match c {
                C::Gzip => flate2::read::GzDecoder::new(&whole[..n]).read_to_end(&mut text),
                _ => flate2::read::ZlibDecoder::new(&whole[..n]).read_to_end(&mut text),
            };
            if text.is_empty() {
                continue;
            }
            let end = text.len();
            if (header + 3..header + 36).contains(&end)
                || (placeholder + 1..placeholder + 32).contains(&end)
            {
                inside += 1;
            }
            let part = b64(&whole[..n]);
            let doc = har(
                None,
                "text/javascript",
                &format!(r#"xhr.setRequestHeader(\"blob\", \"{part}\");"#),
                false,
            );
            let found = scan_bytes(&e, "t.har", doc.as_bytes())
                .unwrap_or_else(|err| panic!("{c:?} cut at {n}: {err}"));
            assert!(found.is_empty(), "{c:?} cut at {n}: {found:?}");
        }
        assert!(inside > 0, "{c:?}");
    }
}

#[test]
fn bodies_that_only_look_compressed_or_hold_nothing_are_copied_unchanged() {
    let e = engine("k");
    // Nothing to redact: the compressed body keeps its bytes.
    for &c in CODINGS {
        let doc = har(
            None,
            "application/json",
            &b64(&pack(c, br#"{"ok":true,"items":[1,2,3]}"#)),
            true,
        );
        assert_eq!(
            clean_bytes(&e, "t.har", doc.as_bytes()).unwrap().copy,
            doc.as_bytes()
        );
    }
    // Binary that starts with a valid zlib header but is not a zlib stream (a protobuf
    // stored decoded, say): read as it is, not refused. (Under `Content-Encoding:
    // deflate` it is refused, as before: the named coding the bytes look like fails.)
    let mut bin = vec![0x78, 0x9c, 0xff, 0xff, 0xff, 0xff];
    bin.extend((0..300u32).map(|i| (i * 37 % 256) as u8));
    for enc in [None, Some("identity"), Some("br")] {
        let doc = har(enc, "application/x-protobuf", &b64(&bin), true);
        assert_eq!(
            clean_bytes(&e, "t.har", doc.as_bytes()).unwrap().copy,
            doc.as_bytes(),
            "{enc:?}"
        );
    }
}
