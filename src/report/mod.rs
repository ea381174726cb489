//! The findings report (JSON, versioned) and the human summary. Rendering only: this
//! module receives findings that never held a secret, and escapes everything that came
//! from the input (file and member names) before it reaches a terminal.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

pub mod merge;
pub mod position;
pub mod sarif;

pub use crate::finding::Findings;

/// Bumped on any incompatible change to the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened to one input.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A verified copy was written.
    Written,
    /// The copy already existed, byte for byte identical to the verified copy: left as
    /// it was.
    Unchanged,
    /// Scanned only (no copy requested).
    Scanned,
    /// Not read at all (a symlink, harscrub's own output, a VCS folder, the `--out`
    /// folder, an existing copy with `--skip-existing`): `reason` says why.
    Skipped,
    /// Could not be processed: no copy.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileReport {
    pub path: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub findings: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why a file was skipped, or a note on what happened to an existing copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl FileReport {
    /// An input that was not read, and why.
    pub fn skipped(path: &str, reason: impl Into<String>) -> FileReport {
        FileReport {
            path: path.to_string(),
            status: Status::Skipped,
            kind: None,
            output: None,
            findings: 0,
            error: None,
            reason: Some(reason.into()),
        }
    }

    /// An input that could not be processed.
    pub fn failed(path: &str, error: impl Into<String>) -> FileReport {
        FileReport {
            path: path.to_string(),
            status: Status::Failed,
            kind: None,
            output: None,
            findings: 0,
            error: Some(error.into()),
            reason: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// Every entry of `files`: processed, failed and skipped.
    pub files: usize,
    pub files_written: usize,
    /// Existing copies found identical to the verified copy and left as they were.
    pub files_unchanged: usize,
    pub files_skipped: usize,
    pub files_failed: usize,
    pub findings: usize,
    /// Distinct secrets (by fingerprint).
    pub distinct_secrets: usize,
    pub by_kind: BTreeMap<String, usize>,
    /// Credentials that look usable: unexpired JWTs and cookies, and everything
    /// without an expiry.
    pub live: usize,
    /// Credentials already expired when scanned (JWT `exp`, cookie expiry).
    pub expired: usize,
    /// JWTs whose `exp` is still in the future (or that have none).
    pub jwt_live: usize,
    /// JWTs already expired when scanned.
    pub jwt_expired: usize,
}

/// The report. `findings` may live on disk (see [`Findings`]); it is written out in order
/// by [`Report::write_json`] and never held whole in memory.
#[derive(Debug)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub command: String,
    pub files: Vec<FileReport>,
    pub findings: Findings,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Report {
    pub fn new(command: &str, files: Vec<FileReport>, findings: Findings) -> Report {
        let t = findings.tally();
        let s = Summary {
            files: files.len(),
            files_written: files.iter().filter(|f| f.status == Status::Written).count(),
            files_unchanged: files
                .iter()
                .filter(|f| f.status == Status::Unchanged)
                .count(),
            files_skipped: files.iter().filter(|f| f.status == Status::Skipped).count(),
            files_failed: files.iter().filter(|f| f.status == Status::Failed).count(),
            findings: t.findings,
            distinct_secrets: t.distinct(),
            by_kind: t
                .by_kind
                .iter()
                .map(|(k, c)| (k.clone(), c.found))
                .collect(),
            live: t.live,
            expired: t.expired,
            jwt_live: t.jwt_live,
            jwt_expired: t.jwt_expired,
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "harscrub",
                version: env!("CARGO_PKG_VERSION"),
            },
            command: command.to_string(),
            files,
            findings,
            summary: s,
        }
    }

    /// The JSON report. Files and findings are written one compact object per line
    /// (findings streamed from the store), the rest pretty-printed.
    pub fn write_json<W: Write>(&mut self, w: W) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        writeln!(w, "{{")?;
        writeln!(w, "  \"schema_version\": {},", self.schema_version)?;
        writeln!(w, "  \"tool\": {},", serde_json::to_string(&self.tool)?)?;
        writeln!(
            w,
            "  \"command\": {},",
            serde_json::to_string(&self.command)?
        )?;
        write_array(&mut w, "files", self.files.iter().map(Ok))?;
        writeln!(w, ",")?;
        write!(w, "  \"findings\": [")?;
        let mut first = true;
        self.findings.for_each(|f| {
            w.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            serde_json::to_writer(&mut w, f)?;
            Ok(())
        })?;
        writeln!(w, "{}],", if first { "" } else { "\n  " })?;
        let summary = serde_json::to_string_pretty(&self.summary)?;
        writeln!(w, "  \"summary\": {}", summary.replace('\n', "\n  "))?;
        writeln!(w, "}}")?;
        w.flush()
    }

    /// Findings one per line, for `scan --format text`.
    pub fn write_text<W: Write>(&mut self, w: W) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        self.findings.for_each(|f| {
            let mut extra = String::new();
            if let Some(j) = &f.jwt {
                extra = format!(
                    "  (jwt alg={} iss={} {})",
                    j.alg.as_deref().unwrap_or("?"),
                    j.iss
                        .as_deref()
                        .map(printable)
                        .unwrap_or_else(|| "?".into()),
                    match j.expired {
                        Some(true) => "expired",
                        Some(false) => "live",
                        None => "no expiry",
                    }
                );
            }
            match f.cookie_expired {
                Some(true) => extra.push_str("  (cookie expired)"),
                Some(false) => extra.push_str("  (cookie not expired yet)"),
                None => {}
            }
            let mut named = String::new();
            if let Some(n) = &f.name {
                named = format!("  {}", printable(n));
            }
            if let Some(u) = &f.url {
                extra.push_str(&format!(
                    "  in {} {}",
                    printable(f.method.as_deref().unwrap_or("?")),
                    printable(u)
                ));
            }
            writeln!(
                w,
                "{}:{}  {}  {}{}  [{}] len={}{}",
                printable(&f.file),
                printable(&f.location),
                f.kind,
                f.rule,
                named,
                f.fingerprint,
                f.length,
                extra
            )
        })?;
        w.flush()
    }

    /// The human summary (stderr): a headline, a table by kind (with the live/expired
    /// split of JWTs), a table by file, failures in full, and what to do next.
    pub fn write_summary<W: Write>(&self, mut w: W, opts: &SummaryOptions) -> std::io::Result<()> {
        let p = Painter(opts.color);
        let s = &self.summary;
        let clean = self.command == "clean";
        let with_findings = self.files.iter().filter(|f| f.findings > 0).count();
        let read = s.files - s.files_skipped;
        let ok = read - s.files_failed;
        let mut head = format!("harscrub {}: ", self.command);
        let head_style = if (read == 0
            && opts.shard.is_none()
            && !self.files.iter().any(|f| f.output.is_some()))
            || s.files_failed > 0
            || (s.findings > 0 && !clean)
        {
            RED
        } else if s.findings > 0 {
            YELLOW
        } else {
            GREEN
        };
        // Inputs left alone because their copy exists (--skip-existing): selected, not
        // read, and nothing to do.
        let kept = self
            .files
            .iter()
            .filter(|f| f.status == Status::Skipped && f.output.is_some())
            .count();
        if read == 0 && kept > 0 {
            head.push_str(&format!(
                "nothing to do: {} already exist (--skip-existing)",
                plural_word(kept, "copy", "copies")
            ));
            if s.files_skipped > kept {
                head.push_str(&format!("; {} more skipped", s.files_skipped - kept));
            }
        } else if read == 0 {
            match &opts.shard {
                Some(shard) => head.push_str(&format!(
                    "nothing processed in shard {}: every input belongs to another shard",
                    shard
                )),
                None => head.push_str("nothing processed: no input file was read"),
            }
            if s.files_skipped > 0 {
                head.push_str(&format!(
                    " ({} skipped, listed below)",
                    plural(s.files_skipped, "input")
                ));
            }
        } else {
            let mut parts = Vec::new();
            if s.files_failed > 0 {
                parts.push(format!(
                    "{} of {} FAILED ({})",
                    s.files_failed,
                    plural(read, "file"),
                    if clean {
                        "no copy written"
                    } else {
                        "not fully scanned"
                    }
                ));
            }
            let other = if s.files_failed > 0 { "the other " } else { "" };
            if ok > 0 || s.files_failed == 0 {
                if s.findings == 0 {
                    parts.push(format!(
                        "no credentials found in {}{}",
                        other,
                        plural(ok, "file")
                    ));
                } else {
                    parts.push(format!(
                        "{} {} ({} distinct) in {} of {}{}",
                        plural(s.findings, "credential"),
                        if clean { "redacted" } else { "found" },
                        s.distinct_secrets,
                        with_findings,
                        other,
                        plural(ok, "file")
                    ));
                }
            }
            if clean && ok > 0 {
                if opts.in_place {
                    let changed = self
                        .files
                        .iter()
                        .filter(|f| f.status == Status::Written && f.findings > 0)
                        .count();
                    parts.push(format!("{} rewritten in place", plural(changed, "file")));
                } else {
                    let mut copies =
                        plural_word(s.files_written, "verified copy", "verified copies");
                    copies.push_str(" written");
                    if s.files_unchanged > 0 {
                        copies.push_str(&format!(
                            ", {} unchanged (identical copy existed)",
                            s.files_unchanged
                        ));
                    }
                    parts.push(copies);
                }
            }
            head.push_str(&parts.join("; "));
            if s.files_skipped > 0 {
                head.push_str(&format!("; {} skipped", plural(s.files_skipped, "input")));
            }
        }
        writeln!(w, "{}", p.paint(&head, head_style))?;

        // By kind.
        if !s.by_kind.is_empty() {
            let rows = &self.findings.tally().by_kind;
            let kw = rows
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0)
                .max(5);
            writeln!(w)?;
            let header = format!(
                "  {:kw$}  {:>6}  {:>8}  {:>5}  {:>7}",
                "kind", "found", "distinct", "live", "expired"
            );
            writeln!(w, "{}", p.paint(&header, BOLD))?;
            for (k, r) in rows {
                let live = format!("{:>5}", r.live);
                let line = format!(
                    "  {:kw$}  {:>6}  {:>8}  {}  {:>7}",
                    k,
                    r.found,
                    r.distinct,
                    if r.live > 0 {
                        p.paint(&live, RED)
                    } else {
                        live
                    },
                    r.expired
                );
                writeln!(w, "{}", line.trim_end())?;
            }
            if rows.len() > 1 {
                let total = format!(
                    "  {:kw$}  {:>6}  {:>8}  {:>5}  {:>7}",
                    "total", s.findings, s.distinct_secrets, s.live, s.expired
                );
                writeln!(w, "{}", p.paint(&total, DIM))?;
            }
        }

        // By file: the files with findings or errors (every file with --verbose).
        let listed: Vec<&FileReport> = self
            .files
            .iter()
            .filter(|f| f.status != Status::Skipped)
            .filter(|f| opts.verbose || f.findings > 0 || f.status == Status::Failed)
            .collect();
        if !listed.is_empty() {
            let shown = if opts.verbose {
                listed.len()
            } else {
                listed.len().min(MAX_FILE_ROWS)
            };
            let names: Vec<String> = listed[..shown]
                .iter()
                .map(|f| printable(&f.path).into_owned())
                .collect();
            let fw = names
                .iter()
                .map(|n| n.chars().count())
                .max()
                .unwrap_or(0)
                .clamp(4, MAX_FILE_WIDTH);
            writeln!(w)?;
            writeln!(
                w,
                "{}",
                p.paint(
                    &format!(
                        "  {:fw$}  {:6}  {:>6}  {}",
                        "file", "type", "found", "result"
                    ),
                    BOLD
                )
            )?;
            for (f, name) in listed[..shown].iter().zip(&names) {
                let found = if f.status == Status::Failed {
                    "-".to_string()
                } else {
                    f.findings.to_string()
                };
                let result = match f.status {
                    Status::Failed => p.paint("FAILED", RED),
                    Status::Scanned if f.findings > 0 => p.paint("credentials found", YELLOW),
                    Status::Scanned => "clean".to_string(),
                    Status::Written if opts.in_place && f.findings > 0 => {
                        p.paint("redacted in place", YELLOW)
                    }
                    Status::Written if opts.in_place => "unchanged".to_string(),
                    Status::Written => {
                        let mut r =
                            format!("copy: {}", printable(f.output.as_deref().unwrap_or("?")));
                        if let Some(why) = &f.reason {
                            r.push_str(&format!(" ({})", printable(why)));
                        }
                        r
                    }
                    Status::Unchanged => format!(
                        "unchanged: {} (identical copy existed)",
                        printable(f.output.as_deref().unwrap_or("?"))
                    ),
                    Status::Skipped => "skipped".to_string(),
                };
                writeln!(
                    w,
                    "  {:fw$}  {:6}  {:>6}  {}",
                    name,
                    f.kind.as_deref().unwrap_or("-"),
                    found,
                    result
                )?;
            }
            if shown < listed.len() {
                writeln!(
                    w,
                    "  … and {} more (--verbose lists every file)",
                    plural(listed.len() - shown, "file")
                )?;
            }
        }

        // Skipped inputs, each with its reason.
        let skipped: Vec<&FileReport> = self
            .files
            .iter()
            .filter(|f| f.status == Status::Skipped)
            .collect();
        if !skipped.is_empty() {
            writeln!(w)?;
            let shown = if opts.verbose {
                skipped.len()
            } else {
                skipped.len().min(MAX_FILE_ROWS)
            };
            writeln!(
                w,
                "{}",
                p.paint(
                    &format!("skipped {} (not read):", plural(skipped.len(), "input")),
                    BOLD
                )
            )?;
            for f in &skipped[..shown] {
                writeln!(
                    w,
                    "  {}: {}",
                    printable(&f.path),
                    printable(f.reason.as_deref().unwrap_or("skipped"))
                )?;
            }
            if shown < skipped.len() {
                writeln!(
                    w,
                    "  … and {} more (the report lists every one; --verbose lists them here)",
                    skipped.len() - shown
                )?;
            }
        }

        // Failures in full.
        let failed: Vec<&FileReport> = self
            .files
            .iter()
            .filter(|f| f.status == Status::Failed)
            .collect();
        if !failed.is_empty() {
            writeln!(w)?;
            self.write_failures(&mut w, opts)?;
        }

        // What next.
        let mut hints = Vec::new();
        if s.jwt_live > 0 {
            hints.push(format!(
                "{} live or without expiry: if this file was shared, revoke or rotate {}.",
                plural(s.jwt_live, "JWT is"),
                if s.jwt_live == 1 { "it" } else { "them" }
            ));
        }
        if s.live > 0 && s.expired > 0 {
            hints.push(format!(
                "{} of {} look live (no expiry, or not expired yet): revoke those first; {} already expired.",
                s.live,
                plural(s.findings, "credential"),
                s.expired
            ));
        }
        if s.findings > 0 && !clean {
            // Name the files, so the command can be pasted as it is.
            let found: Vec<&str> = self
                .files
                .iter()
                .filter(|f| f.findings > 0)
                .map(|f| f.path.as_str())
                .collect();
            let args = if found.len() <= MAX_HINT_FILES && !found.contains(&"-") {
                found
                    .iter()
                    .map(|p| shell_quote(p))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                "FILE...".to_string()
            };
            let (them, each) = if found.len() == 1 {
                ("the file", "it")
            } else {
                ("the files", "each")
            };
            let mut h = format!(
                "To redact: `harscrub clean --in-place {args}` rewrites {them}, \
                 `harscrub clean {args}` writes NAME.redacted.EXT beside {each}."
            );
            if opts.pre_commit {
                h.push_str(
                    " Or add the `harscrub-clean` hook to your .pre-commit-config.yaml: \
                     it redacts in place on commit.",
                );
            }
            hints.push(h);
        }
        if clean && opts.in_place && s.findings > 0 {
            hints.push(
                "Files were rewritten in place: review the changes (e.g. `git diff`) \
                 and stage them (`git add`) before committing."
                    .to_string(),
            );
        }
        if !hints.is_empty() {
            writeln!(w)?;
            for h in hints {
                writeln!(w, "{}", p.paint(&format!("hint: {}", h), CYAN))?;
            }
        }
        Ok(())
    }

    /// One line per input that failed, naming the file and the reason (for `--quiet`
    /// too: errors are always shown).
    pub fn write_failures<W: Write>(&self, mut w: W, opts: &SummaryOptions) -> std::io::Result<()> {
        let p = Painter(opts.color);
        for f in &self.files {
            if f.status == Status::Failed {
                writeln!(
                    w,
                    "{} {}: {}",
                    p.paint("failed:", RED),
                    printable(&f.path),
                    printable(f.error.as_deref().unwrap_or("error"))
                )?;
            }
        }
        Ok(())
    }
}

/// Options of the human summary.
#[derive(Debug, Clone, Default)]
pub struct SummaryOptions {
    /// Colour with ANSI escapes.
    pub color: bool,
    /// List every file, not only those with findings or errors.
    pub verbose: bool,
    /// `clean --in-place`: files were rewritten, not copied.
    pub in_place: bool,
    /// `--shard I/N`, when the run was one shard of a batch.
    pub shard: Option<String>,
    /// Running as a pre-commit hook (`PRE_COMMIT` is set): hints name the fixer hook.
    pub pre_commit: bool,
}

/// Files named in a hint's command line; more become `FILE...`.
const MAX_HINT_FILES: usize = 5;

/// `path` as one shell word (single-quoted unless plainly safe), control characters
/// escaped.
fn shell_quote(path: &str) -> String {
    let plain = !path.is_empty()
        && !path.starts_with('-')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-+=:@,%".contains(c));
    if plain {
        path.to_string()
    } else {
        let p = if path.starts_with('-') {
            format!("./{}", path)
        } else {
            path.to_string()
        };
        printable(&format!("'{}'", p.replace('\'', "'\\''"))).into_owned()
    }
}

/// Rows of the by-file table shown without `--verbose`.
const MAX_FILE_ROWS: usize = 50;
/// File names longer than this are not padded (the column would get too wide).
const MAX_FILE_WIDTH: usize = 60;

const RED: &str = "1;31";
const YELLOW: &str = "33";
const GREEN: &str = "32";
const CYAN: &str = "36";
const BOLD: &str = "1";
const DIM: &str = "2";

#[derive(Default)]
/// Wraps text in ANSI SGR escapes when colour is on.
struct Painter(bool);

impl Painter {
    fn paint(&self, text: &str, sgr: &str) -> String {
        if self.0 {
            format!("\x1b[{}m{}\x1b[0m", sgr, text)
        } else {
            text.to_string()
        }
    }
}

/// `1 file`, `2 files`.
fn plural(n: usize, word: &str) -> String {
    if let Some(stem) = word.strip_suffix(" is") {
        return if n == 1 {
            format!("1 {} is", stem)
        } else {
            format!("{} {}s are", n, stem)
        };
    }
    plural_word(n, word, &format!("{}s", word))
}

fn plural_word(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", n, if n == 1 { one } else { many })
}

/// Built-in context rules: `(id, short name, description)`. Pattern rules are described
/// by the catalogue; these are found by where a value sits, not by its shape.
pub const CONTEXT_RULES: &[(&str, &str, &str)] = &[
    (
        "context.cookie",
        "Cookie value",
        "A request cookie value (Cookie header or cookies[] of a HAR). Session cookies let \
         whoever holds them act as the user until the session ends.",
    ),
    (
        "context.set-cookie",
        "Set-Cookie value",
        "A cookie value set by a response (Set-Cookie header). Session cookies let whoever \
         holds them act as the user until the session ends.",
    ),
    (
        "context.authorization",
        "Authorization credentials",
        "The credentials of an Authorization or Proxy-Authorization header (bearer tokens, \
         Basic user:password, API keys, AWS4 and Digest signatures).",
    ),
    (
        "context.header",
        "Credential header",
        "The value of a header whose name says it carries a credential (api-key, \
         X-Auth-Token, CSRF/XSRF tokens, names containing token, secret or password).",
    ),
    (
        "context.param",
        "Credential parameter",
        "The value of a credential-named parameter or field (password, client_secret, \
         access_token, code, …) in a URL query or fragment, a form post or a JSON body.",
    ),
    (
        "context.url-userinfo",
        "Password in a URL",
        "The password of user:password@ userinfo in a URL.",
    ),
    (
        "context.key-value",
        "Credential key in text",
        "A value under a credential-named key in text or an embedded document (for example \
         password=… or \"token\": \"…\" in a log line).",
    ),
    (
        "context.html",
        "Credential in HTML",
        "A credential in HTML: a CSRF meta tag, a hidden input or a similar field.",
    ),
    (
        "context.xml",
        "Credential XML element",
        "The text of an XML or SOAP element named like a credential (wsse:Password, Token, \
         SessionId, …).",
    ),
    (
        "context.script",
        "Credential in script",
        "A literal credential in JavaScript: localStorage/sessionStorage.setItem, \
         setRequestHeader, headers.set, a template literal, a credential-named member \
         assignment or setter (setPassword(\"…\")), or a PHP define('DB_PASSWORD', …).",
    ),
    (
        "context.websocket-protocol",
        "Token in a WebSocket subprotocol",
        "A bearer token offered as a Sec-WebSocket-Protocol subprotocol.",
    ),
    (
        "context.multipart",
        "Credential multipart field",
        "The value of a credential-named part of a multipart/form-data body.",
    ),
    (
        "context.env",
        "Credential environment variable",
        "The value of a credential-named variable in an environment file or export line.",
    ),
    (
        "context.csv",
        "Credential column",
        "A field of a table (CSV, TSV) under a credential-named column of its header row.",
    ),
    (
        "context.sql",
        "Credential column of a SQL row",
        "A value of an INSERT row or a COPY … FROM stdin line under a credential-named column.",
    ),
    (
        "context.url-path",
        "Token in a capability URL path",
        "A token-like path segment after a segment such as reset, invite or magic-link.",
    ),
    (
        "context.command-line",
        "Command-line password",
        "The value of a credential-named flag (--password, --api-key=), a tool's password flag (curl -u user:pass, redis-cli -a, sqlcmd -P, mysql -p…) or a positional password (sqlplus user/pass@db, htpasswd -b) on a command line.",
    ),
    (
        "context.protocol",
        "Protocol or config password",
        "A password given as a word after a command or directive: FTP/POP3 PASS, IMAP LOGIN, Redis AUTH and requirepass, SMTP AUTH PLAIN, .netrc password/account, Cisco password 0; the password of an MQTT CONNECT packet.",
    ),
    (
        "context.propagated",
        "Copy of a found secret",
        "A verbatim copy of a secret that was found by context elsewhere in the same file.",
    ),
];

/// Short name and description of a built-in context rule.
pub fn context_rule(id: &str) -> Option<(&'static str, &'static str)> {
    CONTEXT_RULES
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, n, d)| (*n, *d))
}

/// Escape control characters (terminal escapes in hostile file names) for display.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `  "name": [` one compact object per line `]` (no trailing newline).
fn write_array<W: Write, T: Serialize, I: Iterator<Item = std::io::Result<T>>>(
    w: &mut W,
    name: &str,
    items: I,
) -> std::io::Result<()> {
    write!(w, "  \"{}\": [", name)?;
    let mut first = true;
    for it in items {
        w.write_all(if first { b"\n    " } else { b",\n    " })?;
        first = false;
        serde_json::to_writer(&mut *w, &it?)?;
    }
    write!(w, "{}]", if first { "" } else { "\n  " })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every context rule the detectors emit is described (for `rules list`, SARIF and
    /// the report), and every described one is emitted somewhere.
    #[test]
    fn context_rules_are_the_ones_emitted() {
        let sources = [
            include_str!("../detect/mod.rs"),
            include_str!("../detect/text.rs"),
            include_str!("../detect/walk.rs"),
            include_str!("../detect/layers.rs"),
            include_str!("../detect/jwt.rs"),
            include_str!("../detect/known.rs"),
            include_str!("../format/mod.rs"),
            include_str!("../format/har.rs"),
            include_str!("../format/http.rs"),
            include_str!("../finding/store.rs"),
        ];
        let mut emitted = std::collections::BTreeSet::new();
        for src in sources {
            for (i, _) in src.match_indices("\"context.") {
                let id: String = src[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '.' || *c == '-')
                    .collect();
                emitted.insert(id);
            }
        }
        let described: std::collections::BTreeSet<String> = CONTEXT_RULES
            .iter()
            .map(|(id, _, _)| id.to_string())
            .collect();
        assert_eq!(emitted, described);
    }

    #[test]
    fn printable_escapes_controls() {
        assert_eq!(printable("a\x1b[31mb\n"), "a\\u{1b}[31mb\\n");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("logs/app.log"), "logs/app.log");
        assert_eq!(shell_quote("my capture.har"), "'my capture.har'");
        assert_eq!(shell_quote("it's.har"), "'it'\\''s.har'");
        assert_eq!(shell_quote("-x.har"), "'./-x.har'");
        assert_eq!(shell_quote("a\nb"), "'a\\nb'");
    }
}
