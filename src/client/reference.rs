//! Reading a whole reference list through the client: page after page, up to `MAX_PAGES`.

use providers::json::Json;
use providers::reference::{list_request, read_page, ReferenceList, ReferenceQuery};
use providers::Contract;

use super::abort::Abort;
use super::{Client, ClientError};
use crate::reference::{arrange, ReferenceData, MAX_PAGES};

impl Client {
    /// Every page of `list` (at most `MAX_PAGES`); `None` when aborted. Any failure fails the
    /// whole list: a list missing a page in the middle would offer a choice that looks complete.
    pub async fn reference_list(
        &self,
        contract: &dyn Contract,
        base: &str,
        list: ReferenceList,
        abort: &Abort,
    ) -> Option<ReferenceData> {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let request = list_request(base, list, &ReferenceQuery::page(page));
            let reply = match self.send(contract, base, request, abort).await {
                Ok(reply) => reply,
                Err(ClientError::Aborted) => return None,
                Err(_) => return Some(ReferenceData::Failed),
            };
            let read = reply
                .is_success()
                .then(|| Json::parse(&reply.body).ok())
                .flatten()
                .and_then(|body| read_page(list, &body));
            let Some(read) = read else {
                return Some(ReferenceData::Failed);
            };
            items.extend(read.items);
            if page >= read.page_count {
                break;
            }
            if page >= MAX_PAGES {
                return Some(ReferenceData::Loaded {
                    items: arrange(items),
                    cut: true,
                });
            }
            page += 1;
        }
        Some(ReferenceData::Loaded {
            items: arrange(items),
            cut: false,
        })
    }
}
