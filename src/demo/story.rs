//! The demo's story: Mira and Jonas, after Jonas hid a credit card and its
//! debt. The first weeks walk the whole repair path by hand; then daily
//! life runs from a queue of timed events (records, answers, check-ins,
//! noticed changes) until today, with a seeded random generator deciding
//! the small things, so the same seed on the same day tells the same story.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::{DemoPerson, Driver, Fields, Who, form};

/// The one who was hurt (sets the instance up).
pub const HURT: &str = "Mira";
/// The one who broke trust (joins by invite).
pub const BROKE: &str = "Jonas";

/// The day the routine starts, counted from the first day.
const ROUTINE_FROM: i64 = 18;
/// The two self-reported breaks that make the pattern, from the routine's start.
const PATTERN_DAYS: [i64; 2] = [30, 39];
/// When the agreement is amended, from the routine's start.
const AMEND_DAY: i64 = 60;

/// A time on a date in the pair's zone.
pub fn at(date: Date, hour: i8, minute: i8, tz: &TimeZone) -> Timestamp {
    date.at(hour, minute, 0, 0)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn plus(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Daily,
    Weekdays(Vec<Weekday>),
    Standing,
    OneOff(Date),
}

/// A commitment of the agreement, as the story knows it.
#[derive(Debug, Clone)]
struct Commitment {
    id: i64,
    owner: Who,
    text: &'static str,
    kind: Kind,
    from: Date,
    /// The repair request it was carried from, if any.
    request: Option<i64>,
}

impl Commitment {
    fn due_on(&self, day: Date) -> bool {
        if day < self.from {
            return false;
        }
        match &self.kind {
            Kind::Daily => true,
            Kind::Weekdays(days) => days.contains(&day.weekday()),
            Kind::Standing => false,
            Kind::OneOff(by) => *by == day,
        }
    }

    /// This commitment as a row of the agreement form (`c{i}_…`).
    fn row(&self, i: usize, carries: bool) -> Fields {
        let mut f = Vec::new();
        let key = |name: &str| format!("c{i}_{name}");
        if carries {
            f.push((key("carries"), self.id.to_string()));
        }
        if let Some(request) = self.request {
            f.push((key("request"), request.to_string()));
        }
        f.push((key("owner"), self.owner.id().to_string()));
        f.push((key("text"), self.text.to_string()));
        let (kind, from, by) = match &self.kind {
            Kind::Daily => ("daily", self.from.to_string(), String::new()),
            Kind::Weekdays(_) => ("weekdays", self.from.to_string(), String::new()),
            Kind::Standing => ("standing", String::new(), String::new()),
            Kind::OneOff(by) => ("one_off", String::new(), by.to_string()),
        };
        f.push((key("kind"), kind.to_string()));
        f.push((key("from"), from));
        f.push((key("n"), String::new()));
        f.push((key("by"), by));
        if let Kind::Weekdays(days) = &self.kind {
            for day in days {
                f.push((key("day"), weekday_value(*day).to_string()));
            }
        }
        f
    }
}

fn weekday_value(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// Something that happens at a set time.
#[derive(Debug, Clone)]
enum Event {
    /// Plans the day's routine.
    Day(Date),
    Record {
        c: usize,
        day: Date,
        outcome: &'static str,
        note: String,
    },
    Answer {
        record: i64,
        who: Who,
        answer: &'static str,
        note: String,
        /// For a dispute: how it is settled at the next check-in
        /// (`None`: either way).
        settle: Option<Dispute>,
    },
    Checkin(Date),
    Feeling {
        checkin: i64,
        who: Who,
    },
    Noticed {
        who: Who,
        day: Date,
    },
    Amend,
    /// Mira sees a break of a standing commitment that Jonas disputes.
    ObservedBreak,
    /// Mira asks Jonas a question about the breach; he answers later.
    Ask,
    AnswerQuestion {
        question: i64,
        follow_up: bool,
    },
    FollowUp {
        question: i64,
    },
    /// Jonas logs something he did to repair; Mira marks it seen later.
    Action,
    Seen {
        action: i64,
    },
    /// Mira records how much she trusts, 0–10.
    Trust {
        setback: bool,
    },
    Pause(Pausing),
    /// The small second breach, step by step, and trust restored on it.
    Second(u8),
}

/// The steps of a pause.
#[derive(Debug, Clone, Copy)]
enum Pausing {
    /// Mira pauses the repair herself.
    Start,
    /// Jonas asks for a pause; Mira accepts it.
    Request,
    Accept,
    Resume,
}

/// A dispute waiting for the next check-in, and who settles it how.
#[derive(Debug, Clone)]
struct Dispute {
    record: i64,
    who: Who,
    answer: &'static str,
}

struct Story<'a> {
    d: &'a mut Driver,
    rng: StdRng,
    tz: TimeZone,
    first_day: Date,
    today: Date,
    queue: BTreeMap<(Timestamp, u64), Event>,
    seq: u64,
    breach: i64,
    /// The small second breach, late in the story.
    second: i64,
    agreement: i64,
    commitments: Vec<Commitment>,
    /// Days on which the repair is paused (first and last day): recurring
    /// commitments are not recorded then.
    pauses: Vec<(Date, Date)>,
    /// The trust level Mira gave last.
    trust: i64,
    disputes: Vec<Dispute>,
    /// The last counted break per commitment (index), so random breaks
    /// never make a second pattern by chance.
    last_break: HashMap<usize, Date>,
    checkins: u32,
}

/// Plays the whole story, from setting up to today.
pub async fn play(
    driver: &mut Driver,
    people: &[DemoPerson],
    zone: &str,
    first_day: Date,
    today: Date,
    seed: u64,
) -> anyhow::Result<()> {
    let tz = crate::web::time::zone(zone);
    let mut story = Story {
        d: driver,
        rng: StdRng::seed_from_u64(seed),
        tz,
        first_day,
        today,
        queue: BTreeMap::new(),
        seq: 0,
        breach: 0,
        second: 0,
        agreement: 0,
        commitments: Vec::new(),
        pauses: Vec::new(),
        trust: 2,
        disputes: Vec::new(),
        last_break: HashMap::new(),
        checkins: 0,
    };
    story.begin(people, zone).await.context("setting up")?;
    story.repair_path().await.context("the repair path")?;
    story.run().await
}

impl Story<'_> {
    fn day(&self, n: i64) -> Date {
        plus(self.first_day, n)
    }

    /// Sets the clock to `hour:minute` on day `n` of the story.
    fn at_day(&mut self, n: i64, hour: i8, minute: i8) {
        let when = at(self.day(n), hour, minute, &self.tz);
        self.d.set_time(when);
    }

    fn schedule(&mut self, when: Timestamp, event: Event) {
        self.seq += 1;
        self.queue.insert((when, self.seq), event);
    }

    /// A time on `day` around `hour:minute`, give or take `spread` minutes.
    fn around(&mut self, day: Date, hour: i8, minute: i8, spread: i64) -> Timestamp {
        let jitter = self.rng.random_range(-spread..=spread);
        let base = at(day, hour, minute, &self.tz);
        base.checked_add(jiff::SignedDuration::from_mins(jitter))
            .unwrap_or(base)
    }

    /// How far into the story `day` is, from 0 to 1.
    fn progress(&self, day: Date) -> f64 {
        let total = (self.today - self.first_day).get_days().max(1);
        let done = (day - self.first_day).get_days();
        f64::from(done) / f64::from(total)
    }

    async fn post(&mut self, who: Who, path: &str, fields: Fields) -> anyhow::Result<String> {
        self.d.post(who, path, fields).await
    }

    // --- The first weeks: accounts and the whole repair path ---------------

    async fn begin(&mut self, people: &[DemoPerson], zone: &str) -> anyhow::Result<()> {
        for person in people {
            self.d.add_visitor(person);
        }
        let (mira, jonas) = (&people[0], &people[1]);
        let setup = self.d.setup_path().await?;
        self.post(
            Who::Hurt,
            &setup,
            form(&[
                ("name", &mira.name),
                ("password", &mira.password),
                ("password_again", &mira.password),
                ("time_zone", zone),
            ]),
        )
        .await?;
        self.at_day(0, 8, 5);
        self.post(Who::Hurt, "/recovery-codes/saved", Vec::new())
            .await?;
        let invite = self
            .d
            .post_for_page(Who::Hurt, "/invite", Vec::new())
            .await?;
        let start = invite
            .find("/join/")
            .context("the invite page shows no link")?;
        let join: String = invite[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '_' || *c == '-')
            .collect();
        self.at_day(0, 9, 10);
        self.post(
            Who::Broke,
            &join,
            form(&[
                ("name", &jonas.name),
                ("password", &jonas.password),
                ("password_again", &jonas.password),
            ]),
        )
        .await?;
        self.post(Who::Broke, "/recovery-codes/saved", Vec::new())
            .await?;
        // Both keep themselves signed in on their own device.
        self.d.sign_in(Who::Hurt).await?;
        self.d.sign_in(Who::Broke).await?;
        Ok(())
    }

    async fn repair_path(&mut self) -> anyhow::Result<()> {
        self.at_day(0, 20, 30);
        let happened = self.day(-1).to_string();
        let to = self
            .post(
                Who::Broke,
                "/breaches",
                form(&[
                    ("title", "Hid a second credit card and its debt"),
                    (
                        "what_happened",
                        "For fourteen months I used a credit card Mira did not know about, and \
                         had the statements sent to my work address. The debt grew to about \
                         9,000 €. When Mira asked why money was tight, I told her it was the \
                         rent increase. Yesterday I told her the truth.",
                    ),
                    ("happened_on", &happened),
                    ("seriousness", "serious"),
                    ("broke_trust", "2"),
                    ("first_telling", "yes"),
                ]),
            )
            .await?;
        let breach: i64 = to
            .trim_start_matches("/breaches/")
            .parse()
            .with_context(|| format!("no breach id in {to:?}"))?;
        self.breach = breach;
        let b = |step: &str| format!("/breaches/{breach}/{step}");
        self.at_day(0, 21, 15);
        self.post(
            Who::Hurt,
            &b("disclosure"),
            form(&[("choice", "confirmed")]),
        )
        .await?;

        // Understanding: one "not yet", then understood.
        self.at_day(1, 22, 0);
        self.post(
            Who::Hurt,
            &b("impact"),
            form(&[(
                "text",
                "I feel stupid for believing you, and I keep going back over every \
                 conversation about money we had this year. I checked our account three times \
                 today. What hurts most is that you looked at me and lied, more than once.",
            )]),
        )
        .await?;
        self.at_day(2, 21, 0);
        self.post(
            Who::Broke,
            &b("explanation"),
            form(&[
                (
                    "what_and_why",
                    "I opened the card when my freelance work dried up, because I was ashamed \
                     to earn less than you. Each month I meant to tell you and each month the \
                     number was bigger, so I hid the letters and made up reasons.",
                ),
                (
                    "their_feelings",
                    "You were angry about the money and worried about how we pay it back.",
                ),
            ]),
        )
        .await?;
        self.at_day(3, 20, 40);
        self.post(
            Who::Hurt,
            &b("understanding"),
            form(&[
                ("choice", "not_yet"),
                (
                    "note",
                    "You wrote about the money. It is the lying to my face that I cannot get \
                     past, and that I started to doubt my own memory.",
                ),
            ]),
        )
        .await?;
        self.at_day(4, 22, 10);
        self.post(
            Who::Hurt,
            &b("questions"),
            form(&[(
                "text",
                "Were you ever going to tell me if I had not found the letter?",
            )]),
        )
        .await?;
        let question = self
            .d
            .scalar("SELECT MAX(id) FROM questions WHERE breach_id = ?", breach)
            .await?;
        self.at_day(5, 19, 15);
        self.post(
            Who::Broke,
            &format!("/questions/{question}/answer"),
            form(&[(
                "text",
                "I told myself I would, once it was paid off. Honestly, I do not know if I \
                 would have. That is why I told you yesterday instead of waiting any longer.",
            )]),
        )
        .await?;
        self.at_day(5, 21, 30);
        self.post(
            Who::Broke,
            &b("explanation"),
            form(&[
                (
                    "what_and_why",
                    "I hid the card and I lied about it, again and again, to your face. I chose \
                     to protect my pride over being honest with you.",
                ),
                (
                    "their_feelings",
                    "You felt fooled and alone, and you began to doubt your own memory of our \
                     conversations. The money matters less to you than the lies.",
                ),
            ]),
        )
        .await?;
        self.at_day(6, 19, 45);
        self.post(
            Who::Hurt,
            &b("understanding"),
            form(&[("choice", "understood")]),
        )
        .await?;

        // The apology: "not ready", then a second one, accepted.
        self.at_day(7, 21, 10);
        self.apology(
            breach,
            "Mira, I lied to you about money for more than a year, and I lied again each time \
             you asked. I am sorry. It made you doubt yourself, and that is on me alone. I will \
             show you every account and statement, and I will pay the debt back from my own \
             share.",
        )
        .await?;
        let first = self
            .d
            .scalar("SELECT MAX(id) FROM apologies WHERE breach_id = ?", breach)
            .await?;
        self.at_day(8, 19, 20);
        let apology = |id: i64, what: &str| format!("/breaches/{breach}/apologies/{id}/{what}");
        self.post(Who::Hurt, &apology(first, "open"), Vec::new())
            .await?;
        self.at_day(8, 19, 50);
        self.post(
            Who::Hurt,
            &apology(first, "answer"),
            form(&[
                ("choice", "not_ready"),
                (
                    "note",
                    "I read it twice. I think you mean it. I am not ready to accept it yet.",
                ),
            ]),
        )
        .await?;
        self.at_day(12, 20, 30);
        self.apology(
            breach,
            "I am sorry for hiding the card and for every lie I told to cover it. You trusted \
             me with our money and our plans, and I broke that. I have given you the statements \
             and the passwords, and I will tell you about every payment until you say it is \
             enough.",
        )
        .await?;
        let second = self
            .d
            .scalar("SELECT MAX(id) FROM apologies WHERE breach_id = ?", breach)
            .await?;
        self.at_day(13, 19, 0);
        self.post(Who::Hurt, &apology(second, "open"), Vec::new())
            .await?;
        self.at_day(13, 19, 30);
        self.post(
            Who::Hurt,
            &apology(second, "answer"),
            form(&[
                ("choice", "accepted"),
                ("note", "Thank you. I accept it. Now I need to see it."),
            ]),
        )
        .await?;

        // The ask and the requests.
        self.at_day(13, 21, 0);
        self.post(
            Who::Broke,
            &b("ask"),
            form(&[("note", "Take your time. I will do what you ask.")]),
        )
        .await?;
        self.at_day(14, 20, 0);
        for text in [
            "Never open a credit card, loan or payment plan without telling me first.",
            "Tell me every evening what you spent, even when it is nothing.",
            "Keep the budget sheet up to date, twice a week.",
        ] {
            self.post(Who::Hurt, &b("requests"), form(&[("text", text)]))
                .await?;
        }
        let request = self
            .d
            .scalar(
                "SELECT MIN(id) FROM repair_requests WHERE breach_id = ?",
                breach,
            )
            .await?;

        // Both commit to repair, and agree on weekly check-ins.
        self.at_day(15, 20, 0);
        self.post(Who::Broke, &b("repair/propose"), Vec::new())
            .await?;
        self.at_day(15, 21, 0);
        self.post(Who::Hurt, &b("repair/confirm"), Vec::new())
            .await?;
        self.at_day(15, 21, 10);
        self.post(
            Who::Hurt,
            "/checkins/rhythm",
            form(&[("every", "week"), ("weekday", "sun")]),
        )
        .await?;
        let rhythm = self
            .d
            .scalar(
                "SELECT MAX(id) FROM checkin_rhythms WHERE proposed_by = ?",
                Who::Hurt.id(),
            )
            .await?;
        self.at_day(15, 21, 40);
        self.post(
            Who::Broke,
            &format!("/checkins/rhythm/{rhythm}/accept"),
            Vec::new(),
        )
        .await?;

        // The agreement: written by Mira, a request carried in by Jonas,
        // signed by both.
        self.at_day(16, 20, 0);
        let from = self.day(ROUTINE_FROM);
        let mut planned = vec![
            Commitment {
                id: 0,
                owner: Who::Broke,
                text: "Ten minutes each evening with Mira: what I spent today and how I am",
                kind: Kind::Daily,
                from,
                request: None,
            },
            Commitment {
                id: 0,
                owner: Who::Broke,
                text: "Update the shared budget sheet and tell Mira what changed",
                kind: Kind::Weekdays(vec![Weekday::Monday, Weekday::Thursday]),
                from,
                request: None,
            },
            Commitment {
                id: 0,
                owner: Who::Hurt,
                text: "I will ask Jonas, instead of checking his phone or his post",
                kind: Kind::Standing,
                from,
                request: None,
            },
            Commitment {
                id: 0,
                owner: Who::Hurt,
                text: "Plan an afternoon for just the two of us",
                kind: Kind::Weekdays(vec![Weekday::Saturday]),
                from,
                request: None,
            },
        ];
        let mut fields = form(&[
            ("breach_id", &breach.to_string()),
            ("title", "Money, honesty and time together"),
            (
                "body",
                "We agree to be open about money from now on. Jonas pays the card back from \
                 his own share; Mira has full access to every account. We talk every evening, \
                 keep the budget together, and keep some time for just the two of us.\n\n\
                 We look at this agreement again at our check-ins.",
            ),
            ("ends_on", ""),
            ("action", "save"),
        ]);
        for (i, c) in planned.iter().enumerate() {
            fields.extend(c.row(i, false));
        }
        let to = self.post(Who::Hurt, "/agreements", fields).await?;
        let agreement: i64 = to
            .trim_start_matches("/agreements/")
            .parse()
            .with_context(|| format!("no agreement id in {to:?}"))?;
        self.agreement = agreement;
        self.at_day(16, 21, 0);
        self.post(
            Who::Broke,
            &format!("/requests/{request}/agreement"),
            form(&[("target", &agreement.to_string())]),
        )
        .await?;
        planned.push(Commitment {
            id: 0,
            owner: Who::Broke,
            text: "Never open a credit card, loan or payment plan without telling me first.",
            kind: Kind::Standing,
            from,
            request: Some(request),
        });
        self.at_day(16, 21, 10);
        self.propose_and_sign(Who::Broke, (16, 21, 12), (17, 8, 30))
            .await?;
        for c in &mut planned {
            c.id = commitment_id(self.d, agreement, c.text).await?;
        }
        self.commitments = planned;

        // Mira's first trust level, shared with Jonas from the start.
        self.at_day(17, 22, 0);
        self.post(
            Who::Hurt,
            &b("trust"),
            form(&[
                ("level", "2"),
                ("note", "Low. I want to see what the next weeks look like."),
            ]),
        )
        .await?;
        self.post(Who::Hurt, &b("trust/sharing"), form(&[("shared", "yes")]))
            .await?;
        Ok(())
    }

    async fn apology(&mut self, breach: i64, text: &str) -> anyhow::Result<()> {
        self.post(
            Who::Broke,
            &format!("/breaches/{breach}/apology"),
            form(&[
                ("text", text),
                ("took_responsibility", "yes"),
                ("named_harm", "yes"),
                ("offered_repair", "yes"),
                ("intent", "send"),
            ]),
        )
        .await?;
        Ok(())
    }

    /// Proposes the agreement's current revision as `by`, who signs at
    /// `first`; the other signs at `second` (day, hour, minute).
    async fn propose_and_sign(
        &mut self,
        by: Who,
        first: (i64, i8, i8),
        second: (i64, i8, i8),
    ) -> anyhow::Result<()> {
        let id = self.agreement;
        let revision = self
            .d
            .scalar(
                "SELECT current_revision_id FROM agreements WHERE id = ?",
                id,
            )
            .await?
            .to_string();
        self.post(
            by,
            &format!("/agreements/{id}/propose"),
            form(&[("revision", &revision)]),
        )
        .await?;
        self.at_day(first.0, first.1, first.2);
        self.post(
            by,
            &format!("/agreements/{id}/sign"),
            form(&[("revision", &revision)]),
        )
        .await?;
        self.at_day(second.0, second.1, second.2);
        self.post(
            by.other(),
            &format!("/agreements/{id}/sign"),
            form(&[("revision", &revision)]),
        )
        .await?;
        Ok(())
    }

    // --- Daily life, from a queue of timed events -------------------------

    async fn run(&mut self) -> anyhow::Result<()> {
        let routine = self.day(ROUTINE_FROM);
        let first = at(routine, 0, 1, &self.tz);
        self.schedule(first, Event::Day(routine));
        let amend = self.day(ROUTINE_FROM + AMEND_DAY);
        let amend_at = at(amend, 20, 15, &self.tz);
        self.schedule(amend_at, Event::Amend);
        let total = (self.today - self.first_day).get_days();
        let observed = self.day((i64::from(total) * 9 / 20).max(ROUTINE_FROM + 100));
        let observed_at = at(observed, 19, 5, &self.tz);
        self.schedule(observed_at, Event::ObservedBreak);
        // Mira pauses for two and a half weeks in the first half year; in a
        // long story Jonas later asks for a pause of his own.
        self.plan_pause(ROUTINE_FROM + 150, 17, Pausing::Start);
        if total >= 700 {
            self.plan_pause(i64::from(total) * 11 / 20, 10, Pausing::Request);
        }
        // The small second breach, late, and trust restored on it.
        if total >= 200 {
            let start = (i64::from(total) - 80).max(ROUTINE_FROM + 200);
            let steps: [(i64, i8, i8); 8] = [
                (0, 20, 0),
                (0, 21, 0),
                (1, 21, 30),
                (2, 20, 45),
                (3, 19, 50),
                (4, 21, 0),
                (5, 19, 30),
                ((i64::from(total) - start - 5).min(60), 21, 15),
            ];
            for (step, (days, hour, minute)) in steps.into_iter().enumerate() {
                let when = at(self.day(start + days), hour, minute, &self.tz);
                self.schedule(when, Event::Second(step as u8));
            }
        }
        while let Some(((when, _), event)) = self.queue.pop_first() {
            if !self.d.set_time(when) {
                // Everything left is still to come.
                break;
            }
            let what = format!("{event:?}");
            self.happen(event)
                .await
                .with_context(|| format!("at {when}: {what}"))?;
        }
        self.d.post(Who::Hurt, "/logout", Vec::new()).await?;
        self.d.post(Who::Broke, "/logout", Vec::new()).await?;
        Ok(())
    }

    async fn happen(&mut self, event: Event) -> anyhow::Result<()> {
        match event {
            Event::Day(day) => self.plan(day),
            Event::Record {
                c,
                day,
                outcome,
                note,
            } => self.record(c, day, outcome, note).await?,
            Event::Answer {
                record,
                who,
                answer,
                note,
                settle,
            } => {
                self.post(
                    who,
                    &format!("/commitments/records/{record}/answer"),
                    form(&[("answer", answer), ("note", &note)]),
                )
                .await?;
                if answer == "dispute" {
                    // Settled at the next check-in, one way or the other.
                    let settle = if let Some(settle) = settle {
                        settle
                    } else if self.rng.random_bool(0.5) {
                        Dispute {
                            record,
                            who,
                            answer: "withdraw_dispute",
                        }
                    } else {
                        Dispute {
                            record,
                            who: who.other(),
                            answer: "accept_dispute",
                        }
                    };
                    self.disputes.push(settle);
                }
            }
            Event::Checkin(day) => self.checkin(day).await?,
            Event::Feeling { checkin, who } => {
                let feeling = self.pick(feelings(who)).to_string();
                self.post(
                    who,
                    &format!("/checkins/{checkin}/feeling"),
                    form(&[("feeling", &feeling)]),
                )
                .await?;
            }
            Event::Noticed { who, day } => {
                let text = self.pick(noticed(who)).to_string();
                self.post(
                    who,
                    "/noticed",
                    form(&[("text", &text), ("happened_on", &day.to_string())]),
                )
                .await?;
            }
            Event::Amend => self.amend().await?,
            Event::ObservedBreak => self.observed_break().await?,
            Event::Ask => self.ask().await?,
            Event::AnswerQuestion {
                question,
                follow_up,
            } => {
                let text = self.pick(ANSWERS).to_string();
                self.post(
                    Who::Broke,
                    &format!("/questions/{question}/answer"),
                    form(&[("text", &text)]),
                )
                .await?;
                if follow_up {
                    let when = self.d.now() + jiff::SignedDuration::from_hours(20);
                    self.schedule(when, Event::FollowUp { question });
                }
            }
            Event::FollowUp { question } => {
                let text = self.pick(FOLLOW_UPS).to_string();
                self.post(
                    Who::Hurt,
                    &format!("/questions/{question}/follow-ups"),
                    form(&[("text", &text)]),
                )
                .await?;
            }
            Event::Action => self.action().await?,
            Event::Seen { action } => {
                let word = if self.rng.random_bool(0.4) {
                    self.pick(SEEN_WORDS).to_string()
                } else {
                    String::new()
                };
                self.post(
                    Who::Hurt,
                    &format!("/actions/{action}/seen"),
                    form(&[("word", &word)]),
                )
                .await?;
            }
            Event::Trust { setback } => self.trust(setback).await?,
            Event::Pause(step) => self.pause(step).await?,
            Event::Second(step) => self.second_breach(step).await?,
        }
        Ok(())
    }

    /// Keeps `days` days from day `from` free of recurring records and
    /// schedules the pause's start and end.
    fn plan_pause(&mut self, from: i64, days: i64, how: Pausing) {
        let first = self.day(from);
        let last = self.day(from + days);
        if last >= self.today {
            return;
        }
        self.pauses.push((first, last));
        let start = at(first, 7, 30, &self.tz);
        self.schedule(start, Event::Pause(how));
        if let Pausing::Request = how {
            let accept = at(first, 8, 15, &self.tz);
            self.schedule(accept, Event::Pause(Pausing::Accept));
        }
        let end = at(last, 9, 0, &self.tz);
        self.schedule(end, Event::Pause(Pausing::Resume));
    }

    fn paused(&self, day: Date) -> bool {
        self.pauses
            .iter()
            .any(|(first, last)| *first <= day && day <= *last)
    }

    async fn ask(&mut self) -> anyhow::Result<()> {
        let breach = self.breach;
        let text = self.pick(QUESTIONS).to_string();
        self.post(
            Who::Hurt,
            &format!("/breaches/{breach}/questions"),
            form(&[("text", &text)]),
        )
        .await?;
        let question = self
            .d
            .scalar("SELECT MAX(id) FROM questions WHERE breach_id = ?", breach)
            .await?;
        // Most answers come the next evening, some after a few days.
        let wait = if self.rng.random_bool(0.75) { 1 } else { 3 };
        let today = crate::web::time::today(self.d.now(), &self.tz);
        let when = self.around(plus(today, wait), 20, 30, 40);
        let follow_up = self.rng.random_bool(0.25);
        self.schedule(
            when,
            Event::AnswerQuestion {
                question,
                follow_up,
            },
        );
        Ok(())
    }

    async fn action(&mut self) -> anyhow::Result<()> {
        let breach = self.breach;
        let today = crate::web::time::today(self.d.now(), &self.tz);
        let (what, request) = *ACTIONS.choose(&mut self.rng).unwrap_or(&ACTIONS[0]);
        let request = if request {
            self.d
                .scalar(
                    "SELECT MIN(id) FROM repair_requests WHERE breach_id = ?",
                    breach,
                )
                .await?
                .to_string()
        } else {
            String::new()
        };
        self.post(
            Who::Broke,
            &format!("/breaches/{breach}/actions"),
            form(&[
                ("what", what),
                ("done_on", &today.to_string()),
                ("request", &request),
            ]),
        )
        .await?;
        let action = self
            .d
            .scalar(
                "SELECT MAX(id) FROM repair_actions WHERE breach_id = ?",
                breach,
            )
            .await?;
        // Mira sees most of them within a day or two; a few stay unseen.
        if self.rng.random_bool(0.85) {
            let later = plus(today, self.rng.random_range(1..=2));
            let when = self.around(later, 7, 45, 30);
            self.schedule(when, Event::Seen { action });
        }
        Ok(())
    }

    /// Mira's trust level: rising over the months, with setbacks after a
    /// break, in her own words and numbers (the app computes nothing).
    async fn trust(&mut self, setback: bool) -> anyhow::Result<()> {
        let today = crate::web::time::today(self.d.now(), &self.tz);
        // Up over about a year and a half, a step at a time.
        let months = f64::from((today - self.day(ROUTINE_FROM)).get_days()) / 30.0;
        let trend = 2.0 + 6.5 * (months / 18.0).clamp(0.0, 1.0).powf(0.7);
        let noise: f64 = self.rng.random_range(-0.8..0.8);
        let mut level = ((trend + noise).round() as i64).clamp(self.trust - 1, self.trust + 2);
        let note = if setback {
            level = (self.trust - self.rng.random_range(1..=2)).max(1);
            self.pick(SETBACK_NOTES).to_string()
        } else {
            if self.rng.random_bool(0.3) {
                self.pick(TRUST_NOTES).to_string()
            } else {
                String::new()
            }
        };
        let level = level.clamp(0, 10);
        self.trust = level;
        let breach = self.breach;
        self.post(
            Who::Hurt,
            &format!("/breaches/{breach}/trust"),
            form(&[("level", &level.to_string()), ("note", &note)]),
        )
        .await?;
        Ok(())
    }

    async fn pause(&mut self, step: Pausing) -> anyhow::Result<()> {
        let b = |what: &str| format!("/breaches/{}/pause{what}", self.breach);
        match step {
            Pausing::Start => {
                self.post(
                    Who::Hurt,
                    &b(""),
                    form(&[(
                        "note",
                        "My mother is in hospital. I need a few weeks without the evening \
                         talks; the rest stays as it is.",
                    )]),
                )
                .await?;
            }
            Pausing::Request => {
                self.post(
                    Who::Broke,
                    &b("/request"),
                    form(&[(
                        "note",
                        "The first week at the new job is very long; could we pause the \
                         daily things for ten days?",
                    )]),
                )
                .await?;
            }
            Pausing::Accept => {
                self.post(
                    Who::Hurt,
                    &b("/accept"),
                    form(&[("note", "Yes, of course.")]),
                )
                .await?;
            }
            Pausing::Resume => {
                self.post(
                    Who::Hurt,
                    &b("/resume"),
                    form(&[("note", "Back to our evenings.")]),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A small second breach late in the story: Jonas keeps a parking fine
    /// to himself for three weeks, tells Mira, they walk the path quickly,
    /// and weeks later Mira says trust is restored on it.
    async fn second_breach(&mut self, step: u8) -> anyhow::Result<()> {
        if step == 0 {
            let today = crate::web::time::today(self.d.now(), &self.tz);
            let to = self
                .post(
                    Who::Broke,
                    "/breaches",
                    form(&[
                        ("title", "Kept a parking fine to myself"),
                        (
                            "what_happened",
                            "I got a parking fine three weeks ago and paid it without \
                             telling Mira, because I did not want to spoil a good week. \
                             It is small, and it is exactly what I promised not to do.",
                        ),
                        ("happened_on", &plus(today, -21).to_string()),
                        ("seriousness", "lapse"),
                        ("broke_trust", "2"),
                        ("first_telling", "yes"),
                    ]),
                )
                .await?;
            self.second = to
                .trim_start_matches("/breaches/")
                .parse()
                .with_context(|| format!("no breach id in {to:?}"))?;
            return Ok(());
        }
        let id = self.second;
        let b = |what: &str| format!("/breaches/{id}/{what}");
        match step {
            1 => {
                self.post(
                    Who::Hurt,
                    &b("disclosure"),
                    form(&[("choice", "confirmed")]),
                )
                .await?;
            }
            2 => {
                self.post(
                    Who::Hurt,
                    &b("impact"),
                    form(&[(
                        "text",
                        "It is only a fine, and it still took me straight back to the \
                         letters. I was more frightened than angry.",
                    )]),
                )
                .await?;
            }
            3 => {
                self.post(
                    Who::Broke,
                    &b("explanation"),
                    form(&[
                        (
                            "what_and_why",
                            "I paid it quietly because I wanted to keep a good week good. \
                             Hiding it was the old habit, not a plan.",
                        ),
                        (
                            "their_feelings",
                            "Frightened that it is starting again, more than angry.",
                        ),
                    ]),
                )
                .await?;
            }
            4 => {
                self.post(
                    Who::Hurt,
                    &b("understanding"),
                    form(&[("choice", "understood")]),
                )
                .await?;
            }
            5 => {
                self.apology(
                    id,
                    "I am sorry I kept the fine from you. It was small, and keeping it \
                     quiet was exactly the old habit. From now on I will tell you the same \
                     day, even about small things.",
                )
                .await?;
            }
            6 => {
                let apology = self
                    .d
                    .scalar("SELECT MAX(id) FROM apologies WHERE breach_id = ?", id)
                    .await?;
                let a = |what: &str| format!("/breaches/{id}/apologies/{apology}/{what}");
                self.post(Who::Hurt, &a("open"), Vec::new()).await?;
                self.post(
                    Who::Hurt,
                    &a("answer"),
                    form(&[
                        ("choice", "accepted"),
                        ("note", "Accepted. Thank you for telling me."),
                    ]),
                )
                .await?;
            }
            _ => {
                self.post(
                    Who::Hurt,
                    &b("restored"),
                    form(&[(
                        "note",
                        "You told me yourself, and you have told me every small thing since. \
                         This one is behind us.",
                    )]),
                )
                .await?;
            }
        }
        Ok(())
    }

    fn pick<'t>(&mut self, from: &'t [&'t str]) -> &'t str {
        from.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// Plans one day: each due commitment's record (or none), the weekly
    /// "still keeping this", the check-in, now and then a noticed change.
    fn plan(&mut self, day: Date) {
        let next = plus(day, 1);
        if next <= self.today {
            let when = at(next, 0, 1, &self.tz);
            self.schedule(when, Event::Day(next));
        }
        let progress = self.progress(day);
        let routine_day = i64::from((day - self.day(ROUTINE_FROM)).get_days());
        for i in 0..self.commitments.len() {
            let c = self.commitments[i].clone();
            if c.kind == Kind::Standing {
                let keeps = if c.owner == Who::Broke { 0.75 } else { 0.5 };
                if day.weekday() == Weekday::Sunday && day > c.from && self.rng.random_bool(keeps) {
                    let when = self.around(day, 21, 40, 20);
                    self.schedule(
                        when,
                        Event::Record {
                            c: i,
                            day,
                            outcome: "still_keeping",
                            note: String::new(),
                        },
                    );
                }
                continue;
            }
            if !c.due_on(day) || self.paused(day) {
                continue;
            }
            let forced = i == 0 && PATTERN_DAYS.contains(&routine_day);
            let quiet_month = self
                .last_break
                .get(&i)
                .is_none_or(|last| (day - *last).get_days() > 45);
            // Breaks get rarer as time goes on; a day left unrecorded a
            // little more common.
            let p_break = 0.035 - 0.025 * progress;
            let p_unrecorded = 0.03 + 0.04 * progress;
            let roll: f64 = self.rng.random();
            let (outcome, note) = if forced {
                ("broken", self.pick(BREAK_NOTES).to_string())
            } else if matches!(c.kind, Kind::OneOff(_)) {
                ("kept", "Done. The letter is on the fridge.".to_string())
            } else if roll < p_unrecorded {
                continue;
            } else if roll < p_unrecorded + p_break
                && quiet_month
                && routine_day > PATTERN_DAYS[1] + 40
            {
                ("broken", self.pick(BREAK_NOTES).to_string())
            } else {
                let note = if self.rng.random_bool(0.15) {
                    self.pick(KEPT_NOTES).to_string()
                } else {
                    String::new()
                };
                ("kept", note)
            };
            if outcome == "broken" {
                self.last_break.insert(i, day);
            }
            let (hour, minute) = match (&c.kind, c.owner) {
                (Kind::Daily, _) => (21, 50),
                (_, Who::Hurt) => (19, 30),
                _ => (20, 30),
            };
            let when = self.around(day, hour, minute, 25);
            self.schedule(
                when,
                Event::Record {
                    c: i,
                    day,
                    outcome,
                    note,
                },
            );
        }
        if day.weekday() == Weekday::Sunday {
            let when = self.around(day, 18, 0, 30);
            self.schedule(when, Event::Checkin(day));
        }
        // Questions, repair actions and trust levels: often at first,
        // less often as the months go by.
        let early = progress < 0.1 || routine_day < 120;
        if self.rng.random_bool(if early { 0.04 } else { 0.008 }) {
            let when = self.around(day, 22, 30, 20);
            self.schedule(when, Event::Ask);
        }
        if self.rng.random_bool(if early { 0.1 } else { 0.03 }) {
            let when = self.around(day, 19, 0, 40);
            self.schedule(when, Event::Action);
        }
        let recent_break = self
            .last_break
            .values()
            .any(|last| *last < day && (day - *last).get_days() <= 2);
        if recent_break && self.rng.random_bool(0.5) {
            let when = self.around(day, 22, 45, 10);
            self.schedule(when, Event::Trust { setback: true });
        } else if self.rng.random_bool(if early { 0.08 } else { 0.03 }) {
            let when = self.around(day, 22, 45, 10);
            self.schedule(when, Event::Trust { setback: false });
        }
        if self.rng.random_bool(0.07) {
            let who = if self.rng.random_bool(0.55) {
                Who::Hurt
            } else {
                Who::Broke
            };
            let when = self.around(day, 22, 15, 30);
            self.schedule(when, Event::Noticed { who, day });
        }
    }

    async fn record(
        &mut self,
        c: usize,
        day: Date,
        outcome: &'static str,
        note: String,
    ) -> anyhow::Result<()> {
        let commitment = self.commitments[c].clone();
        let who = if outcome == "broken" && commitment.kind == Kind::Standing {
            commitment.owner.other()
        } else {
            commitment.owner
        };
        self.post(
            who,
            &format!("/commitments/{}/record", commitment.id),
            form(&[
                ("day", &day.to_string()),
                ("outcome", outcome),
                ("note", &note),
            ]),
        )
        .await?;
        if outcome != "kept" {
            return Ok(());
        }
        let record = self
            .d
            .scalar(
                "SELECT MAX(id) FROM commitment_records WHERE commitment_id = ?",
                commitment.id,
            )
            .await?;
        // The other person confirms most claims, disputes a very few, and
        // lets the rest count after 7 days.
        let other = commitment.owner.other();
        let p_confirm = 0.75 - 0.35 * self.progress(day);
        let roll: f64 = self.rng.random();
        let next = plus(day, 1);
        if roll < 0.012 {
            let when = self.around(next, 8, 10, 20);
            let note = self.pick(DISPUTE_NOTES).to_string();
            self.schedule(
                when,
                Event::Answer {
                    record,
                    who: other,
                    answer: "dispute",
                    note,
                    settle: None,
                },
            );
        } else if roll < 0.012 + p_confirm {
            let when = self.around(next, 8, 10, 40);
            self.schedule(
                when,
                Event::Answer {
                    record,
                    who: other,
                    answer: "confirm",
                    note: String::new(),
                    settle: None,
                },
            );
        }
        Ok(())
    }

    /// A check-in on a Sunday: most weeks it happens. Open disputes are
    /// settled first; one writes the notes and their feeling, the other
    /// adds theirs a little later (or the next day, or not at all).
    async fn checkin(&mut self, day: Date) -> anyhow::Result<()> {
        let progress = self.progress(day);
        if !self.rng.random_bool(0.93 - 0.1 * progress) && self.disputes.is_empty() {
            return Ok(());
        }
        let settled = std::mem::take(&mut self.disputes);
        for dispute in &settled {
            self.post(
                dispute.who,
                &format!("/commitments/records/{}/answer", dispute.record),
                form(&[
                    ("answer", dispute.answer),
                    ("note", "We talked it through at the check-in."),
                ]),
            )
            .await?;
        }
        self.checkins += 1;
        let writer = if self.checkins.is_multiple_of(2) {
            Who::Hurt
        } else {
            Who::Broke
        };
        let mut notes = self.pick(CHECKIN_NOTES).to_string();
        if !settled.is_empty() {
            notes.push_str(" We also settled the open dispute from this week.");
        }
        let feeling = self.pick(feelings(writer)).to_string();
        let to = self
            .post(
                writer,
                "/checkins",
                form(&[
                    ("held_on", &day.to_string()),
                    ("notes", &notes),
                    ("feeling", &feeling),
                ]),
            )
            .await?;
        let checkin: i64 = to
            .trim_start_matches("/checkins/")
            .parse()
            .with_context(|| format!("no check-in id in {to:?}"))?;
        let roll: f64 = self.rng.random();
        let who = writer.other();
        if roll < 0.8 {
            let when = self.d.now() + jiff::SignedDuration::from_mins(25);
            self.schedule(when, Event::Feeling { checkin, who });
        } else if roll < 0.92 {
            let when = self.around(plus(day, 1), 8, 0, 30);
            self.schedule(when, Event::Feeling { checkin, who });
        }
        Ok(())
    }

    /// Mira starts an amendment that adds a one-off (closing the card);
    /// everything else is carried unchanged, so it keeps its history.
    async fn amend(&mut self) -> anyhow::Result<()> {
        let id = self.agreement;
        self.post(Who::Hurt, &format!("/agreements/{id}/amend"), Vec::new())
            .await?;
        let base = self
            .d
            .scalar(
                "SELECT current_revision_id FROM agreements WHERE id = ?",
                id,
            )
            .await?;
        let today = crate::web::time::today(self.d.now(), &self.tz);
        let by = plus(today, 14);
        let new = Commitment {
            id: 0,
            owner: Who::Broke,
            text: "Close the second credit card and show Mira the letter",
            kind: Kind::OneOff(by),
            from: plus(today, 1),
            request: None,
        };
        let mut fields = form(&[
            ("base_revision", &base.to_string()),
            ("title", "Money, honesty and time together"),
            (
                "body",
                "We agree to be open about money from now on. Jonas pays the card back from \
                 his own share; Mira has full access to every account. We talk every evening, \
                 keep the budget together, and keep some time for just the two of us.\n\n\
                 Amended after two months: the card is paid off, so it gets closed.\n\n\
                 We look at this agreement again at our check-ins.",
            ),
            ("ends_on", ""),
            ("action", "save"),
        ]);
        for (i, c) in self.commitments.iter().enumerate() {
            fields.extend(c.row(i, true));
        }
        fields.extend(new.row(self.commitments.len(), false));
        self.post(Who::Hurt, &format!("/agreements/{id}/edit"), fields)
            .await?;
        let n = i64::from((today - self.first_day).get_days());
        self.propose_and_sign(Who::Hurt, (n, 20, 40), (n, 21, 5))
            .await?;
        let mut added = new;
        added.id = commitment_id(self.d, id, added.text).await?;
        self.commitments.push(added);
        Ok(())
    }

    /// Mira records a break she believes she saw of Jonas's standing
    /// commitment; Jonas disputes it the next morning with his side, and at
    /// the check-in Mira accepts the dispute, so it does not count.
    async fn observed_break(&mut self) -> anyhow::Result<()> {
        let Some(c) = self
            .commitments
            .iter()
            .position(|c| c.kind == Kind::Standing && c.owner == Who::Broke)
        else {
            return Ok(());
        };
        let id = self.commitments[c].id;
        let today = crate::web::time::today(self.d.now(), &self.tz);
        self.post(
            Who::Hurt,
            &format!("/commitments/{id}/record"),
            form(&[
                ("day", &today.to_string()),
                ("outcome", "broken"),
                (
                    "note",
                    "A letter from a phone shop came: a payment plan for a new phone. You did \
                     not tell me.",
                ),
            ]),
        )
        .await?;
        let record = self
            .d
            .scalar(
                "SELECT MAX(id) FROM commitment_records WHERE commitment_id = ?",
                id,
            )
            .await?;
        let when = self.around(plus(today, 1), 7, 50, 10);
        self.schedule(
            when,
            Event::Answer {
                record,
                who: Who::Broke,
                answer: "dispute",
                note: "It is the plan for your phone that we chose together in the shop; the \
                       letter came to me because the contract is in my name."
                    .to_string(),
                settle: Some(Dispute {
                    record,
                    who: Who::Hurt,
                    answer: "accept_dispute",
                }),
            },
        );
        Ok(())
    }
}

/// A commitment's id, by its agreement and text.
async fn commitment_id(d: &Driver, agreement: i64, text: &str) -> anyhow::Result<i64> {
    sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(id) FROM commitments WHERE agreement_id = ? AND text = ?",
    )
    .bind(agreement)
    .bind(text)
    .fetch_one(&d.state.db.readers)
    .await?
    .with_context(|| format!("the commitment {text:?} was not made"))
}

const QUESTIONS: &[&str] = &[
    "What did you tell yourself each month when the statement came?",
    "Did anyone else know about the card?",
    "What did you buy with it? I would rather know.",
    "When you said the rent went up, had you planned that answer?",
    "Are there any other accounts I do not know about?",
    "What would make it easier for you to tell me bad news?",
    "How do you feel when we sit down with the budget?",
    "Is there anything about money you still find hard to say to me?",
];

const ANSWERS: &[&str] = &[
    "I told myself next month would be better, and that I would tell you then.",
    "Nobody knew. That made it easier to pretend, and harder to stop.",
    "Mostly the things I said my clients paid for, and two weekends away with my brother.",
    "Yes. I had thought about it in the car. That is the worst part for me too.",
    "No. You have seen every account, and you can ask the bank yourself if it helps.",
    "Knowing you will not go quiet for days. Our evenings help with that.",
    "Nervous at the start, then relieved every time.",
    "Saying that I earn less than I want to. I am working on it.",
];

const FOLLOW_UPS: &[&str] = &[
    "Thank you. Can we talk about this at the next check-in?",
    "I believe you. It still hurts to read.",
    "That helps. I would like to know more about the weekends.",
];

/// What Jonas logs as done to repair, and whether it serves the first request.
const ACTIONS: &[(&str, bool)] = &[
    ("Showed Mira the new bank statement the day it came.", true),
    (
        "Set up the monthly transfer that pays back the card from my account.",
        false,
    ),
    (
        "Told my brother what happened, so there is no secret between us any more.",
        false,
    ),
    (
        "Cancelled the store card I had forgotten about, and showed Mira the letter.",
        true,
    ),
    (
        "Went to the debt counselling appointment and brought the notes home.",
        false,
    ),
    (
        "Gave Mira the passwords to every account and the app on her phone.",
        true,
    ),
    (
        "Said no to a payment plan at the electronics shop and told Mira that evening.",
        true,
    ),
];

const SEEN_WORDS: &[&str] = &["Thank you.", "I saw it.", "This matters to me.", "Noticed."];

const TRUST_NOTES: &[&str] = &[
    "A bit more than last time.",
    "The evenings help.",
    "Good weeks, but I still check the post.",
    "Steady.",
    "I notice I do not check his phone any more.",
];

const SETBACK_NOTES: &[&str] = &[
    "After the missed evening talk. It is one evening, and it still knocks me back.",
    "Down again after this week. It shakes me more than it should.",
];

const KEPT_NOTES: &[&str] = &[
    "Groceries and a train ticket, nothing else.",
    "Nothing spent today. Tired but good.",
    "Paid the electricity bill; told Mira before.",
    "Short one tonight, we were both tired.",
    "We talked for almost an hour.",
    "Bought a present for your sister, 35 €.",
    "Done at breakfast, because of the late shift.",
];

const BREAK_NOTES: &[&str] = &[
    "I forgot, and only remembered in bed.",
    "I got home late and avoided it. Not good.",
    "I skipped it because I did not want to talk about the car repair.",
    "Missed it; I was out with colleagues and did not call.",
];

const DISPUTE_NOTES: &[&str] = &[
    "We did not really talk; you read out the numbers and went to bed.",
    "I do not remember this one; I think we skipped it.",
];

const CHECKIN_NOTES: &[&str] = &[
    "We went through the week. The evenings are getting easier.",
    "Hard one. Talked about the debt again, and about trust more than money.",
    "Short check-in; both tired. Nothing open.",
    "We looked at the budget sheet together and planned the holidays.",
    "Talked about what still makes Mira anxious: post arriving, the phone face down.",
    "Good week. We laughed about the first awkward evening talks.",
    "Jonas talked about his work worries without being asked. That was new.",
    "We agreed to keep the Saturdays even when there is a lot going on.",
];

fn feelings(who: Who) -> &'static [&'static str] {
    match who {
        Who::Hurt => &[
            "Calmer than last week.",
            "Still wary, but less tense.",
            "Tired. Some doubt today.",
            "Hopeful.",
            "Sad about what happened, glad about how we talk now.",
            "Close to you.",
        ],
        Who::Broke => &[
            "Relieved that we keep talking.",
            "Ashamed when we came back to the debt, then lighter.",
            "Grateful.",
            "Nervous at first, good at the end.",
            "Steady.",
            "Hopeful.",
        ],
    }
}

fn noticed(who: Who) -> &'static [&'static str] {
    match who {
        Who::Hurt => &[
            "Jonas showed me a bank letter before I even asked.",
            "He told me about a mistake at work straight away, instead of hiding it.",
            "He left his phone on the table all evening without thinking about it.",
            "He said no to an expensive trip with friends and told me why.",
            "He asked how I was doing with all this, and listened.",
            "He brought up the budget himself.",
        ],
        Who::Broke => &[
            "Mira asked me about a parcel instead of opening it.",
            "Mira laughed at my joke about the spreadsheet; it felt like before.",
            "Mira told me when she felt anxious instead of going quiet.",
            "Mira planned a whole Saturday for us, with a picnic.",
            "Mira trusted me to do the tax return alone.",
        ],
    }
}
