//! Building a copy of the record: one ZIP holding the record itself
//! (`record.jsonl`), a `manifest.json`, the offline checker with this copy
//! embedded (`check.html`), and the readable archive (HTML and Markdown).
//!
//! Taking a copy is itself recorded (`copy.taken`) before the ZIP is built,
//! so every copy contains the entry that says it was taken.

use std::io::{Cursor, Write};

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::archive::{self, Facts, Reader};
use crate::clock::{self, Clock};
use crate::error::{AppError, Result};
use crate::ledger::{self, Entry, chain};

/// Names the format of a copy, in its manifest.
pub const FORMAT: &str = "amends.copy.v1";
/// The record inside a copy: one entry per line.
pub const RECORD_FILE: &str = "record.jsonl";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const CHECKER_FILE: &str = "check.html";

const CHAIN_MARKER: &str = "/*AMENDS_CHAIN_JS*/";
const COPY_MARKER: &str = "\"__AMENDS_THIS_COPY__\"";

/// Who took a copy: one of the two people, or the server's command line.
#[derive(Debug, Clone)]
pub enum Taker {
    Person { id: i64, name: String },
    CommandLine,
}

impl Taker {
    fn describe(&self) -> String {
        match self {
            Taker::Person { name, .. } => name.clone(),
            Taker::CommandLine => "the server's command line".into(),
        }
    }
}

#[derive(Serialize)]
struct CopyTaken<'a> {
    name: Option<&'a str>,
    via: &'a str,
}

/// Appends the `copy.taken` entry inside the caller's transaction.
pub async fn record_taking(
    tx: &mut SqliteConnection,
    clock: &Clock,
    taker: &Taker,
) -> Result<Entry> {
    let (author, name, via) = match taker {
        Taker::Person { id, name } => (Some(*id), Some(name.as_str()), "web"),
        Taker::CommandLine => (None, None, "command line"),
    };
    ledger::append(
        tx,
        clock,
        author,
        "copy.taken",
        "record",
        &CopyTaken { name, via },
    )
    .await
}

/// A finished copy, ready to be sent or written.
pub struct Copy {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub entries: usize,
    pub head: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'a str,
    entries: usize,
    head_seq: i64,
    head_hash: &'a str,
    exported_by: &'a str,
    exported_by_id: Option<i64>,
    exported_at: &'a str,
    time_zone: &'a str,
    program: Program<'a>,
    /// "intact", or where the chain breaks (a copy is still made then).
    chain: String,
    files: Files<'a>,
}

#[derive(Serialize)]
struct Program<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Files<'a> {
    record: &'a str,
    checker: &'a str,
    archive_html: String,
    archive_markdown: String,
}

/// Reads the record through entry `through` and builds its copy off the
/// async runtime (compressing tens of megabytes takes a moment).
pub async fn build_from(
    pool: &SqlitePool,
    through: i64,
    taker: Taker,
    now: jiff::Timestamp,
) -> Result<Copy> {
    let entries = ledger::entries_through(pool, through).await?;
    tokio::task::spawn_blocking(move || build(&entries, &taker, now))
        .await
        .map_err(|e| AppError::internal(format!("building a copy: {e}")))?
        .map_err(|e| AppError::internal(format!("building a copy: {e:#}")))
}

/// `amends-2026-05-01-3fa9c0d1e2b4.zip`: the day in the pair's zone and the
/// short head hash, so two copies can be told apart at a glance.
pub fn file_name(day: jiff::civil::Date, head: &str) -> String {
    format!(
        "amends-{}-{}.zip",
        day.strftime("%Y-%m-%d"),
        chain::short(head)
    )
}

/// Builds the whole ZIP in memory from the entries.
pub fn build(entries: &[Entry], taker: &Taker, now: jiff::Timestamp) -> anyhow::Result<Copy> {
    let reader = Reader::learn(entries);
    let head = entries
        .last()
        .map(|e| (e.seq, e.hash.clone()))
        .unwrap_or((0, chain::GENESIS_HASH.to_string()));
    let exported_at = clock::format(now);
    let day = now.to_zoned(reader.tz().clone()).date();
    let file_name = file_name(day, &head.1);
    let chain_state = match chain::verify(entries) {
        Ok(_) => "intact".to_string(),
        Err(problem) => format!("broken at {problem}"),
    };

    let modified =
        zip::DateTime::try_from(now.to_zoned(reader.tz().clone()).datetime()).unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(modified);
    // The compressed copy is usually a fifth of the record's size or less.
    let estimate = entries.iter().map(|e| e.body.len() + 300).sum::<usize>() / 2;
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(estimate)));

    let taken_by = taker.describe();
    let manifest = Manifest {
        format: FORMAT,
        entries: entries.len(),
        head_seq: head.0,
        head_hash: &head.1,
        exported_by: &taken_by,
        exported_by_id: match taker {
            Taker::Person { id, .. } => Some(*id),
            Taker::CommandLine => None,
        },
        exported_at: &exported_at,
        time_zone: reader.zone(),
        program: Program {
            name: "amends",
            version: env!("CARGO_PKG_VERSION"),
        },
        chain: chain_state,
        files: Files {
            record: RECORD_FILE,
            checker: CHECKER_FILE,
            archive_html: format!("{}/index.html", archive::HTML_DIR),
            archive_markdown: format!("{}/index.md", archive::MARKDOWN_DIR),
        },
    };
    zip.start_file(MANIFEST_FILE, options)?;
    serde_json::to_writer_pretty(&mut zip, &manifest)?;
    zip.write_all(b"\n")?;

    zip.start_file(RECORD_FILE, options)?;
    {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, &mut zip);
        for entry in entries {
            serde_json::to_writer(&mut out, entry)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }

    zip.start_file(CHECKER_FILE, options)?;
    write_checker(&mut zip, entries)?;

    zip.start_file("README.txt", options)?;
    zip.write_all(readme(&taken_by, &exported_at, entries.len(), &head.1).as_bytes())?;

    let facts = Facts {
        entries: entries.len(),
        head: chain::short(&head.1).to_string(),
        zone: reader.zone().to_string(),
        taken: crate::web::time::date_time(&exported_at, reader.tz()),
        taken_by,
    };
    archive::write(entries, &reader, &facts, &mut |path, text| {
        zip.start_file(path, options)?;
        zip.write_all(text.as_bytes())?;
        Ok(())
    })?;

    let bytes = zip.finish()?.into_inner();
    Ok(Copy {
        file_name,
        bytes,
        entries: entries.len(),
        head: head.1,
    })
}

/// The checker page with the chain rules and this copy's entries put in
/// place of its two markers.
fn write_checker(out: &mut impl Write, entries: &[Entry]) -> anyhow::Result<()> {
    let template = crate::web::assets::text("checker/check.html")
        .ok_or_else(|| anyhow::anyhow!("the checker template is missing"))?;
    let chain_js = crate::web::assets::text("js/chain.js")
        .ok_or_else(|| anyhow::anyhow!("chain.js is missing"))?;
    if chain_js.to_ascii_lowercase().contains("</script") {
        anyhow::bail!("chain.js cannot be put inside a script element");
    }
    let find = |marker: &str| {
        template
            .find(marker)
            .ok_or_else(|| anyhow::anyhow!("the checker has no {marker} marker"))
    };
    let mut places = [
        (find(CHAIN_MARKER)?, CHAIN_MARKER.len(), true),
        (find(COPY_MARKER)?, COPY_MARKER.len(), false),
    ];
    places.sort_by_key(|p| p.0);
    let mut from = 0;
    for (at, len, is_chain) in places {
        out.write_all(template.get(from..at).unwrap_or("").as_bytes())?;
        if is_chain {
            out.write_all(chain_js.as_bytes())?;
        } else {
            write_embedded(out, entries)?;
        }
        from = at + len;
    }
    out.write_all(template.get(from..).unwrap_or("").as_bytes())?;
    Ok(())
}

/// The entries as a JSON array, with every `<` written as `\u003c` so no
/// text in the record can end the script element it sits in.
fn write_embedded(out: &mut impl Write, entries: &[Entry]) -> anyhow::Result<()> {
    let mut escaped = EscapeLessThan(std::io::BufWriter::with_capacity(64 * 1024, out));
    serde_json::to_writer(&mut escaped, entries)?;
    escaped.0.flush()?;
    Ok(())
}

struct EscapeLessThan<W: Write>(W);

impl<W: Write> Write for EscapeLessThan<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| *b == b'<') {
            self.0.write_all(&rest[..at])?;
            self.0.write_all(b"\\u003c")?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn readme(taken_by: &str, at: &str, count: usize, head: &str) -> String {
    format!(
        "A copy of the Amends record\r\n\
         ===========================\r\n\r\n\
         Taken by {taken_by} at {at} (UTC): {count} entries, latest fingerprint {head}.\r\n\r\n\
         check.html      Open it in a browser to check that this copy is intact. It works\r\n\
         \x20               offline. Give it the record.jsonl of a later copy and it tells\r\n\
         \x20               you whether the later copy still contains exactly this one.\r\n\
         record.jsonl    The record itself: every entry, one per line, with its fingerprint.\r\n\
         manifest.json   What this copy is: how many entries, the latest fingerprint, who\r\n\
         \x20               took it and when.\r\n\
         archive/        The record to read, as web pages (start at archive/index.html).\r\n\
         markdown/       The same, as plain text files in Markdown.\r\n\r\n\
         Keep this copy somewhere away from the server. If history were ever rewritten,\r\n\
         comparing this copy with a later one shows exactly where.\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escaping_writer_hides_every_less_than() {
        let mut out = Vec::new();
        let mut w = EscapeLessThan(&mut out);
        w.write_all(b"a</script><b>").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a\\u003c/script>\\u003cb>");
    }

    #[test]
    fn file_names_carry_the_day_and_the_short_head() {
        let day = jiff::civil::date(2026, 5, 1);
        assert_eq!(
            file_name(day, "3fa9c0d1e2b4ffffffff"),
            "amends-2026-05-01-3fa9c0d1e2b4.zip"
        );
    }
}
