//! The provider against a client played by hand over HTTP/1.1, with zegel-jose and zegel-jwt:
//! every accept path and its reject twins.

mod client;
mod flow;
mod reject;
