//! Amends: a self-hosted place for two people rebuilding trust after one of
//! them broke it. Start reading at [`app`] (the router and the server) and
//! [`ledger`] (the record everything else is written to).

pub mod actions;
pub mod agreements;
pub mod app;
pub mod auth;
pub mod charts;
pub mod checkins;
pub mod clock;
pub mod commands;
pub mod commitments;
pub mod config;
pub mod copies;
pub mod db;
pub mod demo;
pub mod error;
pub mod health;
pub mod home;
pub mod ledger;
pub mod noticed;
pub mod questions;
pub mod repair;
pub mod settings;
pub mod telemetry;
pub mod timeline;
pub mod trust;
pub mod web;
