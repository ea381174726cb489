//! The library through its public API only: clean from memory, tell errors apart by
//! variant, per-input limits across threads, reader and bytes agree.

use std::io::{Cursor, Read, Write};

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
    let mut copy = Vec::new();
    assert!(matches!(
        clean_reader(&engine(), "session.har", broken.as_slice(), &mut copy),
        Err(Error::Malformed(_))
    ));
    assert!(copy.is_empty(), "nothing is written when a document fails");
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
        let mut copy = Vec::new();
        let findings = clean_reader(&e, name, data.as_slice(), &mut copy).unwrap();
        let c = clean_bytes(&e, name, &data).unwrap();
        assert_eq!(copy, c.copy, "{name}");
        assert_eq!(findings, c.findings, "{name}");
    }
}
