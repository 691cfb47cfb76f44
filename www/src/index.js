// customer-form: the package's entry. Importing it does nothing, in a browser or on a server:
// no global is read, nothing is fetched or defined until asked (load, defineCustomerForm, mount).

import init, { mount as mountNow } from '../pkg/customer_form.js';
// The element as the wasm-bindgen glue imports it (scripts/pack.sh links it here), so the
// bundle holds one copy of it.
import { defineElement, stableTokenProvider, EarlyRead, setLocaleUrl } from '../pkg/element.js';

let loading = null;
let toldNoDom = false;

function hasDom() {
  return typeof window !== 'undefined' && typeof document !== 'undefined'
    && typeof customElements !== 'undefined' && typeof HTMLElement !== 'undefined';
}

const NO_DOM = 'customer-form runs in a browser; there is no DOM here (server rendering?)';

// The non-English strings, fetched only by a page that asks for one of them. Written as
// `new URL('./…', import.meta.url)`, like the `.wasm`, so bundlers copy them and plain servers
// find them beside this file.
const LOCALES = {
  de: () => new URL('./customer-form.de.json', import.meta.url),
  fr: () => new URL('./customer-form.fr.json', import.meta.url),
  es: () => new URL('./customer-form.es.json', import.meta.url),
};

/**
 * Fetches and starts the WebAssembly once; later calls share the same promise. By default the
 * `.wasm` is found next to this file; `wasmUrl` points elsewhere (a CDN, a hashed asset), and
 * the language files (`customer-form.<lang>.json`) are then looked for beside it.
 * A failed load can be tried again.
 */
export function load({ wasmUrl } = {}) {
  if (!hasDom()) return Promise.reject(new Error(`${NO_DOM}: nothing to load`));
  loading ??= init({ module_or_path: wasmUrl ?? new URL('./customer_form_bg.wasm', import.meta.url) }).then(
    () => {
      for (const [tag, url] of Object.entries(LOCALES)) {
        setLocaleUrl(tag, String(wasmUrl ? new URL(`./customer-form.${tag}.json`, new URL(String(wasmUrl), document.baseURI)) : url()));
      }
    },
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * Defines the `<customer-form>` element (or `tagName`) at once and starts loading the
 * WebAssembly; until it has loaded, forms show their skeleton. Resolves to the tag name when
 * forms can render. Harmless to call again, or from a second copy of the package on the same
 * page: the first definition stays. Without a DOM (server rendering) it defines nothing and
 * says so once.
 */
export function defineCustomerForm(options = {}) {
  const { tagName = 'customer-form', wasmUrl } = typeof options === 'string' ? { tagName: options } : options ?? {};
  if (!hasDom()) {
    if (!toldNoDom) {
      toldNoDom = true;
      console.info(`${NO_DOM}: defineCustomerForm() defined nothing; it defines <${tagName}> when it runs in the browser.`);
    }
    return Promise.resolve(tagName);
  }
  const ready = load({ wasmUrl }).then(() => tagName);
  defineElement(tagName, (element, elementOptions) => mountNow(element, elementOptions), () => load({ wasmUrl }));
  // Not awaiting it is fine: a failed load is shown by the forms and reported as their
  // `customer-error`, not as an unhandled rejection. Awaiting it still sees the failure.
  ready.catch(() => {});
  return ready;
}

// Each element's mounted form's handle, until `destroy()`: the wasm's handle frees the form
// when it is garbage collected (wasm-bindgen's FinalizationRegistry), so a page that mounted a
// form and dropped the handle lost it, with what had been typed, at a later collection
// (tests/e2e/mount-lifetime.test.mjs). Keyed by the element; the form lives until `destroy()`
// (the wasm holds the element until then: an element taken away without `destroy()` stays in
// memory, with or without this map). One form an element: React's StrictMode runs an effect,
// its cleanup and the effect again, and the cleanup comes before the first `mount()` has
// resolved, with no handle yet to destroy; two forms drawn on each other were the result.
const handles = new WeakMap();

/**
 * Renders a form into `element`'s shadow root (attached if missing). Resolves to a handle with
 * `update(options)` and `destroy()`. A new `tokenProvider` given to `update` is used the next
 * time a token is needed; the form keeps its state and values. A later `mount()` on the same
 * element replaces the form; the replaced form's handle then does nothing.
 */
export async function mount(element, options = {}) {
  if (!hasDom()) throw new Error(`${NO_DOM}: mount() needs an element`);
  // An update form's record is read while the WebAssembly loads, as the element does
  // (src/fetch.js, `EarlyRead`).
  const early = new EarlyRead();
  early.follow(options ?? {}, options?.tokenProvider);
  try {
    await load({ wasmUrl: options?.wasmUrl });
  } catch (error) {
    early.drop();
    throw error;
  }
  early.follow(options ?? {}, options?.tokenProvider);
  const withProvider = stableTokenProvider(early);
  let handle;
  try {
    handle = mountNow(element, withProvider(options));
  } finally {
    early.formMounted();
  }
  handles.get(element)?.destroy();
  handles.set(element, handle);
  const ifCurrent = (act) => (next) => {
    if (handles.get(element) === handle) act(next);
  };
  return {
    update: ifCurrent((next) => handle.update(withProvider(next))),
    destroy: ifCurrent(() => {
      handle.destroy();
      handles.delete(element);
    }),
  };
}
