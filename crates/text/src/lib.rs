//! Text for the whereabouts registry: Solar Hijri and Gregorian dates, and names written in
//! Persian and Latin script.
//!
//! - [`calendar`]: Jalali ⇄ Gregorian conversion (via `icu_calendar`).
//! - [`dates`]: parsing and writing uncertain dates in both calendars.
//! - [`script`]: which script a text is in.
//! - [`normalize`]: folding names for search (`normalize_for_search`, `to_ascii_digits`).
//! - [`skeleton`]: the cross-script consonant key used to block record pairs.
//! - [`places`]: the key under which spellings and second names of one place meet.
//!
//! ```
//! use text::calendar::{gregorian_to_jalali, jalali_to_gregorian, JalaliDate};
//!
//! let day = jalali_to_gregorian(1367, 5, 12).expect("12 Mordad 1367 exists");
//! assert_eq!(day.to_string(), "1988-08-03");
//! assert_eq!(gregorian_to_jalali(day), JalaliDate { year: 1367, month: 5, day: 12 });
//!
//! let date = text::dates::parse_date("۱۲ مرداد ۱۳۶۷", None).expect("a Jalali day");
//! assert_eq!(date.edtf, "1988-08-03");
//! assert_eq!(text::dates::format_gregorian(&date), "3 Aug 1988");
//!
//! assert_eq!(text::normalize::normalize_for_search("علي رضائي"), "علی رضایی");
//! assert_eq!(text::skeleton::skeleton_key("Muhammad Rezaee"), text::skeleton::skeleton_key("محمد رضایی"));
//! ```
#![deny(missing_docs)]

pub mod calendar;
pub mod dates;
pub mod normalize;
pub mod places;
pub mod script;
pub mod skeleton;
