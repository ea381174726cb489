//! bzip2 (`.bz2`, `.tbz2`, `.tar.bz2`): the document inside is decompressed with the
//! limits checked as it goes and, when it changed, compressed again as one bzip2
//! stream of the same block size (pure Rust, so the engine still builds for wasm32).

use std::io::Write;

use anyhow::{Context, Result};

use super::{stream, Cx};
use crate::format::Outcome;

/// A bzip2 stream: `BZh`, its block size (`1`–`9`), then a block's or the end's magic.
pub fn is_bzip2(d: &[u8]) -> bool {
    d.len() >= 10
        && d.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&d[3])
        && (&d[4..10] == b"1AY&SY" || &d[4..10] == b"\x17rE8P\x90")
}

/// The name of the document inside a bzip2 file: the base name minus `.bz2`/`.bz`
/// (`.tbz2`, `.tbz` become `.tar`).
pub fn bzip2_inner_name(name: &str) -> String {
    stream::inner_name(
        name,
        &[
            (".tbz2", ".tar"),
            (".tbz", ".tar"),
            (".bz2", ""),
            (".bz", ""),
        ],
    )
}

pub(super) fn sanitize_bzip2(cx: &Cx<'_>, name: &str, data: &[u8]) -> Result<Outcome> {
    let prov = cx.provenance;
    let inner_name = bzip2_inner_name(name);
    let member = format!("{prov}!/{inner_name}");

    // Concatenated streams are read (what `pbzip2` writes); anything else after the
    // last one fails to decode, never passed over unread.
    let (inner, decoder) = stream::decompress(
        cx,
        &member,
        "bzip2",
        data,
        bzip2::bufread::MultiBzDecoder::new(data),
        |d| d.get_ref().len(),
    )?;
    if !decoder.get_ref().is_empty() {
        anyhow::bail!("{prov}: data after the end of the bzip2 stream");
    }

    let outcome = cx.member(&member, &inner_name, &inner)?;
    if outcome.output == inner {
        return Ok(Outcome {
            output: data.to_vec(),
            findings: outcome.findings,
        });
    }
    let level = u32::from(data[3] - b'0');
    let mut encoder = bzip2::write::BzEncoder::new(
        Vec::with_capacity(data.len() + 1024),
        bzip2::Compression::new(level),
    );
    let fail = || format!("{prov}: cannot compress bzip2 stream");
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

    fn bz(data: &[u8]) -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(7));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn unbz(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        bzip2::read::MultiBzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn bzip2_round_trip() {
        let har = format!(r#"{{"log":{{"entries":[{{"v":"{TOKEN_A}"}}]}}}}"#);
        let data = bz(har.as_bytes());
        let out = run(&limits(), "dir/cap.har.bz2", "dir/cap.har.bz2", &data).unwrap();
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].file, "dir/cap.har.bz2!/cap.har");
        // The same block size.
        assert!(out.output.starts_with(b"BZh7"));
        let inner = unbz(&out.output);
        assert!(!contains(&inner, TOKEN_A));
        assert!(contains(&inner, "[REDACTED:github:00000000]"));
        // Unchanged: the very same bytes; an empty stream too.
        for clean in [bz(b"{}"), bz(b"")] {
            assert!(is_bzip2(&clean));
            assert_eq!(
                run(&limits(), "c.json.bz2", "c.json.bz2", &clean)
                    .unwrap()
                    .output,
                clean
            );
        }
    }

    #[test]
    fn bzip2_damage_and_trailing_data_fail() {
        let mut data = bz(b"{}");
        data.extend_from_slice(b"trailing junk with a secret");
        assert!(run(&limits(), "t.bz2", "t.bz2", &data).is_err());
        let data = bz(format!("token {TOKEN_A}").as_bytes());
        assert!(run(&limits(), "t.bz2", "t.bz2", &data[..data.len() - 8]).is_err());
    }

    #[test]
    fn bzip2_inner_names() {
        assert_eq!(bzip2_inner_name("a/b/x.log.bz2"), "x.log");
        assert_eq!(bzip2_inner_name("bundle.TBZ2"), "bundle.tar");
        assert_eq!(bzip2_inner_name("logs.tar.bz2"), "logs.tar");
        assert_eq!(bzip2_inner_name(".bz2"), ".bz2");
    }
}
