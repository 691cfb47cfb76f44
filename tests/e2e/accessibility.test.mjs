// axe-core over the demo page with the widget in every provider x mode, both themes, and in the
// error state: no violations. Plus the form is usable with the keyboard alone.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  newPage, openDemo, waitForState, ROOT, startStack, stopStack,
} from './harness.mjs';

const require = createRequire(join(ROOT, 'tools', 'package.json'));
const AxeBuilderModule = require('@axe-core/playwright');
const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule.AxeBuilder ?? AxeBuilderModule;

let sandbox, gateway, demo, browser, api;

before(async () => {
  ({ sandbox, gateway, demo, browser, api } = await startStack());
  await api.reset();
  await gateway.connectCount();
});

after(() => stopStack({ sandbox, gateway, demo, browser }));

const CREDENTIAL = { prolifi: 'scoped', partnero: 'scoped', count: 'scoped', commercelayer: 'sales-channel' };

async function scan(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const theme of ['light', 'dark']) {
  describe(`${theme} theme`, () => {
    for (const provider of Object.keys(CREDENTIAL)) {
      for (const mode of ['create', 'update']) {
        test(`${provider} ${mode}: no violations, also in the error state`, async () => {
          const page = await newPage(browser);
          await openDemo(page, demo.url, {
            sandbox: sandbox.url, gateway: gateway.url, provider, mode, theme, credential: CREDENTIAL[provider],
          });
          await waitForState(page, 'ready');
          assert.deepEqual(await scan(page), []);
          // The error state: a field the provider requires, emptied, then submitted.
          const required = page.locator('customer-form [required]').first();
          await required.fill('');
          await page.locator('customer-form button[type=submit]').click();
          await waitForState(page, 'error');
          assert.ok(await page.locator('customer-form [aria-invalid=true]').count() > 0);
          assert.deepEqual(await scan(page), []);
          await page.context().close();
        });
      }
    }
  });
}

for (const theme of ['light', 'dark']) {
  test(`${theme}: the comparison with an existing customer (issue 12, bug 5) has no violations`, async () => {
    const page = await newPage(browser);
    await openDemo(page, demo.url, {
      sandbox: sandbox.url, gateway: gateway.url, provider: 'count', mode: 'create', theme, credential: 'scoped',
    });
    await waitForState(page, 'ready');
    await page.locator('customer-form [name=customer]').fill('Acme Limited (new)');
    await page.locator('customer-form [name=email]').fill('ap@acme.test');
    await page.locator('customer-form button[type=submit]').click();
    await page.locator('customer-form button[part=use-existing]').click();
    await page.locator('customer-form [part=merge-field]').first().waitFor();
    assert.deepEqual(await scan(page), []);
    await page.context().close();
  });
}

test('keyboard alone: tab to a field, type, submit with Enter; the summary takes the focus and its link leads to the invalid field', async () => {
  const page = await newPage(browser);
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'prolifi', mode: 'create', credential: 'secret' });
  await waitForState(page, 'ready');
  await page.locator('customer-form').evaluate((form) => form.focus());
  const focused = () => page.evaluate(() => {
    const el = document.querySelector('customer-form').shadowRoot.activeElement;
    return el?.getAttribute('name') ?? el?.getAttribute('part');
  });
  // Issue 12: the fields come in sections, "who the customer is" first.
  assert.equal(await focused(), 'first_name');
  await page.keyboard.type('Ada');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'last_name');
  await page.keyboard.press('Enter');
  await waitForState(page, 'error');
  assert.equal(await focused(), 'alert', 'focus moved to the summary');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'error-link');
  await page.keyboard.press('Enter');
  assert.equal(await focused(), 'email', 'the link leads to the first invalid field');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Enter');
  await waitForState(page, 'saved');
  assert.match(await page.locator('customer-form [role=status]').textContent(), /Customer created/);
  // The form moving the focus itself fires focus events into its own listener while it runs:
  // no error may come of it ("closure invoked recursively").
  assert.deepEqual(page.consoleLines.filter((line) => line.startsWith('pageerror')), []);
  await page.context().close();
});
