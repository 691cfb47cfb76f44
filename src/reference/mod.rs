//! The choices a form offers beside the record (Commerce Layer's customer groups and tags).
//! Reference data, not part of the save machine: each list has its own small state, loaded once
//! per form by the client (`client::reference`), and a list that failed leaves the field usable.

use providers::reference::{Named, ReferenceList};

/// Pages read at most (25 names each); a longer list is cut and the field says so.
pub const MAX_PAGES: u32 = 10;

/// Where one list stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferenceData {
    Loading,
    /// `cut`: the organisation has more than `MAX_PAGES` pages; only those are listed.
    Loaded {
        items: Vec<Named>,
        cut: bool,
    },
    Failed,
}

impl ReferenceData {
    /// The name of `id`, when the list has it.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        match self {
            ReferenceData::Loaded { items, .. } => items
                .iter()
                .find(|item| item.id == id)
                .map(|item| item.name.as_str()),
            _ => None,
        }
    }
}

/// The lists of one form: `None` until asked for (or when the form has no such field).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    pub groups: Option<ReferenceData>,
    pub tags: Option<ReferenceData>,
}

impl References {
    pub fn get(&self, list: ReferenceList) -> Option<&ReferenceData> {
        match list {
            ReferenceList::CustomerGroups => self.groups.as_ref(),
            ReferenceList::Tags => self.tags.as_ref(),
        }
    }

    pub fn set(&mut self, list: ReferenceList, data: ReferenceData) {
        match list {
            ReferenceList::CustomerGroups => self.groups = Some(data),
            ReferenceList::Tags => self.tags = Some(data),
        }
    }
}

/// Names sorted for a person (ignoring ASCII case), each id once.
pub fn arrange(items: Vec<Named>) -> Vec<Named> {
    // An insertion sort, stable like `sort_by_key`: at most 250 names, and std's sort cost the
    // package 4.1 kB raw (README, Size). ASCII case folding: full Unicode lowercasing would add
    // its tables to the package.
    let mut sorted: Vec<(String, Named)> = Vec::with_capacity(items.len());
    for item in items {
        if sorted.iter().any(|(_, other)| other.id == item.id) {
            continue;
        }
        let key = item.name.to_ascii_lowercase();
        let at = sorted
            .iter()
            .position(|(other, _)| key < *other)
            .unwrap_or(sorted.len());
        sorted.insert(at, (key, item));
    }
    sorted.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: &str, name: &str) -> Named {
        Named {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn lists_are_sorted_by_name_once_per_id() {
        let arranged = arrange(vec![
            named("w", "Wholesale"),
            named("r", "retail"),
            named("w", "Wholesale"),
            named("v", "VIP"),
        ]);
        let names: Vec<&str> = arranged.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["retail", "VIP", "Wholesale"]);
    }

    #[test]
    fn names_equal_but_for_case_keep_their_order() {
        let ids = |items: Vec<Named>| -> Vec<String> {
            arrange(items).into_iter().map(|n| n.id).collect()
        };
        let list = [("a", "vip"), ("b", "VIP"), ("c", "Vip"), ("d", "b2b")];
        let items = list.iter().map(|(id, name)| named(id, name)).collect();
        assert_eq!(ids(items), ["d", "a", "b", "c"]);
        let list = [("c", "Vip"), ("b", "VIP"), ("a", "vip"), ("c", "x")];
        let items = list.iter().map(|(id, name)| named(id, name)).collect();
        assert_eq!(ids(items), ["c", "b", "a"]);
    }

    #[test]
    fn only_a_loaded_list_names_ids() {
        let loaded = ReferenceData::Loaded {
            items: vec![named("g1", "VIP")],
            cut: false,
        };
        assert_eq!(loaded.name_of("g1"), Some("VIP"));
        assert_eq!(loaded.name_of("g2"), None);
        assert_eq!(ReferenceData::Failed.name_of("g1"), None);
    }
}
