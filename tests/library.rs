//! The library through its public API only: clean from memory, tell errors apart by
//! variant, per-input limits across threads, reader and bytes agree.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use harscrub::{clean_bytes, clean_reader, scan_bytes, Engine, EngineBuilder, Error, Limits};
use zip::write::SimpleFileOptions;
use zip::{ZipArchive, ZipWriter};

const TOKEN: &str = "ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567";

fn engine() -> Engine {
    EngineBuilder::new()
        .key(b"library test key")
        .now(1_700_000_000)
        .build()
        .unwrap()
}

/// An engine with these limits.
fn limited(limits: Limits) -> Engine {
    EngineBuilder::new()
        .key(b"k")
        .limits(limits)
        .build()
        .unwrap()
}

fn har() -> Vec<u8> {
    format!(
        r#"{{"log":{{"version":"1.2","entries":[{{"request":{{"method":"GET","url":"https://example.test/","headers":[{{"name":"Authorization","value":"token {TOKEN}"}}]}},"response":{{"status":200}}}}]}}}}"#
    )
    .into_bytes()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn cleans_a_har_from_memory() {
    let input = har();
    let c = clean_bytes(&engine(), "session.har", &input).unwrap();
    assert_eq!(c.findings.len(), 1);
    assert_eq!(
        c.findings[0].location,
        "/log/entries/0/request/headers/0/value"
    );
    assert!(!contains(&c.copy, TOKEN));
    assert!(
        contains(&c.copy, "token [REDACTED:github-token:"),
        "{}",
        String::from_utf8_lossy(&c.copy)
    );
    let v: serde_json::Value = serde_json::from_slice(&c.copy).unwrap();
    assert_eq!(
        v["log"]["entries"][0]["request"]["url"],
        "https://example.test/"
    );
    assert_eq!(
        scan_bytes(&engine(), "session.har", &input).unwrap(),
        c.findings
    );
}

#[test]
fn cleans_a_zip_and_a_log_from_memory() {
    let log = format!("start\nauth token={TOKEN} ok\nend\n");
    let zip = zip_of(&[("logs/app.log", log.as_bytes()), ("notes.txt", b"nothing")]);
    let c = clean_bytes(&engine(), "bundle.zip", &zip).unwrap();
    assert_eq!(c.findings.len(), 1);
    let p = c.findings[0].provenance();
    assert_eq!(p.file, "bundle.zip");
    assert_eq!(p.members, ["logs/app.log"]);
    assert_eq!(
        p.location,
        harscrub::Location::LineColumn {
            line: 2,
            column: 12
        }
    );
    let mut a = ZipArchive::new(Cursor::new(c.copy)).unwrap();
    let mut inner = String::new();
    a.by_name("logs/app.log")
        .unwrap()
        .read_to_string(&mut inner)
        .unwrap();
    assert!(
        inner.starts_with("start\nauth token=[REDACTED:github-token:") && !inner.contains(TOKEN),
        "{inner}"
    );
    let mut notes = String::new();
    a.by_name("notes.txt")
        .unwrap()
        .read_to_string(&mut notes)
        .unwrap();
    assert_eq!(notes, "nothing");

    let plain = clean_bytes(&engine(), "app.log", log.as_bytes()).unwrap();
    assert_eq!(plain.copy, inner.as_bytes());
}

#[test]
fn a_bomb_is_a_limit_and_a_broken_har_is_malformed() {
    let zeros = vec![0u8; 4 << 20];
    let bomb = zip_of(&[("zeros.log", &zeros)]);
    let limits = Limits {
        max_ratio: 100,
        min_tree_budget: 0,
        ..Limits::default()
    };
    let e = limited(limits);
    match clean_bytes(&e, "bomb.zip", &bomb) {
        Err(Error::Limit(m)) => assert!(m.contains("--max-ratio"), "{m}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
    let mut broken = har();
    broken.truncate(broken.len() - 10);
    match clean_bytes(&engine(), "session.har", &broken) {
        Err(Error::Malformed(_)) => {}
        other => panic!("expected a malformed input, got {other:?}"),
    }
    let mut copy = Cursor::new(Vec::new());
    assert!(matches!(
        clean_reader(&engine(), "session.har", Cursor::new(&broken), &mut copy),
        Err(Error::Malformed(_))
    ));
    assert!(
        copy.get_ref().is_empty(),
        "no unverified copy is left when a document fails"
    );
}

#[test]
fn same_named_uploads_on_two_threads_get_their_own_limits() {
    // Each upload inflates to about 3.3 MB of a 4 MiB limit: alone each fits, together
    // (sharing one budget) they would not.
    let limits = Limits {
        max_total_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = limited(limits);
    let log: String = (0..120_000)
        .map(|i| format!("line {i} of a harmless log\n"))
        .collect();
    let upload = zip_of(&[("big.log", log.as_bytes())]);
    std::thread::scope(|sc| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                sc.spawn(|| {
                    for _ in 0..5 {
                        let c = clean_bytes(&e, "upload.zip", &upload).unwrap();
                        assert!(c.findings.is_empty());
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
    // Twice the data in one upload is over the limit.
    let twice = zip_of(&[("a.log", log.as_bytes()), ("b.log", log.as_bytes())]);
    assert!(matches!(
        clean_bytes(&e, "upload.zip", &twice),
        Err(Error::Limit(_))
    ));
}

#[test]
fn clean_reader_equals_clean_bytes() {
    let e = engine();
    let log = format!("x\ntoken={TOKEN}\n");
    let zip = zip_of(&[("a.log", log.as_bytes())]);
    for (name, data) in [
        ("session.har", har()),
        ("app.log", log.into_bytes()),
        ("b.zip", zip),
    ] {
        let mut copy = Cursor::new(Vec::new());
        let findings = clean_reader(&e, name, Cursor::new(&data), &mut copy).unwrap();
        let c = clean_bytes(&e, name, &data).unwrap();
        assert_eq!(copy.into_inner(), c.copy, "{name}");
        assert_eq!(findings, c.findings, "{name}");
    }
}

/// An input that fails after `ok` bytes, like a dropped network upload.
struct Failing<'a> {
    data: Cursor<&'a [u8]>,
    ok: u64,
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.position() >= self.ok {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "upload dropped",
            ));
        }
        let room = (self.ok - self.data.position()) as usize;
        let n = buf.len().min(room);
        self.data.read(&mut buf[..n])
    }
}

impl Seek for Failing<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.data.seek(pos)
    }
}

#[test]
fn clean_reader_tells_a_failed_read_from_a_malformed_document() {
    // A HAR long enough to be streamed in several reads, with a secret in every entry.
    let entry = format!(
        r#"{{"request":{{"method":"GET","url":"https://example.test/a","headers":[{{"name":"Authorization","value":"Bearer {TOKEN}"}}]}},"response":{{"status":200}}}}"#
    );
    let har = format!(
        r#"{{"log":{{"version":"1.2","entries":[{}]}}}}"#,
        vec![entry; 20_000].join(",")
    );
    let e = engine();
    for ok in [100, har.len() as u64 / 2] {
        let mut copy = Cursor::new(Vec::new());
        let input = Failing {
            data: Cursor::new(har.as_bytes()),
            ok,
        };
        match clean_reader(&e, "big.har", input, &mut copy) {
            Err(Error::Io(io)) => assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset),
            other => panic!("expected an I/O error, got {other:?}"),
        }
        assert!(copy.get_ref().is_empty(), "no unverified copy is left");
    }
    // Read whole, the same HAR streams to the copy clean_bytes gives.
    let mut copy = Cursor::new(Vec::new());
    let findings = clean_reader(&e, "big.har", Cursor::new(har.as_bytes()), &mut copy).unwrap();
    let c = clean_bytes(&e, "big.har", har.as_bytes()).unwrap();
    assert_eq!(findings.len(), 20_000);
    assert_eq!(findings, c.findings);
    assert_eq!(copy.into_inner(), c.copy);
}
