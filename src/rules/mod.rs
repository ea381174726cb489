//! Detection rules, loaded from TOML in `patterns/` (embedded in the binary).
//!
//! A rule file holds `[[rules]]` tables (see [`Rule`]); its file stem is the rule group.
//! Patterns are compiled once with [`regex::bytes::Regex`] in ASCII mode: `\w`, `\d`,
//! `\s` and `\b` are ASCII-only and `.` / negated classes match any byte, which keeps
//! the fast DFA engines usable on haystacks that are not UTF-8 (write `(?u)` to opt a
//! rule back into Unicode classes).
//!
//! Matching is two-stage: one ASCII-case-insensitive Aho-Corasick pass over the
//! keywords of all rules picks the candidate rules, then only their regexes run. A
//! rule with `exact_keywords` is a candidate only where one of its keywords occurs
//! with its case as written (`MT`, not `mt` in every English word).

mod builtin;
pub mod names;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use anyhow::{anyhow, bail, Context};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

/// Upper bound on the compiled size of one rule's regex.
const REGEX_SIZE_LIMIT: usize = 2 << 20;
/// Upper bound on the lazy DFA cache of one rule's regex (per thread).
const REGEX_DFA_SIZE_LIMIT: usize = 2 << 20;
/// Up to this many distinct keywords the prefilter is a full DFA.
const DFA_MAX_KEYWORDS: usize = 2000;
/// Name of the capture group that delimits the credential inside a match.
const SECRET_GROUP: &str = "secret";

/// One detection rule, as written in a `patterns/*.toml` file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, `<group>.<name>`.
    pub id: String,
    /// Kind of credential: lowercase words joined by `-`; used in placeholders.
    pub kind: String,
    pub description: String,
    /// Vendor or product the credential belongs to; `rules list` counts rules per provider.
    /// Empty: the rule file's group stands in.
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Regex (bytes, ASCII mode). A named group `secret` delimits the credential;
    /// without it the whole match is the credential.
    pub pattern: String,
    /// Literal substrings (ASCII-case-insensitive); the regex runs only when one occurs.
    /// Empty: the rule always runs.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The keywords count only with their case as written (for a pattern that is
    /// case-sensitive where they occur: two-letter prefixes like Discord's `MT`).
    #[serde(default)]
    pub exact_keywords: bool,
    /// Texts that must match (with a non-empty secret).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts that must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Regexes (bytes, ASCII mode) for secrets this rule's pattern takes that are no
    /// credential (`expires_in=3600` after `token_type=Bearer`): a secret one of them
    /// matches is dropped.
    #[serde(default)]
    pub not_secret: Vec<String>,
    /// A test the secret must pass besides the pattern: `basic-credentials`, base64
    /// of a `user:password` text (for a pattern that cannot say so).
    #[serde(default)]
    pub check: Option<String>,
    /// File stem of the rule file the rule came from.
    #[serde(skip)]
    pub group: String,
}

/// One match of one rule: the span of the secret (the `secret` group, or the whole
/// match), as byte offsets into the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// A rule with its compiled regex.
#[derive(Clone)]
struct Compiled {
    re: Regex,
    /// Capture group index of `secret`, if the pattern has one.
    secret: Option<usize>,
    /// The rule's `not_secret` patterns, as one.
    not_secret: Option<Regex>,
    check: Option<Check>,
}

/// The tests a rule's `check` names.
#[derive(Clone, Copy)]
enum Check {
    /// Base64 (padded or not) of printable text holding a `:` with something after
    /// it: the `user:password` of HTTP Basic.
    BasicCredentials,
}

impl Check {
    fn parse(name: &str) -> anyhow::Result<Self> {
        match name {
            "basic-credentials" => Ok(Check::BasicCredentials),
            _ => bail!("unknown check {name:?}"),
        }
    }

    fn holds(self, secret: &[u8]) -> bool {
        match self {
            Check::BasicCredentials => {
                use base64::Engine as _;
                let t = secret
                    .strip_suffix(b"==")
                    .or_else(|| secret.strip_suffix(b"="))
                    .unwrap_or(secret);
                let Ok(d) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(t) else {
                    return false;
                };
                let Ok(text) = std::str::from_utf8(&d) else {
                    return false;
                };
                !text.chars().any(char::is_control)
                    && text.find(':').is_some_and(|c| c + 1 < text.len())
            }
        }
    }
}

/// Keyword prefilter: which rules can possibly match a haystack.
#[derive(Clone)]
struct Prefilter {
    /// Over the distinct (lowercased) keywords; `None` when no rule has keywords.
    ac: Option<AhoCorasick>,
    /// For each keyword pattern id, the rules that list it.
    pattern_rules: Vec<Vec<u32>>,
    /// For each keyword pattern id, the rules that list it with `exact_keywords`, and
    /// the keyword as they spell it.
    pattern_exact: Vec<Vec<(u32, Box<[u8]>)>>,
    /// Rules without keywords: they always run.
    always: Vec<u32>,
}

/// The compiled rule catalogue. Cheap to share between threads (`Send + Sync`).
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Where each rule was defined (file name or path), for messages.
    origins: Vec<String>,
    compiled: Vec<Compiled>,
    prefilter: Prefilter,
    /// Identifies this compiled state for the per-thread scratch space.
    uid: u64,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

/// Per-thread reusable state for [`RuleSet::find_all`], so the hot path does not allocate.
struct Scratch {
    owner: u64,
    /// Capture locations per rule (created on first use).
    locs: Vec<Option<CaptureLocations>>,
    /// Candidate rules, one bit per rule.
    candidates: Vec<u64>,
    /// Keyword patterns already seen, one bit per pattern.
    seen: Vec<u64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { owner: 0, locs: Vec::new(), candidates: Vec::new(), seen: Vec::new() })
    };
}

fn next_uid() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn bit_words(n: usize) -> usize {
    n.div_ceil(64)
}

fn is_valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'')
}

/// Group name of an origin: the file stem of its last path component.
fn group_of(origin: &str) -> String {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name[..dot].to_string(),
        _ => name.to_string(),
    }
}

/// Shortened, single-line rendering of an example, for messages.
fn preview(text: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out.replace('\n', "\\n").replace('\r', "\\r")
}

/// A rule's pattern with its left boundary (`(?:^|[^A-Za-z0-9])` before the `secret`
/// group: the token does not continue a word) widened to what text glues before
/// tokens that is no part of them: a literal escape (`\n`, `\t`, `\r` as two
/// characters, in a log of JSON-escaped lines) and an ANSI colour code (`ESC[32m`,
/// and its bracket part alone, whatever spells the ESC: `^[[32m`, `\e[32m`,
/// `\033[0;32m`, or a run of printable text that starts after the ESC). A
/// token whose fixed prefix holds `_` or `-` (`ghp_`, `xoxb-`, `sk_live_`, `glpat-`)
/// may follow a digit too (`id=12345ghp_…`); a letter before it still makes another
/// word (`task-proj-…` is no `sk-proj-` key).
fn widen_left_boundary(pattern: &str) -> std::borrow::Cow<'_, str> {
    const SECRET: &str = "])(?P<secret>";
    let Some(after) = pattern.strip_prefix("(?:^|[^") else {
        return pattern.into();
    };
    let Some(close) = after.find(SECRET) else {
        return pattern.into();
    };
    let class = &after[..close];
    let rest = &after[close + SECRET.len()..];
    if class.contains([']', '(', ')', '|']) {
        return pattern.into();
    }
    let literal: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    // A literal followed by a quantifier or an alternation is not a fixed prefix.
    let fixed = !matches!(
        rest[literal.len()..].chars().next(),
        Some('?' | '*' | '+' | '{' | '|')
    );
    let class = if fixed && literal.len() >= 3 && literal.contains(['_', '-']) {
        class.replace("0-9", "")
    } else {
        class.to_string()
    };
    // The escapes come first: at a `\`, `\t` is consumed whole rather than `\` alone
    // with the `t` taken into a token of letters and digits.
    format!("(?:^|\\\\[nrt]|\\[[0-9;]*m|[^{class}])(?P<secret>{rest}").into()
}

fn compile(rule: &Rule) -> anyhow::Result<Compiled> {
    let re = RegexBuilder::new(&widen_left_boundary(&rule.pattern))
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| anyhow!("invalid pattern: {e}"))?;
    let secret = re.capture_names().position(|n| n == Some(SECRET_GROUP));
    let not_secret = match rule.not_secret.as_slice() {
        [] => None,
        pats => Some(
            RegexBuilder::new(&pats.join("|"))
                .unicode(false)
                .build()
                .map_err(|e| anyhow!("invalid not_secret pattern: {e}"))?,
        ),
    };
    let check = rule.check.as_deref().map(Check::parse).transpose()?;
    Ok(Compiled {
        re,
        secret,
        not_secret,
        check,
    })
}

/// Parse one rule file. Rules get their group from the origin's file stem.
fn parse_source(origin: &str, text: &str) -> anyhow::Result<Vec<Rule>> {
    let file: RuleFile =
        toml::from_str(text).map_err(|e| anyhow!("{origin}: invalid rule file: {e}"))?;
    let group = group_of(origin);
    let mut rules = file.rules;
    for (n, rule) in rules.iter_mut().enumerate() {
        rule.group = group.clone();
        if !is_valid_id(&rule.id) {
            bail!(
                "{origin}: rule #{}: invalid id {:?} (non-empty, no spaces or quotes)",
                n + 1,
                rule.id
            );
        }
        if !is_valid_kind(&rule.kind) {
            bail!(
                "{origin}: rule {}: invalid kind {:?} (lowercase letters and digits, words joined by '-')",
                rule.id,
                rule.kind
            );
        }
        if rule.pattern.is_empty() {
            bail!("{origin}: rule {}: empty pattern", rule.id);
        }
        if rule.keywords.iter().any(|k| k.is_empty()) {
            bail!("{origin}: rule {}: empty keyword", rule.id);
        }
    }
    Ok(rules)
}

fn build_prefilter(rules: &[Rule]) -> anyhow::Result<Prefilter> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
    let mut pattern_exact: Vec<Vec<(u32, Box<[u8]>)>> = Vec::new();
    let mut always = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let i = u32::try_from(i).context("too many rules")?;
        if rule.keywords.is_empty() {
            always.push(i);
            continue;
        }
        for kw in &rule.keywords {
            let key = kw.to_ascii_lowercase();
            let pid = *index.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                pattern_rules.push(Vec::new());
                pattern_exact.push(Vec::new());
                patterns.len() - 1
            });
            if rule.exact_keywords {
                pattern_exact[pid].push((i, kw.as_bytes().into()));
            } else if pattern_rules[pid].last() != Some(&i) {
                pattern_rules[pid].push(i);
            }
        }
    }
    let ac = if patterns.is_empty() {
        None
    } else {
        Some(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                // A full DFA is several times faster than the default NFA here; it
                // stays small (under 1 MB for the built-in catalogue).
                .kind((patterns.len() <= DFA_MAX_KEYWORDS).then_some(AhoCorasickKind::DFA))
                .build(&patterns)
                .context("building the keyword prefilter")?,
        )
    };
    Ok(Prefilter {
        ac,
        pattern_rules,
        pattern_exact,
        always,
    })
}

impl RuleSet {
    /// All built-in rules (the embedded `patterns/*.toml`).
    pub fn builtin() -> anyhow::Result<RuleSet> {
        let sources: Vec<(String, String)> = builtin::SOURCES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        RuleSet::from_sources(&sources)
    }

    /// Rules from `(origin, TOML text)` pairs; the origin's file stem is the group.
    /// Invalid TOML, invalid fields, patterns that do not compile and duplicate ids are
    /// errors naming the origin and the rule.
    pub fn from_sources(sources: &[(String, String)]) -> anyhow::Result<RuleSet> {
        let mut set = RuleSet {
            rules: Vec::new(),
            origins: Vec::new(),
            compiled: Vec::new(),
            prefilter: Prefilter {
                ac: None,
                pattern_rules: Vec::new(),
                pattern_exact: Vec::new(),
                always: Vec::new(),
            },
            uid: next_uid(),
        };
        set.extend(sources)?;
        Ok(set)
    }

    /// Add user rules from a `.toml` file, or from every `*.toml` file of a directory
    /// (not recursive, in name order). On error the set is unchanged.
    pub fn add_path(&mut self, path: &Path) -> anyhow::Result<()> {
        let meta = std::fs::metadata(path)
            .with_context(|| format!("reading rules from {}", path.display()))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            for entry in
                std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))?
            {
                let entry = entry.with_context(|| format!("listing {}", path.display()))?;
                let p = entry.path();
                let is_toml = p
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
                if is_toml && entry.file_type().map(|t| !t.is_dir()).unwrap_or(false) {
                    files.push(p);
                }
            }
            files.sort();
            if files.is_empty() {
                bail!("{}: no .toml rule files in this directory", path.display());
            }
        } else {
            files.push(path.to_path_buf());
        }
        let mut sources = Vec::with_capacity(files.len());
        for f in files {
            let text =
                std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
            sources.push((f.display().to_string(), text));
        }
        self.extend(&sources)
    }

    /// Parse, validate and compile `sources`, then append them. All-or-nothing.
    fn extend(&mut self, sources: &[(String, String)]) -> anyhow::Result<()> {
        let mut seen: HashMap<&str, &str> = self
            .rules
            .iter()
            .zip(&self.origins)
            .map(|(r, o)| (r.id.as_str(), o.as_str()))
            .collect();
        let mut parsed: Vec<(Rule, &str)> = Vec::new();
        for (origin, text) in sources {
            for rule in parse_source(origin, text)? {
                parsed.push((rule, origin.as_str()));
            }
        }
        for (rule, origin) in &parsed {
            if let Some(first) = seen.insert(rule.id.as_str(), origin) {
                bail!(
                    "{origin}: rule {}: duplicate rule id (already defined in {first})",
                    rule.id
                );
            }
        }
        let mut compiled = Vec::with_capacity(parsed.len());
        for (rule, origin) in &parsed {
            compiled.push(compile(rule).with_context(|| format!("{origin}: rule {}", rule.id))?);
        }
        let mut rules = self.rules.clone();
        let mut origins = self.origins.clone();
        for (rule, origin) in parsed {
            rules.push(rule);
            origins.push(origin.to_string());
        }
        let prefilter = build_prefilter(&rules)?;
        self.rules = rules;
        self.origins = origins;
        self.compiled.extend(compiled);
        self.prefilter = prefilter;
        self.uid = next_uid();
        Ok(())
    }

    /// Number of rules per provider (the rule's `provider`, else its group), sorted by name.
    pub fn count_per_provider(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for r in &self.rules {
            let p = if r.provider.is_empty() {
                r.group.as_str()
            } else {
                r.provider.as_str()
            };
            *counts.entry(p).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|(p, n)| (p.to_string(), n))
            .collect()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, idx: usize) -> &Rule {
        &self.rules[idx]
    }

    /// All matches of all rules in `hay`, sorted by start then longest first. Overlaps
    /// are allowed (between rules, never two matches of one rule on the same bytes).
    /// Matches with an empty secret are dropped. `out` is cleared and filled.
    pub fn find_all(&self, hay: &[u8], out: &mut Vec<RuleMatch>) {
        out.clear();
        if self.rules.is_empty() {
            return;
        }
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let scratch = &mut *guard;
            self.prepare(scratch);
            self.mark_candidates(hay, scratch);
            let Scratch {
                candidates, locs, ..
            } = scratch;
            for (w, word) in candidates.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let idx = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.run_rule(idx, hay, &mut locs[idx], &mut |start, end| {
                        if end > start {
                            out.push(RuleMatch {
                                rule: idx,
                                start,
                                end,
                            });
                        }
                    });
                }
            }
        });
        if out.len() > 1 {
            out.sort_unstable_by(|a, b| {
                a.start
                    .cmp(&b.start)
                    .then(b.end.cmp(&a.end))
                    .then(a.rule.cmp(&b.rule))
            });
        }
    }

    /// Cheap test: could any rule match `hay`? True when a keyword occurs or when a rule
    /// without keywords exists.
    pub fn may_match(&self, hay: &[u8]) -> bool {
        if !self.prefilter.always.is_empty() {
            return true;
        }
        match &self.prefilter.ac {
            Some(ac) => ac.is_match(hay),
            None => false,
        }
    }

    /// Problems with the rules: an example that does not match (through the keyword
    /// prefilter, as [`find_all`](Self::find_all) would run it) or whose secret is
    /// empty, a negative example that matches. Each message names the rule id. Patterns
    /// that do not compile are rejected earlier, when the rules are loaded.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (idx, rule) in self.rules.iter().enumerate() {
            let mut locs = None;
            for (n, ex) in rule.examples.iter().enumerate() {
                let hay = ex.as_bytes();
                let lower = ex.to_ascii_lowercase();
                let has = |k: &String| {
                    if rule.exact_keywords {
                        ex.contains(k.as_str())
                    } else {
                        lower.contains(&k.to_ascii_lowercase())
                    }
                };
                if !rule.keywords.is_empty() && !rule.keywords.iter().any(has) {
                    problems.push(format!(
                        "{}: example #{} contains none of the keywords {:?}: {}",
                        rule.id,
                        n + 1,
                        rule.keywords,
                        preview(ex)
                    ));
                    continue;
                }
                let (mut matched, mut nonempty) = (false, false);
                self.run_rule(idx, hay, &mut locs, &mut |s, e| {
                    matched = true;
                    nonempty |= e > s;
                });
                if !matched {
                    problems.push(format!(
                        "{}: example #{} does not match: {}",
                        rule.id,
                        n + 1,
                        preview(ex)
                    ));
                } else if !nonempty {
                    problems.push(format!(
                        "{}: example #{} matches with an empty secret: {}",
                        rule.id,
                        n + 1,
                        preview(ex)
                    ));
                }
            }
            for (n, ex) in rule.negative_examples.iter().enumerate() {
                let mut hits = Vec::new();
                self.run_rule(idx, ex.as_bytes(), &mut locs, &mut |s, e| {
                    if e > s {
                        hits.push((s, e));
                    }
                });
                if let Some(&(s, e)) = hits.first() {
                    problems.push(format!(
                        "{}: negative example #{} matches (secret {:?}): {}",
                        rule.id,
                        n + 1,
                        preview(&String::from_utf8_lossy(&ex.as_bytes()[s..e])),
                        preview(ex)
                    ));
                }
            }
        }
        problems
    }

    /// Make `scratch` fit this rule set (after another set used it on this thread).
    fn prepare(&self, scratch: &mut Scratch) {
        if scratch.owner != self.uid {
            scratch.owner = self.uid;
            scratch.locs.clear();
            scratch.locs.resize_with(self.rules.len(), || None);
            scratch.candidates.clear();
            scratch.candidates.resize(bit_words(self.rules.len()), 0);
            scratch.seen.clear();
            scratch
                .seen
                .resize(bit_words(self.prefilter.pattern_rules.len()), 0);
        }
    }

    /// Set the candidate bits of the rules that may match `hay`.
    fn mark_candidates(&self, hay: &[u8], scratch: &mut Scratch) {
        let Scratch {
            candidates, seen, ..
        } = scratch;
        candidates.fill(0);
        for &r in &self.prefilter.always {
            candidates[r as usize / 64] |= 1 << (r % 64);
        }
        let Some(ac) = &self.prefilter.ac else { return };
        seen.fill(0);
        let total = self.prefilter.pattern_rules.len();
        let mut distinct = 0;
        for m in ac.find_overlapping_iter(hay) {
            let pid = m.pattern().as_usize();
            let (w, b) = (pid / 64, 1u64 << (pid % 64));
            if seen[w] & b != 0 {
                continue;
            }
            for &r in &self.prefilter.pattern_rules[pid] {
                candidates[r as usize / 64] |= 1 << (r % 64);
            }
            // A keyword that counts only as spelt: its rules are candidates where it
            // is, and the keyword is done with once all of them are.
            let mut all = true;
            for (r, kw) in &self.prefilter.pattern_exact[pid] {
                let (rw, rb) = (*r as usize / 64, 1u64 << (r % 64));
                if hay[m.range()] == **kw {
                    candidates[rw] |= rb;
                }
                all &= candidates[rw] & rb != 0;
            }
            if !all {
                continue;
            }
            seen[w] |= b;
            distinct += 1;
            if distinct == total {
                break;
            }
        }
    }

    /// Run rule `idx` over the whole of `hay`, calling `f(start, end)` with the secret
    /// span of each match (possibly empty). After a match the search resumes at the end
    /// of its secret, so trailing context never hides the next match.
    fn run_rule(
        &self,
        idx: usize,
        hay: &[u8],
        locs: &mut Option<CaptureLocations>,
        f: &mut dyn FnMut(usize, usize),
    ) {
        let c = &self.compiled[idx];
        // A secret the rule's `not_secret` patterns match is passed over.
        let mut emit = |s: usize, e: usize| {
            if !c
                .not_secret
                .as_ref()
                .is_some_and(|n| n.is_match(&hay[s..e]))
                && c.check.is_none_or(|k| k.holds(&hay[s..e]))
            {
                f(s, e)
            }
        };
        let mut pos = 0;
        match c.secret {
            None => {
                while pos <= hay.len() {
                    let Some(m) = c.re.find_at(hay, pos) else {
                        break;
                    };
                    emit(m.start(), m.end());
                    pos = if m.end() > m.start() {
                        m.end()
                    } else {
                        m.end() + 1
                    };
                }
            }
            Some(group) => {
                let locs = locs.get_or_insert_with(|| c.re.capture_locations());
                while pos <= hay.len() {
                    let Some(m) = c.re.captures_read_at(locs, hay, pos) else {
                        break;
                    };
                    let next = match locs.get(group) {
                        Some((s, e)) => {
                            emit(s, e);
                            if e > m.start() {
                                e
                            } else {
                                m.end().max(m.start() + 1)
                            }
                        }
                        // The `secret` group did not take part in this match.
                        None => m.end().max(m.start() + 1),
                    };
                    pos = next;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> (String, String) {
        (name.to_string(), text.to_string())
    }

    const DEMO: &str = r#"
[[rules]]
id = "demo.token"
kind = "token"
description = "demo token"
pattern = '''tok=(?P<secret>[a-z0-9]{8})'''
keywords = ["TOK="]
examples = ["x tok=abcd1234 y"]
negative_examples = ["tok=short"]

[[rules]]
id = "demo.whole"
kind = "api-key"
description = "whole match is the secret"
pattern = '''\bWH[0-9]{6}\b'''
keywords = ["wh"]
examples = ["key WH123456"]
negative_examples = ["WH12345"]
"#;

    fn demo() -> RuleSet {
        RuleSet::from_sources(&[src("demo.toml", DEMO)]).unwrap()
    }

    #[test]
    fn loads_and_sets_group() {
        let set = demo();
        assert_eq!(set.rules().len(), 2);
        assert_eq!(set.rule(0).group, "demo");
        assert_eq!(set.rule(1).id, "demo.whole");
        assert!(set.check().is_empty(), "{:?}", set.check());
    }

    #[test]
    fn group_from_path_like_origin() {
        assert_eq!(group_of("dir/sub/acme.toml"), "acme");
        assert_eq!(group_of("C:\\rules\\corp.v2.toml"), "corp.v2");
        assert_eq!(group_of("plain"), "plain");
    }

    #[test]
    fn secret_group_span_and_whole_match() {
        let set = demo();
        let mut out = Vec::new();
        let hay = b"a TOK=zzzz tok=abcd1234 WH123456 tok=00000000";
        set.find_all(hay, &mut out);
        let spans: Vec<_> = out.iter().map(|m| (m.rule, &hay[m.start..m.end])).collect();
        assert_eq!(
            spans,
            vec![
                (0, &b"abcd1234"[..]),
                (1, &b"WH123456"[..]),
                (0, &b"00000000"[..])
            ]
        );
    }

    #[test]
    fn keyword_prefilter_is_case_insensitive_and_gates_regex() {
        let set = demo();
        assert!(set.may_match(b"xx Tok= yy"));
        assert!(set.may_match(b"wH"));
        assert!(!set.may_match(b"nothing to see"));
        let mut out = vec![RuleMatch {
            rule: 9,
            start: 0,
            end: 1,
        }];
        set.find_all(b"nothing to see", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn always_run_rule_without_keywords() {
        let text = r#"
[[rules]]
id = "x.digits"
kind = "pin"
description = "d"
pattern = '''[0-9]{4}'''
examples = ["1234"]
negative_examples = ["12"]
"#;
        let set = RuleSet::from_sources(&[src("x.toml", text)]).unwrap();
        assert!(set.may_match(b"no keywords here"));
        let mut out = Vec::new();
        set.find_all(b"pin 9876", &mut out);
        assert_eq!(
            out,
            vec![RuleMatch {
                rule: 0,
                start: 4,
                end: 8
            }]
        );
    }

    #[test]
    fn resumes_after_secret_so_shared_context_is_reused() {
        // The trailing '&' of one match is the leading context of the next one.
        let text = r#"
[[rules]]
id = "q.pw"
kind = "password"
description = "d"
pattern = '''(?:^|&)pw=(?P<secret>[^&]+)(?:&|$)'''
keywords = ["pw="]
"#;
        let set = RuleSet::from_sources(&[src("q.toml", text)]).unwrap();
        let mut out = Vec::new();
        let hay = b"pw=a&pw=b&pw=c";
        set.find_all(hay, &mut out);
        let got: Vec<_> = out.iter().map(|m| &hay[m.start..m.end]).collect();
        assert_eq!(got, vec![&b"a"[..], &b"b"[..], &b"c"[..]]);
    }

    /// An `exact_keywords` rule is a candidate only where a keyword occurs as spelt;
    /// another rule with the same keyword in any case still runs, and `rules check`
    /// holds the examples to the spelling.
    #[test]
    fn exact_keywords_count_only_as_spelt() {
        let text = r#"
[[rules]]
id = "x.exact"
kind = "token"
description = "d"
pattern = '''(?i)mt[a-z]{4}'''
keywords = ["MT"]
exact_keywords = true
examples = ["MTabcd"]

[[rules]]
id = "x.any"
kind = "token"
description = "d"
pattern = '''(?i)mt[0-9]{4}'''
keywords = ["Mt"]
"#;
        let set = RuleSet::from_sources(&[src("x.toml", text)]).unwrap();
        let rules = |hay: &[u8]| {
            let mut out = Vec::new();
            set.find_all(hay, &mut out);
            out.iter().map(|m| m.rule).collect::<Vec<_>>()
        };
        assert_eq!(rules(b"a mtabcd b"), Vec::<usize>::new());
        assert_eq!(rules(b"a MTabcd b mtabcd"), vec![0, 0]);
        assert_eq!(rules(b"a mtabcd mT1234"), vec![1]);
        assert_eq!(rules(b"mt1234 MTabcd"), vec![1, 0]);
        assert!(set.check().is_empty(), "{:?}", set.check());
        let lower = text.replace(r#"examples = ["MTabcd"]"#, r#"examples = ["mtabcd"]"#);
        let set = RuleSet::from_sources(&[src("x.toml", &lower)]).unwrap();
        let problems = set.check();
        assert!(
            problems.len() == 1 && problems[0].contains("none of the keywords"),
            "{problems:?}"
        );
    }

    #[test]
    fn sorted_by_start_then_longest() {
        let text = r#"
[[rules]]
id = "s.short"
kind = "token"
description = "d"
pattern = '''ab'''
keywords = ["ab"]

[[rules]]
id = "s.long"
kind = "token"
description = "d"
pattern = '''abcd'''
keywords = ["cd"]

[[rules]]
id = "s.mid"
kind = "token"
description = "d"
pattern = '''bc'''
keywords = ["bc"]
"#;
        let set = RuleSet::from_sources(&[src("s.toml", text)]).unwrap();
        let mut out = Vec::new();
        set.find_all(b"xabcd", &mut out);
        assert_eq!(
            out,
            vec![
                RuleMatch {
                    rule: 1,
                    start: 1,
                    end: 5
                },
                RuleMatch {
                    rule: 0,
                    start: 1,
                    end: 3
                },
                RuleMatch {
                    rule: 2,
                    start: 2,
                    end: 4
                },
            ]
        );
    }

    #[test]
    fn empty_secret_is_dropped_and_reported() {
        let text = r#"
[[rules]]
id = "e.empty"
kind = "token"
description = "d"
pattern = '''key=(?P<secret>[0-9]*)'''
keywords = ["key="]
examples = ["key=x"]
"#;
        let set = RuleSet::from_sources(&[src("e.toml", text)]).unwrap();
        let mut out = Vec::new();
        set.find_all(b"key=x key=12", &mut out);
        assert_eq!(
            out,
            vec![RuleMatch {
                rule: 0,
                start: 10,
                end: 12
            }]
        );
        let problems = set.check();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("e.empty") && problems[0].contains("empty secret"));
    }

    #[test]
    fn non_utf8_haystack() {
        let set = demo();
        let mut out = Vec::new();
        let hay = b"\xff\xfe tok=abcd1234 \xc3";
        set.find_all(hay, &mut out);
        assert_eq!(
            out,
            vec![RuleMatch {
                rule: 0,
                start: 7,
                end: 15
            }]
        );
    }

    #[test]
    fn bad_regex_names_origin_and_rule() {
        let text = r#"
[[rules]]
id = "b.broken"
kind = "token"
description = "d"
pattern = '''(unclosed'''
"#;
        let err = RuleSet::from_sources(&[src("b.toml", text)]).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("b.toml") && msg.contains("b.broken"), "{msg}");
    }

    #[test]
    fn duplicate_ids_are_an_error() {
        let err =
            RuleSet::from_sources(&[src("demo.toml", DEMO), src("again.toml", DEMO)]).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("demo.token") && msg.contains("again.toml"),
            "{msg}"
        );
    }

    #[test]
    fn invalid_fields_are_errors() {
        let bad_kind =
            "[[rules]]\nid = \"k.x\"\nkind = \"Bad Kind\"\ndescription = \"d\"\npattern = 'x'\n";
        let err = RuleSet::from_sources(&[src("k.toml", bad_kind)]).unwrap_err();
        assert!(format!("{err:#}").contains("k.x"));
        let unknown = "[[rules]]\nid = \"u.x\"\nkind = \"token\"\ndescription = \"d\"\npattern = 'x'\nkeyword = [\"x\"]\n";
        let err = RuleSet::from_sources(&[src("u.toml", unknown)]).unwrap_err();
        assert!(format!("{err:#}").contains("u.toml"));
        let empty_kw = "[[rules]]\nid = \"w.x\"\nkind = \"token\"\ndescription = \"d\"\npattern = 'x'\nkeywords = [\"\"]\n";
        let err = RuleSet::from_sources(&[src("w.toml", empty_kw)]).unwrap_err();
        assert!(format!("{err:#}").contains("w.x"));
    }

    #[test]
    fn check_reports_failing_examples() {
        let text = r#"
[[rules]]
id = "c.rule"
kind = "token"
description = "d"
pattern = '''tok_[0-9]{4}'''
keywords = ["tok_"]
examples = ["tok_12", "TOK_1234 (keyword found case-insensitively, regex is case-sensitive)", "tok_1234"]
negative_examples = ["tok_9999"]
"#;
        let set = RuleSet::from_sources(&[src("c.toml", text)]).unwrap();
        let problems = set.check();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().all(|p| p.starts_with("c.rule:")));
        assert!(problems[0].contains("example #1 does not match"));
        assert!(problems[1].contains("example #2 does not match"));
        assert!(problems[2].contains("negative example #1 matches"));
    }

    #[test]
    fn check_reports_example_without_keyword() {
        let text = r#"
[[rules]]
id = "c.kw"
kind = "token"
description = "d"
pattern = '''[0-9]{4}'''
keywords = ["pin"]
examples = ["1234"]
"#;
        let set = RuleSet::from_sources(&[src("c.toml", text)]).unwrap();
        let problems = set.check();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("c.kw") && problems[0].contains("keywords"));
    }

    #[test]
    fn add_path_file_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        let extra = DEMO.replace("demo.", "extra.");
        std::fs::write(dir.path().join("extra.toml"), &extra).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let mut set = demo();
        set.add_path(dir.path()).unwrap();
        assert_eq!(set.rules().len(), 4);
        assert_eq!(set.rule(2).group, "extra");
        let mut out = Vec::new();
        set.find_all(b"tok=abcd1234", &mut out);
        assert_eq!(out.len(), 2);
        // Adding the same file again: duplicate ids, and the set is left unchanged.
        let err = set.add_path(&dir.path().join("extra.toml")).unwrap_err();
        assert!(format!("{err:#}").contains("extra.token"));
        assert_eq!(set.rules().len(), 4);
        let empty = tempfile::tempdir().unwrap();
        assert!(set.add_path(empty.path()).is_err());
    }

    #[test]
    fn scratch_is_per_rule_set() {
        let a = demo();
        let b =
            RuleSet::from_sources(&[src("other.toml", &DEMO.replace("demo.", "other."))]).unwrap();
        let mut out = Vec::new();
        for _ in 0..3 {
            a.find_all(b"tok=abcd1234", &mut out);
            assert_eq!(out.len(), 1);
            b.find_all(b"WH123456 tok=abcd1234", &mut out);
            assert_eq!(out.len(), 2);
        }
    }

    #[test]
    fn kind_and_id_validation() {
        assert!(is_valid_kind("aws-access-key-id"));
        assert!(is_valid_kind("jwt"));
        assert!(!is_valid_kind("a--b"));
        assert!(!is_valid_kind("Token"));
        assert!(!is_valid_kind("a:b"));
        assert!(is_valid_id("github.pat-classic"));
        assert!(!is_valid_id("has space"));
    }
}
