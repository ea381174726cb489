//! harscrub in the browser and in Node: `cleanBytes` and `scanBytes` over one file held
//! in memory, with the same engine (rules, verification, placeholders) as the CLI.
//!
//! Nothing here reads a clock, a file or a random generator: the caller passes the
//! fingerprint key (the page draws one per load from Web Crypto) and the time used to
//! tell expired JWTs and cookies from live ones.

use std::collections::{BTreeMap, HashMap, HashSet};

use harscrub::Finding;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Bumped with the CLI's report schema (`schema/report.schema.json`).
const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FileReport<'a> {
    path: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a str>,
    findings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize, Default)]
struct Summary {
    files: usize,
    files_written: usize,
    files_unchanged: usize,
    files_skipped: usize,
    files_failed: usize,
    findings: usize,
    distinct_secrets: usize,
    by_kind: BTreeMap<String, usize>,
    live: usize,
    expired: usize,
    jwt_live: usize,
    jwt_expired: usize,
}

/// The report of the CLI (`--report`), for one file.
#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    command: &'static str,
    files: Vec<FileReport<'a>>,
    findings: &'a [Finding],
    summary: Summary,
}

fn summary(findings: &[Finding], failed: bool, scanned: bool) -> Summary {
    let mut s = Summary {
        files: 1,
        files_written: usize::from(!failed && !scanned),
        files_failed: usize::from(failed),
        findings: findings.len(),
        ..Summary::default()
    };
    let mut distinct: HashMap<&str, HashSet<&str>> = HashMap::new();
    for f in findings {
        *s.by_kind.entry(f.kind.clone()).or_default() += 1;
        if f.is_expired() {
            s.expired += 1;
        } else {
            s.live += 1;
        }
        if let Some(j) = &f.jwt {
            if j.expired == Some(true) {
                s.jwt_expired += 1;
            } else {
                s.jwt_live += 1;
            }
        }
        distinct.entry(&f.kind).or_default().insert(&f.fingerprint);
    }
    s.distinct_secrets = distinct.values().map(HashSet::len).sum();
    s
}

fn report_json(
    command: &'static str,
    name: &str,
    findings: &[Finding],
    error: Option<String>,
) -> String {
    let failed = error.is_some();
    let scanned = command == "scan";
    let status = match (failed, scanned) {
        (true, _) => "failed",
        (false, true) => "scanned",
        (false, false) => "written",
    };
    let r = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "harscrub",
            version: env!("CARGO_PKG_VERSION"),
        },
        command,
        files: vec![FileReport {
            path: name,
            status,
            output: (!failed && !scanned).then_some(name),
            findings: findings.len(),
            error,
        }],
        findings,
        summary: summary(findings, failed, scanned),
    };
    serde_json::to_string_pretty(&r).unwrap_or_default()
}

fn engine(key: &str, now: f64) -> Result<harscrub::Engine, harscrub::Error> {
    harscrub::EngineBuilder::new()
        .key(key.as_bytes())
        .now(now as i64)
        .build()
}

/// `Limit`, `Malformed`, `Unsupported`, `Verification` or `Io`: what a caller can
/// branch on without parsing the message.
fn error_kind(e: &harscrub::Error) -> &'static str {
    match e {
        harscrub::Error::Limit(..) => "limit",
        harscrub::Error::Malformed(..) => "malformed",
        harscrub::Error::Unsupported(..) => "unsupported",
        harscrub::Error::Verification(..) => "verification",
        _ => "io",
    }
}

fn set(o: &js_sys::Object, k: &str, v: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
}

fn result(
    command: &'static str,
    name: &str,
    copy: Option<Vec<u8>>,
    findings: &[Finding],
    error: Option<(String, &'static str)>,
) -> JsValue {
    let o = js_sys::Object::new();
    if let Some(c) = copy {
        set(&o, "copy", &js_sys::Uint8Array::from(c.as_slice()).into());
    }
    set(
        &o,
        "findings",
        &JsValue::from_str(&serde_json::to_string(findings).unwrap_or_default()),
    );
    if let Some((msg, kind)) = &error {
        set(&o, "error", &JsValue::from_str(msg));
        set(&o, "errorKind", &JsValue::from_str(kind));
    }
    let report = report_json(command, name, findings, error.map(|e| e.0));
    set(&o, "report", &JsValue::from_str(&report));
    o.into()
}

fn now_or(now: Option<f64>) -> f64 {
    now.unwrap_or_else(|| js_sys::Date::now() / 1000.0)
}

fn failed(command: &'static str, name: &str, e: &harscrub::Error) -> JsValue {
    result(
        command,
        name,
        None,
        &[],
        Some((e.to_string(), error_kind(e))),
    )
}

/// Clean one file: `{ copy: Uint8Array, report: string, findings: string }`, or
/// `{ error, errorKind, report }` (no copy) when the file cannot be cleaned.
///
/// `name` is the file name (it helps recognise the kind and names the file in the
/// report), `key` the fingerprint key (the same string as the CLI's
/// `--fingerprint-key` gives the same placeholders), `now` the time in unix seconds
/// used to tell expired credentials (default: the current time).
#[wasm_bindgen(js_name = cleanBytes)]
pub fn clean_bytes(name: &str, bytes: &[u8], key: &str, now: Option<f64>) -> JsValue {
    match engine(key, now_or(now)).and_then(|e| harscrub::clean_bytes(&e, name, bytes)) {
        Ok(c) => result("clean", name, Some(c.copy), &c.findings, None),
        Err(e) => failed("clean", name, &e),
    }
}

/// Scan one file: `{ report, findings }`, or `{ error, errorKind, report }`.
#[wasm_bindgen(js_name = scanBytes)]
pub fn scan_bytes(name: &str, bytes: &[u8], key: &str, now: Option<f64>) -> JsValue {
    match engine(key, now_or(now)).and_then(|e| harscrub::scan_bytes(&e, name, bytes)) {
        Ok(f) => result("scan", name, None, &f, None),
        Err(e) => failed("scan", name, &e),
    }
}

/// The version of the engine.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
