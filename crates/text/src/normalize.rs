//! Normalisation of names and free text for search and comparison.
//!
//! This module owns the one folding that makes two spellings of the same written name equal:
//! Unicode compatibility forms, the Arabic-script letter variants that Persian keyboards and
//! Arabic sources mix (ي/ی, ك/ک, ة/ه, hamza carriers), harakat, tatweel, zero-width joiners,
//! Persian and Arabic-Indic digits, and Latin case and diacritics. It does not decide that two
//! *different* spellings sound alike; that is [`crate::skeleton`]'s job.
//!
//! The text is decomposed (NFKD) rather than composed: after the mappings below drop every
//! combining mark, the result for Persian and Latin text is the same as NFKC followed by the
//! mappings, and decomposing turns `آ`, `أ`, `إ`, `ؤ`, `ئ`, `ۀ` into a bare letter plus a mark
//! in one step.

use unicode_normalization::UnicodeNormalization;

/// ASCII digits for Persian (U+06F0–06F9) and Arabic-Indic (U+0660–0669) digits; every other
/// character is kept as it is.
///
/// ```
/// assert_eq!(text::normalize::to_ascii_digits("۱۳۶۷/٠٥/12 مرداد"), "1367/05/12 مرداد");
/// ```
pub fn to_ascii_digits(text: &str) -> String {
    text.chars().map(ascii_digit_or_self).collect()
}

/// The ASCII digit for a Persian or Arabic-Indic digit, else `c` itself.
pub fn ascii_digit_or_self(c: char) -> char {
    match c {
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        _ => c,
    }
}

/// Folds `text` for search: equal results mean the same written name.
///
/// NFKC-equivalent compatibility folding; harakat (U+064B–065F, U+0670) and tatweel removed;
/// ي/ى→ی, ك→ک, ة/ۀ→ه; hamza carriers أ/إ/آ/ٱ→ا, ؤ→و, ئ→ی; a standalone ء removed; ZWNJ,
/// ZWJ and other zero-width joiners become a space, direction marks vanish; Persian and
/// Arabic-Indic digits become ASCII; Latin is lower-cased with its diacritics removed;
/// runs of whitespace become one space, trimmed at both ends. Idempotent.
///
/// ```
/// use text::normalize::normalize_for_search;
/// assert_eq!(normalize_for_search("حسن‌زاده"), "حسن زاده");
/// assert_eq!(normalize_for_search("علي رضائي"), "علی رضایی");
/// assert_eq!(normalize_for_search("  José  Núñez "), "jose nunez");
/// ```
pub fn normalize_for_search(text: &str) -> String {
    let mut out = Folder {
        out: String::with_capacity(text.len()),
        pending_space: false,
    };
    if text.is_ascii() {
        // The common case for Latin lists: no decomposition or Unicode case tables needed.
        for byte in text.bytes() {
            out.push(fold_char(char::from(byte.to_ascii_lowercase())));
        }
    } else {
        for c in text.nfkd() {
            for lower in c.to_lowercase() {
                out.push(fold_char(lower));
            }
        }
    }
    out.out
}

struct Folder {
    out: String,
    pending_space: bool,
}

impl Folder {
    fn push(&mut self, folded: Folded) {
        match folded {
            Folded::Drop => {}
            Folded::Space => self.pending_space = !self.out.is_empty(),
            Folded::Char(c) => {
                if self.pending_space {
                    self.out.push(' ');
                    self.pending_space = false;
                }
                self.out.push(c);
            }
        }
    }
}

enum Folded {
    Drop,
    Space,
    Char(char),
}

/// Whether a character only steers the direction of the text around it: the left-to-right and
/// right-to-left marks, the Arabic letter mark, and the embeddings, overrides and isolates.
pub fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The text without its direction controls ([`is_direction_control`]), for a place that shows
/// text of several sources on one line, where an override in one name would reverse the rest.
pub fn without_direction_controls(text: &str) -> String {
    text.chars().filter(|c| !is_direction_control(*c)).collect()
}

/// What one (already decomposed and lower-cased) character becomes.
fn fold_char(c: char) -> Folded {
    match c {
        // Zero-width space, ZWNJ, ZWJ, word joiner, BOM: a joint between words.
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Folded::Space,
        // Direction marks and embeddings, soft hyphen: invisible.
        c if is_direction_control(c) => Folded::Drop,
        '\u{00AD}' => Folded::Drop,
        // Tatweel and standalone hamza.
        '\u{0640}' | '\u{0621}' => Folded::Drop,
        // Combining marks: Latin diacritics after NFD, Arabic harakat and Quranic marks.
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'
        | '\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' => Folded::Drop,
        // Arabic yeh and alef maksura → Persian yeh; yeh with hamza → yeh.
        '\u{064A}' | '\u{0649}' | '\u{0626}' => Folded::Char('\u{06CC}'),
        // Arabic kaf → Persian keheh.
        '\u{0643}' => Folded::Char('\u{06A9}'),
        // Teh marbuta, heh with yeh above, ae, heh goal, heh doachashmee → heh.
        '\u{0629}' | '\u{06C0}' | '\u{06D5}' | '\u{06C1}' | '\u{06BE}' => Folded::Char('\u{0647}'),
        // Alef with madda, hamza above/below, wasla → bare alef.
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => Folded::Char('\u{0627}'),
        // Waw with hamza → waw.
        '\u{0624}' => Folded::Char('\u{0648}'),
        '\u{06F0}'..='\u{06F9}' | '\u{0660}'..='\u{0669}' => Folded::Char(ascii_digit_or_self(c)),
        c if c.is_whitespace() => Folded::Space,
        c => Folded::Char(c),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn direction_controls_are_taken_out_and_nothing_else() {
        let overridden = "list\u{202E}A\u{202C} \u{2067}گیلان\u{2069}\u{200F}, 1367";
        assert_eq!(without_direction_controls(overridden), "listA گیلان, 1367");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn variants_of_one_written_name_fold_to_one_form() {
        let cases = [
            ("علي", "علی", "Arabic yeh becomes Persian yeh"),
            ("مصطفى", "مصطفی", "alef maksura becomes Persian yeh"),
            ("كاظم", "کاظم", "Arabic kaf becomes keheh"),
            ("فاطمة", "فاطمه", "teh marbuta becomes heh"),
            ("ۀ", "ه", "heh with yeh above becomes heh"),
            ("أحمد", "احمد", "alef with hamza above"),
            ("إبراهيم", "ابراهیم", "alef with hamza below, Arabic yeh"),
            ("آزاده", "ازاده", "alef with madda"),
            ("ٱلله", "الله", "alef wasla"),
            ("مؤمن", "مومن", "waw with hamza"),
            ("رضائي", "رضایی", "yeh with hamza and Arabic yeh"),
            ("جزء", "جز", "standalone hamza is removed"),
            ("مُحَمَّد", "محمد", "harakat and shadda are stripped"),
            ("محـــمد", "محمد", "tatweel is stripped"),
            ("حسن‌زاده", "حسن زاده", "ZWNJ becomes a space"),
            ("حسن\u{200D}زاده", "حسن زاده", "ZWJ becomes a space"),
            ("\u{200F}حسین\u{200E}", "حسین", "direction marks vanish"),
            (
                "۱۳۶۷ ٥",
                "1367 5",
                "Persian and Arabic-Indic digits become ASCII",
            ),
            ("ﻣﺤﻤﺪ", "محمد", "presentation forms are unfolded"),
            ("MOHAMMAD", "mohammad", "Latin is lower-cased"),
            (
                "Hoseyn Rezā'ī",
                "hoseyn reza'i",
                "Latin diacritics are removed",
            ),
            (
                "Ｍｏｈａｍｍａｄ",
                "mohammad",
                "full-width Latin is unfolded",
            ),
            (
                "  Ali \t  Reza\n",
                "ali reza",
                "whitespace is collapsed and trimmed",
            ),
            ("Ali\u{00A0}Reza", "ali reza", "no-break space is a space"),
            ("", "", "empty stays empty"),
        ];
        for (input, expected, description) in cases {
            assert_eq!(
                normalize_for_search(input),
                expected,
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn to_ascii_digits_changes_nothing_but_digits() {
        assert_eq!(to_ascii_digits("۱۲ مرداد ۱۳۶۷"), "12 مرداد 1367");
        assert_eq!(to_ascii_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(to_ascii_digits("علي 3"), "علي 3", "letters are left alone");
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(text in "\\PC{0,40}") {
            let once = normalize_for_search(&text);
            prop_assert_eq!(normalize_for_search(&once), once.clone());
        }

        #[test]
        fn normalising_persian_and_latin_twice_changes_nothing(
            text in "[\u{0600}-\u{06FF}\u{200C}\u{200D} a-zA-ZÀ-ÿ]{0,30}"
        ) {
            let once = normalize_for_search(&text);
            prop_assert_eq!(normalize_for_search(&once), once.clone());
        }
    }
}
