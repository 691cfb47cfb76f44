// Countries, addresses and anonymization (issue 12): Prolifi's country picker from the host's
// `countries` list (set before and after the package loads), the record's country named without
// one; Count's country suggestions (English names, the page's language beside them) and
// "shipping same as billing"; Commerce Layer's anonymization status, request box and the
// confirmation inside the form. Keyboard only where a person would use it; axe in both themes.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  ROOT, newPage, openDemo, waitForState, startStack, stopStack,
} from './harness.mjs';

const require = createRequire(join(ROOT, 'tools', 'package.json'));
const AxeBuilderModule = require('@axe-core/playwright');
const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule.AxeBuilder ?? AxeBuilderModule;

let sandbox, gateway, demo, browser, api, page;

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

async function open(provider, query = {}) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider, ...query });
  await waitForState(page, 'ready');
}

const field = (name) => page.locator(`customer-form [name="${name}"]`);
const submit = () => page.locator('customer-form button[type=submit]').click();
const options = (name) => field(name).locator('option')
  .evaluateAll((all) => all.map((o) => `${o.value}=${o.textContent}`));
/** What has the focus inside the form: its `name`, else its `part`. */
const focused = () => page.evaluate(() => {
  const el = document.querySelector('customer-form').shadowRoot.activeElement;
  return el?.getAttribute('name') ?? el?.getAttribute('part');
});
async function describedBy(name) {
  const ids = (await field(name).getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return (await Promise.all(ids.map((id) => page.locator(`customer-form #${id}`).textContent()))).join(' ');
}
async function axe() {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
async function writes(method, prefix) {
  return (await api.log()).filter((e) => e.method === method && e.path.startsWith(prefix));
}
/** Count's update of the customer (the method its contract uses). */
async function countUpdate() {
  const [update] = (await api.log())
    .filter((e) => ['PUT', 'PATCH'].includes(e.method) && e.path.startsWith('/count/partners/customers/'));
  return update;
}

const UK = '9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61';
const DE = '3e1f5a7c-2b4d-4c6e-9f8a-0b1c2d3e4f50';
const FR = '5c2d8e1f-7a3b-4d5c-8e6f-1a2b3c4d5e6f';
const ES = '7b4e9f2a-1c3d-4e5f-a6b7-c8d9e0f1a2b3';
const PROLIFI = '/prolifi/api/v1/public/customers/';

describe('Prolifi country_id', () => {
  test('a list set after the form loaded: a select by name, the record\'s missing country kept, typing kept, the id saved', async () => {
    await open('prolifi', { credential: 'secret', locale: 'de', countries: 'keep' });
    assert.equal(await field('country_id').evaluate((el) => el.tagName), 'INPUT');
    await field('first_name').fill('Janet');
    // The host's list lacks the record's country (United Kingdom) and is not in order.
    const list = [{ id: FR, name: 'Frankreich' }, { id: ES, name: 'Spanien' }, { id: DE, name: 'Deutschland' }];
    await page.locator('customer-form').evaluate((form, countries) => { form.countries = countries; }, list);
    await page.locator('customer-form select[name="country_id"]').waitFor();
    assert.deepEqual(await options('country_id'), [
      '=Kein Land', `${DE}=Deutschland`, `${FR}=Frankreich`, `${ES}=Spanien`, `${UK}=United Kingdom`,
    ]);
    assert.equal(await field('country_id').inputValue(), UK);
    assert.equal(await page.locator('customer-form label[for$="-country_id"]').textContent(), 'Land');
    // What was typed stays, also when the host sets an equal list again.
    assert.equal(await field('first_name').inputValue(), 'Janet');
    await page.locator('customer-form').evaluate((form, countries) => { form.countries = countries.map((c) => ({ ...c })); }, list);
    assert.equal(await field('first_name').inputValue(), 'Janet');
    // Keyboard: the select takes the arrow keys.
    await field('country_id').focus();
    await page.keyboard.press('ArrowUp');
    assert.equal(await field('country_id').inputValue(), ES);
    await submit();
    await waitForState(page, 'saved');
    const [patch] = await writes('PATCH', PROLIFI);
    assert.deepEqual(JSON.parse(patch.body), { first_name: 'Janet', country_id: ES });
    // The saved record now names Spain; the select still holds it.
    assert.equal(await field('country_id').inputValue(), ES);
  });

  test('a list set before the package loaded (a property on the undefined element) is used', async () => {
    await page.addInitScript(([uk, de]) => {
      const observer = new MutationObserver(() => {
        const form = document.querySelector('customer-form');
        if (!form) return;
        observer.disconnect();
        document.documentElement.dataset.definedWhenSet = String(Boolean(customElements.get('customer-form')));
        form.countries = [{ id: uk, name: 'Vereinigtes Königreich' }, { id: de, name: 'Deutschland' }];
      });
      observer.observe(document, { childList: true, subtree: true });
    }, [UK, DE]);
    await open('prolifi', { credential: 'secret', locale: 'de', countries: 'keep' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.definedWhenSet), 'false');
    assert.deepEqual(await options('country_id'), ['=Kein Land', `${DE}=Deutschland`, `${UK}=Vereinigtes Königreich`]);
    assert.equal(await field('country_id').inputValue(), UK);
    // "No country" clears it.
    await field('country_id').selectOption('');
    await submit();
    await waitForState(page, 'saved');
    const [patch] = await writes('PATCH', PROLIFI);
    assert.deepEqual(JSON.parse(patch.body), { country_id: null });
  });

  test('without a list the id is typed, with the record\'s country named beside it', async () => {
    await open('prolifi', { credential: 'secret', countries: 'off' });
    assert.equal(await field('country_id').evaluate((el) => el.tagName), 'INPUT');
    assert.equal(await field('country_id').inputValue(), UK);
    assert.match(await describedBy('country_id'), /Saved country: United Kingdom\./);
    // The demo's own list (its default) makes it a select.
    await page.close();
    page = await newPage(browser);
    await open('prolifi', { credential: 'secret' });
    assert.equal(await field('country_id').evaluate((el) => el.tagName), 'SELECT');
    assert.equal(await field('country_id').inputValue(), UK);
  });
});

describe('Count addresses', () => {
  // After the sandbox's reset, the workspace is connected anew.
  beforeEach(async () => { await gateway.connectCount(); });

  test('in a German page the country suggests English names with the German ones beside them; free text saves', async () => {
    await open('count', { credential: 'scoped', locale: 'de' });
    const listId = await field('billingAddress.country').getAttribute('list');
    assert.ok(listId, 'the country input has suggestions');
    const suggestions = await page.locator(`customer-form datalist#${listId} option`)
      .evaluateAll((all) => all.map((o) => [o.value, o.label]));
    assert.ok(suggestions.length > 200, `${suggestions.length} countries`);
    const byName = new Map(suggestions);
    assert.equal(byName.get('Germany'), 'Deutschland');
    assert.equal(byName.get('United Kingdom'), 'Vereinigtes Königreich');
    assert.equal(byName.get('Spain'), 'Spanien');
    // Both address countries share one list.
    assert.equal(await field('shippingAddress.country').getAttribute('list'), listId);
    // Any text is still accepted (Count does not fix a format).
    await field('billingAddress.country').fill('Narnia');
    await submit();
    await waitForState(page, 'saved');
    assert.equal(JSON.parse((await countUpdate()).body).billingAddress.country, 'Narnia');
  });

  test('"shipping same as billing" copies, keeps in step while ticked, leaves the copies editable once cleared, and saves', async () => {
    await open('count', { credential: 'scoped' });
    const same = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    assert.equal(await page.locator('customer-form [part~=same-address] label').textContent(), 'Shipping address same as billing');
    // Keyboard only: focus the box and tick it with Space.
    await same.focus();
    await page.keyboard.press('Space');
    assert.equal(await same.isChecked(), true);
    for (const part of ['street', 'city', 'zipCode', 'country']) {
      assert.equal(await field(`shippingAddress.${part}`).inputValue(), await field(`billingAddress.${part}`).inputValue(), part);
      assert.notEqual(await field(`shippingAddress.${part}`).getAttribute('readonly'), null, `${part} follows billing`);
    }
    assert.equal(await field('shippingAddress.city').inputValue(), 'London');
    await field('billingAddress.city').fill('Leeds');
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    // Cleared: the copies stay and can be changed.
    await same.focus();
    await page.keyboard.press('Space');
    assert.equal(await field('shippingAddress.city').getAttribute('readonly'), null);
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    await field('shippingAddress.city').fill('York');
    assert.equal(await field('billingAddress.city').inputValue(), 'Leeds');
    // Ticked again: billing wins; the save sends both addresses alike.
    await same.check();
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    await submit();
    await waitForState(page, 'saved');
    const body = JSON.parse((await countUpdate()).body);
    assert.equal(body.billingAddress.city, 'Leeds');
    assert.deepEqual(body.shippingAddress, body.billingAddress);
    assert.deepEqual(await axe(), []);
  });

  test('a shipping address typed before ticking "same as billing" comes back when it is cleared', async () => {
    await open('count', { credential: 'scoped' });
    await field('shippingAddress.street').fill('9 Dock Road');
    await field('shippingAddress.city').fill('Bristol');
    const same = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    await same.check();
    assert.equal(await field('shippingAddress.city').inputValue(), 'London');
    await same.uncheck();
    assert.equal(await field('shippingAddress.street').inputValue(), '9 Dock Road');
    assert.equal(await field('shippingAddress.city').inputValue(), 'Bristol');
    await submit();
    await waitForState(page, 'saved');
    const body = JSON.parse((await countUpdate()).body);
    assert.equal(body.shippingAddress.street, '9 Dock Road');
    assert.equal(body.shippingAddress.city, 'Bristol');
  });

  test('saved while ticked, the copies are the shipping address: clearing the box keeps them, not the address the save replaced', async () => {
    await open('count', { credential: 'scoped' });
    await field('shippingAddress.street').fill('9 Dock Road');
    await field('shippingAddress.city').fill('Bristol');
    await submit();
    await waitForState(page, 'saved');
    const same = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    await same.check();
    assert.equal(await field('shippingAddress.city').inputValue(), 'London');
    await submit();
    await waitForState(page, 'saved');
    await same.uncheck();
    assert.equal(await field('shippingAddress.street').inputValue(), '1 High Street');
    assert.equal(await field('shippingAddress.city').inputValue(), 'London');
    assert.equal(await field('shippingAddress.city').getAttribute('readonly'), null);
    // Nothing changed since the save: a submit writes nothing back.
    await submit();
    await page.locator('customer-form [role=status]', { hasText: 'Nothing to save' }).waitFor();
    const updates = (await api.log()).filter((e) => ['PUT', 'PATCH'].includes(e.method) && e.path.startsWith('/count/partners/customers/'));
    assert.equal(updates.length, 2);
    assert.equal(JSON.parse(updates[1].body).shippingAddress.city, 'London');
  });

  test('the copies are ordinary edits: a draft restored after a reload holds them', async () => {
    await open('count', { credential: 'scoped' });
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await page.locator('customer-form [part~=same-address] input').check();
    await field('billingAddress.city').fill('Leeds');
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    await page.reload();
    await page.waitForSelector('body[data-demo-ready=true]');
    await page.evaluate(() => document.querySelector('customer-form').setAttribute('draft', ''));
    await waitForState(page, 'ready');
    await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
    assert.equal(await field('billingAddress.city').inputValue(), 'Leeds');
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    assert.equal(await field('shippingAddress.street').inputValue(), '1 High Street');
  });

  test('a create\'s draft with "same as billing" ticked comes back ticked, shipping following billing', async () => {
    await open('count', { credential: 'scoped', mode: 'create', draft: 'on' });
    await field('billingAddress.street').fill('4 Mill Lane');
    await field('billingAddress.city').fill('Leeds');
    await page.locator('customer-form [part~=same-address] input').check();
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    await page.reload();
    await page.waitForSelector('body[data-demo-ready=true]');
    await waitForState(page, 'ready');
    await page.locator('customer-form [role=status]', { hasText: 'restored' }).waitFor();
    const same = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    assert.equal(await same.isChecked(), true);
    assert.notEqual(await field('shippingAddress.city').getAttribute('readonly'), null);
    await field('billingAddress.city').fill('York');
    assert.equal(await field('shippingAddress.city').inputValue(), 'York');
  });

  test('a customer whose shipping address is the billing address opens with "same as billing" ticked', async () => {
    await open('count', { credential: 'scoped' });
    const same = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    assert.equal(await same.isChecked(), false, 'Acme has no shipping address yet');
    await same.check();
    await submit();
    await waitForState(page, 'saved');
    // Opened again: the saved addresses are alike, so the box starts ticked and shipping follows.
    await page.close();
    page = await newPage(browser);
    await open('count', { credential: 'scoped' });
    const again = page.locator('customer-form [part~=same-address] input[type=checkbox]');
    assert.equal(await again.isChecked(), true);
    assert.notEqual(await field('shippingAddress.city').getAttribute('readonly'), null);
    await field('billingAddress.city').fill('Leeds');
    assert.equal(await field('shippingAddress.city').inputValue(), 'Leeds');
    // Cleared, shipping is its own again.
    await again.uncheck();
    assert.equal(await field('shippingAddress.city').getAttribute('readonly'), null);
  });
});

describe('Commerce Layer anonymization', () => {
  const CL = '/commercelayer/api/customers/';
  const status = () => page.locator('customer-form [part~=anonymization-status]').textContent();
  const dangerNames = () => page.locator('customer-form fieldset[data-section=danger-zone] [name]')
    .evaluateAll((all) => all.map((e) => `${e.name}:${e.type}`));

  test('keyboard only: tick, submit, the confirmation inside the form; Escape sends nothing, Anonymize sends the request; then it can be cancelled', async () => {
    await open('commercelayer', { credential: 'scoped' });
    assert.equal(await status(), 'No anonymization has been requested for this customer.');
    assert.deepEqual(await dangerNames(), ['_request_anonymization:checkbox']);
    assert.match(await describedBy('_request_anonymization'), /cannot be undone/);
    await field('_request_anonymization').focus();
    await page.keyboard.press('Space');
    assert.equal(await field('_request_anonymization').isChecked(), true);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'submit');
    await page.keyboard.press('Enter');
    const dialog = page.locator('customer-form [role=alertdialog]');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Anonymize this customer\?/);
    assert.equal(await focused(), 'confirm-cancel');
    assert.deepEqual(await axe(), []);
    // Escape: the confirmation closes, the focus is back on the box, nothing was sent.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await focused(), '_request_anonymization');
    assert.deepEqual(await writes('PATCH', CL), []);
    // Unticking the box while it asks: the question is gone with what it asked about.
    await submit();
    await dialog.waitFor();
    await field('_request_anonymization').uncheck();
    await dialog.waitFor({ state: 'detached' });
    await field('_request_anonymization').check();
    // "Cancel" too.
    await submit();
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await writes('PATCH', CL), []);
    // Anonymize.
    await submit();
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'confirm-anonymize');
    await page.keyboard.press('Enter');
    await waitForState(page, 'saved');
    const [patch] = await writes('PATCH', CL);
    assert.deepEqual(JSON.parse(patch.body).data.attributes, { _request_anonymization: true });
    assert.equal(await status(), 'Anonymization has been requested and has not been carried out yet.');
    // While pending, only the cancel box is offered; cancelling needs no confirmation.
    assert.deepEqual(await dangerNames(), ['_cancel_anonymization:checkbox']);
    await field('_cancel_anonymization').check();
    await submit();
    await waitForState(page, 'saved');
    const patches = await writes('PATCH', CL);
    assert.equal(patches.length, 2);
    assert.deepEqual(JSON.parse(patches[1].body).data.attributes, { _cancel_anonymization: true });
    assert.equal(await status(), 'No anonymization has been requested for this customer.');
  });

  test('dark theme: no axe violations with the confirmation open, nor with a request pending', async () => {
    await open('commercelayer', { credential: 'scoped', theme: 'dark' });
    assert.deepEqual(await axe(), []);
    await field('_request_anonymization').check();
    await submit();
    await page.locator('customer-form [role=alertdialog]').waitFor();
    assert.deepEqual(await axe(), []);
    await page.locator('customer-form [part~=confirm-anonymize]').click();
    await waitForState(page, 'saved');
    assert.deepEqual(await dangerNames(), ['_cancel_anonymization:checkbox']);
    assert.deepEqual(await axe(), []);
  });
});
