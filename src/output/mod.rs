//! Writing copies: where each copy goes, and writing it atomically (a temporary file
//! in the destination folder, renamed into place only once complete and verified), so
//! a crash, a kill or a full disk never leaves a partial copy under its final name.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

/// Extensions that belong together (`capture.har.gz` → `capture.redacted.har.gz`).
const COMPOUND: &[&str] = &[
    ".tar.gz",
    ".har.gz",
    ".json.gz",
    ".log.gz",
    ".txt.gz",
    ".ndjson.gz",
];

/// `NAME.redacted.EXT` next to the input.
pub fn redacted_name(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    for c in COMPOUND {
        if lower.ends_with(c) && lower.len() > c.len() {
            let cut = file_name.len() - c.len();
            return format!("{}.redacted{}", &file_name[..cut], &file_name[cut..]);
        }
    }
    match file_name.rfind('.') {
        Some(p) if p > 0 => format!("{}.redacted{}", &file_name[..p], &file_name[p..]),
        _ => format!("{}.redacted", file_name),
    }
}

/// Is this file itself a copy written by harscrub (skipped when walking folders)?
pub fn is_redacted_name(file_name: &str) -> bool {
    file_name.contains(".redacted.") || file_name.ends_with(".redacted")
}

/// A copy being written: a temporary file beside its destination.
pub struct Pending {
    tmp: NamedTempFile,
    dest: PathBuf,
}

impl Pending {
    /// Start a copy for `dest`. Refuses an existing destination unless `force`.
    pub fn create(dest: &Path, force: bool) -> Result<Pending> {
        if !force && dest.exists() {
            bail!(
                "{} already exists (use --force to overwrite)",
                dest.display()
            );
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix(".harscrub-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        Ok(Pending {
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    pub fn file(&mut self) -> &mut fs::File {
        self.tmp.as_file_mut()
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        self.tmp
            .as_file_mut()
            .write_all(data)
            .with_context(|| format!("writing {}", self.dest.display()))
    }

    /// Flush to disk and rename into place. Dropping a `Pending` instead removes it.
    pub fn commit(self, force: bool) -> Result<PathBuf> {
        self.tmp
            .as_file()
            .sync_all()
            .with_context(|| format!("writing {}", self.dest.display()))?;
        let dest = self.dest.clone();
        if force {
            self.tmp
                .persist(&dest)
                .map_err(|e| e.error)
                .with_context(|| format!("renaming the copy into {}", dest.display()))?;
        } else {
            self.tmp
                .persist_noclobber(&dest)
                .map_err(|e| e.error)
                .with_context(|| {
                    format!(
                        "{} already exists (use --force to overwrite)",
                        dest.display()
                    )
                })?;
        }
        Ok(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(redacted_name("capture.har"), "capture.redacted.har");
        assert_eq!(redacted_name("x.har.gz"), "x.redacted.har.gz");
        assert_eq!(redacted_name("b.TAR.GZ"), "b.redacted.TAR.GZ");
        assert_eq!(redacted_name("README"), "README.redacted");
        assert_eq!(redacted_name(".env"), ".env.redacted");
        assert!(is_redacted_name("capture.redacted.har"));
        assert!(!is_redacted_name("capture.har"));
    }

    #[test]
    fn atomic_and_no_clobber() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out.har");
        let mut p = Pending::create(&dest, false).unwrap();
        p.write_all(b"abc").unwrap();
        assert!(!dest.exists(), "nothing under the final name before commit");
        p.commit(false).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"abc");
        assert!(Pending::create(&dest, false).is_err());
        let mut p = Pending::create(&dest, true).unwrap();
        p.write_all(b"new").unwrap();
        drop(p);
        assert_eq!(
            fs::read(&dest).unwrap(),
            b"abc",
            "dropped copy leaves the old file"
        );
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temporary left behind"
        );
    }
}
