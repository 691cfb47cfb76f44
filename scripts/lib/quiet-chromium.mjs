// Chromium launched through Playwright without its omnibox popup. The popup is a WebUI page of its
// own (`chrome://omnibox-popup.top-chrome`), which each fresh browser context loads in the
// background: 200 to 900 `chrome://` requests at a moment that varies from one context to the
// next. Every cold load of scripts/bench-widget.mjs and nearly every end-to-end test opens a
// fresh context, so that work lands in the middle of what is measured or waited for; a person's
// browser does it once, not per page.
//
// Chromium reads only the last `--disable-features` it is given, and Playwright passes one of its
// own, so the features are added to Playwright's list (read from `chrome://version` of a first
// launch) in one argument that replaces it.

const QUIET_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

// Playwright's argument, read once per process ('' when it cannot be read).
let defaultsSeen;

async function readDisabledFeatures(chromium, options) {
  const probe = await chromium.launch(options);
  try {
    const page = await probe.newPage();
    await page.goto('chrome://version');
    const line = await page.evaluate(() => document.getElementById('command_line')?.textContent ?? '');
    return line.split(/\s+/).find((arg) => arg.startsWith('--disable-features=')) ?? '';
  } catch {
    // Another Chromium's page: launched as Playwright launches it.
    return '';
  } finally {
    await probe.close();
  }
}

/** `chromium.launch(options)` with the omnibox popup turned off beside Playwright's own list;
 * as Playwright launches it when that list cannot be read (a `--disable-features` of its own
 * would then drop Playwright's). */
export async function launchQuietChromium(chromium, options) {
  defaultsSeen ??= readDisabledFeatures(chromium, options);
  const defaults = await defaultsSeen;
  if (!defaults) return chromium.launch(options);
  const features = [...defaults.slice('--disable-features='.length).split(','), ...QUIET_FEATURES];
  return chromium.launch({
    ...options,
    ignoreDefaultArgs: [defaults],
    args: [...(options.args ?? []), `--disable-features=${features.filter(Boolean).join(',')}`],
  });
}
