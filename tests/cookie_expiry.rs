//! Cookie triage: a cookie's expiry (`Set-Cookie` `Expires`/`Max-Age`, HAR
//! `cookies[].expires`) goes into its findings as `cookie_expires` (unix seconds) and
//! `cookie_expired`, and `Finding::is_expired` combines it with a JWT's `exp`.
//! All credentials here are FAKE.

mod common;

use std::collections::BTreeMap;

use base64::Engine as _;
use common::*;
use harscrub::clean_bytes;
use harscrub::Engine;
use harscrub::Finding;
use serde_json::Value;

const OLD: &str = "FAKEoldSess1onVal0123456789abcdef";
const LIVE: &str = "FAKEliveT0kenVal9876543210ZYXWVU";
const SID: &str = "FAKEsessi0nOnlyVal55aa66bb77cc88";
const GONE: &str = "FAKEdeletedVal0123ab45cd67ef89gh";

/// 2015-10-21T07:28:00Z, the past `Expires` in the fixture.
const PAST: i64 = 1_445_412_480;
/// The entry's `startedDateTime`, 2024-03-15T17:02:11Z.
const STARTED: i64 = 1_710_522_131;
/// `Max-Age=1576800000` (50 years) counted from `startedDateTime`: 2074-03-03T17:02:11Z.
const LIVE_UNTIL: i64 = STARTED + 1_576_800_000;

fn engine() -> Engine {
    common::engine("cookie-expiry-test")
}

fn findings(name: &str, doc: &[u8]) -> Vec<Finding> {
    clean_bytes(&engine(), name, doc)
        .unwrap_or_else(|e| panic!("{e}"))
        .findings
}

/// (location, cookie_expires, cookie_expired) of every finding, in order.
fn triage(f: &[Finding]) -> Vec<(String, Option<i64>, Option<bool>)> {
    f.iter()
        .map(|f| (f.location.clone(), f.cookie_expires, f.cookie_expired))
        .collect()
}

#[test]
fn har_fixture_report_fields() {
    let fixture = testdata("har/cookie-expiry.har");
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--fingerprint-key",
        "k",
        s(&fixture),
    ]);
    assert_eq!(r.code, Some(1), "{r}");
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let got: BTreeMap<String, (Option<i64>, Option<bool>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"] != "/log/entries/0/request/headers/3/value")
        .map(|f| {
            (
                f["location"].as_str().unwrap().to_string(),
                (f["cookie_expires"].as_i64(), f["cookie_expired"].as_bool()),
            )
        })
        .collect();
    let at = |p: &str| format!("/log/entries/0/{p}/value");
    let want: BTreeMap<String, (Option<i64>, Option<bool>)> = [
        // Request cookies[]: ISO dates, and `"expires": null` (session).
        (at("request/cookies/0"), (Some(PAST), Some(true))),
        (at("request/cookies/1"), (Some(LIVE_UNTIL), Some(false))),
        (at("request/cookies/2"), (None, None)),
        // Set-Cookie: Expires in the past, Max-Age from startedDateTime, no
        // attribute (session), Max-Age=0 (deleted).
        (at("response/headers/2"), (Some(PAST), Some(true))),
        (at("response/headers/3"), (Some(LIVE_UNTIL), Some(false))),
        (at("response/headers/4"), (None, None)),
        (at("response/headers/5"), (Some(STARTED), Some(true))),
        // Response cookies[]: ISO dates, no expires member, a garbage date.
        (at("response/cookies/0"), (Some(PAST), Some(true))),
        (at("response/cookies/1"), (Some(LIVE_UNTIL), Some(false))),
        (at("response/cookies/2"), (None, None)),
        (at("response/cookies/3"), (None, None)),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{}", r.stdout);
    // The Cookie request header says nothing about expiry: three live findings.
    let cookie_header: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"] == at("request/headers/3"))
        .collect();
    assert_eq!(cookie_header.len(), 3);
    for f in cookie_header {
        let o = f.as_object().unwrap();
        assert!(!o.contains_key("cookie_expires") && !o.contains_key("cookie_expired"));
    }
    // Never a secret in the report.
    let secrets = [OLD, LIVE, SID, GONE].map(String::from);
    assert!(leaks(&r.all(), &secrets).is_empty());
    // The schema describes the new fields, and an expiry without its verdict is invalid.
    let schema: Value = serde_json::from_slice(&read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
    ))
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let mut report = report;
    let errors: Vec<String> = v.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let f = report["findings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f.get("cookie_expires").is_some())
        .unwrap();
    f.as_object_mut().unwrap().remove("cookie_expired");
    assert!(!v.is_valid(&report));
}

#[test]
fn is_expired_follows_cookies_and_jwts() {
    let doc = read(&testdata("har/cookie-expiry.har"));
    let f = findings("cookie-expiry.har", &doc);
    let expired: BTreeMap<String, Vec<bool>> = f.iter().fold(BTreeMap::new(), |mut m, f| {
        m.entry(f.location.clone())
            .or_default()
            .push(f.is_expired());
        m
    });
    let at = |p: &str| format!("/log/entries/0/{p}/value");
    assert_eq!(expired[&at("request/headers/3")], [false, false, false]);
    assert_eq!(expired[&at("request/cookies/0")], [true]);
    assert_eq!(expired[&at("request/cookies/1")], [false]);
    assert_eq!(expired[&at("request/cookies/2")], [false]);
    assert_eq!(expired[&at("response/headers/2")], [true]);
    assert_eq!(expired[&at("response/headers/3")], [false]);
    assert_eq!(expired[&at("response/headers/4")], [false]);
    assert_eq!(expired[&at("response/headers/5")], [true]);
    assert_eq!(f.iter().filter(|f| f.is_expired()).count(), 4);

    // A JWT: expired by its exp, or by its cookie, or live.
    let jwt = |exp: i64| {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.RkFLRXNpZ25hdHVyZUZBS0VzaWduYXR1cmU",
            b(r#"{"alg":"HS256","typ":"JWT"}"#),
            b(&format!(r#"{{"sub":"FAKE","exp":{exp}}}"#))
        )
    };
    let text = format!(
        "Set-Cookie: a={}; Expires=Wed, 21 Oct 2071 07:28:00 GMT\n\
         Set-Cookie: b={}; Expires=Wed, 21 Oct 2015 07:28:00 GMT\n\
         Set-Cookie: c={}; Path=/\n",
        jwt(1_000_000_000),
        jwt(4_000_000_000),
        jwt(4_000_000_000)
    );
    let f = findings("app.log", text.as_bytes());
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f.iter().all(|f| f.kind == "jwt"));
    let jwt_expired: Vec<_> = f.iter().map(|f| f.jwt.as_ref().unwrap().expired).collect();
    assert_eq!(jwt_expired, [Some(true), Some(false), Some(false)]);
    assert_eq!(
        f.iter().map(|f| f.cookie_expired).collect::<Vec<_>>(),
        [Some(false), Some(true), None]
    );
    assert_eq!(
        f.iter().map(Finding::is_expired).collect::<Vec<_>>(),
        [true, true, false]
    );
}

#[test]
fn set_cookie_in_logs_and_raw_http() {
    // No response time: Max-Age gives no absolute expiry (reports stay the same from
    // run to run), but a deletion is still a deletion.
    let log = "\
2024-03-15 17:02:11 INFO response headers:\n\
Set-Cookie: a=FAKEmaxAgeLive0123456789abc; Max-Age=3600; Path=/\n\
Set-Cookie: b=FAKEmaxAgeZero0123456789abc; Max-Age=0\n\
Set-Cookie: c=FAKEexpiresOld0123456789abc; expires=Wed, 21-Oct-2015 07:28:00 GMT; path=/\n\
Set-Cookie: d=FAKEsessionOnly0123456789ab; HttpOnly\n\
Set-Cookie: e=FAKEbadDate0123456789abcdef; Expires=someday; Max-Age=soon\n";
    let f = findings("app.log", log.as_bytes());
    assert_eq!(
        triage(&f),
        [
            ("2:15".to_string(), None, Some(false)),
            ("3:15".to_string(), None, Some(true)),
            ("4:15".to_string(), Some(PAST), Some(true)),
            ("5:15".to_string(), None, None),
            ("6:15".to_string(), None, None),
        ]
    );

    let http = "HTTP/1.1 302 Found\r\n\
Location: /home\r\n\
Set-Cookie: session=FAKEhttpSession0123456789ab; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Secure\r\n\
Content-Length: 0\r\n\r\n";
    let f = findings("response.txt", http.as_bytes());
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].cookie_expires, Some(4_070_908_800));
    assert_eq!(f[0].cookie_expired, Some(false));
    assert!(!f[0].is_expired());
}

#[test]
fn chrome_cookie_quirks_and_other_json() {
    // Chrome writes -1 (a session cookie) as 1969-12-31T23:59:59.000Z, and request
    // cookies' expiry in seconds read as milliseconds (January 1970).
    let har = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [
      {"startedDateTime": "2022-02-04T05:23:41.137Z", "time": 1,
       "request": {"method": "GET", "url": "https://a.example/", "httpVersion": "HTTP/1.1", "headers": [], "queryString": [],
         "cookies": [
           {"name": "JSESSIONID", "value": "FAKEjsession0123456789abcdef", "expires": "1969-12-31T23:59:59.999Z"},
           {"name": "auth", "value": "FAKEauthCookie0123456789abcd", "expires": "1969-12-31T23:59:59.000Z"},
           {"name": "ADRUM_BT1", "value": "FAKEadrumBt0123456789abcdefg", "expires": "1970-01-20T00:39:12.251Z"},
           {"name": "far", "value": "FAKEfarFuture0123456789abcde", "expires": "1970-02-15T00:00:00.000Z"},
           {"name": "nan", "value": "FAKEnanDate0123456789abcdefg", "expires": "NaN-NaN-NaNTNaN:NaN:NaN.NaN+NaN:NaN"},
           {"name": "num", "value": "FAKEnumeric0123456789abcdefg", "expires": 4102444800}
         ], "headersSize": -1, "bodySize": 0},
       "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
         "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
       "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}]}}"#;
    let f = findings("chrome.har", har.as_bytes());
    let got: Vec<(Option<i64>, Option<bool>)> = f
        .iter()
        .map(|f| (f.cookie_expires, f.cookie_expired))
        .collect();
    assert_eq!(
        got,
        [
            (None, None),
            (None, None),
            // 1970-01-20T00:39:12.251Z: 1,643,952,251 seconds, 2022-02-04T05:24:11Z.
            (Some(1_643_952_251), Some(true)),
            // 1970-02-15: 3,888,000,000 seconds, 2093-03-16: live.
            (Some(3_888_000_000), Some(false)),
            (None, None),
            (Some(4_102_444_800), Some(false)),
        ]
    );

    // A JSON cookie dump outside a HAR (browser automation) and a header map with a
    // Set-Cookie: the same rules; no startedDateTime, so Max-Age has no absolute time.
    let json = r#"{"cookies": [{"name": "s", "value": "FAKEstorageState0123456789ab", "expires": 1445412480.25}],
      "headers": {"set-cookie": "t=FAKEheaderMap0123456789abcde; Max-Age=-1"}}"#;
    let f = findings("state.json", json.as_bytes());
    assert_eq!(
        triage(&f),
        [
            ("/cookies/0/value".to_string(), Some(PAST), Some(true)),
            ("/headers/set-cookie".to_string(), None, Some(true)),
        ]
    );
}

#[test]
fn redaction_is_unchanged_by_triage() {
    // The attributes stay in the copy; only the values go.
    let doc = read(&testdata("har/cookie-expiry.har"));
    let o = clean_bytes(&engine(), "c.har", &doc).unwrap();
    let copy = String::from_utf8(o.copy).unwrap();
    for secret in [OLD, LIVE, SID, GONE] {
        assert!(!copy.contains(secret));
    }
    assert!(copy.contains("; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/; HttpOnly"));
    assert!(copy.contains("; Max-Age=0; Path=/"));
    assert!(copy.contains(r#""expires": "2074-03-03T17:02:11.000Z""#));
}

#[test]
fn sarif_levels_follow_is_expired() {
    let fixture = testdata("har/cookie-expiry.har");
    let r = run(&["scan", "--format", "sarif", "--exit-zero", s(&fixture)]);
    assert_eq!(r.code, Some(0), "{r}");
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut levels = BTreeMap::new();
    for res in sarif["runs"][0]["results"].as_array().unwrap() {
        let p = &res["properties"];
        let expired = p["cookie_expired"].as_bool();
        let level = res["level"].as_str().unwrap().to_string();
        let text = res["message"]["text"].as_str().unwrap();
        match expired {
            Some(true) => assert!(text.contains("Cookie expired"), "{text}"),
            Some(false) => assert!(text.contains("Cookie live"), "{text}"),
            None => assert!(!text.contains("Cookie "), "{text}"),
        }
        *levels.entry((expired, level)).or_insert(0) += 1;
    }
    let want: BTreeMap<(Option<bool>, String), i32> = [
        ((None, "error".to_string()), 7),
        ((Some(false), "error".to_string()), 3),
        ((Some(true), "warning".to_string()), 4),
    ]
    .into_iter()
    .collect();
    assert_eq!(levels, want);
    let secrets = [OLD, LIVE, SID, GONE].map(String::from);
    assert!(leaks(&r.all(), &secrets).is_empty());
}
