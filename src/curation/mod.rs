//! The curator's loop: what people asked that the notes could not answer,
//! and what they marked unhelpful. `store` is the SQLite file in
//! `data.dir`; `record` folds and records questions and votes, best-effort
//! and off the answer path; `report` groups the gaps for `lineage-bot gaps`
//! and `/gaps`, each with the closest passage the notes have; `activity`
//! counts the questions of each day by outcome, for the gaps page's plot;
//! `diff` asks the recorded questions again of notes before and after an
//! edit.

pub mod activity;
pub mod diff;
pub mod record;
pub mod report;
pub mod store;

pub use record::{normalise, Asking, Recorder};
pub use report::Gap;
pub use store::{Outcome, Store, StoreError};
