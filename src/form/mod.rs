//! Form state: values, what was loaded, errors and the saving lifecycle. Pure; tested natively.
//!
//! `types` are the words (messages, effects, what is shown), `state` what the form holds,
//! `save` the save machine and its one transition function, `conflict` the three-way merge,
//! `draft` unsaved changes across a reload.

pub mod conflict;
pub mod draft;
pub mod field_errors;
pub mod retry;
mod save;
pub mod state;
pub mod types;

#[cfg(test)]
mod tests;

pub use conflict::{Conflict, Side};
pub use draft::Draft;
pub use field_errors::FieldErrors;
pub use state::FormState;
pub use types::{
    Effect, Event, Failure, FieldMessage, Msg, Notice, Phase, Resolution, Saved, Step,
};
