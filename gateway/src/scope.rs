//! What a verified token allows: operations and fields. (Which records it reaches is
//! `authority.rs`.)

use providers::contract::WrittenField;
use providers::validate::{normalize, same, Normal};
use providers::{FieldKind, GatewayRules, Operation, Record, Replaced, Route};

use crate::claims::Claims;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    Operation(&'static str),
    Fields(Vec<String>),
    Customer,
}

impl ScopeError {
    pub fn message(&self) -> String {
        match self {
            ScopeError::Operation(op) => format!("This token may not {op} customers."),
            ScopeError::Fields(fields) => {
                format!("This token may not change: {}.", fields.join(", "))
            }
            ScopeError::Customer => "This token is for another customer.".to_string(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ScopeError::Operation(_) => "scope_operation",
            ScopeError::Fields(_) => "scope_fields",
            ScopeError::Customer => "scope_customer",
        }
    }
}

pub fn check_operation(claims: &Claims, route: &Route) -> Result<(), ScopeError> {
    if claims.allows_op(route.op()) {
        Ok(())
    } else {
        Err(ScopeError::Operation(route.op()))
    }
}

/// Plain fields: each must be in the `fields` claim.
pub fn check_fields(claims: &Claims, written: &[WrittenField]) -> Result<(), ScopeError> {
    let Some(allowed) = &claims.fields else {
        return Ok(());
    };
    let refused: Vec<String> = written
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !allowed.iter().any(|a| a == name))
        .map(str::to_string)
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(ScopeError::Fields(refused))
    }
}

/// What a write replaces whole (an address, the tags, a relationship): allowed when the claim
/// names it, or every one of its parts — whatever the record holds now.
pub fn check_replaced(claims: &Claims, replaced: &[Replaced]) -> Result<(), ScopeError> {
    let Some(allowed) = &claims.fields else {
        return Ok(());
    };
    let named = |name: &str| allowed.iter().any(|a| a == name);
    let refused: Vec<String> = replaced
        .iter()
        .filter(|r| !named(r.field) && !r.parts.iter().all(|part| named(part)))
        .map(|r| r.field.to_string())
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(ScopeError::Fields(refused))
    }
}

/// The written fields that are not part of something replaced whole.
pub fn plain_fields(written: &[WrittenField], replaced: &[Replaced]) -> Vec<WrittenField> {
    written
        .iter()
        .filter(|(name, _)| !replaced.iter().any(|r| r.parts.contains(name)))
        .cloned()
        .collect()
}

/// `written` without the fields every update carries (`carried_in_every_update`: Count's
/// `customer` and `email`) whose value equals the record's current one. Only those: any other
/// field sent is a write whatever its value (Prolifi splits a `name` it is sent, Commerce
/// Layer's password reads as empty, a Partnero tag list joined with commas hides its items).
pub fn without_unchanged(
    rules: &dyn GatewayRules,
    current: &Record,
    written: &[WrittenField],
) -> Vec<WrittenField> {
    let fields = rules.fields(Operation::Update);
    let carried = rules.carried_in_every_update();
    written
        .iter()
        .filter(|(name, value)| {
            let kind = fields.iter().find(|f| f.name == *name).map(|f| f.kind);
            !carried.contains(name)
                || kind.is_none_or(|kind| {
                    !unchanged(
                        kind,
                        value.as_deref().unwrap_or_default(),
                        current.values.get(name),
                    )
                })
        })
        .cloned()
        .collect()
}

/// Whether `sent` leaves a field as `current` has it. The body goes to the provider as sent, so
/// text counts as unchanged only as the record holds it or in its canonical form (trimmed, a
/// website with its scheme): `"Acme Ltd "` or `"acme.test"` would store another name. Lists and
/// objects compare as values (whitespace and layout aside); a body repeating a key is refused
/// before this (body.rs), so the value compared is the one the provider reads.
fn unchanged(kind: FieldKind, sent: &str, current: &str) -> bool {
    match kind {
        FieldKind::Tags | FieldKind::JsonObject | FieldKind::JsonList => same(kind, sent, current),
        _ => {
            sent == current
                || match normalize(kind, current) {
                    Normal::Empty => sent.is_empty(),
                    Normal::Text(canonical) => sent == canonical,
                    Normal::List(_) | Normal::Object(_) | Normal::Broken(_) => false,
                }
        }
    }
}
