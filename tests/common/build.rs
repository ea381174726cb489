//! Archives built in memory for the tests: zip (stored or deflated members, folders,
//! nesting), tar, gzip, readers for the copies, and bombs (high-ratio zip and gzip,
//! 42.zip-style nesting, nesting deeper than any limit), including the hand-written
//! zips and tars an attacker's tool makes and the zip and tar crates refuse to write.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Fixed timestamps, so that the same members always make the same archive.
const MTIME: u64 = 1_714_557_600; // 2024-05-01T10:00:00Z

// ---------------------------------------------------------------------------------
// zip

/// One zip member for [`zip_with`].
pub enum Z<'a> {
    Dir,
    Deflated(&'a [u8]),
    Stored(&'a [u8]),
}

/// A zip with these members: a name ending in `/` is a folder, every other member
/// is deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let members: Vec<(&str, Z)> = entries
        .iter()
        .map(|(n, d)| {
            (
                *n,
                if n.ends_with('/') {
                    Z::Dir
                } else {
                    Z::Deflated(d)
                },
            )
        })
        .collect();
    zip_with(&members)
}

/// A zip with members stored or deflated as given.
pub fn zip_with(entries: &[(&str, Z<'_>)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let mtime = zip::DateTime::from_date_and_time(2024, 5, 1, 10, 0, 0).unwrap();
    let base = SimpleFileOptions::default().last_modified_time(mtime);
    for (name, m) in entries {
        match m {
            Z::Dir => w.add_directory(*name, base).unwrap(),
            Z::Deflated(d) | Z::Stored(d) => {
                let method = match m {
                    Z::Stored(_) => CompressionMethod::Stored,
                    _ => CompressionMethod::Deflated,
                };
                w.start_file(*name, base.compression_method(method))
                    .unwrap();
                w.write_all(d).unwrap();
            }
        }
    }
    w.finish().unwrap().into_inner()
}

/// A zip member as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub is_dir: bool,
    pub data: Vec<u8>,
}

/// The members of a zip, in order.
pub fn zip_members(data: &[u8]) -> Vec<Member> {
    let mut a = ZipArchive::new(Cursor::new(data)).expect("a readable zip");
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            Member {
                name: f.name().to_owned(),
                is_dir: f.is_dir(),
                data: v,
            }
        })
        .collect()
}

pub fn names(members: &[Member]) -> Vec<&str> {
    members.iter().map(|m| m.name.as_str()).collect()
}

pub fn member<'a>(members: &'a [Member], name: &str) -> &'a Member {
    members
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no member {name} in {:?}", names(members)))
}

// ---------------------------------------------------------------------------------
// gzip, tar

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .mtime(MTIME as u32)
        .write(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut v)
        .expect("a readable gzip stream");
    v
}

/// A tar with these members: a name ending in `/` is a folder (0755), every other
/// member a file (0640).
pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(MTIME);
        if name.ends_with('/') {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(0o755);
            h.set_size(0);
            b.append_data(&mut h, name, std::io::empty()).unwrap();
        } else {
            h.set_mode(0o640);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, name, *data).unwrap();
        }
    }
    b.into_inner().unwrap()
}

/// A tar whose member names are written into the headers as they are (the tar crate
/// refuses `..` and absolute names, an attacker's tool does not).
pub fn raw_tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(MTIME);
        h.set_entry_type(tar::EntryType::Regular);
        let n = name.as_bytes();
        h.as_old_mut().name[..n.len()].copy_from_slice(n);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// The members of a tar (folders included), in order.
pub fn tar_members(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(data);
    a.entries()
        .expect("a readable tar")
        .map(|e| {
            let mut e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            (name, v)
        })
        .collect()
}

pub fn is_tar(data: &[u8]) -> bool {
    data.len() > 262 && &data[257..262] == b"ustar"
}

/// Every leaf document of an archive tree (zip, gzip, tar, nested to any depth), named
/// like harscrub's provenance (`bundle.zip!/case/logs.zip!/app.log`; a gzip layer adds
/// `!/<name without .gz>`, `.tgz` gives `.tar`).
pub fn leaves(path: &str, data: &[u8]) -> Vec<(String, Vec<u8>)> {
    fn walk(path: &str, data: &[u8], out: &mut Vec<(String, Vec<u8>)>) {
        if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
            for m in zip_members(data) {
                if !m.is_dir {
                    walk(&format!("{path}!/{}", m.name), &m.data, out);
                }
            }
        } else if data.starts_with(&[0x1f, 0x8b]) {
            let base = path.rsplit("!/").next().unwrap_or(path);
            let base = base.rsplit('/').next().unwrap_or(base);
            let inner = if let Some(stem) = base.strip_suffix(".tgz") {
                format!("{stem}.tar")
            } else {
                base.strip_suffix(".gz").unwrap_or(base).to_owned()
            };
            walk(&format!("{path}!/{inner}"), &gunzip(data), out);
        } else if is_tar(data) {
            for (name, d) in tar_members(data) {
                if !name.ends_with('/') {
                    walk(&format!("{path}!/{name}"), &d, out);
                }
            }
        } else {
            out.push((path.to_owned(), data.to_vec()));
        }
    }
    let mut out = Vec::new();
    walk(path, data, &mut out);
    out
}

// ---------------------------------------------------------------------------------
// zips written by hand

/// A zip member written by hand (sizes below 4 GiB; more than 65,534 members get a
/// zip64 end record). `size` and `crc` are what the headers declare.
pub struct RawMember<'a> {
    pub name: &'a str,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub crc: u32,
    pub size: u64,
    pub data: &'a [u8],
}

pub fn stored<'a>(name: &'a str, data: &'a [u8]) -> RawMember<'a> {
    RawMember {
        name,
        method: 0,
        crc: crc32(data),
        size: data.len() as u64,
        data,
    }
}

/// A zip of these members exactly as given (any name, any declared size).
pub fn zip_by_hand(members: &[RawMember]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for m in members {
        let off = out.len() as u64;
        let n = m.name.as_bytes();
        assert!(off < u32::MAX as u64, "member offsets need zip64");
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, m.method, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [m.crc, m.data.len() as u32, m.size as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(n);
        out.extend_from_slice(m.data);
        cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [0x0314u16, 20, 0, m.method, 0, 0x21] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        for v in [m.crc, m.data.len() as u32, m.size as u32] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        for v in [n.len() as u16, 0, 0, 0, 0] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        cd.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        cd.extend_from_slice(&(off as u32).to_le_bytes());
        cd.extend_from_slice(n);
    }
    let cd_off = out.len() as u64;
    let cd_len = cd.len() as u64;
    out.extend_from_slice(&cd);
    let count = members.len() as u64;
    if count > 0xFFFE {
        // Zip64 end of central directory record and locator.
        let rec = out.len() as u64;
        out.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for v in [count, count, cd_len, cd_off] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&rec.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
    }
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let c16 = count.min(0xFFFF) as u16;
    out.extend_from_slice(&c16.to_le_bytes());
    out.extend_from_slice(&c16.to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd_off as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

// ---------------------------------------------------------------------------------
// bombs

/// A raw deflate segment: `n` bytes of `fill`, fully flushed (byte-aligned, no
/// reference to anything before it), not final: repeating it k times and appending
/// the final empty block `03 00` is a valid stream of k·n bytes.
pub fn deflate_segment(fill: u8, n: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let input = vec![fill; n];
    let mut out = Vec::with_capacity(n / 100 + 4096);
    let st = c
        .compress_vec(&input, &mut out, flate2::FlushCompress::Full)
        .unwrap();
    assert_eq!(st, flate2::Status::Ok);
    assert_eq!(c.total_in() as usize, n);
    out
}

/// CRC-32 of `n` bytes equal to `fill`, in O(log n): one byte is a linear map on the
/// CRC register over GF(2), applied n times by squaring.
pub fn crc32_fill(fill: u8, n: u64) -> u32 {
    // The map r -> crc step of byte `fill`, split into its linear part (a 32x32
    // matrix, as the images of the basis vectors) and a constant.
    let step = |r: u32, b: u8| -> u32 {
        let mut c = r ^ b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
        c
    };
    type M = ([u32; 32], u32); // linear part, constant
    let apply = |m: &M, v: u32| -> u32 {
        let mut r = m.1;
        for (i, col) in m.0.iter().enumerate() {
            if v >> i & 1 == 1 {
                r ^= col;
            }
        }
        r
    };
    let konst = step(0, fill);
    let mut lin = [0u32; 32];
    for (i, col) in lin.iter_mut().enumerate() {
        *col = step(1 << i, fill) ^ konst;
    }
    let compose = |a: &M, b: &M| -> M {
        // a after b
        let mut l = [0u32; 32];
        for (i, col) in l.iter_mut().enumerate() {
            *col = apply(a, b.0[i]) ^ a.1;
        }
        (l, apply(a, b.1))
    };
    let mut result: M = (std::array::from_fn(|i| 1u32 << i), 0);
    let mut base: M = (lin, konst);
    let mut k = n;
    while k > 0 {
        if k & 1 == 1 {
            result = compose(&base, &result);
        }
        base = compose(&base, &base);
        k >>= 1;
    }
    !apply(&result, 0xFFFF_FFFF)
}

/// A zip with one member of `mib` MiB of `fill`, deflated (about 1 KiB per MiB: a
/// ratio above 1000:1), with its true size and CRC declared.
pub fn bomb_zip(name: &str, fill: u8, mib: usize) -> Vec<u8> {
    let seg = deflate_segment(fill, 1 << 20);
    let mut data = Vec::with_capacity(seg.len() * mib + 2);
    for _ in 0..mib {
        data.extend_from_slice(&seg);
    }
    data.extend_from_slice(&[0x03, 0x00]);
    zip_by_hand(&[RawMember {
        name,
        method: 8,
        crc: crc32_fill(fill, (mib as u64) << 20),
        size: (mib as u64) << 20,
        data: &data,
    }])
}

/// A gzip stream of `mib` MiB of `fill` (about 1 KiB per MiB; gzip declares no size
/// up front, so it can only be stopped while inflating).
pub fn gzip_bomb(fill: u8, mib: usize) -> Vec<u8> {
    let seg = deflate_segment(fill, 1 << 20);
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
    for _ in 0..mib {
        out.extend_from_slice(&seg);
    }
    out.extend_from_slice(&[0x03, 0x00]);
    let n = (mib as u64) << 20;
    out.extend_from_slice(&crc32_fill(fill, n).to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out
}

/// 42.zip-style nesting: each level holds `copies` identical copies of the level
/// below, alternately stored and deflated (identical copies within deflate's window
/// cost almost nothing), so the file stays tiny while the expansion multiplies.
pub fn nested_bomb(leaf: Vec<u8>, copies: usize, levels: usize) -> Vec<u8> {
    let mut cur = leaf;
    for l in 0..levels {
        let names: Vec<String> = (0..copies).map(|i| format!("l{l}_{i}.zip")).collect();
        let (method, data) = if l % 2 == 0 {
            (0, cur.clone())
        } else {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(&cur).unwrap();
            (8, e.finish().unwrap())
        };
        let crc = crc32(&cur);
        let members: Vec<RawMember> = names
            .iter()
            .map(|n| RawMember {
                name: n,
                method,
                crc,
                size: cur.len() as u64,
                data: &data,
            })
            .collect();
        cur = zip_by_hand(&members);
    }
    cur
}

/// `leaf` inside `levels` zips, one member each (`level0.zip`, `level1.zip`, …,
/// outermost last): an archive `levels + 1` deep.
pub fn deep_zip(leaf_name: &str, leaf: &[u8], levels: usize) -> Vec<u8> {
    let mut doc = zip(&[(leaf_name, leaf)]);
    for i in 0..levels {
        doc = zip(&[(&format!("level{i}.zip"), &doc)]);
    }
    doc
}
