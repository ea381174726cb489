//! Walking a JSON tree and scrubbing every string by its context.
//!
//! HAR is JSON with conventions, and so are many API dumps: `{"name": …, "value": …}`
//! pairs under `headers`, `cookies`, `queryString` and `params`; bodies in `text` next
//! to a `mimeType` (base64 when `encoding` says so); URLs under `url`-like keys. The
//! walker recognises these shapes wherever they occur, so the same code cleans a HAR
//! entry, a HAR fragment and an arbitrary JSON config.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::expiry::{har_cookie_expiry, parse_rfc3339};
use super::memo;
use super::text::Mode;
use super::{apply_edits, Edit, Scrubber, Touch};
use crate::codec::json::{decode, offset_map, Value};
use crate::rules::names::{ParamClass, Position};

/// What a string means, from where it sits.
enum Ctx<'a> {
    /// Value of a member with this (decoded) key.
    Key(&'a [u8]),
    /// `value` of a `{name, value}` pair inside an array under `parent`.
    NameValue {
        parent: &'a [u8],
        name: &'a [u8],
    },
    /// A header map member (`"headers": {"Authorization": "…"}`).
    HeaderMap(&'a [u8]),
    /// A string inside an object under a credential's name, by the joined name
    /// (`secret.data`): a credential when that name is one and the value looks like a
    /// token.
    Under(&'a [u8]),
    /// A body with its MIME type.
    Body {
        mime: &'a [u8],
        base64: bool,
    },
    None,
}

pub struct Walker {
    /// Maintain `Scrubber::loc` as a JSON Pointer (off for JSON nested in a string,
    /// whose findings are located at the enclosing string).
    track: bool,
    /// `Content-Encoding` of the message whose `content` / `postData` is being walked.
    encoding: Option<Vec<u8>>,
    /// A body that could not be decoded (the document must fail): the first such error.
    pub error: Option<anyhow::Error>,
    /// The `{name, value}` pairs whose `value` (a number, an array, an object) is being
    /// walked: their parent key and every name they carry. Each string and number
    /// inside is judged under each of those names too, besides its own context.
    pairs: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// The body just read opened a layer the views of a copy do not open.
    opaque: bool,
    /// The keys (joined with `.`) from the nearest credential-named key down to the
    /// object being walked (`secret`, then `secret.data` in `{"secret": {"data":
    /// {…}}}`): the strings inside are judged under them too ([`Ctx::Under`]).
    under: Option<Vec<u8>>,
}

/// The variables a GraphQL query passes as arguments, each with the argument's name
/// (`login(password: $p)`: `p`, `password`); declarations (`($p: String!)`) are not.
pub(crate) fn graphql_arguments(q: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let mut out = Vec::new();
    for i in memchr::memchr_iter(b'$', q) {
        let var = &q[i + 1..];
        let var = &var[..var.iter().take_while(|b| word(b)).count()];
        let Some(before) = q[..i].trim_ascii_end().strip_suffix(b":") else {
            continue;
        };
        let before = before.trim_ascii_end();
        let arg = &before[before.len() - before.iter().rev().take_while(|b| word(b)).count()..];
        if !var.is_empty() && !arg.is_empty() {
            out.push((var.to_vec(), arg.to_vec()));
        }
    }
    out
}

/// A list of `{name, value}` parameters that is a GraphQL request (a HAR's
/// `queryString` or form `params` holding `query` and `variables`): its variables by
/// the arguments they are passed as, as for [`graphql_arguments`].
fn graphql_list_arguments(src: &[u8], items: &[Value]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let named = |m: &[(std::ops::Range<usize>, Value)], name: &[u8]| {
        m.iter()
            .any(|(_, v)| matches!(v, Value::Str(r) if &src[r.clone()] == name))
    };
    // Most lists are headers: a cheap look for a `variables` name first.
    if !items
        .iter()
        .any(|i| matches!(i, Value::Obj(m) if named(m, b"variables")))
    {
        return Vec::new();
    }
    items
        .iter()
        .find_map(|i| match i {
            Value::Obj(m) if pair_names(src, m).0.iter().any(|n| n.as_ref() == b"query") => {
                m.iter().find_map(|(k, v)| match v {
                    Value::Str(r)
                        if pair_role(&decode(&src[k.clone()])) == Some(PairRole::Value) =>
                    {
                        Some(graphql_arguments(&decode(&src[r.clone()])))
                    }
                    _ => None,
                })
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// A private key written as a list of its lines (`["-----BEGIN PRIVATE KEY-----",
/// "MIIEv…", …, "-----END PRIVATE KEY-----"]`, a config's or a secret store's way of
/// keeping it in JSON): the indices of the lines between the first `BEGIN … PRIVATE …`
/// line and the `END` line after it. Each line alone is no key a rule knows.
fn pem_body_items(src: &[u8], items: &[Value]) -> std::ops::Range<usize> {
    let line = |i: &Value| match i {
        Value::Str(r) => Some(src[r.clone()].trim_ascii_start()),
        _ => None,
    };
    let Some(begin) = items.iter().position(|i| {
        line(i).is_some_and(|l| {
            l.starts_with(b"-----BEGIN ") && memchr::memmem::find(l, b"PRIVATE").is_some()
        })
    }) else {
        return 0..0;
    };
    let end = items[begin + 1..]
        .iter()
        .position(|i| line(i).is_some_and(|l| l.starts_with(b"-----END ")))
        .map_or(items.len(), |e| begin + 1 + e);
    begin + 1..end
}

/// The kind of credential a map's keys are when its name (`tokens`, `apiKeys`,
/// `sessions`) says it holds credentials, one per key.
fn credential_map(s: &Scrubber, name: &[u8]) -> Option<&'static str> {
    let singular = name.strip_suffix(b"s").unwrap_or(name);
    let named = [name, singular]
        .iter()
        .any(|n| s.engine.names.field(n) == ParamClass::Secret);
    let sessions = crate::rules::names::normalizes_to(singular, "session");
    (named || sessions).then(|| super::kind_for_name(singular))
}

/// A map key that is a credential, not a name: hex or a UUID (a session id), or
/// letters of both cases with digits and at most two separators
/// (`ak_live_2b7dQ9zL…`). `API_KEY_2024_PRODUCTION` and `smtp-password` are names.
fn key_token(k: &[u8]) -> bool {
    if !super::looks_like_token(k) {
        return false;
    }
    let hex = k.iter().all(|b| b.is_ascii_hexdigit() || *b == b'-');
    let has = |f: fn(&u8) -> bool| k.iter().any(f);
    let separators = k.iter().filter(|b| matches!(b, b'_' | b'-' | b'.')).count();
    hex || (has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
        && separators <= 2)
}

/// Does a map key hold an encoded layer: escapes, `+` blanks, a data URL, base64 of
/// text (compressed or not, or after a few binary bytes), or hex or base32 of either?
/// Such a key is read through its layers like any string, not replaced whole as a
/// token: a copy of a known secret inside it is replaced there, and a redacted copy (a
/// placeholder, encoded again) must not be taken for a token by the verification.
fn encoded_key(k: &[u8]) -> bool {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    if !k
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return true;
    }
    // Text or a compressed stream written as hex or base32.
    if super::views::radix_text(k).is_some() {
        return true;
    }
    let Ok(d) = URL_SAFE_NO_PAD.decode(k) else {
        return false;
    };
    let text = |d: &[u8]| {
        texty(d)
            || d.split(|b| !(b' '..=b'~').contains(b))
                .any(|run| run.len() >= 12)
    };
    text(&d)
        || crate::codec::utf16::Utf16::sniff(&d, b"")
            .and_then(|u| u.decode(&d))
            .is_some_and(|t| text(t.as_bytes()))
        || ["gzip", "deflate"].iter().any(|c| {
            crate::codec::coding::decode(&d, c, 1 << 16)
                .is_ok_and(|(t, _)| !t.is_empty() && text(&t))
        })
}

fn push_seg(loc: &mut String, seg: &[u8]) {
    loc.push('/');
    for ch in String::from_utf8_lossy(seg).chars() {
        match ch {
            '~' => loc.push_str("~0"),
            '/' => loc.push_str("~1"),
            c => loc.push(c),
        }
    }
}

/// The `Content-Encoding` values of a HAR `headers` array, joined with commas.
fn content_encoding(src: &[u8], items: &[Value]) -> Option<Vec<u8>> {
    let mut enc = Vec::new();
    for item in items {
        let Value::Obj(m) = item else { continue };
        // A header object naming itself twice (`"name": "x", "name": "Content-Encoding"`)
        // is a `Content-Encoding` header under any of its names, with all its values.
        if pair_names(src, m)
            .0
            .iter()
            .any(|n| n.eq_ignore_ascii_case(b"content-encoding"))
        {
            for (k, v) in m {
                if let Value::Str(r) = v {
                    if pair_role(&decode(&src[k.clone()])) == Some(PairRole::Value) {
                        enc.extend_from_slice(&decode(&src[r.clone()]));
                        enc.push(b',');
                    }
                }
            }
        }
    }
    (!enc.is_empty()).then_some(enc)
}

/// Keys of the arrays that hold `{name, value}` header objects.
const HEADER_PARENTS: &[&str] = &["headers", "header", "requestheaders", "responseheaders"];

/// Keys of the arrays that hold `{name, value}` cookie objects.
const COOKIE_PARENTS: &[&str] = &["cookies", "cookie", "requestcookies", "responsecookies"];

fn norm_is(k: &[u8], words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| crate::rules::names::normalizes_to(k, w))
}

/// Edit text going into a JSON string: a replacement that carries quotes (a number
/// replaced by a quoted placeholder inside JSON held in a string) is escaped.
fn escape_in_string(t: String) -> String {
    if !t.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return t;
    }
    let mut o = Vec::with_capacity(t.len() + 4);
    crate::codec::json::encode_into(t.as_bytes(), &mut o);
    String::from_utf8(o).unwrap_or(t)
}

/// `"password": 83920174`, `"pin": 4711`: a number under a credential name is a
/// credential too. Edits are in the coordinates of the number token `raw`.
fn numeric_secret(s: &mut Scrubber, raw: &[u8], key: &[u8], inner: &mut Vec<Edit>) {
    if s.engine.names.field(key) != ParamClass::Secret {
        return;
    }
    let kind = super::kind_for_name(key);
    s.redact(
        raw,
        0,
        raw.len(),
        0,
        "context.param",
        kind,
        None,
        true,
        inner,
    );
}

/// A JSON number token (not `true`, `false` or `null`, which are no secrets).
fn is_number(raw: &[u8]) -> bool {
    raw.first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'-')
}

/// The role a member key plays in a name/value pair object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PairRole {
    /// Holds the name (`name`, `key`, `Key`, `ParameterKey`, `k`…).
    Name,
    /// Holds the value (`value`, `Value`, `ParameterValue`, `val`, `v`…).
    Value,
}

/// Words that may come before `name`/`key`/`value` in a pair's member keys
/// (`ParameterKey`, `attributeValue`, `env_var_name`…).
const PAIR_PREFIXES: &[&[u8]] = &[
    b"",
    // Azure's `listKeys`: `{"keyName": "key1", "value": …}`.
    b"key",
    b"parameter",
    b"param",
    b"attribute",
    b"attr",
    b"option",
    b"setting",
    b"field",
    b"property",
    b"prop",
    b"variable",
    b"var",
    b"envvar",
    b"env",
    b"header",
    b"cookie",
    b"config",
    b"item",
    b"entry",
    b"tag",
    b"label",
    b"arg",
    b"argument",
    b"input",
];

/// Words that may come before `value` only (`currentValue` in a Postman environment,
/// `SecretValue`, `stringValue`).
const VALUE_PREFIXES: &[&[u8]] = &[
    b"current", b"initial", b"default", b"secret", b"string", b"plain", b"raw", b"new",
];

/// Is `k` (a decoded member key) the name or the value member of a pair object
/// (`{"key": "password", "value": …}`, `{"ParameterKey": …, "ParameterValue": …}`,
/// `{"Name": …, "Value": …}`, `{"k": …, "v": …}`)? Most keys are rejected by their
/// length or last byte before anything is normalised.
pub(crate) fn pair_role(k: &[u8]) -> Option<PairRole> {
    match k {
        b"name" => return Some(PairRole::Name),
        b"value" => return Some(PairRole::Value),
        _ => {}
    }
    if k.is_empty() || k.len() > 24 {
        return None;
    }
    if !matches!(
        k[k.len() - 1].to_ascii_lowercase(),
        b'e' | b'y' | b'k' | b'n' | b'l' | b'v'
    ) {
        return None;
    }
    let mut buf = [0u8; 24];
    let mut n = 0;
    for &b in k {
        if b.is_ascii_alphanumeric() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        } else if !matches!(b, b'-' | b'_' | b'.' | b' ') {
            return None;
        }
    }
    let w = &buf[..n];
    match w {
        b"k" | b"n" => return Some(PairRole::Name),
        b"v" | b"val" => return Some(PairRole::Value),
        _ => {}
    }
    for (suffix, role) in [
        (&b"name"[..], PairRole::Name),
        (b"key", PairRole::Name),
        (b"value", PairRole::Value),
    ] {
        if let Some(prefix) = w.strip_suffix(suffix) {
            if PAIR_PREFIXES.contains(&prefix)
                || (role == PairRole::Value && VALUE_PREFIXES.contains(&prefix))
            {
                return Some(role);
            }
        }
    }
    None
}

/// Every name a name/value pair object carries: each member in the name role (see
/// [`pair_role`]) that is a string (an object may spell `name` twice, and JSON
/// parsers disagree on which one counts), and each string of such an array; and
/// whether the object has a member in the value role.
fn pair_names<'s>(
    src: &'s [u8],
    members: &[(std::ops::Range<usize>, Value)],
) -> (Vec<std::borrow::Cow<'s, [u8]>>, bool) {
    let mut names = Vec::new();
    let mut has_value = false;
    for (k, v) in members {
        match pair_role(&decode(&src[k.clone()])) {
            Some(PairRole::Name) => {}
            Some(PairRole::Value) => {
                has_value = true;
                continue;
            }
            None => continue,
        }
        match v {
            Value::Str(r) => names.push(decode(&src[r.clone()])),
            Value::Arr(items) => names.extend(items.iter().filter_map(|i| match i {
                Value::Str(r) => Some(decode(&src[r.clone()])),
                _ => None,
            })),
            _ => {}
        }
    }
    (names, has_value)
}

/// Member keys that hold a pair's value in looser spellings (`{"label": "Password",
/// "input": …}`, `{"param": "client_secret", "arg": …}`, a registry export's `{"Name":
/// "Password", "Data": …}`), and keys that name such a pair.
const LOOSE_VALUES: &[&str] = &["data", "input", "arg", "argument"];
const LOOSE_NAMES: &[&str] = &[
    "label",
    "param",
    "parameter",
    "field",
    "property",
    "setting",
    "variable",
    "option",
    "attribute",
];

/// A pair spelt with looser member names, in an object with no value member of the
/// usual spellings: the index of its one value member (a string or a number under a
/// key of [`LOOSE_VALUES`]; an array or an object there, `{"name": "Sessions", "data":
/// [3, 5]}`, is data), when the object has a name (of the usual spellings, or else the
/// first string under a key of [`LOOSE_NAMES`], added to `names`).
fn loose_pair<'s>(
    src: &'s [u8],
    members: &[(std::ops::Range<usize>, Value)],
    names: &mut Vec<std::borrow::Cow<'s, [u8]>>,
) -> Option<usize> {
    let mut at = None;
    for (i, (k, v)) in members.iter().enumerate() {
        let scalar = match v {
            Value::Str(_) => true,
            Value::Scalar(r) => is_number(&src[r.clone()]),
            _ => false,
        };
        if norm_is(&decode(&src[k.clone()]), LOOSE_VALUES) {
            if !scalar || at.is_some() {
                return None;
            }
            at = Some(i);
        }
    }
    let at = at?;
    if names.is_empty() {
        names.extend(members.iter().find_map(|(k, v)| match v {
            Value::Str(r) if norm_is(&decode(&src[k.clone()]), LOOSE_NAMES) => {
                Some(decode(&src[r.clone()]))
            }
            _ => None,
        }));
    }
    (!names.is_empty()).then_some(at)
}

/// Member keys of a form field's or a message's description that no credential's
/// description uses (`{"type": "password", "placeholder": "Enter password"}`); the
/// rest are `[words] about` in `patterns/names.toml` (an id, a type, a URL, a time).
const DESCRIBING: &[&str] = &[
    "inputtype",
    "autocomplete",
    "title",
    "help",
    "helptext",
    "message",
    "error",
    "expression",
    "selector",
    "jsonpath",
    "xpath",
    "in",
    "class",
    "classname",
];

/// A pair whose value member has a spelling no list holds (`{"field": "api_key",
/// "content": …}`, `{"label": "Password", "text": …}`): an object of at most four
/// members, named (by a usual or a loose name spelling, see [`loose_pair`]) after a
/// credential, with no value member of a known spelling. Its value is every other
/// string or number member that is not a describing one ([`DESCRIBING`], `[words]
/// about`) and reads as
/// a value: no whitespace in it, not itself a credential's name (`"type": "password"`
/// in a form schema), not a template or a JSONPath (`$.data`), not one lowercase word
/// (`"in": "header"` in an OpenAPI security scheme), or a number of four digits or more
/// when no string qualifies. Those are judged under the pair's names.
fn unspelt_pair<'s>(
    s: &Scrubber,
    src: &'s [u8],
    members: &[(std::ops::Range<usize>, Value)],
    names: &mut Vec<std::borrow::Cow<'s, [u8]>>,
) -> Vec<usize> {
    if members.len() > 4 {
        return Vec::new();
    }
    let credential = |n: &[u8]| {
        (1..=64).contains(&n.len())
            && !n.iter().any(u8::is_ascii_whitespace)
            && s.engine.names.field(n) != ParamClass::Other
    };
    let is_name_key = |k: &[u8]| pair_role(k) == Some(PairRole::Name) || norm_is(k, LOOSE_NAMES);
    let mut found = Vec::new();
    if names.is_empty() {
        found.extend(members.iter().find_map(|(k, v)| match v {
            Value::Str(r) if norm_is(&decode(&src[k.clone()]), LOOSE_NAMES) => {
                Some(decode(&src[r.clone()]))
            }
            _ => None,
        }));
    }
    if !names.iter().chain(&found).any(|n| credential(n)) {
        return Vec::new();
    }
    let mut at: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, (k, v))| {
            let k = decode(&src[k.clone()]);
            if is_name_key(&k) || norm_is(&k, DESCRIBING) || s.engine.names.about_credential(&k) {
                return false;
            }
            match v {
                Value::Str(r) => {
                    let t = decode(&src[r.clone()]);
                    let word = t.len() <= 12 && t.iter().all(u8::is_ascii_lowercase);
                    let json_path = t.starts_with(b"$.") || t.starts_with(b"$[");
                    !(t.is_empty()
                        || word
                        || json_path
                        || t.iter().any(u8::is_ascii_whitespace)
                        || credential(&t)
                        || crate::detect::is_template(&t))
                }
                Value::Scalar(r) => {
                    let n = &src[r.clone()];
                    is_number(n) && n.len() >= 4
                }
                _ => false,
            }
        })
        .map(|(i, _)| i)
        .collect();
    // Beside a string value, a number is the object's data (`"updatedAt": 1700000000`).
    if at.iter().any(|&i| matches!(members[i].1, Value::Str(_))) {
        at.retain(|&i| matches!(members[i].1, Value::Str(_)));
    }
    if !at.is_empty() {
        names.extend(found);
    }
    at
}

/// What a HAR entry's request URL says its bodies hold, from the `request.url` of
/// `entry`: `secret` when a path segment is `secrets` (Azure Key Vault's
/// `/secrets/{name}`, Google Secret Manager's `/secrets/{name}/versions/…:access`),
/// else the segment after `env`, `variables`, `parameters`, `properties` or `settings`
/// (Spring Boot's `/actuator/env/spring.datasource.password`); the last one wins.
pub(crate) fn url_secret_name(src: &[u8], entry: &Value) -> Option<Vec<u8>> {
    fn member<'v>(src: &[u8], v: &'v Value, name: &[u8]) -> Option<&'v Value> {
        match v {
            Value::Obj(m) => m
                .iter()
                .find(|(k, _)| &src[k.clone()] == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }
    let Some(Value::Str(r)) = member(src, entry, b"request").and_then(|q| member(src, q, b"url"))
    else {
        return None;
    };
    let url = decode(&src[r.clone()]);
    let path = match memchr::memmem::find(&url, b"://") {
        Some(p) => {
            let rest = &url[p + 3..];
            &rest[memchr::memchr(b'/', rest)?..]
        }
        None => &url[..],
    };
    let path = &path[..memchr::memchr2(b'?', b'#', path).unwrap_or(path.len())];
    let segs: Vec<&[u8]> = path
        .split(|&b| b == b'/')
        .filter(|s| !s.is_empty())
        .collect();
    let mut found = None;
    for w in segs.windows(2) {
        match w[0].to_ascii_lowercase().as_slice() {
            b"secrets" => found = Some(b"secret".to_vec()),
            b"env" | b"environment" | b"variables" | b"vars" | b"parameters" | b"properties"
            | b"settings" => {
                found = Some(percent_encoding::percent_decode(w[1]).collect::<Vec<u8>>())
            }
            _ => {}
        }
    }
    found
}

/// A list of `[name, value]` pairs: every item an array of two (or every one of
/// three: `[name, value, type]` rows), the first a string.
fn is_pair_list(items: &[Value]) -> bool {
    let width = match items.first() {
        Some(Value::Arr(p)) => p.len(),
        _ => return false,
    };
    (2..=3).contains(&width)
        && items.iter().all(
            |i| matches!(i, Value::Arr(p) if p.len() == width && matches!(p[0], Value::Str(_))),
        )
}

/// Is `items` a flat list of names and values, `["api_key", "…", "user", "…"]` (a
/// logger's key-value arguments, a command's `HSET`-style operands)? Strings only, an
/// even number of them, every other one (from the first) shaped like a name, and one
/// of those a credential's name followed by a value no name looks like (a digit or a
/// symbol in it): a list of field names (`"required": ["password", "email"]`) is no
/// pair list.
fn is_flat_pair_list(s: &Scrubber, src: &[u8], items: &[Value]) -> bool {
    if items.len() < 2 || items.len() > 64 || items.len() % 2 == 1 {
        return false;
    }
    let mut texts = Vec::with_capacity(items.len());
    for v in items {
        match v {
            Value::Str(r) => texts.push(decode(&src[r.clone()])),
            _ => return false,
        }
    }
    is_flat_pair_texts(s, &texts)
}

/// [`is_flat_pair_list`] on the items' texts (also a YAML flow sequence's,
/// `args: [user, bob, password, …]`).
pub(crate) fn is_flat_pair_texts<T: AsRef<[u8]>>(s: &Scrubber, items: &[T]) -> bool {
    fn name_like(t: &[u8]) -> bool {
        (1..=64).contains(&t.len())
            && (t[0].is_ascii_alphabetic() || t[0] == b'_')
            && t.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    }
    if items.len() < 2 || items.len() > 64 || items.len() % 2 == 1 {
        return false;
    }
    let mut credential = false;
    for pair in items.chunks(2) {
        let (name, value) = (pair[0].as_ref(), pair[1].as_ref());
        if !name_like(name) {
            return false;
        }
        credential |= s.engine.names.field(name) == crate::rules::names::ParamClass::Secret
            && (!name_like(value) || value.iter().any(u8::is_ascii_digit));
    }
    credential
}

/// The items of a command's argument list (`"Cmd": ["redis-server", "--requirepass",
/// "…"]`, Kubernetes `args:`) that are the value of a credential flag: each as the
/// index of the value and the flag's name without its dashes (`--api-token` then the
/// token, `-storepass` then the password). A value that is itself a flag is none.
pub(crate) fn credential_flag_values<T: AsRef<[u8]>>(
    s: &Scrubber,
    items: &[T],
) -> Vec<(usize, Vec<u8>)> {
    let mut found = Vec::new();
    for (i, pair) in items.windows(2).enumerate() {
        let (flag, value) = (pair[0].as_ref(), pair[1].as_ref());
        let name = flag.strip_prefix(b"--").or_else(|| flag.strip_prefix(b"-"));
        let Some(name) = name else { continue };
        if name.len() < 2
            || !name[0].is_ascii_alphabetic()
            || !name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            || value.is_empty()
            || value.starts_with(b"-")
        {
            continue;
        }
        if s.engine.names.field(name) == crate::rules::names::ParamClass::Secret {
            found.push((i + 1, name.to_vec()));
        }
    }
    found
}

/// The `value` of a `{name, value}` pair in an array under `parent`, judged by `name`.
fn pair_value(s: &mut Scrubber, parent: &[u8], name: &[u8], text: &[u8], inner: &mut Vec<Edit>) {
    if norm_is(parent, HEADER_PARENTS) {
        s.header(name, text, 0, inner)
    } else if norm_is(parent, COOKIE_PARENTS) {
        let (a, b) = super::trim_quotes(text);
        s.redact_cookie(text, a, b, 0, "context.cookie", name, inner)
    } else {
        let url_ctx = norm_is(
            parent,
            &["querystring", "params", "query", "form", "formdata"],
        );
        // A pair whose name is only `value` (Postman's `"apikey": [{"key": "value",
        // "value": …}]`) is the value of what its list is named.
        let name = match pair_role(name) {
            Some(PairRole::Value) if !parent.is_empty() => parent,
            _ => name,
        };
        let outer = s
            .pair_name
            .replace(String::from_utf8_lossy(name.trim_ascii()).into_owned());
        s.by_name(name, text, 0, url_ctx, inner);
        s.pair_name = outer;
    }
}

/// Judge the decoded string `text` in context `ctx` (a base64 body is handled by
/// [`Walker::base64_body`], not here).
fn judge(s: &mut Scrubber, text: &[u8], ctx: &Ctx, inner: &mut Vec<Edit>) {
    match *ctx {
        Ctx::Key(k) => s.by_name(k, text, 0, false, inner),
        Ctx::HeaderMap(k) => s.header(k, text, 0, inner),
        Ctx::NameValue { parent, name } => pair_value(s, parent, name, text, inner),
        Ctx::Under(name) => s.token_under(name, text, 0, inner),
        Ctx::Body { mime, .. } => body(s, text, mime, 0, inner),
        Ctx::None => s.free(text, 0, inner),
    }
}

/// Edits of a string's decoded text, as edits of its raw JSON bytes.
fn string_edits(
    raw: &[u8],
    r: std::ops::Range<usize>,
    base: usize,
    inner: Vec<Edit>,
    out: &mut Vec<Edit>,
) {
    if inner.is_empty() {
        return;
    }
    // Only a sparse map back to raw offsets: the decoded text is not built twice.
    let d = offset_map(raw);
    for e in inner {
        out.push(Edit {
            start: base + r.start + d.raw_offset(e.start),
            end: base + r.start + d.raw_offset(e.end),
            text: escape_in_string(e.text),
            claim: base + r.start + d.raw_offset(e.claim),
        });
    }
}

impl Walker {
    pub fn top() -> Self {
        Walker {
            track: true,
            encoding: None,
            error: None,
            pairs: Vec::new(),
            opaque: false,
            under: None,
        }
    }

    pub fn nested() -> Self {
        Walker {
            track: false,
            encoding: None,
            error: None,
            pairs: Vec::new(),
            opaque: false,
            under: None,
        }
    }

    /// Scrub `v` (a tree over `src`); edits are in `src` coordinates plus `base`.
    pub fn value(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        v: &Value,
        key: Option<&[u8]>,
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        match v {
            Value::Str(r) => {
                let ctx = key.map_or(Ctx::None, Ctx::Key);
                self.string(s, src, r.clone(), &[ctx], base, out)
            }
            Value::Scalar(r) => self.number(s, src, r.clone(), key, base, out),
            Value::Arr(items) => {
                let pairs = is_pair_list(items);
                let flat = !pairs && is_flat_pair_list(s, src, items);
                // An argument list: the values of credential flags.
                let flags = if !pairs
                    && !flat
                    && (2..=256).contains(&items.len())
                    && items
                        .iter()
                        .any(|i| matches!(i, Value::Str(r) if matches!(src.get(r.start), Some(b'-' | b'\\'))))
                {
                    let texts: Vec<_> = items
                        .iter()
                        .map(|i| match i {
                            Value::Str(r) => decode(&src[r.clone()]),
                            _ => std::borrow::Cow::Borrowed(&b""[..]),
                        })
                        .collect();
                    credential_flag_values(s, &texts)
                } else {
                    Vec::new()
                };
                let event = self.event_password(s, src, items, key);
                let pem = pem_body_items(src, items);
                let arguments = graphql_list_arguments(src, items);
                let outer_graphql =
                    (!arguments.is_empty()).then(|| std::mem::replace(&mut s.graphql, arguments));
                for (i, item) in items.iter().enumerate() {
                    let mark = self.enter_index(s, i);
                    match item {
                        Value::Arr(pair) if pairs => self.array_pair(s, src, pair, key, base, out),
                        Value::Str(r) if Some(i) == event => {
                            self.string(s, src, r.clone(), &[Ctx::Key(b"password")], base, out)
                        }
                        // A line of a private key's body.
                        Value::Str(r) if pem.contains(&i) => {
                            self.string(s, src, r.clone(), &[Ctx::Key(b"private_key")], base, out)
                        }
                        Value::Str(r) if flat && i % 2 == 1 => {
                            let Value::Str(n) = &items[i - 1] else {
                                unreachable!("a flat pair list holds strings only")
                            };
                            // Judged under its name, and under the list's key, as
                            // the value of a `[name, value]` row is.
                            let name = decode(&src[n.clone()]);
                            let mut ctxs = vec![Ctx::NameValue {
                                parent: key.unwrap_or(b""),
                                name: &name,
                            }];
                            ctxs.extend(key.map(Ctx::Key));
                            self.string(s, src, r.clone(), &ctxs, base, out)
                        }
                        Value::Str(r) if flags.iter().any(|(at, _)| *at == i) => {
                            let name = &flags.iter().find(|(at, _)| *at == i).unwrap().1;
                            let mut ctxs = vec![Ctx::Key(name)];
                            ctxs.extend(key.map(Ctx::Key));
                            self.string(s, src, r.clone(), &ctxs, base, out)
                        }
                        _ => self.value(s, src, item, key, base, out),
                    }
                    s.loc.truncate(mark);
                }
                if let Some(g) = outer_graphql {
                    s.graphql = g;
                }
            }
            Value::Obj(members) => self.object(s, src, members, key, base, out),
        }
    }

    /// A login event sent as a list, its name first (socket.io's `42["authenticate",
    /// "…"]`, `["login", "bob", "…"]`): the index of its password, the last string
    /// after the name. Only a list that is a whole document (a message), of two to
    /// four items, and a password that is not a lowercase word (`["login", "signup",
    /// "reset"]` is a list of pages).
    fn event_password(
        &self,
        s: &Scrubber,
        src: &[u8],
        items: &[Value],
        key: Option<&[u8]>,
    ) -> Option<usize> {
        if key.is_some() || !(2..=4).contains(&items.len()) {
            return None;
        }
        let Value::Str(name) = &items[0] else {
            return None;
        };
        if !s.engine.names.password_event(&decode(&src[name.clone()])) {
            return None;
        }
        let at = items
            .iter()
            .rposition(|i| matches!(i, Value::Str(_) | Value::Scalar(_)))?;
        match &items[at] {
            Value::Str(r) if at > 0 => {
                let t = decode(&src[r.clone()]);
                (!t.iter().all(u8::is_ascii_lowercase)).then_some(at)
            }
            _ => None,
        }
    }

    /// One `[name, value]` of a list of pairs (`[["X-Api-Key", "…"], ["Accept", "…"]]`:
    /// fetch or requests headers, `Object.entries`): the value is judged under the
    /// name, as the `value` of a `{name, value}` pair in an array under `key` is.
    fn array_pair(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        pair: &[Value],
        key: Option<&[u8]>,
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let (Some(Value::Str(n)), Some(v)) = (pair.first(), pair.get(1)) else {
            return;
        };
        let name = decode(&src[n.clone()]);
        let parent = key.unwrap_or(b"");
        for (i, item) in pair.iter().enumerate() {
            let mark = self.enter_index(s, i);
            match item {
                Value::Str(r) if i == 1 => {
                    let mut ctxs = vec![Ctx::NameValue {
                        parent,
                        name: &name,
                    }];
                    ctxs.extend(key.map(Ctx::Key));
                    self.string(s, src, r.clone(), &ctxs, base, out);
                }
                _ if i == 1 => {
                    self.pairs.push((parent.to_vec(), vec![name.to_vec()]));
                    self.value(s, src, v, key, base, out);
                    self.pairs.pop();
                }
                _ => self.value(s, src, item, key, base, out),
            }
            s.loc.truncate(mark);
        }
    }

    fn object(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        members: &[(std::ops::Range<usize>, Value)],
        parent: Option<&[u8]>,
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let str_member = |name: &str| -> Option<std::borrow::Cow<[u8]>> {
            members.iter().find_map(|(k, v)| match v {
                Value::Str(r) if decode(&src[k.clone()]).as_ref() == name.as_bytes() => {
                    Some(decode(&src[r.clone()]))
                }
                _ => None,
            })
        };
        let (mut names, has_value) = pair_names(src, members);
        // `{"adminPassword": {"value": "…", "type": "securestring"}}` (ARM parameters, a
        // Spring `/env` property): an object whose only name is its key, holding a
        // value member, is a pair named by that key.
        if names.is_empty() && has_value {
            if let Some(p) = parent {
                if !norm_is(p, HEADER_PARENTS) && !norm_is(p, COOKIE_PARENTS) {
                    names.push(std::borrow::Cow::Owned(p.to_vec()));
                }
            }
            // A value addressed by a path or an id (a JSON Patch or SCIM PatchOp
            // `{"op": "replace", "path": "/password", "value": …}`, a settings list's
            // `{"id": "smtp.password", "value": …}`, a form error's `{"field":
            // "password", "value": …}`): named by it.
            for m in [
                "path", "id", "field", "property", "setting", "variable", "label",
            ] {
                names.extend(str_member(m));
            }
            // A body read from a URL that names what it holds (Azure Key Vault's
            // `GET …/secrets/{name}`, Spring Boot's `/actuator/env/{name}`): its value
            // is named by the URL (`Scrubber::url_name`).
            let string_value = members
                .iter()
                .any(|(k, v)| matches!(v, Value::Str(_)) && &src[k.clone()] == b"value");
            if string_value && parent.is_none_or(|p| p == b"property") {
                names.extend(s.url_name.clone().map(std::borrow::Cow::Owned));
            }
        }
        let loose_value = if has_value {
            None
        } else {
            loose_pair(src, members, &mut names)
        };
        let unspelt = if has_value
            || loose_value.is_some()
            || parent.is_some_and(|p| norm_is(p, HEADER_PARENTS) || norm_is(p, COOKIE_PARENTS))
        {
            Vec::new()
        } else {
            unspelt_pair(s, src, members, &mut names)
        };
        // Google Secret Manager's `…/secrets/{name}/versions/{v}:access`: the secret is
        // the `data` of the body's `payload`.
        let secret_payload = parent == Some(b"payload".as_slice())
            && s.url_name.as_deref() == Some(b"secret".as_slice());
        // A HashiCorp Vault KV version 2 read (`{"data": {"data": {…}, "metadata":
        // {"created_time": …, "version": …}}}`): every value of the inner `data` is a
        // secret, whatever its key.
        let vault_kv = members.iter().any(|(k, v)| {
            &src[k.clone()] == b"metadata"
                && matches!(v, Value::Obj(m) if ["created_time", "version"].iter().all(|n| {
                    m.iter().any(|(mk, _)| &src[mk.clone()] == n.as_bytes())
                }))
        });
        // A DynamoDB attribute value (`"password": {"S": "…"}`): its one member, typed
        // `S`, `N` or `B`, is the value of the attribute its key names.
        let typed_attribute = parent.is_some()
            && members.len() == 1
            && matches!(
                decode(&src[members[0].0.clone()]).as_ref(),
                b"S" | b"N" | b"B"
            );
        // A password given as its digest (Meteor's `"password": {"digest": "…",
        // "algorithm": "sha-256"}`, which logs in as the password does).
        let digest_of = parent.filter(|p| s.engine.names.field(p) == ParamClass::Secret);
        // A JSON-RPC call with a positional password (`{"method": "login", "params":
        // ["admin", "…"]}`, Odoo's `"args"`): `[methods]` in `patterns/names.toml`.
        // A SignalR hub invocation (`{"type": 1, "target": "Login", "arguments": ["bob",
        // "…"]}`; type 4 streams): its `target` is the method.
        let invocation = members.iter().any(|(k, v)| {
            &src[k.clone()] == b"type"
                && matches!(v, Value::Scalar(r) if matches!(&src[r.clone()], b"1" | b"4"))
        });
        let positional = str_member("method")
            .or_else(|| invocation.then(|| str_member("target")).flatten())
            .and_then(|m| s.engine.names.password_param(&m));
        // `"Type": "SecureString"` (AWS SSM), `"type": "secret"` (Postman): the pair's
        // value is a secret whatever its name.
        if has_value
            && ["type", "Type"].iter().any(|t| {
                str_member(t).is_some_and(|t| {
                    norm_is(&t, &["securestring", "secret", "password", "secureobject"])
                })
            })
        {
            names.push(std::borrow::Cow::Borrowed(b"secret".as_slice()));
        }
        let k8s_secret = str_member("kind").is_some_and(|k| k.as_ref() == b"Secret");
        // A JSON Web Key (RFC 7517/7518): its private members (`d` of an RSA, EC or OKP
        // key, RSA's primes and CRT values, a symmetric key's `k`) are the private key.
        let jwk = str_member("kty")
            .is_some_and(|t| matches!(t.as_ref(), b"RSA" | b"EC" | b"OKP" | b"oct"));
        let mime = str_member("mimeType");
        let base64 = str_member("encoding").is_some_and(|e| e.eq_ignore_ascii_case(b"base64"));
        let in_headers = parent.is_some_and(|p| norm_is(p, HEADER_PARENTS));
        let in_ws = parent.is_some_and(|p| norm_is(p, &["websocketmessages"]));
        // Triage: a HAR cookie's expiry, and the time of the entry (for `Max-Age`).
        let in_cookies = parent.is_some_and(|p| norm_is(p, COOKIE_PARENTS));
        // A map of cookies: strings only, none of them a schema's word (`"cookies":
        // {"type": "array", …}` describes a list of cookies).
        let cookie_map = in_cookies
            && names.is_empty()
            && !has_value
            && members.iter().all(|(k, v)| {
                let k = &src[k.clone()];
                matches!(v, Value::Str(_))
                    && !matches!(k, b"type" | b"description" | b"format" | b"title")
                    && !k.starts_with(b"$")
            });
        // A cookie as browsers' extensions and automation tools export it (`{"domain":
        // …, "name": "sid", "value": …}`, EditThisCookie, Puppeteer, Selenium) outside
        // a `cookies` list: its value is a cookie's, as in a `Cookie` header.
        let cookie_object = !in_cookies
            && has_value
            && !names.is_empty()
            && members
                .iter()
                .any(|(k, v)| matches!(v, Value::Str(_)) && &src[k.clone()] == b"domain");
        let cookie_expiry = if in_cookies && !names.is_empty() {
            members.iter().find_map(|(k, v)| {
                if decode(&src[k.clone()]).as_ref() != b"expires" {
                    return None;
                }
                match v {
                    Value::Str(r) => har_cookie_expiry(&decode(&src[r.clone()])),
                    Value::Scalar(r) => har_cookie_expiry(&src[r.clone()]),
                    _ => None,
                }
            })
        } else {
            None
        };
        // A HAR message's `Content-Encoding`, for its base64 body.
        let coding = members.iter().find_map(|(k, v)| match v {
            Value::Arr(items) if decode(&src[k.clone()]).as_ref() == b"headers" => {
                content_encoding(src, items)
            }
            _ => None,
        });
        // A GraphQL request (`{"query": "mutation($p: String!) { login(password: $p) …
        // }", "variables": {"p": …}}`, its variables also as a JSON string): its
        // variables by the arguments they are passed as.
        let arguments = if members.iter().any(|(k, v)| {
            matches!(v, Value::Obj(_) | Value::Str(_)) && &src[k.clone()] == b"variables"
        }) {
            str_member("query").map_or_else(Vec::new, |q| graphql_arguments(&q))
        } else {
            Vec::new()
        };
        // A map under a credential's name keyed by the credentials themselves (`"sessions":
        // {"<session id>": {"user": …}}`, `"tokens": {"<token>": …}`): a token-like key
        // is one.
        let keyed_by = parent.and_then(|p| credential_map(s, p));
        let saved_time = s.response_time;
        if parent == Some(b"entries".as_slice()) {
            if let Some(t) = str_member("startedDateTime").and_then(|t| parse_rfc3339(&t)) {
                s.response_time = Some(t.div_euclid(1000));
            }
        }
        for (i, (k, v)) in members.iter().enumerate() {
            let key = decode(&src[k.clone()]);
            let mark = s.loc.len();
            let pair_value_member = !names.is_empty()
                && (pair_role(&key) == Some(PairRole::Value)
                    || loose_value == Some(i)
                    || unspelt.contains(&i));
            // A credential used as a key (maps keyed by token): redact the key itself,
            // and never let it into a location.
            let mut key_edits = Vec::new();
            if s.engine.rules.may_match(&key)
                || (key.len() >= 8
                    && (s.knows_secrets() || memchr::memchr3(b'%', b'&', b'\\', &key).is_some()))
            {
                // Token rules, known secrets, and what an encoding inside the key hides.
                let origin = s.origin;
                s.origin = origin + base + k.start;
                s.text(&key, 0, Mode::RulesOnly, &mut key_edits);
                s.origin = origin;
            }
            if let Some(kind) =
                keyed_by.filter(|_| key_edits.is_empty() && key_token(&key) && !encoded_key(&key))
            {
                let origin = s.origin;
                s.origin = origin + base + k.start;
                s.redact(
                    &key,
                    0,
                    key.len(),
                    0,
                    "context.param",
                    kind,
                    Some(&key),
                    true,
                    &mut key_edits,
                );
                s.origin = origin;
            }
            if !key_edits.is_empty() {
                let mut shown = Vec::new();
                apply_edits(&key, &mut key_edits.clone(), &mut shown);
                let d = offset_map(&src[k.clone()]);
                for e in key_edits {
                    out.push(Edit {
                        start: base + k.start + d.raw_offset(e.start),
                        end: base + k.start + d.raw_offset(e.end),
                        text: e.text,
                        claim: base + k.start + d.raw_offset(e.claim),
                    });
                }
                if self.track {
                    push_seg(&mut s.loc, &shown);
                }
            } else if self.track {
                push_seg(&mut s.loc, &key);
            }
            // Inside an object under a credential's name (`"secret": {"data": …}`): the
            // name joined down to this member, for a string whose own key says nothing,
            // and for what an object or array here holds.
            let nested = matches!(v, Value::Obj(_) | Value::Arr(_));
            let under = match &self.under {
                Some(u)
                    if u.len() < 128
                        && (nested
                            || matches!(
                                s.engine.names.field(&key),
                                ParamClass::Other | ParamClass::Url
                            )) =>
                {
                    let mut joined = Vec::with_capacity(u.len() + 1 + key.len());
                    joined.extend_from_slice(u);
                    joined.push(b'.');
                    joined.extend_from_slice(&key);
                    Some(joined)
                }
                None if nested
                    && matches!(
                        s.engine.names.field(&key),
                        ParamClass::Secret | ParamClass::Weak
                    ) =>
                {
                    Some(key.to_vec())
                }
                _ => None,
            };
            let outer_under = nested.then(|| std::mem::replace(&mut self.under, under.clone()));
            let argument = s
                .graphql
                .iter()
                .find(|(var, _)| var.as_slice() == key.as_ref())
                .map(|(_, a)| a.clone());
            let outer_graphql = (!arguments.is_empty() && key.as_ref() == b"variables")
                .then(|| std::mem::replace(&mut s.graphql, arguments.clone()));
            match v {
                Value::Str(r) => {
                    let ctxs: Vec<Ctx> = match key.as_ref() {
                        // Judged under every name the pair carries (and under its own
                        // key, `secretValue`, unless that is plain `value`).
                        k if pair_value_member => {
                            let mut c: Vec<Ctx> = names
                                .iter()
                                .map(|name| Ctx::NameValue {
                                    parent: if cookie_object {
                                        b"cookies"
                                    } else {
                                        parent.unwrap_or(b"")
                                    },
                                    name,
                                })
                                .collect();
                            if k != b"value" {
                                c.push(Ctx::Key(k));
                            }
                            c
                        }
                        b"text" if mime.is_some() => vec![Ctx::Body {
                            mime: mime.as_deref().unwrap_or(b""),
                            base64,
                        }],
                        b"data" if secret_payload => vec![Ctx::Key(b"secret")],
                        b"data" if in_ws => vec![Ctx::Body {
                            mime: b"",
                            base64: false,
                        }],
                        k if in_headers && names.is_empty() => vec![Ctx::HeaderMap(k)],
                        // A map of cookies (`"cookies": {"sid": …}`, a debugging page's
                        // echo): every value is a cookie's, as in a `Cookie` header.
                        k if cookie_map => {
                            vec![Ctx::NameValue {
                                parent: b"cookies",
                                name: k,
                            }]
                        }
                        k if typed_attribute => {
                            vec![Ctx::Key(parent.unwrap_or(b"")), Ctx::Key(k)]
                        }
                        k @ (b"d" | b"p" | b"q" | b"dp" | b"dq" | b"qi" | b"k") if jwk => {
                            vec![Ctx::Key(b"private_key"), Ctx::Key(k)]
                        }
                        k @ (b"digest" | b"hash") if digest_of.is_some() => {
                            vec![Ctx::Key(digest_of.unwrap_or(b"")), Ctx::Key(k)]
                        }
                        k => {
                            let mut c = match &under {
                                Some(u) => vec![Ctx::Key(k), Ctx::Under(u)],
                                None => vec![Ctx::Key(k)],
                            };
                            c.extend(argument.as_deref().map(Ctx::Key));
                            c
                        }
                    };
                    let from = s.findings.len();
                    let cookie_value =
                        in_cookies && matches!(ctxs.first(), Some(Ctx::NameValue { .. }));
                    self.string(s, src, r.clone(), &ctxs, base, out);
                    if cookie_value {
                        s.cookie_expiry(from, cookie_expiry);
                    }
                }
                // A pair's `value` that is not a string (`"value": 48213377`, an array,
                // an object): every string and number in it is judged under the pair's
                // names as well.
                _ if pair_value_member => {
                    let from = s.findings.len();
                    self.pairs.push((
                        parent.unwrap_or(b"").to_vec(),
                        names.iter().map(|n| n.to_vec()).collect(),
                    ));
                    self.value(s, src, v, Some(&key), base, out);
                    self.pairs.pop();
                    if in_cookies {
                        s.cookie_expiry(from, cookie_expiry);
                    }
                }
                // A Kubernetes Secret: every value of its `data` and `stringData` is
                // one, whatever its key (`smtp-creds`, `license`).
                Value::Obj(_)
                    if (k8s_secret && matches!(key.as_ref(), b"data" | b"stringData"))
                        || (vault_kv && key.as_ref() == b"data") =>
                {
                    self.pairs.push((Vec::new(), vec![b"secret".to_vec()]));
                    self.value(s, src, v, Some(&key), base, out);
                    self.pairs.pop();
                }
                Value::Arr(items)
                    if positional.is_some()
                        && matches!(key.as_ref(), b"params" | b"args" | b"arguments") =>
                {
                    let scalar = |i: &Value| matches!(i, Value::Str(_) | Value::Scalar(_));
                    let at = match positional {
                        Some(Position::At(i)) => Some(i),
                        _ => items.iter().rposition(scalar),
                    };
                    for (i, item) in items.iter().enumerate() {
                        let mark = self.enter_index(s, i);
                        match item {
                            Value::Str(r) if Some(i) == at => {
                                let ctxs = [Ctx::Key(b"password"), Ctx::Key(&key)];
                                self.string(s, src, r.clone(), &ctxs, base, out)
                            }
                            Value::Scalar(r) if Some(i) == at => {
                                self.number(s, src, r.clone(), Some(b"password"), base, out)
                            }
                            _ => self.value(s, src, item, Some(&key), base, out),
                        }
                        s.loc.truncate(mark);
                    }
                }
                _ if coding.is_some() && matches!(key.as_ref(), b"content" | b"postData") => {
                    let saved = std::mem::replace(&mut self.encoding, coding.clone());
                    self.value(s, src, v, Some(&key), base, out);
                    self.encoding = saved;
                }
                _ => self.value(s, src, v, Some(&key), base, out),
            }
            if let Some(o) = outer_under {
                self.under = o;
            }
            if let Some(g) = outer_graphql {
                s.graphql = g;
            }
            s.loc.truncate(mark);
        }
        s.response_time = saved_time;
    }

    /// A string judged in each of `ctxs` (and under the names of the pairs being
    /// walked), then swept for known secrets. A base64 body (marked so, or made only of
    /// base64 and decoding to a compressed body) is decoded, scrubbed and re-encoded.
    fn string(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        r: std::ops::Range<usize>,
        ctxs: &[Ctx],
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let touch = s.touched;
        if let Touch::Skip(t) = touch {
            if !t.may_hold(&src[r.clone()]) {
                return;
            }
            // A string read again is read whole: the strings of a JSON body inside it
            // (walked with this scrubber) are not looked up on their own.
            s.touched = Touch::Off;
        }
        self.read_string(s, src, r, ctxs, base, out);
        s.touched = touch;
    }

    fn read_string(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        r: std::ops::Range<usize>,
        ctxs: &[Ctx],
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let raw = &src[r.clone()];
        if raw.is_empty() {
            return;
        }
        // Decode without an offset map first: most strings need no edit.
        let decoded = decode(raw);
        let text = decoded.as_ref();
        let mut inner = Vec::new();
        // The body contexts that hold base64 (read below, after the others).
        let mut b64 = None;
        let mut is_b64 = [false; 4];
        debug_assert!(
            ctxs.len() <= is_b64.len(),
            "a string judged in many contexts"
        );
        for (c, b) in ctxs.iter().zip(is_b64.iter_mut()) {
            if let Ctx::Body { mime, base64 } = *c {
                if base64 || whole_base64(text) {
                    *b = true;
                    b64 = Some((mime, base64));
                }
            }
        }
        // Read before in the same context and found clean: nothing to do.
        let memo = match s.memo {
            Some(m) if b64.is_none() && raw.len() >= memo::MIN_LEN && self.memo_applies(s) => {
                let (key, hit) = m.seen_clean(self.memo_key(s, raw, ctxs), s.known_len());
                if hit {
                    return;
                }
                // Whether this string opens a layer the views do not: its own flag.
                let opaque = std::mem::take(&mut s.opaque);
                Some((m, key, s.findings.len(), s.discovered.len(), opaque))
            }
            _ => None,
        };
        // The decoded text is judged from offset 0; findings count from the document.
        let origin = s.origin;
        s.origin = origin + base + r.start;
        for (i, c) in ctxs.iter().enumerate() {
            if !is_b64.get(i).copied().unwrap_or(false) {
                judge(s, text, c, &mut inner);
            }
        }
        for (parent, names) in &self.pairs {
            for name in names {
                pair_value(s, parent, name, text, &mut inner);
            }
        }
        if let Some((mime, declared)) = b64 {
            let mut edit = None;
            let opened = self.base64_body(s, text, mime, declared, &mut edit);
            let opaque = std::mem::take(&mut self.opaque);
            s.opaque |= opaque;
            if let (Touch::Record(t), true) = (s.touched, opaque) {
                t.insert(raw);
            }
            if opened {
                s.origin = origin;
                string_edits(raw, r.clone(), base, inner, out);
                if let Some(new) = edit {
                    out.push(Edit {
                        start: base + r.start,
                        end: base + r.end,
                        text: new,
                        claim: base + r.start,
                    });
                }
                return;
            }
            // Not marked base64 and not a compressed body: text, read as such.
            body(s, text, mime, 0, &mut inner);
        }
        s.known_sweep(text, 0, &mut inner);
        s.origin = origin;
        if let Some((m, key, findings, discovered, opaque)) = memo {
            if inner.is_empty()
                && s.findings.len() == findings
                && s.discovered.len() == discovered
                && !s.opaque
                && self.error.is_none()
            {
                m.remember(key, s.known_len());
            }
            s.opaque |= opaque;
        }
        string_edits(raw, r, base, inner, out);
    }

    /// May a string read here be looked up in the memo? Only by the walker of a
    /// document (not JSON nested in a string), outside any escaping layer and pair
    /// being read, in a pass that keeps no allow-listed paths (those depend on where
    /// the string is).
    fn memo_applies(&self, s: &Scrubber) -> bool {
        self.track
            && s.layer_depth == 0
            && s.layer_mask.is_none()
            && s.pair_name.is_none()
            && s.lines.is_none()
            && !matches!(s.touched, Touch::Skip(_))
            && !s.engine.has_allowed_paths()
            && !s.engine.no_memo
    }

    /// Everything that decides how a string is read (see `detect::memo`).
    fn memo_key(&self, s: &Scrubber, raw: &[u8], ctxs: &[Ctx]) -> memo::Key {
        let mut k = memo::Key::new();
        for ctx in ctxs {
            match *ctx {
                Ctx::Key(n) => k.part(1, n),
                Ctx::NameValue { parent, name } => k.part(2, parent).part(3, name),
                Ctx::HeaderMap(n) => k.part(4, n),
                Ctx::Body { mime, base64 } => k.part(5, mime).part(6, &[u8::from(base64)]),
                Ctx::Under(n) => k.part(16, n),
                Ctx::None => k.part(7, b""),
            };
        }
        for (parent, names) in &self.pairs {
            k.part(8, parent);
            for n in names {
                k.part(9, n);
            }
            k.part(10, b"");
        }
        match &s.url_name {
            Some(n) => k.part(11, n),
            None => k.part(12, b""),
        };
        match &self.encoding {
            Some(e) => k.part(13, e),
            None => k.part(14, b""),
        };
        for (var, arg) in &s.graphql {
            k.part(17, var).part(18, arg);
        }
        k.part(15, raw);
        k
    }

    /// A number token: a credential when its key names one (`"pin": 4711`), when a
    /// pair being walked names one (`{"name": "pin", "value": 4711}`: judged as the
    /// string `"4711"` would be there), or when it is a known secret. It is then
    /// replaced, whole, by a JSON string holding its placeholder, so the document stays
    /// valid JSON and the placeholder is the one the same digits get in a string.
    fn number(
        &mut self,
        s: &mut Scrubber,
        src: &[u8],
        r: std::ops::Range<usize>,
        key: Option<&[u8]>,
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let raw = &src[r.clone()];
        if !is_number(raw) {
            return;
        }
        let mut inner = Vec::new();
        let origin = s.origin;
        s.origin = origin + base + r.start;
        if let Some(k) = key {
            numeric_secret(s, raw, k, &mut inner);
        }
        for (parent, names) in &self.pairs {
            for name in names {
                pair_value(s, parent, name, raw, &mut inner);
            }
        }
        s.known_sweep(raw, 0, &mut inner);
        s.origin = origin;
        if inner.is_empty() {
            return;
        }
        let mut text = Vec::with_capacity(raw.len() + 32);
        apply_edits(raw, &mut inner, &mut text);
        let mut quoted = Vec::with_capacity(text.len() + 2);
        quoted.push(b'"');
        crate::codec::json::encode_into(&text, &mut quoted);
        quoted.push(b'"');
        out.push(Edit {
            start: base + r.start,
            end: base + r.end,
            text: String::from_utf8_lossy(&quoted).into_owned(),
            claim: base + r.start,
        });
    }

    /// Decode a base64 body, scrub it, and re-encode it when anything changed.
    ///
    /// A body not `declared` base64 (no `"encoding": "base64"`) but made only of base64
    /// is taken as one only when it decodes to a compressed body (gzip, zstd, brotli…,
    /// see [`crate::codec::coding::undo_har_codings`]); otherwise false is returned,
    /// nothing done, and the caller reads it as text.
    fn base64_body(
        &mut self,
        s: &mut Scrubber,
        text: &[u8],
        mime: &[u8],
        declared: bool,
        edit: &mut Option<String>,
    ) -> bool {
        // Copies are dropped as soon as they are done with: a body can be huge.
        let decoded = if text.iter().any(|b| b.is_ascii_whitespace()) {
            let compact: Vec<u8> = text
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            STANDARD.decode(&compact)
        } else {
            STANDARD.decode(text)
        };
        let Ok(bytes) = decoded else {
            if !declared {
                return false;
            }
            // Not valid base64 after all: treat it as text so nothing hides in it.
            let mut inner = Vec::new();
            s.text(text, 0, Mode::RulesOnly, &mut inner);
            if !inner.is_empty() {
                let mut o = Vec::new();
                apply_edits(text, &mut inner, &mut o);
                let mut enc = Vec::new();
                crate::codec::json::encode_into(&o, &mut enc);
                *edit = Some(String::from_utf8_lossy(&enc).into_owned());
            }
            return true;
        };
        // Stored as sent (gzip, br, zstd…), whatever the header says or without one:
        // decoded, scrubbed, encoded again.
        let enc = self.encoding.as_deref();
        let mut failed = false;
        let undone =
            crate::codec::coding::undo_har_codings(&s.engine.limits, &s.session, &bytes, enc)
                .unwrap_or_else(|e| {
                    let e = match enc {
                        Some(enc) => {
                            let enc = String::from_utf8_lossy(enc);
                            let enc = enc.trim_end_matches(',').to_string();
                            e.context(format!("body at {} (Content-Encoding: {enc})", s.loc))
                        }
                        None => e.context(format!("body at {} (no Content-Encoding)", s.loc)),
                    };
                    self.error.get_or_insert(e);
                    failed = true;
                    None
                });
        let (bytes, layers) = match undone {
            Some((plain, layers)) => (plain, layers),
            // Not compressed: decoded only when it is UTF-16 text.
            None if !declared
                && !failed
                && crate::codec::utf16::Utf16::sniff(&bytes, mime).is_none() =>
            {
                return false
            }
            None => (bytes, Vec::new()),
        };
        // A layer the views of the copy do not open: verification reads this string
        // again (see `detect::touched`).
        self.opaque = layers.contains(&crate::codec::coding::Coding::Brotli)
            || !crate::detect::views::texty(&bytes);
        // A body in UTF-16 (`charset=utf-16`, a byte order mark): read as UTF-8,
        // written back in UTF-16.
        let utf16 = crate::codec::utf16::Utf16::sniff(&bytes, mime)
            .and_then(|u| Some((u, u.decode(&bytes)?)));
        let (utf16, bytes) = match utf16 {
            Some((u, text)) => (Some(u), text.into_bytes()),
            None => (None, bytes),
        };
        let mut inner = Vec::new();
        body(s, &bytes, mime, 0, &mut inner);
        if inner.is_empty() {
            return true;
        }
        let mut o = Vec::with_capacity(bytes.len());
        apply_edits(&bytes, &mut inner, &mut o);
        drop(bytes);
        if let Some(u) = utf16 {
            match String::from_utf8(o) {
                Ok(t) => o = u.encode(&t),
                Err(_) => {
                    self.error.get_or_insert(anyhow::anyhow!(
                        "body at {}: the copy of a UTF-16 body is no longer text",
                        s.loc
                    ));
                    return true;
                }
            }
        }
        match crate::codec::coding::redo_codings(o, &layers) {
            Ok(o) => *edit = Some(STANDARD.encode(&o)),
            Err(e) => {
                self.error.get_or_insert(e.context("re-encoding a body"));
            }
        }
        true
    }
}

/// A body string made only of (standard, padded) base64, long enough to hold a
/// compressed body: worth decoding whole even when not marked base64.
fn whole_base64(t: &[u8]) -> bool {
    t.len() >= 16
        && t.len().is_multiple_of(4)
        && t.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// A request or response body. What the bytes are decides before the label: JSON,
/// forms and multipart bodies are recognised whatever `mimeType` says (servers and
/// proxies label JSON `text/plain`, `application/octet-stream`, `text/html`…).
pub fn body(s: &mut Scrubber, v: &[u8], mime: &[u8], base: usize, out: &mut Vec<Edit>) {
    let m = String::from_utf8_lossy(mime).to_ascii_lowercase();
    let first = v.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if matches!(first, Some(b'{' | b'[')) && s.json_text(v, base, out) {
        return;
    }
    // JSON records each ended by U+001E (SignalR's JSON hub protocol over WebSocket,
    // JSON text sequences): each record read as JSON, or as text when it is none.
    if first == Some(b'{') && v.last() == Some(&0x1e) {
        let mut at = 0;
        for record in v.split(|&b| b == 0x1e) {
            let (start, end) = (at, at + record.len());
            at = end + 1;
            if record.trim_ascii().is_empty() {
                continue;
            }
            if !s.json_text(record, base + start, out) {
                s.text(record, base + start, Mode::Plain, out);
            }
        }
        return;
    }
    if m.contains("json") {
        return s.text(v, base, Mode::Plain, out);
    }
    if m.contains("x-www-form-urlencoded") {
        return s.params(v, base, b'&', true, out);
    }
    if let Some(b) = multipart_boundary(&m, v) {
        return multipart(s, v, &b, base, out);
    }
    let markup = ["html", "xml", "javascript", "ecmascript", "css"];
    if markup.iter().any(|k| m.contains(k)) {
        return s.text(v, base, Mode::Code, out);
    }
    let media = ["image/", "font/", "audio/", "video/"];
    if media.iter().any(|b| m.starts_with(b)) {
        // An image holds no escaped text: only its printable runs (metadata, a token
        // in a comment chunk) are read, not escape layers decoded over the pixels.
        if texty(v) {
            return s.text(v, base, Mode::RulesOnly, out);
        }
        return s.printable_runs(v, base, Mode::RulesOnly, out);
    }
    if looks_like_form(v) {
        return s.params(v, base, b'&', true, out);
    }
    // Binary labels (`octet-stream`, protobuf, gRPC) holding text are read as text.
    let binary = [
        "application/octet-stream",
        "application/wasm",
        "application/pdf",
        "application/zip",
        "application/x-protobuf",
        "application/grpc",
    ];
    if binary.iter().any(|b| m.starts_with(b)) && !texty(v) {
        return s.printable_runs(v, base, Mode::RulesOnly, out);
    }
    if !texty(v) {
        return s.printable_runs(v, base, Mode::Plain, out);
    }
    s.text(v, base, Mode::Plain, out);
    if m.contains("csv") || m.contains("tab-separated-values") {
        s.csv_columns(v, base, out);
    }
}

/// Printable UTF-8 (tabs and line breaks allowed): text whatever its label.
fn texty(v: &[u8]) -> bool {
    std::str::from_utf8(v).is_ok()
        && !v
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f)
}

fn looks_like_form(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    let Some(eq) = memchr::memchr(b'=', v) else {
        return false;
    };
    // `name=value[&name=value…]`, names a form would use; not base64 padding (`…==`);
    // no quote or angle bracket a form encodes (`$c=['api_key'=>'…']` is code).
    eq > 0
        && v[eq..].iter().any(|&b| b != b'=')
        && v[..eq]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.[]%+$:".contains(b))
        && !v
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'{' | b'<' | b'>' | b'"' | b'\''))
        && !semicolon_pairs(v)
}

/// `Server=db;Password=…;` (a connection string) rather than a form: no `&`, and a
/// `;` followed by another `name=`. Read as text, a value keeps its `+` (base64 keys).
fn semicolon_pairs(v: &[u8]) -> bool {
    memchr::memchr(b'&', v).is_none()
        && memchr::memchr_iter(b';', v).any(|i| {
            let rest = &v[i + 1..];
            let name = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || b"_- ".contains(b))
                .count();
            name > 0 && rest.get(name) == Some(&b'=')
        })
}

/// The multipart boundary: from the type's parameter (any case, quoted or not), or
/// sniffed from a body that opens with a `--boundary` line whatever the label says.
fn multipart_boundary(m: &str, v: &[u8]) -> Option<String> {
    if m.contains("multipart/") {
        if let Some(p) = m.find("boundary=") {
            // The label was lowered; take the boundary's own case from the body.
            let b = m[p + 9..].split(';').next().unwrap_or("").trim();
            let b = b.trim_matches('"');
            if !b.is_empty() {
                let lower = v.to_ascii_lowercase();
                let needle = format!("--{b}");
                if let Some(at) = memchr::memmem::find(&lower, needle.as_bytes()) {
                    let raw = &v[at + 2..at + 2 + b.len()];
                    return Some(String::from_utf8_lossy(raw).into_owned());
                }
            }
        }
    }
    // Sniffed: `--<boundary>` then a line break, then part headers.
    let t = &v[v.iter().position(|b| !b.is_ascii_whitespace())?..];
    let line_end = memchr::memchr(b'\n', t)?;
    let line = t[..line_end].strip_suffix(b"\r").unwrap_or(&t[..line_end]);
    let b = line.strip_prefix(b"--")?;
    let ok = (4..=200).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(c));
    let rest = t[line_end + 1..].to_ascii_lowercase();
    (ok && rest.starts_with(b"content-")).then(|| String::from_utf8_lossy(b).into_owned())
}

/// `multipart/form-data`: each part's value is judged by its field name.
fn multipart(s: &mut Scrubber, v: &[u8], b: &str, base: usize, out: &mut Vec<Edit>) {
    let delim = format!("--{}", b);
    let finder = memchr::memmem::Finder::new(delim.as_bytes());
    let starts: Vec<usize> = finder.find_iter(v).collect();
    if starts.is_empty() {
        return s.text(v, base, Mode::Plain, out);
    }
    // Anything before the first delimiter (preamble) is scanned as text.
    s.text(&v[..starts[0]], base, Mode::Plain, out);
    for (i, &st) in starts.iter().enumerate() {
        let part_start = st + delim.len();
        let part_end = starts.get(i + 1).copied().unwrap_or(v.len());
        let part = &v[part_start..part_end];
        let (hdr_end, body_start) = match memchr::memmem::find(part, b"\r\n\r\n") {
            Some(p) => (p, p + 4),
            None => match memchr::memmem::find(part, b"\n\n") {
                Some(p) => (p, p + 2),
                None => {
                    s.text(part, base + part_start, Mode::Plain, out);
                    continue;
                }
            },
        };
        let headers = &part[..hdr_end];
        let mut body_end = part.len();
        if part[..body_end].ends_with(b"\r\n") {
            body_end -= 2;
        } else if part[..body_end].ends_with(b"\n") {
            body_end -= 1;
        }
        let body_end = body_end.max(body_start);
        let name = field_name(headers);
        let ctype = headers
            .split(|&c| c == b'\n')
            .find(|l| l.len() > 13 && l[..13].eq_ignore_ascii_case(b"content-type:"))
            .map(|l| l[13..].trim_ascii().to_vec())
            .unwrap_or_default();
        let pb = &part[body_start..body_end];
        let abs = base + part_start + body_start;
        match name.as_deref().map(|n| s.engine.names.field(n)) {
            Some(ParamClass::Secret) | Some(ParamClass::Weak) if !pb.is_empty() => {
                let kind = super::kind_for_name(name.as_deref().unwrap_or(b""));
                s.redact(
                    pb,
                    0,
                    pb.len(),
                    abs,
                    "context.multipart",
                    kind,
                    None,
                    true,
                    out,
                );
            }
            _ => body(s, pb, &ctype, abs, out),
        }
    }
}

/// The `name` parameter of a part's `Content-Disposition` (any case, quoted or not;
/// `filename` is another parameter).
fn field_name(headers: &[u8]) -> Option<Vec<u8>> {
    let line = headers
        .split(|&c| c == b'\n')
        .find(|l| l.len() > 20 && l[..20].eq_ignore_ascii_case(b"content-disposition:"))?;
    let mut rest = &line[20..];
    loop {
        let semi = memchr::memchr(b';', rest)?;
        rest = rest[semi + 1..].trim_ascii_start();
        if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b"name=") {
            let v = &rest[5..];
            let v = match v.first() {
                Some(b'"') => &v[1..1 + memchr::memchr(b'"', &v[1..])?],
                _ => {
                    let e = v
                        .iter()
                        .position(|&c| c == b';' || c.is_ascii_whitespace())
                        .unwrap_or(v.len());
                    &v[..e]
                }
            };
            return Some(v.to_vec());
        }
    }
}

impl Walker {
    /// Step into item `i` of an array: its index joins the location (when locations
    /// are tracked); returns where to cut the location back to.
    fn enter_index(&self, s: &mut Scrubber, i: usize) -> usize {
        let mark = s.loc.len();
        if self.track {
            s.loc.push('/');
            s.loc.push_str(itoa(i).as_str());
        }
        mark
    }
}

fn itoa(i: usize) -> String {
    i.to_string()
}
