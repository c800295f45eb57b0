//! Which writing system a piece of text is in.
//!
//! This module owns the decision between Persian (Arabic) script and Latin script for names
//! and free text. Letters of other scripts (Cyrillic, Hebrew…) are ignored: the registry's
//! sources write Persian names in one of the two scripts, and `Script` has no other value.

use domain::name::Script;

/// The script of `text`: `Persian` for Arabic-script letters, `Latin` for Latin letters,
/// `Mixed` when both occur, `Unknown` when neither does (empty text, digits, punctuation).
///
/// ```
/// use domain::name::Script;
/// assert_eq!(text::script::detect_script("حسین"), Script::Persian);
/// assert_eq!(text::script::detect_script("Hossein ۱۳۶۷"), Script::Latin);
/// ```
pub fn detect_script(text: &str) -> Script {
    let mut has_persian = false;
    let mut has_latin = false;
    for c in text.chars() {
        if c.is_ascii() {
            has_latin |= c.is_ascii_alphabetic();
        } else if is_arabic_script_letter(c) {
            has_persian = true;
        } else if is_latin_letter(c) {
            has_latin = true;
        }
        if has_persian && has_latin {
            return Script::Mixed;
        }
    }
    match (has_persian, has_latin) {
        (true, _) => Script::Persian,
        (false, true) => Script::Latin,
        (false, false) => Script::Unknown,
    }
}

/// Whether `c` is a letter of the Arabic script (Persian, Arabic, presentation forms).
/// Digits, punctuation and harakat are not letters.
pub fn is_arabic_script_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}'
        | '\u{FB50}'..='\u{FDFB}'
        | '\u{FE70}'..='\u{FEFC}')
        && c.is_alphabetic()
}

/// Whether `c` is a Latin letter, with or without diacritics.
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c,
            '\u{00C0}'..='\u{024F}'
            | '\u{1E00}'..='\u{1EFF}'
            | '\u{2C60}'..='\u{2C7F}'
            | '\u{A720}'..='\u{A7FF}'
            | '\u{FF21}'..='\u{FF3A}'
            | '\u{FF41}'..='\u{FF5A}')
            && c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_detected_from_letters_only() {
        let cases = [
            ("حسین", Script::Persian, "Persian letters"),
            (
                "علي",
                Script::Persian,
                "Arabic yeh still counts as Persian script",
            ),
            ("ﻣﺤﻤﺪ", Script::Persian, "presentation forms"),
            ("Hossein", Script::Latin, "ASCII letters"),
            ("Hoseyn Rezā'ī", Script::Latin, "Latin with diacritics"),
            ("Ali علی", Script::Mixed, "both scripts"),
            (
                "۱۳۶۷/۰۵/۱۲",
                Script::Unknown,
                "Persian digits are not letters",
            ),
            ("1988-08-03", Script::Unknown, "ASCII digits"),
            ("", Script::Unknown, "empty text"),
            ("  ، ؟ ", Script::Unknown, "punctuation only"),
            ("۱۲ مرداد", Script::Persian, "digits with Persian letters"),
            ("Иван", Script::Unknown, "Cyrillic is neither"),
        ];
        for (input, expected, description) in cases {
            assert_eq!(detect_script(input), expected, "{description}: {input:?}");
        }
    }
}
