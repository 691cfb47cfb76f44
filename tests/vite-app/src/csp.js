// The page the CSP test serves with `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`:
// no inline script or style anywhere. `?credential=late` gives the token provider only when
// the test calls giveCredential(); `?credential=none` never gives one.
import { defineCustomerForm } from 'customer-form';
import { fetchToken, gateway } from './page-log.js';

const credential = new URLSearchParams(location.search).get('credential');
const form = document.querySelector('customer-form');
form.setAttribute('api-base', `${gateway}/prolifi`);
// Set through the CSSOM, which the policy allows (an inline style attribute it would block).
form.appearance = { variables: { borderRadius: '3px', colorBorder: '#6b21a8' } };
if (!credential) form.tokenProvider = fetchToken;
window.giveCredential = () => { form.tokenProvider = fetchToken; };
defineCustomerForm();
