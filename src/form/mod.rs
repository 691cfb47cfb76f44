//! Form state: values, what was loaded, errors and the saving lifecycle. Pure; tested natively.

pub mod state;

pub use state::{Effect, Event, Failure, FieldMessage, FormState, Msg, Notice, Phase, Saved, Step};
