//! The secret generator: a small seeded RNG and fake credentials shaped like real ones,
//! with the names they are sent under. Every secret is random per case, so a survivor
//! cannot be explained by coincidence.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// SplitMix64: tiny, seedable, and stable across crate versions (the sampled cases depend
/// only on the seed, never on a dependency's RNG).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi_incl: usize) -> usize {
        lo + self.below(hi_incl - lo + 1)
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
pub const DIGITS: &[u8] = b"0123456789";
const B64CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const B32UP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A random alnum string that mixes upper, lower and digits (so it always looks random,
/// never like a word).
pub fn mixed(rng: &mut Rng, n: usize) -> String {
    loop {
        let s = rng.chars(ALNUM, n);
        let up = s.bytes().any(|b| b.is_ascii_uppercase());
        let lo = s.bytes().any(|b| b.is_ascii_lowercase());
        let di = s.bytes().any(|b| b.is_ascii_digit());
        if up && lo && di {
            return s;
        }
    }
}

/// A random number of `n` digits, not starting with 0.
pub fn number(rng: &mut Rng, n: usize) -> String {
    let mut s = rng.chars(b"123456789", 1);
    s.push_str(&rng.chars(DIGITS, n - 1));
    s
}

/// The kinds of planted secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Random alnum 8..40 under a password name: only the context says it is one.
    Password,
    /// Numeric password or PIN (`"password": 83920174`).
    Pin,
    /// Random alnum 8..40 under a token / key / secret name.
    ContextToken,
    /// 12-character session id under `sid` and friends.
    Session,
    /// One-time codes (6..8 digits) under `otpCode`, `smsCode`…
    Otp,
    /// AWS secret access key: 40 chars of base64 alphabet (has `/` and `+`).
    AwsSecret,
    Ghp,
    GithubPat,
    AwsKeyId,
    SlackBot,
    StripeLive,
    Gitlab,
    GoogleApi,
    Jwt,
    Pem,
}

pub const KINDS: &[Kind] = &[
    Kind::Password,
    Kind::Pin,
    Kind::ContextToken,
    Kind::Session,
    Kind::Otp,
    Kind::AwsSecret,
    Kind::Ghp,
    Kind::GithubPat,
    Kind::AwsKeyId,
    Kind::SlackBot,
    Kind::StripeLive,
    Kind::Gitlab,
    Kind::GoogleApi,
    Kind::Jwt,
    Kind::Pem,
];

impl Kind {
    pub fn numeric(self) -> bool {
        matches!(self, Kind::Pin | Kind::Otp)
    }
}

/// A planted secret and the strings that must not be found in any view of the copy.
#[derive(Clone)]
pub struct Secret {
    pub value: String,
    /// Full forms and windows searched for (see [`needles`]).
    pub needles: Vec<String>,
}

/// How long a window of a long secret is searched for.
///
/// A secret of 16+ characters also counts as surviving when any 12-character window of
/// its random part is left: a partial redaction (cut at a `-`, `.`, `/` or `%2F`, or a
/// placeholder that replaced only a prefix) leaves a fragment that still narrows the
/// credential to a handful of guesses. 12 random alnum characters (~71 bits) cannot
/// appear by chance in a few kilobytes of copy, and windows are taken only from the
/// random part, never from a fixed prefix such as `ghp_` or `github_pat_`, so they
/// cannot match text the copy legitimately keeps.
pub const WINDOW: usize = 12;

fn needles(full: &str, random_part: &str) -> Vec<String> {
    let mut v = vec![full.to_string()];
    if full.len() >= 16 && random_part.len() > WINDOW {
        let b = random_part.as_bytes();
        for i in 0..=b.len() - WINDOW {
            v.push(String::from_utf8(b[i..i + WINDOW].to_vec()).unwrap());
        }
    }
    v
}

pub fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A signed HS256 JWT with `claims` as its payload (a fake key).
pub fn jwt(claims: &serde_json::Value) -> String {
    let head = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = b64url(serde_json::to_string(claims).unwrap().as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(b"recall-test-fake-signing-key").unwrap();
    mac.update(format!("{head}.{body}").as_bytes());
    let sig = b64url(&mac.finalize().into_bytes());
    format!("{head}.{body}.{sig}")
}

pub fn secret(kind: Kind, rng: &mut Rng) -> Secret {
    let (value, random): (String, String) = match kind {
        Kind::Password | Kind::ContextToken => {
            let n = rng.range(8, 40);
            let s = mixed(rng, n);
            (s.clone(), s)
        }
        Kind::Pin => {
            let s = number(rng, 8);
            (s.clone(), s)
        }
        Kind::Otp => {
            let n = rng.range(6, 8);
            let s = number(rng, n);
            (s.clone(), s)
        }
        Kind::Session => {
            let s = mixed(rng, 12);
            (s.clone(), s)
        }
        Kind::AwsSecret => loop {
            let s = rng.chars(B64CHARS, 40);
            if s.contains('/') || s.contains('+') {
                break (s.clone(), s);
            }
        },
        Kind::Ghp => {
            let r = mixed(rng, 36);
            (format!("ghp_{r}"), r)
        }
        Kind::GithubPat => {
            let a = format!(
                "11{}",
                rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20)
            );
            let b = mixed(rng, 59);
            (format!("github_pat_{a}_{b}"), format!("{a}_{b}"))
        }
        Kind::AwsKeyId => {
            let r = rng.chars(B32UP, 16);
            (format!("AKIA{r}"), r)
        }
        Kind::SlackBot => {
            let r = format!("{}-{}-{}", number(rng, 11), number(rng, 13), mixed(rng, 24));
            (format!("xoxb-{r}"), r)
        }
        Kind::StripeLive => {
            let n = *rng.pick(&[24usize, 34, 99]);
            let r = mixed(rng, n);
            (format!("sk_live_{r}"), r)
        }
        Kind::Gitlab => {
            let r = loop {
                let r = rng.chars(URLSAFE, 20);
                if r.bytes().any(|b| b.is_ascii_digit())
                    && r.bytes().any(|b| b.is_ascii_uppercase())
                {
                    break r;
                }
            };
            (format!("glpat-{r}"), r)
        }
        Kind::GoogleApi => {
            let r = rng.chars(URLSAFE, 35);
            (format!("AIza{r}"), r)
        }
        Kind::Jwt => {
            let claims = serde_json::json!({
                "sub": format!("user-{}", rng.chars(LETTERS, 8)),
                "iat": 1_764_750_000u64 + rng.below(100_000) as u64,
                "jti": mixed(rng, 16),
            });
            let t = jwt(&claims);
            let sig = t.rsplit('.').next().unwrap().to_string();
            // The header and payload stay readable by design: only the signature is secret.
            return Secret {
                needles: needles(&sig, &sig),
                value: t,
            };
        }
        Kind::Pem => {
            let body = b64(&rng.bytes(480));
            let lines: Vec<String> = body
                .as_bytes()
                .chunks(64)
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect();
            let value = format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
                lines.join("\n")
            );
            // Every full line of the body (each carries 48 random bytes of key material).
            let needles = lines.iter().filter(|l| l.len() >= 16).cloned().collect();
            return Secret { value, needles };
        }
    };
    Secret {
        needles: needles(&value, &random),
        value,
    }
}

/// How a credential name is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Spelling {
    /// `password`, `token`, `secret`
    Plain,
    /// `userPassword`, `accessToken`
    Camel,
    /// `new_password`, `client_secret`
    Snake,
    /// `user-password`, `x-api-key`
    Kebab,
    /// `data[User][pwd]`, `login[pass]`
    Brackets,
    /// `pass`, `pin`, `pwd`, `sid`
    Short,
    /// a word plus a credential suffix: `loginPwd`, `newPwd`, `signingKey`, `otpCode`
    Suffix,
    /// a name that says nothing (`data`, `value`): only self-identifying tokens
    Neutral,
}

pub const SPELLINGS: &[Spelling] = &[
    Spelling::Plain,
    Spelling::Camel,
    Spelling::Snake,
    Spelling::Kebab,
    Spelling::Brackets,
    Spelling::Short,
    Spelling::Suffix,
    Spelling::Neutral,
];

/// The names a secret of `kind` is sent under, spelled `sp` (empty: not a combination
/// that occurs, e.g. a context-only password under a neutral name).
pub fn names(kind: Kind, sp: Spelling) -> &'static [&'static str] {
    use Spelling::*;
    match kind {
        Kind::Password | Kind::Pin => match sp {
            Plain => &["password", "passwd", "passcode"],
            Camel => &[
                "userPassword",
                "currentPassword",
                "newPassword",
                "confirmPassword",
            ],
            Snake => &["new_password", "db_pass", "user_pwd", "login_password"],
            Kebab => &["user-password", "admin-pass", "x-password"],
            Brackets => &["data[User][pwd]", "login[pass]", "user[password]"],
            Short => &["pass", "pwd", "pin"],
            Suffix => &["loginPwd", "newPwd", "userPass", "adminPass", "securePin"],
            Neutral => &[],
        },
        Kind::ContextToken | Kind::AwsSecret => match sp {
            Plain => &["token", "secret", "apikey", "credential"],
            Camel => &[
                "accessToken",
                "clientSecret",
                "apiKey",
                "authToken",
                "refreshToken",
            ],
            Snake => &[
                "access_token",
                "client_secret",
                "api_key",
                "aws_secret_access_key",
            ],
            Kebab => &["x-api-key", "x-auth-token", "x-access-key", "auth-token"],
            Brackets => &["auth[token]", "client[secret]", "credentials[api_key]"],
            Short => &[],
            Suffix => &[
                "signingKey",
                "hmacKey",
                "privateKey",
                "webhookSecret",
                "secretKey",
            ],
            Neutral => &[],
        },
        Kind::Session => match sp {
            Plain => &["session", "sessionid"],
            Camel => &["sessionId", "sessionKey", "sessionToken"],
            Snake => &["session_id", "session_token"],
            Kebab => &["x-session", "x-sid", "session-id"],
            Brackets => &["session[id]", "user[session_token]"],
            Short => &["sid"],
            Suffix => &["authSid", "userSession", "loginSession"],
            Neutral => &[],
        },
        Kind::Otp => match sp {
            Plain => &["otp", "passcode"],
            Camel => &["verificationCode", "mfaCode"],
            Snake => &["otp_code", "sms_code", "mfa_code", "totp_code"],
            Kebab => &["otp-code", "x-otp"],
            Brackets => &["user[otp_attempt]", "mfa[code]"],
            Short => &["otp", "pin"],
            Suffix => &["otpCode", "smsCode", "totpCode"],
            Neutral => &[],
        },
        _ => match sp {
            Plain => &["token", "secret", "key"],
            Camel => &["accessToken", "apiKey", "authToken"],
            Snake => &["access_token", "api_key", "private_key"],
            Kebab => &["x-api-key", "x-auth-token"],
            Brackets => &["auth[token]", "config[api_key]"],
            Short => &[],
            Suffix => &["signingKey", "githubToken", "botToken"],
            Neutral => &["data", "value", "ref", "item", "text", "q"],
        },
    }
}
