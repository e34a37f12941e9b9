//! Entries of the record in plain sentences: "Sam recorded a breach: “Late
//! again”". The timeline, the copies and Today all say things the same way by
//! going through [`sentence`] and [`category`].
//!
//! Bodies are read defensively: a field that is missing, empty or of an
//! unexpected type never panics; the sentence just says less. A kind nobody
//! taught this table still reads well through the generic fallback.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::SqlitePool;

use super::Entry;
use crate::error::Result;

/// The longest excerpt of a long text quoted in a sentence, in characters.
const EXCERPT: usize = 160;

/// The groups the timeline filters by. A kind's group is decided by its
/// prefix (see [`category`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Breaches,
    Apologies,
    Agreements,
    Commitments,
    Actions,
    CheckIns,
    Questions,
    Noticed,
    Trust,
    /// Accounts, the pair's settings, copies and anything not listed above.
    Account,
}

impl Category {
    /// Every category, in the order filters list them.
    pub const ALL: [Category; 10] = [
        Category::Breaches,
        Category::Apologies,
        Category::Agreements,
        Category::Commitments,
        Category::Actions,
        Category::CheckIns,
        Category::Questions,
        Category::Noticed,
        Category::Trust,
        Category::Account,
    ];

    /// The value used in links and forms (`?category=check-ins`).
    pub fn slug(self) -> &'static str {
        match self {
            Category::Breaches => "breaches",
            Category::Apologies => "apologies",
            Category::Agreements => "agreements",
            Category::Commitments => "commitments",
            Category::Actions => "actions",
            Category::CheckIns => "check-ins",
            Category::Questions => "questions",
            Category::Noticed => "noticed",
            Category::Trust => "trust",
            Category::Account => "account",
        }
    }

    /// What people read in the filter.
    pub fn label(self) -> &'static str {
        match self {
            Category::Breaches => "Breaches and the repair path",
            Category::Apologies => "Apologies",
            Category::Agreements => "Agreements",
            Category::Commitments => "Commitments",
            Category::Actions => "Repair actions",
            Category::CheckIns => "Check-ins",
            Category::Questions => "Questions",
            Category::Noticed => "Noticed changes",
            Category::Trust => "Trust and pauses",
            Category::Account => "Accounts and settings",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.slug() == slug)
    }

    /// The kind prefixes that belong to this category (empty for
    /// [`Category::Account`], which holds everything else).
    pub fn prefixes(self) -> &'static [&'static str] {
        match self {
            Category::Breaches => &["breach.", "understanding.", "repair."],
            Category::Apologies => &["apology."],
            Category::Agreements => &["agreement."],
            Category::Commitments => &["commitment."],
            Category::Actions => &["action."],
            Category::CheckIns => &["checkin."],
            Category::Questions => &["question."],
            Category::Noticed => &["noticed."],
            Category::Trust => &["trust.", "pause."],
            Category::Account => &[],
        }
    }
}

/// The category of a kind, by its prefix.
pub fn category(kind: &str) -> Category {
    Category::ALL
        .into_iter()
        .find(|c| c.prefixes().iter().any(|p| kind.starts_with(p)))
        .unwrap_or(Category::Account)
}

/// The two people's names by id, for sentences.
#[derive(Debug, Clone, Default)]
pub struct Names(BTreeMap<i64, String>);

impl Names {
    pub fn new(people: impl IntoIterator<Item = (i64, String)>) -> Self {
        Names(people.into_iter().collect())
    }

    /// Both people's names from the database.
    pub async fn load(pool: &SqlitePool) -> Result<Self> {
        let people = crate::auth::store::people(pool).await?;
        Ok(Names::new(people.into_iter().map(|p| (p.id, p.name))))
    }

    /// The name of whoever wrote an entry; entries the server writes itself
    /// are by "Amends".
    pub fn of(&self, author: Option<i64>) -> &str {
        author
            .and_then(|id| self.0.get(&id))
            .map(String::as_str)
            .unwrap_or(match author {
                None => "Amends",
                Some(_) => "Someone",
            })
    }

    /// The name of the person who is not `author`.
    pub fn other_than(&self, author: Option<i64>) -> &str {
        self.0
            .iter()
            .find(|(id, _)| Some(**id) != author)
            .map(|(_, name)| name.as_str())
            .unwrap_or("the other person")
    }
}

/// The entry as one plain sentence.
pub fn sentence(entry: &Entry, names: &Names) -> String {
    let body: Value = serde_json::from_str(&entry.body).unwrap_or(Value::Null);
    let b = Body(&body);
    let who = names.of(entry.author);
    let other = names.other_than(entry.author);
    let title = b.quoted(&["title", "name", "commitment", "agreement"]);
    let about = |prefix: &str| title.as_ref().map(|t| format!("{prefix}{t}"));
    let or_empty = |s: Option<String>| s.unwrap_or_default();

    match entry.kind.as_str() {
        // Accounts and settings.
        "account.created" => match b.text(&["via"]).as_deref() {
            Some("setup") => format!("{who} set up Amends and created the first account"),
            Some("invite") => format!("{who} joined with an invite"),
            _ => format!("{who} created their account"),
        },
        "account.closed" => format!("{who} closed their account"),
        "account.password_changed" => format!("{who} changed their password"),
        "account.password_reset" => format!("{who}'s password was reset"),
        "pair.time_zone_set" => match b.text(&["time_zone"]) {
            Some(zone) => format!("{who} set the pair's time zone to {zone}"),
            None => format!("{who} set the pair's time zone"),
        },
        "copy.taken" => format!("{who} took a copy of the record"),

        // The repair path.
        "breach.recorded" => format!("{who} recorded a breach{}", or_empty(about(": "))),
        "breach.disclosure_confirmed" => {
            format!(
                "{who} said how they learned of the breach{}",
                or_empty(about(" "))
            )
        }
        "breach.other_view_added" => format!(
            "{who} added how they see it differently{}",
            or_empty(about(": "))
        ),
        "understanding.impact_written" => format!("{who} wrote how it affected them"),
        "understanding.explained" => format!("{who} explained what they did and why"),
        "understanding.answered" => format!("{who} answered a question about what happened"),
        "apology.sent" => format!("{who} sent an apology"),
        "apology.opened" => format!("{who} opened the apology"),
        "apology.answered" => match b.text(&["answer", "response", "choice"]) {
            Some(answer) => format!("{who} answered the apology: {}", apology_answer(&answer)),
            None => format!("{who} answered the apology"),
        },
        "repair.asked" => format!("{who} asked what they can do to regain {other}'s trust"),
        "repair.requested" => match b.excerpt(&["text", "request", "title"]) {
            Some(text) => format!("{who} said what would help: {text}"),
            None => format!("{who} said what would help"),
        },
        "repair.commitment_proposed" => {
            format!("{who} proposed a commitment{}", or_empty(about(": ")))
        }
        "repair.commitment_confirmed" => {
            format!("{who} confirmed the commitment{}", or_empty(about(" ")))
        }
        "repair.not_now" => format!("{who} said not now, for the moment"),
        "repair.stepped_away" => format!("{who} stepped away from the repair"),

        // Agreements.
        "agreement.draft_started" => {
            format!(
                "{who} started drafting an agreement{}",
                or_empty(about(": "))
            )
        }
        "agreement.revised" => format!("{who} revised the draft{}", or_empty(about(" "))),
        "agreement.proposed" => format!(
            "{who} proposed {} for signing",
            title.clone().unwrap_or_else(|| "an agreement".into())
        ),
        "agreement.signed" => {
            let what = title.clone().unwrap_or_else(|| "the agreement".into());
            match b.text(&["revision", "version"]) {
                Some(rev) => format!("{who} signed {what}, revision {}", short_revision(&rev)),
                None => format!("{who} signed {what}"),
            }
        }
        "agreement.declined" => format!(
            "{who} declined to sign {}",
            title.clone().unwrap_or_else(|| "the agreement".into())
        ),
        "agreement.activated" => format!(
            "{} came into force",
            title.clone().unwrap_or_else(|| "The agreement".into())
        ),
        "agreement.amendment_started" => format!(
            "{who} started an amendment to {}",
            title.clone().unwrap_or_else(|| "an agreement".into())
        ),
        "agreement.ended" => format!(
            "{who} ended {}",
            title.clone().unwrap_or_else(|| "the agreement".into())
        ),

        // Commitments.
        "commitment.kept" => format!(
            "{who} recorded {} as kept{}",
            commitment(&title),
            on_date(&b)
        ),
        "commitment.broken" => {
            let how = match broken_how(&b, entry.author) {
                Some(how) => format!(" ({how})"),
                None => String::new(),
            };
            format!(
                "{who} recorded {} as broken{}{how}",
                commitment(&title),
                on_date(&b)
            )
        }
        "commitment.confirmed" => format!("{who} confirmed the record of {}", commitment(&title)),
        "commitment.disputed" => format!("{who} disputed the record of {}", commitment(&title)),
        "commitment.acknowledged" => {
            format!("{who} acknowledged the break of {}", commitment(&title))
        }
        "commitment.dispute_withdrawn" => {
            format!("{who} withdrew their dispute about {}", commitment(&title))
        }
        "commitment.still_keeping" => {
            format!("{who} said they are still keeping {}", commitment(&title))
        }
        "commitment.pattern_flagged" => format!(
            "A second break of {} within 30 days: this is now a pattern to talk about",
            commitment(&title)
        ),
        "commitment.corrected" => format!(
            "{who} corrected an earlier record of {}",
            commitment(&title)
        ),

        // Living it.
        "noticed.written" => {
            let about_name = b.text(&["about_name"]);
            let about_name = about_name.as_deref().unwrap_or(other);
            match b.excerpt(&["text"]) {
                Some(text) => format!("{who} noticed a good change in {about_name}: {text}"),
                None => format!("{who} noticed a good change in {about_name}"),
            }
        }
        "checkin.rhythm_proposed" => format!("{who} proposed check-ins {}", rhythm(&b)),
        "checkin.rhythm_accepted" => format!("{who} agreed to check-ins {}", rhythm(&b)),
        "checkin.rhythm_declined" => format!("{who} declined check-ins {}", rhythm(&b)),
        "checkin.rhythm_withdrawn" => {
            format!("{who} withdrew their proposal of check-ins {}", rhythm(&b))
        }
        "checkin.held" => format!("{who} recorded the check-in{}", on_date(&b)),
        "checkin.feeling_added" => {
            format!("{who} added how they felt at the check-in{}", on_date(&b))
        }
        // Questions, repair actions, trust and pauses. Trust levels are never
        // on the record (they are private unless shared, and the record goes
        // to both), so no sentence here can ever show one.
        "question.asked" => match b.excerpt(&["text", "question"]) {
            Some(text) => format!(
                "{who} asked {other} a question{}: {text}",
                of_breach(&body, "about")
            ),
            None => format!(
                "{who} asked {other} a question{}",
                of_breach(&body, "about")
            ),
        },
        "question.answered" => match b.excerpt(&["answer"]) {
            Some(text) => format!("{who} answered {other}'s question: {text}"),
            None => format!("{who} answered {other}'s question"),
        },
        "question.followed_up" => match b.excerpt(&["text"]) {
            Some(text) => format!("{who} added a follow-up to a question: {text}"),
            None => format!("{who} added a follow-up to a question"),
        },
        "action.logged" => match b.excerpt(&["what", "text", "title"]) {
            Some(text) => format!("{who} did something to repair trust: {text}"),
            None => format!("{who} did something to repair trust"),
        },
        "action.seen" => match b.excerpt(&["word"]) {
            Some(word) => format!("{who} saw what {other} did to repair trust, and said: {word}"),
            None => format!("{who} saw what {other} did to repair trust"),
        },
        "trust.sharing_changed" => match b.bool(&["shared"]) {
            Some(true) => format!(
                "{who} chose to share their trust levels{} with {other}",
                of_breach(&body, "for")
            ),
            Some(false) => format!(
                "{who} stopped sharing their trust levels{} with {other}",
                of_breach(&body, "for")
            ),
            None => format!("{who} changed who sees their trust levels"),
        },
        "trust.restored" => format!("{who} said trust is restored{}", of_breach(&body, "after")),
        "trust.restoration_withdrawn" => {
            format!(
                "{who} took back that trust is restored{}",
                of_breach(&body, "after")
            )
        }
        "pause.started" => with_reason(
            format!("{who} paused the repair{}", of_breach(&body, "of")),
            &b,
        ),
        "pause.requested" => with_reason(format!("{who} asked {other} for a pause"), &b),
        "pause.request_accepted" => {
            format!("{who} accepted {other}'s request for a pause; the repair is paused")
        }
        "pause.request_declined" => format!("{who} declined {other}'s request for a pause"),
        "pause.resumed" => format!("{who} resumed the repair{}", of_breach(&body, "of")),

        kind => generic(who, kind, &b),
    }
}

/// " about “Late again”" (with the preposition given) when the body names its breach.
fn of_breach(body: &Value, preposition: &str) -> String {
    match body
        .get("breach")
        .and_then(|b| b.get("title"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(title) => format!(" {preposition} “{}”", cut(title)),
        None => String::new(),
    }
}

/// Adds ": “reason”" when the body gives one.
fn with_reason(sentence: String, b: &Body) -> String {
    match b.excerpt(&["reason"]) {
        Some(reason) => format!("{sentence}: {reason}"),
        None => sentence,
    }
}

/// "Sam: breach severity changed: “Late again”" for kinds this table does
/// not know yet.
fn generic(who: &str, kind: &str, b: &Body) -> String {
    let humanised = humanise(kind);
    match b
        .quoted(&["title", "name"])
        .or_else(|| b.excerpt(&["text", "note", "answer"]))
    {
        Some(what) => format!("{who}: {humanised}: {what}"),
        None => format!("{who}: {humanised}"),
    }
}

/// `agreement.amendment_started` → "agreement amendment started".
fn humanise(kind: &str) -> String {
    kind.chars()
        .map(|c| {
            if c == '.' || c == '_' || c == '-' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn commitment(title: &Option<String>) -> String {
    title.clone().unwrap_or_else(|| "a commitment".into())
}

fn apology_answer(answer: &str) -> String {
    match answer {
        "accepted" | "accept" => "accepted it".into(),
        "not_ready" | "not_ready_yet" | "not-ready" => "not ready yet".into(),
        "not_accepted" | "declined" => "not accepted".into(),
        other => humanise(other),
    }
}

fn short_revision(rev: &str) -> String {
    if rev.len() > 12 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        rev[..8].to_string()
    } else {
        rev.to_string()
    }
}

/// " for 3 May 2026" when the body names the day.
fn on_date(b: &Body) -> String {
    b.text(&["date", "due_on", "on", "day", "held_on"])
        .map(|d| match d.parse::<jiff::civil::Date>() {
            Ok(date) => format!(" for {}", crate::web::time::long_date(date)),
            Err(_) => format!(" for {d}"),
        })
        .unwrap_or_default()
}

/// Whether a break was reported by the person who made the commitment or
/// observed by the other, from whichever field the body carries.
fn broken_how(b: &Body, author: Option<i64>) -> Option<&'static str> {
    if let Some(flag) = b.bool(&["self_reported"]) {
        return Some(if flag { "self-reported" } else { "observed" });
    }
    if let Some(how) = b.text(&["how", "source", "reported", "kind"]) {
        if how.contains("self") {
            return Some("self-reported");
        }
        if how.contains("observ") || how.contains("other") {
            return Some("observed");
        }
    }
    let owner = b.int(&["owner_id", "person_id", "owner"])?;
    Some(if Some(owner) == author {
        "self-reported"
    } else {
        "observed"
    })
}

fn rhythm(b: &Body) -> String {
    b.text(&["rhythm", "description"])
        .unwrap_or_else(|| "at a regular rhythm".into())
}

/// Defensive reading of a JSON body.
struct Body<'a>(&'a Value);

impl Body<'_> {
    /// The first of `keys` present as non-empty text (numbers are written out).
    fn text(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| match self.0.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    }

    /// A short text in typographic quotes, cut to a readable length.
    fn quoted(&self, keys: &[&str]) -> Option<String> {
        self.text(keys).map(|t| format!("“{}”", cut(&t)))
    }

    /// Like [`Body::quoted`], for long texts (only the start is quoted).
    fn excerpt(&self, keys: &[&str]) -> Option<String> {
        self.quoted(keys)
    }

    fn bool(&self, keys: &[&str]) -> Option<bool> {
        keys.iter()
            .find_map(|k| self.0.get(k).and_then(Value::as_bool))
    }

    fn int(&self, keys: &[&str]) -> Option<i64> {
        keys.iter()
            .find_map(|k| self.0.get(k).and_then(Value::as_i64))
    }
}

/// The first line of a text, at most [`EXCERPT`] characters, with "…" when cut.
fn cut(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(EXCERPT).collect();
    if line.chars().count() > EXCERPT || text.trim().lines().count() > 1 {
        out = out.trim_end().to_string();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new([(1, "Sam".to_string()), (2, "Alex".to_string())])
    }

    fn entry(author: Option<i64>, kind: &str, body: &str) -> Entry {
        Entry {
            seq: 1,
            at: "2026-03-01T09:00:00.000000Z".into(),
            author,
            kind: kind.into(),
            subject: "x/1".into(),
            body: body.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn say(author: i64, kind: &str, body: &str) -> String {
        sentence(&entry(Some(author), kind, body), &names())
    }

    #[test]
    fn known_kinds_read_as_sentences_with_names_and_fields() {
        assert_eq!(
            say(1, "breach.recorded", r#"{"title":"Late again"}"#),
            "Sam recorded a breach: “Late again”"
        );
        assert_eq!(say(1, "apology.sent", "{}"), "Sam sent an apology");
        assert_eq!(
            say(2, "apology.answered", r#"{"answer":"not_ready"}"#),
            "Alex answered the apology: not ready yet"
        );
        assert_eq!(
            say(
                2,
                "agreement.signed",
                r#"{"title":"Phones","revision":"abc123"}"#
            ),
            "Alex signed “Phones”, revision abc123"
        );
        assert_eq!(say(1, "copy.taken", "{}"), "Sam took a copy of the record");
        assert_eq!(
            say(1, "pair.time_zone_set", r#"{"time_zone":"Europe/Berlin"}"#),
            "Sam set the pair's time zone to Europe/Berlin"
        );
        assert_eq!(
            say(2, "account.created", r#"{"name":"Alex","via":"invite"}"#),
            "Alex joined with an invite"
        );
        assert_eq!(
            say(
                1,
                "noticed.written",
                r#"{"text":"You called when you said you would."}"#
            ),
            "Sam noticed a good change in Alex: “You called when you said you would.”"
        );
    }

    #[test]
    fn breaks_say_whether_they_were_self_reported_or_observed() {
        let own = say(
            1,
            "commitment.broken",
            r#"{"title":"Home by 10","date":"2026-03-02","owner_id":1}"#,
        );
        assert_eq!(
            own,
            "Sam recorded “Home by 10” as broken for 2 March 2026 (self-reported)"
        );
        let seen = say(
            2,
            "commitment.broken",
            r#"{"title":"Home by 10","owner_id":1}"#,
        );
        assert!(seen.ends_with("(observed)"), "{seen}");
        let flag = say(2, "commitment.broken", r#"{"self_reported":true}"#);
        assert!(flag.contains("a commitment") && flag.ends_with("(self-reported)"));
    }

    #[test]
    fn missing_or_odd_fields_say_less_and_never_panic() {
        for kind in [
            "breach.recorded",
            "agreement.signed",
            "commitment.kept",
            "commitment.broken",
            "apology.answered",
            "noticed.written",
            "checkin.held",
            "pair.time_zone_set",
            "made.up_kind",
        ] {
            for body in ["", "null", "[]", "{}", r#"{"title":5,"date":[1]}"#, "\u{0}"] {
                let text = say(1, kind, body);
                assert!(text.starts_with("Sam") || text.starts_with("A "), "{text}");
            }
        }
        assert_eq!(say(1, "breach.recorded", "{}"), "Sam recorded a breach");
    }

    #[test]
    fn living_with_a_breach_reads_as_sentences_without_any_trust_value() {
        let breach = r#""breach":{"id":1,"title":"Late again"}"#;
        assert_eq!(
            say(
                2,
                "question.asked",
                &format!(r#"{{{breach},"text":"Why then?"}}"#)
            ),
            "Alex asked Sam a question about “Late again”: “Why then?”"
        );
        assert_eq!(
            say(
                1,
                "question.answered",
                r#"{"question":"Why then?","answer":"I was afraid."}"#
            ),
            "Sam answered Alex's question: “I was afraid.”"
        );
        assert_eq!(
            say(1, "action.seen", "{}"),
            "Sam saw what Alex did to repair trust"
        );
        assert_eq!(
            say(
                2,
                "trust.sharing_changed",
                &format!(r#"{{{breach},"shared":true}}"#)
            ),
            "Alex chose to share their trust levels for “Late again” with Sam"
        );
        assert_eq!(
            say(2, "trust.restored", &format!("{{{breach}}}")),
            "Alex said trust is restored after “Late again”"
        );
        assert_eq!(
            say(1, "pause.requested", r#"{"reason":"I need a week."}"#),
            "Sam asked Alex for a pause: “I need a week.”"
        );
        // Even a body that (wrongly) carried a level would not be shown.
        let odd = say(
            2,
            "trust.sharing_changed",
            r#"{"shared":false,"level":7,"note":"zzz"}"#,
        );
        assert!(!odd.contains('7') && !odd.contains("zzz"), "{odd}");
    }

    #[test]
    fn unknown_kinds_get_a_readable_fallback() {
        assert_eq!(
            say(2, "breach.severity_changed", r#"{"title":"Late again"}"#),
            "Alex: breach severity changed: “Late again”"
        );
        assert_eq!(say(1, "zzz", "{}"), "Sam: zzz");
        assert_eq!(
            sentence(&entry(None, "commitment.pattern_flagged", "{}"), &names()),
            "A second break of a commitment within 30 days: this is now a pattern to talk about"
        );
    }

    #[test]
    fn long_texts_are_cut_to_an_excerpt() {
        let long = "a".repeat(500);
        let text = say(1, "noticed.written", &format!(r#"{{"text":"{long}"}}"#));
        assert!(text.chars().count() < 220);
        assert!(text.ends_with("…”"));
    }

    #[test]
    fn kinds_fall_into_their_categories() {
        assert_eq!(category("breach.recorded"), Category::Breaches);
        assert_eq!(category("understanding.explained"), Category::Breaches);
        assert_eq!(category("repair.asked"), Category::Breaches);
        assert_eq!(category("apology.sent"), Category::Apologies);
        assert_eq!(category("checkin.held"), Category::CheckIns);
        assert_eq!(category("pause.started"), Category::Trust);
        assert_eq!(category("trust.restored"), Category::Trust);
        assert_eq!(category("account.created"), Category::Account);
        assert_eq!(category("copy.taken"), Category::Account);
        assert_eq!(category("breach"), Category::Account);
        for c in Category::ALL {
            assert_eq!(Category::from_slug(c.slug()), Some(c));
        }
    }
}
