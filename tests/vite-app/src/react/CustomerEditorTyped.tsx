// The README's React 19 component in TSX: the JSX types of <customer-form> come from
// `customer-form/react` (types only).
import type {} from 'customer-form/react';
import { defineCustomerForm, type ProviderCustomer, type TokenProvider } from 'customer-form';

defineCustomerForm();

interface Props {
  customerId: string;
  apiBase: string;
  getToken: TokenProvider;
  onSaved: (customer: ProviderCustomer) => void;
}

export function CustomerEditorTyped({ customerId, apiBase, getToken, onSaved }: Props) {
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
