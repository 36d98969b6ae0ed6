//! The knowledge as typed values: models, their lineage, terms, passages,
//! comparisons and capabilities. Built once by [`crate::knowledge`]; everything after the loader
//! speaks in these types and never looks a thing up by a raw string.

mod capability;
mod knowledge;
mod lineage;
mod model;
pub mod names;
mod passage;
mod term;
mod text;

pub use capability::{Capability, CapabilityId, Evidence, Status, StatusEntry};
pub(crate) use knowledge::mentions;
pub use knowledge::{Comparison, ComparisonId, ComparisonSubject, Family, Knowledge, Summary};
pub use lineage::{Edge, Lineage};
pub use model::{Method, Model, ModelId};
pub use names::{NameIndex, NameKey, Named, Resolved};
pub use passage::{
    line_map, Excerpt, Passage, PassageId, PassageKind, Source, Unit, UnitId, UnitKind,
};
pub use term::{Term, TermId};
pub use text::Text;
