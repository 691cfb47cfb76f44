// The demo page: a provider/mode/credential switcher around one <customer-form>.
// By default the form goes through the gateway with scoped tokens the page obtains from the
// gateway's development-only /demo/token endpoint. The "straight to the sandbox" choices use
// fake sandbox keys to show what the form does with each kind of provider key (a live secret
// key is refused before anything is sent).

const params = new URLSearchParams(location.search);
const sandbox = (params.get('sandbox') || 'http://127.0.0.1:8787').replace(/\/$/, '');
const gateway = (params.get('gateway') || 'http://127.0.0.1:8788').replace(/\/$/, '');
const tokenTtl = Number(params.get('ttl')) || 300;

/** Scoped-token choices every provider offers through the gateway. */
const SCOPED = {
  scoped: { label: 'Scoped token from the gateway (read, create, update)', ops: ['read', 'create', 'update'] },
  'scoped-read': { label: 'Scoped token: read only', ops: ['read'] },
};

/** The refresh token of the demo's signed-in customer, in memory only. */
let commerceLayerRefreshToken;

async function commerceLayerGrant(grant) {
  const response = await fetch(`${sandbox}/commercelayer/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'cl_sandbox_sales_channel', ...grant }),
  });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  const body = await response.json();
  commerceLayerRefreshToken = body.refresh_token ?? commerceLayerRefreshToken;
  return body.access_token;
}

/** The demo signs in as a sandbox customer to get a Commerce Layer customer token (the host
 * page's job in a real shop: the customer signs in). It signs in with the password once and then
 * keeps the session with the refresh token, as a shop does: so changing the customer's password
 * in the form does not sign the demo out. */
async function commerceLayerCustomerToken() {
  if (commerceLayerRefreshToken) {
    try {
      return await commerceLayerGrant({ grant_type: 'refresh_token', refresh_token: commerceLayerRefreshToken });
    } catch {
      commerceLayerRefreshToken = undefined;
    }
  }
  return commerceLayerGrant({
    grant_type: 'password', username: 'ada@example.com', password: 'ada-password', scope: 'market:code:europe',
  });
}

const PROVIDERS = {
  partnero: {
    customerId: 'customer_123',
    gatewayBase: `${gateway}/partnero`,
    credentials: SCOPED,
  },
  count: {
    customerId: '5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d',
    gatewayBase: `${gateway}/count`,
    credentials: SCOPED,
  },
  commercelayer: {
    customerId: 'XAyRWNUzyN',
    gatewayBase: `${gateway}/commercelayer`,
    sandboxBase: `${sandbox}/commercelayer/api`,
    credentials: {
      'sales-channel': {
        label: 'Sales channel, straight from the browser (guest to create, signed-in customer to update)',
        direct: {
          'client-id': 'cl_sandbox_sales_channel',
          market: 'europe',
          'auth-base': `${sandbox}/commercelayer`,
        },
        customerToken: commerceLayerCustomerToken,
      },
      scoped: { label: 'Integration, through the gateway (groups, tags, references)', ops: ['read', 'create', 'update'] },
    },
  },
  prolifi: {
    customerId: 'cus_1001',
    gatewayBase: `${gateway}/prolifi`,
    sandboxBase: `${sandbox}/prolifi/api/v1/public`,
    credentials: {
      scoped: { label: 'Scoped token from the gateway (read, create, update)', ops: ['read', 'create', 'update'] },
      'scoped-read': { label: 'Scoped token: read only', ops: ['read'] },
      'scoped-phone': { label: 'Scoped token: may change the phone only', ops: ['read', 'update'], fields: ['phone'] },
      secret: { label: 'Sandbox secret test key, straight to the sandbox', key: 'sk_test_demo' },
      public: { label: 'Sandbox public key (read-only), straight to the sandbox', key: 'pk_test_demo' },
      live: { label: 'Live secret key (refused in a browser)', key: 'sk_live_demo' },
    },
  },
};

// Prolifi's countries as the sandbox seeds them (its ids), named in the page's language the way a
// dashboard would from its own list: the form's `country_id` becomes a select of these.
// `?countries=off` leaves the form without a list (the id is typed); `?countries=keep` leaves
// whatever the page set (tests that set the property before the package loads).
const PROLIFI_COUNTRIES = [
  ['9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61', 'GB'],
  ['3e1f5a7c-2b4d-4c6e-9f8a-0b1c2d3e4f50', 'DE'],
  ['5c2d8e1f-7a3b-4d5c-8e6f-1a2b3c4d5e6f', 'FR'],
  ['7b4e9f2a-1c3d-4e5f-a6b7-c8d9e0f1a2b3', 'ES'],
];
const countriesParam = params.get('countries');

function prolifiCountries(locale) {
  const names = new Intl.DisplayNames([locale || 'en'], { type: 'region' });
  return PROLIFI_COUNTRIES.map(([id, code]) => ({ id, name: names.of(code) }));
}

const $ = (id) => document.getElementById(id);
const form = $('form');

function fillCredentials(provider) {
  const select = $('credential');
  select.replaceChildren();
  for (const [slug, { label }] of Object.entries(PROVIDERS[provider]?.credentials ?? {})) {
    select.append(new Option(label, slug));
  }
}

/** A token provider that asks the gateway's demo endpoint for a token scoped to this form. */
function scopedTokens(provider, credential) {
  // The widget says what the token is for; the form may move on to another customer (a
  // duplicate found before a create), and the token must then name that one.
  return async (context = {}) => {
    const customer = context.customerId ?? ($('mode').value === 'update' ? $('customer-id').value : undefined);
    const response = await fetch(`${gateway}/demo/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sub: 'demo-user', provider, ops: credential.ops, customer, fields: credential.fields, ttl_secs: tokenTtl,
      }),
    });
    if (!response.ok) throw new Error(`the gateway refused to mint a token (${response.status})`);
    return (await response.json()).token;
  };
}

function apply() {
  const provider = $('provider').value;
  const config = PROVIDERS[provider];
  form.setAttribute('provider', provider);
  form.setAttribute('mode', $('mode').value);
  form.setAttribute('customer-id', $('customer-id').value);
  form.setAttribute('locale', $('locale').value);
  form.setAttribute('theme', $('theme').value);
  if (countriesParam !== 'keep') {
    form.countries = provider === 'prolifi' && countriesParam !== 'off'
      ? prolifiCountries($('locale').value) : undefined;
  }
  for (const name of ['api-base', 'client-id', 'market', 'auth-base']) form.removeAttribute(name);
  const credential = config?.credentials[$('credential').value];
  if (!credential) {
    form.tokenProvider = undefined;
    form.token = undefined;
  } else if (credential.direct) {
    form.setAttribute('api-base', config.sandboxBase);
    for (const [name, value] of Object.entries(credential.direct)) form.setAttribute(name, value);
    form.token = undefined;
    // Guests create with the client ID alone; updating needs the signed-in customer's token.
    form.tokenProvider = $('mode').value === 'update' ? credential.customerToken : undefined;
  } else if (credential.key) {
    form.setAttribute('api-base', config.sandboxBase);
    form.tokenProvider = undefined;
    form.token = credential.key;
  } else {
    form.setAttribute('api-base', config.gatewayBase);
    form.token = undefined;
    form.tokenProvider = scopedTokens(provider, credential);
  }
}

function logEvent(event) {
  const item = document.createElement('li');
  item.textContent = `${event.type} ${JSON.stringify(event.detail)}`;
  $('events').prepend(item);
}

for (const name of ['customer-loaded', 'customer-saved', 'customer-error']) {
  form.addEventListener(name, logEvent);
}

$('provider').addEventListener('change', () => {
  const config = PROVIDERS[$('provider').value];
  $('customer-id').value = config?.customerId ?? '';
  fillCredentials($('provider').value);
  apply();
});
for (const id of ['mode', 'customer-id', 'locale', 'theme']) $(id).addEventListener('change', apply);
// Enter in a settings box applies the settings; it does not reload the page.
$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  apply();
});
// A new tokenProvider is only asked the next time the form needs a token. Another credential
// here stands for another person, so the form goes without one for a moment and checks anew.
$('credential').addEventListener('change', () => {
  form.tokenProvider = undefined;
  form.token = undefined;
  setTimeout(apply);
});

// Deep links choose the starting form (?provider=&mode=&customer=&credential=<slug>; the settings'
// own names, such as customer-id, work too; draft=off, warn-unsaved=off); they never carry a
// credential, only which of the demo's credentials to use.
function start(bindings) {
  bindings.defineCustomerForm();
  // What a person types survives a reload (a draft in this tab's sessionStorage) and the page
  // asks before it is left with unsaved changes, as a dashboard should set it up;
  // ?draft=off&warn-unsaved=off leave either out (the end-to-end tests do, unless testing them).
  for (const name of ['draft', 'warn-unsaved']) {
    if (params.get(name) !== 'off') form.setAttribute(name, '');
  }
  const provider = PROVIDERS[params.get('provider')] ? params.get('provider') : 'prolifi';
  $('provider').value = provider;
  $('mode').value = params.get('mode') === 'create' ? 'create' : 'update';
  $('customer-id').value = params.get('customer') ?? params.get('customer-id') ?? PROVIDERS[provider].customerId;
  fillCredentials(provider);
  if (params.get('credential')) $('credential').value = params.get('credential');
  for (const id of ['locale', 'theme']) if (params.get(id)) $(id).value = params.get(id);
  apply();
  document.body.dataset.demoReady = 'true';
}

if (window.wasmBindings) start(window.wasmBindings);
else addEventListener('TrunkApplicationStarted', () => start(window.wasmBindings), { once: true });
