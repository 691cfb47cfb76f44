import { useLayoutEffect, useRef } from 'react';
import { defineCustomerForm } from 'customer-form';

defineCustomerForm();

// React 18 sets every prop of a custom element as an attribute: give the function as a
// property and listen for the event yourself, before the browser paints.
export function CustomerEditorWithRef({ customerId, apiBase, getToken, onSaved }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    const form = ref.current;
    form.tokenProvider = getToken;
    const saved = (event) => onSaved(event.detail.customer);
    form.addEventListener('customer-saved', saved);
    return () => form.removeEventListener('customer-saved', saved);
  }, [getToken, onSaved]);
  return <customer-form ref={ref} provider="prolifi" customer-id={customerId} api-base={apiBase} />;
}
