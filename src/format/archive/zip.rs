//! zip (also Fiddler `.saz`): read from the central directory and rebuilt, unchanged
//! members raw-copied (see the archive module documentation for what is kept and what
//! is refused).

use std::io::{Cursor, Read, Write};

use anyhow::{anyhow, bail, Context, Result};

use super::names::NameGuard;
use super::{Cx, MAX_PREALLOC, MAX_SMALL_BODY, RATIO_EXEMPT_BYTES};
use crate::error::limit_error;
use crate::finding::Finding;
use crate::format::Outcome;

/// True when an end-of-central-directory record sits where one can (within the last
/// 64 KiB + 22 bytes, with its comment length reaching exactly to the end).
pub(super) fn has_zip_eocd(data: &[u8]) -> bool {
    if data.len() < 22 {
        return false;
    }
    let start = data.len().saturating_sub(22 + 0xFFFF);
    (start..=data.len() - 22).rev().any(|i| {
        data[i..].starts_with(b"PK\x05\x06")
            && i + 22 + u16::from_le_bytes([data[i + 20], data[i + 21]]) as usize == data.len()
    })
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

pub(super) fn sanitize_zip(cx: &Cx<'_>, data: &[u8]) -> Result<Outcome> {
    use ::zip::write::SimpleFileOptions;
    use ::zip::{CompressionMethod, ZipArchive, ZipWriter};

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
    if declared > cx.session.remaining() {
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

        // A symlink's data is its target, but only bytes: a tool can put anything
        // there (a whole log), so it is scanned like any other member.
        let outcome = cx.member(&member, &name, &content)?;
        findings.extend(outcome.findings);
        if is_symlink {
            // Written again either way: a raw copy would lose the symlink mode.
            let target = String::from_utf8_lossy(&outcome.output);
            let opts = SimpleFileOptions::default()
                .last_modified_time(mtime)
                .unix_permissions(mode.unwrap_or(0o777));
            writer
                .add_symlink(name.as_str(), target, opts)
                .with_context(write_err)?;
            continue;
        }
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
    // The archive comment is free text any unzip tool shows: scanned like a member.
    let comment = archive.comment();
    if !comment.is_empty() {
        let outcome = cx.member(
            &format!("{prov}!/(archive comment)"),
            "comment.txt",
            comment,
        )?;
        if outcome.output.len() > usize::from(u16::MAX) {
            bail!("{prov}: the redacted archive comment is longer than a zip comment can be");
        }
        findings.extend(outcome.findings);
        writer.set_raw_comment(outcome.output.into_boxed_slice());
    }
    let output = writer
        .finish()
        .with_context(|| format!("{prov}: cannot finish the zip archive"))?
        .into_inner();
    Ok(Outcome { output, findings })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use ::zip::{CompressionMethod, ZipArchive};
    use std::io::Cursor;

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
    fn archive_comment_is_redacted_like_a_member() {
        let with_comment = |comment: &str| {
            let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
            w.start_file("a.txt", ::zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"hello\n").unwrap();
            w.set_comment(comment.to_string());
            w.finish().unwrap().into_inner()
        };
        let zip = with_comment(&format!("support bundle, token {TOKEN_A} for replay"));
        let out = run(&limits(), "b.zip", "b.zip", &zip).unwrap();
        assert!(!contains(&out.output, TOKEN_A));
        let comment = ZipArchive::new(Cursor::new(&out.output))
            .unwrap()
            .comment()
            .to_vec();
        assert_eq!(
            comment,
            b"support bundle, token [REDACTED:github:00000000] for replay"
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].file, "b.zip!/(archive comment)");
        // A comment without a credential is kept as it is, and so is the archive.
        let zip = with_comment("built by ci #42");
        let out = run(&limits(), "b.zip", "b.zip", &zip).unwrap();
        assert!(out.findings.is_empty());
        assert_eq!(
            ZipArchive::new(Cursor::new(&out.output)).unwrap().comment(),
            b"built by ci #42"
        );
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
}
