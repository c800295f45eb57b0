//! A cross-script consonant skeleton of a name, used as a blocking key for record linkage.
//!
//! This module owns the key that sends `محمد`, `Mohammad`, `Mohammed`, `Muhammad` and
//! `Mohamad` to one value. Persian script does not write short vowels and romanisations
//! disagree on them, so the key keeps consonants only, mapped to classes both scripts share:
//!
//! | class | Persian | Latin |
//! |---|---|---|
//! | `B` `P` `D` `R` `F` `K` `G` `L` `M` `N` | ب پ د ر ف ک گ ل م ن | b p d r f k/c g l m n |
//! | `J` | ج ژ | j (dj), zh, jh |
//! | `T` | ت ط | t |
//! | `S` | ث س ص | s |
//! | `Z` | ذ ز ض ظ | z |
//! | `C` | چ | ch |
//! | `H` | ح ه | h |
//! | `X` | خ | kh, x |
//! | `Q` | ق غ | q, gh |
//! | `SH` | ش | sh |
//! | `Y` `V` | ی و at the start of a word | y; v, w at the start of a word |
//! | (dropped) | ا ع ء, ی و inside a word | vowels, apostrophes, y v w inside a word |
//!
//! Then, identically for both scripts: `H` joins a preceding `S`, `Z`, `J`, `K`, `G` into `SH`,
//! `J`, `J`, `X`, `Q` (because vowels are gone, Latin `sh` and Persian س+ه look the same).
//! ژ shares `J` with ج because lists romanise it as `zh`, `jh` or `j` alike (`نژاد` is
//! `Nezhad`, `Nejhad` and `Nejad`);
//! doubled classes collapse (`Hassan` has no shadda in Persian); a word-final `H` is dropped
//! (`Fatemeh`/`فاطمه`, `zadeh`/`زاده`).
//!
//! It is deliberately coarse: `Hassan` and `Hossein` (HSN), `Reza` and `Rezaei` (RZ) share a
//! key. Linkage uses it to find candidate pairs only and compares the normalised spellings
//! afterwards. Normalisation itself is [`crate::normalize`]'s.
//!
//! Some romanisations read a letter the Arabic way, or the way a dialect says it, rather than
//! the Persian way: `Rida` and `Ramadan` for رضا and رمضان (ض as `d`), `Kadhim` for کاظم (ظ as
//! `dh`), `Gasem`, `Bager` and `Asgar` for قاسم, باقر and اصغر (ق and غ as `g`), `Gamal` for
//! جمال (ج as `g`). The key keeps the Persian reading, so these fall outside it;
//! [`arabic_reading_key_joined`] is the key with those letters read the other way (and Latin
//! `dh` read as `d`), for linkage to weigh as a level of its own; linkage blocks on the coarser
//! [`coarse_skeleton_key`].
//! Only those letters change: ز, `z` and the other classes stay what they are, so `Farzad` and
//! `Farid` do not meet.

use crate::normalize::normalize_for_search;

const SH: u8 = b'1';

/// The skeleton key of a name: each word's consonant skeleton, joined by one space. Words
/// with no consonant (`Ai`, `او`) are left out.
///
/// ```
/// use text::skeleton::skeleton_key;
/// assert_eq!(skeleton_key("Mohammad"), skeleton_key("محمد"));
/// assert_eq!(skeleton_key("Hasan Zadeh"), skeleton_key("حسن‌زاده"));
/// assert_eq!(skeleton_key("Hossein Rezaei"), "HSN RZ");
/// ```
pub fn skeleton_key(name: &str) -> String {
    skeleton(
        &normalize_for_search(name),
        Words::Separate,
        Reading::Persian,
    )
}

/// The skeleton key with the words run together, as if the name were written as one word:
/// `Hassanzadeh`, `Hasan Zadeh` and `حسن‌زاده` all give `HSNZD`. Linkage compares both this
/// and [`skeleton_key`], since compound names are written together or apart at random.
pub fn skeleton_key_joined(name: &str) -> String {
    skeleton(&normalize_for_search(name), Words::Joined, Reading::Persian)
}

/// [`skeleton_key_joined`] with the Arabic and dialect readings: ض ظ ذ as `d`, ق غ ج as `g`,
/// Latin `dh` as `d`. Where a name's two keys differ, two spellings of it that agree on this one
/// are the same name read two ways.
///
/// ```
/// use text::skeleton::{arabic_reading_key_joined, skeleton_key_joined};
/// let key = arabic_reading_key_joined;
/// assert_eq!(key("Rida"), key("رضا"));
/// assert_eq!(key("Kadhim"), key("کاظم"));
/// assert_eq!(key("Asgar"), key("اصغر"));
/// assert_ne!(key("Farzad"), key("فرید"));
/// assert_eq!(skeleton_key_joined("Reza"), skeleton_key_joined("رضا"), "the usual reading");
/// ```
pub fn arabic_reading_key_joined(name: &str) -> String {
    skeleton(&normalize_for_search(name), Words::Joined, Reading::Arabic)
}

/// A coarser key than `key` (as [`skeleton_key`] or [`skeleton_key_joined`] write it), for
/// blocking: `Z` and `D` are one class, `Q`, `J` and `G` another, an `H` after `D` goes, and the
/// doubles this makes collapse. Two names with equal keys have equal coarse keys, and so do most
/// names equal under [`arabic_reading_key_joined`] (not where ذ ظ or ق stands before ه, which the
/// key merges with it: `Dhahir` and `ظهیر`), and many other pairs (`Farzad` and `Farid`): it
/// finds candidates, it says nothing about a match.
///
/// ```
/// use text::skeleton::{coarse_skeleton_key, skeleton_key_joined};
/// let coarse = |name: &str| coarse_skeleton_key(&skeleton_key_joined(name));
/// assert_eq!(coarse("Rida"), coarse("رضا"));
/// assert_eq!(coarse("Asgar"), coarse("Asghar"));
/// assert_ne!(coarse("Reza"), coarse("Rahim"));
/// ```
pub fn coarse_skeleton_key(key: impl AsRef<[u8]>) -> String {
    let mut last = 0u8;
    key.as_ref()
        .iter()
        .filter_map(|&class| {
            let class = match class {
                b'Z' => b'D',
                b'Q' | b'J' => b'G',
                other => other,
            };
            if class == last || (class == b'H' && last == b'D') {
                return None;
            }
            last = class;
            Some(char::from(class))
        })
        .collect()
}

/// [`skeleton_key`] of a name that already went through
/// [`crate::normalize::normalize_for_search`], saving that work.
pub fn skeleton_key_of_normalized(normalized: &str) -> String {
    skeleton(normalized, Words::Separate, Reading::Persian)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Words {
    Separate,
    Joined,
}

/// How the letters that Persian and Arabic read differently are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// The Persian reading: ض ظ ذ are `z`, ق غ are `gh`/`q`, ج is `j`.
    Persian,
    /// The Arabic and dialect reading: ض ظ ذ are `d`, ق غ ج are `g`, Latin `dh` is `d`.
    Arabic,
}

fn skeleton(normalized: &str, words: Words, reading: Reading) -> String {
    let arabic = reading == Reading::Arabic;
    let mut out = String::with_capacity(normalized.len());
    let mut word: Vec<u8> = Vec::with_capacity(16);
    let mut at_word_start = true;
    let mut chars = normalized.chars().peekable();
    while let Some(c) = chars.next() {
        let class = match c {
            // Latin (already lower-cased and stripped of diacritics).
            'a' | 'e' | 'i' | 'o' | 'u' | 'ø' | 'æ' | 'ı' | 'œ' => None,
            'y' => at_word_start.then_some(b'Y'),
            'v' | 'w' => at_word_start.then_some(b'V'),
            'c' => {
                if chars.peek() == Some(&'h') {
                    chars.next();
                    Some(b'C')
                } else {
                    Some(b'K')
                }
            }
            // French-style `dj` for ج.
            'd' if chars.peek() == Some(&'j') => None,
            // Arabic-style `dh` for ذ ض ظ.
            'd' if arabic && chars.peek() == Some(&'h') => {
                chars.next();
                Some(b'D')
            }
            'b' => Some(b'B'),
            'd' | 'đ' => Some(b'D'),
            'f' => Some(b'F'),
            'g' => Some(b'G'),
            'h' => Some(b'H'),
            'j' => Some(b'J'),
            'k' => Some(b'K'),
            'l' | 'ł' => Some(b'L'),
            'm' => Some(b'M'),
            'n' => Some(b'N'),
            'p' => Some(b'P'),
            'q' => Some(b'Q'),
            'r' => Some(b'R'),
            's' | 'ß' => Some(b'S'),
            't' => Some(b'T'),
            'x' => Some(b'X'),
            'z' => Some(b'Z'),
            // Persian (after normalisation: ی ک ه ا و are the only forms left).
            'ا' | 'ع' | 'آ' => None,
            'ی' => at_word_start.then_some(b'Y'),
            'و' => at_word_start.then_some(b'V'),
            'ب' => Some(b'B'),
            'پ' => Some(b'P'),
            'ت' | 'ط' => Some(b'T'),
            'ث' | 'س' | 'ص' => Some(b'S'),
            'ج' => Some(if arabic { b'G' } else { b'J' }),
            'چ' => Some(b'C'),
            'ح' | 'ه' => Some(b'H'),
            'خ' => Some(b'X'),
            'د' => Some(b'D'),
            'ذ' | 'ض' | 'ظ' => Some(if arabic { b'D' } else { b'Z' }),
            'ز' => Some(b'Z'),
            'ر' => Some(b'R'),
            'ژ' => Some(b'J'),
            'ش' => Some(SH),
            'غ' | 'ق' => Some(if arabic { b'G' } else { b'Q' }),
            'ف' => Some(b'F'),
            'ک' => Some(b'K'),
            'گ' => Some(b'G'),
            'ل' => Some(b'L'),
            'م' => Some(b'M'),
            'ن' => Some(b'N'),
            // Apostrophes and ayn/hamza signs inside a Latin word (Ja'far, Jaʿfar).
            '\'' | '’' | '‘' | 'ʼ' | 'ʿ' | 'ʾ' | '`' | '´' => continue,
            // Any other letter (another script): part of the word, but no class.
            c if c.is_alphabetic() => None,
            // Spaces, hyphens, digits, punctuation: a word boundary.
            _ => {
                if words == Words::Separate {
                    finish_word(&mut word, &mut out);
                    at_word_start = true;
                }
                continue;
            }
        };
        at_word_start = false;
        if let Some(class) = class {
            push_class(&mut word, class);
        }
    }
    finish_word(&mut word, &mut out);
    out
}

/// Appends a class to the word, merging `H` into `S`/`Z`/`K`/`G` and collapsing doubles.
fn push_class(word: &mut Vec<u8>, class: u8) {
    let Some(&last) = word.last() else {
        word.push(class);
        return;
    };
    if last == class {
        return;
    }
    if class == b'H' {
        let merged = match last {
            b'S' => Some(SH),
            b'Z' | b'J' => Some(b'J'),
            b'K' => Some(b'X'),
            b'G' => Some(b'Q'),
            _ => None,
        };
        if let Some(merged) = merged {
            word.pop();
            if word.last() != Some(&merged) {
                word.push(merged);
            }
            return;
        }
    }
    word.push(class);
}

/// Drops a final `H`, writes the word's classes to `out` (space-separated) and clears it.
fn finish_word(word: &mut Vec<u8>, out: &mut String) {
    if word.last() == Some(&b'H') {
        word.pop();
    }
    if word.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    for &class in word.iter() {
        match class {
            SH => out.push_str("SH"),
            other => out.push(char::from(other)),
        }
    }
    word.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Spellings seen in real lists for common names; each set must share one key.
    const VARIANT_SETS: &[(&str, &[&str])] = &[
        (
            "Mohammad",
            &[
                "محمد",
                "Mohammad",
                "Mohammed",
                "Muhammad",
                "Mohamad",
                "Mohamed",
                "مُحَمَّد",
            ],
        ),
        (
            "Hossein",
            &[
                "Hossein", "Hosein", "Hussein", "Husein", "Hoseyn", "حسین", "حسين",
            ],
        ),
        (
            "Rezaei",
            &[
                "Rezaei",
                "Rezaee",
                "Rezai",
                "Rezayi",
                "Rezaie",
                "رضایی",
                "رضائي",
                "رضائی",
            ],
        ),
        ("Ali", &["Ali", "Aly", "علی", "علي"]),
        ("Abbas", &["Abbas", "Abas", "عباس"]),
        ("Jafar", &["Jafar", "Ja'far", "Jaʿfar", "Djafar", "جعفر"]),
        ("Ghasem", &["Ghasem", "Qasem", "Qasim", "Ghassem", "قاسم"]),
        ("Khosrow", &["Khosrow", "Khosro", "Xosrow", "خسرو"]),
        (
            "Yousef",
            &["Yousef", "Yusuf", "Yusef", "Yoosef", "یوسف", "يوسف"],
        ),
        (
            "Esmail",
            &[
                "Esmail",
                "Ismail",
                "Esmaeil",
                "Esmaeel",
                "اسماعیل",
                "إسماعيل",
            ],
        ),
        (
            "Ebrahim",
            &["Ebrahim", "Ibrahim", "Ebraheem", "ابراهیم", "إبراهيم"],
        ),
        (
            "Fatemeh",
            &["Fatemeh", "Fatima", "Fatemah", "Fateme", "فاطمه", "فاطمة"],
        ),
        ("Zahra", &["Zahra", "Zahrah", "زهرا"]),
        ("Mahmoud", &["Mahmoud", "Mahmud", "Mahmood", "محمود"]),
        ("Kazem", &["Kazem", "Kazim", "کاظم", "كاظم"]),
        ("Javad", &["Javad", "Jawad", "جواد"]),
        ("Mehdi", &["Mehdi", "Mahdi", "مهدی", "مهدي"]),
        ("Tehrani", &["Tehrani", "Tehraani", "تهرانی"]),
        ("Shirazi", &["Shirazi", "Shiraazi", "شیرازی"]),
        ("Mousavi", &["Mousavi", "Musavi", "Moosavi", "موسوی"]),
        ("Darvish", &["Darvish", "Darwish", "درویش"]),
        ("Ahmad", &["Ahmad", "Ahmed", "احمد", "أحمد"]),
        ("Mohsen", &["Mohsen", "Muhsin", "محسن"]),
        (
            "Seyed",
            &["Seyed", "Seyyed", "Sayyid", "Seied", "سید", "سيد"],
        ),
        (
            "Gholamreza",
            &["Gholamreza", "Qolamreza", "Gholamrezā", "غلامرضا"],
        ),
        (
            "Abolghasem",
            &["Abolghasem", "Abolqasem", "Abulqasim", "ابوالقاسم"],
        ),
        (
            "Morteza",
            &["Morteza", "Mortaza", "Murtaza", "مرتضی", "مرتضى"],
        ),
        (
            "Mostafa",
            &["Mostafa", "Mustafa", "Moustafa", "مصطفی", "مصطفى"],
        ),
        ("Asghar", &["Asghar", "Asqar", "اصغر"]),
        (
            "Masoumeh",
            &["Masoumeh", "Masumeh", "Massoumeh", "Ma'sumeh", "معصومه"],
        ),
        ("Zhaleh", &["Zhaleh", "Zhale", "ژاله"]),
    ];

    #[test]
    fn spellings_of_one_name_share_a_key() {
        for (name, spellings) in VARIANT_SETS {
            let expected = skeleton_key(spellings[0]);
            assert!(
                !expected.is_empty(),
                "{name}: key of {:?} is empty",
                spellings[0]
            );
            for spelling in spellings.iter() {
                assert_eq!(
                    skeleton_key(spelling),
                    expected,
                    "{name}: {spelling:?} should share the key of {:?}",
                    spellings[0]
                );
            }
        }
    }

    #[test]
    fn compound_names_agree_when_joined() {
        let spellings = [
            "Hassanzadeh",
            "Hasan Zadeh",
            "Hasanzade",
            "Hassan-Zadeh",
            "حسن‌زاده",
            "حسن زاده",
            "حسنزاده",
        ];
        for spelling in spellings {
            assert_eq!(
                skeleton_key_joined(spelling),
                "HSNZD",
                "{spelling:?} joined"
            );
        }
        assert_eq!(skeleton_key("Hasan Zadeh"), "HSN ZD");
        assert_eq!(skeleton_key("حسن‌زاده"), "HSN ZD", "ZWNJ separates words");
        assert_eq!(
            skeleton_key("Hassanzadeh"),
            "HSNZD",
            "written together it is one word"
        );
        assert_eq!(
            skeleton_key_joined("Mohammad Reza"),
            skeleton_key_joined("Mohammadreza")
        );
        assert_eq!(
            skeleton_key_joined("محمدرضا"),
            skeleton_key_joined("Mohammadreza")
        );
    }

    #[test]
    fn zhe_meets_every_romanisation_of_it() {
        for spelling in [
            "Aminnejad",
            "Aminnezhad",
            "Aminnejhad",
            "امین‌نژاد",
            "Amin Nejad",
        ] {
            assert_eq!(skeleton_key_joined(spelling), "MNJD", "{spelling:?} joined");
        }
        assert_eq!(skeleton_key("Zhaleh"), skeleton_key("ژاله"));
    }

    #[test]
    fn different_names_get_different_keys() {
        let pairs = [
            ("Ali", "Vali", "an initial v is a consonant"),
            ("Javad", "Jafar", "JD vs JFR"),
            ("Kazem", "Ghasem", "KZM vs QSM"),
            ("Mehdi", "Majid", "MHD vs MJD"),
            ("Hassan", "Hassanzadeh", "a suffix is kept"),
            ("Yousef", "Yasin", "YSF vs YSN"),
            ("Sohrab", "Shahrokh", "SHRB vs SHHRX"),
            ("Zahra", "Zeynab", "ZHR vs ZNB"),
            ("Hassan", "Hossein Ali", "a second word is kept"),
            ("Shirazi", "Tehrani", "SHRZ vs THRN"),
            ("Ghasem", "Hashem", "QSM vs HSHM"),
        ];
        for (a, b, description) in pairs {
            assert_ne!(
                skeleton_key(a),
                skeleton_key(b),
                "{a} vs {b}: {description}"
            );
        }
    }

    #[test]
    fn known_coarse_collisions_are_documented_limits() {
        #[rustfmt::skip]
        let collisions = [
            ("Hassan", "Hossein", "HSN", "only vowels differ"),
            ("Mohammad", "Mahmoud", "MHMD", "only vowels differ"),
            ("Ahmad", "Hamid", "HMD", "the initial vowel is dropped"),
            ("Reza", "Rezaei", "RZ", "the -i ending is a vowel"),
            ("Khosrow", "Khosravi", "XSR", "v inside a word and the -i ending are dropped"),
        ];
        for (a, b, key, description) in collisions {
            assert_eq!(skeleton_key(a), key, "{a}: {description}");
            assert_eq!(skeleton_key(b), key, "{b}: {description}");
        }
    }

    #[test]
    fn arabic_and_dialect_readings_meet_only_under_their_own_key() {
        for (romanised, persian) in [
            ("Rida", "رضا"),
            ("Ramadan", "رمضان"),
            ("Ramadhan", "رمضان"),
            ("Kadhim", "کاظم"),
            ("Gasem", "قاسم"),
            ("Bager", "باقر"),
            ("Asgardoost", "اصغردوست"),
            ("Magid", "مجید"),
            ("Mohammadrida", "محمدرضا"),
        ] {
            assert_ne!(
                skeleton_key_joined(romanised),
                skeleton_key_joined(persian),
                "{romanised}: the key keeps the Persian reading"
            );
            assert_eq!(
                arabic_reading_key_joined(romanised),
                arabic_reading_key_joined(persian),
                "{romanised} and {persian}"
            );
        }
        // Only ذ ض ظ ق غ ج and Latin `dh` are read another way: `z`, ز and the suffixes built on
        // them stay apart from `d`.
        for (a, b) in [
            ("Farzad", "فرید"),
            ("Behzad", "بهداد"),
            ("Mohammadzadeh", "محمدی"),
            ("Nazari", "نادری"),
            ("Zahra", "گوهر"),
            ("Reza", "Rahim"),
            ("Javad", "Jafar"),
            ("Qazvin", "Zahedan"),
        ] {
            assert_ne!(
                arabic_reading_key_joined(a),
                arabic_reading_key_joined(b),
                "{a} and {b} are different names"
            );
        }
    }

    #[test]
    fn the_coarse_key_joins_the_skeleton_and_most_arabic_readings() {
        let coarse = |name: &str| coarse_skeleton_key(skeleton_key_joined(name));
        for (a, b) in [
            ("Rida", "رضا"),
            ("Reza", "رضا"),
            ("Kadhim", "کاظم"),
            ("Asgar", "اصغر"),
            ("Asghar", "اصغر"),
            ("Magid", "مجید"),
            ("Mohammadrida", "محمدرضا"),
        ] {
            assert_eq!(coarse(a), coarse(b), "{a} and {b}");
        }
        assert_ne!(coarse("Reza"), coarse("Rahim"));
        assert_eq!(coarse_skeleton_key(""), "");
    }

    #[test]
    fn words_without_consonants_and_empty_names_give_empty_keys() {
        assert_eq!(skeleton_key(""), "");
        assert_eq!(skeleton_key("  - "), "");
        assert_eq!(skeleton_key("Ai"), "");
        assert_eq!(skeleton_key("Ali Ai Reza"), "L RZ");
    }

    proptest! {
        #[test]
        fn keys_are_uppercase_ascii_words(name in "\\PC{0,30}") {
            let key = skeleton_key(&name);
            prop_assert!(key.bytes().all(|b| b.is_ascii_uppercase() || b == b' '), "{:?}", key);
            prop_assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
            prop_assert!(!skeleton_key_joined(&name).contains(' '));
        }
    }
}
