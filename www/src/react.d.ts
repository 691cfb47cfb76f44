// React's JSX types for <customer-form>. TSX does not know a custom element until it is told:
// one `import type {} from 'customer-form/react';` in the app (a `.d.ts` of its own, or any
// file) types the element's attributes, properties and `oncustomer-*` events in JSX. Types
// only: there is nothing here to load at run time.

import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type {
  Appearance,
  Country,
  CustomerDirtyChangeDetail,
  CustomerErrorDetail,
  CustomerFormElement,
  CustomerLoadedDetail,
  CustomerReadyDetail,
  CustomerSavedDetail,
  Mode,
  Provider,
  Theme,
  TokenProvider,
} from './index.js';

/** `<customer-form>` in JSX: its attributes as React 19 sets them on a custom element, its
 * properties (React 19 sets a prop the element has as a property), and its events. */
export interface CustomerFormJsxProps
  extends DetailedHTMLProps<HTMLAttributes<CustomerFormElement>, CustomerFormElement> {
  provider: Provider;
  mode?: Mode;
  'customer-id'?: string;
  'api-base'?: string;
  locale?: string;
  theme?: Theme;
  'client-id'?: string;
  market?: string;
  'auth-base'?: string;
  'request-timeout'?: number | string;
  'warn-unsaved'?: boolean;
  draft?: boolean;
  token?: string;
  tokenProvider?: TokenProvider;
  strings?: Record<string, string>;
  appearance?: Appearance;
  countries?: Country[];
  'oncustomer-loaded'?: (event: CustomEvent<CustomerLoadedDetail>) => void;
  'oncustomer-saved'?: (event: CustomEvent<CustomerSavedDetail>) => void;
  'oncustomer-error'?: (event: CustomEvent<CustomerErrorDetail>) => void;
  'oncustomer-dirty-change'?: (event: CustomEvent<CustomerDirtyChangeDetail>) => void;
  'oncustomer-ready'?: (event: CustomEvent<CustomerReadyDetail>) => void;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'customer-form': CustomerFormJsxProps;
    }
  }
}
