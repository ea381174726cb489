//! End-to-end tests of `harscrub clean` and `harscrub scan` on the HAR fixtures.
//!
//! * `testdata/har/X.har`: realistic exports with planted FAKE credentials. `X.secrets` lists
//!   each one as it reads once decoded (none may survive anywhere in the copy or in any
//!   output); `X.keep` lists non-secret strings that must survive unchanged.
//! * `testdata/clean/*.har`: nothing to find; the copy must be byte-identical.
//! * `testdata/malformed/*.har`: must fail (exit 2) without writing a copy.
//!
//! Fixtures are always copied into a temp dir first. After editing them, run
//! `python3 testdata/check_fixtures.py`.

mod common;

use common::*;
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

const KEY: &str = "har-fixtures-test-key";

fn keys(v: &Value) -> Vec<&String> {
    v.as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default()
}

fn header_names(message: &Value) -> Vec<&str> {
    message["headers"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .map(|h| h["name"].as_str().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default()
}

/// Structural differences between an input HAR and its copy: the number of pages and
/// entries, each entry's keys, request/response keys and header names (in order), and
/// base64 bodies that no longer decode.
fn structure_diff(input: &Value, copy: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let (ein, eout) = (entries(input), entries(copy));
    if ein.len() != eout.len() {
        return vec![format!("{} entries became {}", ein.len(), eout.len())];
    }
    if input["log"]["pages"].as_array().map(Vec::len)
        != copy["log"]["pages"].as_array().map(Vec::len)
    {
        diffs.push("number of pages changed".into());
    }
    for (i, (a, b)) in ein.iter().zip(eout).enumerate() {
        if keys(a) != keys(b) {
            diffs.push(format!(
                "entry {i}: keys {:?} became {:?}",
                keys(a),
                keys(b)
            ));
        }
        for part in ["request", "response"] {
            if keys(&a[part]) != keys(&b[part]) {
                diffs.push(format!(
                    "entry {i}: {part} keys {:?} became {:?}",
                    keys(&a[part]),
                    keys(&b[part])
                ));
            }
            if header_names(&a[part]) != header_names(&b[part]) {
                diffs.push(format!(
                    "entry {i}: {part} header names changed: {:?} became {:?}",
                    header_names(&a[part]),
                    header_names(&b[part])
                ));
            }
        }
    }
    for bad in base64_bodies(copy).into_iter().filter_map(Result::err) {
        diffs.push(format!("entry {bad}: base64 body no longer decodes"));
    }
    diffs
}

fn dirty_fixtures() -> Vec<std::path::PathBuf> {
    let all = fixtures("har");
    for f in &all {
        assert!(
            !sidecar(f, "secrets").is_empty(),
            "{} has no .secrets",
            f.display()
        );
    }
    all
}

/// Cleans every dirty fixture and hands each successful run to `check`.
fn for_each_cleaned(what: &str, check: impl Fn(&Path, &Cleaned, &mut Vec<String>)) {
    let mut failures = Vec::new();
    for fixture in dirty_fixtures() {
        let c = clean(&fixture, &[]);
        if c.run.code != Some(0) || !c.copy.exists() {
            failures.push(format!(
                "{}: clean failed or wrote no copy\n{}",
                name(&fixture),
                c.run
            ));
            continue;
        }
        check(&fixture, &c, &mut failures);
    }
    assert_no_failures(what, failures);
}

// 1. -------------------------------------------------------------------------------------

#[test]
fn clean_copies_keep_the_har_structure() {
    for_each_cleaned("structure", |fixture, c, failures| {
        let input = parse(&read(fixture)).unwrap();
        match parse(&read(&c.copy)) {
            Err(e) => failures.push(format!("{}: copy is not valid JSON: {e}", name(fixture))),
            Ok(copy) => failures.extend(
                structure_diff(&input, &copy)
                    .into_iter()
                    .map(|d| format!("{}: {d}", name(fixture))),
            ),
        }
    });
}

#[test]
fn clean_copies_contain_no_planted_secret() {
    for_each_cleaned("secrets left in copies", |fixture, c, failures| {
        let copy = read(&c.copy);
        let views = views(&copy);
        for secret in sidecar(fixture, "secrets") {
            if copy.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                failures.push(format!(
                    "{}: raw copy still contains {secret}",
                    name(fixture)
                ));
            } else if visible(&views, &secret) {
                failures.push(format!(
                    "{}: decoded copy still contains {secret}",
                    name(fixture)
                ));
            }
        }
    });
}

#[test]
fn clean_copies_keep_non_secrets() {
    for_each_cleaned("non-secrets lost", |fixture, c, failures| {
        let views = views(&read(&c.copy));
        for keep in sidecar(fixture, "keep") {
            if !visible(&views, &keep) {
                failures.push(format!("{}: copy lost {keep:?}", name(fixture)));
            }
        }
    });
}

#[test]
fn placeholders_are_well_formed() {
    let placeholder = Regex::new(r"^\[REDACTED:[^\]:\s]+:[0-9a-f]{8}\]").unwrap();
    for_each_cleaned("placeholders", |fixture, c, failures| {
        let views = views(&read(&c.copy));
        let mut seen = 0;
        for v in &views[1..] {
            for (at, _) in v.match_indices("[REDACTED") {
                seen += 1;
                if !placeholder.is_match(&v[at..]) {
                    let end = v.len().min(at + 40);
                    failures.push(format!(
                        "{}: malformed placeholder {:?}",
                        name(fixture),
                        &v[at..end]
                    ));
                }
            }
        }
        if seen == 0 {
            failures.push(format!("{}: no placeholder in the copy", name(fixture)));
        }
    });
}

// 2. -------------------------------------------------------------------------------------

#[test]
fn report_lists_findings_and_never_leaks() {
    for_each_cleaned("report", |fixture, c, failures| {
        let n = name(fixture);
        let secrets = sidecar(fixture, "secrets");
        let report_text = fs::read_to_string(&c.report).unwrap_or_default();
        for leak in leaks(&report_text, &secrets) {
            failures.push(format!("{n}: report leaks {leak}"));
        }
        for leak in leaks(&c.run.all(), &secrets) {
            failures.push(format!("{n}: stdout/stderr leak {leak}"));
        }
        let report: Value = match serde_json::from_str(&report_text) {
            Ok(r) => r,
            Err(e) => {
                return failures.push(format!("{n}: report is not JSON ({e}): {report_text:.200}"))
            }
        };
        if report["schema_version"] != 1 {
            failures.push(format!(
                "{n}: report schema_version is {}",
                report["schema_version"]
            ));
        }
        let file = report["files"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(n)));
        match file {
            None => failures.push(format!("{n}: report has no files[] entry")),
            Some(f) => {
                if f["status"] != "written" || f["findings"].as_u64().unwrap_or(0) == 0 {
                    failures.push(format!(
                        "{n}: files[] entry should be written with findings: {f}"
                    ));
                }
            }
        }
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        if findings.is_empty() {
            failures.push(format!("{n}: report has no findings"));
        }
        let input = parse(&read(fixture)).unwrap();
        let copy_views = views(&read(&c.copy));
        let hex8 = Regex::new("^[0-9a-f]{8}$").unwrap();
        for f in &findings {
            let (loc, kind, fp) = (
                f["location"].as_str().unwrap_or(""),
                f["kind"].as_str().unwrap_or(""),
                f["fingerprint"].as_str().unwrap_or(""),
            );
            if input.pointer(loc).is_none() {
                failures.push(format!(
                    "{n}: finding location {loc:?} is not a JSON pointer into the input"
                ));
            }
            if !hex8.is_match(fp) || f["rule"].as_str().is_none() || f["length"].as_u64().is_none()
            {
                failures.push(format!("{n}: incomplete finding {f}"));
            } else if !visible(&copy_views, &format!("[REDACTED:{kind}:{fp}]")) {
                failures.push(format!(
                    "{n}: no placeholder [REDACTED:{kind}:{fp}] for finding at {loc}"
                ));
            }
        }
    });
}

// 3. -------------------------------------------------------------------------------------

/// Every cookie value in a HAR, in document order: `cookies[]` objects and the pairs of
/// `Cookie` and `Set-Cookie` headers (names matched case-insensitively).
fn cookie_values(har: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries(har) {
        for part in ["request", "response"] {
            for c in e[part]["cookies"].as_array().into_iter().flatten() {
                if let Some(v) = c["value"].as_str() {
                    out.push(v.to_string());
                }
            }
            for h in e[part]["headers"].as_array().into_iter().flatten() {
                let (hname, value) = (
                    h["name"].as_str().unwrap_or(""),
                    h["value"].as_str().unwrap_or(""),
                );
                let pairs: Vec<&str> = if hname.eq_ignore_ascii_case("cookie") {
                    value.split("; ").collect()
                } else if hname.eq_ignore_ascii_case("set-cookie") {
                    value
                        .lines()
                        .map(|l| l.split(';').next().unwrap_or(""))
                        .collect()
                } else {
                    continue;
                };
                out.extend(
                    pairs
                        .iter()
                        .map(|p| p.split_once('=').map_or("", |(_, v)| v).to_string()),
                );
            }
        }
    }
    out
}

#[test]
fn same_cookie_value_gets_the_same_placeholder() {
    let fixture = testdata("har").join("cookies.har");
    let c = clean(&fixture, &[]);
    assert_eq!(c.run.code, Some(0), "{}", c.run);
    let before = cookie_values(&parse(&read(&fixture)).unwrap());
    let after = cookie_values(&parse(&read(&c.copy)).unwrap());
    assert_eq!(before.len(), after.len(), "number of cookie values changed");
    let mut by_value: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (b, a) in before.iter().zip(&after) {
        by_value.entry(b).or_default().insert(a);
    }
    let mut failures = Vec::new();
    for (original, copies) in &by_value {
        if copies.len() > 1 {
            failures.push(format!(
                "one cookie value ({} chars) became {copies:?}",
                original.len()
            ));
        }
    }
    assert!(
        after.iter().any(|v| v.contains("[REDACTED:")),
        "no cookie value was redacted"
    );
    assert!(
        by_value.values().any(|c| c.len() == 1) && before.len() > by_value.len(),
        "cookies.har should repeat cookie values (header + cookies[])"
    );
    assert_no_failures("cookie placeholders", failures);
}

/// Every OAuth `code` value: `code=` in URLs, Referer, Location and form bodies, and
/// `queryString[]` / `params[]` entries named `code`, percent-decoded.
fn oauth_codes(har: &Value) -> BTreeSet<String> {
    let re = Regex::new(r#"(?:^|[?&#])code=([^&#\s"'<>]+)"#).unwrap();
    let mut strs = Vec::new();
    strings(har, &mut strs);
    let mut codes: BTreeSet<String> = strs
        .iter()
        .flat_map(|s| {
            re.captures_iter(s)
                .map(|c| percent_decode(&c[1]))
                .collect::<Vec<_>>()
        })
        .collect();
    fn named(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let (Some("code"), Some(val)) = (
                    m.get("name").and_then(Value::as_str),
                    m.get("value").and_then(Value::as_str),
                ) {
                    out.insert(percent_decode(val));
                }
                m.values().for_each(|x| named(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| named(x, out)),
            _ => {}
        }
    }
    named(har, &mut codes);
    codes
}

#[test]
fn redirect_code_gets_the_same_placeholder_everywhere() {
    for fixture in ["urls.har", "oauth-implicit.har"] {
        let path = testdata("har").join(fixture);
        let before = oauth_codes(&parse(&read(&path)).unwrap());
        assert_eq!(
            before.len(),
            1,
            "{fixture}: fixture should carry exactly one code: {before:?}"
        );
        let c = clean(&path, &[]);
        assert_eq!(c.run.code, Some(0), "{fixture}: {}", c.run);
        let after = oauth_codes(&parse(&read(&c.copy)).unwrap());
        assert_eq!(
            after.len(),
            1,
            "{fixture}: the code became different values: {after:?}"
        );
        let placeholder = after.into_iter().next().unwrap();
        assert!(
            placeholder.starts_with("[REDACTED:"),
            "{fixture}: code not redacted: {placeholder}"
        );
    }
}

// 4. -------------------------------------------------------------------------------------

#[test]
fn clean_fixtures_come_out_byte_identical() {
    let mut failures = Vec::new();
    for fixture in fixtures("clean") {
        let n = name(&fixture);
        let c = clean(&fixture, &[]);
        if c.run.code != Some(0) {
            failures.push(format!("{n}: clean failed\n{}", c.run));
            continue;
        }
        if !c.copy.exists() || read(&c.copy) != read(&fixture) {
            failures.push(format!("{n}: copy missing or not byte-identical"));
        }
        let report = parse(&read(&c.report)).unwrap_or(Value::Null);
        if report["findings"].as_array().is_none_or(|f| !f.is_empty()) {
            failures.push(format!(
                "{n}: expected an empty findings list: {}",
                report["findings"]
            ));
        }
        let scan = run(&["scan", s(&c.input), "--format", "json"]);
        if scan.code != Some(0) {
            failures.push(format!("{n}: scan should find nothing\n{scan}"));
        }
    }
    assert_no_failures("clean fixtures", failures);
}

// 5. -------------------------------------------------------------------------------------

#[test]
fn scan_reports_findings_and_writes_nothing() {
    let mut failures = Vec::new();
    for fixture in dirty_fixtures() {
        let n = name(&fixture);
        let secrets = sidecar(&fixture, "secrets");
        let tmp = Dir::new();
        let input = stage(&fixture, tmp.path());
        let before = snapshot(tmp.path());
        for format in ["json", "text"] {
            let scan = run(&["scan", s(&input), "--format", format]);
            if scan.code != Some(1) {
                failures.push(format!("{n}: scan --format {format} should exit 1\n{scan}"));
            }
            for leak in leaks(&scan.all(), &secrets) {
                failures.push(format!("{n}: scan --format {format} leaks {leak}"));
            }
            if format == "json" {
                match serde_json::from_str::<Value>(&scan.stdout) {
                    Ok(v)
                        if v["schema_version"] == 1
                            && v["findings"].as_array().is_some_and(|f| !f.is_empty()) => {}
                    Ok(v) => failures.push(format!(
                        "{n}: scan JSON lacks schema_version/findings: {v:.300}"
                    )),
                    Err(e) => failures.push(format!("{n}: scan --format json is not JSON: {e}")),
                }
            }
        }
        if snapshot(tmp.path()) != before {
            failures.push(format!("{n}: scan changed the directory"));
        }
    }
    assert_no_failures("scan", failures);
}

// 6. -------------------------------------------------------------------------------------

#[test]
fn malformed_inputs_fail_without_a_copy() {
    let mut failures = Vec::new();
    for fixture in fixtures("malformed") {
        let n = name(&fixture);
        let secrets = sidecar(&fixture, "secrets");
        let c = clean(&fixture, &[]);
        if c.run.code != Some(2) {
            failures.push(format!("{n}: clean should exit 2\n{}", c.run));
        }
        if c.copy.exists() {
            failures.push(format!("{n}: a copy was written for a malformed input"));
        }
        if !c.run.stderr.contains(n) {
            failures.push(format!("{n}: stderr does not name the file\n{}", c.run));
        }
        let report = fs::read_to_string(&c.report).unwrap_or_default();
        for leak in leaks(&format!("{}\n{report}", c.run.all()), &secrets) {
            failures.push(format!("{n}: error output leaks {leak}"));
        }
        // Without --out: no NAME.redacted.har next to the input.
        let next_to = run(&["clean", s(&c.input)]);
        let stem = n.trim_end_matches(".har");
        if next_to.code != Some(2)
            || c.input
                .with_file_name(format!("{stem}.redacted.har"))
                .exists()
        {
            failures.push(format!(
                "{n}: clean without --out should fail and write nothing\n{next_to}"
            ));
        }
        let scan = run(&["scan", s(&c.input), "--format", "json"]);
        if scan.code != Some(2) {
            failures.push(format!("{n}: scan should exit 2\n{scan}"));
        }
    }
    assert_no_failures("malformed inputs", failures);
}

// A bad input among good ones (exit 2, the others written, no copy of it): with a
// corrupt zip and a truncated HAR in `bundles.rs` (`corrupt_inputs_do_not_stop_the_batch`).

// 7. -------------------------------------------------------------------------------------

// An existing copy is only replaced with --force, under --out and beside the input:
// `runs.rs` (`an_existing_copy_that_differs_is_kept_and_skip_existing_resumes`).

#[test]
fn inputs_are_never_modified() {
    let tmp = Dir::new();
    let dir = tmp.path().join("in");
    let all: Vec<_> = [fixtures("har"), fixtures("clean"), fixtures("malformed")].concat();
    let inputs: Vec<_> = all.iter().map(|f| stage(f, &dir)).collect();
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| read(p)).collect();
    let args: Vec<&str> = inputs.iter().map(|p| s(p)).collect();
    let out = mkdir(tmp.path().join("out"));
    run(&[&["clean"][..], &args, &["--out", s(&out)]].concat());
    run(&[&["clean"][..], &args].concat());
    run(&[&["scan"][..], &args, &["--format", "json"]].concat());
    for (p, b) in inputs.iter().zip(&before) {
        assert!(read(p) == *b, "{} was modified", p.display());
    }
    for (f, b) in all.iter().zip(&before) {
        assert!(read(f) == *b, "testdata {} was modified", f.display());
    }
}

// 9. -------------------------------------------------------------------------------------

#[test]
fn cleaning_a_copy_again_changes_nothing() {
    for_each_cleaned("idempotence", |fixture, c, failures| {
        let n = name(fixture);
        let again = mkdir(c.dir.path().join("again"));
        let r = run(&["clean", s(&c.copy), "--out", s(&again)]);
        if r.code != Some(0) || read(&again.join(n)) != read(&c.copy) {
            failures.push(format!("{n}: cleaning the copy again changed it\n{r}"));
        }
        let scan = run(&["scan", s(&c.copy), "--format", "json"]);
        if scan.code != Some(0) {
            failures.push(format!("{n}: scan of the copy should find nothing\n{scan}"));
        }
    });
}

// 10. ------------------------------------------------------------------------------------

#[test]
fn fixed_fingerprint_key_is_deterministic() {
    let mut failures = Vec::new();
    for fixture in dirty_fixtures() {
        let n = name(&fixture);
        let a = clean(&fixture, &["--fingerprint-key", KEY]);
        let b = clean(&fixture, &["--fingerprint-key", KEY]);
        let other = clean(&fixture, &["--fingerprint-key", "another-key"]);
        if [&a, &b, &other].iter().any(|c| c.run.code != Some(0)) {
            failures.push(format!(
                "{n}: clean failed\n{}\n{}\n{}",
                a.run, b.run, other.run
            ));
            continue;
        }
        if read(&a.copy) != read(&b.copy) {
            failures.push(format!("{n}: two runs with the same key differ"));
        }
        if read(&a.copy) == read(&other.copy) {
            failures.push(format!("{n}: placeholders do not depend on the key"));
        }
    }
    assert_no_failures("determinism", failures);
}

#[test]
fn same_secret_same_placeholder_across_files_of_a_run() {
    let tmp = Dir::new();
    let src = testdata("har").join("headers.har");
    let (one, two) = (tmp.path().join("one.har"), tmp.path().join("two.har"));
    fs::copy(&src, &one).unwrap();
    fs::copy(&src, &two).unwrap();
    let out = mkdir(tmp.path().join("out"));
    let r = run(&["clean", s(&one), s(&two), "--out", s(&out)]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        read(&out.join("one.har")) == read(&out.join("two.har")),
        "identical inputs gave different copies"
    );
}
