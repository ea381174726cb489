//! harscrub's own outputs never carry a secret: for every fixture (testdata/har/*.har
//! and testdata/malformed/*), run `clean` (with `--report`), `scan --format json`
//! (with `--report`), `scan` (text) and `scan -` (standard input), and search every byte
//! the tool printed (stdout, stderr) or wrote (reports, and any file other than the
//! copies themselves) for every planted secret and for every 8-character piece of a
//! secret's random part. The copies are checked for whole secrets (their non-secret
//! content is the subject of tests/har_fixtures.rs).
//!
//! A progress bar is only drawn on a terminal: `progress_bar_on_a_terminal_leaks_nothing`
//! runs `clean` on more than 20 files under `script(1)` so that stderr is a pseudo
//! terminal, and searches what was drawn.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::Duration;

use common::{assert_no_failures, fixtures, name, read, s, sidecar, testdata, Dir, Run};

/// Markers at the start of a secret that are public (they name the token format), not
/// secret material: 8-character pieces are taken after them.
const PUBLIC_PREFIXES: &[&str] = &[
    "sk_live_", "pi_", "ghp_", "gho_", "xoxb-", "AKIA", "ASIA", "AIza", "ya29.", "v1.",
];

/// Every fixture with the secrets planted in it (empty for malformed files that carry
/// none).
fn all_fixtures() -> Vec<(PathBuf, Vec<String>)> {
    let mut v: Vec<(PathBuf, Vec<String>)> = fixtures("har")
        .into_iter()
        .map(|f| {
            let secrets = sidecar(&f, "secrets");
            assert!(!secrets.is_empty(), "{} has no .secrets", f.display());
            (f, secrets)
        })
        .collect();
    let dir = testdata("malformed");
    let mut malformed: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.extension().is_some_and(|x| x == "secrets" || x == "keep"))
        .collect();
    malformed.sort();
    assert!(!malformed.is_empty());
    for m in malformed {
        let secrets = sidecar(&m, "secrets");
        v.push((m, secrets));
    }
    v
}

/// The parts of a secret no output may contain: the secret, its JSON-escaped form,
/// and every 8-character window of its random part (after a public marker).
fn needles(secret: &str) -> Vec<String> {
    let mut v = vec![secret.to_string()];
    let escaped = serde_json::to_string(secret).unwrap();
    v.push(escaped[1..escaped.len() - 1].to_string());
    // A Stripe client secret `pi_<id>_secret_<random>`: the payment intent id is public
    // (it is in the URLs that reports show), the part after `_secret_` is the secret.
    let random = match secret.split_once("_secret_") {
        Some((_, r)) => r,
        None => PUBLIC_PREFIXES
            .iter()
            .find_map(|p| secret.strip_prefix(p))
            .unwrap_or(secret),
    };
    let chars: Vec<char> = random.chars().collect();
    if chars.len() >= 8 {
        for w in chars.windows(8) {
            v.push(w.iter().collect());
        }
    }
    v.sort();
    v.dedup();
    v
}

/// Every leak of `secrets` in `text`, described without repeating the secret.
fn leaks(what: &str, text: &[u8], secrets: &[String]) -> Vec<String> {
    leaks_except(what, text, secrets, &HashSet::new())
}

/// [`leaks`], where an 8-character piece that the redacted copies hold too is not
/// counted: reports show URLs taken from the copies, and a JWT's readable payload in
/// one (`…ZXhhbXBsZS…`, "example") can share 8 characters with the base64 of another
/// fixture's secret (a SAML response about the same example domain). Whole secrets
/// always count.
fn leaks_except(
    what: &str,
    text: &[u8],
    secrets: &[String],
    kept: &HashSet<Vec<u8>>,
) -> Vec<String> {
    let windows: HashSet<&[u8]> = text.windows(8).collect();
    let mut out = Vec::new();
    for secret in secrets {
        let hit = needles(secret).into_iter().find(|n| {
            if n.len() == 8 {
                windows.contains(n.as_bytes()) && !kept.contains(n.as_bytes())
            } else {
                memchr::memmem::find(text, n.as_bytes()).is_some()
            }
        });
        if let Some(n) = hit {
            out.push(format!(
                "{what} holds {} characters of the secret starting {:?}",
                n.chars().count(),
                secret.chars().take(6).collect::<String>()
            ));
        }
    }
    out
}

/// `harscrub ARGS` in the workspace, feeding `stdin` if given.
fn run_in(tmp: &Dir, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut c = tmp.cmd(args).timeout(Duration::from_secs(120));
    if let Some(i) = stdin {
        c = c.stdin(i);
    }
    c.run()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Checks one run's stdout and stderr; `stdout_is_copy` when stdout carries the copy.
fn check_run(
    label: &str,
    r: &Run,
    secrets: &[String],
    stdout_is_copy: bool,
    failures: &mut Vec<String>,
) {
    if !stdout_is_copy {
        failures.extend(leaks(
            &format!("{label}: stdout"),
            r.stdout.as_bytes(),
            secrets,
        ));
    }
    failures.extend(leaks(
        &format!("{label}: stderr"),
        r.stderr.as_bytes(),
        secrets,
    ));
    if r.stderr.contains("panicked") || r.code.is_none() {
        failures.push(format!("{label}: crashed\n{r}"));
    }
    for line in r.stderr.lines().filter(|l| l.contains("failed:")) {
        // One line per failure: the file (and member) and the reason.
        if line.trim().len() < "failed: x: y".len() {
            failures.push(format!("{label}: unclear error line {line:?}"));
        }
    }
}

/// Every fixture, staged together in one folder: `clean` with `--report`, `clean` again
/// (every copy exists: one failure each), `scan --format json` with `--report` and
/// `scan` (text) run once over the folder, so every secret of every fixture is searched
/// for in everything any run printed or wrote; `scan -` and `clean -` (standard input)
/// run per fixture for the malformed ones and every third other one.
#[test]
fn no_output_of_the_tool_contains_a_planted_secret() {
    let fixtures = all_fixtures();
    let mut all_secrets: Vec<String> = fixtures.iter().flat_map(|(_, s)| s.clone()).collect();
    all_secrets.sort();
    all_secrets.dedup();
    let tmp = Dir::new();
    let root = tmp.path();
    let input = root.join("in");
    fs::create_dir_all(&input).unwrap();
    for (f, _) in &fixtures {
        let dest = input.join(name(f));
        assert!(!dest.exists(), "two fixtures named {}", name(f));
        fs::copy(f, dest).unwrap();
    }
    let mut failures = Vec::new();
    let is_malformed = |f: &Path| f.parent().unwrap().ends_with("malformed");

    let r = run_in(
        &tmp,
        &[
            "clean",
            "in",
            "--out",
            "out",
            "--report",
            "clean-report.json",
        ],
        None,
    );
    check_run("clean", &r, &all_secrets, false, &mut failures);
    if r.code != Some(2) {
        failures.push(format!("clean: malformed inputs must make it exit 2\n{r}"));
    }
    for (f, secrets) in &fixtures {
        let n = name(f);
        let copy = root.join("out").join(n);
        if is_malformed(f) {
            if copy.exists() {
                failures.push(format!("{n}: malformed input, but a copy was written"));
            }
            if r.failure_line(n).is_none() {
                failures.push(format!("{n}: no `failed: {n}: …` line\n{r}"));
            }
            continue;
        }
        if !copy.exists() {
            failures.push(format!("{n}: no copy\n{r}"));
            continue;
        }
        let bytes = read(&copy);
        for secret in secrets {
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                failures.push(format!(
                    "{n}: the copy holds the secret starting {:?}",
                    &secret[..6]
                ));
            }
        }
    }
    // Again: every copy exists, so every file fails ("already exists").
    let r = run_in(&tmp, &["clean", "in", "--out", "out"], None);
    check_run("clean again", &r, &all_secrets, false, &mut failures);
    let r = run_in(
        &tmp,
        &[
            "scan",
            "in",
            "--format",
            "json",
            "--report",
            "scan-report.json",
        ],
        None,
    );
    check_run("scan --format json", &r, &all_secrets, false, &mut failures);
    if serde_json::from_str::<serde_json::Value>(&r.stdout).is_err() {
        failures.push(format!("scan --format json: stdout is not JSON\n{r}"));
    }
    let r = run_in(&tmp, &["scan", "in"], None);
    check_run("scan", &r, &all_secrets, false, &mut failures);
    let r = run_in(&tmp, &["scan", "in", "--format", "sarif"], None);
    check_run(
        "scan --format sarif",
        &r,
        &all_secrets,
        false,
        &mut failures,
    );

    for (i, (f, secrets)) in fixtures.iter().enumerate() {
        if !is_malformed(f) && i % 3 != 0 {
            continue;
        }
        let n = name(f);
        let r = run_in(&tmp, &["scan", "-"], Some(&read(f)));
        check_run(&format!("{n}: scan -"), &r, secrets, false, &mut failures);
        // clean from stdin: stdout is the copy, stderr is checked.
        let r = run_in(&tmp, &["clean", "-"], Some(&read(f)));
        check_run(&format!("{n}: clean -"), &r, secrets, true, &mut failures);
    }

    // Every file the tool wrote, other than the copies: reports, and anything else
    // (a temporary file left behind would be caught here too).
    let mut files = Vec::new();
    walk(root, &mut files);
    let mut kept: HashSet<Vec<u8>> = HashSet::new();
    for f in files.iter().filter(|f| f.starts_with(root.join("out"))) {
        kept.extend(read(f).windows(8).map(<[u8]>::to_vec));
    }
    for f in files {
        let rel = f.strip_prefix(root).unwrap().display().to_string();
        if rel.starts_with("in/") || rel.starts_with("out/") && !rel.contains(".harscrub-") {
            continue;
        }
        if rel.contains(".harscrub-") {
            failures.push(format!("temporary file left behind: {rel}"));
        }
        failures.extend(leaks_except(&rel, &read(&f), &all_secrets, &kept));
    }
    for report in ["clean-report.json", "scan-report.json"] {
        match fs::read(root.join(report)) {
            Err(_) => failures.push(format!("no {report} written")),
            Ok(b) if serde_json::from_slice::<serde_json::Value>(&b).is_err() => {
                failures.push(format!("{report} is not JSON"))
            }
            Ok(_) => {}
        }
    }
    assert_no_failures("own outputs", failures);
}

/// Fake secrets of the naming fixture.
const TOKEN_URL: &str = "qT7vX2mK9pL4wR8sN3bY6cZ1";
const BEARER: &str = "bR3aRtOkEn9x8c7v6b5n4m3QwE";
const SID: &str = "s1dV4lu3Zq8Wm2Xk7Rn5Tp9Yh3Lc";
const API_KEY: &str = "aK9fS7dG5hJ3kL1zX8cV6bN4mQ2";
const PASSWORD: &str = "Pa55w0rd-Fake-Planted-77";

fn naming_har() -> String {
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [
        {"startedDateTime": "2025-01-01T00:00:00Z", "time": 1,
         "request": {"method": "GET",
            "url": format!("https://api.example.com/v1/items?access_token={TOKEN_URL}&page=2"),
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Authorization", "value": format!("Bearer {BEARER}")},
                {"name": "Cookie", "value": format!("lang=en; sid={SID}")},
                {"name": "X-Api-Key", "value": API_KEY}],
            "queryString": [{"name": "access_token", "value": TOKEN_URL}, {"name": "page", "value": "2"}],
            "cookies": [], "headersSize": -1, "bodySize": 0},
         "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
            "content": {"size": 2, "mimeType": "application/json", "text": "{}"}, "redirectURL": "", "headersSize": -1, "bodySize": 2},
         "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}},
        {"startedDateTime": "2025-01-01T00:00:01Z", "time": 1,
         "request": {"method": "POST", "url": "https://api.example.com/login", "httpVersion": "HTTP/1.1",
            "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 10,
            "postData": {"mimeType": "application/json",
                "text": format!(r#"{{"username":"alice","password":"{PASSWORD}"}}"#)}},
         "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
            "content": {"size": 0, "mimeType": "text/plain", "text": ""}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
         "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}},
        // The session cookie's value copied into a parameter not named like a
        // credential: only a verified copy has it redacted, so a scan must not put
        // this URL in its report as it is.
        {"startedDateTime": "2025-01-01T00:00:02Z", "time": 1,
         "request": {"method": "GET", "url": format!("https://stats.example.com/t?ref={SID}"), "httpVersion": "HTTP/1.1",
            "headers": [{"name": "X-Auth-Token", "value": API_KEY}], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
         "response": {"status": 204, "statusText": "No Content", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
            "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
         "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}
    ]}})
    .to_string()
}

#[test]
fn findings_name_what_they_are_and_leak_nothing() {
    let secrets: Vec<String> = [TOKEN_URL, BEARER, SID, API_KEY, PASSWORD]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let tmp = Dir::new();
    let root = tmp.path();
    fs::write(root.join("named.har"), naming_har()).unwrap();
    let mut failures = Vec::new();
    let scan = run_in(&tmp, &["scan", "named.har", "--format", "json"], None);
    check_run("scan json", &scan, &secrets, false, &mut failures);
    let clean = run_in(
        &tmp,
        &["clean", "named.har", "--out", "out", "--report", "r.json"],
        None,
    );
    check_run("clean", &clean, &secrets, false, &mut failures);
    let sarif = run_in(&tmp, &["scan", "named.har", "--format", "sarif"], None);
    check_run("scan sarif", &sarif, &secrets, false, &mut failures);
    let text = run_in(&tmp, &["scan", "named.har"], None);
    check_run("scan text", &text, &secrets, false, &mut failures);
    let report = fs::read(root.join("r.json")).unwrap();
    failures.extend(leaks("r.json", &report, &secrets));
    assert_no_failures("naming", failures);

    for (what, doc) in [
        (
            "scan",
            serde_json::from_str::<serde_json::Value>(&scan.stdout).unwrap(),
        ),
        ("clean", serde_json::from_slice(&report).unwrap()),
    ] {
        let findings = doc["findings"].as_array().unwrap();
        let at = |loc: &str| -> Vec<&serde_json::Value> {
            findings.iter().filter(|f| f["location"] == loc).collect()
        };
        let name_at = |loc: &str| -> Vec<String> {
            at(loc)
                .iter()
                .map(|f| f["name"].as_str().unwrap_or("-").to_string())
                .collect()
        };
        let e0 = "/log/entries/0/request";
        assert_eq!(
            name_at(&format!("{e0}/headers/0/value")),
            ["Authorization"],
            "{what}"
        );
        assert_eq!(
            name_at(&format!("{e0}/headers/1/value")),
            ["lang", "sid"],
            "{what}"
        );
        assert_eq!(
            name_at(&format!("{e0}/headers/2/value")),
            ["X-Api-Key"],
            "{what}"
        );
        assert_eq!(name_at(&format!("{e0}/url")), ["access_token"], "{what}");
        assert_eq!(
            name_at(&format!("{e0}/queryString/0/value")),
            ["access_token"],
            "{what}"
        );
        assert_eq!(
            name_at("/log/entries/1/request/postData/text"),
            ["password"],
            "{what}"
        );
        let f = at(&format!("{e0}/headers/0/value"))[0];
        assert_eq!(f["method"], "GET");
        let url = f["url"].as_str().unwrap();
        assert!(
            url.starts_with("https://api.example.com/v1/items?access_token=[REDACTED:")
                && url.ends_with("&page=2"),
            "{what}: {url}"
        );
        assert_eq!(
            at("/log/entries/1/request/postData/text")[0]["method"],
            "POST"
        );
        // The copied cookie value: redacted in the clean copy, and known to the second
        // pass of a scan, so the URL (read from the redacted entry) shows a placeholder.
        let f = at("/log/entries/2/request/headers/0/value")[0];
        assert_eq!(f["name"], "X-Auth-Token");
        assert!(
            f["url"]
                .as_str()
                .unwrap()
                .starts_with("https://stats.example.com/t?ref=[REDACTED:"),
            "{what}: {f}"
        );
    }
    let results = serde_json::from_str::<serde_json::Value>(&sarif.stdout).unwrap()["runs"][0]
        ["results"]
        .clone();
    let auth = results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["name"] == "Authorization")
        .expect("a SARIF result named Authorization");
    let msg = auth["message"]["text"].as_str().unwrap();
    assert!(
        msg.contains("in Authorization")
            && msg
                .contains("Request: GET https://api.example.com/v1/items?access_token=[REDACTED:"),
        "{msg}"
    );
    assert_eq!(auth["properties"]["method"], "GET");
    assert!(
        text.stdout.lines().any(
            |l| l.contains("  sid  [") && l.contains("in GET https://api.example.com/v1/items")
        ),
        "{}",
        text.stdout
    );
}

/// `clean` on more than 20 files with stderr on a terminal draws a progress bar; run
/// it under `script(1)` (a pseudo terminal) and search everything that was drawn.
#[test]
fn progress_bar_on_a_terminal_leaks_nothing() {
    if Process::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: script(1) is not installed, no pseudo terminal to draw on");
        return;
    }
    let tmp = Dir::new();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let mut secrets = Vec::new();
    let fx = fixtures("har");
    for i in 0..24 {
        let f = &fx[i % fx.len()];
        fs::copy(f, input.join(format!("{i:02}-{}", name(f)))).unwrap();
        secrets.extend(sidecar(f, "secrets"));
    }
    secrets.sort();
    secrets.dedup();
    let out = tmp.path().join("out");
    let typescript = tmp.path().join("typescript");
    let cmd = format!("harscrub clean {} --out {} -j 1", s(&input), s(&out));
    let status = tmp
        .program("script", &["-q", "-e", "-c", &cmd, s(&typescript)])
        .env("TERM", "xterm")
        .process()
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let drawn = read(&typescript);
    let mut failures = leaks("the terminal output", &drawn, &secrets);
    failures.extend(leaks("script's stdout", &status.stdout, &secrets));
    if !String::from_utf8_lossy(&drawn).contains("harscrub clean") {
        failures.push(format!(
            "no summary on the terminal:\n{}",
            String::from_utf8_lossy(&drawn)
        ));
    }
    assert_no_failures("progress output", failures);
}

/// The search itself: whole secrets, JSON-escaped ones and 8-character pieces of the
/// random part are found; public markers alone are not.
#[test]
fn the_leak_search_finds_pieces() {
    let secrets = vec![
        "ghp_Q7mZ2kLp9XwR4tVb8NcY1sHd6JfG3aEu0iOq".to_string(),
        "p/ss\"w0rd-fake".to_string(),
    ];
    assert!(leaks("t", b"x ghp_ y", &secrets).is_empty());
    assert_eq!(leaks("t", b"..9XwR4tVb..", &secrets).len(), 1);
    assert_eq!(leaks("t", br#"{"v":"p/ss\"w0rd-fake"}"#, &secrets).len(), 1);
    assert_eq!(
        leaks("t", b"ghp_Q7mZ2kLp9XwR4tVb8NcY1sHd6JfG3aEu0iOq", &secrets).len(),
        1
    );
}
