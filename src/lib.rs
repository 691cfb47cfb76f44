//! customer-form: create and update customer forms for Partnero, Prolifi, Count and Commerce
//! Layer, as a Yew component, a `<customer-form>` custom element and a `mount()` function.
//!
//! Rust applications render [`CustomerForm`] with typed props; JavaScript calls
//! `defineCustomerForm()` or `mount(element, options)`.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub mod anonymization;
pub mod browser;
pub mod client;
pub mod countries;
pub mod credential_wait;
pub mod element;
pub mod form;
pub mod format;
pub mod i18n;
pub mod messages;
pub mod random;
pub mod reference;
pub mod spawn;
pub mod style;
pub mod tags;
pub mod token;
pub mod transport;
pub mod ui;

pub use element::{define_customer_form, mount, CustomerFormHandle};
pub use providers::{Json, Operation, ProviderId};
pub use token::TokenSource;
pub use ui::component::CustomerForm;
pub use ui::customer_form::{CustomerFormProps, ErrorReport, SavedCustomer, TransportRef};
