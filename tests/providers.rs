//! Provider coverage: every rule's examples, planted alone in a neutral log line and in an
//! assignment line, must be gone from the cleaned log.

use harscrub::engine::Engine;
use harscrub::format::sanitize_bytes;
use harscrub::rules::RuleMatch;

fn engine() -> Engine {
    Engine::builtin().unwrap().with_key(b"test-key")
}

/// `(rule id, secret)` for every example of every built-in rule: the span the rule itself
/// marks as the secret.
fn planted(engine: &Engine) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut hits: Vec<RuleMatch> = Vec::new();
    for (idx, rule) in engine.rules.rules().iter().enumerate() {
        for ex in &rule.examples {
            engine.rules.find_all(ex.as_bytes(), &mut hits);
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

fn survivors(engine: &Engine, secrets: &[(String, String)], line: fn(&str) -> String) -> Vec<String> {
    let mut missed = Vec::new();
    for (id, secret) in secrets {
        let doc = format!("2024-01-01T00:00:00Z start\n{}\n2024-01-01T00:00:01Z end\n", line(secret));
        let cleaned = match sanitize_bytes(engine, "app.log", "app.log", doc.as_bytes(), 0) {
            Ok(o) => String::from_utf8_lossy(&o.output).into_owned(),
            Err(e) => {
                missed.push(format!("{id}: no copy ({e:#})"));
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

#[test]
fn every_example_alone_on_a_log_line_is_redacted() {
    let e = engine();
    let secrets = planted(&e);
    let missed = survivors(&e, &secrets, alone);
    eprintln!("alone: {} of {} redacted", secrets.len() - missed.len(), secrets.len());
    assert!(missed.is_empty(), "missed alone:\n{}", missed.join("\n"));
}

#[test]
fn every_example_in_an_assignment_is_redacted() {
    let e = engine();
    let secrets = planted(&e);
    let missed = survivors(&e, &secrets, assigned);
    eprintln!("assigned: {} of {} redacted", secrets.len() - missed.len(), secrets.len());
    assert!(missed.is_empty(), "missed in context:\n{}", missed.join("\n"));
}
