//! Form state: values, what was loaded, errors and the saving lifecycle. Pure; tested natively.

pub mod field_errors;
pub mod merge;
pub mod retry;
pub mod state;

pub use field_errors::FieldErrors;
pub use merge::Side;
pub use state::{
    Draft, Effect, Event, Failure, FieldMessage, FormState, Msg, Notice, Phase, Resolution, Saved,
    Step,
};
