//! Work on the registry that needs an engine: linking its records into persons (`linkage`)
//! and building capture histories from its linked persons (`estimate`).
//!
//! The CLI and the web app both call these, so a `link` from the command line and the web
//! app's "link now" button do exactly the same thing.
#![deny(missing_docs)]

pub mod capture;
pub mod import;
pub mod link;
