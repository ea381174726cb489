//! Free text: log lines, raw HTTP dumps, `curl` command lines, HTML, scripts, and
//! string values with no telling name. Structured shapes (header lines, `key=value`
//! pairs with credential names, HTML hidden inputs and meta tags, curl flags) are
//! handled by name; then every token rule and every known secret runs over the text.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use super::{Edit, Scrubber};
use crate::redact;
use crate::rules::names::{HeaderClass, ParamClass};

/// How much structure to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Token rules and known secrets only.
    RulesOnly,
    /// A string value inside JSON or a URL: header lines, key=value pairs, command
    /// lines (`--password S`, `curl -u`), rules.
    Value,
    /// Logs, dumps, plain text bodies: like `Value`.
    Plain,
    /// Scripts and markup: only quoted `key: "value"` pairs (an unquoted right-hand
    /// side is code, not data), HTML tags, rules.
    Code,
}

struct Res {
    header_line: Regex,
    kv: Regex,
    tuple: Regex,
    tag: Regex,
    attr: Regex,
    textarea: Regex,
    element: Regex,
    js_call: Regex,
    js_template: Regex,
    js_member: Regex,
    setter: Regex,
    words: AhoCorasick,
    env: Regex,
    url: Regex,
    label_cell: Regex,
    php_pair: Regex,
    php_string: Regex,
    label_element: Regex,
    label_input: Regex,
    shown_code: Regex,
    pipe_row: Regex,
    header_directive: Regex,
    directive: Regex,
    sql_insert: Regex,
    sql_copy: Regex,
}

/// The text scrubber's patterns are small automata: a bounded repetition of a Unicode
/// class (`[\w.]{1,128}`) can compile into a large one, whose search caches then
/// cost tens of MB per thread. Refused instead (every test that reads text fails).
const RES_SIZE_LIMIT: usize = 1 << 20;

fn small(pattern: &str) -> Result<Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(RES_SIZE_LIMIT)
        .build()
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        // `INSERT [IGNORE] INTO t (columns) VALUES ` (the rows follow).
        sql_insert: small(
            r#"(?i)\bINSERT\s+(?:IGNORE\s+)?INTO\s+[\w."`\[\]]+\s*\(([^()\r\n]+)\)\s*VALUES\s*"#,
        )
        .unwrap(),
        // `COPY t (columns) FROM stdin;` (a `pg_dump`; the rows are the lines after).
        sql_copy: small(r#"(?m)^COPY\s+[\w."]+\s*\(([^()\r\n]+)\)\s+FROM\s+stdin;\r?\n"#)
            .unwrap(),
        header_line: small(r"(?m)^[ \t>]*([A-Za-z][A-Za-z0-9_-]{1,63})[ \t]*:[ \t]*([^\r\n]*)").unwrap(),
        kv: small(
            r#"^["']?((?:[A-Za-z0-9_]|[^\x00-\x7F])(?:[A-Za-z0-9_.\-]|[^\x00-\x7F]){0,63}(?:\[[A-Za-z0-9_.\-]{0,32}\]){0,4})(?:["']?\])?["']?[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}(?:(?:\r?\n|(?:\\r)?\\n)?[ \t]{0,16}string\(\d{1,7}\)[ \t])?(?:b?"((?:[^"\\\r\n]|\\[^\r\n])*\\?)"|[NEb]?'([^'\r\n]*)'|(?:\\\r?\n[ \t]{0,16})?([^\s"'&,;<>(){}\[\]\\=][^\s"'&,;<>(){}\[\]\\]*)|\[([^\[\]\s,"']+)\]|b?"((?:[^"\\\r\n]|\\[^\r\n])+)(?m:$)|[NEb]?'([^'\r\n]+)(?m:$)|[\[(][ \t]*(?:b?"((?:[^"\\\r\n]|\\[^\r\n])*)"|b?'([^'\r\n]*)')[ \t]*[,\])])"#,
        )
        .unwrap(),
        // A name and its value as a pair of strings: a Python tuple `('X-Api-Key',
        // '…')` or `(b'x-api-key', b'…')`, Envoy's debug line `'x-api-key', '…'`.
        tuple: small(r#"^["']([A-Za-z][A-Za-z0-9_.:-]{0,63})["'][ \t]*,[ \t]*(?:b?"((?:[^"\\\r\n]|\\[^\r\n])*)"|b?'([^'\r\n]*)')[ \t]*(?:\)|\r?\n|\r?$)"#).unwrap(),
        tag: small(r#"<[A-Za-z][A-Za-z0-9:-]*(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?>"#).unwrap(),
        attr: small(r#"(?:^|[\s"'])([A-Za-z_:@][A-Za-z0-9_:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#).unwrap(),
        textarea: small(r#"(?is)<textarea(?-u:\b)((?:[^<>"']|"[^"]*"|'[^']*')*)>([^<]*)</textarea\s*>"#).unwrap(),
        element: small(r#"<((?:[A-Za-z_][A-Za-z0-9_.-]*:)?([A-Za-z_][A-Za-z0-9_.-]*))(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?>(?:<!\[CDATA\[((?s:.*?))\]\]>|([^<]+))</((?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*)\s*>"#).unwrap(),
        js_call: small(r#"(?-u:\b)(setItem|setRequestHeader|setHeader|set|append|header|put|define|Setenv|setenv|putenv|SetEnvironmentVariable|setProperty)\(\s*(?:"([^"\r\n]{1,80})"|'([^'\r\n]{1,80})'|`([^`$\r\n]{1,80})`)\s*,\s*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|`([^`]*)`)"#).unwrap(),
        js_template: small(r#"(?:["']([A-Za-z_$][A-Za-z0-9_$-]{0,63})["']|(?-u:\b)([A-Za-z_$][A-Za-z0-9_$]{0,63}))\s*:\s*`([^`]*)`"#).unwrap(),
        js_member: small(r#"\.([A-Za-z_$][A-Za-z0-9_$]{0,63})\s*=\s*(?:"((?:[^"\\\r\n]|\\[^\r\n])*\\?)"|'((?:[^'\\\r\n]|\\[^\r\n])*\\?)'|`([^`]*)`)"#).unwrap(),
        setter: small(r#"(?-u:\b)set([A-Z][A-Za-z0-9]{1,47})\(\s*(?:"([^"\r\n]*)"|'([^'\r\n]*)')\s*\)"#).unwrap(),
        url: small(r#"^(?i:https?|wss?)://[^\s"'<>\\`]+"#).unwrap(),
        env: small(r"(?m)^(?:\x{FEFF})?[ \t]*(?:export[ \t]+)?([A-Za-z0-9_][A-Za-z0-9_.]*)[ \t]*=[ \t]*([^\r\n]*)").unwrap(),
        // A PHP-serialized string member and the string after it (`s:8:"password";s:12:"`):
        // sessions, Laravel's cache and queue payloads, WordPress options. The value's
        // length is in bytes, counted by the reader.
        php_pair: small(r#"s:[0-9]{1,3}:"([^"]{1,80})";s:([0-9]{1,6}):""#).unwrap(),
        // A PHP-serialized string's head (`s:12:"`): its length is rewritten when an
        // edit changes the string.
        php_string: small(r#"s:([0-9]{1,7}):""#).unwrap(),
        // A label cell and the value cell after it: `<th>Password</th><td>…</td>`,
        // phpinfo's `<td class="e">DB_PASSWORD </td><td class="v">…</td>`, `<dt>…<dd>…`.
        label_cell: small(r"(?i)<(?:t[dh]|dt)(?:\s[^<>]*)?>[ \t\r\n]*([^<>]{1,96}?)[ \t\r\n]*</(?:t[dh]|dt)[ \t]*>[ \t\r\n]*<(?:td|dd)(?:\s[^<>]*)?>([^<>]*)</(?:td|dd)[ \t]*>").unwrap(),
        // A labelling element and the element after it: `<span class="key">API key</span>
        // <span class="value">…</span>`, `<strong>Password:</strong> <code>…</code>`.
        label_element: small(r"(?i)<(?:span|div|label|strong|b|p|li|dt|th)((?:\s[^<>]*)?)>[ \t\r\n]*([^<>]{1,96}?)[ \t\r\n]*</(?:span|div|label|strong|b|p|li|dt|th)[ \t]*>[ \t\r\n]*<(?:span|div|code|kbd|samp|tt|p|strong|b|li|dd|td|pre)(?:\s[^<>]*)?>([^<>]*)</(?:span|div|code|kbd|samp|tt|p|strong|b|li|dd|td|pre)[ \t]*>").unwrap(),
        // A label and the input it labels, shown read-only: `<label for="k">API key</label>
        // <input id="k" readonly value="…">`.
        label_input: small(r"(?i)<label(?:\s[^<>]*)?>[ \t\r\n]*([^<>]{1,96}?)[ \t\r\n]*</label[ \t]*>[ \t\r\n]*<input(\s[^<>]*)>").unwrap(),
        // A value shown in prose: `Your API key is <code>…</code>`, `Token: <kbd>…</kbd>`.
        shown_code: small(r"(?i)((?:[A-Za-z][A-Za-z0-9_-]*[ \t]){0,3}[A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+is|[ \t]*:)[ \t]*<(?:code|kbd|samp|tt|strong|b)>([^<>]*)</(?:code|kbd|samp|tt|strong|b)[ \t]*>").unwrap(),
        // A server directive that sets a header: nginx `proxy_set_header X-Api-Key …;`,
        // Apache `RequestHeader set Authorization "Basic …"`.
        header_directive: small(r#"(?im)^[ \t]*(?:proxy_set_header|grpc_set_header|add_header|RequestHeader[ \t]+(?:set|append|add|merge|setifempty)|Header[ \t]+(?:always[ \t]+)?(?:set|append|add|merge|setifempty))[ \t]+["']?([A-Za-z][A-Za-z0-9_-]{0,63})["']?[ \t]+(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"|'([^'\r\n]*)'|([^"'\s;][^;#\r\n]*?))[ \t]*;?[ \t]*(?:#[^\r\n]*)?\r?$"#).unwrap(),
        // A configuration directive whose last two words are a credential's name and
        // its value: msmtp's `password …`, Apache's `AuthLDAPBindPassword "…"`, HAProxy's
        // `user admin insecure-password …`, Gradle's `password '…'`, nginx's
        // `set $api_token "…";`, a classic `.yarnrc`'s `"//registry/:_authToken" "…"`.
        directive: small(r#"(?m)(?:^|[ \t])(?:[$@]?([A-Za-z][A-Za-z0-9_.-]{1,63})|"([^"\s]{2,200})")[ \t]+("[^"\r\n]*"|'[^'\r\n]*'|[^\s"';]+)[ \t]*;?[ \t]*\r?$"#).unwrap(),
        // A row of two cells in a Markdown or ASCII table: `| DB_PASSWORD | … |`.
        pipe_row: small(r"(?m)^[ \t]*\|[ \t]*([^|\r\n]{1,96}?)[ \t]*\|[ \t]*([^|\s]+)[ \t]*\|[ \t]*\r?$").unwrap(),
        words: AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build([
                "pass", "pwd", "secret", "token", "key", "auth", "sess", "sid", "code", "sig",
                "csrf", "xsrf", "cred", "saml", "otp", "pin", "ticket", "assertion", "bearer",
                "jwt", "cookie", "private", "dsn", "connection",
                // Every credential name of `patterns/names.toml` holds one of these
                // (`prefilter_tests` checks it), and so does every command that takes a
                // password (`curl -u`).
                "pw", "psw", "hmac", "psk", "refresh", "handle", "magic", "mfa", "cfaccess",
                "cf-access", "cf_access", "jfrog", "honeycomb", "appcheck", "oidc", "curl",
                "resume", "ppft", "canary", "verifier", "castgc", "sapsso", "nscaaac",
                "pomerium", "iplanet", "keycloak", "pgt", "glide", "mnemonic", "phrase", "cvv",
                "cvc", "crumb", "digest", "g_ck", "gck", "sysparm", "snlm0e", "macaroon", "tgt",
                "clave",
                "wort", "contrase", "senha", "wachtw", "haslo", "heslo", "jelszo", "lozinka",
                "salasana", "losenord", "parool", "sifre", "parola", "adgangskode",
                // The same words as written, with their accents and in their scripts
                // (Cyrillic without its first letter: either case).
                "lösenord", "hasło", "şifre", "ароль", "арола", "κωδικ", "密码", "密碼", "口令",
                "パスワード", "비밀번호", "סיסמה", "khau", "khẩu", "sandi", "laluan", "geslo",
                "slaptazod", "lykilor", "كلمة", "رمز",
                // Commands whose password flags are single letters (see `TOOL_FLAGS`).
                "redis-cli", "keydb-cli", "valkey-cli", "sqlcmd", "bcp ", "osql", "isql", "ldap",
                "mysql", "mariadb", "mongo", "login", "ipmitool", "snmp", "openssl", "smbclient", "rpcclient", "smbmap",
                "sqlplus", "rman", "expdp", "impdp", "dgmgrl", "http ", "https ", "xh ", "xhs ",
                "zip", "7z", "psexec", "paexec", "twine", "lftp", "net use", "net.exe", "rabbitmqctl",
                "chpasswd", "smbget", "snmp-server", "sqlconnectinfo", "salt", "nonce",
                // XML-RPC calls with a positional password (`xml_rpc_call`).
                "<methodcall",
            ])
            .unwrap(),
    })
}

/// `accesskey: "accessKey"`: a value that spells its own key is a name mapping.
fn names_itself(v: &[u8], s: usize, e: usize) -> bool {
    let mut k = s;
    let mut assigned = false;
    while k > 0 && matches!(v[k - 1], b'"' | b'\'' | b' ' | b'\t' | b':' | b'=') {
        assigned |= matches!(v[k - 1], b':' | b'=');
        k -= 1;
    }
    if !assigned {
        return false;
    }
    let ke = k;
    while k > 0 && is_name_byte(v[k - 1]) {
        k -= 1;
    }
    ke > k && crate::rules::names::normalize(&v[k..ke]) == crate::rules::names::normalize(&v[s..e])
}

/// Could `v` hold a command line with a password: a flag, `config set`, or one of
/// the tools that take `user/password` ([`Scrubber::positional_passwords`]).
fn may_hold_command(v: &[u8]) -> bool {
    // A flag follows a blank (` -p`, `\t--password`).
    memchr::memmem::find(v, b" -").is_some()
        || memchr::memmem::find(v, b"\t-").is_some()
        || memchr::memmem::find(v, b"config").is_some()
        || [
            &b"sqlplus"[..],
            b"rman",
            b"expdp",
            b"impdp",
            b"dgmgrl",
            b"net use",
            b"net.exe",
            b"_user ",
            b"_password ",
            b"chpasswd",
        ]
        .iter()
        .any(|t| memchr::memmem::find(v, t).is_some())
}

/// Tools whose password flag is a single letter, which no name model can tell.
struct ToolFlags {
    tools: &'static [&'static [u8]],
    /// The flags taking the password as the next word (`-a S`), or glued (`-pS`).
    flags: &'static [&'static [u8]],
    /// The password may be glued to the flag (`mysql -pS`, `sshpass -pS`).
    glued: bool,
    /// The flag alone (`mysql -p`) prompts: only the glued form holds a password.
    glued_only: bool,
    /// The value is `user<sep>password` (`smbclient -U bob%S`, `http -a bob:S`).
    split: Option<u8>,
    /// Without the separator the value is only a user name.
    split_required: bool,
}

impl ToolFlags {
    /// `tools` take the password as the word after one of `flags` (`-a S`).
    const fn next(tools: &'static [&'static [u8]], flags: &'static [&'static [u8]]) -> Self {
        ToolFlags {
            tools,
            flags,
            glued: false,
            glued_only: false,
            split: None,
            split_required: false,
        }
    }

    /// The password may also be glued to the flag (`-pS`); `only`: the flag alone
    /// prompts.
    const fn glued(self, only: bool) -> Self {
        ToolFlags {
            glued: true,
            glued_only: only,
            ..self
        }
    }

    /// The value is `user<sep>password`; `required`: without `sep` it is a user.
    const fn split(self, sep: u8, required: bool) -> Self {
        ToolFlags {
            split: Some(sep),
            split_required: required,
            ..self
        }
    }

    /// The span of the password this flag word carries, if it is one of ours.
    fn value(
        &self,
        word: &[u8],
        flag: &[u8],
        next: Option<(usize, usize, usize, usize)>,
        s: usize,
        e: usize,
    ) -> Option<(usize, usize)> {
        for f in self.flags {
            if word == *f && !self.glued_only {
                return next.map(|(ns, ne, _, _)| (ns, ne));
            }
            if flag == *f && flag.len() < word.len() {
                // `--auth=bob:S`
                return Some((s + flag.len() + 1, e));
            }
            if self.glued && f.len() == 2 && word.len() > 2 && word.starts_with(f) {
                return Some((s + 2, e));
            }
        }
        None
    }
}

const TOOL_FLAGS: &[ToolFlags] = &[
    ToolFlags::next(&[b"sshpass"], &[b"-p"]).glued(false),
    ToolFlags::next(
        &[
            b"mysql",
            b"mysqldump",
            b"mysqladmin",
            b"mysqlimport",
            b"mysqlcheck",
            b"mysqlshow",
            b"mariadb",
            b"mariadb-dump",
        ],
        &[b"-p"],
    )
    .glued(true),
    ToolFlags::next(&[b"redis-cli", b"keydb-cli", b"valkey-cli"], &[b"-a"]),
    ToolFlags::next(&[b"sqlcmd", b"bcp", b"osql", b"isql"], &[b"-P"]),
    ToolFlags::next(
        &[
            b"ldapsearch",
            b"ldapmodify",
            b"ldapadd",
            b"ldapdelete",
            b"ldapwhoami",
            b"ldappasswd",
            b"ldapcompare",
            b"ldapmodrdn",
        ],
        &[b"-w"],
    ),
    ToolFlags::next(
        &[
            b"mongosh",
            b"mongo",
            b"mongodump",
            b"mongorestore",
            b"mongoexport",
            b"mongoimport",
            b"mongostat",
            b"mongotop",
        ],
        &[b"-p"],
    ),
    // `docker login -p`, `helm registry login -p`, `az login -p`: `-p` after `login`.
    ToolFlags::next(&[b"login"], &[b"-p"]),
    ToolFlags::next(
        &[b"smbclient", b"rpcclient", b"smbmap", b"smbget"],
        &[b"-U", b"--user"],
    )
    .split(b'%', true),
    ToolFlags::next(&[b"curl"], &[b"-U", b"--proxy-user", b"-u", b"--user"])
        .glued(false)
        .split(b':', true),
    ToolFlags::next(
        &[b"zip", b"unzip", b"zipcloak", b"zipnote", b"funzip"],
        &[b"-P", b"--password"],
    ),
    ToolFlags::next(&[b"7z", b"7za", b"7zr", b"7zz"], &[b"-p"]).glued(true),
    ToolFlags::next(
        &[b"psexec", b"psexec.exe", b"paexec", b"twine", b"psexec64"],
        &[b"-p"],
    ),
    // `gh secret set NAME --body S`.
    ToolFlags::next(&[b"secret"], &[b"-b", b"--body"]),
    ToolFlags::next(&[b"lftp"], &[b"-u", b"--user"]).split(b',', true),
    ToolFlags::next(&[b"http", b"https", b"xh", b"xhs"], &[b"-a", b"--auth"]).split(b':', true),
    // `openssl enc -k PASSWORD`.
    ToolFlags::next(&[b"openssl"], &[b"-k"]),
    // IPMI's password, SNMP's community and v3 pass phrases.
    ToolFlags::next(&[b"ipmitool"], &[b"-P"]),
    ToolFlags::next(
        &[
            b"snmpwalk",
            b"snmpget",
            b"snmpbulkwalk",
            b"snmpset",
            b"snmpgetnext",
            b"snmptrap",
        ],
        &[b"-c", b"-A", b"-X"],
    ),
];

/// The words of a command line between `from` and `to`, split at blanks outside
/// quotes: (start, end, and the same without the quotes of a wholly quoted word).
fn shell_words(v: &[u8], from: usize, to: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut words = Vec::new();
    let mut i = from;
    while i < to {
        while i < to
            && (matches!(v[i], b' ' | b'\t' | b'\r' | b'\n')
                || (matches!(v[i], b'\\' | b'^' | b'`')
                    && v[i + 1..to]
                        .iter()
                        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
                        .count()
                        + i
                        + 1
                        < to
                    && v[i + 1..to]
                        .iter()
                        .find(|b| !matches!(b, b' ' | b'\t' | b'\r'))
                        == Some(&b'\n')))
        {
            i += 1;
        }
        if i >= to {
            break;
        }
        let s = i;
        let mut quote: Option<u8> = None;
        while i < to {
            let b = v[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if matches!(b, b' ' | b'\t' | b'\r' | b'\n') => break,
                None => {}
            }
            i += 1;
        }
        let (is, ie) = unquote_span(v, s, i);
        words.push((s, i, is, ie));
    }
    words
}

/// A span without the quotes that wrap it whole (`'S'`, `"S"`).
fn unquote_span(v: &[u8], s: usize, e: usize) -> (usize, usize) {
    if e >= s + 2 && matches!(v[s], b'"' | b'\'') && v[e - 1] == v[s] {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

/// A shell or template reference, not a value: `$PASS`, `${PASS}`, `%PASS%`,
/// `{{ .Values.pass }}`, `<password>`.
fn is_reference(v: &[u8]) -> bool {
    let name =
        |b: &[u8]| !b.is_empty() && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_');
    (v.first() == Some(&b'$')
        && (name(&v[1..])
            || (v.len() > 3 && v[1] == b'{' && v.ends_with(b"}") && name(&v[2..v.len() - 1]))))
        || (v.len() > 2 && v[0] == b'%' && v.ends_with(b"%") && name(&v[1..v.len() - 1]))
        || (v.starts_with(b"{{") && v.ends_with(b"}}"))
        || (v.len() > 2 && v[0] == b'<' && v.ends_with(b">") && name(&v[1..v.len() - 1]))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']')
}

/// The length of the letter outside ASCII (UTF-8) that ends at `at`, if one does.
fn letter_before(v: &[u8], at: usize) -> Option<usize> {
    let from = at.saturating_sub(4);
    (1..=at - from).find_map(|l| {
        let c = std::str::from_utf8(&v[at - l..at]).ok()?.chars().next()?;
        (!c.is_ascii() && c.is_alphabetic()).then_some(l)
    })
}

/// A pair's name written as a path (an AWS SSM parameter `/prod/db/password`, a Vault
/// key `secret/app/api_key`): its last segment names the value.
fn last_path_segment(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'/') {
        Some(i) if i + 1 < name.len() => &name[i + 1..],
        _ => name,
    }
}

/// The span of the first matched alternative among capture groups `groups`.
fn first_group(c: &regex::bytes::Captures, groups: &[usize]) -> Option<(usize, usize)> {
    groups
        .iter()
        .find_map(|&g| c.get(g))
        .map(|m| (m.start(), m.end()))
}

fn is_nothing(v: &[u8]) -> bool {
    let l = v.to_ascii_lowercase();
    matches!(
        l.as_slice(),
        b"" | b"null"
            | b"none"
            | b"nil"
            | b"true"
            | b"false"
            | b"undefined"
            | b"****"
            | b"*****"
            | b"********"
            | b"<redacted>"
            | b"redacted"
            | b"[redacted]"
            | b"[filtered]"
            | b"xxx"
            | b"..."
    ) || redact::only_placeholders(v)
}

/// Where a header-shaped pair's unquoted value (`Authorization: Bearer …`) starting
/// at `vs` ends: at the end of its line, or before an escaped line break (`\n` in a
/// JSON string of a log line), or, when the pair opened a quoted string
/// (`-H 'Authorization: Bearer …'`, the quote at `q` before the name ending at
/// `ne`), at the quote that closes it.
fn header_value_end(v: &[u8], q: usize, ne: usize, vs: usize) -> usize {
    let eol = vs + memchr::memchr2(b'\n', b'\r', &v[vs..]).unwrap_or(v.len() - vs);
    let mut end = before_escaped_break(v, vs, eol);
    let open = v[q];
    if matches!(open, b'"' | b'\'') && v.get(ne) != Some(&open) {
        if let Some(p) = memchr::memchr(open, &v[vs..end]) {
            end = vs + p;
            // An escaped quote (`\"`) closes a string inside a JSON string.
            if end > vs && v[end - 1] == b'\\' {
                end -= 1;
            }
        }
    }
    end
}

/// `v[vs..end]` up to an escaped line break (`\n`, `\r\n`, `\\r\\n` in a JSON string of
/// a log line), which ends a header's value as a line break does.
fn before_escaped_break(v: &[u8], vs: usize, end: usize) -> usize {
    let Some(p) = memchr::memmem::find_iter(&v[vs..end], b"\\")
        .find(|&p| matches!(v.get(vs + p + 1), Some(b'n' | b'r')))
    else {
        return end;
    };
    // The whole run of backslashes.
    let mut e = vs + p;
    while e > vs && v[e - 1] == b'\\' {
        e -= 1;
    }
    e
}

/// Where an unquoted `Scheme token` value (`Bearer …`, `Basic …`, a bare token) at
/// `vs`, taken up to `end`, really ends when what follows its token cannot be part of
/// it: closing tags (`<p>Authorization: Bearer …</p>` in a log of a page), or, in a
/// map printed by Java or Kotlin (`{authorization=Bearer …, accept=*/*}`: `map` says
/// the pair is one), the next `, name=` or the closing `}`. A token never holds a
/// blank, `<`, `,` or `}` (RFC 6750's b64token, base64): anything else (a value of
/// several words, a token running on) keeps `end`, so no part of a secret is left.
fn scheme_value_end(v: &[u8], vs: usize, end: usize, map: bool) -> usize {
    let word = v[vs..end]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        .count();
    let mut t = vs;
    if word > 0 && v.get(vs + word) == Some(&b' ') {
        t = vs + word;
        while t < end && v[t] == b' ' {
            t += 1;
        }
    }
    let te = t + v[t..end]
        .iter()
        .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'<' | b',' | b'}'))
        .count();
    if te == t || te == end {
        return end;
    }
    let rest = &v[te..end];
    // Closing tags, to the end of the value or to the next element (`rest` is not
    // empty): `</td><td>200 OK</td>` is the next cell of a table, not the token.
    if past_closing_tags(rest, true).is_some_and(|r| {
        r.is_empty() || (r[0] == b'<' && r.get(1).is_some_and(u8::is_ascii_alphabetic))
    }) {
        return te;
    }
    if map {
        // (`}` then more of the value is no end: `Bearer ab}cd`.)
        if rest[0] == b'}'
            && rest
                .get(1)
                .is_none_or(|b| b.is_ascii_whitespace() || b",;)]}".contains(b))
        {
            return te;
        }
        if let Some(after) = rest.strip_prefix(b", ") {
            let n = after
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                .count();
            if n > 0 && after.get(n) == Some(&b'=') {
                return te;
            }
        }
    }
    end
}

/// `v[s..e]` less the closing tags that end it (`…</p></div>`), when its last `<` is
/// no part of a word of its own: the value up to the first of them.
fn before_closing_tags(v: &[u8], s: usize, e: usize) -> usize {
    let Some(p) = memchr::memmem::find(&v[s..e], b"</") else {
        return e;
    };
    if past_closing_tags(&v[s + p..e], false).is_some_and(<[u8]>::is_empty) {
        s + p
    } else {
        e
    }
}

/// `r` after the closing tags it starts with (`</p></div>`), and after the white space
/// following each when `spaced`; `None` when a `</` among them starts no closing tag.
fn past_closing_tags(mut r: &[u8], spaced: bool) -> Option<&[u8]> {
    while let Some(after) = r.strip_prefix(b"</") {
        let n = after
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-'))
            .count();
        if n == 0 || after.get(n) != Some(&b'>') {
            return None;
        }
        r = &after[n + 1..];
        if spaced {
            r = r.trim_ascii_start();
        }
    }
    Some(r)
}

/// Does a tuple open before `at` (a `(` and blanks, or the start of a line): a pair
/// of strings there is a name and its value, not two items of a list.
fn opens_tuple(v: &[u8], at: usize) -> bool {
    let mut p = at;
    while p > 0 && matches!(v[p - 1], b' ' | b'\t') {
        p -= 1;
    }
    p == 0 || matches!(v[p - 1], b'(' | b'\n')
}

/// A header directive's value that is a variable of the server, not a credential:
/// nginx's `$upstream_token`, Apache's `%{API_TOKEN}e`, after a scheme word or not
/// (`"Bearer $upstream_token"`).
fn server_variable(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last().filter(|_| words.len() <= 2) else {
        return false;
    };
    let nginx = last.len() > 1
        && last[0] == b'$'
        && last[1..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let apache = last.starts_with(b"%{") && memchr::memchr(b'}', last).is_some();
    nginx || apache
}

/// Does a value read as a sentence (`too short (minimum is 12 characters)`) rather
/// than a credential? Three or more words, one of them a common function word.
pub(crate) fn reads_as_prose(v: &[u8]) -> bool {
    const STOP: &[&str] = &[
        "is",
        "are",
        "be",
        "must",
        "should",
        "too",
        "the",
        "a",
        "an",
        "at",
        "least",
        "not",
        "of",
        "to",
        "for",
        "and",
        "or",
        "with",
        "your",
        "you",
        "please",
        "required",
        "invalid",
        "minimum",
        "maximum",
        "characters",
        "contain",
        "contains",
        "match",
        "does",
        "incorrect",
        "wrong",
        "expired",
        "has",
        "have",
        "been",
        "was",
        "will",
        "can",
        "cannot",
        "enter",
        "missing",
        "empty",
        "this",
        "that",
        "field",
        "length",
    ];
    let Ok(t) = std::str::from_utf8(v) else {
        return false;
    };
    let words: Vec<&str> = t.split_whitespace().collect();
    words.len() >= 3
        && words.iter().any(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase();
            STOP.contains(&w.as_str())
        })
}

impl Scrubber<'_> {
    /// Scrub free text.
    pub fn text(&mut self, v: &[u8], base: usize, mode: Mode, out: &mut Vec<Edit>) {
        // The lines of a hex dump are read for the bytes they show; the rest of the text
        // is read without them (their text column, cut into lines, is no text: a
        // `session=s3ss10n-` at the end of one would be a value of its own).
        if memchr::memmem::find(v, b"0000").is_some() {
            if let Some(block) = crate::codec::hexdump::joined(v) {
                let mut rest = v.to_vec();
                for (&(ls, _), &le) in block.lines.iter().zip(&block.ends) {
                    rest[ls..le].fill(b' ');
                }
                self.hex_dumps(base, &block, mode, out);
                self.text(&rest, base, mode, out);
                return;
            }
        }
        let first = out.len();
        let r = res();
        // (GraphQL variables name no credential: their arguments do.)
        let structured =
            mode != Mode::RulesOnly && (!self.graphql.is_empty() || r.words.is_match(v));
        let mut handled = Spans::default();
        if structured {
            self.embedded_json(v, base, out);
            if mode == Mode::Plain {
                self.docker_log_view(v, base, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain) {
                self.prefixed_pem(v, base, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain) && memchr::memchr(b':', v).is_some() {
                for c in r.header_line.captures_iter(v) {
                    let name = c.get(1).unwrap();
                    let val = c.get(2).unwrap();
                    // `accessToken := "…"` is an assignment, read as a key/value pair.
                    if val.as_bytes().first() == Some(&b'=') {
                        continue;
                    }
                    let class = self.engine.names.header(name.as_bytes());
                    if class == HeaderClass::Other || class == HeaderClass::Url {
                        continue;
                    }
                    // A YAML value on the lines after its key (`api_secret: |`, `key:`
                    // then a deeper line): that block is the value.
                    if let Some((bs, be)) =
                        yaml_block_value(v, name.start(), val.start(), val.end())
                    {
                        self.header(name.as_bytes(), &v[bs..be], base + bs, out);
                        handled.push((name.start(), be));
                        continue;
                    }
                    // `Password: too short (minimum is 12 characters)` is a message.
                    if class == HeaderClass::Secret && reads_as_prose(val.as_bytes()) {
                        handled.push((name.start(), val.end()));
                        continue;
                    }
                    let (mut vs, mut ve) =
                        (val.start(), before_escaped_break(v, val.start(), val.end()));
                    // LDIF's `userPassword:: <base64>`: the second colon says the
                    // value is base64, and stays.
                    if v.get(vs) == Some(&b':') && ve - vs > 2 && v[vs + 1] == b' ' {
                        vs += 1;
                        while vs < ve && v[vs] == b' ' {
                            vs += 1;
                        }
                    }
                    // A YAML anchor (`password: &db …`) names the value, and is no
                    // part of it; an alias of an anchor in the document (`*db`) is a
                    // reference, redacted where the anchor is.
                    if v.get(vs) == Some(&b'&') || v.get(vs) == Some(&b'*') {
                        let n = v[vs + 1..ve]
                            .iter()
                            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                            .count();
                        let anchor = |a: &[u8]| {
                            memchr::memmem::find_iter(v, a).any(|p| {
                                p > 0
                                    && matches!(v[p - 1], b' ' | b'\t')
                                    && v.get(p + a.len()).is_none_or(|b| b.is_ascii_whitespace())
                            })
                        };
                        // (Only when an alias refers to it: a password may start
                        // with `&` too.)
                        if n > 0
                            && v[vs] == b'&'
                            && v.get(vs + 1 + n) == Some(&b' ')
                            && memchr::memmem::find(v, &[b"*", &v[vs + 1..vs + 1 + n]].concat())
                                .is_some()
                        {
                            vs += 1 + n;
                            while vs < ve && v[vs] == b' ' {
                                vs += 1;
                            }
                        } else if n > 0
                            && v[vs] == b'*'
                            && v[vs + 1 + n..ve].trim_ascii().is_empty()
                            && anchor(&[b"&", &v[vs + 1..vs + 1 + n]].concat())
                        {
                            handled.push((name.start(), val.end()));
                            continue;
                        }
                    }
                    let line_start = v[..name.start()]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |p| p + 1);
                    let col = name.start() - line_start;
                    let whole = v[vs..val.end()].trim_ascii_end().len();
                    match v.get(vs) {
                        // A value in quotes (`Authorization: 'Bearer …'` printed by a
                        // script, YAML's `key: "…\n…"`): the quotes are not part of it.
                        Some(&q @ (b'\'' | b'"')) if whole >= 2 && v[vs + whole - 1] == q => {
                            (vs, ve) = (vs + 1, vs + whole - 1);
                        }
                        // A quoted YAML scalar going on over the next lines: up to its
                        // closing quote.
                        Some(b'\'' | b'"') => {
                            if let Some(c) = closing_quote_after(v, vs, val.end()) {
                                (vs, ve) = (vs + 1, c);
                            }
                        }
                        // A plain YAML scalar going on over the more indented lines
                        // after it.
                        Some(&b) if !b"|>!{[#%@`".contains(&b) && ve == val.end() => {
                            if let Some((_, e)) = deeper_lines(v, val.end(), col, true) {
                                ve = e;
                            }
                        }
                        _ => {}
                    }
                    if class == HeaderClass::Scheme && ve == val.end() {
                        ve = scheme_value_end(v, vs, ve, false);
                    }
                    self.header(name.as_bytes(), &v[vs..ve], base + vs, out);
                    handled.push((name.start(), val.end().max(ve)));
                }
            }
            if matches!(mode, Mode::Value | Mode::Plain)
                && memchr::memmem::find(v, b"eader ").is_some()
            {
                for c in r.header_directive.captures_iter(v) {
                    let name = c.get(1).unwrap();
                    let Some(val) = c.get(2).or(c.get(3)).or(c.get(4)) else {
                        continue;
                    };
                    if handled.overlaps(val.start(), val.end()) {
                        continue;
                    }
                    if !server_variable(val.as_bytes()) {
                        self.header(name.as_bytes(), val.as_bytes(), base + val.start(), out);
                    }
                    handled.push((name.start(), val.end()));
                }
            }
            if matches!(mode, Mode::Value | Mode::Plain)
                && memchr::memchr2(b' ', b'\t', v).is_some()
            {
                self.directives(v, base, &mut handled, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain) && may_hold_command(v) {
                self.command_lines(v, base, &mut handled, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain) && memchr::memchr(b'\n', v).is_some() {
                self.yaml_pairs(v, base, &mut handled, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain) && memchr::memchr(b'|', v).is_some() {
                self.pipe_rows(v, base, &mut handled, out);
            }
            if memchr::memmem::find(v, b"\";s:").is_some() {
                self.php_serialized(v, base, &mut handled, out);
            }
            if mode == Mode::Plain {
                self.protocol_lines(v, base, &mut handled, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain)
                && memchr::memmem::find(v, b"kind: Secret").is_some()
            {
                self.k8s_secret_yaml(v, base, &mut handled, out);
            }
            if matches!(mode, Mode::Value | Mode::Plain)
                && [&b"INSERT"[..], b"insert", b"Insert", b"COPY "]
                    .iter()
                    .any(|w| memchr::memmem::find(v, w).is_some())
            {
                self.sql_rows(v, base, &mut handled, out);
            }
            if memchr::memchr(b'<', v).is_some() {
                self.html_tags(v, base, &mut handled, out);
                if [&b"<td"[..], b"<TD", b"<th", b"<TH", b"<dt", b"<DT"]
                    .iter()
                    .any(|t| memchr::memmem::find(v, t).is_some())
                {
                    self.label_cells(v, base, &mut handled, out);
                }
                self.label_elements(v, base, &mut handled, out);
                self.xml_elements(v, base, &mut handled, out);
                if memchr::memmem::find(v, b"<methodCall").is_some() {
                    self.xml_rpc_call(v, base, &mut handled, out);
                }
            }
            if mode != Mode::RulesOnly {
                self.js_calls(v, base, &mut handled, out);
            }
            if memchr::memmem::find(v, b"://").is_some() {
                self.urls_in_text(v, base, false, &mut handled, out);
            }
            self.key_values(v, base, mode, &handled, out);
        }
        if !structured && mode != Mode::RulesOnly && memchr::memmem::find(v, b"://").is_some() {
            self.urls_in_text(v, base, true, &mut handled, out);
        }
        self.rule_spans(v, base, first, out);
        self.layers(v, base, mode, out);
        if out.len() > first
            && [&b";s:"[..], b"{s:"]
                .iter()
                .any(|w| memchr::memmem::find(v, w).is_some())
        {
            Self::php_lengths(v, base, first, out);
        }
    }

    /// Hex dumps (`xxd`, `hexdump -C`, `tcpdump -X`…: `codec::hexdump`): the bytes the
    /// dump lines show, their runs joined (`hexdump::joined`), are read as plain text,
    /// and every byte of a credential found there (a JWT's header and payload too)
    /// becomes `*` in both columns. The dump keeps its offsets, its lengths and its
    /// layout. No placeholder: one does not fit in a line of 16 bytes, and cut across
    /// lines its pieces (`jwt:92fb…`) read as `name:value` pairs. A finding is located
    /// where its first hex digits are.
    fn hex_dumps(
        &mut self,
        base: usize,
        b: &crate::codec::hexdump::Block,
        mode: Mode,
        out: &mut Vec<Edit>,
    ) {
        let from = self.findings.len();
        // Findings are located by dump line and byte first, then where that byte's
        // hex digits are.
        let by_line = self.lines.is_some();
        let saved = by_line.then(|| {
            let lines = self.lines.replace(b.lines.iter().map(|l| l.1).collect());
            (lines, std::mem::take(&mut self.origin))
        });
        let mut found = Vec::new();
        // (A dump in a key, read for rules and known secrets, is read so.)
        let inner = if mode == Mode::RulesOnly {
            mode
        } else {
            Mode::Plain
        };
        self.text(&b.bytes, 0, inner, &mut found);
        if let Some((lines, origin)) = saved {
            self.lines = lines;
            self.origin = origin;
            for k in from..self.findings.len() {
                let Some((r, c)) = self.findings[k].location.split_once(':') else {
                    continue;
                };
                let (Ok(r), Ok(c)) = (r.parse::<usize>(), c.parse::<usize>()) else {
                    continue;
                };
                let byte = b.lines.get(r.wrapping_sub(1)).map(|l| l.1 + c - 1);
                if let Some(&(hex, _)) = byte.and_then(|i| b.at.get(i)) {
                    self.findings[k].location = self.location(origin + base + hex);
                }
            }
        }
        for e in found {
            for i in e.claim.min(e.start)..e.end.min(b.bytes.len()) {
                let (hex, shown) = b.at[i];
                let wide = 1 + usize::from(b.wide.binary_search(&i).is_ok());
                for (at, len, text) in [(hex, 2, "2a"), (shown, wide, "*")] {
                    if at == crate::codec::hexdump::NO_TEXT {
                        continue;
                    }
                    out.push(Edit {
                        start: base + at,
                        end: base + at + len,
                        text: text.to_string(),
                        claim: base + at,
                    });
                }
            }
        }
    }

    /// A Docker json-file log (`{"log": "…\n", "stream": …}` per line) holds one line of
    /// the container's output per record: what spans lines there (a YAML `name:`/`value:`
    /// pair, an SMTP exchange, a Kubernetes Secret) is in no single record. The `log`
    /// strings are read again joined, as the container wrote them; what that finds is
    /// redacted in the record that holds it and located on that record's line; a find
    /// spanning records (a block scalar) is cut at the records' bounds. The copy's
    /// verification reads the same view. Read in a log file and in a body (an
    /// `application/x-ndjson` response in a HAR) alike.
    pub(crate) fn docker_log_view(&mut self, data: &[u8], base: usize, edits: &mut Vec<Edit>) {
        use crate::codec::json::{self, Value};
        let head = data.trim_ascii_start();
        if !(head.starts_with(b"{\"log\":") || head.starts_with(b"{\"log\" :")) {
            return;
        }
        // (raw line number, column and range of the `log` string, its start in `joined`).
        let mut records: Vec<(usize, usize, std::ops::Range<usize>, usize)> = Vec::new();
        let mut joined = Vec::new();
        let mut line_start = 0;
        for (n, line) in data.split(|&b| b == b'\n').enumerate() {
            let at = line_start;
            line_start += line.len() + 1;
            let Ok(Value::Obj(members)) = json::Parser::new(line, 8).parse_document() else {
                continue;
            };
            let Some(r) = members.iter().find_map(|(k, v)| match v {
                Value::Str(r) if &line[k.clone()] == b"log" => Some(r.clone()),
                _ => None,
            }) else {
                continue;
            };
            records.push((n + 1, r.start, at + r.start..at + r.end, joined.len()));
            joined.extend_from_slice(&json::decode(&line[r]));
        }
        // One record too: its line read as a log line (`PASS S`, `enable password S`),
        // which a JSON string value is not.
        if records.is_empty() {
            return;
        }
        let before: std::collections::HashSet<(String, String)> = self
            .findings
            .iter()
            .map(|f| (f.location.clone(), f.fingerprint.clone()))
            .collect();
        let from = self.findings.len();
        // In a text located by line (a log file), findings of the joined view are
        // located by record first (`record:offset`), then on the record's line.
        let by_line = self.lines.is_some();
        let saved = if by_line {
            self.lines.replace(records.iter().map(|r| r.3).collect())
        } else {
            None
        };
        let mut found = Vec::new();
        self.text(&joined, 0, Mode::Plain, &mut found);
        if by_line {
            self.lines = saved;
        }
        let record_of = |at: usize| records.partition_point(|r| r.3 <= at).max(1) - 1;
        for e in found {
            // A find spanning records (a block scalar's lines) is cut at their bounds: the
            // placeholder goes where it starts, the rest of it is emptied.
            let mut k = record_of(e.start);
            let mut text = Vec::new();
            json::encode_into(e.text.as_bytes(), &mut text);
            let mut text = String::from_utf8_lossy(&text).into_owned();
            while k < records.len() && records[k].3 < e.end.max(e.start + 1) {
                let (_, _, raw, seg) = &records[k];
                let seg_end = records.get(k + 1).map_or(joined.len(), |r| r.3);
                let (ps, pe) = (e.start.max(*seg), e.end.min(seg_end));
                let map = json::offset_map(&data[raw.clone()]);
                let at = |x: usize| base + raw.start + map.raw_offset(x - seg);
                edits.push(Edit {
                    start: at(ps),
                    end: at(pe),
                    text: std::mem::take(&mut text),
                    claim: at(e.claim.clamp(ps, pe)),
                });
                k += 1;
            }
        }
        // Each new finding on its record's line and column; one already found there
        // (by reading the record alone) is not counted twice.
        let mut fresh = self.findings.split_off(from);
        for f in fresh.iter_mut().filter(|_| by_line) {
            let Some((r, c)) = f.location.split_once(':') else {
                continue;
            };
            let (Ok(r), Ok(c)) = (r.parse::<usize>(), c.parse::<usize>()) else {
                continue;
            };
            if let Some((line, col, _, _)) = records.get(r.wrapping_sub(1)) {
                f.location = format!("{}:{}", line, col + c);
            }
        }
        fresh.retain(|f| !before.contains(&(f.location.clone(), f.fingerprint.clone())));
        self.findings.extend(fresh);
    }

    /// A PEM private key printed one line per log record, each line after the
    /// record's prefix (`2024-01-01T10:00:00Z app[42]: MIIEvQ…`, a CI log's timestamps,
    /// `kubectl logs` with a pod's name): the block rule needs the base64 lines bare.
    /// After a `BEGIN … PRIVATE KEY` line with text before it, every following line
    /// ending in base64 (after a blank, `|`, `:` or `]`) is a line of the key, up to
    /// the `END` line; each loses its base64, its prefix stays.
    fn prefixed_pem(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut at = 0;
        while let Some(p) = memchr::memmem::find(&v[at..], b"-----BEGIN ").map(|p| at + p) {
            at = p + 11;
            let ls = v[..p]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let le = line_end(v, p);
            let head = &v[p..le];
            let is_key = memchr::memmem::find(head, b"PRIVATE KEY").is_some()
                && head.trim_ascii_end().ends_with(b"-----");
            // A bare block is the block rule's.
            if !is_key || v[ls..p].trim_ascii().is_empty() {
                continue;
            }
            let mut line = le + if v[le..].starts_with(b"\r\n") { 2 } else { 1 };
            let mut lines = 0;
            while line < v.len() && lines < 256 {
                let end = line_end(v, line);
                let text = v[line..end].trim_ascii_end();
                if memchr::memmem::find(text, b"-----END ").is_some() {
                    break;
                }
                let run = text
                    .iter()
                    .rev()
                    .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                    .count();
                let start = line + text.len() - run;
                let framed =
                    start == line || matches!(v[start - 1], b' ' | b'\t' | b'|' | b':' | b']');
                if run < 4 || !framed || (lines == 0 && run < 16) {
                    break;
                }
                self.redact(
                    v,
                    start,
                    start + run,
                    base,
                    "generic.private-key",
                    "private-key",
                    None,
                    true,
                    out,
                );
                lines += 1;
                line = end + if v[end..].starts_with(b"\r\n") { 2 } else { 1 };
            }
            at = at.max(line.min(v.len()));
        }
    }

    /// JSON inside text: a log line `response body: {"key":"password","value":"…"}`,
    /// a JSON document after a prefix, an object literal in a script. Each object or
    /// array there that parses is walked as JSON (name/value pairs, keyed objects,
    /// header lists), where the text readers see only `"name": value`; the readers
    /// below still read the same bytes as text. An object or
    /// array must open with a string, an object or an array. The bytes read by
    /// attempts that fail are bounded by twice the text's length, so a text full of
    /// unbalanced braces costs linear time.
    fn embedded_json(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut budget = 2 * v.len() + 4096;
        let mut at = 0;
        while let Some(p) = memchr::memchr2(b'{', b'[', &v[at..]).map(|p| at + p) {
            at = p + 1;
            let next = v[at..]
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            let opens = match v[p] {
                b'{' => next == Some(&b'"'),
                _ => matches!(next, Some(b'"' | b'{' | b'[')),
            };
            if !opens {
                continue;
            }
            let src = &v[p..];
            let mut parser =
                crate::codec::json::Parser::new(src, self.engine.limits.max_json_depth);
            match parser.parse_value() {
                Ok(tree) => {
                    let end = parser.pos();
                    crate::detect::walk::Walker::nested().value(
                        self,
                        &src[..end],
                        &tree,
                        None,
                        base + p,
                        out,
                    );
                    at = p + end;
                }
                Err(e) => {
                    budget = budget.saturating_sub(e.offset + 1);
                    if budget == 0 {
                        return;
                    }
                }
            }
        }
    }

    /// Command lines (a shell history, a CI log, a process list, `argv` in JSON):
    /// `--password S`, `--api-key=S`, `-storepass S`, `--from-file=x` (judged by the
    /// flag's name, as a parameter of that name is), `-passin pass:S` (openssl), and
    /// the single-letter password flags of the tools in [`TOOL_FLAGS`]
    /// (`redis-cli -a S`, `sqlcmd -P S`, `mysql -pS`, `smbclient -U user%S`).
    fn command_lines(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let mut at = 0;
        while at < v.len() {
            // A line continued with `\`, `^` (cmd) or a backtick (PowerShell) goes on.
            let mut end = at;
            loop {
                end += memchr::memchr(b'\n', &v[end..]).map_or(v.len() - end, |p| p + 1);
                let body = v[at..end].trim_ascii_end();
                if end >= v.len() || !matches!(body.last(), Some(b'\\' | b'^' | b'`')) {
                    break;
                }
            }
            let line = &v[at..end];
            if line.len() <= 64 * 1024 && may_hold_command(line) {
                self.command_line(v, at, end, base, handled, out);
            }
            at = end;
        }
    }

    fn command_line(
        &mut self,
        v: &[u8],
        from: usize,
        to: usize,
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let args = shell_words(v, from, to);
        self.positional_passwords(v, &args, base, handled, out);
        // The tool each argument belongs to: the last word before it that names one.
        let mut tool: Option<&ToolFlags> = None;
        let mut i = 0;
        while i < args.len() {
            let (s, e, is, ie) = args[i];
            let word = &v[s..e];
            let name = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
            if let Some(t) = TOOL_FLAGS.iter().find(|t| t.tools.contains(&name)) {
                tool = Some(t);
                i += 1;
                continue;
            }
            if word.first() != Some(&b'-') || word.len() < 2 || word[1].is_ascii_digit() {
                i += 1;
                continue;
            }
            if handled.overlaps(s, e) {
                i += 1;
                continue;
            }
            // The value: after `=` in the word, else the next word unless it is a flag.
            let (flag, value) = match memchr::memchr(b'=', word) {
                Some(p) if word.starts_with(b"--") || p > 2 => {
                    (&word[..p], Some((s + p + 1, e, s + p + 1, e)))
                }
                _ => {
                    let next = args
                        .get(i + 1)
                        .copied()
                        .filter(|&(ns, ne, _, _)| v[ns] != b'-' || ne - ns == 1)
                        // wget's debug echo names the option in brackets:
                        // `Setting --http-password (httppassword) to …`.
                        .filter(|&(ns, ne, _, _)| {
                            !(ne - ns > 2
                                && v[ns] == b'('
                                && v[ne - 1] == b')'
                                && v[ns + 1..ne - 1].iter().all(u8::is_ascii_lowercase))
                        });
                    (word, next)
                }
            };
            let mut redacted = false;
            // curl's headers (`-H 'X-Api-Key: S'`) and cookies (`-b 'sid=S'`; a value
            // without `=` is a cookie-jar file).
            if let (Some(t), Some((vs, ve, _, _))) = (tool, value) {
                if t.tools.contains(&&b"curl"[..]) {
                    let (vs, ve) = unquote_span(v, vs, ve);
                    let val = &v[vs..ve];
                    match flag {
                        b"-H" | b"--header" | b"--proxy-header" => {
                            if let Some(colon) = memchr::memchr(b':', val) {
                                self.header(
                                    &val[..colon],
                                    &val[colon + 1..],
                                    base + vs + colon + 1,
                                    out,
                                );
                                handled.push((s, ve.max(e)));
                                redacted = true;
                            }
                        }
                        b"-b" | b"--cookie" if memchr::memchr(b'=', val).is_some() => {
                            self.cookie_pairs(val, base + vs, out);
                            handled.push((s, ve.max(e)));
                            redacted = true;
                        }
                        _ => {}
                    }
                }
            }
            // A tool's own password flag (`-a`, `-P`, `-pSECRET`).
            if let (Some(t), false) = (tool, redacted) {
                if let Some(found) = t.value(word, flag, value, s, e) {
                    let (vs, ve) = found;
                    let (vs, ve) = unquote_span(v, vs, ve);
                    let vs = match t.split {
                        Some(sep) => match memchr::memchr(sep, &v[vs..ve]) {
                            Some(p) => vs + p + 1,
                            None if t.split_required => ve,
                            None => vs,
                        },
                        None => vs,
                    };
                    if vs < ve && !is_nothing(&v[vs..ve]) && !is_reference(&v[vs..ve]) {
                        self.redact(
                            v,
                            vs,
                            ve,
                            base,
                            "context.command-line",
                            "password",
                            None,
                            true,
                            out,
                        );
                        handled.push((s, ve.max(e)));
                        redacted = true;
                    }
                }
            }
            if !redacted {
                if let Some((vs, ve, _, _)) = value {
                    let dashes = flag.iter().take_while(|&&b| b == b'-').count();
                    let flag_name = &flag[dashes..];
                    if flag_name.len() >= 3 || flag.starts_with(b"--") {
                        let (vs, ve) = unquote_span(v, vs, ve);
                        if self.command_flag(v, flag_name, vs, ve, base, out) {
                            handled.push((s, ve.max(e)));
                        }
                    }
                }
            }
            let _ = (is, ie);
            i += 1;
        }
    }

    /// Passwords that are positional arguments: `htpasswd -b FILE USER PASSWORD`,
    /// `sqlplus USER/PASSWORD@DB`, `aws configure set NAME VALUE` and
    /// `npm config set NAME VALUE` (judged by the name's last part).
    fn positional_passwords(
        &mut self,
        v: &[u8],
        args: &[(usize, usize, usize, usize)],
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let word = |i: usize| args.get(i).map(|a| &v[a.2..a.3]).unwrap_or(b"");
        let tool = |i: usize| {
            let w = word(i);
            w.rsplit(|&b| b == b'/').next().unwrap_or(w)
        };
        for i in 0..args.len() {
            match tool(i) {
                b"htpasswd" => {
                    let rest = &args[i + 1..];
                    let batch = rest.iter().any(|a| {
                        let w = &v[a.0..a.1];
                        w.len() > 1 && w[0] == b'-' && w[1] != b'-' && w.contains(&b'b')
                    });
                    let positional: Vec<_> = rest.iter().filter(|a| v[a.0] != b'-').collect();
                    if let (true, Some(p)) = (batch, positional.get(2)) {
                        if !is_reference(&v[p.2..p.3]) {
                            self.redact(
                                v,
                                p.2,
                                p.3,
                                base,
                                "context.command-line",
                                "password",
                                None,
                                true,
                                out,
                            );
                            handled.push((p.0, p.1));
                        }
                    }
                }
                b"sqlplus" | b"rman" | b"expdp" | b"impdp" | b"exp" | b"imp" | b"dgmgrl" => {
                    let Some(p) = args[i + 1..].iter().find(|a| v[a.0] != b'-') else {
                        continue;
                    };
                    let w = &v[p.2..p.3];
                    let Some(slash) = memchr::memchr(b'/', w) else {
                        continue;
                    };
                    let end = memchr::memrchr(b'@', w)
                        .filter(|&at| at > slash)
                        .unwrap_or(w.len());
                    if slash > 0 && slash + 1 < end && !is_reference(&w[slash + 1..end]) {
                        let (vs, ve) = (p.2 + slash + 1, p.2 + end);
                        self.redact(
                            v,
                            vs,
                            ve,
                            base,
                            "context.command-line",
                            "password",
                            None,
                            true,
                            out,
                        );
                        handled.push((p.0, p.1));
                    }
                }
                // `net use Z: \\srv\share S /user:DOM\bob`, `net user bob S /add`.
                b"net" | b"net.exe" => {
                    let rest: Vec<_> = args[i + 1..]
                        .iter()
                        .filter(|a| !matches!(v[a.0], b'/' | b'-'))
                        .collect();
                    let verb = rest.first().map(|a| v[a.2..a.3].to_ascii_lowercase());
                    let p = match verb.as_deref() {
                        Some(b"use") => rest[1..]
                            .iter()
                            .find(|a| {
                                let w = &v[a.2..a.3];
                                !(w.starts_with(b"\\") || (w.len() == 2 && w[1] == b':'))
                            })
                            .copied(),
                        Some(b"user") => rest.get(2).copied(),
                        _ => None,
                    };
                    if let Some(p) = p {
                        self.positional(v, (p.2, p.3), base, handled, out);
                    }
                }
                // `rabbitmqctl add_user bob S`, `change_password bob S`.
                b"add_user" | b"change_password" | b"authenticate_user" => {
                    if let Some(p) = args[i + 1..].iter().filter(|a| v[a.0] != b'-').nth(1) {
                        self.positional(v, (p.2, p.3), base, handled, out);
                    }
                }
                // `echo bob:S | chpasswd`, `echo 'bob:S' | sudo chpasswd`.
                b"chpasswd" => {
                    let mut j = i;
                    while j > 0 && matches!(word(j - 1), b"sudo" | b"|") {
                        j -= 1;
                    }
                    if j >= 1 && (j..i).any(|k| word(k) == b"|") {
                        let p = args[j - 1];
                        let w = &v[p.2..p.3];
                        if let Some(colon) = memchr::memchr(b':', w) {
                            if colon > 0 {
                                self.positional(v, (p.2 + colon + 1, p.3), base, handled, out);
                            }
                        }
                    }
                }
                b"set" if i > 0 && matches!(tool(i - 1), b"config" | b"configure") => {
                    let (Some(n), Some(val)) = (args.get(i + 1), args.get(i + 2)) else {
                        continue;
                    };
                    let name = &v[n.2..n.3];
                    let last = name
                        .rsplit(|&b| matches!(b, b':' | b'/' | b'.'))
                        .find(|p| !p.is_empty())
                        .unwrap_or(name);
                    if self.command_flag(v, last, val.2, val.3, base, out) {
                        handled.push((n.0, val.1));
                    }
                }
                _ => {}
            }
        }
    }

    /// A password in a command's own place (`net use … S`): redacted unless it is
    /// nothing, a prompt (`*`) or a variable.
    fn positional(
        &mut self,
        v: &[u8],
        (s, e): (usize, usize),
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let w = &v[s..e];
        if s >= e || w == b"*" || is_nothing(w) || is_reference(w) {
            return;
        }
        if handled.overlaps(s, e) {
            return;
        }
        self.redact(
            v,
            s,
            e,
            base,
            "context.command-line",
            "password",
            None,
            true,
            out,
        );
        handled.push((s, e));
    }

    /// `--name VALUE` or `--name=VALUE`: the value judged by the flag's name.
    fn command_flag(
        &mut self,
        v: &[u8],
        name: &[u8],
        vs: usize,
        ve: usize,
        base: usize,
        out: &mut Vec<Edit>,
    ) -> bool {
        let val = &v[vs..ve];
        // `--auth bob:[REDACTED:…]`: the tool's own flag took the password already.
        if val.is_empty()
            || is_nothing(val)
            || is_reference(val)
            || memchr::memmem::find(val, b"[REDACTED:").is_some()
        {
            return false;
        }
        // openssl's `-passin pass:S`, `-passout pass:S`.
        if let Some(rest) = val.strip_prefix(b"pass:") {
            if !rest.is_empty() {
                self.redact(
                    v,
                    vs + 5,
                    ve,
                    base,
                    "context.command-line",
                    "password",
                    None,
                    true,
                    out,
                );
                return true;
            }
        }
        let secret = match self.engine.names.param(name) {
            ParamClass::Secret => true,
            ParamClass::Weak => super::weak_text_value(val),
            _ => false,
        };
        if secret {
            let kind = super::kind_for_name(name);
            self.redact(
                v,
                vs,
                ve,
                base,
                "context.command-line",
                kind,
                None,
                true,
                out,
            );
        }
        secret
    }

    /// URLs inside text (links in HTML, URLs in log lines): parameters by name.
    /// `paths_only`: a text that names no credential (it did not pass the prefilter):
    /// only capability tokens in the URLs' paths (`/invitations/<token>`), whose words
    /// the prefilter does not hold.
    fn urls_in_text(
        &mut self,
        v: &[u8],
        base: usize,
        paths_only: bool,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let finder = memchr::memmem::Finder::new(b"://");
        let mut next = 0;
        for p in finder.find_iter(v) {
            let mut st = p;
            while st > 0 && p - st < 5 && v[st - 1].is_ascii_alphabetic() {
                st -= 1;
            }
            if st < next || (st > 0 && is_name_byte(v[st - 1])) {
                continue;
            }
            let Some(m) = res().url.find(&v[st..]) else {
                continue;
            };
            let (us, ue) = (st + m.start(), st + m.end());
            next = ue;
            let u = &v[us..ue];
            if paths_only || memchr::memchr3(b'?', b'#', b'@', u).is_none() {
                // No query, fragment or user: only a capability token in its path
                // (`/password/reset/<token>`), as in a HAR's URL. (Rules read it with
                // the rest of the text.)
                let from = p - us + 3;
                let ps = memchr::memchr(b'/', &u[from..]).map(|i| from + i);
                let pe = memchr::memchr2(b'?', b'#', u).unwrap_or(u.len());
                if let Some(ps) = ps.filter(|&ps| {
                    ps < pe && u[ps..pe].split(|&b| b == b'/').any(|seg| seg.len() >= 16)
                }) {
                    self.path_tokens(&u[ps..pe], base + us + ps, out);
                }
                continue;
            }
            if handled.overlaps(us, ue) {
                continue;
            }
            let before = out.len();
            self.url(u, base + us, out);
            if out.len() > before {
                handled.push((us, ue));
            }
        }
    }

    /// HTML: `<meta name="csrf-token" content="…">`, `<input name=password value=…>`
    /// (any attribute order, quoted or not, `>` inside quotes), `<input type=password
    /// value=…>` without a name, `<textarea name="…">…</textarea>`, and attributes
    /// named like credentials on any element (`data-api-key="…"`, `data-token="…"`).
    fn html_tags(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        for t in r.tag.find_iter(v) {
            let tag = t.as_bytes();
            if !r.words.is_match(tag) {
                continue;
            }
            let tag_name_end = tag
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(tag.len());
            let tag_name = tag[1..tag_name_end].to_ascii_lowercase();
            let mut name: Option<(u8, Vec<u8>)> = None;
            let mut val: Option<(usize, usize)> = None;
            let mut is_password = false;
            let mut found = false;
            // The name is an `http-equiv` header name (`refresh`, `set-cookie`).
            let mut equiv = false;
            // The value came from a `value` attribute (not `content`).
            let mut value_attr = false;
            for a in r.attr.captures_iter(&tag[tag_name_end..]) {
                let off = tag_name_end;
                let an_m = a.get(1).unwrap();
                let an = an_m.as_bytes().to_ascii_lowercase();
                let Some((s0, mut e)) = first_group(&a, &[2, 3, 4]) else {
                    continue;
                };
                // `<input value=x/>`: the slash closes the tag.
                if a.get(4).is_some() && tag[off + e - 1] == b'/' && off + e + 1 == tag.len() {
                    e -= 1;
                }
                let (s, e) = (off + s0, off + e);
                match an.as_slice() {
                    b"name" => {
                        equiv = false;
                        name = Some((3, tag[s..e].to_vec()))
                    }
                    b"property" | b"itemprop" | b"http-equiv"
                        if name.as_ref().is_none_or(|n| n.0 < 2) =>
                    {
                        equiv = an == b"http-equiv";
                        name = Some((2, tag[s..e].to_vec()))
                    }
                    b"id" if name.is_none() => name = Some((1, tag[s..e].to_vec())),
                    b"content" => val = Some((s, e)),
                    b"value" => {
                        val = Some((s, e));
                        value_attr = true;
                    }
                    b"type" if tag[s..e].eq_ignore_ascii_case(b"password") => is_password = true,
                    _ => {
                        // `data-api-key="…"`, `data-csrf="…"` on any element.
                        let n = an.strip_prefix(b"data-").unwrap_or(&an);
                        // `<add key="ApiSecret" value="…">`: `key` names another attribute.
                        if an.starts_with(b"on")
                            || an == b"key"
                            || matches!(
                                n,
                                b"class" | b"style" | b"href" | b"src" | b"for" | b"action"
                            )
                        {
                            continue;
                        }
                        // A copy holds a placeholder where the original held a value
                        // this tag was claimed for: the copy's tag is claimed too, so
                        // its other attributes are read as they were in the original.
                        if redact::is_placeholder(&tag[s..e]) {
                            found = true;
                            continue;
                        }
                        // Any attribute of the element in markup (`<Session SID="1">`):
                        // only a token-looking value; `data-*` attributes hold data.
                        if (an.starts_with(b"data-") || super::looks_like_token(&tag[s..e]))
                            && self.html_value(v, base, t.start() + s, t.start() + e, n, false, out)
                        {
                            found = true;
                        }
                    }
                }
            }
            // Any element with a `name` and a `value` attribute is a pair (Spring's
            // `<property name="password" value="…"/>`, Ant's `<param>`, Maven's
            // `<property>`); the HTML form elements also take an `id`, and `<meta>` a
            // `content`.
            let pair = value_attr && name.as_ref().is_some_and(|n| n.0 == 3);
            if !pair
                && !matches!(
                    tag_name.as_slice(),
                    b"input" | b"meta" | b"button" | b"param" | b"option" | b"select" | b"data"
                )
            {
                if found {
                    handled.push((t.start(), t.end()));
                }
                continue;
            }
            let Some((s, e)) = val else {
                if found {
                    handled.push((t.start(), t.end()));
                }
                continue;
            };
            let n = name.map(|n| n.1).unwrap_or_default();
            if equiv && !is_password {
                // `<meta http-equiv="refresh" content="0;url=…">` is the header by that
                // name: its URL's parameters are judged, the delay is no credential.
                let before = out.len();
                let (vs, ve) = (t.start() + s, t.start() + e);
                self.header(&n, &v[vs..ve], base + vs, out);
                found |= out.len() > before;
            } else if (is_password || !n.is_empty())
                && self.html_value(v, base, t.start() + s, t.start() + e, &n, is_password, out)
            {
                found = true;
            }
            if found {
                handled.push((t.start(), t.end()));
            }
        }
        if memchr::memmem::find(&v.to_ascii_lowercase(), b"<textarea").is_some() {
            for c in r.textarea.captures_iter(v) {
                let attrs = c.get(1).unwrap();
                let body = c.get(2).unwrap();
                let mut n: Vec<u8> = Vec::new();
                for a in r.attr.captures_iter(attrs.as_bytes()) {
                    let an = a.get(1).unwrap().as_bytes().to_ascii_lowercase();
                    if let Some((s, e)) = first_group(&a, &[2, 3, 4]) {
                        if an == b"name" || (an == b"id" && n.is_empty()) {
                            n = attrs.as_bytes()[s..e].to_vec();
                        }
                    }
                }
                let (mut s, mut e) = (body.start(), body.end());
                while s < e && v[s].is_ascii_whitespace() {
                    s += 1;
                }
                while e > s && v[e - 1].is_ascii_whitespace() {
                    e -= 1;
                }
                if !n.is_empty() && s < e && self.html_value(v, base, s, e, &n, false, out) {
                    handled.push((c.get(0).unwrap().start(), c.get(0).unwrap().end()));
                }
            }
        }
    }

    /// One value in markup under `name`; true when it was redacted.
    #[allow(clippy::too_many_arguments)]
    fn html_value(
        &mut self,
        v: &[u8],
        base: usize,
        s: usize,
        e: usize,
        name: &[u8],
        is_password: bool,
        out: &mut Vec<Edit>,
    ) -> bool {
        let value = &v[s..e];
        if value.is_empty() || is_nothing(value) {
            return false;
        }
        let cls = self.engine.names.field(name);
        let secret = is_password
            || cls == ParamClass::Secret
            || (cls == ParamClass::Weak && super::weak_text_value(value));
        if !secret {
            return false;
        }
        let kind = if is_password {
            "password"
        } else {
            super::kind_for_name(name)
        };
        self.redact(v, s, e, base, "context.html", kind, None, true, out);
        true
    }

    /// XML and SOAP elements named like credentials: `<wsse:Password Type="…">…
    /// </wsse:Password>`, `<Token>…</Token>`, `<SessionId>…</SessionId>` (namespace
    /// prefix ignored; the element text, or its CDATA, is the value).
    /// Lines of protocol transcripts and configuration files that give a password as
    /// a word after a command or directive, not after `=` or `:`: FTP and POP3
    /// `PASS S`, IMAP `a1 LOGIN user S`, Redis `AUTH S` / `AUTH user S`, SMTP
    /// `AUTH PLAIN <base64>`, `.netrc` (`machine h login u password S account S`,
    /// `default login u password S`) and directives (`requirepass S`,
    /// `masterauth S`, Cisco's `username u password 0 S` and `enable secret 0 S`).
    fn protocol_lines(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let mut at = 0;
        // The previous command was `USER name`; the next command line is a credential.
        let (mut user_sent, mut secret_line) = (false, false);
        while at < v.len() {
            let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
            let words = shell_words(v, at, end);
            if words.is_empty() {
                at = end + 1;
                continue;
            }
            at = end + 1;
            // A log line's time and level, a transcript's direction or speaker (`C: `,
            // `> `, `-->`) go first.
            let skip = words
                .iter()
                .take_while(|w| log_prefix_word(&v[w.0..w.1]))
                .count();
            let w = &words[skip..];
            // Words without their quotes (`"AUTH" "S"` in `redis-cli monitor`).
            let word = |i: usize| w.get(i).map(|x| &v[x.2..x.3]).unwrap_or(b"");
            // A server's reply (`331 …`, `+OK`, `-ERR`, `* OK`) keeps what the client
            // said before; `334 UGFzc3dvcmQ6` asks for the password of `AUTH LOGIN`.
            let first = word(0);
            if first.len() == 3 && first.iter().all(u8::is_ascii_digit)
                || matches!(first.first(), Some(b'+' | b'-' | b'*'))
            {
                if first == b"334" && word(1) == b"UGFzc3dvcmQ6" {
                    secret_line = true;
                }
                continue;
            }
            // The spans of the password words on this line.
            let mut secrets: Vec<(usize, usize)> = Vec::new();
            // The line after `AUTH PLAIN` or a password challenge is the credential.
            // A copy's credential line is the base64 of its placeholder (the decoded
            // layer redacted it there): it is not judged again.
            if std::mem::take(&mut secret_line)
                && w.len() == 1
                && super::views::b64_decode_lenient(word(0))
                    .is_none_or(|d| memchr::memmem::find(&d, b"[REDACTED").is_none())
            {
                secrets.push((w[0].2, w[0].3));
            }
            let after_user = std::mem::replace(
                &mut user_sent,
                w.len() == 2 && word(0).eq_ignore_ascii_case(b"USER"),
            );
            if w.len() == 2 && word(0) == b"AUTH" && word(1) == b"PLAIN" {
                secret_line = true;
            }
            let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
            // Cisco: the word after each of `keywords`, past the encoding digit
            // (`password 0 S`, `key 7 S`: 0 and 7 are written in clear or reversibly;
            // 5, 8 and 9 are hashes, kept too).
            let cisco_after = |keywords: &[&[u8]]| -> Vec<(usize, usize)> {
                (0..w.len())
                    .filter(|&i| keywords.contains(&word(i)))
                    .filter_map(|i| {
                        let d = word(i + 1);
                        let j = if d.len() == 1 && d[0].is_ascii_digit() {
                            i + 2
                        } else {
                            i + 1
                        };
                        w.get(j).map(|x| (x.2, x.3))
                    })
                    .collect()
            };
            match (word(0), w.len()) {
                (b"PASS", 2) => secrets.push((w[1].2, w[1].3)),
                // Lower case only right after a `user` command: `pass it on` is prose.
                (b"pass" | b"Pass", 2) if after_user => secrets.push((w[1].2, w[1].3)),
                // Not a reply or a mechanism (`AUTH OK`, `AUTH LOGIN`, `AUTH failed`).
                (b"AUTH", 2) if super::weak_text_value(word(1)) => secrets.push((w[1].2, w[1].3)),
                (b"AUTH", 3) if word(1) == b"PLAIN" => secrets.push((w[2].2, w[2].3)),
                (b"AUTH", 3) if word(1).iter().all(|b| !b.is_ascii_uppercase()) => {
                    secrets.push((w[2].2, w[2].3))
                }
                (b"requirepass" | b"masterauth" | b"bindpw" | b"rootpw", 2) => {
                    secrets.push((w[1].2, w[1].3))
                }
                // ProFTPD `SQLConnectInfo db user S`.
                (b"SQLConnectInfo", 4..) => secrets.push((w[3].2, w[3].3)),
                // Cisco: `crypto isakmp key S address …`, `snmp-server community S RO`,
                // `tacacs-server … key [0|7] S`, `radius-server key S`.
                (b"crypto", 4..) if word(1) == b"isakmp" && word(2) == b"key" => {
                    secrets.push((w[3].2, w[3].3))
                }
                (b"snmp-server", 3..) if word(1) == b"community" => secrets.push((w[2].2, w[2].3)),
                (b"tacacs-server" | b"radius-server" | b"tacacs" | b"radius", _) => {
                    secrets.extend(cisco_after(&[b"key"]))
                }
                // Redis `HELLO 3 AUTH user S [SETNAME n]`, `MIGRATE … AUTH S` and
                // `MIGRATE … AUTH2 user S`.
                // (A protocol version after `HELLO`, a port after `MIGRATE`'s host:
                // not prose.)
                (c, 4..)
                    if (c.eq_ignore_ascii_case(b"HELLO") && digits(word(1)))
                        || (c.eq_ignore_ascii_case(b"MIGRATE") && digits(word(2))) =>
                {
                    for i in 1..w.len() {
                        let skip = match word(i) {
                            a if a.eq_ignore_ascii_case(b"AUTH")
                                && c.eq_ignore_ascii_case(b"MIGRATE") =>
                            {
                                1
                            }
                            a if a.eq_ignore_ascii_case(b"AUTH")
                                || a.eq_ignore_ascii_case(b"AUTH2") =>
                            {
                                2
                            }
                            _ => continue,
                        };
                        if let Some(x) = w.get(i + skip) {
                            secrets.push((x.2, x.3));
                        }
                        break;
                    }
                }
                // redis `CONFIG SET requirepass S`.
                (c, 4)
                    if c.eq_ignore_ascii_case(b"CONFIG")
                        && word(1).eq_ignore_ascii_case(b"SET")
                        && matches!(word(2), b"requirepass" | b"masterauth") =>
                {
                    secrets.push((w[3].2, w[3].3))
                }
                (b"machine" | b"default", _) => {
                    for i in 0..w.len().saturating_sub(1) {
                        if matches!(word(i), b"password" | b"account") {
                            secrets.push((w[i + 1].2, w[i + 1].3));
                        }
                    }
                }
                (b"username" | b"enable", _) => {
                    secrets.extend(cisco_after(&[b"password", b"secret"]))
                }
                _ => {
                    // IMAP: `tag LOGIN user password`.
                    if w.len() == 4 && word(1).eq_ignore_ascii_case(b"LOGIN") && word(0).len() <= 12
                    {
                        secrets.push((w[3].2, w[3].3));
                    }
                }
            }
            for (s, e) in secrets {
                if s >= e
                    || is_nothing(&v[s..e])
                    || is_reference(&v[s..e])
                    || handled.overlaps(s, e)
                {
                    continue;
                }
                self.redact(
                    v,
                    s,
                    e,
                    base,
                    "context.protocol",
                    "password",
                    None,
                    true,
                    out,
                );
                handled.push((s, e));
            }
        }
    }

    /// The value `v[vs..ve]` of a field named `name` (a JSON-like member, a form field,
    /// an XML or YAML pair): redacted when the name holds a credential (a weak name
    /// only with a token-like value). Says whether it was.
    #[allow(clippy::too_many_arguments)]
    fn field_value(
        &mut self,
        v: &[u8],
        name: &[u8],
        vs: usize,
        ve: usize,
        base: usize,
        rule: &str,
        out: &mut Vec<Edit>,
    ) -> bool {
        let secret = match self.engine.names.field(name) {
            ParamClass::Secret => true,
            ParamClass::Weak => super::weak_text_value(&v[vs..ve]),
            _ => false,
        };
        if secret {
            let kind = super::kind_for_name(name);
            let name = String::from_utf8_lossy(name.trim_ascii()).into_owned();
            let outer = self.pair_name.replace(name);
            self.redact(v, vs, ve, base, rule, kind, None, true, out);
            self.pair_name = outer;
        }
        secret
    }

    /// The value of a pair found in markup or YAML, at `v[s..e]` less its blanks:
    /// judged by [`Scrubber::field_value`] unless it is nothing (`null`, a reference,
    /// a placeholder) or another reader took it; taken when redacted.
    #[allow(clippy::too_many_arguments)]
    fn pair_field(
        &mut self,
        v: &[u8],
        name: &[u8],
        (mut s, mut e): (usize, usize),
        base: usize,
        rule: &str,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        while s < e && v[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && v[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if s >= e
            || name.len() > 64
            || is_nothing(&v[s..e])
            || is_reference(&v[s..e])
            || handled.overlaps(s, e)
        {
            return;
        }
        if self.field_value(v, name, s, e, base, rule, out) {
            handled.push((s, e));
        }
    }

    /// YAML name/value pairs (a Kubernetes container's `env`, Ansible and CI variable
    /// lists): `- name: DB_PASSWORD` then `value: …` on the next member line, in
    /// either order, comment lines between; a value may be a block scalar (`value: |`
    /// and the more indented lines after it); a flow map on one line
    /// (`- {name: DB_PASSWORD, value: …}`). The value is judged by the name.
    fn yaml_pairs(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        use crate::detect::walk::PairRole;
        // The member of the previous line that is neither blank nor a comment.
        let mut prev: Option<(PairRole, usize, usize)> = None;
        let mut prev_item: Option<Vec<u8>> = None;
        let mut at = 0;
        while at < v.len() {
            let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
            let line = (at, end);
            at = end + 1;
            let text = v[line.0..line.1].trim_ascii();
            if text.is_empty() || text.starts_with(b"#") {
                continue;
            }
            if memchr::memchr(b'{', text).is_some() {
                self.yaml_flow_pairs(v, line, base, handled, out);
            }
            if memchr::memchr(b'[', text).is_some() {
                self.yaml_flow_list(v, line, base, handled, out);
            }
            // `- --db-password` then `- …`: an argument list's credential flag and its
            // value, one item per line.
            let lead = v[line.0..line.1].len() - v[line.0..line.1].trim_ascii_start().len();
            if text.starts_with(b"- ") {
                let mut a = line.0 + lead + 2;
                while a < line.1 && matches!(v[a], b' ' | b'\t') {
                    a += 1;
                }
                let (a, b) = unquote_span(v, a, line.0 + lead + text.len());
                if let Some(flag) = prev_item.take() {
                    let pair = [flag.as_slice(), &v[a..b]];
                    if let Some((_, name)) =
                        crate::detect::walk::credential_flag_values(self, &pair).pop()
                    {
                        self.pair_field(v, &name, (a, b), base, "context.key-value", handled, out);
                    }
                }
                prev_item = Some(v[a..b].to_vec());
            } else {
                prev_item = None;
            }
            let cur = yaml_member(v, line);
            if let Some((_, _, e)) = cur {
                // A block scalar's lines are the value, not members.
                at = at.max(e);
            }
            let pair = match (prev, cur) {
                (Some(a @ (PairRole::Name, ..)), Some(b @ (PairRole::Value, ..))) => Some((a, b)),
                (Some(b @ (PairRole::Value, ..)), Some(a @ (PairRole::Name, ..))) => Some((a, b)),
                _ => None,
            };
            // A member belongs to one pair: `value: debug` that ended one item is not
            // the value of the `- name:` that starts the next.
            prev = if pair.is_some() { None } else { cur };
            if let Some((name, value)) = pair {
                let n = &v[name.1..name.2];
                let span = (value.1, value.2);
                self.pair_field(v, n, span, base, "context.key-value", handled, out);
            }
        }
    }

    /// A Kubernetes Secret in YAML (`kubectl get secret -o yaml`, a manifest): every
    /// value under its `data` and `stringData` is a secret, whatever its key. The
    /// resource is the lines around `kind: Secret` indented at least as deep (kubectl
    /// sorts the keys, so `data` comes first), within its `---` document or `- `
    /// list item.
    fn k8s_secret_yaml(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let lines: Vec<(usize, usize)> = line_spans(v).collect();
        // The column of a line's key (a list item's first key sits after its dash).
        let indent = |l: (usize, usize)| {
            let t = &v[l.0..l.1];
            let n = t.iter().take_while(|b| **b == b' ').count();
            if t[n..].starts_with(b"- ") {
                n + 2 + t[n + 2..].iter().take_while(|b| **b == b' ').count()
            } else {
                n
            }
        };
        let blank = |l: (usize, usize)| v[l.0..l.1].trim_ascii().is_empty();
        let item = |l: (usize, usize)| v[l.0..l.1].trim_ascii_start().starts_with(b"- ");
        // `key:` alone on its line (or `key: Secret`).
        let key_line = |l: (usize, usize), key: &[u8], value: &[u8]| {
            v[l.0 + indent(l)..l.1]
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix(b":"))
                .is_some_and(|r| r.trim_ascii() == value)
        };
        for (i, &l) in lines.iter().enumerate() {
            if !key_line(l, b"kind", b"Secret") {
                continue;
            }
            let col = indent(l);
            let inside = |m: (usize, usize)| {
                blank(m) || (indent(m) >= col && !v[m.0..m.1].starts_with(b"---"))
            };
            let mut first = i;
            while first > 0
                && !(item(lines[first]) && indent(lines[first]) == col)
                && inside(lines[first - 1])
            {
                first -= 1;
            }
            let mut last = i + 1;
            while last < lines.len()
                && inside(lines[last])
                && !(item(lines[last]) && indent(lines[last]) == col)
            {
                last += 1;
            }
            let mut j = first;
            while j < last {
                let m = lines[j];
                j += 1;
                if indent(m) != col
                    || !(key_line(m, b"data", b"") || key_line(m, b"stringData", b""))
                {
                    continue;
                }
                // Its members: the deeper lines after it (a block scalar's lines go
                // with the member they belong to).
                while j < last && (blank(lines[j]) || indent(lines[j]) > col) {
                    let member = yaml_scalar(v, lines[j]);
                    j += 1;
                    let Some((_, s, e)) = member else { continue };
                    while j < last && lines[j].0 < e {
                        j += 1;
                    }
                    if s < e && !is_nothing(&v[s..e]) && !handled.overlaps(s, e) {
                        self.redact(
                            v,
                            s,
                            e,
                            base,
                            "context.key-value",
                            "secret",
                            None,
                            true,
                            out,
                        );
                        handled.push((s, e));
                    }
                }
            }
        }
    }

    /// The pairs of YAML flow maps on one line: `{name: DB_PASSWORD, value: …}`.
    fn yaml_flow_pairs(
        &mut self,
        v: &[u8],
        line: (usize, usize),
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        use crate::detect::walk::{pair_role, PairRole};
        let mut at = line.0;
        while let Some(open) = memchr::memchr(b'{', &v[at..line.1]).map(|p| at + p) {
            let Some(close) = memchr::memchr(b'}', &v[open..line.1]).map(|p| open + p) else {
                return;
            };
            at = close + 1;
            let (mut name, mut value) = (None, None);
            let s = open + 1;
            for item in yaml_flow_items(&v[open + 1..close]) {
                let (is, ie) = (s + item.0, s + item.1);
                let member = &v[is..ie];
                let Some(colon) = memchr::memchr(b':', member) else {
                    continue;
                };
                let key = member[..colon].trim_ascii();
                let (ks, ke) = unquote_span(key, 0, key.len());
                let mut vs = is + colon + 1;
                while vs < ie && v[vs].is_ascii_whitespace() {
                    vs += 1;
                }
                let mut ve = ie;
                while ve > vs && v[ve - 1].is_ascii_whitespace() {
                    ve -= 1;
                }
                let span = unquote_span(v, vs, ve);
                match pair_role(&key[ks..ke]) {
                    Some(PairRole::Name) => name = Some(span),
                    Some(PairRole::Value) => value = Some(span),
                    None => {}
                }
            }
            if let (Some(n), Some(val)) = (name, value) {
                let n = v[n.0..n.1].to_vec();
                self.pair_field(v, &n, val, base, "context.key-value", handled, out);
            }
        }
    }

    /// A value shown under its label in an HTML table or description list (phpinfo's
    /// environment and `$_SERVER` tables, an account page's `<th>API key</th><td>…`):
    /// the value cell is judged by the label (`$_SERVER['DB_PASSWORD']` by the name
    /// inside, a trailing `:` dropped). Only a value of one word: a cell of prose is
    /// no credential.
    fn label_cells(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        for c in r.label_cell.captures_iter(v) {
            let (label, value) = (c.get(1).unwrap(), c.get(2).unwrap());
            self.labelled_value(
                v,
                label.as_bytes(),
                (value.start(), value.end()),
                base,
                handled,
                out,
            );
        }
    }

    /// PHP-serialized pairs (`a:2:{s:8:"password";s:12:"…";…}`): a string member and
    /// the string after it, judged by the member's name. The value is exactly as many
    /// bytes as its length says, up to its closing `";`; a length that does not end
    /// there (the text was cut or escaped on the way) is left to the other readers.
    fn php_serialized(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        for c in r.php_pair.captures_iter(v) {
            let (name, len) = (c.get(1).unwrap(), c.get(2).unwrap());
            let Some(n) = std::str::from_utf8(len.as_bytes())
                .ok()
                .and_then(|l| l.parse::<usize>().ok())
            else {
                continue;
            };
            let (s, e) = (c.get(0).unwrap().end(), c.get(0).unwrap().end() + n);
            if v.get(e..e + 2) != Some(b"\";".as_slice()) {
                continue;
            }
            // A private or protected property's name carries its class: `\0User\0password`.
            let name = name.as_bytes();
            let name = name.rsplit(|&b| b == 0).next().unwrap_or(name);
            self.pair_field(v, name, (s, e), base, "context.key-value", handled, out);
        }
    }

    /// The length of every PHP-serialized string of `v` that the edits from `first` on
    /// change (a password of a pair, a token a rule found, a known secret, a JWT's
    /// signature), rewritten to its new length, so that the copy still unserializes.
    fn php_lengths(v: &[u8], base: usize, first: usize, out: &mut Vec<Edit>) {
        let r = res();
        let mut at = 0;
        let mut lengths = Vec::new();
        while let Some(c) = r.php_string.captures_at(v, at) {
            let (head, len) = (c.get(0).unwrap(), c.get(1).unwrap());
            at = head.end();
            let Some(n) = std::str::from_utf8(len.as_bytes())
                .ok()
                .and_then(|l| l.parse::<usize>().ok())
            else {
                continue;
            };
            let (s, e) = (base + head.end(), base + head.end() + n);
            if v.get(e - base..e - base + 2) != Some(b"\";".as_slice()) {
                continue;
            }
            at = e - base + 2;
            let inside = out[first..].iter().filter(|o| o.start >= s && o.end <= e);
            let grown: isize = inside
                .map(|o| o.text.len() as isize - (o.end - o.start) as isize)
                .sum();
            if grown != 0 {
                lengths.push(Edit {
                    start: base + len.start(),
                    end: base + len.end(),
                    text: (n as isize + grown).to_string(),
                    claim: base + len.start(),
                });
            }
        }
        out.extend(lengths);
    }

    /// A value shown beside its label in other markup: a labelling element (one whose
    /// attributes say `key`, `label`, `name` or `term`, or whose text ends in `:`) and
    /// the element after it; a `<label>` and the read-only `<input>` after it; prose
    /// that says `… is <code>…</code>`.
    fn label_elements(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        for c in r.label_element.captures_iter(v) {
            let (attrs, label, value) = (c.get(1).unwrap(), c.get(2).unwrap(), c.get(3).unwrap());
            let a = attrs.as_bytes().to_ascii_lowercase();
            let labelling = label.as_bytes().trim_ascii_end().ends_with(b":")
                || [&b"key"[..], b"label", b"name", b"term", b"title"]
                    .iter()
                    .any(|w| memchr::memmem::find(&a, w).is_some());
            if labelling {
                self.labelled_value(
                    v,
                    label.as_bytes(),
                    (value.start(), value.end()),
                    base,
                    handled,
                    out,
                );
            }
        }
        for c in r.label_input.captures_iter(v) {
            let (label, attrs) = (c.get(1).unwrap(), c.get(2).unwrap());
            let a = attrs.as_bytes();
            let value = r.attr.captures_iter(a).find_map(|m| {
                let n = m.get(1)?;
                let val = m.get(2).or(m.get(3)).or(m.get(4))?;
                n.as_bytes()
                    .eq_ignore_ascii_case(b"value")
                    .then(|| (attrs.start() + val.start(), attrs.start() + val.end()))
            });
            if let Some(span) = value {
                self.labelled_value(v, label.as_bytes(), span, base, handled, out);
            }
        }
        for c in r.shown_code.captures_iter(v) {
            let (label, value) = (c.get(1).unwrap(), c.get(2).unwrap());
            // `Your API key`, `The password`: the label is what follows the determiner.
            let mut label = label.as_bytes();
            while let Some(sp) = memchr::memchr2(b' ', b'\t', label) {
                let w = label[..sp].to_ascii_lowercase();
                if !matches!(
                    w.as_slice(),
                    b"your" | b"the" | b"my" | b"our" | b"this" | b"a" | b"an" | b"new"
                ) {
                    break;
                }
                label = label[sp + 1..].trim_ascii_start();
            }
            self.labelled_value(v, label, (value.start(), value.end()), base, handled, out);
        }
    }

    /// A row of two cells in a Markdown or ASCII table (`| DB_PASSWORD | … |`, the
    /// `table` output of a cloud CLI): the second cell judged by the first, as
    /// [`Self::label_cells`] judges an HTML row.
    fn pipe_rows(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        for c in res().pipe_row.captures_iter(v) {
            let (label, value) = (c.get(1).unwrap(), c.get(2).unwrap());
            self.labelled_value(
                v,
                label.as_bytes(),
                (value.start(), value.end()),
                base,
                handled,
                out,
            );
        }
    }

    fn labelled_value(
        &mut self,
        v: &[u8],
        label: &[u8],
        (mut s, mut e): (usize, usize),
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        while s < e && v[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && v[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        let mut name = label.trim_ascii();
        name = name.strip_suffix(b":").unwrap_or(name).trim_ascii();
        // `$_SERVER['DB_PASSWORD']`, `$_ENV["API_KEY"]`: the name inside.
        if name.starts_with(b"$_") {
            if let (Some(a), Some(z)) = (
                name.iter().position(|&b| b == b'\'' || b == b'"'),
                name.iter().rposition(|&b| b == b'\'' || b == b'"'),
            ) {
                if a < z {
                    name = &name[a + 1..z];
                }
            }
        }
        // A request header as a CGI variable (phpinfo's `HTTP_COOKIE`,
        // `HTTP_AUTHORIZATION`): the cell holds the header's value, read as that header
        // (`a=1; b=2` is one value of several words).
        if s < e && name.len() > 5 && name[..5].eq_ignore_ascii_case(b"HTTP_") {
            let header: Vec<u8> = name[5..]
                .iter()
                .map(|&b| {
                    if b == b'_' {
                        b'-'
                    } else {
                        b.to_ascii_lowercase()
                    }
                })
                .collect();
            if matches!(
                self.engine.names.header(&header),
                HeaderClass::Cookie | HeaderClass::SetCookie | HeaderClass::Scheme
            ) && !handled.overlaps(s, e)
            {
                handled.push((s, e));
                self.header(&header, &v[s..e], base + s, out);
                return;
            }
        }
        if s >= e || v[s..e].iter().any(u8::is_ascii_whitespace) {
            return;
        }
        if name.is_empty() || self.engine.names.field(name) != ParamClass::Secret {
            return;
        }
        let name = name.to_vec();
        self.pair_field(v, &name, (s, e), base, "context.key-value", handled, out);
    }

    /// Configuration directives that end in a credential's name and its value
    /// (`password …`, `AuthLDAPBindPassword "…"`, `user admin insecure-password …`): the
    /// value when it is quoted, or unquoted and not a plain word (a digit, a symbol or
    /// both cases in it): `password required` in prose is no credential.
    fn directives(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        for c in res().directive.captures_iter(v) {
            let (Some(name), Some(value)) = (c.get(1).or(c.get(2)), c.get(3)) else {
                continue;
            };
            let val = value.as_bytes();
            let quoted = matches!(val.first(), Some(b'"' | b'\''));
            let (s, e) = if quoted {
                (value.start() + 1, value.end() - 1)
            } else {
                (value.start(), value.end())
            };
            if s >= e || handled.overlaps(name.start(), value.end()) {
                continue;
            }
            let t = &v[s..e];
            let wordy = t.iter().all(u8::is_ascii_alphabetic)
                && !(t.iter().any(u8::is_ascii_uppercase) && t.iter().any(u8::is_ascii_lowercase));
            if (!quoted && (t.len() < 6 || wordy)) || t.starts_with(b"$") || t.contains(&b'{') {
                continue;
            }
            if self.engine.names.field(name.as_bytes()) != ParamClass::Secret {
                continue;
            }
            let n = name.as_bytes().to_vec();
            // (`<p>Authorization: Bearer …</p>`: the closing tags are markup.)
            let e = if quoted {
                e
            } else {
                before_closing_tags(v, s, e)
            };
            self.pair_field(v, &n, (s, e), base, "context.key-value", handled, out);
        }
    }

    /// A YAML flow sequence on one line that is a flat list of names and values
    /// (`args: [user, bob, password, …]`, judged as a JSON one is:
    /// `walk::is_flat_pair_texts`): each value under its name.
    fn yaml_flow_list(
        &mut self,
        v: &[u8],
        line: (usize, usize),
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let mut at = line.0;
        while let Some(open) = memchr::memchr(b'[', &v[at..line.1]).map(|p| at + p) {
            let Some(close) = memchr::memrchr(b']', &v[open..line.1]).map(|p| open + p) else {
                return;
            };
            at = close + 1;
            let s = open + 1;
            let spans: Vec<(usize, usize)> = yaml_flow_items(&v[s..close])
                .into_iter()
                .map(|(a, b)| {
                    let (mut a, mut b) = (s + a, s + b);
                    while a < b && v[a].is_ascii_whitespace() {
                        a += 1;
                    }
                    while b > a && v[b - 1].is_ascii_whitespace() {
                        b -= 1;
                    }
                    unquote_span(v, a, b)
                })
                .collect();
            let texts: Vec<&[u8]> = spans.iter().map(|&(a, b)| &v[a..b]).collect();
            // An argument list (`args: ["--api-token", "…"]`): the credential flags' values.
            for (at, name) in crate::detect::walk::credential_flag_values(self, &texts) {
                self.pair_field(v, &name, spans[at], base, "context.key-value", handled, out);
            }
            if !crate::detect::walk::is_flat_pair_texts(self, &texts) {
                continue;
            }
            for pair in spans.chunks(2) {
                let n = v[pair[0].0..pair[0].1].to_vec();
                self.pair_field(v, &n, pair[1], base, "context.key-value", handled, out);
            }
        }
    }

    /// The value of an XML pair whose name element (`<Name>password</Name>`) ends at
    /// `at`: the text of the next element if it is a value element (`<Value>`,
    /// `<value>`, `<ParameterValue>`), through any elements it opens first
    /// (`<value><string>…`).
    fn xml_pair_value(
        &mut self,
        v: &[u8],
        name: &[u8],
        at: usize,
        base: usize,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let name = last_path_segment(name.trim_ascii());
        if name.is_empty() || !name.iter().all(|&b| is_name_byte(b)) {
            return;
        }
        if self.engine.names.field(name) == ParamClass::Other {
            return;
        }
        use crate::detect::walk::{pair_role, PairRole};
        let mut p = at;
        let mut opened_value = false;
        // At most a few tags between the name and the value's text: other members
        // of the pair (`<Type>SecureString</Type>`) are stepped over whole, the
        // value's own elements (`<value><string>`) opened.
        for _ in 0..6 {
            while p < v.len() && v[p].is_ascii_whitespace() {
                p += 1;
            }
            if opened_value && v[p..].starts_with(b"<![CDATA[") {
                let s = p + 9;
                let Some(e) = memchr::memmem::find(&v[s..], b"]]>") else {
                    return;
                };
                return self.pair_field(v, name, (s, s + e), base, "context.xml", handled, out);
            }
            if v.get(p) != Some(&b'<') || matches!(v.get(p + 1), Some(b'/' | b'!' | b'?')) {
                break;
            }
            let Some(close) = memchr::memchr(b'>', &v[p..]) else {
                return;
            };
            let tag = &v[p + 1..p + close];
            if !opened_value {
                match pair_role(xml_local_name(tag)) {
                    Some(PairRole::Value) => opened_value = true,
                    Some(PairRole::Name) => return,
                    None => match xml_element_end(v, p, tag, close) {
                        Some(end) => {
                            p = end;
                            continue;
                        }
                        None => return,
                    },
                }
            }
            p += close + 1;
        }
        if !opened_value {
            return;
        }
        let e = p + memchr::memchr(b'<', &v[p..]).unwrap_or(v.len() - p);
        self.pair_field(v, name, (p, e), base, "context.xml", handled, out);
    }

    /// The name of the value element `v[start..end]` (`<Value>…</Value>`,
    /// `<value>…</value>`) when it is the value of a pair named elsewhere: by the
    /// element around it (`<property name="password"><value>…`, Spring), or by a
    /// name element after it (`<Value>…</Value><Name>password</Name>`); other members
    /// of the pair (`<Type>`) may stand between. A name element before it is read by
    /// [`xml_pair_value`](Self::xml_pair_value).
    fn xml_value_name(&self, v: &[u8], start: usize, end: usize) -> Option<Vec<u8>> {
        use crate::detect::walk::{pair_role, PairRole};
        // After: `<Name>password</Name>`, past at most two other members.
        let mut p = end;
        for _ in 0..3 {
            while p < v.len() && v[p].is_ascii_whitespace() {
                p += 1;
            }
            if v.get(p) != Some(&b'<') || matches!(v.get(p + 1), Some(b'/' | b'!' | b'?')) {
                break;
            }
            let close = memchr::memchr(b'>', &v[p..])?;
            let tag = &v[p + 1..p + close];
            if pair_role(xml_local_name(tag)) == Some(PairRole::Name) {
                let s = p + close + 1;
                let e = s + memchr::memchr(b'<', &v[s..])?;
                let name = last_path_segment(v[s..e].trim_ascii());
                return (!name.is_empty() && name.iter().all(|&b| is_name_byte(b)))
                    .then(|| name.to_vec());
            }
            p = xml_element_end(v, p, tag, close)?;
        }
        // Before: the opening tag of the element around it, named by its `name` or
        // `key` attribute, past at most two sibling elements.
        let mut p = start;
        for _ in 0..3 {
            while p > 0 && v[p - 1].is_ascii_whitespace() {
                p -= 1;
            }
            if p == 0 || v[p - 1] != b'>' {
                return None;
            }
            let from = p.saturating_sub(1024);
            let lt = from + memchr::memrchr(b'<', &v[from..p - 1])?;
            let tag = &v[lt + 1..p - 1];
            if let Some(closing) = tag.strip_prefix(b"/") {
                // A sibling: step back over it (a name element is read forward).
                if pair_role(xml_local_name(closing)) == Some(PairRole::Name) {
                    return None;
                }
                let mut open = b"<".to_vec();
                open.extend_from_slice(closing.trim_ascii());
                let from = lt.saturating_sub(4096);
                p = from + memchr::memmem::rfind(&v[from..lt], &open)?;
                continue;
            }
            if matches!(tag.first(), Some(b'?' | b'!')) || tag.ends_with(b"/") {
                return None;
            }
            return tag_name_attribute(tag);
        }
        None
    }

    /// An XML-RPC call of a blog API that takes the password as a positional
    /// parameter (WordPress `wp.getUsersBlogs(username, password)`, `wp.*(blog_id,
    /// username, password, …)`, `metaWeblog.*`, `mt.*`, `blogger.*(appkey, …)`; the
    /// list is `[methods]` in `patterns/names.toml`): that parameter is a password
    /// whatever its value looks like. Read in a direct call (`<methodName>` and its
    /// `<param>`s) and in each call of a `system.multicall` (a struct with the
    /// members `methodName` and `params`, an array of `<value>`s).
    fn xml_rpc_call(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        use crate::rules::names::Position;
        use memchr::memmem::{find, rfind};
        let text_of = |from: usize| -> Option<(usize, usize)> {
            let s = from + memchr::memchr(b'>', &v[from..])? + 1;
            Some((s, s + memchr::memchr(b'<', &v[s..])?))
        };
        // The innermost text from `q` on: `<value><string>S</string></value>`,
        // `<value>S</value>` (`q` just after the opening `<param>` or `<value>`).
        let innermost = |q: usize, end: usize| -> (usize, usize) {
            let mut t = q;
            while let Some(s) = v[t..end].iter().position(|b| !b.is_ascii_whitespace()) {
                if v[t + s] != b'<' || v.get(t + s + 1) == Some(&b'/') {
                    break;
                }
                t = t + s + memchr::memchr(b'>', &v[t + s..end]).map_or(end - t - s, |x| x + 1);
            }
            (t, t + memchr::memchr(b'<', &v[t..end]).unwrap_or(end - t))
        };
        // The `index`th occurrence of `open` in `v[from..end]`, and just after it.
        let nth = |open: &[u8], from: usize, end: usize, index: usize| -> Option<usize> {
            let mut q = from;
            for _ in 0..=index {
                q = q + find(&v[q..end], open)? + open.len();
            }
            Some(q)
        };
        // Is the value from `q` on a scalar (no `<struct>` or `<array>` before its text)?
        let scalar = |q: usize, end: usize| -> bool {
            let (t, _) = innermost(q, end);
            let opened = &v[q..t];
            find(opened, b"<struct").is_none() && find(opened, b"<array").is_none()
        };
        let mut at = 0;
        while let Some(p) = find(&v[at..], b"<methodName").map(|p| at + p) {
            at = p + 1;
            let Some((ns, ne)) = text_of(p) else { break };
            let Some(position) = self.engine.names.password_param(v[ns..ne].trim_ascii()) else {
                continue;
            };
            // The call's parameters, up to the end of this call.
            let end = find(&v[ne..], b"</methodCall>").map_or(v.len(), |e| ne + e);
            let q = match position {
                Position::At(index) => nth(b"<param>", ne, end, index),
                Position::LastScalar => {
                    let mut last = None;
                    let mut q = ne;
                    while let Some(x) = find(&v[q..end], b"<param>") {
                        q += x + 7;
                        if scalar(q, end) {
                            last = Some(q);
                        }
                    }
                    last
                }
            };
            if let Some(q) = q {
                if scalar(q, end) {
                    let span = innermost(q, end);
                    self.pair_field(v, b"password", span, base, "context.xml", handled, out);
                }
            }
        }
        const METHOD: &[u8] = b"<name>methodName</name>";
        let mut at = 0;
        while let Some(p) = find(&v[at..], METHOD).map(|p| at + p) {
            at = p + METHOD.len();
            let (ms, me) = innermost(at, v.len());
            let Some(position) = self.engine.names.password_param(v[ms..me].trim_ascii()) else {
                continue;
            };
            // This call's struct: from its `<struct>` to the next call's method name
            // (its members may come in either order).
            let from = rfind(&v[..p], b"<struct>").unwrap_or(p);
            let end = find(&v[at..], METHOD).map_or(v.len(), |e| at + e);
            let Some(params) = find(&v[from..end], b"<name>params</name>").map(|x| from + x) else {
                continue;
            };
            let Some(data) = find(&v[params..end], b"<data>").map(|x| params + x + 6) else {
                continue;
            };
            // The parameters before the password are scalars: one `<value>` each (for
            // the last scalar: when all of them are).
            let stop = find(&v[data..end], b"</data>").map_or(end, |x| data + x);
            let index = match position {
                Position::At(index) => index,
                Position::LastScalar => {
                    if find(&v[data..stop], b"<struct").is_some()
                        || find(&v[data..stop], b"<array").is_some()
                    {
                        continue;
                    }
                    match memchr::memmem::find_iter(&v[data..stop], b"<value>").count() {
                        0 => continue,
                        n => n - 1,
                    }
                }
            };
            if let Some(q) = nth(b"<value>", data, stop, index) {
                let span = innermost(q, stop);
                self.pair_field(v, b"password", span, base, "context.xml", handled, out);
            }
        }
    }

    fn xml_elements(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        for c in r.element.captures_iter(v) {
            let (open, local, close) = (c.get(1).unwrap(), c.get(2).unwrap(), c.get(5).unwrap());
            let tag_end = c.get(3).or(c.get(4)).map_or(close.start(), |b| b.start());
            if open.as_bytes() != close.as_bytes() {
                continue;
            }
            // `<Name>password</Name><Value>…</Value>`, XML-RPC's
            // `<name>password</name><value><string>…</string></value>`: a pair.
            if crate::detect::walk::pair_role(local.as_bytes())
                == Some(crate::detect::walk::PairRole::Name)
            {
                if let Some(body) = c.get(4) {
                    let end = c.get(0).unwrap().end();
                    self.xml_pair_value(v, body.as_bytes(), end, base, handled, out);
                }
                continue;
            }
            // `<property name="password"><value>…</value>`, `<Value>…</Value><Name>…`.
            if crate::detect::walk::pair_role(local.as_bytes())
                == Some(crate::detect::walk::PairRole::Value)
            {
                let (whole, body) = (c.get(0).unwrap(), c.get(3).or(c.get(4)));
                if let (Some(name), Some(body)) =
                    (self.xml_value_name(v, whole.start(), whole.end()), body)
                {
                    let span = (body.start(), body.end());
                    self.pair_field(v, &name, span, base, "context.xml", handled, out);
                    continue;
                }
            }
            if !r.words.is_match(&v[open.start()..tag_end]) {
                continue;
            }
            // HTML elements that show text, not data (`<code>`, `<kbd>`).
            let ln = local.as_bytes().to_ascii_lowercase();
            if matches!(
                ln.as_slice(),
                b"code" | b"kbd" | b"samp" | b"var" | b"key" | b"pre"
            ) {
                continue;
            }
            let Some(body) = c.get(3).or(c.get(4)) else {
                continue;
            };
            // `<param name="user[otp_attempt]">…</param>`, `<add key="ApiKey">…</add>`:
            // a generic element named by its `name` or `key` attribute.
            let whole = c.get(0).unwrap();
            let named_by = || tag_name_attribute(&v[whole.start()..body.start()]);
            // A name that is only sometimes a credential (`<session>`, `<credential>`)
            // is judged by the value.
            let (name, weak) = match self.engine.names.field(local.as_bytes()) {
                ParamClass::Secret => (local.as_bytes().to_vec(), false),
                class => match named_by() {
                    Some(n) if self.engine.names.field(&n) == ParamClass::Secret => (n, false),
                    Some(n) if self.engine.names.field(&n) == ParamClass::Weak => (n, true),
                    _ if class == ParamClass::Weak => (local.as_bytes().to_vec(), true),
                    _ => continue,
                },
            };
            let (mut s, mut e) = (body.start(), body.end());
            while s < e && v[s].is_ascii_whitespace() {
                s += 1;
            }
            while e > s && v[e - 1].is_ascii_whitespace() {
                e -= 1;
            }
            if s >= e
                || is_nothing(&v[s..e])
                || (weak && !super::weak_text_value(&v[s..e]))
                || handled.overlaps(s, e)
            {
                continue;
            }
            let kind = super::kind_for_name(&name);
            self.redact(v, s, e, base, "context.xml", kind, None, true, out);
            handled.push((whole.start(), whole.end()));
        }
    }

    /// Credentials in script: `localStorage.setItem('token', '…')`,
    /// `xhr.setRequestHeader('Authorization', 'Bearer …')`, `headers.set("X-Api-Key",
    /// "…")`, `{Authorization: `Bearer …`}` (template literals), and member
    /// assignments at the end of a dotted path of any length
    /// (`window.__APP__.config.auth.accessToken = "…"`).
    fn js_calls(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        if memchr::memchr(b'(', v).is_some() {
            for c in r.js_call.captures_iter(v) {
                let (Some((ns, ne)), Some((vs, ve))) =
                    (first_group(&c, &[2, 3, 4]), first_group(&c, &[5, 6, 7]))
                else {
                    continue;
                };
                let func = c.get(1).unwrap().as_bytes();
                let header_call = matches!(func, b"setRequestHeader" | b"setHeader" | b"header")
                    || func == b"set"
                    || func == b"append";
                self.js_pair(v, base, (ns, ne), (vs, ve), header_call, handled, out);
            }
            // A setter given a literal: `ds.setPassword("…")`, `setApiKey('…')`.
            if memchr::memmem::find(v, b"set").is_some() {
                for c in r.setter.captures_iter(v) {
                    let (Some((ns, ne)), Some((vs, ve))) =
                        (first_group(&c, &[1]), first_group(&c, &[2, 3]))
                    else {
                        continue;
                    };
                    self.js_pair(v, base, (ns, ne), (vs, ve), false, handled, out);
                }
            }
        }
        if memchr::memchr(b'`', v).is_some() {
            for c in r.js_template.captures_iter(v) {
                let (Some((ns, ne)), Some(val)) = (first_group(&c, &[1, 2]), c.get(3)) else {
                    continue;
                };
                self.js_pair(
                    v,
                    base,
                    (ns, ne),
                    (val.start(), val.end()),
                    false,
                    handled,
                    out,
                );
            }
        }
        if memchr::memchr(b'=', v).is_some() {
            for c in r.js_member.captures_iter(v) {
                let (Some((ns, ne)), Some((vs, ve))) =
                    (first_group(&c, &[1]), first_group(&c, &[2, 3, 4]))
                else {
                    continue;
                };
                // `document.cookie = "sid=…; path=/"` sets one cookie: what follows it
                // are its attributes, as in `Set-Cookie`.
                if v[ns..ne].eq_ignore_ascii_case(b"cookie") {
                    if !handled.overlaps(vs, ve) && !redact::inside_placeholder(v, vs, ve) {
                        self.header(b"set-cookie", &v[vs..ve], base + vs, out);
                        handled.push((ns, ve));
                    }
                    continue;
                }
                self.js_pair(v, base, (ns, ne), (vs, ve), false, handled, out);
            }
        }
    }

    /// A literal `value` under `name` in script. Values built from expressions
    /// (`${…}`) keep their expressions; only a literal credential goes.
    #[allow(clippy::too_many_arguments)]
    fn js_pair(
        &mut self,
        v: &[u8],
        base: usize,
        (ns, ne): (usize, usize),
        (vs, ve): (usize, usize),
        header_call: bool,
        handled: &mut Spans,
        out: &mut Vec<Edit>,
    ) {
        let name = &v[ns..ne];
        let val = &v[vs..ve];
        if val.is_empty()
            || is_nothing(val)
            || handled.overlaps(ns, ne)
            || redact::inside_placeholder(v, vs, ve)
            || crate::rules::names::normalize(val) == crate::rules::names::normalize(name)
        {
            return;
        }
        // `Bearer ${token}`: an expression, not a credential.
        if memchr::memmem::find(val, b"${").is_some() {
            return;
        }
        // Header-shaped names take the header's rules (a scheme word stays); a name
        // that is a credential only as a header name (`key`) counts as one only in a
        // header call.
        let hc = self.engine.names.header(name);
        if matches!(
            hc,
            HeaderClass::Cookie | HeaderClass::SetCookie | HeaderClass::Scheme
        ) || (header_call && hc == HeaderClass::Secret)
        {
            let before = out.len();
            self.header(name, val, base + vs, out);
            if out.len() > before {
                handled.push((ns, ve));
            }
            return;
        }
        // A stored or sent field (`setItem("pin", …)`): short names count.
        if self.field_value(v, name, vs, ve, base, "context.script", out) {
            handled.push((ns, ve));
        }
    }

    fn key_values(
        &mut self,
        v: &[u8],
        base: usize,
        mode: Mode,
        handled: &Spans,
        out: &mut Vec<Edit>,
    ) {
        let r = res();
        // Only around credential words: walk back from each hit to the start of the name
        // it belongs to, then match `name = value` anchored there.
        let mut last = usize::MAX;
        for hit in r.words.find_iter(v) {
            let mut s = hit.start();
            while s > 0 && hit.start() - s < 64 {
                if is_name_byte(v[s - 1]) {
                    s -= 1;
                } else if let Some(l) = letter_before(v, s) {
                    // A letter outside ASCII (`contraseña`, `user_пароль`).
                    s -= l;
                } else {
                    break;
                }
            }
            // A Go map (`map[X-Api-Key:[…] Accept:[…]]`): its first key starts after `[`.
            let go_map = v[s..].starts_with(b"map[") && s + 4 <= hit.start();
            if go_map {
                s += 4;
            }
            // A name in brackets (PHP `print_r`'s `[password] => …`) starts inside them.
            let bracketed = s < hit.start() && v[s] == b'[';
            while s < hit.start() && v[s] == b'[' {
                s += 1;
            }
            let q = if s > 0 && matches!(v[s - 1], b'"' | b'\'') {
                s - 1
            } else {
                s
            };
            // A quoted name inside brackets (`os.environ['X_TOKEN']`) starts at its quote.
            // A Python bytes literal's `b` (`b'x-api-key'`) is no part of a name.
            let bytes_literal =
                q < s && q > 0 && v[q - 1] == b'b' && (q == 1 || !is_name_byte(v[q - 2]));
            let glued = q > 0
                && !bracketed
                && !bytes_literal
                && !go_map
                && (v[q - 1] == b'$' || (is_name_byte(v[q - 1]) && !(q < s && v[q - 1] == b'[')));
            if q == last || (glued && v[q - 1] != b'$') {
                continue;
            }
            last = q;
            let c = match r.kv.captures(&v[q..]) {
                Some(c) => c,
                None if q < s && opens_tuple(v, q - usize::from(bytes_literal)) => {
                    let Some(c) = r.tuple.captures(&v[q..]) else {
                        continue;
                    };
                    // A tuple of names (`("password", "email")`) holds no value.
                    let val = c.get(2).or(c.get(3)).map_or(&b""[..], |m| m.as_bytes());
                    if val
                        .iter()
                        .all(|&b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-'))
                    {
                        continue;
                    }
                    c
                }
                None => continue,
            };
            // `$password` is a reference, but `$db_pass = '…'` (PHP, Perl) assigns a
            // literal.
            if glued && [2, 3, 6, 7, 8, 9].iter().all(|&i| c.get(i).is_none()) {
                continue;
            }
            self.key_value(v, base, mode, handled, q, &c, out);
        }
    }

    /// One `name = value` match anchored at `q`.
    #[allow(clippy::too_many_arguments)]
    fn key_value(
        &mut self,
        v: &[u8],
        base: usize,
        mode: Mode,
        handled: &Spans,
        q: usize,
        c: &regex::bytes::Captures,
        out: &mut Vec<Edit>,
    ) {
        let name = c.get(1).unwrap();
        let (ns, ne) = (q + name.start(), q + name.end());
        if handled.overlaps(ns, ne) || redact::inside_placeholder(v, ns, ne) {
            return;
        }
        let name = name.as_bytes();
        // A quoted value cut off before its closing quote (a log line truncated
        // within it: `"access_token":"eyJ…`): the rest of its line.
        let quoted = c.get(2).or(c.get(3)).or(c.get(5)).or(c.get(6)).or(c.get(7));
        // The first item of a list or tuple (Python's `parse_qs`: `{'access_token':
        // ['…']}`, `{'oauth_token': ('…', '')}`), unless it is a word (Laravel's
        // `'password' => ['required', 'min:12']` lists rules).
        let item = c.get(8).or(c.get(9));
        if item.is_some_and(|m| {
            m.as_bytes()
                .iter()
                .all(|&b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-'))
        }) {
            return;
        }
        let quoted = quoted.or(item);
        // A value in brackets (Go's `map[X-Api-Key:[…]]`, Java's `{password=[…]}`) that
        // is a placeholder already.
        if c.get(5)
            .is_some_and(|m| m.as_bytes().starts_with(b"REDACTED"))
        {
            return;
        }
        // In code, an unquoted right-hand side is an expression, unless the pair sits
        // in a query string (`?token=…`, `&key=…`).
        let in_query = ns > 0 && matches!(v[ns - 1], b'?' | b'&' | b'#');
        let Some(m) = quoted.or(c.get(4)) else { return };
        let (vs, mut ve) = (q + m.start(), q + m.end());
        // A variable passed as an argument (GraphQL's `login(password: $p)`, `{pin:
        // $pin}`; in a URL, the blank before it may be a `+`): a reference, not a
        // literal.
        let unblanked = vs + v[vs..ve].iter().take_while(|&&b| b == b'+').count();
        if quoted.is_none()
            && v.get(unblanked) == Some(&b'$')
            && v[unblanked + 1..ve]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
            && matches!(v.get(ve), Some(b')' | b',' | b'}'))
        {
            return;
        }
        // `WARN Password: too short (minimum is 12 characters)`: a message after a log
        // prefix, as at the start of a line (an unquoted value after a colon only, its
        // first word a plain lower-case word: `password: hunter2 is set` is no message).
        if quoted.is_none()
            && memchr::memchr(b'=', &v[ne..vs]).is_none()
            && v[vs..ve].len() <= 12
            && v[vs..ve].iter().all(u8::is_ascii_lowercase)
            && reads_as_prose(&v[vs..line_end(v, vs)])
        {
            return;
        }
        // Cut off within a placeholder: a view of a copy (a wrapped base64 blob decoded
        // in pieces), whose value was redacted.
        if (c.get(6).is_some() || c.get(7).is_some())
            && memchr::memmem::find(&v[vs..ve], b"[REDACTED").is_some()
        {
            return;
        }
        // A PEM block as the value (`key=-----BEGIN+PRIVATE+KEY-----%0A…`): up to its
        // END line, across the line breaks.
        if v[vs..ve].starts_with(b"-----BEGIN") {
            if let Some(p) = memchr::memmem::find(&v[ve..], b"-----END") {
                let after = ve + p + 8;
                if let Some(close) = memchr::memmem::find(&v[after..], b"-----") {
                    ve = after + close + 5;
                }
            }
        }
        // An unquoted value stops at `&`, `;`, `,` and brackets, which separate pairs
        // in a query or a connection string; when no pair follows (no `=` before the
        // next blank), they are the value's own bytes (`PASS=lJ^c$fo/w?&96hA`).
        // PHP's `print_r` (`    [password] => …` on a line of its own), also in a page
        // (a debug dump in HTML): data, not code, wherever it is.
        // Its value is the rest of the line, up to a closing tag (in markup: any tag).
        let print_r = quoted.is_none() && print_r_pair(v, ns, ne, vs);
        if print_r {
            ve = vs + v[vs..line_end(v, vs)].trim_ascii_end().len();
            let tag = if mode == Mode::Code {
                memchr::memchr(b'<', &v[vs..ve])
            } else {
                memchr::memmem::find(&v[vs..ve], b"</")
            };
            ve = tag.map_or(ve, |p| vs + v[vs..vs + p].trim_ascii_end().len());
        } else if quoted.is_none() && mode != Mode::Code && !in_query {
            ve = unquoted_value_end(v, ve);
        }
        let val = &v[vs..ve];
        // A JSON-style pair (`"pin": 93016910`): the name is quoted, a number is data.
        let json_pair = matches!(v[q], b'"' | b'\'');
        // An HTTP header line in markup (`<pre>Cookie: sid=…</pre>`, a request dump in
        // a debug page): the rest of the line is the header's value, as in text.
        let header_line = quoted.is_none()
            && (ns == 0 || matches!(v[ns - 1], b'\n' | b'\r' | b'>'))
            && v[ne..vs].trim_ascii_start().starts_with(b":")
            && matches!(
                self.engine.names.header(name),
                HeaderClass::Cookie | HeaderClass::SetCookie | HeaderClass::Scheme
            );
        if mode == Mode::Code
            && quoted.is_none()
            && !header_line
            && !print_r
            && !(in_query
                && !name.contains(&b'.')
                && (super::looks_like_token(val)
                    || match self.engine.names.field(name) {
                        ParamClass::Secret => true,
                        ParamClass::Weak => super::weak_text_value(val),
                        _ => false,
                    }))
            && !(json_pair && val.iter().all(u8::is_ascii_digit))
        {
            return;
        }
        // `this.password`, `i.withCredentials`: judge the member name.
        let full_name = name;
        let name = match name.iter().rposition(|&b| b == b'.') {
            Some(p) if mode == Mode::Code && !json_pair && p + 1 < name.len() => &name[p + 1..],
            _ => name,
        };
        // A map from names to names (`accesskey: "accessKey"`) holds no secret.
        if is_nothing(val)
            || crate::rules::names::normalize(val) == crate::rules::names::normalize(name)
        {
            return;
        }
        // Code, not a credential: an element id (`"#add-password"`), or an unquoted
        // call, cast or reference to another variable.
        if (quoted.is_some() && is_element_id(val))
            || (quoted.is_none() && is_code_value(&v[vs..line_end(v, vs)]))
        {
            return;
        }
        // `<add key="ApiSecret" value="…">`: the key attribute names the value attribute.
        if quoted.is_some() && name.eq_ignore_ascii_case(b"key") {
            if let Some((as_, ae)) = value_attribute(v, ve + 1) {
                let named = match self.engine.names.param(val) {
                    ParamClass::Secret => true,
                    ParamClass::Weak => super::looks_like_token(&v[as_..ae]),
                    _ => false,
                };
                if named && !is_nothing(&v[as_..ae]) {
                    let kind = super::kind_for_name(val);
                    self.redact(v, as_, ae, base, "context.key-value", kind, None, true, out);
                }
                return;
            }
        }
        // Header-shaped names take the rest of the line (cookies have `; `, schemes a space).
        let hc = self.engine.names.header(name);
        if matches!(
            hc,
            HeaderClass::Cookie | HeaderClass::SetCookie | HeaderClass::Scheme
        ) {
            let mut end = if quoted.is_some() {
                ve
            } else {
                header_value_end(v, q, ne, vs)
            };
            if quoted.is_none() && hc == HeaderClass::Scheme {
                // A pair of a map printed by Java or Kotlin: `{name=…, name=…}`.
                let map = v[ne..vs].trim_ascii() == b"="
                    && ns > 0
                    && (v[ns - 1] == b'{' || (ns > 1 && &v[ns - 2..ns] == b", "));
                end = scheme_value_end(v, vs, end, map);
            }
            // A header line in markup ends at the next tag (`…; theme=dark</div>`).
            if quoted.is_none() && (mode == Mode::Code || (ns > 0 && v[ns - 1] == b'>')) {
                if let Some(p) = memchr::memchr(b'<', &v[vs..end]) {
                    end = vs + p;
                }
            }
            // `document.cookie = "sid=…; path=/"` sets one cookie: what follows it are
            // its attributes, as in `Set-Cookie`.
            let header: &[u8] = if hc == HeaderClass::Cookie && full_name.contains(&b'.') {
                b"set-cookie"
            } else {
                name
            };
            self.header(header, &v[vs..end], base + vs, out);
            return;
        }
        // A JSON-style pair (quoted name) or a query parameter is a field: short names
        // (`pass`, `pin`, `sid`) count there as they do in JSON and forms; a quoted value
        // alone (`sid="1"` in a log or an XML attribute) does not make one.
        let class = if json_pair || in_query {
            self.engine.names.field(name)
        } else {
            self.engine.names.param(name)
        };
        // `pass=86052013`, `pin=4711` in a log line: a short field name assigned a
        // number of PIN length. (`pass: 3` and `pin="1"` stay: prose, counters.)
        let pin_like = class == ParamClass::Weak
            && quoted.is_none()
            && memchr::memchr(b'=', &v[ne..vs]).is_some()
            && (4..=16).contains(&val.len())
            && val.iter().all(u8::is_ascii_digit)
            && self.engine.names.field(name) == ParamClass::Secret;
        let secret = match class {
            ParamClass::Secret => true,
            ParamClass::Weak if pin_like => true,
            // In a query, judged as URLs judge them; elsewhere as JSON members.
            ParamClass::Weak if in_query => super::weak_param_value(&self.engine.names, name, val),
            ParamClass::Weak => super::weak_text_value(val),
            ParamClass::Url if super::looks_like_url(val) => {
                self.url(val, base + vs, out);
                false
            }
            _ => false,
        };
        if secret {
            let kind = super::kind_for_name(name);
            self.redact(v, vs, ve, base, "context.key-value", kind, None, true, out);
        }
    }

    /// A table (CSV, TSV, `;`-separated: a `.csv` or `.tsv` file, a `text/csv` body)
    /// whose header row names a credential column (`name,email,api_token`,
    /// `[id],[password]`): that column's field in every row. Rows are records: a quoted
    /// field may hold line breaks. A row with more fields than the header keeps its
    /// columns' places (what is past them is left to the other readers), and so does a
    /// shorter one of two fields or more. A weak name (`key`, `session`) takes token-like
    /// values only.
    pub fn csv_columns(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let Some(nl) = memchr::memchr(b'\n', v) else {
            return;
        };
        let first = &v[..nl];
        let head = first.strip_suffix(b"\r").unwrap_or(first);
        // Spreadsheet exports start with a byte order mark.
        let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
        // A header row is short; a long first line is a text of another kind.
        if head.len() > 4096 {
            return;
        }
        let Some(sep) = [b',', b'\t', b';']
            .into_iter()
            .find(|&c| memchr::memchr(c, head).is_some())
        else {
            return;
        };
        // The header line holds no line break: one record, all of it.
        let names = csv_record(head, 0, sep).0;
        // Column names: words, not code or data.
        let column = |n: &[u8]| {
            !n.is_empty()
                && n.len() <= 64
                && n.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b" _-./#[]()".contains(&b))
        };
        if names.len() < 2 || !names.iter().all(|&(s, e)| column(unquote(&head[s..e]))) {
            return;
        }
        let classes: Vec<(ParamClass, &[u8])> = names
            .iter()
            .map(|&(s, e)| {
                let name = unquote(&head[s..e]);
                // `[password]` (a SQL Server export): the name inside the brackets.
                let name = match name {
                    [b'[', n @ .., b']'] => n,
                    n => n,
                };
                (self.engine.names.field(name), name)
            })
            .collect();
        if !classes
            .iter()
            .any(|(c, _)| matches!(c, ParamClass::Secret | ParamClass::Weak))
        {
            return;
        }
        let mut at = nl + 1;
        while at < v.len() {
            let (fields, next) = csv_record(v, at, sep);
            at = next;
            if fields.len() < 2 {
                continue;
            }
            for (&(fs, fe), (class, name)) in fields.iter().zip(&classes) {
                let (mut s, mut e) = (fs, fe);
                if e - s >= 2 && v[s] == b'"' && v[e - 1] == b'"' {
                    s += 1;
                    e -= 1;
                }
                let value = &v[s..e];
                let take = match class {
                    ParamClass::Secret => true,
                    ParamClass::Weak => super::weak_text_value(value),
                    _ => false,
                };
                let covered = out
                    .iter()
                    .any(|ed| ed.claim <= base + s && ed.end >= base + e);
                if take && !is_nothing(value) && !covered {
                    let kind = super::kind_for_name(name);
                    self.redact(v, s, e, base, "context.csv", kind, None, true, out);
                }
            }
        }
    }

    /// SQL rows by column, as a CSV column is read ([`Scrubber::csv_columns`]):
    /// `INSERT INTO t (id, email, api_key) VALUES (1, 'a@example.com', '…'), (…);` and
    /// a `pg_dump` block, `COPY t (id, api_token) FROM stdin;` then tab-separated rows up
    /// to `\.`. A value in a column a credential name names goes (a weak name's only
    /// when it looks like a token); `NULL`, numbers and the other columns stay.
    fn sql_rows(&mut self, v: &[u8], base: usize, handled: &mut Spans, out: &mut Vec<Edit>) {
        let r = res();
        let columns = |list: &[u8]| -> Vec<(ParamClass, Vec<u8>)> {
            list.split(|&b| b == b',')
                .map(|c| {
                    let c = c.trim_ascii();
                    let c = c
                        .strip_prefix(b"`")
                        .and_then(|c| c.strip_suffix(b"`"))
                        .or_else(|| c.strip_prefix(b"\"").and_then(|c| c.strip_suffix(b"\"")))
                        .or_else(|| c.strip_prefix(b"[").and_then(|c| c.strip_suffix(b"]")))
                        .unwrap_or(c);
                    (self.engine.names.field(c), c.to_vec())
                })
                .collect()
        };
        let judged = |cols: &[(ParamClass, Vec<u8>)]| {
            cols.iter()
                .any(|(c, _)| matches!(c, ParamClass::Secret | ParamClass::Weak))
        };
        let mut found: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let mut take = |cols: &[(ParamClass, Vec<u8>)], i: usize, s: usize, e: usize| {
            let Some((class, name)) = cols.get(i) else {
                return;
            };
            let value = &v[s..e];
            let secret = match class {
                ParamClass::Secret => true,
                ParamClass::Weak => super::weak_text_value(value),
                _ => false,
            };
            if secret && !is_nothing(value) && value != b"\\N" {
                found.push((s, e, name.clone()));
            }
        };
        for c in r.sql_insert.captures_iter(v) {
            let cols = columns(c.get(1).map_or(&b""[..], |m| m.as_bytes()));
            if !judged(&cols) {
                continue;
            }
            let mut at = c.get(0).map_or(v.len(), |m| m.end());
            // Each row: `(` values `)`, separated by commas.
            while v.get(at) == Some(&b'(') {
                at += 1;
                let mut i = 0;
                loop {
                    while v.get(at).is_some_and(u8::is_ascii_whitespace) {
                        at += 1;
                    }
                    let (s, e, next) = match v.get(at) {
                        Some(&q @ (b'\'' | b'"')) => {
                            // A quoted literal: its quote doubled, or escaped (MySQL).
                            let mut j = at + 1;
                            loop {
                                match v.get(j) {
                                    None => break,
                                    Some(b'\\') => j += 2,
                                    Some(&b) if b == q && v.get(j + 1) == Some(&q) => j += 2,
                                    Some(&b) if b == q => break,
                                    Some(b'\n') if j - at > 4096 => break,
                                    _ => j += 1,
                                }
                            }
                            (at + 1, j.min(v.len()), (j + 1).min(v.len()))
                        }
                        _ => {
                            let end = v[at..]
                                .iter()
                                .position(|&b| b == b',' || b == b')' || b == b'\n')
                                .map_or(v.len(), |p| at + p);
                            let t = v[at..end].trim_ascii_end();
                            (at, at + t.len(), end)
                        }
                    };
                    take(&cols, i, s, e);
                    at = next;
                    while v.get(at).is_some_and(u8::is_ascii_whitespace) {
                        at += 1;
                    }
                    match v.get(at) {
                        Some(b',') => {
                            at += 1;
                            i += 1;
                        }
                        Some(b')') => {
                            at += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                while v.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                if v.get(at) != Some(&b',') {
                    break;
                }
                at += 1;
                while v.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
            }
        }
        for c in r.sql_copy.captures_iter(v) {
            let cols = columns(c.get(1).map_or(&b""[..], |m| m.as_bytes()));
            if !judged(&cols) {
                continue;
            }
            let from = c.get(0).map_or(v.len(), |m| m.end());
            for (ls, le) in line_spans(&v[from..]) {
                let (ls, le) = (from + ls, from + le);
                let line = &v[ls..le];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line == b"\\." {
                    break;
                }
                let mut s = ls;
                for (i, field) in line.split(|&b| b == b'\t').enumerate() {
                    take(&cols, i, s, s + field.len());
                    s += field.len() + 1;
                }
            }
        }
        for (s, e, name) in found {
            let covered = out
                .iter()
                .any(|ed| ed.claim <= base + s && ed.end >= base + e);
            if !covered {
                let kind = super::kind_for_name(&name);
                self.redact(v, s, e, base, "context.sql", kind, None, true, out);
            }
            handled.push((s, e));
        }
    }

    /// Env files: `NAME=value` where the name says secret.
    pub fn env_lines(&mut self, v: &[u8], out: &mut Vec<Edit>) {
        let r = res();
        if memchr::memchr(b'=', v).is_none() {
            return;
        }
        for c in r.env.captures_iter(v) {
            let name = c.get(1).unwrap();
            let val = c.get(2).unwrap();
            let (mut s, mut e) = (val.start(), val.end());
            // `NAME => value` (a Perl or PHP pair): the arrow is no part of the value.
            if v.get(s) == Some(&b'>') {
                s += 1;
                while s < e && matches!(v[s], b' ' | b'\t') {
                    s += 1;
                }
            }
            while e > s && v[e - 1].is_ascii_whitespace() {
                e -= 1;
            }
            // `app.api.key=\` (a Java properties line continued): the value is the next
            // line's text.
            if &v[s..e] == b"\\" {
                if let Some(nl) = memchr::memchr(b'\n', &v[e..]) {
                    let a = e + nl + 1;
                    let end = a + memchr::memchr(b'\n', &v[a..]).unwrap_or(v.len() - a);
                    let ind = v[a..end]
                        .iter()
                        .take_while(|b| matches!(b, b' ' | b'\t'))
                        .count();
                    (s, e) = (a + ind, a + ind + v[a + ind..end].trim_ascii_end().len());
                }
            }
            // `password =` alone, the value on the more indented lines after it (an INI
            // value continued).
            if s == e {
                let ls = v[..name.start()]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let col = v[ls..name.start()]
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t'))
                    .count();
                if let Some((a, b)) = deeper_lines(v, e, col, false) {
                    (s, e) = (a, b);
                }
            }
            // A quoted value whose quotes span lines: TOML's and Python's `"""…"""`
            // (`'''…'''`), or a dotenv value in quotes continued over the next lines (a
            // PEM block): all of it up to the closing quote, the quotes kept.
            if let Some((a, b)) = multiline_quoted(v, s, e) {
                let secret = env_secret_name(name.as_bytes())
                    || self.engine.names.param(name.as_bytes()) == ParamClass::Secret;
                if secret
                    && b > a
                    && !is_nothing(&v[a..b])
                    && !out.iter().any(|ed| ed.claim <= a && ed.end >= b)
                {
                    let kind = super::kind_for_name(name.as_bytes());
                    self.redact(v, a, b, 0, "context.env", kind, None, true, out);
                }
                continue;
            }
            // `name = "value";` in code: the terminator is not part of a quoted value.
            if e - s >= 3
                && matches!(v[s], b'"' | b'\'')
                && matches!(v[e - 1], b';' | b',')
                && v[e - 2] == v[s]
            {
                e -= 1;
            }
            let quoted = e - s >= 2 && matches!(v[s], b'"' | b'\'') && v[e - 1] == v[s];
            if quoted && is_element_id(&v[s + 1..e - 1]) {
                continue;
            }
            if !quoted && is_code_value(&v[s..e]) {
                continue;
            }
            if e - s >= 2 && matches!(v[s], b'"' | b'\'') && v[e - 1] == v[s] {
                s += 1;
                e -= 1;
            } else if e > s
                && matches!(v[s], b'"' | b'\'')
                && memchr::memchr(v[s], &v[s + 1..e]).is_none()
            {
                // A quoted value that goes on over the next lines (a PEM block): the
                // opening quote is not part of it.
                s += 1;
            }
            // `access_token=…&token_type=Bearer&expires_in=3600`: a query string, whose
            // first value ends at the next `&name=` (an upper-case `NAME=` is a
            // variable, whose value may hold `&x=`).
            let lower = name.as_bytes().iter().any(u8::is_ascii_lowercase);
            if let Some(p) = (s..e).filter(|_| lower).find(|&i| {
                v[i] == b'&' && {
                    let n = v[i + 1..e]
                        .iter()
                        .take_while(|b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
                        })
                        .count();
                    n > 0 && v.get(i + 1 + n) == Some(&b'=')
                }
            }) {
                e = p;
            }
            let value = &v[s..e];
            if is_nothing(value) || out.iter().any(|ed| ed.claim <= s && ed.end >= e) {
                continue;
            }
            if memchr::memmem::find(value, b"://").is_some() {
                let before = out.len();
                self.url(value, s, out);
                // (A URL whose credential is already a placeholder, in a copy, is one
                // the URL reader took: not a secret of its own.)
                if out.len() > before
                    || !env_secret_name(name.as_bytes())
                    || memchr::memmem::find(value, b"[REDACTED").is_some()
                {
                    continue;
                }
            }
            // `STRIPE_SK`, `PAYSTACK_SK`: the usual abbreviation of a secret key in an
            // env name, taken for a token-like value only (a sort key is `SK` too).
            let secret_key = name.as_bytes().to_ascii_uppercase().ends_with(b"_SK")
                && super::looks_like_token(value);
            if env_secret_name(name.as_bytes())
                || secret_key
                || self.engine.names.param(name.as_bytes()) == ParamClass::Secret
            {
                let kind = super::kind_for_name(name.as_bytes());
                self.redact(v, s, e, 0, "context.env", kind, None, true, out);
            }
        }
    }

    /// Token rules and known secrets, skipping spans already covered by `out[first..]`
    /// and placeholders.
    pub(crate) fn rule_spans(&mut self, v: &[u8], base: usize, first: usize, out: &mut Vec<Edit>) {
        // (start, end, rule, kind, the known secret when the match is an encoded form)
        let mut spans: Vec<Span> = Vec::new();
        let rules = &self.engine.rules;
        // `find_all` runs the keyword prefilter itself: a `may_match` first would read
        // the value twice wherever a keyword is.
        {
            let mut ms = std::mem::take(&mut self.scratch);
            rules.find_all(v, &mut ms);
            for m in &ms {
                let rule = rules.rule(m.rule);
                // Provider-independent shapes (`password = …`) around code: `NULL;`,
                // `config.password`, `process.env.X || …` are not credentials.
                if rule.group == "generic"
                    && rule.kind == "password"
                    && is_code_value(&v[m.start..line_end(v, m.start)])
                {
                    continue;
                }
                spans.push((m.start, m.end, rule.id.clone(), rule.kind.clone(), None));
            }
            self.scratch = ms;
        }
        for (s, e, secret, kind) in self.known.find_all(v) {
            let ident = (secret != &v[s..e]).then(|| secret.to_vec());
            spans.push((s, e, "context.propagated".into(), kind.into(), ident));
        }
        if spans.is_empty() {
            return;
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        // Merge overlapping spans into their union (first rule names it).
        let mut merged: Vec<Span> = Vec::new();
        for s in spans {
            match merged.last_mut() {
                Some(last) if s.0 < last.1 => {
                    if s.1 > last.1 {
                        last.1 = s.1;
                        last.4 = None;
                    }
                }
                _ => merged.push(s),
            }
        }
        for (s, e, rule, kind, ident) in merged {
            let (as_, ae) = (base + s, base + e);
            let covered = out[first..]
                .iter()
                .any(|ed| ed.claim <= as_ && ed.end >= ae);
            if covered || redact::inside_placeholder(v, s, e) || names_itself(v, s, e) {
                continue;
            }
            self.redact(v, s, e, base, &rule, &kind, ident.as_deref(), true, out);
        }
    }
}

/// A match of a rule or a known secret: start, end, rule id, kind, and the known
/// secret when the match is one of its encoded forms.
type Span = (usize, usize, String, String, Option<Vec<u8>>);

/// The text of the lines after the line ending at `eol` that are indented deeper than
/// `col` (an INI or YAML value continued), blank lines between them included: (start of
/// the first one's text, end of the last one's). `plain`: the lines of a YAML plain
/// scalar, which holds no `key: ` member, `- ` item or comment.
fn deeper_lines(v: &[u8], eol: usize, col: usize, plain: bool) -> Option<(usize, usize)> {
    let mut at = eol + memchr::memchr(b'\n', &v[eol..])? + 1;
    let (mut first, mut last) = (None, 0);
    while at < v.len() {
        let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
        let line = &v[at..end];
        let ind = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let text = line[ind..].trim_ascii_end();
        if !text.is_empty() {
            if ind <= col {
                break;
            }
            if plain
                && (text.starts_with(b"- ")
                    || text.starts_with(b"at ")
                    || text == b"-"
                    || text.starts_with(b"#")
                    || memchr::memmem::find(text, b": ").is_some()
                    || text.ends_with(b":"))
            {
                break;
            }
            first.get_or_insert(at + ind);
            last = at + ind + text.len();
        }
        at = end + 1;
    }
    first.map(|f| (f, last))
}

/// Where the closing quote of a quoted value opened at `open` (`"` or `'`) is, when it
/// is on a later line than `eol`: the first quote after the opening one (past `\"`
/// escapes in double quotes), taken only when it ends its line (blanks, a `;` or `,`,
/// a comment after it): a stray quote on a line is not a value going on.
fn closing_quote_after(v: &[u8], open: usize, eol: usize) -> Option<usize> {
    let q = v[open];
    let mut i = open + 1;
    while i < v.len() {
        if v[i] == b'\\' && q == b'"' {
            i += 2;
            continue;
        }
        if v[i] == q {
            break;
        }
        i += 1;
    }
    if i >= v.len() || i < eol {
        return None;
    }
    let rest = &v[i + 1..line_end(v, i + 1)];
    let rest = rest.trim_ascii_start();
    let rest = rest
        .strip_prefix(b";")
        .or(rest.strip_prefix(b","))
        .unwrap_or(rest);
    let rest = rest.trim_ascii();
    (rest.is_empty() || rest.starts_with(b"#")).then_some(i)
}

/// The inside of a quoted value at `v[s..e]` (the rest of its line) that goes on over
/// the next lines: a triple-quoted string (`"""`, `'''`) up to its closing triple, without
/// the blanks and line breaks around the text; a value in single quotes whose closing
/// quote ends a later line. None for a value closed on its own line.
fn multiline_quoted(v: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    let q = *v.get(s)?;
    if !matches!(q, b'"' | b'\'') || s >= e {
        return None;
    }
    let triple = [q, q, q];
    if v[s..].starts_with(&triple) {
        let from = s + 3;
        let close = memchr::memmem::find(&v[from..], &triple).map_or(v.len(), |p| from + p);
        let mut a = from;
        let mut b = close;
        while a < b && v[a].is_ascii_whitespace() {
            a += 1;
        }
        while b > a && v[b - 1].is_ascii_whitespace() {
            b -= 1;
        }
        return Some((a, b));
    }
    // Closed on its own line (`"value"`, `"value";`): not this.
    if memchr::memchr(q, &v[s + 1..e]).is_some() {
        return None;
    }
    let close = closing_quote_after(v, s, e)?;
    Some((s + 1, close))
}

/// End of the line that `at` is on.
fn line_end(v: &[u8], at: usize) -> usize {
    at + memchr::memchr2(b'\n', b'\r', &v[at..]).unwrap_or(v.len() - at)
}

/// `#some-id` / `#someId`: a CSS selector or element id, not a credential.
fn is_element_id(v: &[u8]) -> bool {
    v.len() > 1
        && v[0] == b'#'
        && v[1].is_ascii_alphabetic()
        && v[1..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && v[1..].iter().any(|&b| b == b'-' || b.is_ascii_lowercase())
}

/// Roots of member paths that are configuration or environment lookups in code.
const CODE_ROOTS: &[&str] = &[
    "process",
    "config",
    "cfg",
    "conf",
    "settings",
    "self",
    "this",
    "os",
    "env",
    "options",
    "opts",
    "args",
    "params",
    "props",
    "state",
    "ctx",
    "context",
    "req",
    "request",
    "window",
    "document",
    "app",
    "secrets",
    "vars",
    "system",
    "environment",
    "import",
];

/// The unquoted right-hand side of an assignment (the rest of its line) is code, not a
/// credential: `NULL;`, a cast or parenthesised expression, a call (`Buffer.from(…)`),
/// or a reference to another variable (`process.env.X || …`, `config.password`).
fn is_code_value(rest: &[u8]) -> bool {
    let t = rest.trim_ascii();
    let t = t.strip_suffix(b";").unwrap_or(t).trim_ascii_end();
    if t.is_empty() || is_nothing(t) {
        return true;
    }
    if t[0] == b'(' {
        return true;
    }
    // Leading identifier path: `a`, `a.b.c`, `$x.y`.
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    if !(t[0].is_ascii_alphabetic() || t[0] == b'_' || t[0] == b'$') {
        return false;
    }
    let mut i = 0;
    let mut segments = Vec::new();
    loop {
        let st = i;
        if i >= t.len() || !(t[i].is_ascii_alphabetic() || t[i] == b'_' || t[i] == b'$') {
            return false;
        }
        while i < t.len() && ident(t[i]) {
            i += 1;
        }
        segments.push(&t[st..i]);
        if i < t.len() && t[i] == b'.' {
            i += 1;
            continue;
        }
        break;
    }
    let after = t[i..].trim_ascii_start();
    // A call: `name(…)`, `a.b(…)`, `new X(…)`.
    if after.starts_with(b"(") {
        return true;
    }
    if segments.len() == 1 {
        // `new Foo(…)`, `await fetch(…)`
        let kw = segments[0].to_ascii_lowercase();
        return matches!(kw.as_slice(), b"new" | b"await")
            && after.iter().position(|&b| b == b'(').is_some_and(|p| {
                after[..p]
                    .iter()
                    .all(|&b| ident(b) || b == b'.' || b == b' ')
            });
    }
    // A member path followed by an operator, or rooted at a configuration object.
    let operator = [&b"||"[..], b"??", b"&&", b"or ", b"+ ", b"?"]
        .iter()
        .any(|op| after.starts_with(op));
    let root = segments[0].to_ascii_lowercase();
    after.is_empty() && CODE_ROOTS.iter().any(|r| r.as_bytes() == root.as_slice())
        || operator
        || (after.is_empty() && segments.iter().any(|s| s.eq_ignore_ascii_case(b"env")))
}

/// `value="…"` (or `'…'`) after the `key="…"` attribute of the same tag, starting the
/// search at `from`; the span of the value inside its quotes.
fn value_attribute(v: &[u8], from: usize) -> Option<(usize, usize)> {
    let rest = &v[from.min(v.len())..];
    let t = rest.trim_ascii_start();
    let off = from + (rest.len() - t.len());
    let lower: Vec<u8> = t.iter().take(6).map(|b| b.to_ascii_lowercase()).collect();
    if !lower.starts_with(b"value") {
        return None;
    }
    let mut i = 5;
    while i < t.len() && matches!(t[i], b' ' | b'\t') {
        i += 1;
    }
    if t.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < t.len() && matches!(t[i], b' ' | b'\t') {
        i += 1;
    }
    let q = *t.get(i).filter(|&&b| b == b'"' || b == b'\'')?;
    let close = memchr::memchr(q, &t[i + 1..])?;
    Some((off + i + 1, off + i + 1 + close))
}

fn env_secret_name(name: &[u8]) -> bool {
    let u = name.to_ascii_uppercase();
    let ends = |s: &[u8]| u.ends_with(s);
    if u.windows(6).any(|w| w == b"PUBLIC")
        || ends(b"_ID")
        || ends(b"_PATH")
        || ends(b"_FILE")
        || ends(b"_URL")
    {
        return false;
    }
    ends(b"_TOKEN")
        || ends(b"_SECRET")
        || ends(b"_PASSWORD")
        || ends(b"_PASS")
        || ends(b"_PWD")
        || ends(b"_KEY")
        || ends(b"_CREDENTIALS")
        || ends(b"_AUTH")
        || ends(b"_DSN")
        || ends(b"_SIGNATURE")
        || ends(b"_COOKIE")
        || ends(b"_SESSION")
}

/// The record of a table starting at `at`: the (start, end) of each field, quotes
/// included, and where the next record starts. A quoted field may hold the separator,
/// doubled quotes and line breaks; a record ends at a line break outside quotes (its
/// `\r` is no part of the last field).
fn csv_record(v: &[u8], at: usize, sep: u8) -> (Vec<(usize, usize)>, usize) {
    let mut fields = Vec::new();
    let mut i = at;
    loop {
        let start = i;
        if v.get(i) == Some(&b'"') {
            i += 1;
            while i < v.len() {
                if v[i] == b'"' {
                    if v.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        let stop = i + memchr::memchr2(sep, b'\n', &v[i.min(v.len())..])
            .unwrap_or(v.len().saturating_sub(i));
        let stop = stop.min(v.len());
        let mut end = stop;
        if (stop == v.len() || v[stop] == b'\n') && end > start && v[end - 1] == b'\r' {
            end -= 1;
        }
        fields.push((start, end));
        if stop >= v.len() {
            return (fields, v.len());
        }
        if v[stop] == b'\n' {
            return (fields, stop + 1);
        }
        i = stop + 1;
    }
}

/// A header name without the quotes around it.
fn unquote(name: &[u8]) -> &[u8] {
    let n = name.trim_ascii();
    if n.len() >= 2 && n[0] == b'"' && n[n.len() - 1] == b'"' {
        &n[1..n.len() - 1]
    } else {
        n
    }
}

/// The `key: scalar` member of a YAML line whose key has a role in a pair (`name`,
/// `value`…), as (the role, the scalar's span, where the scalar's lines end).
fn yaml_member(
    v: &[u8],
    line: (usize, usize),
) -> Option<(crate::detect::walk::PairRole, usize, usize)> {
    let (key, s, e) = yaml_scalar(v, line)?;
    Some((crate::detect::walk::pair_role(&v[key.0..key.1])?, s, e))
}

/// The `key: scalar` of a YAML line (after a list item's dash), as (the key's span,
/// the scalar's span, where the scalar's lines end): for a block scalar (`value: |`,
/// `value: >-`) the span covers the more indented lines after it, else the rest of
/// the line, without quotes.
fn yaml_scalar(v: &[u8], line: (usize, usize)) -> Option<((usize, usize), usize, usize)> {
    let l = &v[line.0..line.1];
    let mut i = l.iter().take_while(|b| **b == b' ').count();
    if l[i..].starts_with(b"- ") {
        i += 2;
        i += l[i..].iter().take_while(|b| **b == b' ').count();
    }
    let colon = i + memchr::memchr(b':', &l[i..])?;
    let key = (line.0 + i, line.0 + colon);
    let mut s = colon + 1;
    if s < l.len() && l[s] != b' ' {
        return None;
    }
    s += l[s..].iter().take_while(|b| **b == b' ').count();
    let e = l.len()
        - l.iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    if s >= e {
        return None;
    }
    let scalar = &l[s..e];
    let block = matches!(scalar[0], b'|' | b'>')
        && scalar[1..]
            .iter()
            .all(|b| matches!(b, b'-' | b'+' | b'0'..=b'9'));
    if !block {
        let (s, e) = unquote_span(l, s, e);
        return Some((key, line.0 + s, line.0 + e));
    }
    // The block: the following lines indented deeper than the key (blank lines too).
    let (mut first, mut last) = (None, line.1);
    let mut at = line.1 + 1;
    while at < v.len() {
        let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
        let t = &v[at..end];
        let indent = t.iter().take_while(|b| **b == b' ').count();
        if indent < t.len() && indent <= i {
            break;
        }
        if indent < t.trim_ascii_end().len() {
            first.get_or_insert(at + indent);
            last = at + t.trim_ascii_end().len();
        }
        at = end + 1;
    }
    let first = first?;
    Some((key, first, last))
}

/// The lines of `v` as spans, without their `\n`.
fn line_spans(v: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= v.len() {
            return None;
        }
        let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
        let line = (at, end);
        at = end + 1;
        Some(line)
    })
}

/// A YAML value written on the lines after its key, whose name starts at `name` and
/// whose same-line value is `v[vs..ve]`: a block scalar (`key: |`, `key: >-`) or a plain
/// scalar on the next, deeper line (`key:` alone, then `    value`); the span from the
/// first deeper line's text to the last one's end. None for any other value, or when
/// the deeper lines are members (`key:` then `  child: …`, `  - item`).
fn yaml_block_value(v: &[u8], name: usize, vs: usize, ve: usize) -> Option<(usize, usize)> {
    let t = v[vs..ve].trim_ascii();
    let indicator = matches!(t.first(), Some(b'|' | b'>'))
        && t[1..]
            .iter()
            .all(|b| matches!(b, b'-' | b'+' | b'0'..=b'9'));
    if !indicator && !t.is_empty() {
        return None;
    }
    let line_start = v[..name]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = name - line_start;
    let mut at = ve + memchr::memchr(b'\n', &v[ve..])? + 1;
    let (mut first, mut last) = (None, 0);
    while at < v.len() {
        let end = at + memchr::memchr(b'\n', &v[at..]).unwrap_or(v.len() - at);
        let line = &v[at..end];
        let ind = line.iter().take_while(|&&b| b == b' ').count();
        let text = line[ind..].trim_ascii_end();
        if !text.is_empty() {
            if ind <= col {
                break;
            }
            if first.is_none() {
                let member = text.starts_with(b"- ")
                    || text == b"-"
                    || text.starts_with(b"#")
                    || text
                        .iter()
                        .position(|&b| b == b':')
                        .is_some_and(|c| text.get(c + 1).is_none_or(|&b| b == b' '));
                if !indicator && member {
                    return None;
                }
                first = Some(at + ind);
            }
            last = at + ind + text.len();
        }
        at = end + 1;
    }
    first.map(|f| (f, last))
}

/// The items of a YAML flow map's inside, split at commas outside quotes, as spans.
fn yaml_flow_items(m: &[u8]) -> Vec<(usize, usize)> {
    let (mut items, mut from, mut quote) = (Vec::new(), 0, None);
    for (i, &b) in m.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b',') => {
                items.push((from, i));
                from = i + 1;
            }
            _ => {}
        }
    }
    items.push((from, m.len()));
    items
}

/// Is the name at `ns..ne` a key of PHP's `print_r` (`[name] => value`, only blanks
/// before it on its line), with `vs` where its value starts?
fn print_r_pair(v: &[u8], ns: usize, ne: usize, vs: usize) -> bool {
    ns > 0
        && v[ns - 1] == b'['
        && v[..ns - 1]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(|&b| b == b' ' || b == b'\t' || b == b'\r')
        && v[ne..vs].trim_ascii() == b"] =>"
}

/// Where an unquoted `name=value` value that the pair pattern ended at `ve` really
/// ends: through the rest of its word when that holds no `=` or quote (no other pair
/// follows) or placeholder, without closing punctuation at the word's end.
fn unquoted_value_end(v: &[u8], ve: usize) -> usize {
    if ve >= v.len() || !b"&;,<>(){}[]\\".contains(&v[ve]) {
        return ve;
    }
    let run = v[ve..]
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(v.len() - ve);
    let word = &v[ve..ve + run];
    if word.iter().any(|b| matches!(b, b'=' | b'"' | b'\''))
        || memchr::memmem::find(word, b"[REDACTED").is_some()
    {
        return ve;
    }
    let keep = word.len()
        - word
            .iter()
            .rev()
            .take_while(|b| b")]}>,;.".contains(b))
            .count();
    ve + keep
}

/// A word a log line or a transcript puts before what was said: a time or a date
/// (`2024-01-01T00:00:00Z`, `12:00:01.5`, `1700000000.123456`), a level (`INFO`,
/// `debug`), a bracketed tag (`[ftp]`, `[0`, `127.0.0.1:50000]`), a prompt
/// (`127.0.0.1:6379>`, `ftp>`), a direction or a speaker (`C:`, `>`, `-->`, `<<<`).
fn log_prefix_word(t: &[u8]) -> bool {
    const LEVELS: &[&[u8]] = &[
        b"trace",
        b"debug",
        b"info",
        b"notice",
        b"warn",
        b"warning",
        b"error",
        b"err",
        b"fatal",
        b"crit",
        b"critical",
        b"fine",
        b"finer",
        b"finest",
        b"verbose",
    ];
    let t = t.strip_suffix(b":").unwrap_or(t);
    (t.len() <= 3
        && !t.is_empty()
        && t.iter()
            .all(|b| matches!(b, b'<' | b'>' | b'-' | b':' | b'C' | b'S')))
        || (t.first().is_some_and(u8::is_ascii_digit)
            && t.iter().any(|b| matches!(b, b'-' | b':' | b'/'))
            && t.iter()
                .all(|b| b.is_ascii_digit() || b"-:./,+TZ".contains(b)))
        || (t.len() >= 2 && (t[0] == b'[' || t[t.len() - 1] == b']'))
        || (t.len() >= 2 && t[0] != b'<' && t[t.len() - 1] == b'>')
        || (t.len() >= 8 && t.iter().all(|b| b.is_ascii_digit() || *b == b'.'))
        || LEVELS.iter().any(|l| t.eq_ignore_ascii_case(l))
}

/// Spans of a text already read by one reader, that the others leave alone. Kept as
/// disjoint spans (those that overlap are merged; touching ones are not, so that a
/// span overlaps the set exactly when it overlaps one of the spans pushed), so that
/// asking costs a logarithm however many values a text holds.
#[derive(Default)]
pub(crate) struct Spans(std::collections::BTreeMap<usize, usize>);

impl Spans {
    /// Does `s..e` overlap a span of the set?
    pub(crate) fn overlaps(&self, s: usize, e: usize) -> bool {
        self.0
            .range(..e)
            .next_back()
            .is_some_and(|(&hs, &he)| s < he && e > hs)
    }

    pub(crate) fn push(&mut self, (mut s, mut e): (usize, usize)) {
        if s >= e {
            return;
        }
        while let Some((&hs, &he)) = self.0.range(..e).next_back() {
            if !(s < he && e > hs) {
                break;
            }
            self.0.remove(&hs);
            s = s.min(hs);
            e = e.max(he);
        }
        self.0.insert(s, e);
    }
}

/// The value of the `name` or `key` attribute of a tag (`<add key="ApiKey" …>`).
fn tag_name_attribute(tag: &[u8]) -> Option<Vec<u8>> {
    res().attr.captures_iter(tag).find_map(|a| {
        let an = a.get(1)?.as_bytes();
        if !(an.eq_ignore_ascii_case(b"name") || an.eq_ignore_ascii_case(b"key")) {
            return None;
        }
        a.get(2)
            .or(a.get(3))
            .or(a.get(4))
            .map(|m| m.as_bytes().to_vec())
    })
}

/// The local name of an XML tag's contents (`ns:Value attr="…"` → `Value`).
fn xml_local_name(tag: &[u8]) -> &[u8] {
    let name = tag
        .split(|b| b.is_ascii_whitespace() || *b == b'/')
        .next()
        .unwrap_or(b"");
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

/// The end of the element whose opening tag `<tag>` starts at `at` and is `close`
/// bytes long (to its `>`): after its `/>`, or after its closing tag within 4 KiB.
fn xml_element_end(v: &[u8], at: usize, tag: &[u8], close: usize) -> Option<usize> {
    let from = at + close + 1;
    if tag.ends_with(b"/") {
        return Some(from);
    }
    let name = tag.split(|b| b.is_ascii_whitespace()).next()?;
    let mut closing = b"</".to_vec();
    closing.extend_from_slice(name);
    closing.push(b'>');
    let hay = &v[from..v.len().min(from + 4096)];
    memchr::memmem::find(hay, &closing).map(|e| from + e + closing.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn regexes_compile() {
        let _ = super::res();
    }
}

#[cfg(test)]
mod prefilter_tests {
    use super::res;

    /// The names of one list of `patterns/names.toml` (`section.list`).
    fn list(section: &str, key: &str) -> Vec<String> {
        let t: toml::Value = toml::from_str(include_str!("../../patterns/names.toml")).unwrap();
        t[section][key]
            .as_array()
            .unwrap_or_else(|| panic!("{section}.{key}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// Text with a credential name in it must reach the structured handlers: a name the
    /// prefilter misses would leave `name=value`, `Name: value` and `<input name=…>`
    /// to the token rules alone.
    #[test]
    fn every_credential_name_passes_the_prefilter() {
        let mut missed = Vec::new();
        for (section, key) in [
            ("words", "strong"),
            ("params", "exact"),
            ("headers", "exact"),
        ] {
            let names = list(section, key);
            assert!(names.len() > 10, "{section}.{key}");
            for n in names {
                if !res().words.is_match(n.as_bytes()) {
                    missed.push(format!("{section}.{key}: {n}"));
                }
            }
        }
        assert!(missed.is_empty(), "{}", missed.join("\n"));
    }

    /// A command line naming a tool of [`super::TOOL_FLAGS`] reaches the command-line
    /// reader even when nothing else on it names a credential (`psexec -u a -p S`).
    #[test]
    fn every_tool_passes_the_prefilter() {
        let missed: Vec<String> = super::TOOL_FLAGS
            .iter()
            .flat_map(|t| t.tools.iter())
            .map(|t| format!("{} -x y", String::from_utf8_lossy(t)))
            .filter(|line| !res().words.is_match(line.as_bytes()))
            .collect();
        assert!(missed.is_empty(), "{missed:?}");
    }
}
