//! A HAR pass does not read again a string it found clean before in the same context
//! with the same secrets known (`detect::memo`). These tests put one value in every
//! pair of contexts (the first harmless, the second one that names it a credential),
//! repeated, in both orders, in small and streamed HARs, and check that the memo
//! changes nothing: the copies and the findings are those of a pass that reads every
//! string (`Engine::set_no_memo`, the reference), and the value is gone from the copy.

use std::io::Cursor;

use harscrub::{clean_bytes, clean_reader, scan_reader, Engine};
use serde_json::{json, Value};

mod common;

/// Long enough to be remembered, random-looking enough to be propagated.
const V: &str = "Qz7kLm2NpR4sTv6WxY8zAb3CdE5fGh7JkM9nPq2RsT4uVw6XyZ8aBc";

/// A harmless filler entry, to push the HAR over the streamed size.
fn filler(i: usize) -> Value {
    json!({
        "startedDateTime": "2024-05-01T10:00:00.000Z",
        "request": {"method": "GET", "url": format!("https://static.example.com/a/{i}.css"),
            "headers": [{"name": "Accept", "value": "text/css,*/*;q=0.1"}]},
        "response": {"status": 200, "headers": [],
            "content": {"mimeType": "text/css", "text": ".a{color:red}".repeat(40)}}
    })
}

fn entry(url: &str, req_headers: Value, extra_req: Value, content: Value) -> Value {
    let mut request = json!({
        "method": "POST",
        "url": url,
        "headers": req_headers,
        "queryString": [],
        "cookies": [],
    });
    if let (Value::Object(r), Value::Object(x)) = (&mut request, extra_req) {
        r.extend(x);
    }
    json!({
        "startedDateTime": "2024-05-01T10:00:00.000Z",
        "request": request,
        "response": {"status": 200, "headers": [], "content": content}
    })
}

/// The contexts: each gives an entry holding `V` where it is harmless (`false`) or
/// where its context names it a credential (`true`). The raw JSON string holding `V`
/// is the same in both.
/// A context's name, and its entry: harmless (`false`) or naming `V` (`true`).
type Context = (&'static str, fn(bool) -> Value);

fn contexts() -> Vec<Context> {
    vec![
        ("header name", |secret| {
            let name = if secret {
                "X-Api-Key"
            } else {
                "X-Request-Note"
            };
            entry(
                "https://api.example.com/v1/items",
                json!([{"name": name, "value": V}]),
                json!({}),
                json!({"mimeType": "text/plain", "text": "ok"}),
            )
        }),
        ("query parameter name", |secret| {
            let name = if secret { "access_token" } else { "q" };
            entry(
                "https://api.example.com/v1/search",
                json!([]),
                json!({"queryString": [{"name": name, "value": V}]}),
                json!({"mimeType": "text/plain", "text": "ok"}),
            )
        }),
        ("form field name", |secret| {
            let name = if secret { "password" } else { "comment" };
            entry(
                "https://api.example.com/v1/form",
                json!([]),
                json!({"postData": {"mimeType": "application/x-www-form-urlencoded",
                    "params": [{"name": name, "value": V}]}}),
                json!({"mimeType": "text/plain", "text": "ok"}),
            )
        }),
        ("member name", |secret| {
            let name = if secret { "_client_secret" } else { "_comment" };
            let mut e = entry(
                "https://api.example.com/v1/x",
                json!([]),
                json!({}),
                json!({"mimeType": "text/plain", "text": "ok"}),
            );
            e[name] = json!(V);
            e
        }),
        ("body MIME type", |secret| {
            // Read as text, `session_code: V` is a credential; an image's bytes are read
            // for token shapes only.
            let mime = if secret { "text/plain" } else { "image/x-icon" };
            entry(
                "https://api.example.com/v1/blob",
                json!([]),
                json!({}),
                json!({"mimeType": mime, "text": format!("session_code: {V}\n")}),
            )
        }),
        ("request URL", |secret| {
            // A secret store's read: the URL names the body's `value`.
            let url = if secret {
                "https://vault.example.com/secrets/db-password?api-version=7.4"
            } else {
                "https://api.example.com/v1/notes/7"
            };
            entry(
                url,
                json!([]),
                json!({}),
                json!({"mimeType": "application/json",
                    "text": format!("{{\"value\":\"{V}\",\"id\":\"n7\"}}")}),
            )
        }),
        ("pair around a value", |secret| {
            // `{"name": "password", "value": {...}}`: the strings inside are judged
            // under the pair's name too.
            let name = if secret { "password" } else { "theme" };
            let mut e = entry(
                "https://api.example.com/v1/settings",
                json!([]),
                json!({}),
                json!({"mimeType": "text/plain", "text": "ok"}),
            );
            e["_settings"] = json!([{"name": name, "value": {"current": V}}]);
            e
        }),
    ]
}

fn har(entries: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({"log": {"version": "1.2", "entries": entries}})).unwrap()
}

fn engines() -> (Engine, Engine) {
    let memo = common::engine("memo-test-key");
    let mut every = common::engine("memo-test-key");
    every.set_no_memo(true);
    (memo, every)
}

/// Clean `data` both ways, in memory and streamed, and scan it streamed; all must
/// agree with the reference, and `V` must be gone.
fn check(memo: &Engine, every: &Engine, what: &str, data: &[u8], failures: &mut Vec<String>) {
    let a = clean_bytes(memo, "m.har", data);
    let b = clean_bytes(every, "m.har", data);
    match (&a, &b) {
        (Ok(a), Ok(b)) => {
            if a.copy != b.copy {
                failures.push(format!("{what}: the in-memory copies differ"));
            }
            if a.findings != b.findings {
                failures.push(format!("{what}: the in-memory findings differ"));
            }
            if common::contains(&a.copy, V) || common::contains(&b.copy, V) {
                failures.push(format!("{what}: the value is still in the copy"));
            }
        }
        _ => failures.push(format!(
            "{what}: memo {:?}, every string {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        )),
    }
    let streamed = |e: &Engine| {
        let mut copy = Cursor::new(Vec::new());
        clean_reader(e, "m.har", Cursor::new(data), &mut copy).map(|f| (copy.into_inner(), f))
    };
    match (streamed(memo), streamed(every)) {
        (Ok(a), Ok(b)) => {
            if a != b {
                failures.push(format!("{what}: the streamed copies or findings differ"));
            }
            if common::contains(&a.0, V) {
                failures.push(format!("{what}: the value is still in the streamed copy"));
            }
        }
        (a, b) => failures.push(format!(
            "{what}: streamed: memo {:?}, every string {:?}",
            a.err(),
            b.err()
        )),
    }
    let scanned = |e: &Engine| scan_reader(e, "m.har", Cursor::new(data)).ok();
    if scanned(memo) != scanned(every) {
        failures.push(format!("{what}: the scans differ"));
    }
}

#[test]
fn memo_tells_every_context_apart() {
    let (memo, every) = engines();
    let cs = contexts();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (hn, harmless) in &cs {
        for (sn, secret) in &cs {
            // The harmless reading first and repeated (remembered, then looked up),
            // then the credential, then the harmless one again.
            let entries = vec![
                harmless(false),
                harmless(false),
                secret(true),
                harmless(false),
            ];
            check(
                &memo,
                &every,
                &format!("{hn} then {sn}"),
                &har(entries.clone()),
                &mut failures,
            );
            // The same, streamed: past the in-memory size, with filler between them
            // so that they fall in different batches.
            let mut big = Vec::new();
            for (i, e) in entries.into_iter().enumerate() {
                big.extend((0..900).map(|k| filler(i * 1000 + k)));
                big.push(e);
            }
            check(
                &memo,
                &every,
                &format!("{hn} then {sn}, streamed"),
                &har(big),
                &mut failures,
            );
            checked += 1;
        }
    }
    assert_eq!(checked, cs.len() * cs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The contexts that name `V` by themselves are needed: without them, the harmless
/// readings alone leave it (so the test above can fail).
#[test]
fn harmless_contexts_alone_keep_the_value() {
    let (memo, _) = engines();
    for (name, harmless) in contexts() {
        let c = clean_bytes(&memo, "m.har", &har(vec![harmless(false), harmless(false)]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            common::contains(&c.copy, V),
            "{name}: the harmless reading redacted it"
        );
    }
}
