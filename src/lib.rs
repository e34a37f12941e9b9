//! Amends: a self-hosted place for two people rebuilding trust after one of
//! them broke it. Start reading at [`app`] (the router and the server) and
//! [`ledger`] (the record everything else is written to).

// The shell: configuration, commands, the server, the database, the record.
/// Shared state, the route table, the router and its middleware, shutdown.
pub mod app;
/// "Now", from one place, so tests can move it.
pub mod clock;
/// What `amends` does: serve, verify, backup, export, setup-link, reset-link, demo.
pub mod commands;
/// The command line: flags with `AMENDS_*` environment twins.
pub mod config;
/// One writer, a pool of readers, checked pragmas, migrations, backups.
pub mod db;
/// One error type for every handler, shown as a page in the layout.
pub mod error;
/// `GET /healthz`.
pub mod health;
/// The record: the append-only hash chain and its one write path.
pub mod ledger;
/// Logging to stdout through `tracing`.
pub mod telemetry;
/// The layout, forms and fields, flash messages, static files, headers.
pub mod web;

// The two people.
/// Setup and invite links, accounts, sign-in, sessions, cross-site checks.
pub mod auth;
/// Each person's copy of the record, the offline checker, and leaving.
pub mod copies;
/// Password, sessions, recovery codes, the pair's time zone.
pub mod settings;

// The repair, and living it.
/// Visible repair actions and "I saw this".
pub mod actions;
/// Agreements written together, signed by both, amended and ended.
pub mod agreements;
/// SVG charts drawn on the server.
pub mod charts;
/// Check-ins on an agreed rhythm, with their agenda.
pub mod checkins;
/// Commitments: schedules, records kept and broken, weekly counts.
pub mod commitments;
/// `amends demo`: a made-up history played through the real router.
pub mod demo;
/// Today: what is due and waiting, and how the repair has gone over time.
pub mod home;
/// Positive changes either person noticed in the other.
pub mod noticed;
/// The hurt person's questions and the answers.
pub mod questions;
/// The repair path of a breach: name it, understand, apologise, ask, commit.
pub mod repair;
/// Every entry of the record in plain sentences, filtered and paged.
pub mod timeline;
/// Trust levels (private unless shared), pauses, and "trust restored".
pub mod trust;
