//! Reference lists through the client: every page up to the cap.

use std::cell::RefCell;
use std::rc::Rc;

use providers::ProviderId;

use super::harness::*;
use crate::client::abort::Abort;

fn commercelayer_token() -> String {
    jwt(r#"{"provider":"commercelayer","ops":["update"]}"#)
}

fn group_page(page: u32, page_count: u32) -> String {
    format!(
        r#"{{"data":[{{"id":"g{page}","type":"customer_groups","attributes":{{"name":"Group {page:02}"}}}}],"meta":{{"record_count":{page_count},"page_count":{page_count}}}}}"#
    )
}

fn list_groups(s: &Setup) -> Rc<RefCell<Option<Option<crate::reference::ReferenceData>>>> {
    use providers::reference::ReferenceList;
    let result: Rc<RefCell<Option<_>>> = Rc::default();
    let (client, slot) = (s.client.clone(), result.clone());
    let mut executor = Executor::default();
    executor.spawn(async move {
        let contract =
            providers::contract_for(ProviderId::CommerceLayer, providers::Channel::Gateway)
                .unwrap();
        let got = client
            .reference_list(
                contract,
                "http://gw.test/commercelayer",
                ReferenceList::CustomerGroups,
                &Abort::new(),
            )
            .await;
        *slot.borrow_mut() = Some(got);
    });
    executor.run();
    result
}

#[test]
fn a_list_is_read_page_by_page_and_cut_at_the_cap() {
    use crate::reference::{ReferenceData, MAX_PAGES};
    let s = setup(true);
    s.tokens.give(&commercelayer_token());
    for page in 1..=MAX_PAGES + 2 {
        s.transport.answer(200, &group_page(page, MAX_PAGES + 2));
    }
    let result = list_groups(&s);
    let Some(Some(ReferenceData::Loaded { items, cut })) = result.borrow().clone() else {
        panic!("{:?}", result.borrow())
    };
    assert!(cut);
    assert_eq!(items.len(), MAX_PAGES as usize);
    let sent = s.transport.sent.borrow();
    assert_eq!(sent.len(), MAX_PAGES as usize, "no page past the cap");
    assert!(sent[1]
        .0
        .url
        .ends_with("/customer_groups?page%5Bnumber%5D=2&page%5Bsize%5D=25"));
}

#[test]
fn a_short_list_is_whole_and_a_failed_page_fails_the_list() {
    use crate::reference::ReferenceData;
    let s = setup(true);
    s.tokens.give(&commercelayer_token());
    s.transport.answer(200, &group_page(1, 2));
    s.transport.answer(200, &group_page(2, 2));
    let whole = list_groups(&s);
    assert!(matches!(
        whole.borrow().clone(),
        Some(Some(ReferenceData::Loaded { ref items, cut: false })) if items.len() == 2
    ));
    s.transport.answer(200, &group_page(1, 2));
    s.transport.answer(500, "{}");
    let failed = list_groups(&s);
    assert_eq!(failed.borrow().clone(), Some(Some(ReferenceData::Failed)));
}
