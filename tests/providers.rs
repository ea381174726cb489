//! Provider coverage: every rule's examples, planted alone in a neutral log line and in an
//! assignment line, must be gone from the cleaned log.

mod common;

use harscrub::clean_bytes;
use harscrub::internals::RuleMatch;
use harscrub::Engine;

fn engine() -> Engine {
    common::engine("test-key")
}

/// `(rule id, secret)` for every example of every built-in rule: the span the rule itself
/// marks as the secret.
fn planted(engine: &Engine) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut hits: Vec<RuleMatch> = Vec::new();
    for (idx, rule) in engine.rules().rules().iter().enumerate() {
        for ex in &rule.examples {
            engine.rules().find_all(ex.as_bytes(), &mut hits);
            let m = hits
                .iter()
                .find(|m| m.rule == idx)
                .unwrap_or_else(|| panic!("{}: example does not match: {}", rule.id, ex));
            let secret = &ex[m.start..m.end];
            // Multi-line secrets (PEM blocks) are planted as they are.
            out.push((rule.id.clone(), secret.to_string()));
        }
    }
    out
}

fn survivors(
    engine: &Engine,
    secrets: &[(String, String)],
    line: fn(&str) -> String,
) -> Vec<String> {
    let mut missed = Vec::new();
    for (id, secret) in secrets {
        let doc = format!(
            "2024-01-01T00:00:00Z start\n{}\n2024-01-01T00:00:01Z end\n",
            line(secret)
        );
        let cleaned = match clean_bytes(engine, "app.log", doc.as_bytes()) {
            Ok(o) => String::from_utf8_lossy(&o.copy).into_owned(),
            Err(e) => {
                missed.push(format!("{id}: no copy ({e})"));
                continue;
            }
        };
        if cleaned.contains(secret.as_str()) {
            missed.push(format!("{id}: {secret}"));
        }
    }
    missed
}

fn alone(secret: &str) -> String {
    format!("INFO worker payload={secret} done")
}

fn assigned(secret: &str) -> String {
    format!("FOO_API_KEY = \"{secret}\"")
}

/// True when the rule that owns `secret` also finds it alone in a neutral log line: the
/// format identifies itself without a credential name or a URL around it.
fn self_identifying(engine: &Engine, id: &str, secret: &str) -> bool {
    let line = alone(secret);
    let mut hits: Vec<RuleMatch> = Vec::new();
    engine.rules().find_all(line.as_bytes(), &mut hits);
    hits.iter()
        .any(|m| engine.rules().rule(m.rule).id == id && &line[m.start..m.end] == secret)
}

#[test]
fn every_self_identifying_example_alone_on_a_log_line_is_redacted() {
    let e = engine();
    let secrets = planted(&e);
    let own: Vec<(String, String)> = secrets
        .iter()
        .filter(|(id, s)| self_identifying(&e, id, s))
        .cloned()
        .collect();
    let missed_all = survivors(&e, &secrets, alone);
    let missed = survivors(&e, &own, alone);
    eprintln!(
        "alone: {} of {} self-identifying examples redacted; {} of all {} examples",
        own.len() - missed.len(),
        own.len(),
        secrets.len() - missed_all.len(),
        secrets.len()
    );
    // The new provider rule files hold only self-identifying formats.
    for file in ["llm", "cloud", "platforms", "saas"] {
        for r in e.rules().rules().iter().filter(|r| r.group == file) {
            if r.id == "platforms.gitlab-session-cookie"
                || r.id == "saas.teams-legacy-webhook"
                || r.id == "saas.zapier-webhook"
            {
                continue; // identified by the cookie name or the URL around the value
            }
            assert!(
                own.iter().any(|(id, _)| id == &r.id),
                "{} is not self-identifying",
                r.id
            );
        }
    }
    assert!(missed.is_empty(), "missed alone:\n{}", missed.join("\n"));
}

#[test]
fn every_example_in_an_assignment_is_redacted() {
    let e = engine();
    let secrets = planted(&e);
    let missed = survivors(&e, &secrets, assigned);
    eprintln!(
        "assigned: {} of {} redacted",
        secrets.len() - missed.len(),
        secrets.len()
    );
    assert!(
        missed.is_empty(),
        "missed in context:\n{}",
        missed.join("\n")
    );
}

fn clean_log(doc: &str) -> String {
    let o = clean_bytes(&engine(), "app.log", doc.as_bytes()).unwrap_or_else(|e| panic!("{}", e));
    String::from_utf8(o.copy).unwrap()
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn unsigned_jwt_keeps_only_its_header() {
    let header = b64(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(r#"{"sub":"FAKE-admin","role":"root"}"#);
    for line in [
        format!("INFO payload={header}.{payload}. done\n"),
        format!("INFO token={header}.{payload}. done\n"),
        // alg none with a signature part: the payload goes too.
        format!("INFO token={header}.{payload}.c2lnbmF0dXJlRkFLRWZha2UwMTIz done\n"),
    ] {
        let out = clean_log(&line);
        assert!(!out.contains(&payload), "{out}");
        assert!(out.contains(&format!("{header}.[REDACTED:jwt:")), "{out}");
    }
}

#[test]
fn jwt_shaped_value_without_json_payload_is_redacted_whole() {
    let header = b64(r#"{"alg":"HS256","typ":"JWT"}"#);
    let line = format!(
        "INFO token={header}.eyJFAKEfake0123456789notJSONatAll.FAKEfake0123456789signatureEXAMPLE_-abc done\n"
    );
    let out = clean_log(&line);
    assert!(!out.contains("eyJ"), "{out}");
    assert!(out.contains("token=[REDACTED:jwt:"), "{out}");
}

#[test]
fn signed_jwt_still_keeps_header_and_payload() {
    let header = b64(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64(r#"{"sub":"FAKE-user"}"#);
    let line =
        format!("INFO token={header}.{payload}.FAKEfake0123456789signatureEXAMPLE_-abc done\n");
    let out = clean_log(&line);
    assert!(
        out.contains(&format!("{header}.{payload}.[REDACTED:jwt:")),
        "{out}"
    );
    assert!(!out.contains("signatureEXAMPLE"), "{out}");
}

#[test]
fn token_as_url_userinfo_without_colon_is_redacted_and_verifies() {
    let out = clean_log(
        "git clone http://ghs_FAKEfake0123456789ExampleTestKEYFAKE@github.com/org/repo.git\n",
    );
    assert!(!out.contains("ghs_FAKE"), "{out}");
    assert!(out.contains("http://[REDACTED:github-token:"), "{out}");
    assert!(out.contains("@github.com/org/repo.git"), "{out}");
}

#[test]
fn code_assignments_redact_literals_not_code() {
    let secret = "Zk9xV2pQbXN0UkQ3aGZ1bjJ4c0FC";
    for (line, gone) in [
        (format!("os.environ['X_API_TOKEN'] = '{secret}'"), true),
        (format!("1passwordToken = \"{secret}\""), true),
        (format!("api_secret = \"{secret}\";"), true),
        (
            format!("<add key=\"ApiSecret\" value=\"{secret}\" />"),
            true,
        ),
    ] {
        let out = clean_log(&format!("{line}\n"));
        assert_eq!(!out.contains(secret), gone, "{out}");
        assert!(out.contains("[REDACTED:"), "{out}");
    }
    // Code on the right-hand side stays as it is.
    for line in [
        "    pwd = (char *) (p + 12);",
        "    password = NULL;",
        "    password = None",
        "    password = nil",
        "const apiToken = process.env.X_API_TOKEN || defaultToken;",
        "const secret = Buffer.from(data, 'base64');",
        "db_password = config.password",
        "AccountKey=<YOUR_ACCOUNT_KEY>",
        "  var passwordField = \"#add-password\";",
    ] {
        let doc = format!("{line}\n");
        let out = clean_log(&doc);
        assert_eq!(out, doc);
    }
    // A configuration key name is never redacted; the secret inside its value is.
    let doc = format!(
        "<add key=\"ConnectionString_B2B\" value=\"Server=db;User Id=sa;Password={secret};\" />\n"
    );
    let out = clean_log(&doc);
    assert!(out.contains("key=\"ConnectionString_B2B\""), "{out}");
    assert!(!out.contains(secret), "{out}");
}
