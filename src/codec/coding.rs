//! HTTP content codings: undone to inspect a body, redone when the body changed.
//!
//! `gzip` (`x-gzip`), `deflate` (zlib-wrapped or raw), `br` (brotli) and `zstd`. Every
//! decoder is strict: a truncated or corrupt stream, or bytes left over after the end
//! of a brotli or zstd stream, is an error, so that nothing in a body goes uninspected
//! (the caller fails the document: no copy). Decoding is bounded by a cap given by the
//! caller (the ratio limit of the body as sent); a body that inflates past it is refused.
//!
//! Used by raw HTTP messages (`.saz` members, dumps), mitmproxy flows and base64 bodies
//! of HAR entries whose response says how they were encoded.

use std::io::{Read, Write};

use anyhow::{bail, Context, Result};

use crate::engine::Limits;
use crate::error::limit_error;

/// A content coding harscrub can undo and redo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    /// `deflate` as RFC 9110 means it: a zlib stream.
    Zlib,
    /// `deflate` as some servers send it: raw deflate without the zlib wrapper.
    RawDeflate,
    Brotli,
    /// (Decoded and encoded only with the `zstd` feature.)
    #[cfg_attr(not(feature = "zstd"), allow(dead_code))]
    Zstd,
}

/// The codings of a `Content-Encoding` value: comma-separated tokens applied in order,
/// several header lines concatenated with commas. `identity` and empty tokens are
/// dropped; an unknown coding is an error (a body that cannot be inspected).
pub fn parse(v: &[u8]) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for t in v.split(|&b| b == b',') {
        let t = t.trim_ascii().to_ascii_lowercase();
        match t.as_slice() {
            b"" | b"identity" => {}
            b"gzip" | b"x-gzip" => out.push("gzip"),
            b"deflate" => out.push("deflate"),
            b"br" => out.push("br"),
            b"zstd" => out.push("zstd"),
            other => bail!(
                "body with Content-Encoding: {} cannot be inspected (harscrub decodes gzip, \
                 deflate, br and zstd): no copy written",
                String::from_utf8_lossy(other)
            ),
        }
    }
    Ok(out)
}

/// Does `d` start the way a stream of `coding` must start? gzip, zlib and zstd carry a
/// signature; brotli and raw deflate have none (always true).
pub fn has_signature(coding: &str, d: &[u8]) -> bool {
    match coding {
        "gzip" => d.starts_with(&[0x1f, 0x8b]),
        "zstd" => is_zstd(d),
        _ => true,
    }
}

/// A zstd frame (magic `28 B5 2F FD`) or a skippable frame (`?0..?F 2A 4D 18`).
pub fn is_zstd(d: &[u8]) -> bool {
    d.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || (d.len() >= 4 && d[0] & 0xf0 == 0x50 && d[1..4] == [0x2a, 0x4d, 0x18])
}

/// Does `d` start with a valid zlib header (deflate method, header checksum)?
pub fn is_zlib(d: &[u8]) -> bool {
    d.len() >= 2 && d[0] & 0x0f == 8 && (u16::from(d[0]) << 8 | u16::from(d[1])) % 31 == 0
}

/// Read at most `cap + 1` bytes of a gzip or deflate stream into `buf`. A stream cut
/// off before its end (an aborted download a proxy saved as it was) gives what was
/// sent: everything before the cut decodes, and that is all anyone can read of it. A
/// corrupt stream (a bad checksum, an invalid block) is an error.
fn up_to_its_end(r: impl Read, cap: u64, buf: &mut Vec<u8>) -> std::io::Result<()> {
    match r.take(cap + 1).read_to_end(buf) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !buf.is_empty() => Ok(()),
        r => r.map(drop),
    }
}

/// Undo one coding of `raw`, reading at most `cap + 1` bytes of output (the caller
/// checks the cap). Errors name the coding.
pub fn decode(raw: &[u8], coding: &str, cap: u64) -> Result<(Vec<u8>, Coding)> {
    let mut buf = Vec::new();
    let c = match coding {
        "gzip" => {
            up_to_its_end(flate2::read::MultiGzDecoder::new(raw), cap, &mut buf)
                .context("gzip body cannot be decompressed")?;
            Coding::Gzip
        }
        "br" => {
            // The whole body fits the input buffer, so after the end of the stream the
            // decoder can tell whether bytes were left over (one more read errs then).
            let mut d = brotli::Decompressor::new(raw, raw.len().max(4096));
            let what = "br (brotli) body cannot be decompressed";
            (&mut d).take(cap + 1).read_to_end(&mut buf).context(what)?;
            if buf.len() as u64 <= cap {
                let mut probe = [0u8; 1];
                if d.read(&mut probe).context(what)? != 0 {
                    bail!("{what}: data after the end of the stream");
                }
            }
            Coding::Brotli
        }
        "zstd" => {
            if !is_zstd(raw) {
                bail!("zstd body cannot be decompressed: not a zstd frame");
            }
            #[cfg(feature = "zstd")]
            zstd::stream::read::Decoder::with_buffer(raw)
                .context("zstd body cannot be decompressed")?
                .take(cap + 1)
                .read_to_end(&mut buf)
                .context("zstd body cannot be decompressed")?;
            #[cfg(not(feature = "zstd"))]
            return Err(anyhow::Error::new(crate::error::Unsupported(
                "zstd body cannot be decompressed: this build has no zstd support \
                 (enable the `zstd` feature)"
                    .into(),
            )));
            #[cfg(feature = "zstd")]
            Coding::Zstd
        }
        _ => {
            if is_zlib(raw) {
                up_to_its_end(flate2::read::ZlibDecoder::new(raw), cap, &mut buf)
                    .context("deflate body cannot be decompressed")?;
                Coding::Zlib
            } else {
                up_to_its_end(flate2::read::DeflateDecoder::new(raw), cap, &mut buf)
                    .context("deflate body cannot be decompressed")?;
                Coding::RawDeflate
            }
        }
    };
    Ok((buf, c))
}

/// Redo a coding.
pub fn encode(data: &[u8], c: Coding) -> Result<Vec<u8>> {
    let level = flate2::Compression::default();
    Ok(match c {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(data)?;
            e.finish()?
        }
        Coding::Zlib => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(data)?;
            e.finish()?
        }
        Coding::RawDeflate => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
            e.write_all(data)?;
            e.finish()?
        }
        Coding::Brotli => {
            // Quality 9, 4 MiB window: what servers use for dynamic content.
            let mut e = brotli::CompressorWriter::new(Vec::new(), 4096, 9, 22);
            e.write_all(data)?;
            e.flush()?;
            e.into_inner()
        }
        #[cfg(feature = "zstd")]
        Coding::Zstd => zstd::stream::encode_all(data, 3).context("zstd compression failed")?,
        #[cfg(not(feature = "zstd"))]
        Coding::Zstd => {
            return Err(anyhow::Error::new(crate::error::Unsupported(
                "zstd compression: this build has no zstd support".into(),
            )))
        }
    })
}

/// Bodies that inflate to at most this much are exempt from the ratio limit.
const RATIO_EXEMPT_BYTES: u64 = 1 << 20;

/// The most the body's codings may inflate it to, all layers together: the ratio
/// limit applies to the body as sent, not layer by layer (`gzip, gzip, gzip` would
/// otherwise multiply it: 300 bytes to gigabytes).
pub(crate) fn inflate_cap(limits: &Limits, sent: usize) -> u64 {
    (sent as u64)
        .saturating_mul(limits.max_ratio)
        .max(RATIO_EXEMPT_BYTES)
        .min(limits.max_total_bytes)
}

/// Undo one coding, refusing output past `cap`.
pub(crate) fn inflate(
    limits: &Limits,
    raw: &[u8],
    coding: &str,
    cap: u64,
) -> Result<(Vec<u8>, Coding)> {
    let (buf, c) = decode(raw, coding, cap)?;
    check_cap(limits, &buf, cap)?;
    Ok((buf, c))
}

fn check_cap(limits: &Limits, buf: &[u8], cap: u64) -> Result<()> {
    if buf.len() as u64 > cap {
        return Err(limit_error!(
            "compressed body inflates past the limit ({} bytes, ratio {}:1 to the body as sent, \
             all codings together; raise with --max-ratio): no copy written",
            cap,
            limits.max_ratio
        ));
    }
    Ok(())
}

/// How many codings [`undo_har_codings`] undoes on one body, named or recognised
/// (`gzip` of `gzip` is two).
const MAX_HAR_LAYERS: usize = 4;

/// A HAR body (base64-decoded), with the `Content-Encoding` of its entry if it has
/// one: the decoded body and the codings to redo, or None when it is stored decoded.
///
/// HAR bodies are normally stored decoded whatever the header says; some tools
/// (mitmproxy when decoding failed, proxies exporting raw bytes) store them as sent,
/// and the header may be missing or name another coding. So the bytes decide:
///
/// - the codings the header names are undone when the bytes look like the outermost
///   one (a gzip or zstd signature, a zlib header, binary for `br`);
/// - then, whatever the header said (none, `identity`, an unknown or another coding),
///   layers that carry a signature are undone as long as they are found, up to
///   [`MAX_HAR_LAYERS`]: gzip (`1f 8b`), zstd (a frame or skippable frame), zlib (a
///   valid header, on bytes that are not UTF-8 text);
/// - brotli has no signature: binary that is neither UTF-8 text nor a known media type
///   is tried, and taken as brotli when it is one complete stream that decodes to text
///   (or, under a `br` header, to anything).
///
/// Fail closed: a gzip or zstd signature, or a named coding the bytes look like, that
/// does not decode is an error (the document fails: no copy). A zlib header found
/// without a header naming it is only an error when the bytes inflate to text before
/// the stream breaks (binary that merely starts like zlib is read as it is); a failed
/// brotli or raw deflate trial is never one (neither can be told from binary).
pub(crate) fn undo_har_codings(
    limits: &Limits,
    session: &crate::session::Session,
    bytes: &[u8],
    enc: Option<&[u8]>,
) -> Result<Option<(Vec<u8>, Vec<Coding>)>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let cap = inflate_cap(limits, bytes.len());
    let named = enc.and_then(|e| parse(e).ok()).unwrap_or_default();
    let mut layers = Vec::new();
    let mut cur: Option<Vec<u8>> = None;
    // The named codings, when the bytes look like the outermost one.
    let mut named_err = None;
    if let Some(&outer) = named.last() {
        let still_encoded = match outer {
            "gzip" | "zstd" => has_signature(outer, bytes),
            "deflate" => is_zlib(bytes) && !super::is_media(bytes),
            _ => std::str::from_utf8(bytes).is_err() && !super::is_media(bytes),
        };
        if still_encoded {
            match undo_named(limits, session, bytes, &named, cap) {
                Ok(Some((d, l))) => {
                    cur = Some(d);
                    layers = l;
                }
                Ok(None) => {}
                Err(e) => named_err = Some(e),
            }
        }
    }
    // Then whatever the bytes say they are.
    let mut sniffed_any = false;
    while layers.len() < MAX_HAR_LAYERS {
        let input = cur.as_deref().unwrap_or(bytes);
        if named_err.is_some() && sniff(input).is_none() {
            // The named coding failed and nothing else is recognised: fail closed.
            break;
        }
        match undo_sniffed(limits, session, input, cap) {
            Ok(Some((d, kind))) => {
                cur = Some(d);
                layers.push(kind);
                sniffed_any = true;
            }
            Ok(None) => break,
            Err(e) => return Err(named_err.unwrap_or(e)),
        }
    }
    if let Some(e) = named_err {
        if !sniffed_any {
            return Err(e);
        }
    }
    Ok(cur.map(|c| (c, layers)))
}

/// Undo every coding of a `Content-Encoding` list (last applied first). A failed
/// brotli trial of the outermost coding is None (the body was stored decoded).
fn undo_named(
    limits: &Limits,
    session: &crate::session::Session,
    bytes: &[u8],
    list: &[&str],
    cap: u64,
) -> Result<Option<(Vec<u8>, Vec<Coding>)>> {
    let mut layers = Vec::new();
    let mut cur: Option<Vec<u8>> = None;
    for (i, c) in list.iter().rev().enumerate() {
        let input = cur.as_deref().unwrap_or(bytes);
        let (dec, kind) = match decode(input, c, cap) {
            Ok(d) => d,
            // A brotli trial that fails: the body was stored decoded.
            Err(_) if i == 0 && *c == "br" => return Ok(None),
            Err(e) => return Err(e),
        };
        check_cap(limits, &dec, cap)?;
        session.charge_tree(limits, dec.len() as u64)?;
        layers.push(kind);
        cur = Some(dec);
    }
    Ok(cur.map(|c| (c, layers)))
}

/// The coding `d` carries the signature of: gzip, zstd, or zlib (a valid header without
/// a preset dictionary, on bytes that are not UTF-8 text nor a known media type).
fn sniff(d: &[u8]) -> Option<&'static str> {
    if d.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if is_zstd(d) {
        Some("zstd")
    } else if is_zlib(d)
        && d[0] >> 4 <= 7
        && d[1] & 0x20 == 0
        && std::str::from_utf8(d).is_err()
        && !super::is_media(d)
    {
        Some("deflate")
    } else {
        None
    }
}

/// `d` inflated as raw deflate, when it is one complete stream that ends where `d`
/// ends (or inflates past `cap`).
fn raw_deflate_whole(d: &[u8], cap: u64) -> Option<Vec<u8>> {
    let mut dec = flate2::bufread::DeflateDecoder::new(d);
    let mut out = Vec::new();
    (&mut dec).take(cap + 1).read_to_end(&mut out).ok()?;
    let done = out.len() as u64 > cap || dec.get_ref().is_empty();
    (done && !out.is_empty()).then_some(out)
}

/// Undo one coding recognised from the bytes alone (see [`undo_har_codings`]).
fn undo_sniffed(
    limits: &Limits,
    session: &crate::session::Session,
    d: &[u8],
    cap: u64,
) -> Result<Option<(Vec<u8>, Coding)>> {
    let (dec, kind) = match sniff(d) {
        Some("deflate") => match decode(d, "deflate", cap) {
            Ok(r) => r,
            Err(e) => {
                // Binary that merely starts like zlib (1 in ~1,000 binary bodies) is read
                // as it is; a stream that inflates to text before it breaks (a zlib body
                // cut short) is refused.
                let mut part = Vec::new();
                let _ = flate2::read::ZlibDecoder::new(d)
                    .take(cap + 1)
                    .read_to_end(&mut part);
                if !crate::detect::views::texty(&part) {
                    return Ok(None);
                }
                return Err(e.context("zlib signature, no Content-Encoding naming it"));
            }
        },
        Some(c) => decode(d, c, cap)
            .map_err(|e| e.context(format!("{c} signature, whatever the header says")))?,
        None => {
            if d.len() < 4 || std::str::from_utf8(d).is_ok() || super::is_media(d) {
                return Ok(None);
            }
            // Text, or past the cap (then refused below, as any body inflating too far).
            let text = |out: &[u8]| {
                crate::detect::views::texty(out)
                    && (out.len() as u64 > cap || std::str::from_utf8(out).is_ok())
            };
            match decode(d, "br", cap) {
                Ok((out, kind)) if text(&out) => (out, kind),
                _ => match raw_deflate_whole(d, cap) {
                    Some(out) if text(&out) => (out, Coding::RawDeflate),
                    _ => return Ok(None),
                },
            }
        }
    };
    check_cap(limits, &dec, cap)?;
    session.charge_tree(limits, dec.len() as u64)?;
    Ok(Some((dec, kind)))
}

/// Redo the codings undone by [`undo_har_codings`].
pub(crate) fn redo_codings(mut data: Vec<u8>, layers: &[Coding]) -> Result<Vec<u8>> {
    for kind in layers.iter().rev() {
        data = encode(&data, *kind)?;
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: u64 = 1 << 20;

    #[test]
    fn parses_and_fails_closed_on_unknown() {
        assert_eq!(parse(b"gzip").unwrap(), ["gzip"]);
        assert_eq!(
            parse(b"identity, deflate,BR, zstd,").unwrap(),
            ["deflate", "br", "zstd"]
        );
        assert!(parse(b"compress").is_err());
        assert!(parse(b"x-custom").is_err());
    }

    #[test]
    fn round_trips_every_coding() {
        let text = b"{\"token\":\"not-a-real-token-0123456789\"}".repeat(20);
        for (name, c) in [
            ("gzip", Coding::Gzip),
            ("deflate", Coding::Zlib),
            ("deflate", Coding::RawDeflate),
            ("br", Coding::Brotli),
            ("zstd", Coding::Zstd),
        ] {
            let packed = encode(&text, c).unwrap();
            assert!(has_signature(name, &packed), "{name}");
            let (plain, got) = decode(&packed, name, BIG).unwrap();
            assert_eq!(plain, text, "{name}");
            assert_eq!(got, c, "{name}");
        }
    }

    #[test]
    fn damaged_streams_are_errors() {
        let text = b"hello brotli and zstd, hello again and again".repeat(10);
        for (name, c) in [("br", Coding::Brotli), ("zstd", Coding::Zstd)] {
            let packed = encode(&text, c).unwrap();
            // Truncated.
            let cut = &packed[..packed.len() - 3];
            assert!(decode(cut, name, BIG).is_err(), "{name} truncated");
            // Bytes after the end of the stream.
            let mut extra = packed.clone();
            extra.extend_from_slice(b"trailing junk");
            assert!(decode(&extra, name, BIG).is_err(), "{name} trailing");
            // Garbage.
            assert!(
                decode(b"\x1b\x07\x03\x00\x1c\x07v3W", name, BIG).is_err(),
                "{name} garbage"
            );
        }
    }

    #[test]
    fn sniffs_signatures_not_text_or_media() {
        let text = b"{\"a\":\"hello hello hello\"}".repeat(4);
        assert_eq!(sniff(&encode(&text, Coding::Gzip).unwrap()), Some("gzip"));
        assert_eq!(sniff(&encode(&text, Coding::Zstd).unwrap()), Some("zstd"));
        assert_eq!(
            sniff(&encode(&text, Coding::Zlib).unwrap()),
            Some("deflate")
        );
        // Text whose first two bytes make a valid zlib header ("HK"), and a PNG.
        assert!(is_zlib(b"HKello there"));
        assert_eq!(sniff(b"HKello there"), None);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\x00\x00"), None);
    }

    #[test]
    fn output_is_capped() {
        let zeros = vec![0u8; 100_000];
        for (name, c) in [("br", Coding::Brotli), ("zstd", Coding::Zstd)] {
            let packed = encode(&zeros, c).unwrap();
            let (out, _) = decode(&packed, name, 1000).unwrap();
            assert_eq!(out.len(), 1001, "{name}: reads stop just past the cap");
        }
    }
}
