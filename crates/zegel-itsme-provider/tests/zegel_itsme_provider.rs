//! The provider against a client played by hand over HTTP/1.1, with zegel-jose and zegel-jwt:
//! every accept path and its reject twins.

// Fixture helpers outside `#[test]` functions unwrap too: a broken fixture is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod flow;
mod reject;
