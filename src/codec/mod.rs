//! Decoders shared by the format handlers and the detector: the JSON span reader,
//! HTTP content codings, hex dumps, UTF-16 text and media signatures. A leaf: nothing
//! here knows about detection, formats or archives (only the limits it is given).

pub mod coding;
pub mod hexdump;
pub mod json;
pub mod mqtt;
pub mod utf16;

/// Magic bytes of images, fonts, audio and video, in bytes that do not read as text.
///
/// Some signatures are plain letters (`BM`, `ID3`, `OggS`, `GIF89a`…) that a text file
/// can start with (a CSV column `BMI`, an env name `BMC_URL`): a file is media only
/// when its first bytes also hold a control byte. Every real media file has one within
/// a few bytes of its signature (a size or a version with a zero byte), and 4 KB of
/// compressed image data without one is as likely as none at all.
pub fn is_media(p: &[u8]) -> bool {
    has_media_magic(p) && has_control_byte(&p[..p.len().min(4096)])
}

/// Does `p` hold a control byte other than a tab, a line break or a form feed?
fn has_control_byte(p: &[u8]) -> bool {
    p.iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
}

fn has_media_magic(p: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::is_media;

    #[test]
    fn media_only_when_not_text() {
        // The first bytes of real files of each kind.
        let media: [&[u8]; 6] = [
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            b"BM\x36\x10\x0e\0\0\0\0\0\x36\0\0\0",
            b"ID3\x03\0\0\0\0\x1fvTIT2",
            b"OggS\0\x02\0\0\0\0\0\0\0\0",
            b"GIF89a\x10\0\x10\0\x80\0\0",
            b"\0\0\0\x20ftypisom\0\0\x02\0",
        ];
        for m in media {
            assert!(is_media(m), "{m:?}");
        }
        // Text that starts with a signature's letters.
        let text: [&[u8]; 5] = [
            b"BMI,name,password\r\n22.1,ann,hunter2\r\n",
            b"BMC_URL=https://example.com\nBMC_SK=abc\n",
            b"ID3 tags: none\n",
            b"OggS is a container\tformat\n",
            b"GIF89a header notes\x0c\n",
        ];
        for t in text {
            assert!(!is_media(t), "{}", String::from_utf8_lossy(t));
        }
    }
}
