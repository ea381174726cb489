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
    let mut out = Vec::new();
    for secret in secrets {
        for n in needles(secret) {
            if let Some(at) = text.windows(n.len()).position(|w| w == n.as_bytes()) {
                out.push(format!(
                    "{what} holds {} characters of the secret starting {:?} (at byte {at})",
                    n.chars().count(),
                    secret.chars().take(6).collect::<String>()
                ));
                break;
            }
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

#[test]
fn no_output_of_the_tool_contains_a_planted_secret() {
    let mut failures = Vec::new();
    for (fixture, secrets) in all_fixtures() {
        let n = name(&fixture).to_string();
        let malformed = fixture.parent().unwrap().ends_with("malformed");
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let input_dir = root.join("in");
        fs::create_dir_all(&input_dir).unwrap();
        let input = input_dir.join(&n);
        fs::copy(&fixture, &input).unwrap();
        let out = root.join("out");
        let (inp, outs) = (s(&input).to_string(), s(&out).to_string());

        // clean, with a report.
        let r = run_in(
            root,
            &[
                "clean",
                &inp,
                "--out",
                &outs,
                "--report",
                "clean-report.json",
            ],
            None,
        );
        check_run(&format!("{n}: clean"), &r, &secrets, false, &mut failures);
        let copy = out.join(&n);
        if malformed {
            if r.code != Some(2) || copy.exists() {
                failures.push(format!("{n}: malformed input must fail with no copy\n{r}"));
            }
        } else if r.code != Some(0) || !copy.exists() {
            failures.push(format!("{n}: clean failed\n{r}"));
        }
        if copy.exists() {
            let bytes = read(&copy);
            for secret in &secrets {
                if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                    failures.push(format!(
                        "{n}: the copy holds the secret starting {:?}",
                        &secret[..6]
                    ));
                }
            }
        }
        // The same again: the copy exists, so this run fails ("already exists").
        let r = run_in(root, &["clean", &inp, "--out", &outs], None);
        check_run(
            &format!("{n}: clean again"),
            &r,
            &secrets,
            false,
            &mut failures,
        );

        // scan, JSON on stdout and in a report; scan, text; scan from stdin.
        let r = run_in(
            root,
            &[
                "scan",
                &inp,
                "--format",
                "json",
                "--report",
                "scan-report.json",
            ],
            None,
        );
        check_run(
            &format!("{n}: scan --format json"),
            &r,
            &secrets,
            false,
            &mut failures,
        );
        let r = run_in(root, &["scan", &inp], None);
        check_run(&format!("{n}: scan"), &r, &secrets, false, &mut failures);
        let r = run_in(root, &["scan", "-"], Some(&read(&fixture)));
        check_run(&format!("{n}: scan -"), &r, &secrets, false, &mut failures);
        // clean from stdin: stdout is the copy, stderr is checked.
        let r = run_in(root, &["clean", "-"], Some(&read(&fixture)));
        check_run(&format!("{n}: clean -"), &r, &secrets, true, &mut failures);

        // Every file the tool wrote, other than the copy: reports, and anything else
        // (a temporary file left behind would be caught here too).
        let mut files = Vec::new();
        walk(root, &mut files);
        for f in files {
            if f == input || f == copy {
                continue;
            }
            let rel = f.strip_prefix(root).unwrap().display().to_string();
            if rel.contains(".harscrub-") {
                failures.push(format!("{n}: temporary file left behind: {rel}"));
            }
            failures.extend(leaks(&format!("{n}: {rel}"), &read(&f), &secrets));
        }
        for report in ["clean-report.json", "scan-report.json"] {
            if !root.join(report).exists() {
                failures.push(format!("{n}: no {report} written"));
            }
        }
    }
    assert_no_failures("own outputs", failures);
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
