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
//! Symlink *targets* are not checked: absolute and `..` targets are common in genuine
//! support bundles (sosreports are full of them), and a symlink on its own writes
//! nothing. Symlinks are copied as entries and never followed.
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
//!   from an HTTP body's `Content-Encoding`, see [`charge_tree`]) is charged to a
//!   budget shared by the whole tree below one top-level input (held by that
//!   input's session, [`crate::session`]), across depths and threads. The budget is
//!   `max_ratio` times the size of the top-level input, but at least
//!   `min_tree_budget` (64 MiB) and at most `max_total_bytes` ([`tree_limit`]):
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
//!   scanned. The archive comment is kept.
//! * tar: parsed block by block, so every byte is accounted for; when no member
//!   changed the input is returned as it is. Changed members get a new size (also in
//!   their pax `size` record) and checksum, every other header field is kept.
//! * gzip: when the inner document did not change the input is returned as it is;
//!   otherwise it is recompressed as one gzip member, keeping the header's mtime, OS,
//!   file name, comment and extra field.
//!
//! [`charge_tree`]: crate::session::charge_tree
//! [`tree_limit`]: crate::session::tree_limit

use std::collections::HashSet;

use crate::error::limit_error;
use crate::session::Budget;
use std::io::{Cursor, Read, Write};

use anyhow::{anyhow, bail, Context, Result};

use crate::engine::{Engine, Limits};
use crate::finding::Finding;
use crate::format::Outcome;

/// The kinds of archive we open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Tar,
    Gzip,
}

/// Members that inflate to at most this many bytes are not subject to `max_ratio`
/// (small, very repetitive files such as empty logs compress extremely well).
pub const RATIO_EXEMPT_BYTES: u64 = 1 << 20;

/// Largest zip symlink target or tar extension header (pax, GNU long name) we read.
const MAX_SMALL_BODY: u64 = 1 << 20;

/// Never pre-allocate more than this on the strength of a declared size.
const MAX_PREALLOC: u64 = 64 << 20;

const TAR_BLOCK: usize = 512;

/// Recognise an archive by its content: zip (`PK\x03\x04`, `PK\x05\x06` for an empty
/// zip, `PK\x07\x08PK\x03\x04` for a spanned-marker zip), gzip (`1f 8b`) or tar
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
    if data.len() >= 262 && &data[257..262] == b"ustar" {
        return Some(ArchiveKind::Tar);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar")
        && data.len() >= TAR_BLOCK
        && !data[..TAR_BLOCK].iter().all(|&b| b == 0)
        && tar_checksum_ok(&data[..TAR_BLOCK])
    {
        return Some(ArchiveKind::Tar);
    }
    if [".zip", ".saz", ".jar"].iter().any(|e| lower.ends_with(e)) && has_zip_eocd(data) {
        return Some(ArchiveKind::Zip);
    }
    None
}

/// True when an end-of-central-directory record sits where one can (within the last
/// 64 KiB + 22 bytes, with its comment length reaching exactly to the end).
fn has_zip_eocd(data: &[u8]) -> bool {
    if data.len() < 22 {
        return false;
    }
    let start = data.len().saturating_sub(22 + 0xFFFF);
    (start..=data.len() - 22).rev().any(|i| {
        data[i..].starts_with(b"PK\x05\x06")
            && i + 22 + u16::from_le_bytes([data[i + 20], data[i + 21]]) as usize == data.len()
    })
}

/// Sanitize an archive: every member goes through [`crate::format::sanitize_bytes`]
/// with provenance `{provenance}!/{member}` and `depth + 1`; returns a new archive of
/// the same kind (see the module documentation for what is kept, what is refused and
/// how limits are enforced). Findings come in member order.
pub fn sanitize_archive(
    engine: &Engine,
    provenance: &str,
    kind: ArchiveKind,
    name: &str,
    data: &[u8],
    depth: usize,
) -> Result<Outcome> {
    sanitize_archive_guarded(
        &engine.limits,
        provenance,
        kind,
        name,
        data,
        depth,
        &|prov: &str, member: &str, bytes: &[u8], d: usize| {
            crate::format::sanitize_bytes(engine, prov, member, bytes, d)
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

/// A handler for one archive member: `(provenance, member name, bytes, depth)`.
pub type MemberFn<'a> = dyn Fn(&str, &str, &[u8], usize) -> Result<Outcome> + 'a;

/// [`sanitize_archive`] with the member handler supplied by the caller instead of
/// [`crate::format::sanitize_bytes`] (for tests and for library users who bring their
/// own dispatcher). The handler is called with `depth + 1` and is responsible for
/// recursing into nested archives.
pub fn sanitize_archive_with(
    limits: &Limits,
    provenance: &str,
    kind: ArchiveKind,
    name: &str,
    data: &[u8],
    depth: usize,
    member_fn: &MemberFn<'_>,
) -> Result<Outcome> {
    sanitize_archive_guarded(
        limits,
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
    let budget = Budget::enter(limits, data.len() as u64, depth);
    let cx = Cx {
        limits,
        provenance,
        depth,
        budget: &budget,
        member_fn,
        name_guard,
    };
    match kind {
        ArchiveKind::Zip => sanitize_zip(&cx, data),
        ArchiveKind::Tar => sanitize_tar(&cx, data),
        ArchiveKind::Gzip => sanitize_gzip(&cx, name, data),
    }
}

struct Cx<'a> {
    limits: &'a Limits,
    provenance: &'a str,
    depth: usize,
    budget: &'a Budget,
    member_fn: &'a MemberFn<'a>,
    name_guard: &'a dyn Fn(&str) -> bool,
}

impl Cx<'_> {
    fn member(&self, provenance: &str, name: &str, data: &[u8]) -> Result<Outcome> {
        (self.member_fn)(provenance, name, data, self.depth + 1).map_err(|e| {
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
        self.budget.error(member, self.limits)
    }

    /// Take `n` bytes from the tree's budget, or fail with the limit that is hit.
    fn charge(&self, member: &str, n: u64) -> Result<()> {
        if self.budget.charge(n) {
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

/// Read at most `cap` bytes; `Ok(None)` when the reader had more.
fn read_capped(reader: impl Read, cap: u64, size_hint: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::with_capacity(size_hint.min(cap).min(MAX_PREALLOC) as usize);
    reader.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    Ok(if buf.len() as u64 > cap {
        None
    } else {
        Some(buf)
    })
}

// ---------------------------------------------------------------------------------
// Member names.

/// Refuse names that could write outside the extraction directory (see the module
/// documentation for the rules and why).
pub fn check_member_name(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.contains('\0') {
        return Err("NUL in name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("drive letter");
    }
    for comp in name.split(['/', '\\']) {
        if comp == ".." {
            return Err("`..` component");
        }
        if comp.matches('.').count() >= 2 && comp.chars().all(|c| c == '.' || c == ' ') {
            return Err("component of dots (`..` on Windows)");
        }
    }
    Ok(())
}

fn components(name: &str) -> Vec<&str> {
    name.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Name checks across the members of one archive.
#[derive(Default)]
struct NameGuard {
    symlinks: HashSet<String>,
}

impl NameGuard {
    fn check(&mut self, member: &str, name: &str, is_symlink: bool) -> Result<()> {
        check_member_name(name)
            .map_err(|why| anyhow!("{member}: unsafe member name {name:?} ({why})"))?;
        let comps = components(name);
        if !self.symlinks.is_empty() {
            for k in 1..comps.len() {
                let prefix = comps[..k].join("/");
                if self.symlinks.contains(&prefix) {
                    bail!(
                        "{member}: unsafe member name {name:?} (its path goes through the symlink member {prefix:?})"
                    );
                }
            }
        }
        if is_symlink {
            self.symlinks.insert(comps.join("/"));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// zip

fn sanitize_zip(cx: &Cx<'_>, data: &[u8]) -> Result<Outcome> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipArchive, ZipWriter};

    let prov = cx.provenance;
    let mut archive = ZipArchive::new(Cursor::new(data))
        .with_context(|| format!("{prov}: not a readable zip archive"))?;
    if archive.len() > cx.limits.max_members {
        return Err(limit_error!(
            "{prov}: archive has {} members, more than the limit of {}",
            archive.len(),
            cx.limits.max_members
        ));
    }
    // The central directory declares every member's size: an archive that could not
    // fit in what is left of the budget is refused before anything is inflated (a
    // flat bomb of many small members would otherwise be inflated up to the limit).
    // (A member over the ratio limit is named first: that is the more useful error.)
    let mut declared = 0u64;
    for i in 0..archive.len() {
        let f = archive
            .by_index_raw(i)
            .with_context(|| format!("{prov}: cannot read zip member #{i}"))?;
        let (size, csize) = (f.size(), f.compressed_size().min(data.len() as u64));
        if !f.is_dir() && !f.is_symlink() && size > RATIO_EXEMPT_BYTES && size > cx.ratio_cap(csize)
        {
            if (cx.name_guard)(f.name()) {
                bail!("{prov}: a member's name holds a credential; the archive is refused so the name is not passed on");
            }
            return Err(cx.ratio_error(&format!("{prov}!/{}", f.name()), size, csize));
        }
        declared = declared.saturating_add(size);
    }
    if declared > cx.budget.remaining() {
        return Err(cx.total_error(prov));
    }
    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(data.len() + 1024)));
    let mut names = NameGuard::default();
    let mut findings: Vec<Finding> = Vec::new();

    for i in 0..archive.len() {
        let (name, is_dir, is_symlink, encrypted, size, csize, method, mode, mtime, options) = {
            let f = archive
                .by_index_raw(i)
                .with_context(|| format!("{prov}: cannot read zip member #{i}"))?;
            (
                f.name().to_owned(),
                f.is_dir(),
                f.is_symlink(),
                f.encrypted(),
                f.size(),
                f.compressed_size(),
                f.compression(),
                f.unix_mode(),
                f.last_modified()
                    .filter(|m| m.is_valid())
                    .unwrap_or_default(),
                f.options(),
            )
        };
        if (cx.name_guard)(&name) {
            bail!("{prov}: a member's name holds a credential; the archive is refused so the name is not passed on");
        }
        let member = format!("{prov}!/{name}");
        names.check(&member, &name, is_symlink && !is_dir)?;
        if encrypted {
            return Err(anyhow::Error::new(crate::error::Unsupported(format!(
                "{member}: member is encrypted and cannot be sanitized"
            ))));
        }
        let write_err = || format!("{member}: cannot write zip member");

        if is_dir {
            let opts = SimpleFileOptions::default()
                .last_modified_time(mtime)
                .unix_permissions(mode.unwrap_or(0o755));
            writer
                .add_directory(name.as_str(), opts)
                .with_context(write_err)?;
            continue;
        }

        // Compressed bytes can never be more than the archive itself holds.
        let csize = csize.min(data.len() as u64);
        if is_symlink && size > MAX_SMALL_BODY {
            bail!("{member}: symlink target is too long ({size} bytes)");
        }
        if !is_symlink && size > RATIO_EXEMPT_BYTES && size > cx.ratio_cap(csize) {
            return Err(cx.ratio_error(&member, size, csize));
        }
        // Charged before inflating (the read below never yields more than `size`).
        cx.charge(&member, size)?;
        let content = {
            let f = archive
                .by_index(i)
                .with_context(|| format!("{member}: cannot read zip member"))?;
            read_capped(f, size, size)
                .with_context(|| format!("{member}: cannot decompress zip member"))?
                .ok_or_else(|| {
                    anyhow!("{member}: member is larger than its header declares (corrupt or malicious zip)")
                })?
        };

        if is_symlink {
            let target = String::from_utf8_lossy(&content);
            let opts = SimpleFileOptions::default()
                .last_modified_time(mtime)
                .unix_permissions(mode.unwrap_or(0o777));
            writer
                .add_symlink(name.as_str(), target, opts)
                .with_context(write_err)?;
            continue;
        }

        let outcome = cx.member(&member, &name, &content)?;
        findings.extend(outcome.findings);
        if outcome.output == content {
            let f = archive
                .by_index_raw(i)
                .with_context(|| format!("{member}: cannot read zip member"))?;
            writer.raw_copy_file(f).with_context(write_err)?;
        } else {
            let method = if method == CompressionMethod::Stored {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            let opts = options
                .compression_method(method)
                .large_file(outcome.output.len() as u64 >= u64::from(u32::MAX) / 10 * 9);
            writer
                .start_file(name.as_str(), opts)
                .with_context(write_err)?;
            writer.write_all(&outcome.output).with_context(write_err)?;
        }
    }
    writer.set_raw_comment(archive.comment().to_vec().into_boxed_slice());
    let output = writer
        .finish()
        .with_context(|| format!("{prov}: cannot finish the zip archive"))?
        .into_inner();
    Ok(Outcome { output, findings })
}

// ---------------------------------------------------------------------------------
// gzip

/// The name of the document inside a gzip file: the base name minus `.gz`/`.gzip`
/// (`.tgz` becomes `.tar`, `.svgz` becomes `.svg`).
pub fn gzip_inner_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".taz", ".tar"),
        (".svgz", ".svg"),
        (".gzip", ""),
        (".gz", ""),
    ] {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return format!("{}{replacement}", &base[..base.len() - suffix.len()]);
        }
    }
    base.to_owned()
}

fn sanitize_gzip(cx: &Cx<'_>, name: &str, data: &[u8]) -> Result<Outcome> {
    let prov = cx.provenance;
    let inner_name = gzip_inner_name(name);
    let member = format!("{prov}!/{inner_name}");

    // gzip declares no (reliable) size, so the limits are checked as we inflate: the
    // ratio against the compressed bytes consumed so far, so that a bomb is stopped
    // after about 1 MiB rather than after `max_ratio` times its size.
    let mut decoder = flate2::bufread::MultiGzDecoder::new(data);
    let mut inner =
        Vec::with_capacity((data.len() as u64).saturating_mul(4).min(MAX_PREALLOC) as usize);
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(
                    anyhow::Error::new(e).context(format!("{prov}: cannot decompress gzip stream"))
                )
            }
        };
        inner.extend_from_slice(&chunk[..n]);
        let produced = inner.len() as u64;
        let consumed = (data.len() - decoder.get_ref().len()) as u64;
        if produced > cx.ratio_cap(consumed) {
            return Err(cx.ratio_error(&member, produced, consumed));
        }
        cx.charge(&member, n as u64)?;
    }
    let header = decoder.header().cloned();

    let outcome = cx.member(&member, &inner_name, &inner)?;
    if outcome.output == inner {
        return Ok(Outcome {
            output: data.to_vec(),
            findings: outcome.findings,
        });
    }
    let mut builder = flate2::GzBuilder::new();
    if let Some(h) = &header {
        builder = builder
            .mtime(h.mtime())
            .operating_system(h.operating_system());
        // The decoder stops these at the first NUL, so they hold none.
        if let Some(f) = h.filename().filter(|f| !f.contains(&0)) {
            builder = builder.filename(f);
        }
        if let Some(c) = h.comment().filter(|c| !c.contains(&0)) {
            builder = builder.comment(c);
        }
        if let Some(x) = h.extra().filter(|x| x.len() <= u16::MAX as usize) {
            builder = builder.extra(x);
        }
    }
    let mut encoder = builder.write(
        Vec::with_capacity(data.len() + 1024),
        flate2::Compression::default(),
    );
    encoder
        .write_all(&outcome.output)
        .and_then(|_| encoder.try_finish())
        .with_context(|| format!("{prov}: cannot compress gzip stream"))?;
    let output = encoder
        .finish()
        .with_context(|| format!("{prov}: cannot compress gzip stream"))?;
    Ok(Outcome {
        output,
        findings: outcome.findings,
    })
}

// ---------------------------------------------------------------------------------
// tar

/// Unsigned (POSIX) or signed (some old tars) header checksum matches.
fn tar_checksum_ok(block: &[u8]) -> bool {
    let field = &block[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Some(stored) = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| i64::from_str_radix(s, 8).ok())
    else {
        return false;
    };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || stored == signed
}

/// Parsed pax extended header records, in order.
struct Pax {
    records: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Pax {
    fn parse(body: &[u8]) -> std::result::Result<Pax, &'static str> {
        let mut records = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body[i..].iter().all(|&b| b == 0) {
                break;
            }
            let sp = body[i..]
                .iter()
                .position(|&b| b == b' ')
                .ok_or("pax record without length")?;
            let len: usize = std::str::from_utf8(&body[i..i + sp])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or("bad pax record length")?;
            if len <= sp + 2 || len > body.len() - i {
                return Err("bad pax record length");
            }
            let rec = &body[i + sp + 1..i + len];
            let kv = rec
                .strip_suffix(b"\n")
                .ok_or("pax record without newline")?;
            let eq = kv
                .iter()
                .position(|&b| b == b'=')
                .ok_or("pax record without `=`")?;
            records.push((kv[..eq].to_vec(), kv[eq + 1..].to_vec()));
            i += len;
        }
        Ok(Pax { records })
    }

    fn get(&self, key: &str) -> Option<&[u8]> {
        self.records
            .iter()
            .rev()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v.as_slice())
    }

    fn size(&self) -> std::result::Result<Option<u64>, &'static str> {
        match self.get("size") {
            None => Ok(None),
            Some(v) => std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .map(Some)
                .ok_or("bad pax size"),
        }
    }

    fn has_sparse(&self) -> bool {
        self.records
            .iter()
            .any(|(k, _)| k.starts_with(b"GNU.sparse."))
    }

    /// The records again, with `size` set to `size`.
    fn encode_with_size(&self, size: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.records {
            let value = if k == b"size" {
                size.to_string().into_bytes()
            } else {
                v.clone()
            };
            let payload_len = 1 + k.len() + 1 + value.len() + 1; // " k=v\n"
            let mut n = payload_len + 1;
            while n.to_string().len() + payload_len != n {
                n = n.to_string().len() + payload_len;
            }
            out.extend_from_slice(n.to_string().as_bytes());
            out.push(b' ');
            out.extend_from_slice(k);
            out.push(b'=');
            out.extend_from_slice(&value);
            out.push(b'\n');
        }
        out
    }
}

/// An extension header (GNU long name/link, pax) waiting for the member it describes.
struct Ext<'a> {
    raw: &'a [u8],
    header: &'a [u8],
    pax: Option<Pax>,
}

fn pad_to_block(out: &mut Vec<u8>) {
    let rem = out.len() % TAR_BLOCK;
    if rem != 0 {
        out.resize(out.len() + TAR_BLOCK - rem, 0);
    }
}

fn trim_nul(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |p| &b[..p])
}

fn sanitize_tar(cx: &Cx<'_>, data: &[u8]) -> Result<Outcome> {
    let prov = cx.provenance;
    let mut out: Vec<u8> = Vec::new();
    let mut changed = false;
    let mut findings = Vec::new();
    let mut names = NameGuard::default();
    let mut members = 0usize;
    let mut pending: Vec<Ext<'_>> = Vec::new();
    let mut long_name: Option<&[u8]> = None;
    let mut long_link: Option<&[u8]> = None;
    let mut pos = 0usize;

    while pos < data.len() {
        let rest = &data[pos..];
        if rest.len() < TAR_BLOCK {
            if rest.iter().all(|&b| b == 0) {
                break;
            }
            bail!("{prov}: truncated tar header at offset {pos}");
        }
        let block = &rest[..TAR_BLOCK];
        if block.iter().all(|&b| b == 0) {
            pos += TAR_BLOCK;
            continue;
        }
        if !tar_checksum_ok(block) {
            bail!(
                "{prov}: tar header checksum mismatch at offset {pos} (corrupt archive, or data after its end)"
            );
        }
        let header = tar::Header::from_byte_slice(block);
        let et = header.entry_type();
        let is_ext = et.is_gnu_longname() || et.is_gnu_longlink() || et.is_pax_local_extensions();
        let mut size = header
            .entry_size()
            .with_context(|| format!("{prov}: bad tar header at offset {pos}"))?;
        let pax = pending.iter().rev().find_map(|e| e.pax.as_ref());
        if !is_ext && !et.is_pax_global_extensions() {
            if let Some(s) = pax
                .map(Pax::size)
                .transpose()
                .map_err(|e| anyhow!("{prov}: {e} at offset {pos}"))?
                .flatten()
            {
                size = s;
            }
        }
        let header_pos = pos;
        let data_start = pos + TAR_BLOCK;
        let data_end = (data_start as u64)
            .checked_add(size)
            .filter(|&e| e <= data.len() as u64)
            .ok_or_else(|| anyhow!("{prov}: truncated tar member at offset {pos}"))?
            as usize;
        let padded_end = data_end
            .checked_add((TAR_BLOCK - data_end % TAR_BLOCK) % TAR_BLOCK)
            .map_or(data.len(), |e| e.min(data.len()));
        let body = &data[data_start..data_end];
        let raw = &data[pos..padded_end];
        pos = padded_end;

        if is_ext {
            if size > MAX_SMALL_BODY {
                bail!("{prov}: oversized tar extension header at offset {header_pos}");
            }
            let mut ext = Ext {
                raw,
                header: block,
                pax: None,
            };
            if et.is_gnu_longname() {
                if long_name.replace(trim_nul(body)).is_some() {
                    bail!("{prov}: two long names for one tar member");
                }
            } else if et.is_gnu_longlink() {
                if long_link.replace(trim_nul(body)).is_some() {
                    bail!("{prov}: two long link names for one tar member");
                }
            } else {
                if pending.iter().any(|e| e.pax.is_some()) {
                    bail!("{prov}: two pax headers for one tar member");
                }
                ext.pax =
                    Some(Pax::parse(body).map_err(|e| anyhow!("{prov}: {e} in tar pax header"))?);
            }
            pending.push(ext);
            continue;
        }
        if et.is_pax_global_extensions() {
            if !pending.is_empty() {
                bail!("{prov}: pax global header between a tar member and its extension headers");
            }
            out.extend_from_slice(raw);
            pad_to_block(&mut out);
            continue;
        }

        members += 1;
        if members > cx.limits.max_members {
            bail!(
                "{prov}: archive has more than the limit of {} members",
                cx.limits.max_members
            );
        }
        let pax = pending.iter().find_map(|e| e.pax.as_ref());
        let header_path = header.path_bytes();
        let name_bytes: &[u8] = pax
            .and_then(|p| p.get("path"))
            .or(long_name)
            .unwrap_or(&header_path);
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        if (cx.name_guard)(&name) {
            bail!("{prov}: a member's name holds a credential; the archive is refused so the name is not passed on");
        }
        let member = format!("{prov}!/{name}");
        names.check(&member, &name, et.is_symlink())?;
        if et.is_hard_link() {
            let header_link = header.link_name_bytes();
            let target = pax
                .and_then(|p| p.get("linkpath"))
                .or(long_link)
                .or(header_link.as_deref())
                .unwrap_or_default();
            let target = String::from_utf8_lossy(target);
            check_member_name(&target)
                .map_err(|why| anyhow!("{member}: unsafe hard link target {target:?} ({why})"))?;
        }
        if et.is_gnu_sparse() || pax.is_some_and(Pax::has_sparse) {
            bail!("{member}: sparse tar members cannot be sanitized");
        }

        let regular = (et.is_file() || et.is_contiguous()) && !name.ends_with('/');
        if !regular && !body.is_empty() {
            // Directories, links and vendor types carry no data in a normal tar; bytes
            // there could hold anything and cannot be sanitized in place.
            bail!("{member}: a non-regular tar entry carries data; refusing it");
        }
        if regular && !body.is_empty() {
            let outcome = cx.member(&member, &name, body)?;
            findings.extend(outcome.findings);
            if outcome.output != body {
                changed = true;
                let new_size = outcome.output.len() as u64;
                for ext in &pending {
                    match &ext.pax {
                        Some(p) if p.get("size").is_some() => {
                            let body = p.encode_with_size(new_size);
                            let mut h = tar::Header::from_byte_slice(ext.header).clone();
                            h.set_size(body.len() as u64);
                            h.set_cksum();
                            out.extend_from_slice(h.as_bytes());
                            out.extend_from_slice(&body);
                            pad_to_block(&mut out);
                        }
                        _ => out.extend_from_slice(ext.raw),
                    }
                }
                let mut h = header.clone();
                h.set_size(new_size);
                h.set_cksum();
                out.extend_from_slice(h.as_bytes());
                out.extend_from_slice(&outcome.output);
                pad_to_block(&mut out);
                pending.clear();
                long_name = None;
                long_link = None;
                continue;
            }
        }
        for ext in pending.drain(..) {
            out.extend_from_slice(ext.raw);
        }
        out.extend_from_slice(raw);
        pad_to_block(&mut out);
        long_name = None;
        long_link = None;
    }
    if !pending.is_empty() {
        bail!("{prov}: tar extension header without the member it describes (truncated archive)");
    }
    if !changed {
        return Ok(Outcome {
            output: data.to_vec(),
            findings,
        });
    }
    out.resize(out.len() + 2 * TAR_BLOCK, 0);
    Ok(Outcome {
        output: out,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{self, charge_tree};
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipArchive, ZipWriter};

    const TOKEN_A: &str = "ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567";
    const TOKEN_B: &str = "ghp_ZZZZyyyyXXXXwwwwVVVVuuuu9876543210ab";

    fn limits() -> Limits {
        Limits::default()
    }

    fn finding(prov: &str, n: usize) -> Finding {
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
    fn fake(limits: &Limits, prov: &str, name: &str, data: &[u8], depth: usize) -> Result<Outcome> {
        if let Some(kind) = sniff_archive(name, data) {
            return sanitize_archive_with(limits, prov, kind, name, data, depth, &|p, n, d, dp| {
                fake(limits, p, n, d, dp)
            });
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

    fn run(limits: &Limits, prov: &str, name: &str, data: &[u8]) -> Result<Outcome> {
        let kind = sniff_archive(name, data).expect("test input is an archive");
        sanitize_archive_with(limits, prov, kind, name, data, 0, &|p, n, d, dp| {
            fake(limits, p, n, d, dp)
        })
    }

    fn err_text(r: Result<Outcome>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => format!("{e:#}"),
        }
    }

    fn contains(hay: &[u8], needle: &str) -> bool {
        hay.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    enum Z<'a> {
        File(&'a [u8]),
        Stored(&'a [u8]),
        Mode(&'a [u8], u32),
        Dir,
        Link(&'a str),
    }

    fn mtime() -> zip::DateTime {
        zip::DateTime::from_date_and_time(2021, 6, 15, 10, 20, 30).unwrap()
    }

    fn make_zip(entries: &[(&str, Z<'_>)]) -> Vec<u8> {
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

    fn zip_members(data: &[u8]) -> Vec<(String, Vec<u8>)> {
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

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::GzBuilder::new()
            .mtime(1_600_000_000)
            .filename("inner.har")
            .write(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        flate2::read::MultiGzDecoder::new(data)
            .read_to_end(&mut v)
            .unwrap();
        v
    }

    fn tar_file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8], mode: u32) {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_500_000_000);
        h.set_uid(1000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    }

    fn tar_special(b: &mut tar::Builder<Vec<u8>>, name: &str, et: tar::EntryType, link: &str) {
        let mut h = tar::Header::new_gnu();
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
    fn tar_members(data: &[u8]) -> Vec<(String, tar::EntryType, u32, u64, Vec<u8>)> {
        let mut a = tar::Archive::new(data);
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

    // ----- sniffing

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
        let mut b = tar::Builder::new(Vec::new());
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
        let mut h = tar::Header::new_old();
        h.set_path("a.txt").unwrap();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        let mut b = tar::Builder::new(Vec::new());
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

    // ----- names

    #[test]
    fn member_name_rules() {
        for ok in [
            "a.txt",
            "dir/",
            "dir/sub/file.log",
            "./x",
            "a..b",
            "..hidden",
            "x../y",
            "win\\path\\file.txt",
        ] {
            assert_eq!(check_member_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "../evil",
            "a/../../evil",
            "a/..",
            "..",
            "/etc/passwd",
            "\\windows\\x",
            "\\\\server\\share\\x",
            "C:\\Windows\\x",
            "c:evil",
            "a\\..\\..\\evil",
            "a/.../b",
            "a/.. /b",
            "nul\0byte",
        ] {
            assert!(check_member_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn zip_slip_names_are_refused() {
        for bad in [
            "../evil.txt",
            "/abs.txt",
            "C:\\evil.txt",
            "a\\..\\..\\evil.txt",
            "ok/../../evil",
        ] {
            let zip = make_zip(&[("fine.txt", Z::File(b"x")), (bad, Z::File(b"y"))]);
            let e = err_text(run(&limits(), "slip.zip", "slip.zip", &zip));
            assert!(e.contains("unsafe member name"), "{bad}: {e}");
            assert!(e.contains("slip.zip!/"), "{e}");
        }
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        // set_path refuses `..`, so write the name field directly.
        h.as_gnu_mut().unwrap().name[..10].copy_from_slice(b"../evil.sh");
        h.set_cksum();
        b.append(&h, &b"x"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        let e = err_text(run(&limits(), "slip.tar", "slip.tar", &tar));
        assert!(e.contains("unsafe member name"), "{e}");
    }

    #[test]
    fn paths_through_symlinks_are_refused() {
        let zip = make_zip(&[("link", Z::Link("/etc")), ("link/passwd", Z::File(b"root"))]);
        let e = err_text(run(&limits(), "ln.zip", "ln.zip", &zip));
        assert!(e.contains("through the symlink"), "{e}");

        let mut b = tar::Builder::new(Vec::new());
        tar_special(&mut b, "d/link", tar::EntryType::Symlink, "/etc");
        tar_file(&mut b, "d/./link/cron.d/x", b"* * * * * evil", 0o644);
        let tar = b.into_inner().unwrap();
        let e = err_text(run(&limits(), "ln.tar", "ln.tar", &tar));
        assert!(e.contains("through the symlink"), "{e}");

        let mut b = tar::Builder::new(Vec::new());
        tar_special(&mut b, "hard", tar::EntryType::Link, "../../etc/shadow");
        let tar = b.into_inner().unwrap();
        let e = err_text(run(&limits(), "hl.tar", "hl.tar", &tar));
        assert!(e.contains("unsafe hard link target"), "{e}");
    }

    // ----- zip

    #[test]
    fn zip_round_trip_keeps_structure_and_removes_tokens() {
        let inner = make_zip(&[(
            "deep/creds.env",
            Z::File(format!("TOKEN={TOKEN_B}\n").as_bytes()),
        )]);
        let image = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 3, 255, 254];
        let log = format!("line 1\nauth {TOKEN_A} ok\nline 3 {TOKEN_B}\n");
        let zip = make_zip(&[
            ("case/", Z::Dir),
            ("case/app.log", Z::File(log.as_bytes())),
            ("case/run.sh", Z::Mode(b"#!/bin/sh\necho hi\n", 0o755)),
            ("case/logo.png", Z::Stored(&image)),
            ("case/current", Z::Link("app.log")),
            (
                "case/stored.env",
                Z::Stored(format!("X={TOKEN_A}").as_bytes()),
            ),
            ("case/inner.zip", Z::File(&inner)),
        ]);
        let out = run(&limits(), "bundle.zip", "bundle.zip", &zip).unwrap();
        let members = zip_members(&out.output);
        let names: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "case/",
                "case/app.log",
                "case/run.sh",
                "case/logo.png",
                "case/current",
                "case/stored.env",
                "case/inner.zip"
            ]
        );
        for (name, data) in &members {
            assert!(
                !contains(data, TOKEN_A) && !contains(data, TOKEN_B),
                "{name}"
            );
        }
        assert!(!contains(&out.output, TOKEN_A) && !contains(&out.output, TOKEN_B));
        assert_eq!(
            members[1].1,
            b"line 1\nauth [REDACTED:github:00000000] ok\nline 3 [REDACTED:github:00000000]\n"
        );
        assert_eq!(members[3].1, image);
        let nested = zip_members(&members[6].1);
        assert_eq!(nested[0].0, "deep/creds.env");
        assert_eq!(nested[0].1, b"TOKEN=[REDACTED:github:00000000]\n");

        // Findings in member order, with provenance down to the nested member.
        let files: Vec<&str> = out.findings.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "bundle.zip!/case/app.log",
                "bundle.zip!/case/app.log",
                "bundle.zip!/case/stored.env",
                "bundle.zip!/case/inner.zip!/deep/creds.env"
            ]
        );

        // Metadata.
        let mut a = ZipArchive::new(Cursor::new(out.output.as_slice())).unwrap();
        let dir = a.by_index(0).unwrap();
        assert!(dir.is_dir());
        assert_eq!(dir.unix_mode(), Some(0o040750));
        drop(dir);
        let run_sh = a.by_index(2).unwrap();
        assert_eq!(run_sh.unix_mode().map(|m| m & 0o777), Some(0o755));
        assert_eq!(run_sh.last_modified(), Some(mtime()));
        drop(run_sh);
        let log = a.by_index(1).unwrap();
        assert_eq!(log.last_modified(), Some(mtime()));
        assert_eq!(log.compression(), CompressionMethod::Deflated);
        drop(log);
        let link = a.by_index(4).unwrap();
        assert!(link.is_symlink());
        assert_eq!(link.unix_mode().map(|m| m & 0o170000), Some(0o120000));
        drop(link);
        let stored = a.by_index(5).unwrap();
        assert_eq!(stored.compression(), CompressionMethod::Stored);
        drop(stored);
        // Unchanged members are copied raw.
        let mut orig = ZipArchive::new(Cursor::new(zip.as_slice())).unwrap();
        for i in [2, 3] {
            let (o, n) = (orig.by_index_raw(i).unwrap(), a.by_index_raw(i).unwrap());
            assert_eq!(o.crc32(), n.crc32());
            assert_eq!(o.compressed_size(), n.compressed_size());
        }
    }

    #[test]
    fn clean_zip_keeps_members_byte_for_byte() {
        let zip = make_zip(&[
            ("a/", Z::Dir),
            ("a/b.txt", Z::File(b"nothing to see")),
            ("c", Z::Stored(b"raw")),
        ]);
        let out = run(&limits(), "clean.zip", "clean.zip", &zip).unwrap();
        assert!(out.findings.is_empty());
        assert_eq!(zip_members(&out.output), zip_members(&zip));
    }

    #[test]
    fn encrypted_zip_members_are_refused() {
        let mut zip = make_zip(&[("secret.txt", Z::Stored(b"hunter2"))]);
        // Set the "encrypted" flag in the local and the central header.
        zip[6] |= 1;
        let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        zip[cd + 8] |= 1;
        let e = err_text(run(&limits(), "enc.zip", "enc.zip", &zip));
        assert!(
            e.contains("enc.zip!/secret.txt") && e.contains("encrypted"),
            "{e}"
        );
    }

    #[test]
    fn zip_member_larger_than_declared_is_refused() {
        let data = vec![b'a'; 100_000];
        let mut zip = make_zip(&[("big.txt", Z::File(&data))]);
        // Claim 10 bytes in both headers.
        zip[22..26].copy_from_slice(&10u32.to_le_bytes());
        let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        zip[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
        let e = err_text(run(&limits(), "lie.zip", "lie.zip", &zip));
        assert!(e.contains("larger than its header declares"), "{e}");
    }

    #[test]
    fn corrupt_input_never_panics() {
        let inner = make_zip(&[("n.txt", Z::File(TOKEN_A.as_bytes()))]);
        let zip = make_zip(&[
            ("d/", Z::Dir),
            ("d/a.txt", Z::File(b"hello hello hello")),
            ("i.zip", Z::Stored(&inner)),
        ]);
        let mut b = tar::Builder::new(Vec::new());
        tar_file(&mut b, "a.txt", TOKEN_A.as_bytes(), 0o644);
        tar_file(&mut b, &"long/".repeat(30), b"x", 0o644);
        let tar = b.into_inner().unwrap();
        let tgz = gz(&tar);
        for (name, good) in [("c.zip", &zip), ("c.tar", &tar), ("c.tgz", &tgz)] {
            for cut in 0..good.len() {
                let d = &good[..cut];
                if let Some(kind) = sniff_archive(name, d) {
                    let _ =
                        sanitize_archive_with(&limits(), name, kind, name, d, 0, &|p, n, d, dp| {
                            fake(&limits(), p, n, d, dp)
                        });
                }
            }
            for i in 0..good.len() {
                let mut d = good.clone();
                d[i] ^= 0xA5;
                if let Some(kind) = sniff_archive(name, &d) {
                    let _ = sanitize_archive_with(
                        &limits(),
                        name,
                        kind,
                        name,
                        &d,
                        0,
                        &|p, n, d, dp| fake(&limits(), p, n, d, dp),
                    );
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

    // ----- limits

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
        let mut b = tar::Builder::new(Vec::new());
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
        let mut b = tar::Builder::new(Vec::new());
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
        // Budgets are released afterwards.
        assert!(session::current().budget.is_none());
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
        assert!(session::current().budget.is_none());
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
                            "upload.zip",
                            ArchiveKind::Zip,
                            "upload.zip",
                            &zip,
                            0,
                            &|p, n, d, dp| {
                                barrier.wait();
                                let charged = charge_tree(p, &lim, 60);
                                barrier.wait();
                                charged?;
                                fake(&lim, p, n, d, dp)
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
            "upload.zip",
            ArchiveKind::Zip,
            "upload.zip",
            &zip,
            0,
            &|p, n, d, dp| {
                charge_tree(p, &lim, 60)?;
                charge_tree(p, &lim, 60)?;
                fake(&lim, p, n, d, dp)
            },
        ));
        assert!(e.contains("--max-total-bytes"), "{e}");
    }

    // ----- gzip

    #[test]
    fn gzip_round_trip() {
        let har = format!(r#"{{"log":{{"entries":[{{"v":"{TOKEN_A}"}}]}}}}"#);
        let data = gz(har.as_bytes());
        let out = run(&limits(), "dir/cap.har.gz", "dir/cap.har.gz", &data).unwrap();
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].file, "dir/cap.har.gz!/cap.har");
        let inner = gunzip(&out.output);
        assert!(!contains(&inner, TOKEN_A));
        assert!(contains(&inner, "[REDACTED:github:00000000]"));
        let d = flate2::read::GzDecoder::new(out.output.as_slice());
        let h = d.header().unwrap();
        assert_eq!(h.mtime(), 1_600_000_000);
        assert_eq!(h.filename(), Some(&b"inner.har"[..]));
        // Unchanged: the very same bytes.
        let clean = gz(b"{}");
        assert_eq!(
            run(&limits(), "c.json.gz", "c.json.gz", &clean)
                .unwrap()
                .output,
            clean
        );
    }

    #[test]
    fn gzip_trailing_garbage() {
        let mut data = gz(b"{}");
        data.extend_from_slice(b"trailing junk with a secret");
        let r = run(&limits(), "t.gz", "t.gz", &data);
        assert!(
            r.is_err(),
            "trailing data after a gzip stream must not pass unscanned"
        );
    }

    #[test]
    fn gzip_inner_names() {
        assert_eq!(gzip_inner_name("a/b/x.har.gz"), "x.har");
        assert_eq!(gzip_inner_name("bundle.TGZ"), "bundle.tar");
        assert_eq!(gzip_inner_name("x.log.gzip"), "x.log");
        assert_eq!(gzip_inner_name("blob"), "blob");
        assert_eq!(gzip_inner_name(".gz"), ".gz");
    }

    // ----- tar

    #[test]
    fn tar_round_trip_keeps_headers() {
        let long = format!("{}app.log", "very/long/directory/name/".repeat(6));
        let mut b = tar::Builder::new(Vec::new());
        tar_special(&mut b, "etc/", tar::EntryType::Directory, "");
        tar_file(
            &mut b,
            "etc/app.env",
            format!("A=1\nTOKEN={TOKEN_A}\n").as_bytes(),
            0o600,
        );
        tar_special(
            &mut b,
            "etc/link",
            tar::EntryType::Symlink,
            "/var/log/app.log",
        );
        tar_file(&mut b, "etc/clean.txt", b"clean", 0o644);
        tar_file(
            &mut b,
            &long,
            format!("{TOKEN_B} {TOKEN_B}").as_bytes(),
            0o640,
        );
        tar_special(&mut b, "etc/hard", tar::EntryType::Link, "etc/clean.txt");
        let tar = b.into_inner().unwrap();
        let before = tar_members(&tar);
        let out = run(&limits(), "b.tar", "b.tar", &tar).unwrap();
        let after = tar_members(&out.output);
        assert_eq!(before.len(), after.len());
        for (x, y) in before.iter().zip(&after) {
            assert_eq!((&x.0, x.1, x.2, x.3), (&y.0, y.1, y.2, y.3));
        }
        assert_eq!(after[1].4, b"A=1\nTOKEN=[REDACTED:github:00000000]\n");
        assert_eq!(after[3].4, b"clean");
        assert_eq!(after[4].0, long);
        assert!(!contains(&out.output, TOKEN_A) && !contains(&out.output, TOKEN_B));
        assert_eq!(out.findings.len(), 3);
        assert_eq!(out.findings[2].file, format!("b.tar!/{long}"));
        // Nothing to redact: the very same bytes.
        let mut b = tar::Builder::new(Vec::new());
        tar_file(&mut b, "x", b"nothing", 0o644);
        let clean = b.into_inner().unwrap();
        assert_eq!(
            run(&limits(), "c.tar", "c.tar", &clean).unwrap().output,
            clean
        );
    }

    #[test]
    fn tar_pax_size_is_rewritten() {
        let mut b = tar::Builder::new(Vec::new());
        let body = format!("k={TOKEN_A}");
        let size = body.len().to_string();
        b.append_pax_extensions([
            ("size", size.as_bytes()),
            ("path", "pax/named/file.env".as_bytes()),
        ])
        .unwrap();
        tar_file(&mut b, "short", body.as_bytes(), 0o644);
        let tar = b.into_inner().unwrap();
        let out = run(&limits(), "p.tar", "p.tar", &tar).unwrap();
        assert_eq!(out.findings[0].file, "p.tar!/pax/named/file.env");
        let m = tar_members(&out.output);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, "pax/named/file.env");
        assert_eq!(m[0].4, b"k=[REDACTED:github:00000000]");
    }

    #[test]
    fn tar_trailing_garbage_is_refused() {
        let mut b = tar::Builder::new(Vec::new());
        tar_file(&mut b, "x", b"nothing", 0o644);
        let mut tar = b.into_inner().unwrap();
        tar.extend_from_slice(&[0u8; 4096]);
        run(&limits(), "z.tar", "z.tar", &tar).unwrap();
        tar.extend_from_slice(&[b'A'; 512]);
        assert!(err_text(run(&limits(), "g.tar", "g.tar", &tar)).contains("checksum"));
    }

    #[test]
    fn tgz_round_trip() {
        let mut b = tar::Builder::new(Vec::new());
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
