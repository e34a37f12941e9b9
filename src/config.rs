//! The command line: every flag has an `AMENDS_*` environment twin.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Amends: a shared, append-only record for two people rebuilding trust.
#[derive(Debug, Parser)]
#[command(name = "amends", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags for `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default when no command is given).
    Serve(ServeArgs),
    /// Re-compute the record's hash chain and report whether it is intact;
    /// with --against, check that an older copy is an exact prefix of the
    /// live record (or of NEW_COPY).
    Verify(VerifyArgs),
    /// Write a copy of the record (the same ZIP as "My copy") into FILE.
    Export(ExportArgs),
    /// Take a consistent copy of the live database into FILE and check it.
    Backup(BackupArgs),
    /// Print a fresh one-time setup link (only while no account exists).
    SetupLink(SetupLinkArgs),
    /// Print a one-time link (valid 24 hours) that sets a new password for
    /// NAME, for when both the password and the recovery codes are lost.
    ResetLink(ResetLinkArgs),
    /// Create a new data directory holding two demo people and a made-up
    /// history of N years ending today, to see Amends in a minute. Refuses
    /// a directory that already holds a database.
    Demo(DemoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The new data directory (created if missing; must not hold amends.db).
    #[arg(long, default_value = "./demo-data")]
    pub data_dir: PathBuf,
    /// How many years of history to make up, ending today.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub years: u32,
    /// A shorter history in days, instead of --years (for tests).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(90..=3660))]
    pub days: Option<u32>,
    /// The seed of the made-up history: the same seed on the same day
    /// gives the same story.
    #[arg(long, default_value_t = crate::demo::DEFAULT_SEED)]
    pub seed: u64,
    /// The pair's time zone (an IANA name such as Europe/Berlin); the
    /// system's zone when not given.
    #[arg(long)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SetupLinkArgs {
    #[command(flatten)]
    pub data: DataDirArgs,
    /// The address people use to reach the server, for the printed link.
    #[arg(long, env = "AMENDS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The port the server listens on, for the printed link.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
}

/// Where the database and its backups live.
#[derive(Debug, Clone, Args)]
pub struct DataDirArgs {
    /// Directory holding amends.db and backups/ (created if missing).
    #[arg(long, env = "AMENDS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataDirArgs,
    /// Address to listen on. The default reaches every interface, so the
    /// other person's phone can connect on the home network.
    #[arg(long, env = "AMENDS_BIND", default_value = "0.0.0.0:3000")]
    pub bind: SocketAddr,
    /// The address people use to reach the server, e.g. https://amends.home.arpa.
    /// Used for links, cookie security and cross-site checks. When unset, links
    /// use the address the browser used.
    #[arg(long, env = "AMENDS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The address of a reverse proxy in front of the server. Requests from
    /// it are counted by the right-most X-Forwarded-For entry (the client it
    /// saw) for slowing down sign-in guesses; nobody else can set that header.
    #[arg(long, env = "AMENDS_TRUSTED_PROXY")]
    pub trusted_proxy: Option<std::net::IpAddr>,
}

#[derive(Debug, Clone, Args)]
pub struct ResetLinkArgs {
    /// The name of the person whose password the link resets.
    pub name: String,
    #[command(flatten)]
    pub data: DataDirArgs,
    /// The address people use to reach the server, for the printed link.
    #[arg(long, env = "AMENDS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The port the server listens on, for the printed link.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub data: DataDirArgs,
    /// Where to write the copy. An existing file is never overwritten.
    pub file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub data: DataDirArgs,
    /// An older copy (its ZIP, or its record.jsonl) that must be an exact
    /// beginning of the live record, or of NEW_COPY when one is given.
    #[arg(long, value_name = "OLD_COPY")]
    pub against: Option<PathBuf>,
    /// A newer copy to compare OLD_COPY with, instead of the live record.
    #[arg(value_name = "NEW_COPY", requires = "against")]
    pub newer: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataDirArgs,
    /// Where to write the copy (a .zip). An existing file is never overwritten.
    pub file: PathBuf,
}
