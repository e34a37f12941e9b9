//! API tests: each test starts its own server on a fresh data directory and
//! drives it over HTTP the way a browser would.

#![allow(clippy::unwrap_used)]

mod helpers;

mod accounts;
mod actions;
mod agreements;
mod authorization;
mod checkins;
mod commitments;
mod copies;
mod demo;
mod foundation;
mod living_support;
mod noticed;
mod questions;
mod record;
mod repair;
mod timeline;
mod today;
mod trust;
