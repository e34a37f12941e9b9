//! Reading a copy back (a whole ZIP or its `record.jsonl`) and checking an
//! older copy against a newer record: both chains verified, and the older
//! one an exact beginning of the newer. `amends verify --against` prints the
//! report; the offline checker (check.html) says the same things in a browser.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

use super::export::RECORD_FILE;
use crate::ledger::Entry;
use crate::ledger::chain::{self, Break, Head, PrefixReport};

/// Reads the entries of a copy: a ZIP holding `record.jsonl`, or that file.
pub fn read_copy(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = if bytes.starts_with(b"PK\x03\x04") {
        record_from_zip(&bytes).with_context(|| format!("reading the ZIP {}", path.display()))?
    } else {
        String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{} is not a text file or a ZIP", path.display()))?
    };
    parse_record(&text).with_context(|| format!("reading {}", path.display()))
}

/// The text of the `record.jsonl` inside a copy's ZIP (at its top, or in
/// one folder if someone re-packed the unpacked copy).
fn record_from_zip(bytes: &[u8]) -> anyhow::Result<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let name = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n == RECORD_FILE || n.ends_with(&format!("/{RECORD_FILE}")))
        .min_by_key(|n| n.len())
        .ok_or_else(|| anyhow::anyhow!("it holds no {RECORD_FILE}"))?;
    let mut text = String::new();
    zip.by_name(&name)?
        .read_to_string(&mut text)
        .with_context(|| format!("{name} is not readable text"))?;
    Ok(text)
}

/// Parses `record.jsonl`: one entry per line, blank lines ignored; names
/// the first line that is not an entry.
pub fn parse_record(text: &str) -> anyhow::Result<Vec<Entry>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(line).map_err(|e| {
            anyhow::anyhow!(
                "line {} is not an entry of the record ({e}). Is this the record.jsonl of a copy?",
                i + 1
            )
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Everything checked when an older copy is compared with a newer record.
#[derive(Debug)]
pub struct Comparison {
    pub old_chain: Result<Head, Break>,
    pub new_chain: Result<Head, Break>,
    pub prefix: PrefixReport,
}

impl Comparison {
    /// Both chains are intact and the older copy is an exact prefix.
    pub fn ok(&self) -> bool {
        self.old_chain.is_ok() && self.new_chain.is_ok() && self.prefix.is_prefix()
    }

    /// The report, in the checker's words. `newer` names what the old copy
    /// was compared with ("the live record", "the newer copy").
    pub fn report(&self, newer: &str) -> String {
        let mut out = String::new();
        out.push_str(&chain_line(
            "The old copy",
            &self.old_chain,
            self.prefix.old_count,
        ));
        out.push_str(&chain_line(
            &capitalise(newer),
            &self.new_chain,
            self.prefix.new_count,
        ));
        let p = &self.prefix;
        if let Some(diff) = &p.first_difference {
            out.push_str(&format!(
                "differs: entry {} is not the same in the old copy and in {newer}, so the record was altered after the old copy was made.{}\n",
                diff.seq,
                if p.missing {
                    format!(" {} also has fewer entries than the old copy.", capitalise(newer))
                } else {
                    String::new()
                }
            ));
            out.push_str(&format!("Both versions of entry {}:\n", diff.seq));
            out.push_str(&both_versions(&diff.old, &diff.new, newer));
        } else if p.missing {
            let first = p.new_count + 1;
            let gone = if first == p.old_count {
                format!("Entry {first} is gone")
            } else {
                format!("Entries {first} to {} are gone", p.old_count)
            };
            out.push_str(&format!(
                "missing: the old copy has {} but {newer} has only {}. {gone}. The entries it does have match the old copy.\n",
                plural(p.old_count),
                p.new_count
            ));
        } else {
            let added = p.new_count - p.old_count;
            out.push_str(&format!(
                "prefix: all {} of the old copy are in {newer}, unchanged and in the same order{}\n",
                plural(p.old_count),
                if added > 0 {
                    format!(", and it adds {} after them.", plural(added))
                } else {
                    ". It adds nothing new.".to_string()
                }
            ));
        }
        out
    }
}

/// Verifies both chains and compares them.
pub fn compare(old: &[Entry], new: &[Entry]) -> Comparison {
    Comparison {
        old_chain: chain::verify(old),
        new_chain: chain::verify(new),
        prefix: chain::compare_prefix(old, new),
    }
}

fn chain_line(who: &str, chain: &Result<Head, Break>, count: usize) -> String {
    match chain {
        Ok(head) => format!(
            "intact: {who} has {}{}.\n",
            plural(count),
            if count > 0 {
                format!(", latest fingerprint {}", head.hash)
            } else {
                String::new()
            }
        ),
        Err(problem) => format!("broken: {who} has a problem at {problem}\n"),
    }
}

fn both_versions(old: &Entry, new: &Entry, newer: &str) -> String {
    let author = |a: Option<i64>| a.map_or("(none: written by the app)".into(), |a| a.to_string());
    let rows = [
        ("number (seq)", old.seq.to_string(), new.seq.to_string()),
        ("time (at, UTC)", old.at.clone(), new.at.clone()),
        ("author", author(old.author), author(new.author)),
        ("kind", old.kind.clone(), new.kind.clone()),
        ("about (subject)", old.subject.clone(), new.subject.clone()),
        ("content (body)", old.body.clone(), new.body.clone()),
        (
            "previous fingerprint",
            old.prev_hash.clone(),
            new.prev_hash.clone(),
        ),
        ("fingerprint (hash)", old.hash.clone(), new.hash.clone()),
    ];
    let mut out = String::new();
    for (label, a, b) in rows {
        if a == b {
            out.push_str(&format!("  {label}: {a}\n"));
        } else {
            out.push_str(&format!(
                "  {label} (differs):\n    in the old copy: {a}\n    in {newer}: {b}\n"
            ));
        }
    }
    out
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::chain::{GENESIS_HASH, hash_fields};

    fn chain_of(bodies: &[&str]) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            let seq = i as i64 + 1;
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
            let at = format!("2026-01-01T00:00:{:02}.000000Z", i);
            let hash = hash_fields(seq, &prev, &at, Some(1), "test.note", "test/1", body);
            out.push(Entry {
                seq,
                at,
                author: Some(1),
                kind: "test.note".into(),
                subject: "test/1".into(),
                body: body.to_string(),
                prev_hash: prev,
                hash,
            });
        }
        out
    }

    #[test]
    fn a_longer_record_continues_an_older_copy() {
        let old = chain_of(&["{}", r#"{"a":1}"#]);
        let new = chain_of(&["{}", r#"{"a":1}"#, r#"{"a":2}"#]);
        let c = compare(&old, &new);
        assert!(c.ok());
        assert!(c.report("the newer copy").contains("adds 1 entry"));
    }

    #[test]
    fn a_rewritten_and_rehashed_record_is_named_at_its_first_change() {
        let old = chain_of(&["{}", r#"{"a":1}"#, r#"{"a":2}"#]);
        let new = chain_of(&["{}", r#"{"a":9}"#, r#"{"a":2}"#, "{}"]);
        let c = compare(&old, &new);
        assert!(c.new_chain.is_ok(), "the rewrite is whole on its own");
        assert!(!c.ok());
        let report = c.report("the live record");
        assert!(report.contains("differs: entry 2 "), "{report}");
        assert!(report.contains(r#"in the old copy: {"a":1}"#), "{report}");
        assert!(
            report.contains(r#"in the live record: {"a":9}"#),
            "{report}"
        );
    }

    #[test]
    fn removed_and_reordered_entries_are_reported() {
        let old = chain_of(&["{}", r#"{"a":1}"#, r#"{"a":2}"#]);
        let shorter = old[..1].to_vec();
        let c = compare(&old, &shorter);
        assert!(
            c.report("the newer copy")
                .contains("Entries 2 to 3 are gone")
        );
        let mut swapped = old.clone();
        swapped.swap(1, 2);
        let c = compare(&old, &swapped);
        assert_eq!(c.prefix.first_difference.as_ref().map(|d| d.seq), Some(2));
        assert_eq!(c.new_chain.unwrap_err().seq, 3);
    }

    #[test]
    fn a_line_that_is_not_an_entry_is_named() {
        let err = parse_record("\n{\"seq\":1}\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
