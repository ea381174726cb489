//! End-to-end tests of every input kind harscrub accepts besides a plain `.har` file:
//! directories, zip (and Fiddler `.saz`), `.har.gz`, tar / tar.gz / tgz, text and logs,
//! JSON that is not a HAR, standard input, and HARs recognised by content; plus the
//! realistic support bundle in `testdata/bundle/`, the same secret in every kind of
//! container, batch behaviour and archive safety.
//!
//! Everything goes through the real binary in a `common::Dir` workspace, with the
//! workspace as the working directory so that provenance in the report reads like
//! `support-bundle.zip!/case/logs.zip!/app.log`. All credentials are FAKE.
//!
//! `testdata/bundle/support-bundle.zip` is built by `testdata/bundle/make_bundle.py`
//! from the plain files beside it; `support-bundle.secrets` lists what was planted and
//! `support-bundle.keep` what must survive.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use common::build::{
    gunzip, gz, is_tar, leaves, member, names, tar, tar_members, zip_members, zip_with, Z,
};
use common::{
    basic_credentials, contains, leaks, parse, read, sidecar, testdata, tree, views, visible,
    write, Dir, Run,
};
use regex::Regex;
use serde_json::{json, Value};
use zip::ZipArchive;

const KEY: &str = "bundles-test-key";

// ---------------------------------------------------------------------------------
// running the binary

/// Runs harscrub in the workspace with the fixed fingerprint key appended.
fn harscrub(t: &Dir, args: &[&str]) -> Run {
    t.cmd(args).args(&["--fingerprint-key", KEY]).run()
}

/// [`harscrub`] with `sub` (under the workspace) as the current dir.
fn harscrub_in(t: &Dir, sub: &str, args: &[&str]) -> Run {
    t.cmd(args).args(&["--fingerprint-key", KEY]).cwd(sub).run()
}

fn text(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap()
}

/// The keyed fingerprint harscrub must give `secret` with [`KEY`].
fn fp(secret: &str) -> String {
    harscrub::internals::Redactor::new(KEY.as_bytes()).fingerprint(secret.as_bytes())
}

// ---------------------------------------------------------------------------------
// the report

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct F {
    file: String,
    location: String,
    rule: String,
    kind: String,
    fingerprint: String,
    length: usize,
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| panic!("report {} is not JSON: {e}", path.display()))
}

fn findings(report: &Value) -> Vec<F> {
    report["findings"]
        .as_array()
        .expect("findings[]")
        .iter()
        .map(|f| F {
            file: f["file"].as_str().unwrap().to_owned(),
            location: f["location"].as_str().unwrap().to_owned(),
            rule: f["rule"].as_str().unwrap().to_owned(),
            kind: f["kind"].as_str().unwrap().to_owned(),
            fingerprint: f["fingerprint"].as_str().unwrap().to_owned(),
            length: f["length"].as_u64().unwrap() as usize,
        })
        .collect()
}

/// The `files[]` entry for `path`.
fn file_entry<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files[]")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no files[] entry for {path}: {:#}", report["files"]))
}

/// The inputs a report says were read (skipped entries left out).
fn reported_paths(report: &Value) -> Vec<String> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "skipped")
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

/// `line:column`, both 1-based.
fn line_col(location: &str) -> Option<(usize, usize)> {
    let (l, c) = location.split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

/// The bytes a text finding points at: `length` bytes from `line:column` (1-based, the
/// column counted in bytes).
fn span<'a>(doc: &'a [u8], f: &F) -> Option<&'a [u8]> {
    let (line, col) = line_col(&f.location)?;
    let l = doc.split(|&b| b == b'\n').nth(line.checked_sub(1)?)?;
    l.get(col.checked_sub(1)?..col - 1 + f.length)
}

// ---------------------------------------------------------------------------------
// archives

fn all_leaves(path: &str, data: &[u8]) -> Vec<(String, Vec<u8>)> {
    leaves(path, data)
}

/// Every form in which a secret could be read in a leaf: [`views`] (raw, JSON-decoded,
/// base64 bodies, `Basic` credentials in JSON strings) plus `Basic` credentials in raw
/// text.
fn leaf_views(data: &[u8]) -> Vec<String> {
    let mut v = views(data);
    let raw = String::from_utf8_lossy(data).into_owned();
    v.extend(basic_credentials(&[raw]));
    v
}

/// Problems: planted secrets readable in any leaf of `data`.
fn secrets_left(path: &str, data: &[u8], secrets: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for (leaf, d) in all_leaves(path, data) {
        let v = leaf_views(&d);
        for s in secrets {
            if visible(&v, s) {
                problems.push(format!("{leaf}: still contains {s}"));
            }
        }
    }
    // Stored members, names and comments: the raw bytes too.
    for s in secrets {
        if contains(data, s) {
            problems.push(format!("{path} (raw bytes): still contains {s}"));
        }
    }
    problems
}

/// Same JSON shape; strings may differ only by now holding a placeholder (or, for a
/// base64 body, by decoding to something else). Returns the number of strings changed.
fn same_shape(a: &Value, b: &Value, at: &str, problems: &mut Vec<String>) -> usize {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.keys().ne(y.keys()) {
                problems.push(format!("{at}: keys changed"));
                return 0;
            }
            x.iter()
                .map(|(k, v)| same_shape(v, &y[k], &format!("{at}/{k}"), problems))
                .sum()
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                problems.push(format!("{at}: {} items became {}", x.len(), y.len()));
                return 0;
            }
            x.iter()
                .zip(y)
                .enumerate()
                .map(|(i, (v, w))| same_shape(v, w, &format!("{at}/{i}"), problems))
                .sum()
        }
        (Value::String(x), Value::String(y)) => {
            if x == y {
                return 0;
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(y)
                .map(|d| String::from_utf8_lossy(&d).into_owned())
                .unwrap_or_default();
            if !y.contains("[REDACTED:") && !decoded.contains("[REDACTED:") {
                problems.push(format!("{at}: string changed without a placeholder"));
            }
            1
        }
        _ => {
            if a != b {
                problems.push(format!("{at}: value changed"));
            }
            0
        }
    }
}

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------
// fixtures built in the tests (FAKE credentials)

/// A HAR with the given entries.
fn har_doc(entries: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [{"startedDateTime": "2024-05-01T10:00:00.000Z", "id": "page_1",
                       "title": "Example", "pageTimings": {"onContentLoad": 100.5, "onLoad": 200.5}}],
            "entries": entries
        }
    }))
    .unwrap()
}

/// One HAR entry: request headers, a response body (base64 when `b64`).
fn har_entry(url: &str, headers: &[(&str, &str)], body: &str, b64: bool) -> Value {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    let mut content = json!({"size": body.len(), "mimeType": "application/json", "text": body});
    if b64 {
        content["text"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
        content["encoding"] = json!("base64");
    }
    json!({
        "startedDateTime": "2024-05-01T10:00:00.000Z", "time": 42.5, "pageref": "page_1",
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": headers,
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
                     "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                     "bodySize": body.len()},
        "cache": {}, "timings": {"send": 0.5, "wait": 40.0, "receive": 2.0}
    })
}

const SMALL_HAR_TOKEN: &str = "ghp_Sm4lLh4rT0k3nF4k3Xy9Wv8Ut7Sr6Qp5On4M";
const SMALL_HAR_COOKIE: &str = "smallhar_fake_Ab3Cd5Ef7Gh9Ij1Kl3Mn5";

fn small_har() -> String {
    har_doc(vec![
        har_entry(
            "https://api.example.com/v1/me",
            &[
                ("Authorization", &format!("token {SMALL_HAR_TOKEN}")),
                ("Cookie", &format!("sid={SMALL_HAR_COOKIE}")),
                ("Accept", "application/json"),
            ],
            r#"{"login":"jdoe","plan":"pro"}"#,
            false,
        ),
        har_entry(
            "https://cdn.example.com/app.3f9a1c2e.js",
            &[],
            "console.log(1)",
            false,
        ),
    ])
}

const LOG_TOKEN: &str = "opq_fake_Wn3Xm7Yl1Zk5Aj9Bi2Ch6Dg0";
const LOG_PASSWORD: &str = "Log-Fake-Passw0rd-77";

fn small_log() -> String {
    format!(
        "2024-05-01T10:00:00Z INFO start\n\
         2024-05-01T10:00:01Z DEBUG headers {{'Authorization': 'Bearer {LOG_TOKEN}', 'Accept': '*/*'}}\n\
         2024-05-01T10:00:02Z ERROR db postgres://app:{LOG_PASSWORD}@db.internal:5432/app unreachable\n"
    )
}

/// An 8x8 greyscale PNG (valid, tiny): the screenshot from the bundle.
fn png() -> Vec<u8> {
    read(&testdata("bundle/support-bundle/case/screenshot.png"))
}

// =================================================================================
// directories

fn directory_fixture(root: &Path) {
    write(&root.join("capture.har"), small_har());
    write(&root.join("logs/app.log"), small_log());
    write(
        &root.join("logs/2024/05/worker.log"),
        "2024-05-01 worker up\n2024-05-01 using GITLAB_TOKEN=glpat-DirFakeTok3n12345abcd\n",
    );
    write(
        &root.join("config/settings.json"),
        r#"{"db": {"user": "app", "password": "Dir-Json-Fake-Pass-9"}, "port": 8080}"#,
    );
    write(
        &root.join("config/.env"),
        "PORT=8080\nAPP_SECRET=dir_fake_secret_Qw8Er6Ty4Ui2Op0\n",
    );
    write(&root.join("media/screenshot.png"), png());
    write(
        &root.join("README.txt"),
        "Nothing secret in here.\nSee logs/ and capture.har.\n",
    );
}

const DIRECTORY_SECRETS: &[&str] = &[
    SMALL_HAR_TOKEN,
    SMALL_HAR_COOKIE,
    LOG_TOKEN,
    LOG_PASSWORD,
    "glpat-DirFakeTok3n12345abcd",
    "Dir-Json-Fake-Pass-9",
    "dir_fake_secret_Qw8Er6Ty4Ui2Op0",
];

const DIRECTORY_FILES: &[&str] = &[
    "README.txt",
    "capture.har",
    "config/.env",
    "config/settings.json",
    "logs/2024/05/worker.log",
    "logs/app.log",
    "media/screenshot.png",
];

#[test]
fn directory_is_walked_recursively_and_mirrored_under_out() {
    let t = Dir::new();
    directory_fixture(&t.path().join("in"));
    let r = harscrub(
        &t,
        &["clean", "in", "--out", "out", "--report", "report.json"],
    );
    assert_eq!(r.code, Some(0), "{r}");

    // The copies mirror the tree (relative to the folder given), nothing else is written.
    assert_eq!(tree(&t.path().join("out")), DIRECTORY_FILES);
    assert_eq!(
        tree(&t.path().join("in")),
        DIRECTORY_FILES,
        "input untouched"
    );

    let secrets: Vec<String> = DIRECTORY_SECRETS.iter().map(|s| s.to_string()).collect();
    let mut problems = Vec::new();
    for rel in DIRECTORY_FILES {
        let copy = read(&t.path().join("out").join(rel));
        problems.extend(secrets_left(rel, &copy, &secrets));
    }
    assert_no_problems("secrets left in the mirrored copies", problems);
    for same in ["README.txt", "media/screenshot.png"] {
        assert_eq!(
            read(&t.path().join("out").join(same)),
            read(&t.path().join("in").join(same)),
            "{same} has nothing to redact: copied byte for byte"
        );
    }

    let rep = report(&t.path().join("report.json"));
    let mut paths = reported_paths(&rep);
    paths.sort();
    let expected: Vec<String> = DIRECTORY_FILES.iter().map(|f| format!("in/{f}")).collect();
    assert_eq!(paths, expected);
    for f in rep["files"].as_array().unwrap() {
        assert_eq!(f["status"], "written", "{f}");
    }
    let found: BTreeSet<String> = findings(&rep).into_iter().map(|f| f.file).collect();
    for f in [
        "in/capture.har",
        "in/logs/app.log",
        "in/logs/2024/05/worker.log",
        "in/config/settings.json",
        "in/config/.env",
    ] {
        assert!(found.contains(f), "no finding in {f}: {found:?}");
    }
    assert!(leaks(&r.all(), &secrets).is_empty());
}

#[test]
fn directory_without_out_gets_copies_beside_each_file_and_reruns_skip_them() {
    let t = Dir::new();
    let root = t.path().join("case");
    directory_fixture(&root);
    write(&root.join("capture.har.gz"), gz(small_har().as_bytes()));
    write(
        &root.join("logs.tgz"),
        gz(&tar(&[("app.log", small_log().as_bytes())])),
    );
    let inputs = tree(&root);

    let r = harscrub(&t, &["clean", "case", "--report", "r1.json"]);
    assert_eq!(r.code, Some(0), "{r}");
    let copies: Vec<String> = [
        "README.redacted.txt",
        "capture.redacted.har",
        "capture.redacted.har.gz",
        "config/.env.redacted",
        "config/settings.redacted.json",
        "logs.redacted.tgz",
        "logs/2024/05/worker.redacted.log",
        "logs/app.redacted.log",
        "media/screenshot.redacted.png",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut expected: Vec<String> = inputs.iter().chain(&copies).cloned().collect();
    expected.sort();
    assert_eq!(
        tree(&root),
        expected,
        "one NAME.redacted.EXT copy beside each file"
    );
    let first: Vec<Vec<u8>> = copies.iter().map(|c| read(&root.join(c))).collect();
    let secrets: Vec<String> = DIRECTORY_SECRETS.iter().map(|s| s.to_string()).collect();
    let mut problems = Vec::new();
    for (c, data) in copies.iter().zip(&first) {
        problems.extend(secrets_left(c, data, &secrets));
    }
    assert_no_problems("secrets left in the copies", problems);
    assert!(gunzip(&read(&root.join("capture.redacted.har.gz"))).starts_with(b"{"));

    // Running again over the same folder: the copies are not inputs (they are listed
    // as skipped). Same key, so every copy is identical and left as it was.
    let r = harscrub(&t, &["clean", "case", "--report", "r2.json"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stderr.contains("9 unchanged (identical copy existed)"),
        "{r}"
    );
    let rep = report(&t.path().join("r2.json"));
    assert_eq!(
        reported_paths(&rep).len(),
        inputs.len(),
        "{:#}",
        rep["files"]
    );
    let statuses: BTreeSet<(String, String)> = rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let copy = f["path"].as_str().unwrap().contains(".redacted");
            (copy.to_string(), f["status"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("false".to_string(), "unchanged".to_string()),
            ("true".to_string(), "skipped".to_string())
        ]
        .into_iter()
        .collect(),
        "inputs unchanged, copies skipped"
    );
    // A copy edited by hand is not overwritten: that input fails, the edit stays.
    fs::write(root.join("logs/app.redacted.log"), "my notes\n").unwrap();
    let r = harscrub(&t, &["clean", "case"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("already exists and differs"), "{r}");
    assert_eq!(read(&root.join("logs/app.redacted.log")), b"my notes\n");
    fs::write(root.join("logs/app.redacted.log"), &first[7]).unwrap();

    // With --force every input is cleaned again, the copies still are not.
    let r = harscrub(&t, &["clean", "case", "--force", "--report", "r3.json"]);
    assert_eq!(r.code, Some(0), "{r}");
    let rep = report(&t.path().join("r3.json"));
    let paths = reported_paths(&rep);
    assert_eq!(paths.len(), inputs.len(), "{paths:?}");
    assert!(
        paths.iter().all(|p| !p.contains(".redacted")),
        "a copy was taken as an input: {paths:?}"
    );
    assert_eq!(tree(&root), expected, "no copies of copies");
    let second: Vec<Vec<u8>> = copies.iter().map(|c| read(&root.join(c))).collect();
    assert!(first == second, "same key, same copies");
}

// =================================================================================
// zip, saz, gzip, tar

#[test]
fn zip_keeps_member_names_order_folders_and_binary_members() {
    let t = Dir::new();
    let log = small_log();
    let har = small_har();
    let innermost = zip_with(&[(
        "deep/token.txt",
        Z::Deflated(b"GITHUB_TOKEN=ghp_Inn3rMostZipF4keT0k3nAb12Cd34Ef56Gh"),
    )]);
    let inner = zip_with(&[
        ("logs/", Z::Dir),
        ("logs/app.log", Z::Deflated(log.as_bytes())),
        ("archive/", Z::Dir),
        ("archive/older.zip", Z::Stored(&innermost)),
    ]);
    let png = png();
    let input = zip_with(&[
        ("support/", Z::Dir),
        ("support/README.txt", Z::Deflated(b"nothing to see\n")),
        ("support/capture.har", Z::Deflated(har.as_bytes())),
        ("support/export.json", Z::Deflated(har.as_bytes())),
        ("support/img/", Z::Dir),
        ("support/img/screenshot.png", Z::Stored(&png)),
        ("support/nested.zip", Z::Deflated(&inner)),
        ("empty/", Z::Dir),
    ]);
    write(&t.path().join("bundle.zip"), &input);
    let r = harscrub(
        &t,
        &[
            "clean",
            "bundle.zip",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = read(&t.path().join("out/bundle.zip"));

    let (before, after) = (zip_members(&input), zip_members(&copy));
    assert_eq!(names(&after), names(&before), "same members, same order");
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.is_dir, b.is_dir, "{}: still a folder", a.name);
    }
    assert_eq!(
        member(&after, "support/README.txt").data,
        b"nothing to see\n"
    );
    assert_eq!(
        member(&after, "support/img/screenshot.png").data,
        png,
        "a binary member is copied byte for byte"
    );
    let nested = zip_members(&member(&after, "support/nested.zip").data);
    assert_eq!(
        names(&nested),
        ["logs/", "logs/app.log", "archive/", "archive/older.zip"]
    );
    let innermost_after = zip_members(&member(&nested, "archive/older.zip").data);
    assert_eq!(names(&innermost_after), ["deep/token.txt"]);

    let secrets: Vec<String> = [
        SMALL_HAR_TOKEN,
        SMALL_HAR_COOKIE,
        LOG_TOKEN,
        LOG_PASSWORD,
        "ghp_Inn3rMostZipF4keT0k3nAb12Cd34Ef56Gh",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_no_problems("zip", secrets_left("bundle.zip", &copy, &secrets));
    let har_copy = parse(&member(&after, "support/capture.har").data).expect("still JSON");
    let mut problems = Vec::new();
    same_shape(
        &parse(har.as_bytes()).unwrap(),
        &har_copy,
        "",
        &mut problems,
    );
    assert_no_problems("HAR member shape", problems);

    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let files: BTreeSet<&str> = fs.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(
        files,
        BTreeSet::from([
            "bundle.zip!/support/capture.har",
            "bundle.zip!/support/export.json",
            "bundle.zip!/support/nested.zip!/logs/app.log",
            "bundle.zip!/support/nested.zip!/archive/older.zip!/deep/token.txt",
        ])
    );
    // A HAR saved as .json inside the zip is still handled as a HAR.
    let as_json: Vec<&F> = fs
        .iter()
        .filter(|f| f.file.ends_with("export.json"))
        .collect();
    let as_har: Vec<&F> = fs
        .iter()
        .filter(|f| f.file.ends_with("capture.har"))
        .collect();
    assert_eq!(as_json.len(), as_har.len());
    for (j, h) in as_json.iter().zip(&as_har) {
        assert_eq!((&j.location, &j.fingerprint), (&h.location, &h.fingerprint));
        assert!(j.location.starts_with("/log/entries/"), "{j:?}");
    }
    let entry = file_entry(&rep, "bundle.zip");
    assert_eq!(entry["status"], "written");
    assert_eq!(entry["kind"], "zip");
    assert_eq!(entry["findings"].as_u64().unwrap() as usize, fs.len());
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="htm" ContentType="text/html" />
  <Default Extension="xml" ContentType="application/xml" />
  <Default Extension="txt" ContentType="text/plain" />
</Types>
"#;

/// A Fiddler session archive: a zip of raw HTTP requests and responses.
fn saz(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let request = "GET /api/v1/account HTTP/1.1\r\n\
        Host: portal.example.com\r\n\
        Authorization: Bearer saz_fake_Rq7Sp3To9Un5Vm1Wl\r\n\
        Cookie: ASP.NET_SessionId=sazsid_fake_Xk4Yj8Zi2Ah6Bg0; lang=en\r\n\
        User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n\r\n";
    let response = "HTTP/1.1 200 OK\r\n\
        Content-Type: application/json; charset=utf-8\r\n\
        Set-Cookie: .AspNet.Cookies=sazauth_fake_Cf5De1Ed7Fc3Gb9Ha; path=/; secure; HttpOnly\r\n\r\n\
        {\"user\":\"jdoe\",\"access_token\":\"sazat_fake_Ib2Jc8Kd4Le0Mf6\"}";
    let meta = r#"<?xml version="1.0" encoding="utf-8"?>
<Session SID="1" BitFlags="0">
  <SessionTimers ClientConnected="2024-05-01T10:00:00.0000000+00:00" />
</Session>
"#;
    let mut entries: Vec<(&str, Z<'_>)> = vec![
        ("[Content_Types].xml", Z::Deflated(CONTENT_TYPES.as_bytes())),
        (
            "_index.htm",
            Z::Deflated(
                b"<html><body><table><tr><td>1</td><td>200</td></tr></table></body></html>",
            ),
        ),
        ("raw/", Z::Dir),
        ("raw/01_c.txt", Z::Deflated(request.as_bytes())),
        ("raw/01_s.txt", Z::Deflated(response.as_bytes())),
        ("raw/01_m.xml", Z::Deflated(meta.as_bytes())),
    ];
    for (n, d) in extra {
        entries.push((n, Z::Deflated(d)));
    }
    zip_with(&entries)
}

const SAZ_SECRETS: &[&str] = &[
    "saz_fake_Rq7Sp3To9Un5Vm1Wl",
    "sazsid_fake_Xk4Yj8Zi2Ah6Bg0",
    "sazauth_fake_Cf5De1Ed7Fc3Gb9Ha",
    "sazat_fake_Ib2Jc8Kd4Le0Mf6",
];

#[test]
fn fiddler_saz_is_cleaned_as_a_zip() {
    let t = Dir::new();
    let input = saz(&[]);
    write(&t.path().join("session.saz"), &input);
    let r = harscrub(
        &t,
        &[
            "clean",
            "session.saz",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = read(&t.path().join("out/session.saz"));
    let (before, after) = (zip_members(&input), zip_members(&copy));
    assert_eq!(names(&after), names(&before));
    for same in ["[Content_Types].xml", "_index.htm", "raw/01_m.xml"] {
        assert_eq!(member(&after, same).data, member(&before, same).data);
    }
    let req = String::from_utf8(member(&after, "raw/01_c.txt").data.clone()).unwrap();
    assert!(req.starts_with("GET /api/v1/account HTTP/1.1\r\nHost: portal.example.com\r\n"));
    assert!(req.contains("Authorization: Bearer [REDACTED:"), "{req}");
    assert!(req.ends_with("\r\n\r\n"), "CRLF framing kept: {req:?}");
    let secrets: Vec<String> = SAZ_SECRETS.iter().map(|s| s.to_string()).collect();
    assert_no_problems("saz", secrets_left("session.saz", &copy, &secrets));

    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let lc = Regex::new(r"^\d+:\d+$").unwrap();
    for f in &fs {
        assert!(
            f.file == "session.saz!/raw/01_c.txt" || f.file == "session.saz!/raw/01_s.txt",
            "{f:?}"
        );
        assert!(lc.is_match(&f.location), "{f:?}");
    }
    assert_eq!(file_entry(&rep, "session.saz")["kind"], "zip");
}

#[test]
fn fiddler_saz_with_binary_response_bodies_is_cleaned() {
    let t = Dir::new();
    let png = png();
    let mut image_response =
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nCache-Control: max-age=3600\r\n\r\n"
            .to_vec();
    image_response.extend_from_slice(&png);
    let gzipped = gz(br#"{"items":[1,2,3]}"#);
    let mut gzip_response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n"
            .to_vec();
    gzip_response.extend_from_slice(&gzipped);
    let input = saz(&[
        (
            "raw/02_c.txt",
            b"GET /logo.png HTTP/1.1\r\nHost: portal.example.com\r\nCookie: ASP.NET_SessionId=sazsid_fake_Xk4Yj8Zi2Ah6Bg0\r\n\r\n",
        ),
        ("raw/02_s.txt", &image_response),
        ("raw/03_s.txt", &gzip_response),
    ]);
    write(&t.path().join("session.saz"), &input);
    let r = harscrub(&t, &["clean", "session.saz", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r}");
    let copy = read(&t.path().join("out/session.saz"));
    let after = zip_members(&copy);
    assert_eq!(names(&after), names(&zip_members(&input)));
    assert_eq!(member(&after, "raw/02_s.txt").data, image_response);
    let secrets: Vec<String> = SAZ_SECRETS.iter().map(|s| s.to_string()).collect();
    assert_no_problems("saz", secrets_left("session.saz", &copy, &secrets));
}

#[test]
fn har_gz_gives_a_redacted_har_gz() {
    let t = Dir::new();
    let har = small_har();
    write(&t.path().join("capture.har.gz"), gz(har.as_bytes()));
    let r = harscrub(
        &t,
        &[
            "clean",
            "capture.har.gz",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    // Beside the input too: capture.redacted.har.gz.
    let r2 = harscrub(&t, &["clean", "capture.har.gz"]);
    assert_eq!(r2.code, Some(0), "{r2}");

    for copy in ["out/capture.har.gz", "capture.redacted.har.gz"] {
        let data = read(&t.path().join(copy));
        assert!(data.starts_with(&[0x1f, 0x8b]), "{copy} is gzip");
        let inner = gunzip(&data);
        let v = parse(&inner).unwrap_or_else(|e| panic!("{copy}: not a HAR: {e}"));
        let mut problems = Vec::new();
        assert!(same_shape(&parse(har.as_bytes()).unwrap(), &v, "", &mut problems) >= 2);
        assert_no_problems(copy, problems);
        let secrets = vec![SMALL_HAR_TOKEN.to_string(), SMALL_HAR_COOKIE.to_string()];
        assert_no_problems(copy, secrets_left(copy, &data, &secrets));
    }
    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    assert!(fs.len() >= 2);
    for f in &fs {
        assert_eq!(f.file, "capture.har.gz!/capture.har");
        assert!(f.location.starts_with("/log/entries/0/request/"), "{f:?}");
    }
    assert_eq!(file_entry(&rep, "capture.har.gz")["kind"], "gzip");
}

fn xz(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn unxz(data: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    lzma_rust2::XzReader::new(data, true)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn bz2(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(9));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn unbz2(data: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    bzip2::read::MultiBzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// tar, tar.gz, tgz, tar.xz, txz and tar.bz2: every member cleaned, the copy
/// compressed the same way.
#[test]
fn tar_tar_gz_and_tgz_are_cleaned_member_by_member() {
    let t = Dir::new();
    let har = small_har();
    let log = small_log();
    let env = "PORT=8080\nAPI_KEY=tar_fake_api_key_Zx9Yw8Vu7Ts6\n";
    let tar = tar(&[
        ("bundle/", b""),
        ("bundle/app.log", log.as_bytes()),
        ("bundle/config/", b""),
        ("bundle/config/.env", env.as_bytes()),
        ("bundle/capture.har", har.as_bytes()),
        ("bundle/screenshot.png", &png()),
        ("bundle/README", b"nothing secret\n"),
    ]);
    let expected_names = tar_members(&tar)
        .into_iter()
        .map(|m| m.0)
        .collect::<Vec<_>>();
    write(&t.path().join("bundle.tar"), &tar);
    write(&t.path().join("bundle.tar.gz"), gz(&tar));
    write(&t.path().join("bundle.tgz"), gz(&tar));
    write(&t.path().join("bundle.tar.xz"), xz(&tar));
    write(&t.path().join("bundle.txz"), xz(&tar));
    write(&t.path().join("bundle.tar.bz2"), bz2(&tar));
    let r = harscrub(
        &t,
        &[
            "clean",
            "bundle.tar",
            "bundle.tar.gz",
            "bundle.tgz",
            "bundle.tar.xz",
            "bundle.txz",
            "bundle.tar.bz2",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let secrets: Vec<String> = [
        SMALL_HAR_TOKEN,
        SMALL_HAR_COOKIE,
        LOG_TOKEN,
        LOG_PASSWORD,
        "tar_fake_api_key_Zx9Yw8Vu7Ts6",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for name in [
        "bundle.tar",
        "bundle.tar.gz",
        "bundle.tgz",
        "bundle.tar.xz",
        "bundle.txz",
        "bundle.tar.bz2",
    ] {
        let copy = read(&t.path().join("out").join(name));
        let inner = if name == "bundle.tar" {
            copy.clone()
        } else if name.ends_with("xz") {
            assert!(copy.starts_with(b"\xFD7zXZ\0"), "{name} is still xz");
            unxz(&copy)
        } else if name.ends_with("bz2") {
            assert!(copy.starts_with(b"BZh9"), "{name} is still bzip2");
            unbz2(&copy)
        } else {
            assert!(copy.starts_with(&[0x1f, 0x8b]), "{name} is still gzip");
            gunzip(&copy)
        };
        assert!(is_tar(&inner), "{name} holds a tar");
        let members = tar_members(&inner);
        let got: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
        assert_eq!(got, expected_names, "{name}: same members, same order");
        let get = |n: &str| &members.iter().find(|m| m.0 == n).unwrap().1;
        assert_eq!(*get("bundle/screenshot.png"), png());
        assert_eq!(get("bundle/README").as_slice(), b"nothing secret\n");
        assert_eq!(
            String::from_utf8_lossy(get("bundle/config/.env")),
            format!(
                "PORT=8080\nAPI_KEY=[REDACTED:api-key:{}]\n",
                fp("tar_fake_api_key_Zx9Yw8Vu7Ts6")
            )
        );
        assert_no_problems(name, secrets_left(name, &copy, &secrets));
    }
    let rep = report(&t.path().join("report.json"));
    let files: BTreeSet<String> = findings(&rep).into_iter().map(|f| f.file).collect();
    for p in [
        "bundle.tar!/bundle/app.log",
        "bundle.tar!/bundle/config/.env",
        "bundle.tar!/bundle/capture.har",
        "bundle.tar.gz!/bundle.tar!/bundle/app.log",
        "bundle.tgz!/bundle.tar!/bundle/config/.env",
        "bundle.tgz!/bundle.tar!/bundle/capture.har",
        "bundle.tar.xz!/bundle.tar!/bundle/app.log",
        "bundle.txz!/bundle.tar!/bundle/config/.env",
        "bundle.tar.bz2!/bundle.tar!/bundle/capture.har",
    ] {
        assert!(files.contains(p), "no finding in {p}: {files:?}");
    }
    assert_eq!(file_entry(&rep, "bundle.tar")["kind"], "tar");
    assert_eq!(file_entry(&rep, "bundle.tgz")["kind"], "gzip");
    assert_eq!(file_entry(&rep, "bundle.txz")["kind"], "xz");
    assert_eq!(file_entry(&rep, "bundle.tar.bz2")["kind"], "bzip2");
}

/// A zip symlink member's data is only bytes: a tool can store a whole log there (or a
/// token in the link target). It is scanned like any other member and written back
/// redacted, still a symlink; an unchanged symlink is copied as it was.
#[test]
fn zip_symlink_members_are_scanned_like_files() {
    use std::io::Write as _;
    let t = Dir::new();
    let bearer = "9XChaf688ZLcQSfgXwpbbYbwPNENDjflTh2aGF49";
    let ghp = "ghp_qNtpskjMOL9VDdqAx3d6wOYXTYaGcmNtmE0R";
    let log = format!(
        "2023-10-10 INFO start\n2023-10-10 DEBUG Authorization: Bearer {bearer}\n2023-10-10 INFO done\n"
    );
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("logs/real.txt", opts).unwrap();
    w.write_all(b"hello\n").unwrap();
    w.add_symlink("logs/app.log", log.as_str(), opts).unwrap();
    w.add_symlink("link", format!("/tmp/{ghp}").as_str(), opts)
        .unwrap();
    w.add_symlink("current", "logs/real.txt", opts).unwrap();
    let zip = w.finish().unwrap().into_inner();
    write(&t.path().join("links.zip"), &zip);
    let r = harscrub(
        &t,
        &["clean", "links.zip", "--out", "out", "--report", "r.json"],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = read(&t.path().join("out/links.zip"));
    assert!(!contains(&copy, bearer) && !contains(&copy, ghp));
    let mut a = ZipArchive::new(Cursor::new(copy.as_slice())).unwrap();
    let mut data = |i: usize| {
        let mut f = a.by_index(i).unwrap();
        assert!(f.is_symlink() || i == 0, "member {i} is still a symlink");
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    };
    let app = data(1);
    assert!(
        app.starts_with("2023-10-10 INFO start\n2023-10-10 DEBUG Authorization: Bearer [REDACTED"),
        "{app}"
    );
    assert!(app.ends_with("]\n2023-10-10 INFO done\n"), "{app}");
    assert!(data(2).starts_with("/tmp/[REDACTED"));
    assert_eq!(data(3), "logs/real.txt");
    let files: BTreeSet<String> = findings(&report(&t.path().join("r.json")))
        .into_iter()
        .map(|f| f.file)
        .collect();
    assert!(files.contains("links.zip!/logs/app.log"), "{files:?}");
    assert!(files.contains("links.zip!/link"), "{files:?}");
}

/// A tar link target (symlink or hard link; header field, GNU long link or pax
/// `linkpath`) holding a credential cannot be redacted in place: the archive is
/// refused, like a member name holding one, with an error that does not repeat it.
#[test]
fn tar_link_targets_holding_credentials_are_refused() {
    let ghp = "ghp_FAv86PLHpWLXKXUKFtELbbsSKh7CK2WpzAnc";
    let t = Dir::new();
    let build = |kind: ::tar::EntryType, target: &str| {
        let mut b = ::tar::Builder::new(Vec::new());
        let mut h = ::tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        b.append_data(&mut h, "a.txt", &b"abc"[..]).unwrap();
        let mut h = ::tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(0);
        h.set_mode(0o644);
        b.append_link(&mut h, "link", target).unwrap();
        b.into_inner().unwrap()
    };
    let long = format!("some/long/directory/{}/{ghp}", "x".repeat(100));
    for (name, tar) in [
        (
            "sym.tar",
            build(::tar::EntryType::Symlink, &format!("token/{ghp}")),
        ),
        (
            "hard.tar",
            build(::tar::EntryType::Link, &format!("a.txt/{ghp}")),
        ),
        ("long.tar", build(::tar::EntryType::Symlink, &long)),
    ] {
        write(&t.path().join(name), &tar);
        let r = harscrub(&t, &["clean", name, "--out", "out", "--report", "r.json"]);
        assert_ne!(r.code, Some(0), "{name}: {r}");
        assert!(
            r.stderr.contains("target holds a credential"),
            "{name}: {r}"
        );
        assert!(!r.stderr.contains(ghp), "{name}: {r}");
        assert!(!t.path().join("out").join(name).exists(), "{name}: no copy");
    }
    // A link target without one is kept.
    let tar = build(::tar::EntryType::Symlink, "../shared/app.log");
    write(&t.path().join("ok.tar"), &tar);
    let r = harscrub(&t, &["clean", "ok.tar", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(read(&t.path().join("out/ok.tar")), tar);
}

// =================================================================================
// text and logs

struct TextCase {
    name: &'static str,
    content: String,
    /// Exactly as they appear in the file; each must be the span of one finding.
    secrets: Vec<&'static str>,
    /// Must survive in the copy.
    keep: Vec<&'static str>,
}

fn text_cases() -> Vec<TextCase> {
    vec![
        TextCase {
            name: "http-dump.txt",
            content: "POST /api/v1/session HTTP/1.1\r\n\
                Host: api.example.com\r\n\
                Authorization: Bearer dump_fake_Kx8Lw2Mv6Nu0Ot4Ps\r\n\
                Proxy-Authorization: Basic cHJveHk6UHIweHktRmFrZS1QYXNz\r\n\
                Cookie: sid=dumpsid_fake_A1b2C3d4E5f6G7h8; lang=en-US\r\n\
                Content-Type: application/json\r\n\r\n\
                {\"user\":\"jdoe\"}\r\n\r\n\
                HTTP/1.1 201 Created\r\n\
                Set-Cookie: sid=newsid_fake_Z9y8X7w6V5u4T3s2; Path=/; HttpOnly\r\n\
                Set-Cookie: remember_me=rm_fake_Q1w2E3r4T5y6U7i8; Max-Age=2592000\r\n\
                Content-Type: application/json\r\n\r\n\
                {\"ok\":true}\r\n"
                .to_string(),
            secrets: vec![
                "dump_fake_Kx8Lw2Mv6Nu0Ot4Ps",
                "cHJveHk6UHIweHktRmFrZS1QYXNz",
                "dumpsid_fake_A1b2C3d4E5f6G7h8",
                "newsid_fake_Z9y8X7w6V5u4T3s2",
                "rm_fake_Q1w2E3r4T5y6U7i8",
            ],
            keep: vec![
                "POST /api/v1/session HTTP/1.1\r\nHost: api.example.com\r\n",
                "Authorization: Bearer [REDACTED:",
                "Proxy-Authorization: Basic [REDACTED:",
                "Cookie: sid=[REDACTED:",
                "Set-Cookie: sid=[REDACTED:",
                "; Path=/; HttpOnly\r\n",
                "; Max-Age=2592000\r\n",
                "{\"user\":\"jdoe\"}",
            ],
        },
        TextCase {
            name: "app.log",
            content: "2024-05-01 10:00:00,123 DEBUG urllib3 send: headers={'Authorization': 'Bearer pyd_fake_Ab12Cd34Ef56Gh78', 'User-Agent': 'python-requests/2.31.0'}\n\
                2024-05-01 10:00:00,124 DEBUG client request headers: {\"Cookie\": \"sessionid=jsond_fake_Mn34Op56Qr78St90\", \"Accept\": \"*/*\"}\n\
                2024-05-01 10:00:00,125 DEBUG {'X-Api-Key': 'xak_fake_Uv12Wx34Yz56Ab78', 'Content-Type': 'application/json'}\n\
                $ curl -v -H \"Authorization: Bearer curl_fake_Gh12Ij34Kl56Mn78\" -b 'sid=curlsid_fake_Op90Qr12St34' https://api.example.com/v1/me\n\
                $ curl --cookie \"session=curlcookie_fake_Uv56Wx78Yz90\" --user deploy:Curl-Fake-Passw0rd https://api.example.com/deploy\n\
                $ curl -u admin:Adm1n-Fake-Pass https://api.example.com/admin\n\
                2024-05-01 10:00:01,000 INFO done in 412 ms\n"
                .to_string(),
            secrets: vec![
                "pyd_fake_Ab12Cd34Ef56Gh78",
                "jsond_fake_Mn34Op56Qr78St90",
                "xak_fake_Uv12Wx34Yz56Ab78",
                "curl_fake_Gh12Ij34Kl56Mn78",
                "curlsid_fake_Op90Qr12St34",
                "curlcookie_fake_Uv56Wx78Yz90",
                "Curl-Fake-Passw0rd",
                "Adm1n-Fake-Pass",
            ],
            keep: vec![
                "{'Authorization': 'Bearer [REDACTED:",
                "'User-Agent': 'python-requests/2.31.0'}",
                "\"Accept\": \"*/*\"",
                "--user deploy:[REDACTED:",
                "-u admin:[REDACTED:",
                " https://api.example.com/admin\n",
                "INFO done in 412 ms",
            ],
        },
        TextCase {
            name: "service.env",
            content: "# app container\n\
                export GITHUB_TOKEN=ghp_EnvF1leT0k3nFak3Ab12Cd34Ef56Gh78Ij90\n\
                SESSION_SECRET=\"f3a9c1e7b5d2084a6c9e1f3b5d7a9c2e\"\n\
                POSTGRES_PASSWORD='Pg-Env-Fake-Passw0rd'\n\
                MAILER_API_KEY=mk_fake_Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr\n\
                ENCRYPTION_KEY=q8Wz3Rt6Yu9Io1Pa4Sd7Fg0Hj2Kl5Zx8\n\
                LOG_LEVEL=debug\n\
                PUBLIC_URL=https://app.example.com\n"
                .to_string(),
            secrets: vec![
                "ghp_EnvF1leT0k3nFak3Ab12Cd34Ef56Gh78Ij90",
                "f3a9c1e7b5d2084a6c9e1f3b5d7a9c2e",
                "Pg-Env-Fake-Passw0rd",
                "mk_fake_Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr",
                "q8Wz3Rt6Yu9Io1Pa4Sd7Fg0Hj2Kl5Zx8",
            ],
            keep: vec![
                "# app container\nexport GITHUB_TOKEN=[REDACTED:",
                "SESSION_SECRET=\"[REDACTED:",
                "POSTGRES_PASSWORD='[REDACTED:",
                "LOG_LEVEL=debug\n",
                "PUBLIC_URL=https://app.example.com\n",
            ],
        },
        TextCase {
            name: "db.log",
            content: "2024-05-01 ERROR connect postgres://appuser:PgPassw0rd-Fake9x@db.internal:5432/app failed\n\
                mysql://app:My-Fake-Passw0rd@mysql.internal:3306/app\n\
                mongodb+srv://mongoUser:Mongo-Fake-Pass-11@cluster0.example.mongodb.net/app?retryWrites=true\n\
                jdbc:postgresql://db.internal:5432/reports?user=reports&password=Jdbc-Fake-Pass-3390&ssl=true\n\
                jdbc:sqlserver://sql.internal:1433;databaseName=app;user=sa;password=SqlS3rver-Fake-Pass;\n\
                Server=sql.internal;Database=app;User Id=sa;Password=Mssql-Fake-Pass-33;\n"
                .to_string(),
            secrets: vec![
                "PgPassw0rd-Fake9x",
                "My-Fake-Passw0rd",
                "Mongo-Fake-Pass-11",
                "Jdbc-Fake-Pass-3390",
                "SqlS3rver-Fake-Pass",
                "Mssql-Fake-Pass-33",
            ],
            keep: vec![
                "postgres://appuser:[REDACTED:",
                "@db.internal:5432/app failed\n",
                "mongodb+srv://mongoUser:[REDACTED:",
                "?user=reports&password=[REDACTED:",
                "&ssl=true\n",
                "databaseName=app;user=sa;password=[REDACTED:",
            ],
        },
    ]
}

#[test]
fn text_logs_env_files_and_connection_strings() {
    let t = Dir::new();
    let cases = text_cases();
    let mut args = vec!["clean"];
    for c in &cases {
        write(&t.path().join("in").join(c.name), &c.content);
        args.push(c.name);
    }
    args.extend_from_slice(&["--out", "../out", "--report", "../report.json"]);
    let r = harscrub_in(&t, "in", &args);
    assert_eq!(r.code, Some(0), "{r}");
    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let mut problems = Vec::new();
    for c in &cases {
        // Plain text (a raw HTTP dump may get a handler of its own).
        let kind = file_entry(&rep, c.name)["kind"].clone();
        assert!(kind == "text" || kind == "http", "{}: kind {kind}", c.name);
        let copy = read(&t.path().join("out").join(c.name));
        let secrets: Vec<String> = c.secrets.iter().map(|s| s.to_string()).collect();
        problems.extend(secrets_left(c.name, &copy, &secrets));
        let decoded: Vec<String> = basic_credentials(std::slice::from_ref(&c.content));
        for d in &decoded {
            let pass = d.split_once(':').map_or(d.as_str(), |x| x.1);
            if contains(&copy, pass) {
                problems.push(format!("{}: Basic password {pass} left", c.name));
            }
        }
        for k in &c.keep {
            if !contains(&copy, k) {
                problems.push(format!("{}: lost {k:?}", c.name));
            }
        }
        // Every planted secret is the exact span of a finding at `line:column`.
        let spans: Vec<&[u8]> = fs
            .iter()
            .filter(|f| f.file == c.name)
            .map(|f| {
                span(c.content.as_bytes(), f)
                    .unwrap_or_else(|| panic!("{f:?} points outside {}", c.name))
            })
            .collect();
        for s in &c.secrets {
            if !spans.contains(&s.as_bytes()) {
                problems.push(format!(
                    "{}: no finding located exactly at {s} (spans: {:?})",
                    c.name,
                    spans
                        .iter()
                        .map(|s| String::from_utf8_lossy(s))
                        .collect::<Vec<_>>()
                ));
            }
        }
        // Every line is still there (no line lost or merged).
        let copy_text = String::from_utf8(copy).unwrap();
        if copy_text.lines().count() != c.content.lines().count() {
            problems.push(format!("{}: number of lines changed", c.name));
        }
    }
    assert_no_problems("text inputs", problems);
    let all: Vec<String> = cases
        .iter()
        .flat_map(|c| c.secrets.iter().map(|s| s.to_string()))
        .collect();
    assert!(leaks(&text(&t.path().join("report.json")), &all).is_empty());
    assert!(leaks(&r.all(), &all).is_empty());
}

#[test]
fn a_secret_in_a_text_line_is_reported_once() {
    let t = Dir::new();
    write(
        &t.path().join("db.env"),
        "DATABASE_URL=postgres://appuser:PgPassw0rd9x@db.internal:5432/app\n\
         SPRING_DATASOURCE_URL=jdbc:mysql://db.internal:3306/app?useSSL=true&password=MyJdbcPass42\n",
    );
    write(
        &t.path().join("events.ndjson"),
        "{\"msg\":\"out\",\"headers\":{\"Cookie\":\"sid=NdCookieFake0123456789abc\"}}\n",
    );
    let r = harscrub(&t, &["scan", "db.env", "events.ndjson", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r}");
    let rep: Value = serde_json::from_slice(&r.stdout_bytes).unwrap();
    let fs = findings(&rep);
    let mut at: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in &fs {
        at.entry((f.file.clone(), f.location.clone()))
            .or_default()
            .push(f.rule.clone());
    }
    let dups: Vec<_> = at.iter().filter(|(_, rules)| rules.len() > 1).collect();
    assert!(dups.is_empty(), "reported more than once: {dups:?}");
    assert_eq!(rep["summary"]["findings"], 3);
}

// =================================================================================
// JSON that is not a HAR

#[test]
fn json_that_is_not_a_har_config_api_dump_and_ndjson() {
    let t = Dir::new();
    let config = r#"{
  "service": "billing",
  "database": {"host": "db.internal", "user": "billing", "password": "Billing-Db-Fake-77"},
  "oauth": {"client_id": "billing-svc", "client_secret": "cs_fake_9Hq2Lm5Np8Rt1Vw4Xz7"},
  "integrations": [{"name": "github", "token": "ghp_C0nf1gJs0nF4keT0k3nAb12Cd34Ef56Gh78"}],
  "cache": {"etag": "W/\"5e8f-1a2b3c4d5e6f7a8b\"", "request_id": "3f2b9c1e-7d4a-4e8b-9a6c-1b2d3e4f5a6b"}
}
"#;
    let dump = r#"[{"id": 1, "user": "alice", "api_key": "ak_fake_4Kp9Lm2Nq7Rs1Tv5Wx8Yz3"},
 {"id": 2, "user": "bob", "session": {"access_token": "at_fake_Zq8Wx5Vt2Rs9Pn6Lm3Kj0Hg", "refresh_token": "rt_fake_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op", "expires_in": 3600}}]
"#;
    let ndjson = r#"{"ts":"2024-05-01T10:00:00Z","level":"info","msg":"login ok","user":"alice"}
{"ts":"2024-05-01T10:00:01Z","level":"debug","msg":"outgoing request","headers":{"Authorization":"Bearer nd_fake_Yx7Wv4Ut1Sr8Qp5On2Ml9Kj","Cookie":"sid=NdCookieFake0123456789abc"}}
{"ts":"2024-05-01T10:00:02Z","level":"info","msg":"done","password":"NdPassw0rd-fake"}
"#;
    write(&t.path().join("config.json"), config);
    write(&t.path().join("api-dump.json"), dump);
    write(&t.path().join("events.ndjson"), ndjson);
    let r = harscrub(
        &t,
        &[
            "clean",
            "config.json",
            "api-dump.json",
            "events.ndjson",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let locations = |file: &str| -> Vec<String> {
        fs.iter()
            .filter(|f| f.file == file)
            .map(|f| f.location.clone())
            .collect()
    };
    assert_eq!(
        locations("config.json"),
        [
            "/database/password",
            "/oauth/client_secret",
            "/integrations/0/token"
        ]
    );
    assert_eq!(
        locations("api-dump.json"),
        [
            "/0/api_key",
            "/1/session/access_token",
            "/1/session/refresh_token"
        ]
    );
    let lc = Regex::new(r"^\d+:\d+$").unwrap();
    let nd = locations("events.ndjson");
    let distinct: BTreeSet<&str> = nd.iter().map(String::as_str).collect();
    assert_eq!(
        distinct,
        BTreeSet::from(["2:106", "2:153", "3:70"]),
        "{nd:?}"
    );
    assert!(nd.iter().all(|l| lc.is_match(l)), "{nd:?}");
    assert!(nd.iter().all(|l| !l.starts_with("1:")), "line 1 is clean");
    for f in ["config.json", "api-dump.json"] {
        assert_eq!(file_entry(&rep, f)["kind"], "json");
    }

    let secrets: Vec<String> = [
        "Billing-Db-Fake-77",
        "cs_fake_9Hq2Lm5Np8Rt1Vw4Xz7",
        "ghp_C0nf1gJs0nF4keT0k3nAb12Cd34Ef56Gh78",
        "ak_fake_4Kp9Lm2Nq7Rs1Tv5Wx8Yz3",
        "at_fake_Zq8Wx5Vt2Rs9Pn6Lm3Kj0Hg",
        "rt_fake_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op",
        "nd_fake_Yx7Wv4Ut1Sr8Qp5On2Ml9Kj",
        "NdCookieFake0123456789abc",
        "NdPassw0rd-fake",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut problems = Vec::new();
    for (name, input) in [("config.json", config), ("api-dump.json", dump)] {
        let copy = read(&t.path().join("out").join(name));
        problems.extend(secrets_left(name, &copy, &secrets));
        let v = serde_json::from_slice::<Value>(&copy).expect("still JSON");
        let n = same_shape(
            &serde_json::from_str(input).unwrap(),
            &v,
            name,
            &mut problems,
        );
        assert_eq!(n, 3, "{name}: three strings redacted");
    }
    let copy = text(&t.path().join("out/events.ndjson"));
    problems.extend(secrets_left("events.ndjson", copy.as_bytes(), &secrets));
    for (a, b) in ndjson.lines().zip(copy.lines()) {
        let mut p = Vec::new();
        same_shape(
            &serde_json::from_str(a).unwrap(),
            &serde_json::from_str(b).expect("every NDJSON line is still JSON"),
            "events.ndjson",
            &mut p,
        );
        problems.extend(p);
    }
    assert_eq!(copy.lines().count(), 3);
    let cfg = text(&t.path().join("out/config.json"));
    for keep in [
        r#""etag": "W/\"5e8f-1a2b3c4d5e6f7a8b\"""#,
        r#""request_id": "3f2b9c1e-7d4a-4e8b-9a6c-1b2d3e4f5a6b""#,
        r#""client_id": "billing-svc""#,
    ] {
        if !cfg.contains(keep) {
            problems.push(format!("config.json lost {keep}"));
        }
    }
    assert_no_problems("JSON inputs", problems);
}

// =================================================================================
// standard input, recognition by content

#[test]
fn stdin_to_stdout_sniffs_the_format() {
    let t = Dir::new();
    let har_path = testdata("bundle/support-bundle/case/capture.har");
    let har = read(&har_path);
    fs::copy(&har_path, t.path().join("capture.har")).unwrap();
    let file_run = harscrub(
        &t,
        &[
            "clean",
            "capture.har",
            "--out",
            "out",
            "--report",
            "file.json",
        ],
    );
    assert_eq!(file_run.code, Some(0), "{file_run}");

    // A HAR through stdin: the copy on stdout, the same as the file's copy.
    let r = t
        .cmd(&[
            "clean",
            "-",
            "--report",
            "stdin.json",
            "--fingerprint-key",
            KEY,
        ])
        .stdin(&har)
        .run();
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(
        r.stdout_bytes,
        read(&t.path().join("out/capture.har")),
        "stdin copy == file copy"
    );
    assert!(
        !r.stderr.contains("[REDACTED"),
        "the copy goes to stdout only"
    );
    let rep = report(&t.path().join("stdin.json"));
    let entry = file_entry(&rep, "-");
    assert_eq!(entry["kind"], "har");
    assert_eq!(entry["status"], "written");
    let strip = |fs: Vec<F>| -> Vec<(String, String, String)> {
        fs.into_iter()
            .map(|f| (f.location, f.kind, f.fingerprint))
            .collect()
    };
    let from_stdin = findings(&rep);
    assert!(from_stdin.iter().all(|f| f.file == "-"));
    assert_eq!(
        strip(from_stdin),
        strip(findings(&report(&t.path().join("file.json"))))
    );
    assert_eq!(
        tree(t.path()),
        ["capture.har", "file.json", "out/capture.har", "stdin.json"],
        "nothing written but the report"
    );

    // A log through stdin.
    let log = small_log();
    let r = t
        .cmd(&[
            "clean",
            "-",
            "--report",
            "log.json",
            "--fingerprint-key",
            KEY,
            "--quiet",
        ])
        .stdin(log.as_bytes())
        .run();
    assert_eq!(r.code, Some(0), "{r}");
    let out = r.stdout;
    assert_eq!(out.lines().count(), 3);
    assert!(out.contains(&format!(
        "'Authorization': 'Bearer [REDACTED:bearer-token:{}]'",
        fp(LOG_TOKEN)
    )));
    assert!(
        !out.contains(LOG_TOKEN) && !out.contains(LOG_PASSWORD),
        "{out}"
    );
    assert_eq!(
        file_entry(&report(&t.path().join("log.json")), "-")["kind"],
        "text"
    );

    // An archive through stdin: a zip comes back on stdout, member by member.
    let bundle = read(&bundle_path());
    let r = t
        .cmd(&[
            "clean",
            "-",
            "--report",
            "zip.json",
            "--fingerprint-key",
            KEY,
            "--quiet",
        ])
        .stdin(&bundle)
        .run();
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(names(&zip_members(&r.stdout_bytes)), BUNDLE_MEMBERS);
    let secrets = sidecar(&bundle_path(), "secrets");
    assert_no_problems(
        "zip on stdout",
        secrets_left("-", &r.stdout_bytes, &secrets),
    );
    let rep = report(&t.path().join("zip.json"));
    assert_eq!(file_entry(&rep, "-")["kind"], "zip");
    assert!(findings(&rep)
        .iter()
        .any(|f| f.file == "-!/case/logs.zip!/browser/session.har"));

    // scan - reads stdin too, and says where.
    let r = t
        .cmd(&["scan", "-", "--fingerprint-key", KEY, "--quiet"])
        .stdin(log.as_bytes())
        .run();
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stdout.starts_with("-:2:"), "{r}");
}

#[test]
fn a_har_is_recognised_by_content_whatever_its_name() {
    let t = Dir::new();
    let har = read(&testdata("bundle/support-bundle/case/capture.har"));
    let names = ["capture.har", "capture.json", "capture.txt", "capture"];
    for n in names {
        write(&t.path().join("in").join(n), &har);
    }
    let mut args = vec!["clean"];
    args.extend(names);
    args.extend(["--out", "../out", "--report", "../report.json"]);
    let r = harscrub_in(&t, "in", &args);
    assert_eq!(r.code, Some(0), "{r}");
    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let of = |n: &str| -> Vec<(String, String, String, String)> {
        fs.iter()
            .filter(|f| f.file == n)
            .map(|f| {
                (
                    f.location.clone(),
                    f.rule.clone(),
                    f.kind.clone(),
                    f.fingerprint.clone(),
                )
            })
            .collect()
    };
    let reference = of("capture.har");
    assert!(reference.len() >= 10);
    assert!(reference.iter().all(|f| f.0.starts_with("/log/")));
    let copy = read(&t.path().join("out/capture.har"));
    for n in &names[1..] {
        assert_eq!(file_entry(&rep, n)["kind"], "har", "{n}");
        assert_eq!(of(n), reference, "{n}: same findings, same JSON pointers");
        assert_eq!(
            read(&t.path().join("out").join(n)),
            copy,
            "{n}: same copy as the .har"
        );
    }
}

// =================================================================================
// the support bundle fixture

fn bundle_path() -> PathBuf {
    testdata("bundle/support-bundle.zip")
}

const BUNDLE_MEMBERS: &[&str] = &[
    "case/",
    "case/README.txt",
    "case/capture.har",
    "case/app.log",
    "case/.env",
    "case/config.json",
    "case/screenshot.png",
    "case/logs.zip",
];
const NESTED_MEMBERS: &[&str] = &["app.log", "browser/", "browser/session.har"];

#[test]
fn bundle_fixture_matches_its_sources() {
    // make_bundle.py builds the zip from these files; the committed zip must hold
    // exactly them, in this order.
    let bundle = zip_members(&read(&bundle_path()));
    assert_eq!(names(&bundle), BUNDLE_MEMBERS);
    for m in &bundle {
        if m.is_dir || m.name == "case/logs.zip" {
            continue;
        }
        let src = testdata("bundle/support-bundle").join(&m.name);
        assert_eq!(
            m.data,
            read(&src),
            "{} is out of date: run make_bundle.py",
            m.name
        );
    }
    let nested = zip_members(&member(&bundle, "case/logs.zip").data);
    assert_eq!(names(&nested), NESTED_MEMBERS);
    for m in nested.iter().filter(|m| !m.is_dir) {
        let src = testdata("bundle/logs").join(&m.name);
        assert_eq!(m.data, read(&src), "logs.zip!/{} is out of date", m.name);
    }
    // Every planted secret really is in the bundle (decoded), so the other tests
    // cannot pass vacuously; no kept string is also a secret.
    let secrets = sidecar(&bundle_path(), "secrets");
    let keep = sidecar(&bundle_path(), "keep");
    assert!(secrets.len() >= 25, "{} secrets", secrets.len());
    let all: Vec<String> = all_leaves("support-bundle.zip", &read(&bundle_path()))
        .into_iter()
        .flat_map(|(_, d)| leaf_views(&d))
        .collect();
    for s in secrets.iter().chain(&keep) {
        assert!(visible(&all, s), "{s} is not in the bundle");
    }
    for k in &keep {
        for s in &secrets {
            assert!(!k.contains(s.as_str()), "keep line {k} contains secret {s}");
        }
    }
}

#[test]
fn support_bundle_is_cleaned_member_by_member() {
    let t = Dir::new();
    let original = read(&bundle_path());
    write(&t.path().join("support-bundle.zip"), &original);
    let r = harscrub(
        &t,
        &[
            "clean",
            "support-bundle.zip",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = read(&t.path().join("out/support-bundle.zip"));
    assert_eq!(tree(&t.path().join("out")), ["support-bundle.zip"]);

    // Every member is still there: same names, same order, folders still folders.
    let (before, after) = (zip_members(&original), zip_members(&copy));
    assert_eq!(names(&after), BUNDLE_MEMBERS);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.is_dir, b.is_dir, "{}", a.name);
    }
    let nested_before = zip_members(&member(&before, "case/logs.zip").data);
    let nested_after = zip_members(&member(&after, "case/logs.zip").data);
    assert_eq!(names(&nested_after), names(&nested_before));
    assert_eq!(names(&nested_after), NESTED_MEMBERS);
    assert!(member(&nested_after, "browser/").is_dir);
    for same in ["case/README.txt", "case/screenshot.png"] {
        assert_eq!(
            member(&after, same).data,
            member(&before, same).data,
            "{same}"
        );
    }

    // Nothing planted survives anywhere, at any depth, in any decoded form.
    let secrets = sidecar(&bundle_path(), "secrets");
    assert_no_problems(
        "support bundle",
        secrets_left("support-bundle.zip", &copy, &secrets),
    );
    // What is not secret stays.
    let out_leaves = all_leaves("support-bundle.zip", &copy);
    let in_leaves = all_leaves("support-bundle.zip", &original);
    assert_eq!(
        out_leaves.iter().map(|l| &l.0).collect::<Vec<_>>(),
        in_leaves.iter().map(|l| &l.0).collect::<Vec<_>>()
    );
    let out_views: Vec<String> = out_leaves.iter().flat_map(|l| leaf_views(&l.1)).collect();
    let lost: Vec<String> = sidecar(&bundle_path(), "keep")
        .into_iter()
        .filter(|k| !visible(&out_views, k))
        .collect();
    assert!(lost.is_empty(), "lost non-secrets: {lost:?}");
    // The HARs are still HARs with the same shape.
    let mut problems = Vec::new();
    for (i, o) in in_leaves.iter().zip(&out_leaves) {
        if i.0.ends_with(".har") || i.0.ends_with(".json") {
            let a = parse(&i.1).unwrap();
            let b = parse(&o.1).unwrap_or_else(|e| panic!("{}: not JSON any more: {e}", o.0));
            same_shape(&a, &b, &o.0, &mut problems);
        }
    }
    assert_no_problems("shape", problems);

    // Findings carry provenance down to the nested member, with the right kind of
    // location for each.
    let rep = report(&t.path().join("report.json"));
    let fs = findings(&rep);
    let pointer = Regex::new(r"^/log/entries/\d+/(request|response)/").unwrap();
    let json_pointer = Regex::new(r"^(/[^/]+)+$").unwrap();
    let lc = Regex::new(r"^\d+:\d+$").unwrap();
    let expected: [(&str, &Regex); 6] = [
        ("support-bundle.zip!/case/capture.har", &pointer),
        ("support-bundle.zip!/case/app.log", &lc),
        ("support-bundle.zip!/case/.env", &lc),
        ("support-bundle.zip!/case/config.json", &json_pointer),
        ("support-bundle.zip!/case/logs.zip!/app.log", &lc),
        (
            "support-bundle.zip!/case/logs.zip!/browser/session.har",
            &pointer,
        ),
    ];
    let mut problems = Vec::new();
    for (file, shape) in expected {
        let mine: Vec<&F> = fs.iter().filter(|f| f.file == file).collect();
        if mine.is_empty() {
            problems.push(format!("no finding in {file}"));
        }
        for f in mine {
            if !shape.is_match(&f.location) {
                problems.push(format!(
                    "{file}: location {} has the wrong form",
                    f.location
                ));
            }
        }
    }
    for f in &fs {
        if !expected.iter().any(|(e, _)| *e == f.file) {
            problems.push(format!("unexpected finding in {}: {f:?}", f.file));
        }
    }
    // Each location points at what was redacted: a JSON pointer names a string that
    // changed; a line:column starts the secret's bytes, which are gone from the copy.
    let input_leaf = |p: &str| &in_leaves.iter().find(|l| l.0 == p).unwrap().1;
    let output_leaf = |p: &str| &out_leaves.iter().find(|l| l.0 == p).unwrap().1;
    for f in &fs {
        let (i, o) = (input_leaf(&f.file), output_leaf(&f.file));
        if f.location.starts_with('/') {
            let (a, b) = (parse(i).unwrap(), parse(o).unwrap());
            match (a.pointer(&f.location), b.pointer(&f.location)) {
                (Some(Value::String(x)), Some(Value::String(y))) if x != y => {}
                other => problems.push(format!(
                    "{f:?}: pointer does not name a redacted string: {other:?}"
                )),
            }
        } else {
            match span(i, f) {
                Some(s) if s.len() < 12 || !contains(o, &*String::from_utf8_lossy(s)) => {}
                other => problems.push(format!(
                    "{f:?}: span {:?} is not what was redacted",
                    other.map(String::from_utf8_lossy)
                )),
            }
        }
    }
    assert_no_problems("findings", problems);
    let entry = file_entry(&rep, "support-bundle.zip");
    assert_eq!(entry["status"], "written");
    assert_eq!(entry["kind"], "zip");
    assert_eq!(entry["output"], "out/support-bundle.zip");
    assert_eq!(rep["summary"]["files_written"], 1);

    // Neither the report nor the terminal holds a secret.
    let report_text = text(&t.path().join("report.json"));
    assert!(
        leaks(&report_text, &secrets).is_empty(),
        "{:?}",
        leaks(&report_text, &secrets)
    );
    assert!(
        leaks(&r.all(), &secrets).is_empty(),
        "{:?}",
        leaks(&r.all(), &secrets)
    );
}

// =================================================================================
// the same secret everywhere

const SAME_TOKEN: &str = "ghp_R8vN2xQ5mK7pL1zW4tY9bC3dF6gH0jS2aE5u";
const SAME_COOKIE: &str = "gh_sess_fake_Vx7Wy2Zz9Aa4Bb1Cc6Dd3Ee8Ff5Gg0Hh";

/// The token and the cookie in a plain HAR, a zipped HAR, a .har.gz, a base64 body
/// inside a HAR and a log; cleaned in one run. Returns (temp dir, copies, report).
fn same_secret_everywhere() -> (Dir, Vec<(String, Vec<u8>)>, Value) {
    assert_eq!(SAME_TOKEN.len(), 40);
    let t = Dir::new();
    let har = har_doc(vec![har_entry(
        "https://api.github.com/user",
        &[
            ("Authorization", &format!("token {SAME_TOKEN}")),
            ("Cookie", &format!("_gh_sess={SAME_COOKIE}")),
            ("Accept", "application/vnd.github+json"),
        ],
        r#"{"login":"octocat"}"#,
        false,
    )]);
    let body = format!(
        r#"{{"debug":{{"token":"{SAME_TOKEN}","headers":"Cookie: _gh_sess={SAME_COOKIE}"}}}}"#
    );
    let b64 = har_doc(vec![har_entry(
        "https://app.example.com/debug/state",
        &[("Accept", "application/json")],
        &body,
        true,
    )]);
    let log = format!(
        "2024-05-01 10:00:00 DEBUG calling GitHub with {SAME_TOKEN}\n\
         2024-05-01 10:00:01 DEBUG Cookie: _gh_sess={SAME_COOKIE}\n"
    );
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("plain.har", har.clone().into_bytes()),
        (
            "zipped.zip",
            zip_with(&[("capture/github.har", Z::Deflated(har.as_bytes()))]),
        ),
        ("capture.har.gz", gz(har.as_bytes())),
        ("base64-body.har", b64.into_bytes()),
        ("app.log", log.into_bytes()),
    ];
    let mut args = vec!["clean".to_string()];
    for (n, d) in &inputs {
        write(&t.path().join(n), d);
        args.push(n.to_string());
    }
    args.extend(["--out", "out", "--report", "report.json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = harscrub(&t, &args);
    assert_eq!(r.code, Some(0), "{r}");
    let copies = inputs
        .iter()
        .map(|(n, _)| (n.to_string(), read(&t.path().join("out").join(n))))
        .collect();
    let rep = report(&t.path().join("report.json"));
    (t, copies, rep)
}

#[test]
fn the_same_secret_gets_the_same_fingerprint_in_every_container() {
    let (_t, copies, rep) = same_secret_everywhere();
    let (fp_token, fp_cookie) = (fp(SAME_TOKEN), fp(SAME_COOKIE));
    assert_ne!(fp_token, fp_cookie);
    let cookie_placeholder = format!("[REDACTED:cookie:{fp_cookie}]");
    let token_placeholder = Regex::new(&format!(r"\[REDACTED:[a-z0-9-]+:{fp_token}\]")).unwrap();
    let secrets = vec![SAME_TOKEN.to_string(), SAME_COOKIE.to_string()];
    let mut problems = Vec::new();
    for (name, copy) in &copies {
        problems.extend(secrets_left(name, copy, &secrets));
        let v: Vec<String> = all_leaves(name, copy)
            .into_iter()
            .flat_map(|(_, d)| leaf_views(&d))
            .collect();
        if !visible(&v, &cookie_placeholder) {
            problems.push(format!("{name}: no {cookie_placeholder}"));
        }
        if !v.iter().any(|s| token_placeholder.is_match(s)) {
            problems.push(format!(
                "{name}: no placeholder with fingerprint {fp_token}"
            ));
        }
    }
    assert_no_problems("copies", problems);

    // The report: one fingerprint per secret, in every file.
    let fs = findings(&rep);
    let all: BTreeSet<&str> = fs.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(all, BTreeSet::from([fp_token.as_str(), fp_cookie.as_str()]));
    for (name, _) in &copies {
        let here: BTreeSet<&str> = fs
            .iter()
            .filter(|f| f.file == *name || f.file.starts_with(&format!("{name}!/")))
            .map(|f| f.fingerprint.as_str())
            .collect();
        assert_eq!(
            here,
            BTreeSet::from([fp_token.as_str(), fp_cookie.as_str()]),
            "{name}"
        );
    }
    for f in &fs {
        let expected = if f.fingerprint == fp_token {
            SAME_TOKEN.len()
        } else {
            SAME_COOKIE.len()
        };
        assert_eq!(f.length, expected, "{f:?}");
        if f.fingerprint == fp_cookie {
            assert_eq!(f.kind, "cookie", "{f:?}");
        }
    }
}

#[test]
fn the_same_token_gets_the_same_placeholder_in_every_container() {
    let (_t, copies, rep) = same_secret_everywhere();
    let fp_token = fp(SAME_TOKEN);
    let re = Regex::new(&format!(r"\[REDACTED:[a-z0-9-]+:{fp_token}\]")).unwrap();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, copy) in &copies {
        for (leaf, d) in all_leaves(name, copy) {
            for v in leaf_views(&d) {
                for m in re.find_iter(&v) {
                    seen.entry(m.as_str().to_owned())
                        .or_default()
                        .insert(leaf.clone());
                }
            }
        }
    }
    assert_eq!(seen.len(), 1, "one token, several placeholders: {seen:#?}");
    let kinds: BTreeSet<String> = findings(&rep)
        .into_iter()
        .filter(|f| f.fingerprint == fp_token)
        .map(|f| f.kind)
        .collect();
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert_eq!(
        rep["summary"]["distinct_secrets"], 2,
        "{:#}",
        rep["summary"]
    );
}

// =================================================================================
// batches

/// A mixed batch: the support bundle, a HAR, a .har.gz, a .tgz and a folder of logs.
fn batch_fixture(root: &Path) -> Vec<&'static str> {
    fs::copy(bundle_path(), root.join("support-bundle.zip")).unwrap();
    write(&root.join("capture.har"), small_har());
    write(&root.join("capture.har.gz"), gz(small_har().as_bytes()));
    write(
        &root.join("logs.tgz"),
        gz(&tar(&[
            ("logs/", b""),
            ("logs/app.log", small_log().as_bytes()),
        ])),
    );
    for i in 0..6 {
        write(
            &root.join(format!("more/node-{i}.log")),
            format!("{}node {i} ok\n", small_log()),
        );
    }
    vec![
        "support-bundle.zip",
        "capture.har",
        "capture.har.gz",
        "logs.tgz",
        "more",
    ]
}

#[test]
fn batch_output_is_deterministic() {
    let t = Dir::new();
    let inputs = batch_fixture(t.path());
    let run = || {
        let mut args = vec!["clean"];
        args.extend(&inputs);
        args.extend(["--out", "out", "--report", "report.json", "-j", "2"]);
        let r = harscrub(&t, &args);
        assert_eq!(r.code, Some(0), "{r}");
        let files: Vec<(String, Vec<u8>)> = tree(&t.path().join("out"))
            .into_iter()
            .map(|f| {
                let d = read(&t.path().join("out").join(&f));
                (f, d)
            })
            .collect();
        let rep = read(&t.path().join("report.json"));
        fs::remove_dir_all(t.path().join("out")).unwrap();
        fs::remove_file(t.path().join("report.json")).unwrap();
        (files, rep)
    };
    let (files1, rep1) = run();
    let (files2, rep2) = run();
    assert_eq!(
        files1.len(),
        10,
        "{:?}",
        files1.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(
        files1.iter().map(|f| &f.0).collect::<Vec<_>>(),
        files2.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in files1.iter().zip(&files2) {
        assert!(a == b, "{name} differs between two runs with the same key");
    }
    assert!(
        rep1 == rep2,
        "report differs between runs:\n{}\n---\n{}",
        String::from_utf8_lossy(&rep1),
        String::from_utf8_lossy(&rep2)
    );
    // Files are reported in input order (folders sorted), not in completion order.
    let rep: Value = serde_json::from_slice(&rep1).unwrap();
    let paths = reported_paths(&rep);
    let mut expected: Vec<String> = inputs[..4].iter().map(|s| s.to_string()).collect();
    expected.extend((0..6).map(|i| format!("more/node-{i}.log")));
    assert_eq!(paths, expected);
}

#[test]
fn corrupt_inputs_do_not_stop_the_batch() {
    let t = Dir::new();
    let good_zip = zip_with(&[("app.log", Z::Deflated(small_log().as_bytes()))]);
    let bundle = read(&bundle_path());
    write(&t.path().join("a-good.har"), small_har());
    write(&t.path().join("b-corrupt.zip"), &bundle[..bundle.len() / 2]);
    fs::copy(
        testdata("malformed/truncated.har"),
        t.path().join("b-truncated.har"),
    )
    .unwrap();
    write(&t.path().join("c-good.log"), small_log());
    write(&t.path().join("d-good.zip"), &good_zip);
    let r = harscrub(
        &t,
        &[
            "clean",
            "a-good.har",
            "b-corrupt.zip",
            "b-truncated.har",
            "c-good.log",
            "d-good.zip",
            "--out",
            "out",
            "--report",
            "report.json",
        ],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert_eq!(
        tree(&t.path().join("out")),
        ["a-good.har", "c-good.log", "d-good.zip"],
        "the good files are written, the corrupt ones get no copy (and no temp file is left)"
    );
    let rep = report(&t.path().join("report.json"));
    for name in ["b-corrupt.zip", "b-truncated.har"] {
        let bad = file_entry(&rep, name);
        assert_eq!(bad["status"], "failed");
        assert!(bad.get("output").is_none(), "{bad}");
        assert!(!bad["error"].as_str().unwrap().is_empty(), "{bad}");
        assert!(r.stderr.contains(name), "{r}");
    }
    let zip_error = file_entry(&rep, "b-corrupt.zip")["error"].as_str().unwrap();
    assert!(zip_error.contains("b-corrupt.zip"), "{zip_error}");
    for good in ["a-good.har", "c-good.log", "d-good.zip"] {
        assert_eq!(file_entry(&rep, good)["status"], "written", "{good}");
    }
    assert_eq!(rep["summary"]["files_failed"], 2);
    assert_eq!(rep["summary"]["files_written"], 3);
    assert!(!contains(
        &read(&t.path().join("out/d-good.zip")),
        LOG_TOKEN
    ));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let t = Dir::new();
    let inputs = batch_fixture(t.path());
    let mut args = vec!["clean", "--quiet"];
    args.extend(&inputs);
    args.extend(["--out", "out"]);
    let r = harscrub(&t, &args);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{r}");
    assert_eq!(tree(&t.path().join("out")).len(), 10);

    // scan --quiet on a clean file: nothing at all.
    write(&t.path().join("clean.log"), "2024-05-01 all good\n");
    let r = harscrub(&t, &["scan", "-q", "clean.log"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{r}");

    // ... but errors are still printed.
    write(&t.path().join("broken.zip"), b"PK\x03\x04 not really a zip");
    let r = harscrub(&t, &["clean", "-q", "broken.zip", "--out", "out2"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("broken.zip"), "{r}");
}

// =================================================================================
// archive safety (zip slip and bombs through the binary: `adversarial.rs`)

/// A legitimate big log that compresses well: refused under a low ratio limit or a
/// low total-size limit (each error says which option raises it), let through once
/// the limit is raised. (Bombs refused under the default limits: `adversarial.rs`.)
#[test]
fn raising_the_ratio_and_size_limits_lets_a_big_log_through() {
    let t = Dir::new();
    let line = "2024-05-01T10:00:00Z DEBUG heartbeat ok from worker-7 (queue depth 0)\n";
    let log = line.repeat((4 << 20) / line.len());
    let big = zip_with(&[("logs/heartbeat.log", Z::Deflated(log.as_bytes()))]);
    let (unpacked, csize) = {
        let mut a = ZipArchive::new(Cursor::new(big.as_slice())).unwrap();
        let f = a.by_index(0).unwrap();
        (f.size(), f.compressed_size())
    };
    let ratio = unpacked / csize;
    assert!(
        ratio > 20,
        "precondition: the log compresses well ({ratio}:1)"
    );
    write(&t.path().join("big.zip"), &big);
    let low = (ratio / 2).to_string();
    let high = (ratio * 2).to_string();
    let r = harscrub(
        &t,
        &["clean", "big.zip", "--out", "out", "--max-ratio", &low],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains("--max-ratio") && r.stderr.contains(&format!("{low}:1")),
        "{r}"
    );
    assert!(tree(&t.path().join("out")).is_empty());
    let small_total = (unpacked / 2).to_string();
    let r = harscrub(
        &t,
        &[
            "clean",
            "big.zip",
            "--out",
            "out",
            "--max-total-bytes",
            &small_total,
        ],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains("--max-total-bytes") && r.stderr.contains(&small_total),
        "{r}"
    );
    assert!(tree(&t.path().join("out")).is_empty());

    let big_total = (unpacked * 2).to_string();
    let r = harscrub(
        &t,
        &[
            "clean",
            "big.zip",
            "--out",
            "out",
            "--max-ratio",
            &high,
            "--max-total-bytes",
            &big_total,
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = zip_members(&read(&t.path().join("out/big.zip")));
    assert_eq!(names(&copy), ["logs/heartbeat.log"]);
    assert!(
        copy[0].data == log.as_bytes(),
        "nothing to redact: same content"
    );
}

/// A JWT cut by quoted-printable soft breaks (`=\r\n` written as escapes) in two members
/// of one archive: a log line, where the value is redacted whole by its name, and a
/// settings file, where the token keeps its header and claims. The first line of the
/// token is no secret of its own (an `=` ending a line is no separator of a composite
/// value): learnt as one, it was swept out of the settings file's kept claims, the
/// token left there was judged again by its name, and the archive got no copy.
#[test]
fn a_jwt_cut_by_soft_breaks_keeps_its_claims_across_archive_members() {
    use std::io::{Read as _, Write as _};
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLXhqbWd0a21qIiwiaWF0IjoxNzY0NzYyMTM0LCJqdGkiOiI4bmhOMk0yenBNbkpIaERYIn0.VlEuYcgoP5O4PMyV3E3OU6qONj0NPAeMnd3Ae36dyy0";
    let cut = format!(r"{}=\r\n{}=\r\n{}", &jwt[..47], &jwt[47..120], &jwt[120..]);
    let payload = format!(r#""{{\"user\":\"zpnibg\",\"api_key\":\"{cut}\",\"next\":\"/home\"}}""#);
    let log = format!(
        "2026-12-03 08:00:01,123 INFO GET /api/items status=200\n{{\"ts\":\"2026-12-03T08:00:02Z\",\"msg\":\"auth\",\"payload\":{payload}}}\n"
    );
    let settings = format!("{{\n  \"service\": \"api\",\n  \"payload\": {payload}\n}}");
    let mut b = ::tar::Builder::new(Vec::new());
    for (name, body) in [
        ("support/logs/app.log", &log),
        ("support/conf/settings.json", &settings),
    ] {
        let mut h = ::tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, body.as_bytes()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    let t = Dir::new();
    write(&t.path().join("support.tar.gz"), gz.finish().unwrap());
    let r = harscrub(&t, &["clean", "support.tar.gz", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r}");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&read(&t.path().join("out/support.tar.gz"))[..])
        .read_to_end(&mut tar)
        .unwrap();
    let mut members = BTreeMap::new();
    for e in ::tar::Archive::new(&tar[..]).entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut s = String::new();
        e.read_to_string(&mut s).unwrap();
        members.insert(name, s);
    }
    let settings = &members["support/conf/settings.json"];
    assert!(
        !members.values().any(|m| m.contains(&jwt[120..])),
        "{members:?}"
    );
    assert!(
        settings.contains(&format!(r"{}=\r\n", &jwt[..47])),
        "{settings}"
    );
    assert!(settings.contains("[REDACTED:jwt:"), "{settings}");
}
