//! The form's views and its app: they render state and dispatch messages; they never build
//! requests. The app runs on `dom` (`shell.rs`); `component.rs` is its Yew component.

mod anonymization;
pub mod component;
pub mod conflict;
mod contact_rows;
mod country_field;
pub mod customer_form;
mod effects;
pub mod field;
mod first_record;
mod focus_after;
mod form_message;
mod host_events;
mod metadata_rows;
mod outcome;
pub mod props;
mod reference_field;
mod rows;
mod section;
pub mod shell;
mod tags_field;
mod view;
