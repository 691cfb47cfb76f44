//! Yew components: they render state and dispatch messages; they never build requests.

mod anonymization;
pub mod conflict;
mod country_field;
pub mod customer_form;
mod effects;
pub mod field;
mod host_events;
mod outcome;
mod reference_field;
mod section;
mod view;
