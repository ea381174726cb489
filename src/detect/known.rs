//! The secrets of a document found by their context, and every form a copy of one can
//! take: the index searched for them in every value (and in every decoded view of a
//! copy) is built here.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::Discovered;

/// Secrets found by context (a cookie value, a password field) in one document, so
/// that a copy of the same value in an unremarkable place is redacted too — in every
/// form a reader could recover it from: raw, percent-encoded (once or twice, either
/// hex case), JSON/JavaScript-escaped, as HTML character references, inside
/// base64/base64url at any alignment, and a hex secret in the other letter case (see
/// `encoded_forms`).
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// The secrets in segments, each sorted, with the index of its forms: one segment,
    /// unless secrets were added to a large set ([`Known::extend`]).
    segs: Vec<Arc<Segment>>,
    /// How many secrets, in all segments.
    len: usize,
    /// Does a secret hold a space (which a form encodes as `+`)?
    spaced: bool,
    /// The forms that hold a separator of the decoded views, built on first use.
    separator_forms: OnceLock<Box<Known>>,
    /// The forms the decoded views search for, when some are long (see
    /// [`Known::view_forms`]), built on first use.
    view_forms: OnceLock<Box<Known>>,
}

/// Some of the secrets, sorted, and the index of their forms. The segments derived
/// from it (the forms with a separator, the view forms) are built once each, however
/// many times the set it is part of grows.
#[derive(Debug)]
struct Segment {
    secrets: Vec<(Vec<u8>, String)>,
    /// Every form of every secret; None when there is no secret.
    index: Option<Index>,
    separator: OnceLock<Arc<Segment>>,
    view: OnceLock<Arc<Segment>>,
}

/// Up to this many secrets, [`Known::extend`] keeps one segment (the set is built
/// again whole, as [`Known::new`] builds it).
const ONE_SEGMENT: usize = 4096;

/// A secret with a form longer than [`VIEW_FORM_MAX`] bytes is searched for in the
/// decoded views by its last `VIEW_SUFFIX` bytes, in every form.
const VIEW_SUFFIX: usize = 48;
/// The longest form of `VIEW_SUFFIX` bytes: a byte takes at most 6 (`&#x2F;`,
/// `\u002f`).
const VIEW_FORM_MAX: usize = 6 * VIEW_SUFFIX;
#[cfg(test)]
pub(crate) const VIEW_FORM_MAX_FOR_TESTS: usize = VIEW_FORM_MAX;

/// The forms of the known secrets, sorted, and a bitmap of where one may start.
///
/// A set of forms is built for every small file and for every batch of a big one
/// that discovers a secret (a large set only for the batch's new secrets, as a segment:
/// [`Known::extend`]), so building it must cost little more than sorting the forms: no
/// automaton (an Aho-Corasick automaton of a thousand secrets' forms took 56 MB to
/// build and a few percent of a whole run to rebuild, batch after batch).
///
/// A search checks each position of the haystack against the bitmap of hashed first
/// bytes (a load, a multiply and a bit test); most positions miss it. At a position it
/// lets through, a binary search finds the greatest form not above the haystack from
/// there, and the form's chain of prefixes (each form's longest proper prefix that is
/// also a form) gives the longest form the haystack starts with. Every form that is a
/// prefix of the haystack sorts between it and the haystack, so it is a prefix of the
/// form the binary search lands on: the chain holds them all.
#[derive(Debug, Clone)]
struct Index {
    /// The forms' bytes, one after the other.
    bytes: Vec<u8>,
    /// Each form (in sorted order): its start in `bytes`, its length, the index of the
    /// secret it is a form of, and its longest proper prefix that is a form.
    forms: Vec<Form>,
    /// How many first bytes are hashed: the shortest form, at most 8.
    width: usize,
    /// Length of the longest form.
    longest: usize,
    /// log2 of the bitmap's size in bits: sized by the number of forms.
    hash_bits: u32,
    bits: Vec<u64>,
    /// The bytes the forms hold, a bit each.
    held: [u64; 4],
    /// How far a window of the shortest form's length may move on, by the hash of its
    /// last three bytes (the Wu-Manber shift table; None for forms under 6 bytes).
    shift: Option<Shift>,
    /// The first `width` bytes of every form, when there are too many forms for the
    /// bitmap to stay sparse (a capture that reveals a new token on every request:
    /// tens of thousands of secrets). A position the full bitmap passes is looked up
    /// here before the binary search.
    heads: Option<HashSet<u64, foldhash::fast::RandomState>>,
}

/// Forms above which the bitmap (at its largest) holds more than one form in 512 bits
/// and the index also keeps [`Index::heads`].
const SPARSE_FORMS: usize = (1 << Index::BITS) / 512;

/// Wu-Manber skipping: a window of `m` bytes (the shortest form, at most 64) can only
/// start a form when its last three bytes are three bytes of some form's first `m`
/// that end `m` bytes in; otherwise it moves on by the least distance that could make
/// them so. Most windows of ordinary text move on by several bytes without a look at
/// the bitmap.
#[derive(Debug, Clone)]
struct Shift {
    m: usize,
    /// log2 of the table's size: sized by the number of three-byte groups it holds
    /// (a small set of secrets, as in most small files, needs no 64 KiB table to build,
    /// zero and search).
    bits: u32,
    table: Box<[u8]>,
}

impl Shift {
    const Q: usize = 3;
    /// The most `bits` can be: 64 KiB.
    const BITS: u32 = 16;

    fn new(forms: &[(Vec<u8>, usize)], m: usize) -> Option<Shift> {
        let m = m.min(64);
        if m < 2 * Self::Q {
            return None;
        }
        let most = (m - Self::Q + 1) as u8;
        // About one group in eight slots or fewer, as the 64 KiB table has for a set
        // of a thousand forms.
        let groups = forms.len().saturating_mul(m - Self::Q + 1);
        let bits = table_bits(groups.saturating_mul(8), 10, Self::BITS);
        let mut table = vec![most; 1 << bits].into_boxed_slice();
        for (f, _) in forms {
            for j in 0..=m - Self::Q {
                let h = Self::hash(&f[j..], bits);
                table[h] = table[h].min((m - Self::Q - j) as u8);
            }
        }
        Some(Shift { m, bits, table })
    }

    /// The hash of the three bytes `g` starts with, `bits` wide.
    #[inline]
    fn hash(g: &[u8], bits: u32) -> usize {
        let x = match g.first_chunk::<4>() {
            Some(&w) => u32::from_le_bytes(w) & 0x00FF_FFFF,
            None => u32::from(g[0]) | u32::from(g[1]) << 8 | u32::from(g[2]) << 16,
        };
        (x.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize
    }

    /// The first window start from `pos` on whose last three bytes may end a form's
    /// first `m` bytes; `None` when no window of `m` bytes is left in `hay`.
    #[inline]
    fn skip(&self, hay: &[u8], mut pos: usize) -> Option<usize> {
        loop {
            let g = pos + self.m - Self::Q;
            let w = hay.get(g..).filter(|w| w.len() >= Self::Q)?;
            let by = self.table[Self::hash(w, self.bits)];
            if by == 0 {
                return Some(pos);
            }
            pos += usize::from(by);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Form {
    start: u32,
    len: u32,
    owner: u32,
    prefix: u32,
}

const NONE: u32 = u32::MAX;

/// log2 of a table for `want` slots: the next power of two, within `min..=max`.
fn table_bits(want: usize, min: u32, max: u32) -> u32 {
    want.max(1)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(min, max)
}

impl Index {
    /// The most `hash_bits` can be: 128 KiB.
    const BITS: u32 = 20;

    /// `forms`: (form, owner), deduplicated, none empty.
    fn new(mut forms: Vec<(Vec<u8>, usize)>) -> Option<Index> {
        forms.sort_unstable();
        let width = forms.iter().map(|(f, _)| f.len()).min()?.min(8);
        let longest = forms.iter().map(|(f, _)| f.len()).max()?;
        // One form in 512 bits or fewer: a position of the haystack that passes the
        // bitmap costs a binary search, so it is kept sparse; but it is zeroed at every
        // build, and a small set needs no 128 KiB of it.
        let hash_bits = table_bits(forms.len().saturating_mul(512), 12, Self::BITS);
        let mut ix = Index {
            bytes: Vec::with_capacity(forms.iter().map(|(f, _)| f.len()).sum()),
            forms: Vec::with_capacity(forms.len()),
            width,
            longest,
            hash_bits,
            bits: vec![0; (1 << hash_bits) / 64],
            held: [0; 4],
            shift: Shift::new(&forms, forms.iter().map(|(f, _)| f.len()).min()?),
            heads: None,
        };
        if forms.len() > SPARSE_FORMS {
            let heads = forms.iter().map(|(f, _)| ix.head(f, 0)).collect();
            ix.heads = Some(heads);
        }
        // The prefixes of the form being added, innermost last.
        let mut chain: Vec<u32> = Vec::new();
        for (f, owner) in &forms {
            while let Some(&top) = chain.last() {
                if f.starts_with(ix.form(top)) {
                    break;
                }
                chain.pop();
            }
            let h = ix.hash(f, 0);
            ix.bits[h / 64] |= 1 << (h % 64);
            let i = ix.forms.len() as u32;
            ix.forms.push(Form {
                start: ix.bytes.len() as u32,
                len: f.len() as u32,
                owner: *owner as u32,
                prefix: chain.last().copied().unwrap_or(NONE),
            });
            ix.bytes.extend_from_slice(f);
            for &b in f {
                ix.held[usize::from(b / 64)] |= 1 << (b % 64);
            }
            chain.push(i);
        }
        Some(ix)
    }

    fn form(&self, i: u32) -> &[u8] {
        let f = self.forms[i as usize];
        &self.bytes[f.start as usize..(f.start + f.len) as usize]
    }

    /// The `width` bytes at `at` (`at + width <= hay.len()`), as a number.
    #[inline]
    fn head(&self, hay: &[u8], at: usize) -> u64 {
        let n = self.width;
        match hay.get(at..at + 8) {
            Some(b) => {
                u64::from_le_bytes(b.try_into().expect("8 bytes")) & (u64::MAX >> (64 - 8 * n))
            }
            None => {
                let mut w = [0u8; 8];
                w[..n].copy_from_slice(&hay[at..at + n]);
                u64::from_le_bytes(w)
            }
        }
    }

    /// The bitmap slot of the `width` bytes at `at`.
    #[inline]
    fn hash(&self, hay: &[u8], at: usize) -> usize {
        self.slot(self.head(hay, at))
    }

    #[inline]
    fn slot(&self, head: u64) -> usize {
        (head.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.hash_bits)) as usize
    }

    /// The longest form `hay[at..]` starts with.
    fn longest_at(&self, hay: &[u8], at: usize) -> Option<u32> {
        let s = &hay[at..hay.len().min(at + self.longest)];
        let above = self
            .forms
            .partition_point(|f| &self.bytes[f.start as usize..(f.start + f.len) as usize] <= s);
        let mut i = u32::try_from(above.checked_sub(1)?).ok()?;
        let f = self.form(i);
        let common = f.iter().zip(s).take_while(|(a, b)| a == b).count();
        while self.forms[i as usize].len as usize > common {
            i = self.forms[i as usize].prefix;
            if i == NONE {
                return None;
            }
        }
        Some(i)
    }

    /// The leftmost-longest, non-overlapping forms in `hay`: (start, end, form).
    fn matches<'a>(&'a self, hay: &'a [u8]) -> impl Iterator<Item = (usize, usize, u32)> + 'a {
        let mut pos = 0;
        std::iter::from_fn(move || {
            let (at, i) = self.next_from(hay, pos)?;
            let end = at + self.forms[i as usize].len as usize;
            pos = end;
            Some((at, end, i))
        })
    }

    /// The first position from `pos` on where a form starts, and the longest form
    /// starting there.
    fn next_from(&self, hay: &[u8], mut pos: usize) -> Option<(usize, u32)> {
        {
            let last = hay.len().checked_sub(self.width)?;
            while pos <= last {
                if let Some(sh) = &self.shift {
                    // No form fits past the end.
                    pos = sh.skip(hay, pos)?;
                }
                let at = pos;
                pos += 1;
                let head = self.head(hay, at);
                let h = self.slot(head);
                if self.bits[h / 64] & (1 << (h % 64)) == 0 {
                    continue;
                }
                if self.heads.as_ref().is_some_and(|s| !s.contains(&head)) {
                    continue;
                }
                if let Some(i) = self.longest_at(hay, at) {
                    return Some((at, i));
                }
            }
            None
        }
    }
}

impl Segment {
    /// `secrets`: sorted, without duplicates.
    fn new(secrets: Vec<(Vec<u8>, String)>) -> Segment {
        let mut forms: HashMap<Vec<u8>, usize> = HashMap::new();
        for (i, (s, _)) in secrets.iter().enumerate() {
            for f in std::iter::once(s.clone()).chain(encoded_forms(s)) {
                if !f.is_empty() {
                    // The first secret (in sorted order) owns a form two share.
                    forms.entry(f).or_insert(i);
                }
            }
        }
        Segment::with_forms(secrets, forms.into_iter().collect())
    }

    fn with_forms(secrets: Vec<(Vec<u8>, String)>, forms: Vec<(Vec<u8>, usize)>) -> Segment {
        Segment {
            secrets,
            index: Index::new(forms),
            separator: OnceLock::new(),
            view: OnceLock::new(),
        }
    }

    fn longest(&self) -> usize {
        self.index.as_ref().map_or(0, |ix| ix.longest)
    }

    /// The same secrets, with only the forms that hold one of the bytes `bytes` marks.
    fn holding(&self, bytes: &[bool; 256]) -> Segment {
        let forms = self.index.as_ref().map_or_else(Vec::new, |ix| {
            (0..ix.forms.len() as u32)
                .map(|i| (ix.form(i), ix.forms[i as usize].owner as usize))
                .filter(|(f, _)| f.iter().any(|&b| bytes[usize::from(b)]))
                .map(|(f, owner)| (f.to_vec(), owner))
                .collect()
        });
        Segment::with_forms(self.secrets.clone(), forms)
    }

    /// See [`Known::view_forms`].
    fn view_forms(&self) -> Segment {
        let mut forms: HashMap<Vec<u8>, usize> = HashMap::new();
        for (i, (s, _)) in self.secrets.iter().enumerate() {
            let all: Vec<Vec<u8>> = std::iter::once(s.clone()).chain(encoded_forms(s)).collect();
            let long = s.len() > VIEW_SUFFIX
                && !s.iter().all(u8::is_ascii_digit)
                && all.iter().any(|f| f.len() > VIEW_FORM_MAX);
            let all = if long {
                let end = &s[s.len() - VIEW_SUFFIX..];
                std::iter::once(end.to_vec())
                    .chain(encoded_forms(end))
                    .collect()
            } else {
                all
            };
            for f in all {
                if !f.is_empty() {
                    forms.entry(f).or_insert(i);
                }
            }
        }
        Segment::with_forms(self.secrets.clone(), forms.into_iter().collect())
    }

    /// The secret and kind a match of form `form` is of.
    fn owner(&self, form: u32) -> &(Vec<u8>, String) {
        let ix = self.index.as_ref().expect("a match comes from an index");
        &self.secrets[ix.forms[form as usize].owner as usize]
    }
}

/// The derived segment `cell` caches (built by `make`), or `seg` itself when `same`.
fn derived(
    seg: &Arc<Segment>,
    same: bool,
    cell: &OnceLock<Arc<Segment>>,
    make: impl FnOnce() -> Segment,
) -> Arc<Segment> {
    if same {
        return Arc::clone(seg);
    }
    Arc::clone(cell.get_or_init(|| Arc::new(make())))
}

impl Known {
    pub fn new(map: &Discovered) -> Self {
        let mut secrets: Vec<(Vec<u8>, String)> =
            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        secrets.sort();
        if secrets.is_empty() {
            return Known::default();
        }
        Known::of(vec![Arc::new(Segment::new(secrets))])
    }

    fn of(segs: Vec<Arc<Segment>>) -> Known {
        Known {
            len: segs.iter().map(|s| s.secrets.len()).sum(),
            spaced: segs
                .iter()
                .any(|g| g.secrets.iter().any(|(s, _)| s.contains(&b' '))),
            segs,
            separator_forms: OnceLock::new(),
            view_forms: OnceLock::new(),
        }
    }

    /// Know the secrets of `new` too (those not known yet). A set of up to
    /// [`ONE_SEGMENT`] secrets is built again whole, exactly as [`Known::new`] builds
    /// it. A larger one gets the new secrets as a segment of their own, merged with the
    /// segments before it while they are no more than twice its size: each secret is
    /// built into a segment about log2(n) times in all, not once for every batch that
    /// discovers one (a capture revealing a new token on every request made that
    /// quadratic), and a search reads about log2(n) segments at most.
    pub fn extend<'a>(&mut self, new: impl IntoIterator<Item = (&'a Vec<u8>, &'a String)>) {
        self.extend_past(new, ONE_SEGMENT);
    }

    /// [`Known::extend`], keeping one segment up to `one_segment` secrets.
    fn extend_past<'a>(
        &mut self,
        new: impl IntoIterator<Item = (&'a Vec<u8>, &'a String)>,
        one_segment: usize,
    ) {
        let mut add: Vec<(Vec<u8>, String)> = new
            .into_iter()
            .filter(|(k, _)| self.kind_of(k).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if add.is_empty() {
            return;
        }
        add.sort();
        add.dedup_by(|a, b| a.0 == b.0);
        let whole = self.len + add.len() <= one_segment;
        let mut segs = std::mem::take(&mut self.segs);
        while let Some(last) = segs.last() {
            if !whole && last.secrets.len() > 2 * add.len() {
                break;
            }
            add.extend(last.secrets.iter().cloned());
            segs.pop();
        }
        add.sort();
        segs.push(Arc::new(Segment::new(add)));
        *self = Known::of(segs);
    }

    /// The same secrets, with only the forms that hold a separator of the decoded views
    /// ([`super::views::SEPARATOR`]): the only forms that can match across one.
    pub fn separator_forms(&self) -> &Known {
        self.separator_forms.get_or_init(|| {
            Box::new(Known::of(
                self.segs
                    .iter()
                    .map(|g| {
                        derived(g, false, &g.separator, || {
                            g.holding(&super::views::SEPARATOR)
                        })
                    })
                    .collect(),
            ))
        })
    }

    /// The forms the decoded views search for: these, unless a form is longer than
    /// [`VIEW_FORM_MAX`] bytes. Then each secret with such a form is searched for by
    /// its last [`VIEW_SUFFIX`] bytes instead, in every form: every encoding maps a
    /// secret byte by byte (base64 at every alignment), so any copy of the secret in
    /// any form holds the same form of its end. The views search a window around each
    /// escape as far as twice the longest form reaches: one cookie of a kilobyte made
    /// every window of a copy 3 KB wide each side. (A JWT keeps its header and payload
    /// in a copy, its signature never; no secret keeps its end.) A secret of digits
    /// only keeps its forms: a number is only found whole.
    pub fn view_forms(&self) -> &Known {
        if self.longest() <= VIEW_FORM_MAX {
            return self;
        }
        self.view_forms.get_or_init(|| {
            Box::new(Known::of(
                self.segs
                    .iter()
                    .map(|g| derived(g, g.longest() <= VIEW_FORM_MAX, &g.view, || g.view_forms()))
                    .collect(),
            ))
        })
    }

    /// Does a known secret hold a space?
    pub fn spaced(&self) -> bool {
        self.spaced
    }

    /// Does any form (raw or encoded) of a known secret hold the byte `b`?
    pub fn in_a_form(&self, b: u8) -> bool {
        self.segs.iter().any(|g| {
            g.index
                .as_ref()
                .is_some_and(|ix| ix.held[usize::from(b / 64)] & 1 << (b % 64) != 0)
        })
    }

    /// Length of the longest form (raw or encoded) of a known secret.
    pub fn longest(&self) -> usize {
        self.segs.iter().map(|g| g.longest()).max().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The kind a secret was discovered under.
    pub fn kind_of(&self, v: &[u8]) -> Option<&str> {
        self.segs.iter().find_map(|g| {
            g.secrets
                .binary_search_by(|(s, _)| s.as_slice().cmp(v))
                .ok()
                .map(|i| g.secrets[i].1.as_str())
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Every known secret and the kind it was discovered under.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = (&[u8], &str)> {
        self.segs
            .iter()
            .flat_map(|g| g.secrets.iter().map(|(s, k)| (s.as_slice(), k.as_str())))
    }

    /// The kind of the first known secret (in any of its forms) found in `hay`.
    pub fn first_in<'a>(&'a self, hay: &'a [u8]) -> Option<&'a str> {
        self.first_at(hay).map(|(_, k)| k)
    }

    /// Where the first known secret (in any of its forms) is in `hay`, and its kind.
    pub fn first_at<'a>(&'a self, hay: &'a [u8]) -> Option<(usize, &'a str)> {
        self.find_all(hay).next().map(|(s, _, _, k)| (s, k))
    }

    /// Every occurrence of a known secret in any of its forms, leftmost-longest and
    /// not overlapping: (start, end, the secret, its kind).
    pub(crate) fn find_all<'a>(
        &'a self,
        hay: &'a [u8],
    ) -> impl Iterator<Item = (usize, usize, &'a [u8], &'a str)> + 'a {
        let hits = match self.segs.as_slice() {
            [] => Hits::None,
            [one] => Hits::One(
                one,
                one.index
                    .as_ref()
                    .map(|ix| ix.matches(hay))
                    .into_iter()
                    .flatten(),
            ),
            many => Hits::Many(Merged::new(many, hay)),
        };
        hits.filter_map(move |(start, end, (s, k))| {
            // A numeric secret (a PIN, a numeric password) only as a whole number,
            // not inside a longer one (a timestamp, an id) nor inside a hex string
            // (an ETag, a hash: 16 hex digits or more, a letter among them).
            let digit = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_digit());
            if s.iter().all(u8::is_ascii_digit)
                && (digit(start.checked_sub(1).and_then(|i| hay.get(i)))
                    || digit(hay.get(end))
                    || in_hex_string(hay, start, end))
            {
                return None;
            }
            Some((start, end, s.as_slice(), k.as_str()))
        })
    }
}

/// Secrets in the order a pass discovered them, asked which were discovered from the
/// `g`-th on ([`Births::from`]): a repair asks it for every batch, about the secrets
/// discovered after the batch was first written.
pub struct Births {
    /// Secret and kind, in the order of discovery.
    secrets: Vec<(Vec<u8>, String)>,
    /// Aligned blocks of `secrets`: (log2 of the size, start / size) → their segment,
    /// built on first use.
    blocks: HashMap<(u32, usize), Arc<Segment>>,
}

impl Births {
    pub fn new(secrets: Vec<(Vec<u8>, String)>) -> Births {
        Births {
            secrets,
            blocks: HashMap::new(),
        }
    }

    /// The secrets discovered from the `g`-th on. Up to [`ONE_SEGMENT`] of them, one
    /// segment built for the question (as [`Known::new`] would). Beyond, the aligned
    /// blocks of 2^k secrets that cover them, each built once and kept: one index of
    /// the later secrets for each batch made a repair quadratic in the number of
    /// secrets; a block is built at most once per size, and an answer reads at most
    /// 2·log2(n) of them.
    pub fn from(&mut self, g: usize) -> Known {
        let n = self.secrets.len();
        if g >= n {
            return Known::default();
        }
        if n <= ONE_SEGMENT {
            let mut later = self.secrets[g..].to_vec();
            later.sort();
            later.dedup_by(|a, b| a.0 == b.0);
            return Known::of(vec![Arc::new(Segment::new(later))]);
        }
        // A repair asks about later and later secrets: blocks that start before `g`
        // are dropped (asked again, they would be built again).
        self.blocks.retain(|&(k, i), _| i << k >= g);
        let top = usize::BITS - 1 - n.leading_zeros();
        let mut segs = Vec::new();
        let mut pos = g;
        while pos < n {
            let mut k = pos.trailing_zeros().min(top);
            while pos + (1 << k) > n {
                k -= 1;
            }
            let block = &self.secrets[pos..pos + (1 << k)];
            let seg = self.blocks.entry((k, pos >> k)).or_insert_with(|| {
                let mut b = block.to_vec();
                b.sort();
                b.dedup_by(|a, b| a.0 == b.0);
                Arc::new(Segment::new(b))
            });
            segs.push(Arc::clone(seg));
            pos += 1 << k;
        }
        Known::of(segs)
    }
}

/// The matches of one segment's index, or of several merged.
enum Hits<'a, I> {
    None,
    One(&'a Segment, I),
    Many(Merged<'a>),
}

impl<'a, I: Iterator<Item = (usize, usize, u32)>> Iterator for Hits<'a, I> {
    type Item = (usize, usize, &'a (Vec<u8>, String));

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Hits::None => None,
            Hits::One(g, it) => it.next().map(|(s, e, f)| (s, e, g.owner(f))),
            Hits::Many(m) => m.next(),
        }
    }
}

/// The leftmost-longest, non-overlapping matches of several segments together: what
/// one index of all their forms would find. Each segment's next match at or after the
/// end of the last one is kept; the leftmost of them (the longest there, then the
/// one whose secret sorts first) is the next.
struct Merged<'a> {
    segs: &'a [Arc<Segment>],
    hay: &'a [u8],
    next: Vec<Option<(usize, u32)>>,
}

impl<'a> Merged<'a> {
    fn new(segs: &'a [Arc<Segment>], hay: &'a [u8]) -> Merged<'a> {
        let next = segs
            .iter()
            .map(|g| g.index.as_ref().and_then(|ix| ix.next_from(hay, 0)))
            .collect();
        Merged { segs, hay, next }
    }

    fn end(&self, seg: usize, at: usize, form: u32) -> usize {
        let ix = self.segs[seg]
            .index
            .as_ref()
            .expect("a match comes from an index");
        at + ix.forms[form as usize].len as usize
    }
}

impl<'a> Iterator for Merged<'a> {
    type Item = (usize, usize, &'a (Vec<u8>, String));

    fn next(&mut self) -> Option<Self::Item> {
        let mut best: Option<(usize, usize, usize, u32)> = None;
        for (g, n) in self.next.iter().enumerate() {
            let Some((at, form)) = *n else { continue };
            let end = self.end(g, at, form);
            // The same bytes are the same form: the first secret in sorted order owns
            // a form two share, as in one index.
            let better = best.is_none_or(|(s, e, bg, bf)| {
                (at, std::cmp::Reverse(end)) < (s, std::cmp::Reverse(e))
                    || ((at, end) == (s, e)
                        && self.segs[g].owner(form).0 < self.segs[bg].owner(bf).0)
            });
            if better {
                best = Some((at, end, g, form));
            }
        }
        let (start, end, g, form) = best?;
        for (j, n) in self.next.iter_mut().enumerate() {
            if n.is_some_and(|(at, _)| at < end) {
                *n = self.segs[j]
                    .index
                    .as_ref()
                    .and_then(|ix| ix.next_from(self.hay, end));
            }
        }
        Some((start, end, self.segs[g].owner(form)))
    }
}

/// Is `hay[start..end]` part of a run of 16 or more hex digits holding a letter?
fn in_hex_string(hay: &[u8], start: usize, end: usize) -> bool {
    let before = hay[..start]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let after = hay[end..]
        .iter()
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let run = &hay[start - before..end + after];
    run.len() >= 16 && run.iter().any(u8::is_ascii_alphabetic)
}

pub fn encoded_forms(s: &[u8]) -> Vec<Vec<u8>> {
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use base64::Engine as _;
    let special = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let mut out: Vec<Vec<u8>> = Vec::new();
    let map = |f: &dyn Fn(u8) -> Option<String>| -> Vec<u8> {
        let mut v = Vec::with_capacity(s.len() * 2);
        for &b in s {
            match f(b) {
                Some(e) => v.extend_from_slice(e.as_bytes()),
                None => v.push(b),
            }
        }
        v
    };
    if s.iter().any(|&b| special(b)) {
        let upper = map(&|b| special(b).then(|| format!("%{b:02X}")));
        out.push(lower_hex(&upper));
        // Twice: `%` itself encoded.
        let mut twice = Vec::new();
        for &b in &upper {
            if b == b'%' {
                twice.extend_from_slice(b"%25");
            } else {
                twice.push(b);
            }
        }
        out.push(twice);
        out.push(upper);
        // Only what a query value must encode (`/`, `:` and `@` often stay).
        let query = |b: u8| matches!(b, b'+' | b'=' | b'&' | b'#' | b'%' | b' ' | b'?' | b'"');
        out.push(map(&|b| query(b).then(|| format!("%{b:02X}"))));
        out.push(map(&|b| match b {
            b' ' => Some("+".into()),
            b if query(b) => Some(format!("%{b:02X}")),
            _ => None,
        }));
        out.push(map(&|b| (b == b'/').then(|| "\\/".into())));
        out.push(map(&|b| special(b).then(|| format!("\\u{:04x}", b))));
        out.push(map(&|b| special(b).then(|| format!("\\u{:04X}", b))));
        out.push(map(&|b| special(b).then(|| format!("\\x{:02x}", b))));
        out.push(map(&|b| special(b).then(|| format!("\\x{:02X}", b))));
        out.push(map(&|b| special(b).then(|| format!("&#x{:X};", b))));
        out.push(map(&|b| special(b).then(|| format!("&#x{:x};", b))));
        out.push(map(&|b| special(b).then(|| format!("&#{};", b))));
        out.push(map(&|b| match b {
            b'&' => Some("&amp;".into()),
            b'"' => Some("&quot;".into()),
            b'<' => Some("&lt;".into()),
            b'>' => Some("&gt;".into()),
            _ => None,
        }));
    }
    if s.len() >= 12 {
        for k in 0..3usize {
            let mut buf = vec![0u8; k];
            buf.extend_from_slice(s);
            let enc = STANDARD_NO_PAD.encode(&buf);
            let from = (8 * k).div_ceil(6);
            let to = 8 * (k + s.len()) / 6;
            if to > from + 8 {
                let core = enc.as_bytes()[from..to].to_vec();
                let url: Vec<u8> = core
                    .iter()
                    .map(|&b| match b {
                        b'+' => b'-',
                        b'/' => b'_',
                        b => b,
                    })
                    .collect();
                out.push(core);
                out.push(url);
            }
        }
    }
    // A hex secret (a session id, an API key) is the same value in either case, and
    // frameworks print it in the other (`A1B2…` in the cookie, `a1b2…` in a log).
    let hex_digits = s.iter().filter(|b| b.is_ascii_hexdigit()).count();
    if hex_digits >= 16
        && s.iter().all(|&b| b.is_ascii_hexdigit() || b == b'-')
        && s.iter().any(u8::is_ascii_alphabetic)
    {
        out.push(s.to_ascii_lowercase());
        out.push(s.to_ascii_uppercase());
    }
    out.retain(|f| f.as_slice() != s);
    out
}

/// `%XX` escapes with lowercase hex digits.
fn lower_hex(v: &[u8]) -> Vec<u8> {
    let mut v = v.to_vec();
    let mut i = 0;
    while i + 2 < v.len() {
        if v[i] == b'%' {
            v[i + 1] = v[i + 1].to_ascii_lowercase();
            v[i + 2] = v[i + 2].to_ascii_lowercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A haystack of pieces: for each `(what, cut)`, the first `cut` bytes (at least
    /// one) of a form of one of `secrets`, or a piece of noise.
    fn haystack(secrets: &[&str], noise: &[&str], parts: &[(usize, usize)]) -> Vec<u8> {
        let forms: Vec<Vec<u8>> = secrets
            .iter()
            .flat_map(|s| std::iter::once(s.as_bytes().to_vec()).chain(encoded_forms(s.as_bytes())))
            .collect();
        let mut hay = Vec::new();
        for &(what, cut) in parts {
            match forms.get(what) {
                Some(f) => hay.extend_from_slice(&f[..f.len().min(cut.max(1))]),
                None => hay.extend_from_slice(noise[what % noise.len()].as_bytes()),
            }
        }
        hay
    }

    fn runner(cases: u32) -> proptest::test_runner::TestRunner {
        proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })
    }

    /// The index finds what a leftmost-longest Aho-Corasick automaton of the same forms
    /// finds, on haystacks of secrets' forms, their prefixes and noise, with sets whose
    /// shortest form hashes 8, 4 or 3 bytes, and forms that are prefixes of others.
    #[test]
    fn index_finds_what_an_automaton_finds() {
        use proptest::prelude::*;
        let sets: [&[&str]; 5] = [
            &[
                "Zq8/Lw+t3Rk=9mXp2Vb7",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                "s3cr3tPass",
            ],
            &["4821", "correct horse", "abcd"],
            &["123", "tok_live_abcdefghijkl"],
            &[
                "abcdefgh",
                "abcdefghijkl",
                "abcdefghij",
                "abcdefghijkm",
                "abcdeXgh",
            ],
            &[
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lu",
                "Zq8/Lw+t3Rk=9mXp2Vb7Yy0",
            ],
        ];
        let noise = [
            "x", "%2F", " ", "Zq8", "eyJ", "\\/", "&#x2F;", "1234", "abc",
        ];
        let case = (
            0..sets.len(),
            proptest::collection::vec((0..20usize, 0..40usize), 0..60),
        );
        runner(500)
            .run(&case, |(set, parts)| {
                let map: Discovered = sets[set]
                    .iter()
                    .map(|s| (s.as_bytes().to_vec(), "token".to_string()))
                    .collect();
                let k = Known::new(&map);
                let hay = haystack(sets[set], &noise, &parts);
                let ix = k.segs[0].index.as_ref().unwrap();
                let patterns: Vec<&[u8]> = (0..ix.forms.len() as u32).map(|i| ix.form(i)).collect();
                let ac = aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .unwrap();
                let fast: Vec<_> = ix
                    .matches(&hay)
                    .map(|(s, e, i)| (s, e, i as usize))
                    .collect();
                let plain: Vec<_> = ac
                    .find_iter(&hay)
                    .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                    .collect();
                prop_assert_eq!(fast, plain);
                Ok(())
            })
            .unwrap();
        let width = |s: &[u8]| {
            Known::new(&[(s.to_vec(), "t".to_string())].into()).segs[0]
                .index
                .as_ref()
                .unwrap()
                .width
        };
        assert_eq!(width(b"Zq8/Lw+t3Rk"), 8);
        assert_eq!(width(b"123"), 3);
    }

    /// A set grown batch by batch into several segments finds what one index of the
    /// whole set finds: the same leftmost-longest matches, the same secrets, kinds,
    /// forms and lengths; and the segments stay few.
    #[test]
    fn a_set_in_segments_finds_what_the_whole_set_finds() {
        use proptest::prelude::*;
        let secrets = [
            "Zq8/Lw+t3Rk=9mXp2Vb7",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
            "s3cr3tPass",
            "abcdefgh",
            "abcdefghijkl",
            "abcdefghij",
            "abcdefghijkm",
            "4821",
            "correct horse",
            "tok_live_abcdefghijkl",
            "Aa1b2C3d4E5f6A7b8C9d",
        ];
        let noise = [
            "x", "%2F", " ", "Zq8", "eyJ", "\\/", "&#x2F;", "1234", "abc", "+",
        ];
        let case = (
            proptest::collection::vec(0..4usize, secrets.len()),
            proptest::collection::vec((0..40usize, 0..40usize), 0..50),
        );
        runner(400)
            .run(&case, |(batch_of, parts)| {
                let kind = |i: usize| format!("kind{}", i % 3);
                let all: Discovered = secrets
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.as_bytes().to_vec(), kind(i)))
                    .collect();
                let whole = Known::new(&all);
                let mut grown = Known::default();
                for b in 0..4 {
                    let batch: Discovered = secrets
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| batch_of[*i] == b)
                        .map(|(i, s)| (s.as_bytes().to_vec(), kind(i)))
                        .collect();
                    grown.extend_past(&batch, 0);
                }
                prop_assert_eq!(grown.len(), whole.len());
                prop_assert!(grown.segs.len() <= 4);
                let hay = haystack(&secrets, &noise, &parts);
                let found = |k: &Known| {
                    k.find_all(&hay)
                        .map(|(s, e, v, k)| (s, e, v.to_vec(), k.to_string()))
                        .collect::<Vec<_>>()
                };
                prop_assert_eq!(found(&grown), found(&whole));
                for k in [grown.separator_forms(), grown.view_forms()] {
                    prop_assert_eq!(k.len(), whole.len());
                }
                prop_assert_eq!(
                    found(grown.separator_forms()),
                    found(whole.separator_forms())
                );
                prop_assert_eq!(grown.longest(), whole.longest());
                prop_assert_eq!(grown.spaced(), whole.spaced());
                for b in 0..=255u8 {
                    prop_assert_eq!(grown.in_a_form(b), whole.in_a_form(b));
                }
                for (s, k) in whole.secrets() {
                    prop_assert_eq!(grown.kind_of(s), Some(k));
                }
                Ok(())
            })
            .unwrap();
        // Up to the threshold, one segment: the set `Known::new` builds.
        let mut k = Known::default();
        for s in &secrets {
            k.extend(&Discovered::from([(
                s.as_bytes().to_vec(),
                "t".to_string(),
            )]));
        }
        assert_eq!((k.segs.len(), k.len()), (1, secrets.len()));
        // Past it, a segment per batch, merged while the one before is no more than
        // twice its size: 1,000 batches of one secret each leave a few segments, each
        // more than twice the size of the next, not 1,000.
        let mut k = Known::default();
        for i in 0..1000 {
            let s = format!("tok{i:06}abcdefghijkl");
            k.extend_past(&Discovered::from([(s.into_bytes(), "t".to_string())]), 0);
        }
        assert_eq!(k.len(), 1000);
        assert!(k.segs.len() <= 10, "{} segments", k.segs.len());
        for w in k.segs.windows(2) {
            assert!(w[0].secrets.len() > 2 * w[1].secrets.len());
        }
        let hay = b"x tok000123abcdefghijkl y tok000999abcdefghijkl";
        assert_eq!(
            k.find_all(hay)
                .map(|(s, e, _, _)| (s, e))
                .collect::<Vec<_>>(),
            [(2, 23), (26, 47)]
        );
    }

    /// The secrets discovered from the g-th on, asked of a large set in blocks, are
    /// those secrets: found as one index of them finds them, and no earlier one.
    #[test]
    fn births_answer_with_the_later_secrets_only() {
        let secret = |i: usize| format!("tok{i:06}abcdefghijkl");
        let n = ONE_SEGMENT + 1000;
        let mut births = Births::new(
            (0..n)
                .map(|i| (secret(i).into_bytes(), format!("k{}", i % 5)))
                .collect(),
        );
        for g in [0, 1, 7, 1000, 4095, 4096, 4097, n - 1, n] {
            let later = births.from(g);
            assert_eq!(later.len(), n - g);
            let whole = Known::new(
                &(g..n)
                    .map(|i| (secret(i).into_bytes(), format!("k{}", i % 5)))
                    .collect(),
            );
            let hay: Vec<u8> = [0, g.saturating_sub(1), g, (g + n) / 2, n - 1]
                .iter()
                .flat_map(|&i| format!("<{}>", secret(i)).into_bytes())
                .collect();
            let found = |k: &Known| {
                k.find_all(&hay)
                    .map(|(s, e, v, k)| (s, e, v.to_vec(), k.to_string()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(found(&later), found(&whole), "from {g}");
            assert!(later.segs.len() <= 2 * 14, "{} segments", later.segs.len());
            if g > 0 {
                assert!(later.kind_of(secret(g - 1).as_bytes()).is_none());
            }
        }
        // Each block is built once while the questions move on; those that start
        // before the last question are dropped.
        births.from(1);
        let built = births.blocks.len();
        births.from(2);
        assert_eq!(births.blocks.len(), built - 1);
        assert!(births.blocks.keys().all(|&(k, i)| i << k >= 2));
        // A small set: one segment per answer.
        let mut small = Births::new(vec![
            (b"first-secret-value".to_vec(), "a".into()),
            (b"second-secret-value".to_vec(), "b".into()),
        ]);
        let later = small.from(1);
        assert_eq!((later.segs.len(), later.len()), (1, 1));
        assert_eq!(
            later.first_in(b"x second-secret-value first-secret-value"),
            Some("b")
        );
    }

    #[test]
    fn numeric_secrets_only_as_whole_numbers() {
        let k = Known::new(&[(b"413092".to_vec(), "auth-code".to_string())].into());
        let at = |hay: &[u8]| k.find_all(hay).map(|(s, _, _, _)| s).collect::<Vec<_>>();
        assert_eq!(at(b"otp=413092&x=1"), [4]);
        assert_eq!(at(b"x-otp%3D413092%26"), [8]);
        assert_eq!(at(b"\"413092\""), [1]);
        // inside a longer number, an ETag or a hash: not the secret
        assert!(at(b"t=1413092").is_empty());
        assert!(at(b"W/\"bbaf84130920d8b7255228db1d12fc\"").is_empty());
        assert!(at(b"etag: bbaf8ff413092ecd7255228db1d12fc").is_empty());
        // a short hex-looking neighbour is not a hex string
        assert_eq!(at(b"id=ab413092cd"), [5]);
    }
}
