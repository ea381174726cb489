//! Detection by context, through the library: one small document per place a
//! credential hides, checking exactly what changed and what stayed.

mod common;

use base64::Engine as _;
use harscrub::clean_bytes;
use harscrub::Engine;

fn engine() -> Engine {
    common::engine("test-key")
}

fn clean(name: &str, doc: &str) -> (String, Vec<harscrub::Finding>) {
    let o = clean_bytes(&engine(), name, doc.as_bytes()).unwrap_or_else(|e| panic!("{}", e));
    (String::from_utf8(o.copy).unwrap(), o.findings)
}

fn ph(kind: &str, secret: &str) -> String {
    engine().placeholder_for(kind, secret.as_bytes())
}

/// A one-entry HAR around the given request and response JSON.
fn har(request: &str, response: &str) -> String {
    format!(
        r#"{{"log": {{"version": "1.2", "creator": {{"name": "t", "version": "1"}}, "entries": [{{"startedDateTime": "2024-01-01T00:00:00Z", "time": 1, "request": {}, "response": {}, "cache": {{}}, "timings": {{"send": 0, "wait": 1, "receive": 0}}}}]}}}}"#,
        request, response
    )
}

fn req(url: &str, headers: &str, extra: &str) -> String {
    format!(
        r#"{{"method": "GET", "url": "{}", "httpVersion": "HTTP/1.1", "headers": [{}], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0{}}}"#,
        url, headers, extra
    )
}

const RESP: &str = r#"{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1, "bodySize": 0}"#;

const TOKEN: &str = "Zk9xV2pQbXN0UkQ3aGZ1bjJ4c0FCCDEFghijk";

#[test]
fn cookie_header_values_go_names_stay() {
    let doc = har(
        &req(
            "https://a.example/",
            r#"{"name": "Cookie", "value": "session=Kq8s7dHf6Gv5Bn4M3; theme=dark"}"#,
            "",
        ),
        RESP,
    );
    let (out, f) = clean("a.har", &doc);
    assert!(!out.contains("Kq8s7dHf6Gv5Bn4M3"));
    assert!(out.contains(&format!(
        "session={}; theme={}",
        ph("cookie", "Kq8s7dHf6Gv5Bn4M3"),
        ph("cookie", "dark")
    )));
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].location, "/log/entries/0/request/headers/0/value");
    assert_eq!(f[0].rule, "context.cookie");
}

#[test]
fn set_cookie_keeps_attributes() {
    let resp = RESP.replace(r#""headers": []"#, r#""headers": [{"name": "set-cookie", "value": "sid=AbCdEf123456GhIj; Path=/; HttpOnly; Secure\nlang=en; Path=/"}]"#);
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    assert!(
        out.contains(&format!(
            "sid={}; Path=/; HttpOnly; Secure\\nlang={}; Path=/",
            ph("cookie", "AbCdEf123456GhIj"),
            ph("cookie", "en")
        )),
        "{}",
        out
    );
}

/// A `Set-Cookie` without `=` sets a cookie with an empty name (what browsers do):
/// its value is as secret as any other cookie's, in a HAR header or a JSON key.
#[test]
fn nameless_set_cookie_value_goes() {
    let resp = RESP.replace(
        r#""headers": []"#,
        r#""headers": [{"name": "Set-Cookie", "value": "Wq4Tz8Lm2Xp9Rv3Ks7Bn; Path=/; Secure"}]"#,
    );
    let (out, f) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    assert!(
        out.contains(&format!(
            "{}; Path=/; Secure",
            ph("cookie", "Wq4Tz8Lm2Xp9Rv3Ks7Bn")
        )),
        "{out}"
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "context.set-cookie");
    let (out, _) = clean("a.json", r#"{"set_cookie": "Qa7LmX2pR9sT4vW8; Path=/"}"#);
    assert_eq!(
        out,
        format!(
            r#"{{"set_cookie": "{}; Path=/"}}"#,
            ph("cookie", "Qa7LmX2pR9sT4vW8")
        )
    );
}

#[test]
fn authorization_keeps_scheme() {
    let doc = har(
        &req(
            "https://a.example/",
            &format!(
                r#"{{"name": "authorization", "value": "Bearer {}"}}, {{"name": "Proxy-Authorization", "value": "Basic dXNlcjpodW50ZXIy"}}"#,
                TOKEN
            ),
            "",
        ),
        RESP,
    );
    let (out, _) = clean("a.har", &doc);
    assert!(
        out.contains(&format!("Bearer {}", ph("bearer-token", TOKEN))),
        "{}",
        out
    );
    assert!(out.contains(&format!("Basic {}", ph("basic-auth", "dXNlcjpodW50ZXIy"))));
}

#[test]
fn same_secret_same_placeholder_across_url_query_and_referer() {
    let url = format!("https://app.example/cb?code={}&state=xyz", TOKEN);
    let r = req(&url, &format!(r#"{{"name": "Referer", "value": "{}"}}"#, url), "").replace(r#""queryString": []"#, &format!(r#""queryString": [{{"name": "code", "value": "{}"}}, {{"name": "state", "value": "xyz"}}]"#, TOKEN));
    let (out, f) = clean("a.har", &har(&r, RESP));
    assert!(!out.contains(TOKEN));
    let p = ph("auth-code", TOKEN);
    assert_eq!(out.matches(&p).count(), 3, "{}", out);
    assert!(out.contains("state=xyz"));
    assert_eq!(f.len(), 3);
}

#[test]
fn fragment_and_userinfo() {
    let url = format!(
        "https://user:pa55w0rd@app.example/#id_token=abc.def&access_token={}&token_type=Bearer",
        TOKEN
    );
    let (out, _) = clean("a.har", &har(&req(&url, "", ""), RESP));
    assert!(!out.contains("pa55w0rd") && !out.contains(TOKEN) && !out.contains("abc.def"));
    assert!(out.contains("https://user:[REDACTED:password:"));
    assert!(out.contains("&token_type=Bearer"));
}

/// Connection strings are seldom percent-encoded: a `/`, `#` or `?` written raw in the
/// password still belongs to it when an `@host` follows before any space, `=` or `&`;
/// a port (or an IPv6 host) followed by a path or query holding an `@` is left alone.
#[test]
fn userinfo_password_with_raw_hash_or_question_mark() {
    for pw in [
        "FAKEpa55#w0rd",
        "FAKEpa55?w0rd",
        "FAKE#pa55?w0rd",
        "FAKEpa55/w0rd",
        "FAKE/pa55#w0rd",
    ] {
        let url = format!("https://app:{}@db.example.com:5432/x?sslmode=require", pw);
        let (out, f) = clean("a.har", &har(&req(&url, "", ""), RESP));
        assert!(!out.contains(pw), "{}", out);
        assert!(
            out.contains("@db.example.com:5432/x?sslmode=require"),
            "{}",
            out
        );
        assert!(!f.is_empty());
        let log = format!("DATABASE_URL=postgres://app:{}@db.internal:5432/app\n", pw);
        let o = clean_bytes(&engine(), "app.log", log.as_bytes()).unwrap();
        let copy = String::from_utf8(o.copy).unwrap();
        assert!(!copy.contains(pw), "{}", copy);
        assert!(copy.contains("postgres://app:[REDACTED:"), "{}", copy);
    }
    for url in [
        "http://localhost:8080?email=someone@example.com",
        "http://localhost:4873/@babel/core",
        "http://[::1]:8080/users/@alice",
    ] {
        let (out, f) = clean("a.har", &har(&req(url, "", ""), RESP));
        assert!(out.contains(url), "{}", out);
        assert!(f.is_empty(), "{}", url);
    }
}

/// A `name=value;name=value` body without `&` is a connection string, not a form: a
/// base64 key in it keeps its `+` (a form would read a space there and cut the key).
/// A form body is still read as a form.
#[test]
fn connection_string_body_keeps_base64_key_whole() {
    let key = "FAKEa2V5Zm9yYXp1cmVzdG9yYWdl+YWNjb3VudHRlc3Rpbmc+b25seQ/FAKEkey==";
    let text = format!(
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net",
        key
    );
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(r#""mimeType": "text/plain", "text": "{}""#, text),
    );
    let (out, f) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    assert!(
        !out.contains("YWNjb3VudHRlc3Rpbmc") && !out.contains("FAKEkey"),
        "{}",
        out
    );
    assert!(out.contains(";EndpointSuffix=core.windows.net"), "{}", out);
    assert!(
        out.contains("AccountName=acct;AccountKey=[REDACTED:"),
        "{}",
        out
    );
    assert_eq!(f.len(), 1);
    let form = RESP.replace(
        r#""mimeType": "text/plain""#,
        r#""mimeType": "text/plain", "text": "user=bob&password=FAKE+pass+word1""#,
    );
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", ""), &form));
    assert!(out.contains("user=bob&password=[REDACTED:"), "{}", out);
    assert!(!out.contains("word1"), "{}", out);
}

/// SQL that sets a password: the quoted literal goes, the statement stays.
#[test]
fn sql_password_statements() {
    for (sql, pw) in [
        (
            "CREATE USER app WITH PASSWORD 'FAKEs3cretPw1';",
            "FAKEs3cretPw1",
        ),
        (
            "ALTER USER 'app'@'%' IDENTIFIED BY 'FAKEs3cretPw2';",
            "FAKEs3cretPw2",
        ),
        (
            "SET PASSWORD FOR 'app'@'localhost' = 'FAKEs3cretPw3';",
            "FAKEs3cretPw3",
        ),
        (
            "CREATE ROLE app WITH LOGIN PASSWORD 'FAKEs3cretPw4';",
            "FAKEs3cretPw4",
        ),
        (
            "CREATE ROLE app LOGIN CREATEDB PASSWORD 'FAKEs3cretPw5' VALID UNTIL 'infinity';",
            "FAKEs3cretPw5",
        ),
        // SQL Server's Unicode literal: its `N` stays.
        (
            "CREATE LOGIN app WITH PASSWORD = N'FAKEs3cretPw6', CHECK_POLICY = OFF;",
            "FAKEs3cretPw6",
        ),
        // Oracle takes the password without quotes.
        ("ALTER USER scott IDENTIFIED BY FAKEtiger7;", "FAKEtiger7"),
    ] {
        let o = clean_bytes(&engine(), "migrate.log", sql.as_bytes()).unwrap();
        let copy = String::from_utf8(o.copy).unwrap();
        assert!(!copy.contains(pw), "{}", copy);
        assert!(copy.contains("[REDACTED:password:"), "{}", copy);
        assert_eq!(o.findings.len(), 1, "{}", copy);
        assert_eq!(copy.matches("[REDACTED").count(), 1, "{}", copy);
    }
    let o = clean_bytes(
        &engine(),
        "migrate.log",
        b"CREATE LOGIN app WITH PASSWORD = N'FAKEs3cretPw6';",
    )
    .unwrap();
    assert!(String::from_utf8(o.copy)
        .unwrap()
        .contains("= N'[REDACTED:password:"));
}

/// Private keys outside a PEM block's usual layout: a JSON Web Key's private members,
/// a base64 DER key without its PEM lines, a PEM key printed one line per log record.
/// The public parts and the log prefixes stay.
#[test]
fn private_keys_as_jwk_bare_der_and_prefixed_log_lines() {
    let b64 = |n: usize, seed: u8| -> String {
        (0..n)
            .map(|i| {
                let x = (i as u8).wrapping_mul(37).wrapping_add(seed);
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [usize::from(x % 64)] as char
            })
            .collect()
    };
    let url = |s: String| s.replace('+', "-").replace('/', "_");
    let (x, d, k) = (url(b64(43, 1)), url(b64(43, 2)), url(b64(43, 3)));
    let jwks = format!(
        r#"{{"keys": [{{"kty": "EC", "crv": "P-256", "x": "{x}", "y": "{x}", "d": "{d}", "kid": "k1"}}, {{"kty": "oct", "k": "{k}", "alg": "HS256"}}]}}"#
    );
    let (copy, findings) = clean("jwks.json", &jwks);
    assert_eq!(findings.len(), 2, "{copy}");
    assert!(!copy.contains(&d) && !copy.contains(&k), "{copy}");
    assert!(copy.contains(&format!(r#""x": "{x}""#)), "{copy}");
    assert!(copy.contains(r#""d": "[REDACTED:private-key:"#), "{copy}");
    // Without `kty`, a `d` is anyone's.
    let (copy, findings) = clean("a.json", &format!(r#"{{"d": "{d}", "k": "{k}"}}"#));
    assert!(findings.is_empty(), "{copy}");

    // Base64 DER: PKCS#8 and PKCS#1 RSA, PKCS#8 EC, on one line or wrapped.
    let pkcs8 = format!(
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ{}",
        b64(80, 4)
    );
    let pkcs1 = format!(
        "MIIEowIBAAKCAQEA{}\n{}\n{}==",
        b64(48, 5),
        b64(64, 6),
        b64(20, 7)
    );
    let ec = format!(
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg{}",
        b64(44, 8)
    );
    for key in [&pkcs8, &pkcs1, &ec] {
        let doc = format!("2024-01-01 INFO loaded {key}\n2024-01-01 INFO ready\n");
        let (copy, findings) = clean("app.log", &doc);
        assert!(!findings.is_empty(), "{copy}");
        for line in key.lines() {
            assert!(!copy.contains(&line[..16]), "{copy}");
        }
        assert!(copy.ends_with("2024-01-01 INFO ready\n"), "{copy}");
    }
    // A certificate and a public key are no private key.
    for public in [
        "MIIC+TCCAeGgAwIBAgIUDhPclM7nkqrKrgNnuUV5Yw0ZtcIwDQYJKoZIhvcNAQELBQAwDDEKMAgGA1UEAwwBeDAeFw0y",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvSf2publicKeyBodyOnly0123456789abcdefABCDEF",
    ] {
        let (copy, findings) = clean("app.log", &format!("cert: {public}\n"));
        assert!(findings.is_empty(), "{copy}");
    }

    // A PEM key printed one line per record, after each record's prefix.
    let body: Vec<String> = (0..5).map(|i| b64(64, 10 + i)).collect();
    for (prefix, eol) in [
        ("2024-05-01T10:00:00.1234567Z ", "\n"),
        ("May 01 10:00:00 host app[123]: ", "\r\n"),
        ("app-7d9f  | ", "\n"),
    ] {
        let mut doc = format!("{prefix}-----BEGIN RSA PRIVATE KEY-----{eol}");
        for line in &body {
            doc.push_str(&format!("{prefix}{line}{eol}"));
        }
        doc.push_str(&format!(
            "{prefix}-----END RSA PRIVATE KEY-----{eol}{prefix}started{eol}"
        ));
        let (copy, _) = clean("ci.log", &doc);
        for line in &body {
            assert!(!copy.contains(&line[..16]), "{copy}");
        }
        assert_eq!(copy.matches(prefix).count(), body.len() + 3, "{copy}");
        assert_eq!(copy.matches(eol).count(), body.len() + 3, "{copy}");
    }
}

/// A quoted value cut off before its closing quote (a log line truncated within it, a
/// body that ends early: Firefox's size limit, an aborted response, a WebSocket frame
/// continued in the next) loses the rest of its line; the lines around it stay.
#[test]
fn values_cut_off_before_their_closing_quote() {
    let s = "hPONXP3XcvPibMVzSe0Zos8zOWAC3brn7aD5BC4h";
    for (name, doc, kept) in [
        (
            "a.log",
            format!("2024 DEBUG body={{\"access_token\":\"{s}\n2024 INFO next\n"),
            "2024 INFO next",
        ),
        (
            "a.log",
            format!("DEBUG {{\"user\":\"bob\",\"password\":\"{s}... (truncated 2048 bytes)\n"),
            "\"user\":\"bob\"",
        ),
        (
            "a.log",
            format!("level=info password=\"{s}\nlevel=info msg=ok\n"),
            "msg=ok",
        ),
        (
            "a.log",
            format!("DEBUG creds={{'user': 'bob', 'password': '{s}\n"),
            "'user': 'bob'",
        ),
        (
            "a.log",
            format!("{{\"level\":\"debug\",\"msg\":\"{{\\\"refresh_token\\\":\\\"{s}\"}}\n"),
            "\"level\":\"debug\"",
        ),
    ] {
        let (copy, findings) = clean(name, &doc);
        assert!(!copy.contains(&s[..12]), "{doc} => {copy}");
        assert_eq!(findings.len(), 1, "{doc} => {copy}");
        assert!(copy.contains(kept), "{doc} => {copy}");
    }
    // In a HAR: a response body and a WebSocket frame that end inside the value.
    let body = format!(r#"{{\"user\":{{\"id\":1}},\"access_token\":\"{s}"#);
    let response = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(r#""mimeType": "application/json", "text": "{body}""#),
    );
    let doc = har(&req("https://example.test/token", "", ""), &response);
    let (copy, findings) = clean("t.har", &doc);
    assert!(!copy.contains(&s[..12]), "{copy}");
    assert_eq!(findings.len(), 1);
    assert!(
        copy.contains(r#"{\"user\":{\"id\":1},\"access_token\":\"[REDACTED:"#),
        "{copy}"
    );
    // Closed on a later line by another value's quote: nothing to cut (the pair above
    // it is whole), and a placeholder cut off in a decoded piece is no value.
    let (copy, findings) = clean("b.log", "note: \"hello\"\nname=\"[REDACTED:token:0123\n");
    assert!(findings.is_empty(), "{copy}");
}

/// Debug dumps and scripts that show a password: PHP `print_r` (one line or many) and
/// `var_dump`, a Perl or PHP `NAME => value` line (the arrow stays), PowerShell
/// `ConvertTo-SecureString` (given or piped the text).
#[test]
fn debug_dumps_and_scripts_lose_their_passwords() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    for (doc, kept) in [
        (
            format!("Array ( [user] => bob [password] => {pw} )\n"),
            "[user] => bob [password] => [REDACTED:",
        ),
        (
            format!("Array\n(\n    [region] => eu-west-1\n    [db_password] => {pw}\n)\n"),
            "[region] => eu-west-1\n    [db_password] => [REDACTED:",
        ),
        (
            format!("array(2) {{\n  [\"region\"]=>\n  string(9) \"eu-west-1\"\n  [\"api_key\"]=>\n  string(24) \"{pw}\"\n}}\n"),
            "string(24) \"[REDACTED:",
        ),
        (format!("DB_PASSWORD => {pw}\n"), "DB_PASSWORD => [REDACTED:"),
        (
            format!("$cred = ConvertTo-SecureString \"{pw}\" -AsPlainText -Force\n"),
            "ConvertTo-SecureString \"[REDACTED:",
        ),
        (
            format!("$cred = '{pw}' | ConvertTo-SecureString -AsPlainText -Force\n"),
            "$cred = '[REDACTED:",
        ),
    ] {
        let (out, f) = clean("debug.log", &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    // A `print_r` dump in a page (markup, where an unquoted right-hand side is
    // otherwise code): the rest of its line goes, blanks and all, up to a tag; a
    // script's arrow function stays.
    for (name, doc) in [
        (
            "debug.html",
            format!("<pre>\nArray\n(\n    [user] => bob\n    [password] => {pw} two words\n)\n</pre><script>const f = ([password]) => login(password);</script>\n"),
        ),
        (
            "inline.html",
            format!("<pre>Array\n(\n    [user] => bob\n    [password] => {pw} two words</pre>\n"),
        ),
    ] {
        let (out, f) = clean(name, &doc);
        assert!(!out.contains(pw) && !out.contains("two words"), "{out}");
        assert!(out.contains("[user] => bob\n    [password] => [REDACTED:"), "{out}");
        assert!(
            out.contains("<script>const f = ([password]) => login(password);</script>")
                || out.ends_with("]</pre>\n"),
            "{out}"
        );
        assert_eq!(f.len(), 1, "{out}");
    }
    // A `<pre>` is read as plain text with its tags taken out: Symfony's and
    // Laravel's `dump()` (a tag around every key and value), a log shown in a page.
    // The tags and what is outside the `<pre>` stay.
    let dump = format!(
        "<pre class=sf-dump id=sf-dump-1><span class=sf-dump-note>array:2</span> [<samp data-depth=1 class=sf-dump-expanded>\n  \"<span class=sf-dump-key>email</span>\" => \"<span class=sf-dump-str title=\"15 characters\">bob@example.com</span>\"\n  \"<span class=sf-dump-key>password</span>\" => \"<span class=sf-dump-str title=\"24 characters\">{pw}</span>\"\n</samp>]\n</pre>"
    );
    for (name, doc) in [
        ("dump.html", format!("<html><body>{dump}</body></html>\n")),
        (
            "log.html",
            format!("<html><body><script>var password = readIt();</script><pre>\n<b>12:00</b> DB_PASSWORD={pw}\nuser=bob\n</pre></body></html>\n"),
        ),
    ] {
        let (out, f) = clean(name, &doc);
        assert!(!out.contains(pw), "{out}");
        assert_eq!(out.replace(&ph("password", pw), pw), doc, "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
}

/// A copy of `Authorization` made by a proxy or a gateway is read as `Authorization`:
/// the scheme word stays, the credential goes (in a HAR header and in a text).
#[test]
fn authorization_copies_made_by_proxies_lose_their_credential() {
    let basic = base64::engine::general_purpose::STANDARD.encode("alice:Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1");
    for (name, value, kept) in [
        (
            "X-Amzn-Remapped-Authorization",
            format!("Basic {basic}"),
            "Basic [REDACTED:",
        ),
        (
            "X-Forwarded-Authorization",
            format!("Bearer {TOKEN}"),
            "Bearer [REDACTED:",
        ),
        (
            "Grpc-Metadata-Authorization",
            format!("Bearer {TOKEN}"),
            "Bearer [REDACTED:",
        ),
        ("X-Original-Authorization", TOKEN.to_string(), "[REDACTED:"),
        ("X-Authentication", TOKEN.to_string(), "[REDACTED:"),
    ] {
        let secret = value.rsplit(' ').next().unwrap().to_string();
        let doc = har(
            &req(
                "https://api.example.com/v1",
                &format!(r#"{{"name": "{name}", "value": "{value}"}}"#),
                "",
            ),
            RESP,
        );
        let (out, _) = clean("proxy.har", &doc);
        assert!(!out.contains(&secret), "{out}");
        assert!(
            out.contains(&format!(r#""name": "{name}", "value": "{kept}"#)),
            "{out}"
        );
        let (out, f) = clean("proxy.log", &format!("{name}: {value}\n"));
        assert!(!out.contains(&secret), "{out}");
        assert!(out.starts_with(&format!("{name}: {kept}")), "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    // Headers that only mention authorization keep their value.
    let (out, f) = clean("proxy.log", "WWW-Authenticate: Bearer realm=\"api\"\n");
    assert_eq!(out, "WWW-Authenticate: Bearer realm=\"api\"\n");
    assert!(f.is_empty());
}

/// An AWS secret key written right after its key id without a name (s3fs's
/// `passwd-s3fs`, a CSV row without its header): both go.
#[test]
fn aws_secret_key_beside_its_key_id() {
    let (id, secret) = (
        "AKIAQ2RFAKEFAKE7XK12",
        "wJalrXUtnFEMIK7MDENGbPxRfiCYfakeKEY0a+b1",
    );
    for sep in [":", " ", "\t", ",", "\",\""] {
        let doc = format!("\"{id}{sep}{secret}\"\n");
        let (out, f) = clean("passwd-s3fs", &doc);
        assert!(!out.contains(id) && !out.contains(secret), "{out}");
        assert_eq!(f.len(), 2, "{out}");
        assert!(
            out.contains(&format!("]{sep}[REDACTED:aws-secret-key:")),
            "{out}"
        );
    }
}

/// A value addressed by a path or an id names it: JSON Patch and SCIM PatchOp
/// operations, a settings list, a form error, a DynamoDB attribute value; the same
/// shapes with an ordinary name keep their value.
#[test]
fn values_named_by_a_path_or_an_id() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    for doc in [
        format!(
            r#"{{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{{"op": "replace", "path": "password", "value": "{pw}"}}]}}"#
        ),
        format!(r#"[{{"op": "add", "path": "/credentials/client_secret", "value": "{pw}"}}]"#),
        format!(r#"{{"settings": [{{"id": "smtp.password", "value": "{pw}"}}]}}"#),
        format!(
            r#"{{"errors": [{{"field": "password", "message": "too short", "value": "{pw}"}}]}}"#
        ),
        format!(
            r#"{{"TableName": "users", "Item": {{"pk": {{"S": "alice"}}, "password": {{"S": "{pw}"}}}}}}"#
        ),
    ] {
        let (out, f) = clean("body.json", &doc);
        assert!(!out.contains(pw), "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    for doc in [
        r#"[{"op": "replace", "path": "/region", "value": "eu-west-1"}]"#,
        r#"{"settings": [{"id": "region", "value": "eu-west-1"}]}"#,
        r#"{"Item": {"pk": {"S": "alice"}, "region": {"S": "eu-west-1"}}}"#,
    ] {
        let (out, f) = clean("body.json", doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
}

/// A value shown under its label: phpinfo's environment and `$_SERVER` tables, an
/// account page's `<th>`/`<td>` and `<dt>`/`<dd>`, Markdown and ASCII tables of two
/// columns. The labels stay, and a cell of prose under a credential's label too.
#[test]
fn values_shown_under_their_label() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    for (file, doc, kept) in [
        (
            "phpinfo.html",
            format!(r#"<tr><td class="e">DB_PASSWORD </td><td class="v">{pw} </td></tr><tr><td class="e">REGION </td><td class="v">eu-west-1 </td></tr>"#),
            r#"<td class="e">DB_PASSWORD </td><td class="v">[REDACTED:"#,
        ),
        (
            "phpinfo.html",
            format!(r#"<tr><td class="e">$_SERVER['API_KEY']</td><td class="v">{pw}</td></tr><tr><td class="e">$_SERVER['REGION']</td><td class="v">eu-west-1</td></tr>"#),
            r#"$_SERVER['API_KEY']</td><td class="v">[REDACTED:"#,
        ),
        (
            "account.html",
            format!("<table><tr><th>Client secret:</th>\n  <td>{pw}</td></tr><tr><th>Region</th><td>eu-west-1</td></tr></table>"),
            "<th>Client secret:</th>\n  <td>[REDACTED:",
        ),
        (
            "account.html",
            format!("<dl><dt>Access token</dt><dd>{pw}</dd><dt>Region</dt><dd>eu-west-1</dd></dl>"),
            "<dt>Access token</dt><dd>[REDACTED:",
        ),
        (
            "notes.md",
            format!("| Name | Value |\n|---|---|\n| Region | eu-west-1 |\n| Secret key | {pw} |\n"),
            "| Secret key | [REDACTED:",
        ),
        (
            "out.txt",
            format!("+------------+----+\n| Key        | Value |\n| region     | eu-west-1 |\n| auth_token | {pw} |\n+----+\n"),
            "| auth_token | [REDACTED:",
        ),
        (
            "account.html",
            format!(r#"<div class="row"><span class="key">Private token</span><span class="value">{pw}</span></div><div>eu-west-1</div>"#),
            r#"<span class="key">Private token</span><span class="value">[REDACTED:"#,
        ),
        (
            "account.html",
            format!(r#"<label for="k">API key</label> <input id="k" type="text" readonly value="{pw}"><span>eu-west-1</span>"#),
            r#"readonly value="[REDACTED:"#,
        ),
        (
            "welcome.html",
            format!("<p>Your password is <code>{pw}</code>. Region eu-west-1.</p>"),
            "Your password is <code>[REDACTED:",
        ),
    ] {
        let (out, f) = clean(file, &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert!(out.contains("eu-west-1"), "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    for (file, doc) in [
        ("help.html", "<table><tr><th>Password</th><td>at least 12 characters</td></tr></table>"),
        ("help.md", "| password | the password of the account |\n"),
        (
            "help.html",
            "<p><span class=\"label\">Password</span><span>Forgotten it? Reset it below.</span></p>",
        ),
    ] {
        let (out, f) = clean(file, doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
}

/// Script that sets a cookie (`document.cookie = "…"`) sets one: its value goes, its
/// attributes stay, a value quoted with escaped quotes goes whole; a quoted value with
/// an escaped quote inside goes whole too.
#[test]
fn script_cookie_assignments_and_escaped_quotes() {
    let (a, b) = (
        "Zk3Lm9Qp2Rt7Vx4Nw8Bc6Hd1Jf5GsAAA==",
        "Ak3Lm9Qp2Rt7Vx4Nw8Bc6Hd1Jf5Gs",
    );
    let doc = format!(
        "document.cookie = \"quoted=\\\"{a}\\\"; path=/\";\ndocument.cookie = \"sid={b}; path=/; secure\";\n"
    );
    let (out, f) = clean("app.js", &doc);
    assert!(!out.contains(a) && !out.contains(b), "{out}");
    assert!(out.contains("; path=/\";\n"), "{out}");
    assert!(out.contains("; path=/; secure\";"), "{out}");
    assert_eq!(f.len(), 2, "{out}");
    let (out, f) = clean("settings.txt", "password = \"abc\\\"defGHIjkl123\"\n");
    assert!(!out.contains("defGHIjkl123"), "{out}");
    assert_eq!(f.len(), 1, "{out}");
}

/// Configuration shapes of support bundles: a YAML value on the lines after its key
/// (block scalars, a plain scalar on the next deeper line), a Java properties line
/// continued, a byte order mark before the first line, a SQLAlchemy URL
/// (`mysql+pymysql://`), header directives of nginx and Apache, the credential flags
/// of an argument list (JSON, a YAML flow list, a YAML block list).
#[test]
fn config_shapes_of_support_bundles() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{pw}"));
    for (file, doc, kept) in [
        ("app.yml", format!("app:\n  api_secret: |\n    {pw}\n  region: eu-west-1\n"), "api_secret: |\n    [REDACTED:"),
        ("app.yml", format!("app:\n  token: >-\n    {}\n    {}\n  region: eu-west-1\n", &pw[..12], &pw[12..]), "token: >-\n    [REDACTED:"),
        ("app.yml", format!("app:\n  password:\n    {pw}\n  region: eu-west-1\n"), "password:\n    [REDACTED:"),
        ("app.properties", format!("app.api.key=\\\n    {pw}\napp.region=eu-west-1\n"), "app.api.key=\\\n    [REDACTED:"),
        // The same inside a JSON string (a HAR body), read by the key/value reader.
        ("body.json", format!("{{\"body\": \"app.api.key=\\\\\\n    {pw}\\napp.region=eu-west-1\\n\"}}"), "app.api.key=\\\\\\n    [REDACTED:"),
        (".env", format!("\u{feff}DB_PASSWORD={pw}\nREGION=eu-west-1\n"), "\u{feff}DB_PASSWORD=[REDACTED:"),
        ("app.py", format!("engine = create_engine(\"mysql+pymysql://app:{pw}@db/app\")  # eu-west-1\n"), "mysql+pymysql://app:[REDACTED:"),
        ("nginx.conf", format!("location / {{\n  proxy_set_header X-Api-Key {pw};\n  proxy_set_header Host eu-west-1;\n}}\n"), "proxy_set_header X-Api-Key [REDACTED:"),
        ("nginx.conf", format!("proxy_set_header Authorization \"Basic {basic}\"; # eu-west-1\n"), "\"Basic [REDACTED:"),
        ("httpd.conf", format!("RequestHeader set X-API-Key \"{pw}\"\nServerName eu-west-1\n"), "X-API-Key \"[REDACTED:"),
        ("inspect.json", format!(r#"{{"Cmd": ["redis-server", "--requirepass", "{pw}", "--region", "eu-west-1"]}}"#), r#""--requirepass", "[REDACTED:"#),
        ("pod.yaml", format!("args: [\"--api-token\", \"{pw}\", \"--region\", \"eu-west-1\"]\n"), "\"--api-token\", \"[REDACTED:"),
        ("pod.yaml", format!("args:\n  - --db-password\n  - {pw}\n  - --region\n  - eu-west-1\n"), "- --db-password\n  - [REDACTED:"),
        (".msmtprc", format!("account default\nhost eu-west-1.smtp.corp\nuser alerts\npassword {pw}\n"), "\npassword [REDACTED:"),
        ("httpd.conf", format!("AuthLDAPURL \"ldap://eu-west-1/\"\nAuthLDAPBindPassword \"{pw}\"\n"), "AuthLDAPBindPassword \"[REDACTED:"),
        ("haproxy.cfg", format!("userlist admins\n  user admin insecure-password {pw}\n# eu-west-1\n"), "insecure-password [REDACTED:"),
    ] {
        let (out, f) = clean(file, &doc);
        assert!(!out.contains(pw) && !out.contains(&pw[12..]) && !out.contains(&basic), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert!(out.contains("eu-west-1"), "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    // Directives in prose keep their words: a plain word, a variable.
    let doc = "the password required\nchange password now\nset password $PW\n";
    let (out, f) = clean("notes.txt", doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{f:?}");
    // A key whose deeper lines are members keeps them.
    let doc = "auth:\n  user: bob\n  region: eu-west-1\n";
    let (out, f) = clean("app.yml", doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{f:?}");
}

/// Two refusals of configuration files that are cleaned: a Sentry DSN under an env
/// name (its key in the URL is redacted; the URL with a placeholder is no secret of its
/// own), and a quoted password holding a `%` that is no percent-encoding.
#[test]
fn dsn_and_percent_in_password_are_cleaned() {
    let key = "0123456789abcdef0123456789abcdef";
    let (out, f) = clean(
        ".env",
        &format!("SENTRY_DSN=https://{key}@o123.ingest.sentry.io/456\n"),
    );
    assert!(!out.contains(key), "{out}");
    assert!(out.contains("@o123.ingest.sentry.io/456"), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
    for doc in [
        "db:\n  password: \"ab%B4LH90mIBxyz\"\n",
        // With an `&` elsewhere, read by the layer of mixed escapes too.
        "db:\n  password: \"4B=*OGc+%B4LH90mIBxyz\"\nnote: \"a&5~b\"\n",
    ] {
        let (out, f) = clean("db.yaml", doc);
        assert!(!out.contains("LH90mIBxyz"), "{out}");
        assert!(out.contains("password: \"[REDACTED:"), "{out}");
        assert_eq!(f.len(), 1, "{f:?}");
    }
}

/// Two inputs that were refused (no copy) and are cleaned: an `=` decoded from `%3D`
/// at the end of a 76-byte line is no quoted-printable soft break, and a rule that
/// matches the first segments of a JWT whose signature is redacted has nothing left
/// to do.
#[test]
fn shapes_once_refused_are_cleaned() {
    let sig = "tqJfUyqIcYO5Tcn88F1XEJofYQIrs";
    let doc = format!("https://a.example/?se=2030-01-01T00:00:00Z&sig={sig}%3D\nb,c\n");
    let (out, f) = clean("urls.txt", &doc);
    assert!(!out.contains(sig), "{out}");
    assert!(out.ends_with("]\nb,c\n"), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTI5MjM5OSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.OhfhSPoraVPNx8ErNN9d8ajLoD3qu8r-mcZT7_pn5KM";
    let (out, f) = clean("access.log", &format!("CF-Access-Client-Secret: {jwt}\n"));
    assert!(!out.contains("OhfhSPoraVPNx8ErNN9d8ajLoD3qu8r"), "{out}");
    assert!(out.contains(&jwt[..jwt.rfind('.').unwrap() + 1]), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
}

#[test]
fn jwt_keeps_claims_loses_signature() {
    let h =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let p = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"{"sub":"42","iss":"https://idp.example","exp":4102444800}"#);
    let jwt = format!("{}.{}.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl", h, p);
    let body = format!(r#"{{"message": "token is {}"}}"#, jwt).replace('"', "\\\"");
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(r#""mimeType": "application/json", "text": "{}""#, body),
    );
    let (out, f) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    assert!(
        out.contains(&format!("{}.{}.[REDACTED:jwt:", h, p)),
        "{}",
        out
    );
    assert!(!out.contains("c2lnbmF0dXJl"));
    let j = f.iter().find_map(|f| f.jwt.clone()).expect("jwt info");
    assert_eq!(j.alg.as_deref(), Some("HS256"));
    assert_eq!(j.expired, Some(false));
}

#[test]
fn json_and_form_bodies_by_key() {
    let post = format!(
        r#", "postData": {{"mimeType": "application/json", "text": "{{\"username\":\"alice\",\"password\":\"hunter2\",\"opts\":{{\"client_secret\":\"{}\"}}}}"}}"#,
        TOKEN
    );
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", &post), RESP));
    assert!(out.contains(r#"\"username\":\"alice\""#));
    assert!(!out.contains("hunter2") && !out.contains(TOKEN));
    let form = r#", "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "user=bob&password=s%3Dcr3t&remember=1", "params": [{"name": "password", "value": "s%3Dcr3t"}]}"#;
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", form), RESP));
    assert!(!out.contains("s%3Dcr3t"));
    assert!(out.contains("user=bob&password=[REDACTED:password:") && out.contains("&remember=1"));
    assert_eq!(
        out.matches(&ph("password", "s=cr3t")).count(),
        2,
        "form text and params[] agree"
    );
}

#[test]
fn base64_body_is_decoded_cleaned_reencoded() {
    let inner = format!(r#"{{"access_token":"{}","expires_in":3600}}"#, TOKEN);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&inner);
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(
            r#""mimeType": "application/json", "encoding": "base64", "text": "{}""#,
            b64
        ),
    );
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    let dec = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap(),
    )
    .unwrap();
    assert!(!dec.contains(TOKEN));
    assert!(dec.contains(r#""expires_in":3600"#));
    assert_eq!(
        v["log"]["entries"][0]["response"]["content"]["encoding"],
        "base64"
    );
}

#[test]
fn html_hidden_inputs_and_meta() {
    let html = r#"<meta name=\"csrf-token\" content=\"Hq7sKd9Lx2Mn4Pb6Vc8Zq1Wr3\"><input type=\"hidden\" name=\"authenticity_token\" value=\"Tq1sKd9Lx2Mn4Pb6Vc8Zq1Wr3\"><script integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\"></script>"#;
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(r#""mimeType": "text/html", "text": "{}""#, html),
    );
    let (out, _) = clean("a.har", &har(&req("https://a.example/", "", ""), &resp));
    assert!(
        !out.contains("Hq7sKd9Lx2Mn4Pb6Vc8Zq1Wr3") && !out.contains("Tq1sKd9Lx2Mn4Pb6Vc8Zq1Wr3")
    );
    assert!(out.contains("sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"));
}

#[test]
fn websocket_frames() {
    let ws = format!(
        r#", "_webSocketMessages": [{{"type": "send", "time": 1.5, "opcode": 1, "data": "{{\"auth\":\"{}\",\"op\":\"hello\"}}"}}]"#,
        TOKEN
    );
    let doc = har(&req("wss://a.example/socket", "", ""), RESP)
        .replace(r#""cache": {}"#, &format!(r#""cache": {{}}{}"#, ws));
    let (out, _) = clean("a.har", &doc);
    assert!(!out.contains(TOKEN), "{}", out);
    assert!(out.contains(r#"\"op\":\"hello\""#));
}

#[test]
fn propagation_catches_copies_in_innocent_places() {
    let secret = "Pq9Rs8Tu7Vw6Xy5Za4Bc3";
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(
            r#""mimeType": "text/plain", "text": "debug: current value {} ok""#,
            secret
        ),
    );
    let doc = har(
        &req(
            "https://a.example/",
            &format!(r#"{{"name": "Cookie", "value": "sid={}"}}"#, secret),
            "",
        ),
        &resp,
    );
    let (out, f) = clean("a.har", &doc);
    assert!(!out.contains(secret), "{}", out);
    assert_eq!(out.matches(&ph("cookie", secret)).count(), 2);
    assert!(f.iter().any(|f| f.rule == "context.propagated"));
}

#[test]
fn non_secrets_stay_byte_identical() {
    let headers = r#"{"name": "ETag", "value": "\"33a64df551425fcc55e4d42a148795d9f25f89d4\""}, {"name": "x-request-id", "value": "9b2c6f0e-4c1a-4d7e-9f3b-2a8e5c1d7f60"}, {"name": "traceparent", "value": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}"#;
    let doc = har(
        &req(
            "https://cdn.example/static/main.3f9a1c2e4b.js?v=4f1d2c3b",
            headers,
            "",
        ),
        RESP,
    );
    let (out, f) = clean("a.har", &doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{:?}", f);
}

/// A provider's token found by context is chased whatever its shape: an AWS key id of
/// capitals only (no digit, so not "random-looking") in a cookie, copied as unpadded
/// base64 into a JSON key of the response.
#[test]
fn provider_token_without_digits_is_chased() {
    let secret = "AKIAQWERTYUIOPASDFGH";
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret);
    let resp = RESP.replace(
        r#""mimeType": "text/plain""#,
        &format!(
            r#""mimeType": "application/json", "text": "{{\"sessions\": {{\"{b64}\": {{\"active\": true}}}}}}""#
        ),
    );
    // Under a credential name, and under a name that says nothing (`value`): the
    // provider's shape alone makes it worth chasing.
    for name in ["api_key", "value"] {
        let doc = har(
            &req(
                "https://a.example/",
                &format!(r#"{{"name": "Cookie", "value": "theme=dark; {name}={secret}"}}"#),
                "",
            ),
            &resp,
        );
        let (out, f) = clean("a.har", &doc);
        assert!(
            !out.contains(secret) && !out.contains(&b64[..24]),
            "{name}: {out}"
        );
        assert!(out.contains(r#"\"active\": true"#), "{out}");
        assert!(f.iter().any(|f| f.rule == "context.propagated"), "{name}");
    }
}

/// Short field names (`pass`, `pin`, `sid`) assigned a number of PIN length in a log
/// line are credentials; a counter (`pass=3`) and a colon in prose are not.
#[test]
fn numeric_pins_in_log_lines() {
    let log = "login attempt user=alice pass=86052013 lang=en\nverify pin=4711 ok\nsid=123456\nretry pass=3 of 5\nstep pin: 4711 in the manual\n";
    let (out, _) = clean("app.log", log);
    assert!(
        !out.contains("86052013") && !out.contains("=4711") && !out.contains("123456"),
        "{out}"
    );
    assert!(
        out.contains("pass=3 of 5") && out.contains("pin: 4711 in the manual"),
        "{out}"
    );
}

#[test]
fn text_logs_env_and_curl() {
    let log = format!(
        "2024-01-01 INFO request headers: Authorization: Bearer {t}\nDB_PASSWORD=\"s3cr3t-pw\"\nexport GITHUB_TOKEN=ghp_FAKEfake0123456789abcdefABCDEF012345\ncurl -H 'X-Api-Key: {t}' -u admin:adminpw https://x.example\nDATABASE_URL=postgres://app:dbpass123@db:5432/app\nLOG_LEVEL=debug\n",
        t = TOKEN
    );
    let (out, f) = clean("app.log", &log);
    for s in [
        TOKEN,
        "s3cr3t-pw",
        "ghp_FAKEfake0123456789abcdefABCDEF012345",
        "adminpw",
        "dbpass123",
    ] {
        assert!(!out.contains(s), "{} survived in\n{}", s, out);
    }
    assert!(out.contains("LOG_LEVEL=debug"));
    assert!(out.contains("curl -H 'X-Api-Key: [REDACTED:"));
    assert!(
        f.iter().all(|f| f.location.contains(':')),
        "text findings are line:col"
    );
    assert_eq!(f[0].location.split(':').next(), Some("1"));
}

/// Each line alone in its file: the structured handlers must not need a second,
/// credential-looking word elsewhere in the text to run.
#[test]
fn lone_lines_name_their_credentials() {
    let cases = [
        ("curl -u admin:Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd https://api.example.com/v1\n", "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd"),
        ("curl --user 'ops:Pw9Lp2Vn9Rt4Kw8Zm3Bc6Hd' https://x.example\n", "Pw9Lp2Vn9Rt4Kw8Zm3Bc6Hd"),
        ("x-functions-key: Fz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Fz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("PHPSESSID: Pz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Pz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("user_pw=Uz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Uz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("senha=Sz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Sz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("wachtwoord: Wz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Wz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("mật_khẩu=Vz4mW8pQ2vR6nK1sY5bH9cJ3\n", "Vz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("palavra_passe: Ez4mW8pQ2vR6nK1sY5bH9cJ3\n", "Ez4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("kata_sandi = \"Iz4mW8pQ2vR6nK1sY5bH9cJ3\"\n", "Iz4mW8pQ2vR6nK1sY5bH9cJ3"),
        ("<meta http-equiv=\"refresh\" content=\"0;url=/cb?access_token=Rz4mW8pQ2vR6nK1sY5bH9cJ3\">", "Rz4mW8pQ2vR6nK1sY5bH9cJ3"),
    ];
    for (line, secret) in cases {
        let (out, f) = clean("one.log", line);
        assert!(!out.contains(secret), "{secret} survived in {out}");
        assert_eq!(f.len(), 1, "{line}");
    }
    // A refresh header's delay and plain URL are no credential.
    let meta = "<meta http-equiv=\"refresh\" content=\"1800;url=/x?page=2\">\n";
    let (out, f) = clean("page.log", meta);
    assert_eq!(out, meta);
    assert!(f.is_empty());
}

/// A Docker json-file log (`{"log": "…\n", "stream": …}` per line) is JSON, not a HAR
/// missing its `log` object; a PEM key written with `\n` escapes in a quoted value
/// goes whole, and the copy verifies.
#[test]
fn docker_json_logs_and_escaped_pem_values_get_copies() {
    let token = "ghp_FAKEfake0123456789ExampleTestKEYFAKE";
    let line = format!(
        r#"{{"log":"started\n{token}\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}}"#
    );
    for (name, doc) in [
        ("container.log", format!("{line}\n")),
        ("container.json", line.clone()),
        ("containers.log", format!("{line}\n{line}\n")),
    ] {
        let (out, f) = clean(name, &doc);
        assert!(!out.contains(token), "{name}: {out}");
        assert!(out.contains(r#""stream":"stdout""#), "{name}: {out}");
        assert!(!f.is_empty(), "{name}");
    }
    let pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAuFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFA\\nFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\\n-----END RSA PRIVATE KEY-----";
    let (out, _) = clean("app.log", &format!("key=\"\\n{pem}\\n\"\n"));
    assert!(
        !out.contains("MIIEow") && !out.contains("FAKEFAKE"),
        "{out}"
    );
    assert!(out.starts_with("key=\"\\n[REDACTED:private-key:"), "{out}");
}

/// Go's `:=` assigns: the value goes, the operator and quotes stay, in a log and in code.
#[test]
fn walrus_assignments_keep_their_operator() {
    let s = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd";
    for (name, line) in [
        ("app.log", format!("accessToken := \"{s}\"\n")),
        ("main.go", format!("\tpassword := \"{s}\"\n")),
        ("main.go", format!("\tauth := \"{s}\"\n")),
        ("main.go", format!("\tsecret := `{s}`\n")),
    ] {
        let (out, _) = clean(name, &line);
        assert!(!out.contains(s), "{out}");
        assert!(out.contains(" := ") && out.contains("[REDACTED:"), "{out}");
        assert!(!line.contains('"') || out.ends_with("]\"\n"), "{out}");
    }
}

#[test]
fn bom_crlf_and_escaped_slashes_survive() {
    let doc = format!(
        "\u{feff}{}",
        har(
            &req("https:\\/\\/a.example\\/x?token=abc123def456", "", ""),
            RESP
        )
        .replace(", ", ",\r\n  ")
    );
    let (out, _) = clean("a.har", &doc);
    assert!(out.starts_with('\u{feff}'));
    assert!(out.contains("https:\\/\\/a.example\\/x?token=[REDACTED:token:"));
    assert!(out.contains(",\r\n  "));
}

#[test]
fn malformed_har_fails_closed() {
    let e = engine();
    for bad in ["{\"log\": {\"entries\": [", "not json"] {
        assert!(clean_bytes(&e, "x.har", bad.as_bytes()).is_err(), "{}", bad);
    }
    // Valid JSON that is no HAR (no `log`, or a `log` without `entries`) is cleaned as
    // JSON: nothing in it is out of reach.
    for other in ["{\"foo\": 1}", "{\"log\": {\"version\": \"1.2\"}}"] {
        let out = clean_bytes(&e, "x.har", other.as_bytes()).expect(other);
        assert_eq!(out.copy, other.as_bytes());
    }
}

#[test]
fn oracle_thin_jdbc_password_goes_user_and_host_stay() {
    let text =
        "spring.datasource.url=jdbc:oracle:thin:scott/FAKEtiger77@db.example.com:1521/ORCLPDB1\n\
                ORACLE_URL=jdbc:oracle:thin:app_user/FAKE-pw_2024x@//db.internal:1521/APPSVC\n\
                other=jdbc:oracle:thin:@//db.internal:1521/APPSVC\n";
    let (out, f) = clean("app.properties", text);
    assert!(
        !out.contains("FAKEtiger77") && !out.contains("FAKE-pw_2024x"),
        "{out}"
    );
    assert!(out.contains(&format!(
        "jdbc:oracle:thin:scott/{}@db.example.com:1521/ORCLPDB1\n",
        ph("connection-string", "FAKEtiger77")
    )));
    assert!(out.contains(&format!(
        "jdbc:oracle:thin:app_user/{}@//db.internal:1521/APPSVC\n",
        ph("connection-string", "FAKE-pw_2024x")
    )));
    assert!(out.contains("other=jdbc:oracle:thin:@//db.internal:1521/APPSVC\n"));
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().all(|f| f.rule == "generic.jdbc-oracle"));
    // In a HAR (a JSON body) too, and idempotent.
    let doc = har(
        &req(
            "https://a.example/api/datasources",
            "",
            r#", "postData": {"mimeType": "application/json", "text": "{\"url\": \"jdbc:oracle:thin:scott/FAKEtiger77@db:1521:XE\"}"}"#,
        ),
        RESP,
    );
    let (out, f) = clean("a.har", &doc);
    assert!(!out.contains("FAKEtiger77"), "{out}");
    assert!(out.contains("jdbc:oracle:thin:scott/[REDACTED:"), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
    let (again, f2) = clean("a.har", &out);
    assert_eq!(again, out);
    assert!(f2.is_empty());
}

/// A response body of `mime`, stored as base64.
fn resp_b64(mime: &str, body: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(body);
    format!(
        r#"{{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {{"size": {}, "mimeType": "{mime}", "encoding": "base64", "text": "{b}"}}, "redirectURL": "", "headersSize": -1, "bodySize": 0}}"#,
        body.len()
    )
}

fn body_b64(out: &str) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    let t = v["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    base64::engine::general_purpose::STANDARD.decode(t).unwrap()
}

#[test]
fn binary_image_bodies_are_read_by_their_printable_runs() {
    // Pixels full of `%`, `&` and `\` (which are not escapes there), and a token in a
    // metadata chunk: the token goes, every other byte of the image stays.
    let token = "ghp_FAKEfake0123456789abcdefABCDEF012345";
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    for i in 0..4000u32 {
        png.extend_from_slice(&[(i % 251) as u8, b'%', b'4', b'1', b'&', 0, b'\\', b'n']);
    }
    png.extend_from_slice(b"\0tEXtComment\0upload with ");
    png.extend_from_slice(token.as_bytes());
    png.extend_from_slice(b"\0\0IEND\xaeB`\x82");
    let (out, findings) = clean(
        "img.har",
        &har(
            &req("https://x.example/i.png", "", ""),
            &resp_b64("image/png", &png),
        ),
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    let copy = body_b64(&out);
    let at = png
        .windows(token.len())
        .position(|w| w == token.as_bytes())
        .unwrap();
    assert_eq!(copy[..at], png[..at], "bytes before the token changed");
    assert!(!copy.windows(20).any(|w| w == &token.as_bytes()[..20]));
    let tail = &png[at + token.len()..];
    assert_eq!(
        &copy[copy.len() - tail.len()..],
        tail,
        "bytes after the token changed"
    );
}

#[test]
fn unlabelled_binary_bodies_find_known_and_rule_secrets_between_non_printable_bytes() {
    let token = "ghp_FAKEfake0123456789abcdefABCDEF012345";
    let mut bin = vec![0u8, 1, 2, 0xff, 0xfe];
    bin.extend_from_slice(format!("Authorization: Bearer {token}").as_bytes());
    bin.extend_from_slice(&[0, 0x80, 0x81]);
    let (out, findings) = clean(
        "bin.har",
        &har(
            &req("https://x.example/f", "", ""),
            &resp_b64("application/x-custom", &bin),
        ),
    );
    assert!(!findings.is_empty());
    let copy = body_b64(&out);
    assert!(!copy.windows(20).any(|w| w == &token.as_bytes()[..20]));
    assert_eq!(&copy[..5], &bin[..5]);
    assert_eq!(&copy[copy.len() - 3..], &bin[bin.len() - 3..]);
}

/// A one-entry HAR whose response body is `text` (already JSON-escaped) of type `mime`.
fn text_body(mime: &str, text: &str) -> String {
    let resp = RESP.replace(
        r#""mimeType": "text/plain"}"#,
        &format!(r#""mimeType": "{mime}", "text": "{text}"}}"#),
    );
    har(&req("https://x.example/", "", ""), &resp)
}

#[test]
fn escapes_of_two_kinds_and_escapes_of_escapes_are_decoded() {
    // `&quot;` around a name written with a JavaScript escape (`x\u002dsid`): the
    // pair only reads as `"x-sid":"…"` with both decoded.
    let secret = "kyWlHN2ISSwP7q";
    let html = format!(
        r#"<meta name=\"ctx\" content=\"{{&quot;user&quot;:&quot;bob&quot;,&quot;x\\u002dsid&quot;:&quot;{secret}&quot;}}\">"#
    );
    let (out, _) = clean("mixed.har", &text_body("text/html", &html));
    assert!(!out.contains(secret), "{out}");
    assert!(out.contains("bob"));
    // Percent-encoded twice (`%253D`), inside a form body.
    let pw = "Tr0ub4dor-and-3";
    let body = format!("next=%252Fhome%253Fpassword%253D{pw}%2526x%253D1&lang=en");
    let (out, _) = clean("twice.har", &text_body("text/plain", &body));
    assert!(!out.contains(pw), "{out}");
    assert!(out.contains("lang=en"));
}

/// Provider tokens glued to their neighbours: a name joined by `_`, a log tag or an
/// index in `[…]` right after, a `_suffix`; each in a log line and in a JSON body.
#[test]
fn tokens_glued_to_neighbours() {
    let tokens = [
        "ghp_8Kd1Rf6Tg3Yp0Zs5Wa2Ej7Uk9Io4Qm9vK3Tq",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dcXy",
        "xoxb-1234567890-1234567890123-Qm9vK3T1zdp7dc4eC39HqLyj",
        "AKIAQM9VK3T1ZDP7DC4E",
        "glpat-Qm9vK3T1zdp7dc4eC39H",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.Qm9vK3T1zdp7dc4eC39HqLyjWDarjt",
    ];
    let befores = ["", "_", "key_", "token=", "x-"];
    let afters = ["", "[INFO]", "[0]", "_old", "]", ".", ";"];
    for t in tokens {
        // The random tail: what must not survive.
        let tail = &t[t.len() - 14..];
        for b in befores {
            for a in afters {
                let line = format!("ts=1 msg=got {b}{t}{a} done\n");
                let (out, _) = clean("app.log", &line);
                assert!(!out.contains(tail), "{t} survived in {out:?}");
                // A JWT keeps its header and payload.
                let kept = match t.rfind('.') {
                    Some(d) if t.starts_with("eyJ") => &t[..=d],
                    _ => "",
                };
                assert!(
                    out.contains(&format!("{b}{kept}[REDACTED:"))
                        || out.contains(&format!("{b}[REDACTED:")),
                    "{out:?}"
                );
                // After `token=` the whole unquoted value goes, tag and all; `_old`
                // may be part of a token whose alphabet has `_` (glpat-).
                if !b.ends_with('=') && !a.starts_with('_') {
                    assert!(out.ends_with(&format!("]{a} done\n")), "{out:?}");
                }
                let body = format!(r#"{{"note": "{b}{t}{a}"}}"#);
                let (out, _) = clean("body.json", &body);
                assert!(!out.contains(tail), "{t} survived in {out:?}");
            }
        }
    }
}

/// JWTs in the shapes some libraries write them: standard base64 with `+`, `/` and
/// padding, and JSON with a space, tab or line break after its opening brace (`eyA…`,
/// `ewk…`, `ewo…`, `ew0…`); the signature goes, header and payload stay readable.
#[test]
fn jwt_spellings_beyond_compact_base64url() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let seg = |j: &str| URL_SAFE_NO_PAD.encode(j);
    let sig = "Qm9vK3T1zdp7dc4eC39HqLyjWDarjtT1zdp7dc";
    let heads = [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{ "alg": "HS256", "typ": "JWT" }"#,
        "{\n  \"alg\": \"HS256\"\n}",
        "{\r\n  \"alg\": \"RS256\"\r\n}",
        "{\t\"alg\": \"HS256\"}",
    ];
    let bodies = [
        r#"{"sub":"u1"}"#,
        "{\n  \"sub\": \"u1\"\n}",
        r#"{ "sub": "u1" }"#,
    ];
    for h in heads {
        for p in bodies {
            let kept = format!("{}.{}.", seg(h), seg(p));
            for (s, next) in [(sig.to_string(), " "), (format!("{sig}+Ab/9x=="), "\n")] {
                let jwt = format!("{kept}{s}");
                for doc in [format!("t {jwt}{next}"), format!(r#"{{"value": "{jwt}"}}"#)] {
                    let (out, _) = clean("x.log", &doc);
                    assert!(!out.contains(&sig[..16]), "{h:?} {p:?}: {out:?}");
                    assert!(
                        out.contains(&format!("{kept}[REDACTED:jwt:")),
                        "claims kept: {out:?}"
                    );
                    assert!(!out.contains("Ab/9x"), "{out:?}");
                }
            }
        }
    }
}

/// Credential names and shapes beyond the usual `password=`/`token=`: Rails' secret key
/// base, HMAC and pre-shared keys, .netrc entries, Basic-auth pairs in code, PEM-named
/// keys, recovery codes, a `refresh` token, short password spellings, PASETO tokens.
#[test]
fn less_common_credential_names_and_shapes() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "app.env",
            "SECRET_KEY_BASE=\"9f8e7d6c5b4a39281706f5e4d3c2b1a0Zq81\"\nHMAC=\"Zq81LmT0pXv2Rk7N\"\nPSK: 'Kd1Rf6Tg3Yp0Zs5W'\nWIFI_PSK=correct-horse-battery-9\nLOG_LEVEL=debug\n",
            &["9f8e7d6c5b4a39281706", "Zq81LmT0pXv2Rk7N", "Kd1Rf6Tg3Yp0Zs5W", "correct-horse"],
        ),
        (
            "netrc.txt",
            "machine api.example.com login bob password 6YUxYkVWoZeGycir\nmachine git.example.com\n  login alice\n  password FAKEpassw0rd-netrc\n",
            &["6YUxYkVWoZeGycir", "FAKEpassw0rd-netrc"],
        ),
        (
            "client.py.log",
            "requests.post(url, auth=('bob', 'FAKEpassw0rd-77'))\nh = 'Basic ' + btoa(\"bob:FAKEpw-88x\")\n",
            &["FAKEpassw0rd-77", "FAKEpw-88x"],
        ),
        (
            "body.json",
            r#"{"privateKeyPem": "MIIEvQIBADANBgkqhkiG9w0BAQEF", "recovery_codes": ["a1b2-c3d4", "e5f6-g7h8"], "refresh": "Zq81LmT0pXv2Rk7NaW3sYd5H", "pswd": "hunter2!x", "upass": "hunter3!y", "passw": "hunter4!z", "t": "v2.local.FAKEfake0123456789EXAMPLEpaseto"}"#,
            &["MIIEvQIBADANBgkqhkiG9w0BAQEF", "a1b2-c3d4", "e5f6-g7h8", "Zq81LmT0pXv2Rk7NaW3sYd5H", "hunter2", "hunter3", "hunter4", "FAKEfake0123456789EXAMPLEpaseto"],
        ),
    ];
    for (name, doc, secrets) in cases {
        let (out, _) = clean(name, doc);
        for s in *secrets {
            assert!(!out.contains(s), "{s} survived in {name}:\n{out}");
        }
    }
    // Their neighbours stay: names, the non-secret line, a refresh flag, a netrc login.
    let (out, _) = clean("app.env", cases[0].1);
    assert!(out.contains("SECRET_KEY_BASE=\"[REDACTED:") && out.contains("LOG_LEVEL=debug"));
    let (out, _) = clean("netrc.txt", cases[1].1);
    assert!(
        out.contains("login bob password [REDACTED:password:"),
        "{out}"
    );
    let (out, _) = clean("b.json", r#"{"refresh": true, "interval": "refresh"}"#);
    assert_eq!(out, r#"{"refresh": true, "interval": "refresh"}"#);
}

/// Quoted-printable text (a mail, or a body copied out of one): a credential cut by a
/// soft line break (`=` ending a line) or written with `=3D` is redacted whole; a short
/// line ending in `=` (an empty value in an env file) is not taken for a soft break.
#[test]
fn quoted_printable_soft_breaks() {
    let mail = "Content-Transfer-Encoding: quoted-printable\n\nYour link: https://app.example.com/reset?password_reset_token=3D7hQm2Lx9Vb4Nc=\n8Kd1Rf6Tg3Yp0Zs5Wa2Ej7Uk9Io4&x=3D1\napi key: sk_live_=\n4eC39HqLyjWDarjtT1zdp7dc\nThanks,=\r\n the team\n";
    for name in ["reset.eml", "mail.txt"] {
        let (out, _) = clean(name, mail);
        for s in [
            "7hQm2Lx9Vb4Nc",
            "8Kd1Rf6Tg3Yp0Zs5Wa2Ej7Uk9Io4",
            "4eC39HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(!out.contains(s), "{s} survived:\n{out}");
        }
        assert!(out.contains("api key: [REDACTED:stripe-key:"), "{out}");
        assert!(out.ends_with("Thanks,=\r\n the team\n"), "{out}");
    }
    // A token alone on its line cut at 76 columns (75 characters and the `=`), the way
    // an encoder wraps a long word: that line reads like base64 with padding (its
    // length a multiple of 4), unless its last character could not end padded base64
    // (`B=`) or more of the token follows on the next line.
    for key in [
        "sk_live_q3G3WXWl4IJCPZRA8WhnJFjah9y0PYak4EtEKs2uNIXfa6zM8Eeoa47PiGqglQZxvZBeNGNr8GEti4RAE5",
        "sk_live_q3G3WXWl4IJCPZRA8WhnJFjah9y0PYak4EtEKs2uNIXfa6zM8Eeoa47PiGqglQZxvZAeNGNr8GEti4RAE5",
    ] {
        let mail = format!("{}=\r\n{}\r\n\r\nThanks\r\n", &key[..75], &key[75..]);
        let (out, _) = clean("mail.txt", &mail);
        assert!(!out.contains(&key[75..]), "{out}");
        assert!(out.starts_with("[REDACTED:stripe-key:"), "{out}");
        assert!(out.ends_with("]\r\n\r\nThanks\r\n"), "{out}");
    }
    let env = "API_TOKEN=\nDEBUG=1\nNAME=build-42\nEMPTY=\n";
    assert_eq!(clean("app.env", env).0, env);
    // A base64 value's last line of 76, padded, then a blank line or another name:
    // its own line stays as it is.
    let b64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY=";
    assert_eq!(b64.len(), 80);
    let body = format!("{}\r\n\r\n--boundary--\r\n", &b64[4..]);
    assert_eq!(clean("part.txt", &body).0, body);
    // A long line ending in base64 padding is not a soft break: the line after it is
    // not joined to it.
    let dump =
        "Authorization: Basic c3VwcG9ydC1ib3Q6QjB0LUZha2UtUGFzc3dvcmQtOTk=\nAccept: application/json\n";
    let (out, _) = clean("http.log", dump);
    assert!(
        out.starts_with("Authorization: Basic [REDACTED:")
            && out.ends_with("]\nAccept: application/json\n"),
        "{out}"
    );
}

/// A provider's token cut by a soft break where the line alone does not say
/// quoted-printable: a JSON value's short line, a line longer than 76 whose value's
/// `=` is also canonical base64 padding (`"ghp_…Z64=`), a break written as `\r\n` escapes inside a
/// script's string. The join makes a whole token (a `ghp_` of 36, a fine-grained PAT),
/// which is evidence enough: both halves go. A short `NAME=` line before a token is
/// still no soft break.
#[test]
fn tokens_across_short_or_ambiguous_soft_breaks() {
    let ghp = "ghp_SOE5jcj08n75gNOQnTmb0NJSu7uAbVmmZ64K";
    let pat = "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";
    let json = format!(
        r#"{{"user":"dab","value":"{}=\r\n{}","next":"/home"}}"#,
        &pat[..50],
        &pat[50..]
    );
    let line = format!(
        r#"<payload>{{"user":"axgxqk","config[api_key]":"{}="#,
        &ghp[..39]
    );
    assert!(line.len() > 76);
    let xml = format!(
        "<Login>\n{line}\r\n{}\",\"next\":\"/home\"}}</payload>\n</Login>\n",
        &ghp[39..]
    );
    let script = format!(
        "(function(){{\n  xhr.setRequestHeader(\"payload\", {});\n}})();\n",
        serde_json::to_string(&json.replace("\\r\\n", "\r\n")).unwrap()
    );
    // An open-ended token whose first part alone already matches its rule, stopped by
    // the `=` (a key whose padding the `=` is, run on by the join, is not joined:
    // `padded_key_at_the_end_of_a_long_line_is_no_soft_break`).
    let slack = "xoxb-68642965453-4488963374003-r5YqBEhz20bs2C7vPcNASiX3";
    let bot = format!(
        r#"{{"ref":"{}=\r\n{}","next":"/home"}}"#,
        &slack[..43],
        &slack[43..]
    );
    for (name, doc, secret, kind) in [
        ("body.json", json.clone(), pat, "github-token"),
        ("soap.xml", xml, ghp, "github-token"),
        ("app.js", script, pat, "github-token"),
        ("bot.json", bot, slack, "slack-token"),
    ] {
        let (out, findings) = clean(name, &doc);
        let (a, b) = secret.split_at(secret.len() - 8);
        assert!(!out.contains(a) && !out.contains(b), "{name}: {out}");
        assert!(out.contains(&format!("[REDACTED:{kind}:")), "{name}: {out}");
        assert!(!findings.is_empty(), "{name}");
    }
    // A session id learnt from a header, cut by a soft break on a short line below.
    let sid = "Zq7xK2mP9vL4tR8wYb3N";
    let log = format!(
        "GET / HTTP/1.1\nCookie: sid={sid}\n\nnote: {}=\n{} seen\n",
        &sid[..7],
        &sid[7..]
    );
    let (out, _) = clean("http.log", &log);
    assert!(
        !out.contains(&sid[..7]) && !out.contains(&sid[7..]),
        "{out}"
    );
    assert!(out.ends_with("] seen\n"), "{out}");
    let env = format!("DEBUG=1\nAPI_TOKEN=\n{ghp}\nNAME=build-42\n");
    let (out, _) = clean("app.env", &env);
    assert!(
        out.starts_with("DEBUG=1\nAPI_TOKEN=\n[REDACTED:github-token:"),
        "{out}"
    );
    assert!(out.ends_with("]\nNAME=build-42\n"), "{out}");
}

/// A capability URL's token (a password reset, an invitation, a magic link) is the
/// token-like path segment after such a word; the words, ids and short segments stay,
/// and the same token is gone from the `Referer` of the next request too.
#[test]
fn capability_url_path_tokens_go() {
    let reset = "Vh3kQ9zL2mWx7RpT5nYb";
    let invite = "8c2f4a9e-1b7d-4e3a-9f60-2d5c8b1a7e44";
    let magic = "Mq7Wz2Lk9Xp4Rv8Ts3Bn6Yh1";
    let urls = [
        format!("https://app.example/password/reset/{reset}?lang=en"),
        format!("https://app.example/invitations/{invite}/accept"),
        format!("https://app.example/auth/Magic-Link/{magic};v=2"),
        "https://app.example/verify/email".to_string(),
        "https://app.example/reset/abc123".to_string(),
        "https://app.example/users/Zx9Wq2Lm7Kp4Rt8Vb3Nc/profile".to_string(),
    ];
    for url in &urls {
        let doc = har(&req(url, "", ""), RESP);
        let (out, f) = clean("a.har", &doc);
        let secret = [reset, invite, magic].into_iter().find(|s| url.contains(s));
        match secret {
            Some(s) => {
                assert!(!out.contains(s), "{out}");
                assert!(out.contains(&ph("token", s)), "{out}");
                assert_eq!(f.len(), 1, "{url}: {f:?}");
                assert_eq!(f[0].rule, "context.url-path");
            }
            None => assert!(f.is_empty() && out == doc, "{url}: {f:?}"),
        }
    }
    let referer =
        format!(r#"{{"name": "Referer", "value": "https://app.example/password/reset/{reset}"}}"#);
    let doc = har(&req("https://app.example/api/session", &referer, ""), RESP);
    let (out, _) = clean("a.har", &doc);
    assert!(!out.contains(reset), "{out}");
    // The same URLs in a log line, with no query to make them stand out: the same
    // tokens go, the rest of the line stays.
    for url in &urls {
        let line = format!("GET {url} 200\n");
        let (out, f) = clean("access.log", &line);
        match [reset, invite, magic].into_iter().find(|s| url.contains(s)) {
            Some(s) => {
                assert_eq!(out, line.replace(s, &ph("token", s)), "{url}");
                assert_eq!(f.len(), 1, "{url}: {f:?}");
            }
            None => assert!(f.is_empty() && out == line, "{url}: {f:?}"),
        }
    }
}

/// `_SK` ends the env name of a secret key (`STRIPE_SK`) when the value looks like a
/// token; a sort key's name ends the same way and its value stays.
#[test]
fn env_secret_key_abbreviation() {
    let env = "STRIPE_SK=Qx7Lm2Wp9Rv4Tk8Zb3Nc6Yh\nORDERS_SK=ORDER#2024\nexport PAYSTACK_SK=\"Hn5Vq8Jr2Xw7Mc4Ld9Pz3Kb\"\n";
    let (out, f) = clean(".env", env);
    assert_eq!(
        out,
        format!(
            "STRIPE_SK={}\nORDERS_SK=ORDER#2024\nexport PAYSTACK_SK=\"{}\"\n",
            ph(&f[0].kind, "Qx7Lm2Wp9Rv4Tk8Zb3Nc6Yh"),
            ph(&f[1].kind, "Hn5Vq8Jr2Xw7Mc4Ld9Pz3Kb")
        )
    );
}

/// A JWT with its parts on lines of their own (as some tools show one) is a JWT: in a
/// JSON string the line breaks are escapes, and the whole token goes.
#[test]
fn jwt_parts_on_lines_of_their_own() {
    let parts = [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJzdWIiOiJmYWtlLXVzZXIiLCJuYW1lIjoiRkFLRSJ9",
        "Wm9xV2pQbXN0UkQ3aGZ1bjJ4c0FCQ0RFRmdoaWpr",
    ];
    let doc = format!(r#"{{"note": "ok", "token": "{}"}}"#, parts.join(".\\n"));
    let (out, f) = clean("a.json", &doc);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, "jwt");
    for p in &parts[1..] {
        assert!(!out.contains(p), "{out}");
    }
    assert!(
        out.starts_with(r#"{"note": "ok", "token": "[REDACTED:jwt:"#),
        "{out}"
    );
}

/// In a login form that names its fields by their first letters (`u=…&p=…`), `p` is
/// the password; without a user field beside it (a search form's page) it stays.
#[test]
fn form_field_p_next_to_a_user_field() {
    let form = |text: &str| {
        har(
            &req(
                "https://a.example/login",
                "",
                &format!(
                    r#", "postData": {{"mimeType": "application/x-www-form-urlencoded", "text": "{text}"}}"#
                ),
            ),
            RESP,
        )
    };
    let (out, f) = clean("a.har", &form("u=alice&p=Tr0ub4dor%263&remember=1"));
    assert!(!out.contains("Tr0ub4dor"), "{out}");
    assert!(
        out.contains(&format!(
            "u=alice&p={}&remember=1",
            ph("password", "Tr0ub4dor&3")
        )),
        "{out}"
    );
    assert_eq!(f.len(), 1);
    let doc = form("q=shoes&p=2");
    let (out, f) = clean("a.har", &doc);
    assert!(f.is_empty() && out == doc, "{f:?}");
}

/// JSON inside a text (a log line's body, a JSON document after a prefix) is walked as
/// JSON: name/value pairs and keyed objects are judged by their name, not only
/// `"name": value`; findings are located on the line and column where the value is,
/// and one occurrence of a secret is one finding.
#[test]
fn json_inside_log_lines_is_read_as_json() {
    let (a, b, c) = ("Zq8vR2mT9xLp4Kd", "Yh7Tq2Lm9Pw3Xc9", "Wk4Bn8Qs2Rv6Jt1");
    let doc = format!(
        "2024-01-01T00:00:00Z INFO start\n\
         2024-01-01T00:00:01Z INFO body: {{\"key\":\"password\",\"value\":\"{a}\"}} done\n\
         2024-01-01T00:00:02Z INFO params=[{{\"Name\":\"region\",\"Value\":\"eu-west-3\"}},{{\"Name\":\"DB_PASSWORD\",\"Value\":\"{b}\"}}]\n\
         2024-01-01T00:00:03Z INFO arm {{\"parameters\":{{\"adminPassword\":{{\"value\":\"{c}\"}}}}}}\n\
         2024-01-01T00:00:04Z INFO not json {{\"unclosed\": [1, 2\n"
    );
    let (out, f) = clean("app.log", &doc);
    for s in [a, b, c] {
        assert!(!out.contains(s), "{out}");
    }
    assert!(
        out.contains(r#""key":"password","value":"[REDACTED:"#),
        "{out}"
    );
    assert!(out.contains(r#""Value":"eu-west-3""#), "{out}");
    assert!(
        out.contains(" done\n") && out.ends_with("{\"unclosed\": [1, 2\n"),
        "{out}"
    );
    let mut at: Vec<&str> = f.iter().map(|f| f.location.as_str()).collect();
    at.sort();
    let col = |line: &str, s: &str| {
        format!(
            "{}:{}",
            line,
            doc.lines()
                .nth(line.parse::<usize>().unwrap() - 1)
                .unwrap()
                .find(s)
                .unwrap()
                + 1
        )
    };
    let mut want = vec![col("2", a), col("3", b), col("4", c)];
    want.sort();
    assert_eq!(at, want, "{f:?}");
}

/// An unquoted value holding `&`, `;` or brackets (a generated password) is taken
/// whole when no other pair follows it; a query string or a connection string still
/// splits at its separators.
#[test]
fn unquoted_values_keep_their_separators_when_no_pair_follows() {
    let s = "lJ^c$fo2WGl/w?&96hA";
    let t = "Xk3!Lp9]Qz;Wm2&Rt";
    let doc = format!(
        "services:\n  app:\n    environment:\n      - SMTP_PASS={s}\n      - API_TOKEN={t}\n      - LOG_LEVEL=debug\n"
    );
    let (out, _) = clean("compose.yaml", &doc);
    assert!(!out.contains("96hA") && !out.contains("Rt\n"), "{out}");
    assert!(
        out.contains("- SMTP_PASS=[REDACTED:") && out.contains("LOG_LEVEL=debug"),
        "{out}"
    );
    let (out, _) = clean(
        "app.log",
        "POST /login password=Zq8vR2mT9xLp&user=bob&remember=yes\n",
    );
    assert!(out.contains("&user=bob&remember=yes"), "{out}");
    assert!(!out.contains("Zq8vR2mT9xLp"), "{out}");
    let (out, _) = clean(
        "app.log",
        "db: Server=db1;Password=Zq8vR2mT9xLp;Database=app\n",
    );
    assert!(out.ends_with("];Database=app\n"), "{out}");
}

/// Assignments in code and configuration beyond `=` and `:`: PHP and Ruby `=>`, a PHP
/// or Perl `$variable = '…'`, environment setters (`os.Setenv`, `putenv`), WordPress
/// keys and salts. A `$variable` used as a value is a reference and stays.
#[test]
fn code_assignments_and_setters_are_read_by_name() {
    let s = "Zq8vR2mT9xLp4Kd7";
    for (name, line) in [
        (
            "config.php",
            format!("return ['db_host' => 'localhost', 'db_pass' => '{s}'];\n"),
        ),
        ("config.php", format!("$c=['api_key'=>'{s}'];\n")),
        (
            "app.rb",
            format!("client = Client.new(:password => \"{s}\")\n"),
        ),
        ("config.php", format!("$db_pass = '{s}';\n")),
        ("main.go", format!("os.Setenv(\"API_TOKEN\", \"{s}\")\n")),
        ("boot.php", format!("putenv('SECRET_KEY', '{s}');\n")),
        (
            "wp-config.php",
            format!("define('NONCE_SALT','{s}');\ndefine('LOGGED_IN_KEY', '{s}');\n"),
        ),
    ] {
        let (out, _) = clean(name, &line);
        assert!(!out.contains(s), "{name}: {out}");
        assert!(out.contains("[REDACTED:"), "{name}: {out}");
    }
    let code = "$password = $_POST['password'];\n$c = ['db_host' => 'localhost'];\n";
    assert_eq!(clean("login.php", code).0, code);
    // A text body holding `=` and `&` with quotes is code, not a form.
    let resp = RESP.replace(
        r#""mimeType": "text/plain"}"#,
        &format!(
            r#""mimeType": "text/plain", "text": "$c=['api_key'=>'dRf5#!&1T-R8n=WUgO9{s}'];"}}"#
        ),
    );
    let (out, _) = clean("x.har", &har(&req("https://a.example/x", "", ""), &resp));
    assert!(
        !out.contains(s) && out.contains("$c=['api_key'=>'[REDACTED:"),
        "{out}"
    );
}

/// An OAuth token response written as pairs keeps every pair but the token: the
/// scheme named as a value (`token_type=Bearer`) takes nothing after it, and a form
/// line read as an env file ends its first value at the next `&name=`.
#[test]
fn oauth_response_pairs_keep_everything_but_the_token() {
    let t = "DliQ4WFPe8rYw8uXZKqzDksR";
    for (name, doc, kept) in [
        (
            "app.log",
            "INFO token refreshed: token_type=Bearer expires_in=3600 scope=openid\n".to_string(),
            "token_type=Bearer expires_in=3600 scope=openid",
        ),
        (
            "token.txt",
            format!("access_token={t}&token_type=Bearer&expires_in=3600&scope=read\n"),
            "&token_type=Bearer&expires_in=3600&scope=read",
        ),
    ] {
        let (out, _) = clean(name, &doc);
        assert!(out.contains(kept) && !out.contains(t), "{name}: {out}");
    }
    let (out, _) = clean("app.env", "DB_PASSWORD=ab&cd=ef\n");
    assert!(!out.contains("cd=ef"), "{out}");
}

/// Many findings on one long line (a minified log, a 3 MB single-line body): each is
/// located at its own column and named by what its placeholder follows, and the line
/// stays one line.
#[test]
fn many_findings_on_one_line_are_each_located_and_named() {
    let n = 3000;
    let line: String = (0..n)
        .map(|i| {
            let name = ["password", "api_key", "client_secret"][i % 3];
            format!("{name}=Zq8vR2mT{i:06}xLp ")
        })
        .collect();
    let (out, f) = clean("app.log", &format!("INFO {line}\n"));
    assert_eq!(out.lines().count(), 1);
    assert!(!out.contains("Zq8vR2mT"), "{}", &out[..200]);
    assert_eq!(f.len(), n);
    let mut columns: Vec<usize> = f
        .iter()
        .map(|x| x.location.strip_prefix("1:").unwrap().parse().unwrap())
        .collect();
    columns.sort_unstable();
    columns.dedup();
    assert_eq!(columns.len(), n);
    for (i, x) in f.iter().enumerate() {
        let want = ["password", "api_key", "client_secret"][i % 3];
        assert_eq!(x.name.as_deref(), Some(want), "finding {i}: {x:?}");
    }
}

/// A Docker json-file log holds one line of output per record: a YAML pair, an SMTP
/// exchange or a block scalar spread over records is read as the container wrote it.
/// The secret goes from the record that holds it (a block cut at the records'
/// bounds), the finding is on that record's line, and a find also made by reading the
/// record alone is counted once.
#[test]
fn docker_json_logs_are_also_read_as_the_container_wrote_them() {
    let (a, b) = ("Zq8vR2mT9xLp4Kd7", "Wk4Bn8Qs2Rv6Jt1Y");
    let output = format!(
        "env:\n  - name: LOG_LEVEL\n    value: debug\n  - name: DB_PASSWORD\n    value: {a}\napiVersion: v1\nkind: Secret\nstringData:\n  app.ini: |\n    [main]\n    key = {b}\nother: x\nINFO token=ghp_FAKEfake0123456789ExampleTestKEYFAKE\n"
    );
    let doc: String = output
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let log = serde_json::to_string(&format!("{l}\n")).unwrap();
            format!(
                "{{\"log\":{log},\"stream\":\"stdout\",\"time\":\"2024-01-01T00:00:{i:02}Z\"}}\n"
            )
        })
        .collect();
    let (out, f) = clean("container-json.log", &doc);
    assert!(!out.contains(a) && !out.contains(b), "{out}");
    assert!(!out.contains("ghp_FAKE"), "{out}");
    assert!(out.contains(r#"{"log":"    value: debug\n""#), "{out}");
    assert_eq!(out.lines().count(), doc.lines().count());
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each record stays JSON");
    }
    let mut at: Vec<&str> = f.iter().map(|f| f.location.as_str()).collect();
    at.sort();
    assert_eq!(at, ["10:13", "11:19", "13:20", "5:20"], "{f:?}");
    // The same log as a HAR response body (`application/x-ndjson`).
    let body = serde_json::to_string(&doc).unwrap();
    let resp = RESP.replace(
        r#""mimeType": "text/plain"}"#,
        &format!(r#""mimeType": "application/x-ndjson", "text": {body}}}"#),
    );
    let (out, _) = clean("x.har", &har(&req("https://a.example/x", "", ""), &resp));
    assert!(!out.contains(a) && !out.contains(b), "{out}");
    // A log of one record is a JSON document; its line is still read as a log line.
    for line in [
        format!("enable password {a}"),
        format!("default login anonymous password {a}"),
        format!("2024-01-01 12:00:00 INFO PASS {a}"),
    ] {
        let log = serde_json::to_string(&format!("{line}\n")).unwrap();
        let doc = format!(
            "{{\"log\": {log}, \"stream\": \"stdout\", \"time\": \"2024-01-01T00:00:00Z\"}}\n"
        );
        let (out, f) = clean("one-record.log", &doc);
        assert!(!out.contains(a), "{out}");
        assert!(out.contains("\"stream\": \"stdout\""), "{out}");
        assert!(f.iter().all(|f| f.location == "/log"), "{f:?}");
        // The same record as a HAR response's JSON body.
        let body = serde_json::to_string(&doc).unwrap();
        let resp = RESP.replace(
            r#""mimeType": "text/plain"}"#,
            &format!(r#""mimeType": "application/json", "text": {body}}}"#),
        );
        let (out, _) = clean("x.har", &har(&req("https://a.example/x", "", ""), &resp));
        assert!(!out.contains(a), "{out}");
    }
}

/// XML-RPC calls of the blog APIs take the password as a positional parameter:
/// `wp.getUsersBlogs(username, password)`, `wp.getPosts(blog_id, username, password)`,
/// `blogger.newPost(appkey, blog_id, username, password, …)`. That parameter goes,
/// the others stay; a call of another API keeps its parameters.
#[test]
fn xml_rpc_blog_calls_lose_their_password_parameter() {
    let pw = "Zq8vR2mT9xLp4Kd7";
    let param = |v: &str| format!("<param><value>{v}</value></param>");
    let call = |method: &str, params: &[String]| {
        format!(
            "<?xml version=\"1.0\"?>\n<methodCall><methodName>{method}</methodName>\n<params>{}</params></methodCall>\n",
            params.concat()
        )
    };
    let s = |x: &str| param(&format!("<string>{x}</string>"));
    for doc in [
        call("wp.getUsersBlogs", &[s("admin"), s(pw)]),
        call(
            "wp.getPosts",
            &[param("<int>1</int>"), s("admin"), param(pw)],
        ),
        call(
            "blogger.newPost",
            &[
                s("0123456789ABCDEF"),
                s("1"),
                s("admin"),
                s(pw),
                s("hello world"),
            ],
        ),
        call(
            "metaWeblog.getRecentPosts",
            &[s("1"), s("admin"), s(pw), param("<int>10</int>")],
        ),
    ] {
        let (out, f) = clean("xmlrpc.xml", &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains("<string>admin</string>"), "{out}");
        assert!(out.contains("<methodName>"), "{out}");
        assert_eq!(f.len(), 1, "{f:?}");
    }
    let other = call("demo.echo", &[s("admin"), s(pw)]);
    let (out, f) = clean("xmlrpc.xml", &other);
    assert_eq!(out, other);
    assert!(f.is_empty(), "{f:?}");
}

/// The same calls batched in a `system.multicall` (each a struct of `methodName` and
/// `params`, in either order): each blog call loses its password, other calls keep
/// their parameters.
#[test]
fn xml_rpc_multicall_calls_lose_their_password_parameter() {
    let [p1, p2, p3] = ["Zq8vR2mT9xLp4Kd7", "Pa55w0rd!Second", "hunter2"];
    let v = |x: &str| format!("<value><string>{x}</string></value>");
    let call = |method: &str, params: &[String], params_first: bool| {
        let m = format!("<member><name>methodName</name>{}</member>", v(method));
        let p = format!(
            "<member><name>params</name><value><array><data>{}</data></array></value></member>",
            params.concat()
        );
        let (a, b) = if params_first { (p, m) } else { (m, p) };
        format!("<value><struct>\n{a}\n{b}\n</struct></value>\n")
    };
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>\n{}{}{}{}</data></array></value></param></params></methodCall>\n",
        call("wp.getUsersBlogs", &[v("admin"), v(p1)], false),
        call("wp.getUsersBlogs", &[v("admin"), v(p2)], true),
        call("demo.echo", &[v("admin"), v("kept-value-1")], false),
        call("wp.getPosts", &["<value><int>1</int></value>".into(), v("editor"), v(p3)], false),
    );
    let (out, f) = clean("xmlrpc.xml", &doc);
    for p in [p1, p2, p3] {
        assert!(!out.contains(p), "{p} in {out}");
    }
    for k in [
        "kept-value-1",
        "<string>admin</string>",
        "<string>editor</string>",
        "<int>1</int>",
    ] {
        assert!(out.contains(k), "{k} lost in {out}");
    }
    assert_eq!(f.len(), 3, "{f:?}");
}

/// Login calls with positional parameters (`[methods]` in `patterns/names.toml`):
/// XML-RPC and JSON-RPC `login(user, password)`, Odoo's `login(db, user, password)`,
/// `authenticate(db, user, password, {env})` and `execute_kw(db, uid, password, …)`;
/// Meteor's DDP login by password digest or resume token. Other calls keep their
/// parameters.
#[test]
fn login_calls_lose_their_positional_password() {
    let pw = "Zq8vR2mT9xLp4Kd7";
    let xml = |method: &str, params: &[&str]| {
        let ps: String = params
            .iter()
            .map(|p| format!("<param><value>{p}</value></param>"))
            .collect();
        format!("<?xml version=\"1.0\"?><methodCall><methodName>{method}</methodName><params>{ps}</params></methodCall>\n")
    };
    let st = |x: &str| format!("<string>{x}</string>");
    for (file, doc, kept) in [
        (
            "rpc.xml",
            xml("login", &[&st("admin"), &st(pw)]),
            "<string>admin</string>",
        ),
        (
            "rpc.xml",
            xml(
                "authenticate",
                &[&st("prod"), &st("admin"), &st(pw), "<struct></struct>"],
            ),
            "<string>prod</string>",
        ),
        (
            "rpc.xml",
            xml(
                "execute_kw",
                &[&st("prod"), "<int>2</int>", &st(pw), &st("res.partner")],
            ),
            "<string>res.partner</string>",
        ),
        (
            "rpc.json",
            format!(
                r#"{{"jsonrpc": "2.0", "id": 1, "method": "login", "params": ["admin", "{pw}"]}}"#
            ),
            r#""params": ["admin", "[REDACTED:"#,
        ),
        (
            "rpc.json",
            format!(
                r#"{{"jsonrpc": "2.0", "method": "call", "params": {{"service": "object", "method": "execute_kw", "args": ["prod", 2, "{pw}", "res.partner", "search", []]}}}}"#
            ),
            r#""args": ["prod", 2, "[REDACTED:"#,
        ),
        (
            "ddp.json",
            format!(
                r#"{{"msg": "method", "method": "login", "params": [{{"user": {{"email": "alice@example.com"}}, "password": {{"digest": "{pw}", "algorithm": "sha-256"}}}}], "id": "1"}}"#
            ),
            r#""algorithm": "sha-256""#,
        ),
        (
            "ddp.json",
            format!(
                r#"{{"msg": "method", "method": "login", "params": [{{"resume": "{pw}Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1"}}], "id": "2"}}"#
            ),
            r#"{"resume": "[REDACTED:"#,
        ),
    ] {
        let (out, f) = clean(file, &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    for (file, doc) in [
        ("rpc.xml", xml("search", &[&st("admin"), &st("kept-value-1")])),
        (
            "rpc.json",
            r#"{"jsonrpc": "2.0", "id": 1, "method": "getItems", "params": ["admin", "kept-value-1"]}"#.to_string(),
        ),
    ] {
        let (out, f) = clean(file, &doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
}

/// A tag claimed for its token-looking attribute (`password="…"` on a log4j
/// `<DriverManager>`) is claimed again in the copy, where that attribute holds a
/// placeholder: its other attributes are read the same way in both, so the copy
/// verifies (it used to be refused: `connectionString="jdbc:…"` was read as a pair in
/// the copy only).
#[test]
fn a_tag_claimed_in_the_original_is_claimed_in_the_copy() {
    let pw = "Iysf0HTBic8VOXD5dVZbNbU0";
    let doc = format!(
        "<Configuration><Appenders><JDBC name=\"db\" tableName=\"logs\">\n<DriverManager connectionString=\"jdbc:mysql://db/logs\" userName=\"log\" password=\"{pw}\"/>\n</JDBC></Appenders></Configuration>\n"
    );
    let (out, f) = clean("log4j2.xml", &doc);
    assert!(!out.contains(pw), "{out}");
    assert!(
        out.contains("connectionString=\"jdbc:mysql://db/logs\""),
        "{out}"
    );
    assert!(out.contains("userName=\"log\""), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
}

/// A pair's value in a text is reported under the pair's name (`DB_PASSWORD`, from
/// the line before or the element beside), not as `value`; a credential inside the
/// value under its own name.
#[test]
fn pairs_in_text_are_reported_under_their_name() {
    let pw = "Zq8vR2mT9xLp4Kd7";
    for (file, doc, want) in [
        (
            "deploy.yaml",
            format!("env:\n  - name: DB_PASSWORD\n    value: {pw}\n"),
            "DB_PASSWORD",
        ),
        (
            "params.xml",
            format!("<Parameters><Parameter><Name>db_password</Name><Value>{pw}</Value></Parameter></Parameters>\n"),
            "db_password",
        ),
        (
            "app.log",
            format!("body: {{\"key\": \"api_key\", \"value\": \"{pw}\"}}\n"),
            "api_key",
        ),
        (
            "app.log",
            format!("body: {{\"name\": \"redirect\", \"value\": \"https://x.example/cb?access_token={pw}abc\"}}\n"),
            "access_token",
        ),
    ] {
        let (out, f) = clean(file, &doc);
        assert!(!out.contains(pw), "{out}");
        let names: Vec<_> = f.iter().map(|f| f.name.as_deref()).collect();
        assert_eq!(names, [Some(want)], "{file}: {f:?}");
    }
}

/// More files of support bundles: a Redis ACL, Postfix's `sasl_passwd`, Bundler's
/// host credentials, wget's debug echo, SSSD's `authtok`, a `.auth` key holding
/// `user:token`, nginx's `set $token`, a classic `.yarnrc`, and a URL whose user
/// name holds an `@`. Names, hosts and the server's own variables stay.
#[test]
fn more_config_shapes_of_support_bundles() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    for (file, doc, kept) in [
        ("redis.conf", format!("port 6379\nuser app on >{pw} ~app:* +@all\n"), "user app on >[REDACTED:"),
        ("sasl_passwd", format!("[smtp.example.com]:587 relay@example.com:{pw}\n"), "[smtp.example.com]:587 relay@example.com:[REDACTED:"),
        ("config", format!("---\nBUNDLE_PATH: \"vendor/bundle\"\nBUNDLE_GEMS__CORP__EXAMPLE__COM: \"deploy:{pw}\"\n"), "BUNDLE_PATH: \"vendor/bundle\"\nBUNDLE_GEMS__CORP__EXAMPLE__COM: \"[REDACTED:"),
        ("wget.log", format!("Setting --http-user (httpuser) to deploy\nSetting --http-password (httppassword) to {pw}\n"), "Setting --http-password (httppassword) to [REDACTED:"),
        ("sssd.conf", format!("ldap_default_authtok_type = password\nldap_default_authtok = {pw}\n"), "ldap_default_authtok_type = password\nldap_default_authtok = [REDACTED:"),
        ("filebeat.yml", format!("cloud.auth: \"elastic:{pw}\"\n"), "cloud.auth: \"[REDACTED:"),
        ("nginx.conf", format!("set $upstream_token \"{pw}\";\nproxy_set_header Authorization \"Bearer $upstream_token\";\n"), "set $upstream_token \"[REDACTED:"),
        (".yarnrc", format!("registry \"https://npm.example.com/\"\n\"//npm.example.com/:_authToken\" \"{pw}\"\n"), "\"//npm.example.com/:_authToken\" \"[REDACTED:"),
        (".muttrc", format!("set smtp_url = \"smtps://jdoe@corp.example:{pw}@smtp.example.com:465/\"\n"), "smtps://jdoe@corp.example:[REDACTED:"),
        ("notes.txt", format!("mirror at ftp://ops@corp.example:{pw}@ftp.example.com/pub\n"), "ftp://ops@corp.example:[REDACTED:"),
    ] {
        let (out, f) = clean(file, &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    // What stays: an ACL given as a hash, a server variable after a scheme word, an
    // Apache variable, an `auth` that is a word, a build option of Bundler.
    for (file, doc) in [
        ("redis.conf", "user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:*\n"),
        ("nginx.conf", "proxy_set_header Authorization \"Bearer $upstream_token\";\n"),
        ("httpd.conf", "RequestHeader set X-Api-Key \"%{API_KEY}e\"\n"),
        ("app.yml", "cloud.auth: required\nregistry.auth: none\n"),
        ("config", "BUNDLE_BUILD__NOKOGIRI: \"--use-system-libraries\"\n"),
    ] {
        let (out, f) = clean(file, doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
}

/// A raw HTTP message whose `Content-Length` is stale (the body was edited after):
/// a length that ends the body inside a line is not believed, so the value it would
/// cut in two is read whole under its name.
#[test]
fn stale_content_length_does_not_cut_a_value() {
    let tok = "az7hPn6RwoMo8J2HaZXXswBc";
    let doc = format!(
        "POST /token HTTP/1.1\r\nHost: a.example\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{tok}\"}}"
    );
    let (out, f) = clean("01_c.txt", &doc);
    assert!(!out.contains(&tok[4..]), "{out}");
    assert!(out.contains("\"refresh_token\":\"[REDACTED:"), "{out}");
    assert_eq!(f.len(), 1, "{f:?}");
}

/// Login events sent as a list, their name first (socket.io `42["authenticate",
/// "…"]`): the last parameter goes. A list of page names starting with `login` stays.
#[test]
fn login_events_sent_as_lists_lose_their_password() {
    let pw = "yuAiM7bk0E0HyGl7viNcpVzV";
    for data in [
        format!(r#"42[\"authenticate\",\"{pw}\"]"#),
        format!(r#"42/chat,7[\"login\",\"bob\",\"{pw}\"]"#),
        format!(r#"[\"login\",\"bob\",\"{pw}\"]"#),
    ] {
        let entry = format!(
            r#", "_webSocketMessages": [{{"type": "send", "time": 1, "opcode": 1, "data": "{data}"}}]"#
        );
        let doc = har(
            &req(
                "wss://a.example/socket.io/?EIO=4&transport=websocket",
                "",
                "",
            ),
            RESP,
        )
        .replace(r#", "cache": {}"#, &format!(r#", "cache": {{}}{entry}"#));
        let (out, f) = clean("a.har", &doc);
        assert!(!out.contains(pw), "{out}");
        assert!(out.contains(r#"\"bob\""#) || !data.contains("bob"), "{out}");
        assert_eq!(f.len(), 1, "{out}");
    }
    let doc = r#"{"routes": ["login", "signup", "reset"], "first": ["login", "signup"]}"#;
    let (out, f) = clean("body.json", doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{f:?}");
    let doc = r#"["login", "signup", "reset"]"#;
    let (out, f) = clean("body.json", doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{f:?}");
}

/// Secret stores read in a browser: the body of Azure Key Vault's `…/secrets/{name}`
/// (its `value`), Google Secret Manager's `…:access` (`payload.data`), Spring Boot's
/// `/actuator/env/{name}` (named by the URL), and a HashiCorp Vault KV read (every
/// value of `data.data`). The value of a setting the URL names as ordinary stays.
#[test]
fn secret_store_reads_lose_their_values() {
    let pw = "I1a2K6J5OxTczxSHplrWgX3Z";
    let body = |url: &str, text: &str| {
        let resp = RESP.replace(
            r#""size": 0, "mimeType": "text/plain""#,
            &format!(
                r#""size": 1, "mimeType": "application/json", "text": {}"#,
                serde_json::to_string(text).unwrap()
            ),
        );
        har(&req(url, "", ""), &resp)
    };
    for (url, text) in [
        ("https://v.vault.azure.net/secrets/db-conn/4f1c?api-version=7.4", format!(r#"{{"value": "{pw}", "id": "https://v.vault.azure.net/secrets/db-conn/4f1c", "attributes": {{"enabled": true}}}}"#)),
        ("https://secretmanager.googleapis.com/v1/projects/p/secrets/db-conn/versions/latest:access", format!(r#"{{"name": "projects/p/secrets/db-conn/versions/1", "payload": {{"data": "{pw}", "dataCrc32c": "123"}}}}"#)),
        ("https://app.example/actuator/env/spring.datasource.password", format!(r#"{{"property": {{"source": "systemEnvironment", "value": "{pw}"}}}}"#)),
        ("https://vault.example/v1/kv/data/myapp", format!(r#"{{"data": {{"data": {{"conn": "{pw}"}}, "metadata": {{"created_time": "2024-01-01T00:00:00Z", "version": 3}}}}}}"#)),
    ] {
        let (out, f) = clean("a.har", &body(url, &text));
        assert!(!out.contains(pw), "{url}: {out}");
        assert_eq!(f.len(), 1, "{url}: {f:?}");
        assert!(out.contains("2024-01-01T00:00:00Z"), "{out}");
    }
    let doc = body(
        "https://app.example/actuator/env/server.region",
        r#"{"property": {"source": "systemEnvironment", "value": "eu-west-1"}}"#,
    );
    let (out, f) = clean("a.har", &doc);
    assert_eq!(out, doc);
    assert!(f.is_empty(), "{f:?}");
}

/// How debugging tools print a header or a field with its value: Python tuples and
/// bytes (`(b'x-api-key', b'…')`, botocore's `'X-Api-Key': b'…'`), Envoy's
/// `'x-api-key', '…'` lines, Go's `map[X-Api-Key:[…]]`, Java's `{password=[…]}`,
/// and HTTP Basic credentials after the word `Basic` wherever they are printed.
/// Tuples of names, and masks tools print instead of a value, stay.
#[test]
fn debug_prints_of_headers_lose_their_values() {
    let k = "Kq8s7dHf6Gv5Bn4M3xyzAB12";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("deploy:{k}"));
    for (doc, kept) in [
        (
            format!("headers={{'User-Agent': b'Boto3/1.34.0', 'X-Api-Key': b'{k}'}}"),
            "'X-Api-Key': b'[REDACTED:",
        ),
        (
            format!("[('x-api-key', '{k}'), ('accept', '*/*')]"),
            "[('x-api-key', '[REDACTED:",
        ),
        (
            format!("(b'set-cookie', b'session={k}; Path=/')"),
            "(b'set-cookie', b'session=[REDACTED:",
        ),
        (
            format!("':authority', 'example.com'\n'x-api-key', '{k}'\n"),
            "'x-api-key', '[REDACTED:",
        ),
        (
            format!("Header:map[X-Api-Key:[{k}] Accept:[*/*]]"),
            "map[X-Api-Key:[[REDACTED:",
        ),
        (
            format!("Writing [{{grant_type=[password], password=[{k}]}}]"),
            "password=[[REDACTED:",
        ),
        (
            format!("('authorization', 'Basic {basic}')"),
            "'Basic [REDACTED:",
        ),
        (
            format!("auth=\"Basic {basic}\" status=200"),
            "auth=\"Basic [REDACTED:",
        ),
    ] {
        let (out, f) = clean("debug.log", &doc);
        assert!(!out.contains(k) && !out.contains(&basic), "{out}");
        assert!(out.contains(kept), "{kept:?} not in {out}");
        assert!(
            out.contains("'accept', '*/*'") || !doc.contains("accept"),
            "{out}"
        );
        assert_eq!(f.len(), 1, "{out}");
    }
    for doc in [
        "fields = (\"password\", \"email\")\n",
        "\"url_password\": \"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"\n",
        "Cookie: [44 bytes were stripped]\n",
        "Basic authentication is enabled for ZGVwbG95RkFLRXMzY3JldFB3\n",
    ] {
        let (out, f) = clean("debug.log", doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
}

/// UTF-16 text: a log written by PowerShell (a byte order mark, CRLF) and a HAR body
/// sent as `charset=utf-16`. The credential goes and the copy is UTF-16 again, every
/// other byte as it was.
#[test]
fn utf16_texts_and_bodies_are_read() {
    let pw = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd1";
    let utf16le = |s: &str, bom: bool| {
        let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    };
    let log = format!("PS> Get-Config\r\nDB_PASSWORD={pw}\r\nREGION=eu-west-1\r\n");
    let o = clean_bytes(&engine(), "config.txt", &utf16le(&log, true)).unwrap();
    let want = log.replace(pw, &ph("password", pw));
    assert_eq!(o.copy, utf16le(&want, true));
    assert_eq!(o.findings.len(), 1);

    let body = format!(r#"{{"user": "alice", "password": "{pw}"}}"#);
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    for (mime, bytes) in [
        ("application/json; charset=utf-16", utf16le(&body, false)),
        ("application/json", utf16le(&body, true)),
    ] {
        let resp = RESP.replace(
            r#""size": 0, "mimeType": "text/plain""#,
            &format!(
                r#""size": 1, "mimeType": "{mime}", "encoding": "base64", "text": "{}""#,
                b64(&bytes)
            ),
        );
        let doc = har(&req("https://a.example/me", "", ""), &resp);
        let (out, f) = clean("a.har", &doc);
        assert_eq!(f.len(), 1, "{out}");
        let want = body.replace(pw, &ph("password", pw));
        let bom = bytes.starts_with(&[0xFF, 0xFE]);
        assert!(out.contains(&b64(&utf16le(&want, bom))), "{out}");
    }
}

/// Cookies outside a `Cookie` header: a Netscape `cookies.txt`, an extension's export
/// (`{"domain", "name", "value"}`), a debugging page's `"cookies": {…}` map, and the
/// session cookies of identity products as JSON keys. Every value goes, as in a
/// `Cookie` header; the names, domains and paths stay.
#[test]
fn cookie_jars_and_exports_lose_their_values() {
    let v = "0.AYXqFAAAAFUb6ybDAO14ZXmDrcCJjVDfu4t6b2Kc1vfymXUm0ZLnEExOgEtwEV";
    let (out, f) = clean(
        "cookies.txt",
        &format!("# Netscape HTTP Cookie File\n#HttpOnly_login.microsoftonline.com\tFALSE\t/\tTRUE\t1741169472\tESTSAUTHPERSISTENT\t{v}\n.example.com\tTRUE\t/\tFALSE\t0\ttheme\tdark\n"),
    );
    assert!(!out.contains(v), "{out}");
    assert!(
        out.contains("\tESTSAUTHPERSISTENT\t[REDACTED:") && out.contains("\ttheme\t[REDACTED:"),
        "{out}"
    );
    assert_eq!(f.len(), 2, "{out}");
    for doc in [
        format!(
            r#"[{{"domain": "login.microsoftonline.com", "name": "ESTSAUTHPERSISTENT", "path": "/", "value": "{v}"}}]"#
        ),
        format!(r#"{{"cookies": {{"SMSESSION": "{v}"}}}}"#),
        format!(r#"{{"login.microsoftonline.com": {{"ESTSAUTHPERSISTENT": "{v}"}}}}"#),
        format!(r#"{{"KEYCLOAK_IDENTITY": "{v}", "__Secure-1PSID": "{v}x"}}"#),
    ] {
        let (out, f) = clean("cookies.json", &doc);
        assert!(!out.contains(v), "{out}");
        assert!(!f.is_empty(), "{out}");
        assert_eq!(
            out.contains("\"login.microsoftonline.com\""),
            doc.contains("\"login.microsoftonline.com\""),
            "{out}"
        );
    }
    // A schema describing cookies is no map of them.
    for doc in [
        r#"{"cookies": {"type": "array", "items": {"$ref": "cookieType"}}}"#,
        r#"{"cookies": {"type": "string", "description": "the cookies sent"}}"#,
    ] {
        let (out, f) = clean("schema.json", doc);
        assert_eq!(out, doc);
        assert!(f.is_empty(), "{f:?}");
    }
    // Tokens of sign-in products known by their shape.
    for t in [
        "xoxc-1234567890-1234567890123-1234567890123-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978",
        "ya29.c.c0ASRK0GaQxW8nT4mZ2bLp7VkR9sJ3hF6dY1cE5uA0iO",
        "ek_live_Zq8Lm2Wp9Rv4Kx7Tn3Bc6Hd1",
        "Atza|IwEBIQxW8nT4mZ2bLp7VkR9sJ3hF6dY1cE5uA0iOQxW8nT4mZ2bLp7Vk",
        "AQIC5wM2LY4SfcxQxW8nT4mZ2bLp7VkR9sJ3hF6dY.*AAJTSQACMDE.*",
        "PGT-1-QxW8nT4mZ2bLp7VkR9sJ3hF6dY1cE5-cas01",
    ] {
        let (out, f) = clean("notes.txt", &format!("seen in the capture: {t} (expired)\n"));
        assert!(!out.contains(&t[8..]), "{out}");
        assert_eq!(f.len(), 1, "{out}");
        assert!(out.ends_with(" (expired)\n"), "{out}");
    }
}

/// `curl --trace-ascii` cuts each line of data at 64 bytes: a long `Authorization`
/// header goes on in the next line, after that line's offset. The two are read as
/// one, so the whole token goes, and the offsets of the other lines stay.
#[test]
fn curl_trace_ascii_lines_cut_at_64_bytes_are_read_joined() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTc0MTM0MiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.Z2AnuG8ZqtBKUlSjiFSnSu9hWYm7cfwOyWc7TAahrh0";
    let line = format!("Authorization: Bearer {jwt}");
    let mut dump = String::from("=> Send header, 269 bytes (0x10d)\n0000: GET /v1/users/me HTTP/1.1\n001b: Host: api.example.com\n");
    let mut off = 0x33;
    for chunk in line.as_bytes().chunks(64) {
        dump.push_str(&format!(
            "{off:04x}: {}\n",
            std::str::from_utf8(chunk).unwrap()
        ));
        off += chunk.len();
    }
    dump.push_str(&format!(
        "{off:04x}: \n<= Recv header, 17 bytes (0x11)\n0000: HTTP/1.1 200 OK\n"
    ));
    for eol in ["\n", "\r\n"] {
        let doc = dump.replace('\n', eol);
        let (out, f) = clean("trace.txt", &doc);
        for piece in line.as_bytes()[22..].chunks(64) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(
                !out.contains(&piece[piece.len().min(8)..]),
                "{piece} in {out}"
            );
        }
        assert!(
            out.contains("001b: Host: api.example.com")
                && out.contains("0033: Authorization: Bearer [REDACTED:"),
            "{out}"
        );
        assert!(
            out.ends_with(&format!("0000: HTTP/1.1 200 OK{eol}")),
            "{out}"
        );
        assert!(!f.is_empty(), "{out}");
    }
}

/// A header written inside a quoted string of a log line (`-H 'Authorization: Bearer
/// …'` in a shell trace kept in a JSON log record): its value ends at the quote, so the
/// URL after it and the record's JSON stay.
#[test]
fn a_header_inside_quotes_ends_at_the_quote() {
    let tok = "uPcdvefh44yL5aEzQffNIQhFl93q1ceaK6bTQZpe";
    let doc = format!(
        "{{\"log\": \"+ curl -sS -H 'Authorization: Bearer {tok}' 'https://api.example.com/v1/users/me'\\n\", \"stream\": \"stdout\"}}\n{{\"log\": \"done\\n\", \"stream\": \"stdout\"}}\n"
    );
    let (out, f) = clean("container.log", &doc);
    assert_eq!(out, doc.replace(tok, &ph("bearer-token", tok)));
    assert_eq!(f.len(), 1, "{f:?}");
}

/// A passphrase of random words found under its name is redacted wherever else it
/// appears, as a token is; a sentence under a credential's name is not chased.
#[test]
fn passphrases_with_spaces_are_propagated() {
    let p = "uuNl1NN j1TtT2F fWb7XZR iQ5qYX2";
    let doc = format!(r#"{{"password": "{p}", "log": ["login with {p} ok"]}}"#);
    let (out, f) = clean("body.json", &doc);
    assert!(!out.contains(p), "{out}");
    assert!(out.contains("\"login with [REDACTED:"), "{out}");
    assert_eq!(f.len(), 2, "{f:?}");
    let doc = r#"{"password": "see the wiki page", "log": ["see the wiki page"]}"#;
    let (out, _) = clean("body.json", doc);
    assert!(out.contains(r#"["see the wiki page"]"#), "{out}");
}

/// Headers printed inside JSON log records (journald's `MESSAGE`, a Docker `log`)
/// with escaped line breaks or quotes around the value: the value goes, the escapes
/// and quotes stay, so the record is still JSON and its copy verifies.
#[test]
fn headers_in_json_log_records_keep_the_record_whole() {
    let basic = "ZGVwbG95Om9jcXJDbDJ3RXlabGluQ0FIaGZIZWY2Mg==";
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTgzNzE1OSJ9.a2BlNVbF7hjfJ9GnqZwd_duAr6oEGykSqxRhi3TOdvs";
    let doc = format!(
        "{{\"MESSAGE\": \"    Authorization: Basic {basic}\\\\r\\\\n\"}}\n{{\"log\": \"      Authorization: 'Bearer {jwt}'\\n\", \"stream\": \"stdout\"}}\n{{\"log\": \"      authorization: [ 'Authorization', 'Bearer {jwt}' ]\\n\"}}\n"
    );
    let (out, f) = clean("app.log", &doc);
    assert!(!out.contains(basic) && !out.contains(jwt), "{out}");
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(
        out.contains("\\\\r\\\\n\"}") && out.contains("]'\\n\""),
        "{out}"
    );
    assert!(!f.is_empty());
}

/// A response whose body (`mime`, `text`) is given; the text is JSON-escaped here.
fn resp_with(mime: &str, text: &str) -> String {
    format!(
        r#"{{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {{"size": 1, "mimeType": "{}", "text": {}}}, "redirectURL": "", "headersSize": -1, "bodySize": 1}}"#,
        mime,
        serde_json::to_string(text).unwrap()
    )
}

/// A secret found by its context is chased elsewhere when it has characters beyond
/// ASCII (a password with umlauts, a token ending in an emoji), and so is the password
/// inside `Authorization: Basic`: their copies in another body are redacted too.
#[test]
fn copies_of_non_ascii_and_basic_passwords_are_redacted() {
    let umlaut = "pässwörd-Kq83xZt1Lm0vB";
    let emoji = "Kq83xZt1Lm0vBnR7\u{1F511}";
    let basic_pw = "hT4kW9zQ2xL7mN3vB8rJ";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("bob:{basic_pw}"));
    let headers = format!(
        r#"{{"name": "Authorization", "value": "Basic {basic}"}}, {{"name": "X-Api-Key", "value": "{}"}}"#,
        serde_json::to_string(emoji).unwrap().trim_matches('"')
    );
    let post = format!(
        r#", "postData": {{"mimeType": "application/json", "text": {}}}"#,
        serde_json::to_string(&format!(r#"{{"password": "{umlaut}"}}"#)).unwrap()
    );
    // The echo: the umlaut password `\u`-escaped, the others raw.
    let echo = format!(
        r#"{{"last": "p\u00e4ssw\u00f6rd-Kq83xZt1Lm0vB", "key": "{emoji}", "debug": "pw={basic_pw}"}}"#
    );
    let doc = har(
        &req("https://a.example/login", &headers, &post),
        &resp_with("application/json", &echo),
    );
    let (copy, findings) = clean("t.har", &doc);
    for s in [umlaut, emoji, basic_pw, &basic] {
        assert!(!copy.contains(s), "{s:?} survives");
    }
    assert!(
        !copy.contains("p\\\\u00e4ssw\\\\u00f6rd-Kq83"),
        "the escaped copy survives"
    );
    assert!(copy.contains(r#"\"last\": \""#), "names stay: {copy}");
    assert!(findings.len() >= 6, "{}", findings.len());
}

/// Copies that other chasers miss: a hex session id printed in the other letter case
/// ({upper in the cookie, lower in the body} and the reverse, a GUID with hyphens), and
/// short passwords of letters, digits and symbols echoed in a text body. A date or a
/// time that equals a cookie value is no password and is not chased.
#[test]
fn hex_ids_in_the_other_case_and_short_symbol_passwords_are_chased() {
    let cases = [
        (
            "A1B2C3D4E5F60718293A4B5C6D7E8F90",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        ),
        (
            "a1b2c3d4e5f60718293a4b5c6d7e8f91",
            "A1B2C3D4E5F60718293A4B5C6D7E8F91",
        ),
        (
            "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        ),
    ];
    for (cookie, echo) in cases {
        let headers = format!(r#"{{"name": "Cookie", "value": "ASP.NET_SessionId={cookie}"}}"#);
        let doc = har(
            &req("https://a.example/", &headers, ""),
            &resp_with("text/plain", &format!("session {echo} resumed")),
        );
        let (copy, _) = clean("t.har", &doc);
        assert!(!copy.contains(cookie), "{cookie} survives: {copy}");
        assert!(!copy.contains(echo), "{echo} survives: {copy}");
        assert!(copy.contains("resumed"), "{copy}");
    }
    for pw in ["Xk9#mQ2$vL4p", "tr0ub4dor&3", "P@ssw0rd!"] {
        let post = format!(
            r#", "postData": {{"mimeType": "application/json", "text": {}}}"#,
            serde_json::to_string(&format!(r#"{{"password": "{pw}"}}"#)).unwrap()
        );
        let doc = har(
            &req("https://a.example/login", "", &post),
            &resp_with("text/plain", &format!("user typed {pw}")),
        );
        let (copy, _) = clean("t.har", &doc);
        assert!(!copy.contains(pw), "{pw} survives: {copy}");
        assert!(copy.contains("user typed"), "{copy}");
    }
    let headers = r#"{"name": "Cookie", "value": "seen=2024-05-01T10:00:00Z"}"#;
    let doc = har(
        &req("https://a.example/", headers, ""),
        &resp_with("text/plain", "built 2024-05-01T10:00:00Z"),
    );
    let (copy, _) = clean("t.har", &doc);
    assert!(copy.contains("built 2024-05-01T10:00:00Z"), "{copy}");
}

/// JSON or a form written as hex (either case) or base32 (padded or not) inside a
/// value: read as what it spells, its secret redacted and the run written back the
/// same way, so the rest still decodes. A cookie value copied in hex goes too. A hash
/// in hex and a base32 word-like run stay byte for byte.
#[test]
fn hex_and_base32_text_is_read_through() {
    use data_encoding::{BASE32, BASE32_NOPAD, HEXLOWER, HEXUPPER};
    let tok = "Hf5Jc0GaZb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1";
    let inner = [
        format!(r#"{{"access_token": "{tok}", "user": "bob"}}"#),
        format!("client_secret={tok}&user=bob"),
    ];
    // (label, encoding, written in lower case)
    let encoders = [
        ("hexlower", &HEXLOWER, false),
        ("hexupper", &HEXUPPER, false),
        ("base32", &BASE32, false),
        ("base32nopad", &BASE32_NOPAD, false),
        ("base32lower", &BASE32, true),
        ("base32lowernopad", &BASE32_NOPAD, true),
    ];
    let mut bad = Vec::new();
    for text in &inner {
        for (label, enc, lower) in encoders {
            let run = enc.encode(text.as_bytes());
            let run = if lower { run.to_ascii_lowercase() } else { run };
            for (file, doc) in [
                ("b.json", format!(r#"{{"payload": "{run}", "n": 1}}"#)),
                ("app.log", format!("INFO state={run} done\n")),
            ] {
                let (out, findings) = clean(file, &doc);
                let got = out
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '=')
                    .find_map(|w| {
                        let w = w.trim_start_matches("state=");
                        let w = if lower {
                            w.to_ascii_uppercase()
                        } else {
                            w.into()
                        };
                        [&HEXLOWER, &HEXUPPER, &BASE32, &BASE32_NOPAD]
                            .iter()
                            .find_map(|e| e.decode(w.as_bytes()).ok())
                            .filter(|d| d.len() > 16)
                    })
                    .map(|d| String::from_utf8_lossy(&d).into_owned());
                match got {
                    Some(d)
                        if !d.contains(tok) && d.contains("bob") && d.contains("[REDACTED:") => {}
                    other => bad.push(format!("{label} {file}: {other:?} from {out}")),
                }
                // Written back in the case it came in.
                let cased = out.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                    w.len() > 40
                        && w.bytes().all(|b| {
                            b.is_ascii_digit()
                                || b.is_ascii_lowercase() == (lower || label == "hexlower")
                        })
                });
                if !cased {
                    bad.push(format!("{label} {file}: case not kept in {out}"));
                }
                if findings.is_empty() || out.contains("done") != file.ends_with(".log") {
                    bad.push(format!("{label} {file}: {out}"));
                }
            }
        }
    }
    // A cookie value copied elsewhere as hex.
    let cookie = "Zb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0Gb";
    let headers = format!(r#"{{"name": "Cookie", "value": "sid={cookie}"}}"#);
    let echo = format!(
        "trace {}",
        HEXLOWER.encode(format!("sid={cookie};").as_bytes())
    );
    let doc = har(
        &req("https://a.example/", &headers, ""),
        &resp_with("text/plain", &echo),
    );
    let (out, _) = clean("t.har", &doc);
    let hex_cookie = HEXLOWER.encode(cookie.as_bytes());
    if out.contains(cookie) || out.contains(&hex_cookie) {
        bad.push(format!("hex cookie copy survives: {out}"));
    }
    // Binary in hex (a digest) and upper- and lower-case runs that are no base32 text
    // stay.
    let keep = r#"{"etag": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "code": "ABCDEFGHIJKLMNOPQRSTUVWX", "slug": "installing-the-agent-on-windows", "word": "abcdefghijklmnopqrstuvwx"}"#;
    let (out, _) = clean("k.json", keep);
    if out != keep {
        bad.push(format!("changed: {out}"));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Binary maps in base64 (a WebSocket frame, a text field, a log line): MessagePack,
/// BSON and CBOR maps whose key names a credential lose the value after it, whatever its
/// length or string header; the other pairs stay. A base64 image whose bytes
/// happen to spell a name keeps every byte.
#[test]
fn binary_maps_in_base64_lose_credential_values() {
    use base64::Engine as _;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    // A string with its header: `short | len` below `limit`, else `long` and a length
    // byte (MessagePack: 0xa0, 32, 0xd9; CBOR text: 0x60, 24, 0x78).
    fn with_header(s: &str, short: u8, limit: usize, long: u8) -> Vec<u8> {
        let mut v = if s.len() < limit {
            vec![short | s.len() as u8]
        } else {
            vec![long, s.len() as u8]
        };
        v.extend_from_slice(s.as_bytes());
        v
    }
    let mp_str = |s: &str| with_header(s, 0xa0, 32, 0xd9);
    let cbor_str = |s: &str| with_header(s, 0x60, 24, 0x78);
    // A CBOR map of two text pairs whose lengths add up to the whole blob.
    fn cbor_map_of_texts(d: &[u8]) -> bool {
        let mut i = 1;
        for _ in 0..4 {
            let (at, len) = match d.get(i) {
                Some(&h @ 0x60..=0x77) => (i + 1, usize::from(h - 0x60)),
                Some(0x78) => (i + 2, d.get(i + 1).map_or(usize::MAX, |&n| usize::from(n))),
                _ => return false,
            };
            i = at.saturating_add(len);
        }
        d.first() == Some(&0xa2) && i == d.len()
    }
    fn bson(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (k, v) in pairs {
            body.push(0x02);
            body.extend_from_slice(k.as_bytes());
            body.push(0);
            body.extend_from_slice(&(v.len() as u32 + 1).to_le_bytes());
            body.extend_from_slice(v.as_bytes());
            body.push(0);
        }
        let mut doc = ((body.len() + 5) as u32).to_le_bytes().to_vec();
        doc.extend(body);
        doc.push(0);
        doc
    }
    let secrets = [
        "S3cr3t!Pw#24",
        "Rk8Wn3Ys6Pd1Hf5Jc0GaZb7Qm2Lx9Vt4",
        "hunter2x",
    ];
    let mut bad = Vec::new();
    for name in ["password", "access_token", "apiKey", "client_secret", "pin"] {
        for secret in secrets {
            let pairs = [("user", "bob-the-builder"), (name, secret)];
            let mut mp = vec![0x82];
            for (k, v) in pairs {
                mp.extend(mp_str(k));
                mp.extend(mp_str(v));
            }
            let mut cbor = vec![0xa2];
            for (k, v) in pairs {
                cbor.extend(cbor_str(k));
                cbor.extend(cbor_str(v));
            }
            for (fmt, blob) in [("msgpack", mp), ("bson", bson(&pairs)), ("cbor", cbor)] {
                let text = b64(&blob);
                for (file, doc) in [
                    ("f.json", format!(r#"{{"frame": "{text}"}}"#)),
                    ("f.log", format!("recv {text}\n")),
                ] {
                    let (out, _) = clean(file, &doc);
                    let decoded = out
                        .split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
                        .filter(|w| w.len() > 16)
                        .filter_map(|w| base64::engine::general_purpose::STANDARD.decode(w).ok())
                        .next()
                        .unwrap_or_default();
                    if fmt == "cbor" && !cbor_map_of_texts(&decoded) {
                        bad.push(format!(
                            "cbor {name} in {file}: no longer a map: {decoded:?}"
                        ));
                    }
                    let decoded = String::from_utf8_lossy(&decoded);
                    if decoded.contains(secret) || out.contains(secret) {
                        bad.push(format!("{fmt} {name}={secret} in {file}: survives"));
                    }
                    if !decoded.contains("bob-the-builder") || !decoded.contains(name) {
                        bad.push(format!(
                            "{fmt} {name} in {file}: lost the rest: {decoded:?}"
                        ));
                    }
                }
            }
        }
    }
    // Unframed: `pin` inside binary without a map's string header stays, as does the
    // run after it.
    let mut img = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    img.extend_from_slice(b"\x13\x07pin\x01\x02Zq8Lw3Rk9Vb7\x00\xff\xfe");
    let doc = format!(r#"{{"icon": "{}"}}"#, b64(&img));
    let (out, _) = clean("i.json", &doc);
    if out != doc {
        bad.push(format!("image changed: {out}"));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// An HTTP header line in an HTML page (a request dump in `<pre>`, a debug table) is
/// read as a header: its cookie values go, the names and the markup after it stay.
#[test]
fn header_lines_in_html_bodies() {
    let c1 = "Zb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0Gb";
    let html = format!(
        "<pre>GET / HTTP/1.1\nHost: app.example.com\nCookie: prefs={c1}\n</pre><div>Cookie: theme={c1}x; lang=en</div>"
    );
    let doc = har(
        &req("https://a.example/", "", ""),
        &resp_with("text/html", &html),
    );
    let (copy, _) = clean("t.har", &doc);
    assert!(!copy.contains(c1), "{copy}");
    for kept in [
        "Cookie: prefs=[REDACTED:",
        "</pre><div>Cookie: theme=[REDACTED:",
        "</div>",
    ] {
        assert!(copy.contains(kept), "{kept} missing: {copy}");
    }
}

/// A phpinfo page shows the request's headers as CGI variables, each in a table cell
/// beside its name (`$_SERVER['HTTP_COOKIE']`, `HTTP_AUTHORIZATION`): the value cell
/// is read as that header, so every cookie value goes and the cookie names, the
/// scheme word and the markup stay. A cell of several words under another name stays.
#[test]
fn phpinfo_header_variables_in_table_cells() {
    let (c1, c2, tok) = (
        "Zb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0Ga",
        "eyJpdiI6IkQ3cFZ3bXR4TmhQcVJzVHVWd1h5WjAx",
        "Pd1Hf5Jc0GaZb7Qm2Lx9Vt4Rk8Wn3Ys6",
    );
    let html = format!(
        "<table><tr><td class=\"e\">$_SERVER['HTTP_COOKIE']</td><td class=\"v\">prefs={c1}; remember_web_59ba36addc2b2f94={c2}</td></tr>\
         <tr><td class=\"e\">HTTP_AUTHORIZATION </td><td class=\"v\">Bearer {tok} </td></tr>\
         <tr><td class=\"e\">HTTP_USER_AGENT </td><td class=\"v\">Mozilla/5.0 (X11; Linux x86_64) </td></tr></table>"
    );
    let doc = har(
        &req("https://a.example/info.php", "", ""),
        &resp_with("text/html", &html),
    );
    let (copy, _) = clean("t.har", &doc);
    for s in [c1, c2, tok] {
        assert!(!copy.contains(s), "{s} survives: {copy}");
    }
    for kept in [
        "prefs=[REDACTED:",
        "; remember_web_59ba36addc2b2f94=[REDACTED:",
        "Bearer [REDACTED:",
        "Mozilla/5.0 (X11; Linux x86_64)",
        "</td></tr></table>",
    ] {
        assert!(copy.contains(kept), "{kept} missing: {copy}");
    }
}

/// Names that hold a credential only when the value looks like one: `seed` and
/// `verify` (a query's), `X-Refresh` (a header), `databaseUrl` (a URL there is read as
/// a URL: its password goes, the rest stays).
#[test]
fn weak_names_seed_verify_refresh_and_database_urls() {
    let seed = "Vt4Rk8Wn3Ys6Pd1Hf5Jc0GaZb7Qm2Lx9";
    let db = "Wn3Ys6Pd1Hf5Jc0GaZb7Qm2Lx9Vt4Rk8";
    let db_pw = "Hf5Jc0GaZb7Qm2Lx";
    let body = format!(
        r#"{{"seed": "{seed}", "rng": {{"seed": 42}}, "databaseUrl": "{db}", "DATABASE_URL": "postgres://app:{db_pw}@db.example.com:5432/app", "databaseURL": "https://demo-12345-default-rtdb.firebaseio.com"}}"#
    );
    let (out, _) = clean("b.json", &body);
    for s in [seed, db, db_pw] {
        assert!(!out.contains(s), "{s} survives: {out}");
    }
    for kept in [
        r#""seed": 42"#,
        "@db.example.com:5432/app",
        "https://demo-12345-default-rtdb.firebaseio.com",
    ] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
    let verify = "Ys6Pd1Hf5Jc0GaZb7Qm2Lx9V";
    let refresh = "Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0G";
    let doc = har(
        &req(
            &format!("https://a.example/x?verify={verify}&ssl=1&check=verify&seed=JohnDoe"),
            r#"{"name": "X-Refresh", "value": "Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0G"}, {"name": "X-Refresh-Interval", "value": "30"}"#,
            "",
        ),
        RESP,
    );
    let (out, _) = clean("a.har", &doc);
    for s in [verify, refresh] {
        assert!(!out.contains(s), "{s} survives: {out}");
    }
    assert!(out.contains("&ssl=1&check=verify&seed=JohnDoe"), "{out}");
    assert!(out.contains(r#""value": "30""#), "{out}");
}

/// Vendors' CSRF tokens written into their pages: ServiceNow's `g_ck` (also posted as
/// `sysparm_ck`) and Google's `SNlM0e` in `WIZ_global_data`.
#[test]
fn vendor_csrf_tokens_in_page_scripts() {
    let gck = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeeabcd";
    let at = "AFWLbD2xQ9zW8xV7uT6sR5qP4oN3";
    let html = format!(
        "<script>var g_ck = '{gck}';window.WIZ_global_data={{\"SNlM0e\":\"{at}:1714600000000\",\"FdrFJe\":\"-123\"}};</script>"
    );
    let post = format!(
        r#", "postData": {{"mimeType": "application/x-www-form-urlencoded", "text": "sysparm_ck={gck}x&sysparm_name=list"}}"#
    );
    let doc = har(
        &req("https://a.example/", "", &post),
        &resp_with("text/html", &html),
    );
    let (out, _) = clean("t.har", &doc);
    for s in [gck, at] {
        assert!(!out.contains(s), "{s} survives: {out}");
    }
    for kept in [
        "var g_ck = '",
        r#"\"FdrFJe\":\"-123\""#,
        "sysparm_name=list",
    ] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
}

/// Pagination cursors (`nextPageToken`, `continuationToken`, AWS's `NextToken`) are no
/// credentials: they stay, unless the value is a credential's own format.
#[test]
fn pagination_tokens_stay() {
    let cursors = [
        (
            "nextPageToken",
            "CiAKGjBpNDd2Nmp2Zml2cXRnb3Y2NmF3c2Q3dBIEZjA2aRgB",
        ),
        (
            "pageToken",
            "Q2lBS0dqQnBORGQyTm1wMlptbDJjWFJuYjNZMk5tRjNjMlEz",
        ),
        (
            "continuationToken",
            "eyJ0IjoiMjAyNC0wNS0wMVQxMDowMDowMFoiLCJpIjo0Mn0",
        ),
        ("NextToken", "AAMA-EFRSURBSGhYcWtzRTBWM2M5M2RQbTJ3N1hBPT0"),
        ("next_sync_token", "CPDAlvWDx70CEPDAlvWDx70CGAU"),
        ("prevPageToken", "CBQQAQ8xM2RlZjQ1Njc4OTA"),
    ];
    let mut body = String::from("{");
    for (k, v) in cursors {
        body.push_str(&format!("\"{k}\": \"{v}\", "));
    }
    let gh = "ghp_FAKEfake0123456789ExampleTestKEYFAKE";
    body.push_str(&format!(
        "\"pageToken2\": \"{gh}\", \"sessionToken\": \"Zb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0Gb\"}}"
    ));
    let (out, _) = clean("b.json", &body);
    for (_, v) in cursors {
        assert!(out.contains(v), "{v} lost: {out}");
    }
    assert!(!out.contains(gh), "{out}");
    assert!(!out.contains("Zb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5Jc0Gb"), "{out}");
}

/// An object under a credential's name (`"secret": {"data": …}`): each string in it is
/// judged under the joined name (`secret.data`), and only a token-like value goes, so
/// what describes the credential (its type, expiry, pattern) stays.
#[test]
fn token_like_strings_inside_an_object_under_a_credential_name() {
    let s1 = "Jc0GaZb7Qm2Lx9Vt4Rk8Wn3Ys6Pd1Hf5";
    let s2 = "Kq8s7dHf6Gv5Bn4M3xZ";
    let doc = format!(
        r#"{{"secret": {{"data": "{s1}", "metadata": {{"name": "db"}}}}, "session": {{"data": "{s2}", "user": {{"id": "u-1"}}}}, "token": {{"type": "Bearer", "expiresAt": "2024-05-01T10:00:00Z"}}, "password": {{"pattern": "^[A-Za-z0-9]{{12,}}$", "minLength": 12}}, "credentials": {{"value": {{"data": "plain words"}}}}}}"#
    );
    let (out, _) = clean("b.json", &doc);
    for s in [s1, s2] {
        assert!(!out.contains(s), "{s} survives: {out}");
    }
    for kept in [
        r#""name": "db""#,
        r#""id": "u-1""#,
        r#""type": "Bearer""#,
        "2024-05-01T10:00:00Z",
        "^[A-Za-z0-9]{12,}$",
        "plain words",
    ] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
}

/// The same, with inner keys no list holds: {credential names, strong and weak} ×
/// {inner keys} × {alone, beside its metadata}. A token-like value goes; an id, a type
/// and an expiry beside it stay, however token-like the id is.
#[test]
fn unlisted_inner_keys_under_a_credential_name() {
    let outers = [
        "secret",
        "token",
        "password",
        "apiKey",
        "clientSecret",
        "credentials",
        "auth",
    ];
    let inners = [
        "payload",
        "previous",
        "primary",
        "secondary",
        "blob",
        "material",
        "content",
        "next",
        "active",
        "pending",
        "x",
        "v1",
    ];
    let mut bad = Vec::new();
    let mut n = 0;
    for outer in outers {
        for inner in inners {
            for with_meta in [false, true] {
                n += 1;
                let secret = format!("Jc0GaZb7Qm2Lx9Vt4Rk8Wn3Ys6P{n:04}");
                let meta = if with_meta {
                    r#", "id": "key_8fA9c2b1e7D4", "type": "opaque", "expiresAt": "2030-01-01T00:00:00Z""#
                } else {
                    ""
                };
                let doc = format!(r#"{{"{outer}": {{"{inner}": "{secret}"{meta}}}}}"#);
                let (out, _) = clean("b.json", &doc);
                if out.contains(&secret) {
                    bad.push(format!("{outer}.{inner}: survives: {out}"));
                }
                if with_meta {
                    for kept in ["key_8fA9c2b1e7D4", "opaque", "2030-01-01T00:00:00Z"] {
                        if !out.contains(kept) {
                            bad.push(format!("{outer}.{inner}: {kept} lost: {out}"));
                        }
                    }
                }
                if !out.contains(&format!(r#""{inner}":"#)) {
                    bad.push(format!("{outer}.{inner}: key lost: {out}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{} of {n}:\n{}", bad.len(), bad.join("\n"));
}

/// A HAR whose one WebSocket message (sent) is `data`.
fn har_ws(data: &str) -> String {
    let resp = RESP.to_string();
    let doc = har(&req("wss://a.example/hub", "", ""), &resp);
    let msgs = format!(
        r#", "_webSocketMessages": [{{"type": "send", "time": 1, "opcode": 1, "data": {}}}]}}]}}}}"#,
        serde_json::to_string(data).unwrap()
    );
    format!("{}{}", doc.strip_suffix("}]}}").unwrap(), msgs)
}

/// A SignalR invocation (JSON hub protocol: records ended by U+001E) of a login method
/// carries the password as its last argument; other invocations keep theirs.
#[test]
fn signalr_login_invocations_lose_their_password() {
    let pw = "pW9zQ2xL7mN3vB8rJhT4k";
    let data = format!(
        "{{\"type\":1,\"target\":\"Login\",\"arguments\":[\"bob\",\"{pw}\"]}}\u{1e}{{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[\"bob\",\"Qx7 hello\"]}}\u{1e}"
    );
    let (out, _) = clean("t.har", &har_ws(&data));
    assert!(!out.contains(pw), "{out}");
    for kept in [r#"\"Login\",\"arguments\":[\"bob\",\""#, "Qx7 hello"] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
}

/// A credential name spelt with JavaScript octal escapes (`\160\141…` is `password`).
#[test]
fn js_octal_escaped_names() {
    let pw = "uFEhbtyvAYmqgq5UGn9MB0bobzjcU9kC";
    let js = format!(r#"var s="\160\141\163\163\167\157\162\144={pw}";var n="\101\102";"#);
    let doc = har(
        &req("https://a.example/app.js", "", ""),
        &resp_with("application/javascript", &js),
    );
    let (out, _) = clean("t.har", &doc);
    assert!(!out.contains(pw), "{out}");
    assert!(out.contains(r#"var n=\"\\101\\102\""#), "{out}");
}

/// A browser's MQTT client over a WebSocket: the CONNECT packet in a binary frame
/// (opcode 2, base64 in the HAR) loses its password whatever it looks like, and stays a
/// CONNECT packet (lengths rewritten) with its client id and user name.
#[test]
fn mqtt_connect_in_a_binary_frame_loses_its_password() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for (level, name) in [(4u8, &b"MQTT"[..]), (3, b"MQIsdp"), (5, b"MQTT")] {
        for pw in ["hunter2", "S3cr3t!Passw0rd#2024"] {
            let mut body = Vec::new();
            let put = |b: &mut Vec<u8>, s: &[u8]| {
                b.extend_from_slice(&(s.len() as u16).to_be_bytes());
                b.extend_from_slice(s);
            };
            put(&mut body, name);
            body.extend_from_slice(&[level, 0xc2, 0, 60]);
            if level == 5 {
                body.push(0);
            }
            put(&mut body, b"web-client-7");
            put(&mut body, b"bob");
            put(&mut body, pw.as_bytes());
            let mut packet = vec![0x10, body.len() as u8];
            packet.extend(body);
            let doc = har_ws(&b64.encode(&packet)).replace("\"opcode\": 1", "\"opcode\": 2");
            let (out, findings) = clean("t.har", &doc);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let data = v["log"]["entries"][0]["_webSocketMessages"][0]["data"]
                .as_str()
                .unwrap();
            let frame = b64.decode(data).expect("the frame is base64");
            let text = String::from_utf8_lossy(&frame);
            assert!(
                !text.contains(pw) && !out.contains(pw),
                "{level} {pw}: {text}"
            );
            assert!(
                text.contains("web-client-7") && text.contains("bob"),
                "{text}"
            );
            assert_eq!(
                usize::from(frame[1]),
                frame.len() - 2,
                "remaining length: {text}"
            );
            assert!(
                findings.iter().any(|f| f.kind == "password"),
                "{findings:?}"
            );
        }
    }
}

/// Decoded base64 that is mostly printable but no UTF-8 is read both as text and by its
/// runs: a Latin-1 form or JSON body loses its password whole, and a known 6-digit code
/// glued to an image's bytes (too short a run to be read) goes too.
#[test]
fn latin1_and_binary_blobs_are_read_both_ways() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for body in [
        &b"user=bob&password=P\xe4ssw\xf6rd1x&lang=de"[..],
        b"{\"user\":\"bob\",\"password\":\"P\xe4ssw\xf6rd1x\"}",
    ] {
        let doc = format!("recv {}\n", b64.encode(body));
        let (out, _) = clean("l.log", &doc);
        let blob = out.split_whitespace().nth(1).unwrap();
        let d = b64.decode(blob).expect("padded base64");
        assert!(
            !d.windows(4).any(|w| w == b"ssw\xf6") && !d.windows(3).any(|w| w == b"rd1"),
            "{:?}",
            String::from_utf8_lossy(&d)
        );
        assert!(d.windows(8).any(|w| w == b"user=bob") || d.windows(5).any(|w| w == b"\"bob\""));
    }
    let mut img = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    img.extend((0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 0x80));
    img.extend_from_slice(b"970700");
    let headers = r#"{"name": "Cookie", "value": "mfaCode=970700"}"#;
    let doc = har(
        &req("https://a.example/", headers, ""),
        &resp_with("text/plain", &b64.encode(&img)),
    );
    let (out, _) = clean("t.har", &doc);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    let d = b64.decode(text).expect("the body is base64");
    assert!(!d.windows(6).any(|w| w == b"970700"), "the code survives");
    assert!(d.starts_with(b"\x89PNG"), "the image is kept");
}

/// A credential under an `Authorization` key outside a header list (a JSON config, a
/// map in a log line) keeps its scheme word, as in a header, and the same token gets
/// the same placeholder in both.
#[test]
fn authorization_keys_keep_the_scheme_word() {
    let tok = "Mn5Bv7Cx9Za1Sd3Fg5Hj7Kl9Qw2";
    let basic = "dXNlcjpQYTU1d29yZDEyMyE=";
    let docs = [
        (
            "c.json",
            format!(
                r#"{{"auth": {{"authorization": "Bearer {tok}", "proxy-authorization": "Basic {basic}"}}}}"#
            ),
        ),
        (
            "app.log",
            format!(
                "INFO {{\"Authorization\": \"Bearer {tok}\", \"Proxy-Authorization\": \"Basic {basic}\"}}\nINFO Authorization: Bearer {tok}\n"
            ),
        ),
    ];
    for (file, doc) in docs {
        let (out, _) = clean(file, &doc);
        assert!(!out.contains(tok) && !out.contains(basic), "{out}");
        assert!(
            out.contains("\"Bearer [REDACTED:") && out.contains("\"Basic [REDACTED:"),
            "scheme words lost: {out}"
        );
        let placeholders: std::collections::HashSet<&str> = out
            .split("Bearer ")
            .skip(1)
            .map(|r| &r[..r.find(']').map_or(0, |e| e + 1)])
            .collect();
        assert_eq!(placeholders.len(), 1, "{out}");
    }
    // Names that do not always hold a credential keep their words.
    let keep = r#"{"authentication": "required", "sso": {"authentication": "OAuth 2.0"}}"#;
    assert_eq!(clean("k.json", keep).0, keep);
}

/// LDIF's `userPassword:: <base64>`: the value goes, the `::` that says it was base64
/// stays, so the copy is still LDIF.
#[test]
fn ldif_base64_values_keep_their_double_colon() {
    let doc = "dn: cn=bob,dc=example,dc=com\nobjectClass: person\nuserPassword:: b1JWQ1NmI1FMeEpMOEE1Ng==\n";
    let (copy, findings) = clean("users.ldif", doc);
    assert_eq!(findings.len(), 1, "{copy}");
    assert!(
        copy.contains("\nuserPassword:: [REDACTED:password:"),
        "{copy}"
    );
    assert!(!copy.contains("b1JWQ1Nm"), "{copy}");
    assert!(copy.starts_with("dn: cn=bob,dc=example,dc=com\nobjectClass: person\n"));
}

/// A private key kept in JSON as the list of its lines: every line of its body goes,
/// its armour lines and the rest of the document stay; a list of lines with no key in
/// it stays whole.
#[test]
fn a_private_key_as_a_list_of_its_lines_goes() {
    let body = [
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7FAKEFAKEFAKEFAKE",
        "FAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKE",
        "Zm9vYmFyZm9vYmFy",
    ];
    for (begin, end) in [
        ("-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\n",
            "-----END OPENSSH PRIVATE KEY-----\n",
        ),
    ] {
        let mut lines = vec![begin];
        lines.extend(body);
        lines.push(end);
        let doc = serde_json::json!({"service": {"name": "svc", "lines": lines}}).to_string();
        let (out, f) = clean("config.json", &doc);
        for line in body {
            assert!(!out.contains(line), "{line} survived in {out}");
        }
        let copy: serde_json::Value = serde_json::from_str(&out).unwrap();
        let kept = &copy["service"]["lines"];
        assert_eq!(kept[0], begin, "{out}");
        assert_eq!(kept[4], end, "{out}");
        assert_eq!(copy["service"]["name"], "svc");
        assert_eq!(f.len(), body.len(), "{out}");
    }
    let plain = serde_json::json!({"lines": ["-----BEGIN CERTIFICATE-----",
        "MIIBszCCAVmgAwIBAgIUFAKE", "-----END CERTIFICATE-----", "Zm9vYmFyZm9vYmFy"]})
    .to_string();
    assert_eq!(clean("certs.json", &plain).0, plain);
}

/// Python's logged query dicts hold each value in a list or a tuple (`parse_qs`,
/// `requests`' `files=`): the first item is the value. A list of rules under a
/// password's name (Laravel's validation) is no password.
#[test]
fn python_lists_and_tuples_hold_their_values() {
    for (line, secret) in [
        (
            "DEBUG qs={'access_token': ['Aq7pL2mK9wR4Xz8c'], 'state': ['xyz']}\n",
            "Aq7pL2mK9wR4Xz8c",
        ),
        (
            "DEBUG params={'oauth_token': ('Tq7pL2mK9wR4Xz8c', ''), 'page': ('2', '')}\n",
            "Tq7pL2mK9wR4Xz8c",
        ),
        (
            "INFO {\"client_secret\": [\"Cq7pL2mK9wR4Xz8c\"], \"grant_type\": [\"x\"]}}\n",
            "Cq7pL2mK9wR4Xz8c",
        ),
        (
            "qs = {b'password': [b'Bq7pL2mK9wR4Xz8c']}\n",
            "Bq7pL2mK9wR4Xz8c",
        ),
    ] {
        let (out, f) = clean("app.log", line);
        assert!(!out.contains(secret), "{secret} survived in {out}");
        assert_eq!(f.len(), 1, "{out}");
        assert!(out.contains("['xyz']") || !line.contains("xyz"), "{out}");
    }
    let rules =
        "$rules = ['password' => ['required', 'string', 'min:12'], 'email' => ['email']];\n";
    assert_eq!(clean("rules.php.log", rules).0, rules);
}
