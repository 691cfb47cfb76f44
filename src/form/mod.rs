//! Form state: values, what was loaded, errors and the saving lifecycle. Pure; tested natively.

pub mod field_errors;
pub mod state;

pub use field_errors::FieldErrors;
pub use state::{Effect, Event, Failure, FieldMessage, FormState, Msg, Notice, Phase, Saved, Step};
