// Row editors (issue 12): metadata as key/value rows beside its JSON (Prolifi, Commerce Layer),
// Count contacts as rows on create and a read-only list on update. The named textarea stays the
// canonical text: rows and text follow each other, and what is saved is asserted at the sandbox.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  newPage, openDemo, waitForState, ROOT, startStack, stopStack,
} from './harness.mjs';

const require = createRequire(join(ROOT, 'tools', 'package.json'));
const AxeBuilderModule = require('@axe-core/playwright');
const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule.AxeBuilder ?? AxeBuilderModule;

let sandbox, gateway, demo, browser, api, page;

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  await gateway.connectCount();
  page = await newPage(browser);
});

const form = () => page.locator('customer-form');
const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const byLabel = (label) => form().getByLabel(label, { exact: true });
const row = (n) => form().locator(`.cf-rows [data-row="${n}"]`);
const rowError = (n) => row(n).locator('[part=row-error]');
const rowsOf = (name) => form().locator('.cf-field', { has: page.locator(`[name="${name}"]`) }).locator('.cf-rows');
/** Each metadata row as [key, value, is JSON]. */
const metadataRows = () => rowsOf('metadata').locator('[data-row]').evaluateAll((rows) => rows.map((r) => {
  const [key, value, json] = r.querySelectorAll('input');
  return [key.value, value.value, json.checked];
}));
const activeLabel = () => page.evaluate(() => {
  const el = document.querySelector('customer-form').shadowRoot.activeElement;
  return el?.getAttribute('aria-label') ?? el?.getAttribute('name') ?? el?.textContent;
});
const metadataText = async () => JSON.parse(await field('metadata').inputValue());

async function openProlifi(query = {}) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'prolifi', credential: 'secret', ...query });
  await waitForState(page, 'ready');
}

async function openCount(mode) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'count', credential: 'scoped', mode });
  await waitForState(page, 'ready');
}

const writes = async (prefix) => (await api.log()).filter((e) => e.path.startsWith(prefix) && !['GET', 'OPTIONS'].includes(e.method) && !e.path.includes('oauth') && !e.path.includes('-token'));

async function scan() {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('metadata rows (Prolifi update)', () => {
  test('rows show the record; edit, add and remove rows, and the save sends that object', async () => {
    await openProlifi();
    assert.deepEqual(await metadataRows(), [['plan', 'pro', false]]);
    await byLabel('Value 1').fill('enterprise');
    assert.deepEqual(await metadataText(), { plan: 'enterprise' });
    await form().getByRole('button', { name: 'Add row' }).click();
    assert.equal(await activeLabel(), 'Key 2', 'the new key input has the focus');
    await page.keyboard.type('seats');
    await byLabel('Value 2 as JSON').check();
    await byLabel('Value 2').fill('5');
    await form().getByRole('button', { name: 'Add row' }).click();
    await byLabel('Key 3').fill('tier');
    await byLabel('Value 3').fill('gold');
    assert.deepEqual(await metadataText(), { plan: 'enterprise', seats: 5, tier: 'gold' });
    await form().getByRole('button', { name: 'Remove tier' }).click();
    assert.equal(await activeLabel(), 'Key 2', 'the focus moves to the row above');
    assert.deepEqual(await metadataRows(), [['plan', 'enterprise', false], ['seats', '5', true]]);
    await submit();
    await waitForState(page, 'saved');
    const [patch] = await writes('/prolifi/');
    assert.equal(patch.method, 'PATCH');
    assert.deepEqual(JSON.parse(patch.body).metadata, { plan: 'enterprise', seats: 5 });
  });

  test('an empty or repeated key and a value that is not JSON are refused next to the row', async () => {
    await openProlifi();
    await form().getByRole('button', { name: 'Add row' }).click();
    assert.equal(await rowError(2).count(), 0, 'a new blank row is not an error yet');
    await byLabel('Key 2').fill('plan');
    assert.match(await rowError(2).textContent(), /already used in an earlier row/);
    assert.equal(await byLabel('Key 2').getAttribute('aria-invalid'), 'true');
    const errorId = await byLabel('Key 2').getAttribute('aria-describedby');
    assert.equal(await rowError(2).getAttribute('id'), errorId);
    await submit();
    await waitForState(page, 'error');
    assert.equal(await field('metadata').getAttribute('aria-invalid'), 'true');
    const summary = await form().locator('[role=alert]').textContent();
    assert.match(summary, /Metadata.*already used in an earlier row/);
    assert.equal((await writes('/prolifi/')).length, 0, 'nothing was sent');

    await byLabel('Key 2').fill('');
    await byLabel('Value 2').fill('x');
    assert.match(await rowError(2).textContent(), /Enter a key for this row/);
    await byLabel('Key 2').fill('seats');
    await byLabel('Value 2 as JSON').check();
    await byLabel('Value 2').fill('[1, 2');
    assert.match(await rowError(2).textContent(), /not valid JSON/);
    assert.deepEqual(await metadataRows(), [['plan', 'pro', false], ['seats', '[1, 2', true]], 'the rows stay while a value is unfinished');
    await byLabel('Value 2').fill('[1, 2]');
    assert.equal(await rowError(2).count(), 0);
    await submit();
    await waitForState(page, 'saved');
    const [patch] = await writes('/prolifi/');
    assert.deepEqual(JSON.parse(patch.body).metadata, { plan: 'pro', seats: [1, 2] });
  });

  test('typing JSON into the named textarea redraws the rows; broken JSON shows a note, not rows', async () => {
    await openProlifi();
    await field('metadata').fill('{"a": 1, "b": {"c": [true, null]}, "": "x", "a": "again"}');
    assert.deepEqual(await metadataRows(), [
      ['a', '1', true], ['b', '{"c":[true,null]}', true], ['', 'x', false], ['a', 'again', false],
    ]);
    assert.match(await rowError(3).textContent(), /Enter a key/);
    assert.match(await rowError(4).textContent(), /already used/);
    await field('metadata').fill('{"a": ');
    assert.equal(await rowsOf('metadata').locator('[data-row]').count(), 0);
    assert.match(await rowsOf('metadata').locator('[part=rows-note]').textContent(), /JSON below is valid/);
    assert.equal(await field('metadata').inputValue(), '{"a": ', 'what was typed is kept');
    await submit();
    await waitForState(page, 'error');
    assert.equal(await field('metadata').getAttribute('aria-invalid'), 'true');
    await field('metadata').fill('{"a": "b"}');
    assert.deepEqual(await metadataRows(), [['a', 'b', false]]);
  });

  test('keyboard alone: add a row, type key and value, remove rows', async () => {
    await openProlifi();
    await byLabel('Key 1').focus();
    const tabs = [];
    for (let i = 0; i < 4; i += 1) {
      await page.keyboard.press('Tab');
      tabs.push(await activeLabel());
    }
    assert.deepEqual(tabs, ['Value 1', 'Value 1 as JSON', 'Remove plan', 'Add row']);
    await page.keyboard.press('Enter');
    assert.equal(await activeLabel(), 'Key 2');
    await page.keyboard.type('owner');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ops team');
    assert.deepEqual(await metadataText(), { plan: 'pro', owner: 'ops team' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await activeLabel(), 'Remove owner');
    await page.keyboard.press('Enter');
    assert.equal(await activeLabel(), 'Key 1');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('Tab');
    assert.equal(await activeLabel(), 'Remove plan');
    await page.keyboard.press('Space');
    assert.equal(await activeLabel(), 'Add row', 'with no row left, the focus is on the add button');
    assert.deepEqual(await metadataText(), {});
  });

  test('a restored draft shows its rows', async () => {
    await openProlifi();
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await byLabel('Value 1').fill('draft plan');
    await page.reload();
    await page.waitForSelector('body[data-demo-ready=true]');
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await form().locator('[role=status]', { hasText: 'restored' }).waitFor();
    assert.deepEqual(await metadataRows(), [['plan', 'draft plan', false]]);
  });
});

describe('metadata rows (Commerce Layer update)', () => {
  test('a boolean shows as JSON; a removed row and an edited value reach the PATCH', async () => {
    await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'commercelayer', credential: 'sales-channel' });
    await waitForState(page, 'ready');
    assert.deepEqual(await metadataRows(), [['favourite_colour', 'teal', false], ['newsletter', 'true', true]]);
    await byLabel('Value 1').fill('ochre');
    await form().getByRole('button', { name: 'Remove newsletter' }).click();
    assert.equal(await activeLabel(), 'Key 1');
    await submit();
    await waitForState(page, 'saved');
    const patch = (await writes('/commercelayer/api/customers')).find((e) => e.method === 'PATCH');
    assert.deepEqual(JSON.parse(patch.body).data.attributes, { metadata: { favourite_colour: 'ochre' } });
  });
});

describe('Count contacts', () => {
  test('create: two contact rows and a primary are posted as contacts', async () => {
    await openCount('create');
    await field('customer').fill('Initech');
    await field('email').fill('ap@initech.test');
    await form().getByRole('button', { name: 'Add contact' }).click();
    assert.equal(await activeLabel(), 'First name 1');
    await page.keyboard.type('Peter');
    await byLabel('Last name 1').fill('Gibbons');
    await byLabel('Email 1').fill('peter@initech.test');
    await form().getByRole('button', { name: 'Add contact' }).click();
    await byLabel('First name 2').fill('Joanna');
    await byLabel('Email 2').fill('joanna@initech.test');
    await byLabel('Phone 2').fill('+1 512 555 0100');
    await byLabel('Primary contact 1').check();
    await byLabel('Primary contact 2').check();
    assert.equal(await byLabel('Primary contact 1').isChecked(), false, 'one primary at a time');
    const expected = [
      { firstName: 'Peter', lastName: 'Gibbons', email: 'peter@initech.test' },
      { firstName: 'Joanna', email: 'joanna@initech.test', phone: '+1 512 555 0100', isPrimary: true },
    ];
    assert.deepEqual(JSON.parse(await field('contacts').inputValue()), expected);
    await submit();
    await waitForState(page, 'saved');
    const [post] = await writes('/count/');
    assert.equal(post.method, 'POST');
    assert.deepEqual(JSON.parse(post.body).contacts, expected);
  });

  test('create: typed JSON with two primaries or a bad email is refused next to the row', async () => {
    await openCount('create');
    await field('customer').fill('Initech');
    await field('email').fill('ap@initech.test');
    await field('contacts').fill('[{"firstName":"A","isPrimary":true},{"firstName":"B","isPrimary":true,"email":"b@"}]');
    assert.equal(await byLabel('First name 2').inputValue(), 'B');
    assert.match(await rowError(2).textContent(), /valid email/);
    assert.equal(await byLabel('Email 2').getAttribute('aria-invalid'), 'true');
    await byLabel('Email 2').fill('b@initech.test');
    assert.match(await rowError(2).textContent(), /at most one contact as primary/);
    await submit();
    await waitForState(page, 'error');
    assert.equal(await field('contacts').getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await writes('/count/')).map((e) => `${e.method} ${e.path}`), [], 'nothing was sent');
    await form().locator('[part=error-link]', { hasText: 'Contacts' }).click();
    assert.equal(await activeLabel(), 'Primary contact 2', 'the summary leads to the row to fix, not to the JSON');
    await byLabel('Primary contact 1').click(); // already checked, as is 2: choosing it clears 2
    assert.equal(await rowError(2).count(), 0);
    await form().getByRole('button', { name: 'Remove contact 1' }).click();
    assert.equal(await activeLabel(), 'First name 1', 'the focus moves to the row that took its place');
    await form().getByRole('button', { name: 'Remove contact 1' }).click();
    assert.equal(await activeLabel(), 'Add contact');
    assert.equal(await field('contacts').inputValue(), '');
    await field('contacts').fill('{"not": "a list"}');
    assert.match(await rowsOf('contacts').locator('[part=rows-note]').textContent(), /JSON below is valid/);
  });

  test('update: the contacts are listed read-only and none are sent', async () => {
    await openCount('update');
    assert.equal(await field('contacts').count(), 0);
    const view = form().locator('[part~=contacts-view]');
    assert.deepEqual(await view.locator('li').allTextContents(), ['Wile Coyote · wile@acme.test · Primary']);
    assert.match(await view.textContent(), /Count's API cannot change contacts here/);
    await field('mainPhone').fill('+44 20 7946 1111');
    await submit();
    await waitForState(page, 'saved');
    const [put] = await writes('/count/');
    assert.equal(put.method, 'PUT');
    assert.ok(!('contacts' in JSON.parse(put.body)), put.body);
  });
});

for (const theme of ['light', 'dark']) {
  test(`axe, ${theme}: rows with errors, the broken-JSON note, contact rows and the read-only list`, async () => {
    await openProlifi({ theme });
    await form().getByRole('button', { name: 'Add row' }).click();
    await byLabel('Key 2').fill('plan');
    await submit();
    await waitForState(page, 'error');
    assert.deepEqual(await scan(), []);
    await field('metadata').fill('{');
    assert.deepEqual(await scan(), []);
    await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'count', credential: 'scoped', mode: 'create', theme });
    await waitForState(page, 'ready');
    await field('contacts').fill('[{"firstName":"A","isPrimary":true,"email":"a@"},{"firstName":"B","isPrimary":true}]');
    assert.deepEqual(await scan(), []);
    await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'count', credential: 'scoped', mode: 'update', theme });
    await waitForState(page, 'ready');
    assert.deepEqual(await scan(), []);
  });
}

describe('rows at a desk and on a phone', () => {
  /** The left edge of each column head and of each input of row 1, in the order drawn. */
  const columns = (name) => rowsOf(name).evaluate((rows) => {
    const left = (el) => Math.round(el.getBoundingClientRect().left);
    return {
      heads: [...rows.querySelectorAll('.cf-row-head span')].map(left),
      boxes: [...rows.querySelector('[data-row="1"]').querySelectorAll('input:not([type=checkbox]):not([type=radio])')].map(left),
    };
  });
  /** Each input's placeholder in row 1. */
  const placeholders = (name) => rowsOf(name).locator('[data-row="1"] input[placeholder]')
    .evaluateAll((inputs) => inputs.map((i) => i.placeholder));

  test('each column head stands over its boxes; at 375 px, where the heads are hidden, each box says what it holds', async () => {
    await page.setViewportSize({ width: 1000, height: 900 });
    await openCount('create');
    await form().getByRole('button', { name: 'Add contact' }).click();
    const contacts = await columns('contacts');
    assert.equal(contacts.heads.length, 4);
    assert.deepEqual(contacts.heads, contacts.boxes, 'First name, Last name, Email and Phone over their boxes');
    assert.deepEqual(await placeholders('contacts'), ['First name', 'Last name', 'Email', 'Phone']);

    await openProlifi();
    const metadata = await columns('metadata');
    assert.deepEqual(metadata.heads, metadata.boxes, 'Key and Value over their boxes');

    await page.setViewportSize({ width: 375, height: 800 });
    assert.equal(await rowsOf('metadata').locator('.cf-row-head').isVisible(), false);
    assert.deepEqual(await placeholders('metadata'), ['Key', 'Value']);
  });
});
