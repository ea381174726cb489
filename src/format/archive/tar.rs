//! tar (ustar, GNU and pax extensions, old v7): parsed block by block, so every byte is
//! accounted for; changed members get a new size and checksum, every other header
//! field is kept.

use anyhow::{anyhow, bail, Context, Result};

use super::names::{check_member_name, NameGuard};
use super::{Cx, MAX_SMALL_BODY};
use crate::finding::Finding;
use crate::format::Outcome;

pub(super) const TAR_BLOCK: usize = 512;

/// Unsigned (POSIX) or signed (some old tars) header checksum matches.
pub(super) fn tar_checksum_ok(block: &[u8]) -> bool {
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

    /// The records again, with `size` set to `size` when given.
    fn encode(&self, size: Option<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.records {
            let value = match size {
                Some(size) if k == b"size" => size.to_string().into_bytes(),
                _ => v.clone(),
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

/// Pax records that describe the member (its name, size, times, owner); every other
/// record (a comment, extended attributes, vendor records) is free text.
const PAX_DESCRIBING: [&str; 12] = [
    "path",
    "linkpath",
    "size",
    "mtime",
    "atime",
    "ctime",
    "uid",
    "gid",
    "uname",
    "gname",
    "charset",
    "hdrcharset",
];

/// Scan the free-text records of a pax header like a text member (`key=value`, so that
/// a credential-named key counts); true when a value was redacted.
fn redact_pax(cx: &Cx<'_>, at: &str, pax: &mut Pax, findings: &mut Vec<Finding>) -> Result<bool> {
    let mut changed = false;
    for (k, v) in pax.records.iter_mut() {
        if k.starts_with(b"GNU.sparse.") || PAX_DESCRIBING.iter().any(|d| d.as_bytes() == k) {
            continue;
        }
        let mut line = k.clone();
        line.push(b'=');
        let name_len = line.len();
        line.extend_from_slice(v);
        let key = String::from_utf8_lossy(k).into_owned();
        let o = cx.member(&format!("{at} (pax record {key})"), "pax-record.txt", &line)?;
        findings.extend(o.findings);
        if o.output != line {
            if !o.output.starts_with(&line[..name_len]) {
                bail!("{at}: the pax record {key} cannot be redacted in place");
            }
            *v = o.output[name_len..].to_vec();
            changed = true;
        }
    }
    Ok(changed)
}

/// An extension header (GNU long name/link, pax) waiting for the member it describes.
struct Ext<'a> {
    raw: &'a [u8],
    header: &'a [u8],
    pax: Option<Pax>,
    /// A pax record was redacted: the header is written again.
    redacted: bool,
}

/// An extension header with a new body: its size and checksum updated.
fn write_ext(out: &mut Vec<u8>, header: &[u8], body: &[u8]) {
    let mut h = ::tar::Header::from_byte_slice(header).clone();
    h.set_size(body.len() as u64);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(body);
    pad_to_block(out);
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

pub(super) fn sanitize_tar(cx: &Cx<'_>, data: &[u8]) -> Result<Outcome> {
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
        let header = ::tar::Header::from_byte_slice(block);
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
                redacted: false,
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
                let mut pax =
                    Pax::parse(body).map_err(|e| anyhow!("{prov}: {e} in tar pax header"))?;
                let at = format!("{prov}!/(pax header at offset {header_pos})");
                ext.redacted = redact_pax(cx, &at, &mut pax, &mut findings)?;
                changed |= ext.redacted;
                ext.pax = Some(pax);
            }
            pending.push(ext);
            continue;
        }
        if et.is_pax_global_extensions() {
            if !pending.is_empty() {
                bail!("{prov}: pax global header between a tar member and its extension headers");
            }
            let mut pax =
                Pax::parse(body).map_err(|e| anyhow!("{prov}: {e} in tar pax global header"))?;
            let at = format!("{prov}!/(pax global header at offset {header_pos})");
            if redact_pax(cx, &at, &mut pax, &mut findings)? {
                changed = true;
                write_ext(&mut out, block, &pax.encode(None));
            } else {
                out.extend_from_slice(raw);
                pad_to_block(&mut out);
            }
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
        // Every copy of the name is written out (the header field under a pax `path`
        // or a GNU long name too), so each is checked.
        let named = |b: &[u8]| (cx.name_guard)(&String::from_utf8_lossy(b));
        if named(name_bytes) || named(trim_nul(&header_path)) || long_name.is_some_and(named) {
            bail!("{prov}: a member's name holds a credential; the archive is refused so the name is not passed on");
        }
        let header_link = header.link_name_bytes();
        // The same for a link's target (symlink or hard link), in all its copies.
        if pax.and_then(|p| p.get("linkpath")).is_some_and(named)
            || long_link.is_some_and(named)
            || header_link.as_deref().is_some_and(|l| named(trim_nul(l)))
        {
            bail!("{prov}: a link member's target holds a credential; the archive is refused so the target is not passed on");
        }
        let member = format!("{prov}!/{name}");
        names.check(&member, &name, et.is_symlink())?;
        if et.is_hard_link() {
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
                        Some(p) if ext.redacted || p.get("size").is_some() => {
                            write_ext(&mut out, ext.header, &p.encode(Some(new_size)));
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
            match &ext.pax {
                Some(p) if ext.redacted => write_ext(&mut out, ext.header, &p.encode(None)),
                _ => out.extend_from_slice(ext.raw),
            }
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
    use super::super::testkit::*;

    /// Free-text pax records (a comment, an extended attribute), local and global, are
    /// redacted and their headers rewritten; the records describing a member stay.
    #[test]
    fn pax_records_are_redacted() {
        let mut b = ::tar::Builder::new(Vec::new());
        let global = format!("global {TOKEN_A}");
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::XGlobalHeader);
        let rec = |k: &str, v: &str| {
            let payload = format!(" {k}={v}\n");
            let mut n = payload.len() + 1;
            while n.to_string().len() + payload.len() != n {
                n = n.to_string().len() + payload.len();
            }
            format!("{n}{payload}")
        };
        let body = rec("comment", &global);
        h.set_size(body.len() as u64);
        h.set_cksum();
        b.append(&h, body.as_bytes()).unwrap();
        let comment = format!("see {TOKEN_A}");
        b.append_pax_extensions([
            ("comment", comment.as_bytes()),
            ("SCHILY.xattr.user.note", b"plain".as_slice()),
            ("mtime", b"1700000000.5".as_slice()),
        ])
        .unwrap();
        tar_file(&mut b, "a.txt", b"hello", 0o644);
        let tar = b.into_inner().unwrap();
        let out = run(&limits(), "p.tar", "p.tar", &tar).unwrap();
        assert!(!contains(&out.output, TOKEN_A));
        assert_eq!(out.findings.len(), 2);
        let mut a = ::tar::Archive::new(out.output.as_slice());
        let mut seen = Vec::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let pax: Vec<(String, String)> = e
                .pax_extensions()
                .unwrap()
                .into_iter()
                .flatten()
                .map(|x| x.unwrap())
                .map(|x| (x.key().unwrap().to_string(), x.value().unwrap().to_string()))
                .collect();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            seen.push((e.path().unwrap().display().to_string(), pax, data));
        }
        let file = seen.iter().find(|s| s.0 == "a.txt").expect("a.txt");
        assert_eq!(file.2, b"hello");
        assert!(file.1.contains(&(
            "comment".to_string(),
            "see [REDACTED:github:00000000]".to_string()
        )));
        assert!(file
            .1
            .contains(&("mtime".to_string(), "1700000000.5".to_string())));
        assert!(file
            .1
            .contains(&("SCHILY.xattr.user.note".to_string(), "plain".to_string())));
    }

    #[test]
    fn tar_round_trip_keeps_headers() {
        let long = format!("{}app.log", "very/long/directory/name/".repeat(6));
        let mut b = ::tar::Builder::new(Vec::new());
        tar_special(&mut b, "etc/", ::tar::EntryType::Directory, "");
        tar_file(
            &mut b,
            "etc/app.env",
            format!("A=1\nTOKEN={TOKEN_A}\n").as_bytes(),
            0o600,
        );
        tar_special(
            &mut b,
            "etc/link",
            ::tar::EntryType::Symlink,
            "/var/log/app.log",
        );
        tar_file(&mut b, "etc/clean.txt", b"clean", 0o644);
        tar_file(
            &mut b,
            &long,
            format!("{TOKEN_B} {TOKEN_B}").as_bytes(),
            0o640,
        );
        tar_special(&mut b, "etc/hard", ::tar::EntryType::Link, "etc/clean.txt");
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
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(&mut b, "x", b"nothing", 0o644);
        let clean = b.into_inner().unwrap();
        assert_eq!(
            run(&limits(), "c.tar", "c.tar", &clean).unwrap().output,
            clean
        );
    }

    #[test]
    fn tar_pax_size_is_rewritten() {
        let mut b = ::tar::Builder::new(Vec::new());
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
        let mut b = ::tar::Builder::new(Vec::new());
        tar_file(&mut b, "x", b"nothing", 0o644);
        let mut tar = b.into_inner().unwrap();
        tar.extend_from_slice(&[0u8; 4096]);
        run(&limits(), "z.tar", "z.tar", &tar).unwrap();
        tar.extend_from_slice(&[b'A'; 512]);
        assert!(err_text(run(&limits(), "g.tar", "g.tar", &tar)).contains("checksum"));
    }
}
