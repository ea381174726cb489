//! Properties of `clean` over generated HARs (proptest):
//!
//! * planted secrets never survive, wherever they are planted (cookies, `Cookie`,
//!   `Set-Cookie`, `Authorization`, api-key headers, query and fragment parameters,
//!   URL userinfo, JSON and form bodies, WebSocket frames, known token formats in free
//!   text), neither verbatim nor in any decoded JSON string of the copy;
//! * `clean` is idempotent: cleaning a copy changes nothing (and finds nothing), with
//!   every placeholder style (`placeholder` in `.harscrub.toml`), even another one;
//! * a HAR with no secrets comes out byte-identical, with no findings.
//!
//! Most cases go through the library (`clean_bytes`, what every handler uses); a
//! few go through the binary, whose HAR path streams from disk.

mod common;

use std::fs;

use common::Dir;
use harscrub::clean_bytes;
use harscrub::Style;
use harscrub::{Engine, EngineBuilder};
use proptest::prelude::*;
use serde_json::{json, Value};

const STYLES: [Style; 3] = [Style::KindFingerprint, Style::Kind, Style::Fixed];

fn style() -> impl Strategy<Value = Style> {
    prop::sample::select(STYLES.to_vec())
}

/// The test engine, writing placeholders in `style`.
fn engine(style: Style) -> &'static Engine {
    static E: std::sync::OnceLock<Vec<Engine>> = std::sync::OnceLock::new();
    let all = E.get_or_init(|| {
        STYLES
            .iter()
            .map(|&s| {
                EngineBuilder::new()
                    .key(b"properties-test-key")
                    .now(common::now())
                    .placeholder(s)
                    .build()
                    .unwrap()
            })
            .collect()
    });
    &all[STYLES.iter().position(|&s| s == style).unwrap()]
}

fn style_name(s: Style) -> &'static str {
    match s {
        Style::KindFingerprint => "kind-fingerprint",
        Style::Kind => "kind",
        Style::Fixed => "fixed",
    }
}

const WORDS: &[&str] = &[
    "alpha", "river", "stone", "garden", "orange", "window", "silver", "planet", "forest",
    "market", "yellow", "bridge", "pencil", "summer", "castle", "rocket", "harbor", "meadow",
];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

/// Innocent text: a few words.
fn phrase() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..5).prop_map(|w| w.join(" "))
}

/// A random-looking credential with no recognisable format (letters, digits, `-` and
/// `_`, 24-40 characters, starting `Pz9` so it always mixes cases and digits).
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{21,37}".prop_map(|s| format!("Pz9{s}"))
}

/// Where a secret is planted.
#[derive(Debug, Clone, Copy)]
enum Place {
    CookieHeader,
    CookiesArray,
    SetCookie,
    Bearer,
    ApiKeyHeader,
    QueryParam,
    Fragment,
    Userinfo,
    JsonBody,
    FormBody,
    WebSocket,
    GithubTokenInText,
}

const PLACES: &[Place] = &[
    Place::CookieHeader,
    Place::CookiesArray,
    Place::SetCookie,
    Place::Bearer,
    Place::ApiKeyHeader,
    Place::QueryParam,
    Place::Fragment,
    Place::Userinfo,
    Place::JsonBody,
    Place::FormBody,
    Place::WebSocket,
    Place::GithubTokenInText,
];

#[derive(Debug, Clone)]
struct EntrySpec {
    path: Vec<String>,
    page: u32,
    note: String,
    /// Header names as they are (0), lower case (1, HTTP/2) or upper case (2).
    case: u8,
    planted: Vec<(Place, String)>,
}

fn entry_spec(with_secrets: bool) -> impl Strategy<Value = EntrySpec> {
    let planted = if with_secrets {
        prop::collection::vec((prop::sample::select(PLACES), secret()), 1..4).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (
        prop::collection::vec(word(), 1..4),
        0u32..1000,
        phrase(),
        0u8..3,
        planted,
    )
        .prop_map(|(path, page, note, case, planted)| EntrySpec {
            path,
            page,
            note,
            case,
            planted,
        })
}

/// A GitHub token (`ghp_` + 36) made from a planted secret.
fn github(s: &str) -> String {
    let mut t: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .cycle()
        .take(36)
        .collect();
    t.replace_range(..3, "Gh7");
    format!("ghp_{t}")
}

/// The secrets as they must not appear (the GitHub form for `GithubTokenInText`).
fn planted_values(specs: &[EntrySpec]) -> Vec<String> {
    specs
        .iter()
        .flat_map(|e| &e.planted)
        .map(|(p, s)| match p {
            Place::GithubTokenInText => github(s),
            _ => s.clone(),
        })
        .collect()
}

fn build_entry(e: &EntrySpec) -> Value {
    let path = e.path.join("/");
    let mut url = format!("https://app.example.com/{path}?page={}&lang=en", e.page);
    let mut req_headers = vec![
        json!({"name": "Accept", "value": "text/html,application/json"}),
        json!({"name": "Accept-Language", "value": "en-US,en;q=0.9"}),
        json!({"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}),
    ];
    let mut resp_headers = vec![
        json!({"name": "Content-Type", "value": "application/json"}),
        json!({"name": "Cache-Control", "value": "no-cache"}),
    ];
    let mut query = vec![
        json!({"name": "page", "value": e.page.to_string()}),
        json!({"name": "lang", "value": "en"}),
    ];
    let mut cookies = Vec::new();
    let mut post: Option<Value> = None;
    let mut body = json!({"title": e.note, "count": e.page, "tags": e.path});
    let mut text_note = e.note.clone();
    let mut ws = Vec::new();
    for (place, s) in &e.planted {
        match place {
            Place::CookieHeader => req_headers
                .push(json!({"name": "Cookie", "value": format!("theme=dark; session_id={s}")})),
            Place::CookiesArray => cookies.push(json!({"name": "sid", "value": s})),
            Place::SetCookie => resp_headers.push(json!({
                "name": "Set-Cookie",
                "value": format!("sid={s}; Path=/; Secure; HttpOnly")
            })),
            Place::Bearer => {
                req_headers.push(json!({"name": "Authorization", "value": format!("Bearer {s}")}))
            }
            Place::ApiKeyHeader => req_headers.push(json!({"name": "X-Api-Key", "value": s})),
            Place::QueryParam => {
                url.push_str(&format!("&access_token={s}"));
                query.push(json!({"name": "access_token", "value": s}));
            }
            Place::Fragment => url.push_str(&format!("#id_token={s}&state=ok")),
            Place::Userinfo => {
                url = url.replacen("https://", &format!("https://alice:{s}@"), 1);
            }
            Place::JsonBody => {
                post = Some(json!({
                    "mimeType": "application/json",
                    "text": json!({"username": "alice", "password": s}).to_string()
                }))
            }
            Place::FormBody => {
                post = Some(json!({
                    "mimeType": "application/x-www-form-urlencoded",
                    "text": format!("user=alice&password={s}&remember=1")
                }))
            }
            Place::WebSocket => ws.push(json!({
                "type": "send", "time": 1.5, "opcode": 1,
                "data": json!({"op": "auth", "token": s}).to_string()
            })),
            Place::GithubTokenInText => {
                text_note = format!("{text_note} deploy with {} today", github(s));
                body["note"] = json!(text_note);
            }
        }
    }
    for h in req_headers.iter_mut().chain(resp_headers.iter_mut()) {
        let n = h["name"].as_str().unwrap().to_string();
        h["name"] = json!(match e.case {
            1 => n.to_ascii_lowercase(),
            2 => n.to_ascii_uppercase(),
            _ => n,
        });
    }
    let mut request = json!({
        "method": if post.is_some() { "POST" } else { "GET" },
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": req_headers,
        "queryString": query,
        "cookies": cookies,
        "headersSize": -1,
        "bodySize": 0
    });
    if let Some(p) = post {
        request["postData"] = p;
    }
    let mut entry = json!({
        "startedDateTime": "2024-03-15T17:02:11.000Z",
        "time": e.page,
        "request": request,
        "response": {
            "status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
            "headers": resp_headers, "cookies": [],
            "content": {"size": 10, "mimeType": "application/json", "text": body.to_string()},
            "redirectURL": "", "headersSize": -1, "bodySize": 10
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0}
    });
    if !ws.is_empty() {
        entry["_webSocketMessages"] = json!(ws);
    }
    entry
}

fn build_har(entries: &[EntrySpec], pretty: bool) -> Vec<u8> {
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "proptest", "version": "1"},
        "pages": [{"startedDateTime": "2024-03-15T17:02:11.000Z", "id": "page_1",
                   "title": "https://app.example.com/home", "pageTimings": {}}],
        "entries": entries.iter().map(build_entry).collect::<Vec<_>>()
    }});
    if pretty {
        serde_json::to_vec_pretty(&har).unwrap()
    } else {
        serde_json::to_vec(&har).unwrap()
    }
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            out.push(s.clone());
            // JSON inside a string (bodies, frames): its strings too.
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                strings(&inner, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

fn leftovers(copy: &[u8], secrets: &[String]) -> Vec<String> {
    let parsed: Value = match serde_json::from_slice(copy) {
        Ok(v) => v,
        Err(e) => return vec![format!("the copy is not JSON: {e}")],
    };
    let mut all = vec![String::from_utf8_lossy(copy).into_owned()];
    strings(&parsed, &mut all);
    secrets
        .iter()
        .filter(|s| all.iter().any(|x| x.contains(s.as_str())))
        .map(|s| format!("{s} survived"))
        .collect()
}

fn har_specs(with_secrets: bool) -> impl Strategy<Value = (Vec<EntrySpec>, bool)> {
    (
        prop::collection::vec(entry_spec(with_secrets), 1..5),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_planted_secret_survives((specs, pretty) in har_specs(true), style in style()) {
        let har = build_har(&specs, pretty);
        let secrets = planted_values(&specs);
        let o = clean_bytes(engine(style), "p.har", &har)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let left = leftovers(&o.copy, &secrets);
        prop_assert!(left.is_empty(), "{:?}\n{}", left, String::from_utf8_lossy(&o.copy));
        prop_assert!(o.findings.len() >= secrets.len().min(1));
        // The report never holds a secret either.
        let report = serde_json::to_string(&o.findings).unwrap();
        for s in &secrets {
            prop_assert!(!report.contains(s.as_str()), "report holds {}", s);
        }
    }

    #[test]
    fn clean_is_idempotent(
        (specs, pretty) in har_specs(true),
        style in style(),
        second in style(),
    ) {
        let har = build_har(&specs, pretty);
        let once = clean_bytes(engine(style), "p.har", &har)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        // Cleaning again, with the same style or another, changes nothing.
        let twice = clean_bytes(engine(second), "p.har", &once.copy)
            .map_err(|e| TestCaseError::fail(format!("second pass: {e}")))?;
        prop_assert!(
            twice.copy == once.copy,
            "cleaning the copy changed it:\n{}\n---\n{}",
            String::from_utf8_lossy(&once.copy),
            String::from_utf8_lossy(&twice.copy)
        );
        prop_assert!(
            twice.findings.is_empty(),
            "the copy still has findings: {:?}",
            twice.findings
        );
    }

    #[test]
    fn a_har_without_secrets_is_byte_identical((specs, pretty) in har_specs(false)) {
        let har = build_har(&specs, pretty);
        let o = clean_bytes(engine(Style::KindFingerprint), "p.har", &har)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(o.findings.is_empty(), "false positives: {:?}", o.findings);
        prop_assert!(o.copy == har, "the copy differs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Through the binary (streamed from disk, verified, renamed into place): no
    /// secret survives, a second `clean` of the copy changes nothing, and a clean HAR
    /// is copied byte for byte.
    #[test]
    fn the_binary_agrees(
        (specs, pretty) in har_specs(true),
        (clean_specs, clean_pretty) in har_specs(false),
        style in style(),
    ) {
        let tmp = Dir::new();
        let d = tmp.path();
        fs::write(
            d.join(".harscrub.toml"),
            format!("placeholder = {:?}\n", style_name(style)),
        )
        .unwrap();
        let har = build_har(&specs, pretty);
        let plain = build_har(&clean_specs, clean_pretty);
        fs::write(d.join("dirty.har"), &har).unwrap();
        fs::write(d.join("plain.har"), &plain).unwrap();
        let run = |args: &[&str]| tmp.cmd(args).env("HARSCRUB_FINGERPRINT_KEY", "properties").run();
        let o = run(&["clean", "dirty.har", "plain.har", "--out", "once"]);
        prop_assert_eq!(o.code, Some(0), "{}", o);
        let once = fs::read(d.join("once/dirty.har")).unwrap();
        let left = leftovers(&once, &planted_values(&specs));
        prop_assert!(left.is_empty(), "{:?}", left);
        prop_assert!(fs::read(d.join("once/plain.har")).unwrap() == plain);
        let o = run(&["clean", "once/dirty.har", "--out", "twice"]);
        prop_assert_eq!(o.code, Some(0), "{}", o);
        prop_assert!(fs::read(d.join("twice/dirty.har")).unwrap() == once);
        let o = run(&["scan", "once/dirty.har"]);
        prop_assert_eq!(o.code, Some(0), "the copy still scans dirty: {}", o.stdout);
    }
}
