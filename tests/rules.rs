//! The built-in rule catalogue, through the library API: it loads, its own examples
//! pass, provider tokens are found with exact spans, and non-secrets stay untouched.
//! Every token below is fake (correctly shaped, never issued).

use std::collections::BTreeSet;

use harscrub::internals::{RuleMatch, RuleSet};

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("built-in rules load")
}

fn matches(set: &RuleSet, hay: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    set.find_all(hay.as_bytes(), &mut out);
    out.iter()
        .map(|m| (set.rule(m.rule).id.clone(), hay[m.start..m.end].to_string()))
        .collect()
}

fn src(name: &str, text: &str) -> (String, String) {
    (name.to_string(), text.to_string())
}

/// `n` characters cycling through `alphabet`.
fn fill(n: usize, alphabet: &str) -> String {
    alphabet.chars().cycle().take(n).collect()
}

fn alnum(n: usize) -> String {
    fill(n, "FAKEfake0123456789ExampleTestKEY")
}

fn hex(n: usize) -> String {
    fill(n, "0123456789abcdef")
}

#[test]
fn builtin_loads_and_passes_its_own_checks() {
    let set = builtin();
    assert!(set.rules().len() > 50, "only {} rules", set.rules().len());
    let problems = set.check();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_rule_is_documented_and_tested() {
    let set = builtin();
    let mut ids = BTreeSet::new();
    for r in set.rules() {
        assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
        assert!(
            r.id.starts_with(&format!("{}.", r.group)),
            "{}: id does not start with its group {}",
            r.id,
            r.group
        );
        assert!(!r.description.trim().is_empty(), "{}: no description", r.id);
        assert!(!r.examples.is_empty(), "{}: no examples", r.id);
        assert!(
            !r.negative_examples.is_empty(),
            "{}: no negative examples",
            r.id
        );
        assert!(
            r.kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: kind {:?}",
            r.id,
            r.kind
        );
    }
    let always: Vec<_> = set
        .rules()
        .iter()
        .filter(|r| r.keywords.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        always.is_empty(),
        "rules without keywords run on every input: {always:?}"
    );
}

#[test]
fn every_provider_group_is_present() {
    let set = builtin();
    let groups: BTreeSet<&str> = set.rules().iter().map(|r| r.group.as_str()).collect();
    for g in [
        "okta",
        "microsoft",
        "google",
        "atlassian",
        "salesforce",
        "cloudflare",
        "saml",
        "aws",
        "azure",
        "gcp",
        "github",
        "gitlab",
        "slack",
        "stripe",
        "twilio",
        "sendgrid",
        "npm",
        "pypi",
        "generic",
    ] {
        assert!(groups.contains(g), "no rules for group {g}");
    }
}

/// (text, expected rule id, expected secret): the rule must report exactly that span.
fn provider_cases() -> Vec<(String, &'static str, String)> {
    let mut v: Vec<(String, &'static str, String)> = Vec::new();
    let mut add =
        |text: String, id: &'static str, secret: &str| v.push((text, id, secret.to_string()));

    // GitHub
    let ghp = format!("ghp_{}", alnum(36));
    add(
        format!("export GH_TOKEN={ghp}\n"),
        "github.pat-classic",
        &ghp,
    );
    for (prefix, id) in [
        ("gho_", "github.oauth-token"),
        ("ghu_", "github.user-to-server-token"),
        ("ghs_", "github.server-to-server-token"),
        ("ghr_", "github.refresh-token"),
    ] {
        let t = format!("{prefix}{}", alnum(36));
        add(format!("{{\"token\":\"{t}\"}}"), id, &t);
    }
    let fg = format!("github_pat_{}_{}", alnum(22), alnum(59));
    add(
        format!("Authorization: token {fg}"),
        "github.pat-fine-grained",
        &fg,
    );
    // GitLab
    let glpat = format!("glpat-{}", fill(20, "FAKEfake0123-_"));
    add(format!("PRIVATE-TOKEN: {glpat}"), "gitlab.pat", &glpat);
    let glrt = format!("glrt-{}", alnum(20));
    add(format!("token = \"{glrt}\""), "gitlab.runner-token", &glrt);
    let gldt = format!("gldt-{}", alnum(20));
    add(format!("{gldt}\n"), "gitlab.deploy-token", &gldt);
    // Slack
    let xoxb = format!("xoxb-0123456789-0123456789012-{}", alnum(24));
    add(format!("SLACK_BOT_TOKEN={xoxb}"), "slack.bot-token", &xoxb);
    let xoxp = format!("xoxp-0123456789-0123456789-0123456789012-{}", hex(32));
    add(
        format!("token={xoxp}&channel=C1"),
        "slack.user-token",
        &xoxp,
    );
    let xapp = format!("xapp-1-A0123456789-0123456789012-{}", hex(64));
    add(xapp.clone(), "slack.app-token", &xapp);
    let hook_path = format!("T00000000/B00000000/{}", alnum(24));
    add(
        format!("POST https://hooks.slack.com/services/{hook_path} HTTP/1.1"),
        "slack.webhook",
        &hook_path,
    );
    // Stripe
    let sk = format!("sk_live_{}", alnum(24));
    add(format!("-u {sk}:"), "stripe.secret-key", &sk);
    let skt = format!("sk_test_{}", alnum(99));
    add(format!("STRIPE_KEY={skt}"), "stripe.secret-key", &skt);
    let rk = format!("rk_live_{}", alnum(24));
    add(rk.clone(), "stripe.restricted-key", &rk);
    let whsec = format!("whsec_{}", alnum(32));
    add(format!("\"{whsec}\""), "stripe.webhook-secret", &whsec);
    // Twilio, SendGrid, npm, PyPI
    let sksid = format!("SK{}", hex(32));
    add(
        format!("TWILIO_API_KEY={sksid}"),
        "twilio.api-key-sid",
        &sksid,
    );
    let tw = hex(32);
    add(
        format!("curl -u AC{}:{tw} https://api.twilio.com", hex(32)),
        "twilio.account-credentials",
        &tw,
    );
    let sg = format!(
        "SG.{}.{}",
        fill(22, "FAKEfake0123-_"),
        fill(43, "FAKEfake0123-_")
    );
    add(format!("SENDGRID_API_KEY={sg}"), "sendgrid.api-key", &sg);
    let npm = format!("npm_{}", alnum(36));
    add(
        format!("//registry.npmjs.org/:_authToken={npm}\n"),
        "npm.access-token",
        &npm,
    );
    let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", fill(120, "FAKEfake0123-_"));
    add(format!("password = {pypi}\n"), "pypi.api-token", &pypi);
    // AWS
    add(
        "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n".into(),
        "aws.access-key-id",
        "AKIAIOSFODNN7EXAMPLE",
    );
    add(
        "\"AccessKeyId\": \"ASIAFAKE0123456789AB\"".into(),
        "aws.access-key-id",
        "ASIAFAKE0123456789AB",
    );
    let aws_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    add(
        format!("aws_secret_access_key = {aws_secret}\n"),
        "aws.secret-access-key",
        aws_secret,
    );
    add(
        format!("{{\"SecretAccessKey\":\"{aws_secret}\"}}"),
        "aws.secret-access-key",
        aws_secret,
    );
    let sess = format!("IQoJb3JpZ2luX2VjEFAKE{}", fill(150, "FAKEfake0123+/"));
    add(
        format!("aws_session_token = {sess}\n"),
        "aws.session-token",
        &sess,
    );
    add(
        format!("aws_session_token = {sess}\n"),
        "aws.session-token-prefix",
        &sess,
    );
    let sig = hex(64);
    add(
        format!("https://b.s3.amazonaws.com/k?X-Amz-Date=20240101T000000Z&X-Amz-Signature={sig}"),
        "aws.sigv4-signature",
        &sig,
    );
    // Azure
    let sas = format!("{}%2B{}%3D", alnum(20), alnum(22));
    add(
        format!("https://a.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig={sas}&se=2030"),
        "azure.sas-signature",
        &sas,
    );
    let acct = format!("{}==", fill(86, "FAKEfake0123+/"));
    add(format!("DefaultEndpointsProtocol=https;AccountName=x;AccountKey={acct};EndpointSuffix=core.windows.net"), "azure.storage-account-key", &acct);
    // Google / GCP
    let aiza = format!("AIza{}", fill(35, "FAKEfake0123-_"));
    add(
        format!("https://maps.googleapis.com/maps/api/js?key={aiza}&v=3"),
        "google.api-key",
        &aiza,
    );
    let ya29 = format!("ya29.a0Af{}", fill(80, "FAKEfake0123-_"));
    add(
        format!("Authorization: Bearer {ya29}"),
        "google.oauth-access-token",
        &ya29,
    );
    let refresh = format!("1//0g{}", fill(60, "FAKEfake0123-_"));
    add(
        format!("{{\"refresh_token\":\"{refresh}\"}}"),
        "google.oauth-refresh-token",
        &refresh,
    );
    let key_id = hex(40);
    add(
        format!("{{\"type\":\"service_account\",\"private_key_id\":\"{key_id}\"}}"),
        "gcp.service-account-key-id",
        &key_id,
    );
    // Okta, Microsoft, Atlassian, Salesforce, Cloudflare
    let ssws = format!("00{}", fill(40, "FAKEfake0123-_"));
    add(
        format!("Authorization: SSWS {ssws}\r\n"),
        "okta.api-token",
        &ssws,
    );
    let st = format!("20111{}", alnum(48));
    add(
        format!("{{\"status\":\"SUCCESS\",\"sessionToken\":\"{st}\"}}"),
        "okta.session-token",
        &st,
    );
    let state = format!("02.id.{}", alnum(40));
    add(
        format!("{{\"stateHandle\":\"{state}\"}}"),
        "okta.state-token",
        &state,
    );
    let ests = format!("1.AXoA{}", fill(60, "FAKEfake0123-_"));
    add(
        format!("Cookie: ESTSAUTHPERSISTENT={ests}; buid=1"),
        "microsoft.estsauth-cookie",
        &ests,
    );
    let atatt = format!("ATATT3xFfGF0{}=0123ABCD", fill(170, "FAKEfake0123-_"));
    add(
        format!("JIRA_TOKEN={atatt}\n"),
        "atlassian.api-token",
        &atatt,
    );
    let cloud = format!("eyJraWQiOiJmYWtlIn0.{}.{}", alnum(40), alnum(30));
    add(
        format!("Cookie: cloud.session.token={cloud}; x=1"),
        "atlassian.session-cookie",
        &cloud,
    );
    let sf = format!("00D{}!AQ{}", alnum(12), alnum(94));
    add(
        format!("Authorization: Bearer {sf}"),
        "salesforce.access-token",
        &sf,
    );
    let cf = format!("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJmYWtlIn0.{}", alnum(40));
    add(
        format!("Cookie: CF_Authorization={cf}"),
        "cloudflare.access-cookie",
        &cf,
    );
    let cfs = hex(64);
    add(
        format!("CF-Access-Client-Secret: {cfs}\n"),
        "cloudflare.access-client-secret",
        &cfs,
    );
    // SAML
    let saml = format!("PHNhbWxwOlJlc3BvbnNl{}", fill(100, "FAKEfake0123+/"));
    add(
        format!("<input type=\"hidden\" name=\"SAMLResponse\" value=\"{saml}\" />"),
        "saml.response-param",
        &saml,
    );
    let assertion = "<saml:Assertion ID=\"_f\"><saml:Subject>fake</saml:Subject></saml:Assertion>";
    add(
        format!("<samlp:Response>{assertion}</samlp:Response>"),
        "saml.assertion",
        assertion,
    );
    // Generic
    let jwt = format!(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.{}",
        fill(43, "FAKEfake0123-_")
    );
    add(format!("?id_token={jwt}&state=1"), "generic.jwt", &jwt);
    add(
        "Authorization: Basic ZmFrZXVzZXI6RkFLRXBhc3M=\r\n".into(),
        "generic.authorization-header",
        "ZmFrZXVzZXI6RkFLRXBhc3M=",
    );
    add(
        "Bearer FAKEopaque0123456789".into(),
        "generic.bearer-token",
        "FAKEopaque0123456789",
    );
    add(
        "https://fakeuser:FAKEpass-123@example.com/x".into(),
        "generic.url-userinfo",
        "FAKEpass-123",
    );
    add(
        "postgres://app:FAKEpw_99@db:5432/app".into(),
        "generic.connection-string",
        "FAKEpw_99",
    );
    add(
        "mongodb+srv://root:FAKEmongo1@cluster0.example.net".into(),
        "generic.connection-string",
        "FAKEmongo1",
    );
    add(
        "redis://:FAKEredis@cache:6379".into(),
        "generic.connection-string",
        "FAKEredis",
    );
    add(
        "user=fake&password=FAKEpassw0rd&next=%2F".into(),
        "generic.password-assignment",
        "FAKEpassw0rd",
    );
    add(
        "{\"username\":\"fake\",\"password\":\"FAKE pass phrase\"}".into(),
        "generic.password-quoted",
        "FAKE pass phrase",
    );
    add(
        "db:\n  password: FAKEpw#2024\n".into(),
        "generic.password-colon",
        "FAKEpw#2024",
    );
    add(
        "jdbc:sqlserver://db:1433;user=sa;password=FAKEsql9;encrypt=true".into(),
        "generic.password-assignment",
        "FAKEsql9",
    );
    add(
        "spring.datasource.url=jdbc:oracle:thin:scott/FAKEtiger9@db.example.com:1521/ORCLPDB1\n"
            .into(),
        "generic.jdbc-oracle",
        "FAKEtiger9",
    );
    add(
        "{\"url\": \"jdbc:oracle:thin:app_user/FAKE-pw_2024@//db.internal:1521/APPSVC\"}".into(),
        "generic.jdbc-oracle",
        "FAKE-pw_2024",
    );
    add(
        "jdbc:oracle:thin:SYSTEM/FAKEpw@localhost:1521:XE".into(),
        "generic.jdbc-oracle",
        "FAKEpw",
    );
    add(
        "{\"client_secret\": \"FAKEclientSECRET0123\"}".into(),
        "generic.secret-quoted",
        "FAKEclientSECRET0123",
    );
    add(
        "grant_type=refresh_token&refresh_token=FAKErefresh0123456789&client_id=x".into(),
        "generic.oauth-token-unquoted",
        "FAKErefresh0123456789",
    );
    add(
        "X-API-Key: FAKEapikey0123456789\r\n".into(),
        "generic.api-key-unquoted",
        "FAKEapikey0123456789",
    );
    add(
        "{\"apiKey\":\"FAKEapikey0123456789\"}".into(),
        "generic.api-key-quoted",
        "FAKEapikey0123456789",
    );
    add(
        "AUTH_TOKEN=FAKEauth0123456789\n".into(),
        "generic.token-unquoted",
        "FAKEauth0123456789",
    );
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAFAKEfake0123456789\nFAKEfake0123456789==\n-----END RSA PRIVATE KEY-----";
    add(
        format!("key:\n{pem}\nnext line"),
        "generic.private-key",
        pem,
    );
    let pem_json = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANFAKEfake0123456789\\nFAKE==\\n-----END PRIVATE KEY-----";
    add(
        format!("{{\"private_key\": \"{pem_json}\\n\", \"client_email\": \"x\"}}"),
        "generic.private-key",
        pem_json,
    );
    v
}

#[test]
fn provider_tokens_are_found_with_exact_spans() {
    let set = builtin();
    let mut failures = Vec::new();
    for (text, id, secret) in provider_cases() {
        let found = matches(&set, &text);
        if !found.iter().any(|(r, s)| r == id && *s == secret) {
            failures.push(format!(
                "{id}: expected {secret:?} in {text:?}, found {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn non_secrets() -> Vec<String> {
    let mut v: Vec<String> = [
        // identifiers and hashes
        "3f2b8c1e-9a7d-4e3b-8f1a-2c6d9e0b7a14",
        "{\"requestId\":\"3f2b8c1e-9a7d-4e3b-8f1a-2c6d9e0b7a14\",\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}",
        "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678",
        "commit e83c5163316f89bfbde7d9ab23ca2e25604af290",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  app.tar.gz",
        "<script src=\"/static/app.js\" integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\" crossorigin=\"anonymous\"></script>",
        "\"integrity\": \"sha512-Q4Jd3bZcYgKj8b0c8Y2hwq6aXzUwaXVlR1N6QjdqaHlGNnR5VnJqQ2V2bmRhQ0xzZ3FqTnR4a0hYbEpYcXc9PQ==\"",
        "ETag: W/\"5e8f-1a2b3c4d5e6f7a8b9c0d\"",
        "If-None-Match: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"",
        "<link rel=\"stylesheet\" href=\"/assets/main.3f9a1c2e4b.css\"><script src=\"/assets/vendor.8d7e6f5a4b3c2d1e.js\"></script>",
        "https://cdn.example.com/_next/static/chunks/pages/_app-0123456789abcdef.js",
        "md5: d41d8cd98f00b204e9800998ecf8427e",
        "\"sha\": \"e83c5163316f89bfbde7d9ab23ca2e25604af290\", \"node_id\": \"MDQ6VXNlcjE=\"",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        // prose and ordinary JSON
        "Your password must be at least 12 characters long, and the access token expires after one hour.",
        "To rotate a secret, open Settings, choose API keys, and click Regenerate. The bearer of this token is trusted.",
        "Reset your password: click the link we sent you. Password: required. Token: none.",
        "{\"user\":{\"id\":42,\"name\":\"Fake User\",\"email\":\"fake@example.com\",\"roles\":[\"admin\"]},\"password_policy\":\"strong\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
        "{\"name\":\"password\",\"type\":\"password\",\"required\":true,\"placeholder\":\"Enter your password\"}",
        "mailto:someone@example.com and https://user@example.com/path and git@github.com:org/repo.git",
        "GET https://example.com:8443/api/v1/items?page=2&per_page=50&sort=created_at HTTP/1.1",
        "Set-Cookie: theme=dark; Path=/; Secure; HttpOnly; SameSite=Lax",
        "if (!password) { throw new Error('password is required') } const t = e.accessToken; n.apiKey = r.apiKey;",
        "PWD=/home/fake\nOLDPWD=/tmp\nHOME=/home/fake\nSHELL=/bin/bash",
        "WWW-Authenticate: Bearer realm=\"example\", error=\"invalid_token\"",
        "Authorization: Bearer undefined",
        // placeholders and already-redacted values
        "[REDACTED:jwt:0123abcd]",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[REDACTED:jwt:0123abcd]",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[REDACTED:jwt:0123abcd]",
        "access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[REDACTED:jwt:0123abcd]&x=1",
        "{\"id_token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[REDACTED:jwt:0123abcd]\"}",
        "Cookie: CF_Authorization=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[REDACTED:jwt:0123abcd]",
        "Authorization: Basic [REDACTED:auth:0123abcd]",
        "password=[REDACTED:password:0123abcd]&user=fake",
        "{\"password\": \"[REDACTED:password:0123abcd]\", \"client_secret\": \"[REDACTED:secret:0123abcd]\"}",
        "postgres://app:[REDACTED:connection-string:0123abcd]@db/app",
        "https://hooks.slack.com/services/[REDACTED:slack-webhook:0123abcd]",
        "X-Amz-Signature=[REDACTED:signature:0123abcd]&X-Amz-Credential=[REDACTED:aws-access-key-id:0123abcd]%2F20240101",
        "aws_secret_access_key = [REDACTED:aws-secret-key:0123abcd]",
        "SAMLResponse=[REDACTED:saml:0123abcd]&RelayState=x",
        "Authorization: SSWS [REDACTED:okta-token:0123abcd]",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every kind word in placeholder form, bare and after a key.
    for kind in builtin()
        .rules()
        .iter()
        .map(|r| r.kind.clone())
        .collect::<BTreeSet<_>>()
    {
        v.push(format!("[REDACTED:{kind}:0123abcd]"));
        v.push(format!(
            "{kind}: [REDACTED:{kind}:0123abcd]; {kind}=[REDACTED:{kind}:89abcdef]"
        ));
        v.push(format!("{{\"{kind}\": \"[REDACTED:{kind}:0123abcd]\"}}"));
        // The other placeholder styles (`placeholder = "kind"` and `"fixed"`).
        v.push(format!(
            "{kind}: [REDACTED:{kind}]; {kind}=[REDACTED:{kind}]; {kind}=[REDACTED]"
        ));
        v.push(format!(
            "{{\"{kind}\": \"[REDACTED:{kind}]\", \"x_{kind}\": \"[REDACTED]\"}}"
        ));
    }
    for p in ["[REDACTED:jwt]", "[REDACTED]"] {
        v.push(format!(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.{p}"
        ));
        v.push(format!(
            "access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.{p}&x=1"
        ));
        v.push(format!(
            "password={p}&user=fake\n{{\"password\": \"{p}\"}}\npostgres://app:{p}@db/app"
        ));
        v.push(format!(
            "jdbc:oracle:thin:scott/{p}@db:1521/ORCL X-Amz-Credential={p}%2F20240101"
        ));
    }
    v
}

#[test]
fn non_secrets_do_not_match() {
    let set = builtin();
    let mut failures = Vec::new();
    for text in non_secrets() {
        let found = matches(&set, &text);
        if !found.is_empty() {
            failures.push(format!("{text:?}: {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn find_all_is_sorted_and_reuses_output() {
    let set = builtin();
    let hay = format!(
        "a=1 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.{} ghp_{} password=FAKEpw1",
        alnum(43),
        alnum(36)
    );
    let mut out = vec![
        RuleMatch {
            rule: 0,
            start: 0,
            end: 0
        };
        3
    ];
    set.find_all(hay.as_bytes(), &mut out);
    assert!(out.len() >= 4, "{out:?}");
    for w in out.windows(2) {
        assert!(
            w[0].start < w[1].start || (w[0].start == w[1].start && w[0].end >= w[1].end),
            "not sorted: {w:?}"
        );
    }
    assert!(out.iter().all(|m| m.end > m.start && m.end <= hay.len()));
    set.find_all(b"nothing here", &mut out);
    assert!(out.is_empty());
}

#[test]
fn may_match_is_a_prefilter() {
    let set = builtin();
    assert!(set.may_match(b"xx ghp_yy"));
    assert!(set.may_match(b"PASSWORD"));
    assert!(!set.may_match(b"hello world 12"));
}

#[test]
fn from_sources_reports_rule_ids() {
    let bad_regex = "[[rules]]\nid = \"t.bad\"\nkind = \"token\"\ndescription = \"d\"\npattern = '''(?P<secret>[a-z'''\nkeywords = [\"x\"]\n";
    let err = RuleSet::from_sources(&[src("t.toml", bad_regex)]).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("t.bad") && msg.contains("t.toml"), "{msg}");

    let one = "[[rules]]\nid = \"t.dup\"\nkind = \"token\"\ndescription = \"d\"\npattern = 'x'\nkeywords = [\"x\"]\n";
    let err = RuleSet::from_sources(&[src("t.toml", one), src("u.toml", one)]).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("t.dup") && msg.contains("duplicate"), "{msg}");

    let failing = r#"
[[rules]]
id = "t.failing"
kind = "token"
description = "d"
pattern = '''tok_(?P<secret>[0-9]{4})'''
keywords = ["tok_"]
examples = ["tok_12"]
negative_examples = ["tok_1234"]
"#;
    let set = RuleSet::from_sources(&[src("t.toml", failing)]).unwrap();
    let problems = set.check();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().all(|p| p.contains("t.failing")),
        "{problems:?}"
    );
}

#[test]
fn user_rules_can_be_added_to_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.toml");
    std::fs::write(
        &path,
        r#"
[[rules]]
id = "acme.key"
kind = "api-key"
description = "ACME internal key"
pattern = '''\bacme_(?P<secret>[0-9a-f]{16})\b'''
keywords = ["acme_"]
examples = ["ACME=acme_0123456789abcdef"]
negative_examples = ["acme_0123"]
"#,
    )
    .unwrap();
    let mut set = builtin();
    let before = set.rules().len();
    set.add_path(&path).unwrap();
    assert_eq!(set.rules().len(), before + 1);
    assert!(set.check().is_empty());
    let found = matches(&set, "x acme_0123456789abcdef y");
    assert_eq!(
        found,
        vec![("acme.key".to_string(), "0123456789abcdef".to_string())]
    );
    // Same ids again: rejected, set unchanged.
    assert!(set.add_path(dir.path()).is_err());
    assert_eq!(set.rules().len(), before + 1);
}

/// Every rule's examples, with the token glued after what logs put before tokens that
/// is no part of them: a literal `\n`, `\t` or `\r` (JSON-escaped log lines read as
/// text), and an ANSI colour code, its ESC spelled as the byte, `^[`, `\e`, `\033` or
/// `\x1b`. Each token a rule finds on its own must still be found, whole.
#[test]
fn tokens_glued_after_escapes_and_colour_codes_are_found() {
    let set = builtin();
    let mut missed = Vec::new();
    let mut cases = 0;
    for (i, r) in set.rules().iter().enumerate() {
        for ex in &r.examples {
            let mut found = Vec::new();
            set.find_all(ex.as_bytes(), &mut found);
            let Some(m) = found.iter().find(|m| m.rule == i) else {
                continue;
            };
            let token = &ex[m.start..m.end];
            // Only tokens the rule finds on their own (not by a name before them).
            let alone = format!("{{\"log\":\"started {token} \\n\"}}");
            if !matches(&set, &alone).iter().any(|(_, s)| s == token) {
                continue;
            }
            for glue in [
                "\\n",
                "\\t",
                "\\r\\n",
                "\u{1b}[32m",
                "\u{1b}[1;31m",
                "^[[32m",
                "\\\\e[0;32m",
                "\\\\033[1m",
                "\\\\x1b[32m",
            ] {
                let hay = format!("{{\"log\":\"started{glue}{token}\\n\"}}");
                cases += 1;
                if !matches(&set, &hay).iter().any(|(_, s)| s == token) {
                    missed.push(format!("{}: {hay:?}", r.id));
                }
            }
        }
    }
    assert!(cases > 700, "{cases}");
    assert!(
        missed.is_empty(),
        "{} missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

/// A token with a fixed prefix holding `_` or `-` glued after digits (`id=12345ghp_…`)
/// is found; after a letter it is another word.
#[test]
fn prefixed_tokens_after_digits_are_found() {
    let set = builtin();
    let t = format!("ghp_{}", alnum(36));
    assert!(matches(&set, &format!("id=12345{t} ok"))
        .iter()
        .any(|(_, s)| *s == t));
    let s = format!("xoxb-123456789012-1234567890123-{}", alnum(24));
    assert!(matches(&set, &format!("9{s}")).iter().any(|(_, m)| *m == s));
    assert!(matches(&set, &format!("task-proj-{}", hex(48))).is_empty());
}
