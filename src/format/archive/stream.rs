//! What gzip, xz and bzip2 files share: one compressed document, named after the file
//! minus its suffix, decompressed with the limits checked as it goes.

use std::io::Read;

use anyhow::Result;

use super::{Cx, MAX_PREALLOC};

/// The name of the document inside a compressed file: its base name minus the first
/// of `suffixes` (matched in any case) that it ends with, put in place by the paired
/// replacement (`.tgz` becomes `.tar`).
pub(super) fn inner_name(name: &str, suffixes: &[(&str, &str)]) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    for (suffix, replacement) in suffixes {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return format!("{}{replacement}", &base[..base.len() - suffix.len()]);
        }
    }
    base.to_owned()
}

/// Decompress all of `data` with `decoder` (named `what` in errors); `unread` tells
/// how many compressed bytes the decoder has not consumed yet. These formats declare
/// no (reliable) size, so the limits are checked as it inflates: the ratio against the
/// compressed bytes consumed so far, so that a bomb is stopped after about 1 MiB rather
/// than after `max_ratio` times its size.
pub(super) fn decompress<D: Read>(
    cx: &Cx<'_>,
    member: &str,
    what: &str,
    data: &[u8],
    mut decoder: D,
    unread: impl Fn(&D) -> usize,
) -> Result<(Vec<u8>, D)> {
    let mut inner =
        Vec::with_capacity((data.len() as u64).saturating_mul(4).min(MAX_PREALLOC) as usize);
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "{}: cannot decompress {what} stream",
                    cx.provenance
                )))
            }
        };
        inner.extend_from_slice(&chunk[..n]);
        let produced = inner.len() as u64;
        let consumed = (data.len() - unread(&decoder)) as u64;
        if produced > cx.ratio_cap(consumed) {
            return Err(cx.ratio_error(member, produced, consumed));
        }
        cx.charge(member, n as u64)?;
    }
    Ok((inner, decoder))
}
