//! Decoders shared by the format handlers and the detector: the JSON span reader,
//! HTTP content codings, UTF-16 text and media signatures. A leaf: nothing here knows about
//! detection, formats or archives (only the limits it is given).

pub mod coding;
pub mod json;
pub mod utf16;

/// Magic bytes of images, fonts, audio and video.
pub fn is_media(p: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"\xFF\xD8\xFF",
        b"GIF87a",
        b"GIF89a",
        b"wOFF",
        b"wOF2",
        b"OTTO",
        b"\x00\x01\x00\x00\x00",
        b"\x00\x00\x01\x00",
        b"BM",
        b"ID3",
        b"OggS",
        b"\x1A\x45\xDF\xA3",
        b"fLaC",
    ];
    MAGIC.iter().any(|m| p.starts_with(m))
        || (p.len() >= 12 && &p[..4] == b"RIFF" && matches!(&p[8..12], b"WEBP" | b"WAVE" | b"AVI "))
        || (p.len() >= 12 && &p[4..8] == b"ftyp")
}
