//! Credential names: which header, cookie, parameter and JSON-key names hold secrets.
//! The lists are data (`patterns/names.toml`), extended by the user's config.

use std::collections::HashMap;

use std::collections::HashSet;

use anyhow::{Context, Result};
use serde::Deserialize;

const BUILTIN: &str = include_str!("../../patterns/names.toml");

#[derive(Debug, Default, Deserialize)]
struct Section {
    #[serde(default)]
    exact: Vec<String>,
    #[serde(default)]
    scheme: Vec<String>,
    /// Authentication scheme words (`Bearer`, `Basic`…), headers section only.
    #[serde(default)]
    auth_schemes: Vec<String>,
    #[serde(default)]
    weak: Vec<String>,
    #[serde(default)]
    safe: Vec<String>,
    #[serde(default)]
    url: Vec<String>,
    #[serde(default)]
    field: Vec<String>,
    #[serde(default)]
    path: Vec<String>,
    #[serde(default)]
    token_like: Vec<String>,
}

/// The word lists of the name model (`[words]` in `patterns/names.toml`).
#[derive(Debug, Default, Deserialize)]
struct WordLists {
    #[serde(default)]
    strong: Vec<String>,
    #[serde(default)]
    short: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    qualify_code: Vec<String>,
    #[serde(default)]
    qualify_key: Vec<String>,
    #[serde(default)]
    qualify_sig: Vec<String>,
    #[serde(default)]
    qualify_other: Vec<String>,
    #[serde(default)]
    safe_prefix: Vec<String>,
    #[serde(default)]
    describe: Vec<String>,
    #[serde(default)]
    transparent: Vec<String>,
    #[serde(default)]
    paging: Vec<String>,
    #[serde(default)]
    counting: Vec<String>,
    #[serde(default)]
    about: Vec<String>,
    #[serde(default)]
    known: Vec<String>,
    #[serde(default)]
    glued_suffix: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    headers: Section,
    #[serde(default)]
    params: Section,
    #[serde(default)]
    words: WordLists,
    #[serde(default)]
    methods: Methods,
}

/// Calls with a positional password (`[methods]` in `patterns/names.toml`).
#[derive(Debug, Default, Deserialize)]
struct Methods {
    #[serde(default)]
    password: Vec<PositionalPassword>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionalPassword {
    method: String,
    #[serde(default)]
    index: Option<usize>,
    /// The password is the last parameter that is a string or a number.
    #[serde(default)]
    last: bool,
}

/// Which parameter of a call is its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    At(usize),
    /// The last parameter that is a string or a number (`login(user, password)`,
    /// `login(db, user, password)`, `authenticate(db, user, password, {options})`).
    LastScalar,
}

/// How a header's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderClass {
    /// `Cookie`: every cookie value is a secret.
    Cookie,
    /// `Set-Cookie`: the value of the cookie is a secret, attributes stay.
    SetCookie,
    /// `Authorization` family: keep the scheme word, the rest is a secret.
    Scheme,
    /// The whole value is a credential.
    Secret,
    /// The value is a URL: check its parameters by name.
    Url,
    /// Anything else: only token rules apply.
    Other,
}

/// How a parameter / JSON key's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamClass {
    /// Always a credential.
    Secret,
    /// A credential when it looks like a token (common word in ordinary data too).
    Weak,
    /// The value is a URL.
    Url,
    Other,
}

const EXACT: u8 = 1;
const SCHEME: u8 = 2;
const WEAK: u8 = 4;
const SAFE: u8 = 8;
const URL: u8 = 16;
const FIELD: u8 = 32;
const PATH: u8 = 64;
const TOKEN_LIKE: u8 = 128;

/// One section's lists: the exact-name lists as bit flags in one map (one lookup per
/// name).
#[derive(Debug)]
struct Lists {
    flags: HashMap<String, u8>,
}

impl Lists {
    fn from(s: Section) -> Result<Self> {
        let mut flags: HashMap<String, u8> = HashMap::new();
        for (list, bit) in [
            (&s.exact, EXACT),
            (&s.scheme, SCHEME),
            (&s.weak, WEAK),
            (&s.safe, SAFE),
            (&s.url, URL),
            (&s.field, FIELD),
            (&s.path, PATH),
            (&s.token_like, TOKEN_LIKE),
        ] {
            for x in list {
                *flags.entry(normalize_str(x)).or_default() |= bit;
            }
        }
        Ok(Lists { flags })
    }

    fn flags(&self, n: &str) -> u8 {
        self.flags.get(n).copied().unwrap_or(0)
    }
}

/// The name classifier.
#[derive(Debug)]
pub struct Names {
    headers: Lists,
    params: Lists,
    /// Authentication schemes (`[headers] auth_schemes`), lower case.
    auth_schemes: HashSet<String>,
    model: Model,
    /// Methods whose parameter at an index is a password: exact names, and prefixes
    /// (written `prefix*`).
    password_exact: HashMap<Vec<u8>, Position>,
    password_prefix: Vec<(Vec<u8>, Position)>,
    /// Which classifier this is, to the memo of names judged (new for every change).
    id: u64,
}

/// Names judged on this thread, with the `id` of the classifier that judged them.
/// A HAR file repeats a few hundred names millions of times, and judging one
/// (normalising it, cutting it into words) costs far more than looking it up.
#[derive(Default)]
struct Memo {
    id: u64,
    header: MemoMap<HeaderClass>,
    param: MemoMap<ParamClass>,
    field: MemoMap<ParamClass>,
}

/// A memo of names judged: foldhash, seeded per process (names are short and hashed on
/// every lookup; SipHash was a few percent of a run).
type MemoMap<C> = foldhash::HashMap<Box<[u8]>, C>;

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

/// Longer names are judged every time (names are input: the memo must stay small).
const MEMO_NAME: usize = 64;
/// Names remembered per kind and thread before the memo starts over.
const MEMO_NAMES: usize = 1 << 14;

fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Names {
    /// `judge(name)`, remembered on this thread for `self` in the map `which` picks.
    fn memo<C: Copy>(
        &self,
        name: &[u8],
        which: fn(&mut Memo) -> &mut MemoMap<C>,
        judge: impl FnOnce() -> C,
    ) -> C {
        if name.len() > MEMO_NAME {
            return judge();
        }
        let seen = MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.id != self.id {
                *m = Memo {
                    id: self.id,
                    ..Memo::default()
                };
            }
            which(&mut m).get(name).copied()
        });
        if let Some(c) = seen {
            return c;
        }
        // Judged with the memo released: a judgement may ask about another name.
        let c = judge();
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.id == self.id {
                let map = which(&mut m);
                if map.len() >= MEMO_NAMES {
                    map.clear();
                }
                map.insert(name.into(), c);
            }
        });
        c
    }
}

/// Lowercase and drop separators: `X-Api_Key` → `xapikey`. Accents are taken off
/// (`Contraseña` → `contrasena`), letters of other scripts kept (`Пароль` →
/// `пароль`), anything else outside ASCII dropped (see [`fold`]).
pub fn normalize(name: &[u8]) -> String {
    let name = fold(name);
    let mut s = String::with_capacity(name.len());
    for c in String::from_utf8_lossy(&name).chars() {
        if !matches!(c, '-' | '_' | '.' | ' ' | '$' | ':') {
            s.extend(c.to_lowercase());
        }
    }
    s
}

/// A name with the accents taken off its letters (`lösenord` → `losenord`, `hasło` →
/// `haslo`, `Straße` → `Strasse`), so that it is judged by the words it spells. Letters
/// of other scripts stay (`пароль`, `パスワード`: the lists hold them as they are);
/// anything else outside ASCII (a symbol, a zero-width space, bytes that are not
/// UTF-8) is dropped, as in [`normalize`]. An ASCII name is returned as it is.
pub fn fold(name: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use unicode_normalization::char::{decompose_canonical, is_combining_mark};
    if name.is_ascii() {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    for c in String::from_utf8_lossy(name).chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        // Latin letters that do not decompose into a letter and an accent.
        let plain = match c {
            'ł' => "l",
            'Ł' => "L",
            'ø' => "o",
            'Ø' => "O",
            'đ' => "d",
            'Đ' => "D",
            'ı' => "i",
            'ß' => "ss",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            _ => "",
        };
        if !plain.is_empty() {
            out.push_str(plain);
            continue;
        }
        // Accents come off Latin, Greek and Cyrillic letters; a letter of another
        // script stays whole (a kana's voicing mark is part of the letter).
        if !c.is_alphabetic() {
            continue;
        }
        if matches!(c, '\u{C0}'..='\u{24F}' | '\u{370}'..='\u{4FF}' | '\u{1E00}'..='\u{1FFF}') {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out.into_bytes())
}

/// Does `name` normalise to `word` (an already normal word)? Without allocating (an
/// ASCII name).
pub fn normalizes_to(name: &[u8], word: &str) -> bool {
    if !name.is_ascii() {
        return normalize(name) == word;
    }
    let mut kept = name
        .iter()
        .filter(|&&b| !matches!(b, b'-' | b'_' | b'.' | b' ' | b'$' | b':') && b.is_ascii())
        .map(u8::to_ascii_lowercase);
    word.bytes().all(|w| kept.next() == Some(w)) && kept.next().is_none()
}

/// Names up to this length are normalised on the stack.
const STACK_NAME: usize = 64;

/// A normalised name: borrowed from a stack buffer when short.
enum Normal<'a> {
    Stack(&'a str),
    Heap(String),
}

impl Normal<'_> {
    fn as_str(&self) -> &str {
        match self {
            Normal::Stack(s) => s,
            Normal::Heap(s) => s,
        }
    }
}

/// [`normalize`] without allocating for names that fit `buf`.
fn normalize_into<'a>(name: &[u8], buf: &'a mut [u8; STACK_NAME]) -> Normal<'a> {
    if name.len() > STACK_NAME || !name.is_ascii() {
        return Normal::Heap(normalize(name));
    }
    let mut n = 0;
    for &b in name {
        if !matches!(b, b'-' | b'_' | b'.' | b' ' | b'$' | b':') && b.is_ascii() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    // Only ASCII bytes were kept.
    Normal::Stack(std::str::from_utf8(&buf[..n]).unwrap_or_default())
}

fn normalize_str(s: &str) -> String {
    normalize(s.as_bytes())
}

impl Names {
    pub fn builtin() -> Result<Self> {
        Self::from_toml(BUILTIN).context("patterns/names.toml")
    }

    pub fn from_toml(text: &str) -> Result<Self> {
        let f: File = toml::from_str(text)?;
        let (mut password_exact, mut password_prefix) = (HashMap::new(), Vec::new());
        for p in f.methods.password {
            let at = match (p.index, p.last) {
                (Some(i), false) => Position::At(i),
                (None, true) => Position::LastScalar,
                _ => anyhow::bail!(
                    "[methods] {}: give either `index` or `last = true`",
                    p.method
                ),
            };
            match p.method.strip_suffix('*') {
                Some(prefix) => password_prefix.push((prefix.as_bytes().to_vec(), at)),
                None => {
                    password_exact.insert(p.method.into_bytes(), at);
                }
            }
        }
        let auth_schemes = set(&f.headers.auth_schemes);
        Ok(Names {
            auth_schemes,
            headers: Lists::from(f.headers)?,
            params: Lists::from(f.params)?,
            model: Model::from(f.words),
            password_exact,
            password_prefix,
            id: next_id(),
        })
    }

    /// Is `word` an HTTP authentication scheme (`[headers] auth_schemes`)?
    pub fn auth_scheme(&self, word: &[u8]) -> bool {
        std::str::from_utf8(word).is_ok_and(|w| self.auth_schemes.contains(&w.to_ascii_lowercase()))
    }

    /// Add user-supplied sensitive names (headers, cookies, parameters, JSON keys).
    pub fn add_sensitive(&mut self, headers: &[String], params: &[String]) {
        self.id = next_id();
        for h in headers {
            let f = self.headers.flags.entry(normalize_str(h)).or_default();
            *f = (*f & !SAFE) | EXACT;
        }
        for p in params {
            let f = self.params.flags.entry(normalize_str(p)).or_default();
            *f = (*f & !(SAFE | WEAK)) | EXACT;
        }
    }

    /// Which parameter of a call of `method` is a password, if one is
    /// (`wp.getUsersBlogs(username, password)`: the one at 1).
    pub fn password_param(&self, method: &[u8]) -> Option<Position> {
        if let Some(&i) = self.password_exact.get(method) {
            return Some(i);
        }
        // A hub method in PascalCase (SignalR's `Login`): the exact names, in any case.
        if let Some(&i) = self
            .password_exact
            .get(method.to_ascii_lowercase().as_slice())
        {
            return Some(i);
        }
        self.password_prefix
            .iter()
            .find(|(p, _)| method.starts_with(p))
            .map(|&(_, i)| i)
    }

    /// An event named like a login method (a socket.io `["authenticate", "…"]`): the
    /// exact names of `[methods]` only, whose password is the last parameter.
    pub fn password_event(&self, event: &[u8]) -> bool {
        matches!(self.password_exact.get(event), Some(Position::LastScalar))
    }

    pub fn header(&self, name: &[u8]) -> HeaderClass {
        self.memo(name, |m| &mut m.header, || self.judge_header(name))
    }

    fn judge_header(&self, name: &[u8]) -> HeaderClass {
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(name, &mut buf);
        let n = n.as_str();
        let l = &self.headers;
        match n {
            // Proxies pass the client's cookies on under their own names.
            "cookie" | "cookie2" | "xforwardedcookie" | "xoriginalcookie" | "xcookie" => {
                return HeaderClass::Cookie
            }
            "setcookie" | "setcookie2" => return HeaderClass::SetCookie,
            _ => {}
        }
        let f = l.flags(n);
        if f & SAFE != 0 {
            return HeaderClass::Other;
        }
        if f & SCHEME != 0 {
            return HeaderClass::Scheme;
        }
        if f & EXACT != 0 {
            return HeaderClass::Secret;
        }
        if f & URL != 0 {
            return HeaderClass::Url;
        }
        if n.starts_with("accesscontrol") || n.is_empty() {
            return HeaderClass::Other;
        }
        // A copy of the `Authorization` header made by a proxy or gateway
        // (`X-Amzn-Remapped-Authorization`, `X-Forwarded-Authorization`,
        // `Grpc-Metadata-Authorization`, `X-Authentication`): read as one.
        if n.ends_with("authorization") || n.ends_with("authentication") {
            return HeaderClass::Scheme;
        }
        match self.model.judge(&self.model.words(name), true) {
            Verdict::Secret => HeaderClass::Secret,
            _ => HeaderClass::Other,
        }
    }

    /// Is a URL path segment one after which a token-like segment is a credential
    /// (`reset` in `/password/reset/<token>`)?
    pub fn path_word(&self, segment: &[u8]) -> bool {
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(segment, &mut buf);
        self.params.flags(n.as_str()) & PATH != 0
    }

    /// Is a weak name one that counts in a URL or form only when the value looks like a
    /// token (`seed`, `verify`: `token_like` under `[params]`)?
    pub fn token_like(&self, name: &[u8]) -> bool {
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(name, &mut buf);
        self.params.flags(n.as_str()) & TOKEN_LIKE != 0
    }

    /// [`Names::param`] for the name of a field of structured data (a JSON key, a form
    /// field, a query parameter, an HTML input, an XML element): short credential words
    /// (`pin`, `sid`, `pass`) are credentials there whatever the value looks like.
    pub fn field(&self, name: &[u8]) -> ParamClass {
        self.memo(name, |m| &mut m.field, || self.judge_field(name))
    }

    fn judge_field(&self, name: &[u8]) -> ParamClass {
        let c = self.param(name);
        if c == ParamClass::Weak {
            let mut buf = [0u8; STACK_NAME];
            let n = normalize_into(name, &mut buf);
            if self.params.flags(n.as_str()) & FIELD != 0 {
                return ParamClass::Secret;
            }
        }
        c
    }

    pub fn param(&self, name: &[u8]) -> ParamClass {
        self.memo(name, |m| &mut m.param, || self.judge_param(name))
    }

    fn judge_param(&self, name: &[u8]) -> ParamClass {
        // A key that was itself a credential is a placeholder in a copy: its words
        // (`[REDACTED:github-token:…]`) say nothing about the value.
        if memchr::memmem::find(name, b"[REDACTED").is_some() {
            return ParamClass::Other;
        }
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(name, &mut buf);
        let n = n.as_str();
        let l = &self.params;
        let f = l.flags(n);
        if n.is_empty() || f & SAFE != 0 {
            return ParamClass::Other;
        }
        if f & WEAK != 0 {
            return ParamClass::Weak;
        }
        if f & EXACT != 0 {
            return ParamClass::Secret;
        }
        if f & URL != 0 {
            return ParamClass::Url;
        }
        // `user[otp_attempt]`: the innermost key may be a credential name on its own.
        let inner = name
            .strip_suffix(b"]")
            .and_then(|n| n.iter().rposition(|&b| b == b'[').map(|p| &n[p + 1..]))
            .filter(|i| !i.is_empty())
            .map_or(ParamClass::Other, |i| self.param(i));
        if inner == ParamClass::Secret {
            return inner;
        }
        match self.model.judge(&self.model.words(name), false) {
            Verdict::Secret => ParamClass::Secret,
            Verdict::Weak => ParamClass::Weak,
            Verdict::Other if inner == ParamClass::Weak => ParamClass::Weak,
            Verdict::Other => self.before_host(name),
        }
    }

    /// A name that ends in a host name is judged by what comes before the host:
    /// Hadoop's `fs.azure.account.key.<account>.blob.core.windows.net`, or a map of
    /// tokens keyed by host under its credential's name (Composer's `{"github-oauth":
    /// {"github.com": …}}`, joined `github-oauth.github.com`). The host is the
    /// shortest tail of two labels or more, ending in a common top-level domain, after
    /// which what is left names a credential.
    fn before_host(&self, name: &[u8]) -> ParamClass {
        let Some(last) = name.iter().rposition(|&b| b == b'.') else {
            return ParamClass::Other;
        };
        let tld = name[last + 1..].to_ascii_lowercase();
        if !HOST_ENDS.contains(&tld.as_slice()) {
            return ParamClass::Other;
        }
        let mut end = last;
        while let Some(dot) = name[..end].iter().rposition(|&b| b == b'.') {
            let before = &name[..dot];
            match self.param(before) {
                ParamClass::Other | ParamClass::Url => end = dot,
                c => return c,
            }
        }
        ParamClass::Other
    }
}

/// Top-level domains (and the last labels of cloud hosts) that end a host name in
/// [`Names::before_host`].
const HOST_ENDS: &[&[u8]] = &[
    b"com",
    b"net",
    b"org",
    b"io",
    b"dev",
    b"app",
    b"cloud",
    b"co",
    b"ai",
    b"me",
    b"info",
    b"biz",
    b"us",
    b"uk",
    b"de",
    b"fr",
    b"nl",
    b"jp",
    b"cn",
    b"ru",
    b"br",
    b"in",
    b"au",
    b"ca",
    b"eu",
    b"gov",
    b"edu",
    b"local",
    b"internal",
    b"localhost",
    b"cn",
    b"ch",
    b"se",
];

/// What the word model says about a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The value is a credential.
    Secret,
    /// A credential only when the value looks like a token.
    Weak,
    /// Describes a credential (or nothing) without holding one.
    Other,
}

/// The name model: split a name into words, classify the words, and let the last
/// meaningful word decide (`loginPwd`, `otpCode` and `hmacKey` hold credentials;
/// `passwordPolicy`, `keyCode` and `maxTokens` do not).
#[derive(Debug, Default)]
struct Model {
    strong: HashSet<String>,
    short: HashSet<String>,
    context: HashSet<String>,
    qualify_code: HashSet<String>,
    qualify_key: HashSet<String>,
    qualify_sig: HashSet<String>,
    qualify_other: HashSet<String>,
    safe_prefix: HashSet<String>,
    describe: HashSet<String>,
    transparent: HashSet<String>,
    /// Words before `token` that make it a pagination cursor (`nextPageToken`).
    paging: HashSet<String>,
    counting: HashSet<String>,
    /// Words naming what a credential object says about its credential (`id`, `type`,
    /// `expiresAt`) rather than the credential itself.
    about: HashSet<String>,
    /// Every word of every list: the vocabulary glued names are split with.
    vocab: HashSet<String>,
    glued_suffix: Vec<String>,
}

/// Compounds of two words that are one credential word.
const COMPOUNDS: &[&str] = &[
    "sessionid",
    "sessid",
    "apikey",
    "privatekey",
    "password",
    "passphrase",
    "passcode",
    "passwd",
];

fn set(v: &[String]) -> HashSet<String> {
    v.iter().map(|w| w.to_ascii_lowercase()).collect()
}

impl Model {
    fn from(w: WordLists) -> Self {
        let mut vocab = HashSet::new();
        for l in [
            &w.strong,
            &w.short,
            &w.context,
            &w.qualify_code,
            &w.qualify_key,
            &w.qualify_sig,
            &w.qualify_other,
            &w.safe_prefix,
            &w.describe,
            &w.transparent,
            &w.paging,
            &w.counting,
            &w.about,
            &w.known,
            &w.glued_suffix,
        ] {
            vocab.extend(l.iter().map(|x| x.to_ascii_lowercase()));
        }
        Model {
            strong: set(&w.strong),
            short: set(&w.short),
            context: set(&w.context),
            qualify_code: set(&w.qualify_code),
            qualify_key: set(&w.qualify_key),
            qualify_sig: set(&w.qualify_sig),
            qualify_other: set(&w.qualify_other),
            safe_prefix: set(&w.safe_prefix),
            describe: set(&w.describe),
            transparent: set(&w.transparent),
            paging: set(&w.paging),
            counting: set(&w.counting),
            about: set(&w.about),
            vocab,
            glued_suffix: w
                .glued_suffix
                .iter()
                .map(|x| x.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Split a run of lowercase letters into known words (`accesstoken` → `access`,
    /// `token`), fewest pieces first; `None` when the vocabulary cannot cover it.
    fn segment(&self, w: &str) -> Option<Vec<String>> {
        let n = w.len();
        if n > 48 || !w.is_ascii() {
            return None;
        }
        // best[i]: fewest pieces covering w[..i], and where the last piece starts.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for i in 1..=n {
            for j in 0..i {
                let Some((c, _)) = best[j] else { continue };
                // One-letter pieces only for a leading `x` (`xapikey`).
                if i - j == 1 && !(j == 0 && &w[..1] == "x") {
                    continue;
                }
                if self.vocab.contains(&w[j..i]) && best[i].is_none_or(|(b, _)| c + 1 < b) {
                    best[i] = Some((c + 1, j));
                }
            }
        }
        best[n]?;
        let mut parts = Vec::new();
        let mut i = n;
        while i > 0 {
            let (_, j) = best[i]?;
            parts.push(w[j..i].to_string());
            i = j;
        }
        parts.reverse();
        Some(parts)
    }

    /// Split a name into lowercase words: camelCase, PascalCase, ACRONYMCase, snake,
    /// kebab, brackets (`data[User][pwd]`), dots, digits. Glued lowercase words are
    /// split by the vocabulary (`newpassword` → `new`, `password`).
    fn words(&self, name: &[u8]) -> Vec<String> {
        let name = fold(name);
        let name = &name[..];
        let mut raw: Vec<String> = Vec::new();
        let mut cur = String::new();
        // Letters of another script (what `fold` leaves outside ASCII) make words of
        // their own: `user_пароль` is `user`, `пароль`.
        let mut other = Vec::new();
        for (i, &c) in name.iter().enumerate() {
            if !c.is_ascii() {
                if !cur.is_empty() {
                    raw.push(std::mem::take(&mut cur));
                }
                other.push(c);
                continue;
            }
            if !other.is_empty() {
                raw.push(String::from_utf8_lossy(&std::mem::take(&mut other)).to_lowercase());
            }
            if !c.is_ascii_alphanumeric() {
                if !cur.is_empty() {
                    raw.push(std::mem::take(&mut cur));
                }
                continue;
            }
            if !cur.is_empty() {
                let p = name[i - 1];
                let up = c.is_ascii_uppercase();
                let boundary = (up && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                    || (up
                        && p.is_ascii_uppercase()
                        && name.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()))
                    || (c.is_ascii_digit() != p.is_ascii_digit());
                if boundary {
                    raw.push(std::mem::take(&mut cur));
                }
            }
            cur.push(c.to_ascii_lowercase() as char);
        }
        if !other.is_empty() {
            raw.push(String::from_utf8_lossy(&other).to_lowercase());
        }
        if !cur.is_empty() {
            raw.push(cur);
        }
        let mut out = Vec::with_capacity(raw.len());
        for w in raw {
            if w.len() >= 4 && !self.vocab.contains(&w) && w.bytes().all(|c| c.is_ascii_lowercase())
            {
                if let Some(parts) = self.segment(&w) {
                    out.extend(parts);
                    continue;
                }
                if let Some(sfx) = self
                    .glued_suffix
                    .iter()
                    .find(|s| w.len() > s.len() && w.ends_with(s.as_str()))
                {
                    out.push(w[..w.len() - sfx.len()].to_string());
                    out.push(sfx.clone());
                    continue;
                }
            }
            out.push(w);
        }
        let mut merged: Vec<String> = Vec::with_capacity(out.len());
        for w in out {
            if let Some(prev) = merged.last_mut() {
                if prev.len() + w.len() <= 10 {
                    let joined = format!("{prev}{w}");
                    if COMPOUNDS.contains(&joined.as_str()) {
                        *prev = joined;
                        continue;
                    }
                }
            }
            merged.push(w);
        }
        merged
    }

    /// The verdict on a name's words. `header`: a header name, where a vendor word
    /// before `Auth`, `Key`, `Session` or `Signature` (`X-Tableau-Auth`) still names a
    /// credential.
    fn judge(&self, words: &[String], header: bool) -> Verdict {
        let mut ws: Vec<&str> = words.iter().map(String::as_str).collect();
        // Trailing digits, versions and transparent words (`password2`, `token_b64`).
        while ws.len() > 1 {
            let last = ws[ws.len() - 1];
            let version = last.len() >= 2
                && last.starts_with('v')
                && last[1..].bytes().all(|c| c.is_ascii_digit());
            if last.bytes().all(|c| c.is_ascii_digit()) {
                ws.pop();
                // `v2`, `b64`: a letter glued to the number goes with it.
                if ws.len() > 1 && ws[ws.len() - 1].len() == 1 {
                    ws.pop();
                }
            } else if version || self.transparent.contains(last) {
                ws.pop();
            } else {
                break;
            }
        }
        let Some(&last) = ws.last() else {
            return Verdict::Other;
        };
        // The word before the last, skipping vendor prefixes such as `x`.
        let prev = ws[..ws.len() - 1]
            .iter()
            .rev()
            .copied()
            .find(|w| *w != "x" && !w.bytes().all(|c| c.is_ascii_digit()));
        let strong_prev = prev.is_some_and(|p| self.strong.contains(p));
        if last == "tokens" {
            return match prev {
                None => Verdict::Weak,
                Some(p) if self.counting.contains(p) => Verdict::Other,
                Some(p)
                    if strong_prev
                        || self.qualify_other.contains(p)
                        || self.qualify_key.contains(p) =>
                {
                    Verdict::Secret
                }
                Some(_) => Verdict::Other,
            };
        }
        // `nextPageToken`, `continuationToken`: a cursor into a list, not a credential.
        if last == "token" && prev.is_some_and(|p| self.paging.contains(p)) {
            return Verdict::Other;
        }
        if self.strong.contains(last) || misspelt_password(last) {
            // `forgotPassword`, `showPassword`, `invalidToken`: about the credential.
            if prev.is_some_and(|p| self.describe.contains(p)) && !header {
                return Verdict::Weak;
            }
            // `boardingPass`, `mapPin`: a short word after an unrelated one.
            if let Some(p) = prev.filter(|_| self.short.contains(last)) {
                let q = strong_prev
                    || self.qualify_other.contains(p)
                    || self.qualify_key.contains(p)
                    || self.qualify_code.contains(p)
                    || matches!(
                        p,
                        "new"
                            | "old"
                            | "current"
                            | "confirm"
                            | "my"
                            | "db"
                            | "card"
                            | "wifi"
                            | "root"
                            | "temp"
                    );
                if !q && !header {
                    return Verdict::Weak;
                }
            }
            return Verdict::Secret;
        }
        if !self.context.contains(last) {
            return Verdict::Other;
        }
        let Some(p) = prev else {
            // Alone: `code`, `key` (weak); `X-Auth`, `X-Session` as headers (not a
            // bare `Session:` or `Key:`, which log lines start with).
            if header
                && ws.len() > 1
                && matches!(
                    last,
                    "auth" | "session" | "sig" | "signature" | "assertion" | "credentials" | "key"
                )
            {
                return Verdict::Secret;
            }
            if matches!(last, "hash" | "state" | "handle" | "verifier") {
                return Verdict::Other;
            }
            return Verdict::Weak;
        };
        if self.safe_prefix.contains(p) && !strong_prev {
            return Verdict::Other;
        }
        let qualified = strong_prev
            || match last {
                "hash" | "nonce" | "state" => false,
                "code" => self.qualify_code.contains(p),
                "key" => self.qualify_key.contains(p),
                "sig" | "signature" => self.qualify_sig.contains(p),
                _ => self.qualify_other.contains(p),
            };
        if qualified {
            return Verdict::Secret;
        }
        if header && matches!(last, "auth" | "key" | "sig" | "signature" | "credentials") {
            return Verdict::Secret;
        }
        // `cloud.auth`, `registry_credentials`: a token-looking value is one.
        if matches!(last, "signature" | "sig" | "auth" | "credentials") {
            return Verdict::Weak;
        }
        Verdict::Other
    }
}

/// A spelling of "password" with letters left out (`passwrd`, `paswd`, `pword`): a
/// word of four letters or more that starts with `p`, holds a `w` and reads in order
/// inside "password". No English word fits (`paws` and `prod` do not), so a name ending
/// in one is a password field however its author spelt it.
fn misspelt_password(w: &str) -> bool {
    let mut rest = "password".bytes();
    w.len() >= 4 && w.starts_with('p') && w.contains('w') && w.bytes().all(|c| rest.any(|p| p == c))
}

impl Names {
    /// The words of a name, as the model splits them (for tests and diagnostics).
    pub fn words(&self, name: &[u8]) -> Vec<String> {
        self.model.words(name)
    }

    /// Does a member key inside a credential's object (`"token": {"id": …}`) name
    /// something about the credential (an id, a type, a time, an owner), not the
    /// credential? Its last word is in `[words] about` (`patterns/names.toml`).
    pub fn about_credential(&self, key: &[u8]) -> bool {
        self.model
            .words(key)
            .last()
            .is_some_and(|w| self.model.about.contains(w))
    }

    /// The word model's verdict on a name, without the exact-name lists.
    pub fn verdict(&self, name: &[u8], header: bool) -> Verdict {
        self.model.judge(&self.model.words(name), header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Judgements are remembered per thread and classifier: a name added later, or
    /// another classifier, is judged again, and a remembered judgement is the judgement.
    #[test]
    fn remembered_judgements_follow_the_classifier() {
        let mut n = Names::builtin().unwrap();
        let plain = Names::builtin().unwrap();
        let names: [&[u8]; 5] = [
            b"widgetId",
            b"password",
            b"csrfHeader",
            b"pin",
            b"x-api-key",
        ];
        for _ in 0..2 {
            for name in names {
                assert_eq!(n.param(name), n.judge_param(name));
                assert_eq!(n.field(name), n.judge_field(name));
                assert_eq!(n.header(name), n.judge_header(name));
            }
        }
        assert_eq!(n.param(b"widgetId"), ParamClass::Other);
        assert_eq!(n.header(b"widgetId"), HeaderClass::Other);
        n.add_sensitive(&["widgetId".into()], &["widgetId".into()]);
        assert_eq!(n.param(b"widgetId"), ParamClass::Secret);
        assert_eq!(n.header(b"widgetId"), HeaderClass::Secret);
        assert_eq!(plain.param(b"widgetId"), ParamClass::Other);
        assert_eq!(n.param(b"widgetId"), ParamClass::Secret);
    }

    #[test]
    fn normalizes_to_is_normalize_then_equal() {
        for name in [
            "Set-Cookie",
            "request_Cookies",
            "x.api:key$",
            "cookies\u{e9}",
            "",
            "cookie2",
        ] {
            for word in [
                "setcookie",
                "requestcookies",
                "xapikey",
                "cookies",
                "",
                "cookie",
            ] {
                assert_eq!(
                    normalizes_to(name.as_bytes(), word),
                    normalize(name.as_bytes()) == word,
                    "{name} {word}"
                );
            }
        }
    }

    #[test]
    fn header_classes() {
        let n = Names::builtin().unwrap();
        assert_eq!(n.header(b"Cookie"), HeaderClass::Cookie);
        assert_eq!(n.header(b"X-Forwarded-Cookie"), HeaderClass::Cookie);
        assert_eq!(n.header(b"X-Original-Cookie"), HeaderClass::Cookie);
        assert_eq!(n.header(b"set-cookie"), HeaderClass::SetCookie);
        assert_eq!(n.header(b"AUTHORIZATION"), HeaderClass::Scheme);
        assert_eq!(n.header(b"Proxy-Authorization"), HeaderClass::Scheme);
        assert_eq!(n.header(b"X-API-Key"), HeaderClass::Secret);
        assert_eq!(n.header(b"x-okta-xsrftoken"), HeaderClass::Secret);
        assert_eq!(n.header(b"Cf-Access-Jwt-Assertion"), HeaderClass::Secret);
        assert_eq!(n.header(b"X-Amz-Security-Token"), HeaderClass::Secret);
        assert_eq!(n.header(b"X-My-Custom-Token"), HeaderClass::Secret);
        assert_eq!(n.header(b"Location"), HeaderClass::Url);
        assert_eq!(n.header(b":path"), HeaderClass::Url);
        assert_eq!(n.header(b":authority"), HeaderClass::Other);
        assert_eq!(
            n.header(b"Access-Control-Allow-Credentials"),
            HeaderClass::Other
        );
        assert_eq!(n.header(b"ETag"), HeaderClass::Other);
        assert_eq!(n.header(b"Sec-WebSocket-Key"), HeaderClass::Other);
    }

    #[test]
    fn param_classes() {
        let n = Names::builtin().unwrap();
        for s in [
            "password",
            "access_token",
            "client_secret",
            "X-Amz-Signature",
            "SAMLResponse",
            "sessionToken",
            "refreshToken",
            "myApiToken",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Secret, "{s}");
        }
        for s in ["code", "key", "sig"] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Weak, "{s}");
        }
        for s in [
            "token_type",
            "expires_in",
            "username",
            "statusCode",
            "max_tokens",
            "page",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Other, "{s}");
        }
        assert_eq!(n.param(b"redirect_uri"), ParamClass::Url);
    }

    #[test]
    fn words_split_every_spelling() {
        let n = Names::builtin().unwrap();
        let w = |s: &str| n.words(s.as_bytes()).join(" ");
        assert_eq!(w("loginPwd"), "login pwd");
        assert_eq!(w("APIKey"), "apikey");
        assert_eq!(w("X-Api-Key"), "x apikey");
        assert_eq!(w("xapikey"), "x apikey");
        assert_eq!(w("data[User][pwd]"), "data user pwd");
        assert_eq!(w("user.password"), "user password");
        assert_eq!(w("access_token"), "access token");
        assert_eq!(w("clientsecret"), "client secret");
        assert_eq!(w("newpassword"), "new password");
        assert_eq!(w("password2"), "password 2");
        assert_eq!(w("SAMLResponse"), "saml response");
        assert_eq!(w("tokentypehint"), "token type hint");
        assert_eq!(w("JSESSIONID"), "j sessionid");
        assert_eq!(w("acmetoken"), "acme token");
        assert_eq!(w("keyboard"), "keyboard");
        assert_eq!(w("bypass"), "bypass");
        assert_eq!(w("session_id"), "sessionid");
    }

    #[test]
    fn name_model_credentials() {
        let n = Names::builtin().unwrap();
        for s in [
            "loginPwd",
            "newPwd",
            "userPass",
            "adminPass",
            "signingKey",
            "hmacKey",
            "otpCode",
            "smsCode",
            "securePin",
            "data[User][pwd]",
            "login[pass]",
            "user[password]",
            "user.password",
            "pwd",
            "PASSWORD",
            "Passwd",
            "pass_word",
            "password_confirmation",
            "passwordConfirm",
            "password2",
            "confirm-password",
            "db_password",
            "dbpassword",
            "rootpwd",
            "wifiPass",
            "mfa_code",
            "verifyCode",
            "authCode",
            "auth_code",
            "twoFactorCode",
            "apiKey",
            "api-key",
            "API_KEY",
            "apikey",
            "accessKey",
            "secretKey",
            "privateKey",
            "private_key",
            "clientSecret",
            "client_secret",
            "appSecret",
            "csrfToken",
            "_csrf",
            "csrf_token",
            "xsrf-token",
            "authenticity_token",
            "csrfmiddlewaretoken",
            "sessionId",
            "session_id",
            "JSESSIONID",
            "PHPSESSID",
            "sessionToken",
            "refreshTokens",
            "accessTokens",
            "jwt",
            "id_token",
            "idToken",
            "bearerToken",
            "passwordHash",
            "tokenHash",
            "licenseKey",
            "subscriptionKey",
            "masterKey",
            "encryptionKey",
            "sessionKey",
            "serviceTicket",
            "authTicket",
            "clientAssertion",
            "samlAssertion",
            "otp",
            "totp",
            "pinCode",
            "pin_code",
            "passcode",
            "passphrase",
            "secret",
            "secrets",
            "clientCredentials",
            "window.__APP__.config.auth.accessToken",
            "config.auth.accessToken",
            "token_b64",
            "apiKeyValue",
            "secret_v2",
            "myToken",
            "acmetoken",
            "creds",
            "cardPin",
            "newPin",
            "user_pw",
            "adminPw",
            "x-acme-password",
            "stateToken",
            "csrfState",
            "password_new",
            "requestSig",
            "passwrd",
            "user_passwrd",
            "paswd",
            "userPasword",
            "pword",
            "securityAnswer",
            "secret_answer",
            "recoveryAnswer",
            "auth_header",
            "authorizationHeader",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Secret, "{s}");
        }
        for s in [
            "code",
            "key",
            "sig",
            "signature",
            "session",
            "auth",
            "ticket",
            "tokens",
            "credentials",
            "nonce",
            "boardingPass",
            "mapPin",
            "forgotPassword",
            "showPassword",
            "invalidToken",
            "widgetSig",
            "widget_signature",
        ] {
            assert_ne!(n.param(s.as_bytes()), ParamClass::Other, "{s}");
            assert_ne!(n.param(s.as_bytes()), ParamClass::Secret, "{s}");
        }
    }

    #[test]
    fn short_words_are_credentials_as_field_names() {
        let n = Names::builtin().unwrap();
        for s in ["pass", "pin", "sid", "PIN", "Sid"] {
            assert_eq!(n.field(s.as_bytes()), ParamClass::Secret, "{s}");
            assert_eq!(n.param(s.as_bytes()), ParamClass::Weak, "{s}");
        }
        for s in ["code", "key", "session"] {
            assert_eq!(n.field(s.as_bytes()), ParamClass::Weak, "{s}");
        }
        // PagerDuty's keys: token-shaped values only (a broker's `routingKey` is a
        // dotted word).
        // CAS's `tgt` and Spanish `clave` likewise.
        for s in [
            "routing_key",
            "routingKey",
            "integration_key",
            "tgt",
            "TGT",
            "clave",
        ] {
            assert_eq!(n.field(s.as_bytes()), ParamClass::Weak, "{s}");
        }
    }

    #[test]
    fn name_model_ordinary_names() {
        let n = Names::builtin().unwrap();
        for s in [
            "keyboard",
            "keyboardLayout",
            "passenger",
            "passengers",
            "keyCode",
            "key_code",
            "passport",
            "tokenType",
            "token_type",
            "maxTokens",
            "max_tokens",
            "promptTokens",
            "completion_tokens",
            "compass",
            "bypass",
            "bypassCache",
            "passive",
            "pinned",
            "spinner",
            "monkey",
            "turkey",
            "passwordPolicy",
            "password_policy",
            "passwordMinLength",
            "tokenExpiry",
            "token_expires_in",
            "keyId",
            "key_id",
            "sessionTimeout",
            "session_timeout",
            "statusCode",
            "errorCode",
            "countryCode",
            "zipcode",
            "postCode",
            "promoCode",
            "sourceCode",
            "charCode",
            "hashCode",
            "publicKey",
            "public_key",
            "cacheKey",
            "idempotencyKey",
            "partitionKey",
            "primaryKey",
            "sortKey",
            "csrfTokenName",
            "csrf_header_name",
            "tokenEndpoint",
            "token_url",
            "passwordResetUrl",
            "passwordStrength",
            "hasPassword",
            "secretName",
            "secretId",
            "clientId",
            "username",
            "user_name",
            "email",
            "page",
            "pageSize",
            "tokenizer",
            "sidebar",
            "side",
            "passage",
            "compassHeading",
            "spinnerColor",
            "authority",
            "author",
            "authorName",
            "authorized",
            "authuser",
            "sessionState",
            "session_state",
            "authState",
            "fileHash",
            "commitHash",
            "state",
            "hash",
            "emailSignature",
            "signatureAlgorithm",
            "tokenCount",
            "password_length",
            "password.minLength",
            "token.type",
            "keyName",
            "apiKeyName",
            "apiKeyId",
            "accessKeyId",
            "withCredentials",
            "credentialType",
            "fileHandle",
            "supportTicket",
            "passwordShown",
            "passwordRequirements",
            "passwordVisible",
            "passwordLabel",
            "paws",
            "prod",
            "powder",
            "correctAnswer",
            "authHeaderName",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Other, "{s}");
        }
    }

    #[test]
    fn name_model_headers() {
        let n = Names::builtin().unwrap();
        for s in [
            "X-Auth-Key",
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
            "x-auth-token",
            "X-CSRF-Token",
            "X-Acme-Signature",
            "X-Partner-Key",
            "X-Session-Id",
            "X-Credentials",
            "x-mycompany-password",
            "X-Auth",
            "X-Jwt",
            "X-Client-Secret",
            "x-apikey",
        ] {
            assert_eq!(n.header(s.as_bytes()), HeaderClass::Secret, "{s}");
        }
        assert_eq!(n.header(b"Authentication"), HeaderClass::Scheme);
        for s in [
            "X-Request-Id",
            "X-Client-Data",
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Protocol",
            "Idempotency-Key",
            "X-Api-Version",
            "X-Goog-AuthUser",
            "X-Auth-User",
            "X-Token-Expiry",
            "Content-Type",
            "Strict-Transport-Security",
            "Public-Key-Pins",
            "X-Cache-Key",
            "X-Session-Timeout",
            "X-Csrf-Token-Name",
            "Keep-Alive",
            "X-Content-Type-Options",
            "X-Goog-Api-Client",
            "X-Hash",
            "x-amz-cf-id",
        ] {
            assert_eq!(n.header(s.as_bytes()), HeaderClass::Other, "{s}");
        }
    }
}
