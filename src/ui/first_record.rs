//! What an update form shows while its first record is on its way: nothing for a moment, the
//! form built hidden once the record is slow to come, then the loading state.

use super::customer_form::{FormApp, Message};
use super::shell::Context;
use crate::browser::Timer;

/// How long a form waits for its first record before it draws its loading state; about what a
/// person does not notice as a pause.
const QUIET_MS: u32 = 150;

/// How long after it starts waiting for its first record a form builds itself hidden
/// (`HiddenBuild`): longer than a reply from the same machine takes to come (3–6 ms after the
/// form is mounted in the bench's traces), shorter than a network's round trip, two with the
/// CORS preflight.
const BUILD_HIDDEN_MS: u32 = 30;

/// While the first record is on its way nothing is shown (`FormApp::start_quiet`).
pub(super) struct Quiet {
    /// Fires `ShowLoading` (held here: dropped, it never comes).
    _loading: Timer,
    build: HiddenBuild,
}

/// The form built, hidden and empty, while its record is still on the network: the main thread
/// waits for it anyway, and when it comes only its values, flags and notice change, rather than
/// the whole form being built (its wasm compiled on first call, too) between the reply and the
/// first paint. Not at once: a record that comes within `BUILD_HIDDEN_MS` (an API on the same
/// machine) would then wait behind the build (README, Speed).
enum HiddenBuild {
    /// Fires `BuildHidden`.
    Later {
        _timer: Timer,
    },
    Built,
}

impl FormApp {
    /// `BuildHidden`: the record is slow to come; whether there is something to draw.
    pub(super) fn build_hidden(&mut self) -> bool {
        let Some(quiet) = self.quiet.as_mut() else {
            return false;
        };
        quiet.build = HiddenBuild::Built;
        true
    }

    /// The record is slow to come and the form is to be built hidden.
    pub(super) fn built_hidden(&self) -> bool {
        matches!(
            &self.quiet,
            Some(Quiet {
                build: HiddenBuild::Built,
                ..
            })
        )
    }

    /// An update form about to ask for its first record (and, first, for a token if the host
    /// gives them by `tokenProvider`) shows nothing until the record arrives, or `QUIET_MS`
    /// pass and the loading state is drawn; it is built hidden meanwhile (`HiddenBuild`). A
    /// reply that comes quickly is then drawn once, without a loading state drawn, styled and
    /// laid out in between, which came before the record on the main thread: about 10 % of the
    /// time to a filled form (`scripts/bench-widget.sh`). The element keeps its own skeleton
    /// until the form is shown.
    pub(super) fn start_quiet(&mut self, ctx: &Context) {
        let link = ctx.link().clone();
        let build = ctx.link().clone();
        self.quiet = Some(Quiet {
            _loading: Timer::start(QUIET_MS, move || link.send_message(Message::ShowLoading)),
            build: HiddenBuild::Later {
                _timer: Timer::start(BUILD_HIDDEN_MS, move || {
                    build.send_message(Message::BuildHidden)
                }),
            },
        });
    }
}
