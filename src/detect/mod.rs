//! Detection: deciding which bytes of a value are a credential, given the context the
//! value appears in (a cookie, an `Authorization` header, a query parameter named
//! `access_token`, a JSON key, free text…), and turning them into edits.
//!
//! Every function here works on one decoded byte string in its own coordinates and
//! pushes [`Edit`]s (byte range → placeholder) into `out`, offset by `base`. Layers
//! (JSON string escapes, percent-encoding, base64) decode, recurse, and map the edits
//! back to their own raw bytes, so everything that is not a secret stays byte-identical.

pub mod expiry;
pub mod jwt;
mod known;
pub mod layers;
pub(crate) mod memo;
pub(crate) mod touched;

pub mod text;
pub mod views;
pub mod walk;

use std::collections::HashMap;

use crate::engine::Engine;
use crate::finding::Finding;
use crate::redact;
use crate::rules::names::{self, HeaderClass, ParamClass};
use crate::rules::RuleMatch;
use crate::session::Session;

pub use known::{Births, Known};

/// Replace `start..end` (in the coordinates of the string being scrubbed) with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Start of the whole credential this edit redacts (before `start` for a JWT,
    /// whose header and payload stay); `claim..end` is covered by this finding.
    pub claim: usize,
}

/// Apply non-overlapping edits to `src`, appending the result to `out`.
/// Overlapping edits are a bug in a handler; they are merged conservatively (the union
/// is replaced) so that no secret byte can survive.
pub fn apply_edits(src: &[u8], edits: &mut [Edit], out: &mut Vec<u8>) {
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut pos = 0;
    for e in edits.iter() {
        if e.start < pos {
            // Overlap: extend the previous replacement over this one.
            if e.end > pos {
                pos = e.end;
            }
            continue;
        }
        out.extend_from_slice(&src[pos..e.start]);
        out.extend_from_slice(e.text.as_bytes());
        pos = e.end;
    }
    out.extend_from_slice(&src[pos..]);
}

/// Context-found secrets of a document: value → kind.
pub type Discovered = HashMap<Vec<u8>, String>;

/// For every known secret: its fingerprint and the kind its placeholder gets in a pass
/// that knows all of `known` (a token rule matching the whole value, else the kind it
/// was discovered under).
pub fn placeholder_kinds(engine: &Engine, known: &Known) -> HashMap<String, String> {
    let s = Scrubber::new(engine, &Session::default(), "", known);
    known
        .secrets()
        .map(|(v, k)| {
            (
                engine.redactor.fingerprint(v),
                s.canonical_kind(k, v).to_string(),
            )
        })
        .collect()
}

/// Is this value, already judged a credential by its context, worth propagating: long
/// and random enough that finding it elsewhere means it is the same credential, not a
/// coincidence such as `true`, `en-US` or a date? A random-looking value of 12 bytes or
/// more, or one of 8 or more that mixes letters and digits (a short session id from a
/// `sid` cookie is still a credential wherever it is copied), or letters, digits and
/// symbols (a short password).
pub fn propagatable(v: &[u8]) -> bool {
    // A URL or a path is not a credential worth chasing (a cookie holding the
    // referring page, say): its parts are judged where they appear.
    if memchr::memmem::find(&pct_decode(v), b"://").is_some() {
        return false;
    }
    // Nor is a time (`2024-05-01T10:00:00Z` in a consent cookie): chased, it would take
    // every entry's `startedDateTime` of that second with it.
    if expiry::parse_rfc3339(&pct_decode(v)).is_some() {
        return false;
    }
    (v.len() >= 12 && looks_like_token(v))
        // Random letters and digits with characters beyond ASCII among them
        // (`pässwörd-Kq83xZt1`, a token ending in an emoji).
        || (v.len() >= 12
            && !v.is_ascii()
            && std::str::from_utf8(v).is_ok_and(|t| !t.chars().any(char::is_whitespace))
            && v.iter().any(u8::is_ascii_alphabetic)
            && v.iter().any(u8::is_ascii_digit))
        // A passphrase of random words (`uuNl1NN j1TtT2F fWb7XZR`): random once its
        // spaces are gone, single spaces between words.
        || (v.len() >= 16 && v.len() <= 128 && memchr::memchr(b' ', v).is_some() && random_words(v))
        || (v.len() >= 8
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
            && v.iter().any(|b| b.is_ascii_alphabetic())
            && v.iter().any(|b| b.is_ascii_digit()))
        // A short password of letters, digits and symbols (`Xk9#mQ2$vL4p`): three
        // letters or more, so that a time or a date (`2024-05-01T10:00:00Z`) is not one.
        || ((8..=64).contains(&v.len())
            && v.iter().all(u8::is_ascii_graphic)
            && v.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 3
            && v.iter().any(u8::is_ascii_digit)
            && v.iter().any(u8::is_ascii_punctuation))
}

impl Scrubber<'_> {
    /// Every known secret (in any of its forms) in `v` as a whole, beyond what the
    /// context handlers already redacted in its parts: a copy may straddle the pieces a
    /// handler splits a value into (`…vtid=<cookie value>` in a URL).
    pub fn known_sweep(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        if self.known.is_empty() || v.len() < 6 {
            return;
        }
        let hits: Vec<(usize, usize, Vec<u8>, String)> = self
            .known
            .find_all(v)
            .map(|(s, e, secret, kind)| (s, e, secret.to_vec(), kind.to_string()))
            .collect();
        for (s, e, secret, kind) in hits {
            let (as_, ae) = (base + s, base + e);
            if covered(out, as_, ae) || redact::inside_placeholder(v, s, e) {
                continue;
            }
            let ident = (secret.as_slice() != &v[s..e]).then_some(secret);
            self.redact(
                v,
                s,
                e,
                base,
                "context.propagated",
                &kind,
                ident.as_deref(),
                false,
                out,
            );
        }
    }
}

/// Do the edits in `out` replace every byte of `start..end`, one edit or several (a
/// hex dump's text column, a character each)?
fn covered(out: &[Edit], start: usize, end: usize) -> bool {
    let mut parts: Vec<(usize, usize)> = out
        .iter()
        .filter(|e| e.start < end && e.end > start)
        .map(|e| (e.start, e.end))
        .collect();
    parts.sort_unstable();
    let mut at = start;
    for (s, e) in parts {
        if s > at {
            return false;
        }
        at = at.max(e);
    }
    at >= end
}

/// A passphrase of random words: two to eight words of four characters or more, each
/// with a digit or with two capitals and two small letters (`uuNl1NN j1TtT2F`), single
/// spaces between them.
fn random_words(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v.split(|&b| b == b' ').collect();
    (2..=8).contains(&words.len())
        && words.iter().all(|w| {
            let count = |f: fn(&u8) -> bool| w.iter().filter(|b| f(b)).count();
            w.len() >= 4
                && w.iter().all(u8::is_ascii_graphic)
                && (count(u8::is_ascii_digit) > 0
                    || (count(u8::is_ascii_uppercase) >= 2 && count(u8::is_ascii_lowercase) >= 2))
        })
}

/// Heuristic for "random-looking": 16+ characters without spaces that mix letters
/// and digits (or are long and mixed-case), so that identifiers such as
/// `readIndexedDBDuration` or `dark-mode` do not qualify.
pub fn looks_like_token(v: &[u8]) -> bool {
    if v.len() < 16 || v.iter().any(|b| b.is_ascii_whitespace() || *b >= 0x80) {
        return false;
    }
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let upper = v.iter().filter(|b| b.is_ascii_uppercase()).count();
    let lower = v.iter().filter(|b| b.is_ascii_lowercase()).count();
    if upper + lower == 0 {
        return false;
    }
    digits > 0 || (upper > 2 && lower > 2 && v.len() >= 32)
}

/// Values that are not credentials even under a credential name: template variables
/// (`${token}`, `{{password}}`, `<api-key>`) and masks (`****`, Ansible's
/// `VALUE_SPECIFIED_IN_NO_LOG_PARAMETER`, a Chrome net-export's `[44 bytes were
/// stripped]`).
pub fn is_template(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    let stripped = t
        .strip_prefix(b"[")
        .and_then(|r| r.strip_suffix(b" bytes were stripped]"))
        .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit));
    stripped
        || t == b"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        || (t.starts_with(b"${") && t.ends_with(b"}"))
        || (t.starts_with(b"{{") && t.ends_with(b"}}"))
        || (t.len() > 2
            && t.starts_with(b"<")
            && t.ends_with(b">")
            && !t[1..t.len() - 1].contains(&b'<'))
        || (!t.is_empty() && t.iter().all(|&b| b == b'*' || b == b'.'))
}

/// The value of a name that is only sometimes a credential (`session`, `sid`, `key`)
/// outside a URL (a JSON member, `session=…` in a log line, a hidden input): a token,
/// or an identifier that mixes lowercase letters and digits or changes case often
/// (`GV8FPyrxWtQz`), not a word, a number or an upper-case code (`ERR_1234`).
pub(crate) fn weak_text_value(v: &[u8]) -> bool {
    if looks_like_token(v) {
        return true;
    }
    if v.len() < 8
        || !weak_url_value(v)
        || !v
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return false;
    }
    let digit = v.iter().any(u8::is_ascii_digit);
    let lower = v.iter().any(u8::is_ascii_lowercase);
    let changes = v
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase()
        })
        .count();
    (digit && lower) || changes >= 4
}

/// For names that are only sometimes credentials (`code`, `key`, `sig`, `sid`) in a
/// URL or form: skip plain numbers and short or all-lowercase words.
pub(crate) fn weak_url_value(v: &[u8]) -> bool {
    if v.len() < 6 {
        return false;
    }
    if v.iter().all(|b| b.is_ascii_digit()) && v.len() < 16 {
        return false;
    }
    !v.iter()
        .all(|b| b.is_ascii_lowercase() || *b == b'-' || *b == b'_')
}

/// The value of a weak name in a URL or form: [`weak_url_value`], or for the names that
/// count there only with a token-like value (`seed`, `verify`), [`weak_text_value`].
pub(crate) fn weak_param_value(names: &names::Names, name: &[u8], v: &[u8]) -> bool {
    if names.token_like(name) {
        weak_text_value(v)
    } else {
        weak_url_value(v)
    }
}

/// Scrubbing state for one document (or one HAR entry).
pub struct Scrubber<'e> {
    pub engine: &'e Engine,
    /// The input's session: the budget decoded bodies are charged to.
    pub session: Session,
    /// Provenance of the document, copied into findings.
    pub file: &'e str,
    /// Current location (a JSON Pointer), maintained by the walker.
    pub loc: String,
    /// Line start offsets of a text document: findings are then located as
    /// `line:column` instead of by JSON Pointer.
    pub lines: Option<Vec<usize>>,
    pub findings: Vec<Finding>,
    /// Context-found secrets seen in this document (value → kind).
    pub discovered: HashMap<Vec<u8>, String>,
    /// When the response being scrubbed was received (unix seconds): a HAR entry's
    /// `startedDateTime`, maintained by the walker. `Max-Age` counts from here; when
    /// it is unknown, only whether `Max-Age` deleted the cookie is recorded.
    pub response_time: Option<i64>,
    known: &'e Known,
    scratch: Vec<RuleMatch>,
    seen: std::collections::HashSet<(String, usize, String)>,
    /// How many encoding layers deep the current text is (see [`layers`]).
    layer_depth: u8,
    /// The escaping layers worth decoding in one decoded text, keyed by its address
    /// and length (see [`layers`]).
    layer_mask: Option<(usize, usize, u8)>,
    /// The address just past the bytes a base64 run decoded (or inflated) to, while
    /// they are read: where a run split short or a truncated stream may have cut a
    /// value (see [`Scrubber::redact`]).
    cut_end: Option<usize>,
    /// A streamed HAR's strings to read again in its verification (see [`touched`]).
    pub(crate) touched: Touch<'e>,
    /// A body was read through a layer the decoded views of a copy do not open
    /// (brotli, or a base64 body that decodes to binary).
    pub(crate) opaque: bool,
    /// Where the text being judged starts in the document: a JSON string's decoded
    /// text is judged from offset 0, and a finding's `line:column` and its identity
    /// count from the document's start (see [`walk::Walker`]).
    pub(crate) origin: usize,
    /// The name of the pair whose value is being judged in a text (a YAML `name:`, an
    /// XML `<Name>`), which the text shows elsewhere than before the value: given to
    /// the findings of a text located by line.
    pub(crate) pair_name: Option<String>,
    /// What the URL of the HAR entry being read says its bodies hold
    /// ([`walk::url_secret_name`]): the name of a value its body holds without one.
    pub(crate) url_name: Option<Vec<u8>>,
    /// The variables of the GraphQL request being read, each with the argument its
    /// query passes it as (`login(password: $p)`: `p`, `password`), while its
    /// variables are read, in whichever form they come (an object, a JSON string, a
    /// URL or form parameter): a member named by a variable is judged under the
    /// argument's name too ([`walk::graphql_arguments`]).
    pub(crate) graphql: Vec<(Vec<u8>, Vec<u8>)>,
    /// Strings of this pass found clean before (`memo`): a write or scan pass only.
    pub(crate) memo: Option<&'e memo::Memo>,
}

/// What a pass does with the strings verification must read again ([`touched`]).
#[derive(Clone, Copy, Default)]
pub(crate) enum Touch<'e> {
    #[default]
    Off,
    /// The write pass: record the strings whose reading opened a layer the views do
    /// not (the changed strings are recorded by the caller, from the copy).
    Record(&'e touched::Touched),
    /// The verification: read only the strings recorded.
    Skip(&'e touched::Touched),
}

/// Kind word for a credential-named field.
pub fn kind_for_name(name: &[u8]) -> &'static str {
    let n = names::normalize(name);
    let has = |w: &str| n.contains(w);
    if has("pass") || has("pwd") {
        "password"
    } else if has("csrf") || has("xsrf") || has("authenticity") || has("verificationtoken") {
        "csrf-token"
    } else if has("saml") {
        "saml"
    } else if has("signature") || n == "sig" || n.ends_with("sig") {
        "signature"
    } else if has("credential") {
        "credential"
    } else if has("privatekey") {
        "private-key"
    } else if has("apikey") || n == "key" || n.ends_with("key") {
        "api-key"
    } else if has("secret") {
        "secret"
    } else if has("session") || n == "sid" || n.ends_with("sessid") {
        "session"
    } else if has("code") || n.ends_with("otp") || n.ends_with("pin") {
        "auth-code"
    } else {
        "token"
    }
}

impl<'e> Scrubber<'e> {
    pub fn new(engine: &'e Engine, session: &Session, file: &'e str, known: &'e Known) -> Self {
        Scrubber {
            engine,
            session: session.clone(),
            file,
            loc: String::new(),
            lines: None,
            findings: Vec::new(),
            discovered: HashMap::new(),
            response_time: None,
            seen: std::collections::HashSet::new(),
            known,
            scratch: Vec::new(),
            layer_depth: 0,
            layer_mask: None,
            cut_end: None,
            touched: Touch::Off,
            opaque: false,
            origin: 0,
            pair_name: None,
            url_name: None,
            graphql: Vec::new(),
            memo: None,
        }
    }

    /// How many secrets are known: within a pass, which only adds to them, one count
    /// is one set (the memo's key, `memo`).
    pub(crate) fn known_len(&self) -> u32 {
        u32::try_from(self.known.len()).unwrap_or(u32::MAX)
    }

    /// Are secrets of this document already known (so that a copy of one may be
    /// anywhere, even in a JSON key)?
    pub fn knows_secrets(&self) -> bool {
        !self.known.is_empty()
    }

    fn location(&self, at: usize) -> String {
        match &self.lines {
            Some(starts) => {
                let l = starts.partition_point(|&s| s <= at).max(1);
                format!("{}:{}", l, at - starts[l - 1] + 1)
            }
            None => self.loc.clone(),
        }
    }

    /// Record a finding and return its placeholder. `ident` is the canonical secret
    /// (decoded), used for the fingerprint and length.
    fn record(&mut self, at: usize, rule: &str, kind: &str, ident: &[u8], jwt: bool) -> String {
        let r = &self.engine.redactor;
        let fp = r.fingerprint(ident);
        let at = self.origin + at;
        let location = self.location(at);
        // Several detectors can land on the same bytes (a rule, a key name, a URL
        // parser): one occurrence is one finding.
        if self.seen.insert((location.clone(), at, fp.clone())) {
            let info = if jwt {
                Some(jwt::info(ident, r, self.engine.now))
            } else {
                None
            };
            self.findings.push(Finding {
                file: self.file.to_string(),
                location,
                rule: rule.to_string(),
                kind: kind.to_string(),
                fingerprint: fp.clone(),
                length: ident.len(),
                jwt: info,
                name: self.pair_name.clone().filter(|_| self.lines.is_some()),
                ..Default::default()
            });
        }
        self.engine.placeholder.render(kind, &fp)
    }

    /// Give the findings recorded since `from` (the value of one cookie) the cookie's
    /// expiry, for triage.
    pub fn cookie_expiry(&mut self, from: usize, expiry: Option<expiry::Expiry>) {
        let Some(e) = expiry else { return };
        let expired = e.expired(self.engine.now);
        for f in self.findings.iter_mut().skip(from) {
            f.cookie_expires = e.at;
            f.cookie_expired = Some(expired);
        }
    }

    /// The kind word for a secret, the same wherever it is found: the kind of a token
    /// rule that matches the whole value (`github-token`), else the kind it was first
    /// discovered under in this file, else the kind its context suggests.
    fn canonical_kind<'k>(&'k self, context_kind: &'k str, ident: &[u8]) -> &'k str {
        self.kind_given(self.whole_rule(ident), context_kind, ident)
    }

    /// [`Scrubber::canonical_kind`] with the rule matching the whole value looked up.
    fn kind_given<'k>(
        &'k self,
        whole: Option<&'k crate::rules::Rule>,
        context_kind: &'k str,
        ident: &[u8],
    ) -> &'k str {
        if let Some(r) = whole {
            return &r.kind;
        }
        if let Some(k) = self.known.kind_of(ident) {
            return k;
        }
        context_kind
    }

    /// The token rule that matches all of `ident`, if one does.
    fn whole_rule(&self, ident: &[u8]) -> Option<&'e crate::rules::Rule> {
        let rules = &self.engine.rules;
        if ident.len() < 8 || !rules.may_match(ident) {
            return None;
        }
        let mut ms = Vec::new();
        rules.find_all(ident, &mut ms);
        ms.iter()
            .find(|m| m.start == 0 && m.end == ident.len())
            .map(|m| rules.rule(m.rule))
    }

    /// Redact `s[start..end]` as one credential. JWTs keep header and payload; empty
    /// and already-redacted values are left alone. `ident` overrides the bytes used
    /// for the fingerprint (e.g. the percent-decoded value).
    #[allow(clippy::too_many_arguments)]
    pub fn redact(
        &mut self,
        s: &[u8],
        start: usize,
        end: usize,
        base: usize,
        rule: &str,
        kind: &str,
        ident: Option<&[u8]>,
        propagate: bool,
        out: &mut Vec<Edit>,
    ) {
        let v = &s[start..end];
        if v.is_empty()
            || redact::only_placeholders(v)
            || is_template(v)
            || self.engine.allowed(v)
            || (self.lines.is_none() && self.engine.path_allowed(&self.loc))
        {
            return;
        }
        // The kept part of a redacted JWT (`eyJ….eyJ….` or `eyJ….`) right before its
        // placeholder, cut off there by a value pattern: nothing left to do.
        if jwt::starts_like_jwt(v) && v.ends_with(b".") && placeholder_follows(s, end) {
            return;
        }
        // The same cut off before its `.` (a rule whose token stops at dots matched
        // the header, or the header and payload, of a JWT whose signature is redacted).
        if jwt::starts_like_jwt(v) && jwt_rest_redacted(&s[end.min(s.len())..]) {
            return;
        }
        // A value cut off by the end of a decoded base64 run (a run split short at a
        // `+` a form layer read as a space; a truncated stream inflated up to its
        // cut) may be the start of what a redaction kept or wrote: a JWT cut before its
        // signature (its header and payload, all a redacted JWT keeps), or the start of
        // a placeholder, alone or after placeholders or the kept part of a JWT.
        let at = s.as_ptr() as usize;
        if let Some(cut) = self
            .cut_end
            .filter(|&c| (at + end..=at + s.len()).contains(&c))
        {
            // What lies between the value and the cut.
            let tail = &s[end..cut - at];
            let jwt_kept = |k: &[u8]| {
                jwt::cut_before_signature(k)
                    || k.strip_suffix(b".")
                        .is_some_and(|h| h.contains(&b'.') && jwt::cut_before_signature(h))
            };
            if (tail.is_empty() || redact::cut_placeholder(tail)) && jwt_kept(v) {
                return;
            }
            if let Some(p) = memchr::memrchr(b'[', v).filter(|&p| redact::cut_placeholder(&v[p..]))
            {
                let before = &v[..p];
                if tail.is_empty()
                    && (before.is_empty() || redact::only_placeholders(before) || jwt_kept(before))
                {
                    return;
                }
            }
        }
        if let Some(how) = jwt::redaction(v) {
            let keep = match how {
                jwt::Redaction::Signature(at) | jwt::Redaction::Payload(at) => at,
                jwt::Redaction::Whole => 0,
            };
            let ph = self.record(base + start, rule, "jwt", v, keep > 0);
            if propagate {
                self.discovered
                    .entry(v.to_vec())
                    .or_insert_with(|| "jwt".into());
            }
            // The payload stays readable, but a credential inside it (an access token,
            // a password claim, an API key) is redacted and the payload re-encoded.
            let (from, text) = match how {
                jwt::Redaction::Signature(sig) => match self.jwt_payload(&v[..sig]) {
                    Some((p0, payload)) => (p0, format!("{payload}.{ph}")),
                    None => (sig, ph),
                },
                _ => (keep, ph),
            };
            out.push(Edit {
                start: base + start + from,
                end: base + end,
                text,
                claim: base + start,
            });
            return;
        }
        // JWT whose signature is already a placeholder: nothing left to do.
        if redacted_jwt(v) {
            return;
        }
        let ident = ident.unwrap_or(v);
        let whole = self.whole_rule(ident);
        let kind = self.kind_given(whole, kind, ident).to_string();
        let ph = self.record(base + start, rule, &kind, ident, false);
        // A provider's token shape (`AKIA` and 16 capitals) is chased whatever its
        // letters and digits, and wherever it was found (a cookie named `value`, too).
        let provider = whole.is_some_and(|r| r.group != "generic");
        if propagate || provider {
            // A numeric password or PIN is a credential too: propagated as a whole
            // number (see `Known::find_all`).
            let numeric = ident.len() >= 6
                && ident.iter().all(u8::is_ascii_digit)
                && matches!(kind.as_str(), "password" | "auth-code" | "pin" | "otp");
            if propagatable(ident) || numeric || provider {
                self.discovered
                    .entry(ident.to_vec())
                    .or_insert(kind.clone());
            }
            // A composite value (`id=<uuid>:lv=…`, `a|b`): its random parts are copied
            // on their own by trackers and scripts.
            // (An `=` ending a line is a quoted-printable soft break inside one token,
            // not a separator: its first line alone is no secret of its own.)
            if ident.len() >= 24 {
                let mut at = 0;
                let cuts = ident.iter().enumerate().filter(|&(i, &b)| {
                    matches!(b, b'&' | b':' | b'|' | b',' | b';')
                        || (b == b'=' && layers::soft_break_at(ident, i).is_none())
                });
                let ends: Vec<usize> = cuts.map(|(i, _)| i).chain([ident.len()]).collect();
                for end in ends {
                    let part = &ident[at..end];
                    at = end + 1;
                    if part.len() < ident.len() && part.len() >= 12 && looks_like_token(part) {
                        self.discovered
                            .entry(part.to_vec())
                            .or_insert_with(|| kind.clone());
                    }
                }
            }
        }
        out.push(Edit {
            start: base + start,
            end: base + end,
            text: ph,
            claim: base + start,
        });
    }

    /// `head` is a JWT without its signature (`header.payload.`): when its payload holds
    /// a credential, the payload's offset in `head` and the payload re-encoded with the
    /// credential redacted.
    fn jwt_payload(&mut self, head: &[u8]) -> Option<(usize, String)> {
        use base64::Engine as _;
        let d1 = memchr::memchr(b'.', head)?;
        let seg = &head[d1 + 1..head.len().saturating_sub(1).max(d1 + 1)];
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(
                seg.iter()
                    .copied()
                    .filter(|&b| b != b'=')
                    .collect::<Vec<u8>>(),
            )
            .ok()?;
        if self.layer_depth >= layers::MAX_LAYERS {
            return None;
        }
        self.layer_depth += 1;
        let mut inner = Vec::new();
        self.json_text(&json, 0, &mut inner);
        self.layer_depth -= 1;
        if inner.is_empty() {
            return None;
        }
        let mut o = Vec::with_capacity(json.len());
        apply_edits(&json, &mut inner, &mut o);
        Some((
            d1 + 1,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(o),
        ))
    }

    /// The whole value is a credential.
    pub fn secret_value(
        &mut self,
        s: &[u8],
        base: usize,
        rule: &str,
        kind: &str,
        out: &mut Vec<Edit>,
    ) {
        let (a, b) = trim_quotes(s);
        self.redact(s, a, b, base, rule, kind, None, true, out);
    }

    /// A header value, by header name.
    pub fn header(&mut self, name: &[u8], value: &[u8], base: usize, out: &mut Vec<Edit>) {
        let first = out.len();
        if name.eq_ignore_ascii_case(b"sec-websocket-protocol") {
            self.websocket_protocol(value, base, out);
            return self.rule_spans(value, base, first, out);
        }
        match self.engine.names.header(name) {
            HeaderClass::Cookie => self.cookie_pairs(value, base, out),
            HeaderClass::SetCookie => self.set_cookie(value, base, out),
            HeaderClass::Scheme => self.scheme_value(value, base, out),
            HeaderClass::Secret => {
                let kind = kind_for_name(name);
                // SAP's and others' token handshake: `X-CSRF-Token: Fetch` asks for a
                // token, `Required` refuses a request without one.
                let handshake = kind == "csrf-token"
                    && ["fetch", "required"]
                        .iter()
                        .any(|w| value.trim_ascii().eq_ignore_ascii_case(w.as_bytes()));
                if !handshake {
                    self.secret_value(value, base, "context.header", kind, out)
                }
            }
            HeaderClass::Url => self.url(value, base, out),
            // A header named by a word that is only sometimes a credential (`Session`,
            // `Sid`): judged by its value, as in text and JSON.
            HeaderClass::Other
                if self.engine.names.param(name) == ParamClass::Weak
                    && weak_text_value(value.trim_ascii()) =>
            {
                let kind = kind_for_name(name);
                self.secret_value(value, base, "context.header", kind, out)
            }
            HeaderClass::Other => return self.free(value, base, out),
        }
        // Token rules over the rest of the value too: a token in a cookie attribute,
        // a bare cookie part, another Authorization parameter, the scheme word.
        self.rule_spans(value, base, first, out);
    }

    /// `Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io.<token>, …`, or
    /// a token offered as a subprotocol after a credential-named one (`access_token,
    /// <token>`): the token goes, the protocol names stay.
    fn websocket_protocol(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        const K8S: &[u8] = b"base64url.bearer.authorization.k8s.io.";
        let mut pos = 0;
        let mut after_name = false;
        for part in v.split(|&b| b == b',') {
            let start = pos;
            pos += part.len() + 1;
            let a = trim_start(part);
            let b = trim_end(part).max(a);
            let item = &part[a..b];
            let (s, e) = (start + a, start + b);
            if item.len() > K8S.len() && item[..K8S.len()].eq_ignore_ascii_case(K8S) {
                self.redact(
                    v,
                    s + K8S.len(),
                    e,
                    base,
                    "context.websocket-protocol",
                    "bearer-token",
                    None,
                    true,
                    out,
                );
            } else if after_name && !item.is_empty() {
                self.redact(
                    v,
                    s,
                    e,
                    base,
                    "context.websocket-protocol",
                    "token",
                    None,
                    true,
                    out,
                );
            }
            after_name = !item.is_empty()
                && (matches!(self.engine.names.param(item), ParamClass::Secret)
                    || item.eq_ignore_ascii_case(b"authorization")
                    || item.eq_ignore_ascii_case(b"bearer"));
        }
    }

    /// Does `v` start with an authentication scheme and a space (`Bearer …`)?
    fn starts_with_auth_scheme(&self, v: &[u8]) -> bool {
        let v = v.trim_ascii_start();
        v.iter()
            .position(|&b| b == b' ')
            .is_some_and(|e| self.engine.names.auth_scheme(&v[..e]))
    }

    /// `Authorization: <scheme> <credentials>`: keep the scheme word.
    pub fn scheme_value(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let t = trim_start(v);
        let scheme_end = t + v[t..]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(v.len() - t);
        let scheme = &v[t..scheme_end];
        let rest = trim_start(&v[scheme_end..]) + scheme_end;
        let end = trim_end(v);
        if rest >= end {
            // No scheme word: the whole value is the credential.
            self.redact(
                v,
                t,
                end.max(t),
                base,
                "context.authorization",
                "auth",
                None,
                true,
                out,
            );
            return;
        }
        let sn = names::normalize(scheme);
        if sn.starts_with("aws4") || sn == "digest" {
            return self.auth_params(v, rest, end, base, out);
        }
        let kind = match sn.as_str() {
            "basic" => "basic-auth",
            "bearer" => "bearer-token",
            "ssws" => "okta-token",
            _ => "auth",
        };
        self.redact(
            v,
            rest,
            end,
            base,
            "context.authorization",
            kind,
            None,
            true,
            out,
        );
        if kind == "basic-auth" {
            self.basic_password(&v[rest..end]);
        }
    }

    /// The password inside `Basic <base64 of user:password>`: a copy of it elsewhere (a
    /// debug page echoing it) is the same credential, so it is chased like any secret
    /// found by its context.
    fn basic_password(&mut self, b64: &[u8]) {
        let Some(d) = views::b64_decode_lenient(b64.trim_ascii()) else {
            return;
        };
        let Some(colon) = memchr::memchr(b':', &d) else {
            return;
        };
        let pw = &d[colon + 1..];
        if propagatable(pw) && std::str::from_utf8(pw).is_ok() {
            self.discovered
                .entry(pw.to_vec())
                .or_insert_with(|| "password".into());
        }
    }

    /// `AWS4-HMAC-SHA256 Credential=AKIA…/20240315/us-east-1/s3/aws4_request,
    /// SignedHeaders=…, Signature=…` and `Digest username=…, response=…`: only the key id
    /// and the signature (or digest response) are secret; scope and names stay.
    fn auth_params(
        &mut self,
        v: &[u8],
        start: usize,
        end: usize,
        base: usize,
        out: &mut Vec<Edit>,
    ) {
        let mut pos = start;
        for part in v[start..end].split(|&b| b == b',') {
            let ps = pos;
            pos += part.len() + 1;
            let Some(eq) = memchr::memchr(b'=', part) else {
                continue;
            };
            let key = names::normalize(&part[..eq]);
            let vs = ps + eq + 1;
            let ve = ps + trim_end(part).max(eq + 1);
            let (a, b) = trim_quotes(&v[vs..ve]);
            let (a, b) = (vs + a, vs + b);
            match key.as_str() {
                "credential" => {
                    let e = a + credential_key_end(&v[a..b]);
                    self.redact(
                        v,
                        a,
                        e,
                        base,
                        "context.authorization",
                        "aws-access-key-id",
                        None,
                        true,
                        out,
                    );
                }
                "signature" | "response" => self.redact(
                    v,
                    a,
                    b,
                    base,
                    "context.authorization",
                    "signature",
                    None,
                    true,
                    out,
                ),
                _ => {}
            }
        }
    }

    /// `a=1; b=2`: every cookie value is a secret, names stay.
    pub fn cookie_pairs(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut pos = 0;
        for part in v.split(|&b| b == b';') {
            let start = pos;
            pos += part.len() + 1;
            let Some(eq) = memchr::memchr(b'=', part) else {
                // A nameless cookie (`Cookie: <value>`): the value is all there is.
                let (a, b) = (trim_start(part), trim_end(part));
                if a < b {
                    self.redact_cookie(v, start + a, start + b, base, "context.cookie", b"", out);
                }
                continue;
            };
            let vs = start + eq + 1;
            let ve = start + part.len();
            let (a, b) = trim_quotes(&v[vs..ve]);
            let name = part[..eq].trim_ascii();
            self.redact_cookie(v, vs + a, vs + b, base, "context.cookie", name, out);
        }
    }

    /// One cookie value: always redacted (names stay). Copied elsewhere it is chased
    /// only when the cookie is named like a credential (`sid`, `pin`: short and numeric
    /// values count) or the value is token-like; `ServedBy=beacon-a101` is not chased
    /// into an `X-Served-By` header.
    #[allow(clippy::too_many_arguments)]
    pub fn redact_cookie(
        &mut self,
        v: &[u8],
        a: usize,
        b: usize,
        base: usize,
        rule: &str,
        name: &[u8],
        out: &mut Vec<Edit>,
    ) {
        let val = &v[a..b];
        let class = if name.is_empty() {
            ParamClass::Other
        } else {
            self.engine.names.field(name)
        };
        // Named like a credential (`sid`, `x-session`): chased wherever its value occurs.
        let named = class == ParamClass::Secret
            || (!name.is_empty() && self.engine.names.header(name) == HeaderClass::Secret);
        let chase = named
            || (class == ParamClass::Weak && weak_text_value(val))
            || (val.len() >= 12 && looks_like_token(val))
            || val.len() >= 24;
        self.redact(v, a, b, base, rule, "cookie", None, chase, out);
        if named && val.len() >= 6 && val.iter().all(u8::is_ascii_digit) {
            self.discovered
                .entry(val.to_vec())
                .or_insert_with(|| kind_for_name(name).to_string());
        }
    }

    /// `Set-Cookie`: one cookie per line; the value before the first `;` is secret. Its
    /// `Expires` / `Max-Age` attributes go into the finding, for triage.
    pub fn set_cookie(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        for (start, end) in set_cookie_lines(v) {
            let line = &v[start..end];
            let first = memchr::memchr(b';', line).unwrap_or(line.len());
            // A nameless cookie (`Set-Cookie: <value>; Path=/`): browsers store the
            // value under an empty name, so it is a cookie value like any other. Short
            // ones and ones with spaces are left (`Set-Cookie=6` in a table of counts,
            // prose after it in a log): no credential looks like that.
            let eq = memchr::memchr(b'=', &line[..first]);
            let vs = start + eq.map_or(0, |e| e + 1);
            let ve = start + trim_end(&line[..first]);
            if ve <= vs {
                continue;
            }
            let (a, b) = trim_quotes(&v[vs..ve]);
            if eq.is_none()
                && (b - a < NAMELESS_COOKIE_MIN
                    || v[vs + a..vs + b].iter().any(u8::is_ascii_whitespace))
            {
                continue;
            }
            let from = self.findings.len();
            let name = eq.map_or(&b""[..], |e| line[..e].trim_ascii());
            self.redact_cookie(v, vs + a, vs + b, base, "context.set-cookie", name, out);
            if self.findings.len() > from {
                let e = expiry::set_cookie_expiry(&line[first..], self.response_time);
                self.cookie_expiry(from, e);
            }
        }
    }

    /// A value under a parameter / key name. `url_ctx`: the name came from a URL, form
    /// or HAR `queryString`/`params` (weak names such as `code` count as credentials).
    pub fn by_name(
        &mut self,
        name: &[u8],
        v: &[u8],
        base: usize,
        url_ctx: bool,
        out: &mut Vec<Edit>,
    ) {
        let nn = names::normalize(name);
        // As for the headers: the context handler redacts the cookie values, token
        // rules cover what it keeps (names, attributes, parts without `=`).
        if matches!(nn.as_str(), "cookie" | "cookies") {
            let first = out.len();
            self.cookie_pairs(v, base, out);
            return self.rule_spans(v, base, first, out);
        }
        if matches!(nn.as_str(), "setcookie") {
            let first = out.len();
            self.set_cookie(v, base, out);
            return self.rule_spans(v, base, first, out);
        }
        if url_ctx && nn == "xamzcredential" {
            return self.param_value(name, v, base, false, out);
        }
        let class = self.engine.names.field(name);
        // `{"authorization": "Basic …"}` outside a header list: as in the header, the
        // scheme word stays and the credential is named as it is there. Only for a
        // name that always holds a credential and a value that starts with an
        // authentication scheme (`"authentication": "OAuth 2.0"` says which is used).
        if !url_ctx
            && class == ParamClass::Secret
            && self.engine.names.header(name) == HeaderClass::Scheme
            && self.starts_with_auth_scheme(v)
        {
            let first = out.len();
            self.scheme_value(v, base, out);
            return self.rule_spans(v, base, first, out);
        }
        match class {
            ParamClass::Secret => {
                let kind = kind_for_name(name);
                let ident = if url_ctx { Some(pct_decode(v)) } else { None };
                let (a, b) = trim_quotes(v);
                self.redact(
                    v,
                    a,
                    b,
                    base,
                    "context.param",
                    kind,
                    ident.as_deref(),
                    true,
                    out,
                )
            }
            // A database's URL (`databaseUrl`, `DATABASE_URL`): a URL there is read as
            // one, its password going and its host staying.
            ParamClass::Weak if names_a_url(&nn) && has_url_scheme(v) => self.url(v, base, out),
            ParamClass::Weak
                if (url_ctx && weak_param_value(&self.engine.names, name, &pct_decode(v)))
                    || (!url_ctx && weak_text_value(v)) =>
            {
                let kind = kind_for_name(name);
                let ident = if url_ctx { Some(pct_decode(v)) } else { None };
                self.redact(
                    v,
                    0,
                    v.len(),
                    base,
                    "context.param",
                    kind,
                    ident.as_deref(),
                    true,
                    out,
                )
            }
            ParamClass::Url => self.url(v, base, out),
            _ => self.free(v, base, out),
        }
    }

    /// A string inside an object under a credential's name, judged under the joined
    /// name (`secret.data`): redacted when that name holds a credential (or may) and
    /// the value looks like a token; a URL or anything else is left to the other
    /// contexts it is judged in.
    pub fn token_by_name(&mut self, name: &[u8], v: &[u8], base: usize, out: &mut Vec<Edit>) {
        if !weak_text_value(v) || has_url_scheme(v) {
            return;
        }
        if !matches!(
            self.engine.names.field(name),
            ParamClass::Secret | ParamClass::Weak
        ) {
            return;
        }
        let kind = kind_for_name(name);
        self.redact(v, 0, v.len(), base, "context.param", kind, None, true, out)
    }

    /// A string inside an object under a credential's name, whose own key says nothing
    /// (`"secret": {"payload": …}`, `"token": {"previous": …}`): `joined` is the names
    /// down to it joined with dots. Judged under the joined name when that names a
    /// credential (`session.id` is `sessionid`); else under the outer name, unless the
    /// key says something about the credential (`"token": {"id": …, "expiresAt": …}`,
    /// `[words] about`). Under a name that is only sometimes a credential (`key`,
    /// `credentials`) the value must look like a token.
    pub fn token_under(&mut self, joined: &[u8], v: &[u8], base: usize, out: &mut Vec<Edit>) {
        if self.engine.names.field(joined) != ParamClass::Other {
            return self.token_by_name(joined, v, base, out);
        }
        let Some(dot) = memchr::memrchr(b'.', joined) else {
            return;
        };
        let (outer, key) = (&joined[..dot], &joined[dot + 1..]);
        if self.engine.names.about_credential(key) {
            return;
        }
        match self.engine.names.field(outer) {
            ParamClass::Secret => self.token_by_name(outer, v, base, out),
            ParamClass::Weak if looks_like_token(v) => self.token_by_name(outer, v, base, out),
            _ => {}
        }
    }

    /// Any value with no telling name: URLs, embedded JSON, then token rules.
    pub fn free(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        if v.len() < 8 {
            return;
        }
        if looks_like_url(v) {
            return self.url(v, base, out);
        }
        if matches!(v.first(), Some(b'{' | b'[')) && self.json_text(v, base, out) {
            return;
        }
        self.text(v, base, text::Mode::Value, out)
    }

    /// A URL (absolute, or a path with a query as in `:path`): userinfo password,
    /// query and fragment parameters by name, and token rules over the rest.
    pub fn url(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut path_start = 0;
        if let Some(p) = memchr::memmem::find(v, b"://") {
            let auth_start = p + 3;
            let authority_end = |from: usize| {
                from + v[from..]
                    .iter()
                    .position(|&b| matches!(b, b'/' | b'?' | b'#'))
                    .unwrap_or(v.len() - from)
            };
            let mut auth_end = authority_end(auth_start);
            // A password written with a raw `/`, `?` or `#` (connection strings are
            // seldom percent-encoded: `user:pa/s#s@host`): the userinfo goes on to the
            // next `@` when the authority so far is `user:…` without an `@`, what follows
            // its colon is not a port, and no space, `=` or `&` (a query) comes first.
            let head = &v[auth_start..auth_end];
            if let Some(c) = memchr::memchr(b':', head) {
                let port = head[c + 1..].iter().all(u8::is_ascii_digit);
                if !port && head[0] != b'[' && memchr::memchr(b'@', head).is_none() {
                    let rest = &v[auth_end..];
                    let stop = rest.iter().position(|&b| {
                        matches!(b, b'@' | b'=' | b'&' | b'"' | b'\'' | b'<' | b'>' | b'\\')
                            || b.is_ascii_whitespace()
                    });
                    if let Some(k) = stop.filter(|&k| rest[k] == b'@') {
                        auth_end = authority_end(auth_end + k + 1);
                    }
                }
            }
            if let Some(at) = v[auth_start..auth_end].iter().rposition(|&b| b == b'@') {
                let ui = &v[auth_start..auth_start + at];
                // A colon inside a placeholder (`[REDACTED:token:…]@host`) separates nothing.
                let colon = memchr::memchr_iter(b':', ui)
                    .find(|&c| !redact::inside_placeholder(ui, c, c + 1));
                let only_placeholders = redact::only_placeholders(ui);
                if let (false, Some(c)) = (only_placeholders, colon) {
                    let ps = auth_start + c + 1;
                    let pe = auth_start + at;
                    let ident = pct_decode(&v[ps..pe]);
                    self.redact(
                        v,
                        ps,
                        pe,
                        base,
                        "context.url-userinfo",
                        "password",
                        Some(&ident),
                        true,
                        out,
                    );
                } else if !only_placeholders && looks_like_token(ui) {
                    let ident = pct_decode(ui);
                    self.redact(
                        v,
                        auth_start,
                        auth_start + at,
                        base,
                        "context.url-userinfo",
                        "token",
                        Some(&ident),
                        true,
                        out,
                    );
                }
            }
            path_start = auth_end;
        }
        let q = memchr::memchr(b'?', &v[path_start..]).map(|i| i + path_start);
        let h = memchr::memchr(b'#', &v[path_start..]).map(|i| i + path_start);
        let path_end = match (q, h) {
            (Some(q), Some(h)) => q.min(h),
            (Some(q), None) => q,
            (None, Some(h)) => h,
            (None, None) => v.len(),
        };
        let path = &v[path_start..path_end];
        self.path_tokens(path, base + path_start, out);
        // Tokens in the path (e.g. webhook URLs) are found by the rules.
        self.rules_only(&v[..path_end], base, out);
        // Path parameters (`/app;jsessionid=…`, `/x;token=…;v=2`): judged by name.
        for semi in memchr::memchr_iter(b';', path) {
            let seg_end = path[semi + 1..]
                .iter()
                .position(|&b| matches!(b, b';' | b'/'))
                .map_or(path.len(), |e| semi + 1 + e);
            let seg = &path[semi + 1..seg_end];
            if let Some(eq) = memchr::memchr(b'=', seg) {
                let name = pct_decode(&seg[..eq]);
                let at = path_start + semi + 1 + eq + 1;
                self.param_value(&name, &seg[eq + 1..], base + at, false, out);
            }
        }
        if let Some(q) = q.filter(|&q| h.is_none_or(|h| q < h)) {
            let qe = h.unwrap_or(v.len());
            self.params(&v[q + 1..qe], base + q + 1, b'&', false, out);
        }
        if let Some(h) = h {
            let frag = &v[h + 1..];
            if memchr::memchr(b'=', frag).is_some() {
                // `#access_token=…&id_token=…`, or `#/route?x=…`
                let fs = memchr::memchr(b'?', frag).map_or(0, |i| i + 1);
                self.params(&frag[fs..], base + h + 1 + fs, b'&', false, out);
            } else {
                self.rules_only(frag, base + h + 1, out);
            }
        }
    }

    /// A capability URL's token: a token-like path segment right after a segment
    /// such as `reset`, `invite` or `magic-link` (`/password/reset/<token>`).
    pub(crate) fn path_tokens(&mut self, path: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut prev: &[u8] = &[];
        let mut at = 0;
        for seg in path.split(|&b| b == b'/') {
            let start = at;
            at += seg.len() + 1;
            // The segment without its path parameters (`;v=2`).
            let seg = &seg[..memchr::memchr(b';', seg).unwrap_or(seg.len())];
            let word = std::mem::replace(&mut prev, seg);
            // Decoding only shortens: a segment under 16 bytes is no token (most are
            // not, and this runs on every URL).
            if seg.len() < 16 || word.is_empty() {
                continue;
            }
            let ident = pct_decode(seg);
            if looks_like_token(&ident) && self.engine.names.path_word(&pct_decode(word)) {
                self.redact(
                    path,
                    start,
                    start + seg.len(),
                    base,
                    "context.url-path",
                    "token",
                    Some(&ident),
                    true,
                    out,
                );
            }
        }
    }

    /// `a=1&b=2` (query, fragment or form body); `plus`: `+` means space (forms).
    pub fn params(&mut self, v: &[u8], base: usize, sep: u8, plus: bool, out: &mut Vec<Edit>) {
        // A login form that names its fields by their first letters (`u=…&p=…`): `p`
        // is the password there, next to a user field (elsewhere it is a page).
        let login = plus
            && v.split(|&b| b == sep).any(|part| {
                let eq = memchr::memchr(b'=', part).unwrap_or(part.len());
                let name = pct_decode_form(&part[..eq], plus).to_ascii_lowercase();
                matches!(
                    name.as_slice(),
                    b"u" | b"user" | b"username" | b"login" | b"email" | b"uname" | b"usr"
                )
            });
        // A GraphQL request in a URL or a form (`?query=…&variables={…}`): its variables
        // by the arguments they are passed as.
        let arguments = graphql_form_arguments(v, sep, plus);
        let outer_graphql =
            (!arguments.is_empty()).then(|| std::mem::replace(&mut self.graphql, arguments));
        let mut pos = 0;
        for part in v.split(|&b| b == sep) {
            let start = pos;
            pos += part.len() + 1;
            match memchr::memchr(b'=', part) {
                Some(eq) => {
                    let name = pct_decode_form(&part[..eq], plus);
                    let vs = start + eq + 1;
                    let ve = start + part.len();
                    let raw = &v[vs..ve];
                    if login && name.eq_ignore_ascii_case(b"p") {
                        let ident = pct_decode_form(raw, plus);
                        self.redact(
                            raw,
                            0,
                            raw.len(),
                            base + vs,
                            "context.param",
                            "password",
                            Some(&ident),
                            true,
                            out,
                        );
                    } else {
                        // GraphQL variables in a URL are JSON form-encoded (`{"p":+"…"}`
                        // from `URLSearchParams`): a `+` there is a blank, or it would
                        // be `%2B`.
                        let plus = plus || (outer_graphql.is_some() && name == b"variables");
                        self.param_value(&name, raw, base + vs, plus, out);
                    }
                }
                None => self.rules_only(part, base + start, out),
            }
        }
        if let Some(g) = outer_graphql {
            self.graphql = g;
        }
    }

    /// One percent-encoded parameter value.
    pub fn param_value(
        &mut self,
        name: &[u8],
        raw: &[u8],
        base: usize,
        plus: bool,
        out: &mut Vec<Edit>,
    ) {
        if raw.is_empty() {
            return;
        }
        let class = self.engine.names.field(name);
        if class == ParamClass::Secret && names::normalize(name) == "xamzcredential" {
            // Only the access key id; date, region and service stay.
            let e = credential_key_end(raw);
            let ident = pct_decode_form(&raw[..e], plus);
            self.redact(
                raw,
                0,
                e,
                base,
                "context.param",
                "aws-access-key-id",
                Some(&ident),
                true,
                out,
            );
            return;
        }
        if matches!(class, ParamClass::Secret | ParamClass::Weak) {
            let ident = pct_decode_form(raw, plus);
            if class == ParamClass::Secret || weak_param_value(&self.engine.names, name, &ident) {
                let kind = kind_for_name(name);
                self.redact(
                    raw,
                    0,
                    raw.len(),
                    base,
                    "context.param",
                    kind,
                    Some(&ident),
                    true,
                    out,
                );
                return;
            }
        }
        // Decode, scrub as a value (URLs inside, tokens), map edits back.
        let (dec, map) = pct_decode_mapped(raw, plus);
        let mut inner = Vec::new();
        if class == ParamClass::Url {
            self.url(&dec, 0, &mut inner);
        } else {
            self.free(&dec, 0, &mut inner);
        }
        drop(dec);
        for e in inner {
            out.push(Edit {
                start: base + map.raw_offset(e.start),
                end: base + map.raw_offset(e.end),
                text: pct_escape_replacement(e.text),
                claim: base + map.raw_offset(e.claim),
            });
        }
    }

    /// Token rules and known secrets only (no name heuristics).
    pub fn rules_only(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        self.text(v, base, text::Mode::RulesOnly, out)
    }

    /// Scrub `v` as JSON text if it parses; returns false when it is not JSON.
    pub fn json_text(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) -> bool {
        let Ok(tree) =
            crate::codec::json::Parser::new(v, self.engine.limits.max_json_depth).parse_document()
        else {
            return false;
        };
        let mut w = walk::Walker::nested();
        w.value(self, v, &tree, None, base, out);
        // A Docker json-file record (a log of one record, a body holding one): its line
        // is read as a log line too.
        self.docker_log_view(v, base, out);
        true
    }
}

/// The parameters `a=1&b=2` that are a GraphQL request (`query` and `variables`):
/// its variables by the arguments they are passed as ([`walk::graphql_arguments`]).
fn graphql_form_arguments(v: &[u8], sep: u8, plus: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    if memchr::memmem::find(v, b"variables=").is_none() {
        return Vec::new();
    }
    let mut query = None;
    let mut variables = false;
    for part in v.split(|&b| b == sep) {
        let eq = memchr::memchr(b'=', part).unwrap_or(part.len());
        match pct_decode_form(&part[..eq], plus).as_slice() {
            b"query" => query = part.get(eq + 1..),
            b"variables" => variables = true,
            _ => {}
        }
    }
    match query {
        Some(q) if variables => walk::graphql_arguments(&pct_decode_form(q, true)),
        _ => Vec::new(),
    }
}

/// The cookies of a `Set-Cookie` value: one per line, and several folded into one
/// line with commas (`a=1; Path=/, sid=…; HttpOnly`). A comma inside `Expires=Wed, 21
/// Oct …` is not a fold: what follows it is no `name=value`.
/// The shortest value of a `Set-Cookie` without a name that is taken for a cookie.
const NAMELESS_COOKIE_MIN: usize = 8;

fn set_cookie_lines(v: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in v.split(|&b| b == b'\n') {
        let (start, end) = (pos, pos + line.len());
        pos = end + 1;
        let mut from = start;
        for c in memchr::memchr_iter(b',', line) {
            let rest = &line[c + 1..];
            let seg = &rest[..memchr::memchr(b';', rest).unwrap_or(rest.len())];
            let Some(eq) = memchr::memchr(b'=', seg) else {
                continue;
            };
            let name = seg[..eq].trim_ascii();
            if !name.is_empty()
                && name
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"_-.$!#%&'*+^`|~".contains(&b))
            {
                out.push((from, start + c));
                from = start + c + 1;
            }
        }
        out.push((from, end));
    }
    out
}

/// A replacement going back into a percent-encoded value (a re-encoded base64 blob,
/// say): the bytes that mean something there (`+` is a space in a form) are encoded;
/// placeholders have none of them and stay readable.
pub(crate) fn pct_escape_replacement(t: String) -> String {
    const SPECIAL: &[u8] = b"+/=%&#?; \"\n\r";
    if !t.bytes().any(|b| SPECIAL.contains(&b)) {
        return t;
    }
    let mut o = String::with_capacity(t.len() + 8);
    for c in t.chars() {
        if c.is_ascii() && SPECIAL.contains(&(c as u8)) {
            o.push_str(&format!("%{:02X}", c as u32));
        } else {
            o.push(c);
        }
    }
    o
}

/// End of the access key id in an AWS credential scope (`AKIA…/date/region/…`, the
/// slash possibly percent-encoded).
fn credential_key_end(v: &[u8]) -> usize {
    let slash = memchr::memchr(b'/', v).unwrap_or(v.len());
    let enc = memchr::memmem::find(&v.to_ascii_uppercase(), b"%2F").unwrap_or(v.len());
    slash.min(enc)
}

/// Does a placeholder start at `s[at..]`?
fn placeholder_follows(s: &[u8], at: usize) -> bool {
    let rest = &s[at.min(s.len())..];
    rest.starts_with(b"[REDACTED")
        && memchr::memchr(b']', rest).is_some_and(|close| redact::is_placeholder(&rest[..=close]))
}

/// Does `rest` (what follows a JWT's first segments) go on `.[REDACTED…]` or
/// `.<segment>.[REDACTED…]`: the rest of a JWT whose signature is a placeholder?
fn jwt_rest_redacted(rest: &[u8]) -> bool {
    let Some(r) = rest.strip_prefix(b".") else {
        return false;
    };
    let seg = r
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .count();
    let r = if seg > 0 {
        match r[seg..].strip_prefix(b".") {
            Some(r) => r,
            None => return false,
        }
    } else {
        r
    };
    placeholder_follows(r, 0)
}

fn redacted_jwt(v: &[u8]) -> bool {
    let Some(p) = memchr::memmem::find(v, b".[REDACTED") else {
        return false;
    };
    jwt::starts_like_jwt(v) && redact::is_placeholder(&v[p + 1..])
}

/// Does a normalised name end in `url` or `uri` (`databaseurl`)?
fn names_a_url(n: &str) -> bool {
    n.ends_with("url") || n.ends_with("uri")
}

/// Does `v` start with a URL scheme and `://` (`postgres://`, `redis+sentinel://`)?
fn has_url_scheme(v: &[u8]) -> bool {
    let Some(p) = memchr::memmem::find(v, b"://") else {
        return false;
    };
    p > 0
        && v[0].is_ascii_alphabetic()
        && v[..p]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

pub fn looks_like_url(v: &[u8]) -> bool {
    let lower = |p: &[u8]| v.len() > p.len() && v[..p.len()].eq_ignore_ascii_case(p);
    (lower(b"http://") || lower(b"https://") || lower(b"wss://") || lower(b"ws://"))
        && !v.iter().any(|b| b.is_ascii_whitespace())
}

fn trim_start(v: &[u8]) -> usize {
    v.iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len())
}

fn trim_end(v: &[u8]) -> usize {
    v.iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1)
}

/// Span of `v` without surrounding whitespace and one pair of double quotes.
fn trim_quotes(v: &[u8]) -> (usize, usize) {
    let a = trim_start(v);
    let b = trim_end(v).max(a);
    if b - a >= 2 && v[a] == b'"' && v[b - 1] == b'"' {
        (a + 1, b - 1)
    } else {
        (a, b)
    }
}

pub fn pct_decode(v: &[u8]) -> Vec<u8> {
    pct_decode_form(v, false)
}

fn pct_decode_form(v: &[u8], plus: bool) -> Vec<u8> {
    if memchr::memchr(b'%', v).is_none() && !(plus && memchr::memchr(b'+', v).is_some()) {
        return v.to_vec();
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let (b, used) = pct_unit(v, i, plus);
        out.push(b);
        i += used;
    }
    out
}

/// The byte `v[i..]` decodes to and how many raw bytes that takes (3 for a valid
/// `%XX`, else 1).
fn pct_unit(v: &[u8], i: usize, plus: bool) -> (u8, usize) {
    let hex = |b: u8| (b as char).to_digit(16);
    if v[i] == b'%' && i + 2 < v.len() {
        if let (Some(h), Some(l)) = (hex(v[i + 1]), hex(v[i + 2])) {
            return ((h * 16 + l) as u8, 3);
        }
    }
    (if plus && v[i] == b'+' { b' ' } else { v[i] }, 1)
}

/// Decoded bytes between two marks of a [`PctMap`].
const PCT_MAP_STRIDE: usize = 128;

/// Maps offsets in a percent-decoded value back to raw offsets: a mark every
/// `PCT_MAP_STRIDE` decoded bytes (not one per byte: a huge form body would need
/// eight times its size), and a lookup decodes forward from the mark before it.
pub struct PctMap<'a> {
    raw: &'a [u8],
    plus: bool,
    /// Raw offset of decoded offset `k * PCT_MAP_STRIDE`; empty when every decoded
    /// byte is one raw byte (no `%XX`).
    marks: Vec<usize>,
    len: usize,
}

impl PctMap<'_> {
    /// Raw offset for a decoded offset (the end maps to the raw end).
    pub fn raw_offset(&self, decoded: usize) -> usize {
        if self.marks.is_empty() {
            return decoded.min(self.raw.len());
        }
        if decoded >= self.len {
            return self.raw.len();
        }
        let mut i = self.marks[decoded / PCT_MAP_STRIDE];
        for _ in decoded / PCT_MAP_STRIDE * PCT_MAP_STRIDE..decoded {
            i += pct_unit(self.raw, i, self.plus).1;
        }
        i
    }
}

/// Percent-decode with a map from decoded offsets to raw offsets.
pub fn pct_decode_mapped(v: &[u8], plus: bool) -> (Vec<u8>, PctMap<'_>) {
    let mut map = PctMap {
        raw: v,
        plus,
        marks: Vec::new(),
        len: 0,
    };
    if memchr::memchr(b'%', v).is_none() {
        let out = pct_decode_form(v, plus);
        map.len = out.len();
        return (out, map);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if out.len() % PCT_MAP_STRIDE == 0 {
            map.marks.push(i);
        }
        let (b, used) = pct_unit(v, i, plus);
        out.push(b);
        i += used;
    }
    map.len = out.len();
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_heuristic() {
        assert!(looks_like_token(b"a8Fk29sLq0Zx83Jd"));
        assert!(looks_like_token(b"9f86d081884c7d659a2feaa0c55ad015"));
        assert!(!looks_like_token(b"dark-mode-enabled"));
        assert!(!looks_like_token(b"readIndexedDBDuration"));
        assert!(!looks_like_token(b"short1A"));
        assert!(!looks_like_token(b"hello world 12345 abc"));
        assert!(
            is_template(b"${token}")
                && is_template(b"{{ api_key }}")
                && is_template(b"<your-token>")
        );
        assert!(!is_template(b"abc${x}"));
        assert!(
            weak_url_value(b"4/0AX4XfWh")
                && !weak_url_value(b"4977205")
                && !weak_url_value(b"homepage")
        );
    }

    #[test]
    fn percent_map() {
        let (d, m) = pct_decode_mapped(b"a%2Bb+c", true);
        assert_eq!(d, b"a+b c");
        assert_eq!(m.raw_offset(2), 4);
        assert_eq!(m.raw_offset(5), 7);
        // Across many marks, against a map of every byte.
        let raw: Vec<u8> = (0..3000)
            .flat_map(|i| match i % 7 {
                0 => b"%41".to_vec(),
                1 => b"+".to_vec(),
                2 => b"%zz".to_vec(),
                3 => b"%2".to_vec(),
                _ => b"x".to_vec(),
            })
            .collect();
        for plus in [false, true] {
            let (d, m) = pct_decode_mapped(&raw, plus);
            let mut full = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                full.push(i);
                i += pct_unit(&raw, i, plus).1;
            }
            full.push(raw.len());
            assert_eq!(d.len() + 1, full.len());
            assert_eq!(d, pct_decode_form(&raw, plus));
            for (k, want) in full.iter().enumerate() {
                assert_eq!(m.raw_offset(k), *want, "{k}");
            }
        }
        let (d, m) = pct_decode_mapped(b"a+b", true);
        assert_eq!((d.as_slice(), m.raw_offset(2)), (&b"a b"[..], 2));
    }

    #[test]
    fn apply_edits_merges_overlaps() {
        let mut e = vec![
            Edit {
                start: 2,
                end: 6,
                text: "X".into(),
                claim: 2,
            },
            Edit {
                start: 4,
                end: 8,
                text: "Y".into(),
                claim: 4,
            },
        ];
        let mut out = Vec::new();
        apply_edits(b"0123456789", &mut e, &mut out);
        assert_eq!(out, b"01X89");
    }
}
