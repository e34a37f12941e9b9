//! The commands of the `amends` binary: `serve` (the default), `verify`,
//! `export`, `backup`, `setup-link`, `reset-link` and `demo`.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::app::{self, AppState, RecordStatus, Settings};
use crate::auth::links::{self, Purpose};
use crate::auth::store;
use crate::clock::Clock;
use crate::config::{
    BackupArgs, Cli, Command, DemoArgs, ExportArgs, ResetLinkArgs, ServeArgs, SetupLinkArgs,
    VerifyArgs,
};
use crate::copies::{compare, export};
use crate::db::{self, Db};
use crate::ledger::{self, Verdict};

/// Runs the chosen command and turns its outcome into an exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Verify(args)) => verify(args).await,
        Some(Command::Export(args)) => export(args).await,
        Some(Command::Backup(args)) => backup(args).await,
        Some(Command::SetupLink(args)) => setup_link(args).await,
        Some(Command::ResetLink(args)) => reset_link(args).await,
        Some(Command::Demo(args)) => demo(args).await,
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let public_url = args
        .public_url
        .as_deref()
        .map(check_public_url)
        .transpose()?;
    let clock = Arc::new(Clock::new());
    let db = Db::open(&args.data.data_dir, &clock).await?;
    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("listening on {}", args.bind))?;
    let bound = listener.local_addr()?;
    let addresses = reachable_addresses(bound);
    for (i, address) in addresses.iter().enumerate() {
        if i == 0 {
            tracing::info!("listening on {address}");
        } else {
            tracing::info!("also reachable at {address}");
        }
    }
    if store::count_people(&db.readers).await? == 0 {
        let base = public_url
            .clone()
            .or_else(|| addresses.last().cloned())
            .unwrap_or_else(|| format!("http://{bound}"));
        let link = new_setup_link(&db, &clock, &base).await?;
        tracing::info!(
            "nobody has an account yet. Open this one-time setup link to create the first one (valid 24 hours): {link}"
        );
    }
    let state = AppState {
        db,
        clock,
        settings: Arc::new(Settings {
            public_url,
            trusted_proxy: args.trusted_proxy,
        }),
        record: Arc::new(RecordStatus::default()),
    };
    app::check_record(&state).await?;
    app::serve(listener, state).await?;
    Ok(ExitCode::SUCCESS)
}

/// A public URL must be an http(s) origin; a trailing slash is dropped.
fn check_public_url(url: &str) -> anyhow::Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let uri: axum::http::Uri = trimmed
        .parse()
        .with_context(|| format!("--public-url {url:?} is not a URL"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http") | Some("https"));
    let no_path = uri.path() == "/" || uri.path().is_empty();
    if !scheme_ok || uri.host().is_none() || !no_path || uri.query().is_some() {
        anyhow::bail!(
            "--public-url must look like https://amends.example.org (scheme and host, no path); got {url:?}"
        );
    }
    Ok(trimmed.to_string())
}

/// The URLs at which people can reach the server: loopback first, then each
/// non-loopback interface when bound to all of them (never 0.0.0.0 itself).
fn reachable_addresses(bound: SocketAddr) -> Vec<String> {
    let port = bound.port();
    let url = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{port}"),
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}"),
    };
    if !bound.ip().is_unspecified() {
        return vec![url(bound.ip())];
    }
    let mut urls = vec![url(IpAddr::from([127, 0, 0, 1]))];
    if let Ok(interfaces) = if_addrs::get_if_addrs() {
        for interface in interfaces {
            let ip = interface.ip();
            let wanted = !ip.is_loopback() && (ip.is_ipv4() || bound.is_ipv6());
            if wanted {
                urls.push(url(ip));
            }
        }
    }
    urls
}

async fn new_setup_link(db: &Db, clock: &Clock, base: &str) -> anyhow::Result<String> {
    let mut tx = db.begin_write().await?;
    let (token, _) = links::create(&mut tx, Purpose::Setup, None, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.commit().await?;
    Ok(format!("{}/setup/{token}", base.trim_end_matches('/')))
}

async fn setup_link(args: SetupLinkArgs) -> anyhow::Result<ExitCode> {
    let clock = Clock::new();
    let db = Db::open(&args.data.data_dir, &clock).await?;
    if store::count_people(&db.readers).await? > 0 {
        db.close().await;
        anyhow::bail!("an account already exists; setup links only work before the first one");
    }
    let base = args.public_url.clone().unwrap_or_else(|| {
        reachable_addresses(SocketAddr::from(([0, 0, 0, 0], args.port)))
            .last()
            .cloned()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", args.port))
    });
    let link = new_setup_link(&db, &clock, &base).await?;
    db.close().await;
    println!("{link}");
    println!("It works once, for 24 hours; any earlier setup link no longer works.");
    Ok(ExitCode::SUCCESS)
}

async fn reset_link(args: ResetLinkArgs) -> anyhow::Result<ExitCode> {
    let public_url = args
        .public_url
        .as_deref()
        .map(check_public_url)
        .transpose()?;
    let clock = Clock::new();
    let db = Db::open(&args.data.data_dir, &clock).await?;
    let Some(person) = store::person_by_name(&db.readers, args.name.trim())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    else {
        let names: Vec<String> = store::people(&db.readers)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .into_iter()
            .map(|p| p.name)
            .collect();
        db.close().await;
        if names.is_empty() {
            anyhow::bail!("nobody has an account yet");
        }
        anyhow::bail!(
            "no account is called {:?}; the accounts are: {}",
            args.name,
            names.join(", ")
        );
    };
    let base = public_url.unwrap_or_else(|| {
        reachable_addresses(SocketAddr::from(([0, 0, 0, 0], args.port)))
            .last()
            .cloned()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", args.port))
    });
    let mut tx = db.begin_write().await?;
    let (token, _) = links::create(&mut tx, Purpose::Reset, Some(person.id), clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.commit().await?;
    db.close().await;
    println!("{}/reset/{token}", base.trim_end_matches('/'));
    println!(
        "It sets a new password for {} once, within 24 hours; any earlier reset link for them no longer works.",
        person.name
    );
    println!(
        "The reset is written to the record, and {} is told at their next sign-in.",
        person.name
    );
    Ok(ExitCode::SUCCESS)
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    if let Some(old_path) = &args.against {
        return verify_against(old_path, &args).await;
    }
    let clock = Clock::new();
    let db = Db::open(&args.data.data_dir, &clock).await?;
    let verdict = ledger::verify(&db.readers)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    db.close().await;
    match verdict {
        Verdict::Intact(head) => {
            println!("ok: {} entries, head {}", head.seq, head.hash);
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Broken(problem) => {
            println!("broken: {problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `amends verify --against OLD_COPY [NEW_COPY]`: the checker's report on
/// the command line. Succeeds only if both chains are intact and the old
/// copy is an exact prefix.
async fn verify_against(old_path: &std::path::Path, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let old = compare::read_copy(old_path)?;
    let (newer, label) = match &args.newer {
        Some(path) => (compare::read_copy(path)?, "the newer copy"),
        None => {
            let clock = Clock::new();
            let db = Db::open(&args.data.data_dir, &clock).await?;
            let head = ledger::fingerprint(&db.readers)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let entries = ledger::entries_through(&db.readers, head.seq)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"));
            db.close().await;
            (entries?, "the live record")
        }
    };
    let comparison = compare::compare(&old, &newer);
    print!("{}", comparison.report(label));
    Ok(if comparison.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `amends export FILE`: records that a copy was taken on the command line,
/// then writes the same ZIP as the "My copy" page.
async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if args.file.exists() {
        anyhow::bail!(
            "{} already exists; choose a new file name (a copy never overwrites anything)",
            args.file.display()
        );
    }
    let clock = Clock::new();
    let db = Db::open(&args.data.data_dir, &clock).await?;
    let built = async {
        let mut tx = db.begin_write().await?;
        let entry = export::record_taking(&mut tx, &clock, &export::Taker::CommandLine).await?;
        tx.commit().await?;
        export::build_from(
            &db.readers,
            entry.seq,
            export::Taker::CommandLine,
            clock.now(),
        )
        .await
    }
    .await
    .map_err(|e| anyhow::anyhow!("{e}"));
    db.close().await;
    let copy = built?;
    // create_new: never overwrite, even if the file appeared meanwhile.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.file)
        .with_context(|| format!("creating {}", args.file.display()))?;
    std::io::Write::write_all(&mut file, &copy.bytes)?;
    file.sync_all()?;
    println!(
        "copy written: {} ({} bytes): {} entries, head {} (suggested name {})",
        args.file.display(),
        copy.bytes.len(),
        copy.entries,
        copy.head,
        copy.file_name
    );
    Ok(ExitCode::SUCCESS)
}

async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let clock = Clock::new();
    let db = Db::open(&args.data.data_dir, &clock).await?;
    let report = db::backup(&db, &args.file).await;
    db.close().await;
    let report = report?;
    println!(
        "backup written: {} ({} bytes); integrity ok; record {} entries, head {}",
        report.file.display(),
        report.bytes,
        report.head.seq,
        report.head.hash
    );
    Ok(ExitCode::SUCCESS)
}

/// `amends demo`: a new data directory with two demo people and a history.
async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let days = args.days.unwrap_or(args.years * 365);
    let options = crate::demo::Options {
        data_dir: args.data_dir.clone(),
        days,
        seed: args.seed,
        time_zone: args.time_zone.clone(),
    };
    println!(
        "Making up {} of history in {} (this takes a little while)…",
        crate::demo::span_words(days),
        args.data_dir.display()
    );
    let made = crate::demo::create(&options).await?;
    println!(
        "Done in {:.1} s: {} entries in the record (head {}), written through {} requests.",
        made.elapsed.as_secs_f64(),
        made.entries,
        crate::ledger::chain::short(&made.head),
        made.requests
    );
    println!();
    println!("Sign in as either of them:");
    for person in &made.people {
        println!("  {:<8} password: {}", person.name, person.password);
    }
    println!();
    println!(
        "Start the server with:  amends --data-dir {}",
        args.data_dir.display()
    );
    println!("These passwords are printed only now; keep them if you want to come back.");
    Ok(ExitCode::SUCCESS)
}
