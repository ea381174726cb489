//! `{name, value}` pairs whose `value` is not a string, and pairs that carry more than
//! one `name` (or `value`) member.
//!
//! HAR writers and hand-edited files put numbers (`"value": 48213377`), arrays and
//! objects where a string belongs, and an object may spell `name` twice (JSON parsers
//! keep the last one, so `{"name": "x-note", "name": "Authorization", …}` is an
//! `Authorization` header to most readers). Every string and number inside such a value
//! is judged under every name of its pair, a number is replaced whole by its
//! placeholder as a JSON string, and the same secret gets the same placeholder wherever
//! it is (a number in `params` and the same digits in the form text).
//!
//! Generated: {headers, queryString, request and response cookies, postData.params, a
//! WebSocket message's data} × {number, array of strings, array of numbers, object with
//! a string, nested} × {pin, sid, password, X-Api-Key, Cookie, access_token}, and the
//! duplicate `name` / `value` cases in both orders. Each copy must be valid JSON with
//! the structure of its input, hold no trace of a secret, give each secret one
//! placeholder, keep non-credential numbers (`page`, `Content-Length`) byte for byte,
//! and be the same on the streaming HAR path and the plain JSON path.

mod common;

use harscrub::internals::{clean_document, Kind};
use harscrub::{clean_bytes, Engine};
use serde_json::{json, Value};

const KEY: &str = "k";
/// A numeric secret (a PIN-length number) and a token, both fake.
const NUM: u64 = 48213377;
const TOKEN: &str = "Zq81LmT0pXv2Rk7NaW3sYd5Hc9Uf";

const NAMES: &[&str] = &[
    "pin",
    "sid",
    "password",
    "X-Api-Key",
    "Cookie",
    "access_token",
];

/// Where a pair goes in the first entry.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Headers,
    QueryString,
    RequestCookies,
    ResponseCookies,
    Params,
    WebSocketData,
}

const PLACES: &[Place] = &[
    Place::Headers,
    Place::QueryString,
    Place::RequestCookies,
    Place::ResponseCookies,
    Place::Params,
    Place::WebSocketData,
];

/// The shapes of a non-string value, and the secrets each holds.
fn shapes() -> Vec<(&'static str, Value, Vec<String>)> {
    let n = NUM.to_string();
    let t = TOKEN.to_string();
    vec![
        ("number", json!(NUM), vec![n.clone()]),
        ("array of strings", json!([TOKEN]), vec![t.clone()]),
        ("array of numbers", json!([NUM]), vec![n.clone()]),
        (
            "object with a string",
            json!({ "v": TOKEN }),
            vec![t.clone()],
        ),
        (
            "nested",
            json!({ "a": [{ "b": NUM }, [TOKEN]] }),
            vec![n.clone(), t.clone()],
        ),
    ]
}

/// Pairs that are no credential: kept byte for byte.
const PLAIN: &str = r#"{"name":"page","value":2},{"name":"Content-Length","value":123}"#;

/// A HAR of two entries. The first holds `pair` (raw JSON text) at `place`, beside
/// [`PLAIN`] where a non-credential pair can be; the second holds plain pairs and, with
/// `twice`, the secrets as strings in a form body (`pin=…&access_token=…`), so that
/// each secret is met twice, in two forms. Without it, the pair's own context is all
/// that tells its secret (a secret met elsewhere first is swept wherever it is).
fn har(place: Place, pair: &str, twice: bool) -> String {
    let at = |p: Place| {
        if p == place {
            match p {
                // Every cookie value is a credential: no plain pair beside it.
                Place::RequestCookies | Place::ResponseCookies => format!("[{pair}]"),
                _ => format!("[{pair},{PLAIN}]"),
            }
        } else {
            match p {
                Place::RequestCookies | Place::ResponseCookies => "[]".to_string(),
                _ => format!("[{PLAIN}]"),
            }
        }
    };
    let ws = if place == Place::WebSocketData {
        format!(
            r#","_webSocketMessages":[{{"type":"send","time":1,"opcode":1,"data":{pair}}},{{"type":"receive","time":1,"opcode":1,"data":{{"name":"page","value":2}}}}]"#
        )
    } else {
        String::new()
    };
    let entry = |headers: &str, qs: &str, cookies: &str, params: &str, text: &str, rc: &str| {
        format!(
            r#"{{"startedDateTime":"2025-01-01T00:00:00.000Z","time":1,"request":{{"method":"POST","url":"https://a.example.com/","httpVersion":"HTTP/1.1","headers":{headers},"queryString":{qs},"cookies":{cookies},"headersSize":-1,"bodySize":0,"postData":{{"mimeType":"application/x-www-form-urlencoded","text":"{text}","params":{params}}}}},"response":{{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":{rc},"content":{{"size":0,"mimeType":"text/plain","text":""}},"redirectURL":"","headersSize":-1,"bodySize":0}},"cache":{{}},"timings":{{"send":0,"wait":1,"receive":1}}"#
        )
    };
    let first = entry(
        &at(Place::Headers),
        &at(Place::QueryString),
        &at(Place::RequestCookies),
        &at(Place::Params),
        "",
        &at(Place::ResponseCookies),
    ) + &ws
        + "}";
    let plain = format!("[{PLAIN}]");
    let second = entry(
        &plain,
        &plain,
        "[]",
        &plain,
        &if twice {
            format!("pin={NUM}&access_token={TOKEN}")
        } else {
            String::new()
        },
        "[]",
    ) + "}";
    format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"x","version":"1"}},"entries":[{first},{second}]}}}}"#
    )
}

/// Clean `input` on the HAR path and on the plain JSON path; both must write the same
/// copy. Returns the copy, or why it failed.
fn clean(engine: &Engine, input: &str) -> Result<String, String> {
    let har = clean_bytes(engine, "case.har", input.as_bytes())
        .map(|c| c.copy)
        .map_err(|e| format!("HAR path: {e}"))?;
    let json = clean_document(engine, "case.har", Kind::Json, input.as_bytes())
        .map(|o| o.output)
        .map_err(|e| format!("JSON path: {e:#}"))?;
    if har != json {
        return Err("the HAR and JSON paths wrote different copies".into());
    }
    String::from_utf8(har).map_err(|_| "the copy is not UTF-8".into())
}

/// The fingerprints of the placeholders in `copy`, in order.
fn fingerprints(copy: &str) -> Vec<String> {
    copy.match_indices("[REDACTED:")
        .map(|(at, _)| {
            let rest = &copy[at..];
            let ph = &rest[..rest.find(']').expect("a closed placeholder")];
            ph.rsplit(':').next().unwrap().to_string()
        })
        .collect()
}

/// The copy has the input's structure: the same members in the same order, arrays of
/// the same length, and where a leaf differs, the input's leaf held a secret and the
/// copy's is a string with a placeholder.
fn same_structure(input: &Value, copy: &Value, secrets: &[String], at: &str) -> Result<(), String> {
    match (input, copy) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<_> = a.keys().collect();
            let kb: Vec<_> = b.keys().collect();
            if ka != kb {
                return Err(format!("{at}: members {ka:?} became {kb:?}"));
            }
            for (k, v) in a {
                same_structure(v, &b[k], secrets, &format!("{at}/{k}"))?;
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{at}: {} items became {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_structure(x, y, secrets, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => {
            let text = match a {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let held = secrets.iter().any(|s| text.contains(s.as_str()));
            let redacted = b.as_str().is_some_and(|s| s.contains("[REDACTED:"));
            if held && redacted {
                Ok(())
            } else {
                Err(format!("{at}: {a} became {b}"))
            }
        }
    }
}

/// Every check on one case. `exact` is false for inputs serde cannot represent
/// (duplicate members): their structure is not compared, and a pair judged under
/// several names may redact a value whole under one (`Bearer <token>` as a PIN) and a
/// part of it under another, or a harmless second `value`: more placeholders than
/// secrets.
fn check(engine: &Engine, what: &str, input: &str, secrets: &[String], exact: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let copy = match clean(engine, input) {
        Ok(c) => c,
        Err(e) => return vec![format!("{what}: no copy: {e}")],
    };
    let parsed: Value = match serde_json::from_str(&copy) {
        Ok(v) => v,
        Err(e) => return vec![format!("{what}: the copy is not JSON: {e}")],
    };
    let original: Value = serde_json::from_str(input).expect("a valid input");
    let n = |v: &Value| v["log"]["entries"].as_array().map(Vec::len);
    if n(&parsed) != n(&original) {
        problems.push(format!("{what}: entry count changed"));
    }
    if exact {
        if let Err(e) = same_structure(&original, &parsed, secrets, "") {
            problems.push(format!("{what}: {e}"));
        }
    }
    for s in secrets {
        if copy.contains(s.as_str()) {
            problems.push(format!("{what}: {s} survives in the copy"));
        }
    }
    // One placeholder per secret, wherever and in whatever form it was.
    let mut fps = fingerprints(&copy);
    fps.sort();
    fps.dedup();
    if (exact && fps.len() != secrets.len()) || fps.len() < secrets.len() {
        problems.push(format!(
            "{what}: {} secret(s) got {} different placeholders: {fps:?}",
            secrets.len(),
            fps.len()
        ));
    }
    for plain in [
        r#"{"name":"page","value":2}"#,
        r#"{"name":"Content-Length","value":123}"#,
    ] {
        if copy.matches(plain).count() != input.matches(plain).count() {
            problems.push(format!("{what}: {plain} was not kept as it was"));
        }
    }
    problems
}

fn assert_none(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s) with {what}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn non_string_values_under_credential_names_are_redacted_everywhere() {
    let engine = common::engine(KEY);
    let mut problems = Vec::new();
    let mut cases = 0;
    for &place in PLACES {
        for (shape, value, held) in shapes() {
            for name in NAMES {
                let pair = json!({ "name": name, "value": value }).to_string();
                for twice in [false, true] {
                    let input = har(place, &pair, twice);
                    // Met twice, both secrets are in the file (as strings).
                    let secrets = match twice {
                        true => vec![NUM.to_string(), TOKEN.to_string()],
                        false => held.clone(),
                    };
                    let what = format!("{place:?} / {shape} / {name} / met twice: {twice}");
                    problems.extend(check(&engine, &what, &input, &secrets, true));
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 2 * 180);
    assert_none("non-string values", problems);
}

#[test]
fn every_name_and_every_value_of_a_pair_is_judged() {
    let engine = common::engine(KEY);
    let both = vec![NUM.to_string(), TOKEN.to_string()];
    let mut problems = Vec::new();
    let values = [
        format!("{TOKEN:?}"),
        format!("\"Bearer {TOKEN}\""),
        NUM.to_string(),
        format!("[{TOKEN:?}]"),
    ];
    let cases: Vec<(Place, &str)> = vec![
        (Place::Headers, "Authorization"),
        (Place::Headers, "X-Api-Key"),
        (Place::Headers, "Cookie"),
        (Place::QueryString, "access_token"),
        (Place::QueryString, "pin"),
        (Place::Params, "password"),
        (Place::RequestCookies, "sid"),
    ];
    for (place, name) in &cases {
        for value in &values {
            let pairs = [
                format!(r#"{{"name":"x-note","name":"{name}","value":{value}}}"#),
                format!(r#"{{"name":"{name}","name":"x-note","value":{value}}}"#),
                format!(r#"{{"name":"{name}","value":"harmless","value":{value}}}"#),
                format!(r#"{{"name":"{name}","value":{value},"value":"harmless"}}"#),
                format!(r#"{{"name":"x-note","value":{value},"name":"{name}"}}"#),
            ];
            for pair in &pairs {
                for twice in [false, true] {
                    let input = har(*place, pair, twice);
                    let what = format!("{place:?} / {pair} / met twice: {twice}");
                    let secrets = match (twice, value.contains(TOKEN)) {
                        (true, _) => both.clone(),
                        (false, true) => vec![TOKEN.to_string()],
                        (false, false) => vec![NUM.to_string()],
                    };
                    problems.extend(check(&engine, &what, &input, &secrets, false));
                }
            }
        }
    }
    assert_none("duplicate names and values", problems);
}

/// A form posted with its number in `params` (`"value": 48213377`) and its text
/// `pin=48213377` was refused (the number survived, and verification found it): it gets
/// a copy now, the number and the digits in the text under one placeholder. A
/// WebSocket message carrying the same number as its data gets it too.
#[test]
fn a_form_with_a_numeric_pin_in_params_gets_a_copy() {
    let engine = common::engine(KEY);
    let input = r#"{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2025-01-01T00:00:00.000Z","time":1,"request":{"method":"POST","url":"https://a.example.com/","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Length","value":123}],"queryString":[{"name":"page","value":2}],"cookies":[],"headersSize":-1,"bodySize":12,"postData":{"mimeType":"application/x-www-form-urlencoded","text":"pin=48213377","params":[{"name":"pin","value":48213377}]}},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":0,"mimeType":"text/plain","text":""},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":1,"receive":1},"_webSocketMessages":[{"type":"send","time":1,"opcode":1,"data":48213377},{"type":"send","time":1,"opcode":1,"data":[48213377]}]}]}}"#;
    let secrets = vec![NUM.to_string()];
    assert_none(
        "the numeric PIN form",
        check(&engine, "form", input, &secrets, true),
    );
    let copy = clean(&engine, input).unwrap();
    let ph = &copy[copy.find("[REDACTED:").unwrap()..];
    let ph = &ph[..=ph.find(']').unwrap()];
    assert!(ph.starts_with("[REDACTED:auth-code:"), "{ph}");
    assert!(copy.contains(&format!(r#""text":"pin={ph}""#)), "{copy}");
    assert!(
        copy.contains(&format!(r#"{{"name":"pin","value":"{ph}"}}"#)),
        "{copy}"
    );
    assert!(copy.contains(&format!(r#""data":"{ph}""#)), "{copy}");
    assert!(copy.contains(r#""bodySize":12"#), "{copy}");

    // The binary, reading the file, writes the same copy (exit 0).
    let dir = common::Dir::new();
    std::fs::write(dir.path().join("form.har"), input).unwrap();
    let run = dir
        .cmd(&[
            "clean",
            "-q",
            "--fingerprint-key",
            KEY,
            "-o",
            "out",
            "form.har",
        ])
        .run();
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/form.har")).unwrap(),
        copy
    );
}

/// `true`, `false` and `null` are no secret, and a number under a name that is no
/// credential stays as it was, even in a pair that also carries a credential string.
#[test]
fn literals_and_plain_numbers_are_kept() {
    let engine = common::engine(KEY);
    let input = har(
        Place::QueryString,
        r#"{"name":"pin","value":true},{"name":"password","value":null},{"name":"page","value":[2,3]},{"name":"limit","value":{"n":50}}"#,
        true,
    );
    let copy = clean(&engine, &input).unwrap();
    for kept in [
        r#"{"name":"pin","value":true}"#,
        r#"{"name":"password","value":null}"#,
        r#"{"name":"page","value":[2,3]}"#,
        r#"{"name":"limit","value":{"n":50}}"#,
    ] {
        assert!(copy.contains(kept), "{kept} changed:\n{copy}");
    }
    assert!(!copy.contains(TOKEN) && !copy.contains(&NUM.to_string()));
}
