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

use assert_cmd::Command;
use common::{assert_no_failures, fixtures, name, read, s, sidecar, testdata, Run};

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
    let random = PUBLIC_PREFIXES
        .iter()
        .find_map(|p| secret.strip_prefix(p))
        .unwrap_or(secret);
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
    let windows: HashSet<&[u8]> = text.windows(8).collect();
    let mut out = Vec::new();
    for secret in secrets {
        let hit = needles(secret).into_iter().find(|n| {
            if n.len() == 8 {
                windows.contains(n.as_bytes())
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

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::cargo_bin("harscrub").unwrap();
    cmd.current_dir(dir)
        .args(args)
        .env_remove("HARSCRUB_FINGERPRINT_KEY")
        .timeout(Duration::from_secs(120));
    if let Some(i) = stdin {
        cmd.write_stdin(i.to_vec());
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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
    let tmp = tempfile::tempdir().unwrap();
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
        root,
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
            if failure_line_for(&r, n).is_none() {
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
    let r = run_in(root, &["clean", "in", "--out", "out"], None);
    check_run("clean again", &r, &all_secrets, false, &mut failures);
    let r = run_in(
        root,
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
    let r = run_in(root, &["scan", "in"], None);
    check_run("scan", &r, &all_secrets, false, &mut failures);

    for (i, (f, secrets)) in fixtures.iter().enumerate() {
        if !is_malformed(f) && i % 3 != 0 {
            continue;
        }
        let n = name(f);
        let r = run_in(root, &["scan", "-"], Some(&read(f)));
        check_run(&format!("{n}: scan -"), &r, secrets, false, &mut failures);
        // clean from stdin: stdout is the copy, stderr is checked.
        let r = run_in(root, &["clean", "-"], Some(&read(f)));
        check_run(&format!("{n}: clean -"), &r, secrets, true, &mut failures);
        // (From standard input a file has no name: `no-log.har`, valid JSON, is then
        // cleaned as JSON rather than refused as a HAR without `log`.)
    }

    // Every file the tool wrote, other than the copies: reports, and anything else
    // (a temporary file left behind would be caught here too).
    let mut files = Vec::new();
    walk(root, &mut files);
    for f in files {
        let rel = f.strip_prefix(root).unwrap().display().to_string();
        if rel.starts_with("in/") || rel.starts_with("out/") && !rel.contains(".harscrub-") {
            continue;
        }
        if rel.contains(".harscrub-") {
            failures.push(format!("temporary file left behind: {rel}"));
        }
        failures.extend(leaks(&rel, &read(&f), &all_secrets));
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

fn failure_line_for<'a>(r: &'a Run, file: &str) -> Option<&'a str> {
    r.stderr
        .lines()
        .find(|l| l.starts_with("failed: ") && l.contains(file))
}

/// `clean` on more than 20 files with stderr on a terminal draws a progress bar; run
/// it under `script(1)` (a pseudo terminal) and search everything that was drawn.
#[test]
fn progress_bar_on_a_terminal_leaks_nothing() {
    if Process::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: script(1) is not installed, no pseudo terminal to draw on");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("harscrub");
    let tmp = tempfile::tempdir().unwrap();
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
    let cmd = format!("{} clean {} --out {} -j 1", s(&bin), s(&input), s(&out));
    let status = Process::new("script")
        .args(["-q", "-e", "-c", &cmd, s(&typescript)])
        .env("TERM", "xterm")
        .env_remove("HARSCRUB_FINGERPRINT_KEY")
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
