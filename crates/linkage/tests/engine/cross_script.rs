//! Synthetic lists in Persian and Latin script, two calendars, ages for birth years.
//!
//! The target is F1 ≥ 0.95 without labels; on these 40,000 records the engine reaches
//! 0.97 (blocking recall 0.97; 0.95 at 200,000 records, see docs/linkage.md), and the test holds
//! the line at 0.95.

use crate::helpers::{link_and_score, load_canonical, synth_lists};
use domain::fields::CanonicalField;
use linkage::LinkOptions;

#[test]
fn synthetic_two_script_lists_are_linked_with_f1_of_at_least_0_95() {
    let (dir, stems) = synth_lists(20_000, 5, 7);
    let (records, truth) = load_canonical(dir.path(), &stems);
    let (scores, recall) = link_and_score(&records, &truth, LinkOptions::default());
    assert!(recall.recall > 0.95, "blocking recall {recall:?}");
    assert!(scores.f1 >= 0.95, "{scores:?}");
}

/// One list of these rows over these three fields.
fn one_list(fields: [CanonicalField; 3], rows: &[[&str; 3]]) -> linkage::Records {
    let mut builder = linkage::Records::builder(&fields);
    let source = builder
        .add_source(linkage::SourceSpec::new("list"))
        .unwrap();
    for (i, row) in rows.iter().enumerate() {
        builder.push(source, &i.to_string(), row).unwrap();
    }
    builder.build().unwrap()
}

/// The level each field of a pair gets, by name.
fn levels_of(rows: &[[&str; 3]], a: u32, b: u32) -> Vec<(String, String)> {
    use CanonicalField::{GivenName, Prison, Surname};
    let records = one_list([GivenName, Surname, Prison], rows);
    let linker = linkage::Linker::new(&records, LinkOptions::default()).unwrap();
    let model = linker.train(&[]).unwrap();
    let explanation = linker.explain(&model, a, b).unwrap();
    explanation
        .fields
        .iter()
        .map(|f| (f.field.as_str().to_string(), f.level.to_string()))
        .collect()
}

fn level<'a>(levels: &'a [(String, String)], field: &str) -> &'a str {
    levels
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, level)| level.as_str())
        .unwrap()
}

#[test]
fn names_in_swapped_places_are_found_but_a_surname_made_of_a_given_name_is_not_a_swap() {
    let rows = [
        ["Reza", "Ahmadi", "Evin"],
        ["Ahmadi", "Reza", "Evin"],
        ["Ahmad", "Rezaei", "Evin"],
        ["احمدی", "رضا", "اوین"],
        ["احمد", "رضایی", "اوین"],
    ];
    let swapped = "given name and surname swapped";
    assert_eq!(level(&levels_of(&rows, 0, 1), "given_name"), swapped);
    assert_eq!(level(&levels_of(&rows, 0, 3), "surname"), swapped);
    assert_ne!(level(&levels_of(&rows, 0, 2), "given_name"), swapped);
    assert_ne!(level(&levels_of(&rows, 0, 4), "given_name"), swapped);
}

#[test]
fn a_swap_is_found_with_a_typo_in_one_name_or_a_final_ye_read_as_a() {
    let rows = [
        ["Ghodrat", "Farhadfar", "Evin"],
        ["فرهافدر", "قدرت", "اوین"],
        ["Ramezani", "Morteza", "Evin"],
        ["مرتضی", "رمضانی", "اوین"],
        ["Farhadpour", "Ghodrati", "Evin"],
    ];
    let swapped = "given name and surname swapped";
    let typo = levels_of(&rows, 0, 1);
    assert_eq!(level(&typo, "given_name"), swapped, "one name mistyped");
    assert_eq!(level(&typo, "surname"), swapped, "one name mistyped");
    let ye = levels_of(&rows, 2, 3);
    assert_eq!(level(&ye, "given_name"), swapped, "مرتضی is Morteza, no -i");
    // Persian letters are re-encoded one alphabet per field: `بدر` as a given name and `کما` as
    // a surname are the same three bytes, and so are `بدرس` and `کمال`. Not a swap.
    let encoded_alike = [["بدر", "کمال", "اوین"], ["بدرس", "کما", "اوین"]];
    let levels = levels_of(&encoded_alike, 0, 1);
    assert_ne!(level(&levels, "given_name"), swapped);
    // `Karimi` is a surname made of `Karim`: that crossing is none, whatever the other one.
    let made_of = [["Ali", "Karimi", "Evin"], ["Karim", "Ali", "Evin"]];
    assert_ne!(level(&levels_of(&made_of, 0, 1), "given_name"), swapped);
    // `Ghodrati` is a surname made of the given name, and `Farhadpour` only near `Farhadfar`:
    // two near crossings are not a swap.
    assert_ne!(level(&levels_of(&rows, 0, 4), "given_name"), swapped);
}

#[test]
fn levels_are_not_carried_from_one_linker_to_the_next() {
    // Both linkers run in this thread and number their names alike: the second must not reuse
    // what the first found for the same numbers (`Karimi` against `Karimi` was a swap's half;
    // `Tehrani` against `Rahimi` is not).
    let first = [["Ali", "Karimi", "Evin"], ["Karimi", "Ali", "Evin"]];
    let second = [["Ali", "Rahimi", "Evin"], ["Tehrani", "Ali", "Evin"]];
    let swapped = "given name and surname swapped";
    assert_eq!(level(&levels_of(&first, 0, 1), "given_name"), swapped);
    assert_ne!(level(&levels_of(&second, 0, 1), "given_name"), swapped);
}

#[test]
fn zhe_romanised_as_j_and_a_prison_under_its_other_name_agree() {
    let rows = [
        ["Hamid", "Aminnejad", "Rajaei Shahr"],
        ["حمید", "امین‌نژاد", "زندان گوهردشت"],
        ["Hamid", "Aminnejhad", "Gohardasht Prison"],
    ];
    let first = levels_of(&rows, 0, 1);
    assert_eq!(level(&first, "surname"), "same cross-script skeleton");
    assert_eq!(level(&first, "prison"), "same cross-script skeleton");
    let second = levels_of(&rows, 1, 2);
    assert_eq!(level(&second, "surname"), "same cross-script skeleton");
    assert_eq!(level(&second, "prison"), "same cross-script skeleton");
}

#[test]
fn arabic_and_dialect_readings_of_a_name_agree_at_a_level_of_their_own() {
    let rows = [
        ["Rida", "Qorbani", "Tabriz"],
        ["رضا", "قربانی", "تبریز"],
        ["Kadhim", "Ahmadi", "Evin"],
        ["کاظم", "احمدی", "اوین"],
        ["Gasem", "Asgari", "Evin"],
        ["قاسم", "اصغری", "اوین"],
        ["Reza", "Asgari", "Evin"],
        ["Farzad", "Mohammadzadeh", "Evin"],
        ["فرید", "محمدی", "اوین"],
        ["جعفر", "غفاری", "اوین"],
        ["غفار", "جعفری", "اوین"],
        ["Adham", "Mohammadhadi", "Evin"],
        ["آدم", "محمد", "اوین"],
    ];
    let loose = "same skeleton read the Arabic way (d for ض, g for ق)";
    for (a, b) in [(0, 1), (2, 3), (4, 5)] {
        assert_eq!(
            level(&levels_of(&rows, a, b), "given_name"),
            loose,
            "{a}, {b}"
        );
    }
    let dialect = levels_of(&rows, 4, 5);
    assert_eq!(level(&dialect, "surname"), loose, "Asgari and اصغری");
    let different = levels_of(&rows, 6, 5);
    assert_eq!(
        level(&different, "given_name"),
        "different",
        "Reza and قاسم"
    );
    // Only ذ ض ظ ق غ ج and `dh` are read another way, and only against a Latin spelling:
    // `z` is no `d`, and two Persian spellings that differ are two names.
    let apart = levels_of(&rows, 7, 8);
    assert_ne!(level(&apart, "given_name"), loose, "Farzad and فرید");
    assert_ne!(level(&apart, "surname"), loose, "Mohammadzadeh and محمدی");
    assert_ne!(
        level(&levels_of(&rows, 9, 10), "given_name"),
        loose,
        "جعفر and غفار"
    );
    // Nor is a Latin `dh` where two words were run together: آدم and محمد hold no letter the
    // Arabic reading changes.
    let run_together = levels_of(&rows, 11, 12);
    assert_ne!(level(&run_together, "given_name"), loose, "Adham and آدم");
    assert_ne!(
        level(&run_together, "surname"),
        loose,
        "Mohammadhadi and محمد"
    );
}

/// A linker over one list of these rows and fields, and (true pairs, true pairs blocked) when
/// row `i` is person `persons[i]`.
fn blocked_pairs(
    fields: [CanonicalField; 3],
    rows: &[[&str; 3]],
    persons: &[u32],
) -> (linkage::Linker, (u64, u64)) {
    let records = one_list(fields, rows);
    let linker = linkage::Linker::new(&records, LinkOptions::default()).unwrap();
    let truth: Vec<Option<u32>> = persons.iter().copied().map(Some).collect();
    let recall = linker.blocking_recall(&truth).unwrap();
    (linker, (recall.true_pairs, recall.blocked_true_pairs))
}

#[test]
fn names_read_the_arabic_way_meet_in_a_block() {
    use CanonicalField::{GivenName, Prison, Surname};
    // Both names differ in their strict skeletons (RD/RZ, SGRDST/SQRDST); only the loose
    // readings put the two records in one block. The third record is someone else.
    let rows = [
        ["Rida", "Asgardoost", "Evin"],
        ["رضا", "اصغردوست", "اوین"],
        ["Reza", "Sadeghi", "Evin"],
    ];
    let (_, pairs) = blocked_pairs([GivenName, Surname, Prison], &rows, &[0, 0, 1]);
    assert_eq!(pairs, (1, 1), "true pairs, blocked");
}

#[test]
fn two_prisons_of_one_city_are_not_different_places() {
    let rows = [
        ["Hassan", "Heshmati", "Karun Prison"],
        ["حسن", "حشمتی", "سپیدار"],
        ["Hassan", "Heshmati", "Evin"],
        ["Hassan", "Heshmati", "Ghezel Hesar"],
        ["حسن", "حشمتی", "رجایی‌شهر"],
    ];
    let same_city = "another prison of the same city";
    assert_eq!(level(&levels_of(&rows, 0, 1), "prison"), same_city);
    assert_eq!(level(&levels_of(&rows, 3, 4), "prison"), same_city, "Karaj");
    assert_eq!(level(&levels_of(&rows, 1, 2), "prison"), "different");
    assert_eq!(level(&levels_of(&rows, 0, 3), "prison"), "different");
}

#[test]
fn a_name_with_a_changed_consonant_meets_its_other_record_on_the_day_of_execution() {
    use CanonicalField::{ExecutionDate, GivenName, Surname};
    // Person 0: the surname's typo changes a consonant (`Karimi`, `Kalimi`), nothing but the
    // given name and the exact day are shared. Person 1: the same, but one list gives only the
    // month, which is no day to meet on.
    let rows = [
        ["Ali", "Karimi", "1988-08-11"],
        ["Ali", "Kalimi", "20 Mordad 1367"],
        ["Reza", "Nouri", "1988-08-12"],
        ["Reza", "Nourani", "Mordad 1367"],
    ];
    let fields = [GivenName, Surname, ExecutionDate];
    let (linker, pairs) = blocked_pairs(fields, &rows, &[0, 0, 1, 1]);
    assert_eq!(pairs, (2, 1), "true pairs, blocked");
    let rules: Vec<String> = linker
        .blocking_report()
        .rules
        .iter()
        .map(|r| r.rule.clone())
        .collect();
    assert!(
        rules
            .iter()
            .any(|r| r == "skeleton(given_name)+day(execution_date)"),
        "{rules:?}"
    );
}
