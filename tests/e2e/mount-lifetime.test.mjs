// A form mounted by `mount()` lives until `destroy()` or until its element is gone, whether or
// not the page keeps the handle: pages often mount and forget. The handle wasm-bindgen returns is
// freed by a FinalizationRegistry once unreachable, and freeing it takes the form down, so a
// dropped handle made the form vanish at the next garbage collection, with whatever had been
// typed in it. The packed package (www/package) in Chromium with `gc()` exposed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox, serveStatic, launchBrowser, ROOT } from './harness.mjs';

const PAGES = new Map();
let sandbox, app, browser;

before(async () => {
  sandbox = await startSandbox();
  app = await serveStatic(join(ROOT, 'www', 'package'), { pages: PAGES });
  browser = await launchBrowser(['--js-flags=--expose-gc']);
});

after(async () => {
  await browser?.close();
  app?.stop();
  sandbox?.stop();
});

// Collects garbage until a FinalizationRegistry canary registered now has been called (so the
// registry callbacks of everything unreachable have had their turn), at most 50 rounds.
const COLLECT = `async () => {
  let called = false;
  const registry = new FinalizationRegistry(() => { called = true; });
  (() => registry.register({}, 'canary'))();
  for (let round = 0; round < 10 || (round < 50 && !called); round++) {
    gc();
    await new Promise((done) => setTimeout(done, 20));
  }
  await new Promise((done) => setTimeout(done, 50));
  return called;
}`;

test('a mounted form whose handle the page dropped stays after garbage collection', async () => {
  PAGES.set('/forgotten.html', `<!DOCTYPE html><html lang="en"><body><div id="kept"></div><div id="forgotten"></div><div id="other"></div>
<script type="module">
import { mount } from './index.js';
const options = { provider: 'prolifi', mode: 'create', apiBase: '${sandbox.url}/prolifi', token: 'sk_test_sandbox' };
window.kept = await mount(document.getElementById('kept'), options);
await mount(document.getElementById('forgotten'), options);
(await mount(document.getElementById('other'), options)).destroy();
document.body.dataset.ready = 'yes';
</script></body></html>`);
  const page = await browser.newPage();
  await page.goto(`${app.url}/forgotten.html`);
  await page.waitForSelector('body[data-ready=yes]', { state: 'attached' });
  await page.locator('#forgotten [name=email]').fill('typed@example.com');

  assert.equal(await page.evaluate(`(${COLLECT})()`), true, 'the collector ran its finalizers');
  assert.equal(await page.locator('#forgotten [name=email]').inputValue(), 'typed@example.com');
  await page.locator('#forgotten [name=last_name]').fill('Still here');
  assert.equal(await page.locator('#forgotten [name=last_name]').inputValue(), 'Still here');

  // destroy() still takes a form down, and a destroyed form's handle may then be collected.
  await page.evaluate(() => { window.kept.destroy(); window.kept = null; });
  assert.equal(await page.locator('#kept [name=email]').count(), 0);
  assert.equal(await page.evaluate(`(${COLLECT})()`), true);
  assert.equal(await page.locator('#forgotten [name=email]').inputValue(), 'typed@example.com');
  await page.close();
});

// React's StrictMode runs an effect, its cleanup and the effect again; the cleanup comes before
// the first `mount()` has resolved, so it has no handle to destroy. Each `mount()` on the same
// element replaces the form before it, and the replaced form's handle does nothing.
test('a second mount() on the same element replaces the first form', async () => {
  PAGES.set('/twice.html', `<!DOCTYPE html><html lang="en"><body><div id="twice"></div>
<script type="module">
import { mount } from './index.js';
const options = { provider: 'prolifi', mode: 'create', apiBase: '${sandbox.url}/prolifi', token: 'sk_test_sandbox' };
const element = document.getElementById('twice');
const first = mount(element, options);
const second = mount(element, { ...options, locale: 'fr' });
[window.first, window.second] = await Promise.all([first, second]);
document.body.dataset.ready = 'yes';
</script></body></html>`);
  const page = await browser.newPage();
  try {
    await page.goto(`${app.url}/twice.html`);
    await page.waitForSelector('body[data-ready=yes]', { state: 'attached' });
    const emails = page.locator('#twice [name=email]');
    await emails.first().waitFor();
    assert.equal(await emails.count(), 1, 'one form on the element');
    assert.equal(await page.locator('#twice [part=root]').count(), 1);
    assert.equal(await page.locator('#twice [part=root]').getAttribute('lang'), 'fr', 'the later mount is the one shown');
    await emails.fill('typed@example.com');

    // The replaced form's handle neither draws nor takes down the form that replaced it.
    await page.evaluate(() => {
      window.first.update({ provider: 'prolifi', mode: 'create', token: 'sk_test_sandbox', locale: 'de' });
      window.first.destroy();
    });
    assert.equal(await emails.count(), 1);
    assert.equal(await emails.inputValue(), 'typed@example.com');
    assert.equal(await page.locator('#twice [part=root]').getAttribute('lang'), 'fr');

    await page.evaluate(() => window.second.destroy());
    assert.equal(await page.locator('#twice [name=email]').count(), 0);
  } finally {
    await page.close();
  }
});

// A form replaced while its record loads had not yet been offered the kept draft, and its
// teardown forgot it unseen: the form replacing it then found none (the review of 2026-11-28).
test('a form replaced while its record loads leaves the kept draft to the one replacing it', async () => {
  PAGES.set('/draft-twice.html', `<!DOCTYPE html><html lang="en"><body><div id="form"></div>
<script type="module">
import { mount } from './index.js';
window.options = { provider: 'prolifi', customerId: 'cus_1001', apiBase: '${sandbox.url}/prolifi/api/v1/public', token: 'sk_test_sandbox', draft: true };
window.mount = mount;
window.first = await mount(document.getElementById('form'), window.options);
document.body.dataset.ready = 'yes';
</script></body></html>`);
  const page = await browser.newPage();
  try {
    await page.goto(`${app.url}/draft-twice.html`);
    await page.waitForSelector('body[data-ready=yes]', { state: 'attached' });
    const company = page.locator('#form [name=company_name]');
    await page.locator('#form [data-state=ready]').waitFor();
    await company.fill('Kept Ltd');
    await page.evaluate(() => window.first.destroy());
    assert.match(await page.evaluate(() => JSON.stringify(sessionStorage)), /Kept Ltd/);
    await page.evaluate(async () => {
      const element = document.getElementById('form');
      await Promise.all([window.mount(element, window.options), window.mount(element, window.options)]);
    });
    await page.locator('#form [role=status]', { hasText: 'restored' }).waitFor();
    assert.equal(await company.inputValue(), 'Kept Ltd');
  } finally {
    await page.close();
  }
});
