//! Recall under variation (issue #11): a generative table of planted credentials ×
//! containers × encodings × name spellings, rendered into HARs and bundles, cleaned
//! in-process with `clean_bytes`, and checked by a decoder written from scratch here
//! (`recall/views.rs`) that shares no code with the detector.
//!
//! Outcome of each case:
//! * CLEAN — a copy was written and no secret (nor a 12-character window of a long one,
//!   see `gen::WINDOW`) is left in any decoded view of it;
//! * LEAK — a copy was written and the secret survives in some view (the worst);
//! * NOCOPY — cleaning failed (fail closed: not a leak, but a failure);
//! * OVERREDACTED — a harmless value planted next to the secret (marker, request id,
//!   ETag) changed, or the HAR lost its structure (keys, array lengths).
//!
//! Reproducible: the seed is fixed (`RECALL_SEED` picks another, decimal or 0x-hex);
//! `RECALL_CASES` is the number of sampled cases (default 2000) or `all` for the whole
//! cross product. Failures print the seed and the case's coordinates, never the secret.
//!
//! Run the table: `cargo test --test recall -- --ignored --nocapture recall_table`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use harscrub::{clean_bytes, Engine};
use serde_json::Value;

mod common;

#[path = "recall/gen.rs"]
mod gen;
#[path = "recall/render.rs"]
mod render;
#[path = "recall/views.rs"]
mod views;

use gen::{Kind, Rng, Spelling, KINDS, SPELLINGS};
use render::{Container, Enc, CONTAINERS, ENCS};

const DEFAULT_SEED: u64 = 0x11_5EED_2026;
const DEFAULT_CASES: usize = 2000;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| common::engine("recall-test-key"))
}

fn seed() -> u64 {
    match std::env::var("RECALL_SEED") {
        Ok(s) => {
            let s = s.trim();
            s.strip_prefix("0x")
                .map(|h| u64::from_str_radix(h, 16))
                .unwrap_or_else(|| s.parse())
                .expect("RECALL_SEED: a decimal or 0x-hex number")
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// One combination of the cross product; `idx` is its position in the full (unsampled)
/// enumeration, so a case is named by seed + idx whatever the sample size.
#[derive(Debug, Clone, Copy)]
struct Case {
    idx: usize,
    kind: Kind,
    sp: Spelling,
    c: Container,
    e: Enc,
}

fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut idx = 0;
    for &kind in KINDS {
        for &sp in SPELLINGS {
            let names = gen::names(kind, sp);
            for &c in CONTAINERS {
                for &e in ENCS {
                    idx += 1;
                    // a combination is kept if some name of that spelling fits
                    if names.iter().any(|n| render::applicable(kind, c, e, n)) {
                        v.push(Case {
                            idx: idx - 1,
                            kind,
                            sp,
                            c,
                            e,
                        });
                    }
                }
            }
        }
    }
    v
}

/// How many of `len` cases to try: `RECALL_CASES` (a number or `all`), else `default`.
fn case_count(default: usize, len: usize) -> usize {
    match std::env::var("RECALL_CASES").as_deref() {
        Ok("all") => len,
        Ok(s) => s.parse().expect("RECALL_CASES: a number or `all`"),
        Err(_) => default,
    }
    .min(len)
}

fn sample(seed: u64) -> Vec<Case> {
    let mut all = all_cases();
    let n = case_count(DEFAULT_CASES, all.len());
    if n < all.len() {
        Rng::new(seed).shuffle(&mut all);
        all.truncate(n);
        all.sort_by_key(|c| c.idx);
    }
    all
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Clean,
    Leak,
    NoCopy,
    OverRedacted,
}

const VERDICTS: [Verdict; 4] = [
    Verdict::Clean,
    Verdict::Leak,
    Verdict::NoCopy,
    Verdict::OverRedacted,
];

struct Result {
    case: Case,
    name: String,
    file: &'static str,
    verdict: Verdict,
    /// what went wrong (never a secret)
    why: String,
}

/// The per-case RNG: everything random in a case derives from (seed, idx).
fn case_rng(seed: u64, idx: usize) -> Rng {
    let mut r = Rng::new(seed ^ (idx as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    r.next();
    r
}

struct Planted {
    name: String,
    secret: gen::Secret,
    doc: render::Doc,
}

fn plant(seed: u64, case: &Case) -> Planted {
    let mut rng = case_rng(seed, case.idx);
    let names: Vec<&str> = gen::names(case.kind, case.sp)
        .iter()
        .copied()
        .filter(|n| render::applicable(case.kind, case.c, case.e, n))
        .collect();
    let name = rng.pick(&names).to_string();
    let secret = gen::secret(case.kind, &mut rng);
    let doc = render::render(case.c, case.e, case.kind, &name, &secret.value, &mut rng);
    // Debugging aid: `RECALL_DUMP=<idx>[,<idx>…]` writes those cases' inputs (and their
    // fake secrets, beside them) to the temp folder.
    let dump = std::env::var("RECALL_DUMP").unwrap_or_default();
    if dump.split(',').any(|i| i == case.idx.to_string()) {
        let p = std::env::temp_dir().join(format!("recall-{}-{}", case.idx, doc.file_name));
        std::fs::write(&p, &doc.bytes).unwrap();
        std::fs::write(p.with_extension("secret"), &secret.value).unwrap();
        eprintln!("case {} written to {}", case.idx, p.display());
    }
    Planted { name, secret, doc }
}

/// Where a needle is found: the index of the view.
fn survivor(views: &[Vec<u8>], needles: &[String]) -> Option<usize> {
    survivors(views, &[needles])[0]
}

/// For each set of needles, the first view holding one of them: one automaton and one
/// pass over the views for all the cases of a batch.
fn survivors(views: &[Vec<u8>], sets: &[&[String]]) -> Vec<Option<usize>> {
    let mut owner = Vec::new();
    let mut pats = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        for n in set.iter() {
            owner.push(i);
            pats.push(n.as_str());
        }
    }
    let ac = aho_corasick::AhoCorasickBuilder::new()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .prefilter(false)
        .build(&pats)
        .unwrap();
    let mut found = vec![None; sets.len()];
    for (vi, v) in views.iter().enumerate() {
        for m in ac.find_overlapping_iter(v) {
            if pats[m.pattern().as_usize()]
                .bytes()
                .all(|b| b.is_ascii_digit())
                && inside_other_data(v, m.start(), m.end())
            {
                continue;
            }
            let o = owner[m.pattern().as_usize()];
            found[o].get_or_insert(vi);
        }
    }
    found
}

/// A number (a PIN, an OTP) seen inside a longer number or inside a hex string (16 or
/// more hex digits with a letter: an ETag, a hash of another case) is that data, not the
/// secret: six random digits turn up in a batch's random hex now and then.
fn inside_other_data(v: &[u8], start: usize, end: usize) -> bool {
    let digit = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_digit());
    if (start > 0 && digit(v.get(start - 1))) || digit(v.get(end)) {
        return true;
    }
    let hex = |b: &&u8| b.is_ascii_hexdigit();
    let before = v[..start].iter().rev().take_while(hex).count();
    let after = v[end..].iter().take_while(hex).count();
    let run = &v[start - before..end + after];
    run.len() >= 16 && run.iter().any(u8::is_ascii_alphabetic)
}

/// A HAR's shape: keys, array lengths and value kinds (strings and numbers alike, since
/// a numeric password becomes a string placeholder). Keys that look like data (a digit,
/// or over 32 characters) count by place only.
fn skeleton(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            for (k, x) in m {
                // a key holding a digit or over 32 characters is data (an echoed secret
                // as a key may be redacted): only its place counts
                let data = k.len() > 32 || k.bytes().any(|b| b.is_ascii_digit());
                out.push_str(if data { "*" } else { k });
                out.push(':');
                skeleton(x, out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(a) => {
            let _ = write!(out, "[{}|", a.len());
            a.iter().for_each(|x| skeleton(x, out));
            out.push(']');
        }
        Value::String(_) | Value::Number(_) => out.push('v'),
        Value::Bool(_) => out.push('b'),
        Value::Null => out.push('n'),
    }
}

fn count(hay: &[u8], needle: &str) -> usize {
    memchr::memmem::find_iter(hay, needle.as_bytes()).count()
}

/// An input and its copy, decoded once for all the cases they hold.
struct Pair {
    /// archives opened
    flat_in: Vec<u8>,
    flat_out: Vec<u8>,
    /// parsed HARs (`None` for other documents; `Err` when the copy is not JSON)
    hars: Option<(Value, std::result::Result<Value, String>)>,
}

impl Pair {
    fn new(input: &[u8], out: &[u8], har: bool) -> Pair {
        Pair {
            flat_in: views::flatten(input),
            flat_out: views::flatten(out),
            hars: har.then(|| {
                (
                    serde_json::from_slice(input).unwrap(),
                    serde_json::from_slice(out).map_err(|e| format!("copy is not JSON: {e}")),
                )
            }),
        }
    }
}

/// Over-redaction and structure checks of a copy against its input: each harmless
/// value occurs as often in the copy as in the input (archives opened), and HAR entry
/// `entry` keeps its shape and the harmless values inside its base64 body.
fn preserved(pair: &Pair, keep: &[String], entry: usize) -> std::result::Result<(), String> {
    for (i, k) in keep.iter().enumerate() {
        let (a, b) = (count(&pair.flat_in, k), count(&pair.flat_out, k));
        if a != b {
            let what = ["marker", "request id", "etag"][i.min(2)];
            return Err(format!(
                "{what} occurs {b} times in the copy, {a} in the input"
            ));
        }
    }
    let Some((a, b)) = &pair.hars else {
        return Ok(());
    };
    let b = b.as_ref().map_err(Clone::clone)?;
    let (ea, eb) = (&a["log"]["entries"][entry], &b["log"]["entries"][entry]);
    let (mut sa, mut sb) = (String::new(), String::new());
    skeleton(ea, &mut sa);
    skeleton(eb, &mut sb);
    if sa != sb {
        return Err("HAR entry structure changed (keys, array lengths or value kinds)".into());
    }
    let body = |e: &Value| {
        let c = &e["response"]["content"];
        if c["encoding"] == "base64" {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(c["text"].as_str().unwrap_or(""))
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    let (ba, bb) = (body(ea), body(eb));
    for k in keep {
        if count(&ba, k) != count(&bb, k) {
            return Err("a harmless value in the base64 body changed".into());
        }
    }
    Ok(())
}

fn clean(file: &str, bytes: &[u8]) -> std::result::Result<Vec<u8>, harscrub::Error> {
    clean_bytes(engine(), file, bytes).map(|o| o.copy)
}

/// Judge one case's secret and harmless values in a copy (`views` of `out`).
fn judge(
    p: &Planted,
    pair: &Pair,
    vs: &[Vec<u8>],
    found: Option<usize>,
    entry: usize,
) -> (Verdict, String) {
    if let Some(i) = found {
        return (
            Verdict::Leak,
            format!("survives in view {i} of {} (0 = raw bytes)", vs.len()),
        );
    }
    match preserved(pair, &p.doc.keep, entry) {
        Ok(()) => (Verdict::Clean, String::new()),
        Err(why) => (Verdict::OverRedacted, why),
    }
}

fn result(case: &Case, p: &Planted, (verdict, why): (Verdict, String)) -> Result {
    Result {
        case: *case,
        name: p.name.clone(),
        file: p.doc.file_name,
        verdict,
        why,
    }
}

/// One case in a file of its own.
fn run_case(seed: u64, case: &Case) -> Result {
    let p = plant(seed, case);
    let out = match timed_clean(p.doc.file_name, &p.doc.bytes) {
        Ok(o) => o,
        Err(e) => {
            // the error text is harscrub's own and must not hold the secret either
            let msg = e.to_string();
            let v = if p.secret.needles.iter().any(|n| msg.contains(n.as_str())) {
                (Verdict::Leak, "the error message holds the secret".into())
            } else {
                (Verdict::NoCopy, "clean failed".into())
            };
            return result(case, &p, v);
        }
    };
    let vs = views::views(&out);
    let found = survivor(&vs, &p.secret.needles);
    let pair = Pair::new(&p.doc.bytes, &out, p.doc.har);
    let v = judge(&p, &pair, &vs, found, 0);
    result(case, &p, v)
}

/// HAR cases per file: the per-document cost of a clean (~25 ms in a debug build) is
/// shared by `RECALL_BATCH` entries (default 20; 1 = every case in its own file).
/// Secrets, markers and ids are random per case, so every case is judged on its own in
/// the shared copy; a batch that fails to clean is rerun case by case.
fn batch_size() -> usize {
    std::env::var("RECALL_BATCH")
        .ok()
        .map(|s| s.parse().expect("RECALL_BATCH: a number"))
        .unwrap_or(20)
        .max(1)
}

/// A HAR holding the entries of several planted cases (in order).
fn batch_har(docs: &[&render::Doc]) -> Vec<u8> {
    let mut entries = Vec::new();
    for d in docs {
        let v: Value = serde_json::from_slice(&d.bytes).unwrap();
        entries.push(v["log"]["entries"][0].clone());
    }
    let h = serde_json::json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [],
        "entries": entries,
    }});
    serde_json::to_vec_pretty(&h).unwrap()
}

/// Time spent cleaning (in the library) and checking (views and search), for the report.
static CLEAN_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn timed_clean(file: &str, bytes: &[u8]) -> std::result::Result<Vec<u8>, harscrub::Error> {
    let t = std::time::Instant::now();
    let r = clean(file, bytes);
    CLEAN_NS.fetch_add(
        t.elapsed().as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    r
}

/// A file's worth of cases: one non-HAR case, or a batch of HAR cases.
fn run_unit(seed: u64, chunk: &[Case]) -> Vec<Result> {
    if chunk.len() == 1 {
        return vec![run_case(seed, &chunk[0])];
    }
    let ps: Vec<Planted> = chunk.iter().map(|c| plant(seed, c)).collect();
    let input = batch_har(&ps.iter().map(|p| &p.doc).collect::<Vec<_>>());
    // `RECALL_DUMP` names a case of this batch: the batch is written too.
    let dump = std::env::var("RECALL_DUMP").unwrap_or_default();
    if let Some(c) = chunk
        .iter()
        .find(|c| dump.split(',').any(|i| i == c.idx.to_string()))
    {
        let p = std::env::temp_dir().join(format!("recall-{}-batch.har", c.idx));
        std::fs::write(&p, &input).unwrap();
        eprintln!("the batch of case {} written to {}", c.idx, p.display());
    }
    match timed_clean("capture.har", &input) {
        Ok(out) => {
            let vs = views::views(&out);
            let sets: Vec<&[String]> = ps.iter().map(|p| &p.secret.needles[..]).collect();
            let found = survivors(&vs, &sets);
            let pair = Pair::new(&input, &out, true);
            chunk
                .iter()
                .zip(&ps)
                .enumerate()
                .map(|(i, (c, p))| result(c, p, judge(p, &pair, &vs, found[i], i)))
                .collect()
        }
        // attribute the failure: every case in a file of its own
        Err(_) => chunk.iter().map(|c| run_case(seed, c)).collect(),
    }
}

/// The units (files) of a sample: HAR cases batched, the others one per file.
fn units(cases: &[Case]) -> Vec<Vec<Case>> {
    let (hars, others): (Vec<Case>, Vec<Case>) = cases.iter().partition(|c| render::is_har(c.c));
    let mut u: Vec<Vec<Case>> = others.into_iter().map(|c| vec![c]).collect();
    u.extend(hars.chunks(batch_size()).map(<[Case]>::to_vec));
    u
}

/// Runs every unit, on up to `RECALL_THREADS` threads (default: the available cores, at
/// most 4). Results do not depend on the thread count.
fn run_all(seed: u64, cases: &[Case]) -> Vec<Result> {
    let units = units(cases);
    let threads = std::env::var("RECALL_THREADS")
        .ok()
        .map(|s| s.parse().expect("RECALL_THREADS: a number"))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(u) = units.get(i) else { break };
                let r = run_unit(seed, u);
                results.lock().unwrap().extend(r);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.case.idx);
    results
}

fn label<T: std::fmt::Debug>(x: T) -> String {
    format!("{x:?}")
}

/// Failure counts grouped by one or more coordinates.
fn table(
    title: &str,
    results: &[Result],
    key: impl Fn(&Result) -> String,
    only_failing: bool,
    limit: usize,
) -> String {
    let mut m: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for r in results {
        let row = m.entry(key(r)).or_default();
        row[VERDICTS.iter().position(|v| *v == r.verdict).unwrap()] += 1;
    }
    let mut rows: Vec<(String, [usize; 4])> = m.into_iter().collect();
    if only_failing {
        rows.retain(|(_, c)| c[1] + c[2] + c[3] > 0);
        rows.sort_by_key(|(k, c)| (std::cmp::Reverse(c[1] + c[2] + c[3]), k.clone()));
    }
    let mut s = format!(
        "\n{title}\n{:<44} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "", "cases", "CLEAN", "LEAK", "NOCOPY", "OVERRE"
    );
    for (k, c) in rows.iter().take(limit) {
        let _ = writeln!(
            s,
            "{:<44} {:>6} {:>6} {:>6} {:>6} {:>6}",
            k,
            c.iter().sum::<usize>(),
            c[0],
            c[1],
            c[2],
            c[3]
        );
    }
    if rows.len() > limit {
        let _ = writeln!(s, "… {} more rows", rows.len() - limit);
    }
    s
}

/// Failures / cases for each container (rows) × encoding (columns).
fn matrix(results: &[Result]) -> String {
    let mut m: BTreeMap<(Container, Enc), (usize, usize)> = BTreeMap::new();
    for r in results {
        let e = m.entry((r.case.c, r.case.e)).or_default();
        e.1 += 1;
        if r.verdict != Verdict::Clean {
            e.0 += 1;
        }
    }
    let mut s = String::from("\nfailing/cases: container × encoding\n           ");
    for &e in ENCS {
        let l = label(e);
        let _ = write!(s, "{:>7}", &l[..l.len().min(6)]);
    }
    s.push('\n');
    for &c in CONTAINERS {
        let _ = write!(s, "{:<11}", label(c));
        for &e in ENCS {
            match m.get(&(c, e)) {
                Some((f, n)) => {
                    let _ = write!(s, "{:>7}", format!("{f}/{n}"));
                }
                None => s.push_str("      -"),
            }
        }
        s.push('\n');
    }
    s
}

fn report(seed: u64, results: &[Result]) -> String {
    let n = |v| results.iter().filter(|r| r.verdict == v).count();
    let mut s = format!(
        "recall: seed={seed:#x} cases={} (of {} combinations) CLEAN={} LEAK={} NOCOPY={} OVERREDACTED={}\n\
         (rerun with RECALL_SEED={seed:#x}; RECALL_CASES=all for the whole cross product)\n",
        results.len(),
        all_cases().len(),
        n(Verdict::Clean),
        n(Verdict::Leak),
        n(Verdict::NoCopy),
        n(Verdict::OverRedacted)
    );
    s += &table("by container", results, |r| label(r.case.c), false, 100);
    s += &table("by encoding", results, |r| label(r.case.e), false, 100);
    s += &table(
        "by name spelling",
        results,
        |r| label(r.case.sp),
        false,
        100,
    );
    s += &table(
        "by secret kind",
        results,
        |r| label(r.case.kind),
        false,
        100,
    );
    s += &table(
        "failing container × encoding × spelling (worst first)",
        results,
        |r| format!("{:?} × {:?} × {:?}", r.case.c, r.case.e, r.case.sp),
        true,
        60,
    );
    s += &matrix(results);
    let bad: Vec<&Result> = results
        .iter()
        .filter(|r| r.verdict != Verdict::Clean)
        .collect();
    // the plainest shapes first: a secret under its own name, unencoded or percent-encoded
    let plain: Vec<&&Result> = bad
        .iter()
        .filter(|r| matches!(r.case.e, Enc::Raw | Enc::RawPct))
        .collect();
    if !plain.is_empty() {
        s += "\nfailing Raw / RawPct cases (the secret under its own name):\n";
        for r in &plain {
            let _ = writeln!(
                s,
                "  {:?} idx={} {:?} {:?} {:?} {:?} name={:?}: {}",
                r.verdict, r.case.idx, r.case.kind, r.case.sp, r.case.c, r.case.e, r.name, r.why
            );
        }
    }
    if !bad.is_empty() {
        s += "\nfirst failing cases (coordinates and name only; never the secret):\n";
        for r in bad.iter().take(40) {
            let _ = writeln!(
                s,
                "  {:?} seed={seed:#x} idx={} kind={:?} spelling={:?} container={:?} encoding={:?} name={:?} file={}: {}",
                r.verdict, r.case.idx, r.case.kind, r.case.sp, r.case.c, r.case.e, r.name, r.file, r.why
            );
        }
    }
    s
}

fn run_sample() -> (u64, Vec<Result>) {
    let seed = seed();
    let cases = sample(seed);
    (seed, run_all(seed, &cases))
}

/// The main assertion: zero LEAK, NOCOPY and OVERREDACTED over the sampled table
/// (2,000 cases of the fixed seed; `RECALL_SEED` / `RECALL_CASES` try others).
#[test]
fn recall_zero_failures() {
    let (seed, results) = run_sample();
    let text = report(seed, &results);
    assert!(
        results.iter().all(|r| r.verdict == Verdict::Clean),
        "{text}"
    );
}

/// The table of failures (prints; fails only if nothing ran).
/// `cargo test --test recall -- --ignored --nocapture recall_table`
#[test]
#[ignore = "a report, not an assertion: run with --ignored --nocapture"]
fn recall_table() {
    let t = std::time::Instant::now();
    let (seed, results) = run_sample();
    println!("{}", report(seed, &results));
    let clean = CLEAN_NS.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9;
    println!(
        "time: {:.1} s in all, {clean:.1} s of it cleaning (the rest: rendering and checking)",
        t.elapsed().as_secs_f64()
    );
    assert!(!results.is_empty());
}

/// The measuring stick is not blind: in every sampled case, before cleaning, the
/// checker finds the planted secret (its full form; for a PEM key every body line) in
/// some view of the input exactly as it is fed to the library (batched HARs included),
/// and the harmless values are there to be compared.
#[test]
fn checker_sees_every_planted_secret() {
    let seed = seed();
    let cases = sample(seed);
    let mut blind = Vec::new();
    // the full secrets of a group of cases (for a PEM key: every body line)
    let mut check = |group: &[(Case, Planted)], vs: &[Vec<u8>], input: &[u8]| {
        let mut sets: Vec<&[String]> = Vec::new();
        let mut whose = Vec::new();
        for (gi, (c, p)) in group.iter().enumerate() {
            let full = if c.kind == Kind::Pem {
                &p.secret.needles[..]
            } else {
                &p.secret.needles[..1]
            };
            for n in full {
                sets.push(std::slice::from_ref(n));
                whose.push(gi);
            }
        }
        let found = survivors(vs, &sets);
        let mut missed: Vec<usize> = whose
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(w, _)| *w)
            .collect();
        missed.dedup();
        for gi in missed {
            let c = &group[gi].0;
            blind.push(format!(
                "idx={} {:?} {:?} {:?} {:?}",
                c.idx, c.kind, c.sp, c.c, c.e
            ));
        }
        let flat = views::flatten(input);
        for (c, p) in group {
            for k in &p.doc.keep {
                assert!(
                    count(&flat, k) > 0,
                    "idx={} harmless value not planted",
                    c.idx
                );
            }
        }
    };
    let (hars, others): (Vec<Case>, Vec<Case>) = cases.iter().partition(|c| render::is_har(c.c));
    for c in &others {
        let p = plant(seed, c);
        let (vs, input) = (views::views(&p.doc.bytes), p.doc.bytes.clone());
        check(&[(*c, p)], &vs, &input);
    }
    for chunk in hars.chunks(batch_size()) {
        let group: Vec<(Case, Planted)> = chunk.iter().map(|c| (*c, plant(seed, c))).collect();
        let docs: Vec<&render::Doc> = group.iter().map(|(_, p)| &p.doc).collect();
        let input = batch_har(&docs);
        let vs = views::views(&input);
        check(&group, &vs, &input);
    }
    assert!(
        blind.is_empty(),
        "seed={seed:#x}: the checker cannot see the planted secret in {} case(s):\n{}",
        blind.len(),
        blind.join("\n")
    );
}

/// The views decoder itself, on hand-made inputs.
#[test]
fn views_decode_each_form() {
    let s = "Zq8vR2mKx7LpQ4wT";
    let forms: Vec<String> = vec![
        format!("x={s}"),
        format!("{{\"a\":\"{}\"}}", s.replace('q', "\\u0071")),
        format!("a={}", s.replace('8', "%38").replace('v', "%2576")),
        format!("a=&quot;{}&#x3D;", s.replace('Z', "&#90;")),
        format!("a='{}'", s.replace('m', "\\x6d").replace('K', "\\u{4b}")),
        format!("blob={}", gen::b64(format!("{{\"p\":\"{s}\"}}").as_bytes())),
        format!("b:{}", gen::b64url(format!("..{s}..").as_bytes())),
        format!(
            "data:application/octet-stream;base64,{}",
            gen::b64(&{
                use std::io::Write;
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(s.as_bytes()).unwrap();
                e.finish().unwrap()
            })
        ),
        format!("z{}", gen::b64(format!("xx:{s}").as_bytes())),
    ];
    for f in forms {
        let vs = views::views(f.as_bytes());
        assert!(survivor(&vs, &[s.to_string()]).is_some(), "not seen in {f}");
    }
    // and nothing is invented
    let vs = views::views(b"plain text with no secret, a%20b &amp; \\n");
    assert!(survivor(&vs, &[s.to_string()]).is_none());
}

// ---------------------------------------------------------------- negatives

/// Harmless look-alikes (name, value, numeric): each must come out byte-identical.
fn lookalikes(rng: &mut Rng) -> Vec<(&'static str, String, bool)> {
    let hex = |rng: &mut Rng, n| rng.chars(b"0123456789abcdef", n);
    let b64 = |rng: &mut Rng, n| gen::b64(&rng.bytes(n));
    vec![
        (
            "error",
            "Password: too short (minimum is 12 characters)".into(),
            false,
        ),
        (
            "message",
            "Please enter your password to continue".into(),
            false,
        ),
        ("keyboardLayout", "de-CH-fr".into(), false),
        ("passengerName", "Alice Example".into(), false),
        ("passengerId", format!("PAX-{}", gen::number(rng, 5)), false),
        ("keyCode", "13".into(), true),
        ("tokens", gen::number(rng, 4), true),
        ("max_tokens", "256".into(), true),
        ("etag", format!("\"{}\"", hex(rng, 32)), false),
        ("integrity", format!("sha384-{}", b64(rng, 48)), false),
        ("requestId", render::uuid(rng), false),
        (
            "csp",
            format!("script-src 'self' 'sha256-{}'", b64(rng, 32)),
            false,
        ),
        (
            "script",
            format!("/static/js/main.{}.chunk.js", hex(rng, 8)),
            false,
        ),
        (
            "stylesheet",
            format!("/assets/app-{}.css", hex(rng, 16)),
            false,
        ),
        ("author", "jdoe".into(), false),
        ("sessionTimeout", "3600".into(), true),
        ("passwordMinLength", "12".into(), true),
        ("forgotPasswordUrl", "/account/password/reset".into(), false),
        ("csrf-param", "authenticity_token".into(), false),
        ("tokenizer", "cl100k_base".into(), false),
        ("keyframes", "fade-in".into(), false),
    ]
}

const NEG_ENCS: &[Enc] = &[Enc::Raw, Enc::Pct1, Enc::JsonU, Enc::B64];

struct Negative {
    case: Case,
    name: &'static str,
    doc: render::Doc,
}

fn negatives(seed: u64) -> Vec<Negative> {
    let mut out = Vec::new();
    let n = lookalikes(&mut Rng::new(0)).len();
    let mut idx = 0;
    for li in 0..n {
        for &c in CONTAINERS {
            // every cookie value is redacted by design
            if c == Container::Cookie {
                continue;
            }
            for &e in NEG_ENCS {
                idx += 1;
                let mut rng = case_rng(seed ^ 0x4E47, idx);
                let (name, value, num) = lookalikes(&mut rng).swap_remove(li);
                let kind = if num { Kind::Pin } else { Kind::Password };
                if !render::applicable(kind, c, e, name) {
                    continue;
                }
                let doc = render::render(c, e, kind, name, &value, &mut rng);
                let sp = Spelling::Neutral;
                out.push(Negative {
                    case: Case {
                        idx,
                        kind,
                        sp,
                        c,
                        e,
                    },
                    name,
                    doc,
                });
            }
        }
    }
    out
}

/// Each look-alike case: its copy must equal its input. HAR cases are cleaned in
/// batches; a batch whose copy differs is rerun case by case to say which changed.
fn run_negatives(seed: u64) -> Vec<Result> {
    let single = |n: &Negative| {
        let (verdict, why) = match timed_clean(n.doc.file_name, &n.doc.bytes) {
            Err(_) => (Verdict::NoCopy, "clean failed".to_string()),
            Ok(o) if o == n.doc.bytes => (Verdict::Clean, String::new()),
            Ok(_) => (Verdict::OverRedacted, "copy differs".to_string()),
        };
        Result {
            case: n.case,
            name: n.name.to_string(),
            file: n.doc.file_name,
            verdict,
            why,
        }
    };
    let all = negatives(seed);
    let (hars, others): (Vec<&Negative>, Vec<&Negative>) = all.iter().partition(|n| n.doc.har);
    let mut results: Vec<Result> = others.into_iter().map(single).collect();
    for chunk in hars.chunks(batch_size()) {
        let input = batch_har(&chunk.iter().map(|n| &n.doc).collect::<Vec<_>>());
        match timed_clean("capture.har", &input) {
            Ok(o) if o == input => results.extend(chunk.iter().map(|n| Result {
                case: n.case,
                name: n.name.to_string(),
                file: n.doc.file_name,
                verdict: Verdict::Clean,
                why: String::new(),
            })),
            _ => results.extend(chunk.iter().map(|n| single(n))),
        }
    }
    results.sort_by_key(|r| r.case.idx);
    results
}

fn negatives_report(seed: u64, results: &[Result]) -> String {
    let n = |v| results.iter().filter(|r| r.verdict == v).count();
    let mut s = format!(
        "look-alikes: seed={seed:#x} cases={} unchanged={} OVERREDACTED={} NOCOPY={}\n",
        results.len(),
        n(Verdict::Clean),
        n(Verdict::OverRedacted),
        n(Verdict::NoCopy)
    );
    s += &table(
        "by look-alike name",
        results,
        |r| r.name.clone(),
        false,
        100,
    );
    s += &table("by container", results, |r| label(r.case.c), false, 100);
    s += &table("by encoding", results, |r| label(r.case.e), false, 100);
    s
}

/// Look-alikes stay byte-identical in every container.
#[test]
#[ignore = "fails until the issue #11 name-model fixes land; run with --ignored"]
fn lookalikes_stay() {
    let seed = seed();
    let results = run_negatives(seed);
    let text = negatives_report(seed, &results);
    println!("{text}");
    assert!(
        results.iter().all(|r| r.verdict == Verdict::Clean),
        "{text}"
    );
}

// ---------------------------------------------------------------- property

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // seeds are printed on failure; no regressions file in the tree
        #![proptest_config(ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any composition of secret kind × name spelling × container × encoding,
        /// with any seed, comes out CLEAN.
        #[test]
        fn any_composition_is_clean(
            k in 0..KINDS.len(),
            sp in 0..SPELLINGS.len(),
            c in 0..CONTAINERS.len(),
            e in 0..ENCS.len(),
            seed in any::<u64>(),
        ) {
            let idx = ((k * SPELLINGS.len() + sp) * CONTAINERS.len() + c) * ENCS.len() + e;
            let case = Case { idx, kind: KINDS[k], sp: SPELLINGS[sp], c: CONTAINERS[c], e: ENCS[e] };
            let names = gen::names(case.kind, case.sp);
            prop_assume!(names.iter().any(|n| render::applicable(case.kind, case.c, case.e, n)));
            let r = run_case(seed, &case);
            prop_assert!(
                r.verdict == Verdict::Clean,
                "{:?} seed={seed:#x} idx={idx} {:?} name={:?}: {}",
                r.verdict, case, r.name, r.why
            );
        }
    }
}

// ---------------------------------------------------------------- through the binary

/// A few cases through `harscrub clean` (the binary streams HARs from disk, a path the
/// library calls above do not take): the copies are checked the same way.
#[test]
fn cli_copies_are_clean() {
    use Container::*;
    let seed = seed();
    let picks = [
        (Kind::Password, Spelling::Plain, JsonReq),
        (Kind::Ghp, Spelling::Neutral, Header),
        (Kind::Session, Spelling::Short, Cookie),
        (Kind::ContextToken, Spelling::Snake, Query),
        (Kind::SlackBot, Spelling::Neutral, Log),
        (Kind::StripeLive, Spelling::Plain, Zip),
        (Kind::Jwt, Spelling::Camel, JsonResp),
        (Kind::AwsKeyId, Spelling::Neutral, TarGz),
    ];
    let cases: Vec<Case> = all_cases()
        .into_iter()
        .filter(|c| c.e == Enc::Raw && picks.contains(&(c.kind, c.sp, c.c)))
        .collect();
    assert_eq!(cases.len(), picks.len());
    let tmp = common::Dir::new();
    let (ind, outd) = (tmp.join("in"), tmp.join("out"));
    let mut planted = Vec::new();
    for c in &cases {
        let p = plant(seed, c);
        let dir = ind.join(format!("case{}", c.idx));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(p.doc.file_name), &p.doc.bytes).unwrap();
        planted.push((c, p));
    }
    let out = tmp
        .cmd(&["clean", "in", "--out", "out"])
        .timeout(std::time::Duration::from_secs(120))
        .run();
    let all = format!("{}{}", out.stdout, out.stderr);
    let mut bad = Vec::new();
    for (c, p) in &planted {
        let coords = format!(
            "seed={seed:#x} idx={} {:?} {:?} {:?} Raw",
            c.idx, c.kind, c.sp, c.c
        );
        assert!(
            !p.secret.needles.iter().any(|n| all.contains(n.as_str())),
            "{coords}: the secret is in the binary's output"
        );
        let path = outd.join(format!("case{}", c.idx)).join(p.doc.file_name);
        let Ok(copy) = std::fs::read(&path) else {
            bad.push(format!("{coords}: NOCOPY"));
            continue;
        };
        let vs = views::views(&copy);
        let pair = Pair::new(&p.doc.bytes, &copy, p.doc.har);
        let (v, why) = judge(p, &pair, &vs, survivor(&vs, &p.secret.needles), 0);
        if v != Verdict::Clean {
            bad.push(format!("{coords}: {v:?} {why}"));
        }
    }
    assert!(bad.is_empty(), "{}\n{all}", bad.join("\n"));
}

/// Filler for a long body: markup, script and prose with escapes of every kind the
/// detector decodes (`&amp;`, `\u002f`, `\/`, `%2F`, `\x3d`) in clusters a few KB
/// apart, so that a decoded layer is read in windows around them.
fn filler(rng: &mut Rng, bytes: usize) -> String {
    const WORDS: &[&str] = &[
        "lorem", "ipsum", "dolor", "items", "render", "layout", "button", "value", "index",
        "return", "module", "export", "header", "footer", "width", "color", "state",
    ];
    const ESCAPES: &[&str] = &[
        "&amp;",
        "&quot;",
        "&#x2F;",
        "\\u002f",
        "\\/",
        "%2F",
        "%3D",
        "\\x3d",
        "\\\"",
        "&lt;b&gt;",
    ];
    let mut s = String::new();
    let mut next_cluster = rng.range(500, 6000);
    while s.len() < bytes {
        let w = *rng.pick(WORDS);
        match rng.below(6) {
            0 => s.push_str(&format!(
                "<div class=\"{w}\">{} {w}</div>\n",
                rng.pick(WORDS)
            )),
            1 => s.push_str(&format!(
                "var {w}{} = \"{}\";",
                rng.below(99),
                rng.pick(WORDS)
            )),
            2 => s.push_str(&format!("function {w}(a){{return a+{};}}", rng.below(9))),
            _ => s.push_str(&format!("{w} {} ", rng.pick(WORDS))),
        }
        if s.len() >= next_cluster {
            for _ in 0..rng.range(1, 3) {
                let (e, w): (&&str, &&str) = (rng.pick(ESCAPES), rng.pick(WORDS));
                s.push_str(e);
                s.push_str(w);
            }
            s.push(' ');
            next_cluster = s.len() + rng.range(2000, 9000);
        }
    }
    s
}

/// Long bodies are read in windows around their escapes (`detect::layers`): on every
/// sampled case of the body containers (HTML, script, XML, log) with the body buried in
/// 6 to 30 KB of filler on each side, the copy is clean, and every secret found reading
/// each decoded layer whole is found too. (The two copies may differ in how a
/// replacement is spelled: read whole, a base64 blob far from any `%` escape is
/// re-encoded under the percent layer that a `%` elsewhere opened, `/` as `%2F`; read in
/// windows, as it stands. The windowed reading may also report more: a token inside a
/// compressed blob that the whole reading folded into the finding of its parameter.
/// Locations are not compared: inside a decoded layer a line and column count decoded
/// bytes, whichever layer found the secret.)
#[test]
fn long_bodies_windowed_like_whole() {
    use Container::*;
    let seed = seed();
    let mut whole = common::engine("recall-test-key");
    whole.set_whole_layers(true);
    let cases: Vec<Case> = all_cases()
        .into_iter()
        .filter(|c| matches!(c.c, Html | Js | Xml | Log))
        .filter(|c| match std::env::var("RECALL_IDX") {
            Ok(l) => l.split(',').any(|i| i == c.idx.to_string()),
            Err(_) => true,
        })
        .collect();
    let n = case_count(60, cases.len());
    let mut failures = Vec::new();
    for k in 0..n {
        let case = cases[k * cases.len() / n];
        let mut p = plant(seed, &case);
        let mut rng = case_rng(seed ^ 0xF111, case.idx);
        let mut pad = |s: &str| {
            format!(
                "{}\n{s}\n{}",
                filler(&mut rng, 6000 + 24 * 1000 * (case.idx % 2)),
                filler(&mut rng, 6000)
            )
        };
        if p.doc.har {
            let mut v: Value = serde_json::from_slice(&p.doc.bytes).unwrap();
            for e in v["log"]["entries"].as_array_mut().unwrap() {
                for (part, field) in [("response", "content"), ("request", "postData")] {
                    let body = &mut e[part][field];
                    if body["encoding"].is_null() {
                        if let Some(t) = body["text"].as_str() {
                            body["text"] = Value::String(pad(t));
                        }
                    }
                }
            }
            p.doc.bytes = serde_json::to_vec_pretty(&v).unwrap();
        } else {
            p.doc.bytes = pad(&String::from_utf8(p.doc.bytes).unwrap()).into_bytes();
        }
        let name = p.doc.file_name;
        // `RECALL_DUMP` names this case: its padded input is written too.
        let dump = std::env::var("RECALL_DUMP").unwrap_or_default();
        if dump.split(',').any(|i| i == case.idx.to_string()) {
            let path = std::env::temp_dir().join(format!("recall-{}-long-{name}", case.idx));
            std::fs::write(&path, &p.doc.bytes).unwrap();
            eprintln!("case {} (padded) written to {}", case.idx, path.display());
        }
        let at = format!(
            "case {} ({:?} {:?} {:?} {})",
            case.idx, case.kind, case.c, case.e, p.name
        );
        let (windowed, reference) = match (
            clean_bytes(engine(), name, &p.doc.bytes),
            clean_bytes(&whole, name, &p.doc.bytes),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                let why = |r: &std::result::Result<harscrub::Cleaned, harscrub::Error>| match r {
                    Ok(_) => "ok".to_string(),
                    Err(e) => e.to_string(),
                };
                failures.push(format!(
                    "{at}: clean failed (windowed: {}; whole: {})",
                    why(&a),
                    why(&b)
                ));
                continue;
            }
        };
        let found = |c: &harscrub::Cleaned| {
            let mut f: Vec<_> = c
                .findings
                .iter()
                .map(|f| (f.kind.clone(), f.fingerprint.clone()))
                .collect();
            f.sort();
            f.dedup();
            f
        };
        let (w, h) = (found(&windowed), found(&reference));
        if let Some(missed) = h.iter().find(|f| !w.contains(f)) {
            failures.push(format!(
                "{at}: the whole reading found a {} ({}) that the windowed one did not",
                missed.0, missed.1
            ));
        }
        for (how, out) in [("windowed", &windowed.copy), ("whole", &reference.copy)] {
            let vs = views::views(out);
            let pair = Pair::new(&p.doc.bytes, out, p.doc.har);
            let (verdict, why) = judge(&p, &pair, &vs, survivor(&vs, &p.secret.needles), 0);
            if verdict != Verdict::Clean {
                failures.push(format!("{at}, {how}: {verdict:?} {why}"));
            }
        }
    }
    assert!(n > 0);
    assert!(
        failures.is_empty(),
        "seed {seed:#x}:\n{}",
        failures.join("\n")
    );
}

/// Verification of a HAR copy re-detects only the strings the write pass changed or
/// read through a layer the decoded views do not open (`detect::touched`), and a first
/// copy that cannot be kept is repaired (`format::har::repair`). Re-detecting every
/// string and writing such a copy again whole (`Engine::set_full_rescan`,
/// `Engine::set_rewrite_whole`: the reference) gives the same outcome on every sampled
/// HAR case: both clean or both failing, the same copy, the same findings.
#[test]
fn verification_reads_touched_strings_like_every_string() {
    let seed = seed();
    let mut full = common::engine("recall-test-key");
    full.set_full_rescan(true);
    full.set_rewrite_whole(true);
    let cases = all_cases();
    let n = case_count(400, cases.len());
    let mut failures = Vec::new();
    let mut hars = 0;
    for k in 0..n {
        let case = cases[k * cases.len() / n];
        let p = plant(seed, &case);
        if !p.doc.har {
            continue;
        }
        hars += 1;
        let at = format!(
            "case {} ({:?} {:?} {:?} {})",
            case.idx, case.kind, case.c, case.e, p.name
        );
        let name = p.doc.file_name;
        match (
            clean_bytes(engine(), name, &p.doc.bytes),
            clean_bytes(&full, name, &p.doc.bytes),
        ) {
            (Ok(a), Ok(b)) => {
                if a.copy != b.copy {
                    failures.push(format!("{at}: the copies differ"));
                }
                if a.findings != b.findings {
                    failures.push(format!("{at}: the findings differ"));
                }
            }
            (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
            (a, b) => failures.push(format!(
                "{at}: touched strings: {}; every string: {}",
                a.map_or_else(|e| e.to_string(), |_| "ok".into()),
                b.map_or_else(|e| e.to_string(), |_| "ok".into()),
            )),
        }
    }
    assert!(hars > 0);
    assert!(
        failures.is_empty(),
        "seed {seed:#x}:\n{}",
        failures.join("\n")
    );
}
