//! Generate benchmark inputs from real and fixture HAR files.
//!
//! `cargo run --release --example genhar -- big OUT.har SIZE_MB [SOURCES...]` writes one
//! HAR of about SIZE_MB built by cycling the entries of the source HARs (pretty-printed,
//! as browsers export them), so it holds every planted fake credential of the fixtures
//! many times over.
//! `cargo run --release --example genhar -- many OUT_DIR COUNT [SOURCES...]` writes
//! COUNT small HAR files (one to a few entries each) into OUT_DIR.
//! `cargo run --release --example genhar -- real OUT.har SIZE_MB` writes one HAR of
//! about SIZE_MB built from the entries of the real corpus only
//! (`../shared/corpus/real-har/*.har`), each request given an `Authorization: Bearer`
//! header holding a fake JWT (one of 64 users): real traffic's shape and density of
//! findings, not the fixtures' planted credentials.
//! `cargo run --release --example genhar -- tokens OUT.har SIZE_MB` is `real` with a
//! fresh fake `X-CSRF-Token` on every request instead of the JWTs: a capture that
//! reveals a new secret with every entry (tens of thousands of them).
//! `cargo run --release --example genhar -- bundle OUT.zip MEMBERS SECRETS` writes a
//! support bundle: `conf/app.env` naming SECRETS fake passwords, and MEMBERS small logs.
//! SOURCES default to `testdata/har/*.har` plus `../shared/corpus/real-har/*.har`.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn sources(args: &[String]) -> Vec<PathBuf> {
    sources_in(args, &["testdata/har", "../shared/corpus/real-har"])
}

fn sources_in(args: &[String], dirs: &[&str]) -> Vec<PathBuf> {
    if !args.is_empty() {
        return args.iter().map(PathBuf::from).collect();
    }
    let mut v = Vec::new();
    for dir in dirs {
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                // Not the files the corpus test expects to be refused (malformed, a
                // corrupt gzip body): a benchmark input must clean.
                if name.ends_with(".har")
                    && !name.starts_with("MALFORMED_")
                    && !name.starts_with("EDGE_")
                    && !name.contains("corrupt")
                {
                    v.push(p);
                }
            }
        }
    }
    v.sort();
    v
}

fn entries(paths: &[PathBuf]) -> Vec<Value> {
    let mut out = Vec::new();
    for p in paths {
        let data = fs::read(p).unwrap();
        let d = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&data);
        let Ok(v) = serde_json::from_slice::<Value>(d) else {
            continue;
        };
        if let Some(Value::Array(es)) = v.pointer("/log/entries") {
            out.extend(es.iter().cloned());
        }
    }
    assert!(!out.is_empty(), "no source entries");
    out
}

fn write_har(path: &Path, entries: &mut dyn Iterator<Item = Value>) -> u64 {
    let f = fs::File::create(path).unwrap();
    let mut w = BufWriter::with_capacity(1 << 20, f);
    w.write_all(b"{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": \"harscrub-genhar\", \"version\": \"1\"},\n    \"pages\": [],\n    \"entries\": [\n").unwrap();
    let mut n = 0u64;
    for e in entries {
        if n > 0 {
            w.write_all(b",\n").unwrap();
        }
        serde_json::to_writer_pretty(&mut w, &e).unwrap();
        n += 1;
    }
    w.write_all(b"\n    ]\n  }\n}\n").unwrap();
    w.flush().unwrap();
    n
}

/// A fake JWT (HS256 shape, random-looking signature) for user `n`.
fn fake_jwt(n: usize) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64.encode(format!(
        r#"{{"sub":"user-{n:04}","iss":"https://login.example.com","iat":1700000000,"exp":1700003600,"scope":"openid profile"}}"#
    ));
    // Deterministic but high-entropy bytes (xorshift), so every user's signature differs.
    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64 + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let sig: Vec<u8> = (0..32)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    format!("{header}.{payload}.{}", b64.encode(sig))
}

/// A fake token of 32 letters and digits, different for every `i`.
fn fake_token(i: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..32)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 62) as usize] as char
        })
        .collect()
}

/// A zip of `conf/app.env` naming `secrets` fake passwords and `members` logs of 30
/// ordinary lines each.
fn write_bundle(out: &Path, members: usize, secrets: usize) {
    let mut z = zip::ZipWriter::new(fs::File::create(out).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("conf/app.env", opts).unwrap();
    for i in 0..secrets {
        writeln!(z, "SERVICE_{i}_PASSWORD={}", fake_token(i)).unwrap();
    }
    for m in 0..members {
        z.start_file(format!("logs/app-{m:05}.log"), opts).unwrap();
        for j in 0..30 {
            writeln!(
                z,
                "2026-01-01T00:00:{j:02}Z INFO request {j} served in {} ms path=/api/v1/items/{}",
                (m * 31 + j * 7) % 900,
                m * 100 + j
            )
            .unwrap();
        }
    }
    z.finish().unwrap();
    eprintln!("{}: {members} logs, {secrets} secrets", out.display());
}

/// Cycle `es` until about `mb` MB are written to `out`; `each` may change each entry.
fn cycle(out: &Path, mb: u64, es: &[Value], each: &dyn Fn(usize, &mut Value)) {
    let target = mb << 20;
    let mut total = 0u64;
    let mut i = 0usize;
    let mut it = std::iter::from_fn(|| {
        if total >= target {
            return None;
        }
        let mut e = es[i % es.len()].clone();
        each(i, &mut e);
        i += 1;
        total += serde_json::to_vec_pretty(&e).unwrap().len() as u64 + 2;
        Some(e)
    });
    let n = write_har(out, &mut it);
    eprintln!(
        "{}: {} entries, {} bytes",
        out.display(),
        n,
        fs::metadata(out).unwrap().len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("big") => {
            let out = PathBuf::from(&args[1]);
            let mb: u64 = args[2].parse().unwrap();
            cycle(&out, mb, &entries(&sources(&args[3..])), &|_, _| {});
        }
        Some("real") => {
            let out = PathBuf::from(&args[1]);
            let mb: u64 = args[2].parse().unwrap();
            let es = entries(&sources_in(&args[3..], &["../shared/corpus/real-har"]));
            let jwts: Vec<String> = (0..64).map(fake_jwt).collect();
            cycle(&out, mb, &es, &|i, e| {
                if let Some(Value::Array(h)) = e.pointer_mut("/request/headers") {
                    h.push(serde_json::json!({
                        "name": "Authorization",
                        "value": format!("Bearer {}", jwts[i % jwts.len()]),
                    }));
                }
            });
        }
        Some("tokens") => {
            let out = PathBuf::from(&args[1]);
            let mb: u64 = args[2].parse().unwrap();
            let es = entries(&sources_in(&args[3..], &["../shared/corpus/real-har"]));
            cycle(&out, mb, &es, &|i, e| {
                if let Some(Value::Array(h)) = e.pointer_mut("/request/headers") {
                    h.push(serde_json::json!({"name": "X-CSRF-Token", "value": fake_token(i)}));
                }
            });
        }
        Some("bundle") => {
            let out = PathBuf::from(&args[1]);
            let members: usize = args[2].parse().unwrap();
            let secrets: usize = args[3].parse().unwrap();
            write_bundle(&out, members, secrets);
        }
        Some("many") => {
            let dir = PathBuf::from(&args[1]);
            let count: usize = args[2].parse().unwrap();
            let es = entries(&sources(&args[3..]));
            fs::create_dir_all(&dir).unwrap();
            for j in 0..count {
                let k = 1 + j % 3;
                let mut it = (0..k).map(|x| es[(j * 7 + x) % es.len()].clone());
                write_har(&dir.join(format!("capture-{:05}.har", j)), &mut it);
            }
            eprintln!("{}: {} files", dir.display(), count);
        }
        _ => {
            eprintln!("usage: genhar big|real|tokens OUT.har SIZE_MB [SOURCES...] | genhar many OUT_DIR COUNT [SOURCES...] | genhar bundle OUT.zip MEMBERS SECRETS");
            std::process::exit(2);
        }
    }
}
