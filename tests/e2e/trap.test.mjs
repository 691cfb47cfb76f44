// A panic inside the shipped wasm: the package's wasm aborts at once (std built with
// `panic = immediate-abort`, scripts/lib/release-wasm.sh), so no Rust hook runs, and the glue's
// guard (src/trap.js, put in by scripts/guard-traps.mjs) is what must notice the trap: every
// mounted form shows the failure and reports `customer-error` once; a destroyed one is left
// alone. Runs the probe build (PACK_PROBE=1 scripts/pack.sh: the package's build with
// `panicProbe()` exported) against the sandbox. The guard's own rules are tested in plain Node.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startSandbox, serveStatic, launchBrowser, sandboxClient, ROOT, TARGET_DIR } from './harness.mjs';
import { guardExports, track, stopped } from '../../src/trap.js';

const PROBE = join(TARGET_DIR, 'probe', 'package');
const PAGES = new Map();
let sandbox, app, browser;

before(async () => {
  sandbox = await startSandbox();
  await sandboxClient(sandbox.url).reset();
  app = await serveStatic(PROBE, { pages: PAGES });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  app?.stop();
  sandbox?.stop();
});

test('the probe is the package build: same std, glue guarded', () => {
  const std = readFileSync(join(TARGET_DIR, 'probe', 'pkg', 'std-build'), 'utf8').trim();
  const shipped = readFileSync(join(ROOT, 'www', 'pkg', 'std-build'), 'utf8').trim();
  assert.equal(std, shipped);
  assert.match(readFileSync(join(TARGET_DIR, 'probe', 'pkg', 'customer_form.js'), 'utf8'), /wasm = guardExports\(instance\.exports\);/);
});

test('a panic replaces every mounted form with the failure and reports it once per form', async () => {
  PAGES.set('/trap.html', `<!DOCTYPE html><html lang="en"><body>
<customer-form id="element" provider="prolifi" mode="create" api-base="${sandbox.url}/prolifi"></customer-form>
<div id="mounted"></div><div id="destroyed"></div>
<script type="module">
import { defineCustomerForm, mount, panicProbe } from './index.js';
window.events = [];
for (const id of ['element', 'mounted', 'destroyed']) {
  document.getElementById(id).addEventListener('customer-error', (e) => window.events.push([id, e.detail.kind, e.detail.message]));
}
document.getElementById('element').token = 'pk_test_sandbox';
await defineCustomerForm();
const options = { provider: 'prolifi', mode: 'create', apiBase: '${sandbox.url}/prolifi', token: 'pk_test_sandbox' };
await mount(document.getElementById('mounted'), options);
(await mount(document.getElementById('destroyed'), options)).destroy();
window.mountLate = async () => {
  const late = document.createElement('div');
  late.id = 'late';
  late.addEventListener('customer-error', (e) => window.events.push(['late', e.detail.kind, e.detail.message]));
  document.body.append(late);
  await mount(late, options);
};
window.probe = () => new Promise((done) => setTimeout(() => {
  try { panicProbe(); done('no trap'); } catch (trap) { done(trap instanceof WebAssembly.RuntimeError ? 'RuntimeError' : String(trap)); }
}));
document.body.dataset.ready = 'yes';
</script></body></html>`);
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${app.url}/trap.html`);
  await page.waitForSelector('body[data-ready=yes]', { state: 'attached', timeout: 10_000 }).catch(() => assert.fail(consoleErrors.join('\n')));
  await page.locator('#element [name=email]').waitFor();
  await page.locator('#mounted [name=email]').waitFor({ timeout: 5000 }).catch(async () => assert.fail(await page.evaluate(() => document.getElementById('mounted').shadowRoot?.innerHTML)));

  assert.equal(await page.evaluate(() => window.probe()), 'RuntimeError');
  for (const id of ['element', 'mounted']) {
    const failure = page.locator(`#${id} [data-state=error][role=alert]`);
    assert.match(await failure.textContent(), /stopped working because of an internal error/);
    assert.equal(await page.locator(`#${id} [name=email]`).count(), 0, `${id}'s form is gone`);
  }
  assert.ok(consoleErrors.some((text) => text.includes('customer-form: internal error')), consoleErrors.join('\n'));

  // A second trap changes nothing: each form reported once, the destroyed one never.
  assert.equal(await page.evaluate(() => window.probe()), 'RuntimeError');
  let events = await page.evaluate(() => window.events);
  assert.deepEqual(events.map(([id, kind]) => [id, kind]).sort(), [['element', 'panic'], ['mounted', 'panic']]);

  // A form mounted after the trap, on the module that no longer works, is shown as failed too.
  const late = await page.evaluate(() => window.mountLate().then(() => 'mounted', (error) => String(error)));
  await page.locator('#late [data-state=error][role=alert]').waitFor();
  assert.equal(await page.locator('#late [name=email]').count(), 0, `the late form is not drawn (${late})`);
  events = await page.evaluate(() => window.events);
  assert.deepEqual(events.filter(([id]) => id === 'late').map(([, kind]) => kind), ['panic']);
  await page.close();
});

test('the guard stops the forms on a trap only, and passes every call and error on', () => {
  const replaced = [];
  const events = [];
  const container = { ownerDocument: { createElement: () => ({ dataset: {}, setAttribute() {} }) }, replaceChildren: (n) => replaced.push(n) };
  const host = { dispatchEvent: (e) => events.push(e.detail.kind) };
  const exports = {
    memory: { buffer: 'the memory' },
    add: (a, b) => a + b,
    throwsJs: () => { throw new TypeError('a host callback threw'); },
    traps: () => { throw new WebAssembly.RuntimeError('unreachable'); },
  };
  const guarded = guardExports(exports);
  track(host, container);

  assert.equal(guarded.memory, exports.memory);
  assert.equal(guarded.add(2, 3), 5);
  assert.throws(() => guarded.throwsJs(), TypeError);
  assert.deepEqual([replaced.length, events], [0, []], 'a JS error is not a trap');

  const error = console.error;
  console.error = () => {};
  try {
    assert.throws(() => guarded.traps(), WebAssembly.RuntimeError);
    assert.throws(() => guarded.traps(), WebAssembly.RuntimeError);
    stopped();
  } finally {
    console.error = error;
  }
  assert.deepEqual([replaced.length, events], [1, ['panic']]);
});
