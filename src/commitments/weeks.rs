//! Kept, broken and unrecorded counts per week, for Today's chart and its
//! "since the last break" facts, without re-reading all history on each
//! request.
//!
//! A completed week's counts are cached in `commitment_weeks` once nothing in
//! that week can still change with time alone (every record and answer in it
//! is older than the 7 days in which a claim can be answered). Writing a
//! record or an answer about a day deletes that week's row ([`forget_week`]),
//! so the next read recomputes it. The current week is always computed when
//! read. The counts follow the commitment pages' own rules (`records`).

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sqlx::{SqliteConnection, SqlitePool};

use super::records::{self, OccurrenceState, Status};
use super::schedule::{self, Pause, Schedule};
use super::store::{self, AnswerRow, CommitmentRow, RecordRow};
use crate::error::Result;

/// One commitment's counts in one week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub kept: u32,
    pub broken: u32,
    pub unrecorded: u32,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.kept += other.kept;
        self.broken += other.broken;
        self.unrecorded += other.unrecorded;
    }
}

/// Deletes the cached week of `day` for a commitment. Called in the same
/// transaction as every record and answer written about that day.
pub async fn forget_week(tx: &mut SqliteConnection, commitment_id: i64, day: &str) -> Result<()> {
    let Ok(day) = day.parse::<Date>() else {
        return Ok(());
    };
    sqlx::query("DELETE FROM commitment_weeks WHERE commitment_id = ? AND week_start = ?")
        .bind(commitment_id)
        .bind(schedule::week_start(day).to_string())
        .execute(tx)
        .await?;
    Ok(())
}

/// Deletes every cached week (the pair's zone changed, or a pause changed
/// which days were due).
pub async fn forget_all(tx: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM commitment_weeks")
        .execute(tx)
        .await?;
    Ok(())
}

/// What one commitment needs for counting.
struct Life {
    row: CommitmentRow,
    segments: Vec<records::Segment>,
    standing: bool,
    first_week: Date,
    last_day: Date,
    pauses: Vec<Pause>,
}

/// The counts Today needs: the pair's totals per week over the whole
/// history, and the current week per commitment (computed when read).
pub struct Weeks {
    pub totals: BTreeMap<Date, Counts>,
    pub current: HashMap<i64, Counts>,
    pub this_week: Date,
    /// Weeks counted from the records because the cache does not hold them
    /// yet (not settled), the current week included.
    pub uncached: Vec<Date>,
    /// Every commitment's life, read once and reused by the facts.
    lives: Vec<Life>,
}

/// Brings the cache up to date (completed weeks missing from it are
/// computed, and stored once settled) and reads the pair's totals per week
/// with one grouped query. In the steady state this reads one row per
/// commitment to see that nothing is missing, one row per week of history
/// for the chart, and computes only the current week.
pub async fn weeks(
    pool: &SqlitePool,
    writer: &SqlitePool,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Weeks> {
    let today = schedule::today(now, tz);
    let this_week = schedule::week_start(today);
    let cached_counts: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT commitment_id, COUNT(*) FROM commitment_weeks GROUP BY commitment_id",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let mut fresh: Vec<(i64, Date, Counts)> = Vec::new();
    let mut unsettled: BTreeMap<Date, Counts> = BTreeMap::new();
    let mut current = HashMap::new();
    let lives = lives(pool, today).await?;
    for life in &lives {
        let last_week = schedule::week_start(life.last_day).min(this_week);
        let completed_until = last_week.min(records::add_days(this_week, -7));
        let expected = if completed_until < life.first_week {
            0
        } else {
            i64::from((completed_until - life.first_week).get_days()) / 7 + 1
        };
        let have = cached_counts.get(&life.row.id).copied().unwrap_or(0);
        let mut missing = Vec::new();
        if expected > have {
            let cached: Vec<String> = sqlx::query_scalar(
                "SELECT week_start FROM commitment_weeks WHERE commitment_id = ?",
            )
            .bind(life.row.id)
            .fetch_all(pool)
            .await?;
            let mut week = life.first_week;
            while week <= completed_until {
                if !cached.contains(&week.to_string()) {
                    missing.push(week);
                }
                week = records::add_days(week, 7);
            }
        }
        if last_week == this_week {
            missing.push(this_week);
        }
        let (Some(&lo), Some(&hi)) = (missing.first(), missing.last()) else {
            continue;
        };
        let computed = count_range(pool, life, lo, records::add_days(hi, 6), now, tz).await?;
        for week in missing {
            // A week with nothing due and nothing recorded is settled: zero.
            let (counts, settled) = computed
                .get(&week)
                .copied()
                .unwrap_or((Counts::default(), true));
            if week == this_week {
                current.insert(life.row.id, counts);
                unsettled.entry(week).or_default().add(counts);
            } else if settled {
                fresh.push((life.row.id, week, counts));
            } else {
                unsettled.entry(week).or_default().add(counts);
            }
        }
    }
    if !fresh.is_empty() {
        store_weeks(writer, &fresh).await?;
    }
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT week_start, SUM(kept), SUM(broken), SUM(unrecorded)
         FROM commitment_weeks GROUP BY week_start ORDER BY week_start",
    )
    .fetch_all(pool)
    .await?;
    let mut totals: BTreeMap<Date, Counts> = BTreeMap::new();
    for (week, kept, broken, unrecorded) in rows {
        if let Ok(week) = week.parse::<Date>() {
            totals.insert(week, counts_of(kept, broken, unrecorded));
        }
    }
    let uncached = unsettled.keys().copied().collect();
    for (week, counts) in unsettled {
        totals.entry(week).or_default().add(counts);
    }
    Ok(Weeks {
        totals,
        current,
        this_week,
        uncached,
        lives,
    })
}

fn counts_of(kept: i64, broken: i64, unrecorded: i64) -> Counts {
    let count = |n: i64| u32::try_from(n).unwrap_or(0);
    Counts {
        kept: count(kept),
        broken: count(broken),
        unrecorded: count(unrecorded),
    }
}

async fn store_weeks(writer: &SqlitePool, rows: &[(i64, Date, Counts)]) -> Result<()> {
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
    for (id, week, counts) in rows {
        sqlx::query(
            "INSERT INTO commitment_weeks (commitment_id, week_start, kept, broken, unrecorded)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (commitment_id, week_start) DO UPDATE SET
               kept = excluded.kept, broken = excluded.broken, unrecorded = excluded.unrecorded",
        )
        .bind(id)
        .bind(week.to_string())
        .bind(counts.kept)
        .bind(counts.broken)
        .bind(counts.unrecorded)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every commitment that was in force at some point, with what counting
/// needs. Bounded by the number of commitments, not by history.
async fn lives(pool: &SqlitePool, today: Date) -> Result<Vec<Life>> {
    let rows: Vec<CommitmentRow> = sqlx::query_as(
        "SELECT c.id, c.agreement_id, c.owner_id, c.text, c.schedule, c.since_version,
                c.in_force_from, c.until_version, c.in_force_until, c.created_at
         FROM commitments c ORDER BY c.id LIMIT 5000",
    )
    .fetch_all(pool)
    .await?;
    let ends: HashMap<i64, Option<String>> =
        sqlx::query_as::<_, (i64, Option<String>)>("SELECT id, ends_on FROM agreements")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    let mut lives = Vec::new();
    for row in rows {
        let Ok(from) = row.in_force_from.parse::<Date>() else {
            continue;
        };
        let agreed_end = ends
            .get(&row.agreement_id)
            .cloned()
            .flatten()
            .and_then(|d| d.parse::<Date>().ok());
        let until = row
            .in_force_until
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok());
        let last_day = [until, agreed_end, Some(today)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(today);
        if last_day < from {
            continue;
        }
        let terms = store::terms(pool, row.id).await?;
        let segments = records::segments(&terms, Some(last_day));
        let standing = serde_json::from_str::<Schedule>(&row.schedule)
            .map(|s| s.is_standing())
            .unwrap_or(false);
        let pauses = super::pauses_for(pool, row.id).await?;
        lives.push(Life {
            first_week: schedule::week_start(from),
            last_day,
            segments,
            standing,
            pauses,
            row,
        });
    }
    Ok(lives)
}

/// Counts per week of one commitment for days `lo..=hi`, and whether each
/// week is settled (nothing in it can still change with time alone).
async fn count_range(
    pool: &SqlitePool,
    life: &Life,
    lo: Date,
    hi: Date,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<BTreeMap<Date, (Counts, bool)>> {
    let rows = store::records_between(pool, life.row.id, &lo.to_string(), &hi.to_string()).await?;
    let answers = answers_between(pool, life.row.id, &lo.to_string(), &hi.to_string()).await?;
    let mut by_record: HashMap<i64, Vec<AnswerRow>> = HashMap::new();
    for a in answers {
        by_record.entry(a.record_id).or_default().push(a);
    }
    let recent = now
        .checked_sub(SignedDuration::from_hours(24 * records::ANSWER_DAYS))
        .unwrap_or(now);
    let recent = crate::clock::format(recent);
    let mut out: BTreeMap<Date, (Counts, bool)> = BTreeMap::new();
    let mut statuses_by_day: HashMap<Date, Vec<Status>> = HashMap::new();
    for row in &rows {
        let Ok(day) = row.day.parse::<Date>() else {
            continue;
        };
        let answers = by_record.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
        let status = records::status(row, answers, now);
        let week = schedule::week_start(day);
        let entry = out.entry(week).or_insert((Counts::default(), true));
        if row.created_at > recent || answers.iter().any(|a| a.created_at > recent) {
            entry.1 = false;
        }
        if life.standing {
            // A standing promise has no due days: its breaks count, and a
            // weekly "still keeping this" counts as kept.
            if status.counts_as_broken() {
                entry.0.broken += 1;
            } else if status == Status::StillKeeping {
                entry.0.kept += 1;
            }
        } else {
            statuses_by_day.entry(day).or_default().push(status);
        }
    }
    if !life.standing {
        for day in records::due_days(&life.segments, lo, hi.min(life.last_day), &life.pauses) {
            let statuses = statuses_by_day.remove(&day).unwrap_or_default();
            let week = schedule::week_start(day);
            let entry = out.entry(week).or_insert((Counts::default(), true));
            match records::occurrence_state(day, &statuses, now, tz) {
                OccurrenceState::Kept
                | OccurrenceState::KeptUnconfirmed
                | OccurrenceState::KeptWaiting => entry.0.kept += 1,
                OccurrenceState::Broken => entry.0.broken += 1,
                OccurrenceState::Unrecorded => entry.0.unrecorded += 1,
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Answers to a commitment's records about days in `from..=to`.
async fn answers_between(
    pool: &SqlitePool,
    commitment_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<AnswerRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.record_id, a.kind, a.person_id, a.note, a.created_at
         FROM commitment_answers a JOIN commitment_records r ON r.id = a.record_id
         WHERE r.commitment_id = ? AND r.day >= ? AND r.day <= ?
         ORDER BY a.id",
    )
    .bind(commitment_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?)
}

/// The most recent day with a counted break among some commitments, if
/// any. Candidate weeks are the latest cached week with a break and every
/// week not cached yet; only their records are re-read.
pub async fn last_break(
    pool: &SqlitePool,
    weeks: &Weeks,
    commitment_ids: &[i64],
    now: Timestamp,
) -> Result<Option<Date>> {
    let mut candidates: Vec<Date> = weeks.uncached.clone();
    for id in commitment_ids {
        let week: Option<String> = sqlx::query_scalar(
            "SELECT MAX(week_start) FROM commitment_weeks WHERE commitment_id = ? AND broken > 0",
        )
        .bind(id)
        .fetch_one(pool)
        .await?;
        candidates.extend(week.and_then(|w| w.parse::<Date>().ok()));
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut last: Option<Date> = None;
    for week in candidates.into_iter().rev() {
        if last.is_some_and(|day| day >= records::add_days(week, 6)) {
            break;
        }
        let (from, to) = (week.to_string(), records::add_days(week, 6).to_string());
        for id in commitment_ids {
            let rows: Vec<RecordRow> = store::records_between(pool, *id, &from, &to).await?;
            for row in rows.iter().filter(|r| r.kind == "broken") {
                let answers = store::answers(pool, row.id).await?;
                if records::status(row, &answers, now).counts_as_broken()
                    && let Ok(day) = row.day.parse::<Date>()
                {
                    last = last.max(Some(day));
                }
            }
        }
    }
    Ok(last)
}

/// Kept occurrences of some commitments on days after `since`: settled
/// weeks summed from the cache in SQL, the rest of `since`'s week and any
/// week not cached yet counted from the records.
pub async fn kept_since(
    pool: &SqlitePool,
    weeks: &Weeks,
    commitment_ids: &[i64],
    since: Date,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<u32> {
    let since_week = schedule::week_start(since);
    let mut kept: u32 = 0;
    for life in &weeks.lives {
        if !commitment_ids.contains(&life.row.id) {
            continue;
        }
        let cached: Vec<(String, i64)> = sqlx::query_as(
            "SELECT week_start, kept FROM commitment_weeks
             WHERE commitment_id = ? AND week_start > ? ORDER BY week_start",
        )
        .bind(life.row.id)
        .bind(since_week.to_string())
        .fetch_all(pool)
        .await?;
        kept += cached
            .iter()
            .map(|(_, k)| u32::try_from(*k).unwrap_or(0))
            .sum::<u32>();
        // Days after `since` in weeks the cache does not hold (the rest of
        // the break's own week, and recent weeks not settled yet).
        let held: std::collections::HashSet<Date> = cached
            .iter()
            .filter_map(|(w, _)| w.parse::<Date>().ok())
            .collect();
        let after = records::add_days(since, 1);
        let mut week = since_week;
        while week <= life.last_day {
            if !held.contains(&week) {
                let lo = week.max(after);
                let hi = records::add_days(week, 6).min(life.last_day);
                if lo <= hi {
                    let counts = count_range(pool, life, lo, hi, now, tz).await?;
                    kept += counts.values().map(|(c, _)| c.kept).sum::<u32>();
                }
            }
            week = records::add_days(week, 7);
        }
    }
    Ok(kept)
}
