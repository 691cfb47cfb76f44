// Type checks of `customer-form/react` (tsc --noEmit; never rendered): what the JSX types let
// through and what they refuse.
import type {} from 'customer-form/react';

export const accepted = (
  <customer-form
    provider="commercelayer"
    mode="update"
    customer-id="XAyRWNUzyN"
    api-base="https://acme.commercelayer.io/api"
    locale="de"
    theme="dark"
    client-id="public-client"
    market="europe"
    request-timeout={20000}
    warn-unsaved
    draft
    strings={{ 'field.email': 'Work email' }}
    appearance={{ variables: { colorPrimary: '#0a7' } }}
    countries={[{ id: 'c0f7a2e4-5a7d-4a5b-9c1e-2f3a4b5c6d7e', name: 'Spain' }]}
    tokenProvider={async (request) => `token for ${request.provider}`}
    oncustomer-loaded={(event) => event.detail.customer}
    oncustomer-error={(event) => event.detail.kind === 'validation'}
    oncustomer-dirty-change={(event) => event.detail.dirty}
    oncustomer-ready={(event) => event.detail.provider}
    className="editor"
  />
);

// @ts-expect-error: `provider` is required.
export const noProvider = <customer-form customer-id="cus_1001" />;
// @ts-expect-error: not one of the four providers.
export const unknownProvider = <customer-form provider="stripe" />;
// @ts-expect-error: the detail of `customer-saved` has no `kind`.
export const wrongDetail = <customer-form provider="prolifi" oncustomer-saved={(event) => event.detail.kind} />;
// @ts-expect-error: a token provider returns a token, not a number.
export const wrongTokenProvider = <customer-form provider="prolifi" tokenProvider={() => 42} />;
