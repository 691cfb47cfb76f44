import { defineCustomerForm } from 'customer-form';

defineCustomerForm(); // defines <customer-form> at once; the WebAssembly loads in the background

export function CustomerEditor({ customerId, apiBase, getToken, onSaved }) {
  return (
    <customer-form
      provider="prolifi"
      customer-id={customerId}
      api-base={apiBase}
      tokenProvider={getToken}
      oncustomer-saved={(event) => onSaved(event.detail.customer)}
    />
  );
}
