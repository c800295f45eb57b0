//! Places and organisations: provinces, cities, prisons, burial sites and political
//! affiliations, each in both scripts with the Latin spellings lists use.
//!
//! These are institutions and places, never people. Which person lives where, and which
//! prison holds them, is decided in `population`.

/// A label in both scripts: Persian spellings and Latin spellings, the usual one first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Label {
    /// Persian spellings; never empty.
    pub persian: &'static [&'static str],
    /// Latin spellings; never empty.
    pub latin: &'static [&'static str],
}

/// A city with its province (an index into [`PROVINCES`]) and its share of the victims.
#[derive(Debug, Clone, Copy)]
pub(crate) struct City {
    /// The city's name.
    pub label: Label,
    /// Index into [`PROVINCES`].
    pub province: usize,
    /// Relative share of the victims who lived there.
    pub weight: f64,
}

/// A prison with the provinces whose prisoners it mostly held.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prison {
    /// The prison's name.
    pub label: Label,
    /// Indexes into [`PROVINCES`].
    pub provinces: &'static [usize],
}

/// A political affiliation with its share of the victims.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affiliation {
    /// The organisation's name.
    pub label: Label,
    /// Relative share of the victims.
    pub weight: f64,
    /// Whether the organisation was a leftist one; leftist prisoners were killed in the second
    /// wave (late Mordad and Shahrivar 1367), the Mojahedin mostly in the first.
    pub is_leftist: bool,
}

const fn label(persian: &'static [&'static str], latin: &'static [&'static str]) -> Label {
    Label { persian, latin }
}

/// Index of Tehran in [`PROVINCES`].
pub(crate) const TEHRAN_PROVINCE: usize = 0;

/// Provinces as lists of the time name them.
pub(crate) const PROVINCES: &[Label] = &[
    label(&["تهران"], &["Tehran"]),
    label(&["خراسان"], &["Khorasan", "Khurasan"]),
    label(&["اصفهان"], &["Isfahan", "Esfahan"]),
    label(&["فارس"], &["Fars"]),
    label(
        &["آذربایجان شرقی"],
        &["East Azerbaijan", "Azarbaijan-e Sharghi"],
    ),
    label(
        &["آذربایجان غربی"],
        &["West Azerbaijan", "Azarbaijan-e Gharbi"],
    ),
    label(&["گیلان"], &["Gilan", "Guilan"]),
    label(&["مازندران"], &["Mazandaran"]),
    label(&["خوزستان"], &["Khuzestan", "Khouzestan"]),
    label(&["کرمانشاه", "باختران"], &["Kermanshah", "Bakhtaran"]),
    label(&["کردستان"], &["Kurdistan", "Kordestan"]),
    label(&["همدان"], &["Hamadan", "Hamedan"]),
    label(&["کرمان"], &["Kerman"]),
    label(&["مرکزی"], &["Markazi"]),
    label(&["لرستان"], &["Lorestan", "Luristan"]),
    label(&["زنجان"], &["Zanjan"]),
    label(&["یزد"], &["Yazd"]),
    label(
        &["سیستان و بلوچستان"],
        &["Sistan and Baluchestan", "Sistan-Baluchestan"],
    ),
];

/// Cities where victims lived.
pub(crate) const CITIES: &[City] = &[
    city(&["تهران"], &["Tehran", "Teheran"], 0, 30.0),
    city(&["کرج"], &["Karaj"], 0, 4.0),
    city(&["قم"], &["Qom", "Ghom"], 0, 1.5),
    city(&["مشهد"], &["Mashhad", "Mashad"], 1, 5.0),
    city(&["نیشابور"], &["Neyshabur", "Nishapur"], 1, 1.0),
    city(&["سبزوار"], &["Sabzevar"], 1, 1.0),
    city(&["اصفهان"], &["Isfahan", "Esfahan"], 2, 5.0),
    city(&["کاشان"], &["Kashan"], 2, 1.0),
    city(
        &["نجف\u{200C}آباد", "نجف آباد"],
        &["Najafabad", "Najaf Abad"],
        2,
        1.0,
    ),
    city(&["شیراز"], &["Shiraz"], 3, 5.0),
    city(&["تبریز"], &["Tabriz"], 4, 5.0),
    city(&["اردبیل"], &["Ardabil", "Ardebil"], 4, 1.0),
    city(&["ارومیه"], &["Urmia", "Orumiyeh", "Orumieh"], 5, 2.0),
    city(&["مهاباد"], &["Mahabad"], 5, 1.0),
    city(&["رشت"], &["Rasht"], 6, 4.0),
    city(&["لاهیجان"], &["Lahijan"], 6, 2.0),
    city(
        &["بندر انزلی", "انزلی"],
        &["Bandar Anzali", "Anzali"],
        6,
        1.0,
    ),
    city(&["ساری"], &["Sari"], 7, 2.0),
    city(&["بابل"], &["Babol"], 7, 2.0),
    city(&["آمل"], &["Amol"], 7, 2.0),
    city(&["گرگان"], &["Gorgan"], 7, 1.0),
    city(&["اهواز"], &["Ahvaz", "Ahwaz"], 8, 4.0),
    city(&["دزفول"], &["Dezful", "Dezfoul"], 8, 2.0),
    city(&["آبادان"], &["Abadan"], 8, 1.0),
    city(&["کرمانشاه"], &["Kermanshah"], 9, 3.0),
    city(&["سنندج"], &["Sanandaj"], 10, 2.0),
    city(&["همدان"], &["Hamadan", "Hamedan"], 11, 2.0),
    city(&["کرمان"], &["Kerman"], 12, 2.0),
    city(&["اراک"], &["Arak"], 13, 2.0),
    city(
        &["خرم\u{200C}آباد", "خرم آباد"],
        &["Khorramabad", "Khoramabad", "Khorram Abad"],
        14,
        2.0,
    ),
    city(&["زنجان"], &["Zanjan"], 15, 2.0),
    city(&["قزوین"], &["Qazvin", "Ghazvin"], 15, 1.5),
    city(&["یزد"], &["Yazd"], 16, 1.0),
    city(&["زاهدان"], &["Zahedan"], 17, 1.0),
];

const fn city(
    persian: &'static [&'static str],
    latin: &'static [&'static str],
    province: usize,
    weight: f64,
) -> City {
    City {
        label: label(persian, latin),
        province,
        weight,
    }
}

/// Index of Evin and Gohardasht in [`PRISONS`]: most Tehran prisoners were held there.
pub(crate) const EVIN: usize = 0;
/// See [`EVIN`].
pub(crate) const GOHARDASHT: usize = 1;

/// Prisons where the killings took place.
pub(crate) const PRISONS: &[Prison] = &[
    prison(&["اوین", "زندان اوین"], &["Evin", "Evin Prison"], &[0]),
    prison(
        &["گوهردشت", "رجایی\u{200C}شهر"],
        &["Gohardasht", "Gohar Dasht", "Rajaei Shahr"],
        &[0, 13],
    ),
    prison(
        &["قزل\u{200C}حصار", "قزلحصار"],
        &["Ghezel Hesar", "Qezel Hesar", "Ghezelhesar"],
        &[0, 15],
    ),
    prison(
        &["وکیل\u{200C}آباد", "وکیل آباد"],
        &["Vakilabad", "Vakil Abad"],
        &[1],
    ),
    prison(
        &["عادل\u{200C}آباد", "عادل آباد"],
        &["Adelabad", "Adel Abad"],
        &[3, 16],
    ),
    prison(
        &["زندان تبریز"],
        &["Tabriz Prison", "Tabriz Central Prison"],
        &[4],
    ),
    prison(
        &["زندان ارومیه"],
        &["Urmia Prison", "Orumiyeh Prison"],
        &[5],
    ),
    prison(&["لاکان"], &["Lakan", "Lakan Prison"], &[6]),
    prison(&["زندان ساری"], &["Sari Prison"], &[7]),
    prison(&["سپیدار", "کارون"], &["Sepidar", "Karun"], &[8]),
    prison(
        &["دیزل\u{200C}آباد", "دیزل آباد"],
        &["Dizelabad", "Dizel Abad"],
        &[9, 10, 14],
    ),
    prison(&["دستگرد"], &["Dastgerd"], &[2]),
    prison(&["زندان همدان"], &["Hamadan Prison"], &[11]),
    prison(&["زندان کرمان"], &["Kerman Prison"], &[12, 17]),
];

const fn prison(
    persian: &'static [&'static str],
    latin: &'static [&'static str],
    provinces: &'static [usize],
) -> Prison {
    Prison {
        label: label(persian, latin),
        provinces,
    }
}

/// Political affiliations sources attribute.
pub(crate) const AFFILIATIONS: &[Affiliation] = &[
    affiliation(
        &["مجاهدین خلق", "سازمان مجاهدین خلق ایران", "مجاهدین"],
        &["PMOI", "Mojahedin", "MEK", "Mojahedin-e Khalq"],
        70.0,
        false,
    ),
    affiliation(
        &["فداییان خلق", "چریک\u{200C}های فدایی خلق", "فدائیان"],
        &["Fadaian", "Fedaian", "Fedayeen", "OIPF"],
        8.0,
        true,
    ),
    affiliation(
        &["حزب توده", "حزب توده ایران"],
        &["Tudeh", "Tudeh Party"],
        8.0,
        true,
    ),
    affiliation(&["پیکار"], &["Peykar", "Paykar"], 4.0, true),
    affiliation(&["راه کارگر"], &["Rah-e Kargar", "Rahe Kargar"], 3.0, true),
    affiliation(&["کومله"], &["Komala", "Komalah"], 3.0, true),
    affiliation(
        &["حزب دموکرات کردستان", "حدکا"],
        &["KDPI", "Kurdistan Democratic Party"],
        2.0,
        false,
    ),
];

const fn affiliation(
    persian: &'static [&'static str],
    latin: &'static [&'static str],
    weight: f64,
    is_leftist: bool,
) -> Affiliation {
    Affiliation {
        label: label(persian, latin),
        weight,
        is_leftist,
    }
}

/// Khavaran, where many of the Tehran victims were buried in unmarked graves.
pub(crate) const KHAVARAN: Label = label(&["خاوران", "گلزار خاوران"], &["Khavaran"]);

/// The prisons that hold prisoners from a province: the local ones, or Evin when none does.
pub(crate) fn prisons_of(province: usize) -> impl Iterator<Item = usize> {
    PRISONS
        .iter()
        .enumerate()
        .filter(move |(_, p)| p.provinces.contains(&province))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_has_a_prison() {
        for province in 0..PROVINCES.len() {
            assert!(prisons_of(province).next().is_some(), "province {province}");
        }
    }

    #[test]
    fn every_city_names_a_known_province() {
        for city in CITIES {
            assert!(city.province < PROVINCES.len(), "{:?}", city.label.latin);
        }
    }

    #[test]
    fn tehran_prisons_are_evin_and_gohardasht_first() {
        let tehran: Vec<usize> = prisons_of(TEHRAN_PROVINCE).collect();
        assert_eq!(&tehran[..2], &[EVIN, GOHARDASHT]);
    }
}
