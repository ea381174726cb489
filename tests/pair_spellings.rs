//! Name/value pairs as tools other than browsers write them.
//!
//! A HAR spells its pairs `{"name": …, "value": …}`. Postman environments and
//! collections write `{"key": …, "value": …}`, AWS writes `{"Key": …, "Value": …}` and
//! `{"ParameterKey": …, "ParameterValue": …}`, Azure ARM parameter files write
//! `{"adminPassword": {"value": …}}`, Spring's `/env` writes
//! `{"spring.datasource.password": {"value": …, "origin": …}}`, and `fetch` or
//! `requests` headers are lists of `[name, value]` arrays. The value is judged under the
//! name in every one of these shapes.
//!
//! Generated: {name member spellings} × {value member spellings} × {name first, value
//! first} × {credential names, plain names} × {a JSON document, a JSON body of a HAR
//! response}, plus the keyed-object and array-pair shapes. A credential's value must be
//! gone from the copy (and from the report); a plain pair's value must stay byte for
//! byte, and so must the names.

mod common;

use harscrub::{clean_bytes, Engine};
use serde_json::{json, Value};

/// Fake secrets, shaped like a generated password and like an opaque API key.
const SECRETS: &[&str] = &["Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd", "Tz4mW8pQ2vR6nK1sY5bH9cJ3"];

const NAME_KEYS: &[&str] = &[
    "name",
    "Name",
    "key",
    "Key",
    "k",
    "ParameterKey",
    "attributeName",
    "OptionName",
];
const VALUE_KEYS: &[&str] = &[
    "value",
    "Value",
    "v",
    "val",
    "ParameterValue",
    "attributeValue",
    "currentValue",
    "initialValue",
];
const CREDENTIAL_NAMES: &[&str] = &[
    "password",
    "DB_PASSWORD",
    "api_key",
    "client-secret",
    "token",
];
const PLAIN_NAMES: &[(&str, &str)] = &[
    ("color", "blue-green"),
    ("Region", "eu-west-1"),
    ("page", "17"),
];

fn pair(nk: &str, vk: &str, name: &str, value: &str, value_first: bool) -> Value {
    let mut m = serde_json::Map::new();
    if value_first {
        m.insert(vk.into(), json!(value));
        m.insert(nk.into(), json!(name));
    } else {
        m.insert(nk.into(), json!(name));
        m.insert(vk.into(), json!(value));
    }
    m.insert("enabled".into(), json!(true));
    Value::Object(m)
}

/// A HAR of one entry whose response body is `doc`.
fn har_with_body(doc: &Value) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [{
        "startedDateTime": "2025-01-01T00:00:00.000Z", "time": 1,
        "request": {"method": "GET", "url": "https://api.example.com/env", "httpVersion": "HTTP/1.1",
            "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
            "cookies": [], "content": {"size": 1, "mimeType": "application/json", "text": doc.to_string()},
            "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 1}}]}})
    .to_string()
}

/// Clean `doc` as a JSON document and as the body of a HAR response; each copy must
/// hold none of `secrets` (nor must its report) and every one of `keep`.
fn check(
    engine: &Engine,
    label: &str,
    doc: &Value,
    secrets: &[&str],
    keep: &[&str],
) -> Vec<String> {
    let mut bad = Vec::new();
    for (file, input) in [
        ("case.json", doc.to_string()),
        ("case.har", har_with_body(doc)),
    ] {
        let cleaned = match clean_bytes(engine, file, input.as_bytes()) {
            Ok(c) => c,
            Err(e) => {
                bad.push(format!("{label} ({file}): refused: {e}"));
                continue;
            }
        };
        let copy = String::from_utf8_lossy(&cleaned.copy).into_owned();
        // In the HAR, the document is a JSON string inside JSON: compare decoded text.
        let text = if file == "case.har" {
            let v: Value = serde_json::from_str(&copy).expect("the copy is JSON");
            v["log"]["entries"][0]["response"]["content"]["text"]
                .as_str()
                .expect("the body is kept")
                .to_string()
        } else {
            copy.clone()
        };
        let report = serde_json::to_string(&cleaned.findings).unwrap();
        for s in secrets {
            if text.contains(s) || copy.contains(s) {
                bad.push(format!("{label} ({file}): leaked {s}"));
            }
            if report.contains(s) {
                bad.push(format!("{label} ({file}): the findings hold {s}"));
            }
        }
        for k in keep {
            if !text.contains(k) {
                bad.push(format!("{label} ({file}): lost {k:?}"));
            }
        }
    }
    bad
}

#[test]
fn pairs_are_judged_under_their_name_whatever_the_members_are_called() {
    let engine = common::engine("k");
    let mut bad = Vec::new();
    let mut cases = 0;
    for nk in NAME_KEYS {
        for vk in VALUE_KEYS {
            for value_first in [false, true] {
                for (i, name) in CREDENTIAL_NAMES.iter().enumerate() {
                    let secret = SECRETS[i % SECRETS.len()];
                    let (plain, plain_value) = PLAIN_NAMES[i % PLAIN_NAMES.len()];
                    let doc = json!({"values": [
                        pair(nk, vk, name, secret, value_first),
                        pair(nk, vk, plain, plain_value, value_first),
                    ]});
                    let label = format!("{nk}/{vk} {name} value_first={value_first}");
                    let keep = [*name, plain, plain_value, *nk, *vk];
                    bad.extend(check(&engine, &label, &doc, &[secret], &keep));
                    cases += 1;
                }
            }
        }
    }
    assert!(cases >= 600, "{cases} cases");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn a_credential_key_holding_a_value_object_is_a_pair() {
    let engine = common::engine("k");
    let [a, b] = [SECRETS[0], SECRETS[1]];
    let cases = [
        (
            "ARM parameters",
            json!({"$schema": "https://schema.management.azure.com/x#", "parameters": {
                "adminPassword": {"value": a}, "sqlAdminPassword": {"value": b, "type": "securestring"},
                "location": {"value": "westeurope"}}}),
            vec![a, b],
            vec!["westeurope", "adminPassword", "sqlAdminPassword"],
        ),
        (
            "Spring /env",
            json!({"activeProfiles": ["prod"], "propertySources": [{"name": "applicationConfig",
                "properties": {
                    "spring.datasource.password": {"value": a, "origin": "class path resource"},
                    "spring.datasource.url": {"value": "jdbc:postgresql://db:5432/app"},
                    "app.client-secret": {"value": b}}}]}),
            vec![a, b],
            vec![
                "jdbc:postgresql://db:5432/app",
                "class path resource",
                "applicationConfig",
            ],
        ),
    ];
    let mut bad = Vec::new();
    for (label, doc, secrets, keep) in &cases {
        bad.extend(check(&engine, label, doc, secrets, keep));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn lists_of_name_value_arrays_are_pairs() {
    let engine = common::engine("k");
    let [a, b] = [SECRETS[0], SECRETS[1]];
    let cases = [
        (
            "fetch headers",
            json!({"init": {"method": "POST", "headers": [["X-Api-Key", a], ["Accept", "text/html"]]}}),
            vec![a],
            vec!["text/html", "X-Api-Key"],
        ),
        (
            "entries",
            json!({"form": [["username", "bob"], ["password", b], ["remember", "yes"]]}),
            vec![b],
            vec!["bob", "\"yes\"", "password"],
        ),
        (
            "typed rows",
            json!({"settings": [["region", "eu-west-3", "string"], ["db_password", a, "secure"]]}),
            vec![a],
            vec!["eu-west-3", "db_password", "\"secure\""],
        ),
    ];
    let mut bad = Vec::new();
    for (label, doc, secrets, keep) in &cases {
        bad.extend(check(&engine, label, doc, secrets, keep));
    }
    // A list that is not all pairs is not read as one: a plain word stays.
    let doc = json!({"tags": [["password", "reset"], ["a", "b", "c"]]});
    bad.extend(check(&engine, "not a pair list", &doc, &[], &["reset"]));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Flat lists of names and values (a logger's key-value arguments, `HSET` operands):
/// a credential's name then its value, at any even place of the list.
#[test]
fn flat_lists_of_names_and_values_are_pairs() {
    let engine = common::engine("k");
    let [a, b] = [SECRETS[0], SECRETS[1]];
    let cases = [
        ("one pair", json!(["api_key", a]), vec![a], vec!["api_key"]),
        (
            "logger arguments",
            json!({"msg": "login", "args": ["user", "bob", "password", b, "attempt", "3"]}),
            vec![b],
            vec!["\"bob\"", "password", "\"3\""],
        ),
        (
            "in a body array",
            json!({"cmd": ["client_secret", a, "region", "eu-west-3"]}),
            vec![a],
            vec!["client_secret", "eu-west-3"],
        ),
    ];
    let mut bad = Vec::new();
    for (label, doc, secrets, keep) in &cases {
        bad.extend(check(&engine, label, doc, secrets, keep));
    }
    // Lists of field names are no pairs: every name stays.
    for (label, doc, keep) in [
        (
            "schema required",
            json!({"required": ["password", "email"]}),
            vec!["\"email\""],
        ),
        (
            "field list",
            json!({"fields": ["token", "confirm_password", "user", "name"]}),
            vec!["confirm_password", "\"name\""],
        ),
        (
            "odd length",
            json!({"x": ["password", "Hunter22x", "user"]}),
            vec!["Hunter22x"],
        ),
    ] {
        bad.extend(check(&engine, label, &doc, &[], &keep));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A flat list written as a YAML flow sequence (`args: [user, bob, password, …]`) is
/// judged as the JSON one is: the value under a credential's name goes, the names and
/// the other values stay; a flow list of field names stays whole.
#[test]
fn yaml_flow_lists_of_names_and_values_are_pairs() {
    let engine = common::engine("k");
    let [a, b] = [SECRETS[0], SECRETS[1]];
    let mut bad = Vec::new();
    for (doc, secrets, keep) in [
        (
            format!("logger:\n  args: [user, bob, password, {a}, attempt, 3]\n"),
            vec![a],
            vec!["[user, bob, password, ", ", attempt, 3]"],
        ),
        (
            format!("cmd: ['client_secret', \"{b}\", region, eu-west-3]\nx: 1\n"),
            vec![b],
            vec!["'client_secret', ", "region, eu-west-3]"],
        ),
        (
            "required: [password, email]\nfields: [token, confirm_password, user, name]\n"
                .to_string(),
            vec![],
            vec![
                "required: [password, email]",
                "[token, confirm_password, user, name]",
            ],
        ),
    ] {
        let cleaned = match clean_bytes(&engine, "app.yaml", doc.as_bytes()) {
            Ok(c) => c,
            Err(e) => {
                bad.push(format!("{doc:?}: refused: {e}"));
                continue;
            }
        };
        let copy = String::from_utf8_lossy(&cleaned.copy);
        for s in &secrets {
            if copy.contains(s) {
                bad.push(format!("{doc:?}: leaked in {copy:?}"));
            }
        }
        for k in &keep {
            if !copy.contains(k) {
                bad.push(format!("{doc:?}: lost {k:?} in {copy:?}"));
            }
        }
        if cleaned.findings.len() != secrets.len() {
            bad.push(format!("{doc:?}: {} findings", cleaned.findings.len()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Pairs in markup and YAML: `<Name>…</Name><Value>…</Value>` (with XML-RPC's
/// `<value><string>…`, a `<Type>` member between, the value first, the value in
/// CDATA), `<property name="…" value="…"/>` and Spring's `<property name="…">`
/// around a `<value>`, a Kubernetes `env` list (also as flow maps, with a comment or a
/// blank line between the members, the value a block scalar).
#[test]
fn pairs_in_xml_and_yaml_are_judged_under_their_name() {
    let engine = common::engine("k");
    let s = SECRETS[0];
    let mut bad = Vec::new();
    let mut cases = 0;
    for (nk, vk) in [
        ("Name", "Value"),
        ("name", "value"),
        ("Key", "Value"),
        ("ParameterKey", "ParameterValue"),
    ] {
        for name in CREDENTIAL_NAMES {
            let docs = [
                (
                    "params.xml",
                    format!("<Parameters>\n  <Parameter><{nk}>{name}</{nk}><{vk}>{s}</{vk}></Parameter>\n  <Parameter><{nk}>Region</{nk}><{vk}>eu-west-1</{vk}></Parameter>\n</Parameters>\n"),
                ),
                (
                    "rpc.xml",
                    format!("<struct><member><{nk}>{name}</{nk}>\n  <{vk}><string>{s}</string></{vk}></member><member><{nk}>user</{nk}><{vk}><string>eu-west-1</string></{vk}></member></struct>\n"),
                ),
                (
                    "beans.xml",
                    format!("<bean id=\"ds\">\n  <property {nk}=\"{name}\" {vk}=\"{s}\"/>\n  <property name=\"url\" value=\"eu-west-1\"/>\n</bean>\n"),
                ),
                (
                    "typed.xml",
                    format!("<Parameters>\n  <Parameter><{nk}>{name}</{nk}><Type>SecureString</Type><{vk}>{s}</{vk}></Parameter>\n  <Parameter><{nk}>Region</{nk}><Type>String</Type><{vk}>eu-west-1</{vk}></Parameter>\n</Parameters>\n"),
                ),
                (
                    "ssm-path.xml",
                    format!("<Parameters>\n  <Parameter><{nk}>/prod/app/{name}</{nk}><Type>SecureString</Type><{vk}>{s}</{vk}></Parameter>\n  <Parameter><{nk}>/prod/app/Region</{nk}><{vk}>eu-west-1</{vk}></Parameter>\n</Parameters>\n"),
                ),
                (
                    "value-first.xml",
                    format!("<Parameters>\n  <Parameter><{vk}>{s}</{vk}>\n    <{nk}>{name}</{nk}></Parameter>\n  <Parameter><{vk}>eu-west-1</{vk}><{nk}>Region</{nk}></Parameter>\n</Parameters>\n"),
                ),
                (
                    "cdata.xml",
                    format!("<Parameters>\n  <Parameter><{nk}>{name}</{nk}><{vk}><![CDATA[{s}]]></{vk}></Parameter>\n  <Parameter><{nk}>Region</{nk}><{vk}><![CDATA[eu-west-1]]></{vk}></Parameter>\n</Parameters>\n"),
                ),
                (
                    "spring.xml",
                    format!("<bean id=\"ds\">\n  <property {nk}=\"{name}\">\n    <{vk}>{s}</{vk}>\n  </property>\n  <property name=\"url\"><{vk}>eu-west-1</{vk}></property>\n</bean>\n"),
                ),
                (
                    "flow.yaml",
                    format!("env:\n  - {{{nk}: {name}, {vk}: '{s}'}}\n  - {{{nk}: REGION, {vk}: eu-west-1}}\nargs: [{{{vk}: \"{s}\", {nk}: \"{name}\"}}]\n"),
                ),
                (
                    "commented.yaml",
                    format!("env:\n  - {nk}: {name}\n    # set by CI\n\n    {vk}: {s}\n  - {nk}: REGION\n    {vk}: eu-west-1\n"),
                ),
                (
                    "block.yaml",
                    format!("env:\n  - {nk}: {name}\n    {vk}: |-\n      {s}\n  - {nk}: REGION\n    {vk}: eu-west-1\n"),
                ),
                (
                    "deploy.yaml",
                    format!("env:\n- {nk}: {name}\n  {vk}: \"{s}\"\n- {vk}: eu-west-1\n  {nk}: REGION\n"),
                ),
            ];
            for (file, doc) in docs {
                // Attributes are `name`/`value` only: other spellings are other attributes.
                if matches!(file, "beans.xml" | "spring.xml") && (nk, vk) != ("name", "value") {
                    continue;
                }
                cases += 1;
                let copy = match clean_bytes(&engine, file, doc.as_bytes()) {
                    Ok(c) => String::from_utf8(c.copy).unwrap(),
                    Err(e) => {
                        bad.push(format!("{file} {nk}/{vk} {name}: refused: {e}"));
                        continue;
                    }
                };
                if copy.contains(s) {
                    bad.push(format!("{file} {nk}/{vk} {name}: leaked:\n{copy}"));
                }
                if !copy.contains("eu-west-1") || !copy.contains(name) {
                    bad.push(format!(
                        "{file} {nk}/{vk} {name}: lost a plain value:\n{copy}"
                    ));
                }
            }
        }
    }
    assert!(cases >= 180, "{cases}");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// A value declared secret by its document is one whatever its name: an AWS SSM
/// `SecureString` parameter, a Postman variable of type `secret`, the `value` entry of
/// a Postman `apikey` auth, every value under a Kubernetes Secret's `data` and
/// `stringData` (JSON and YAML, keys in kubectl's order). Values declared plain stay.
#[test]
fn values_declared_secret_are_redacted_whatever_their_name() {
    let engine = common::engine("k");
    let [a, b, c] = [SECRETS[0], SECRETS[1], "Hd6Bc3Mz8Wk4tR9nV2pL7qX"];
    let cases = [
        (
            "ssm",
            json!({"Parameters": [
                {"Name": "/prod/api/stripe-key", "Type": "SecureString", "Value": a, "Version": 3},
                {"Name": "/prod/api/region", "Type": "String", "Value": "eu-west-3", "Version": 1}]}),
            vec![a],
            vec!["eu-west-3", "/prod/api/stripe-key"],
        ),
        (
            "postman environment",
            json!({"name": "Prod", "values": [
                {"key": "upstream", "value": b, "type": "secret", "enabled": true},
                {"key": "baseUrl", "value": "https://api.example.com", "type": "default", "enabled": true}]}),
            vec![b],
            vec!["https://api.example.com", "upstream"],
        ),
        (
            "postman apikey auth",
            json!({"auth": {"type": "apikey", "apikey": [
                {"key": "value", "value": c, "type": "string"},
                {"key": "key", "value": "X-API-Key", "type": "string"},
                {"key": "in", "value": "header", "type": "string"}]}}),
            vec![c],
            vec!["X-API-Key", "\"header\""],
        ),
        (
            "kubernetes secret",
            json!({"apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "data": {"smtp": a, "license": b}, "kind": "Secret",
                 "metadata": {"name": "app"}, "type": "Opaque"},
                {"apiVersion": "v1", "data": {"mode": "fast-lane"}, "kind": "ConfigMap"}]}),
            vec![a, b],
            vec!["fast-lane", "Opaque", "\"app\""],
        ),
    ];
    let mut bad = Vec::new();
    for (label, doc, secrets, keep) in &cases {
        bad.extend(check(&engine, label, doc, secrets, keep));
    }
    let yaml = format!(
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    smtp: {a}\n  kind: Secret\n  metadata:\n    name: app\n  stringData:\n    license: |\n      {b}\n  type: Opaque\n- apiVersion: v1\n  data:\n    mode: fast-lane\n  kind: ConfigMap\nkind: List\n---\napiVersion: v1\nkind: Secret\nstringData:\n  token: \"{c}\"\n"
    );
    let copy = clean_bytes(&engine, "secrets.yaml", yaml.as_bytes()).expect("cleaned");
    let copy = String::from_utf8(copy.copy).unwrap();
    for s in [a, b, c] {
        if copy.contains(s) {
            bad.push(format!("secrets.yaml: leaked:\n{copy}"));
        }
    }
    if !copy.contains("mode: fast-lane") || !copy.contains("name: app") {
        bad.push(format!("secrets.yaml: lost a plain value:\n{copy}"));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Pairs spelt with looser member names: a form builder's `{"label": …, "input": …}`,
/// an argument list's `{"param": …, "arg": …}`, a registry export's `{"Name": …,
/// "Data": …}`. Only a string or a number under those looser value members is the
/// pair's value: a chart series' `{"name": …, "data": [3, 5, 8]}` and a form schema's
/// `"input": true` are not, and a plain name keeps its value.
#[test]
fn looser_pair_spellings_carry_their_value() {
    let engine = common::engine("k");
    let [a, b] = [SECRETS[0], SECRETS[1]];
    let c = "Pq5Wm1Zx8Kt3Lr6Vn2Hd9Jb";
    let doc = json!({"fields": [
        {"label": "Password", "input": a},
        {"param": "client_secret", "arg": b},
        {"Name": "Password", "Type": "REG_SZ", "Data": c},
        {"label": "Colour", "input": "blue-green"},
        {"name": "Sessions", "data": [3, 5, 8]},
        {"label": "Password", "key": "password", "type": "password", "input": true},
        {"Name": "Region", "Data": "eu-west-1"},
        {"param": "page", "arg": "17"},
    ]});
    let keep = [
        "blue-green",
        "eu-west-1",
        "\"17\"",
        "[3,5,8]",
        "\"input\":true",
        "client_secret",
        "REG_SZ",
    ];
    let bad = check(&engine, "looser spellings", &doc, &[a, b, c], &keep);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A pair whose value member has a spelling no list holds: {name member spellings} ×
/// {value member spellings nobody listed} × {credential names} × {with and without a
/// describing member and a timestamp}. The value goes. Form schemas, OpenAPI security
/// schemes, extraction rules (`"expression": "$.data"`) and plain names keep theirs.
#[test]
fn unspelt_value_members_are_judged_under_the_pair_name() {
    let engine = common::engine("k");
    let names = ["api_key", "Password", "client_secret", "access_token"];
    let name_keys = ["field", "label", "name", "key", "param", "Property"];
    let value_keys = [
        "content",
        "contents",
        "text",
        "secretText",
        "answer",
        "x",
        "s",
    ];
    let mut bad = Vec::new();
    let mut n = 0;
    for (i, name) in names.iter().enumerate() {
        for nk in name_keys {
            for vk in value_keys {
                for extra in 0..3 {
                    let secret = SECRETS[(i + n) % SECRETS.len()];
                    let mut obj = serde_json::Map::new();
                    obj.insert(nk.to_string(), json!(name));
                    obj.insert(vk.to_string(), json!(secret));
                    match extra {
                        1 => {
                            obj.insert("type".into(), json!("string"));
                        }
                        2 => {
                            obj.insert("updatedAt".into(), json!(1_700_000_000u64));
                        }
                        _ => {}
                    }
                    let doc = json!({ "settings": [Value::Object(obj)] });
                    let label = format!("{nk}={name} {vk} extra={extra}");
                    bad.extend(check(&engine, &label, &doc, &[secret], &[name, vk]));
                    n += 1;
                }
            }
        }
    }
    assert!(n >= 500, "{n} cases");
    let doc = json!({"items": [
        {"type": "password", "placeholder": "Enter password"},
        {"name": "api_key", "in": "header", "type": "apiKey"},
        {"name": "password", "type": "password", "maxLength": 64},
        {"name": "token", "type": 0, "expression": "$.data", "comment": "Extract auth token"},
        {"field": "username", "content": "bob-1984"},
        {"label": "Password", "content": "{{password}}"},
    ]});
    let keep = [
        "Enter password",
        "\"in\":\"header\"",
        "\"maxLength\":64",
        "$.data",
        "bob-1984",
        "{{password}}",
    ];
    bad.extend(check(&engine, "describing members", &doc, &[], &keep));
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
