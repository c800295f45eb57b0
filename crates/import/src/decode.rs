//! Turning a file's bytes into text: byte-order marks, UTF-8, UTF-16 and Windows-1256 (the
//! usual encoding of Persian files saved by older Windows programs), Windows-1252 for Latin
//! lists saved the same way, with a forced choice.

use crate::ImportError;
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, WINDOWS_1256};

/// Which encoding to read a file in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingChoice {
    /// Detect: byte-order mark, then UTF-8, then a guess (usually Windows-1256).
    Auto,
    /// UTF-8 (a byte-order mark is skipped).
    Utf8,
    /// Windows-1256 (Arabic/Persian code page).
    Windows1256,
    /// Windows-1252 (Western European code page: accented Latin letters).
    Windows1252,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl EncodingChoice {
    /// Reads `auto`, `utf-8`, `windows-1256` (or `cp1256`), `windows-1252` (or `cp1252`),
    /// `utf-16le`, `utf-16be`.
    pub fn parse(name: &str) -> Option<EncodingChoice> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Some(EncodingChoice::Auto),
            "utf-8" | "utf8" => Some(EncodingChoice::Utf8),
            "windows-1256" | "cp1256" | "win1256" => Some(EncodingChoice::Windows1256),
            "windows-1252" | "cp1252" | "win1252" => Some(EncodingChoice::Windows1252),
            "utf-16le" | "utf-16" => Some(EncodingChoice::Utf16Le),
            "utf-16be" => Some(EncodingChoice::Utf16Be),
            _ => None,
        }
    }

    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            EncodingChoice::Auto => None,
            EncodingChoice::Utf8 => Some(UTF_8),
            EncodingChoice::Windows1256 => Some(WINDOWS_1256),
            EncodingChoice::Windows1252 => Some(WINDOWS_1252),
            EncodingChoice::Utf16Le => Some(UTF_16LE),
            EncodingChoice::Utf16Be => Some(UTF_16BE),
        }
    }
}

/// A file's text and the encoding it was read in.
#[derive(Debug)]
pub struct DecodedText {
    /// The text, without any byte-order mark.
    pub text: String,
    /// The encoding's name, e.g. `UTF-8`, `windows-1256`.
    pub encoding: &'static str,
}

/// Decodes `bytes` (from the file `file`) as `choice` says.
pub fn decode(
    file: &str,
    bytes: &[u8],
    choice: EncodingChoice,
) -> Result<DecodedText, ImportError> {
    let (encoding, body) = match (choice.encoding(), Encoding::for_bom(bytes)) {
        (Some(forced), Some((bom, length))) if forced == bom => (forced, &bytes[length..]),
        (Some(forced), _) => (forced, bytes),
        (None, Some((bom, length))) => (bom, &bytes[length..]),
        (None, None) => (detect(file, bytes)?, bytes),
    };
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or_else(|| ImportError::Encoding {
            file: file.to_string(),
            line: first_undecodable_line(encoding, body),
            encoding: encoding.name(),
            advice: if encoding == UTF_16LE || encoding == UTF_16BE {
                "the file is cut short (it ends inside a character) or is not UTF-16: save it \
                 again from the program that made it, or pass --encoding with the one it is in"
            } else {
                "pass --encoding windows-1256, windows-1252 or utf-8 to say which encoding the \
                 file is in"
            },
        })?;
    Ok(DecodedText {
        text: text.into_owned(),
        encoding: encoding.name(),
    })
}

/// Guesses the encoding of a file without a byte-order mark.
fn detect(file: &str, bytes: &[u8]) -> Result<&'static Encoding, ImportError> {
    if let Some(utf16) = utf16_without_bom(bytes) {
        return Ok(utf16);
    }
    let valid_up_to = match std::str::from_utf8(bytes) {
        Ok(_) => return Ok(UTF_8),
        Err(error) => error.valid_up_to(),
    };
    if has_utf8_multibyte(&bytes[..valid_up_to]) {
        // Part of the file is valid UTF-8 with non-ASCII text, and then it stops being UTF-8:
        // two files pasted together, or rows edited in different programs.
        return Err(ImportError::MixedEncoding {
            file: file.to_string(),
            line: line_of(bytes, valid_up_to),
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // Persian text in a legacy code page is Windows-1256 in practice; a guess of another
    // single-byte code page on such a file is nearly always wrong. But accented Latin letters
    // sit at the same bytes in Windows-1252: read as Windows-1256 they become Arabic letters
    // inside Latin words (`Kärimi` as `Kنrimi`), which Persian text does not have.
    if arabic_inside_latin_words(bytes) {
        return Ok(if guess == WINDOWS_1256 {
            WINDOWS_1252
        } else {
            guess
        });
    }
    Ok(if guess == WINDOWS_1256 || looks_arabic_1256(bytes) {
        WINDOWS_1256
    } else {
        guess
    })
}

/// Whether, read as Windows-1256, at least half of the file's Arabic letters touch a Latin
/// letter: the mark of a Western European file (`Dupré`, `Kärimi`) read in the Persian code
/// page. Persian lists write Latin words, when they have any, apart from Persian ones.
fn arabic_inside_latin_words(bytes: &[u8]) -> bool {
    let (text, _, _) = WINDOWS_1256.decode(bytes);
    let is_arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
    let (mut arabic, mut touching) = (0usize, 0usize);
    let mut before: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_arabic(c) {
            arabic += 1;
            let after = chars.peek().copied();
            if [before, after]
                .into_iter()
                .flatten()
                .any(|n| n.is_ascii_alphabetic())
            {
                touching += 1;
            }
        }
        before = Some(c);
    }
    arabic > 0 && touching * 2 >= arabic
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 4 {
        return None;
    }
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = sample.len() / 2;
    if zeros_at(1) * 10 > half * 3 && zeros_at(0) * 10 < half {
        Some(UTF_16LE)
    } else if zeros_at(0) * 10 > half * 3 && zeros_at(1) * 10 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn has_utf8_multibyte(valid: &[u8]) -> bool {
    valid.iter().any(|b| *b >= 0x80)
}

/// Windows-1256 puts Arabic letters at 0xC1–0xDA and 0xDC–0xED; a file whose high bytes are
/// mostly there reads as Persian.
fn looks_arabic_1256(bytes: &[u8]) -> bool {
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    let letters = bytes.iter().filter(|b| matches!(**b, 0xC1..=0xED)).count();
    high > 0 && letters * 10 >= high * 7
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

fn first_undecodable_line(encoding: &'static Encoding, bytes: &[u8]) -> u64 {
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(_) => 1,
            Err(error) => line_of(bytes, error.valid_up_to()),
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2 + 16);
    let (_, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match read {
        0 => 1,
        read => line_of(bytes, read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> DecodedText {
        decode("list.csv", bytes, EncodingChoice::Auto).unwrap()
    }

    #[test]
    fn utf8_with_and_without_bom_reads_the_same() {
        let plain = "given_name\nعلی\n";
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), plain.as_bytes()].concat();
        assert_eq!(decoded(plain.as_bytes()).text, plain);
        assert_eq!(decoded(&with_bom).text, plain);
        assert_eq!(decoded(&with_bom).encoding, "UTF-8");
    }

    #[test]
    fn windows_1256_persian_is_detected() {
        // Windows-1256 has no Persian yeh (ی); files written in it use the Arabic yeh (ي).
        let (bytes, _, had_unmappable) =
            WINDOWS_1256.encode("given_name,surname\nعلي,رضايي\nحسين,کاظمي\n");
        assert!(!had_unmappable);
        let text = decoded(&bytes);
        assert_eq!(text.encoding, "windows-1256");
        assert!(text.text.contains("رضايي"), "{}", text.text);
    }

    #[test]
    fn a_western_european_list_is_not_read_as_persian() {
        let list = "record_id,given_name,surname\n1,Zahra,Kärimi\n2,Élise,Dupré\n3,Jürgen,Müller\n";
        let (bytes, _, had_unmappable) = WINDOWS_1252.encode(list);
        assert!(!had_unmappable);
        let text = decoded(&bytes);
        assert_eq!(text.encoding, "windows-1252");
        assert_eq!(text.text, list);
        assert_eq!(
            EncodingChoice::parse("cp1252"),
            Some(EncodingChoice::Windows1252)
        );
    }

    #[test]
    fn a_persian_list_with_latin_words_apart_is_still_windows_1256() {
        let (bytes, _, _) = WINDOWS_1256
            .encode("given_name,surname,prison\nعلي,رضايي,Evin\nحسين,کاظمي,Gohardasht\n");
        assert_eq!(decoded(&bytes).encoding, "windows-1256");
    }

    #[test]
    fn utf16_with_and_without_bom_is_read() {
        let text = "given_name\nزهرا\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let le_bom = [b"\xFF\xFE".as_slice(), &le].concat();
        assert_eq!(decoded(&le).text, text);
        assert_eq!(decoded(&le_bom).text, text);
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decoded(&be).text, text);
    }

    #[test]
    fn utf8_rows_followed_by_windows_1256_rows_are_refused_with_the_line() {
        let (legacy, _, _) = WINDOWS_1256.encode("حسين\n");
        let bytes = [b"given_name\n".as_slice(), "علی\n".as_bytes(), &legacy].concat();
        let error = decode("mixed.csv", &bytes, EncodingChoice::Auto).unwrap_err();
        assert!(
            matches!(error, ImportError::MixedEncoding { line: 3, .. }),
            "{error}"
        );
    }

    #[test]
    fn forcing_utf8_on_a_legacy_file_names_the_line() {
        let (legacy, _, _) = WINDOWS_1256.encode("given_name\nali\nعلي\n");
        let error = decode("legacy.csv", &legacy, EncodingChoice::Utf8).unwrap_err();
        assert!(
            matches!(error, ImportError::Encoding { line: 3, .. }),
            "{error}"
        );
    }

    #[test]
    fn a_utf16_file_cut_inside_a_character_says_so() {
        let whole: Vec<u8> = "\u{FEFF}given_name\nزهرا\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let error = decode("cut.csv", &whole[..whole.len() - 1], EncodingChoice::Auto).unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }

    #[test]
    fn encoding_names_are_read() {
        assert_eq!(
            EncodingChoice::parse("CP1256"),
            Some(EncodingChoice::Windows1256)
        );
        assert_eq!(EncodingChoice::parse("utf-8"), Some(EncodingChoice::Utf8));
        assert_eq!(EncodingChoice::parse("latin-9"), None);
    }
}
