//! Placeholder styles (`placeholder` in `.harscrub.toml`): `kind-fingerprint` (the
//! default, `[REDACTED:<kind>:<fingerprint>]`), `kind` (`[REDACTED:<kind>]`) and `fixed`
//! (`[REDACTED]`). For every style and every fixture: no planted secret survives, the
//! non-secret strings (JWT headers and payloads among them) stay, cleaning the copy
//! again changes nothing (with any style), the verification pass accepts the copy, and
//! the findings never hold a secret.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;
use harscrub::clean_bytes;
use harscrub::Style;
use harscrub::{Engine, EngineBuilder};
use regex::Regex;

const STYLES: [(Style, &str); 3] = [
    (Style::KindFingerprint, "kind-fingerprint"),
    (Style::Kind, "kind"),
    (Style::Fixed, "fixed"),
];

fn engine(style: Style) -> Engine {
    EngineBuilder::new()
        .key(b"placeholder-test")
        .now(now())
        .placeholder(style)
        .build()
        .unwrap()
}

/// Inputs with their planted secrets and the strings that must stay.
fn inputs() -> Vec<(PathBuf, Vec<String>, Vec<String>)> {
    let mut v: Vec<_> = fixtures("har")
        .into_iter()
        .map(|p| {
            let secrets = sidecar(&p, "secrets");
            let keep = sidecar(&p, "keep");
            (p, secrets, keep)
        })
        .collect();
    for (file, secrets) in [
        ("other/exchange.txt", "other/exchange.secrets"),
        ("other/request.http", "other/request.secrets"),
        ("other/response.txt", "other/response.secrets"),
        ("bundle/support-bundle.zip", "bundle/support-bundle.secrets"),
    ] {
        let secrets = fs::read_to_string(testdata(secrets))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
        v.push((testdata(file), secrets, Vec::new()));
    }
    v
}

fn shapes() -> (Regex, Regex, Regex) {
    (
        Regex::new(r"\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]").unwrap(),
        Regex::new(r"\[REDACTED:[a-z0-9-]+\]").unwrap(),
        Regex::new(r"\[REDACTED\]").unwrap(),
    )
}

#[test]
fn every_style_redacts_everything_and_is_idempotent() {
    let (with_fp, with_kind, fixed) = shapes();
    let mut failures = Vec::new();
    let inputs = inputs();
    let engines: Vec<(Engine, &str)> = STYLES.iter().map(|&(s, n)| (engine(s), n)).collect();
    for (path, secrets, keep) in &inputs {
        let n = name(path);
        let data = read(path);
        let is_zip = n.ends_with(".zip");
        for (e, style) in &engines {
            let o = match clean_bytes(e, n, &data) {
                Ok(o) => o,
                Err(err) => {
                    failures.push(format!("{n} [{style}]: {err}"));
                    continue;
                }
            };
            // The copy (zip members are checked by the verification pass and below).
            if !is_zip {
                let v = views(&o.copy);
                for s in secrets {
                    if visible(&v, s) {
                        failures.push(format!("{n} [{style}]: a planted secret survived"));
                    }
                }
                for k in keep {
                    if !visible(&v, k) {
                        failures.push(format!("{n} [{style}]: lost {k:?}"));
                    }
                }
                // Every decoded view (placeholders in base64 bodies too).
                let text = v.join("\n");
                let (fp, kind, fx) = (
                    with_fp.find(&text).is_some(),
                    with_kind.find(&text).is_some(),
                    fixed.find(&text).is_some(),
                );
                let want = match *style {
                    "kind-fingerprint" => (true, false, false),
                    "kind" => (false, true, false),
                    _ => (false, false, true),
                };
                if !o.findings.is_empty() && (fp, kind, fx) != want {
                    failures.push(format!(
                        "{n} [{style}]: placeholders (fingerprint, kind, fixed) = {:?}",
                        (fp, kind, fx)
                    ));
                }
            }
            // The findings (what the report is made of) never hold a secret.
            let report = serde_json::to_string(&o.findings).unwrap();
            for l in leaks(&report, secrets) {
                failures.push(format!("{n} [{style}]: findings hold {l}"));
            }
            // Cleaning the copy again, with every style, changes nothing and finds nothing.
            for (e2, style2) in &engines {
                match clean_bytes(e2, n, &o.copy) {
                    Ok(again) => {
                        if again.copy != o.copy {
                            failures.push(format!("{n} [{style} then {style2}]: copy changed"));
                        }
                        if !again.findings.is_empty() {
                            failures.push(format!(
                                "{n} [{style} then {style2}]: {} finding(s) in the copy, first at {}",
                                again.findings.len(),
                                again.findings[0].location
                            ));
                        }
                    }
                    Err(err) => failures.push(format!("{n} [{style} then {style2}]: {err}")),
                }
            }
        }
    }
    assert_no_failures("placeholder styles", failures);
}

#[test]
fn jwts_keep_their_claims_in_every_style() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJGQUtFLXVzZXIiLCJleHAiOjQxMDI0NDQ4MDB9.RkFLRS1zaWduYXR1cmUtRkFLRS1zaWduYXR1cmU";
    let (head, sig) = jwt.rsplit_once('.').unwrap();
    let log = format!("GET /api HTTP/1.1\nAuthorization: Bearer {jwt}\nX-Trace: 1\n");
    for (style, want) in [
        (Style::KindFingerprint, None),
        (Style::Kind, Some("[REDACTED:jwt]")),
        (Style::Fixed, Some("[REDACTED]")),
    ] {
        let e = engine(style);
        let o = clean_bytes(&e, "a.log", log.as_bytes()).unwrap();
        let copy = String::from_utf8(o.copy.clone()).unwrap();
        assert!(!copy.contains(sig), "{copy}");
        assert!(copy.contains(&format!("Bearer {head}.[REDACTED")), "{copy}");
        if let Some(p) = want {
            assert!(copy.contains(&format!("{head}.{p}\n")), "{copy}");
        }
        assert_eq!(o.findings.len(), 1);
        assert_eq!(o.findings[0].kind, "jwt");
        assert!(o.findings[0].jwt.is_some());
        let again = clean_bytes(&e, "a.log", &o.copy).unwrap();
        assert_eq!(again.copy, o.copy);
        assert!(again.findings.is_empty());
    }
}

#[test]
fn without_fingerprints_the_same_secret_is_not_correlated_in_the_copy() {
    let har = read(&testdata("har/cookies.har"));
    let count = |style: Style| {
        let o = clean_bytes(&engine(style), "c.har", &har).unwrap();
        let text = String::from_utf8(o.copy).unwrap();
        let (with_fp, with_kind, fixed) = shapes();
        let re = match style {
            Style::KindFingerprint => with_fp,
            Style::Kind => with_kind,
            Style::Fixed => fixed,
        };
        let distinct: std::collections::BTreeSet<&str> =
            re.find_iter(&text).map(|m| m.as_str()).collect();
        // The report keeps the fingerprints whatever the style.
        let fps: std::collections::BTreeSet<String> =
            o.findings.iter().map(|f| f.fingerprint.clone()).collect();
        (distinct.len(), fps.len())
    };
    let (fp_distinct, fps) = count(Style::KindFingerprint);
    assert!(fp_distinct > 5 && fp_distinct == fps, "{fp_distinct} {fps}");
    let (kind_distinct, fps_kind) = count(Style::Kind);
    assert!(kind_distinct < fp_distinct && fps_kind == fps);
    assert_eq!(count(Style::Fixed), (1, fps));
}

#[test]
fn config_file_chooses_the_style() {
    let fixture = testdata("har/headers.har");
    let secrets = sidecar(&fixture, "secrets");
    for (_, style) in STYLES {
        let tmp = Dir::new();
        let cfg = tmp.path().join("harscrub.toml");
        fs::write(&cfg, format!("placeholder = \"{style}\"\n")).unwrap();
        let input = stage(&fixture, &tmp.path().join("in"));
        let out = tmp.path().join("out");
        let report = tmp.path().join("report.json");
        let r = run(&[
            "clean",
            s(&input),
            "--out",
            s(&out),
            "--report",
            s(&report),
            "--config",
            s(&cfg),
        ]);
        assert_eq!(r.code, Some(0), "[{style}] {r}");
        let copy = read(&out.join(name(&fixture)));
        let text = String::from_utf8_lossy(&copy);
        match style {
            "fixed" => assert!(text.contains("[REDACTED]") && !text.contains("[REDACTED:")),
            "kind" => assert!(text.contains("[REDACTED:cookie]")),
            _ => assert!(shapes().0.is_match(&text)),
        }
        let v = views(&copy);
        assert!(secrets.iter().all(|s| !visible(&v, s)), "[{style}]");
        let rep = fs::read_to_string(&report).unwrap();
        assert!(leaks(&rep, &secrets).is_empty(), "[{style}]");
        assert!(leaks(&r.all(), &secrets).is_empty(), "[{style}]");
        // The copy scans clean and a second clean leaves it as it is.
        let again = tmp.path().join("again");
        let r = run(&[
            "clean",
            s(&out.join(name(&fixture))),
            "--out",
            s(&again),
            "--config",
            s(&cfg),
        ]);
        assert_eq!(r.code, Some(0), "[{style}] {r}");
        assert_eq!(read(&again.join(name(&fixture))), copy, "[{style}]");
        let r = run(&["scan", s(&out.join(name(&fixture))), "--config", s(&cfg)]);
        assert_eq!(r.code, Some(0), "[{style}] {r}");
    }
    // An unknown style is an error, not a silent default.
    let tmp = Dir::new();
    let cfg = tmp.path().join("harscrub.toml");
    fs::write(&cfg, "placeholder = \"hash\"\n").unwrap();
    let r = run(&["scan", s(&fixture), "--config", s(&cfg)]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains("placeholder") || r.stderr.contains("hash"),
        "{r}"
    );
}
