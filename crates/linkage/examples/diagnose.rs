//! Scratch (not committed): link a folder of canonical lists and print what went wrong.
#![allow(clippy::unwrap_used, missing_docs)]
use domain::fields::CanonicalField;
use linkage::evaluate::pairwise_scores;
use linkage::*;
use std::collections::HashMap;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::Path::new(&args[1]);
    if args.len() > 3 {
        let config = synth::SynthConfig {
            persons: args[2].parse().unwrap(),
            sources: args[3].parse().unwrap(),
            seed: 7,
            ..synth::SynthConfig::default()
        };
        synth::write_lists(&config, dir).unwrap();
        return;
    }
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let s = p.file_stem()?.to_str()?.to_string();
            (p.extension()? == "csv" && s != "truth").then_some(s)
        })
        .collect();
    stems.sort();
    let fields: Vec<CanonicalField> = CanonicalField::ALL
        .iter()
        .copied()
        .filter(|f| *f != CanonicalField::RecordId)
        .collect();
    let mut builder = Records::builder(&fields);
    let mut keys = Vec::new();
    for stem in &stems {
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
            keys.push(format!("{stem}|{}", &row[id_column]));
        }
    }
    let mut persons = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("truth.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let next = persons.len() as u32;
        let person = *persons.entry(row[2].to_string()).or_insert(next);
        persons.insert(format!("{}|{}", &row[0], &row[1]), person);
    }
    let truth: Vec<Option<u32>> = keys.iter().map(|k| persons.get(k).copied()).collect();
    let records = builder.build().unwrap();
    let t = std::time::Instant::now();
    let linker = Linker::new(&records, LinkOptions::default()).unwrap();
    eprintln!("prepare+block {:?}", t.elapsed());
    let model = linker.train(&[]).unwrap();
    eprintln!("train {:?} {:?}", t.elapsed(), model.training);
    for (c, comp) in model.comparisons().iter().enumerate() {
        let names = comp.kind.level_names();
        let s: Vec<String> = (1..names.len())
            .map(|l| {
                format!(
                    "{}: m={:.3} u={:.4} w={:.2}",
                    names[l],
                    model.m[c][l],
                    model.u[c][l],
                    (model.m[c][l] / model.u[c][l]).log2()
                )
            })
            .collect();
        eprintln!("{}: {}", comp.field, s.join("; "));
    }
    eprintln!("prior {:.2}", model.prior_log2_odds);
    let linkage = linker.link(&model, &[]).unwrap();
    eprintln!("link {:?} {:?}", t.elapsed(), linkage.report);
    eprintln!("{:?}", linker.blocking_recall(&truth).unwrap());
    eprintln!("{:?}", pairwise_scores(&linkage.clusters, &truth));
    let show = |r: u32| -> String {
        fields
            .iter()
            .filter_map(|f| {
                let v = records.column(*f)?.get(r);
                (!v.is_empty()).then(|| format!("{}={v}", f.as_str()))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    // missed true pairs
    let mut by_person: HashMap<u32, Vec<u32>> = HashMap::new();
    for (r, p) in truth.iter().enumerate() {
        if let Some(p) = p {
            by_person.entry(*p).or_default().push(r as u32);
        }
    }
    let mut shown = 0;
    let mode = args.get(2).map(String::as_str).unwrap_or("fn");
    if mode == "fn" || mode == "unblocked" {
        for m in by_person.values() {
            for i in 0..m.len() {
                for j in i + 1..m.len() {
                    let (a, b) = (m[i], m[j]);
                    let blocked = linker
                        .blocking_recall(&{
                            let mut t = vec![None; truth.len()];
                            t[a as usize] = Some(0);
                            t[b as usize] = Some(0);
                            t
                        })
                        .unwrap()
                        .blocked_true_pairs
                        == 1;
                    if linkage.clusters[a as usize] != linkage.clusters[b as usize]
                        && shown < 12
                        && (mode == "fn") == blocked
                    {
                        shown += 1;
                        eprintln!(
                            "\nMISSED\n  {}\n  {}\n{}",
                            show(a),
                            show(b),
                            linker.explain(&model, a, b).unwrap()
                        );
                    }
                }
            }
        }
    } else {
        // false positive pairs: in same cluster, different truth
        let mut by_cluster: HashMap<u32, Vec<u32>> = HashMap::new();
        for (r, c) in linkage.clusters.iter().enumerate() {
            by_cluster.entry(*c).or_default().push(r as u32);
        }
        for m in by_cluster.values() {
            for i in 0..m.len() {
                for j in i + 1..m.len() {
                    let (a, b) = (m[i], m[j]);
                    if truth[a as usize] != truth[b as usize] && shown < 12 {
                        shown += 1;
                        eprintln!(
                            "\nFALSE\n  {}\n  {}\n{}",
                            show(a),
                            show(b),
                            linker.explain(&model, a, b).unwrap()
                        );
                    }
                }
            }
        }
    }
}
