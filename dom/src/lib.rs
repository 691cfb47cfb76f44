//! A small virtual DOM for the widget's element build: views return a tree of `Node`s whose
//! events are the app's own messages (data, not closures), and `mount` patches the page to
//! match after each batch of messages.
//!
//! Why not Yew here: an app that draws one input ships 46.7 kB gzip with Yew and 7.6 kB with
//! `web-sys` calls alone (bench/floor, `scripts/size.sh`); the widget's 100 kB budget cannot
//! carry the difference (README, Size).

mod calls;
mod node;
mod patch;
mod runtime;

pub use calls::{append, checked_of, closest, create_element, focus, query, remove, value_of};
pub use node::{el, text, Element, Event, Node, NodeRef, Str};
pub use runtime::{mount, App, Mounted, Scope};
