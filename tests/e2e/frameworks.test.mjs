// Embedding as dashboard teams do: the packed tarball in Vite apps (tests/vite-app, built by
// scripts/test.sh) — React 19 with JSX props, `defineCustomerForm()` not awaited and StrictMode,
// as a production build and under the dev server; the README's React 18 variant and its
// component in TSX; Vue 3; Svelte 5 — against
// the gateway and the sandbox; and a page under a strict Content-Security-Policy. Each page
// gets one browser context.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startSandbox, startGateway, serveStatic, launchBrowser, sandboxClient, freePort, ROOT,
} from './harness.mjs';

const APP = join(ROOT, 'tests', 'vite-app');
/** How many times each React page's first load is repeated. */
const FIRST_LOADS = 5;

let sandbox, gateway, app, dev, browser, api;

/** The README's policy, for this page's gateway. */
const csp = () => `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' ${gateway.url}; base-uri 'none'`;

/** `vite` (the dev server) on a free port; resolves once it answers. */
async function startDevServer(port) {
  const child = spawn(join(APP, 'node_modules', '.bin', 'vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: APP, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`vite exited:\n${output}`);
    try {
      if ((await fetch(`${url}/react.html`)).ok) return { url, stop: () => child.kill('SIGTERM') };
    } catch { /* not listening yet */ }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`vite did not start:\n${output}`);
}

before(async () => {
  sandbox = await startSandbox();
  api = sandboxClient(sandbox.url);
  app = await serveStatic(join(APP, 'dist'), {
    headers: (path) => (path === '/csp.html' ? { 'content-security-policy': csp() } : {}),
  });
  const devPort = await freePort();
  gateway = await startGateway(sandbox.url, [app.url, `http://127.0.0.1:${devPort}`]);
  [dev, browser] = await Promise.all([startDevServer(devPort), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await Promise.all([dev?.stop(), app?.stop(), gateway?.stop(), sandbox?.stop()]);
});

/** One context and page; console errors, page errors and CSP violations are collected. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    // The browser's own request for /favicon.ico, which these pages do not have, is no problem.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  return page;
}

const form = (page) => page.locator('customer-form');
const rendered = (page, state) => form(page).locator(`.cf[data-state="${state}"]`).waitFor({ timeout: 15_000 });
const log = (page) => page.evaluate(() => window.pageLog);
const errorsOf = (entries) => entries.events.filter((e) => e.type === 'customer-error').map((e) => e.detail);

/** A first load: the form reads cus_1001 with one token and no error, whatever the timing. */
async function firstLoad(page, url) {
  await page.goto(url);
  await rendered(page, 'ready');
  assert.equal(await form(page).locator('[name=last_name]').inputValue(), 'Doe');
  const entries = await log(page);
  assert.deepEqual(errorsOf(entries), []);
  assert.deepEqual(entries.tokenRequests, [{ provider: 'prolifi', operation: 'update', customerId: 'cus_1001' }]);
}

/** Edit, save, the app re-renders with new callbacks, close and open the form again. */
async function editSaveRemount(page, company) {
  await form(page).locator('[name=company_name]').fill(company);
  await form(page).locator('button[type=submit]').click();
  await page.locator('#saves', { hasText: '1' }).waitFor();
  // The app re-rendered on `saved` and handed over a new token provider: nothing starts over.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok))));
  await rendered(page, 'saved');
  assert.equal(await form(page).locator('[name=company_name]').inputValue(), company);
  let entries = await log(page);
  assert.equal(entries.tokenRequests.length, 1, 'the token still valid was kept');
  assert.equal(entries.saved.length, 1);
  assert.equal(entries.saved[0].company_name, company);

  await page.click('#toggle');
  await form(page).waitFor({ state: 'detached' });
  await page.click('#toggle');
  await rendered(page, 'ready');
  assert.equal(await form(page).locator('[name=company_name]').inputValue(), company);
  entries = await log(page);
  assert.deepEqual(errorsOf(entries), []);
  assert.equal(entries.saved.length, 1);
  const writes = (await api.log()).filter((e) => e.method === 'PATCH');
  assert.equal(writes.length, 1);
  assert.equal(writes[0].body, JSON.stringify({ company_name: company }));
  assert.deepEqual(page.problems, []);
}

async function reactFirstLoads(base, query = '') {
  const page = await openPage();
  try {
    for (let load = 1; load <= FIRST_LOADS; load += 1) {
      await api.reset();
      await firstLoad(page, `${base}/react.html?gateway=${encodeURIComponent(gateway.url)}${query}`);
      assert.deepEqual(page.problems, [], `load ${load}`);
    }
    await editSaveRemount(page, `Doe & Co ${query || 'jsx'}`);
  } finally {
    await page.context().close();
  }
}

test(`React 19, production build: JSX props, define not awaited, StrictMode; ${FIRST_LOADS} first loads, save, remount`, async () => {
  await reactFirstLoads(app.url);
});

test(`React 19, dev server: the same; ${FIRST_LOADS} first loads, save, remount`, async () => {
  await reactFirstLoads(dev.url);
});

test(`the README's React 18 example (ref + useLayoutEffect): ${FIRST_LOADS} first loads, save, remount`, async () => {
  await reactFirstLoads(app.url, '&editor=ref');
});

test(`the README's React 19 component in TSX (typed by customer-form/react): ${FIRST_LOADS} first loads, save, remount`, async () => {
  await reactFirstLoads(app.url, '&editor=tsx');
});

test('Vue 3, production build: load, save, remount', async () => {
  const page = await openPage();
  try {
    await api.reset();
    await firstLoad(page, `${app.url}/vue.html?gateway=${encodeURIComponent(gateway.url)}`);
    await editSaveRemount(page, 'Doe & Co vue');
  } finally {
    await page.context().close();
  }
});

test('Svelte 5, production build: load, save, remount', async () => {
  const page = await openPage();
  try {
    await api.reset();
    await firstLoad(page, `${app.url}/svelte.html?gateway=${encodeURIComponent(gateway.url)}`);
    await editSaveRemount(page, 'Doe & Co svelte');
  } finally {
    await page.context().close();
  }
});

test('under script-src \'self\' \'wasm-unsafe-eval\'; style-src \'self\' the form is styled and saves', async () => {
  const page = await openPage();
  try {
    await api.reset();
    const response = await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    assert.match(response.headers()['content-security-policy'], /style-src 'self'/);
    await rendered(page, 'ready');
    // The policy is enforced: an inline style the page tries is refused.
    const inlineApplied = await page.evaluate(() => {
      const probe = document.createElement('style');
      probe.textContent = 'h1 { color: rgb(1, 2, 3) }';
      document.head.append(probe);
      const applied = getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)';
      probe.remove();
      return applied;
    });
    assert.equal(inlineApplied, false);
    assert.equal((await page.evaluate(() => window.cspViolations)).length, 1);
    await page.evaluate(() => { window.cspViolations.length = 0; });
    page.problems.length = 0;

    const input = form(page).locator('[name=company_name]');
    const style = await input.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`,
        padding: `${s.paddingTop} ${s.paddingRight}`,
        radius: s.borderTopLeftRadius,
      };
    });
    // The stylesheet (`STYLES` in src/element.js): 1px solid border, 8px 10px padding; colour and
    // radius from `appearance`.
    assert.deepEqual(style, { border: '1px solid rgb(107, 33, 168)', padding: '8px 10px', radius: '3px' });

    await input.fill('Doe & Co csp');
    await form(page).locator('button[type=submit]').click();
    await rendered(page, 'saved');
    const writes = (await api.log()).filter((e) => e.method === 'PATCH');
    assert.deepEqual(writes.map((e) => e.body), ['{"company_name":"Doe & Co csp"}']);
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assert.deepEqual(errorsOf(await log(page)), []);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});

test('a credential given late is waited for: loading, no event, no request, then the form', async () => {
  const page = await openPage();
  try {
    await api.reset();
    await page.goto(`${app.url}/csp.html?credential=late&gateway=${encodeURIComponent(gateway.url)}`);
    await rendered(page, 'loading');
    // A framework's effect can come late; the form must not cry wolf meanwhile.
    await page.waitForTimeout(1500);
    assert.equal(await form(page).locator('.cf').getAttribute('data-state'), 'loading');
    assert.equal(await form(page).locator('[part=skeleton]').count(), 1);
    let entries = await log(page);
    assert.deepEqual(entries.events, []);
    assert.deepEqual(await api.log(), []);
    await page.evaluate(() => window.giveCredential());
    await rendered(page, 'ready');
    entries = await log(page);
    assert.deepEqual(errorsOf(entries), []);
    assert.equal(entries.tokenRequests.length, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});

test('no credential at all: after a few seconds a clear error, kind credential_missing', async () => {
  const page = await openPage();
  try {
    const started = Date.now();
    await page.goto(`${app.url}/csp.html?credential=none&gateway=${encodeURIComponent(gateway.url)}`);
    await rendered(page, 'loading');
    await rendered(page, 'error');
    const waited = Date.now() - started;
    assert.ok(waited >= 4000, `waited ${waited} ms`);
    const errors = errorsOf(await log(page));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, 'credential_missing');
    assert.match(errors[0].message, /No credential was given to the form\. Set its token or tokenProvider property\./);
    assert.match(await form(page).locator('[role=alert]').textContent(), /No credential was given/);
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  } finally {
    await page.context().close();
  }
});

test('a WebAssembly that cannot be fetched: the form says so and sends customer-error', async () => {
  const page = await openPage();
  try {
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    await form(page).locator('.cf-pending[data-state=error]').waitFor();
    assert.match(await form(page).locator('[role=alert]').textContent(), /could not be loaded/);
    const errors = errorsOf(await log(page));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, 'network');
    // Only the browser's own report of the aborted request; no unhandled rejection.
    assert.ok(page.problems.every((problem) => problem.includes('net::ERR_FAILED')), page.problems.join('\n'));
  } finally {
    await page.context().close();
  }
});

test('a WebAssembly that fails again when asked again: each failure sends customer-error', async () => {
  const page = await openPage();
  try {
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    await form(page).locator('.cf-pending[data-state=error]').waitFor();
    // A change on the element asks for the wasm again; it fails at once, long before a
    // skeleton would replace the first failure's message.
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('theme', 'dark'));
    await page.waitForFunction(() => window.pageLog.events.filter((e) => e.type === 'customer-error').length >= 2);
    const errors = errorsOf(await log(page));
    assert.deepEqual(errors.map((e) => e.kind), ['network', 'network']);
    assert.match(errors[1].message, /could not be loaded/);
    assert.match(await form(page).locator('[role=alert]').textContent(), /could not be loaded/);
  } finally {
    await page.context().close();
  }
});

/** The page's WebAssembly held back `ms` before it is served. */
const holdWasm = (page, ms) => page.route('**/*.wasm', async (route) => {
  await new Promise((ok) => setTimeout(ok, ms));
  await route.continue();
});

/** Records when each `<customer-form>`'s shadow root was made, when a stylesheet was first
 * adopted in it, and when the element's own skeleton (`.cf-pending`) first appeared in it:
 * `window.pendingTimes`. */
function recordPending() {
  window.pendingTimes = [];
  const entries = new WeakMap();
  const adopted = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'adoptedStyleSheets');
  Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', {
    ...adopted,
    set(sheets) {
      const entry = entries.get(this);
      if (entry && entry.styled === null) entry.styled = performance.now();
      adopted.set.call(this, sheets);
    },
  });
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = attach.call(this, init);
    if (this.localName === 'customer-form') {
      const entry = { shadow: performance.now(), styled: null, pending: null };
      entries.set(root, entry);
      window.pendingTimes.push(entry);
      new MutationObserver(() => {
        if (entry.pending === null && root.querySelector('.cf-pending')) entry.pending = performance.now();
      }).observe(root, { childList: true, subtree: true });
    }
    return root;
  };
}

test('a WebAssembly slow to come: the element\'s skeleton after 150 ms, then the form in its place', async () => {
  const page = await openPage();
  try {
    await page.context().addInitScript(recordPending);
    await holdWasm(page, 1200);
    await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    await form(page).locator('.cf-pending[data-state=loading] [part=skeleton]').waitFor();
    assert.match(await form(page).locator('.cf-pending [role=status]').textContent(), /Loading/);
    await rendered(page, 'ready');
    assert.equal(await form(page).locator('.cf-pending').count(), 0);
    const [times] = await page.evaluate(() => window.pendingTimes);
    // 150 ms at least; the page's clock is coarsened (100 µs steps with jitter), hence 145.
    assert.ok(times.pending - times.shadow >= 145, `skeleton after ${times.pending - times.shadow} ms`);
    // The stylesheet was parsed and adopted as soon as the element was waiting for the wasm,
    // well before the skeleton was due, not when something was first drawn; and the form
    // adopted no second one.
    assert.ok(times.styled !== null && times.pending - times.styled > 100, JSON.stringify(times));
    assert.equal(await form(page).evaluate((element) => element.shadowRoot.adoptedStyleSheets.length), 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});

test('a record slow to come after a slow WebAssembly: the skeleton stays while the form is built hidden', async () => {
  const page = await openPage();
  try {
    // Whenever the form is there but hidden (built while its record is on its way), whether the
    // element's skeleton is still shown beside it.
    await page.context().addInitScript(() => {
      window.hiddenChecks = [];
      const attach = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function attachShadow(init) {
        const root = attach.call(this, init);
        if (this.localName === 'customer-form') {
          new MutationObserver(() => {
            if (root.querySelector('.cf[hidden]')) {
              window.hiddenChecks.push(!!root.querySelector('.cf-pending [part=skeleton]'));
            }
          }).observe(root, { childList: true, subtree: true, attributes: true });
        }
        return root;
      };
    });
    await holdWasm(page, 600);
    // The record's read held until the form has been built hidden.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/customers/cus_1001', async (route) => {
      if (route.request().method() === 'GET') await held;
      await route.continue();
    });
    await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    await page.waitForFunction(() => window.hiddenChecks.length > 0);
    release();
    await rendered(page, 'ready');
    const checks = await page.evaluate(() => window.hiddenChecks);
    assert.ok(checks.every(Boolean), `the skeleton was gone while the form was hidden: ${JSON.stringify(checks)}`);
    assert.equal(await form(page).locator('.cf[hidden]').count(), 0);
    assert.equal(await form(page).locator('.cf-pending').count(), 0);
    assert.equal(await form(page).locator('[name=email]').inputValue(), 'jane@example.com');
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});

test('an element moved while the WebAssembly is slow to come still shows the skeleton', async () => {
  const page = await openPage();
  try {
    // A framework moving the element: out of the document 50 ms after it was defined (within
    // the skeleton's 150 ms), back in at 400 ms, while the wasm takes 2 s. The element sits in
    // a German part of the page, which it cannot see while it is out.
    await page.context().addInitScript(() => {
      const define = CustomElementRegistry.prototype.define;
      CustomElementRegistry.prototype.define = function defineAndMove(name, ...rest) {
        define.call(this, name, ...rest);
        if (name !== 'customer-form') return;
        const element = document.querySelector('customer-form');
        const parent = element.parentNode;
        parent.lang = 'de';
        setTimeout(() => element.remove(), 50);
        setTimeout(() => {
          parent.append(element);
          // What the element shows once it has handled being back (its work is a microtask).
          setTimeout(() => {
            const pending = element.shadowRoot.querySelector('.cf-pending[data-state=loading]');
            window.backWith = { skeleton: !!pending?.querySelector('[part=skeleton]'), lang: pending?.lang };
          }, 0);
        }, 400);
      };
    });
    await holdWasm(page, 2000);
    await page.goto(`${app.url}/csp.html?gateway=${encodeURIComponent(gateway.url)}`);
    await page.waitForFunction(() => window.backWith !== undefined);
    assert.deepEqual(await page.evaluate(() => window.backWith), { skeleton: true, lang: 'de' });
    await rendered(page, 'ready');
    assert.equal(await form(page).locator('.cf-pending').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
  }
});

test("the README's framework examples are the tested files", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  for (const [file, fence] of [
    ['src/react/CustomerEditor.jsx', 'jsx'],
    ['src/react/CustomerEditorWithRef.jsx', 'jsx'],
    ['src/vue/CustomerEditor.vue', 'vue'],
    ['src/svelte/CustomerEditor.svelte', 'svelte'],
  ]) {
    const source = await readFile(join(APP, file), 'utf8');
    assert.ok(readme.includes(`\`\`\`${fence}\n${source}\`\`\``), `README shows tests/vite-app/${file} as it is`);
  }
  const config = await readFile(join(APP, 'vite.config.js'), 'utf8');
  const vueLine = config.split('\n').find((line) => line.includes('isCustomElement')).trim();
  assert.ok(readme.includes(vueLine), 'README shows the Vue compiler option the app uses');
});
