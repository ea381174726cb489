//! `scan` reports exactly the findings `clean` redacts (issue #13), in every output
//! format, on the real corpus (`../shared/corpus/real-har/`, HAR files and the other
//! support formats). A copy of a cookie value in a URL or a response header is a
//! finding of both or of neither.
//!
//! Skipped (with a message) when the corpus is absent.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Dir;
use serde_json::Value;

const KEY: &str = "scan-agrees-key";

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real-har");
    p.is_dir().then_some(p)
}

/// A multiset, printable when two differ.
fn counted<I: IntoIterator<Item = String>>(it: I) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for k in it {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn assert_same(what: &str, a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) {
    if a == b {
        return;
    }
    let only = |x: &BTreeMap<String, usize>, y: &BTreeMap<String, usize>| {
        x.iter()
            .filter(|(k, n)| y.get(*k) != Some(n))
            .take(5)
            .map(|(k, n)| format!("  {n}× {k}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "{what}: scan and clean disagree\nonly (or more often) in scan:\n{}\nonly (or more often) in clean:\n{}",
        only(a, b),
        only(b, a)
    );
}

/// One finding as the text output shows it: `FILE:LOCATION  KIND  RULE  …  [FP] len=N`.
fn text_key(f: &Value) -> String {
    format!(
        "{}:{} {} {} [{}] len={}",
        f["file"].as_str().unwrap(),
        f["location"].as_str().unwrap(),
        f["kind"].as_str().unwrap(),
        f["rule"].as_str().unwrap(),
        f["fingerprint"].as_str().unwrap(),
        f["length"]
    )
}

fn parse_text_line(line: &str) -> Option<String> {
    let cols: Vec<&str> = line.split("  ").map(str::trim).collect();
    // FILE:LOCATION, KIND, RULE, [NAME,] [FP] len=N[, in METHOD URL]
    let fp = cols
        .iter()
        .find(|c| c.starts_with('[') && c.contains("] len="))?;
    Some(format!("{} {} {} {}", cols[0], cols[1], cols[2], fp))
}

#[test]
fn scan_reports_what_clean_redacts_in_every_format() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED: ../shared/corpus/real-har not found");
        return;
    };
    let dir = dir.to_str().unwrap();
    let tmp = Dir::new();
    let harscrub = |args: &[&str]| tmp.cmd(args).env("NO_COLOR", "1").run();
    let out = tmp.path().join("out");
    let report = tmp.path().join("clean.json");
    let (out_s, report_s) = (out.to_str().unwrap(), report.to_str().unwrap());
    // Some files of the corpus fail on purpose (malformed, a corrupt gzip body): both
    // commands exit 2 for them and still report every other file.
    let c = harscrub(&[
        "clean",
        dir,
        "--out",
        out_s,
        "--report",
        report_s,
        "--fingerprint-key",
        KEY,
        "-q",
    ]);
    assert!(report.exists(), "clean wrote no report: {c}");
    let clean: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let clean_findings = clean["findings"].as_array().unwrap();
    assert!(
        clean_findings.len() > 1000,
        "the corpus should give many findings, got {}",
        clean_findings.len()
    );
    // The corpus has copies of cookie values elsewhere (URLs, response headers): the
    // findings `scan` used to miss.
    assert!(
        clean_findings
            .iter()
            .any(|f| f["rule"] == "context.propagated"),
        "expected propagated findings in the corpus"
    );

    // JSON: the same findings, field for field. A scan writes no verified copy, so a
    // name or URL that may hold a trace of a context-found secret is left out of its
    // findings; every name and URL it does show is the one `clean` shows.
    let s = harscrub(&["scan", dir, "--format", "json", "--fingerprint-key", KEY]);
    let scan: Value = serde_json::from_str(&s.stdout).unwrap();
    let as_json = |v: &Value, strip: bool| {
        counted(v["findings"].as_array().unwrap().iter().map(|f| {
            let mut f = f.clone();
            if strip {
                let o = f.as_object_mut().unwrap();
                o.remove("name");
                o.remove("url");
            }
            f.to_string()
        }))
    };
    assert_same(
        "json findings (without names and URLs)",
        &as_json(&scan, true),
        &as_json(&clean, true),
    );
    let annotated = |v: &Value, field: &str| {
        counted(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f.get(field).is_some())
                .map(|f| format!("{} {} {}", f["file"], f["location"], f[field])),
        )
    };
    for field in ["name", "url"] {
        let (a, b) = (annotated(&scan, field), annotated(&clean, field));
        for (k, n) in &a {
            assert!(
                b.get(k).is_some_and(|m| m >= n),
                "scan shows a {field} clean does not: {k}"
            );
        }
    }
    for k in [
        "findings",
        "distinct_secrets",
        "by_kind",
        "live",
        "expired",
        "files_failed",
    ] {
        assert_eq!(scan["summary"][k], clean["summary"][k], "summary.{k}");
    }
    let failed = |v: &Value| {
        let mut f: Vec<String> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "failed")
            .map(|f| f["path"].to_string())
            .collect();
        f.sort();
        f
    };
    assert_eq!(failed(&scan), failed(&clean), "the same files fail");

    // SARIF: one result per finding, with the same location, rule and fingerprint.
    let s = harscrub(&["scan", dir, "--format", "sarif", "--fingerprint-key", KEY]);
    let sarif: Value = serde_json::from_str(&s.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let from_sarif = counted(results.iter().map(|r| {
        let p = &r["properties"];
        let mut f = p.clone();
        f["rule"] = r["ruleId"].clone();
        text_key(&f)
    }));
    let from_clean = counted(clean_findings.iter().map(text_key));
    assert_same("sarif results", &from_sarif, &from_clean);

    // Text: one line per finding.
    let s = harscrub(&["scan", dir, "--fingerprint-key", KEY]);
    let text = s.stdout;
    let from_text = counted(text.lines().filter_map(parse_text_line));
    assert_same("text lines", &from_text, &from_clean);
}
