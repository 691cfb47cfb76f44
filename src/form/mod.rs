//! Form state: values, what was loaded, errors and the saving lifecycle. Pure; tested natively.
//!
//! `types` are the words (messages, effects, what is shown), `state` what the form holds,
//! `save` the save machine and its one transition function (its states in `activity`, its
//! writing steps in `write`, its create path in `create_lookup`, its update path in
//! `recheck`), `conflict` the three-way merge, `draft` unsaved changes across a reload.

mod activity;
pub mod conflict;
mod create_lookup;
pub mod draft;
pub mod field_errors;
mod recheck;
mod rename;
pub mod retry;
mod save;
pub mod state;
pub mod types;
mod write;

#[cfg(test)]
mod tests;

pub use conflict::{Conflict, Side};
pub use draft::Draft;
pub use field_errors::FieldErrors;
pub use state::FormState;
pub use types::{
    Effect, Event, Failure, FieldMessage, Msg, Notice, Phase, Resolution, Saved, Step,
};
