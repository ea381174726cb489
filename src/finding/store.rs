//! An ordered list of findings that does not grow memory with the input: past a few
//! thousand findings it spills to an anonymous temporary file (one length-prefixed
//! binary record per finding, see [`encode`]) and is read back, in order, when the
//! report is written. Counts for the summary are kept as findings arrive, so the
//! summary never needs the list itself.
//!
//! Findings never hold a secret, so nothing secret reaches the temporary file; it is
//! unlinked from the start and disappears with the process.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use serde::Serialize;

use crate::finding::{Finding, JwtInfo};

/// Findings kept in memory before the list spills to disk.
const IN_MEMORY: usize = 4096;

/// Per-kind counts for the summary table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    pub found: usize,
    pub distinct: usize,
    pub live: usize,
    pub expired: usize,
}

/// Counts over every finding pushed, whether or not the finding itself was kept.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub findings: usize,
    pub by_kind: BTreeMap<String, KindCounts>,
    /// JWTs whose `exp` is in the future, or that have none.
    pub jwt_live: usize,
    pub jwt_expired: usize,
    /// Credentials that look usable (unexpired JWTs and cookies, anything without an
    /// expiry) and those already expired when scanned.
    pub live: usize,
    pub expired: usize,
    /// Fingerprints of the distinct secrets, by kind.
    distinct: HashMap<String, HashSet<String>>,
    distinct_count: usize,
}

impl Tally {
    fn add(&mut self, f: &Finding) {
        self.findings += 1;
        let expired = f.is_expired();
        if !self.by_kind.contains_key(&f.kind) {
            self.by_kind.insert(f.kind.clone(), KindCounts::default());
        }
        let row = self.by_kind.get_mut(&f.kind).expect("just inserted");
        row.found += 1;
        if expired {
            row.expired += 1;
            self.expired += 1;
        } else {
            row.live += 1;
            self.live += 1;
        }
        if let Some(j) = &f.jwt {
            if j.expired == Some(true) {
                self.jwt_expired += 1;
            } else {
                self.jwt_live += 1;
            }
        }
        let fps = match self.distinct.get_mut(&f.kind) {
            Some(fps) => fps,
            None => self.distinct.entry(f.kind.clone()).or_default(),
        };
        if !fps.contains(&f.fingerprint) {
            fps.insert(f.fingerprint.clone());
            row.distinct += 1;
            self.distinct_count += 1;
        }
    }

    #[cfg(feature = "cli")]
    fn merge(&mut self, other: Tally) {
        self.findings += other.findings;
        self.jwt_live += other.jwt_live;
        self.jwt_expired += other.jwt_expired;
        self.live += other.live;
        self.expired += other.expired;
        for (kind, c) in other.by_kind {
            let row = self.by_kind.entry(kind).or_default();
            row.found += c.found;
            row.live += c.live;
            row.expired += c.expired;
        }
        for (kind, fps) in other.distinct {
            let mine = self.distinct.entry(kind.clone()).or_default();
            let before = mine.len();
            mine.extend(fps);
            let added = mine.len() - before;
            self.by_kind.entry(kind).or_default().distinct += added;
            self.distinct_count += added;
        }
    }

    /// Distinct secrets (by kind and fingerprint).
    #[cfg(feature = "cli")]
    pub fn distinct(&self) -> usize {
        self.distinct_count
    }
}

/// An ordered list of findings, in memory while small and on disk beyond that.
#[derive(Debug, Default)]
pub struct Findings {
    mem: Vec<Finding>,
    spill: Option<BufWriter<File>>,
    spilled: usize,
    /// Count only (and keep the first finding): for passes whose findings are not
    /// reported.
    count_only: bool,
    first: Option<Finding>,
    tally: Tally,
    /// The record being written (reused).
    record: Vec<u8>,
}

impl Findings {
    pub fn new() -> Self {
        Findings::default()
    }

    /// A list that counts findings and keeps only the first one.
    pub fn count_only() -> Self {
        Findings {
            count_only: true,
            ..Findings::default()
        }
    }

    /// Made by [`Findings::count_only`].
    pub fn is_count_only(&self) -> bool {
        self.count_only
    }

    pub fn len(&self) -> usize {
        self.tally.findings
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[cfg(feature = "cli")]
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The first finding pushed.
    pub fn first(&self) -> Option<&Finding> {
        self.first.as_ref()
    }

    pub fn push(&mut self, f: Finding) -> std::io::Result<()> {
        self.tally.add(&f);
        if self.first.is_none() {
            self.first = Some(f.clone());
        }
        if self.count_only {
            return Ok(());
        }
        // Without the `cli` feature there are no temporary files: findings stay in memory.
        if self.spill.is_none() && (self.mem.len() < IN_MEMORY || !cfg!(feature = "cli")) {
            self.mem.push(f);
            return Ok(());
        }
        #[cfg(feature = "cli")]
        if self.spill.is_none() {
            self.spill = Some(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?));
            for g in std::mem::take(&mut self.mem) {
                self.write_line(&g)?;
            }
        }
        self.write_line(&f)
    }

    fn write_line(&mut self, f: &Finding) -> std::io::Result<()> {
        let w = self.spill.as_mut().expect("spilling");
        self.record.clear();
        encode(f, &mut self.record);
        w.write_all(&self.record)?;
        self.spilled += 1;
        Ok(())
    }

    pub fn extend<I: IntoIterator<Item = Finding>>(&mut self, it: I) -> std::io::Result<()> {
        for f in it {
            self.push(f)?;
        }
        Ok(())
    }

    /// Move every finding of `other` to the end of this list.
    #[cfg(feature = "cli")]
    pub fn append(&mut self, mut other: Findings) -> std::io::Result<()> {
        if other.count_only || self.count_only {
            // Counts only: keep `first` if this list had none.
            if self.first.is_none() {
                self.first = other.first.take();
            }
            if !self.count_only {
                // A count-only list has nothing to hand over but its counts; that is
                // never what a caller wants for a reported list.
                debug_assert!(other.is_empty(), "appending a count-only list");
            }
            self.tally.merge(std::mem::take(&mut other.tally));
            return Ok(());
        }
        let tally = std::mem::take(&mut other.tally);
        if self.first.is_none() {
            self.first = other.first.take();
        }
        if self.spill.is_none()
            && other.spill.is_none()
            && self.mem.len() + other.mem.len() <= IN_MEMORY
        {
            self.mem.append(&mut other.mem);
        } else {
            // Re-push without counting again (the tallies are merged below).
            let before = std::mem::take(&mut self.tally);
            other.for_each(|f| self.push(f.clone()))?;
            self.tally = before;
        }
        self.tally.merge(tally);
        Ok(())
    }

    /// Visit every finding in order.
    pub fn for_each<F: FnMut(&Finding) -> std::io::Result<()>>(
        &mut self,
        mut f: F,
    ) -> std::io::Result<()> {
        match self.spill.as_mut() {
            None => self.mem.iter().try_for_each(f),
            Some(w) => {
                w.flush()?;
                let mut file = w.get_ref().try_clone()?;
                file.seek(SeekFrom::Start(0))?;
                let mut r = BufReader::with_capacity(1 << 16, &file);
                let mut buf = Vec::new();
                let mut n = 0;
                while let Some(finding) = decode(&mut r, &mut buf)? {
                    f(&finding)?;
                    n += 1;
                }
                // The clone shares the file offset: put it back at the end for more pushes.
                file.seek(SeekFrom::End(0))?;
                if n != self.spilled {
                    return Err(std::io::Error::other("findings spill file was truncated"));
                }
                Ok(())
            }
        }
    }

    /// Hand the findings over one by one, in order, without holding them all in
    /// memory (the list was spilled: read back line by line).
    pub(crate) fn drain(mut self) -> std::io::Result<Drain> {
        let file = match self.spill.take() {
            None => None,
            Some(w) => {
                let mut file = w.into_inner().map_err(|e| e.into_error())?;
                file.seek(SeekFrom::Start(0))?;
                Some(BufReader::with_capacity(1 << 16, file))
            }
        };
        Ok(Drain {
            mem: std::mem::take(&mut self.mem).into_iter(),
            file,
            left: self.spilled,
            buf: Vec::new(),
        })
    }

    /// All findings in memory (for small lists and tests).
    pub fn into_vec(mut self) -> std::io::Result<Vec<Finding>> {
        if self.spill.is_none() {
            return Ok(self.mem);
        }
        let mut v = Vec::with_capacity(self.spilled);
        self.for_each(|f| {
            v.push(f.clone());
            Ok(())
        })?;
        Ok(v)
    }
}

/// The findings of a list, in order: see [`Findings::drain`].
pub(crate) struct Drain {
    mem: std::vec::IntoIter<Finding>,
    file: Option<BufReader<File>>,
    left: usize,
    buf: Vec<u8>,
}

impl Drain {
    /// The next finding; `None` at the end.
    pub(crate) fn next(&mut self) -> std::io::Result<Option<Finding>> {
        let Some(r) = self.file.as_mut() else {
            return Ok(self.mem.next());
        };
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        match decode(r, &mut self.buf)? {
            Some(f) => Ok(Some(f)),
            None => Err(std::io::Error::other("findings spill file was truncated")),
        }
    }
}

// The spill file's records. A record is its length (u32, little-endian) and then the
// fields in declaration order: strings as a u32 length and their bytes, numbers as
// 8 bytes little-endian, an optional value as a presence byte (0 or 1) and the value,
// an optional bool as one byte (0 none, 1 false, 2 true). The file lives only as long
// as the process that wrote it, so the layout needs no version.

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_opt_i64(out: &mut Vec<u8>, n: Option<i64>) {
    match n {
        None => out.push(0),
        Some(n) => {
            out.push(1);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn put_opt_bool(out: &mut Vec<u8>, b: Option<bool>) {
    out.push(match b {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    });
}

/// Append `f`'s record to `out`.
fn encode(f: &Finding, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    for s in [&f.file, &f.location, &f.rule, &f.kind, &f.fingerprint] {
        put_str(out, s);
    }
    out.extend_from_slice(&(f.length as u64).to_le_bytes());
    put_opt_str(out, &f.name);
    put_opt_str(out, &f.method);
    put_opt_str(out, &f.url);
    match &f.jwt {
        None => out.push(0),
        Some(j) => {
            out.push(1);
            put_opt_str(out, &j.alg);
            put_opt_str(out, &j.iss);
            put_opt_str(out, &j.aud);
            put_opt_str(out, &j.sub_fingerprint);
            put_opt_i64(out, j.iat);
            put_opt_i64(out, j.exp);
            put_opt_bool(out, j.expired);
        }
    }
    put_opt_i64(out, f.cookie_expires);
    put_opt_bool(out, f.cookie_expired);
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// A record being read: its bytes and how far they were read.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take(&mut self, n: usize) -> std::io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(std::io::Error::other("findings spill record is cut short"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn u8(&mut self) -> std::io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> std::io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn str(&mut self) -> std::io::Result<String> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")) as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(std::io::Error::other)
    }

    fn opt_str(&mut self) -> std::io::Result<Option<String>> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.str()?),
        })
    }

    fn opt_i64(&mut self) -> std::io::Result<Option<i64>> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.u64()? as i64),
        })
    }

    fn opt_bool(&mut self) -> std::io::Result<Option<bool>> {
        Ok(match self.u8()? {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        })
    }
}

/// Read the next record from `r` (`buf` is scratch space); `None` at the end of the
/// file.
fn decode(r: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<Option<Finding>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    r.read_exact(buf)?;
    let mut p = Fields(buf);
    let f = Finding {
        file: p.str()?,
        location: p.str()?,
        rule: p.str()?,
        kind: p.str()?,
        fingerprint: p.str()?,
        length: p.u64()? as usize,
        name: p.opt_str()?,
        method: p.opt_str()?,
        url: p.opt_str()?,
        jwt: match p.u8()? {
            0 => None,
            _ => Some(JwtInfo {
                alg: p.opt_str()?,
                iss: p.opt_str()?,
                aud: p.opt_str()?,
                sub_fingerprint: p.opt_str()?,
                iat: p.opt_i64()?,
                exp: p.opt_i64()?,
                expired: p.opt_bool()?,
            }),
        },
        cookie_expires: p.opt_i64()?,
        cookie_expired: p.opt_bool()?,
    };
    if !p.0.is_empty() {
        return Err(std::io::Error::other("findings spill record is too long"));
    }
    Ok(Some(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(i: usize, kind: &str) -> Finding {
        Finding {
            file: "f.har".into(),
            location: format!("/log/entries/{}", i),
            rule: "context.cookie".into(),
            kind: kind.into(),
            fingerprint: format!("{:08x}", i % 7),
            length: 20,
            ..Finding::default()
        }
    }

    #[test]
    fn spills_and_reads_back_in_order() {
        let mut a = Findings::new();
        let n = IN_MEMORY * 2 + 17;
        for i in 0..n {
            a.push(finding(i, if i % 2 == 0 { "cookie" } else { "token" }))
                .unwrap();
        }
        assert!(a.spill.is_some());
        assert_eq!(a.len(), n);
        let mut b = Findings::new();
        b.push(finding(n, "password")).unwrap();
        b.append(a).unwrap();
        assert_eq!(b.len(), n + 1);
        let v = b.into_vec().unwrap();
        assert_eq!(v.len(), n + 1);
        assert_eq!(v[0].kind, "password");
        for (i, f) in v[1..].iter().enumerate() {
            assert_eq!(f.location, format!("/log/entries/{}", i));
        }
    }

    #[test]
    fn drains_in_order_spilled_or_not() {
        for n in [0, 5, IN_MEMORY * 2 + 3] {
            let mut a = Findings::new();
            for i in 0..n {
                a.push(finding(i, "cookie")).unwrap();
            }
            let mut d = a.drain().unwrap();
            for i in 0..n {
                assert_eq!(
                    d.next().unwrap().unwrap().location,
                    format!("/log/entries/{i}")
                );
            }
            assert!(d.next().unwrap().is_none(), "{n}");
        }
    }

    #[test]
    fn tally_counts_distinct_across_appends() {
        let mut a = Findings::new();
        let mut b = Findings::new();
        for i in 0..20 {
            a.push(finding(i, "cookie")).unwrap();
            b.push(finding(i + 3, "cookie")).unwrap();
        }
        a.append(b).unwrap();
        let t = a.tally();
        assert_eq!(t.findings, 40);
        assert_eq!(t.by_kind["cookie"].found, 40);
        // Fingerprints are i % 7: seven distinct secrets over both lists.
        assert_eq!(t.by_kind["cookie"].distinct, 7);
        assert_eq!(t.distinct(), 7);
        assert_eq!(t.live, 40);
    }

    #[test]
    fn records_read_back_every_field() {
        let full = Finding {
            file: "a.zip!/b.har".into(),
            location: "/log/entries/7/request/headers/0/value".into(),
            rule: "generic.jwt".into(),
            kind: "jwt".into(),
            fingerprint: "0123abcd".into(),
            length: 812,
            name: Some("Authorization".into()),
            method: Some("POST".into()),
            url: Some("https://example.com/é?x=[REDACTED]".into()),
            jwt: Some(JwtInfo {
                alg: Some("RS256".into()),
                iss: None,
                aud: Some(String::new()),
                sub_fingerprint: Some("ffff0000".into()),
                iat: Some(-5),
                exp: Some(i64::MAX),
                expired: Some(false),
            }),
            cookie_expires: Some(1_700_000_000),
            cookie_expired: Some(true),
        };
        let bare = finding(3, "cookie");
        let mut bytes = Vec::new();
        for f in [&full, &bare, &full] {
            encode(f, &mut bytes);
        }
        let mut r = &bytes[..];
        let mut buf = Vec::new();
        for want in [&full, &bare, &full] {
            assert_eq!(decode(&mut r, &mut buf).unwrap().as_ref(), Some(want));
        }
        assert!(decode(&mut r, &mut buf).unwrap().is_none());
        // A file cut inside a record is an error, not the end of the list.
        let mut cut = &bytes[..bytes.len() - 3];
        let mut seen = 0;
        let err = loop {
            match decode(&mut cut, &mut buf) {
                Ok(Some(_)) => seen += 1,
                Ok(None) => panic!("a cut record read as the end"),
                Err(e) => break e,
            }
        };
        assert_eq!(seen, 2, "{err}");
    }

    #[test]
    fn count_only_keeps_the_first() {
        let mut a = Findings::count_only();
        for i in 0..10 {
            a.push(finding(i, "cookie")).unwrap();
        }
        assert_eq!(a.len(), 10);
        assert_eq!(a.first().unwrap().location, "/log/entries/0");
        assert!(a.into_vec().unwrap().is_empty());
    }
}
