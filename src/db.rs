//! The database: one writer connection, a pool of readers, the pragmas every
//! connection must have, embedded migrations, and consistent online backups.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::clock::Clock;
use crate::ledger;

/// Migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The oldest SQLite we accept (fixes for WAL corruption bugs landed there).
const MIN_SQLITE_VERSION: (u32, u32, u32) = (3, 51, 3);
const DB_FILE: &str = "amends.db";

/// Both pools. Writes go through `writer` (a single connection, so
/// transactions never wait on each other inside SQLite); reads use `readers`.
#[derive(Clone, Debug)]
pub struct Db {
    pub writer: SqlitePool,
    pub readers: SqlitePool,
    pub path: PathBuf,
}

impl Db {
    /// Opens (creating if needed) `DATA_DIR/amends.db`, checks every
    /// connection's settings and runs pending migrations, taking a backup
    /// first when the database already holds data.
    pub async fn open(data_dir: &Path, clock: &Clock) -> anyhow::Result<Db> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_connect(|conn, _| Box::pin(async move { check_connection(conn).await }))
            .connect_with(connect_options(&path).create_if_missing(true))
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        migrate(&writer, data_dir, clock).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| Box::pin(async move { check_connection(conn).await }))
            .connect_with(connect_options(&path).read_only(true))
            .await
            .with_context(|| format!("opening readers for {}", path.display()))?;
        Ok(Db {
            writer,
            readers,
            path,
        })
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`, so it holds the
    /// write lock from the start and can never fail half-way on an upgrade.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// Waits for connections in use and closes both pools cleanly.
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
}

/// Reads the settings back: SQLite silently ignores some pragmas (WAL on
/// some file systems), and we would rather not start than run without them.
async fn check_connection(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let refuse = |what: String| Err(sqlx::Error::Configuration(what.into()));
    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut *conn)
        .await?;
    if parse_version(&version) < MIN_SQLITE_VERSION {
        return refuse(format!(
            "SQLite {version} is too old; Amends needs 3.51.3 or newer"
        ));
    }
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?;
    if !journal.eq_ignore_ascii_case("wal") {
        return refuse(format!("journal_mode is {journal}, not WAL"));
    }
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await?;
    if synchronous != 2 {
        return refuse(format!("synchronous is {synchronous}, not FULL (2)"));
    }
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await?;
    if foreign_keys != 1 {
        return refuse("foreign keys are not enforced".into());
    }
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await?;
    if busy <= 0 {
        return refuse("no busy timeout is set".into());
    }
    Ok(())
}

fn parse_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

async fn migrate(pool: &SqlitePool, data_dir: &Path, clock: &Clock) -> anyhow::Result<()> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    let applied: Vec<i64> = if has_table {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    if let Some(unknown) = applied.iter().find(|v| !MIGRATOR.version_exists(**v)) {
        bail!(
            "this database was written by a newer version of Amends (it has migration {unknown}, \
             which this program does not know). Run the newer program, or restore a backup."
        );
    }
    let pending = MIGRATOR
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .count();
    if pending == 0 {
        return Ok(());
    }
    if !applied.is_empty() {
        let dir = data_dir.join("backups");
        std::fs::create_dir_all(&dir)?;
        let stamp = clock.now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let file = dir.join(format!("before-migration-{stamp}.db"));
        tracing::info!(file = %file.display(), pending, "backing up before migrating");
        vacuum_into(pool, &file).await?;
    }
    MIGRATOR.run(pool).await.context("running migrations")?;
    Ok(())
}

async fn vacuum_into(pool: &SqlitePool, file: &Path) -> anyhow::Result<()> {
    let target = file
        .to_str()
        .context("the backup path must be valid UTF-8")?
        .to_string();
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}

/// What `amends backup` reports about the copy it made.
#[derive(Debug)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub head: ledger::Head,
}

/// Takes a consistent copy of the live database (never a file copy), then
/// checks the copy's integrity and its record's chain.
pub async fn backup(db: &Db, file: &Path) -> anyhow::Result<BackupReport> {
    if file.exists() {
        bail!("{} already exists; choose a new file name", file.display());
    }
    vacuum_into(&db.readers, file).await?;
    let copy = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(file)
                .read_only(true)
                .immutable(true),
        )
        .await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await?;
    if integrity != "ok" {
        bail!("the copy failed SQLite's integrity check: {integrity}");
    }
    let verdict = ledger::verify(&copy)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    copy.close().await;
    let head = match verdict {
        ledger::Verdict::Intact(head) => head,
        ledger::Verdict::Broken(problem) => bail!("the copy's record is not intact: {problem}"),
    };
    let bytes = std::fs::metadata(file)?.len();
    Ok(BackupReport {
        file: file.to_path_buf(),
        bytes,
        head,
    })
}
