//! Where one breach stands on the repair path, read from its tables, and
//! what each step allows. Pages show it; every step's handler reads it again
//! inside its write transaction, so two people acting at once cannot take a
//! step the path no longer allows.

use jiff::{SignedDuration, Timestamp};
use sqlx::SqliteConnection;

use super::store::{self, Apology, Ask, Breach, Repair, Request, Round, Written};
use crate::error::{AppError, Result};

/// After "received — I am not ready yet", a new apology waits this long.
pub const APOLOGY_HOLD: SignedDuration = SignedDuration::from_hours(72);

/// One of the two people, as a breach names them.
#[derive(Debug, Clone)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// Where a breach stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Recorded; no repair period is under way.
    Open,
    /// Both confirmed they want to work on it, and nobody stepped away.
    BeingRepaired,
    /// The hurt person said trust is restored (the trust feature sets this).
    TrustRestored,
}

impl Status {
    pub fn from_stored(text: &str) -> Status {
        match text {
            "being_repaired" => Status::BeingRepaired,
            "trust_restored" => Status::TrustRestored,
            _ => Status::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "Open",
            Status::BeingRepaired => "Being repaired",
            Status::TrustRestored => "Trust restored",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::BeingRepaired => "being_repaired",
            Status::TrustRestored => "trust_restored",
        }
    }
}

/// Something the path waits for, said to the person it waits on and to the
/// other one.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub who: i64,
    pub for_them: String,
    pub for_other: String,
}

/// Everything on one breach's path.
#[derive(Debug, Clone)]
pub struct RepairPath {
    pub breach: Breach,
    pub broke: Named,
    pub hurt: Named,
    pub other_view: Option<Written>,
    pub impact: Option<Written>,
    pub rounds: Vec<Round>,
    pub apologies: Vec<Apology>,
    pub ask: Option<Ask>,
    pub requests: Vec<Request>,
    pub repairs: Vec<Repair>,
}

impl RepairPath {
    /// Reads the whole path of a breach; `NotFound` if there is none.
    pub async fn load(conn: &mut SqliteConnection, breach_id: i64) -> Result<RepairPath> {
        let breach = store::breach(conn, breach_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (broke, hurt) = roles(conn, breach.broke_trust).await?;
        Ok(RepairPath {
            other_view: store::other_view(conn, breach_id).await?,
            impact: store::impact(conn, breach_id).await?,
            rounds: store::rounds(conn, breach_id).await?,
            apologies: store::apologies(conn, breach_id).await?,
            ask: store::ask(conn, breach_id).await?,
            requests: store::requests(conn, breach_id).await?,
            repairs: store::repairs(conn, breach_id).await?,
            breach,
            broke,
            hurt,
        })
    }

    pub fn id(&self) -> i64 {
        self.breach.id
    }

    pub fn subject(&self) -> String {
        format!("breach/{}", self.breach.id)
    }

    pub fn status(&self) -> Status {
        Status::from_stored(&self.breach.status)
    }

    /// The name of one of the two people.
    pub fn name(&self, id: impl std::borrow::Borrow<i64>) -> &str {
        let id = *id.borrow();
        if id == self.broke.id {
            &self.broke.name
        } else {
            &self.hurt.name
        }
    }

    /// The name of the person who is not `id`.
    pub fn other_name(&self, id: impl std::borrow::Borrow<i64>) -> &str {
        let id = *id.borrow();
        if id == self.broke.id {
            &self.hurt.name
        } else {
            &self.broke.name
        }
    }

    pub fn is_serious(&self) -> bool {
        self.breach.seriousness == "serious"
    }

    pub fn recorded_by_broke(&self) -> bool {
        self.breach.recorded_by == self.broke.id
    }

    /// Only a confirmed first telling is shown as self-disclosed.
    pub fn self_disclosed(&self) -> bool {
        self.breach.self_disclosure == "confirmed"
    }

    pub fn disclosure_waiting(&self) -> bool {
        self.breach.self_disclosure == "claimed"
    }

    /// "I see it differently" is for the one named as having broken trust,
    /// when the other person recorded the breach, once.
    pub fn other_view_possible(&self) -> bool {
        !self.recorded_by_broke() && self.other_view.is_none()
    }

    /// The hurt person said "yes, you understand" in the latest round.
    pub fn understood(&self) -> bool {
        self.rounds
            .last()
            .is_some_and(|r| r.answer.as_deref() == Some("understood"))
    }

    /// The round waiting for the hurt person's answer.
    pub fn pending_round(&self) -> Option<&Round> {
        self.rounds.last().filter(|r| r.answer.is_none())
    }

    /// The one who broke trust may write (or revise) their side once the
    /// hurt person has written theirs, and while no round waits for an answer.
    pub fn can_explain(&self) -> bool {
        self.impact.is_some() && self.pending_round().is_none() && !self.understood()
    }

    /// The apology sent and not yet answered, if any.
    pub fn unanswered_apology(&self) -> Option<&Apology> {
        self.apologies.iter().rev().find(|a| a.answer.is_none())
    }

    /// Until when a new apology waits, after a "not ready" answer.
    pub fn apology_hold_until(&self, now: Timestamp) -> Option<Timestamp> {
        let latest = self.apologies.last()?;
        if latest.answer.as_deref() != Some("not_ready") {
            return None;
        }
        let answered = crate::clock::parse(latest.answered_at.as_deref()?)?;
        let until = answered.checked_add(APOLOGY_HOLD).ok()?;
        (until > now).then_some(until)
    }

    /// An apology follows understanding: the step opens once the hurt
    /// person has said "yes, you understand".
    pub fn apology_step_open(&self) -> bool {
        self.understood()
    }

    /// Whether a new apology could be sent now.
    pub fn can_send_apology(&self, now: Timestamp) -> bool {
        self.apology_step_open()
            && self.unanswered_apology().is_none()
            && self.apology_hold_until(now).is_none()
    }

    /// The ask follows understanding too, and is asked once.
    pub fn can_ask(&self) -> bool {
        self.understood() && self.ask.is_none()
    }

    pub fn can_request(&self) -> bool {
        self.ask.is_some()
    }

    /// The proposal waiting for an answer, or the repair under way.
    pub fn open_repair(&self) -> Option<&Repair> {
        self.repairs
            .iter()
            .rev()
            .find(|r| r.state == "proposed" || r.state == "active")
    }

    pub fn can_propose(&self) -> bool {
        self.open_repair().is_none()
    }

    /// What the path waits for, and on whom.
    pub fn waiting(&self, now: Timestamp) -> Vec<Waiting> {
        let broke = &self.broke.name;
        let hurt = &self.hurt.name;
        let mut out = Vec::new();
        let mut wait = |who: i64, for_them: String, for_other: String| {
            out.push(Waiting {
                who,
                for_them,
                for_other,
            })
        };
        if self.disclosure_waiting() {
            wait(
                self.hurt.id,
                format!("Say whether this is the first you heard of it from {broke}."),
                format!("{hurt} to say whether this is the first they heard of it."),
            );
        }
        if self.impact.is_none() {
            wait(
                self.hurt.id,
                "Write how this affected you, when you are ready.".into(),
                format!("{hurt} to write how this affected them."),
            );
        } else if let Some(_round) = self.pending_round() {
            wait(
                self.hurt.id,
                format!("Tell {broke} whether they understand how you felt."),
                format!("{hurt} to answer whether you understand how they felt."),
            );
        } else if self.can_explain() {
            let again = if self.rounds.is_empty() { "" } else { " again" };
            wait(
                self.broke.id,
                format!("Write{again} what you did and why, and how you understand {hurt} felt."),
                format!(
                    "{broke} to write{again} what they did and why, and how they understand you felt."
                ),
            );
        }
        if let Some(apology) = self.unanswered_apology() {
            if apology.opened_at.is_none() {
                wait(
                    self.hurt.id,
                    format!(
                        "An apology from {broke} is here, sealed, for whenever you choose to open it."
                    ),
                    format!("{hurt} to open your apology, when they choose."),
                );
            } else {
                wait(
                    self.hurt.id,
                    format!("Answer {broke}'s apology, when you are ready."),
                    format!("{hurt} to answer your apology, when they are ready."),
                );
            }
        } else if self.apology_step_open()
            && self.apologies.is_empty()
            && self.apology_hold_until(now).is_none()
        {
            wait(
                self.broke.id,
                format!("Write your apology to {hurt}."),
                format!("{broke} to write an apology."),
            );
        }
        if self.can_ask() {
            wait(
                self.broke.id,
                format!("Ask {hurt} what you can do to regain their trust."),
                format!("{broke} to ask what they can do to regain your trust."),
            );
        } else if self.ask.is_some() && self.requests.is_empty() {
            wait(
                self.hurt.id,
                format!("Answer {broke}'s question with what would help you trust them again."),
                format!("{hurt} to answer with what would help."),
            );
        }
        if let Some(repair) = self.open_repair().filter(|r| r.state == "proposed") {
            let proposer = self.name(repair.proposed_by).to_string();
            let answerer = self.other_name(repair.proposed_by).to_string();
            let answerer_id = if repair.proposed_by == self.broke.id {
                self.hurt.id
            } else {
                self.broke.id
            };
            wait(
                answerer_id,
                format!("Answer {proposer}'s proposal to commit to a period of repair."),
                format!("{answerer} to answer your proposal to commit to repair."),
            );
        }
        out
    }
}

/// The one who broke trust and the one who was hurt, by name.
async fn roles(conn: &mut SqliteConnection, broke_trust: i64) -> Result<(Named, Named)> {
    let people = store::people(conn).await?;
    let mut broke = None;
    let mut hurt = None;
    for (id, name) in people {
        if id == broke_trust {
            broke = Some(Named { id, name });
        } else {
            hurt = Some(Named { id, name });
        }
    }
    match (broke, hurt) {
        (Some(broke), Some(hurt)) => Ok((broke, hurt)),
        _ => Err(AppError::internal("a breach needs both people")),
    }
}
