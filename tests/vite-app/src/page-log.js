// Test instrumentation shared by the React, Vue and CSP pages (not part of the README's
// examples): a token provider backed by the test gateway, and a log of what the app received.

const params = new URLSearchParams(location.search);
export const gateway = params.get('gateway') ?? 'http://127.0.0.1:8788';

export const pageLog = { tokenRequests: [], saved: [], events: [] };
window.pageLog = pageLog;
for (const type of ['customer-loaded', 'customer-ready', 'customer-saved', 'customer-error', 'customer-dirty-change']) {
  document.addEventListener(type, (event) => pageLog.events.push({ type, detail: event.detail }));
}

/** What a dashboard's backend does: a scoped token for what the form asks for (here minted by
 * the test gateway's development endpoint). */
export async function fetchToken({ provider, operation, customerId } = {}) {
  pageLog.tokenRequests.push({ provider, operation, customerId });
  const response = await fetch(`${gateway}/demo/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'framework-app', provider, ops: ['read', 'update'], customer: customerId, ttl_secs: 300 }),
  });
  if (!response.ok) throw new Error(`the gateway minted no token (${response.status})`);
  return (await response.json()).token;
}
