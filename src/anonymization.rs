//! Commerce Layer's anonymization, as the danger zone shows it: the record's status
//! (`attributes.anonymization_status`, or `anonymization_info.status`, as Commerce Layer's
//! update page shows them: `"requested"`), whether a request can still be cancelled, and whether
//! a save must be confirmed first. Pure; the view is `ui/anonymization.rs`.

use providers::substring::Trim;
use providers::text_key;
use providers::{FormValues, Json};

pub const REQUEST: &str = "_request_anonymization";
pub const CANCEL: &str = "_cancel_anonymization";

/// The record's anonymization status, when it has one (`None`: never requested).
pub fn status(raw: &Json) -> Option<String> {
    let attributes = raw.get("attributes")?;
    attributes
        .string_at("anonymization_status")
        .or_else(|| attributes.string_at("anonymization_info.status"))
        .map(|s| s.trimmed().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
}

/// A request that has not been carried out yet, and so can be cancelled (and need not be made
/// again).
pub fn is_pending(status: Option<&str>) -> bool {
    matches!(status, Some("requested" | "pending"))
}

/// The string key that says `status` in words; unknown statuses are shown as Commerce Layer
/// wrote them (`anonymization.status.other`).
pub fn status_key(status: Option<&str>) -> &'static str {
    match status {
        None => text_key!("anonymization.status.none"),
        Some("requested" | "pending") => text_key!("anonymization.status.requested"),
        Some("in_progress") => text_key!("anonymization.status.in_progress"),
        Some("completed") => text_key!("anonymization.status.completed"),
        Some("failed") => text_key!("anonymization.status.failed"),
        Some(_) => text_key!("anonymization.status.other"),
    }
}

/// Whether `name` is shown for a record in `status`: the request box while none is pending,
/// the cancel box only while one is.
pub fn shows(name: &str, status: Option<&str>) -> bool {
    match name {
        REQUEST => !is_pending(status),
        CANCEL => is_pending(status),
        _ => true,
    }
}

/// A save that asks for anonymization waits for the person's confirmation.
pub fn needs_confirmation(values: &FormValues) -> bool {
    values.get(REQUEST) == "true"
}

/// The canonical text of a ticked or cleared box.
pub fn flag_text(checked: bool) -> &'static str {
    if checked {
        "true"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use providers::contract::interpret_reply;
    use providers::contract::{update_request, RequestContext};
    use providers::{HttpReply, ProviderId};

    fn customer(attributes: &str) -> Json {
        Json::parse(&format!(
            r#"{{"id":"XAyRWNUzyN","type":"customers","attributes":{attributes}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_status_is_read_from_the_record() {
        assert_eq!(status(&customer(r#"{"email":"a@b.test"}"#)), None);
        assert_eq!(
            status(&customer(
                r#"{"anonymization_status":null,"anonymization_info":null}"#
            )),
            None
        );
        let requested = customer(
            r#"{"anonymization_info":{"status":"requested"},"anonymization_status":"requested"}"#,
        );
        assert_eq!(status(&requested).as_deref(), Some("requested"));
        assert_eq!(
            status(&customer(
                r#"{"anonymization_info":{"status":"Completed"}}"#
            ))
            .as_deref(),
            Some("completed")
        );
        assert_eq!(status(&Json::parse("[1]").unwrap()), None);
    }

    #[test]
    fn cancel_is_offered_only_while_a_request_is_pending() {
        assert!(shows(REQUEST, None) && !shows(CANCEL, None));
        assert!(!shows(REQUEST, Some("requested")) && shows(CANCEL, Some("requested")));
        assert!(shows(REQUEST, Some("completed")) && !shows(CANCEL, Some("completed")));
        assert!(shows("email", Some("requested")));
        assert_eq!(
            status_key(Some("requested")),
            "anonymization.status.requested"
        );
        assert_eq!(status_key(Some("weird")), "anonymization.status.other");
    }

    fn record() -> providers::Record {
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: r#"{"data":{"id":"XAyRWNUzyN","type":"customers","attributes":{"email":"ada@example.com","anonymization_status":null}}}"#.into(),
        };
        interpret_reply(ProviderId::CommerceLayer.contract(), &reply).unwrap()
    }

    fn payload(values: &FormValues) -> Option<String> {
        let record = record();
        let ctx = RequestContext {
            base: "https://x.test/api",
            idempotency_key: None,
        };
        let contract = ProviderId::CommerceLayer.contract();
        update_request(contract, ctx, &record, values)
            .ok()
            .flatten()
            .and_then(|r| r.body)
    }

    /// The ticked box is `"true"` in the form's text and `true` on the wire; a cleared box sends
    /// nothing (never `false`); the save waits for a confirmation only when asking.
    #[test]
    fn the_ticked_box_sends_the_request_flag_and_asks_first() {
        let loaded = record().values;
        let ticked = loaded.clone().with(REQUEST, flag_text(true));
        assert!(needs_confirmation(&ticked));
        assert_eq!(
            payload(&ticked).as_deref(),
            Some(
                r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{"_request_anonymization":true}}}"#
            )
        );
        let cleared = loaded.clone().with(REQUEST, flag_text(false));
        assert!(!needs_confirmation(&cleared));
        assert_eq!(payload(&cleared), None);
        let cancel = loaded.with(CANCEL, flag_text(true));
        assert!(!needs_confirmation(&cancel));
        assert_eq!(
            payload(&cancel).as_deref(),
            Some(
                r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{"_cancel_anonymization":true}}}"#
            )
        );
    }
}
