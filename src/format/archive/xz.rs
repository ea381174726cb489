//! xz (`.xz`, `.txz`, `.tar.xz`): the document inside is decompressed with the limits
//! checked as it goes and, when it changed, compressed again as one xz stream (pure
//! Rust, so the engine still builds for wasm32).

use std::io::Write;

use anyhow::{Context, Result};

use super::{stream, Cx};
use crate::format::Outcome;

/// The xz stream header's magic bytes.
pub(super) const MAGIC: &[u8] = &[0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// The largest dictionary a stream may ask the decoder for (KiB): xz's own presets use
/// at most 64 MiB; a header asking for more (up to 4 GiB) is refused before anything
/// is allocated.
const MEM_LIMIT_KIB: u32 = 256 << 10;

/// The name of the document inside an xz file: the base name minus `.xz` (`.txz`
/// becomes `.tar`).
pub fn xz_inner_name(name: &str) -> String {
    stream::inner_name(name, &[(".txz", ".tar"), (".xz", "")])
}

pub(super) fn sanitize_xz(cx: &Cx<'_>, name: &str, data: &[u8]) -> Result<Outcome> {
    let prov = cx.provenance;
    let inner_name = xz_inner_name(name);
    let member = format!("{prov}!/{inner_name}");

    // Concatenated streams (and stream padding) are read; anything else after the
    // last stream is an error, never passed over unread.
    let (inner, decoder) = stream::decompress(
        cx,
        &member,
        "xz",
        data,
        lzma_rust2::XzReader::new_mem_limit(data, true, MEM_LIMIT_KIB),
        |d| d.inner().len(),
    )?;
    if !decoder.inner().is_empty() {
        anyhow::bail!("{prov}: data after the end of the xz stream");
    }

    let outcome = cx.member(&member, &inner_name, &inner)?;
    if outcome.output == inner {
        return Ok(Outcome {
            output: data.to_vec(),
            findings: outcome.findings,
        });
    }
    let fail = || format!("{prov}: cannot compress xz stream");
    let mut encoder = lzma_rust2::XzWriter::new(
        Vec::with_capacity(data.len() + 1024),
        lzma_rust2::XzOptions::with_preset(6),
    )
    .with_context(fail)?;
    encoder.write_all(&outcome.output).with_context(fail)?;
    let output = encoder.finish().with_context(fail)?;
    Ok(Outcome {
        output,
        findings: outcome.findings,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use std::io::Read;

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut e =
            lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn unxz(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        lzma_rust2::XzReader::new(data, true)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn xz_round_trip() {
        let har = format!(r#"{{"log":{{"entries":[{{"v":"{TOKEN_A}"}}]}}}}"#);
        let data = xz(har.as_bytes());
        let out = run(&limits(), "dir/cap.har.xz", "dir/cap.har.xz", &data).unwrap();
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].file, "dir/cap.har.xz!/cap.har");
        assert!(out.output.starts_with(MAGIC));
        let inner = unxz(&out.output);
        assert!(!contains(&inner, TOKEN_A));
        assert!(contains(&inner, "[REDACTED:github:00000000]"));
        // Unchanged: the very same bytes.
        let clean = xz(b"{}");
        assert_eq!(
            run(&limits(), "c.json.xz", "c.json.xz", &clean)
                .unwrap()
                .output,
            clean
        );
    }

    #[test]
    fn xz_damage_and_trailing_data_fail() {
        let mut data = xz(b"{}");
        data.extend_from_slice(b"trailing junk with a secret");
        assert!(run(&limits(), "t.xz", "t.xz", &data).is_err());
        let data = xz(format!("token {TOKEN_A}").as_bytes());
        assert!(run(&limits(), "t.xz", "t.xz", &data[..data.len() - 8]).is_err());
    }

    #[test]
    fn xz_inner_names() {
        assert_eq!(xz_inner_name("a/b/x.log.xz"), "x.log");
        assert_eq!(xz_inner_name("bundle.TXZ"), "bundle.tar");
        assert_eq!(xz_inner_name("logs.tar.xz"), "logs.tar");
        assert_eq!(xz_inner_name(".xz"), ".xz");
    }
}
