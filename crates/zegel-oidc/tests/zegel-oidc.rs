//! Integration tests of zegel-oidc against a real OpenID provider on 127.0.0.1 (written with
//! hyper in `provider.rs`): the code flow and the fault list.

// Fixture helpers outside `#[test]` functions unwrap too: a broken fixture is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "zegel-oidc/faults.rs"]
mod faults;
#[path = "zegel-oidc/flow.rs"]
mod flow;
#[path = "zegel-oidc/provider.rs"]
mod provider;
#[path = "zegel-oidc/tls.rs"]
mod tls;
