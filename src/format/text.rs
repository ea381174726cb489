//! Text documents: logs, raw HTTP dumps, curl command lines, env files, anything
//! line-oriented. Findings are located as `line:column`.

use crate::detect::text::Mode;
use crate::detect::{apply_edits, Discovered, Known, Scrubber};
use crate::engine::Engine;
use crate::finding::Finding;
use crate::session::Session;

/// Scrub a text document; returns the copy, findings and context-found secrets.
pub fn scrub(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    data: &[u8],
    known: &Known,
) -> (Vec<u8>, Vec<Finding>, Discovered) {
    scrub_with(engine, session, provenance, data, known, Mode::Plain)
}

pub fn scrub_with(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    data: &[u8],
    known: &Known,
    mode: Mode,
) -> (Vec<u8>, Vec<Finding>, Discovered) {
    let mut s = Scrubber::new(engine, session, provenance, known);
    let mut starts = vec![0usize];
    starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
    s.lines = Some(starts);
    // NUL bytes (a log after `logrotate`'s `copytruncate`, a NUL-separated
    // `/proc/PID/environ`) end what is before them, as a line break does: the text is
    // read with line breaks in their place (same offsets, lines still counted by the
    // real ones) and the copy keeps them.
    let with_nuls = data;
    let view: Vec<u8>;
    let data = if memchr::memchr(0, data).is_some() {
        view = data
            .iter()
            .map(|&b| if b == 0 { b'\n' } else { b })
            .collect();
        &view[..]
    } else {
        data
    };
    let mut edits = Vec::new();
    // A byte order mark (Notepad writes one) is not part of the first line.
    let bom = if data.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    s.text(&data[bom..], bom, mode, &mut edits);
    if mode == Mode::Plain {
        s.env_lines(data, &mut edits);
        let name = provenance.to_ascii_lowercase();
        if name.ends_with(".csv") || name.ends_with(".tsv") {
            s.csv_columns(data, 0, &mut edits);
        }
    }
    let mut out = Vec::with_capacity(data.len());
    apply_edits(with_nuls, &mut edits, &mut out);
    let pos = |f: &Finding| -> (usize, usize) {
        let mut it = f.location.split(':').map(|x| x.parse().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    };
    s.findings.sort_by_key(pos);
    (out, s.findings, s.discovered)
}
