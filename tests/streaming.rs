//! The streaming HAR path and the in-memory paths must agree byte for byte.
//!
//! For every HAR in `testdata/har/` and in the real corpus (`../shared/corpus/real-har/`,
//! when present; `MALFORMED_` and `EDGE_` files excluded), with the same fingerprint key:
//!
//! * the copy the binary writes with `clean` (a file on disk: the streaming passes of
//!   `format::driver`, reading the file),
//! * the copy from `clean_bytes` (the same passes over the document in memory),
//! * the copy from `clean_document(.., Kind::Json, ..)` (the document treated as
//!   plain JSON: one parse of the whole tree, walked from the root, in the three
//!   in-memory passes: discover, write with everything known, verify),
//!
//! are identical, and a file that fails on one path fails on the others. A difference is
//! reported with the file, the first differing byte offset and a little context.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Dir;
use harscrub::clean_bytes;
use harscrub::internals::{clean_document, Kind};

const KEY: &str = "k";

/// The HAR files to compare, sorted within each folder.
fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for (dir, required) in [
        (root.join("testdata/har"), true),
        (root.join("../shared/corpus/real-har"), false),
    ] {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if !required => {
                eprintln!("skipping {}: {e}", dir.display());
                continue;
            }
            Err(e) => panic!("reading {}: {e}", dir.display()),
        };
        let mut found: Vec<PathBuf> = rd
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.ends_with(".har") && !n.starts_with("MALFORMED_") && !n.starts_with("EDGE_")
            })
            .collect();
        found.sort();
        all.extend(found);
    }
    assert!(!all.is_empty(), "no HAR inputs found");
    all
}

/// Where two byte strings first differ (None when equal).
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len())),
    )
}

/// A short, printable excerpt of `b` around `at`.
fn excerpt(b: &[u8], at: usize) -> String {
    let start = at.saturating_sub(60);
    let end = (at + 60).min(b.len());
    String::from_utf8_lossy(&b[start..end])
        .escape_debug()
        .to_string()
}

/// Compare two results of cleaning `name`; describe the first difference.
fn compare(
    name: &str,
    (la, a): (&str, &Result<Vec<u8>, String>),
    (lb, b): (&str, &Result<Vec<u8>, String>),
) -> Option<String> {
    match (a, b) {
        (Ok(x), Ok(y)) => first_difference(x, y).map(|at| {
            format!(
                "{name}: {la} and {lb} copies differ at byte {at} (lengths {} / {})\n  \
                 {la}: …{}…\n  {lb}: …{}…",
                x.len(),
                y.len(),
                excerpt(x, at),
                excerpt(y, at)
            )
        }),
        (Err(_), Err(_)) => None,
        (Ok(_), Err(e)) => Some(format!("{name}: {la} wrote a copy, {lb} failed: {e}")),
        (Err(e), Ok(_)) => Some(format!("{name}: {la} failed ({e}), {lb} wrote a copy")),
    }
}

#[test]
fn streaming_and_in_memory_copies_are_identical() {
    let files = inputs();
    let tmp = Dir::new();
    let input_dir = tmp.path().join("in");
    let out_dir = tmp.path().join("out");
    fs::create_dir_all(&input_dir).unwrap();
    for f in &files {
        let dest = input_dir.join(f.file_name().unwrap());
        assert!(!dest.exists(), "two inputs named {}", dest.display());
        fs::copy(f, &dest).unwrap();
    }

    // The binary: every file streamed from disk. Run in the isolated workspace, so
    // that no `.harscrub.toml` of the checkout (or its git root) changes the engine.
    let run = tmp
        .cmd(&[
            "clean",
            "in",
            "--out",
            "out",
            "--quiet",
            "--fingerprint-key",
            KEY,
        ])
        .timeout(Duration::from_secs(600))
        .run();
    let stderr = &run.stderr;
    assert!(matches!(run.code, Some(0 | 2)), "harscrub clean: {run}");

    let engine = common::engine(KEY);
    let mut problems = Vec::new();
    let mut compared = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = fs::read(f).unwrap();

        let streamed = fs::read(out_dir.join(&name)).map_err(|_| {
            // The summary names the failed file with its reason.
            stderr
                .lines()
                .filter(|l| l.contains(name.as_str()))
                .collect::<Vec<_>>()
                .join(" / ")
        });
        let in_memory = clean_bytes(&engine, &name, &data)
            .map(|o| o.copy)
            .map_err(|e| e.to_string());
        let as_json = clean_document(&engine, &name, Kind::Json, &data)
            .map(|o| o.output)
            .map_err(|e| format!("{e:#}"));

        let s = ("streaming (binary clean)", &streamed);
        let m = ("in-memory (clean_bytes)", &in_memory);
        let j = ("plain JSON (clean_document Json)", &as_json);
        problems.extend(compare(&name, s, m));
        problems.extend(compare(&name, s, j));
        if streamed.is_ok() {
            compared += 1;
        }
    }
    eprintln!(
        "{} HAR files, {} copies compared on three paths",
        files.len(),
        compared
    );
    assert!(compared > 0, "the binary wrote no copy at all:\n{stderr}");
    assert!(
        problems.is_empty(),
        "{} difference(s) between the streaming and in-memory paths:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Clean one HAR with the binary (fixed key); return the copy and the report.
fn clean_with_binary(har: &str) -> (Vec<u8>, serde_json::Value) {
    let tmp = Dir::new();
    tmp.write("in.har", har);
    let run = tmp
        .cmd(&[
            "clean", "in.har", "--out", "out", "--report", "r.json", "-q",
        ])
        .args(&["--fingerprint-key", KEY])
        .timeout(Duration::from_secs(600))
        .run();
    assert_eq!(run.code, Some(0), "{run}");
    let report = serde_json::from_slice(&fs::read(tmp.path().join("r.json")).unwrap()).unwrap();
    (fs::read(tmp.path().join("out/in.har")).unwrap(), report)
}

fn entry(request_headers: serde_json::Value, body: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "startedDateTime": "2024-01-01T00:00:00.000Z", "time": 1,
        "request": { "method": "GET", "url": "https://app.example.com/",
                     "headers": request_headers },
        "response": { "status": 200, "headers": [], "content": body }
    })
}

const SID: &str = "FakeSess1on7f9a2c41d8e6b053a9c7e1f2";

/// HARs holding a copy of a session id before the Cookie header that reveals it:
/// (what, the HAR, the body holding the early copy as it is in the input).
fn early_copy_hars() -> Vec<(&'static str, String, String)> {
    use base64::Engine as _;
    let page = format!("<html><body>debug: {SID}</body></html>");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&page);
    // 1. Same batch, but the earlier copy is inside a base64 body: the batch's
    //    catch-up search (raw bytes) cannot see it, the verification does.
    let small = serde_json::json!({ "log": { "version": "1.2", "entries": [
        entry(serde_json::json!([]), serde_json::json!({
            "size": page.len(), "mimeType": "text/html", "encoding": "base64", "text": b64 })),
        entry(serde_json::json!([{ "name": "Cookie", "value": format!("sid={SID}") }]),
              serde_json::json!({ "size": 0, "mimeType": "text/plain", "text": "" })),
    ]}})
    .to_string();
    // 2. The earlier copy (plain text) is in an earlier batch than the Cookie header
    //    that reveals it: ~9 MB of ordinary entries in between.
    let filler = "x".repeat(64 << 10);
    let mut entries = vec![entry(
        serde_json::json!([]),
        serde_json::json!({ "size": page.len(), "mimeType": "text/html", "text": page }),
    )];
    for _ in 0..144 {
        entries.push(entry(
            serde_json::json!([{ "name": "Accept", "value": "*/*" }]),
            serde_json::json!({ "size": filler.len(), "mimeType": "text/plain", "text": filler }),
        ));
    }
    entries.push(entry(
        serde_json::json!([{ "name": "Cookie", "value": format!("sid={SID}") }]),
        serde_json::json!({ "size": 0, "mimeType": "text/plain", "text": "" }),
    ));
    let large = serde_json::json!({ "log": { "version": "1.2", "entries": entries } }).to_string();
    assert!(large.len() > 9 << 20);
    // 3. The earlier copy is in an earlier batch, inside a brotli body (which the
    //    independent search of the copy's decoded views does not open): verification
    //    must read that unchanged string again with every secret known.
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 9, 22);
        std::io::Write::write_all(&mut w, page.as_bytes()).unwrap();
    }
    let br_b64 = base64::engine::general_purpose::STANDARD.encode(&br);
    let mut first = entry(
        serde_json::json!([]),
        serde_json::json!({ "size": page.len(), "mimeType": "text/html",
                            "encoding": "base64", "text": br_b64 }),
    );
    first["response"]["headers"] =
        serde_json::json!([{ "name": "Content-Encoding", "value": "br" }]);
    entries.truncate(40);
    entries[0] = first;
    entries.push(entry(
        serde_json::json!([{ "name": "Cookie", "value": format!("sid={SID}") }]),
        serde_json::json!({ "size": 0, "mimeType": "text/plain", "text": "" }),
    ));
    let brotli_body =
        serde_json::json!({ "log": { "version": "1.2", "entries": entries } }).to_string();
    assert!(brotli_body.len() > 2 << 20);
    vec![
        ("base64 copy", small, b64.clone()),
        ("earlier batch", large, b64),
        ("brotli body, earlier batch", brotli_body, br_b64),
    ]
}

/// The streaming copy is written in one pass that learns secrets as it goes. A copy of
/// a secret met before the secret itself is discovered must still be redacted (the
/// copy is verified and, when that finds a secret, repaired or written again with
/// everything known) — and the result is the same copy as the in-memory path's.
#[test]
fn a_copy_met_before_its_secret_is_discovered_is_redacted() {
    use base64::Engine as _;
    let engine = common::engine(KEY);
    for (what, har, body) in early_copy_hars() {
        let (copy, report) = clean_with_binary(&har);
        let v: serde_json::Value = serde_json::from_slice(&copy).unwrap();
        let first = v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap();
        let first = base64::engine::general_purpose::STANDARD
            .decode(first)
            .unwrap_or_else(|_| first.as_bytes().to_vec());
        let mut page = Vec::new();
        if first.starts_with(b"<html>") {
            page = first;
        } else {
            std::io::Read::read_to_end(&mut brotli::Decompressor::new(&first[..], 4096), &mut page)
                .unwrap();
        }
        assert!(
            !String::from_utf8_lossy(&page).contains(SID),
            "{what}: the secret is left in the first body"
        );
        let text = String::from_utf8_lossy(&copy);
        assert!(
            !text.contains(SID),
            "{what}: the secret is left in the copy"
        );
        assert!(
            !text.contains(body.as_str()),
            "{what}: the base64 body was not rewritten"
        );
        let propagated = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "context.propagated")
            .count();
        assert!(
            propagated >= 1,
            "{what}: the early copy is reported: {report}"
        );
        let in_memory = clean_bytes(&engine, "in.har", har.as_bytes()).unwrap().copy;
        assert!(
            copy == in_memory,
            "{what}: streaming and in-memory copies differ"
        );
    }
}

/// A spool in memory that logs how it is emptied and cut.
#[derive(Default)]
struct Logged {
    inner: std::io::Cursor<Vec<u8>>,
    log: Vec<String>,
}

impl std::io::Read for Logged {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl std::io::Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Seek for Logged {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl harscrub::Spool for Logged {
    fn restart(&mut self) -> std::io::Result<()> {
        self.log.push("restart".into());
        self.inner.restart()
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.log.push(format!("truncate {len}"));
        self.inner.truncate(len)
    }
}

/// Counts the bytes read from the input.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: std::io::Seek> std::io::Seek for Counted<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A repair stops reading the input after the last entry scrubbed before a secret was
/// learnt: every value after it is kept as the first copy has it, so the rest of that
/// copy is taken whole, findings and all. The copy and the findings are still those of
/// writing the copy again whole, for a clean and for a scan, and the input's tail
/// (megabytes of entries, some holding the secret and other findings, then members of
/// `log` after `entries`) is read once, by the first pass.
#[test]
fn a_repair_takes_the_tail_of_the_first_copy_without_reading_it_again() {
    let page = format!("<html><body>debug: {SID}</body></html>");
    let filler = "x".repeat(64 << 10);
    let plain = |i: usize| {
        entry(
            serde_json::json!([{ "name": "Accept", "value": format!("*/*;q={i}") }]),
            serde_json::json!({ "size": filler.len(), "mimeType": "text/plain", "text": filler }),
        )
    };
    let mut entries = vec![entry(
        serde_json::json!([]),
        serde_json::json!({ "size": page.len(), "mimeType": "text/html", "text": page }),
    )];
    entries.extend((0..144).map(plain));
    entries.push(entry(
        serde_json::json!([{ "name": "Cookie", "value": format!("sid={SID}") }]),
        serde_json::json!({ "size": 0, "mimeType": "text/plain", "text": "" }),
    ));
    let head = serde_json::json!(entries).to_string().len();
    for i in 0..100 {
        entries.push(if i % 10 == 3 {
            entry(
                serde_json::json!([
                    { "name": "Cookie", "value": format!("sid={SID}") },
                    { "name": "Authorization", "value": "Bearer ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567" },
                ]),
                serde_json::json!({ "size": page.len(), "mimeType": "text/html", "text": page }),
            )
        } else {
            plain(i)
        });
    }
    let har = serde_json::json!({ "log": {
        "version": "1.2",
        "entries": entries,
        "pages": [{ "id": "page_1", "title": format!("debug {SID}") }],
        "zcomment": "after the entries",
    }})
    .to_string();
    let tail = har.len() - head;
    assert!(tail > 5 << 20, "{tail}");

    let repairing = common::engine(KEY);
    let mut whole = common::engine(KEY);
    whole.set_rewrite_whole(true);
    let run = |engine: &harscrub::Engine| {
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let input = Counted {
            inner: std::io::Cursor::new(har.as_bytes()),
            read: read.clone(),
        };
        let mut spool = Logged::default();
        let findings = harscrub::clean_reader(engine, "in.har", input, &mut spool).unwrap();
        let read = read.load(std::sync::atomic::Ordering::Relaxed);
        (spool.inner.into_inner(), findings, spool.log, read)
    };
    let (copy, findings, log, read) = run(&repairing);
    let (reference, ref_findings, _, _) = run(&whole);
    assert!(!copy.windows(SID.len()).any(|w| w == SID.as_bytes()));
    assert!(copy == reference, "the repaired copy differs");
    assert_eq!(findings, ref_findings);
    assert!(findings.len() > 20, "{}", findings.len());
    assert_eq!(
        log.last(),
        Some(&format!("truncate {}", copy.len())),
        "the repair was not kept: {log:?}"
    );
    let len = har.len() as u64;
    assert!(
        read <= 2 * len - tail as u64 + (4 << 20),
        "the repair read the tail again: {read} bytes of a {len}-byte input"
    );
    let scan = |engine: &harscrub::Engine| {
        harscrub::scan_reader(engine, "in.har", std::io::Cursor::new(har.as_bytes())).unwrap()
    };
    assert_eq!(scan(&repairing), scan(&whole), "scan");
}

/// A first copy that fails its verification is repaired: only the entries that may
/// hold a secret learnt after them are scrubbed again, the rest is kept. The repaired
/// copy and its findings are those of writing the copy again whole, and the repair is
/// what was kept (the spool was last cut to the copy's length, never started afresh
/// after it). A scan's findings are those of scanning every entry again.
#[test]
fn a_repaired_copy_is_the_copy_written_again_whole() {
    let repairing = common::engine(KEY);
    let mut whole = common::engine(KEY);
    whole.set_rewrite_whole(true);
    for (what, har, _) in early_copy_hars() {
        let run = |engine: &harscrub::Engine| {
            let mut spool = Logged::default();
            let findings = harscrub::clean_reader(
                engine,
                "in.har",
                std::io::Cursor::new(har.as_bytes()),
                &mut spool,
            )
            .unwrap_or_else(|e| panic!("{what}: {e}"));
            (spool.inner.into_inner(), findings, spool.log)
        };
        let (copy, findings, log) = run(&repairing);
        let (reference, ref_findings, ref_log) = run(&whole);
        assert!(
            !copy.windows(SID.len()).any(|w| w == SID.as_bytes()),
            "{what}"
        );
        assert!(copy == reference, "{what}: the repaired copy differs");
        assert_eq!(findings, ref_findings, "{what}");
        assert_eq!(
            log.last(),
            Some(&format!("truncate {}", copy.len())),
            "{what}: the repair was not kept: {log:?}"
        );
        assert!(
            !ref_log.iter().any(|l| l.starts_with("truncate")),
            "{what}: {ref_log:?}"
        );
        // A scan repairs its first pass's findings the same way: the same findings as
        // a second pass over every entry.
        let scan = |engine: &harscrub::Engine| {
            harscrub::scan_reader(engine, "in.har", std::io::Cursor::new(har.as_bytes()))
                .unwrap_or_else(|e| panic!("{what}: {e}"))
        };
        let scanned = scan(&repairing);
        assert!(!scanned.is_empty(), "{what}");
        assert_eq!(scanned, scan(&whole), "{what}: scan");
    }
}
