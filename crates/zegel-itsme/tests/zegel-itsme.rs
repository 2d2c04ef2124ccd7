//! The integration tests of zegel-itsme: each rule on its accept and its reject path.

// Fixture helpers outside `#[test]` functions unwrap too: a broken fixture is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The sample claim set is one large `json!` literal.
#![recursion_limit = "256"]

#[path = "zegel-itsme/config.rs"]
mod config;
#[path = "zegel-itsme/confirmation.rs"]
mod confirmation;
#[path = "zegel-itsme/flow.rs"]
mod flow;
#[path = "zegel-itsme/hostile.rs"]
mod hostile;
#[path = "zegel-itsme/identity.rs"]
mod identity;
#[path = "zegel-itsme/pending.rs"]
mod pending;
#[path = "zegel-itsme/support.rs"]
mod support;
