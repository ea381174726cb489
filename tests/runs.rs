//! Trustworthy runs (issue #13): every input accounted for, honest headlines,
//! destinations checked up front, re-runs, interrupts, file modes, and batches split
//! into shards (`--files-from`, `--shard`, `report merge`).
//!
//! Every secret here is fake.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{contents, tree, write, Dir, Run};
use serde_json::Value;

const KEY: &str = "runs-test-key";
const COOKIE: &str = "sess-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TOKEN: &str = "ghp_R4nsT3stF4keT0k3nAb12Cd34Ef56Gh78Ij90";

fn har(cookie: &str) -> String {
    format!(
        r#"{{"log": {{"version": "1.2", "creator": {{"name": "test", "version": "1"}}, "entries": [
  {{"startedDateTime": "2024-01-01T00:00:00.000Z", "time": 1,
    "request": {{"method": "GET", "url": "https://example.com/a", "httpVersion": "HTTP/1.1",
      "headers": [{{"name": "Cookie", "value": "sid={cookie}"}}],
      "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0}},
    "response": {{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
      "cookies": [], "content": {{"size": 2, "mimeType": "text/plain", "text": "ok"}},
      "redirectURL": "", "headersSize": -1, "bodySize": 2}},
    "cache": {{}}, "timings": {{"send": 0, "wait": 1, "receive": 0}}}}
]}}}}
"#
    )
}

fn log(token: &str) -> String {
    format!("2024-01-01 starting\nGITHUB_TOKEN={token}\nall good\n")
}

fn harscrub(t: &Dir, args: &[&str]) -> Run {
    harscrub_env(t, t.path(), args, &[])
}

fn harscrub_in(t: &Dir, cwd: &Path, args: &[&str]) -> Run {
    harscrub_env(t, cwd, args, &[])
}

/// Runs harscrub in `cwd` (under the workspace) with these variables set; no run may
/// print a planted secret.
fn harscrub_env(t: &Dir, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = t.cmd(args).cwd(cwd);
    for (k, v) in env {
        c = c.env(k, v);
    }
    let r = c.run();
    assert!(
        !r.all().contains(COOKIE) && !r.all().contains(TOKEN),
        "a secret was printed"
    );
    r
}

fn report(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

/// `(path, status, reason)` of every files[] entry.
fn files(rep: &Value) -> Vec<(String, String, String)> {
    rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn temporaries(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|n| {
            let f = n.rsplit('/').next().unwrap();
            f.starts_with(".harscrub-") && f.ends_with(".tmp")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. Every input accounted for.

#[cfg(unix)]
#[test]
fn every_skipped_input_is_listed_with_its_reason() {
    use std::os::unix::fs::symlink;
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/capture.har"), har(COOKIE));
    write(&d.join("in/capture.redacted.har"), har("[REDACTED:cookie]"));
    write(&d.join("in/.git/config"), log(TOKEN));
    write(&d.join("in/sub/.harscrub-77-x.tmp"), "partial");
    write(&d.join("in/out/old.har"), har(COOKIE));
    symlink("capture.har", d.join("in/link.har")).unwrap();

    let r = harscrub(
        &t,
        &[
            "clean",
            "in",
            "--out",
            "in/out",
            "--report",
            "r.json",
            "--fingerprint-key",
            KEY,
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let rep = report(&d.join("r.json"));
    let f = files(&rep);
    let status: Vec<(&str, &str)> = f.iter().map(|(p, s, _)| (p.as_str(), s.as_str())).collect();
    assert_eq!(
        status,
        [
            ("in/.git", "skipped"),
            ("in/capture.har", "written"),
            ("in/capture.redacted.har", "skipped"),
            ("in/link.har", "skipped"),
            ("in/out", "skipped"),
            ("in/sub/.harscrub-77-x.tmp", "skipped"),
        ],
        "every path in walk order"
    );
    let reason = |p: &str| f.iter().find(|x| x.0 == p).unwrap().2.clone();
    assert!(reason("in/.git").contains("version-control"));
    assert!(reason("in/capture.redacted.har").contains("--include-own-output"));
    assert!(reason("in/link.har").contains("symbolic link"));
    assert!(reason("in/out").contains("--out"));
    assert!(reason("in/sub/.harscrub-77-x.tmp").contains("temporary"));
    assert_eq!(rep["summary"]["files"], 6);
    assert_eq!(rep["summary"]["files_skipped"], 5);
    assert_eq!(rep["summary"]["files_written"], 1);
    // The summary lists each one with its reason.
    assert!(r.stderr.contains("skipped 5 inputs (not read):"), "{r}");
    for (p, _, why) in f.iter().filter(|x| x.1 == "skipped") {
        assert!(
            r.stderr.contains(&format!("  {p}: {why}")),
            "{p} not listed: {r}"
        );
    }
    assert!(
        r.stderr
            .lines()
            .next()
            .unwrap()
            .contains("5 inputs skipped"),
        "{r}"
    );
}

#[test]
fn include_own_output_processes_files_named_like_copies() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/capture.redacted.har"), har(COOKIE));
    let r = harscrub(&t, &["scan", "in", "--format", "json"]);
    assert_eq!(r.code, Some(2), "only a skipped file: nothing read: {r}");
    let r = harscrub(
        &t,
        &[
            "clean",
            "in",
            "--out",
            "out",
            "--include-own-output",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let copy = fs::read_to_string(d.join("out/capture.redacted.har")).unwrap();
    assert!(!copy.contains(COOKIE) && copy.contains("[REDACTED:cookie:"));
    assert_eq!(files(&report(&d.join("r.json")))[0].1, "written");
}

#[cfg(unix)]
#[test]
fn a_run_that_reads_nothing_fails() {
    use std::os::unix::fs::symlink;
    let t = Dir::new();
    let d = t.path();
    write(&d.join("real/capture.har"), har(COOKIE));
    fs::create_dir_all(d.join("only-link")).unwrap();
    symlink("../real/capture.har", d.join("only-link/capture.har")).unwrap();
    fs::create_dir_all(d.join("empty")).unwrap();

    let r = harscrub(
        &t,
        &["clean", "only-link", "--out", "out", "--report", "r.json"],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("nothing processed"), "{r}");
    assert!(
        r.stderr.contains("only-link/capture.har: symbolic link"),
        "{r}"
    );
    assert!(!d.join("out").exists(), "no copy");
    let rep = report(&d.join("r.json"));
    assert_eq!(files(&rep)[0].1, "skipped");

    for cmd in ["scan", "clean"] {
        let r = harscrub(&t, &[cmd, "empty"]);
        assert_eq!(r.code, Some(2), "{cmd}: {r}");
        assert!(
            r.stderr
                .contains("nothing processed: no input file was read"),
            "{cmd}: {r}"
        );
        // Also with --quiet: the error is never silent.
        let r = harscrub(&t, &[cmd, "empty", "-q"]);
        assert_eq!(r.code, Some(2), "{cmd}: {r}");
        assert!(r.stderr.contains("nothing processed"), "{cmd} -q: {r}");
    }
}

// ---------------------------------------------------------------------------------------
// 2. Headlines.

#[test]
fn headlines_tell_nothing_found_from_failed_from_nothing_processed() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("clean/notes.txt"), "nothing to see\n");
    write(&d.join("mixed/notes.txt"), "nothing to see\n");
    write(
        &d.join("mixed/broken.har"),
        "{\"log\": {\"entries\": [ {\"request\": ",
    );
    fs::create_dir_all(d.join("empty")).unwrap();

    let head = |r: &Run| r.stderr.lines().next().unwrap_or("").to_string();
    let r = harscrub(&t, &["scan", "clean"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(head(&r), "harscrub scan: no credentials found in 1 file");

    let r = harscrub(&t, &["scan", "mixed"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert_eq!(
        head(&r),
        "harscrub scan: 1 of 2 files FAILED (not fully scanned); no credentials found in the other 1 file"
    );
    let r = harscrub(&t, &["clean", "mixed/broken.har", "--out", "out"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        head(&r).starts_with("harscrub clean: 1 of 1 file FAILED (no copy written)"),
        "{r}"
    );
    assert!(!head(&r).contains("no credentials found"), "{r}");

    let r = harscrub(&t, &["clean", "empty", "--out", "out"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert_eq!(
        head(&r),
        "harscrub clean: nothing processed: no input file was read"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Destinations checked before any work.

#[test]
fn bad_destinations_are_refused_before_any_work() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/capture.har"), har(COOKIE));
    fs::create_dir_all(d.join("reports")).unwrap();
    write(&d.join("not-a-dir"), "x");
    let before = contents(d);

    let r = harscrub(&t, &["clean", "in", "--out", "out", "--report", "reports"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("--report reports is a directory"), "{r}");
    let r = harscrub(&t, &["scan", "in", "--report", "reports"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stdout.is_empty(), "{r}");
    let r = harscrub(
        &t,
        &["clean", "in", "--out", "not-a-dir", "--report", "r.json"],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr
            .contains("--out not-a-dir exists and is not a directory"),
        "{r}"
    );
    let r = harscrub(
        &t,
        &["clean", "in", "--out", "out", "--report", "nowhere/r.json"],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("does not exist"), "{r}");
    assert_eq!(contents(d), before, "nothing written");
}

// ---------------------------------------------------------------------------------------
// 4. Re-runs.

#[test]
fn the_quick_start_command_runs_twice() {
    // README: clean testdata/har/okta-login.har --out /tmp/harscrub-out --report /tmp/harscrub-report.json
    let t = Dir::new();
    let d = t.path();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/har/okta-login.har");
    let input = input.to_str().unwrap();
    let args = [
        "clean",
        input,
        "--out",
        "harscrub-out",
        "--report",
        "harscrub-report.json",
    ];
    let r = harscrub(&t, &args);
    assert_eq!(r.code, Some(0), "{r}");
    let first = fs::read(d.join("harscrub-out/okta-login.har")).unwrap();
    // Random key: the second copy has other fingerprints; it replaces the first, and
    // the copy agrees with the new report.
    let r = harscrub(&t, &args);
    assert_eq!(r.code, Some(0), "second run: {r}");
    let rep = report(&d.join("harscrub-report.json"));
    let f = &rep["files"][0];
    assert_eq!(f["status"], "written");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("placeholder fingerprints"),
        "{f}"
    );
    let second = fs::read(d.join("harscrub-out/okta-login.har")).unwrap();
    assert_ne!(first, second);
    let fp = rep["findings"][0]["fingerprint"].as_str().unwrap();
    assert!(String::from_utf8_lossy(&second).contains(fp));

    // A fixed key: the same copy, left unchanged.
    let keyed = [&args[..], &["--fingerprint-key", KEY]].concat();
    let r = harscrub(&t, &keyed);
    assert_eq!(r.code, Some(0), "{r}");
    let r = harscrub(&t, &keyed);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stderr.contains("1 unchanged (identical copy existed)"),
        "{r}"
    );
    let rep = report(&d.join("harscrub-report.json"));
    assert_eq!(rep["files"][0]["status"], "unchanged");
    assert_eq!(rep["summary"]["files_unchanged"], 1);
    assert_eq!(rep["summary"]["findings"], 37);
}

#[test]
fn an_existing_copy_that_differs_is_kept_and_skip_existing_resumes() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/a.har"), har(COOKIE));
    write(&d.join("in/b.log"), log(TOKEN));
    write(&d.join("out/a.har"), "my own notes\n");
    let r = harscrub(
        &t,
        &[
            "clean",
            "in",
            "--out",
            "out",
            "--fingerprint-key",
            KEY,
            "--report",
            "r.json",
        ],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("already exists and differs"), "{r}");
    assert_eq!(
        fs::read_to_string(d.join("out/a.har")).unwrap(),
        "my own notes\n"
    );
    assert!(d.join("out/b.log").exists());
    assert!(temporaries(&d.join("out")).is_empty());

    // --skip-existing: both copies exist now; nothing is read, and that is fine.
    let r = harscrub(
        &t,
        &[
            "clean",
            "in",
            "--out",
            "out",
            "--skip-existing",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let f = files(&report(&d.join("r.json")));
    assert!(
        f.iter()
            .all(|(_, s, why)| s == "skipped" && why.contains("--skip-existing")),
        "{f:?}"
    );
    assert_eq!(
        fs::read_to_string(d.join("out/a.har")).unwrap(),
        "my own notes\n"
    );
    // --force replaces it.
    let r = harscrub(&t, &["clean", "in", "--out", "out", "--force"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(fs::read_to_string(d.join("out/a.har"))
        .unwrap()
        .contains("[REDACTED:cookie:"));

    // Beside the input (NAME.redacted.har): written once, then kept unless --force.
    let beside = d.join("in/a.redacted.har");
    let r = harscrub(&t, &["clean", "in/a.har"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(fs::read_to_string(&beside)
        .unwrap()
        .contains("[REDACTED:cookie:"));
    write(&beside, "old");
    let r = harscrub(&t, &["clean", "in/a.har"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert_eq!(fs::read_to_string(&beside).unwrap(), "old");
    let r = harscrub(&t, &["clean", "in/a.har", "--force"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(serde_json::from_slice::<Value>(&fs::read(&beside).unwrap()).is_ok());
}

#[test]
fn a_failed_run_never_leaves_a_torn_or_clobbered_report() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/a.har"), har(COOKIE));
    let r = harscrub(&t, &["clean", "in", "--out", "out", "--report", "r.json"]);
    assert_eq!(r.code, Some(0), "{r}");
    let good = fs::read(d.join("r.json")).unwrap();
    // Refused up front: the previous report stays as it was.
    write(&d.join("file"), "x");
    let r = harscrub(&t, &["clean", "in", "--out", "file", "--report", "r.json"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert_eq!(fs::read(d.join("r.json")).unwrap(), good);
    // Nothing but the report itself (no temporary) beside it.
    assert_eq!(
        tree(d)
            .iter()
            .filter(|n| n.starts_with(".harscrub"))
            .count(),
        0
    );
}

// ---------------------------------------------------------------------------------------
// 5. Interrupts.

/// A HAR of about `mb` MiB, every entry carrying a cookie and a password, with `pad`
/// bytes of harmless text each.
fn big_har(path: &Path, mb: usize, pad: usize) {
    let entry = |i: usize| {
        format!(
            r#"{{"startedDateTime": "2024-01-01T00:00:00.000Z", "time": 1, "request": {{"method": "POST", "url": "https://example.com/api/{i}?access_token={COOKIE}", "httpVersion": "HTTP/1.1", "headers": [{{"name": "Cookie", "value": "sid={COOKIE}"}}], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0, "postData": {{"mimeType": "application/json", "text": "{{\"password\": \"hunter2-{i}\", \"note\": \"{pad}\"}}"}}}}, "response": {{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {{"size": 2, "mimeType": "text/plain", "text": "ok"}}, "redirectURL": "", "headersSize": -1, "bodySize": 2}}, "cache": {{}}, "timings": {{"send": 0, "wait": 1, "receive": 0}}}}"#,
            pad = "lorem ipsum dolor sit amet ".repeat(pad / 27 + 1)
        )
    };
    let mut s = String::from(
        r#"{"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": ["#,
    );
    let mut i = 0;
    while s.len() < mb << 20 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&entry(i));
        i += 1;
    }
    s.push_str("]}}\n");
    write(path, s);
}

#[cfg(unix)]
fn interrupt_run(signal: &str) {
    let t = Dir::new();
    let d = t.path();
    big_har(&d.join("in/big.har"), 48, 500);
    write(&d.join("r.json"), "previous report\n");
    let mut child = t
        .cmd(&[
            "clean", "in", "--out", "out", "--report", "r.json", "-j", "1",
        ])
        .process()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the copy is being written.
    let start = Instant::now();
    while temporaries(&d.join("out")).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let st = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{signal}: {stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("interrupted"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("removed 1 temporary file"), "{stderr}");
    assert_eq!(
        temporaries(&d.join("out")),
        Vec::<String>::new(),
        "no temporary left"
    );
    assert!(!d.join("out/big.har").exists(), "no partial copy");
    assert_eq!(temporaries(d), Vec::<String>::new());
    assert_eq!(
        fs::read_to_string(d.join("r.json")).unwrap(),
        "previous report\n",
        "the previous report is kept"
    );
}

#[cfg(unix)]
#[test]
fn sigint_removes_temporaries_and_exits_130() {
    interrupt_run("-INT");
}

#[cfg(unix)]
#[test]
fn sigterm_removes_temporaries_and_exits_130() {
    interrupt_run("-TERM");
}

#[test]
fn stale_temporaries_under_out_are_removed_and_reported() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/a.har"), har(COOKIE));
    // Left by a killed run (its process is gone) and by an older version.
    write(&d.join("out/sub/.harscrub-4999999-AbCdEf.tmp"), "partial");
    write(&d.join("out/.harscrub-XyZ123.tmp"), "partial");
    let r = harscrub(&t, &["clean", "in", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stderr.contains("removed 2 stale temporary file(s)"),
        "{r}"
    );
    assert_eq!(tree(&d.join("out")), ["a.har"]);
    // With --shard they are left alone: another shard may be writing them.
    write(&d.join("out/.harscrub-4999999-AbCdEf.tmp"), "partial");
    let r = harscrub(
        &t,
        &["clean", "in", "--out", "out", "--shard", "1/1", "--force"],
    );
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(temporaries(&d.join("out")).len(), 1);
}

// ---------------------------------------------------------------------------------------
// 6. File modes.

#[cfg(unix)]
#[test]
fn copies_and_in_place_rewrites_keep_permission_bits() {
    use std::os::unix::fs::PermissionsExt;
    let t = Dir::new();
    let d = t.path();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    for (name, m) in [
        ("group.har", 0o664),
        ("script.log", 0o755),
        ("private.har", 0o600),
    ] {
        let p = d.join("in").join(name);
        if name.ends_with(".har") {
            write(&p, har(COOKIE));
        } else {
            write(&p, log(TOKEN));
        }
        fs::set_permissions(&p, fs::Permissions::from_mode(m)).unwrap();
    }
    let r = harscrub(&t, &["clean", "in", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{r}");
    let r = harscrub(&t, &["clean", "in/group.har"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert_eq!(mode(&d.join("in/group.redacted.har")), 0o664);
    for (name, m) in [
        ("group.har", 0o664),
        ("script.log", 0o755),
        ("private.har", 0o600),
    ] {
        assert_eq!(mode(&d.join("out").join(name)), m, "{name}");
    }
    let r = harscrub(
        &t,
        &["clean", "--in-place", "in/group.har", "in/script.log"],
    );
    assert_eq!(r.code, Some(1), "{r}");
    assert!(!fs::read_to_string(d.join("in/script.log"))
        .unwrap()
        .contains(TOKEN));
    assert_eq!(mode(&d.join("in/group.har")), 0o664);
    assert_eq!(mode(&d.join("in/script.log")), 0o755);
}

// ---------------------------------------------------------------------------------------
// 7. Batches: --files-from, --shard, report merge.

fn batch(d: &Path) {
    for i in 0..24 {
        let sub = ["", "a/", "a/b/", "a.b/"][i % 4];
        if i % 3 == 0 {
            write(
                &d.join(format!("in/{sub}f{i:02}.log")),
                log(&format!("{TOKEN}{i}")),
            );
        } else {
            write(
                &d.join(format!("in/{sub}f{i:02}.har")),
                har(&format!("{COOKIE}{}", i % 5)),
            );
        }
    }
    write(&d.join("in/a/done.redacted.har"), har("[REDACTED:cookie]"));
    write(&d.join("in/z-broken.har"), "{\"log\": {\"entries\": [ {");
    #[cfg(unix)]
    std::os::unix::fs::symlink("f01.har", d.join("in/link.har")).unwrap();
}

#[test]
fn files_from_reads_lines_or_nul_separated_paths() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("logs/app.log"), log(TOKEN));
    write(&d.join("caps/x.har"), har(COOKIE));
    write(&d.join("caps/with space.har"), har(COOKIE));
    write(
        &d.join("list.txt"),
        "logs/app.log\r\ncaps/x.har\n\n./caps/with space.har\n",
    );
    write(
        &d.join("list0"),
        "logs/app.log\0caps/x.har\0caps/with space.har\0",
    );
    for list in ["list.txt", "list0"] {
        let out = format!("out-{list}");
        let r = harscrub(
            &t,
            &[
                "clean",
                "--files-from",
                list,
                "--out",
                &out,
                "--report",
                "r.json",
            ],
        );
        assert_eq!(r.code, Some(0), "{list}: {r}");
        assert_eq!(
            tree(&d.join(&out)),
            ["caps/with space.har", "caps/x.har", "logs/app.log"],
            "listed paths keep their place under --out"
        );
        assert_eq!(report(&d.join("r.json"))["summary"]["files_written"], 3);
    }
    // From standard input, mixed with a path argument.
    let o = t
        .cmd(&["scan", "logs", "--files-from", "-", "--format", "json"])
        .stdin("caps/x.har\n")
        .run();
    assert_eq!(o.code, Some(1), "{o}");
    let rep: Value = serde_json::from_str(&o.stdout).unwrap();
    let paths: Vec<&str> = rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["logs/app.log", "caps/x.har"]);
    // Paths that would leave --out are refused.
    write(&d.join("bad.txt"), "../escape.har\n/etc/hostname\n");
    let r = harscrub(&t, &["scan", "--files-from", "bad.txt"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("must be relative"), "{r}");
}

#[test]
fn shard_assignment_is_a_stable_partition() {
    let t = Dir::new();
    let d = t.path();
    batch(d);
    let mut seen: Vec<String> = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let mut per_j = Vec::new();
        for j in ["1", "2"] {
            let r = harscrub(
                &t,
                &[
                    "scan",
                    "in",
                    "--shard",
                    &shard,
                    "-j",
                    j,
                    "--format",
                    "json",
                    "--exit-zero",
                ],
            );
            assert!(r.code == Some(0) || r.code == Some(2), "{r}");
            let rep: Value = serde_json::from_str(&r.stdout).unwrap();
            per_j.push(files(&rep).into_iter().map(|f| f.0).collect::<Vec<_>>());
        }
        assert_eq!(per_j[0], per_j[1], "the same files whatever -j");
        seen.extend(per_j.pop().unwrap());
    }
    seen.sort();
    let r = harscrub(&t, &["scan", "in", "--format", "json", "--exit-zero"]);
    let mut all: Vec<String> = files(&serde_json::from_str(&r.stdout).unwrap())
        .into_iter()
        .map(|f| f.0)
        .collect();
    all.sort();
    assert_eq!(seen, all, "every input in exactly one shard");
    // The assignment does not depend on where the folder is.
    fs::rename(d.join("in"), d.join("elsewhere")).unwrap();
    let r = harscrub(
        &t,
        &[
            "scan",
            "elsewhere",
            "--shard",
            "3/3",
            "--format",
            "json",
            "--exit-zero",
        ],
    );
    let moved: Vec<String> = files(&serde_json::from_str(&r.stdout).unwrap())
        .into_iter()
        .map(|f| f.0.replacen("elsewhere/", "in/", 1))
        .collect();
    let r = {
        fs::rename(d.join("elsewhere"), d.join("in")).unwrap();
        harscrub(
            &t,
            &[
                "scan",
                "in",
                "--shard",
                "3/3",
                "--format",
                "json",
                "--exit-zero",
            ],
        )
    };
    let here: Vec<String> = files(&serde_json::from_str(&r.stdout).unwrap())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(moved, here);
    for bad in ["0/4", "5/4", "x", "1/0"] {
        let r = harscrub(&t, &["scan", "in", "--shard", bad]);
        assert_eq!(r.code, Some(2), "{bad}: {r}");
    }
}

#[test]
fn four_shards_in_parallel_equal_one_run() {
    let t = Dir::new();
    let single = t.path().join("single");
    let sharded = t.path().join("sharded");
    batch(&single);
    batch(&sharded);
    // The shared key comes from a config file (the same file for every shard).
    for d in [&single, &sharded] {
        write(
            &d.join(".harscrub.toml"),
            format!("fingerprint_key = \"{KEY}\"\n"),
        );
    }

    let r = harscrub_in(
        &t,
        &single,
        &["clean", "in", "--out", "out", "--report", "report.json"],
    );
    assert_eq!(r.code, Some(2), "the broken HAR fails: {r}");

    // Spawn all four first: they run in parallel, writing into the same --out.
    let mut procs: Vec<std::process::Child> = (1..=4)
        .map(|i| {
            t.cmd(&["clean", "in", "--out", "out2", "-q", "-j", "1"])
                .args(&[
                    "--shard",
                    &format!("{i}/4"),
                    "--report",
                    &format!("shard-{i}.json"),
                ])
                .cwd(&sharded)
                .process()
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes = Vec::new();
    for p in procs.iter_mut() {
        codes.push(p.wait().unwrap().code());
    }
    assert!(
        codes.contains(&Some(2)),
        "one shard has the broken HAR: {codes:?}"
    );
    assert!(
        codes.iter().all(|c| *c == Some(0) || *c == Some(2)),
        "{codes:?}"
    );
    let reports: Vec<Value> = (1..=4)
        .map(|i| report(&sharded.join(format!("shard-{i}.json"))))
        .collect();
    assert!(
        reports
            .iter()
            .filter(|r| r["files"].as_array().unwrap().is_empty())
            .count()
            < 4
    );

    // Merge in another order: the result does not depend on it.
    let r = harscrub_in(
        &t,
        &sharded,
        &[
            "report",
            "merge",
            "shard-3.json",
            "shard-1.json",
            "shard-4.json",
            "shard-2.json",
            "-o",
            "merged.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r}");
    let merged = fs::read_to_string(sharded.join("merged.json")).unwrap();
    let one = fs::read_to_string(single.join("report.json")).unwrap();
    assert_eq!(
        merged,
        one.replace("\"out/", "\"out2/"),
        "the merged report is the single run's, byte for byte"
    );
    let rep: Value = serde_json::from_str(&merged).unwrap();
    assert!(rep["summary"]["findings"].as_u64().unwrap() > 20);
    assert!(
        rep["summary"]["distinct_secrets"].as_u64().unwrap()
            < rep["summary"]["findings"].as_u64().unwrap()
    );
    assert_eq!(
        contents(&sharded.join("out2")),
        contents(&single.join("out")),
        "the same copies"
    );

    // Overlapping shards are refused.
    let r = harscrub_in(
        &t,
        &sharded,
        &[
            "report",
            "merge",
            "shard-1.json",
            "shard-1.json",
            "merged.json",
        ],
    );
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("overlap"), "{r}");
}

#[test]
fn an_empty_shard_is_not_a_failure() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/only.log"), log(TOKEN));
    let mut codes = Vec::new();
    for i in 1..=8 {
        let r = harscrub(
            &t,
            &["scan", "in", "--shard", &format!("{i}/8"), "--exit-zero"],
        );
        if r.stderr.contains("nothing processed in shard") {
            assert_eq!(r.code, Some(0), "{r}");
        }
        codes.push(r.code);
    }
    assert!(codes.iter().all(|c| *c == Some(0)), "{codes:?}");
}

// ---------------------------------------------------------------------------------------
// 8. Progress and hints.

/// The output of `harscrub ARGS` on a pseudo-terminal (util-linux `script`), or None
/// when `script` is not installed.
fn on_a_terminal(t: &Dir, args: &str) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: util-linux `script` is not installed");
        return None;
    }
    let cmd = format!("harscrub {args} >/dev/null");
    let out = t
        .program("script", &["-q", "-e", "-c", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .run();
    Some(out.stdout)
}

#[test]
fn a_large_file_shows_byte_progress_on_a_terminal_only() {
    let t = Dir::new();
    let d = t.path();
    big_har(&d.join("in/big.har"), 20, 64 << 10);
    let Some(tty) = on_a_terminal(&t, "clean in/big.har --out out") else {
        return;
    };
    assert!(tty.contains("big.har: writing the copy"), "{tty:?}");
    assert!(tty.contains("MiB"), "bytes, not files: {tty:?}");
    assert!(
        tty.contains("harscrub clean:"),
        "the summary follows: {tty:?}"
    );
    assert!(!tty.contains(COOKIE));
    let quiet = on_a_terminal(&t, "scan in/big.har -q").unwrap();
    assert!(
        !quiet.contains("big.har: scanning"),
        "-q: no bar: {quiet:?}"
    );
    // Not a terminal: no bar.
    let r = harscrub(&t, &["scan", "in/big.har"]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(!r.stderr.contains("big.har: scanning"), "{r}");
}

#[test]
fn the_scan_hint_names_the_command_to_run() {
    let t = Dir::new();
    let d = t.path();
    write(&d.join("in/a.har"), har(COOKIE));
    write(&d.join("in/my notes.log"), log(TOKEN));
    write(&d.join("in/clean.txt"), "nothing\n");
    let r = harscrub(&t, &["scan", "in"]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(
        r.stderr.contains(
            "hint: To redact: `harscrub clean --in-place in/a.har 'in/my notes.log'` rewrites the files, \
             `harscrub clean in/a.har 'in/my notes.log'` writes NAME.redacted.EXT beside each."
        ),
        "{r}"
    );
    assert!(!r.stderr.contains("harscrub-clean"), "{r}");
    // Under pre-commit (which sets PRE_COMMIT), the fixer hook is named too.
    let r = harscrub_env(&t, d, &["scan", "in/a.har"], &[("PRE_COMMIT", "1")]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(
        r.stderr
            .contains("`harscrub clean --in-place in/a.har` rewrites the file"),
        "{r}"
    );
    assert!(r.stderr.contains("the `harscrub-clean` hook"), "{r}");
}

// ---------------------------------------------------------------------------------------
// The report format.

#[test]
fn reports_with_skipped_unchanged_and_merged_entries_match_the_schema() {
    let schema: Value = serde_json::from_slice(
        &fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::options().build(&schema).unwrap();
    let t = Dir::new();
    let d = t.path();
    batch(d);
    write(&d.join("in/.git/HEAD"), "ref: x\n");
    let k = ["--fingerprint-key", KEY];
    let mut reports = Vec::new();
    for (i, extra) in [
        &["--report", "r1.json"][..],
        &["--report", "r2.json"][..],
        &["--report", "r3.json", "--skip-existing"][..],
        &["--report", "s1.json", "--shard", "1/2"][..],
        &["--report", "s2.json", "--shard", "2/2"][..],
    ]
    .iter()
    .enumerate()
    {
        let args = [&["clean", "in", "--out", "out"][..], &k[..], extra].concat();
        let r = harscrub(&t, &args);
        if i < 3 {
            assert_eq!(r.code, Some(2), "run {i}: the broken HAR fails: {r}");
        } else {
            // A shard fails only if the broken HAR is one of its inputs.
            assert!(r.code == Some(0) || r.code == Some(2), "run {i}: {r}");
        }
        reports.push(extra[1].to_string());
    }
    let r = harscrub(
        &t,
        &["report", "merge", "s1.json", "s2.json", "-o", "merged.json"],
    );
    assert_eq!(r.code, Some(0), "{r}");
    reports.push("merged.json".into());
    let mut statuses = std::collections::BTreeSet::new();
    for name in &reports {
        let rep = report(&d.join(name));
        let errors: Vec<String> = v
            .iter_errors(&rep)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        for (_, s, _) in files(&rep) {
            statuses.insert(s);
        }
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["failed", "skipped", "unchanged", "written"]
    );
    // The second run: every copy unchanged; the merged shards: unchanged too.
    assert_eq!(report(&d.join("r2.json"))["summary"]["files_unchanged"], 24);
    assert_eq!(
        report(&d.join("merged.json"))["summary"],
        report(&d.join("r2.json"))["summary"]
    );
}
