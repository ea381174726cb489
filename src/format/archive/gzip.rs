//! gzip (`.gz`, `.tgz`, `.har.gz`…): the document inside is inflated with the limits
//! checked as it goes and, when it changed, recompressed as one gzip member.

use std::io::Write;

use anyhow::{Context, Result};

use super::{stream, Cx};
use crate::format::Outcome;

/// The name of the document inside a gzip file: the base name minus `.gz`/`.gzip`
/// (`.tgz` becomes `.tar`, `.svgz` becomes `.svg`).
pub fn gzip_inner_name(name: &str) -> String {
    stream::inner_name(
        name,
        &[
            (".tgz", ".tar"),
            (".taz", ".tar"),
            (".svgz", ".svg"),
            (".gzip", ""),
            (".gz", ""),
        ],
    )
}

pub(super) fn sanitize_gzip(cx: &Cx<'_>, name: &str, data: &[u8]) -> Result<Outcome> {
    let prov = cx.provenance;
    let inner_name = gzip_inner_name(name);
    let member = format!("{prov}!/{inner_name}");

    let (inner, decoder) = stream::decompress(
        cx,
        &member,
        "gzip",
        data,
        flate2::bufread::MultiGzDecoder::new(data),
        |d| d.get_ref().len(),
    )?;
    let header = decoder.header().cloned();

    // The header's file name and comment are text anyone reading the file sees
    // (`gzip -l`, a file manager): read like a member, and written back redacted.
    let mut findings = Vec::new();
    let mut fields: [Option<Vec<u8>>; 2] = [None, None];
    let mut fields_changed = false;
    if let Some(h) = &header {
        // The decoder stops these at the first NUL, so they hold none.
        for (slot, (what, v)) in fields
            .iter_mut()
            .zip([("file name", h.filename()), ("comment", h.comment())])
        {
            let Some(v) = v.filter(|v| !v.contains(&0)) else {
                continue;
            };
            let o = cx.member(&format!("{prov} (gzip {what})"), "gzip-header.txt", v)?;
            findings.extend(o.findings);
            fields_changed |= o.output != v;
            *slot = Some(o.output);
        }
    }

    let outcome = cx.member(&member, &inner_name, &inner)?;
    findings.extend(outcome.findings);
    if outcome.output == inner && !fields_changed {
        return Ok(Outcome {
            output: data.to_vec(),
            findings,
        });
    }
    let mut builder = flate2::GzBuilder::new();
    if let Some(h) = &header {
        builder = builder
            .mtime(h.mtime())
            .operating_system(h.operating_system());
        let [filename, comment] = fields;
        if let Some(f) = filename.filter(|f| !f.contains(&0)) {
            builder = builder.filename(f);
        }
        if let Some(c) = comment.filter(|c| !c.contains(&0)) {
            builder = builder.comment(c);
        }
        if let Some(x) = h.extra().filter(|x| x.len() <= u16::MAX as usize) {
            builder = builder.extra(x);
        }
    }
    let mut encoder = builder.write(
        Vec::with_capacity(data.len() + 1024),
        flate2::Compression::default(),
    );
    encoder
        .write_all(&outcome.output)
        .and_then(|_| encoder.try_finish())
        .with_context(|| format!("{prov}: cannot compress gzip stream"))?;
    let output = encoder
        .finish()
        .with_context(|| format!("{prov}: cannot compress gzip stream"))?;
    Ok(Outcome { output, findings })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    #[test]
    fn gzip_round_trip() {
        let har = format!(r#"{{"log":{{"entries":[{{"v":"{TOKEN_A}"}}]}}}}"#);
        let data = gz(har.as_bytes());
        let out = run(&limits(), "dir/cap.har.gz", "dir/cap.har.gz", &data).unwrap();
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].file, "dir/cap.har.gz!/cap.har");
        let inner = gunzip(&out.output);
        assert!(!contains(&inner, TOKEN_A));
        assert!(contains(&inner, "[REDACTED:github:00000000]"));
        let d = flate2::read::GzDecoder::new(out.output.as_slice());
        let h = d.header().unwrap();
        assert_eq!(h.mtime(), 1_600_000_000);
        assert_eq!(h.filename(), Some(&b"inner.har"[..]));
        // Unchanged: the very same bytes.
        let clean = gz(b"{}");
        assert_eq!(
            run(&limits(), "c.json.gz", "c.json.gz", &clean)
                .unwrap()
                .output,
            clean
        );
    }

    #[test]
    fn gzip_header_text_is_redacted() {
        let gz_with = |name: &str, comment: &str, body: &[u8]| {
            let mut e = flate2::GzBuilder::new()
                .filename(name)
                .comment(comment)
                .write(Vec::new(), flate2::Compression::default());
            e.write_all(body).unwrap();
            e.finish().unwrap()
        };
        // A clean body: the header alone makes the copy differ.
        for (name, comment) in [
            ("app.log", format!("uploaded with token {TOKEN_A}")),
            (&*format!("{TOKEN_A}.log"), "nightly".to_string()),
        ] {
            let data = gz_with(name, &comment, b"all quiet");
            let out = run(&limits(), "b.log.gz", "b.log.gz", &data).unwrap();
            assert_eq!(out.findings.len(), 1, "{name} / {comment}");
            assert!(!contains(&out.output, TOKEN_A));
            let d = flate2::read::GzDecoder::new(out.output.as_slice());
            let h = d.header().unwrap();
            let text = [h.filename().unwrap(), h.comment().unwrap()].concat();
            assert!(contains(&text, "[REDACTED:github:00000000]"));
            assert!(!contains(&text, TOKEN_A));
            assert_eq!(gunzip(&out.output), b"all quiet");
        }
        // Header text without a secret: the very same bytes.
        let data = gz_with("app.log", "nightly rotation", b"all quiet");
        assert_eq!(
            run(&limits(), "b.log.gz", "b.log.gz", &data)
                .unwrap()
                .output,
            data
        );
    }

    #[test]
    fn gzip_trailing_garbage() {
        let mut data = gz(b"{}");
        data.extend_from_slice(b"trailing junk with a secret");
        let r = run(&limits(), "t.gz", "t.gz", &data);
        assert!(
            r.is_err(),
            "trailing data after a gzip stream must not pass unscanned"
        );
    }

    #[test]
    fn gzip_inner_names() {
        assert_eq!(gzip_inner_name("a/b/x.har.gz"), "x.har");
        assert_eq!(gzip_inner_name("bundle.TGZ"), "bundle.tar");
        assert_eq!(gzip_inner_name("x.log.gzip"), "x.log");
        assert_eq!(gzip_inner_name("blob"), "blob");
        assert_eq!(gzip_inner_name(".gz"), ".gz");
    }
}
