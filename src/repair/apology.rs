//! The apology: written by the one who broke trust, previewed with gentle
//! hints (never a block), sent sealed, opened by the hurt person when they
//! choose, and answered. After "received — I am not ready yet" a new apology
//! waits three days. A sent apology is never edited; a new one can follow.
//!
//! The preview is a POST that renders the form again with the hints, so it
//! works without JavaScript; dismissing a hint adds its rule id to a hidden
//! list and previews again. Nothing is stored until "send": the text lives in
//! the writer's own form until then.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::hints::{self, RULES};
use super::store::{self, Apology};
use super::{RepairPath, back_to, begin, load, not_possible, only, record, status_of};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::error::{AppError, Result};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once};

/// What the apology form sends. Checkboxes are present only when ticked.
#[derive(Debug, Default, Deserialize)]
pub struct ApologyForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub took_responsibility: Option<String>,
    #[serde(default)]
    pub named_harm: Option<String>,
    #[serde(default)]
    pub offered_repair: Option<String>,
    /// Rule ids the writer dismissed, comma-separated.
    #[serde(default)]
    pub dismissed: String,
    /// A rule id to dismiss now (the hint's own button).
    #[serde(default)]
    pub dismiss: String,
    /// "preview" or "send".
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub once: String,
}

/// A piece of the previewed text; `mark` numbers the hint it belongs to.
pub struct Segment {
    pub text: String,
    pub mark: Option<usize>,
}

/// A hint as the preview lists it.
pub struct HintView {
    pub number: usize,
    pub rule_id: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub matched: String,
    pub explanation: &'static str,
}

pub struct Preview {
    pub segments: Vec<Segment>,
    pub hints: Vec<HintView>,
}

#[derive(Template)]
#[template(path = "repair/apology_form.html")]
struct ApologyFormPage {
    layout: Layout,
    breach_id: i64,
    breach_title: String,
    hurt_name: String,
    impact: Option<String>,
    form: ApologyForm,
    dismissed: String,
    dismissed_count: usize,
    preview: Option<Preview>,
    errors: FormErrors,
    hold_until: Option<String>,
    waiting: bool,
    once: String,
}

/// Known rule ids among `list` (comma-separated) plus `extra`, deduplicated.
fn dismissed_ids(list: &str, extra: &str) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    for wanted in list.split(',').chain(std::iter::once(extra)) {
        let wanted = wanted.trim();
        if let Some(rule) = RULES.iter().find(|r| r.id == wanted)
            && !ids.contains(&rule.id)
        {
            ids.push(rule.id);
        }
    }
    ids
}

/// Splits the text around the hints so the template can mark them.
pub fn preview(text: &str, dismissed: &[&str]) -> Preview {
    let found = hints::find_hints_except(text, dismissed);
    let mut segments = Vec::new();
    let mut at = 0;
    let mut views = Vec::new();
    for (n, hint) in found.iter().enumerate() {
        let (Some(before), Some(marked)) =
            (text.get(at..hint.start), text.get(hint.start..hint.end))
        else {
            continue;
        };
        if !before.is_empty() {
            segments.push(Segment {
                text: before.to_string(),
                mark: None,
            });
        }
        segments.push(Segment {
            text: marked.to_string(),
            mark: Some(n + 1),
        });
        at = hint.end;
        views.push(HintView {
            number: n + 1,
            rule_id: hint.rule_id,
            label: hint.kind.label(),
            kind: hint.kind.as_str(),
            matched: hint.matched.clone(),
            explanation: hint.explanation,
        });
    }
    if let Some(rest) = text.get(at..)
        && !rest.is_empty()
    {
        segments.push(Segment {
            text: rest.to_string(),
            mark: None,
        });
    }
    Preview {
        segments,
        hints: views,
    }
}

fn check_writer(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.broke.id,
        format!(
            "Only {} can write an apology for this breach.",
            path.broke.name
        ),
    )?;
    if !path.apology_step_open() {
        return Err(not_possible(format!(
            "The apology follows understanding: once {} says you understand how they felt, you can write it.",
            path.hurt.name
        )));
    }
    Ok(())
}

fn render_form(
    state: &AppState,
    layout: Layout,
    path: &RepairPath,
    form: ApologyForm,
    preview: Option<Preview>,
    errors: FormErrors,
    dismissed: Vec<&'static str>,
) -> Result<Response> {
    let now = state.clock.now();
    let hold_until = path
        .apology_hold_until(now)
        .map(|ts| layout.when(&clock::format(ts)));
    let once = if form.once.is_empty() {
        once::new_key()
    } else {
        form.once.clone()
    };
    let page = ApologyFormPage {
        breach_id: path.id(),
        breach_title: path.breach.title.clone(),
        hurt_name: path.hurt.name.clone(),
        impact: path.impact.as_ref().map(|i| i.text.clone()),
        form,
        dismissed: dismissed.join(","),
        dismissed_count: dismissed.len(),
        preview,
        hold_until,
        waiting: path.unanswered_apology().is_some(),
        once,
        errors,
        layout,
    };
    let status = status_of(&page.errors);
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /breaches/{id}/apology`
pub async fn form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_writer(&path, &person)?;
    render_form(
        &state,
        layout,
        &path,
        ApologyForm::default(),
        None,
        FormErrors::new(),
        Vec::new(),
    )
}

/// `POST /breaches/{id}/apology`: preview (with hints), dismiss a hint, or send.
pub async fn preview_or_send(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<ApologyForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_writer(&path, &person)?;
    let dismissed = dismissed_ids(&form.dismissed, &form.dismiss);
    let mut errors = FormErrors::new();
    let text = errors.check(
        "text",
        fields::required(&form.text, limits::TEXT, "your apology"),
    );
    let shown = text.as_deref().map(|t| preview(t, &dismissed));
    let sending = form.intent == "send" && form.dismiss.is_empty();
    let Some(text) = text.filter(|_| sending) else {
        return render_form(&state, layout, &path, form, shown, errors, dismissed);
    };

    let now = state.clock.now();
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, "Your apology was sent, sealed."));
    };
    check_writer(&path, &person)?;
    if !path.can_send_apology(now) {
        drop(tx);
        let message = match path.apology_hold_until(now) {
            Some(until) => format!(
                "{} said they are not ready yet, so a new apology waits until {}. Your text is still here.",
                path.hurt.name,
                layout.when(&clock::format(until))
            ),
            None => format!(
                "Your last apology is still waiting for {}'s answer; a new one can follow after it.",
                path.hurt.name
            ),
        };
        errors.add("send", message);
        return render_form(&state, layout, &path, form, shown, errors, dismissed);
    }
    let took_responsibility = form.took_responsibility.is_some();
    let named_harm = form.named_harm.is_some();
    let offered_repair = form.offered_repair.is_some();
    let at = clock::format(now);
    let apology_id = store::insert_apology(
        &mut tx,
        &store::NewApology {
            breach_id: id,
            written_by: person.id,
            text: &text,
            took_responsibility,
            named_harm,
            offered_repair,
            sent_at: &at,
        },
    )
    .await?;
    record(
        &mut tx,
        &state,
        &person,
        "apology.sent",
        &path,
        json!({
            "apology_id": apology_id,
            "text": text,
            "checklist": {
                "took_responsibility": took_responsibility,
                "named_harm": named_harm,
                "offered_repair": offered_repair,
            },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(
        id,
        &format!(
            "Your apology was sent, sealed. {} will open it when they choose.",
            path.hurt.name
        ),
    ))
}

// --- Reading, opening, answering ---------------------------------------------

/// What the answer form sends.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub choice: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Template)]
#[template(path = "repair/apology.html")]
struct ApologyPage {
    layout: Layout,
    path: RepairPath,
    apology: Apology,
    number: usize,
    me: i64,
    form: AnswerForm,
    errors: FormErrors,
    once: String,
}

impl ApologyPage {
    fn fresh_once(&self) -> String {
        once::new_key()
    }

    fn answer_label(&self, answer: &str) -> &'static str {
        answer_label(answer)
    }
}

/// How an answer reads on the page.
pub fn answer_label(answer: &str) -> &'static str {
    match answer {
        "accepted" => "Accepted",
        "not_ready" => "Received — I am not ready yet",
        "in_person" => "I would rather talk in person",
        _ => "",
    }
}

fn find(path: &RepairPath, apology_id: i64) -> Result<(usize, Apology)> {
    path.apologies
        .iter()
        .enumerate()
        .find(|(_, a)| a.id == apology_id)
        .map(|(n, a)| (n + 1, a.clone()))
        .ok_or(AppError::NotFound)
}

fn render_apology(
    layout: Layout,
    path: RepairPath,
    apology_id: i64,
    me: i64,
    form: AnswerForm,
    errors: FormErrors,
) -> Result<Response> {
    let (number, apology) = find(&path, apology_id)?;
    let once = if form.once.is_empty() {
        once::new_key()
    } else {
        form.once.clone()
    };
    let page = ApologyPage {
        layout,
        path,
        apology,
        number,
        me,
        form,
        errors,
        once,
    };
    let status = status_of(&page.errors);
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /breaches/{id}/apologies/{apology_id}`: sealed for the hurt person
/// until they open it; always readable by its writer.
pub async fn show(
    State(state): State<AppState>,
    Path((id, apology_id)): Path<(i64, i64)>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    render_apology(
        layout,
        path,
        apology_id,
        person.id,
        AnswerForm::default(),
        FormErrors::new(),
    )
}

/// `POST /breaches/{id}/apologies/{apology_id}/open`
pub async fn open(
    State(state): State<AppState>,
    Path((id, apology_id)): Path<(i64, i64)>,
    person: CurrentPerson,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    find(&path, apology_id)?;
    only(
        person.id == path.hurt.id,
        format!("Only {} opens this apology.", path.hurt.name),
    )?;
    let here = format!("/breaches/{id}/apologies/{apology_id}");
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(Redirect::to(&here).into_response());
    };
    let at = clock::format(state.clock.now());
    if store::open_apology(&mut tx, apology_id, &at).await? {
        record(
            &mut tx,
            &state,
            &person,
            "apology.opened",
            &path,
            json!({ "apology_id": apology_id }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Redirect::to(&here).into_response())
}

/// `POST /breaches/{id}/apologies/{apology_id}/answer`
pub async fn answer(
    State(state): State<AppState>,
    Path((id, apology_id)): Path<(i64, i64)>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    find(&path, apology_id)?;
    only(
        person.id == path.hurt.id,
        format!("Only {} answers this apology.", path.hurt.name),
    )?;
    let mut errors = FormErrors::new();
    let choice = match form.choice.as_str() {
        "accepted" | "not_ready" | "in_person" => Some(form.choice.clone()),
        _ => {
            errors.add("choice", "Please choose an answer.");
            None
        }
    };
    let note = errors
        .check("note", fields::optional(&form.note, limits::NOTE))
        .flatten();
    let Some(choice) = choice.filter(|_| errors.is_empty()) else {
        return render_apology(layout, path, apology_id, person.id, form, errors);
    };
    let message = match choice.as_str() {
        "not_ready" => format!(
            "Your answer was sent. {} will not be able to send a new apology for three days.",
            path.broke.name
        ),
        _ => format!("Your answer was sent to {}.", path.broke.name),
    };
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let at = clock::format(state.clock.now());
    if !store::answer_apology(&mut tx, apology_id, &choice, note.as_deref(), &at).await? {
        return Err(not_possible(
            "This apology is not open for an answer: it is still sealed, or already answered.",
        ));
    }
    record(
        &mut tx,
        &state,
        &person,
        "apology.answered",
        &path,
        json!({
            "apology_id": apology_id,
            "answer": choice,
            "answer_label": answer_label(&choice),
            "note": note,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set(&message),
        Redirect::to(&format!("/breaches/{id}")),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_marks_hints_and_keeps_every_character() {
        let text = "I am sorry, but I was so stressed. I lied to you.";
        let shown = preview(text, &[]);
        let rebuilt: String = shown.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(rebuilt, text);
        assert!(!shown.hints.is_empty());
        assert!(shown.segments.iter().any(|s| s.mark == Some(1)));
    }

    #[test]
    fn a_dismissed_rule_no_longer_shows() {
        // Dismissing a hint may uncover another rule's hint on the same
        // words; dismissing each in turn ends with none.
        let text = "I am sorry, but I was so stressed.";
        let mut dismissed: Vec<&str> = Vec::new();
        for _ in 0..RULES.len() {
            let shown = preview(text, &dismissed);
            let Some(first) = shown.hints.first() else {
                break;
            };
            assert!(!dismissed.contains(&first.rule_id));
            dismissed.push(first.rule_id);
        }
        assert!(!dismissed.is_empty());
        assert!(preview(text, &dismissed).hints.is_empty());
    }

    #[test]
    fn only_known_rule_ids_are_kept_as_dismissed() {
        assert_eq!(
            dismissed_ids("sorry-but,<script>,sorry-but", "you-made-me"),
            vec!["sorry-but", "you-made-me"]
        );
    }
}
