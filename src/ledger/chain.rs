//! The chain rules of the record, in one place: how an entry is hashed and
//! what makes a sequence of entries intact. The server, `amends verify`, the
//! exported copy and its offline checker (static/js/chain.js) all follow these
//! rules; the test vectors in tests/vectors/ keep the implementations equal.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Domain tag hashed first, so no other use of SHA-256 can collide with ours.
pub const DOMAIN_TAG: &str = "amends.ledger.v1";
/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the record with every field its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    /// UTC, fixed width (see [`crate::clock::format`]).
    pub at: String,
    pub author: Option<i64>,
    pub kind: String,
    pub subject: String,
    /// The exact bytes that were hashed: a JSON document, as UTF-8 text.
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Computes an entry's hash from its fields (ignoring its stored `hash`).
pub fn hash_fields(
    seq: i64,
    prev_hash: &str,
    at: &str,
    author: Option<i64>,
    kind: &str,
    subject: &str,
    body: &str,
) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    let author = author.map(|a| a.to_string()).unwrap_or_default();
    for field in [
        DOMAIN_TAG, &seq, prev_hash, at, &author, kind, subject, body,
    ] {
        // Each field is length-prefixed so that no two different entries
        // encode to the same bytes.
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

impl Entry {
    /// The hash this entry should have.
    pub fn computed_hash(&self) -> String {
        hash_fields(
            self.seq,
            &self.prev_hash,
            &self.at,
            self.author,
            &self.kind,
            &self.subject,
            &self.body,
        )
    }
}

/// Why a chain is not intact, naming the first entry that does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.reason)
    }
}

/// The end of a verified stretch of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

impl Head {
    /// The state before the first entry.
    pub fn genesis() -> Self {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
            at: String::new(),
        }
    }
}

/// Checks one entry against the head before it and returns the new head.
pub fn check_next(head: &Head, entry: &Entry) -> Result<Head, Break> {
    let fail = |reason: String| Break {
        seq: entry.seq,
        reason,
    };
    if entry.seq != head.seq + 1 {
        return Err(fail(format!(
            "expected entry number {} here, found {}",
            head.seq + 1,
            entry.seq
        )));
    }
    if entry.prev_hash != head.hash {
        return Err(fail(
            "it does not point at the hash of the entry before it".into(),
        ));
    }
    if entry.at.as_str() < head.at.as_str() {
        return Err(fail(format!(
            "its time {} is earlier than the entry before it ({})",
            entry.at, head.at
        )));
    }
    let computed = entry.computed_hash();
    if computed != entry.hash {
        return Err(fail(format!(
            "its contents do not match its hash (stored {}, computed {})",
            short(&entry.hash),
            short(&computed)
        )));
    }
    Ok(Head {
        seq: entry.seq,
        hash: entry.hash.clone(),
        at: entry.at.clone(),
    })
}

/// Verifies a whole sequence of entries from the start of the record.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<Head, Break> {
    let mut head = Head::genesis();
    for entry in entries {
        head = check_next(&head, entry)?;
    }
    Ok(head)
}

/// The first entry at which two copies disagree, with both versions of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The older copy's number for that position.
    pub seq: i64,
    pub old: Entry,
    pub new: Entry,
}

/// Whether an older copy is an exact beginning of a newer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixReport {
    pub old_count: usize,
    pub new_count: usize,
    /// The first shared position whose entries differ in any field.
    pub first_difference: Option<Difference>,
    /// The newer copy has fewer entries than the older one.
    pub missing: bool,
}

impl PrefixReport {
    /// Every entry of the older copy is in the newer, unchanged and in order.
    pub fn is_prefix(&self) -> bool {
        self.first_difference.is_none() && !self.missing
    }
}

/// Compares two copies position by position, every field (the same rule as
/// `comparePrefix` in static/js/chain.js). It does not check either chain;
/// [`verify`] does that.
pub fn compare_prefix(old: &[Entry], new: &[Entry]) -> PrefixReport {
    let first_difference = old
        .iter()
        .zip(new)
        .find(|(o, n)| o != n)
        .map(|(o, n)| Difference {
            seq: o.seq,
            old: o.clone(),
            new: n.clone(),
        });
    PrefixReport {
        old_count: old.len(),
        new_count: new.len(),
        first_difference,
        missing: new.len() < old.len(),
    }
}

/// The first 12 hex digits of a hash: enough for people to compare by eye.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, at: &str, body: &str) -> Entry {
        let hash = hash_fields(seq, prev, at, Some(1), "test.kind", "test/1", body);
        Entry {
            seq,
            at: at.into(),
            author: Some(1),
            kind: "test.kind".into(),
            subject: "test/1".into(),
            body: body.into(),
            prev_hash: prev.into(),
            hash,
        }
    }

    fn chain() -> Vec<Entry> {
        let a = entry(1, GENESIS_HASH, "2026-01-01T00:00:00.000000Z", "{}");
        let b = entry(2, &a.hash, "2026-01-01T00:00:01.000000Z", r#"{"x":1}"#);
        let c = entry(3, &b.hash, "2026-01-01T00:00:01.000000Z", r#"{"x":2}"#);
        vec![a, b, c]
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let head = verify(&chain()).unwrap();
        assert_eq!(head.seq, 3);
    }

    #[test]
    fn a_changed_body_is_named_by_its_entry() {
        let mut entries = chain();
        entries[1].body = r#"{"x":9}"#.into();
        assert_eq!(verify(&entries).unwrap_err().seq, 2);
    }

    #[test]
    fn a_removed_entry_breaks_the_chain_where_it_was() {
        let mut entries = chain();
        entries.remove(1);
        assert_eq!(verify(&entries).unwrap_err().seq, 3);
    }

    #[test]
    fn time_going_backwards_is_refused() {
        let a = entry(1, GENESIS_HASH, "2026-01-01T00:00:05.000000Z", "{}");
        let b = entry(2, &a.hash, "2026-01-01T00:00:01.000000Z", "{}");
        let err = verify(&[a, b]).unwrap_err();
        assert_eq!(err.seq, 2);
        assert!(err.reason.contains("earlier"));
    }

    #[test]
    fn length_prefixes_keep_shifted_fields_apart() {
        let one = hash_fields(1, GENESIS_HASH, "t", None, "ab", "c", "{}");
        let two = hash_fields(1, GENESIS_HASH, "t", None, "a", "bc", "{}");
        assert_ne!(one, two);
    }

    /// The shared test vectors (also checked by the offline checker's test).
    mod vectors {
        use super::super::*;

        #[derive(serde::Deserialize)]
        struct Vectors {
            entries: Vec<Entry>,
            preimages_hex: Vec<String>,
            tampered: Vec<Tampered>,
            prefix: Vec<PrefixCase>,
        }

        #[derive(serde::Deserialize)]
        struct PrefixCase {
            name: String,
            old: String,
            new: Vec<Entry>,
            expect: PrefixExpect,
        }

        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct PrefixExpect {
            is_prefix: bool,
            missing: bool,
            first_difference_seq: Option<i64>,
        }

        #[derive(serde::Deserialize)]
        struct Tampered {
            name: String,
            entries: Vec<Entry>,
            expect: Expect,
        }

        #[derive(serde::Deserialize)]
        struct Expect {
            seq: i64,
        }

        fn load() -> Vectors {
            serde_json::from_str(include_str!("../../tests/vectors/ledger-chain.json")).unwrap()
        }

        fn preimage(e: &Entry) -> String {
            let seq = e.seq.to_string();
            let author = e.author.map(|a| a.to_string()).unwrap_or_default();
            let mut bytes = Vec::new();
            for field in [
                DOMAIN_TAG,
                &seq,
                &e.prev_hash,
                &e.at,
                &author,
                &e.kind,
                &e.subject,
                &e.body,
            ] {
                bytes.extend_from_slice(&(field.len() as u64).to_be_bytes());
                bytes.extend_from_slice(field.as_bytes());
            }
            hex::encode(bytes)
        }

        #[test]
        fn every_vector_hash_is_reproduced() {
            let v = load();
            for (entry, expected) in v.entries.iter().zip(&v.preimages_hex) {
                assert_eq!(
                    &preimage(entry),
                    expected,
                    "encoding of entry {}",
                    entry.seq
                );
                assert_eq!(
                    entry.computed_hash(),
                    entry.hash,
                    "hash of entry {}",
                    entry.seq
                );
            }
            assert!(verify(&v.entries).is_ok());
        }

        #[test]
        fn every_tampered_vector_is_reported_at_its_entry() {
            for case in load().tampered {
                let problem = verify(&case.entries).expect_err(&case.name);
                assert_eq!(problem.seq, case.expect.seq, "{}", case.name);
            }
        }

        #[test]
        fn every_prefix_vector_is_compared_as_the_checker_does() {
            let v = load();
            assert!(!v.prefix.is_empty());
            for case in &v.prefix {
                assert_eq!(case.old, "base", "{}", case.name);
                let report = compare_prefix(&v.entries, &case.new);
                assert_eq!(report.is_prefix(), case.expect.is_prefix, "{}", case.name);
                assert_eq!(report.missing, case.expect.missing, "{}", case.name);
                assert_eq!(
                    report.first_difference.as_ref().map(|d| d.seq),
                    case.expect.first_difference_seq,
                    "{}",
                    case.name
                );
                assert_eq!(report.old_count, v.entries.len());
                assert_eq!(report.new_count, case.new.len());
            }
        }
    }
}
