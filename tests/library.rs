//! The library through its public API only: clean from memory (HAR, logs, zip, tar and
//! gzip bundles), tell errors apart by variant, limits against bombs, nesting and
//! corrupt archives, per-input limits across threads, reader and bytes agree.
//!
//! The same bundles through the binary are in `bundles.rs`, hostile archives through
//! the binary in `adversarial.rs`.

mod common;

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use common::build::{bomb_zip, deep_zip, gzip_bomb, leaves, zip, zip_members};
use common::contains;
use harscrub::{
    clean_bytes, clean_reader, scan_bytes, scan_reader, Engine, EngineBuilder, Error, Limits,
};
use zip::ZipArchive;

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
    let bundle = zip(&[("logs/app.log", log.as_bytes()), ("notes.txt", b"nothing")]);
    let c = clean_bytes(&engine(), "bundle.zip", &bundle).unwrap();
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

/// Fake GitHub tokens: `ghp_` + 36 alphanumerics.
const TOKENS: [&str; 4] = [
    "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "ghp_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNn",
    "ghp_mK4nB7vC1xZ5lP8oI2uY6tR9eW3qA0sD4fGh",
    "ghp_T0k3nT0k3nT0k3nT0k3nT0k3nT0k3nT0k3nX",
];

#[test]
fn cleans_a_bundle_keeping_its_members_and_naming_each_finding_s_member() {
    let nested = zip(&[
        ("inner/", b""),
        (
            "inner/worker.log",
            format!("2024-01-01 push with {}\n", TOKENS[2]).as_bytes(),
        ),
    ]);
    let log = format!(
        "2024-01-01T00:00:00Z INFO start\n2024-01-01T00:00:01Z DEBUG using token {}\n",
        TOKENS[0]
    );
    let env = format!("APP_ENV=prod\nGITHUB_TOKEN={}\nPORT=8080\n", TOKENS[1]);
    let png = [
        0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    let bundle = zip(&[
        ("case-123/", b""),
        ("case-123/session.har", &har()),
        ("case-123/logs/app.log", log.as_bytes()),
        ("case-123/.env", env.as_bytes()),
        ("case-123/screenshot.png", &png),
        ("case-123/nested.zip", &nested),
    ]);

    let out = clean_bytes(&engine(), "bundle.zip", &bundle).unwrap();

    let before: Vec<String> = zip_members(&bundle).into_iter().map(|m| m.name).collect();
    let after = zip_members(&out.copy);
    let names: Vec<String> = after.iter().map(|m| m.name.clone()).collect();
    assert_eq!(names, before, "same members, same order");
    assert_eq!(after[4].data, png, "binary member unchanged");
    let inner: Vec<String> = zip_members(&after[5].data)
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(inner, ["inner/", "inner/worker.log"]);
    let har_out: serde_json::Value =
        serde_json::from_slice(&after[1].data).expect("HAR is still JSON");
    assert!(har_out["log"]["entries"][0]["request"]["url"].is_string());
    for (path, d) in leaves("bundle.zip", &out.copy) {
        for t in TOKENS.iter().chain([&TOKEN]) {
            assert!(!contains(&d, t), "{t} left in {path}");
        }
    }
    for t in TOKENS.iter().chain([&TOKEN]) {
        assert!(!contains(&out.copy, t), "{t} left in the raw archive");
    }

    // Findings name their member, in member order.
    let files: Vec<&str> = out.findings.iter().map(|f| f.file.as_str()).collect();
    for p in [
        "bundle.zip!/case-123/session.har",
        "bundle.zip!/case-123/logs/app.log",
        "bundle.zip!/case-123/.env",
        "bundle.zip!/case-123/nested.zip!/inner/worker.log",
    ] {
        assert!(files.contains(&p), "no finding for {p}: {files:?}");
    }
    let first = |p: &str| files.iter().position(|f| *f == p).unwrap();
    assert!(first("bundle.zip!/case-123/session.har") < first("bundle.zip!/case-123/.env"));
    assert!(
        first("bundle.zip!/case-123/.env")
            < first("bundle.zip!/case-123/nested.zip!/inner/worker.log")
    );
}

#[test]
fn a_secret_named_in_one_member_is_redacted_in_every_other() {
    // Named only in `conf/.env` (a password, found by its name); bare in a log before
    // it, in a nested tar.gz after it and in a HAR's response body.
    let pw = "Xq7!vR2#pLm9$wTz";
    let log = format!("ERROR auth failed for user \"app\" (tried \"{pw}\")\n");
    let env = format!("DB_HOST=db.internal\nDB_PASSWORD={pw}\n");
    let note = format!("rotated: {pw}\n");
    let har = format!(
        r#"{{"log":{{"version":"1.2","entries":[{{"request":{{"method":"GET","url":"https://example.test/"}},"response":{{"status":200,"content":{{"mimeType":"text/plain","text":"login as app/{pw}"}}}}}}]}}}}"#
    );
    let inner = common::build::gz(&common::build::tar(&[("notes.txt", note.as_bytes())]));
    let bundle = zip(&[
        ("logs/app.log", log.as_bytes()),
        ("conf/.env", env.as_bytes()),
        ("more/notes.tgz", &inner),
        ("trace.har", har.as_bytes()),
    ]);
    let out = clean_bytes(&engine(), "bundle.zip", &bundle).unwrap();
    let leaves = leaves("bundle.zip", &out.copy);
    let placeholder = |d: &[u8]| {
        let t = String::from_utf8_lossy(d).into_owned();
        let at = t
            .find("[REDACTED:password:")
            .unwrap_or_else(|| panic!("no placeholder in {t}"));
        t[at..at + 28].to_string()
    };
    let mut seen = Vec::new();
    for (path, d) in &leaves {
        assert!(!contains(d, pw), "{pw} left in {path}");
        if path.ends_with(".env")
            || path.ends_with(".log")
            || path.ends_with(".txt")
            || path.ends_with(".har")
        {
            seen.push(placeholder(d));
        }
    }
    assert_eq!(seen.len(), 4, "{leaves:?}");
    assert!(
        seen.iter().all(|p| *p == seen[0]),
        "one placeholder: {seen:?}"
    );
    // Each copy is reported where it was, and nothing else changed.
    let files: Vec<&str> = out.findings.iter().map(|f| f.file.as_str()).collect();
    for p in [
        "bundle.zip!/logs/app.log",
        "bundle.zip!/conf/.env",
        "bundle.zip!/more/notes.tgz!/notes.tar!/notes.txt",
        "bundle.zip!/trace.har",
    ] {
        assert!(files.contains(&p), "no finding for {p}: {files:?}");
    }
    let log_copy = &leaves
        .iter()
        .find(|(p, _)| p.ends_with("app.log"))
        .unwrap()
        .1;
    assert_eq!(
        String::from_utf8_lossy(log_copy).replace(&seen[0], pw),
        log,
        "only the password changed"
    );
    // Scanning the bundle reports the same.
    assert_eq!(
        scan_bytes(&engine(), "bundle.zip", &bundle).unwrap().len(),
        out.findings.len()
    );
}

/// The limit error of `r`, or a panic naming what came instead.
fn limit(r: Result<harscrub::Cleaned, Error>) -> String {
    match r {
        Err(Error::Limit(m)) => m,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn a_bomb_is_a_limit_and_a_broken_har_is_malformed() {
    // A modest ratio limit, no minimum budget: 4 MiB of zeros in a zip made by the zip
    // crate is enough.
    let zeros = vec![0u8; 4 << 20];
    let small = zip(&[("zeros.log", &zeros)]);
    let e = limited(Limits {
        max_ratio: 100,
        min_tree_budget: 0,
        ..Limits::default()
    });
    let m = limit(clean_bytes(&e, "bomb.zip", &small));
    assert!(m.contains("--max-ratio"), "{m}");

    // 200 MiB of zeros in a 200 KB zip, under the default limits: refused from the
    // declared sizes before anything is inflated, naming the member and the option.
    let bomb = bomb_zip("zeros.log", 0, 200);
    assert!(bomb.len() < 1 << 20, "bomb is {} bytes", bomb.len());
    assert!(200u64 << 20 > bomb.len() as u64 * Limits::default().max_ratio);
    let e = engine();
    let start = Instant::now();
    let m = limit(clean_bytes(&e, "bomb.zip", &bomb));
    let took = start.elapsed();
    assert!(
        m.contains("compression ratio") && m.contains("--max-ratio"),
        "{m}"
    );
    assert!(m.contains("bomb.zip!/zeros.log"), "{m}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // Nested one level down, it is refused just the same.
    let outer = zip(&[("readme.txt", b"hi"), ("inner/bomb.zip", &bomb)]);
    let m = limit(clean_bytes(&e, "outer.zip", &outer));
    assert!(m.contains("outer.zip!/inner/bomb.zip!/zeros.log"), "{m}");
    // A gzip bomb declares no size: it is stopped while inflating, after about 1 MiB of
    // output, not 200 MiB.
    let start = Instant::now();
    let m = limit(clean_bytes(&e, "bomb.log.gz", &gzip_bomb(0, 200)));
    assert!(
        m.contains("compression ratio") && m.contains("bomb.log.gz!/bomb.log"),
        "{m}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );

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
fn nesting_deeper_than_the_limit_is_refused() {
    // 5 levels of zip.
    let doc = deep_zip("leaf.txt", b"hello", 4);
    let ok = limited(Limits {
        max_depth: 5,
        ..Limits::default()
    });
    clean_bytes(&ok, "deep.zip", &doc).unwrap();
    let strict = limited(Limits {
        max_depth: 4,
        ..Limits::default()
    });
    let m = limit(clean_bytes(&strict, "deep.zip", &doc));
    assert!(m.contains("nesting") && m.contains("--max-depth"), "{m}");
}

#[test]
fn corrupt_zip_fails_cleanly() {
    let e = engine();
    let good = zip(&[
        ("a.log", format!("t {TOKEN}\n").as_bytes()),
        ("b.log", b"x"),
    ]);
    // Truncated: central directory missing.
    match clean_bytes(&e, "cut.zip", &good[..good.len() / 2]) {
        Err(Error::Malformed(m)) => assert!(m.contains("cut.zip"), "{m}"),
        other => panic!("expected a malformed input, got {other:?}"),
    }
    // Flipped bytes inside the compressed data: CRC or inflate error, never a copy.
    let mut bad = good.clone();
    for b in &mut bad[40..50] {
        *b ^= 0xff;
    }
    assert!(clean_bytes(&e, "flip.zip", &bad).is_err());
    // Only the magic.
    assert!(clean_bytes(&e, "magic.zip", b"PK\x03\x04").is_err());
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
    let upload = zip(&[("big.log", log.as_bytes())]);
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
    // Twice the data in one upload is over the limit, also when half of it is in a
    // nested zip: the limit is the whole tree's.
    let twice = zip(&[("a.log", log.as_bytes()), ("b.log", log.as_bytes())]);
    let m = limit(clean_bytes(&e, "upload.zip", &twice));
    assert!(m.contains("--max-total-bytes"), "{m}");
    let nested = zip(&[("a.log", log.as_bytes()), ("inner.zip", &upload)]);
    let m = limit(clean_bytes(&e, "upload.zip", &nested));
    assert!(m.contains("--max-total-bytes"), "{m}");
}

#[test]
fn clean_reader_equals_clean_bytes() {
    let e = engine();
    let log = format!("x\ntoken={TOKEN}\n");
    let bundle = zip(&[("a.log", log.as_bytes())]);
    for (name, data) in [
        ("session.har", har()),
        ("app.log", log.into_bytes()),
        ("b.zip", bundle),
    ] {
        let mut copy = Cursor::new(Vec::new());
        let findings = clean_reader(&e, name, Cursor::new(&data), &mut copy).unwrap();
        let c = clean_bytes(&e, name, &data).unwrap();
        assert_eq!(copy.into_inner(), c.copy, "{name}");
        assert_eq!(findings, c.findings, "{name}");
        let scanned = scan_reader(&e, name, Cursor::new(&data)).unwrap();
        assert_eq!(
            scanned, c.findings,
            "{name}: a scan reports what clean redacts"
        );
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

/// A secret found by its context (a cookie) and repeated in unremarkable places (a
/// later URL, a JSON key, a log line): every scan and clean reports it wherever it is,
/// agrees on where, and never shows it, nor its longest alphanumeric run, in a name or
/// URL of the report.
#[test]
fn scans_agree_with_clean_and_report_no_trace_of_a_secret() {
    const SID: &str = "c8Jq2Lw0Xp5Rz7Tn4Vb9";
    let har = format!(
        r#"{{"log":{{"version":"1.2","entries":[
        {{"request":{{"method":"GET","url":"https://example.test/a","headers":[{{"name":"Cookie","value":"sid={SID}"}}]}},"response":{{"status":200}}}},
        {{"request":{{"method":"GET","url":"https://example.test/b?ref={SID}","headers":[]}},"response":{{"status":200,"content":{{"mimeType":"application/json","text":"{{\"{SID}\":1,\"note\":\"seen {SID}\"}}"}}}}}}]}}}}"#
    );
    let json =
        format!(r#"{{"session":{{"password":"{SID}"}},"audit":["login {SID}"],"{SID}":true}}"#);
    let log = format!("password={SID}\nGET /b?ref={SID}\n");
    let e = engine();
    for (name, data) in [
        ("s.har", har.as_bytes()),
        ("s.json", json.as_bytes()),
        ("s.log", log.as_bytes()),
    ] {
        let cleaned = clean_bytes(&e, name, data).unwrap();
        assert!(
            !contains(&cleaned.copy, SID),
            "{name}: the copy holds the secret"
        );
        let scanned = scan_bytes(&e, name, data).unwrap();
        let streamed = scan_reader(&e, name, Cursor::new(data)).unwrap();
        let places = |fs: &[harscrub::Finding]| -> Vec<(String, String, String)> {
            fs.iter()
                .map(|f| (f.location.clone(), f.kind.clone(), f.fingerprint.clone()))
                .collect()
        };
        assert!(
            cleaned.findings.len() >= 2,
            "{name}: {:?}",
            places(&cleaned.findings)
        );
        assert_eq!(places(&scanned), places(&cleaned.findings), "{name}");
        assert_eq!(places(&streamed), places(&cleaned.findings), "{name}");
        for fs in [&cleaned.findings, &scanned, &streamed] {
            let report = serde_json::to_string(fs).unwrap();
            assert!(
                !report.contains(SID),
                "{name}: the findings show the secret"
            );
        }
    }
}
