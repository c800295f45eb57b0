//! The name tables: common Persian given names and surnames, each with its Persian spelling
//! and the Latin transliterations seen in real lists (Mohammad/Mohammed/Muhammad,
//! Rezaei/Rezaee/Rezai, -zadeh/-zade/ Zadeh, Mohammadreza/Mohammad Reza).
//!
//! Only names live here, never people: the generator combines given name, surname and
//! father's name at random, so no generated person is a real one. How a source picks one of
//! the spellings is left to `render`.

/// The zero-width non-joiner that joins compound Persian names (حسن‌زاده).
pub(crate) const ZWNJ: char = '\u{200C}';

/// One name in both scripts: the Persian spelling (with ZWNJ where careful writers put one)
/// and its Latin spellings, the most common first.
#[derive(Debug, Clone)]
pub(crate) struct NameForm {
    /// Persian spelling, Persian letters (ی, ک), ZWNJ in compounds.
    pub persian: String,
    /// Latin spellings, most common first; never empty.
    pub latin: Vec<String>,
}

/// Weighted tables of names, most common first, with cumulative weights for drawing.
#[derive(Debug, Clone)]
pub(crate) struct NameTable {
    /// The names.
    pub forms: Vec<NameForm>,
    cumulative: Vec<f64>,
}

impl NameTable {
    fn new(forms: Vec<NameForm>, weights: &[f64]) -> NameTable {
        let mut total = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        NameTable { forms, cumulative }
    }

    /// The index of the name a uniform number in `[0, 1)` falls on.
    pub fn pick(&self, uniform: f64) -> u16 {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let index = self.cumulative.partition_point(|c| *c <= uniform * total);
        index.min(self.forms.len() - 1) as u16
    }

    /// The name at an index drawn by [`NameTable::pick`].
    pub fn get(&self, index: u16) -> &NameForm {
        &self.forms[usize::from(index)]
    }
}

/// All name tables the generator draws from.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// Male given names, simple and compound.
    pub male: NameTable,
    /// Female given names.
    pub female: NameTable,
    /// Surnames built from stems and suffixes.
    pub surnames: NameTable,
}

impl Names {
    /// Builds every table (a few hundred entries; done once per run).
    pub fn build() -> Names {
        Names {
            male: male_table(),
            female: female_table(),
            surnames: surname_table(),
        }
    }
}

type Raw = (&'static str, &'static [&'static str]);

/// Simple male given names, roughly by frequency in the generation born 1315–1350 SH.
const MALE: &[Raw] = &[
    (
        "محمد",
        &["Mohammad", "Mohammed", "Muhammad", "Mohamad", "Mohamed"],
    ),
    ("علی", &["Ali"]),
    (
        "حسین",
        &["Hossein", "Hosein", "Hussein", "Hosain", "Husain"],
    ),
    ("حسن", &["Hassan", "Hasan"]),
    ("رضا", &["Reza", "Rida"]),
    ("مهدی", &["Mehdi", "Mahdi", "Mehdy"]),
    ("محمود", &["Mahmoud", "Mahmood", "Mahmud"]),
    ("احمد", &["Ahmad", "Ahmed"]),
    ("عباس", &["Abbas", "Abas"]),
    ("جواد", &["Javad", "Jawad"]),
    ("مجید", &["Majid", "Madjid"]),
    ("سعید", &["Saeed", "Saeid", "Said"]),
    ("مسعود", &["Masoud", "Masood", "Massoud", "Masud"]),
    ("مصطفی", &["Mostafa", "Mustafa", "Mostapha"]),
    ("مرتضی", &["Morteza", "Mortaza", "Murtaza"]),
    ("جعفر", &["Jafar", "Jaafar", "Djafar"]),
    ("اصغر", &["Asghar", "Asgar"]),
    ("اکبر", &["Akbar"]),
    ("ابراهیم", &["Ebrahim", "Ibrahim", "Ebrahem"]),
    ("اسماعیل", &["Esmaeil", "Esmail", "Ismail", "Esmaiel"]),
    ("ناصر", &["Nasser", "Naser"]),
    ("بهرام", &["Bahram"]),
    ("بهروز", &["Behrouz", "Behrooz", "Behruz"]),
    ("فرهاد", &["Farhad"]),
    ("حمید", &["Hamid"]),
    ("کریم", &["Karim", "Kareem"]),
    ("کاظم", &["Kazem", "Kazim", "Kadhim"]),
    ("قاسم", &["Ghasem", "Qasem", "Gasem", "Qassem"]),
    ("هادی", &["Hadi"]),
    ("یوسف", &["Yousef", "Yusef", "Yousof", "Youssef"]),
    ("جمشید", &["Jamshid"]),
    ("پرویز", &["Parviz", "Parwiz"]),
    ("منوچهر", &["Manouchehr", "Manuchehr", "Manoochehr"]),
    ("خسرو", &["Khosrow", "Khosro", "Khosrou"]),
    ("سیامک", &["Siamak", "Siyamak"]),
    ("کوروش", &["Kourosh", "Kurosh", "Koorosh"]),
    ("داوود", &["Davoud", "Davood", "Dawood", "Davud"]),
    ("منصور", &["Mansour", "Mansoor", "Mansur"]),
    ("رحیم", &["Rahim", "Raheem"]),
    ("رسول", &["Rasoul", "Rasool", "Rasul"]),
    ("حبیب", &["Habib"]),
    ("نادر", &["Nader"]),
    ("امیر", &["Amir"]),
    ("بیژن", &["Bijan", "Bizhan"]),
    ("هوشنگ", &["Houshang", "Hooshang", "Hushang"]),
    (
        "فریدون",
        &["Fereydoun", "Fereidoun", "Freydoon", "Fereydun"],
    ),
    ("اسدالله", &["Asadollah", "Asadolah", "Assadollah"]),
    ("حشمت", &["Heshmat"]),
    ("مجتبی", &["Mojtaba", "Mujtaba"]),
    ("صادق", &["Sadegh", "Sadeq", "Sadiq"]),
    ("موسی", &["Mousa", "Musa", "Moosa"]),
    ("ایرج", &["Iraj"]),
    ("نصرالله", &["Nasrollah", "Nasrolah"]),
    ("حمزه", &["Hamzeh", "Hamza"]),
    ("قدرت", &["Ghodrat", "Qodrat"]),
    ("حجت", &["Hojjat", "Hojat"]),
    ("شاهرخ", &["Shahrokh", "Shahrukh"]),
    ("کیوان", &["Keyvan", "Kayvan", "Keivan"]),
    ("بابک", &["Babak"]),
    ("رستم", &["Rostam", "Rustam"]),
    ("صابر", &["Saber", "Sabir"]),
    ("لطیف", &["Latif"]),
    ("عزیز", &["Aziz"]),
    ("یدالله", &["Yadollah", "Yadolah"]),
    ("باقر", &["Bagher", "Baqer", "Bager"]),
    ("حیدر", &["Heydar", "Heidar", "Haydar"]),
    ("رمضان", &["Ramezan", "Ramazan", "Ramadan"]),
    ("تقی", &["Taghi", "Taqi"]),
    ("نقی", &["Naghi", "Naqi"]),
    ("روح\u{200C}الله", &["Rouhollah", "Ruhollah", "Rohollah"]),
    ("عبدالله", &["Abdollah", "Abdolah", "Abdullah"]),
    ("فیروز", &["Firouz", "Firooz", "Firuz"]),
    ("سهراب", &["Sohrab"]),
    ("اسفندیار", &["Esfandiar", "Esfandiyar"]),
    ("شهاب", &["Shahab"]),
    ("خلیل", &["Khalil"]),
    ("جلیل", &["Jalil"]),
    ("جلال", &["Jalal"]),
    ("کمال", &["Kamal"]),
    ("جمال", &["Jamal"]),
];

/// Compound male names: (first part, second part) as indexes into [`MALE`].
const COMPOUNDS: &[(usize, usize)] = &[
    (0, 4),  // Mohammadreza
    (0, 1),  // Mohammadali
    (0, 2),  // Mohammadhossein
    (0, 3),  // Mohammadhassan
    (0, 67), // Mohammadtaghi
    (0, 5),  // Mohammadmehdi
    (0, 9),  // Mohammadjavad
    (0, 25), // Mohammadkarim
    (0, 18), // Mohammadebrahim
    (1, 4),  // Alireza
    (1, 17), // Aliakbar
    (1, 16), // Aliasghar
];

/// Compounds whose first part is غلام (Gholam), which is not a name on its own.
const GHOLAM_COMPOUNDS: &[usize] = &[4, 2, 1, 8, 3];

const FEMALE: &[Raw] = &[
    ("فاطمه", &["Fatemeh", "Fatima", "Fatemah", "Fateme"]),
    ("زهرا", &["Zahra", "Zahrah"]),
    ("مریم", &["Maryam", "Mariam"]),
    ("معصومه", &["Masoumeh", "Masoume", "Massoumeh", "Masumeh"]),
    ("زهره", &["Zohreh", "Zohre"]),
    ("اشرف", &["Ashraf"]),
    ("پروین", &["Parvin", "Parveen"]),
    ("شهلا", &["Shahla"]),
    ("میترا", &["Mitra"]),
    ("رویا", &["Roya", "Roia"]),
    ("سهیلا", &["Soheila", "Soheyla", "Sohaila"]),
    ("اعظم", &["Azam"]),
    ("مهین", &["Mahin"]),
    ("منیره", &["Monireh", "Monire", "Munira"]),
    ("فرشته", &["Fereshteh", "Fereshte"]),
    ("ناهید", &["Nahid", "Naheed"]),
    ("شیرین", &["Shirin", "Shireen"]),
    ("سیمین", &["Simin"]),
    ("طاهره", &["Tahereh", "Tahere", "Tahira"]),
    ("مهناز", &["Mahnaz"]),
    ("فرزانه", &["Farzaneh", "Farzane"]),
    ("لیلا", &["Leila", "Leyla", "Layla"]),
    ("مینا", &["Mina"]),
    ("نسرین", &["Nasrin", "Nasreen"]),
    ("اکرم", &["Akram"]),
    ("ربابه", &["Robabeh", "Robabe"]),
    ("سکینه", &["Sakineh", "Sakine"]),
    ("سودابه", &["Soudabeh", "Sudabeh", "Soodabeh"]),
    ("زینب", &["Zeynab", "Zeinab", "Zainab"]),
    ("مرضیه", &["Marzieh", "Marziyeh", "Marzie"]),
    ("مژگان", &["Mojgan", "Mozhgan"]),
    ("مهری", &["Mehri"]),
];

/// Surname stems that are not given names above.
const EXTRA_STEMS: &[Raw] = &[
    ("مراد", &["Morad", "Murad"]),
    ("نور", &["Nour", "Nur", "Noor"]),
    ("امین", &["Amin"]),
    ("صالح", &["Saleh", "Salih"]),
    ("سلطان", &["Soltan", "Sultan"]),
    ("رحمان", &["Rahman"]),
    ("قربان", &["Ghorban", "Qorban"]),
    ("ولی", &["Vali", "Wali"]),
    ("نجف", &["Najaf"]),
    ("هاشم", &["Hashem", "Hashim"]),
    ("شریف", &["Sharif"]),
    ("میرزا", &["Mirza"]),
    ("جهان", &["Jahan"]),
    ("یزدان", &["Yazdan"]),
    ("درویش", &["Darvish", "Darwish"]),
    ("اسد", &["Asad", "Assad"]),
    ("زمان", &["Zaman"]),
    ("صفر", &["Safar"]),
    ("امام", &["Emam", "Imam"]),
    ("نیک", &["Nik", "Nick"]),
    ("بختیار", &["Bakhtiar", "Bakhtiyar"]),
    ("شمس", &["Shams"]),
    ("غفار", &["Ghaffar", "Qaffar"]),
    ("مختار", &["Mokhtar", "Mukhtar"]),
    ("زارع", &["Zare", "Zarea"]),
    ("سالار", &["Salar"]),
    ("سردار", &["Sardar"]),
    ("افشار", &["Afshar"]),
    ("بهادر", &["Bahador", "Bahadur"]),
    ("فرخ", &["Farrokh", "Farokh"]),
    ("نصیر", &["Nasir", "Naseer"]),
    ("کاوه", &["Kaveh", "Kave"]),
];

/// Place names that give surnames with -i (Tehrani, Shirazi).
const PLACE_STEMS: &[Raw] = &[
    ("تهران", &["Tehran"]),
    ("شیراز", &["Shiraz"]),
    ("تبریز", &["Tabriz"]),
    ("اصفهان", &["Esfahan", "Isfahan"]),
    ("کرمان", &["Kerman"]),
    ("کاشان", &["Kashan"]),
    ("یزد", &["Yazd"]),
    ("رشت", &["Rasht"]),
    ("قزوین", &["Ghazvin", "Qazvin"]),
    ("زنجان", &["Zanjan"]),
    ("همدان", &["Hamedan", "Hamadan"]),
    ("فراهان", &["Farahan"]),
    ("گیلان", &["Gilan"]),
    ("خراسان", &["Khorasan"]),
    ("کرد", &["Kord", "Kurd"]),
    ("لر", &["Lor", "Lur"]),
];

/// Surnames that are not stem plus suffix.
const STANDALONE_SURNAMES: &[Raw] = &[
    ("موسوی", &["Mousavi", "Musavi", "Moosavi"]),
    ("خسروی", &["Khosravi", "Khosrawi"]),
    ("علوی", &["Alavi", "Alawi"]),
    ("صفوی", &["Safavi"]),
    ("طباطبایی", &["Tabatabaei", "Tabatabaee", "Tabatabai"]),
    ("میرزایی", &["Mirzaei", "Mirzaee", "Mirzai"]),
];

/// Letters that do not join the next letter, so no ZWNJ is written after them.
const NON_JOINING: &[char] = &['ا', 'آ', 'د', 'ذ', 'ر', 'ز', 'ژ', 'و'];

/// A surname suffix: its Persian form and Latin spellings.
struct Suffix {
    persian: &'static str,
    latin: &'static [&'static str],
    /// Whether a ZWNJ separates it from a stem ending in a joining letter.
    is_separate: bool,
}

const ZADEH: Suffix = Suffix {
    persian: "زاده",
    latin: &["zadeh", "zade", " Zadeh", "-Zadeh"],
    is_separate: true,
};
const POUR: Suffix = Suffix {
    persian: "پور",
    latin: &["pour", "pur", " Pour", "poor"],
    is_separate: true,
};
const NEJAD: Suffix = Suffix {
    persian: "نژاد",
    latin: &["nejad", "nezhad", "nejhad", " Nejad"],
    is_separate: true,
};
const IAN: Suffix = Suffix {
    persian: "یان",
    latin: &["ian", "iyan"],
    is_separate: false,
};
const LOU: Suffix = Suffix {
    persian: "لو",
    latin: &["lou", "loo", "lu"],
    is_separate: false,
};
const NIA: Suffix = Suffix {
    persian: "نیا",
    latin: &["nia", "niya", " Nia"],
    is_separate: true,
};
const FAR: Suffix = Suffix {
    persian: "فر",
    latin: &["far", " Far"],
    is_separate: true,
};
const RAD: Suffix = Suffix {
    persian: "راد",
    latin: &["rad", " Rad"],
    is_separate: true,
};
const VAND: Suffix = Suffix {
    persian: "وند",
    latin: &["vand", "wand"],
    is_separate: false,
};
const DOOST: Suffix = Suffix {
    persian: "دوست",
    latin: &["doost", "dust", "doust"],
    is_separate: true,
};
const PANAH: Suffix = Suffix {
    persian: "پناه",
    latin: &["panah", " Panah"],
    is_separate: true,
};
/// -i after a consonant (Karimi, Hosseini).
const I_AFTER_CONSONANT: Suffix = Suffix {
    persian: "ی",
    latin: &["i", "y", "ee"],
    is_separate: false,
};
/// -i after a long a (Rezaei, Rezaee, Rezai).
const I_AFTER_A: Suffix = Suffix {
    persian: "یی",
    latin: &["ei", "ee", "i", "ie"],
    is_separate: false,
};

fn form(persian: &str, latin: &[&str]) -> NameForm {
    NameForm {
        persian: persian.to_string(),
        latin: latin.iter().map(|s| s.to_string()).collect(),
    }
}

/// Zipf-like weight of the name at a rank: common names are much more common.
fn zipf(rank: usize, exponent: f64) -> f64 {
    1.0 / ((rank + 1) as f64).powf(exponent)
}

fn male_table() -> NameTable {
    let mut forms: Vec<NameForm> = MALE.iter().map(|(fa, la)| form(fa, la)).collect();
    let mut weights: Vec<f64> = (0..forms.len()).map(|rank| zipf(rank, 0.9)).collect();
    for (rank, (first, second)) in COMPOUNDS.iter().enumerate() {
        forms.push(compound(MALE[*first], MALE[*second]));
        weights.push(zipf(rank + 3, 0.9));
    }
    let gholam: Raw = ("غلام", &["Gholam", "Qolam"]);
    for (rank, second) in GHOLAM_COMPOUNDS.iter().enumerate() {
        forms.push(compound(gholam, MALE[*second]));
        weights.push(zipf(rank + 6, 0.9));
    }
    NameTable::new(forms, &weights)
}

fn female_table() -> NameTable {
    let forms: Vec<NameForm> = FEMALE.iter().map(|(fa, la)| form(fa, la)).collect();
    let weights: Vec<f64> = (0..forms.len()).map(|rank| zipf(rank, 0.8)).collect();
    NameTable::new(forms, &weights)
}

/// A compound given name: محمدرضا written joined in Persian (علی‌اکبر with a ZWNJ, since ی
/// joins), and Mohammadreza / Mohammad Reza / Mohammad-Reza in Latin.
fn compound(first: Raw, second: Raw) -> NameForm {
    let joiner = match first.0.chars().last() {
        Some(last) if NON_JOINING.contains(&last) => String::new(),
        Some('ی') if second.0.starts_with('ا') => ZWNJ.to_string(),
        _ => String::new(),
    };
    let persian = format!("{}{}{}", first.0, joiner, second.0);
    let mut latin = Vec::new();
    for a in first.1.iter().take(2) {
        for b in second.1.iter().take(2) {
            latin.push(format!("{a}{}", b.to_lowercase()));
            latin.push(format!("{a} {b}"));
            latin.push(format!("{a}-{b}"));
        }
    }
    NameForm { persian, latin }
}

fn surname_table() -> NameTable {
    let mut forms: Vec<NameForm> = Vec::new();
    for stem in MALE.iter().chain(EXTRA_STEMS) {
        for suffix in suffixes_for(stem.0) {
            forms.push(with_suffix(*stem, suffix));
        }
    }
    for stem in PLACE_STEMS {
        forms.push(with_suffix(*stem, &I_AFTER_CONSONANT));
    }
    forms.extend(STANDALONE_SURNAMES.iter().map(|(fa, la)| form(fa, la)));
    // Interleave so that -i surnames (the most common kind) come first in rank.
    forms.sort_by_key(|f| !f.persian.ends_with('ی'));
    let weights: Vec<f64> = (0..forms.len()).map(|rank| zipf(rank, 0.6)).collect();
    NameTable::new(forms, &weights)
}

/// Which suffixes a stem takes, by its last letter.
fn suffixes_for(stem: &str) -> Vec<&'static Suffix> {
    match stem.chars().last() {
        Some('ا') => vec![&I_AFTER_A, &ZADEH, &POUR, &NIA, &FAR],
        Some('ی') | Some('ه') | Some('و') => vec![&ZADEH, &POUR, &NEJAD, &NIA, &FAR, &PANAH],
        Some(last) => {
            let mut all = vec![
                &I_AFTER_CONSONANT,
                &ZADEH,
                &POUR,
                &NEJAD,
                &IAN,
                &NIA,
                &FAR,
                &RAD,
                &VAND,
                &DOOST,
                &PANAH,
            ];
            if matches!(last, 'م' | 'ن' | 'ر' | 'ل') {
                all.push(&LOU);
            }
            all
        }
        None => Vec::new(),
    }
}

fn with_suffix(stem: Raw, suffix: &Suffix) -> NameForm {
    let needs_zwnj = suffix.is_separate
        && stem
            .0
            .chars()
            .last()
            .is_some_and(|last| !NON_JOINING.contains(&last));
    let persian = if needs_zwnj {
        format!("{}{}{}", stem.0, ZWNJ, suffix.persian)
    } else {
        format!("{}{}", stem.0, suffix.persian)
    };
    let mut latin = Vec::new();
    for base in stem.1.iter().take(2) {
        for ending in suffix.latin {
            latin.push(format!("{base}{ending}"));
        }
    }
    NameForm { persian, latin }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_a_persian_and_a_latin_spelling() {
        let names = Names::build();
        for table in [&names.male, &names.female, &names.surnames] {
            for form in &table.forms {
                assert!(!form.persian.is_empty());
                assert!(!form.latin.is_empty(), "{}", form.persian);
            }
        }
        assert!(
            names.surnames.forms.len() > 400,
            "{}",
            names.surnames.forms.len()
        );
    }

    #[test]
    fn compound_given_names_are_spelled_joined_and_apart() {
        let names = Names::build();
        let mohammadreza = names
            .male
            .forms
            .iter()
            .find(|f| f.persian == "محمدرضا")
            .map(|f| f.latin.clone())
            .unwrap_or_default();
        assert!(mohammadreza.contains(&"Mohammadreza".to_string()));
        assert!(mohammadreza.contains(&"Mohammad Reza".to_string()));
    }

    #[test]
    fn zadeh_surnames_carry_a_zwnj_after_a_joining_letter_only() {
        let names = Names::build();
        let persian: Vec<&str> = names
            .surnames
            .forms
            .iter()
            .map(|f| f.persian.as_str())
            .collect();
        assert!(persian.contains(&"حسن\u{200C}زاده"));
        assert!(persian.contains(&"محمدزاده"));
        assert!(persian.contains(&"رضایی"));
    }

    #[test]
    fn rezaei_has_its_common_latin_spellings() {
        let names = Names::build();
        let rezaei = names
            .surnames
            .forms
            .iter()
            .find(|f| f.persian == "رضایی")
            .map(|f| f.latin.clone())
            .unwrap_or_default();
        for spelling in ["Rezaei", "Rezaee", "Rezai"] {
            assert!(rezaei.contains(&spelling.to_string()), "{spelling}");
        }
    }

    #[test]
    fn picking_covers_the_whole_table() {
        let names = Names::build();
        assert_eq!(names.male.pick(0.0), 0);
        assert_eq!(
            usize::from(names.male.pick(0.999_999_9)),
            names.male.forms.len() - 1
        );
    }
}
