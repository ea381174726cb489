//! SARIF 2.1.0 output (`scan --format sarif`), shaped for GitHub code scanning.
//!
//! * One run; `tool.driver.rules` describes every rule that has a result: pattern rules
//!   from the catalogue, built-in `context.*` rules from [`super::CONTEXT_RULES`].
//! * Each result has one location: the file on disk as a relative URI (under
//!   `%SRCROOT%`, the current directory) with a region (GitHub requires `startLine`),
//!   and a logical location holding the JSON Pointer, or the archive member, the
//!   finding is in. JSON Pointers are resolved to a line and column by reading the file
//!   again ([`super::position`]); text findings carry their own line.
//! * `partialFingerprints["harscrub/v1"]` identifies a result across runs: a hash of
//!   rule, file, location and kind, plus the secret's fingerprint when the fingerprint
//!   key is fixed (with a random key it changes every run and is left out).
//! * Like the JSON report, it holds no secret and no part of one: no snippets, no
//!   context lines; only kinds, keyed fingerprints, lengths and JWT claims that are not
//!   secret.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::position::{self, Position};
use super::{context_rule, FileReport, Report, Status};
use crate::finding::Finding;
use crate::rules::{Rule, RuleSet};

/// The SARIF version written, and its schema.
pub const SARIF_VERSION: &str = "2.1.0";
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `security-severity` of every rule (GitHub maps 7.0–8.9 to "high"): a credential in a
/// file about to be shared or committed.
const SECURITY_SEVERITY: &str = "8.0";

/// Characters escaped in a relative URI path (besides controls and non-ASCII).
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// How to write the SARIF log.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions {
    /// The fingerprint key was given (`--fingerprint-key`): secret fingerprints are
    /// stable across runs and can go into `partialFingerprints`.
    pub stable_key: bool,
    /// Directory relative URIs are resolved against (`%SRCROOT%`), normally the current
    /// directory; absolute input paths under it become relative.
    pub base_dir: Option<PathBuf>,
    /// Resolve JSON Pointers and byte columns by reading the inputs again.
    pub read_files: bool,
}

/// Write `report` as a SARIF 2.1.0 log. SARIF results are built as one document, so
/// unlike the JSON report this holds every finding in memory.
pub fn write_sarif<W: Write>(
    report: &mut Report,
    rules: &RuleSet,
    opts: &SarifOptions,
    w: W,
) -> std::io::Result<()> {
    let mut findings = Vec::with_capacity(report.findings.len());
    report.findings.for_each(|f| {
        findings.push(f.clone());
        Ok(())
    })?;
    let doc = to_sarif(report, &findings, rules, opts);
    let mut w = std::io::BufWriter::new(w);
    serde_json::to_writer_pretty(&mut w, &doc)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Where a finding is: the file on disk, the archive member inside it (if any), and the
/// location inside the document.
struct Place<'a> {
    /// The input on disk (a `files[].path` of the report).
    outer: &'a str,
    /// `case/app.log` for `bundle.zip!/case/app.log` (nested: `a.zip!/b.log`).
    member: Option<&'a str>,
}

/// Split `bundle.zip!/case/app.log` at the input it came from: the longest path of the
/// report's files that is the finding's file or is followed by `!/`.
fn place<'a>(file: &'a str, inputs: &[&'a str]) -> Place<'a> {
    let mut best: Option<&str> = None;
    for &p in inputs {
        let fits = file == p || (file.starts_with(p) && file[p.len()..].starts_with("!/"));
        if fits && best.is_none_or(|b| p.len() > b.len()) {
            best = Some(p);
        }
    }
    match best {
        Some(p) if file.len() > p.len() => Place {
            outer: &file[..p.len()],
            member: Some(&file[p.len() + 2..]),
        },
        Some(p) => Place {
            outer: &file[..p.len()],
            member: None,
        },
        None => match file.split_once("!/") {
            Some((o, m)) => Place {
                outer: o,
                member: Some(m),
            },
            None => Place {
                outer: file,
                member: None,
            },
        },
    }
}

/// The artifact URI of an input path, and whether it is relative to `%SRCROOT%`.
pub fn artifact_uri(path: &str, base: Option<&Path>) -> (String, bool) {
    let p = Path::new(path);
    if p.is_absolute() {
        if let Some(rel) = base.and_then(|b| p.strip_prefix(b).ok()) {
            let rel = rel.to_string_lossy();
            if !rel.is_empty() {
                return (encode_path(&rel), true);
            }
        }
        let s = path.replace(std::path::MAIN_SEPARATOR, "/");
        let s = if s.starts_with('/') {
            s
        } else {
            format!("/{}", s)
        };
        return (format!("file://{}", encode_path(&s)), false);
    }
    let mut s = path;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    let s = if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    };
    (encode_path(&s), true)
}

fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH_ESCAPES).to_string()
}

/// `github.pat-classic` → `GithubPatClassic` (SARIF's `name`: an identifier that is
/// not the id).
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule_descriptor(id: &str, catalogue: Option<&Rule>) -> Value {
    let (short, full, kind, help_uri) = match (catalogue, context_rule(id)) {
        (Some(r), _) => (
            r.description.clone(),
            format!(
                "{} (kind `{}`), found by its format: rule `{}` of the `{}` group.",
                r.description, r.kind, r.id, r.group
            ),
            Some(r.kind.as_str()),
            r.references
                .iter()
                .find(|u| u.starts_with("https://") || u.starts_with("http://"))
                .cloned(),
        ),
        (None, Some((name, desc))) => (
            name.to_string(),
            format!(
                "{} Found by where the value sits, whatever its shape.",
                desc
            ),
            None,
            None,
        ),
        (None, None) => (
            format!("Credential ({})", id),
            format!("A credential found by rule `{}`.", id),
            None,
            None,
        ),
    };
    let help_text = format!(
        "{}\n\nRemove it before the file is committed or shared: `harscrub clean --in-place FILE` \
         rewrites the file with the credential replaced by a placeholder \
         ([REDACTED:<kind>:<fingerprint>]); `harscrub clean FILE` writes a redacted copy \
         beside it. If the file was already shared or pushed, revoke or rotate the credential.",
        full
    );
    let help_md = format!(
        "{}\n\nRemove it before the file is committed or shared:\n\n\
         * `harscrub clean --in-place FILE` rewrites the file, the credential replaced by a \
         placeholder (`[REDACTED:<kind>:<fingerprint>]`);\n\
         * `harscrub clean FILE` writes a redacted copy beside it.\n\n\
         If the file was already shared or pushed, revoke or rotate the credential.",
        full
    );
    let mut tags = vec![
        Value::from("security"),
        Value::from("secret"),
        Value::from("credential"),
    ];
    if let Some(k) = kind.filter(|k| !tags.iter().any(|t| t == k)) {
        tags.push(Value::from(k));
    }
    let mut d = json!({
        "id": id,
        "name": pascal(id),
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": SECURITY_SEVERITY,
        },
    });
    if let Some(u) = help_uri {
        d["helpUri"] = Value::from(u);
    }
    d
}

/// Positions of the findings of one input file, keyed by location string.
fn resolve_positions(path: &Path, findings: &[&Finding]) -> HashMap<String, Position> {
    let mut pointers = Vec::new();
    let mut text = Vec::new();
    for f in findings {
        if let Some(lc) = position::parse_line_col(&f.location) {
            text.push(lc);
        } else if f.location.is_empty() || f.location.starts_with('/') {
            pointers.push(f.location.clone());
        }
    }
    pointers.sort();
    pointers.dedup();
    let mut out = HashMap::new();
    if !pointers.is_empty() {
        if let Ok(file) = File::open(path) {
            for (k, v) in position::json_positions(BufReader::new(file), &pointers) {
                out.insert(k, v);
            }
        }
    }
    if !text.is_empty() {
        if let Ok(file) = File::open(path) {
            for ((l, c), v) in position::text_positions(BufReader::new(file), &text) {
                out.insert(format!("{}:{}", l, c), v);
            }
        }
    }
    out
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{:02x}", b))
        .collect()
}

/// Build the SARIF log of a report.
pub fn to_sarif(
    report: &Report,
    findings: &[Finding],
    rules: &RuleSet,
    opts: &SarifOptions,
) -> Value {
    let base = opts.base_dir.as_deref();
    let catalogue: HashMap<&str, &Rule> =
        rules.rules().iter().map(|r| (r.id.as_str(), r)).collect();

    // Rules with results, sorted by id; results refer to them by index.
    let ids: Vec<&str> = {
        let mut v: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let rule_index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let descriptors: Vec<Value> = ids
        .iter()
        .map(|id| rule_descriptor(id, catalogue.get(id).copied()))
        .collect();

    // Findings grouped by the input they came from.
    let inputs: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    let places: Vec<Place> = findings.iter().map(|f| place(&f.file, &inputs)).collect();
    let mut by_outer: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for (f, p) in findings.iter().zip(&places) {
        if p.member.is_none() {
            by_outer.entry(p.outer).or_default().push(f);
        }
    }
    let positions: HashMap<&str, HashMap<String, Position>> = if opts.read_files {
        by_outer
            .iter()
            .filter(|(outer, _)| **outer != "-")
            .map(|(outer, fs)| (*outer, resolve_positions(Path::new(outer), fs)))
            .collect()
    } else {
        HashMap::new()
    };

    let mut results = Vec::with_capacity(findings.len());
    for (f, p) in findings.iter().zip(&places) {
        let (uri, relative) = artifact_uri(p.outer, base);
        let mut artifact = json!({ "uri": uri });
        if relative {
            artifact["uriBaseId"] = Value::from("%SRCROOT%");
        }
        let is_pointer = f.location.is_empty() || f.location.starts_with('/');
        let line_col = position::parse_line_col(&f.location);
        let region = match p.member {
            // Inside an archive the region cannot point into the member: line 1 of the
            // archive, with the member named by the logical location.
            Some(_) => json!({ "startLine": 1 }),
            None => {
                let resolved = positions.get(p.outer).and_then(|m| m.get(&f.location));
                match (resolved, line_col) {
                    (Some(pos), _) => json!({ "startLine": pos.line, "startColumn": pos.column }),
                    (None, Some((l, c))) => json!({ "startLine": l, "startColumn": c }),
                    (None, None) => json!({ "startLine": 1 }),
                }
            }
        };
        let mut logical = Vec::new();
        if let Some(m) = p.member {
            logical.push(json!({
                "name": m.rsplit('/').next().unwrap_or(m),
                "fullyQualifiedName": format!("{}!/{}", p.outer, m),
                "kind": "resource",
            }));
        }
        if is_pointer {
            let last = f.location.rsplit('/').next().unwrap_or("");
            logical.push(json!({
                "name": last.replace("~1", "/").replace("~0", "~"),
                "fullyQualifiedName": f.location,
                "kind": "value",
            }));
        }
        let mut location = json!({
            "physicalLocation": { "artifactLocation": artifact, "region": region },
        });
        if !logical.is_empty() {
            location["logicalLocations"] = Value::from(logical);
        }

        let where_ = match p.member {
            Some(m) => format!("{} in {}", f.location, m),
            None => f.location.clone(),
        };
        let mut message = match &f.name {
            Some(n) => format!(
                "{} credential in {} ({} bytes, fingerprint {}) found by {} at {}.",
                f.kind, n, f.length, f.fingerprint, f.rule, where_
            ),
            None => format!(
                "{} credential ({} bytes, fingerprint {}) found by {} at {}.",
                f.kind, f.length, f.fingerprint, f.rule, where_
            ),
        };
        if let Some(u) = &f.url {
            message.push_str(&format!(
                " Request: {} {}.",
                f.method.as_deref().unwrap_or("?"),
                u
            ));
        }
        // Expired credentials (a JWT past exp, a cookie past its expiry) matter less.
        let level = if f.is_expired() { "warning" } else { "error" };
        if let Some(j) = &f.jwt {
            let state = match j.expired {
                Some(true) => "expired",
                Some(false) => "live",
                None => "without expiry",
            };
            message.push_str(&format!(
                " JWT ({}, alg {}).",
                state,
                j.alg.as_deref().unwrap_or("?")
            ));
        }
        if let Some(expired) = f.cookie_expired {
            let state = if expired { "expired" } else { "live" };
            match f.cookie_expires {
                Some(at) => message.push_str(&format!(
                    " Cookie {} (expires {}).",
                    state,
                    crate::detect::expiry::format_rfc3339(at)
                )),
                None => message.push_str(&format!(" Cookie {}.", state)),
            }
        }
        message.push_str(" Redact with `harscrub clean`.");

        let secret_fp = if opts.stable_key {
            f.fingerprint.as_str()
        } else {
            ""
        };
        let partial = fingerprint(&[
            "harscrub/v1",
            &f.rule,
            &uri,
            p.member.unwrap_or(""),
            &f.location,
            &f.kind,
            secret_fp,
        ]);

        let mut props = Map::new();
        props.insert("kind".into(), Value::from(f.kind.as_str()));
        props.insert("fingerprint".into(), Value::from(f.fingerprint.as_str()));
        props.insert("length".into(), Value::from(f.length));
        props.insert("file".into(), Value::from(f.file.as_str()));
        props.insert("location".into(), Value::from(f.location.as_str()));
        for (k, v) in [("name", &f.name), ("method", &f.method), ("url", &f.url)] {
            if let Some(v) = v {
                props.insert(k.into(), Value::from(v.as_str()));
            }
        }
        if let Some(j) = &f.jwt {
            props.insert("jwt".into(), serde_json::to_value(j).unwrap_or(Value::Null));
        }
        if let Some(at) = f.cookie_expires {
            props.insert("cookie_expires".into(), Value::from(at));
        }
        if let Some(expired) = f.cookie_expired {
            props.insert("cookie_expired".into(), Value::from(expired));
        }

        results.push(json!({
            "ruleId": f.rule,
            "ruleIndex": rule_index[f.rule.as_str()],
            "kind": "fail",
            "level": level,
            "message": { "text": message },
            "locations": [location],
            "partialFingerprints": { "harscrub/v1": partial },
            "properties": Value::Object(props),
        }));
    }

    let notifications: Vec<Value> = report
        .files
        .iter()
        .filter(|f| f.status == Status::Failed)
        .map(|f: &FileReport| {
            let (uri, relative) = artifact_uri(&f.path, base);
            let mut artifact = json!({ "uri": uri });
            if relative {
                artifact["uriBaseId"] = Value::from("%SRCROOT%");
            }
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", f.path, f.error.as_deref().unwrap_or("failed")) },
                "locations": [ { "physicalLocation": { "artifactLocation": artifact } } ],
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": report.summary.files_failed == 0,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::from(notifications);
    }

    let mut run = json!({
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "columnKind": "utf16CodeUnits",
        "results": results,
        "properties": {
            "harscrub": {
                "schema_version": report.schema_version,
                "command": report.command,
                "summary": serde_json::to_value(&report.summary).unwrap_or(Value::Null),
            }
        },
    });
    if let Some(b) = base.filter(|b| b.is_absolute()) {
        let mut s = b.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/");
        if !s.starts_with('/') {
            s.insert(0, '/');
        }
        if !s.ends_with('/') {
            s.push('/');
        }
        run["originalUriBaseIds"] = json!({
            "%SRCROOT%": { "uri": format!("file://{}", encode_path(&s)) }
        });
    }

    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [run],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_at_the_input() {
        let inputs = ["odd!/dir/x.zip", "b.zip"];
        let p = place("odd!/dir/x.zip!/in/app.log", &inputs);
        assert_eq!(p.outer, "odd!/dir/x.zip");
        assert_eq!(p.member, Some("in/app.log"));
        let p = place("b.zip", &inputs);
        assert_eq!((p.outer, p.member), ("b.zip", None));
        let p = place("c.zip!/m", &inputs);
        assert_eq!((p.outer, p.member), ("c.zip", Some("m")));
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact_uri("./a b/c#.har", None),
            ("a%20b/c%23.har".into(), true)
        );
        assert_eq!(
            artifact_uri("caf\u{e9}.har", None),
            ("caf%C3%A9.har".into(), true)
        );
        let base = Path::new("/work/repo");
        assert_eq!(
            artifact_uri("/work/repo/x/y.har", Some(base)),
            ("x/y.har".into(), true)
        );
        assert_eq!(
            artifact_uri("/elsewhere/y.har", Some(base)),
            ("file:///elsewhere/y.har".into(), false)
        );
    }

    #[test]
    fn names() {
        assert_eq!(pascal("github.pat-classic"), "GithubPatClassic");
        assert_eq!(pascal("context.set-cookie"), "ContextSetCookie");
    }
}
