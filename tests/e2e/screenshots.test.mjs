// Screenshots of the widget in the default and the dark theme, compared with the committed
// references (tests/e2e/screenshots/*.png) with a small tolerance. UPDATE_SCREENSHOTS=1 writes
// new references instead.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  newPage, openDemo, waitForState, ROOT, startStack, stopStack,
} from './harness.mjs';

const require = createRequire(join(ROOT, 'tools', 'package.json'));
const { PNG } = require('pngjs');
const pixelmatchModule = require('pixelmatch');
const pixelmatch = pixelmatchModule.default ?? pixelmatchModule;

const REFERENCES = join(ROOT, 'tests', 'e2e', 'screenshots');
const OUTPUT = join(ROOT, 'tests', 'e2e', 'artifacts');
/** Share of pixels allowed to differ (anti-aliasing, caret), and the per-pixel threshold. */
const MAX_DIFF_RATIO = 0.005;
const THRESHOLD = 0.1;

let sandbox, gateway, demo, browser;

before(async () => {
  ({ sandbox, gateway, demo, browser } = await startStack());
  await gateway.connectCount();
});

after(() => stopStack({ sandbox, gateway, demo, browser }));

async function compare(name, png) {
  const reference = join(REFERENCES, `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(reference)) {
    if (process.env.UPDATE_SCREENSHOTS !== '1') {
      assert.fail(`no reference ${reference}: run with UPDATE_SCREENSHOTS=1 and commit it`);
    }
    mkdirSync(REFERENCES, { recursive: true });
    writeFileSync(reference, png);
    return;
  }
  const expected = PNG.sync.read(readFileSync(reference));
  const actual = PNG.sync.read(png);
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `${name}: size changed`);
  const diff = new PNG({ width: expected.width, height: expected.height });
  const differing = pixelmatch(expected.data, actual.data, diff.data, expected.width, expected.height, { threshold: THRESHOLD });
  const ratio = differing / (expected.width * expected.height);
  if (ratio > MAX_DIFF_RATIO) {
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(join(OUTPUT, `${name}.actual.png`), png);
    writeFileSync(join(OUTPUT, `${name}.diff.png`), PNG.sync.write(diff));
  }
  assert.ok(ratio <= MAX_DIFF_RATIO, `${name}: ${(ratio * 100).toFixed(2)}% of pixels differ (see tests/e2e/artifacts)`);
}

for (const theme of ['light', 'dark']) {
  test(`${theme} theme looks as it should, loaded and with an error`, async () => {
    const page = await newPage(browser);
    await openDemo(page, demo.url, { sandbox: sandbox.url, provider: 'prolifi', credential: 'secret', theme });
    await waitForState(page, 'ready');
    const form = page.locator('customer-form');
    await compare(`prolifi-update-${theme}`, await form.screenshot({ animations: 'disabled', caret: 'hide' }));
    await page.locator('customer-form [name=email]').fill('not an email');
    await page.locator('customer-form button[type=submit]').click();
    await waitForState(page, 'error');
    await page.evaluate(() => document.querySelector('customer-form').shadowRoot.activeElement?.blur());
    await compare(`prolifi-update-${theme}-error`, await form.screenshot({ animations: 'disabled', caret: 'hide' }));
    await page.context().close();
  });
}

// Issue 12's editors on a Count create: contact rows, "shipping same as billing"; then the
// comparison with the existing customer the duplicate check found (bug 5).
for (const theme of ['light', 'dark']) {
  test(`${theme} theme: Count contact rows, same-as-billing, and the comparison with an existing customer`, async () => {
    const page = await newPage(browser);
    await openDemo(page, demo.url, {
      sandbox: sandbox.url, gateway: gateway.url, provider: 'count', mode: 'create', credential: 'scoped', theme,
    });
    await waitForState(page, 'ready');
    const form = page.locator('customer-form');
    const field = (name) => page.locator(`customer-form [name="${name}"]`);
    await field('customer').fill('Acme Limited (new)');
    await field('email').fill('ap@acme.test');
    await field('contacts').fill('[{"firstName":"Ann","lastName":"Lee","email":"ann@acme.test","isPrimary":true}]');
    await field('billingAddress.city').fill('London');
    const blur = () => page.evaluate(() => document.querySelector('customer-form').shadowRoot.activeElement?.blur());
    await blur();
    await compare(`count-create-${theme}`, await form.screenshot({ animations: 'disabled', caret: 'hide' }));
    await page.locator('customer-form button[type=submit]').click();
    await page.locator('customer-form button[part=use-existing]').click();
    await page.locator('customer-form [part=merge-field]').first().waitFor();
    await blur();
    await compare(`count-compare-${theme}`, await page.locator('customer-form [part=conflict]').screenshot({ animations: 'disabled', caret: 'hide' }));
    await page.context().close();
  });
}
