//! What a finding was under: the header, cookie, parameter or key name, and for a HAR
//! entry the request's method and URL.
//!
//! Everything here is read from the **redacted copy**, never from the input: the copy
//! passed verification, so a name or URL taken from it holds placeholders where the
//! input held secrets. A finding's placeholder (`[REDACTED:<kind>:<fingerprint>]`) is
//! looked up in the copy at the finding's location, and the name is what the
//! placeholder follows (`name=`, `"name": "`, `Name: `); failing that, the structure
//! says it (the `name` of a HAR `{name, value}` pair, a JSON key, an HTTP header line).

use crate::codec::json::{self, Value};
use crate::detect::walk::{pair_role, PairRole};

use crate::engine::Engine;
use crate::finding::Finding;

/// Longest name kept; longer ones are not names.
const MAX_NAME: usize = 128;
/// URLs are cut to this many characters (a `data:` URL can be megabytes).
const MAX_URL: usize = 512;

/// Keys that are HAR fields holding a value, not names of what the value is.
const NOT_NAMES: &[&str] = &[
    "text",
    "url",
    "redirectURL",
    "data",
    "value",
    "title",
    "comment",
    "_initiator",
    "content",
    "path",
];

fn name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-.[]$@".contains(&b)
}

fn value_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-.~+/%".contains(&b)
}

fn clean_name(n: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(n).trim().to_string();
    (!s.is_empty() && s.len() <= MAX_NAME && !s.contains("[REDACTED")).then_some(s)
}

/// The name that `placeholder`, at byte `at` of `s`, is the value of.
fn name_before(s: &[u8], at: usize) -> Option<String> {
    let mut i = at;
    // The start of the value: a JWT's header and payload, a prefix kept before a
    // placeholder, an opening quote.
    while i > 0 && value_char(s[i - 1]) {
        i -= 1;
    }
    let quoted = i > 0 && matches!(s[i - 1], b'"' | b'\'');
    if quoted {
        i -= 1;
    }
    let mut j = i;
    let mut spaced = false;
    while j > 0 && s[j - 1] == b' ' {
        j -= 1;
        spaced = true;
    }
    if j == 0 {
        return None;
    }
    match s[j - 1] {
        b'=' => {
            let end = j - 1;
            let mut k = end;
            while k > 0 && name_char(s[k - 1]) {
                k -= 1;
            }
            clean_name(&s[k..end])
        }
        // `key: value` wants a space or a quote after the colon (`user:pass@` is not).
        b':' if quoted || spaced => {
            let mut end = j - 1;
            while end > 0 && s[end - 1] == b' ' {
                end -= 1;
            }
            if end > 0 && matches!(s[end - 1], b'"' | b'\'') {
                let q = s[end - 1];
                let close = end - 1;
                let open = s[..close].iter().rposition(|&b| b == q)?;
                return clean_name(&s[open + 1..close]);
            }
            let mut k = end;
            while k > 0 && name_char(s[k - 1]) {
                k -= 1;
            }
            clean_name(&s[k..end])
        }
        _ => None,
    }
}

/// Where the finding's placeholder is in `s` (the one nearest `near` when the style
/// repeats placeholders).
/// Where the placeholder of `f` first is in `s`.
fn first_placeholder(engine: &Engine, f: &Finding, s: &[u8]) -> Option<usize> {
    let p = engine.placeholder.render(&f.kind, &f.fingerprint);
    memchr::memmem::find(s, p.as_bytes())
}

/// Where the placeholder of `f` is in the line `s`: its first occurrence from `from`,
/// else (a finding inside a decoded layer, whose placeholder may stand elsewhere) the
/// occurrence nearest `near` within 64 KiB of it.
fn find_placeholder(
    engine: &Engine,
    f: &Finding,
    s: &[u8],
    from: usize,
    near: usize,
) -> Option<usize> {
    const WINDOW: usize = 64 * 1024;
    let p = engine.placeholder.render(&f.kind, &f.fingerprint);
    let from = from.min(s.len());
    if let Some(at) = memchr::memmem::find(&s[from..s.len().min(from + WINDOW)], p.as_bytes()) {
        return Some(from + at);
    }
    let lo = near.saturating_sub(WINDOW).min(s.len());
    let hi = s.len().min(near.saturating_add(WINDOW));
    memchr::memmem::find_iter(&s[lo..hi], p.as_bytes())
        .map(|at| lo + at)
        .min_by_key(|&at| at.abs_diff(near))
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn cut_url(u: &str) -> String {
    if u.chars().count() <= MAX_URL {
        return u.to_string();
    }
    let mut s: String = u.chars().take(MAX_URL).collect();
    s.push('…');
    s
}

/// Name, method and URL of findings located by JSON Pointer under `prefix` in a
/// document whose redacted copy, at `prefix`, is `doc` (parsed from `src`). Where an
/// object spells a key twice, the last one counts, as in most JSON readers.
pub fn json(engine: &Engine, findings: &mut [Finding], prefix: &str, src: &[u8], doc: &Value) {
    let string = |v: &Value| match v {
        Value::Str(r) => Some(json::decode(&src[r.clone()])),
        _ => None,
    };
    let text = |v: &Value| string(v).map(|b| String::from_utf8_lossy(&b).into_owned());
    for f in findings.iter_mut() {
        let Some(rel) = f.location.strip_prefix(prefix) else {
            continue;
        };
        if !(rel.is_empty() || rel.starts_with('/')) {
            continue;
        }
        let segs: Vec<String> = rel.split('/').skip(1).map(unescape).collect();
        let mut chain: Vec<&Value> = vec![doc];
        let mut cur = doc;
        let mut request: Option<&Value> = None;
        for seg in &segs {
            if let Some(r) =
                member(src, cur, b"request").filter(|r| member(src, r, b"url").is_some())
            {
                request = Some(r);
            }
            let next = match cur {
                Value::Obj(_) => member(src, cur, seg.as_bytes()),
                Value::Arr(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            };
            let Some(n) = next else { break };
            cur = n;
            chain.push(n);
        }
        if let Some(r) = request {
            f.method = member(src, r, b"method").and_then(text);
            f.url = member(src, r, b"url").and_then(text).map(|u| cut_url(&u));
        }
        if chain.len() != segs.len() + 1 {
            continue;
        }
        // The placeholder in the string at the location, and what it follows.
        if let Some(s) = string(cur) {
            if let Some(at) = first_placeholder(engine, f, &s) {
                if let Some(n) = name_before(&s, at) {
                    f.name = Some(n);
                    continue;
                }
            }
        }
        // The structure: the `name` of a `{name, value}` pair, else the key.
        let Some(last) = segs.last() else { continue };
        let parent = chain[chain.len() - 2];
        match parent {
            Value::Obj(m) if pair_role(last.as_bytes()) == Some(PairRole::Value) => {
                // The pair's name (`key`, `Name`, `ParameterKey`…), else the key the
                // pair object sits under (`{"adminPassword": {"value": …}}`).
                let named = m
                    .iter()
                    .rev()
                    .find(|(k, _)| {
                        pair_role(&json::decode(&src[k.clone()])) == Some(PairRole::Name)
                    })
                    .and_then(|(_, v)| string(v));
                if let Some(n) = named {
                    f.name = clean_name(&n);
                } else if segs.len() >= 2 && matches!(chain[chain.len() - 3], Value::Obj(_)) {
                    f.name = clean_name(segs[segs.len() - 2].as_bytes());
                }
            }
            Value::Obj(_) if !NOT_NAMES.contains(&last.as_str()) => {
                f.name = clean_name(last.as_bytes());
            }
            // `[["X-Api-Key", "…"], …]`: the first of a pair names the second.
            Value::Arr(a) if a.len() == 2 && last == "1" => {
                if let Some(n) = string(&a[0]) {
                    f.name = clean_name(&n);
                }
            }
            _ => {}
        }
    }
}

/// The member `key` of `v` when it is an object (the last, if `key` repeats).
fn member<'v>(src: &[u8], v: &'v Value, key: &[u8]) -> Option<&'v Value> {
    let Value::Obj(m) = v else { return None };
    m.iter()
        .rev()
        .find(|(k, _)| *json::decode(&src[k.clone()]) == *key)
        .map(|(_, v)| v)
}

/// Name of findings located by `line:column` in a text copy (raw HTTP, logs, env
/// files): what the placeholder follows on its line, else the header name of an
/// HTTP header line.
pub fn lines(engine: &Engine, findings: &mut [Finding], copy: &[u8]) {
    if findings.is_empty() {
        return;
    }
    let mut starts = vec![0usize];
    starts.extend(memchr::memchr_iter(b'\n', copy).map(|i| i + 1));
    let position = |f: &Finding| -> Option<(usize, usize)> {
        let (l, c) = f.location.split_once(':')?;
        Some((l.parse().ok()?, c.parse().ok()?))
    };
    // In the order of their places: on a line, the placeholder of each finding is
    // looked for from where the previous one's was (edits keep the order of what they
    // replace), so a long line with many findings is read once, not once per finding.
    let mut order: Vec<(usize, usize, usize)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| position(f).map(|(l, c)| (l, c, i)))
        .collect();
    order.sort_unstable();
    let mut cursor = (0, 0);
    for (l, c, i) in order {
        let f = &mut findings[i];
        let Some(&start) = starts.get(l.wrapping_sub(1)) else {
            continue;
        };
        let end = starts.get(l).map_or(copy.len(), |&next| next - 1);
        let line = &copy[start..end];
        if cursor.0 != l {
            cursor = (l, 0);
        }
        let Some(at) = find_placeholder(engine, f, line, cursor.1, c.saturating_sub(1)) else {
            continue;
        };
        cursor.1 = at;
        // A name the detector gave (a pair's name, on another line or element) stands
        // unless the text names the value otherwise than as a pair's `value`.
        use crate::detect::walk::{pair_role, PairRole};
        if let Some(n) = name_before(line, at) {
            if f.name.is_none() || pair_role(n.as_bytes()) != Some(PairRole::Value) {
                f.name = Some(n);
            }
            continue;
        }
        if f.name.is_some() {
            continue;
        }
        // `Authorization: Bearer [REDACTED:…]`: the header's name.
        let colon = line.iter().position(|&b| b == b':');
        if let Some(k) = colon.filter(|&k| k > 0 && k < at) {
            if line[..k].iter().all(|&b| name_char(b)) {
                f.name = clean_name(&line[..k]);
            }
        }
    }
}

/// Name, method and URL of findings in a mitmproxy flow dump (JSON-Pointer-like
/// locations into its tnetstrings: `/0/request/headers/3/1`).
pub fn mitm(engine: &Engine, findings: &mut [Finding], copy: &[u8]) {
    use super::tnetstring::{self, Node};
    if findings.is_empty() {
        return;
    }
    let Ok(flows) = tnetstring::parse_all(copy, 64) else {
        return;
    };
    let text = |n: &Node| -> Option<String> {
        matches!(n.tag, b',' | b';' | b'#')
            .then(|| String::from_utf8_lossy(&copy[n.payload.clone()]).into_owned())
    };
    let member = |n: &'_ Node, key: &str| -> Option<usize> {
        (n.tag == b'}').then_some(())?;
        (0..n.children.len())
            .step_by(2)
            .find(|&i| &copy[n.children[i].payload.clone()] == key.as_bytes())
            .map(|i| i + 1)
    };
    for f in findings.iter_mut() {
        let segs: Vec<String> = f.location.split('/').skip(1).map(unescape).collect();
        let Some(flow) = segs
            .first()
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| flows.get(i))
        else {
            continue;
        };
        let mut chain: Vec<&Node> = vec![flow];
        let mut request: Option<&Node> = None;
        for seg in &segs[1..] {
            let cur = *chain.last().unwrap();
            let next = if cur.tag == b'}' {
                member(cur, seg).map(|i| &cur.children[i])
            } else if cur.tag == b']' {
                seg.parse::<usize>().ok().and_then(|i| cur.children.get(i))
            } else {
                None
            };
            let Some(n) = next else { break };
            if seg == "request" && n.tag == b'}' {
                request = Some(n);
            }
            chain.push(n);
        }
        if let Some(r) = request {
            let get = |k: &str| member(r, k).and_then(|i| text(&r.children[i]));
            f.method = get("method");
            if let (Some(host), Some(path)) = (get("host"), get("path")) {
                let scheme = get("scheme").unwrap_or_else(|| "http".into());
                let port = get("port")
                    .filter(|p| {
                        !matches!(
                            (scheme.as_str(), p.as_str()),
                            ("https", "443") | ("http", "80")
                        )
                    })
                    .map(|p| format!(":{p}"))
                    .unwrap_or_default();
                f.url = Some(cut_url(&format!("{scheme}://{host}{port}{path}")));
            }
        }
        if chain.len() != segs.len() {
            continue;
        }
        let target = *chain.last().unwrap();
        if matches!(target.tag, b',' | b';') {
            let v = &copy[target.payload.clone()];
            if let Some(at) = first_placeholder(engine, f, v) {
                if let Some(n) = name_before(v, at) {
                    f.name = Some(n);
                    continue;
                }
            }
        }
        let (Some(last), Some(parent)) =
            (segs.last(), chain.len().checked_sub(2).map(|i| chain[i]))
        else {
            continue;
        };
        // A `[name, value]` header pair, else a dictionary key.
        if parent.tag == b']' && parent.children.len() == 2 && last == "1" {
            f.name = text(&parent.children[0]).and_then(|n| clean_name(n.as_bytes()));
        } else if parent.tag == b'}' && !NOT_NAMES.contains(&last.as_str()) {
            f.name = clean_name(last.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<String> {
        let i = s.find("[REDACTED").unwrap();
        name_before(s.as_bytes(), i)
    }

    #[test]
    fn names_before_placeholders() {
        assert_eq!(at("a=1; sid=[REDACTED:cookie:1]").as_deref(), Some("sid"));
        assert_eq!(
            at("/x?code=1&access_token=[REDACTED:token:1]&y=2").as_deref(),
            Some("access_token")
        );
        assert_eq!(
            at(r#"{"user":"a","password": "[REDACTED:password:1]"}"#).as_deref(),
            Some("password")
        );
        assert_eq!(
            at("X-Api-Key: [REDACTED:api-key:1]").as_deref(),
            Some("X-Api-Key")
        );
        assert_eq!(
            at("id_token=eyJhbGciOi.eyJzdWIi.[REDACTED:jwt:1]").as_deref(),
            Some("id_token")
        );
        assert_eq!(at("https://alice:[REDACTED:password:1]@h/"), None);
        assert_eq!(at("Bearer [REDACTED:bearer-token:1]"), None);
    }

    /// A HAR entry's finding gets its name from the `{name, value}` pair, and its
    /// method and URL from the request, all read decoded; where a key repeats, the
    /// last one counts.
    #[test]
    fn json_findings_get_names_method_and_url() {
        let engine = Engine::builtin().unwrap();
        let p = engine.placeholder.render("cookie", "0123");
        let copy = format!(
            r#"{{"request": {{"method": "GET", "method": "POST", "url": "https:\/\/h\/a?x=1",
                "headers": [{{"name": "X-Sid", "value": "{p}"}}],
                "cookies": [{{"name": "a", "n\u0061me": "sid", "value": "v"}}],
                "postData": {{"text": "user=a&pass={p}"}}}}}}"#
        );
        let tree = json::Parser::new(copy.as_bytes(), 64)
            .parse_document()
            .unwrap();
        let finding = |location: &str| Finding {
            location: location.into(),
            kind: "cookie".into(),
            fingerprint: "0123".into(),
            ..Default::default()
        };
        let mut f = vec![
            finding("/log/entries/0/request/headers/0/value"),
            finding("/log/entries/0/request/cookies/0/value"),
            finding("/log/entries/0/request/postData/text"),
            finding("/log/entries/0/request/nowhere"),
        ];
        json(&engine, &mut f, "/log/entries/0", copy.as_bytes(), &tree);
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.name.as_deref(), f.method.as_deref(), f.url.as_deref()))
            .collect();
        let url = Some("https://h/a?x=1");
        assert_eq!(
            got,
            [
                (Some("X-Sid"), Some("POST"), url),
                (Some("sid"), Some("POST"), url),
                (Some("pass"), Some("POST"), url),
                (None, Some("POST"), url),
            ]
        );
    }
}
