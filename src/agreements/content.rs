//! What an agreement says: its title, its text, an optional end date and its
//! commitments. The content of a revision is hashed in one canonical form, so
//! a signature names exactly what was signed. The text is Markdown, shown
//! only as [`SafeHtml`] (rendered, then sanitised); changes between
//! revisions are shown as a word-level diff.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::commitments::schedule::Schedule;

/// The longest agreement text, in characters.
pub const TEXT_LIMIT: usize = 50_000;
/// The most commitments one agreement can hold.
pub const MAX_COMMITMENTS: usize = 50;
/// The longest commitment text, in characters.
pub const COMMITMENT_LIMIT: usize = 500;

/// One commitment as written in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentDraft {
    /// The commitment of the version in force this one continues, when an
    /// amendment carries it; it then keeps its identity and history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carries: Option<i64>,
    /// The repair request it was carried from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<i64>,
    /// Whose commitment it is (a person's id).
    pub owner: i64,
    pub text: String,
    pub schedule: Schedule,
}

/// Everything a revision says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub ends_on: Option<Date>,
    pub commitments: Vec<CommitmentDraft>,
}

const HASH_DOMAIN: &[u8] = b"amends/agreement-revision/v1";

impl Content {
    /// SHA-256 over a domain tag and every part of the content, each
    /// length-prefixed, so no two different contents encode the same.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        field(HASH_DOMAIN);
        field(self.title.as_bytes());
        field(self.body.as_bytes());
        field(
            self.ends_on
                .map(|d| d.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.commitments.len().to_string().as_bytes());
        for c in &self.commitments {
            field(
                c.carries
                    .map(|id| id.to_string())
                    .unwrap_or_default()
                    .as_bytes(),
            );
            field(
                c.request
                    .map(|id| id.to_string())
                    .unwrap_or_default()
                    .as_bytes(),
            );
            field(c.owner.to_string().as_bytes());
            field(c.text.as_bytes());
            // The schedule's JSON has a fixed field order (see schedule.rs).
            field(
                serde_json::to_string(&c.schedule)
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        hex::encode(hasher.finalize())
    }

    /// The whole content as plain text, to diff one revision against another.
    pub fn as_plain_text(&self, names: &HashMap<i64, String>) -> String {
        let mut out = format!("{}\n\n{}\n", self.title, self.body);
        if let Some(ends) = self.ends_on {
            out.push_str(&format!(
                "\nEnds after {}.\n",
                crate::commitments::schedule::long_date(ends)
            ));
        }
        if !self.commitments.is_empty() {
            out.push_str("\nCommitments:\n");
            for c in &self.commitments {
                out.push_str(&format!(
                    "- {}: {} ({})\n",
                    names.get(&c.owner).map(String::as_str).unwrap_or("?"),
                    c.text,
                    c.schedule.describe()
                ));
            }
        }
        out
    }
}

/// HTML that went through the sanitiser. The only way to make one is
/// [`render_markdown`], so a template may mark it `|safe`.
#[derive(Debug, Clone)]
pub struct SafeHtml(String);

impl fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Only the sanitiser makes a `SafeHtml`, so templates may print it as it
/// is: no `|safe` filter anywhere in the templates.
impl askama::filters::HtmlSafe for SafeHtml {}

impl SafeHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Markdown → HTML (pulldown-cmark) → sanitised HTML (ammonia). Raw HTML in
/// the text is escaped or removed; links get `rel="noopener noreferrer"`;
/// images are dropped (the page allows none from elsewhere).
pub fn render_markdown(text: &str) -> SafeHtml {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(text, options));
    let clean = ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string();
    SafeHtml(clean)
}

/// One run of a word diff: unchanged, added or removed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffPart {
    /// "same", "added" or "removed".
    pub kind: &'static str,
    pub text: String,
}

/// A word-level diff of `old` → `new`, with neighbouring runs of the same
/// kind merged. Templates escape the text; nothing here is HTML.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffPart> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(old, new);
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Insert => "added",
            ChangeTag::Delete => "removed",
        };
        match parts.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => parts.push(DiffPart {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    parts
}

/// Whether a diff has any change at all.
pub fn has_changes(parts: &[DiffPart]) -> bool {
    parts.iter().any(|p| p.kind != "same")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn content() -> Content {
        Content {
            title: "Evenings".into(),
            body: "We talk **every** evening.".into(),
            ends_on: None,
            commitments: vec![CommitmentDraft {
                carries: None,
                request: None,
                owner: 1,
                text: "Call at nine".into(),
                schedule: Schedule::Daily {
                    from: date(2026, 3, 1),
                },
            }],
        }
    }

    #[test]
    fn the_hash_changes_with_every_part_of_the_content() {
        let base = content();
        let h = base.hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, content().hash());
        let mut c = content();
        c.title.push('!');
        assert_ne!(c.hash(), h);
        let mut c = content();
        c.ends_on = Some(date(2026, 12, 31));
        assert_ne!(c.hash(), h);
        let mut c = content();
        c.commitments[0].owner = 2;
        assert_ne!(c.hash(), h);
        let mut c = content();
        c.commitments[0].schedule = Schedule::Standing;
        assert_ne!(c.hash(), h);
        // Moving text between fields is not the same content.
        let mut a = content();
        a.title = "ab".into();
        a.body = "c".into();
        let mut b = content();
        b.title = "a".into();
        b.body = "bc".into();
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn markdown_is_rendered_and_anything_dangerous_is_removed() {
        let html = render_markdown(
            "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> **b**",
        );
        let html = html.as_str();
        assert!(html.contains("<h1>Hi</h1>"));
        assert!(html.contains("<strong>b</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("<img"));
    }

    #[test]
    fn a_word_diff_marks_what_was_added_and_removed() {
        let parts = word_diff("we talk every evening", "we talk every other evening");
        assert!(has_changes(&parts));
        assert!(
            parts
                .iter()
                .any(|p| p.kind == "added" && p.text.contains("other"))
        );
        let joined: String = parts
            .iter()
            .filter(|p| p.kind != "removed")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(joined, "we talk every other evening");
        assert!(!has_changes(&word_diff("same", "same")));
    }
}
