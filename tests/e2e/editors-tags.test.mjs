// The tags editor (issue 12): a chip per tag above the named input, which keeps the whole
// comma-separated text; chips removed by click and by keyboard; and for Commerce Layer a WAI-ARIA
// combobox offering the organisation's tags. Partnero and Commerce Layer through the gateway.

import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  newPage, openDemo, waitForState, formState, ROOT, startStack, stopStack,
} from './harness.mjs';

const require = createRequire(join(ROOT, 'tools', 'package.json'));
const AxeBuilderModule = require('@axe-core/playwright');
const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule.AxeBuilder ?? AxeBuilderModule;

const { PNG } = require('pngjs');
const pixelmatchModule = require('pixelmatch');
const pixelmatch = pixelmatchModule.default ?? pixelmatchModule;

let sandbox, gateway, demo, browser, api, page;

before(async () => ({ sandbox, gateway, demo, browser, api } = await startStack()));
after(() => stopStack({ sandbox, gateway, demo, browser }));

beforeEach(async () => {
  await api.reset();
  page = await newPage(browser);
});

async function open(provider, query = {}) {
  await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider, credential: 'scoped', ...query });
  await waitForState(page, 'ready');
}

const form = () => page.locator('customer-form');
const tags = () => page.locator('customer-form [name="tags"]');
const submit = () => page.locator('customer-form button[type=submit]').click();
const chips = () => page.locator('customer-form [part~=chip] > span').allTextContents();
const removeButton = (tag) => form().getByRole('button', { name: `Remove tag ${tag}`, exact: true });
const options = () => page.locator('customer-form [role=listbox] [role=option]').allTextContents();
/** What has the focus inside the widget: a field's name, or a button's accessible label. */
const focused = () => page.evaluate(() => {
  const el = document.querySelector('customer-form').shadowRoot.activeElement;
  return el?.getAttribute('name') ?? el?.getAttribute('aria-label') ?? el?.tagName;
});
const writes = async (prefix, method) => (await api.log()).filter((e) => e.path.startsWith(prefix) && e.method === method);

/** Compares with tests/e2e/screenshots/NAME.png as screenshots.test.mjs does (UPDATE_SCREENSHOTS=1 writes it). */
function compareScreenshot(name, png) {
  const reference = join(ROOT, 'tests', 'e2e', 'screenshots', `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    writeFileSync(reference, png);
    return;
  }
  assert.ok(existsSync(reference), `no reference ${reference}: run with UPDATE_SCREENSHOTS=1 and commit it`);
  const expected = PNG.sync.read(readFileSync(reference));
  const actual = PNG.sync.read(png);
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `${name}: size changed`);
  const diff = new PNG({ width: expected.width, height: expected.height });
  const ratio = pixelmatch(expected.data, actual.data, diff.data, expected.width, expected.height, { threshold: 0.1 })
    / (expected.width * expected.height);
  if (ratio > 0.005) {
    const output = join(ROOT, 'tests', 'e2e', 'artifacts');
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, `${name}.actual.png`), png);
  }
  assert.ok(ratio <= 0.005, `${name}: ${(ratio * 100).toFixed(2)}% of pixels differ (see tests/e2e/artifacts)`);
}

async function scan() {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('Partnero tags as chips', () => {
  const PREFIX = '/partnero/v1/customers';

  test('chips show the record tags and follow the text; a click removes one; fill still saves every tag', async () => {
    await open('partnero');
    assert.deepEqual(await chips(), ['new']);
    assert.match(await form().locator('#' + (await tags().getAttribute('aria-describedby')).split(' ').pop()).textContent(), /cannot contain a comma/);
    await tags().fill('new, vip, newsletter, vip');
    assert.deepEqual(await chips(), ['new', 'vip', 'newsletter'], 'a repeated tag is one chip');
    await removeButton('vip').click();
    assert.equal(await tags().inputValue(), 'new, newsletter');
    assert.deepEqual(await chips(), ['new', 'newsletter']);
    assert.equal(await focused(), 'Remove tag newsletter', 'the focus moves to the chip now in its place');
    await submit();
    await waitForState(page, 'saved');
    await tags().fill('vip, b2b');
    await submit();
    await waitForState(page, 'saved');
    assert.deepEqual((await writes(PREFIX, 'PUT')).map((e) => e.body), [
      '{"update":{"tags":["new","newsletter"]}}',
      '{"update":{"tags":["vip","b2b"]}}',
    ]);
    assert.deepEqual(await chips(), ['vip', 'b2b']);
  });

  test('keyboard alone: type tags, reach the chips, Delete and Backspace remove them, Enter saves', async () => {
    await open('partnero');
    await tags().focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', vip, b2b');
    assert.deepEqual(await chips(), ['new', 'vip', 'b2b']);
    // Backspace with the caret at the start of the text goes to the last chip, removing nothing.
    await page.keyboard.press('Home');
    await page.keyboard.press('Backspace');
    assert.equal(await focused(), 'Remove tag b2b');
    assert.deepEqual(await chips(), ['new', 'vip', 'b2b']);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), 'Remove tag vip');
    await page.keyboard.press('Delete');
    assert.deepEqual(await chips(), ['new', 'b2b']);
    assert.equal(await focused(), 'Remove tag b2b', 'the next chip takes the focus');
    await page.keyboard.press('Backspace');
    assert.deepEqual(await chips(), ['new']);
    assert.equal(await focused(), 'Remove tag new', 'the last chip gone, the one before takes the focus');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'tags', 'ArrowRight from the last chip reaches the input');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'Remove tag new', 'the chips are in the tab order');
    await page.keyboard.press('Delete');
    assert.equal(await focused(), 'tags', 'no chip left: the input takes the focus');
    assert.equal(await tags().inputValue(), '');
    assert.equal(await form().locator('[part~=chips]').count(), 0);
    await page.keyboard.type('trial');
    assert.deepEqual(await chips(), ['trial']);
    await page.keyboard.press('Enter');
    await waitForState(page, 'saved');
    assert.deepEqual((await writes(PREFIX, 'PUT')).map((e) => e.body), ['{"update":{"tags":["trial"]}}']);
    // Each move of the focus between the chips fired focus events into the form's own
    // listener while it ran: none may throw.
    assert.deepEqual(page.consoleLines.filter((line) => line.startsWith('pageerror')), []);
  });

  test('a list pasted one tag a line (a spreadsheet column) becomes one chip a line', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.url });
    await open('partnero');
    await tags().focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', ');
    // What copying three cells of a column gives: lines, a trailing line break, a tab.
    await page.evaluate(() => navigator.clipboard.writeText('vip\r\nnewsletter\n\tb2b\n'));
    await page.keyboard.press('ControlOrMeta+V');
    assert.equal(await tags().inputValue(), 'new, vip, newsletter, b2b');
    assert.deepEqual(await chips(), ['new', 'vip', 'newsletter', 'b2b']);
    // Text of one line is pasted as the browser pastes it, where the caret is.
    await page.evaluate(() => navigator.clipboard.writeText('trial'));
    await page.keyboard.press('Home');
    await page.keyboard.press('ControlOrMeta+V');
    await page.keyboard.type(', ');
    assert.deepEqual(await chips(), ['trial', 'new', 'vip', 'newsletter', 'b2b']);
    await submit();
    await waitForState(page, 'saved');
    assert.deepEqual((await writes(PREFIX, 'PUT')).map((e) => e.body), [
      '{"update":{"tags":["trial","new","vip","newsletter","b2b"]}}',
    ]);
  });

  test('a keydown that is not a keyboard event (a script, an autofill) leaves the editor working', async () => {
    await open('partnero');
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await tags().evaluate((input) => input.dispatchEvent(new Event('keydown', { bubbles: true })));
    await tags().focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', vip');
    assert.deepEqual(await chips(), ['new', 'vip']);
    assert.deepEqual(pageErrors, []);
  });

  test('a read-only form shows the chips without remove buttons', async () => {
    await openDemo(page, demo.url, { sandbox: sandbox.url, gateway: gateway.url, provider: 'partnero', credential: 'scoped-read' });
    await waitForState(page, 'read-only');
    assert.deepEqual(await chips(), ['new']);
    assert.equal(await form().locator('[part~=chip-remove]').count(), 0);
    assert.notEqual(await tags().getAttribute('readonly'), null);
    assert.equal(await tags().getAttribute('role'), null);
  });
});

describe('Commerce Layer tags combobox', () => {
  const PREFIX = '/commercelayer/api/customers';

  async function openCommerceLayer(query) {
    await open('commercelayer', query);
    // The organisation's tags have arrived: the input is a combobox.
    await page.locator('customer-form input[name="tags"][role=combobox]').waitFor();
  }

  test('typing shows matches; arrows, Enter, click and Escape follow the combobox pattern; the save sends the tags', async () => {
    await openCommerceLayer();
    assert.deepEqual(await chips(), ['vip', 'newsletter']);
    const listbox = await tags().getAttribute('aria-controls');
    assert.equal(await form().locator(`#${listbox}`).getAttribute('role'), 'listbox');
    assert.equal(await tags().getAttribute('aria-expanded'), 'false');
    assert.equal(await tags().getAttribute('aria-autocomplete'), 'list');
    assert.equal(await form().locator(`#${listbox}`).isVisible(), false);

    await tags().focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', go');
    assert.equal(await tags().getAttribute('aria-expanded'), 'true');
    assert.equal(await form().locator(`#${listbox}`).isVisible(), true);
    assert.deepEqual(await options(), ['gold']);
    assert.equal(await tags().getAttribute('aria-activedescendant'), null);
    await page.keyboard.press('ArrowDown');
    const active = await tags().getAttribute('aria-activedescendant');
    assert.equal(await form().locator(`#${active}`).textContent(), 'gold');
    assert.equal(await form().locator(`#${active}`).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await tags().inputValue(), 'vip, newsletter, gold, ');
    assert.equal(await tags().getAttribute('aria-expanded'), 'false');
    assert.equal(await tags().getAttribute('aria-activedescendant'), null);
    assert.deepEqual(await chips(), ['vip', 'newsletter', 'gold']);
    assert.equal(await formState(page), 'ready', 'Enter on an option does not submit');

    // Given tags are not offered again; ArrowUp wraps to the last option.
    await page.keyboard.type('b');
    assert.deepEqual(await options(), ['b2b', 'bronze']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const activeText = async () => form().locator(`#${await tags().getAttribute('aria-activedescendant')}`).textContent();
    assert.equal(await activeText(), 'bronze');
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeText(), 'b2b', 'ArrowDown wraps to the first option');
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeText(), 'bronze', 'ArrowUp wraps to the last option');
    await page.keyboard.press('Escape');
    assert.equal(await tags().getAttribute('aria-expanded'), 'false');
    assert.equal(await tags().getAttribute('aria-activedescendant'), null);
    assert.equal(await tags().inputValue(), 'vip, newsletter, gold, b', 'Escape keeps the text');
    assert.equal(await focused(), 'tags');

    // ArrowDown reopens; a click picks.
    await page.keyboard.press('ArrowDown');
    assert.equal(await tags().getAttribute('aria-expanded'), 'true');
    await form().getByRole('option', { name: 'bronze' }).click();
    assert.equal(await tags().inputValue(), 'vip, newsletter, gold, bronze, ');
    assert.equal(await focused(), 'tags', 'the focus stays in the input');

    // Enter with the suggestions open and none active closes them and does not submit: a
    // half-typed tag is not saved (and refused) behind the person's back. Enter again would.
    await page.keyboard.type('si');
    assert.deepEqual(await options(), ['silver']);
    await page.keyboard.press('Enter');
    assert.equal(await tags().getAttribute('aria-expanded'), 'false');
    assert.equal(await formState(page), 'ready', 'Enter with no active option does not submit');
    assert.equal(await tags().inputValue(), 'vip, newsletter, gold, bronze, si');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');

    // A tag Commerce Layer does not know may still be typed: no popup, no suggestion.
    await page.keyboard.type('platinum');
    assert.equal(await tags().getAttribute('aria-expanded'), 'false');
    await removeButton('platinum').click();
    await removeButton('newsletter').click();
    assert.equal(await tags().inputValue(), 'vip, gold, bronze');
    await submit();
    await waitForState(page, 'saved');
    const patches = await writes(PREFIX, 'PATCH');
    assert.equal(patches.length, 1, 'one save: Enter on an option did not submit');
    const attributes = JSON.parse(patches[0].body).data.attributes;
    assert.deepEqual(
      [attributes._add_tags?.split(',').sort(), attributes._remove_tags],
      [['bronze', 'gold'], 'newsletter'],
    );
    assert.deepEqual(await chips(), ['vip', 'gold', 'bronze']);
  });

  test('the active option is scrolled into the listbox view', async () => {
    await openCommerceLayer();
    await tags().focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', ');
    assert.equal((await options()).length, 9, 'every tag not given yet');
    const listbox = form().locator('[role=listbox]');
    const activeInView = () => page.evaluate(() => {
      const root = document.querySelector('customer-form').shadowRoot;
      const option = root.getElementById(root.querySelector('[role=combobox]').getAttribute('aria-activedescendant'));
      const list = option.parentElement.getBoundingClientRect();
      const box = option.getBoundingClientRect();
      return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
    });
    await page.keyboard.press('ArrowUp');
    assert.equal(await form().locator(`#${await tags().getAttribute('aria-activedescendant')}`).textContent(), 'wholesale');
    assert.ok(await activeInView(), 'the last option is in view');
    assert.ok(await listbox.evaluate((l) => l.scrollTop) > 0, 'the listbox scrolled to it');
    await page.keyboard.press('ArrowDown');
    assert.ok(await activeInView(), 'back to the first option');
    assert.equal(await listbox.evaluate((l) => l.scrollTop), 0);
  });

  test('fill into [name=tags] still sets every tag', async () => {
    await openCommerceLayer();
    await tags().fill('vip, b2b');
    assert.deepEqual(await chips(), ['vip', 'b2b']);
    assert.equal(await tags().getAttribute('aria-expanded'), 'false', 'a tag typed in full is not offered again');
    await submit();
    await waitForState(page, 'saved');
    const [patch] = await writes(PREFIX, 'PATCH');
    const attributes = JSON.parse(patch.body).data.attributes;
    assert.deepEqual([attributes._add_tags, attributes._remove_tags], ['b2b', 'newsletter']);
  });
});

describe('accessibility of the tags editor', () => {
  for (const theme of ['light', 'dark']) {
    test(`${theme}: no axe violations with chips, with the popup open and an active option (screenshot), and invalid`, async () => {
      await open('partnero', { theme });
      assert.deepEqual(await scan(), []);
      await open('commercelayer', { theme });
      await page.locator('customer-form input[name="tags"][role=combobox]').waitFor();
      await tags().focus();
      await page.keyboard.press('End');
      await page.keyboard.type(', b');
      assert.equal(await tags().getAttribute('aria-expanded'), 'true');
      assert.deepEqual(await scan(), []);
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await tags().getAttribute('aria-activedescendant'), null);
      assert.deepEqual(await scan(), []);
      // The chips and the open popup as a person sees them.
      const classification = page.locator('customer-form [data-section=classification]');
      const box = await classification.boundingBox();
      const listBox = await page.locator('customer-form [role=listbox]').boundingBox();
      compareScreenshot(`commercelayer-tags-${theme}`, await page.screenshot({
        animations: 'disabled', caret: 'hide',
        clip: { x: box.x, y: box.y, width: box.width, height: Math.max(box.height, listBox.y + listBox.height - box.y) },
      }));
      // A failure on the tags field: eleven tags are more than Commerce Layer takes.
      await page.keyboard.press('Escape');
      await tags().fill('vip, b2b, new, wholesale, newsletter, gold, silver, bronze, eu, uk, us');
      await submit();
      await waitForState(page, 'error');
      assert.equal(await tags().getAttribute('aria-invalid'), 'true');
      assert.deepEqual(await scan(), []);
    });
  }
});
