// Importing the package must do nothing until asked: no wasm fetched, no element defined.
import * as customerForm from 'customer-form';

document.body.dataset.imported = String(typeof customerForm.defineCustomerForm === 'function');
