//! The command line as a user and a CI job meet it: exit codes (stable: 0 clean,
//! 1 findings, 2 errors; `--exit-zero`), the human summary (tables by kind and by file,
//! live/expired JWTs, hints), `--color` / `NO_COLOR`, `--quiet` / `--verbose`, and the
//! generated shell completions and man pages.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use base64::Engine as _;
use common::{run, s, Dir, Run};

const ESC: char = '\u{1b}';

/// A session cookie and a bearer token that must never be printed.
const SESSION: &str = "s3ss10n-7f9a2c41d8e6b053a9c7e1f2d4b6a8c0";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// A JWT expiring at `exp` (its signature is fake).
fn jwt(exp: i64) -> String {
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"iss":"https://id.example.com","sub":"user-1","exp":{exp}}}"#
        )),
        "Zm9vYmFyYmF6cXV4cXV1eHNpZ25hdHVyZWZha2VmYWtl"
    )
}

/// A small HAR: one request with a session cookie and two JWTs (one live, one expired).
fn har() -> String {
    let headers = serde_json::json!([
        { "name": "Cookie", "value": format!("session={SESSION}; theme=dark") },
        { "name": "Authorization", "value": format!("Bearer {}", jwt(4_102_444_800)) },
        { "name": "X-Old-Token", "value": jwt(1_000_000_000) },
    ]);
    serde_json::json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "test", "version": "1" },
            "entries": [{
                "startedDateTime": "2024-01-01T00:00:00.000Z",
                "time": 1,
                "request": {
                    "method": "GET", "url": "https://app.example.com/home",
                    "httpVersion": "HTTP/1.1", "cookies": [], "headers": headers,
                    "queryString": [], "headersSize": -1, "bodySize": 0
                },
                "response": {
                    "status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [],
                    "content": { "size": 2, "mimeType": "text/plain", "text": "ok" },
                    "redirectURL": "", "headersSize": -1, "bodySize": 2
                },
                "cache": {},
                "timings": { "send": 0, "wait": 1, "receive": 0 }
            }]
        }
    })
    .to_string()
}

const CLEAN_HAR: &str =
    r#"{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[]}}"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn no_leak(r: &Run) {
    assert!(
        !r.all().contains(SESSION),
        "the session cookie was printed\n{r}"
    );
    assert!(
        !r.all().contains("Zm9vYmFyYmF6"),
        "a JWT signature was printed\n{r}"
    );
}

// --- the test harness -------------------------------------------------------------------

/// Every process a test starts through `common::Dir` sees only the harness's
/// environment (no HARSCRUB_*, NO_COLOR, TERM, PRE_COMMIT of the developer's shell), a
/// HOME of its own and the workspace as its current dir; the binary is first on PATH.
#[test]
fn harness_runs_are_isolated() {
    let tmp = Dir::new();
    let r = tmp.program("env", &[] as &[&str]).run();
    assert_eq!(r.code, Some(0), "{r}");
    let mut names: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    names.sort();
    assert_eq!(names, ["HOME", "PATH", "TMPDIR", "XDG_CONFIG_HOME"], "{r}");
    let var = |k: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_string()
    };
    for k in ["HOME", "TMPDIR", "XDG_CONFIG_HOME"] {
        assert!(
            var(k).starts_with(tmp.base().to_str().unwrap()),
            "{k} is outside the workspace: {r}"
        );
    }
    let bin_dir = common::bin()
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(var("PATH").starts_with(&bin_dir), "{r}");
    let pwd = tmp.program("pwd", &[] as &[&str]).run();
    assert_eq!(
        std::path::Path::new(pwd.stdout.trim())
            .canonicalize()
            .unwrap(),
        tmp.path().canonicalize().unwrap()
    );
    // A variable a case sets is passed on.
    let r = tmp
        .program("env", &[] as &[&str])
        .env("NO_COLOR", "1")
        .run();
    assert!(r.stdout.lines().any(|l| l == "NO_COLOR=1"), "{r}");
}

// --- exit codes ------------------------------------------------------------------------

#[test]
fn exit_codes_are_stable() {
    let tmp = Dir::new();
    let dirty = write(tmp.path(), "capture.har", &har());
    let clean = write(tmp.path(), "empty.har", CLEAN_HAR);
    let broken = write(tmp.path(), "broken.har", "{\"log\": {\"entries\": [");

    let r = run(&["scan", s(&clean)]);
    assert_eq!(r.code, Some(0), "scan, nothing found\n{r}");
    let r = run(&["scan", s(&dirty)]);
    assert_eq!(r.code, Some(1), "scan, credentials found\n{r}");
    no_leak(&r);
    let r = run(&["scan", "--exit-zero", s(&dirty)]);
    assert_eq!(r.code, Some(0), "scan --exit-zero, credentials found\n{r}");
    assert!(
        r.stdout.contains("cookie"),
        "--exit-zero still reports\n{r}"
    );
    let r = run(&["scan", s(&broken), s(&dirty)]);
    assert_eq!(r.code, Some(2), "scan, an input fails\n{r}");
    let r = run(&["scan", "--exit-zero", s(&broken)]);
    assert_eq!(r.code, Some(2), "--exit-zero does not hide errors\n{r}");
    let r = run(&["scan", s(&tmp.path().join("missing.har"))]);
    assert_eq!(r.code, Some(2), "scan, missing input\n{r}");
    let r = run(&["scan", "--format", "yaml", s(&clean)]);
    assert_eq!(r.code, Some(2), "bad usage\n{r}");
    let r = run(&["scan"]);
    assert_eq!(r.code, Some(2), "no path\n{r}");

    // clean --in-place: 1 when it changed a file (pre-commit fixer), then 0.
    let r = run(&["clean", "--in-place", s(&dirty), s(&clean)]);
    assert_eq!(r.code, Some(1), "clean --in-place changed a file\n{r}");
    no_leak(&r);
    let text = fs::read_to_string(&dirty).unwrap();
    assert!(
        !text.contains(SESSION) && text.contains("[REDACTED:"),
        "{text}"
    );
    serde_json::from_str::<serde_json::Value>(&text).expect("still JSON");
    assert_eq!(fs::read_to_string(&clean).unwrap(), CLEAN_HAR, "untouched");
    let r = run(&["clean", "--in-place", s(&dirty)]);
    assert_eq!(r.code, Some(0), "nothing left to change\n{r}");
    let r = run(&["scan", s(&dirty)]);
    assert_eq!(r.code, Some(0), "the rewritten file scans clean\n{r}");

    let again = write(tmp.path(), "again.har", &har());
    let r = run(&["clean", "--in-place", "--exit-zero", s(&again)]);
    assert_eq!(r.code, Some(0), "clean --in-place --exit-zero\n{r}");
    assert!(!fs::read_to_string(&again).unwrap().contains(SESSION));

    // clean to a copy: 0 even with findings; 2 when anything failed.
    let third = write(tmp.path(), "third.har", &har());
    let out = tmp.path().join("out");
    let r = run(&["clean", "--out", s(&out), s(&third)]);
    assert_eq!(r.code, Some(0), "clean to a copy\n{r}");
    let r = run(&["clean", "--out", s(&out), "--force", s(&third), s(&broken)]);
    assert_eq!(r.code, Some(2), "clean with a failing input\n{r}");
}

#[test]
fn help_documents_exit_codes() {
    let r = run(&["--help"]);
    assert_eq!(r.code, Some(0));
    for want in [
        "Exit codes",
        "--exit-zero",
        "NO_COLOR",
        "completions",
        "man",
    ] {
        assert!(r.stdout.contains(want), "--help lacks {want:?}\n{r}");
    }
    let r = run(&["scan", "--help"]);
    for want in ["sarif", "--exit-zero", "--color", "--quiet", "--verbose"] {
        assert!(r.stdout.contains(want), "scan --help lacks {want:?}\n{r}");
    }
}

#[test]
fn help_is_honest_about_fingerprints() {
    // SECURITY.md: with a fixed key, whoever has it can test guesses of a short secret.
    let security = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SECURITY.md")).unwrap();
    assert!(security.contains("The fingerprint key is a secret"));
    let r = run(&["--help"]);
    let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!flat.contains("brute-forced"), "{flat}");
    assert!(!flat.contains("can never be"), "{flat}");
    for want in [
        "whoever knows a fixed key can try guesses of a short secret",
        "The fingerprint key is a secret",
    ] {
        assert!(flat.contains(want), "--help lacks {want:?}\n{flat}");
    }
    let r = run(&["scan", "--help"]);
    let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!flat.contains("brute-forced"), "{flat}");
    assert!(
        flat.contains("whoever has it can test guesses"),
        "scan --help, --fingerprint-key\n{flat}"
    );
}

#[test]
fn rules_list_includes_the_context_rules() {
    let r = run(&["rules", "list"]);
    assert_eq!(r.code, Some(0), "{r}");
    for id in [
        "context.cookie",
        "context.set-cookie",
        "context.authorization",
        "context.header",
        "context.param",
        "context.key-value",
        "context.propagated",
    ] {
        let line = r
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("rules list lacks {id}\n{r}"));
        assert!(
            line.len() > id.len() + 20,
            "{id} has no description: {line}"
        );
    }
    assert!(r.stdout.contains("context rules; "), "{r}");
    // Token rules are still listed, with the per-provider counts at the end.
    assert!(
        r.stdout.contains("github.pat") || r.stdout.contains("github"),
        "{r}"
    );
}

// --- the summary -------------------------------------------------------------------------

#[test]
fn summary_tables_by_kind_and_file_with_jwt_split() {
    let tmp = Dir::new();
    let dirty = write(tmp.path(), "capture.har", &har());
    let clean = write(tmp.path(), "empty.har", CLEAN_HAR);
    let r = run(&["scan", s(&dirty), s(&clean)]);
    assert_eq!(r.code, Some(1), "{r}");
    no_leak(&r);
    let e = &r.stderr;
    assert!(!e.contains(ESC), "not a terminal: no colour\n{r}");
    assert!(e.contains("in 1 of 2 files"), "headline\n{r}");
    let kind_header = e
        .lines()
        .find(|l| l.trim_start().starts_with("kind"))
        .unwrap_or_else(|| panic!("no kind table\n{r}"));
    for col in ["found", "distinct", "live", "expired"] {
        assert!(kind_header.contains(col), "kind table lacks {col}\n{r}");
    }
    let jwt_row: Vec<&str> = e
        .lines()
        .find(|l| l.trim_start().starts_with("jwt "))
        .unwrap_or_else(|| panic!("no jwt row\n{r}"))
        .split_whitespace()
        .collect();
    assert_eq!(
        jwt_row,
        ["jwt", "2", "2", "1", "1"],
        "2 JWTs: 1 live, 1 expired\n{r}"
    );
    assert!(
        e.lines().any(|l| l.trim_start().starts_with("cookie ")),
        "{r}"
    );
    let file_header = e
        .lines()
        .find(|l| l.trim_start().starts_with("file"))
        .unwrap_or_else(|| panic!("no file table\n{r}"));
    assert!(
        file_header.contains("found") && file_header.contains("result"),
        "{r}"
    );
    assert!(
        e.contains(s(&dirty)),
        "the file with findings is listed\n{r}"
    );
    assert!(
        !e.contains(s(&clean)),
        "clean files only with --verbose\n{r}"
    );
    assert!(e.contains("1 JWT is live"), "live JWT called out\n{r}");
    assert!(
        e.contains("harscrub clean --in-place"),
        "tells how to fix\n{r}"
    );

    let r = run(&["scan", "--verbose", s(&dirty), s(&clean)]);
    assert!(
        r.stderr.contains(s(&clean)),
        "--verbose lists every file\n{r}"
    );
    let r = run(&["--verbose", "clean", "--in-place", s(&dirty)]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stderr.contains("redacted in place"), "{r}");
    assert!(
        r.stderr.contains("git add"),
        "tells the pre-commit user what next\n{r}"
    );
    assert!(
        r.stderr.contains("/log/entries/0/request/headers/0/value"),
        "--verbose lists findings\n{r}"
    );
    no_leak(&r);
}

#[test]
fn quiet_prints_only_errors() {
    let tmp = Dir::new();
    let dirty = write(tmp.path(), "capture.har", &har());
    let broken = write(tmp.path(), "broken.har", "not json at all");
    let r = run(&["scan", "--quiet", s(&dirty)]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, "", "{r}");
    assert!(!r.stdout.is_empty(), "findings still go to stdout\n{r}");
    let r = run(&["-q", "scan", s(&dirty), s(&broken)]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("broken.har"),
        "errors are always shown\n{r}"
    );
    assert!(!r.stderr.contains("capture.har"), "{r}");
    let r = run(&["scan", "--quiet", "--verbose", s(&dirty)]);
    assert_eq!(r.code, Some(2), "--quiet and --verbose conflict\n{r}");
}

#[test]
fn hostile_file_names_are_escaped() {
    let tmp = Dir::new();
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J.har";
    let p = write(tmp.path(), name, &har());
    for args in [vec!["scan", s(&p)], vec!["scan", "--verbose", s(&p)]] {
        let r = run(&args);
        assert!(
            !r.all().contains(ESC),
            "raw escape printed for {args:?}\n{r:?}",
            r = r.all()
        );
        assert!(r.stderr.contains("evil\\u{1b}"), "{r}");
    }
}

// --- colour ------------------------------------------------------------------------------

#[test]
fn color_flag_and_no_color() {
    let tmp = Dir::new();
    let dirty = write(tmp.path(), "capture.har", &har());
    let p = s(&dirty);
    let has = |r: &Run| r.stderr.contains(ESC);
    // NO_COLOR and TERM are not inherited: only what a case sets.
    let run_env = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = tmp.cmd(args);
        for (k, v) in env {
            c = c.env(k, v);
        }
        c.run()
    };
    assert!(has(&run_env(&["scan", "--color", "always", p], &[])));
    assert!(
        has(&run_env(
            &["--color=always", "scan", p],
            &[("NO_COLOR", "1")]
        )),
        "explicit --color always wins"
    );
    assert!(!has(&run_env(&["scan", "--color", "never", p], &[])));
    assert!(!has(&run_env(&["scan", p], &[])), "auto, not a terminal");
    for r in [
        run_env(&["scan", "--color", "always", p], &[]),
        run_env(&["scan", "--color", "always", "--format", "json", p], &[]),
    ] {
        assert!(!r.stdout.contains(ESC), "stdout is never coloured\n{r}");
    }
}

/// `--color auto` on a real terminal (a pty from util-linux `script`): colour unless
/// NO_COLOR is set and non-empty.
#[test]
fn color_auto_on_a_terminal_honours_no_color() {
    if Process::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let tmp = Dir::new();
    let dirty = write(tmp.path(), "capture.har", &har());
    let on_tty = |no_color: Option<&str>| -> String {
        let cmd = format!("harscrub scan '{}' >/dev/null", dirty.display());
        let mut c = tmp
            .program("script", &["-q", "-e", "-c", &cmd, "/dev/null"])
            .env("TERM", "xterm");
        if let Some(v) = no_color {
            c = c.env("NO_COLOR", v);
        }
        c.run().stdout
    };
    let plain = on_tty(None);
    assert!(
        plain.contains("harscrub scan"),
        "no summary on the pty: {plain:?}"
    );
    assert!(plain.contains(ESC), "a terminal gets colour: {plain:?}");
    assert!(!on_tty(Some("1")).contains(ESC), "NO_COLOR=1 turns it off");
    assert!(on_tty(Some("")).contains(ESC), "an empty NO_COLOR is unset");
}

// --- completions and man pages ----------------------------------------------------------------

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, Some(0), "{shell}\n{r}");
        for want in ["harscrub", "scan", "clean", "exit-zero"] {
            assert!(
                r.stdout.contains(want),
                "{shell} completion lacks {want}\n{r}"
            );
        }
    }
    // The bash script parses, and completes subcommands in a real bash.
    let tmp = Dir::new();
    let script = tmp.path().join("harscrub.bash");
    fs::write(&script, run(&["completions", "bash"]).stdout).unwrap();
    let check = Process::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let probe = format!(
        "source '{}'; COMP_WORDS=(harscrub sc); COMP_CWORD=1; COMP_LINE='harscrub sc'; \
         COMP_POINT=11; _harscrub harscrub sc harscrub; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = Process::new("bash").args(["-c", &probe]).output().unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        words.lines().any(|w| w == "scan"),
        "bash completes `sc` to scan: {words:?}"
    );
    let r = run(&["completions", "tcsh"]);
    assert_eq!(r.code, Some(2), "unknown shell is a usage error\n{r}");
}

#[test]
fn man_pages() {
    let r = run(&["man"]);
    assert_eq!(r.code, Some(0), "{r}");
    for want in [
        ".TH harscrub 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        "Exit codes",
        "\\-\\-exit\\-zero",
    ] {
        assert!(r.stdout.contains(want), "man page lacks {want:?}");
    }
    let tmp = Dir::new();
    let dir = tmp.path().join("man1");
    let r = run(&["man", "--out", s(&dir)]);
    assert_eq!(r.code, Some(0), "{r}");
    for page in [
        "harscrub.1",
        "harscrub-scan.1",
        "harscrub-clean.1",
        "harscrub-rules.1",
        "harscrub-completions.1",
    ] {
        let text = fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is not a man page");
    }
    // When groff is installed, every page renders without a warning.
    if Process::new("groff").arg("--version").output().is_ok() {
        for entry in fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let out = Process::new("groff")
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .arg(&p)
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "groff on {}: {}",
                p.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

// --- the README's GitHub Actions workflow -------------------------------------------------

/// The `run:` script of a step of the workflow in README's "CI and code scanning".
fn workflow_step(name: &str) -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## CI and code scanning")
        .nth(1)
        .expect("README has a 'CI and code scanning' section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a yaml block (the workflow)");
    let mut lines = yaml
        .lines()
        .skip_while(|l| l.trim() != format!("- name: {name}"));
    lines
        .next()
        .unwrap_or_else(|| panic!("no step {name:?} in the workflow"));
    let mut script = String::new();
    let mut in_block = false;
    for l in lines {
        let t = l.trim_start();
        if t.starts_with("- name:") {
            break;
        }
        if in_block {
            script.push_str(t);
            script.push('\n');
        } else if let Some(rest) = t.strip_prefix("run:") {
            if rest.trim() != "|" {
                return rest.trim().to_string();
            }
            in_block = true;
        }
    }
    script
}

#[test]
fn readme_workflow_steps_work() {
    let scan = workflow_step("Scan (report only)");
    let fail = workflow_step("Fail when credentials are committed");
    assert!(
        scan.contains("--format sarif") && scan.contains("--exit-zero"),
        "{scan}"
    );
    let tmp = Dir::new();
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let o = tmp
            .program("git", args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .run();
        assert_eq!(o.code, Some(0), "git {args:?}: {o}");
    };
    git(&["init", "-q"]);
    fs::create_dir_all(repo.join("support/case 1")).unwrap();
    write(&repo.join("support/case 1"), "capture.har", &har());
    write(repo, "package.json", r#"{"name": "x", "version": "1.0.0"}"#);
    write(repo, "main.rs", "fn main() {}\n");
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "x"]);
    // The workflow's steps in bash, with the binary first on PATH.
    let bash = |script: &str| {
        tmp.program("bash", &["-e", "-c", script])
            .process()
            .output()
            .unwrap()
    };
    let o = bash(&scan);
    assert!(
        o.status.success(),
        "scan step: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(repo.join("harscrub.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "support/case%201/capture.har");
    assert!(!fs::read_to_string(repo.join("harscrub.sarif"))
        .unwrap()
        .contains(SESSION));
    let o = bash(&fail);
    assert!(
        !o.status.success(),
        "the fail step should fail on committed credentials"
    );
    // Once the file is redacted, both steps pass.
    let r = tmp.run(&["clean", "--in-place", "support/case 1/capture.har"]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(bash(&scan).status.success());
    let o = bash(&fail);
    assert!(
        o.status.success(),
        "fail step after redaction: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// More findings than the report keeps in memory (they spill to a temporary file and
/// are streamed back): the JSON report and `--format text` still list every one, in
/// input order, and the summary counts them all.
#[test]
fn reports_with_many_findings_are_complete_and_ordered() {
    let tmp = Dir::new();
    let n = 6000;
    let entries: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "startedDateTime": "2024-01-01T00:00:00.000Z", "time": 1,
                "request": { "method": "GET", "url": "https://app.example.com/",
                    "headers": [{ "name": "Cookie",
                                  "value": format!("sid=Fake{i:06}Sess{:08x}", i * 7919) }] },
                "response": { "status": 200, "headers": [] }
            })
        })
        .collect();
    let har = serde_json::json!({ "log": { "version": "1.2", "entries": entries } }).to_string();
    let input = write(tmp.path(), "many.har", &har);
    let report = tmp.path().join("report.json");
    let out = tmp.path().join("out");
    let r = run(&[
        "clean",
        s(&input),
        "--out",
        s(&out),
        "--report",
        s(&report),
        "-q",
    ]);
    assert_eq!(r.code, Some(0), "{r}");
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), n);
    assert_eq!(doc["summary"]["findings"], n);
    assert_eq!(doc["summary"]["distinct_secrets"], n);
    assert_eq!(doc["summary"]["live"], n);
    for (i, f) in findings.iter().enumerate() {
        let want = format!("/log/entries/{i}/request/headers/0/value");
        assert_eq!(f["location"], want.as_str());
    }
    let r = run(&["scan", "--format", "text", s(&input)]);
    assert_eq!(r.code, Some(1), "{r}");
    assert_eq!(r.stdout.lines().count(), n, "one line per finding");
}

/// `scan --format text` says which cookies had already expired.
#[test]
fn text_findings_show_cookie_expiry() {
    let r = run(&["scan", "--format", "text", "testdata/har/cookie-expiry.har"]);
    assert_eq!(r.code, Some(1), "{r}");
    assert!(r.stdout.contains("(cookie expired)"), "{r}");
    assert!(r.stdout.contains("(cookie not expired yet)"), "{r}");
    no_leak(&r);
}
