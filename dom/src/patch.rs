//! Bringing the page in line with a new tree: elements whose tag (and key) match are updated in
//! place, so a control keeps its focus, caret and selection; others are created or removed.

use wasm_bindgen::JsCast;

use crate::calls::{append, create_element, remove, Control, Parent};
use crate::node::{Data, Event, Node, Text};

/// An element with handlers carries its mark in its `__cfSlot` property (`Control::set_slot`):
/// its place in `Slots` shifted left by `KIND_BITS`, or'ed with the bits of the kinds of event
/// it answers (`Event::bit`), so the listener passes by an element that does not answer an
/// event's kind without looking in the table.
pub(crate) const KIND_BITS: u32 = 8;
const _: () = assert!(Event::ALL.len() <= KIND_BITS as usize);

/// The handlers of every drawn element that has any, by the slot written on the element.
pub(crate) struct Slots<A> {
    handlers: Vec<Vec<(Event, A)>>,
    free: Vec<u32>,
}

impl<A: Clone> Slots<A> {
    pub(crate) fn new() -> Self {
        Slots {
            handlers: Vec::new(),
            free: Vec::new(),
        }
    }

    pub(crate) fn action(&self, slot: u32, event: Event) -> Option<A> {
        let handlers = self.handlers.get(slot as usize)?;
        let (_, action) = handlers.iter().find(|(kind, _)| *kind == event)?;
        Some(action.clone())
    }

    fn take(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            self.handlers.push(Vec::new());
            (self.handlers.len() - 1) as u32
        })
    }

    fn release(&mut self, slot: u32) {
        if let Some(handlers) = self.handlers.get_mut(slot as usize) {
            handlers.clear();
            self.free.push(slot);
        }
    }
}

pub(crate) struct Patcher<'a, A> {
    pub(crate) document: &'a web_sys::Document,
    pub(crate) slots: &'a mut Slots<A>,
}

fn same<A>(old: &Node<A>, new: &Node<A>) -> bool {
    match (old, new) {
        (Node::Text(_), Node::Text(_)) | (Node::Empty, Node::Empty) => true,
        (Node::Element(old), Node::Element(new)) => {
            old.0.tag == new.0.tag && old.0.key == new.0.key
        }
        _ => false,
    }
}

impl<A: Clone> Patcher<'_, A> {
    /// Draws `node` and everything in it, and returns its DOM node (none for `Node::Empty`).
    pub(crate) fn create(&mut self, node: &mut Node<A>) -> Option<web_sys::Node> {
        match node {
            Node::Empty => None,
            Node::Text(text) => {
                let dom = self.document.create_text_node(&text.text);
                text.dom = Some(dom.clone());
                Some(dom.into())
            }
            Node::Element(element) => self.create_element(&mut element.0).map(Into::into),
        }
    }

    fn create_element(&mut self, element: &mut Data<A>) -> Option<web_sys::Element> {
        let dom = create_element(self.document, element.tag);
        let control = dom.unchecked_ref::<Control>();
        for (name, value) in &element.attrs {
            control.set_attr(name, value);
        }
        for child in &mut element.children {
            if let Some(node) = self.create(child) {
                append(&dom, &node);
            }
        }
        self.finish(&dom, None, element);
        Some(dom)
    }

    /// What is set once the children are there (a select's value needs its options), and the
    /// element's handlers and reference.
    fn finish(&mut self, dom: &web_sys::Element, slot: Option<u32>, element: &mut Data<A>) {
        let control = dom.unchecked_ref::<Control>();
        if let Some(value) = &element.value {
            if control.value() != **value {
                control.set_value(value);
            }
        }
        if let Some(checked) = element.checked {
            if control.checked() != checked {
                control.set_checked(checked);
            }
        }
        element.slot = slot;
        if !element.on.is_empty() || slot.is_some() {
            let kinds = element
                .on
                .iter()
                .fold(0, |kinds, (kind, _)| kinds | kind.bit());
            let index = slot.map_or_else(|| self.slots.take(), |mark| mark >> KIND_BITS);
            let mark = index << KIND_BITS | kinds;
            if slot != Some(mark) {
                control.set_slot(mark);
            }
            self.slots.handlers[index as usize] = std::mem::take(&mut element.on);
            element.slot = Some(mark);
        }
        if let Some(node_ref) = &element.node_ref {
            node_ref.set(Some(dom.clone()));
        }
        element.dom = Some(dom.clone());
    }

    /// Updates `old`'s DOM to show `new`, which `same` says it can.
    fn update(&mut self, old: Node<A>, new: &mut Node<A>) {
        match (old, new) {
            (Node::Text(old), Node::Text(new)) => self.update_text(old, new),
            (Node::Element(old), Node::Element(new)) => self.update_element(*old.0, &mut new.0),
            _ => {}
        }
    }

    fn update_text(&mut self, old: Text, new: &mut Text) {
        if let Some(dom) = &old.dom {
            if old.text != new.text {
                dom.set_data(&new.text);
            }
        }
        new.dom = old.dom;
    }

    fn update_element(&mut self, old: Data<A>, new: &mut Data<A>) {
        let Some(dom) = old.dom.clone() else {
            return;
        };
        let control = dom.unchecked_ref::<Control>();
        for (name, value) in &new.attrs {
            let before = old.attrs.iter().find(|(old_name, _)| old_name == name);
            if before.is_none_or(|(_, old_value)| old_value != value) {
                control.set_attr(name, value);
            }
        }
        for (name, _) in &old.attrs {
            if !new.attrs.iter().any(|(new_name, _)| new_name == name) {
                control.remove_attr(name);
            }
        }
        if let Some(node_ref) = &old.node_ref {
            // Unless the reference has moved on to an element drawn earlier in this patch.
            if new.node_ref.as_ref() != Some(node_ref) && node_ref.get().as_ref() == Some(&dom) {
                node_ref.set(None);
            }
        }
        self.children(&dom, old.children, &mut new.children);
        self.finish(&dom, old.slot, new);
    }

    /// Lets go of what `node` held: its handlers' slots and its references.
    fn release(&mut self, node: Node<A>) {
        if let Node::Element(element) = node {
            let element = *element.0;
            if let Some(mark) = element.slot {
                self.slots.release(mark >> KIND_BITS);
            }
            if let (Some(node_ref), Some(dom)) = (&element.node_ref, &element.dom) {
                // The same reference may already be on an element drawn in this render.
                if node_ref.get().as_ref() == Some(dom) {
                    node_ref.set(None);
                }
            }
            for child in element.children {
                self.release(child);
            }
        }
    }

    /// Makes `parent`'s children show `new`, given that they show `old`. A keyed child is
    /// matched by its key wherever it was; the others by their place among the unkeyed (so a
    /// keyed list that grows does not move them), `Node::Empty` holding the place of a child
    /// that is not there.
    pub(crate) fn children(
        &mut self,
        parent: &web_sys::Element,
        old: Vec<Node<A>>,
        new: &mut [Node<A>],
    ) {
        let mut old: Vec<Option<Node<A>>> = old.into_iter().map(Some).collect();
        let unkeyed: Vec<usize> = (0..old.len())
            .filter(|&i| old[i].as_ref().is_some_and(|node| node.key().is_none()))
            .collect();
        let mut next_unkeyed = 0;
        // For each new child, the old child it updates.
        let mut from: Vec<Option<usize>> = Vec::with_capacity(new.len());
        for child in new.iter() {
            let found = match child.key() {
                Some(key) => (0..old.len()).find(|&i| {
                    old[i]
                        .as_ref()
                        .is_some_and(|o| o.key() == Some(key) && same(o, child))
                }),
                None => {
                    let at = unkeyed.get(next_unkeyed).copied();
                    next_unkeyed += 1;
                    at.filter(|&i| old[i].as_ref().is_some_and(|o| same(o, child)))
                }
            };
            from.push(found);
        }
        // What is no longer there goes first, so what stays is in its old order.
        let kept: Vec<bool> = (0..old.len()).map(|i| from.contains(&Some(i))).collect();
        for (i, slot) in old.iter_mut().enumerate() {
            if !kept[i] {
                if let Some(node) = slot.take() {
                    if let Some(dom) = node.dom() {
                        remove(&dom);
                    }
                    self.release(node);
                }
            }
        }
        // A kept child after one that was further on in the old order has moved.
        let mut furthest = None;
        let mut placed = Vec::with_capacity(new.len());
        for (child, found) in new.iter_mut().zip(&from) {
            match found.and_then(|i| old[i].take().map(|node| (i, node))) {
                Some((i, node)) => {
                    self.update(node, child);
                    let moved = furthest.is_some_and(|f| i < f);
                    furthest = Some(furthest.map_or(i, |f: usize| f.max(i)));
                    placed.push(!moved);
                }
                None => {
                    self.create(child);
                    placed.push(false);
                }
            }
        }
        // From the last child back, each new or moved one goes before the one after it.
        let mut anchor: Option<web_sys::Node> = None;
        for (child, in_place) in new.iter().zip(placed).rev() {
            if let Some(dom) = child.dom() {
                if !in_place {
                    match &anchor {
                        Some(next) => next.unchecked_ref::<Parent>().put_before(&dom),
                        None => append(parent, &dom),
                    }
                }
                anchor = Some(dom);
            }
        }
    }

    /// Removes a whole tree from the page.
    pub(crate) fn remove(&mut self, node: Node<A>) {
        if let Some(dom) = node.dom() {
            remove(&dom);
        }
        self.release(node);
    }
}
