//! A tags field's canonical text (tags separated by commas) and the chips drawn from it. The
//! text is the truth (it is what the named input holds and what is saved); chips, removals and
//! picked suggestions are derived from it and written back as text. A comma separates tags, so
//! it can never be part of one.

use providers::reference::Named;
use providers::substring;
use providers::substring::Trim;

/// The chips a tags text draws: the tags it holds, in order, each once, blanks dropped, read as
/// the field saves them.
pub use providers::validate::tags as chips;

/// The text without the chip at `index` (every copy of that tag goes: chips show it once).
pub fn without(text: &str, index: usize) -> String {
    let mut tags = chips(text);
    if index < tags.len() {
        tags.remove(index);
    }
    substring::join(&tags, ", ")
}

/// The text before the last comma (the tags already given) and after it (the tag being typed).
fn split_typing(text: &str) -> (&str, &str) {
    match substring::rsplit_once(text, b',') {
        Some((done, typing)) => (done, typing.trimmed_start()),
        None => ("", text.trimmed_start()),
    }
}

/// The text with `tag` in place of the tag being typed, and a separator after it so the next
/// one can be typed straight away.
pub fn pick(text: &str, tag: &str) -> String {
    let done = split_typing(text).0.trimmed_end();
    if done.trimmed().is_empty() {
        substring::concat(&[tag, ", "])
    } else {
        substring::concat(&[done, ", ", tag, ", "])
    }
}

/// The names of the organisation's tags to offer while `text` is typed: those not given before
/// the last comma whose name contains what is typed after it (ASCII case ignored; full Unicode
/// folding would add its tables to the package), in the list's order. A tag typed in full that
/// nothing else matches is not offered: there is nothing left to complete.
pub fn matches<'a>(known: &'a [Named], text: &str) -> Vec<&'a str> {
    let (done, typing) = split_typing(text);
    let given = chips(done);
    let typing = typing.trimmed_end();
    let folded = typing.to_ascii_lowercase();
    let mut found: Vec<&str> = Vec::new();
    for name in known.iter().map(|tag| tag.name.as_str()) {
        if !given.contains(&name)
            && (folded.is_empty() || substring::contains(&name.to_ascii_lowercase(), &folded))
        {
            found.push(name);
        }
    }
    match found[..] {
        [only] if only == typing => Vec::new(),
        _ => found,
    }
}

/// Which chip takes the focus once the chip at `index` of `count` is removed: the one that
/// moves into its place, else the one before it; `None` when none is left (the input then).
pub fn focus_after_removal(index: usize, count: usize) -> Option<usize> {
    let left = count.saturating_sub(1);
    if index < left {
        Some(index)
    } else {
        index.min(left).checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<Named> {
        names
            .iter()
            .map(|n| Named {
                id: format!("id-{n}"),
                name: (*n).into(),
            })
            .collect()
    }

    #[test]
    fn chips_are_the_saved_tags_once_each() {
        assert_eq!(chips("vip, newsletter"), ["vip", "newsletter"]);
        assert_eq!(chips(" vip ,,vip, b2b, "), ["vip", "b2b"]);
        assert!(chips("").is_empty());
        assert!(chips(" , ,").is_empty());
        // The chips are what the save sends.
        let normal =
            providers::validate::normalize(providers::FieldKind::Tags, " vip ,,vip, b2b, ");
        assert_eq!(
            normal,
            providers::validate::Normal::List(vec!["vip".into(), "b2b".into()])
        );
    }

    #[test]
    fn removing_a_chip_rewrites_the_text() {
        assert_eq!(without("vip, newsletter, b2b", 1), "vip, b2b");
        assert_eq!(without("vip, vip, b2b", 0), "b2b");
        assert_eq!(without("vip", 0), "");
        assert_eq!(without("vip", 3), "vip");
        assert_eq!(chips(&without("a,b ,  c", 2)), ["a", "b"]);
    }

    #[test]
    fn a_pick_replaces_the_tag_being_typed() {
        assert_eq!(pick("", "gold"), "gold, ");
        assert_eq!(pick("go", "gold"), "gold, ");
        assert_eq!(
            pick("vip, newsletter, go", "gold"),
            "vip, newsletter, gold, "
        );
        assert_eq!(pick("vip, ", "gold"), "vip, gold, ");
        assert_eq!(pick(" , go", "gold"), "gold, ");
        assert_eq!(chips(&pick("vip,go", "gold")), ["vip", "gold"]);
    }

    #[test]
    fn matches_follow_what_is_typed_and_skip_given_tags() {
        let known = named(&["b2b", "Gold", "newsletter", "vip"]);
        assert_eq!(matches(&known, ""), ["b2b", "Gold", "newsletter", "vip"]);
        assert_eq!(matches(&known, "vip, go"), ["Gold"]);
        assert_eq!(matches(&known, "vip, GO "), ["Gold"]);
        assert_eq!(matches(&known, "vip, newsletter, "), ["b2b", "Gold"]);
        assert_eq!(matches(&known, "e"), ["newsletter"]);
        assert!(matches(&known, "vip, platinum").is_empty());
        // A tag typed in full is offered while it completes others too, not on its own.
        let news = named(&["new", "newsletter"]);
        assert_eq!(matches(&news, "new"), ["new", "newsletter"]);
        assert!(matches(&news, "newsletter").is_empty());
        assert!(matches(&known, "vip, b2b").is_empty());
        assert_eq!(matches(&known, "vip, b"), ["b2b"]);
    }

    #[test]
    fn focus_moves_to_the_neighbour_after_a_removal() {
        assert_eq!(focus_after_removal(0, 3), Some(0));
        assert_eq!(focus_after_removal(1, 3), Some(1));
        assert_eq!(focus_after_removal(2, 3), Some(1));
        assert_eq!(focus_after_removal(0, 1), None);
        assert_eq!(focus_after_removal(5, 2), Some(0));
        assert_eq!(focus_after_removal(0, 0), None);
    }
}
