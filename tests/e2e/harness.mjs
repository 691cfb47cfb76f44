// End-to-end harness: the sandbox binary, the trunk-built demo served from dist/, and headless
// Chromium driven by playwright-core. Each test file gets its own sandbox and browser.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchQuietChromium } from '../../scripts/lib/quiet-chromium.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where cargo put the binaries: scripts/env.sh exports it; CARGO_TARGET_DIR or ./target else. */
export const TARGET_DIR = process.env.CF_TARGET_DIR
  ?? (process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target'));
const require = createRequire(join(ROOT, 'tools', 'package.json'));
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts a binary that prints `... listening on http://127.0.0.1:<port>` once ready. */
export async function startServer(binary, args = [], { env = {} } = {}) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error(`${binary} exited with ${code}:\n${output}`)));
  });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  /** Stops it; resolves once it has exited. */
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return { url, stop, output: () => output };
}

export function startSandbox() {
  return startServer(process.env.SANDBOX_BIN ?? join(TARGET_DIR, 'debug', 'sandbox'), ['--port', '0']);
}

/** The upstream secret the test gateway holds; the audit checks it never reaches the page. */
export const PROLIFI_UPSTREAM_KEY = 'sk_test_upstream_secret_e2e';

/** Starts the gateway in front of `sandboxUrl`, allowing `origin` (one, or a list), with the
 * demo endpoint on. */
export async function startGateway(sandboxUrl, origin, { perTokenPerMinute = 600, eddsaPublicKeyFile } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const config = join(dir, 'gateway.toml');
  // Count's OAuth redirect names the gateway's own address, so the port is chosen up front.
  const port = await freePort();
  const adminKey = randomBytes(16).toString('hex');
  await writeFile(config, `
listen = "127.0.0.1:${port}"
allowed_origins = ${JSON.stringify([origin].flat())}
[tokens]
audience = "customer-form"
max_lifetime_secs = 900
hs256_key = { env = "GATEWAY_TOKEN_KEY" }
${eddsaPublicKeyFile ? `eddsa_public_key_file = "${eddsaPublicKeyFile}"` : ''}
[limits]
per_token_per_minute = ${perTokenPerMinute}
[demo]
token_endpoint = true
[admin]
key = { env = "GATEWAY_ADMIN_KEY" }
[providers.prolifi]
base = "${sandboxUrl}/prolifi/api/v1/public"
secret_key = { env = "PROLIFI_SECRET_KEY" }
[providers.partnero]
base = "${sandboxUrl}/partnero/v1"
secret_key = { env = "PARTNERO_API_KEY" }
[providers.count]
base = "${sandboxUrl}/count/partners"
auth_base = "${sandboxUrl}/count"
client_id = "count_sandbox_client"
client_secret = { env = "COUNT_CLIENT_SECRET" }
redirect_uri = "http://127.0.0.1:${port}/count/oauth/callback"
token_store = "${join(dir, 'count-tokens.sqlite')}"
[providers.commercelayer]
base = "${sandboxUrl}/commercelayer/api"
auth_base = "${sandboxUrl}/commercelayer"
client_id = "cl_sandbox_integration"
client_secret = { env = "COMMERCELAYER_CLIENT_SECRET" }
`);
  const tokenKey = randomBytes(32).toString('hex');
  const server = await startServer(
    process.env.GATEWAY_BIN ?? join(TARGET_DIR, 'debug', 'gateway'),
    ['serve', '--config', config],
    {
      env: {
        GATEWAY_TOKEN_KEY: tokenKey,
        GATEWAY_ADMIN_KEY: adminKey,
        PROLIFI_SECRET_KEY: PROLIFI_UPSTREAM_KEY,
        PARTNERO_API_KEY: 'partnero_sandbox_key',
        COUNT_CLIENT_SECRET: 'count_sandbox_secret',
        COMMERCELAYER_CLIENT_SECRET: 'cl_sandbox_integration_secret',
      },
    },
  );
  /** Connects (again) to the sandbox's Count workspace through the OAuth flow; a sandbox reset
   * forgets every token it issued. */
  async function connectCount() {
    const start = await fetch(`${server.url}/count/oauth/start`, { redirect: 'manual', headers: { authorization: `Bearer ${adminKey}` } });
    const login = await fetch(start.headers.get('location'), { redirect: 'manual' });
    const callback = await fetch(login.headers.get('location'), { redirect: 'manual' });
    if (!callback.ok) throw new Error(`Count connection failed: ${callback.status} ${await callback.text()}`);
  }
  // Its config and Count's token store go with it: a test run would otherwise leave one
  // directory a gateway in /tmp.
  const stop = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { ...server, stop, dir, tokenKey, connectCount };
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
};

/** Serves a directory on 127.0.0.1 (the trunk-built demo in dist/ by default); `headers(path)`
 * adds response headers (a Content-Security-Policy); `pages` (a Map of path to HTML, read at each
 * request) serves pages a test writes beside the directory's files. */
export async function serveStatic(dir = join(ROOT, 'dist'), { headers = () => ({}), pages = new Map() } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (pages.has(path)) { res.writeHead(200, { 'content-type': TYPES['.html'] }).end(pages.get(path)); return; }
    let file = join(dir, path);
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers(path) }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}

/** Chromium, headless; `extraArgs` are added to the usual flags (e.g. `--js-flags=--expose-gc`).
 * Without the omnibox popup each new context would load in the background, on the test's two
 * cores (scripts/lib/quiet-chromium.mjs). */
export async function launchBrowser(extraArgs = []) {
  return launchQuietChromium(chromium, { executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * What most test files need, started together: the sandbox, the demo served from dist/, a
 * gateway in front of the sandbox (unless `gateway: false`), Chromium and the sandbox's control
 * API. If one part fails to start, the parts already started are stopped before the error is
 * thrown.
 */
export async function startStack({ gateway = true } = {}) {
  const stack = {};
  try {
    stack.sandbox = await startSandbox();
    stack.demo = await serveStatic();
    if (gateway) stack.gateway = await startGateway(stack.sandbox.url, stack.demo.url);
    stack.browser = await launchBrowser();
    stack.api = sandboxClient(stack.sandbox.url);
    return stack;
  } catch (error) {
    await stopStack(stack);
    throw error;
  }
}

/** Stops what `startStack` started (any part may be missing). */
export async function stopStack({ browser, gateway, demo, sandbox } = {}) {
  await browser?.close();
  await Promise.all([gateway?.stop(), demo?.stop(), sandbox?.stop()]);
}

/** A fresh page with its console captured (the audit reads it). */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.consoleLines = [];
  page.on('console', (msg) => page.consoleLines.push(msg.text()));
  page.on('pageerror', (err) => page.consoleLines.push(`pageerror: ${err.message}`));
  return page;
}

/** The sandbox's control API. */
export function sandboxClient(base) {
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    reset: () => call('POST', '/_reset'),
    config: (knobs) => call('POST', '/_config', knobs),
    faults: (rules) => call('POST', '/_faults', rules),
    /** Requests the sandbox received, without CORS preflights. */
    log: async () => (await call('GET', '/_log')).filter((entry) => entry.method !== 'OPTIONS'),
  };
}

/** Opens the demo page and waits until the widget is defined. */
export async function openDemo(page, demoUrl, query = {}) {
  // The demo keeps drafts and warns before unsaved changes are left; a test that wants either
  // asks for it (`draft: 'on'`), so that the others start from the record and reload freely.
  const params = new URLSearchParams({ draft: 'off', 'warn-unsaved': 'off', ...query });
  await page.goto(`${demoUrl}/?${params}`);
  await page.waitForSelector('body[data-demo-ready=true]');
}

export function formState(page, selector = 'customer-form') {
  return page.locator(`${selector} [data-state]`).first().getAttribute('data-state');
}

export async function waitForState(page, state, selector = 'customer-form') {
  await page.locator(`${selector} [data-state="${state}"]`).first().waitFor({ timeout: 10_000 });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
