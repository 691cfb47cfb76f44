// customer-form: what the page is left with when the WebAssembly stops.
//
// A panic, like any other trap, ends every call into the module and leaves it unusable: rather
// than leave dead forms on the page, each mounted form is replaced with a failure message and
// reports `customer-error` (kind "panic"), once.
//
// In JS rather than Rust because the package's wasm traps at once on a panic, running no hook
// (std built with `panic = immediate-abort`, scripts/lib/release-wasm.sh: 2.4 kB gzip less), so
// only the caller can notice: pack.sh makes the glue call the wasm through `guardExports`. Builds
// that keep Rust's panic hook (trunk's demo, the wasm tests) call `stopped()` from it
// (src/element/mod.rs). After a trap the module's memory is in no state to be called again, so
// nothing here calls into it.
//
// Any `WebAssembly.RuntimeError` leaving one of the widget's exports counts as the widget's own:
// host code the wasm calls (a `tokenProvider`, event listeners) reaches it only through
// wasm-bindgen's `handleError` or `dispatchEvent`, which do not let an exception through.

/** Every mounted form's container (the `div` in its shadow root) and its host element. */
const mounted = new Map();
let stoppedAlready = false;

const MESSAGE = 'This form stopped working because of an internal error. Reload the page to continue.';

export function track(host, container) {
  mounted.set(container, host);
  // Mounted after a trap, on a module that no longer works: shown as failed too, once the
  // mount has returned (it draws into the container before that).
  if (stoppedAlready) queueMicrotask(() => fail(container, host));
}

export function untrack(container) {
  mounted.delete(container);
}

/** Shows every mounted form's failure and reports it; later calls do nothing. */
export function stopped() {
  if (stoppedAlready) return;
  stoppedAlready = true;
  console.error('customer-form: internal error; the form stopped.');
  for (const [container, host] of mounted) fail(container, host);
}

function fail(container, host) {
  if (!mounted.delete(container)) return;
  const notice = container.ownerDocument.createElement('div');
  notice.className = 'cf';
  notice.dataset.state = 'error';
  notice.setAttribute('role', 'alert');
  notice.setAttribute('part', 'root');
  notice.textContent = MESSAGE;
  container.replaceChildren(notice);
  host.dispatchEvent(new CustomEvent('customer-error', {
    bubbles: true,
    composed: true,
    detail: { status: null, kind: 'panic', message: MESSAGE, providerMessage: null, fieldErrors: {} },
  }));
}

/**
 * The wasm's exports with each function wrapped: a `WebAssembly.RuntimeError` coming out of one
 * (a trap: a panic, `unreachable`, memory exhausted) stops the forms, then goes on to the caller
 * as before. Other errors (a JS exception passing through) are the caller's alone.
 */
export function guardExports(exports) {
  const guarded = {};
  for (const [name, value] of Object.entries(exports)) {
    guarded[name] = typeof value !== 'function' ? value : (...args) => {
      try {
        return value(...args);
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) stopped();
        throw error;
      }
    };
  }
  return guarded;
}
