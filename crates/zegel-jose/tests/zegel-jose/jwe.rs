//! JWE round trips, tamper detection, limits and hostile inputs.

// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]
