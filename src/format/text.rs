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
    let mut edits = Vec::new();
    s.text(data, 0, mode, &mut edits);
    if mode == Mode::Plain {
        docker_log_view(&mut s, data, &mut edits);
        s.env_lines(data, &mut edits);
        let name = provenance.to_ascii_lowercase();
        if name.ends_with(".csv") || name.ends_with(".tsv") {
            s.csv_columns(data, 0, &mut edits);
        }
    }
    let mut out = Vec::with_capacity(data.len());
    apply_edits(data, &mut edits, &mut out);
    let pos = |f: &Finding| -> (usize, usize) {
        let mut it = f.location.split(':').map(|x| x.parse().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    };
    s.findings.sort_by_key(pos);
    (out, s.findings, s.discovered)
}

/// A Docker json-file log (`{"log": "…\n", "stream": …}` per line) holds one line of
/// the container's output per record: what spans lines there (a YAML `name:`/`value:`
/// pair, an SMTP exchange, a Kubernetes Secret) is in no single record. The `log`
/// strings are read again joined, as the container wrote them; what that finds is
/// redacted in the record that holds it and located on that record's line; a find
/// spanning records (a block scalar) is cut at the records' bounds. The copy's
/// verification reads the same view.
fn docker_log_view(s: &mut Scrubber, data: &[u8], edits: &mut Vec<crate::detect::Edit>) {
    use crate::codec::json::{self, Value};
    let head = data.trim_ascii_start();
    if !(head.starts_with(b"{\"log\":") || head.starts_with(b"{\"log\" :")) {
        return;
    }
    // (raw line number, column and range of the `log` string, its start in `joined`).
    let mut records: Vec<(usize, usize, std::ops::Range<usize>, usize)> = Vec::new();
    let mut joined = Vec::new();
    let mut line_start = 0;
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        let at = line_start;
        line_start += line.len() + 1;
        let Ok(Value::Obj(members)) = json::Parser::new(line, 8).parse_document() else {
            continue;
        };
        let Some(r) = members.iter().find_map(|(k, v)| match v {
            Value::Str(r) if &line[k.clone()] == b"log" => Some(r.clone()),
            _ => None,
        }) else {
            continue;
        };
        records.push((n + 1, r.start, at + r.start..at + r.end, joined.len()));
        joined.extend_from_slice(&json::decode(&line[r]));
    }
    if records.len() < 2 {
        return;
    }
    let before: std::collections::HashSet<(String, String)> = s
        .findings
        .iter()
        .map(|f| (f.location.clone(), f.fingerprint.clone()))
        .collect();
    let from = s.findings.len();
    // Findings of the joined view are located by record first (`record:offset`).
    let saved = s.lines.replace(records.iter().map(|r| r.3).collect());
    let mut found = Vec::new();
    s.text(&joined, 0, Mode::Plain, &mut found);
    s.lines = saved;
    let record_of = |at: usize| records.partition_point(|r| r.3 <= at).max(1) - 1;
    for e in found {
        // A find spanning records (a block scalar's lines) is cut at their bounds: the
        // placeholder goes where it starts, the rest of it is emptied.
        let mut k = record_of(e.start);
        let mut text = Vec::new();
        json::encode_into(e.text.as_bytes(), &mut text);
        let mut text = String::from_utf8_lossy(&text).into_owned();
        while k < records.len() && records[k].3 < e.end.max(e.start + 1) {
            let (_, _, raw, seg) = &records[k];
            let seg_end = records.get(k + 1).map_or(joined.len(), |r| r.3);
            let (ps, pe) = (e.start.max(*seg), e.end.min(seg_end));
            let map = json::offset_map(&data[raw.clone()]);
            let at = |x: usize| raw.start + map.raw_offset(x - seg);
            edits.push(crate::detect::Edit {
                start: at(ps),
                end: at(pe),
                text: std::mem::take(&mut text),
                claim: at(e.claim.clamp(ps, pe)),
            });
            k += 1;
        }
    }
    // Each new finding on its record's line and column; one already found there
    // (by reading the record alone) is not counted twice.
    let mut fresh = s.findings.split_off(from);
    for f in &mut fresh {
        let Some((r, c)) = f.location.split_once(':') else {
            continue;
        };
        let (Ok(r), Ok(c)) = (r.parse::<usize>(), c.parse::<usize>()) else {
            continue;
        };
        if let Some((line, col, _, _)) = records.get(r.wrapping_sub(1)) {
            f.location = format!("{}:{}", line, col + c);
        }
    }
    fresh.retain(|f| !before.contains(&(f.location.clone(), f.fingerprint.clone())));
    s.findings.extend(fresh);
}
