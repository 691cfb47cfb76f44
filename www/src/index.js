// customer-form: the package's entry. Importing it does nothing: the WebAssembly is fetched and
// the element defined only when asked (load, defineCustomerForm, mount).

import init, { defineCustomerForm as define, mount as mountNow, setLocaleUrl } from '../pkg/customer_form.js';

let loading = null;

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
 * Defines the `<customer-form>` element (or `tagName`). Harmless to call again, or from a second
 * copy of the package on the same page: the first definition stays. Resolves to the tag name.
 */
export async function defineCustomerForm({ tagName = 'customer-form', wasmUrl } = {}) {
  await load({ wasmUrl });
  return define(tagName);
}

/**
 * Renders a form into `element`'s shadow root (attached if missing). Resolves to a handle with
 * `update(options)` and `destroy()`.
 */
export async function mount(element, options = {}) {
  await load({ wasmUrl: options.wasmUrl });
  return mountNow(element, options);
}
