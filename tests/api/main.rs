//! API tests: each test starts its own server on a fresh data directory and
//! drives it over HTTP the way a browser would.

#![allow(clippy::unwrap_used)]

mod helpers;

mod accounts;
mod agreements;
mod commitments;
mod foundation;
mod record;
mod repair;
