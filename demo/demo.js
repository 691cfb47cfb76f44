// The demo page: a provider/mode switcher around one <customer-form>, against the local sandbox.
// The sandbox keys below are fake, sandbox-only credentials: the point of the demo is to show
// what the form does with each kind (a live secret key is refused before anything is sent).

const params = new URLSearchParams(location.search);
const sandbox = (params.get('sandbox') || 'http://127.0.0.1:8787').replace(/\/$/, '');

const PROVIDERS = {
  prolifi: {
    apiBase: `${sandbox}/prolifi/api/v1/public`,
    customerId: 'cus_1001',
    credentials: {
      secret: ['Sandbox secret test key (read + write)', 'sk_test_demo'],
      public: ['Sandbox public key (read-only)', 'pk_test_demo'],
      live: ['Live secret key (refused in a browser)', 'sk_live_demo'],
    },
  },
};

const $ = (id) => document.getElementById(id);
const form = $('form');

function fillCredentials(provider) {
  const select = $('credential');
  select.replaceChildren();
  for (const [slug, [label]] of Object.entries(PROVIDERS[provider]?.credentials ?? {})) {
    select.append(new Option(label, slug));
  }
}

function apply() {
  const provider = $('provider').value;
  const config = PROVIDERS[provider];
  form.setAttribute('provider', provider);
  form.setAttribute('mode', $('mode').value);
  form.setAttribute('customer-id', $('customer-id').value);
  if (config) {
    form.setAttribute('api-base', config.apiBase);
    form.token = config.credentials[$('credential').value]?.[1];
  } else {
    form.removeAttribute('api-base');
    form.token = undefined;
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
for (const id of ['mode', 'customer-id', 'credential']) $(id).addEventListener('change', apply);

// Deep links choose the starting form (?provider=&mode=&customer=&credential=<slug>); they never
// carry a credential, only which of the demo's sandbox credentials to use.
function start(bindings) {
  bindings.defineCustomerForm();
  const provider = PROVIDERS[params.get('provider')] ? params.get('provider') : 'prolifi';
  $('provider').value = provider;
  $('mode').value = params.get('mode') === 'create' ? 'create' : 'update';
  $('customer-id').value = params.get('customer') ?? PROVIDERS[provider].customerId;
  fillCredentials(provider);
  if (params.get('credential')) $('credential').value = params.get('credential');
  apply();
  document.body.dataset.demoReady = 'true';
}

if (window.wasmBindings) start(window.wasmBindings);
else addEventListener('TrunkApplicationStarted', () => start(window.wasmBindings), { once: true });
