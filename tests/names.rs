//! The name model and the name contexts of markup and script, through the library:
//! credential names in every spelling (JSON keys, form fields, query parameters,
//! header names), HTML attributes, XML / SOAP elements and JavaScript calls. Each case
//! plants a fake credential and checks that it is gone and that its name and the
//! ordinary data around it stay.

mod common;

use harscrub::clean_bytes;
use harscrub::Engine;
use serde_json::json;

fn engine() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| common::engine("test-key"))
}

fn clean(name: &str, doc: &str) -> String {
    let o = clean_bytes(engine(), name, doc.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    String::from_utf8(o.copy).unwrap()
}

fn entry(request: serde_json::Value, response_body: Option<(&str, &str)>) -> String {
    let content = match response_body {
        Some((mime, text)) => json!({"size": text.len(), "mimeType": mime, "text": text}),
        None => json!({"size": 0, "mimeType": "text/plain"}),
    };
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [{
        "startedDateTime": "2024-01-01T00:00:00Z", "time": 1,
        "request": request,
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
            "headers": [], "cookies": [], "content": content, "redirectURL": "",
            "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}]}})
    .to_string()
}

fn get(url: &str, headers: serde_json::Value) -> serde_json::Value {
    json!({"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": headers,
        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0})
}

fn post(mime: &str, text: &str) -> serde_json::Value {
    json!({"method": "POST", "url": "https://app.example/api", "httpVersion": "HTTP/1.1",
        "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0,
        "postData": {"mimeType": mime, "text": text}})
}

/// A response body of this MIME type, cleaned.
fn body(mime: &str, text: &str) -> String {
    clean(
        "a.har",
        &entry(get("https://app.example/", json!([])), Some((mime, text))),
    )
}

/// A JSON response body that must come out of a clean byte for byte.
fn kept_whole(text: &str) {
    let out = body("application/json", text);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap(),
        text
    );
}

const SECRETS: &[&str] = &["hunter2x", "Kq8s7dHf6Gv5", "83920174", "s3cr3t-Value"];

fn gone(out: &str, secret: &str, what: &str) {
    assert!(!out.contains(secret), "{what}: {secret} survived in\n{out}");
}

#[test]
fn credential_names_in_every_spelling_in_json_forms_and_urls() {
    let names = [
        "privKey",
        "priv_key",
        "privkey",
        "cred",
        "userCred",
        "macaroon",
        "mat_khau",
        "palavraPasse",
        "kata_sandi",
        "contrasenya",
        "geslo",
        "adminMacaroon",
        "loginPwd",
        "newPwd",
        "userPass",
        "adminPass",
        "signingKey",
        "hmacKey",
        "otpCode",
        "smsCode",
        "securePin",
        "pass",
        "pin",
        "pwd",
        "sid",
        "password",
        "PASSWORD",
        "user_pw",
        "pass_word",
        "password_confirmation",
        "password2",
        "db-password",
        "rootpwd",
        "clientSecret",
        "client_secret",
        "apiKey",
        "API_KEY",
        "accessKey",
        "secretKey",
        "privateKey",
        "csrfToken",
        "_csrf",
        "sessionId",
        "JSESSIONID",
        "refreshToken",
        "authCode",
        "verificationCode",
        "twoFactorCode",
        "passcode",
        "passphrase",
        "passwordHash",
        "licenseKey",
        "cardPin",
        "mfa_code",
        "token_b64",
    ];
    for (i, n) in names.iter().enumerate() {
        let secret = format!("Vq{i}x8Lm2Zr{i}");
        // JSON request body.
        let doc = entry(
            post(
                "application/json",
                &json!({ *n: secret, "lang": "en" }).to_string(),
            ),
            None,
        );
        let out = clean("a.har", &doc);
        gone(&out, &secret, &format!("JSON key {n}"));
        assert!(
            out.contains(n) && out.contains(r#"\"lang\":\"en\""#),
            "{n}: {out}"
        );
        // Form body.
        let form = format!("{n}={secret}&lang=en");
        let out = clean(
            "a.har",
            &entry(post("application/x-www-form-urlencoded", &form), None),
        );
        gone(&out, &secret, &format!("form field {n}"));
        assert!(out.contains("&lang=en"), "{n}");
        // Query string.
        let out = clean(
            "a.har",
            &entry(
                get(
                    &format!("https://app.example/x?{n}={secret}&page=2"),
                    json!([]),
                ),
                None,
            ),
        );
        gone(&out, &secret, &format!("query {n}"));
        assert!(out.contains("&page=2"), "{n}");
    }
}

#[test]
fn bracketed_and_dotted_form_names() {
    for n in [
        "data[User][pwd]",
        "login[pass]",
        "user[password]",
        "user.password",
        "session[sid]",
        "account[api_key]",
    ] {
        let enc = n.replace('[', "%5B").replace(']', "%5D");
        for name in [n.to_string(), enc] {
            let form = format!("{name}=Zx81kPq4Wm&remember=1");
            let out = clean(
                "a.har",
                &entry(post("application/x-www-form-urlencoded", &form), None),
            );
            gone(&out, "Zx81kPq4Wm", &name);
            assert!(out.contains("&remember=1"));
        }
    }
}

#[test]
fn numbers_and_arrays_under_credential_names() {
    let doc = entry(
        post(
            "application/json",
            r#"{"password": 83920174, "pin": 4711, "page": 3, "tokens": ["gQ7vL2pX9kR4mT8wZ1yB"], "refreshTokens": ["rt-Aa1"], "maxTokens": 4096}"#,
        ),
        None,
    );
    let out = clean("a.har", &doc);
    for s in ["83920174", "4711", "gQ7vL2pX9kR4mT8wZ1yB", "rt-Aa1"] {
        gone(&out, s, "number/array");
    }
    assert!(
        out.contains(r#"\"page\": 3"#) && out.contains(r#"\"maxTokens\": 4096"#),
        "{out}"
    );
    // The copy is still valid JSON, with the number now a placeholder string.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v["log"]["entries"][0]["request"]["postData"]["text"]
        .as_str()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(text).unwrap();
    assert!(body["password"]
        .as_str()
        .unwrap()
        .starts_with("[REDACTED:password:"));
}

/// The word for password in other languages, with its accents or in its script: in
/// JSON, in a form (percent-encoded) and in a log line. Accented spellings of ordinary
/// words stay ordinary.
#[test]
fn password_words_of_other_languages_with_their_accents() {
    let names = [
        "contraseña",
        "Contraseña",
        "lösenord",
        "hasło",
        "şifre",
        "Kennwort",
        "parola",
        "пароль",
        "Пароль",
        "κωδικός",
        "密码",
        "パスワード",
        "비밀번호",
        "סיסמה",
        "user_пароль",
        "nuevaContraseña",
    ];
    for (i, n) in names.iter().enumerate() {
        let pw = format!("Xq7vR2pLm9wTz{i:02}");
        let json_doc = json!({ "user": "bob", *n: pw }).to_string();
        let form = format!(
            "user=bob&{}={pw}",
            percent_encoding::utf8_percent_encode(n, percent_encoding::NON_ALPHANUMERIC)
        );
        let log = format!("2024-01-01 DEBUG login user=bob {n}={pw}\n");
        for (what, out) in [
            ("json", body("application/json", &json_doc)),
            ("form", body("application/x-www-form-urlencoded", &form)),
            ("log", clean("app.log", &log)),
        ] {
            assert!(!out.contains(&pw), "{n} in {what}: {out}");
            assert!(out.contains("bob"), "{n} in {what}: {out}");
        }
    }
    let keep =
        json!({"región": "España-Norte-12", "größe": "XL-2024-abc", "дата": "2024-01-01T00:00"});
    kept_whole(&keep.to_string());
}

/// Names of keys in configuration files: WireGuard's `PresharedKey` (beside its
/// `PrivateKey`; the `PublicKey` stays), Yarn's `npmAuthIdent`, a Cisco key chain's
/// `key-string`.
#[test]
fn configuration_key_names() {
    for (name, doc, secret, kept) in [
        (
            "wg0.conf",
            "[Peer]\nPublicKey = gPJwVx2l6gsFyVBS/OhgSBCe9BVo6N7794sqsWoTM90=\nPresharedKey = Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmE=\n",
            "Zm9vYmFyYmF6cXV4",
            "PublicKey = gPJwVx2l6gsFyVBS/OhgSBCe9BVo6N7794sqsWoTM90=",
        ),
        (
            ".yarnrc.yml",
            "npmRegistries:\n  \"https://npm.example.com\":\n    npmAuthIdent: \"Ym9iOmh1bnRlcjJ4eXo=\"\n",
            "Ym9iOmh1bnRlcjJ4eXo",
            "npmAuthIdent: \"[REDACTED:",
        ),
        (
            "router.cfg",
            "key chain OSPF\n key 1\n  key-string Xq7vR2pLm9wTz4\n",
            "Xq7vR2pLm9wTz4",
            "  key-string [REDACTED:",
        ),
        // A name that ends in a host: Hadoop's account keys.
        (
            "core-site.xml",
            "<configuration><property>\n<name>fs.azure.account.key.acme.blob.core.windows.net</name>\n<value>Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo</value>\n</property><property><name>fs.defaultFS</name><value>abfs://data@acme.dfs.core.windows.net</value></property></configuration>\n",
            "Zm9vYmFyYmF6cXV4",
            "<value>abfs://data@acme.dfs.core.windows.net</value>",
        ),
        // Tokens in a map keyed by host, under their credential's name: Composer.
        (
            "auth.json",
            r#"{"github-oauth": {"github.com": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"}, "repositories": {"github.com": "vcs"}}"#,
            "4f3c2b1a0e9d8c7b6a5f",
            r#""repositories": {"github.com": "vcs"}"#,
        ),
        (
            "auth.json",
            r#"{"gitlab-token": {"gitlab.example.com": "xYz12AbC34dEf56GhI78"}}"#,
            "xYz12AbC34dEf56GhI78",
            r#"{"gitlab-token": {"gitlab.example.com": "[REDACTED:"#,
        ),
        // PagerDuty's keys in Alertmanager; a message broker's routing key stays.
        (
            "alertmanager.yml",
            "receivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key: e012ae990d6fc161e4472d1ecc25a53d\nrabbit:\n  routing_key: orders.created\n",
            "e012ae990d6fc161",
            "  routing_key: orders.created\n",
        ),
        // A provider's key by its name (a Postman collection's variable).
        (
            "collection.json",
            r#"{"variable": [{"key": "stripeKey", "value": "JCD1YZpkxwnUzyO9Lnt8EGno2CRi8TqM"}, {"key": "sortKey", "value": "createdAt"}]}"#,
            "JCD1YZpkxwnUzyO9",
            r#"{"key": "sortKey", "value": "createdAt"}"#,
        ),
        // Azure's `listKeys`: pairs named by `keyName`.
        (
            "keys.json",
            r#"{"keys": [{"keyName": "key1", "value": "Xk3v9Qz8Lm2Pw7Rt5Yb1Nc4Hd6Jf0Gs8Ua3Ve7Wi9Ox2Kq5Ml1Np4Sr6Tu8Vw0==", "permissions": "FULL"}, {"keyName": "primary", "value": "Standard_LRS"}]}"#,
            "Xk3v9Qz8Lm2Pw7Rt5Yb1",
            r#"{"keyName": "primary", "value": "Standard_LRS"}"#,
        ),
    ] {
        let out = clean(name, doc);
        assert!(!out.contains(secret), "{name}: {out}");
        assert!(out.contains(kept), "{name}: {out}");
    }
}

#[test]
fn ordinary_names_keep_their_values() {
    let keep = json!({
        "keyboard": "Qw3rtyLayout2024xyz", "passenger": "Jane Doe 12", "keyCode": "Enter13",
        "passport": "X1234567", "tokenType": "Bearer", "maxTokens": "4096", "compass": "N12E",
        "bypass": "cache-2024", "passive": "yes1234", "pinned": "true", "spinner": "dots12",
        "monkey": "Bob42", "turkey": "Istanbul1", "passwordPolicy": "min12chars",
        "tokenExpiry": "3600s", "keyId": "k-2024-01", "sessionTimeout": "30m",
        "statusCode": "A200OK", "errorCode": "E42x", "publicKey": "pk_abc",
        "promoCode": "SUMMER24", "forgotPassword": "Forgot your password?",
        "passwordLabel": "Password", "sortKey": "b12", "authority": "login.example",
        "keyName": "signing-key-2024", "tokenizer.example.com": "Wordpiece2024x",
        "status.example.com": "Operational42",
        "sacred": "Temple of Karnak 1", "scared": "not at all 2", "privilege": "admin-2024",
        "private": "true", "clave": "A1", "tgt": "production",
        "existingSecret": "grafana-admin-credentials",
    });
    kept_whole(&keep.to_string());
    // A Helm chart's values (YAML, read as text) name their Secret the same way; an
    // existing *password* is the current one, and goes.
    let values = "auth:\n  existingSecret: grafana-admin-credentials\n  existingPassword: Kq8s7dHf6Gv5Wm3N\n";
    let out = clean("values.yaml", values);
    assert!(
        out.contains("existingSecret: grafana-admin-credentials\n"),
        "{out}"
    );
    gone(&out, "Kq8s7dHf6Gv5Wm3N", "existingPassword");
}

/// SAP's CSRF handshake (`X-CSRF-Token: Fetch` asks for a token, `Required` refuses a
/// request without one) keeps its words; the token the server answers with goes.
#[test]
fn csrf_handshake_words_stay() {
    let token = "Kq8s7dHf6Gv5Zt2Wx9Ab==";
    let request = get(
        "https://sap.example/sap/opu/odata/x",
        json!([{"name": "X-CSRF-Token", "value": "Fetch"}]),
    );
    let doc = entry(request, None).replace(
        r#""headers":[],"cookies":[],"content""#,
        &format!(
            r#""headers":[{{"name":"x-csrf-token","value":"{token}"}}],"cookies":[],"content""#
        ),
    );
    assert!(doc.contains(token), "{doc}");
    let out = clean("sap.har", &doc);
    gone(&out, token, "csrf token");
    assert!(out.contains(r#""value":"Fetch""#), "{out}");
    let text = "GET /x HTTP/1.1\r\nX-CSRF-Token: Fetch\r\nHost: a\r\n\r\nHTTP/1.1 403 Forbidden\r\nx-csrf-token: Required\r\n\r\n";
    assert_eq!(clean("request.http", text), text);
}

#[test]
fn csv_columns_by_header_name() {
    let table = "name,email,api_token,session\r\n\
                 alice,a@example.com,Kq8s7dHf6Gv5Wm3N,open\r\n\
                 \"bob, jr\",b@example.com,\"Zq8s,Lw3t\"\"Rk9mXp2\",Yt5rE3wQ1aZ9Lm4P\r\n";
    let out = body("text/csv", table);
    for secret in [
        "Kq8s7dHf6Gv5Wm3N",
        "Zq8s,Lw3t",
        "Rk9mXp2",
        "Yt5rE3wQ1aZ9Lm4P",
    ] {
        gone(&out, secret, "csv body");
    }
    for keep in [
        "name,email,api_token,session",
        "alice,a@example.com,",
        ",open",
        "bob, jr",
    ] {
        assert!(out.contains(keep), "{keep}: {out}");
    }
    // A spreadsheet export starts with a byte order mark.
    let bom = "\u{feff}name,api_token\r\nalice,Kq8s7dHf6Gv5Wm3N\r\n";
    let o = clean_bytes(engine(), "export.csv", bom.as_bytes()).unwrap();
    let copy = String::from_utf8(o.copy).unwrap();
    gone(&copy, "Kq8s7dHf6Gv5Wm3N", "csv with a byte order mark");
    assert!(
        copy.starts_with("\u{feff}name,api_token\r\nalice,"),
        "{copy}"
    );
    let tsv = "id\tuser\tpassword\n1\talice\thunter2x\n2\tbob\t\n";
    let o = clean_bytes(engine(), "users.tsv", tsv.as_bytes()).unwrap();
    let copy = String::from_utf8(o.copy).unwrap();
    gone(&copy, "hunter2x", "tsv file");
    assert!(
        copy.starts_with("id\tuser\tpassword\n1\talice\t") && copy.ends_with("2\tbob\t\n"),
        "{copy}"
    );
}

/// PHP `define('DB_PASSWORD', '…')` and setters given a literal (`setPassword("…")`,
/// `setApiKey('…')`); setters of other things keep their argument.
#[test]
fn php_define_and_setters() {
    let log = "define('DB_PASSWORD', 'Kq8s7dHf6Gv5');\n\
               define(\"WP_HOME\", \"https://blog.example\");\n\
               ds.setPassword(\"hunter2x\");\n\
               client.setApiKey('Yt5rE3wQ1aZ9Lm4P');\n\
               setTimeout(\"refreshAll12345\");\n\
               widget.setTitle('Password settings');\n";
    let o = clean_bytes(engine(), "wp-config.log", log.as_bytes()).unwrap();
    let copy = String::from_utf8(o.copy).unwrap();
    for secret in ["Kq8s7dHf6Gv5", "hunter2x", "Yt5rE3wQ1aZ9Lm4P"] {
        gone(&copy, secret, "define / setter");
    }
    for keep in [
        "define('DB_PASSWORD', '",
        "define(\"WP_HOME\", \"https://blog.example\");",
        "setTimeout(\"refreshAll12345\");",
        "widget.setTitle('Password settings');",
    ] {
        assert!(copy.contains(keep), "{keep}: {copy}");
    }
}

#[test]
fn prose_is_not_a_credential() {
    let text = json!({"errors": ["Password: too short (minimum is 12 characters)"], "message": "Token: has expired, please sign in again"}).to_string();
    let out = body("application/json", &text);
    assert!(
        out.contains("Password: too short (minimum is 12 characters)"),
        "{out}"
    );
    assert!(
        out.contains("Token: has expired, please sign in again"),
        "{out}"
    );
    // Under a password key, a passphrase with spaces is the credential.
    let out = body(
        "application/json",
        r#"{"password": "correct horse battery staple"}"#,
    );
    gone(&out, "correct horse battery staple", "passphrase");
    // In a log, a password line with a value still goes.
    let log = "12:00 login\nPassword: hunter2x\nPassword: must be at least 12 characters\n";
    let out = clean("a.log", log);
    gone(&out, "hunter2x", "log line");
    assert!(
        out.contains("Password: must be at least 12 characters"),
        "{out}"
    );
    // The same after a log prefix; a value that is no plain word still goes.
    let log = "WARN Password: too short (minimum is 12 characters)\nerror: password: must contain a digit\nWARN password: hunter2y is the one for the admin\n";
    let out = clean("a.log", log);
    assert!(
        out.contains("WARN Password: too short (minimum is 12 characters)\n"),
        "{out}"
    );
    assert!(
        out.contains("error: password: must contain a digit\n"),
        "{out}"
    );
    gone(&out, "hunter2y", "log line after a prefix");
}

#[test]
fn credential_headers_by_name_model_and_list() {
    let names = [
        "X-Auth-Key",
        "MYSAPSSO2",
        "Grpc-Metadata-macaroon",
        "DD-API-KEY",
        "DD-APPLICATION-KEY",
        "X-Tableau-Auth",
        "X-JFrog-Art-Api",
        "X-Honeycomb-Team",
        "X-Okta-Session",
        "X-Session",
        "X-Sid",
        "X-Access-Key",
        "Ocp-Apim-Subscription-Key",
        "PRIVATE-TOKEN",
        "X-Api-Secret",
        "X-Goog-Api-Key",
        "X-Figma-Token",
        "X-Postmark-Server-Token",
        "X-Shopify-Access-Token",
        "X-Buildkite-Token",
        "x-acme-auth",
        "X-Partner-Key",
        "x-my-app-password",
        "X-Firebase-AppCheck",
        "X-Amzn-Oidc-Data",
    ];
    for n in names {
        let doc = entry(
            get(
                "https://api.example/",
                json!([{"name": n, "value": "Yt5rE3wQ1aZ9"}, {"name": "Accept", "value": "*/*"}]),
            ),
            None,
        );
        let out = clean("a.har", &doc);
        gone(&out, "Yt5rE3wQ1aZ9", n);
        assert!(out.contains(n) && out.contains("*/*"), "{n}");
    }
    // `Authentication` keeps its scheme word, like `Authorization`.
    let doc = entry(
        get(
            "https://api.example/",
            json!([{"name": "Authentication", "value": "Bearer Yt5rE3wQ1aZ9"}]),
        ),
        None,
    );
    let out = clean("a.har", &doc);
    gone(&out, "Yt5rE3wQ1aZ9", "Authentication");
    assert!(out.contains("Bearer [REDACTED"), "{out}");
    // Ordinary headers stay.
    for (n, v) in [
        ("X-Jenkins-Session", "a86ede14"),
        ("Idempotency-Key", "Op-2024-77xyz"),
        ("X-Request-Id", "r-12345678"),
    ] {
        let doc = entry(
            get("https://api.example/", json!([{"name": n, "value": v}])),
            None,
        );
        assert!(clean("a.har", &doc).contains(v), "{n}");
    }
}

#[test]
fn websocket_protocol_token_goes_protocol_names_stay() {
    let v = "base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZmFrZQ, base64.binary.k8s.io";
    let doc = entry(
        get(
            "wss://k8s.example/api/v1/exec",
            json!([{"name": "Sec-WebSocket-Protocol", "value": v}]),
        ),
        None,
    );
    let out = clean("a.har", &doc);
    gone(
        &out,
        "ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZmFrZQ",
        "k8s subprotocol",
    );
    assert!(
        out.contains("base64url.bearer.authorization.k8s.io.[REDACTED:bearer-token:"),
        "{out}"
    );
    assert!(out.contains(", base64.binary.k8s.io"));
    let doc = entry(
        get(
            "wss://gql.example/",
            json!([{"name": "sec-websocket-protocol", "value": "access_token, Pq7Lm3Zx9Wk2Rt5"}]),
        ),
        None,
    );
    let out = clean("a.har", &doc);
    gone(&out, "Pq7Lm3Zx9Wk2Rt5", "token subprotocol");
    assert!(out.contains("access_token, [REDACTED"));
    let doc = entry(
        get(
            "wss://chat.example/",
            json!([{"name": "Sec-WebSocket-Protocol", "value": "graphql-transport-ws, actioncable-v1-json"}]),
        ),
        None,
    );
    assert!(clean("a.har", &doc).contains("graphql-transport-ws, actioncable-v1-json"));
}

#[test]
fn html_attributes_in_any_form() {
    let cases = [
        r#"<form><input name=password value=hunter2x></form>"#,
        r#"<input value=hunter2x name=password/>"#,
        r#"<input type="password" value="hunter2x">"#,
        r#"<input type=password class="a>b" value='hunter2x'>"#,
        r#"<input data-x="a > b" name="user[password]" value="hunter2x">"#,
        r#"<input value="hunter2x" type="hidden" name="authenticity_token">"#,
        r#"<meta content="hunter2x" name="csrf-token">"#,
        r#"<textarea name="private_key" rows=3>hunter2x</textarea>"#,
        r#"<button name="otp_code" value="hunter2x">Go</button>"#,
        r#"<div id="app" data-api-key="hunter2x"></div>"#,
        r#"<span data-csrf='hunter2x'>x</span>"#,
    ];
    for c in cases {
        let html = format!("<html><body>{c}<p>Hello</p></body></html>");
        let out = body("text/html", &html);
        gone(&out, "hunter2x", c);
        assert!(out.contains("<p>Hello</p>"), "{c}");
    }
    // Names and ordinary values stay.
    let html = r#"<input name="username" value="alice"><input type="password" name="password" value=""><meta name="csrf-param" content="authenticity_token"><label for="password">Password</label>"#;
    let out = body("text/html", html);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap(),
        html
    );
}

#[test]
fn xml_and_soap_elements_by_name() {
    let soap = r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><wsse:Security><wsse:UsernameToken><wsse:Username>alice</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">hunter2x</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body><Login><Token>Kq8s7dHf6Gv5</Token><SessionId>
  83920174
</SessionId><password><![CDATA[s3cr3t-Value]]></password><Key>photos/2024/img.jpg</Key><Code>E42</Code></Login></soapenv:Body></soapenv:Envelope>"#;
    for mime in ["text/xml", "application/soap+xml"] {
        let out = body(mime, soap);
        for s in SECRETS {
            gone(&out, s, mime);
        }
        for keep in [
            "<wsse:Username>alice</wsse:Username>",
            "#PasswordText\\\">",
            "<Key>photos/2024/img.jpg</Key>",
            "<Code>E42</Code>",
            "<![CDATA[[REDACTED",
        ] {
            assert!(out.contains(keep), "{keep} lost in {out}");
        }
    }
    // In a log file too.
    let log = "request: <auth><pin>4711</pin><sid>Kq8s7dHf6Gv5</sid></auth>\n";
    let out = clean("soap.log", log);
    gone(&out, "4711", "xml in log");
    gone(&out, "Kq8s7dHf6Gv5", "xml in log");
}

#[test]
fn javascript_calls_and_paths() {
    let cases = [
        r#"localStorage.setItem('token', 'hunter2x');"#,
        r#"sessionStorage.setItem("authToken", "hunter2x")"#,
        r#"window.localStorage.setItem(`refresh_token`, `hunter2x`)"#,
        r#"xhr.setRequestHeader('Authorization', 'Bearer hunter2x');"#,
        r#"xhr.setRequestHeader("X-Api-Key", "hunter2x");"#,
        r#"headers.set("X-Api-Key", "hunter2x");"#,
        r#"h.append('X-Auth-Key','hunter2x')"#,
        r#"fetch(url, {headers: {Authorization: `Bearer hunter2x`}})"#,
        r#"fetch(url, {headers: {"X-Figma-Token": `hunter2x`}})"#,
        r#"window.__APP__.config.auth.accessToken = "hunter2x";"#,
        r#"window.__INITIAL_STATE__.session.currentUser.credentials.oauth.accessToken = 'hunter2x';"#,
        r#"params.set('client_secret', 'hunter2x')"#,
    ];
    for c in cases {
        let js = format!("(function(){{ var a = 1; {c} return a; }})();");
        for mime in ["application/javascript", "text/html"] {
            let out = body(mime, &js);
            gone(&out, "hunter2x", c);
            assert!(out.contains("var a = 1;"), "{c}");
        }
    }
    // Expressions and ordinary calls stay.
    let js = r#"xhr.setRequestHeader('Authorization', `Bearer ${token}`); localStorage.setItem('theme', 'dark-2024-mode'); headers.set('Content-Type', 'application/json'); cfg.tokenType = "Bearer";"#;
    let out = body("application/javascript", js);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap(),
        js
    );
}

/// Every spelling style of a name, from its words.
fn spellings(words: &[&str]) -> Vec<String> {
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let camel: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| if i == 0 { w.to_string() } else { cap(w) })
        .collect();
    let pascal: String = words.iter().map(|w| cap(w)).collect();
    vec![
        camel.clone(),
        pascal,
        words.join("_"),
        words.join("-"),
        words.join("_").to_ascii_uppercase(),
        words.concat(),
        words.join("."),
        format!("data[{camel}]"),
        format!("user[{}]", words.join("_")),
        format!("config.settings.{camel}"),
    ]
}

const POSITIVE: &[&[&str]] = &[
    &["login", "pwd"],
    &["user", "pass"],
    &["admin", "pass"],
    &["signing", "key"],
    &["hmac", "key"],
    &["otp", "code"],
    &["sms", "code"],
    &["secure", "pin"],
    &["api", "key"],
    &["access", "token"],
    &["client", "secret"],
    &["new", "password"],
    &["refresh", "token"],
    &["session", "id"],
    &["csrf", "token"],
    &["private", "key"],
    &["auth", "code"],
    &["password"],
    &["passwd"],
    &["secret"],
    &["token"],
    &["api", "secret"],
    &["x", "api", "key"],
    &["verification", "code"],
    &["master", "key"],
    &["id", "token"],
    &["db", "password"],
    &["old", "pwd"],
    &["password", "hash"],
    &["auth", "ticket"],
    &["bearer", "token"],
    &["app", "secret"],
    &["secret", "key"],
    &["current", "password"],
    &["mfa", "code"],
    &["encryption", "key"],
    &["access", "key"],
];

const NEGATIVE: &[&[&str]] = &[
    &["password", "policy"],
    &["token", "type"],
    &["key", "code"],
    &["max", "tokens"],
    &["session", "timeout"],
    &["token", "expiry"],
    &["key", "id"],
    &["status", "code"],
    &["public", "key"],
    &["password", "min", "length"],
    &["csrf", "token", "name"],
    &["keyboard"],
    &["passenger"],
    &["compass"],
    &["bypass"],
    &["passport"],
    &["spinner"],
    &["monkey"],
    &["error", "code"],
    &["cache", "key"],
    &["token", "endpoint"],
    &["secret", "name"],
    &["client", "id"],
    &["country", "code"],
    &["sort", "key"],
];

/// Names × spellings × containers (JSON, form, query, HTML input, XML element, script):
/// every credential spelling loses its value, every ordinary one keeps it.
#[test]
fn generated_spellings_in_every_container() {
    let mut pos: Vec<(String, String)> = Vec::new();
    let mut neg: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, w) in POSITIVE.iter().enumerate() {
        for (j, n) in spellings(w).into_iter().enumerate() {
            if seen.insert(n.clone()) {
                pos.push((n, format!("Vq{i}x{j}Lm2")));
            }
        }
    }
    for (i, w) in NEGATIVE.iter().enumerate() {
        for (j, n) in spellings(w).into_iter().enumerate() {
            if seen.insert(n.clone()) {
                neg.push((n, format!("Nk{i}y{j}Pw3")));
            }
        }
    }
    let all: Vec<&(String, String)> = pos.iter().chain(neg.iter()).collect();
    let xml_ok = |n: &str| !n.contains('[');
    let check = |what: &str, out: &str| {
        for (n, v) in &pos {
            if what == "xml" && !xml_ok(n) {
                continue;
            }
            assert!(!out.contains(v.as_str()), "{what}: value of {n} survived");
        }
        for (n, v) in &neg {
            if what == "xml" && !xml_ok(n) {
                continue;
            }
            let p = out.find(&format!("{n}\\\"")).unwrap_or(0);
            assert!(
                out.contains(v.as_str()),
                "{what}: value of {n} was redacted: {}",
                &out[p..(p + 120).min(out.len())]
            );
        }
    };
    // JSON body.
    let mut obj = serde_json::Map::new();
    for (n, v) in &all {
        obj.insert(n.clone(), json!(v));
    }
    let out = clean(
        "a.har",
        &entry(
            post(
                "application/json",
                &serde_json::Value::Object(obj).to_string(),
            ),
            None,
        ),
    );
    check("json", &out);
    // Form body and query string (names percent-encoded as browsers send them).
    let enc = |s: &str| s.replace('[', "%5B").replace(']', "%5D");
    let form: Vec<String> = all.iter().map(|(n, v)| format!("{}={v}", enc(n))).collect();
    let out = clean(
        "a.har",
        &entry(
            post("application/x-www-form-urlencoded", &form.join("&")),
            None,
        ),
    );
    check("form", &out);
    let out = clean(
        "a.har",
        &entry(
            get(
                &format!("https://app.example/cb?{}", form.join("&")),
                json!([]),
            ),
            None,
        ),
    );
    check("query", &out);
    // HTML inputs, XML elements, script.
    let html: String = all
        .iter()
        .map(|(n, v)| format!("<input type=\"hidden\" name=\"{n}\" value=\"{v}\">\n"))
        .collect();
    check("html", &body("text/html", &format!("<form>{html}</form>")));
    let xml: String = all
        .iter()
        .filter(|(n, _)| xml_ok(n))
        .map(|(n, v)| format!("<{n}>{v}</{n}>"))
        .collect();
    check("xml", &body("application/xml", &format!("<r>{xml}</r>")));
    let js: String = all
        .iter()
        .map(|(n, v)| format!("localStorage.setItem('{n}', '{v}');\n"))
        .collect();
    check("js", &body("application/javascript", &js));
}

/// A GraphQL request's variables are judged by the arguments the query passes them
/// as (`login(password: $p)`): `p` holds a password. The query itself keeps its
/// references (`password: $p` is no literal), and a variable passed as an ordinary
/// argument keeps its value.
#[test]
fn graphql_variables_by_the_arguments_they_are_passed_as() {
    let pw = "Kq8s7dHf6Gv5Zt2Wx9";
    let otp = "482913";
    let query = "mutation Login($p: String!, $u: String!, $c: String) { login(username: $u, password: $p) { token } verify(input: {otpCode:$c, remember: true}) { ok } }";
    for text in [
        json!({"operationName": "Login", "query": query,
            "variables": {"u": "alice", "p": pw, "c": otp}})
        .to_string(),
        // Batched.
        json!([{"query": query, "variables": {"u": "alice", "p": pw, "c": otp}},
            {"query": "{ me { id } }"}])
        .to_string(),
    ] {
        let out = clean("a.har", &entry(post("application/json", &text), None));
        gone(&out, pw, "password variable");
        gone(&out, otp, "otp variable");
        assert!(out.contains(r#"\"u\":\"alice\""#), "{out}");
        // The query's text is unchanged.
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let posted = v["log"]["entries"][0]["request"]["postData"]["text"]
            .as_str()
            .unwrap();
        assert!(
            posted.contains(&serde_json::to_string(query).unwrap()),
            "{posted}"
        );
    }
}

/// The same request with its variables in the other forms clients send them: a JSON
/// string, a GET request's URL (`+` or `%20` for blanks), a form body.
#[test]
fn graphql_variables_in_every_form_they_are_sent() {
    let pw = "Kq8s7dHf6Gv5Zt2Wx9";
    let query =
        "mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";
    let variables = json!({"u": "alice", "p": pw}).to_string();
    let form = |blank: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .append_pair("variables", &variables)
            .finish()
            .replace('+', blank)
    };
    let get_request = |blank: &str| {
        let mut r = get(
            &format!("https://app.example/graphql?{}", form(blank)),
            json!([]),
        );
        r["queryString"] = json!([{"name": "query", "value": query},
            {"name": "variables", "value": variables}]);
        r
    };
    let mut form_post = post("application/x-www-form-urlencoded", &form("+"));
    form_post["postData"]["params"] = json!([{"name": "query", "value": query},
        {"name": "variables", "value": variables}]);
    let placeholders = regex::Regex::new(r"\[REDACTED:password:[0-9a-f]{8}\]").unwrap();
    for (what, request) in [
        (
            "a JSON string",
            post(
                "application/json",
                &json!({"query": query, "variables": variables}).to_string(),
            ),
        ),
        (
            "batched JSON strings",
            post(
                "application/json",
                &json!([{"variables": variables, "query": query}]).to_string(),
            ),
        ),
        ("a URL, + for blanks", get_request("+")),
        ("a URL, %20 for blanks", get_request("%20")),
        ("a form", form_post),
    ] {
        let out = clean("a.har", &entry(request.clone(), None));
        gone(&out, pw, what);
        let copy: serde_json::Value = serde_json::from_str(&out).unwrap();
        let copy = &copy["log"]["entries"][0]["request"];
        // Everything but the password is as it was: the query's `$p` is no value.
        let without = |r: &serde_json::Value| r.to_string().replace(pw, "");
        assert_eq!(
            placeholders.replace_all(&copy.to_string(), ""),
            without(&request),
            "{what}"
        );
    }
    // The URL alone, in a log line (no `queryString` list beside it).
    for blank in ["+", "%20"] {
        let line = format!("GET https://app.example/graphql?{} 200\n", form(blank));
        let out = clean("access.log", &line);
        gone(&out, pw, blank);
        assert_eq!(placeholders.replace_all(&out, ""), line.replace(pw, ""));
    }
}

/// A map under a credential's name keyed by the credentials themselves (a session
/// store's dump, a list of API keys): a key that is a token goes, and never reaches a
/// location; names used as keys (`DB_PASSWORD`, `API_KEY_2024_PRODUCTION`) and maps
/// under other names (`users` keyed by hex ids) stay.
#[test]
fn maps_keyed_by_credentials_lose_their_keys() {
    let session = "9f86d081884c7d659a2feaa0c55ad015";
    let token = "Kq8s7dHf6Gv5Zt2Wx9Ab3Lm";
    let key = "ak_live_2b7dQ9zL2mWx7RpT5nYb";
    let doc = json!({
        "sessions": {session: {"user": "bob", "expires": 1700000000}},
        "accessTokens": {token: {"scope": "read"}},
        "apiKeys": {key: {"name": "ci"}},
        "secrets": {"DB_PASSWORD": {"version": 3}, "API_KEY_2024_PRODUCTION": {"version": 1}},
        "users": {"a8f5f167f44f4964e6c998dee827110c": {"name": "x"}},
    })
    .to_string();
    let o = clean_bytes(engine(), "dump.json", doc.as_bytes()).unwrap();
    let out = String::from_utf8(o.copy).unwrap();
    for secret in [session, token, key] {
        gone(&out, secret, "map key");
        assert!(
            o.findings.iter().all(|f| !f.location.contains(secret)),
            "{secret}"
        );
    }
    assert_eq!(o.findings.len(), 3, "{out}");
    for kept in [
        r#""DB_PASSWORD":{"version":3}"#,
        r#""API_KEY_2024_PRODUCTION":{"version":1}"#,
        "a8f5f167f44f4964e6c998dee827110c",
        r#""scope":"read""#,
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

/// A HAR whose request sends `sid` as a cookie and whose JSON response holds a
/// `sessions` map keyed by `key`.
fn keyed_by(key: &str, sid: &str) -> String {
    let body = json!({"ok": true, "sessions": {key: {"active": true}}}).to_string();
    entry(
        get(
            "https://app.example/",
            json!([{"name": "Cookie", "value": format!("sid={sid}")}]),
        ),
        Some(("application/json", &body)),
    )
}

/// The same map keyed by a known secret in an encoded form (base64, compressed base64,
/// a `+` blank after it, base64 of UTF-16): the key is read through its layers, the
/// secret replaced inside, and the copy is written (a key replaced whole as a token, then its
/// re-encoded copy judged again, had failed the verification: no copy).
#[test]
fn encoded_keys_of_a_credential_map_are_read_through_their_layers() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use std::io::Write as _;
    let sid = "Zq7xK2mP9vL4tR8wYb3N";
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(format!("sid={sid}").as_bytes()).unwrap();
        STANDARD.encode(e.finish().unwrap())
    };
    // Base64 of UTF-16LE text, as PowerShell and Windows tools write it, of a short
    // session id and of a long provider key (that key had failed the verification).
    let wide = |s: &str| -> String {
        STANDARD.encode(
            s.encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
        )
    };
    let stripe = "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";
    for (key, sid) in [
        (STANDARD.encode(sid), sid),
        (gz, sid),
        (format!("{sid}+"), sid),
        (wide(sid), sid),
        (wide(stripe), stripe),
    ] {
        let out = clean("a.har", &keyed_by(&key, sid));
        gone(&out, sid, "cookie");
        gone(&out, &key, "encoded key");
        assert!(out.contains(r#"\"sessions\":{"#), "{out}");
        assert!(out.contains(r#"\"active\":true"#), "{out}");
    }
}

/// The same map keyed by the secret inside a hex dump (`xxd`, the secret cut between
/// two lines, one line's text column starting with a dumped space) or inside gzip
/// written as hex: the key keeps its shape, the bytes it shows lose the secret, and the
/// copy is written (a redacted hex key taken for a token whole had failed it).
#[test]
fn dumped_and_hex_keys_of_a_credential_map_lose_the_secret() {
    use std::io::{Read as _, Write as _};
    let sid = "Zq7xK2mP9vL4tR8wYb3N";
    let unhex = |h: &str| -> Vec<u8> {
        (0..h.len() / 2)
            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    };
    let hex = |b: &[u8]| -> String { b.iter().map(|b| format!("{b:02x}")).collect() };
    // `{"user":"bobby"} ` puts a space first on the second line, the secret across it.
    let dumped = format!(r#"{{"user":"bobby"}} sid={sid}; path=/"#);
    assert_eq!(dumped.as_bytes()[16], b' ');
    let mut xxd = String::new();
    for (k, c) in dumped.as_bytes().chunks(16).enumerate() {
        let words: Vec<String> = c.chunks(2).map(hex).collect();
        let text: String = c.iter().map(|&b| b as char).collect();
        xxd.push_str(&format!("{:08x}: {:<40} {text}\n", k * 16, words.join(" ")));
    }
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(format!("sid={sid}").as_bytes()).unwrap();
        hex(&e.finish().unwrap())
    };
    for (key, dump) in [(xxd.clone(), true), (gz, false)] {
        let out = clean("a.har", &keyed_by(&key, sid));
        gone(&out, sid, "cookie");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let text = v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(text).unwrap();
        let keys: Vec<&String> = body["sessions"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 1, "{text}");
        let shown = if dump {
            let lines: Vec<&str> = keys[0].lines().collect();
            assert_eq!(lines.len(), key.lines().count(), "{text}");
            let digits: String = lines
                .iter()
                .flat_map(|l| l[10..49].split_whitespace())
                .collect();
            String::from_utf8(unhex(&digits)).unwrap()
        } else {
            let mut plain = String::new();
            flate2::read::GzDecoder::new(&unhex(keys[0])[..])
                .read_to_string(&mut plain)
                .unwrap();
            plain
        };
        assert!(shown.contains("sid="), "{shown}");
        for piece in [&sid[..6], &sid[6..12], &sid[12..]] {
            assert!(!shown.contains(piece), "{piece} in {shown}");
        }
    }
}

/// `xxd` of `data`: the lines as
/// written, or escaped for a string literal (`\"`, `\\`, `\n`).
fn xxd_dump(data: &[u8], escaped: bool) -> String {
    let mut s = String::new();
    for (k, c) in data.chunks(16).enumerate() {
        let words: Vec<String> = c
            .chunks(2)
            .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        let text: String = c.iter().map(|&b| b as char).collect();
        s.push_str(&format!("{:08x}: {:<40} {text}\n", k * 16, words.join(" ")));
    }
    if escaped {
        s = s
            .replace('\\', r"\\")
            .replace('"', r#"\""#)
            .replace('\n', r"\n");
    }
    s
}

/// The bytes a copied dump shows (`xxd` lines, unescaped), checked against its text
/// column: each line must still be a dump line.
fn dumped(copy: &str) -> String {
    let mut bytes = String::new();
    for line in copy
        .lines()
        .filter(|l| l.len() > 51 && l.as_bytes()[8] == b':')
    {
        let digits: String = line[10..49].split_whitespace().collect();
        let part: String = (0..digits.len() / 2)
            .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap() as char)
            .collect();
        assert_eq!(&line[51..], part, "{line}");
        bytes.push_str(&part);
    }
    bytes
}

/// A dump inside a string literal (a script's call, a JSON log record's field) shows
/// its quotes and backslashes escaped and its line breaks as `\n`: it is read as a
/// dump there too, and what a credential's name or a known secret points at in its
/// text column becomes `*` like its hex, never a placeholder that would break the line
/// (the copy had failed its verification). A `\\n` in the dumped bytes is no line
/// break of the dump: the run before it, read alone, had cut a password from its name.
#[test]
fn dumps_inside_string_literals_lose_their_credentials() {
    let pw = "Kq8s7dHf6Gv5zz";
    let records = [
        // The password whole on the third line, in one piece in the text column.
        format!(r#"{{"user":"bobbyy","newPassword":"{pw}","next":"/home"}}"#),
        r#"{"user":"bobby","password":"Kq8s7dHf\nG6v5zz"}"#.to_string(),
    ];
    for data in &records {
        let script = format!(
            "(function(){{\n  xhr.setRequestHeader(\"blob\", \"{}\");\n}})();\n",
            xxd_dump(data.as_bytes(), true)
        );
        let har = entry(
            get(
                "https://app.example/",
                json!([{"name": "Cookie", "value": format!("pw={pw}")}]),
            ),
            Some(("application/javascript", &script)),
        );
        let out = clean("a.har", &har);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let text = v["log"]["entries"][0]["response"]["content"]["text"]
            .as_str()
            .unwrap();
        let quoted = &text[text.find(r#""0000"#).unwrap()..text.rfind("\");").unwrap() + 1];
        let inner: String = serde_json::from_str(quoted).unwrap();
        let shown = dumped(&inner);
        assert_eq!(shown.len(), data.len(), "{inner}");
        assert!(shown.starts_with(r#"{"user":"bobby"#), "{shown}");
        for piece in ["Kq8s7dHf", "6Gv5zz", "G6v5zz"] {
            assert!(!shown.contains(piece), "{piece} in {shown}");
        }
    }
    // The same record dumped into a JSON log line's field.
    let line =
        json!({"level": "debug", "msg": "auth", "ctx": xxd_dump(records[0].as_bytes(), false)});
    let out = clean("app.log", &format!("{line}\n"));
    let record: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    let shown = dumped(record["ctx"].as_str().unwrap());
    assert!(
        shown.contains(r#""newPassword":"**************""#),
        "{shown}"
    );
}

/// A base64 blob wrapped at 76 columns, its line breaks percent-encoded, in a URL
/// parameter: its first line read alone stops in the middle of a JWT, which is no
/// credential. The copy is written, the JWT's signature gone, its claims readable.
#[test]
fn a_wrapped_blob_in_a_url_parameter_gets_a_copy() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let head = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"user-42","iat":1764785257}"#);
    let sig = "MeqHs7JjctRKe7SdYLYjMtWVsGR6Ea6D-nUHGjkJjUk";
    let jwt = format!("{head}.{claims}.{sig}");
    let doc = json!({"user": "bob", "accessToken": jwt, "next": "/home"}).to_string();
    let b64 = STANDARD.encode(doc);
    let wrapped = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("%0D%0A");
    let url = format!("https://app.example/api?meta={wrapped}&lang=en");
    let mut req = get(&url, json!([]));
    req["queryString"] =
        json!([{"name": "meta", "value": wrapped}, {"name": "lang", "value": "en"}]);
    let out = clean("a.har", &entry(req, None));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let meta = v["log"]["entries"][0]["request"]["queryString"][0]["value"]
        .as_str()
        .unwrap();
    let joined = meta.replace("%0D%0A", "").replace("%3D", "=");
    let text = String::from_utf8(STANDARD.decode(joined).unwrap()).unwrap();
    assert!(!text.contains(sig), "{text}");
    assert!(
        text.contains(&format!("{head}.{claims}.[REDACTED:jwt:")),
        "{text}"
    );
    assert!(text.contains(r#""next":"/home""#), "{text}");
}

/// PHP-serialized data (a session file, a Laravel cache or queue payload) in a body:
/// a string member named like a credential loses the string after it, a private
/// property's name (`\0User\0password`) counts by its last part, and every length
/// still says its string's, so the copy still unserializes.
#[test]
fn php_serialized_pairs_lose_their_values_and_keep_their_lengths() {
    let pw = "Xk9mQ2vL4pRt7wZa";
    let token = "b7Hq2LmX9vRt4KpZ8wNc3JdF6sYg1TeA";
    let private = "Zr8Tq3Wv6Mn1Lp4K";
    // Under a name that says nothing: found by its rule, its length rewritten all the same.
    let ghp = "ghp_Kq8s7dHf6Gv5Zt2Wx9Ab3Lm4Np5Rs6Tu7Vw8";
    let text = format!(
        "a:5:{{s:8:\"username\";s:3:\"bob\";s:8:\"password\";s:{}:\"{pw}\";\
         s:5:\"token\";s:{}:\"{token}\";s:4:\"note\";s:{}:\"deploy with {ghp}\";\
         s:4:\"user\";O:4:\"User\":1:{{s:14:\"\0User\0password\";s:{}:\"{private}\";}}}}",
        pw.len(),
        token.len(),
        ghp.len() + 12,
        private.len()
    );
    let out = body("text/plain", &text);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let copy = v["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    for secret in [pw, token, private, ghp] {
        gone(copy, secret, "php");
    }
    assert!(copy.contains(r#"s:8:"username";s:3:"bob";"#), "{copy}");
    assert_eq!(copy.matches("[REDACTED:").count(), 4, "{copy}");
    assert!(copy.contains(r#"s:4:"note";s:"#), "{copy}");
    // Every `s:N:"` is followed by N bytes and `"`.
    let b = copy.as_bytes();
    let mut at = 0;
    let mut strings = 0;
    while let Some(p) = copy[at..].find("s:").map(|p| at + p) {
        let digits = b[p + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
        at = p + 2;
        if digits == 0 || b.get(p + 2 + digits) != Some(&b':') {
            continue;
        }
        let n: usize = copy[p + 2..p + 2 + digits].parse().unwrap();
        let from = p + 2 + digits + 2;
        assert_eq!(b.get(from + n), Some(&b'"'), "length {n} at {p} in {copy}");
        strings += 1;
        at = from + n;
    }
    assert_eq!(strings, 11, "{copy}");
}
