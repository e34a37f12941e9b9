//! The readable part of a copy: the record retold as plain HTML pages and as
//! Markdown, one page per thing the record talks about (a breach, an
//! agreement, a commitment, a person, …), every entry in order with its time,
//! its author and a plain sentence.
//!
//! It is built from the ledger entries alone, never from the feature tables,
//! so it says exactly what the copy's record says, and a kind nobody taught it
//! (a feature added later) still reads well through the generic wording.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::ledger::{Entry, chain, describe};
use crate::web::time;

/// Where the readable archive's files go inside the ZIP.
pub const HTML_DIR: &str = "archive";
pub const MARKDOWN_DIR: &str = "markdown";

/// One thing the record talks about, with its entries in order.
struct Subject<'a> {
    slug: String,
    noun: String,
    title: String,
    entries: Vec<&'a Entry>,
}

/// One entry, retold.
pub struct Shown {
    pub seq: i64,
    pub when: String,
    pub at: String,
    pub sentence: String,
    pub rows: Vec<Row>,
    /// The body when it is not a JSON object (shown as it is).
    pub raw: Option<String>,
    pub short_hash: String,
}

/// One field of a body: a label and its text.
pub struct Row {
    pub label: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<String>,
}

/// A group of subjects on the index (all breaches, all agreements, …).
pub struct Group {
    pub heading: String,
    pub subjects: Vec<SubjectLink>,
}

pub struct SubjectLink {
    pub file: String,
    pub title: String,
    pub count: usize,
    pub first: String,
    pub last: String,
}

#[derive(Template)]
#[template(path = "copies/archive_index.html")]
struct IndexPage<'a> {
    facts: &'a Facts,
    groups: &'a [Group],
}

#[derive(Template)]
#[template(path = "copies/archive_subject.html")]
struct SubjectPage<'a> {
    facts: &'a Facts,
    title: &'a str,
    entries: &'a [Shown],
}

/// What every page of the archive says about the copy.
pub struct Facts {
    pub entries: usize,
    pub head: String,
    pub zone: String,
    pub taken: String,
    pub taken_by: String,
}

/// Who is who and which zone the record uses, learnt from the record itself.
pub struct Reader {
    names: HashMap<i64, String>,
    tz: TimeZone,
    zone: String,
}

impl Reader {
    /// Reads names from `account.created` entries and the pair's time zone
    /// from the latest `pair.time_zone_set` entry.
    pub fn learn(entries: &[Entry]) -> Self {
        let mut names = HashMap::new();
        let mut zone = "UTC".to_string();
        for entry in entries {
            let wanted = matches!(
                entry.kind.as_str(),
                "account.created" | "pair.time_zone_set"
            );
            if !wanted {
                continue;
            }
            let Ok(body) = serde_json::from_str::<Value>(&entry.body) else {
                continue;
            };
            match entry.kind.as_str() {
                "account.created" => {
                    if let (Some(id), Some(name)) = (entry.author, body["name"].as_str()) {
                        names.insert(id, name.to_string());
                    }
                }
                _ => {
                    if let Some(name) = body["time_zone"].as_str() {
                        zone = name.to_string();
                    }
                }
            }
        }
        let tz = time::zone(&zone);
        if tz == TimeZone::UTC {
            zone = "UTC".to_string();
        }
        Reader { names, tz, zone }
    }

    pub fn zone(&self) -> &str {
        &self.zone
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// A person's name as the record knows it.
    pub fn name(&self, id: i64) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Person {id}"))
    }

    /// One entry retold for people.
    pub fn show(&self, entry: &Entry) -> Shown {
        let body = serde_json::from_str::<Value>(&entry.body).ok();
        let names = describe::Names::new(self.names.iter().map(|(id, n)| (*id, n.clone())));
        let sentence = describe::sentence(entry, &names);
        let used = said_fields(&entry.kind);
        let (rows, raw) = match &body {
            Some(Value::Object(fields)) => {
                let mut rows = Vec::new();
                for (key, value) in fields {
                    if !used.contains(&key.as_str()) {
                        self.rows_for(&humanise(key), value, &mut rows);
                    }
                }
                (rows, None)
            }
            _ => (Vec::new(), Some(entry.body.clone())),
        };
        Shown {
            seq: entry.seq,
            when: time::date_time(&entry.at, &self.tz),
            at: entry.at.clone(),
            sentence,
            rows,
            raw,
            short_hash: chain::short(&entry.hash).to_string(),
        }
    }

    /// Flattens a body value into labelled rows: texts become paragraphs,
    /// lists of plain values become items, nested fields get a path label.
    fn rows_for(&self, label: &str, value: &Value, rows: &mut Vec<Row>) {
        match value {
            Value::Object(fields) => {
                if fields.is_empty() {
                    rows.push(Row::text(label, "(nothing)".into()));
                }
                for (key, inner) in fields {
                    self.rows_for(&format!("{label} › {}", humanise(key)), inner, rows);
                }
            }
            Value::Array(items) if items.iter().all(is_plain) => {
                rows.push(Row {
                    label: label.to_string(),
                    paragraphs: if items.is_empty() {
                        vec!["(none)".into()]
                    } else {
                        Vec::new()
                    },
                    items: items.iter().map(|v| self.plain(v)).collect(),
                });
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    self.rows_for(&format!("{label} {}", i + 1), inner, rows);
                }
            }
            plain => rows.push(Row::text(label, self.plain(plain))),
        }
    }

    /// A plain value as text; stored UTC times are shown in the pair's zone.
    fn plain(&self, value: &Value) -> String {
        match value {
            Value::Null => "(none)".into(),
            Value::Bool(true) => "yes".into(),
            Value::Bool(false) => "no".into(),
            Value::Number(n) => n.to_string(),
            Value::String(s) if looks_like_stored_time(s) => time::date_time(s, &self.tz),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl Row {
    fn text(label: &str, text: String) -> Row {
        Row {
            label: label.to_string(),
            paragraphs: paragraphs(&text),
            items: Vec::new(),
        }
    }
}

fn is_plain(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn looks_like_stored_time(text: &str) -> bool {
    text.len() == 27 && text.ends_with('Z') && text.as_bytes().get(10) == Some(&b'T')
}

/// Text split at blank lines; single line breaks stay inside a paragraph.
fn paragraphs(text: &str) -> Vec<String> {
    let parts: Vec<String> = text
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.trim_matches('\n').to_string())
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        vec!["(empty)".into()]
    } else {
        parts
    }
}

/// `what_happened` → `What happened`.
fn humanise(key: &str) -> String {
    let spaced = key.replace(['_', '-', '.'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "(unnamed)".into(),
    }
}

/// How a noun of a subject (`breach` in `breach/3`) is named.
fn noun_label(noun: &str) -> (String, String) {
    let known = match noun {
        "breach" => Some(("Breach", "Breaches")),
        "agreement" => Some(("Agreement", "Agreements")),
        "commitment" => Some(("Commitment", "Commitments")),
        "checkin" | "check_in" => Some(("Check-in", "Check-ins")),
        "question" => Some(("Question", "Questions")),
        "noticed" => Some(("Noticed", "Noticed changes")),
        "apology" => Some(("Apology", "Apologies")),
        "repair" => Some(("Repair", "Repairs")),
        "action" => Some(("Repair action", "Repair actions")),
        "person" => Some(("Person", "The two of you")),
        "pair" => Some(("Shared settings", "Shared settings")),
        "record" => Some(("The record", "The record itself")),
        _ => None,
    };
    match known {
        Some((one, many)) => (one.to_string(), many.to_string()),
        None => {
            let one = humanise(noun);
            (one.clone(), one)
        }
    }
}

/// The order of groups on the index: the repair story first.
fn noun_rank(noun: &str) -> usize {
    const ORDER: [&str; 12] = [
        "breach",
        "apology",
        "repair",
        "agreement",
        "commitment",
        "action",
        "checkin",
        "question",
        "noticed",
        "person",
        "pair",
        "record",
    ];
    ORDER.iter().position(|n| *n == noun).unwrap_or(ORDER.len())
}

/// Body fields the entry's sentence already says, so they are not repeated
/// below it. The sentence itself comes from `ledger::describe`, the same
/// words the timeline uses.
fn said_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "account.created" => &["name", "via"],
        "pair.time_zone_set" | "pair.time_zone_changed" => &["time_zone"],
        "copy.taken" => &["name", "via"],
        "account.closed" => &["name"],
        _ => &[],
    }
}

/// A file name made from a subject, safe anywhere (`breach/3` → `breach-3`).
fn slug(subject: &str) -> String {
    let mut out = String::new();
    for c in subject.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    match out.as_str() {
        "" => "entries".into(),
        "index" => "entries-index".into(),
        _ => out,
    }
}

/// A short title taken from the first entry that has one.
fn subject_title(reader: &Reader, subject: &str, entries: &[&Entry]) -> String {
    let (noun, id) = subject.split_once('/').unwrap_or((subject, ""));
    let (label, _) = noun_label(noun);
    if noun == "person"
        && let Ok(n) = id.parse::<i64>()
    {
        return reader.name(n);
    }
    if id.is_empty() {
        return label;
    }
    let base = format!("{label} {id}");
    let found = entries.iter().find_map(|e| {
        let body: Value = serde_json::from_str(&e.body).ok()?;
        ["title", "name", "text", "question"]
            .iter()
            .find_map(|f| body[*f].as_str().map(str::to_string))
    });
    match found {
        Some(text) => {
            let line = text.lines().next().unwrap_or("").trim();
            let mut short: String = line.chars().take(80).collect();
            if line.chars().count() > 80 {
                short.push('…');
            }
            if short.is_empty() {
                base
            } else {
                format!("{base}: {short}")
            }
        }
        None => base,
    }
}

/// Writes every file of the readable archive through `put(path, contents)`.
pub fn write(
    entries: &[Entry],
    reader: &Reader,
    facts: &Facts,
    put: &mut dyn FnMut(&str, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut by_subject: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    let mut first_seen: Vec<&str> = Vec::new();
    for entry in entries {
        let list = by_subject.entry(entry.subject.as_str()).or_default();
        if list.is_empty() {
            first_seen.push(entry.subject.as_str());
        }
        list.push(entry);
    }
    let mut used = HashMap::new();
    let mut subjects: Vec<Subject> = first_seen
        .into_iter()
        .map(|subject| {
            let entries = by_subject.remove(subject).unwrap_or_default();
            let base = slug(subject);
            let count = used.entry(base.clone()).or_insert(0);
            *count += 1;
            let slug = if *count == 1 {
                base
            } else {
                format!("{base}-{count}")
            };
            let noun = subject
                .split_once('/')
                .map_or(subject, |(n, _)| n)
                .to_string();
            Subject {
                slug,
                title: subject_title(reader, subject, &entries),
                noun,
                entries,
            }
        })
        .collect();
    subjects.sort_by_key(|s| noun_rank(&s.noun));

    let mut groups: Vec<Group> = Vec::new();
    let mut md_index = markdown_heading(facts);
    for subject in &subjects {
        let shown: Vec<Shown> = subject.entries.iter().map(|e| reader.show(e)).collect();
        let page = SubjectPage {
            facts,
            title: &subject.title,
            entries: &shown,
        };
        put(
            &format!("{HTML_DIR}/{}.html", subject.slug),
            &page.render()?,
        )?;
        put(
            &format!("{MARKDOWN_DIR}/{}.md", subject.slug),
            &markdown_subject(&subject.title, &shown, facts),
        )?;
        let (_, heading) = noun_label(&subject.noun);
        if groups.last().is_none_or(|g| g.heading != heading) {
            md_index.push_str(&format!("\n## {}\n\n", md_escape(&heading)));
            groups.push(Group {
                heading: heading.clone(),
                subjects: Vec::new(),
            });
        }
        let link = SubjectLink {
            file: format!("{}.html", subject.slug),
            title: subject.title.clone(),
            count: shown.len(),
            first: shown.first().map(|s| s.when.clone()).unwrap_or_default(),
            last: shown.last().map(|s| s.when.clone()).unwrap_or_default(),
        };
        md_index.push_str(&format!(
            "- [{}]({}.md) — {} {}, {} to {}\n",
            md_escape(&link.title),
            subject.slug,
            link.count,
            if link.count == 1 { "entry" } else { "entries" },
            link.first,
            link.last
        ));
        if let Some(group) = groups.last_mut() {
            group.subjects.push(link);
        }
    }
    let index = IndexPage {
        facts,
        groups: &groups,
    };
    put(&format!("{HTML_DIR}/index.html"), &index.render()?)?;
    put(&format!("{MARKDOWN_DIR}/index.md"), &md_index)?;
    Ok(())
}

fn markdown_heading(facts: &Facts) -> String {
    format!(
        "# Our record\n\n{} entries; the latest fingerprint is `{}`. Times are in {}. \
         This copy was taken by {} on {}.\n\nEach page below tells one thing the record \
         talks about, entry by entry, in the order they were written.\n",
        facts.entries,
        facts.head,
        md_escape(&facts.zone),
        md_escape(&facts.taken_by),
        facts.taken
    )
}

fn markdown_subject(title: &str, shown: &[Shown], facts: &Facts) -> String {
    let mut out = format!(
        "# {}\n\n[Back to the index](index.md) · times are in {}\n",
        md_escape(title),
        md_escape(&facts.zone)
    );
    for entry in shown {
        out.push_str(&format!(
            "\n## {} — {}\n\n*Entry {} · fingerprint `{}`*\n",
            entry.when,
            md_escape(&entry.sentence),
            entry.seq,
            entry.short_hash
        ));
        for row in &entry.rows {
            out.push_str(&format!("\n**{}**\n\n", md_escape(&row.label)));
            for p in &row.paragraphs {
                // Single line breaks inside a paragraph stay visible.
                out.push_str(&md_escape(p).replace('\n', "  \n"));
                out.push_str("\n\n");
            }
            for item in &row.items {
                out.push_str(&format!("- {}\n", md_escape(item).replace('\n', " ")));
            }
        }
        if let Some(raw) = &entry.raw {
            out.push_str("\n```text\n");
            out.push_str(&raw.replace("```", "` ` `"));
            out.push_str("\n```\n");
        }
    }
    out
}

/// Escapes what a Markdown renderer would otherwise read as markup or HTML,
/// so a person's words are shown as they wrote them.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for c in text.chars() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~'
        ) || (line_start && matches!(c, '#' | '-' | '+' | '='));
        if special {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sentences_are_the_timeline_s_and_fields_they_say_are_not_repeated() {
        let reader = Reader::learn(&[]);
        let entry = Entry {
            seq: 1,
            at: "2026-01-01T00:00:00.000000Z".into(),
            author: None,
            kind: "copy.taken".into(),
            subject: "record".into(),
            body: r#"{"name":"Sam","via":"web"}"#.into(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let shown = reader.show(&entry);
        assert!(!shown.sentence.is_empty());
        assert!(said_fields("copy.taken").contains(&"name"));
        assert!(said_fields("strange.kind").is_empty());
    }

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(slug("breach/3"), "breach-3");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("///"), "entries");
        assert_eq!(slug("index"), "entries-index");
    }

    #[test]
    fn markdown_keeps_markup_as_text() {
        assert_eq!(md_escape("<script>*x*"), "\\<script\\>\\*x\\*");
        assert_eq!(md_escape("# not a heading"), "\\# not a heading");
    }

    #[test]
    fn bodies_become_labelled_rows() {
        let reader = Reader::learn(&[]);
        let mut rows = Vec::new();
        reader.rows_for(
            "Steps",
            &json!([{"text": "one\n\ntwo"}, {"text": "three"}]),
            &mut rows,
        );
        assert_eq!(rows[0].label, "Steps 1 › Text");
        assert_eq!(rows[0].paragraphs, vec!["one", "two"]);
        assert_eq!(rows[1].label, "Steps 2 › Text");
    }
}
