//! Yew components: they render state and dispatch messages; they never build requests.

mod anonymization;
pub mod conflict;
mod contact_rows;
mod country_field;
pub mod customer_form;
mod effects;
pub mod field;
mod host_events;
mod outcome;
mod reference_field;
mod rows;
mod section;
mod tags_field;
mod view;
