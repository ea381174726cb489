//! Archives: zip (also Fiddler `.saz`), tar and gzip, read and written in memory.
//!
//! [`sanitize_archive`] opens an archive, sends every regular member through
//! [`crate::format::sanitize_bytes`] (which comes back here for nested archives) and
//! writes a new archive of the same kind with the same member names, order, directory
//! entries and, where the format keeps them, modes and mtimes.
//!
//! # Fail closed
//!
//! Any problem — a corrupt or truncated archive, an encrypted member, an unsafe member
//! name, a limit exceeded, an error from a member's handler — fails the *whole*
//! archive with an error naming the archive's provenance and the member. No partial
//! archive is ever returned, so nothing that was not scanned can end up in a copy.
//!
//! # Member names
//!
//! Archives are never extracted to disk here: a member called `../../etc/passwd` is
//! only a string inside the redacted copy and cannot escape anything while we work.
//! We still refuse such archives ("unsafe member name"), because the redacted copy is
//! meant to be handed to someone else, and passing a zip-slip archive along with the
//! implied "it has been checked" would set up whoever extracts it. Refused:
//!
//! * empty names and names containing NUL;
//! * absolute names (`/x`, `\x`, `\\server\share`) and drive letters (`C:`, `C:\x`);
//! * any `..` component, with `/` or `\` as separator — and, because Windows strips
//!   trailing dots and spaces, any component made only of dots and spaces that has at
//!   least two dots (`...`, `.. `);
//! * in tar, hard links whose target is unsafe by the same rules;
//! * a member whose path goes *through* an earlier symlink member (`link -> /etc`
//!   followed by `link/passwd`), the classic symlink-then-write attack.
//!
//! Symlink *targets* are not checked against these rules: absolute and `..` targets
//! are common in genuine support bundles (sosreports are full of them), and a symlink
//! on its own writes nothing. Symlinks are copied as entries and never followed. A
//! link target is searched for credentials, though: a zip symlink's data is only bytes
//! (a tool may put a whole log there), so it is scanned and redacted like any other
//! member and written back as a symlink; a tar link target (symlink or hard link, in
//! the header, a GNU long link or a pax `linkpath`) that holds a credential fails the
//! archive, as a member name holding one does.
//!
//! # Limits ([`crate::engine::Limits`])
//!
//! * `max_depth`: the archive nesting level is `depth + 1` (an archive given on the
//!   command line has `depth == 0` and is level 1, an archive inside it level 2), so
//!   an archive is refused when `depth >= max_depth`. A gzip layer counts as a level:
//!   `x.tar.gz` uses two.
//! * `max_members`: members of one archive (tar extension headers such as pax and
//!   GNU long names are not counted separately).
//! * The tree budget: every byte inflated from a zip member or a gzip stream (and
//!   from an HTTP body's `Content-Encoding`, see `session::charge_tree`) is charged to a
//!   budget shared by the whole tree below one top-level input (held by that
//!   input's session, `crate::session`), across depths and threads. The budget is
//!   `max_ratio` times the size of the top-level input, but at least
//!   `min_tree_budget` (64 MiB) and at most `max_total_bytes` (`session::tree_limit`):
//!   nesting multiplies ratios, and members of at most 1 MiB are exempt from the
//!   per-member ratio, so without it a 19 KB nested bomb of 1 MiB leaves was only
//!   stopped by `max_total_bytes`, after inflating and scanning 16 GiB. A zip whose
//!   members' declared sizes add up to more than what is left is refused before
//!   anything is inflated; each member is charged its declared size before it is
//!   read; a gzip stream is charged chunk by chunk as it inflates. Tar members are
//!   already in memory and not charged. Everything is held in memory, so this limit
//!   is also, roughly, the memory limit of one input.
//! * `max_ratio`: for a zip member or gzip stream that inflates to more than 1 MiB
//!   ([`RATIO_EXEMPT_BYTES`]), decompressed / compressed size may not exceed
//!   `max_ratio`. Zip members are checked against their declared size before
//!   reading (all members of an archive before the first is read). gzip declares no
//!   size, so it is checked while inflating, against the compressed bytes consumed so
//!   far: a bomb stops after about 1 MiB (a stream whose first megabytes are far
//!   more repetitive than the rest can trip it too).
//!
//! Decompression is always bounded: a zip member is read through
//! `take(declared size + 1)` and refused if it yields more than its header declares,
//! so a lying header cannot make us allocate more than the limits allow.
//!
//! # Output
//!
//! * zip: always rebuilt from the central directory. Unchanged members (and all
//!   members when nothing changed) are raw-copied, compressed bytes and all; changed
//!   members are recompressed with deflate (or stored, if they were stored) keeping
//!   mtime and unix mode. Data not reachable from the central directory (self-extractor
//!   stubs, gaps, entries shadowed by a duplicate name) is dropped, as it was never
//!   scanned. The archive comment is kept, redacted like a text member.
//! * tar: parsed block by block, so every byte is accounted for; when no member
//!   changed the input is returned as it is. Changed members get a new size (also in
//!   their pax `size` record) and checksum, every other header field is kept.
//! * gzip: when the inner document did not change the input is returned as it is;
//!   otherwise it is recompressed as one gzip member, keeping the header's mtime, OS,
//!   file name, comment and extra field.
//!
//! # Layout
//!
//! One file per container: `zip.rs`, `tar.rs` and `gzip.rs` read and write their kind;
//! `names.rs` holds the member-name rules above; this module recognises archives
//! ([`sniff_archive`]), dispatches, and holds what the kinds share (the limits, the
//! member handler). The decompression budget lives in `crate::session`.

mod bzip2;
mod gzip;
mod names;
mod stream;
mod tar;
mod xz;
mod zip;

pub use bzip2::{bzip2_inner_name, is_bzip2};
pub use gzip::gzip_inner_name;
pub use names::check_member_name;
pub use xz::xz_inner_name;

use anyhow::Result;

use crate::engine::{Engine, Limits};
use crate::error::limit_error;
use crate::format::Outcome;
use crate::session::Session;

/// The kinds of archive we open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Tar,
    Gzip,
    Xz,
    Bzip2,
}

/// Members that inflate to at most this many bytes are not subject to `max_ratio`
/// (small, very repetitive files such as empty logs compress extremely well).
pub const RATIO_EXEMPT_BYTES: u64 = 1 << 20;

/// Largest zip symlink target or tar extension header (pax, GNU long name) we read.
const MAX_SMALL_BODY: u64 = 1 << 20;

/// Never pre-allocate more than this on the strength of a declared size.
const MAX_PREALLOC: u64 = 64 << 20;

/// Recognise an archive by its content: zip (`PK\x03\x04`, `PK\x05\x06` for an empty
/// zip, `PK\x07\x08PK\x03\x04` for a spanned-marker zip), gzip (`1f 8b`), xz (`fd 37 7a
/// 58 5a 00`), bzip2 (`BZh`) or tar
/// (`ustar` at offset 257). The name is only a fallback that the content must agree
/// with: a `.tar` without the `ustar` magic (old v7 tar) whose first header has a
/// valid checksum, or a `.zip`/`.saz`/`.jar` whose end-of-central-directory record is
/// found (a zip with a prefix, such as a self-extractor). `data` may be only the start
/// of the document: everything but that last fallback needs at most 512 bytes.
pub fn sniff_archive(name: &str, data: &[u8]) -> Option<ArchiveKind> {
    if data.starts_with(b"PK\x03\x04")
        || data.starts_with(b"PK\x05\x06")
        || data.starts_with(b"PK\x07\x08PK\x03\x04")
    {
        return Some(ArchiveKind::Zip);
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        return Some(ArchiveKind::Gzip);
    }
    if data.starts_with(xz::MAGIC) {
        return Some(ArchiveKind::Xz);
    }
    if bzip2::is_bzip2(data) {
        return Some(ArchiveKind::Bzip2);
    }
    if data.len() >= 262 && &data[257..262] == b"ustar" {
        return Some(ArchiveKind::Tar);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar")
        && data.len() >= tar::TAR_BLOCK
        && !data[..tar::TAR_BLOCK].iter().all(|&b| b == 0)
        && tar::tar_checksum_ok(&data[..tar::TAR_BLOCK])
    {
        return Some(ArchiveKind::Tar);
    }
    if [".zip", ".saz", ".jar"].iter().any(|e| lower.ends_with(e)) && zip::has_zip_eocd(data) {
        return Some(ArchiveKind::Zip);
    }
    None
}

/// Sanitize an archive: every member goes through [`crate::format::sanitize_bytes`]
/// with provenance `{provenance}!/{member}` and `depth + 1`; returns a new archive of
/// the same kind (see the module documentation for what is kept, what is refused and
/// how limits are enforced). Findings come in member order.
pub fn sanitize_archive(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    kind: ArchiveKind,
    name: &str,
    data: &[u8],
    depth: usize,
) -> Result<Outcome> {
    sanitize_archive_guarded(
        &engine.limits,
        session,
        provenance,
        kind,
        name,
        data,
        depth,
        &|session: &Session, prov: &str, member: &str, bytes: &[u8], d: usize| {
            crate::format::sanitize_in(engine, session, prov, member, bytes, d)
        },
        &|name: &str| {
            engine.rules.may_match(name.as_bytes()) && {
                let mut ms = Vec::new();
                engine.rules.find_all(name.as_bytes(), &mut ms);
                !ms.is_empty()
            }
        },
    )
}

/// A handler for one archive member: `(session, provenance, member name, bytes,
/// depth)`; the session carries the input's budget to nested archives.
pub type MemberFn<'a> = dyn Fn(&Session, &str, &str, &[u8], usize) -> Result<Outcome> + 'a;

/// [`sanitize_archive`] with the member handler supplied by the caller instead of
/// [`crate::format::sanitize_bytes`] (for tests and for library users who bring their
/// own dispatcher). The handler is called with `depth + 1` and is responsible for
/// recursing into nested archives.
#[allow(clippy::too_many_arguments)]
pub fn sanitize_archive_with(
    limits: &Limits,
    session: &Session,
    provenance: &str,
    kind: ArchiveKind,
    name: &str,
    data: &[u8],
    depth: usize,
    member_fn: &MemberFn<'_>,
) -> Result<Outcome> {
    sanitize_archive_guarded(
        limits,
        session,
        provenance,
        kind,
        name,
        data,
        depth,
        member_fn,
        &|_| false,
    )
}

/// [`sanitize_archive_with`] plus a guard on member names: a member whose name the
/// guard flags (a credential in a file name) fails the whole archive, with an error
/// that does not repeat the name.
#[allow(clippy::too_many_arguments)]
fn sanitize_archive_guarded(
    limits: &Limits,
    session: &Session,
    provenance: &str,
    kind: ArchiveKind,
    name: &str,
    data: &[u8],
    depth: usize,
    member_fn: &MemberFn<'_>,
    name_guard: &dyn Fn(&str) -> bool,
) -> Result<Outcome> {
    if depth >= limits.max_depth {
        return Err(limit_error!(
            "{provenance}: archive nesting level {} exceeds limit {} (raise with --max-depth)",
            depth + 1,
            limits.max_depth
        ));
    }
    let pass = |session: &Session| {
        let cx = Cx {
            limits,
            provenance,
            depth,
            session,
            member_fn,
            name_guard,
        };
        match kind {
            ArchiveKind::Zip => zip::sanitize_zip(&cx, data),
            ArchiveKind::Tar => tar::sanitize_tar(&cx, data),
            ArchiveKind::Gzip => gzip::sanitize_gzip(&cx, name, data),
            ArchiveKind::Xz => xz::sanitize_xz(&cx, name, data),
            ArchiveKind::Bzip2 => bzip2::sanitize_bzip2(&cx, name, data),
        }
    };
    if !session.starts_tree(depth) {
        // A nested archive: its members share the tree's secrets.
        return pass(&session.for_archive(limits, data.len() as u64, depth));
    }
    // The outermost archive: its documents share what they learn (`session`). A
    // secret learnt by a member after others were cleaned (a password named in
    // `conf/.env`, logged bare in `app.log` before it) makes the tree cleaned again,
    // every member knowing it; each pass has the whole decompression budget.
    let mut seed = crate::detect::Discovered::new();
    for _ in 0..MAX_SHARING_PASSES {
        let shared = session
            .for_archive(limits, data.len() as u64, depth)
            .sharing(seed);
        let out = pass(&shared)?;
        match shared.learnt_late() {
            None => return Ok(out),
            Some(all) => seed = all,
        }
    }
    anyhow::bail!(
        "{provenance}: its members kept revealing secrets after {MAX_SHARING_PASSES} passes: \
         no copy written"
    )
}

/// Passes over an archive tree before its members stop revealing new secrets: the
/// second knows every secret of the first; a third is needed only when knowing them
/// reveals more (a secret inside a known one's decoded form).
const MAX_SHARING_PASSES: usize = 3;

struct Cx<'a> {
    limits: &'a Limits,
    provenance: &'a str,
    depth: usize,
    /// The input's session, with its budget.
    session: &'a Session,
    member_fn: &'a MemberFn<'a>,
    name_guard: &'a dyn Fn(&str) -> bool,
}

impl Cx<'_> {
    fn member(&self, provenance: &str, name: &str, data: &[u8]) -> Result<Outcome> {
        (self.member_fn)(self.session, provenance, name, data, self.depth + 1).map_err(|e| {
            // An error from a nested archive already names the member it is about
            // (`a.zip!/b.zip!/c.log: …`): one prefix per level would only repeat it.
            let top = e.to_string();
            if top.starts_with(&format!("{provenance}!/"))
                || top.starts_with(&format!("{provenance}: "))
            {
                e
            } else {
                e.context(format!("{provenance}: cannot sanitize archive member"))
            }
        })
    }

    /// `out` bytes inflated from `compressed`.
    fn ratio_error(&self, member: &str, out: u64, compressed: u64) -> anyhow::Error {
        limit_error!(
            "{member}: compression ratio {}:1 ({out} bytes from {compressed}) exceeds limit {}:1 (raise with --max-ratio)",
            out / compressed.max(1),
            self.limits.max_ratio
        )
    }

    fn total_error(&self, member: &str) -> anyhow::Error {
        self.session.error(member, self.limits)
    }

    /// Take `n` bytes from the tree's budget, or fail with the limit that is hit.
    fn charge(&self, member: &str, n: u64) -> Result<()> {
        if self.session.charge(n) {
            Ok(())
        } else {
            Err(self.total_error(member))
        }
    }

    /// The most a member compressed to `compressed` bytes may inflate to.
    fn ratio_cap(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.limits.max_ratio)
            .max(RATIO_EXEMPT_BYTES)
    }
}

/// What the unit tests of every archive kind share: a stand-in member handler and
/// builders for zip, tar and gzip inputs.
#[cfg(test)]
mod testkit {
    use super::*;
    use crate::finding::Finding;
    use ::zip::write::SimpleFileOptions;
    use ::zip::{CompressionMethod, ZipArchive, ZipWriter};
    use anyhow::bail;
    use std::io::{Cursor, Read, Write};

    pub(super) const TOKEN_A: &str = "ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567";
    pub(super) const TOKEN_B: &str = "ghp_ZZZZyyyyXXXXwwwwVVVVuuuu9876543210ab";

    pub(super) fn limits() -> Limits {
        Limits::default()
    }

    pub(super) fn finding(prov: &str, n: usize) -> Finding {
        Finding {
            file: prov.to_owned(),
            location: format!("token:{n}"),
            rule: "github.pat".into(),
            kind: "github".into(),
            fingerprint: "00000000".into(),
            length: 40,
            ..Finding::default()
        }
    }

    /// A stand-in for `format::sanitize_bytes`: recurses into archives, replaces
    /// `ghp_` + 36 alphanumerics, fails for members named `fail.txt`.
    pub(super) fn fake(
        limits: &Limits,
        session: &Session,
        prov: &str,
        name: &str,
        data: &[u8],
        depth: usize,
    ) -> Result<Outcome> {
        if let Some(kind) = sniff_archive(name, data) {
            return sanitize_archive_with(
                limits,
                session,
                prov,
                kind,
                name,
                data,
                depth,
                &|s, p, n, d, dp| fake(limits, s, p, n, d, dp),
            );
        }
        if name.ends_with("fail.txt") {
            bail!("handler refused {prov}");
        }
        let mut out = Vec::with_capacity(data.len());
        let mut findings = Vec::new();
        let mut i = 0;
        while i < data.len() {
            if data[i..].starts_with(b"ghp_")
                && data.len() >= i + 40
                && data[i + 4..i + 40].iter().all(u8::is_ascii_alphanumeric)
            {
                out.extend_from_slice(b"[REDACTED:github:00000000]");
                findings.push(finding(prov, findings.len()));
                i += 40;
            } else {
                out.push(data[i]);
                i += 1;
            }
        }
        Ok(Outcome {
            output: out,
            findings,
        })
    }

    pub(super) fn run(limits: &Limits, prov: &str, name: &str, data: &[u8]) -> Result<Outcome> {
        let kind = sniff_archive(name, data).expect("test input is an archive");
        sanitize_archive_with(
            limits,
            &Session::default(),
            prov,
            kind,
            name,
            data,
            0,
            &|s, p, n, d, dp| fake(limits, s, p, n, d, dp),
        )
    }

    pub(super) fn err_text(r: Result<Outcome>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => format!("{e:#}"),
        }
    }

    pub(super) fn contains(hay: &[u8], needle: &str) -> bool {
        hay.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    pub(super) enum Z<'a> {
        File(&'a [u8]),
        Stored(&'a [u8]),
        Mode(&'a [u8], u32),
        Dir,
        Link(&'a str),
    }

    pub(super) fn mtime() -> ::zip::DateTime {
        ::zip::DateTime::from_date_and_time(2021, 6, 15, 10, 20, 30).unwrap()
    }

    pub(super) fn make_zip(entries: &[(&str, Z<'_>)]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        let base = SimpleFileOptions::default().last_modified_time(mtime());
        for (name, e) in entries {
            match e {
                Z::File(d) => {
                    w.start_file(*name, base).unwrap();
                    w.write_all(d).unwrap();
                }
                Z::Stored(d) => {
                    w.start_file(*name, base.compression_method(CompressionMethod::Stored))
                        .unwrap();
                    w.write_all(d).unwrap();
                }
                Z::Mode(d, m) => {
                    w.start_file(*name, base.unix_permissions(*m)).unwrap();
                    w.write_all(d).unwrap();
                }
                Z::Dir => w
                    .add_directory(*name, base.unix_permissions(0o750))
                    .unwrap(),
                Z::Link(t) => w.add_symlink(*name, *t, base).unwrap(),
            }
        }
        w.finish().unwrap().into_inner()
    }

    pub(super) fn zip_members(data: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut a = ZipArchive::new(Cursor::new(data)).unwrap();
        (0..a.len())
            .map(|i| {
                let mut f = a.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().to_owned(), v)
            })
            .collect()
    }

    pub(super) fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::GzBuilder::new()
            .mtime(1_600_000_000)
            .filename("inner.har")
            .write(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    pub(super) fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        flate2::read::MultiGzDecoder::new(data)
            .read_to_end(&mut v)
            .unwrap();
        v
    }

    pub(super) fn tar_file(b: &mut ::tar::Builder<Vec<u8>>, name: &str, data: &[u8], mode: u32) {
        let mut h = ::tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_500_000_000);
        h.set_uid(1000);
        h.set_entry_type(::tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    }

    pub(super) fn tar_special(
        b: &mut ::tar::Builder<Vec<u8>>,
        name: &str,
        et: ::tar::EntryType,
        link: &str,
    ) {
        let mut h = ::tar::Header::new_gnu();
        h.set_size(0);
        h.set_mode(0o755);
        h.set_mtime(1_500_000_000);
        h.set_entry_type(et);
        if link.is_empty() {
            b.append_data(&mut h, name, std::io::empty()).unwrap();
        } else {
            b.append_link(&mut h, name, link).unwrap();
        }
    }

    /// (name, entry type, mode, mtime, data) of every member, via the tar crate.
    pub(super) fn tar_members(data: &[u8]) -> Vec<(String, ::tar::EntryType, u32, u64, Vec<u8>)> {
        let mut a = ::tar::Archive::new(data);
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                let h = e.header().clone();
                let mut v = Vec::new();
                e.read_to_end(&mut v).unwrap();
                (
                    name,
                    h.entry_type(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    v,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn sniffs_by_content() {
        let zip = make_zip(&[("a.txt", Z::File(b"hello"))]);
        assert_eq!(sniff_archive("whatever.bin", &zip), Some(ArchiveKind::Zip));
        assert_eq!(sniff_archive("capture.saz", &zip), Some(ArchiveKind::Zip));
        let empty = make_zip(&[]);
        assert!(empty.starts_with(b"PK\x05\x06"));
        assert_eq!(sniff_archive("e.zip", &empty), Some(ArchiveKind::Zip));
        assert_eq!(
            sniff_archive("x.har.gz", &gz(b"{}")),
            Some(ArchiveKind::Gzip)
        );
        assert_eq!(sniff_archive("noext", &gz(b"{}")), Some(ArchiveKind::Gzip));
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(&mut b, "a.txt", b"x", 0o644);
        let tar = b.into_inner().unwrap();
        assert_eq!(sniff_archive("bundle", &tar), Some(ArchiveKind::Tar));
        assert_eq!(sniff_archive("a.har", br#"{"log":{}}"#), None);
        assert_eq!(sniff_archive("a.zip", b"not a zip at all"), None);
        assert_eq!(sniff_archive("a.tar", &[0u8; 1024]), None);
        assert_eq!(sniff_archive("a.gz", b""), None);
    }

    #[test]
    fn sniffs_by_name_when_content_agrees() {
        // Old v7 tar: no magic, valid checksum.
        let mut h = ::tar::Header::new_old();
        h.set_path("a.txt").unwrap();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        let mut b = ::tar::Builder::new(Vec::new());
        b.append(&h, &b"x"[..]).unwrap();
        let v7 = b.into_inner().unwrap();
        assert_eq!(sniff_archive("old.tar", &v7), Some(ArchiveKind::Tar));
        assert_eq!(sniff_archive("old.bin", &v7), None);
        let mut broken = v7.clone();
        broken[0] ^= 0x55;
        assert_eq!(sniff_archive("old.tar", &broken), None);

        // A zip behind a prefix (self-extractor stub).
        let mut sfx = b"MZ stub stub stub".to_vec();
        sfx.extend(make_zip(&[("a.txt", Z::File(b"hello"))]));
        assert_eq!(sniff_archive("setup.zip", &sfx), Some(ArchiveKind::Zip));
        assert_eq!(sniff_archive("setup.exe", &sfx), None);
    }

    #[test]
    fn corrupt_input_never_panics() {
        let inner = make_zip(&[("n.txt", Z::File(TOKEN_A.as_bytes()))]);
        let zip = make_zip(&[
            ("d/", Z::Dir),
            ("d/a.txt", Z::File(b"hello hello hello")),
            ("i.zip", Z::Stored(&inner)),
        ]);
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(&mut b, "a.txt", TOKEN_A.as_bytes(), 0o644);
        tar_file(&mut b, &"long/".repeat(30), b"x", 0o644);
        let tar = b.into_inner().unwrap();
        let tgz = gz(&tar);
        for (name, good) in [("c.zip", &zip), ("c.tar", &tar), ("c.tgz", &tgz)] {
            for cut in 0..good.len() {
                let d = &good[..cut];
                if sniff_archive(name, d).is_some() {
                    let _ = run(&limits(), name, name, d);
                }
            }
            for i in 0..good.len() {
                let mut d = good.clone();
                d[i] ^= 0xA5;
                if sniff_archive(name, &d).is_some() {
                    let _ = run(&limits(), name, name, &d);
                }
            }
        }
        let truncated = &zip[..zip.len() / 2];
        let e = err_text(run(&limits(), "half.zip", "half.zip", truncated));
        assert!(e.contains("half.zip"), "{e}");
    }

    #[test]
    fn member_errors_fail_the_whole_archive() {
        let zip = make_zip(&[("ok.txt", Z::File(b"x")), ("dir/fail.txt", Z::File(b"y"))]);
        let e = err_text(run(&limits(), "f.zip", "f.zip", &zip));
        assert!(e.contains("f.zip!/dir/fail.txt"), "{e}");
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let l1 = make_zip(&[("t.txt", Z::File(b"x"))]);
        let l2 = make_zip(&[("l1.zip", Z::File(&l1))]);
        let l3 = make_zip(&[("l2.zip", Z::File(&l2))]);
        let lim = Limits {
            max_depth: 3,
            ..limits()
        };
        run(&lim, "n3.zip", "n3.zip", &l3).unwrap();
        let lim = Limits {
            max_depth: 2,
            ..limits()
        };
        let e = err_text(run(&lim, "n3.zip", "n3.zip", &l3));
        assert!(
            e.contains("nesting") && e.contains("n3.zip!/l2.zip!/l1.zip"),
            "{e}"
        );
        // A gzip layer counts as a level.
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(&mut b, "a.txt", b"x", 0o644);
        let tgz = gz(&b.into_inner().unwrap());
        run(&lim, "x.tgz", "x.tgz", &tgz).unwrap();
        let lim = Limits {
            max_depth: 1,
            ..limits()
        };
        assert!(err_text(run(&lim, "x.tgz", "x.tgz", &tgz)).contains("nesting"));
    }

    #[test]
    fn too_many_members_are_refused() {
        let entries: Vec<(String, Vec<u8>)> = (0..5)
            .map(|i| (format!("f{i}.txt"), vec![b'x'; 3]))
            .collect();
        let zentries: Vec<(&str, Z<'_>)> = entries
            .iter()
            .map(|(n, d)| (n.as_str(), Z::File(d)))
            .collect();
        let zip = make_zip(&zentries);
        let mut b = ::tar::Builder::new(Vec::new());
        for (n, d) in &entries {
            tar_file(&mut b, n, d, 0o644);
        }
        let tar = b.into_inner().unwrap();
        let lim = Limits {
            max_members: 5,
            ..limits()
        };
        run(&lim, "m.zip", "m.zip", &zip).unwrap();
        run(&lim, "m.tar", "m.tar", &tar).unwrap();
        let lim = Limits {
            max_members: 4,
            ..limits()
        };
        assert!(err_text(run(&lim, "m.zip", "m.zip", &zip)).contains("more than the limit"));
        assert!(err_text(run(&lim, "m.tar", "m.tar", &tar)).contains("more than the limit"));
    }

    #[test]
    fn compression_ratio_is_limited() {
        let zeros = vec![0u8; 4 << 20];
        let zip = make_zip(&[("zeros.bin", Z::File(&zeros))]);
        let lim = Limits {
            max_ratio: 50,
            ..limits()
        };
        let e = err_text(run(&lim, "r.zip", "r.zip", &zip));
        assert!(
            e.contains("r.zip!/zeros.bin") && e.contains("--max-ratio"),
            "{e}"
        );
        let e = err_text(run(&lim, "r.bin.gz", "r.bin.gz", &gz(&zeros)));
        assert!(
            e.contains("r.bin.gz!/r.bin") && e.contains("--max-ratio"),
            "{e}"
        );
        // Small members are exempt, however well they compress.
        let small = vec![0u8; 1 << 20];
        run(&lim, "s.zip", "s.zip", &make_zip(&[("z", Z::File(&small))])).unwrap();
        run(&lim, "s.gz", "s.gz", &gz(&small)).unwrap();
    }

    #[test]
    fn total_size_is_shared_across_the_tree() {
        let blob: Vec<u8> = (0..600_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let inner = make_zip(&[("b.bin", Z::File(&blob))]);
        let lim = Limits {
            max_total_bytes: 1_000_000,
            ..limits()
        };
        // Each archive alone fits...
        run(&lim, "one.zip", "one.zip", &inner).unwrap();
        // ...but not both levels of the same tree: the inner archive is refused from
        // its declared sizes, before b.bin is inflated.
        let outer = make_zip(&[("a.bin", Z::File(&blob)), ("inner.zip", Z::Stored(&inner))]);
        let e = err_text(run(&lim, "two.zip", "two.zip", &outer));
        assert!(
            e.starts_with(
                "two.zip!/inner.zip: total decompressed size exceeds limit of 1000000 bytes"
            ) && e.contains("--max-total-bytes"),
            "{e}"
        );
        // Member by member, as the declared sizes fit: a.bin, then b.bin is refused.
        let inner2 = make_zip(&[("b.bin", Z::File(&blob[..300_000]))]);
        let outer = make_zip(&[
            ("a.bin", Z::File(&blob)),
            ("inner.zip", Z::Stored(&inner2)),
            ("c.bin", Z::File(&blob[..300_000])),
        ]);
        let lim2 = Limits {
            max_total_bytes: 1_150_000,
            ..limits()
        };
        let e = err_text(run(&lim2, "three.zip", "three.zip", &outer));
        assert!(
            e.starts_with("three.zip!/c.bin: total decompressed size")
                && e.contains("--max-total-bytes"),
            "{e}"
        );
        let e = err_text(run(
            &lim,
            "g.gz",
            "g.gz",
            &gz(&[blob.as_slice(), &blob].concat()),
        ));
        assert!(e.contains("--max-total-bytes"), "{e}");
    }

    /// Members of at most 1 MiB are exempt from the per-member ratio, and nesting
    /// multiplies what a few bytes expand to: the tree as a whole may not inflate to
    /// more than `max_ratio` times the input.
    #[test]
    fn ratio_is_also_limited_for_the_whole_tree() {
        let mib = vec![b'a'; 1 << 20];
        let flat = make_zip(&[
            ("a.log", Z::File(&mib)),
            ("b.log", Z::File(&mib)),
            ("c.log", Z::File(&mib)),
        ]);
        assert!(flat.len() < 20_000, "{}", flat.len());
        let strict = Limits {
            max_ratio: 100,
            min_tree_budget: 0,
            ..limits()
        };
        // Refused from the declared sizes, before anything is inflated.
        let e = err_text(run(&strict, "flat.zip", "flat.zip", &flat));
        assert!(
            e.starts_with("flat.zip: total decompressed size exceeds limit of")
                && e.contains("--max-ratio"),
            "{e}"
        );
        // The floor lets small archives through.
        let floor = Limits {
            min_tree_budget: 8 << 20,
            ..strict.clone()
        };
        run(&floor, "flat.zip", "flat.zip", &flat).unwrap();
        // Nested: each level alone is well within its declared sizes; the tree is not.
        let inner = make_zip(&[("a.log", Z::File(&mib)), ("b.log", Z::File(&mib))]);
        let outer = make_zip(&[
            ("1.zip", Z::Stored(&inner)),
            ("2.zip", Z::Stored(&inner)),
            ("3.zip", Z::Stored(&inner)),
        ]);
        let lim = Limits {
            min_tree_budget: 3 << 20,
            ..strict.clone()
        };
        let e = err_text(run(&lim, "nest.zip", "nest.zip", &outer));
        assert!(
            e.starts_with(
                "nest.zip!/2.zip: total decompressed size exceeds limit of 3145728 bytes for a"
            ) && e.contains("--max-ratio"),
            "{e}"
        );
        // One prefix per archive level, not one per level and per member.
        assert_eq!(e.matches("nest.zip").count(), 1, "{e}");
        run(&floor, "nest.zip", "nest.zip", &outer).unwrap();
        // gzip: charged as it inflates.
        let e = err_text(run(
            &lim,
            "g.log.gz",
            "g.log.gz",
            &gz(&[mib.as_slice(); 4].concat()),
        ));
        assert!(
            e.contains("g.log.gz!/g.log") && e.contains("--max-ratio"),
            "{e}"
        );
    }

    #[test]
    fn same_named_inputs_on_two_threads_have_their_own_budgets() {
        // Each upload inflates 60 of 100 bytes, and both are open at the same time
        // (the barrier): a budget shared by name would refuse one of them.
        let lim = Limits {
            max_total_bytes: 100,
            ..limits()
        };
        let zip = make_zip(&[("a.txt", Z::File(b"plain"))]);
        let barrier = std::sync::Barrier::new(2);
        let results: Vec<Result<Outcome>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    sc.spawn(|| {
                        sanitize_archive_with(
                            &lim,
                            &Session::default(),
                            "upload.zip",
                            ArchiveKind::Zip,
                            "upload.zip",
                            &zip,
                            0,
                            &|s, p, n, d, dp| {
                                barrier.wait();
                                let charged = s.charge_tree(&lim, 60);
                                barrier.wait();
                                charged?;
                                fake(&lim, s, p, n, d, dp)
                            },
                        )
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in results {
            assert_eq!(r.unwrap().findings.len(), 0);
        }
        // One upload alone is still limited: a second 60-byte charge fails.
        let e = err_text(sanitize_archive_with(
            &lim,
            &Session::default(),
            "upload.zip",
            ArchiveKind::Zip,
            "upload.zip",
            &zip,
            0,
            &|s, p, n, d, dp| {
                s.charge_tree(&lim, 60)?;
                s.charge_tree(&lim, 60)?;
                fake(&lim, s, p, n, d, dp)
            },
        ));
        assert!(e.contains("--max-total-bytes"), "{e}");
    }

    #[test]
    fn tgz_round_trip() {
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(
            &mut b,
            "logs/a.log",
            format!("x {TOKEN_A}\n").as_bytes(),
            0o644,
        );
        let tgz = gz(&b.into_inner().unwrap());
        let out = run(&limits(), "s.tar.gz", "s.tar.gz", &tgz).unwrap();
        assert_eq!(out.findings[0].file, "s.tar.gz!/s.tar!/logs/a.log");
        let m = tar_members(&gunzip(&out.output));
        assert_eq!(m[0].4, b"x [REDACTED:github:00000000]\n");
    }
}
