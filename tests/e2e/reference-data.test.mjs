// Commerce Layer's customer groups and tags through the gateway (issue 12): the group is a select
// of the organisation's groups by name, tags get suggestions (a combobox), a group that does not exist is an
// error on the group field, tags Commerce Layer left out are named; and a scoped token limited
// to some fields locks the others, with the gateway's refusals worded as the gateway's.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage, openDemo, waitForState, startStack, stopStack,
} from './harness.mjs';

let sandbox, gateway, demo, browser, api, page;

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  await api.config({ commercelayer: { extra_customer_groups: 0 } });
  page = await newPage(browser);
});

async function open(provider, query = {}) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider, credential: 'scoped', ...query });
}

const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const alertText = () => page.locator('customer-form [role=alert]').textContent();
const statusText = () => page.locator('customer-form [role=status]').textContent();
const PREFIX = '/commercelayer/api/customers';

/** The texts of the elements `name`'s control is described by. */
async function describedBy(name) {
  const ids = (await field(name).getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return Promise.all(ids.map((id) => page.locator(`customer-form #${id}`).textContent()));
}

/** The select's options as `value=label`. */
async function options(name) {
  return field(name).locator('option').evaluateAll((all) => all.map((o) => `${o.value}=${o.textContent}`));
}

async function groupsLoaded() {
  await page.locator('customer-form select[name="customer_group"] option[value="dKmLpQrStU"]').waitFor({ state: 'attached' });
}

describe('Commerce Layer customer groups', () => {
  test('a select of the groups by name, with "No group", saving the chosen id', async () => {
    await open('commercelayer');
    await waitForState(page, 'ready');
    await groupsLoaded();
    assert.deepEqual(await options('customer_group'), [
      '=No group', 'eRtLmNoPqA=Retail', 'fStUvWxYzB=Staff', 'ABCRtyUpBa=VIP', 'dKmLpQrStU=Wholesale',
    ]);
    assert.equal(await field('customer_group').inputValue(), 'ABCRtyUpBa');
    const lists = (await api.log()).filter((e) => e.path.endsWith('/customer_groups'));
    assert.equal(lists.length, 1);
    assert.equal(lists[0].query, 'page%5Bnumber%5D=1&page%5Bsize%5D=25');
    // Keyboard only: focus the select and pick with the arrow keys.
    await field('customer_group').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await field('customer_group').inputValue(), 'dKmLpQrStU');
    await submit();
    await waitForState(page, 'saved');
    const patch = (await api.log()).find((e) => e.path.startsWith(PREFIX) && e.method === 'PATCH');
    // The OpenAPI's customerUpdate requires attributes, even when only a relationship changes.
    assert.equal(
      patch.body,
      '{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{},"relationships":{"customer_group":{"data":{"type":"customer_groups","id":"dKmLpQrStU"}}}}}',
    );
    assert.equal(patch.status, 200);
    await field('customer_group').selectOption('');
    await submit();
    await waitForState(page, 'saved');
    const removed = (await api.log()).filter((e) => e.path.startsWith(PREFIX) && e.method === 'PATCH')[1];
    assert.match(removed.body, /"customer_group":\{"data":null\}/);
  });

  test('a failed list says so, keeps the current group and loads again on request', async () => {
    await api.faults([{ provider: 'commercelayer', method: 'GET', path_contains: '/customer_groups', times: 1, action: { kind: 'status', status: 500, body: '{"errors":[{"title":"Internal error","code":"INTERNAL_SERVER_ERROR","status":"500"}]}' } }]);
    await open('commercelayer');
    await waitForState(page, 'ready');
    await page.locator('customer-form [part="retry-list"]').waitFor();
    assert.ok((await describedBy('customer_group')).some((t) => /could not be loaded/.test(t)));
    assert.deepEqual(await options('customer_group'), ['=No group', 'ABCRtyUpBa=Current group (ABCRtyUpBa)']);
    assert.equal(await field('customer_group').inputValue(), 'ABCRtyUpBa');
    // Keyboard: the button goes while the list loads; the focus goes to the select it serves.
    await page.locator('customer-form [part="retry-list"]').focus();
    await page.keyboard.press('Enter');
    await groupsLoaded();
    assert.equal(await field('customer_group').inputValue(), 'ABCRtyUpBa');
    assert.equal(await page.locator('customer-form [part="retry-list"]').count(), 0);
    assert.equal(
      await page.evaluate(() => document.querySelector('customer-form').shadowRoot.activeElement?.getAttribute('name')),
      'customer_group',
    );
  });

  test('a long list is read page by page up to ten pages and says it is cut', async () => {
    await api.config({ commercelayer: { extra_customer_groups: 260 } });
    await open('commercelayer');
    await waitForState(page, 'ready');
    await page.locator('customer-form select[name="customer_group"] option[value="xGrp000001"]').waitFor({ state: 'attached' });
    const lists = (await api.log()).filter((e) => e.path.endsWith('/customer_groups'));
    // Every page up to ten, none past it (a form set up again while reading starts over).
    const pages = [...new Set(lists.map((e) => Number(new URLSearchParams(e.query).get('page[number]'))))];
    assert.deepEqual(pages.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'ten pages, not eleven');
    assert.equal((await options('customer_group')).length, 1 + 250);
    assert.ok((await describedBy('customer_group')).some((t) => /Only the first 250 customer groups/.test(t)));
  });

  // Bug 1: a group that does not exist answered "This customer was not found (404)".
  test('a group that does not exist is an error on the group field', async () => {
    await api.config({ commercelayer: { extra_customer_groups: 3 } });
    await open('commercelayer');
    await waitForState(page, 'ready');
    await page.locator('customer-form select[name="customer_group"] option[value="xGrp000003"]').waitFor({ state: 'attached' });
    // The group goes away after the list was read.
    await api.config({ commercelayer: { extra_customer_groups: 0 } });
    await field('customer_group').selectOption('xGrp000003');
    await submit();
    await waitForState(page, 'error');
    assert.equal(await field('customer_group').getAttribute('aria-invalid'), 'true');
    assert.ok((await describedBy('customer_group')).some((t) => /no customer group with this ID/.test(t)));
    assert.doesNotMatch(await alertText(), /customer was not found/);
    const patch = (await api.log()).find((e) => e.path.startsWith(PREFIX) && e.method === 'PATCH');
    assert.equal(patch.status, 404);
  });
});

describe('Commerce Layer tags', () => {
  // The suggestions were a <datalist> of whole texts; they are now a combobox's listbox of tag
  // names (tests/e2e/editors-tags.test.mjs drives it with the keyboard).
  test('suggestions come from the organisation tags', async () => {
    await open('commercelayer');
    await waitForState(page, 'ready');
    await page.locator('customer-form input[name="tags"][role=combobox]').waitFor();
    const list = await field('tags').getAttribute('aria-controls');
    assert.ok(list, 'the tags input controls a listbox of suggestions');
    const offered = () => page.locator(`customer-form #${list} [role=option]`).allTextContents();
    await field('tags').fill('vip, newsletter, go');
    assert.deepEqual(await offered(), ['gold']);
    await field('tags').fill('vip, newsletter, ');
    const values = await offered();
    assert.ok(values.includes('gold') && values.includes('b2b'), values.join(' | '));
    assert.ok(!values.includes('vip') && !values.includes('newsletter'), 'tags already chosen are not offered again');
  });

  // Bug 2: a tag that does not exist silently disappeared.
  test('tags Commerce Layer did not add are named after the save, in the form language', async () => {
    await open('commercelayer');
    await waitForState(page, 'ready');
    await field('tags').fill('vip, newsletter, platinum');
    await submit();
    await waitForState(page, 'saved');
    assert.match(await statusText(), /did not add these tags: platinum/);
    assert.equal(await field('tags').inputValue(), 'vip, newsletter');

    await open('commercelayer', { locale: 'de' });
    await waitForState(page, 'ready');
    await field('tags').fill('vip, newsletter, platin');
    await submit();
    await waitForState(page, 'saved');
    assert.match(await statusText(), /nicht hinzugefügt: platin/);
  });
});

// Bug 6: a token whose fields claim allows only some fields.
describe('a token limited to some fields', () => {
  test('fields it cannot write are read-only with a note', async () => {
    await open('prolifi', { mode: 'update', credential: 'scoped-phone' });
    await waitForState(page, 'ready');
    assert.notEqual(await field('last_name').getAttribute('readonly'), null);
    assert.ok((await describedBy('last_name')).some((t) => /does not allow changing this field/.test(t)));
    assert.equal(await field('phone').getAttribute('readonly'), null);
    await field('phone').fill('+44 20 7946 0000');
    await submit();
    await waitForState(page, 'saved');
  });

  test('a refusal by the gateway is worded as the gateway\'s', async () => {
    await gateway.connectCount();
    // The demo's tokens for Count, narrowed to the billing city only: the gateway refuses any
    // address object that is not all its parts.
    await page.route('**/demo/token', (route) => {
      const body = JSON.parse(route.request().postData());
      route.continue({ postData: JSON.stringify({ ...body, fields: ['billingAddress.city'] }) });
    });
    await open('count', { mode: 'update' });
    await waitForState(page, 'ready');
    await page.locator('customer-form [name="customer"][readonly]').waitFor();
    assert.equal(await field('billingAddress.city').getAttribute('readonly'), null);
    await field('billingAddress.city').fill('Leeds');
    await submit();
    await waitForState(page, 'error');
    const alert = await alertText();
    assert.match(alert, /The gateway said: This token may not change: billingAddress/);
    assert.doesNotMatch(alert, /Count said/);
  });
});
