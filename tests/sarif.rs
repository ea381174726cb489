//! Machine-readable output, checked against its schemas with real runs of the binary:
//! `scan --format sarif` against the official SARIF 2.1.0 schema and what GitHub code
//! scanning needs, `scan --format json` / `--report` against `schema/report.schema.json`.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{fixtures, leaks, run, s, sidecar, testdata, Dir, Run};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_json(p: &Path) -> Value {
    let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
}

/// The `language` pattern of the published SARIF 2.1.0 schema has a stray `]` that
/// strict ECMA-262 regex checks reject, and the validator checks every schema it
/// compiles; it is corrected in memory to what it evidently means (harscrub never
/// writes `language`). The vendored file stays byte-for-byte as published.
const SARIF_LANGUAGE_PATTERN: (&str, &str) = (
    "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
    "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
);

fn fix_patterns(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "pattern" && x == SARIF_LANGUAGE_PATTERN.0 {
                    *x = Value::from(SARIF_LANGUAGE_PATTERN.1);
                } else {
                    fix_patterns(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(fix_patterns),
        _ => {}
    }
}

fn validator(name: &str) -> jsonschema::Validator {
    let mut schema = load_json(&root().join("schema").join(name));
    if name.starts_with("sarif") {
        fix_patterns(&mut schema);
    }
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{name} is not a valid JSON Schema: {e}");
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("compiling the schema: {e}"))
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(20)
        .map(|e| format!("{} (at {})", e, e.instance_path()))
        .collect()
}

/// Every secret planted in the fixtures used here.
fn all_secrets() -> Vec<String> {
    let mut v = Vec::new();
    for f in fixtures("har").into_iter().chain(fixtures("malformed")) {
        v.extend(sidecar(&f, "secrets"));
    }
    v.extend(sidecar(&testdata("bundle/support-bundle.har"), "secrets"));
    v
}

/// Inputs with every kind of location: HAR pointers, text line:col, archive members,
/// a directory, and a file that fails. Relative paths, as a CI job would pass them.
fn mixed_inputs() -> Vec<String> {
    let mut v: Vec<String> = fixtures("har").iter().map(|p| rel(p)).collect::<Vec<_>>();
    v.push("testdata/bundle/support-bundle.zip".into());
    v.push("testdata/bundle/support-bundle".into());
    v.push("testdata/malformed/truncated.har".into());
    v.push("testdata/clean/public-api.har".into());
    v
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

fn scan(format: &str, inputs: &[String], extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--format", format];
    args.extend(inputs.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(
        r.code,
        Some(2),
        "a failing input should make scan exit 2\n{r}"
    );
    r
}

fn sarif_of(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("SARIF is not JSON: {e}\n{r}"))
}

// --- SARIF ----------------------------------------------------------------------------

#[test]
fn sarif_validates_against_the_official_schema() {
    let v = validator("sarif-schema-2.1.0.json");
    let r = scan("sarif", &mixed_inputs(), &[]);
    let doc = sarif_of(&r);
    let errors = schema_errors(&v, &doc);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    assert!(
        !doc["runs"][0]["results"].as_array().unwrap().is_empty(),
        "no results"
    );
    // Also a clean run (no results, no rules).
    let clean = run(&["scan", "--format", "sarif", "testdata/clean"]);
    assert_eq!(clean.code, Some(0), "{clean}");
    let doc = sarif_of(&clean);
    let errors = schema_errors(&v, &doc);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    assert_eq!(doc["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let r = scan("sarif", &mixed_inputs(), &[]);
    let doc = sarif_of(&r);
    let mut failures = Vec::new();
    let mut fail = |m: String| failures.push(m);
    if doc["version"] != "2.1.0" {
        fail(format!("version {}", doc["version"]));
    }
    if !doc["$schema"].as_str().is_some_and(|s| s.contains("sarif")) {
        fail("no $schema".into());
    }
    let runs = doc["runs"].as_array().unwrap();
    if runs.len() != 1 {
        fail(format!("{} runs", runs.len()));
    }
    let run0 = &runs[0];
    let driver = &run0["tool"]["driver"];
    if driver["name"] != "harscrub" || !driver["version"].is_string() {
        fail(format!("driver {driver}"));
    }
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        fail("duplicate rule ids".into());
    }
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for field in ["shortDescription", "fullDescription", "help"] {
            if rule[field]["text"].as_str().is_none_or(str::is_empty) {
                fail(format!("rule {id}: no {field}.text"));
            }
        }
        if rule["shortDescription"]["text"]
            .as_str()
            .unwrap_or("")
            .len()
            > 1024
        {
            fail(format!("rule {id}: shortDescription over 1024 characters"));
        }
        let sev = rule["properties"]["security-severity"]
            .as_str()
            .unwrap_or("");
        if !sev.parse::<f64>().is_ok_and(|x| (0.0..=10.0).contains(&x)) {
            fail(format!("rule {id}: security-severity {sev:?}"));
        }
        let tags = &rule["properties"]["tags"];
        if !tags
            .as_array()
            .is_some_and(|t| t.contains(&Value::from("security")))
        {
            fail(format!("rule {id}: no security tag"));
        }
    }
    // Context rules are described too, not just catalogue rules.
    for id in ["context.cookie", "context.authorization"] {
        match rules.iter().find(|r| r["id"] == id) {
            Some(r) if !r["fullDescription"]["text"].as_str().unwrap().contains(id) => {}
            Some(r) => fail(format!("{id}: description names the id only: {r}")),
            None => fail(format!("{id}: no rule metadata")),
        }
    }
    let results = run0["results"].as_array().unwrap();
    let mut kinds_of_location = HashSet::new();
    for (i, res) in results.iter().enumerate() {
        let rid = res["ruleId"].as_str().unwrap_or("");
        let idx = res["ruleIndex"].as_u64().map(|x| x as usize);
        if idx.and_then(|i| ids.get(i)) != Some(&rid) {
            fail(format!("result {i}: ruleIndex {idx:?} does not name {rid}"));
        }
        if res["message"]["text"].as_str().is_none_or(str::is_empty) {
            fail(format!("result {i}: no message"));
        }
        if !matches!(res["level"].as_str(), Some("error" | "warning" | "note")) {
            fail(format!("result {i}: level {}", res["level"]));
        }
        let pf = res["partialFingerprints"].as_object();
        if !pf.is_some_and(|m| {
            m.values()
                .all(|v| v.as_str().is_some_and(|s| s.len() >= 16))
                && !m.is_empty()
        }) {
            fail(format!(
                "result {i}: partialFingerprints {}",
                res["partialFingerprints"]
            ));
        }
        let locs = res["locations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if locs.len() != 1 {
            fail(format!("result {i}: {} locations", locs.len()));
            continue;
        }
        let phys = &locs[0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap_or("");
        if uri.is_empty() || uri.starts_with('/') || uri.contains("://") || uri.starts_with("./") {
            fail(format!(
                "result {i}: uri {uri:?} is not relative to the checkout"
            ));
        }
        if phys["artifactLocation"]["uriBaseId"] != "%SRCROOT%" {
            fail(format!("result {i}: no uriBaseId"));
        }
        if phys["region"]["startLine"].as_u64().is_none_or(|l| l < 1) {
            fail(format!("result {i}: no region.startLine"));
        }
        let location = res["properties"]["location"].as_str().unwrap_or("");
        let file = res["properties"]["file"].as_str().unwrap_or("");
        if location.starts_with('/') {
            kinds_of_location.insert("pointer");
            let fqn: Vec<&str> = locs[0]["logicalLocations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l["fullyQualifiedName"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            if !fqn.contains(&location) {
                fail(format!(
                    "result {i}: no logical location with the pointer {location}"
                ));
            }
        } else {
            kinds_of_location.insert("line:col");
        }
        if file.contains("!/") {
            kinds_of_location.insert("member");
            if !uri.ends_with(".zip") {
                fail(format!(
                    "result {i}: member {file} should be located in its archive, got {uri}"
                ));
            }
        }
    }
    for k in ["pointer", "line:col", "member"] {
        if !kinds_of_location.contains(k) {
            fail(format!(
                "no result with a {k} location: inputs do not cover it"
            ));
        }
    }
    let inv = &run0["invocations"][0];
    if inv["executionSuccessful"] != false {
        fail("a failed input should make executionSuccessful false".into());
    }
    let notes = inv["toolExecutionNotifications"].as_array().map(Vec::len);
    if notes != Some(1) {
        fail(format!("one failed input, {notes:?} notifications"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sarif_holds_no_secret() {
    let r = scan("sarif", &mixed_inputs(), &[]);
    let found = leaks(&r.all(), &all_secrets());
    assert!(found.is_empty(), "SARIF output leaks: {found:?}");
    assert!(
        !r.stdout.contains("snippet") && !r.stdout.contains("contextRegion"),
        "SARIF must not quote file content"
    );
}

/// UTF-16 column → byte offset within a line.
fn byte_offset(line: &str, col16: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units == col16 - 1 {
            return Some(i);
        }
        units += c.len_utf16();
    }
    (units == col16 - 1).then_some(line.len())
}

#[test]
fn sarif_regions_point_at_the_values() {
    let inputs: Vec<String> = fixtures("har").iter().map(|p| rel(p)).collect();
    let r = run(&[
        &["scan", "--format", "sarif"][..],
        &inputs.iter().map(String::as_str).collect::<Vec<_>>(),
    ]
    .concat());
    assert_eq!(r.code, Some(1), "{r}");
    let doc = sarif_of(&r);
    let mut docs: HashMap<String, (String, Value)> = HashMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for res in doc["runs"][0]["results"].as_array().unwrap() {
        let file = res["properties"]["file"].as_str().unwrap().to_string();
        let pointer = res["properties"]["location"].as_str().unwrap();
        let region = &res["locations"][0]["physicalLocation"]["region"];
        let (line, col) = (
            region["startLine"].as_u64().unwrap() as usize,
            region["startColumn"].as_u64().unwrap_or(0) as usize,
        );
        let (text, value) = docs.entry(file.clone()).or_insert_with(|| {
            let text = fs::read_to_string(root().join(&file)).unwrap();
            let v = common::parse(text.as_bytes()).unwrap();
            (text, v)
        });
        let Some(expected) = value.pointer(pointer) else {
            failures.push(format!("{file}: {pointer} does not resolve"));
            continue;
        };
        let mut l = text.split('\n').nth(line - 1).unwrap_or("");
        if line == 1 {
            l = l.trim_start_matches('\u{FEFF}');
        }
        let Some(at) = (col >= 1).then(|| byte_offset(l, col)).flatten() else {
            failures.push(format!("{file}: {pointer}: no column {col} on line {line}"));
            continue;
        };
        // The text from (line, column) on starts with the value the pointer names.
        let start = text
            .split('\n')
            .take(line - 1)
            .map(|x| x.len() + 1)
            .sum::<usize>()
            + at
            + if line == 1 {
                text.len() - text.trim_start_matches('\u{FEFF}').len()
            } else {
                0
            };
        let rest = &text[start..];
        let got = serde_json::Deserializer::from_str(rest)
            .into_iter::<Value>()
            .next();
        match got {
            Some(Ok(v)) if &v == expected => checked += 1,
            other => failures.push(format!(
                "{file}: {pointer}: region {line}:{col} holds {:?}",
                other.map(|x| x.map(|v| v.to_string().chars().take(60).collect::<String>()))
            )),
        }
    }
    assert!(checked > 50, "only {checked} regions checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let inputs = [
        "testdata/har/headers.har".to_string(),
        "testdata/bundle/support-bundle".to_string(),
    ];
    let fps = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["scan", "--format", "sarif"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend_from_slice(extra);
        let r = run(&args);
        assert_eq!(r.code, Some(1), "{r}");
        sarif_of(&r)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["partialFingerprints"].clone())
            .collect()
    };
    // Random keys: the secret's fingerprint is left out, the rest is stable.
    assert_eq!(fps(&[]), fps(&[]));
    let a = fps(&["--fingerprint-key", "k1"]);
    assert_eq!(a, fps(&["--fingerprint-key", "k1"]));
    assert_ne!(a, fps(&["--fingerprint-key", "k2"]));
    let distinct: HashSet<String> = a.iter().map(|v| v.to_string()).collect();
    assert_eq!(distinct.len(), a.len(), "two results share a fingerprint");
}

// --- JSON report ------------------------------------------------------------------------

#[test]
fn json_report_matches_its_schema() {
    let v = validator("report.schema.json");
    let mut failures = Vec::new();
    // scan --format json, with every kind of input and a failure.
    let r = scan("json", &mixed_inputs(), &[]);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    for e in schema_errors(&v, &doc) {
        failures.push(format!("scan: {e}"));
    }
    let findings = doc["findings"].as_array().unwrap();
    if !findings.iter().any(|f| f["jwt"].is_object()) {
        failures.push("no JWT finding: the jwt object went unchecked".into());
    }
    if !findings.iter().any(|f| f["cookie_expires"].is_i64()) {
        failures.push("no cookie expiry: cookie_expires went unchecked".into());
    }
    // clean --report, into a temporary directory.
    let tmp = Dir::new();
    let report: PathBuf = tmp.path().join("report.json");
    let out = tmp.path().join("out");
    let mut args = vec!["clean", "--out", s(&out), "--report", s(&report)];
    let inputs = mixed_inputs();
    args.extend(inputs.iter().map(String::as_str));
    let c = run(&args);
    if c.code != Some(2) {
        failures.push(format!("clean should exit 2 (one input fails)\n{c}"));
    }
    let doc = load_json(&report);
    for e in schema_errors(&v, &doc) {
        failures.push(format!("clean --report: {e}"));
    }
    if !doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "written")
    {
        failures.push("clean report has no written file".into());
    }
    // The example in the README is a valid report too.
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## The report")
        .nth(1)
        .expect("README has 'The report'");
    let block = section
        .split("```json")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README's report section has a json block");
    let example: Value = serde_json::from_str(block).expect("README example is JSON");
    for e in schema_errors(&v, &example) {
        failures.push(format!("README example: {e}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_schema_rejects_drift() {
    // The schema is strict: a field it does not describe is an error, so the report
    // cannot change without the schema (and its documentation) changing too.
    let v = validator("report.schema.json");
    let r = run(&["scan", "--format", "json", "testdata/har/headers.har"]);
    let mut doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.is_valid(&doc));
    doc["findings"][0]["secret"] = Value::from("x");
    assert!(!v.is_valid(&doc), "an undocumented finding field must fail");
    doc["findings"][0].as_object_mut().unwrap().remove("secret");
    doc["schema_version"] = Value::from(2);
    assert!(!v.is_valid(&doc), "another schema_version must fail");
}
