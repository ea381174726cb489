//! The pre-commit hooks end to end, as a new user meets them: the real `pre-commit`
//! (from PyPI, into a virtualenv under the target directory), this checkout's
//! `.pre-commit-hooks.yaml` (committed into a throwaway hook repository, built by
//! pre-commit itself with `language: rust`, i.e. `cargo install --path`), and the
//! `.pre-commit-config.yaml` snippets copied from README.md into a fresh git repository.
//!
//! Slow (installs pre-commit, builds harscrub in release mode), so it is `#[ignore]`d
//! in a plain `cargo test`; `.ci/run` runs it:
//!
//! ```sh
//! cargo test --test precommit -- --ignored
//! ```
//!
//! It needs python3 (with venv and pip), git and PyPI. When pre-commit cannot be
//! installed it fails with the reason; set `HARSCRUB_SKIP_PRECOMMIT=1` to skip it on a
//! machine without PyPI instead (ignored when `CI` is set: CI always runs it).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A session cookie that must not reach a commit, nor the hook output.
const SESSION: &str = "9f8e7d6c5b4a39281716f5e4d3c2b1a0s3ss10n";
/// Which pre-commit to install.
const PRE_COMMIT_REQ: &str = "pre-commit>=3.2,<5";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Kept between runs (under target/): the virtualenv and cargo's build cache for the
/// hook, so a second run does not download or rebuild dependencies.
fn work() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("precommit")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()))
}

fn ok(cmd: &mut Command) -> Output {
    let o = run(cmd);
    assert!(o.status.success(), "{cmd:?} failed\n{}", text(&o));
    o
}

/// Skip (locally, when asked to) or fail with the reason pre-commit is unavailable.
fn unavailable(why: String) -> Option<PathBuf> {
    let skip = std::env::var("HARSCRUB_SKIP_PRECOMMIT").is_ok_and(|v| !v.is_empty() && v != "0");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if skip && !ci {
        eprintln!("SKIPPED (HARSCRUB_SKIP_PRECOMMIT is set): {why}");
        return None;
    }
    panic!(
        "the pre-commit test needs the real pre-commit tool, installed from PyPI into a \
         virtualenv, and could not get it:\n{why}\n\
         Give this machine python3 (with venv and pip) and access to PyPI, or set \
         HARSCRUB_SKIP_PRECOMMIT=1 to skip this test locally (CI never skips it)."
    );
}

/// The `pre-commit` executable in our virtualenv, installed on first use.
fn pre_commit() -> Option<PathBuf> {
    static PC: OnceLock<Option<PathBuf>> = OnceLock::new();
    PC.get_or_init(|| {
        let venv = work().join("venv");
        let bin = venv.join("bin");
        let exe = bin.join("pre-commit");
        if Command::new(&exe)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(exe);
        }
        let _ = fs::remove_dir_all(&venv);
        fs::create_dir_all(work()).unwrap();
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .output();
        match made {
            Ok(o) if o.status.success() => {}
            Ok(o) => return unavailable(format!("python3 -m venv failed\n{}", text(&o))),
            Err(e) => return unavailable(format!("python3 not found: {e}")),
        }
        let pip = Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .arg(PRE_COMMIT_REQ)
            .output();
        match pip {
            Ok(o) if o.status.success() => Some(exe),
            Ok(o) => unavailable(format!("pip install {PRE_COMMIT_REQ} failed\n{}", text(&o))),
            Err(e) => unavailable(format!("cannot run pip: {e}")),
        }
    })
    .clone()
}

/// git with a fixed identity and no user or system configuration.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    c
}

/// The files of this checkout as git sees them (tracked and new, not ignored), so the
/// hook repository holds the working tree under test, uncommitted changes included.
fn checkout_files() -> Vec<PathBuf> {
    let o = run(git(root()).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]));
    assert!(
        o.status.success(),
        "git ls-files in {}\n{}",
        root().display(),
        text(&o)
    );
    o.stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| root().join(p).is_file())
        .collect()
}

/// A git repository holding this checkout in one commit; returns its commit id.
fn hook_repo(dir: &Path) -> String {
    for rel in checkout_files() {
        let dest = dir.join(&rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(root().join(&rel), &dest).unwrap();
    }
    assert!(
        dir.join(".pre-commit-hooks.yaml").is_file(),
        "no .pre-commit-hooks.yaml"
    );
    ok(git(dir).args(["init", "-q"]));
    ok(git(dir).args(["add", "-A"]));
    ok(git(dir).args(["commit", "-q", "-m", "harscrub under test"]));
    let o = ok(git(dir).args(["rev-parse", "HEAD"]));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// The `yaml` blocks of README.md's "Pre-commit" section.
fn readme_snippets() -> Vec<String> {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Pre-commit")
        .nth(1)
        .expect("README.md has a '## Pre-commit' section");
    let section = section.split("\n## ").next().unwrap();
    section
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .collect()
}

/// A HAR holding a session cookie, as a browser would export it.
fn capture() -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "WebInspector", "version": "537.36" },
            "entries": [{
                "startedDateTime": "2024-05-01T10:00:00.000Z",
                "time": 12.5,
                "request": {
                    "method": "GET",
                    "url": "https://support.example.com/api/tickets",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [ { "name": "sessionid", "value": SESSION } ],
                    "headers": [
                        { "name": "Accept", "value": "application/json" },
                        { "name": "Cookie", "value": format!("sessionid={SESSION}; lang=en") }
                    ],
                    "queryString": [], "headersSize": -1, "bodySize": 0
                },
                "response": {
                    "status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [],
                    "content": { "size": 2, "mimeType": "application/json", "text": "[]" },
                    "redirectURL": "", "headersSize": -1, "bodySize": 2
                },
                "cache": {},
                "timings": { "send": 0.1, "wait": 12, "receive": 0.4 }
            }]
        }
    }))
    .unwrap()
}

/// A fresh project repository with `config` as its .pre-commit-config.yaml and the
/// hook installed.
fn project(dir: &Path, config: &str, pc: &Path, env: &[(&str, String)]) {
    fs::create_dir_all(dir).unwrap();
    ok(git(dir).args(["init", "-q"]));
    fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
    ok(git(dir).arg("add").arg(".pre-commit-config.yaml"));
    let mut c = git(dir);
    c.args(["commit", "-q", "-m", "add pre-commit config", "--no-verify"]);
    ok(&mut c);
    let mut c = Command::new(pc);
    c.current_dir(dir).arg("install");
    for (k, v) in env {
        c.env(k, v);
    }
    ok(&mut c);
}

fn commit(dir: &Path, msg: &str, env: &[(&str, String)]) -> Output {
    let mut c = git(dir);
    c.args(["commit", "-m", msg]);
    for (k, v) in env {
        c.env(k, v);
    }
    run(&mut c)
}

/// Stage a HAR with a session cookie; the commit is blocked, the checker names it, the
/// fixer redacts it; after `git add`, the commit goes through and holds no secret.
fn blocks_then_fixes(dir: &Path, env: &[(&str, String)], expect_fixer: bool) {
    fs::write(dir.join("capture.har"), capture()).unwrap();
    fs::write(
        dir.join("notes.txt"),
        "Customer reports a 500 on /api/tickets.\n",
    )
    .unwrap();
    ok(git(dir).args(["add", "capture.har", "notes.txt"]));

    let first = commit(dir, "add capture", env);
    let out = text(&first);
    eprintln!("--- the blocked commit, as the user sees it ---\n{out}");
    assert!(
        !first.status.success(),
        "the commit should be blocked\n{out}"
    );
    assert!(
        !run(git(dir).args(["rev-parse", "--verify", "-q", "HEAD~1"]))
            .status
            .success(),
        "nothing beyond the config commit may have been committed\n{out}"
    );
    assert!(
        !out.contains(SESSION),
        "the hook output shows the secret\n{out}"
    );
    assert!(
        out.contains("capture.har"),
        "the checker names the file\n{out}"
    );
    assert!(out.contains("cookie"), "the checker names the kind\n{out}");
    assert!(
        out.contains("Failed"),
        "pre-commit reports a failed hook\n{out}"
    );
    if expect_fixer {
        assert!(
            out.contains("files were modified by this hook"),
            "the fixer rewrote the file\n{out}"
        );
        let fixed = fs::read_to_string(dir.join("capture.har")).unwrap();
        assert!(
            !fixed.contains(SESSION),
            "the fixer left the cookie\n{fixed}"
        );
        assert!(fixed.contains("[REDACTED:"), "no placeholder\n{fixed}");
    } else {
        // Without the fixer, the user follows the hint the checker printed.
        assert!(
            out.contains("harscrub clean --in-place"),
            "no hint how to fix\n{out}"
        );
        let bin = assert_cmd::cargo::cargo_bin("harscrub");
        let o =
            run(Command::new(bin)
                .current_dir(dir)
                .args(["clean", "--in-place", "capture.har"]));
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    }

    // Review, stage, commit again: it goes through.
    ok(git(dir).args(["add", "capture.har"]));
    let second = commit(dir, "add capture (redacted)", env);
    assert!(
        second.status.success(),
        "the second commit should pass\n{}",
        text(&second)
    );
    let o = ok(git(dir).args(["show", "HEAD:capture.har"]));
    let committed = String::from_utf8(o.stdout).unwrap();
    assert!(
        !committed.contains(SESSION),
        "the committed file holds the cookie"
    );
    let v: serde_json::Value = serde_json::from_str(&committed).expect("committed HAR is JSON");
    let cookie = v.pointer("/log/entries/0/request/headers/1/value").unwrap();
    assert!(
        cookie
            .as_str()
            .unwrap()
            .starts_with("sessionid=[REDACTED:cookie:"),
        "{cookie}"
    );
    let o = ok(git(dir).args(["show", "--stat", "--format=", "HEAD"]));
    let stat = String::from_utf8_lossy(&o.stdout);
    assert!(
        stat.contains("capture.har") && stat.contains("notes.txt"),
        "{stat}"
    );
}

#[test]
#[ignore = "slow: installs pre-commit from PyPI and builds harscrub; .ci/run runs it"]
fn readme_hooks_block_then_fix_a_har_with_a_session_cookie() {
    let Some(pc) = pre_commit() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let snippets = readme_snippets();
    assert!(
        !snippets.is_empty(),
        "no yaml snippet in README's Pre-commit section"
    );

    // The README's first snippet: this repository as a hook repository, with both hooks.
    let main = &snippets[0];
    for id in ["harscrub", "harscrub-clean"] {
        let has = main.lines().any(|l| {
            let l = l.split('#').next().unwrap().trim();
            l.strip_prefix("- id:")
                .or_else(|| l.strip_prefix("id:"))
                .map(str::trim)
                == Some(id)
        });
        assert!(has, "README snippet lacks hook `{id}`:\n{main}");
    }
    let hooks = tmp.path().join("harscrub");
    let rev = hook_repo(&hooks);
    let config: String = main
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let indent = &l[..l.len() - t.len()];
            if t.starts_with("- repo:") {
                format!("{indent}- repo: {}", hooks.display())
            } else if t.starts_with("rev:") {
                format!("{indent}rev: {rev}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        config.contains(&rev),
        "the snippet has no `rev:` line:\n{main}"
    );

    let cargo_target = work().join("cargo-target");
    let env: Vec<(&str, String)> = vec![
        // pre-commit's cache: fresh, so the hook really is built by pre-commit.
        (
            "PRE_COMMIT_HOME",
            tmp.path().join("pre-commit-home").display().to_string(),
        ),
        // `cargo install --path` builds here: dependencies are reused between runs.
        ("CARGO_TARGET_DIR", cargo_target.display().to_string()),
        // Only to build faster; the code is the same.
        ("CARGO_PROFILE_RELEASE_LTO", "false".into()),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false".into()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".into()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1".into()),
        ("NO_COLOR", "1".into()),
    ];
    let proj = tmp.path().join("project");
    project(&proj, &config, &pc, &env);
    blocks_then_fixes(&proj, &env, true);

    // The README's other snippets (a local clone, an installed binary) parse and work
    // the same way, with harscrub on PATH for `language: system`.
    for (i, snippet) in snippets.iter().enumerate().skip(1) {
        if !snippet.contains("repo: local") {
            continue;
        }
        let bin_dir = assert_cmd::cargo::cargo_bin("harscrub")
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut env = env.clone();
        env.push(("PATH", path));
        let proj = tmp.path().join(format!("project-{i}"));
        project(&proj, snippet, &pc, &env);
        let with_fixer = snippet.contains("harscrub-clean");
        blocks_then_fixes(&proj, &env, with_fixer);
    }
}
