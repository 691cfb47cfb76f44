//! Yew components: they render state and dispatch messages; they never build requests.

pub mod conflict;
pub mod customer_form;
pub mod field;
