//! How fast the per-name functions linkage calls millions of times are.
//! Run with `cargo bench -p whereabouts-text`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use text::normalize::normalize_for_search;
use text::skeleton::{skeleton_key, skeleton_key_joined};

const NAMES: &[&str] = &[
    "Mohammad Rezaei",
    "Hossein Hassanzadeh",
    "Fatemeh Shirazi",
    "Seyed Ali Mousavi",
    "محمد رضایی",
    "حسین حسن‌زاده",
    "فاطمه شیرازی",
    "سید علي موسوي",
];

fn names(c: &mut Criterion) {
    c.bench_function("normalize_for_search, 8 names", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(normalize_for_search(black_box(name)));
            }
        })
    });
    c.bench_function("skeleton_key + joined, 8 names", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(skeleton_key(black_box(name)));
                black_box(skeleton_key_joined(black_box(name)));
            }
        })
    });
    c.bench_function("parse_date, 4 forms", |b| {
        b.iter(|| {
            for text in ["1367/05/12", "۱۲ مرداد ۱۳۶۷", "3 Aug 1988", "summer 1367"] {
                let _ = black_box(text::dates::parse_date(black_box(text), None));
            }
        })
    });
}

criterion_group!(benches, names);
criterion_main!(benches);
