//! FEBRL3 (one list with duplicates) and FEBRL4 (two lists to link): pairwise F1 ≥ 0.99
//! without labels.

use crate::helpers::{link_and_score, load_febrl};
use linkage::{Duplicates, LinkOptions};

#[test]
fn febrl3_duplicates_are_found_with_f1_of_at_least_0_99() {
    let (records, truth) = load_febrl(&["febrl3"], Duplicates::Possible);
    let (scores, recall) = link_and_score(&records, &truth, LinkOptions::default());
    assert!(recall.recall > 0.99, "blocking recall {recall:?}");
    assert!(scores.f1 >= 0.99, "{scores:?}");
}

#[test]
fn febrl4_lists_are_linked_with_f1_of_at_least_0_99() {
    let (records, truth) = load_febrl(&["febrl4a", "febrl4b"], Duplicates::Free);
    let (scores, recall) = link_and_score(&records, &truth, LinkOptions::default());
    assert!(recall.recall > 0.99, "blocking recall {recall:?}");
    assert!(scores.f1 >= 0.99, "{scores:?}");
}
