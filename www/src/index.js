// customer-form: the package's entry. Importing it does nothing: the WebAssembly is fetched and
// the element defined only when asked (load, defineCustomerForm, mount).

import init, { defineCustomerForm as define, mount as mountNow } from '../pkg/customer_form.js';

let loading = null;

/**
 * Fetches and starts the WebAssembly once; later calls share the same promise. By default the
 * `.wasm` is found next to this file; `wasmUrl` points elsewhere (a CDN, a hashed asset).
 * A failed load can be tried again.
 */
export function load({ wasmUrl } = {}) {
  loading ??= init({ module_or_path: wasmUrl ?? new URL('./customer_form_bg.wasm', import.meta.url) }).then(
    () => undefined,
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
