//! Member names: the rules that refuse a name which could write outside the directory
//! the redacted copy is extracted to (listed, with the reasons, in the archive module
//! documentation), for one name and across the members of one archive.

use std::collections::HashSet;

use anyhow::{anyhow, bail, Result};

/// Refuse names that could write outside the extraction directory (see the
/// [archive module documentation](super) for the rules and why).
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
pub(super) struct NameGuard {
    symlinks: HashSet<String>,
}

impl NameGuard {
    pub(super) fn check(&mut self, member: &str, name: &str, is_symlink: bool) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

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
        let mut b = ::tar::Builder::new(Vec::new());
        let mut h = ::tar::Header::new_gnu();
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

        let mut b = ::tar::Builder::new(Vec::new());
        tar_special(&mut b, "d/link", ::tar::EntryType::Symlink, "/etc");
        tar_file(&mut b, "d/./link/cron.d/x", b"* * * * * evil", 0o644);
        let tar = b.into_inner().unwrap();
        let e = err_text(run(&limits(), "ln.tar", "ln.tar", &tar));
        assert!(e.contains("through the symlink"), "{e}");

        let mut b = ::tar::Builder::new(Vec::new());
        tar_special(&mut b, "hard", ::tar::EntryType::Link, "../../etc/shadow");
        let tar = b.into_inner().unwrap();
        let e = err_text(run(&limits(), "hl.tar", "hl.tar", &tar));
        assert!(e.contains("unsafe hard link target"), "{e}");
    }
}
