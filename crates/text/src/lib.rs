//! Text for the whereabouts registry: Solar Hijri and Gregorian dates, and names written in
//! Persian and Latin script.
//!
//! - [`calendar`]: Jalali ⇄ Gregorian conversion (via `icu_calendar`).
//!
//! ```
//! use text::calendar::{gregorian_to_jalali, jalali_to_gregorian, JalaliDate};
//!
//! let day = jalali_to_gregorian(1367, 5, 12).expect("12 Mordad 1367 exists");
//! assert_eq!(day.to_string(), "1988-08-03");
//! assert_eq!(gregorian_to_jalali(day), JalaliDate { year: 1367, month: 5, day: 12 });
//! ```
#![deny(missing_docs)]

pub mod calendar;
