// Uses the package the way an application would, with its types: a defined element and a
// mounted form, both against the sandbox given in the query string.
import {
  defineCustomerForm, mount, type Country, type CustomerFormHandle, type CustomerSavedDetail,
} from 'customer-form';

const sandbox = new URLSearchParams(location.search).get('sandbox') ?? 'http://127.0.0.1:8787';
const apiBase = `${sandbox}/prolifi/api/v1/public`;

const tag: string = await defineCustomerForm();
// A second call (or a second copy of the package) keeps the first definition.
await defineCustomerForm();

const form = document.querySelector('customer-form');
if (!form) throw new Error('no <customer-form> on the page');
form.setAttribute('api-base', apiBase);
form.token = 'sk_test_vite';
form.appearance = { theme: 'light', variables: { colorPrimary: '#6b21a8', borderRadius: '10px' } };
// `countries` is typed: `{id, name}` each (an empty list keeps the id typed in).
const countries: Country[] = [];
// @ts-expect-error a country needs its id as well as its name
const nameless: Country[] = [{ name: 'Spain' }];
void nameless;
form.countries = countries;
form.addEventListener('customer-saved', (event) => {
  const detail: CustomerSavedDetail = event.detail;
  document.body.dataset.saved = `${detail.operation}:${String(detail.customer.email)}`;
});
form.addEventListener('customer-error', (event) => {
  document.body.dataset.error = event.detail.kind;
});

const target = document.getElementById('mounted');
if (!target) throw new Error('no #mounted');
const handle: CustomerFormHandle = await mount(target, {
  provider: 'prolifi',
  mode: 'update',
  customerId: 'cus_1001',
  apiBase,
  countries,
  tokenProvider: async ({ provider, operation }) => {
    document.body.dataset.tokenAskedFor = `${provider}:${operation}`;
    return 'sk_test_vite';
  },
});
target.addEventListener('customer-loaded', () => {
  document.body.dataset.loaded = 'true';
});
(window as unknown as { mountedForm: CustomerFormHandle }).mountedForm = handle;
document.body.dataset.ready = tag;
