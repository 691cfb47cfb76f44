//! The list of providers: one line each (in `lib.rs`), naming the provider's module and its
//! contract. Everything that enumerates providers (the `ProviderId` enum, parsing the `provider`
//! attribute, finding a contract) is generated from that one list, so a fifth provider is one
//! new file and one line here.

/// `registry! { Variant => module::CONTRACT, … }` declares each provider's module and
/// generates `ProviderId` with its lookups. A contract names itself (`Contract::name`,
/// `Contract::display_name`), so the list holds nothing else.
macro_rules! registry {
    ($($variant:ident => $module:ident :: $contract:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// The providers the widget speaks to. The `as_str` names are the public `provider`
        /// attribute values.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ProviderId {
            $($variant),+
        }

        impl ProviderId {
            pub const ALL: [ProviderId; [$(stringify!($variant)),+].len()] =
                [$(ProviderId::$variant),+];

            /// The provider's contract as the gateway reaches it (with its server-side
            /// credential); `Contract::through` gives the one for another channel.
            pub fn contract(self) -> &'static dyn $crate::contract::Contract {
                match self {
                    $(ProviderId::$variant => &$module::$contract),+
                }
            }

            /// The gateway's checks for this provider. A separate lookup so the widget, which
            /// never calls it, does not carry the gateway's code.
            pub fn gateway_rules(self) -> &'static dyn $crate::contract::GatewayRules {
                match self {
                    $(ProviderId::$variant => &$module::$contract),+
                }
            }
        }
    };
}
