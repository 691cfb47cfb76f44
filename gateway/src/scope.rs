//! What a verified token allows: operations, fields. (The customer check needs the provider and
//! lives in `forward.rs`.)

use providers::contract::WrittenField;
use providers::Route;

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
