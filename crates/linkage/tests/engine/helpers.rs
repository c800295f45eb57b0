//! Loading the FEBRL benchmark lists and running the engine end to end on them.

use domain::fields::CanonicalField;
use linkage::evaluate::pairwise_scores;
use linkage::{
    BlockingRecall, Duplicates, LinkOptions, Linker, PairwiseScores, Records, SourceSpec,
};

/// The FEBRL lists, shipped beside the repository.
pub const FEBRL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/febrl");

/// FEBRL's columns and the canonical fields they map onto.
const FEBRL_COLUMNS: &[(&str, CanonicalField)] = &[
    ("given_name", CanonicalField::GivenName),
    ("surname", CanonicalField::Surname),
    ("address_1", CanonicalField::Address),
    ("suburb", CanonicalField::City),
    ("postcode", CanonicalField::PostalCode),
    ("state", CanonicalField::Province),
    ("date_of_birth", CanonicalField::BirthDate),
    ("soc_sec_id", CanonicalField::NationalId),
];

/// Records of the FEBRL files, and the truth: the number inside `rec-<n>-org|dup-k`.
pub fn load_febrl(files: &[&str], duplicates: Duplicates) -> (Records, Vec<Option<u32>>) {
    let fields: Vec<CanonicalField> = FEBRL_COLUMNS.iter().map(|(_, f)| *f).collect();
    let mut builder = Records::builder(&fields);
    let mut truth = Vec::new();
    for file in files {
        let source = builder
            .add_source(SourceSpec {
                duplicates,
                ..SourceSpec::new(*file)
            })
            .unwrap();
        let mut reader = csv::Reader::from_path(format!("{FEBRL_DIR}/{file}.csv")).unwrap();
        let headers = reader.headers().unwrap().clone();
        let position = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let columns: Vec<usize> = FEBRL_COLUMNS.iter().map(|(c, _)| position(c)).collect();
        let (id_column, number_column) = (position("rec_id"), position("street_number"));
        for row in reader.records() {
            let row = row.unwrap();
            let mut cells: Vec<String> = columns.iter().map(|&c| row[c].to_string()).collect();
            cells[2] = format!("{} {}", &row[number_column], &row[columns[2]]);
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let id = &row[id_column];
            builder.push(source, id, &refs).unwrap();
            truth.push(id.split('-').nth(1).and_then(|n| n.parse().ok()));
        }
    }
    (builder.build().unwrap(), truth)
}

/// Trains without labels, links, and scores against truth.
pub fn link_and_score(
    records: &Records,
    truth: &[Option<u32>],
    options: LinkOptions,
) -> (PairwiseScores, BlockingRecall) {
    let linker = Linker::new(records, options).unwrap();
    let model = linker.train(&[]).unwrap();
    let linkage = linker.link(&model, &[]).unwrap();
    let recall = linker.blocking_recall(truth).unwrap();
    let scores = pairwise_scores(&linkage.clusters, truth);
    eprintln!(
        "{scores:?}\n{recall:?}\n{:?}\n{:?}\n{:?}",
        model.training,
        linker.blocking_report(),
        linkage.report
    );
    (scores, recall)
}

/// Reads lists in the canonical columns (as `whereabouts synth` writes them) and their truth.
pub fn load_canonical(dir: &std::path::Path, stems: &[String]) -> (Records, Vec<Option<u32>>) {
    let fields: Vec<CanonicalField> = CanonicalField::ALL
        .iter()
        .copied()
        .filter(|f| *f != CanonicalField::RecordId)
        .collect();
    let mut builder = Records::builder(&fields);
    let mut keys = Vec::new();
    for stem in stems {
        let source = builder.add_source(SourceSpec::new(stem.as_str())).unwrap();
        let mut reader = csv::Reader::from_path(dir.join(format!("{stem}.csv"))).unwrap();
        let headers = reader.headers().unwrap().clone();
        let position = |f: CanonicalField| headers.iter().position(|h| h == f.as_str());
        let columns: Vec<Option<usize>> = fields.iter().map(|&f| position(f)).collect();
        let id_column = position(CanonicalField::RecordId).unwrap();
        for row in reader.records() {
            let row = row.unwrap();
            let cells: Vec<&str> = columns.iter().map(|c| c.map_or("", |c| &row[c])).collect();
            builder.push(source, &row[id_column], &cells).unwrap();
            keys.push((stem.clone(), row[id_column].to_string()));
        }
    }
    let mut persons = std::collections::HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("truth.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let next = persons.len() as u32;
        let person = *persons.entry(row[2].to_string()).or_insert(next);
        persons.insert(format!("{}|{}", &row[0], &row[1]), person);
    }
    let truth = keys
        .iter()
        .map(|(s, r)| persons.get(&format!("{s}|{r}")).copied())
        .collect();
    (builder.build().unwrap(), truth)
}

/// Writes synthetic two-script lists into a temporary folder; returns it and the list stems.
pub fn synth_lists(persons: u64, sources: u32, seed: u64) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let config = synth::SynthConfig {
        persons,
        sources,
        seed,
        ..synth::SynthConfig::default()
    };
    let summary = synth::write_lists(&config, dir.path()).unwrap();
    let stems = summary.styles.iter().map(|s| s.stem.clone()).collect();
    (dir, stems)
}
