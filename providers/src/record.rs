//! A customer as loaded from (or returned by) a provider.

use crate::json::Json;
use crate::values::FormValues;

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The id to use in later request paths (the provider's canonical id, which may differ from
    /// the `customer-id` the form was given, e.g. a Prolifi `external_id`).
    pub id: String,
    /// The record as form text, for prefill and for diffing.
    pub values: FormValues,
    /// The provider's last-modified stamp, when it has one (conflict detection).
    pub updated_at: Option<String>,
    /// The customer object exactly as the provider returned it (event payloads).
    pub raw: Json,
}
