//! The invariants behind the fuzz targets, as plain functions that panic when one
//! breaks. Each target in `fuzz_targets/` is one line calling the function of the same
//! name; `tests/adversarial.rs` includes this file (`#[path]`) and replays every saved
//! crash in `fuzz/regressions/<target>/` through it, so a crash found once stays a test.
//!
//! Invariants, for every input:
//!
//! * no panic (and no hang, no unbounded allocation: libFuzzer's `-timeout` and
//!   `-rss_limit_mb` turn those into crashes too);
//! * a planted secret never survives: the input is rebuilt with a known credential in
//!   it, and when harscrub returns a copy the credential is not in it (nor in any
//!   member of an archive copy, decompressed);
//! * harscrub's own outputs are clean: no error message and no finding (file, location,
//!   rule, kind, fingerprint, JWT claims) contains the planted credential or any 8
//!   characters of it;
//! * a copy with no findings is byte-identical to its input (HAR, JSON, text).

use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use harscrub::internals::archive::{self as arch, ArchiveKind};
use harscrub::internals::{self as format, Kind, Outcome};
use harscrub::internals::{apply_edits, Edit, Known, Scrubber, Session};
use harscrub::Finding;
use harscrub::{Engine, EngineBuilder, Limits};

/// A fake GitHub token (`ghp_` + 36 alphanumerics): a token rule finds it wherever it
/// stands on its own, whatever the context, so it must never survive.
pub const TOKEN: &str = "ghp_Fz9QwLmXk2Rt7VbNp4YsHd6JgKc3TuWe8AoZ";

/// A credential with no recognisable format: only its context (a cookie, an
/// `Authorization` header, a credential-named parameter) says it is one.
pub const SECRET: &str = "S3cr3tQz7XwV9kLmTn4RpYb2Hd";

/// The engine every check uses: built-in rules, a fixed key, limits small enough that
/// the fuzzer does not spend its time inflating bombs.
pub fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        EngineBuilder::new()
            .key(b"harscrub-fuzz")
            .now(now)
            .limits(Limits {
                max_total_bytes: 32 << 20,
                max_ratio: 1000,
                max_depth: 4,
                max_members: 1000,
                ..Limits::default()
            })
            .build()
            .expect("built-in engine")
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Panics if `hay` (one of harscrub's own outputs: an error message, the findings)
/// holds `secret` or any 8 consecutive characters of it.
pub fn assert_no_part_of(what: &str, hay: &str, secret: &str) {
    let s = secret.as_bytes();
    for w in s.windows(8.min(s.len())) {
        assert!(
            find(hay.as_bytes(), w).is_none(),
            "{what} contains {:?} (part of a planted secret): {hay}",
            String::from_utf8_lossy(w)
        );
    }
}

/// The planted token as it is planted, with the separators around it. Only this form
/// is looked for in copies: the fuzzer also learns the bare token and splices it into
/// its inputs glued to other letters (`xghp_…Bearer`), where it no longer is a token of
/// that format. Standing alone like this, it is one wherever it is.
pub fn planted(sep: char) -> String {
    format!("{sep}{TOKEN}{sep}")
}

/// Panics if a copy holds `secret` verbatim.
pub fn assert_absent(what: &str, copy: &[u8], secret: &str) {
    if let Some(at) = find(copy, secret.as_bytes()) {
        let from = at.saturating_sub(80);
        let to = (at + secret.len() + 80).min(copy.len());
        panic!(
            "planted secret survived in {what} at byte {at}: …{}…",
            String::from_utf8_lossy(&copy[from..to])
        );
    }
}

/// Findings, as the report would show them.
pub fn findings_text(f: &[Finding]) -> String {
    serde_json::to_string(f).expect("findings serialize")
}

/// Does `data` hold 8 consecutive characters of `secret` (put there by the fuzzer,
/// not by us)? Then an error message or a location quoting the input may hold them
/// too, and only the copies are checked.
pub fn has_part_of(data: &[u8], secret: &str) -> bool {
    secret
        .as_bytes()
        .windows(8)
        .any(|w| find(data, w).is_some())
}

/// The own-output invariants for one result on input `data` (before planting).
fn check_outputs(data: &[u8], r: &anyhow::Result<Outcome>, secret: &str) {
    if has_part_of(data, secret) {
        return;
    }
    match r {
        Ok(o) => assert_no_part_of("the findings", &findings_text(&o.findings), secret),
        Err(e) => assert_no_part_of("the error message", &format!("{e:#}"), secret),
    }
}

/// `data` with `insert` placed at a position chosen by its first two bytes (which are
/// then dropped). None when `data` is too short.
pub fn plant(data: &[u8], insert: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 2 {
        return None;
    }
    let rest = &data[2..];
    let pos = u16::from_le_bytes([data[0], data[1]]) as usize % (rest.len() + 1);
    let mut v = Vec::with_capacity(rest.len() + insert.len());
    v.extend_from_slice(&rest[..pos]);
    v.extend_from_slice(insert);
    v.extend_from_slice(&rest[pos..]);
    Some(v)
}

/// Where to plant a credential in `data`: a position derived from a hash of the whole
/// input (so that seed files such as real HARs stay intact, and every mutation moves
/// the spot), half of the time right after a `"` or one of `after` (inside a string
/// or a key, after a separator), otherwise anywhere.
pub fn plant_pos(data: &[u8], after: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    if h & 1 == 0 {
        let spots: Vec<usize> = data
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'"' || after.contains(b))
            .map(|(i, _)| i + 1)
            .collect();
        if !spots.is_empty() {
            return spots[(h >> 1) as usize % spots.len()];
        }
    }
    (h >> 1) as usize % (data.len() + 1)
}

fn insert_at(data: &[u8], pos: usize, insert: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + insert.len());
    v.extend_from_slice(&data[..pos]);
    v.extend_from_slice(insert);
    v.extend_from_slice(&data[pos..]);
    v
}

/// Whether the checks step around the open bugs listed in SECURITY.md (none at the
/// moment), so that a fuzzing run spends its time finding new ones. Off by default (the regression
/// replay in `cargo test` is strict); the fuzz targets turn it on unless
/// `HARSCRUB_FUZZ_STRICT=1` is set.
pub static SKIP_KNOWN_BUGS: AtomicBool = AtomicBool::new(false);

pub fn skip_known_bugs() -> bool {
    SKIP_KNOWN_BUGS.load(Ordering::Relaxed)
}

fn is_archive(name: &str, data: &[u8]) -> bool {
    matches!(format::sniff(name, data), Kind::Archive(_))
}

// ---------------------------------------------------------------------------------
// HAR / JSON

/// The HAR and JSON handlers (`sanitize_bytes` as `f.har` and as `f.json`), on the
/// input as it is and with [`TOKEN`] planted in it (surrounded by spaces) at
/// [`plant_pos`].
pub fn har_json(data: &[u8]) {
    har_json_at(data, plant_pos(data, b""));
}

/// [`har_json`] with the token planted at `pos`.
pub fn har_json_at(data: &[u8], pos: usize) {
    let e = engine();
    for name in ["f.har", "f.json"] {
        let r = format::sanitize_bytes(e, name, name, data, 0);
        if let Ok(o) = &r {
            if o.findings.is_empty() && !is_archive(name, data) {
                assert!(
                    o.output == data,
                    "{name}: nothing found but the copy differs from the input"
                );
            }
        }
    }
    let pos = pos.min(data.len());
    let doc = insert_at(data, pos, planted(' ').as_bytes());
    for name in ["f.har", "f.json"] {
        let r = format::sanitize_bytes(e, name, name, &doc, 0);
        check_outputs(data, &r, TOKEN);
        if let Ok(o) = &r {
            assert_absent(&format!("the {name} copy"), &o.output, &planted(' '));
        }
    }
}

// ---------------------------------------------------------------------------------
// Text

/// The text handler (`clean_document` with `Kind::Text`), as it is and with
/// [`TOKEN`] planted (surrounded by spaces) at [`plant_pos`].
pub fn text(data: &[u8]) {
    text_at(data, plant_pos(data, b"=: \n'"));
}

/// [`text`] with the token planted at `pos`.
pub fn text_at(data: &[u8], pos: usize) {
    let e = engine();
    if let Ok(o) = format::clean_document(e, "f.log", Kind::Text, data) {
        if o.findings.is_empty() {
            assert!(
                o.output == data,
                "text: nothing found but the copy differs from the input"
            );
        }
    }
    let doc = insert_at(data, pos.min(data.len()), planted(' ').as_bytes());
    let r = format::clean_document(e, "f.log", Kind::Text, &doc);
    check_outputs(data, &r, TOKEN);
    if let Ok(o) = &r {
        assert_absent("the text copy", &o.output, &planted(' '));
        assert!(
            !o.findings.is_empty(),
            "text: the planted token was not found"
        );
    }
}

// ---------------------------------------------------------------------------------
// Archives

/// Reads length-prefixed pieces off a byte string.
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }

    /// A piece of at most 255 bytes (length from one byte).
    pub fn piece(&mut self) -> &'a [u8] {
        let n = self.byte() as usize;
        self.take(n)
    }

    /// A piece of at most 65535 bytes (length from two bytes).
    pub fn long_piece(&mut self) -> &'a [u8] {
        let n = u16::from_le_bytes([self.byte(), self.byte()]) as usize;
        self.take(n)
    }

    /// A piece without any of `bad`.
    pub fn clean_piece(&mut self, bad: &[u8]) -> Vec<u8> {
        self.piece()
            .iter()
            .copied()
            .filter(|b| !bad.contains(b))
            .collect()
    }
}

/// One member of a generated archive.
struct Member {
    name: String,
    data: Vec<u8>,
    stored: bool,
}

fn zip_of(members: &[Member]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for m in members {
        let method = if m.stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(m.name.as_str(), opts).ok()?;
        w.write_all(&m.data).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

fn tar_of(members: &[Member]) -> Option<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(m.data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, &m.name, m.data.as_slice()).ok()?;
    }
    b.into_inner().ok()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip to memory");
    e.finish().expect("gzip to memory")
}

/// Every leaf document of an archive copy written by harscrub, decompressed. The copy
/// must be a readable archive: anything else is a broken copy.
pub fn leaves(path: &str, data: &[u8], depth: usize, out: &mut Vec<(String, Vec<u8>)>) {
    let kind = if depth > 8 {
        None
    } else {
        arch::sniff_archive(path, data)
    };
    match kind {
        Some(ArchiveKind::Zip) => {
            let mut a = zip::ZipArchive::new(Cursor::new(data))
                .unwrap_or_else(|e| panic!("{path}: the zip copy cannot be read: {e}"));
            for i in 0..a.len() {
                let mut f = a
                    .by_index(i)
                    .unwrap_or_else(|e| panic!("{path}: member {i} cannot be read: {e}"));
                let name = f.name().to_owned();
                let mut v = Vec::new();
                f.read_to_end(&mut v)
                    .unwrap_or_else(|e| panic!("{path}!/{name} cannot be read: {e}"));
                leaves(&format!("{path}!/{name}"), &v, depth + 1, out);
            }
        }
        Some(ArchiveKind::Gzip) => {
            let mut v = Vec::new();
            flate2::read::MultiGzDecoder::new(data)
                .read_to_end(&mut v)
                .unwrap_or_else(|e| panic!("{path}: the gzip copy cannot be read: {e}"));
            leaves(&format!("{path}!/gz"), &v, depth + 1, out);
        }
        Some(ArchiveKind::Xz) => {
            let mut v = Vec::new();
            lzma_rust2::XzReader::new(data, true)
                .read_to_end(&mut v)
                .unwrap_or_else(|e| panic!("{path}: the xz copy cannot be read: {e}"));
            leaves(&format!("{path}!/xz"), &v, depth + 1, out);
        }
        Some(ArchiveKind::Bzip2) => {
            let mut v = Vec::new();
            bzip2::read::MultiBzDecoder::new(data)
                .read_to_end(&mut v)
                .unwrap_or_else(|e| panic!("{path}: the bzip2 copy cannot be read: {e}"));
            leaves(&format!("{path}!/bz2"), &v, depth + 1, out);
        }
        Some(ArchiveKind::Tar) => {
            let mut a = tar::Archive::new(data);
            let entries = a
                .entries()
                .unwrap_or_else(|e| panic!("{path}: the tar copy cannot be read: {e}"));
            for en in entries {
                let mut en = en.unwrap_or_else(|e| panic!("{path}: bad tar entry: {e}"));
                let name = String::from_utf8_lossy(&en.path_bytes()).into_owned();
                let mut v = Vec::new();
                en.read_to_end(&mut v)
                    .unwrap_or_else(|e| panic!("{path}!/{name} cannot be read: {e}"));
                leaves(&format!("{path}!/{name}"), &v, depth + 1, out);
            }
        }
        None => out.push((path.to_owned(), data.to_vec())),
    }
}

/// The archive handler: the raw input through each of the zip, tar and gzip readers
/// (no panic, no secret in error messages); then an archive built from the input
/// (members, names, contents, stored or deflated, zip/tar/tar.gz, optionally nested
/// in another zip) with [`TOKEN`] planted in one member: no copy of it may hold the
/// token in any member.
pub fn archive(data: &[u8]) {
    let e = engine();
    for (kind, name) in [
        (ArchiveKind::Zip, "f.zip"),
        (ArchiveKind::Tar, "f.tar"),
        (ArchiveKind::Gzip, "f.gz"),
    ] {
        let r = arch::sanitize_archive(e, &Session::default(), name, kind, name, data, 0);
        check_outputs(data, &r, TOKEN);
    }

    let mut b = Bytes(data);
    let shape = b.byte();
    let n = 1 + (b.byte() % 4) as usize;
    let target = b.byte() as usize % n;
    let mut members = Vec::with_capacity(n);
    for i in 0..n {
        let name_bytes = b.piece();
        let mut name: String = String::from_utf8_lossy(name_bytes)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        if name.is_empty() {
            name = format!("m{i}.txt");
        }
        let stored = b.byte() & 1 == 1;
        let mut content = b.long_piece().to_vec();
        if i == target {
            let pos = b.byte() as usize % (content.len() + 1);
            content.splice(pos..pos, planted('\n').into_bytes());
        }
        members.push(Member {
            name,
            data: content,
            stored,
        });
    }
    let built = match shape % 4 {
        0 => zip_of(&members).map(|z| (z, "b.zip")),
        1 => tar_of(&members).map(|t| (t, "b.tar")),
        2 => tar_of(&members).map(|t| (gz(&t), "b.tar.gz")),
        _ => zip_of(&members).and_then(|inner| {
            zip_of(&[Member {
                name: "inner.zip".into(),
                data: inner,
                stored: shape & 4 == 4,
            }])
            .map(|z| (z, "outer.zip"))
        }),
    };
    let Some((archive, name)) = built else {
        return; // the writer refused these names (duplicates, `..`): nothing to test
    };
    let r = format::sanitize_bytes(e, name, name, &archive, 0);
    // Member names are the fuzzer's bytes (control characters dropped, which can join
    // pieces of the token): a piece of it there is not a leak of ours.
    let names: Vec<u8> = members.iter().flat_map(|m| m.name.bytes()).collect();
    if !has_part_of(&names, TOKEN) {
        check_outputs(data, &r, TOKEN);
    }
    if let Ok(o) = r {
        assert_absent("the archive copy (raw bytes)", &o.output, &planted('\n'));
        let mut all = Vec::new();
        leaves(name, &o.output, 0, &mut all);
        for (path, leaf) in &all {
            assert_absent(path, leaf, &planted('\n'));
        }
    }
}

// ---------------------------------------------------------------------------------
// URL, cookie and header rewriting

/// Apply `edits` to `src` after checking they are in bounds and are placeholders.
fn applied(src: &[u8], mut edits: Vec<Edit>) -> Vec<u8> {
    for ed in &edits {
        assert!(
            ed.start <= ed.end && ed.end <= src.len() && ed.claim <= ed.start,
            "edit out of bounds: {ed:?} on {} bytes",
            src.len()
        );
        assert!(
            ed.text.starts_with("[REDACTED:"),
            "edit text is not a placeholder: {:?}",
            ed.text
        );
    }
    let mut out = Vec::with_capacity(src.len());
    apply_edits(src, &mut edits, &mut out);
    out
}

fn scrub_with(f: impl FnOnce(&mut Scrubber, &mut Vec<Edit>), src: &[u8]) -> (Vec<u8>, String) {
    let known = Known::default();
    let mut s = Scrubber::new(engine(), &Session::default(), "f.har", &known);
    let mut edits = Vec::new();
    f(&mut s, &mut edits);
    let findings = findings_text(&s.findings);
    (applied(src, edits), findings)
}

const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "id_token",
    "refresh_token",
    "client_secret",
    "password",
    "api_key",
    "apikey",
    "token",
    "session_token",
];

const SECRET_HEADERS: &[&str] = &[
    "X-Api-Key",
    "x-auth-token",
    "X-CSRF-Token",
    "Private-Token",
    "X-Amz-Security-Token",
    "Proxy-Authorization",
    "X-Session-Token",
];

/// URL, cookie, `Set-Cookie`, `Authorization` and other header rewriting, called
/// directly on the detectors (`Scrubber::url`, `cookie_pairs`, `set_cookie`, `header`,
/// `params`): raw fuzz bytes must give in-bounds edits and no panic; generated values
/// with [`SECRET`] in a credential position (and [`TOKEN`] anywhere in a header
/// value) must come out without it.
pub fn rewrite(data: &[u8]) {
    // When the fuzzer's own bytes hold a piece of SECRET (it learns constants), a copy
    // of it may sit in a place that is not a credential: only check "no panic" then.
    let strict = !has_part_of(data, SECRET);
    let absent = |what: &str, out: &[u8]| {
        if strict {
            assert_absent(what, out, SECRET);
        }
    };
    let mut b = Bytes(data);
    let sel = b.byte();
    match sel % 8 {
        // Raw bytes through every entry point.
        0 => {
            let name = b.piece();
            let v = b.0;
            scrub_with(|s, o| s.url(v, 0, o), v);
            scrub_with(|s, o| s.cookie_pairs(v, 0, o), v);
            scrub_with(|s, o| s.set_cookie(v, 0, o), v);
            scrub_with(|s, o| s.scheme_value(v, 0, o), v);
            scrub_with(|s, o| s.header(name, v, 0, o), v);
            scrub_with(|s, o| s.params(v, 0, b'&', true, o), v);
            scrub_with(|s, o| s.by_name(name, v, 0, true, o), v);
            scrub_with(|s, o| s.free(v, 0, o), v);
        }
        // A URL with the secret in a credential-named query or fragment parameter.
        1 => {
            let host = b.clean_piece(b"/?#");
            let path = b.clean_piece(b"?#");
            let q1 = b.clean_piece(b"#&");
            let q2 = b.clean_piece(b"#&?");
            let frag = b.piece().to_vec();
            let p = SECRET_PARAMS[b.byte() as usize % SECRET_PARAMS.len()];
            let in_fragment = b.byte() & 1 == 1;
            let mut url = b"https://".to_vec();
            url.extend_from_slice(&host);
            url.push(b'/');
            url.extend_from_slice(&path);
            if in_fragment {
                url.push(b'?');
                url.extend_from_slice(&q1);
                url.extend_from_slice(b"#");
                url.extend_from_slice(&q2);
                url.extend_from_slice(format!("&{p}={SECRET}&").as_bytes());
                url.extend(frag.iter().copied().filter(|&c| c != b'?'));
            } else {
                url.push(b'?');
                url.extend_from_slice(&q1);
                url.extend_from_slice(format!("&{p}={SECRET}&").as_bytes());
                url.extend_from_slice(&q2);
                url.push(b'#');
                url.extend_from_slice(&frag);
            }
            let (out, f) = scrub_with(|s, o| s.url(&url, 0, o), &url);
            absent("the URL", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
        // A Cookie header: every value is a secret.
        2 => {
            let mut v = Vec::new();
            let n = b.byte() % 4;
            let at = b.byte() % (n + 1);
            for i in 0..=n {
                if i == at {
                    v.extend_from_slice(&b.clean_piece(b";="));
                    v.extend_from_slice(format!("={SECRET}").as_bytes());
                } else {
                    v.extend_from_slice(&b.clean_piece(b";"));
                }
                v.extend_from_slice(b"; ");
            }
            let (out, f) = scrub_with(|s, o| s.header(b"Cookie", &v, 0, o), &v);
            absent("the Cookie header", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
        // Set-Cookie: the value before the first `;` of each line.
        3 => {
            let before = b.piece().to_vec();
            let name = b.clean_piece(b";=\n");
            let attrs = b.clean_piece(b"\n");
            let mut v = before;
            v.push(b'\n');
            v.extend_from_slice(&name);
            v.extend_from_slice(format!("={SECRET}").as_bytes());
            v.push(b';');
            v.extend_from_slice(&attrs);
            let (out, f) = scrub_with(|s, o| s.header(b"Set-Cookie", &v, 0, o), &v);
            absent("the Set-Cookie header", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
        // Authorization: <scheme> <credentials>.
        4 => {
            let mut scheme = b.clean_piece(b" \t\r\n\x0b\x0c");
            let lower = String::from_utf8_lossy(&scheme).to_ascii_lowercase();
            if lower.starts_with("aws4") || lower == "digest" {
                scheme = b"Bearer".to_vec();
            }
            let ws = b
                .piece()
                .iter()
                .map(|c| if c & 1 == 0 { b' ' } else { b'\t' })
                .collect::<Vec<_>>();
            let mut v = ws.clone();
            v.extend_from_slice(&scheme);
            v.push(b' ');
            v.extend_from_slice(SECRET.as_bytes());
            v.extend_from_slice(&ws);
            let (out, f) = scrub_with(|s, o| s.header(b"Authorization", &v, 0, o), &v);
            absent("the Authorization header", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
        // A header whose name says it carries a credential.
        5 => {
            let h = SECRET_HEADERS[b.byte() as usize % SECRET_HEADERS.len()];
            let quoted = b.byte() & 1 == 1;
            let v = if quoted {
                format!("\"{SECRET}\"")
            } else {
                format!(" {SECRET} ")
            };
            let (out, f) = scrub_with(
                |s, o| s.header(h.as_bytes(), v.as_bytes(), 0, o),
                v.as_bytes(),
            );
            absent("the credential header", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
        // Any header name, any value, with a known-format token standing on its own
        // somewhere in the value: the token rules must find it whatever the header.
        6 => {
            let name = b.piece();
            let Some(v) = plant(b.0, planted(' ').as_bytes()) else {
                return;
            };
            let (out, f) = scrub_with(|s, o| s.header(name, &v, 0, o), &v);
            assert_absent(
                &format!("header {:?}", String::from_utf8_lossy(name)),
                &out,
                &planted(' '),
            );
            if !has_part_of(b.0, TOKEN) && !has_part_of(name, TOKEN) {
                assert_no_part_of("findings", &f, TOKEN);
            }
        }
        // A form body (`a=1&password=…&b=2`, `+` for space).
        _ => {
            let q1 = b.clean_piece(b"&");
            let q2 = b.clean_piece(b"&");
            let p = SECRET_PARAMS[b.byte() as usize % SECRET_PARAMS.len()];
            let mut v = q1;
            v.extend_from_slice(format!("&{p}={SECRET}&").as_bytes());
            v.extend_from_slice(&q2);
            let (out, f) = scrub_with(|s, o| s.params(&v, 0, b'&', true, o), &v);
            absent("the form body", &out);
            assert_no_part_of("findings", &f, SECRET);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_values_have_the_right_shape() {
        assert_eq!(TOKEN.len(), 40);
        assert!(TOKEN[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
