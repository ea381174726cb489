//! The one harness of the integration tests: every test file that runs the binary or
//! builds an archive does it through here.
//!
//! - [`cmd`]: [`Dir`], a temp workspace whose runs of the binary are isolated from the
//!   developer's environment, home and config files; [`Run`], what a run gave.
//! - [`build`]: zip, tar and gzip builders and readers, hand-written archives with
//!   hostile member names, and bombs.
//! - here: fixtures under `testdata/`, one fixture cleaned by the binary
//!   ([`clean`]), an engine for library tests ([`engine`]), and the "decoded views" of
//!   a HAR (every form in which a secret could still be readable) with leak checks.
#![allow(dead_code)]

pub mod build;
pub mod cmd;

#[allow(unused_imports)]
pub use cmd::{bin, contents, root, run, tree, write, Cmd, Dir, Run};

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use regex::Regex;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// An engine with the built-in rules, this key, default limits and the current time,
/// built through the public API.
pub fn engine(key: &str) -> harscrub::Engine {
    engine_with(key, harscrub::Limits::default())
}

/// [`engine`] with these limits.
pub fn engine_with(key: &str, limits: harscrub::Limits) -> harscrub::Engine {
    harscrub::EngineBuilder::new()
        .key(key.as_bytes())
        .now(now())
        .limits(limits)
        .build()
        .expect("the built-in engine")
}

/// Unix seconds now (what the binary uses for "expired").
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Does `hay` contain `needle` (never true for an empty needle)?
pub fn contains(hay: &[u8], needle: impl AsRef<[u8]>) -> bool {
    let n = needle.as_ref();
    !n.is_empty() && hay.windows(n.len()).any(|w| w == n)
}

pub fn testdata(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(sub)
}

/// The `*.har` files in `testdata/<sub>`, sorted.
pub fn fixtures(sub: &str) -> Vec<PathBuf> {
    let dir = testdata(sub);
    let mut found: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "har"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no fixtures in {}", dir.display());
    found
}

/// The lines of `X.<ext>` next to `X.har`, without blank lines and `#` comments.
pub fn sidecar(har: &Path, ext: &str) -> Vec<String> {
    let Ok(text) = fs::read_to_string(har.with_extension(ext)) else {
        return Vec::new();
    };
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

pub fn name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

pub fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Creates `dir` (and its parents) and returns it.
pub fn mkdir(dir: PathBuf) -> PathBuf {
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies `fixture` into `dir` (created if needed) and returns the copy's path.
pub fn stage(fixture: &Path, dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let dest = dir.join(name(fixture));
    fs::copy(fixture, &dest).unwrap();
    dest
}

/// One `harscrub clean` run on a staged copy of a fixture: `in/NAME` → `out/NAME`,
/// report in `report.json`, all in a fresh [`Dir`].
pub struct Cleaned {
    pub dir: Dir,
    pub input: PathBuf,
    pub copy: PathBuf,
    pub report: PathBuf,
    pub run: Run,
}

pub fn clean(fixture: &Path, extra: &[&str]) -> Cleaned {
    let dir = Dir::new();
    let input = dir.stage(fixture, "in");
    dir.mkdir("out");
    let mut args = vec![
        "clean",
        s(&input),
        "--out",
        "out",
        "--report",
        "report.json",
    ];
    args.extend_from_slice(extra);
    let run = dir.run(&args);
    Cleaned {
        copy: dir.join("out").join(name(fixture)),
        report: dir.join("report.json"),
        input,
        run,
        dir,
    }
}

/// Parses a HAR (or any JSON), ignoring a UTF-8 BOM.
pub fn parse(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
}

pub fn entries(har: &Value) -> &[Value] {
    har["log"]["entries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Every string in a JSON value, object keys included, decoded.
pub fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// The decoded text of every `"encoding": "base64"` response body; `Err(i)` for entry `i`
/// whose body does not decode.
pub fn base64_bodies(har: &Value) -> Vec<Result<String, usize>> {
    let mut out = Vec::new();
    for (i, e) in entries(har).iter().enumerate() {
        let content = &e["response"]["content"];
        if content["encoding"] == "base64" {
            let text = content["text"].as_str().unwrap_or("");
            out.push(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .map_err(|_| i),
            );
        }
    }
    out
}

/// `user:password` behind every `Basic <base64>` credential in the given strings.
pub fn basic_credentials(strs: &[String]) -> Vec<String> {
    let re = Regex::new(r"\bBasic ([A-Za-z0-9+/]+=*)").unwrap();
    strs.iter()
        .flat_map(|s| {
            re.captures_iter(s)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

/// The decoded claims of every JWT (`eyJ….eyJ…`) in the given strings.
pub fn jwt_payloads(strs: &[String]) -> Vec<String> {
    let re = Regex::new(r"eyJ[A-Za-z0-9_-]*\.(eyJ[A-Za-z0-9_-]*)").unwrap();
    strs.iter()
        .flat_map(|s| {
            re.captures_iter(s)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .filter_map(|b| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b)
                .ok()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Every form of a HAR file in which a secret could still be read: the raw bytes, every
/// JSON string (keys too, so `\/` and `\u0026` escapes are undone) and its percent-decoding,
/// the decoded text of base64 bodies, the claims of JWTs and the `user:password` behind
/// `Basic` credentials.
pub fn views(bytes: &[u8]) -> Vec<String> {
    let mut out = vec![String::from_utf8_lossy(bytes).into_owned()];
    if let Ok(har) = parse(bytes) {
        let mut strs = Vec::new();
        strings(&har, &mut strs);
        let decoded: Vec<String> = strs
            .iter()
            .filter(|s| s.contains('%'))
            .map(|s| percent_decode(s))
            .collect();
        out.extend(base64_bodies(&har).into_iter().flatten());
        out.extend(basic_credentials(&strs));
        out.extend(jwt_payloads(&strs));
        out.extend(decoded);
        out.extend(strs);
    }
    out
}

pub fn visible(views: &[String], needle: &str) -> bool {
    views.iter().any(|v| v.contains(needle))
}

/// Token prefixes that are public markers, not secret material.
const PUBLIC_PREFIXES: &[&str] = &["sk_live_", "ghp_", "xoxb-", "AKIA", "ASIA", "AIza"];

/// The first 8 characters of the secret part of `secret` (after a public marker such as
/// `ghp_`), for secrets of 12+ characters: no output may contain even that much.
pub fn probe(secret: &str) -> Option<&str> {
    if secret.len() < 12 {
        return None;
    }
    // A Stripe client secret `pi_<id>_secret_<random>`: the payment intent id is public
    // (it is in the URLs that reports show), the part after `_secret_` is the secret.
    if let Some((_, random)) = secret.split_once("_secret_") {
        return random.get(..8);
    }
    let rest = PUBLIC_PREFIXES
        .iter()
        .find_map(|p| secret.strip_prefix(p))
        .unwrap_or(secret);
    rest.get(..8)
}

/// Descriptions of every secret (or 8-character probe of one) that occurs in `text`.
pub fn leaks(text: &str, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for secret in secrets {
        if text.contains(secret.as_str()) {
            found.push(format!(
                "secret {}…",
                secret.chars().take(12).collect::<String>()
            ));
        } else if let Some(p) = probe(secret).filter(|p| text.contains(p)) {
            found.push(format!("8-char probe {p:?} of a secret"));
        }
    }
    found
}

/// Names and contents of the files in a directory, for "nothing was written" checks.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (name(&p).to_string(), read(&p)))
        .collect();
    files.sort();
    files
}

/// Panics with every collected failure at once (one fixture's problem should not hide
/// another's).
pub fn assert_no_failures(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{what}: {} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
