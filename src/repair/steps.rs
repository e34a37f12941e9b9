//! The steps of the path that are one short form each: answering a first
//! telling, "I see it differently", understanding (the hurt person's side,
//! the rounds and their answers), the ask and the requests, and committing
//! to repair. The apology, with its preview, lives in [`super::apology`].

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{
    Choice, Context, Field, RepairPath, StepPage, back_to, begin, load, not_possible, only, record,
    store,
};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::error::Result;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, once};

/// What the step forms send; each step reads the fields it has.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub choice: String,
    #[serde(default)]
    pub what_and_why: String,
    #[serde(default)]
    pub their_feelings: String,
    #[serde(default)]
    pub once: String,
}

impl StepForm {
    fn key(&self) -> String {
        if self.once.is_empty() {
            once::new_key()
        } else {
            self.once.clone()
        }
    }
}

fn page(layout: Layout, path: &RepairPath, action: &str) -> StepPage {
    StepPage {
        layout,
        breach_id: path.id(),
        breach_title: path.breach.title.clone(),
        heading: String::new(),
        intro: Vec::new(),
        context: Vec::new(),
        action: format!("/breaches/{}/{action}", path.id()),
        choice: None,
        fields: Vec::new(),
        submit: String::new(),
        errors: FormErrors::new(),
        once: once::new_key(),
    }
}

fn note_field(label: &str, hint: &str, value: &str) -> Field {
    Field {
        name: "note",
        label: label.into(),
        hint: hint.into(),
        value: value.into(),
        multiline: true,
        max: limits::NOTE,
    }
}

fn optional_note(errors: &mut FormErrors, input: &str) -> Option<String> {
    errors
        .check("note", fields::optional(input, limits::NOTE))
        .flatten()
}

// --- A first telling ---------------------------------------------------------

/// `POST /breaches/{id}/disclosure`: the hurt person confirms a first
/// telling, or says they already knew.
pub async fn answer_disclosure(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only(
        person.id == path.hurt.id,
        format!(
            "Only {} can say whether this was the first they heard of it.",
            path.hurt.name
        ),
    )?;
    let (kind, state_name, message) = match form.choice.as_str() {
        "confirmed" => (
            "breach.disclosure_confirmed",
            "confirmed",
            format!("You confirmed that {} told you first.", path.broke.name),
        ),
        "already_knew" => (
            "breach.disclosure_already_known",
            "already_knew",
            "You said you already knew.".to_string(),
        ),
        _ => {
            return Err(crate::error::AppError::BadRequest(
                "Please choose one of the two answers.".into(),
            ));
        }
    };
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let at = clock::format(state.clock.now());
    if !store::answer_disclosure(&mut tx, id, state_name, &at).await? {
        return Err(not_possible("This was already answered."));
    }
    record(
        &mut tx,
        &state,
        &person,
        kind,
        &path,
        json!({ "answer": state_name, "disclosed_by": { "id": path.broke.id, "name": path.broke.name } }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- I see it differently ----------------------------------------------------

fn other_view_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let mut page = page(layout, path, "other-view");
    page.heading = "I see it differently".into();
    page.intro = vec![format!(
        "{} recorded this breach in their words. You can add your own account beside it. Both stay on the breach, side by side; neither replaces the other.",
        path.hurt.name
    )];
    page.context = vec![Context {
        label: format!("What {} wrote happened", path.hurt.name),
        text: path.breach.what_happened.clone(),
    }];
    page.fields = vec![Field {
        name: "text",
        label: "How you see it".into(),
        hint: "What happened, as you remember it. Up to 20,000 characters.".into(),
        value: form.text.clone(),
        multiline: true,
        max: limits::TEXT,
    }];
    page.submit = "Add my account".into();
    page.once = form.key();
    page
}

fn other_view_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.broke.id,
        format!(
            "Only {} can add \"I see it differently\" to this breach.",
            path.broke.name
        ),
    )
}

fn check_other_view(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    other_view_role(path, person)?;
    if !path.other_view_possible() {
        return Err(not_possible(
            "An account of your own can be added once, to a breach the other person recorded.",
        ));
    }
    Ok(())
}

/// `GET /breaches/{id}/other-view`
pub async fn other_view_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_other_view(&path, &person)?;
    other_view_page(layout, &path, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/other-view`
pub async fn add_other_view(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    other_view_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let text = errors.check(
        "text",
        fields::required(&form.text, limits::TEXT, "how you see it"),
    );
    let Some(text) = text else {
        let mut page = other_view_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    };
    let message = "Your account was added beside the other one.";
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, message));
    };
    check_other_view(&path, &person)?;
    let at = clock::format(state.clock.now());
    store::insert_other_view(&mut tx, id, person.id, &text, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "breach.other_view_added",
        &path,
        json!({ "text": text }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, message))
}

// --- Understanding: the hurt person's side -----------------------------------

fn impact_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let mut page = page(layout, path, "impact");
    page.heading = "How this affected you".into();
    page.intro = vec![
        "Repair starts from your side of it. Write what this did to you: the hurt itself, and what it set off afterwards — in how you feel, how you see things, what you do now.".into(),
        format!("{} will read this before they write their side.", path.broke.name),
    ];
    page.fields = vec![Field {
        name: "text",
        label: "How it affected you".into(),
        hint: "In your own words, as long or short as you need. Up to 20,000 characters.".into(),
        value: form.text.clone(),
        multiline: true,
        max: limits::TEXT,
    }];
    page.submit = format!("Share this with {}", path.broke.name);
    page.once = form.key();
    page
}

fn impact_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!("Only {} can write how this affected them.", path.hurt.name),
    )
}

fn check_impact(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    impact_role(path, person)?;
    if path.impact.is_some() {
        return Err(not_possible("How this affected you is already written."));
    }
    Ok(())
}

/// `GET /breaches/{id}/impact`
pub async fn impact_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_impact(&path, &person)?;
    impact_page(layout, &path, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/impact`
pub async fn write_impact(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    impact_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let Some(text) = errors.check(
        "text",
        fields::required(&form.text, limits::TEXT, "how this affected you"),
    ) else {
        let mut page = impact_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    };
    let message = format!("{} can read how this affected you now.", path.broke.name);
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_impact(&path, &person)?;
    let at = clock::format(state.clock.now());
    store::insert_impact(&mut tx, id, person.id, &text, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "understanding.impact_written",
        &path,
        json!({ "text": text }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Understanding: what and why, and how they felt --------------------------

fn explanation_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let hurt = &path.hurt.name;
    let mut page = page(layout, path, "explanation");
    let again = !path.rounds.is_empty();
    page.heading = if again {
        format!("Try again to understand how {hurt} felt")
    } else {
        "Your side: what you did, and how it felt for them".into()
    };
    page.intro = vec![
        "Explain what you did and why. An explanation helps them make sense of it; a justification asks them to accept it. Stay with the first.".into(),
        format!("Then, in your own words, say how you understand {hurt} felt. {hurt} will tell you whether you understand, or not yet."),
    ];
    if let Some(impact) = &path.impact {
        page.context.push(Context {
            label: format!("What {hurt} wrote about how it affected them"),
            text: impact.text.clone(),
        });
    }
    if let Some(last) = path.rounds.last()
        && let Some(note) = &last.answer_note
    {
        page.context.push(Context {
            label: format!("{hurt}'s note on round {}", last.round),
            text: note.clone(),
        });
    }
    page.fields = vec![
        Field {
            name: "what_and_why",
            label: "What you did, and why".into(),
            hint: "Up to 20,000 characters.".into(),
            value: form.what_and_why.clone(),
            multiline: true,
            max: limits::TEXT,
        },
        Field {
            name: "their_feelings",
            label: format!("How you understand {hurt} felt"),
            hint: "In your own words, not theirs copied back. Up to 20,000 characters.".into(),
            value: form.their_feelings.clone(),
            multiline: true,
            max: limits::TEXT,
        },
    ];
    page.submit = format!("Share this with {hurt}");
    page.once = form.key();
    page
}

fn explain_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.broke.id,
        format!("Only {} can write what they did and why.", path.broke.name),
    )
}

fn check_explain(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    explain_role(path, person)?;
    if path.impact.is_none() {
        return Err(not_possible(format!(
            "{} writes how this affected them first; your side follows.",
            path.hurt.name
        )));
    }
    if !path.can_explain() {
        return Err(not_possible(format!(
            "This waits for {}'s answer to the round you wrote.",
            path.hurt.name
        )));
    }
    Ok(())
}

/// `GET /breaches/{id}/explanation`: a new round, starting from the last.
pub async fn explanation_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_explain(&path, &person)?;
    let form = path
        .rounds
        .last()
        .map(|r| StepForm {
            what_and_why: r.what_and_why.clone(),
            their_feelings: r.their_feelings.clone(),
            ..StepForm::default()
        })
        .unwrap_or_default();
    explanation_page(layout, &path, &form).respond()
}

/// `POST /breaches/{id}/explanation`
pub async fn explain(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    explain_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let what = errors.check(
        "what_and_why",
        fields::required(&form.what_and_why, limits::TEXT, "what you did and why"),
    );
    let feelings = errors.check(
        "their_feelings",
        fields::required(
            &form.their_feelings,
            limits::TEXT,
            &format!("how you understand {} felt", path.hurt.name),
        ),
    );
    let (Some(what), Some(feelings)) = (what, feelings) else {
        let mut page = explanation_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    };
    let message = format!(
        "Shared with {}. They will say whether you understand.",
        path.hurt.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_explain(&path, &person)?;
    let round = path.rounds.last().map_or(1, |r| r.round + 1);
    let at = clock::format(state.clock.now());
    store::insert_round(&mut tx, id, round, person.id, &what, &feelings, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "understanding.explained",
        &path,
        json!({ "round": round, "what_and_why": what, "their_feelings": feelings }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Understanding: the answer -----------------------------------------------

fn answer_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let broke = &path.broke.name;
    let mut page = page(layout, path, "understanding");
    page.heading = format!("Does {broke} understand?");
    page.intro = vec![format!(
        "Only you can say whether {broke} understands how this felt for you. \"Not yet\" is a fine answer; a note about what is missing helps them try again."
    )];
    if let Some(round) = path.pending_round() {
        page.context = vec![
            Context {
                label: format!("Round {}: what {broke} did, and why", round.round),
                text: round.what_and_why.clone(),
            },
            Context {
                label: format!("How {broke} understands you felt"),
                text: round.their_feelings.clone(),
            },
        ];
    }
    page.choice = Some(Choice {
        name: "choice",
        legend: "Your answer".into(),
        options: vec![
            ("understood".into(), "Yes, you understand".into()),
            ("not_yet".into(), "Not yet".into()),
        ],
        selected: form.choice.clone(),
    });
    page.fields = vec![note_field(
        "A note",
        "Needed for \"not yet\": what is still missing. Optional otherwise. Up to 2,000 characters.",
        &form.note,
    )];
    page.submit = "Send my answer".into();
    page.once = form.key();
    page
}

fn answer_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!(
            "Only {} can say whether they feel understood.",
            path.hurt.name
        ),
    )
}

fn check_answer(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    answer_role(path, person)?;
    if path.pending_round().is_none() {
        return Err(not_possible("There is no round waiting for an answer."));
    }
    Ok(())
}

/// `GET /breaches/{id}/understanding`
pub async fn answer_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_answer(&path, &person)?;
    answer_page(layout, &path, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/understanding`
pub async fn answer_understanding(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    answer_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let answer = match form.choice.as_str() {
        "understood" | "not_yet" => Some(form.choice.clone()),
        _ => {
            errors.add("choice", "Please choose an answer.");
            None
        }
    };
    let note = optional_note(&mut errors, &form.note);
    if answer.as_deref() == Some("not_yet") && note.is_none() && !errors.has("note") {
        errors.add(
            "note",
            format!(
                "Please say a little about what is still missing, so {} can try again.",
                path.broke.name
            ),
        );
    }
    let Some(answer) = answer.filter(|_| errors.is_empty()) else {
        let mut page = answer_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    };
    let message = if answer == "understood" {
        format!("You told {} they understand.", path.broke.name)
    } else {
        format!(
            "You told {} not yet. They can try again with your note.",
            path.broke.name
        )
    };
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_answer(&path, &person)?;
    let Some(round) = path.pending_round() else {
        return Err(not_possible("There is no round waiting for an answer."));
    };
    let at = clock::format(state.clock.now());
    store::answer_round(&mut tx, round.id, &answer, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "understanding.answered",
        &path,
        json!({ "round": round.round, "answer": answer, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Asking ------------------------------------------------------------------

/// The question, in the words the product is built on.
pub const QUESTION: &str = "What can I do to regain your trust?";

fn ask_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let hurt = &path.hurt.name;
    let mut page = page(layout, path, "ask");
    page.heading = format!("Ask {hurt}");
    page.intro = vec![
        format!("You will ask {hurt}: “{QUESTION}”"),
        format!(
            "Asking says their trust matters to you and that you mean to earn it back. Their answer is the best guide to what comes next; {hurt} answers in their own time."
        ),
    ];
    page.fields = vec![note_field(
        "Anything you want to add (optional)",
        "Up to 2,000 characters.",
        &form.note,
    )];
    page.submit = format!("Ask {hurt}");
    page.once = form.key();
    page
}

fn ask_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.broke.id,
        format!(
            "Only {} asks what they can do to regain trust.",
            path.broke.name
        ),
    )
}

fn check_ask(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    ask_role(path, person)?;
    if path.ask.is_some() {
        return Err(not_possible("This was already asked."));
    }
    if !path.understood() {
        return Err(not_possible(format!(
            "The question follows understanding: once {} says you understand, you can ask.",
            path.hurt.name
        )));
    }
    Ok(())
}

/// `GET /breaches/{id}/ask`
pub async fn ask_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_ask(&path, &person)?;
    ask_page(layout, &path, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/ask`
pub async fn ask(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    ask_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let note = optional_note(&mut errors, &form.note);
    if !errors.is_empty() {
        let mut page = ask_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    }
    let message = format!("You asked {}.", path.hurt.name);
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_ask(&path, &person)?;
    let at = clock::format(state.clock.now());
    store::insert_ask(&mut tx, id, person.id, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.asked",
        &path,
        json!({ "question": QUESTION, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Requests ----------------------------------------------------------------

fn request_page(layout: Layout, path: &RepairPath, form: &StepForm) -> StepPage {
    let broke = &path.broke.name;
    let mut page = page(layout, path, "requests");
    page.heading = format!("What would help you trust {broke} again");
    page.intro = vec![
        format!("{broke} asked: “{QUESTION}”"),
        "Answer with one request at a time, each a short, concrete thing. You can add more whenever you like.".into(),
    ];
    if let Some(note) = path.ask.as_ref().and_then(|a| a.note.clone()) {
        page.context.push(Context {
            label: format!("{broke} added"),
            text: note,
        });
    }
    for (n, request) in path.requests.iter().enumerate() {
        page.context.push(Context {
            label: format!("Your request {}", n + 1),
            text: request.text.clone(),
        });
    }
    page.fields = vec![Field {
        name: "text",
        label: "A request".into(),
        hint: "One thing, in a sentence or two. Up to 200 characters.".into(),
        value: form.text.clone(),
        multiline: false,
        max: limits::TITLE,
    }];
    page.submit = "Add this request".into();
    page.once = form.key();
    page
}

fn request_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!("Only {} answers with what would help them.", path.hurt.name),
    )
}

fn check_request(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    request_role(path, person)?;
    if !path.can_request() {
        return Err(not_possible(format!(
            "Requests answer {}'s question, which has not been asked yet.",
            path.broke.name
        )));
    }
    Ok(())
}

/// `GET /breaches/{id}/requests`
pub async fn request_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_request(&path, &person)?;
    request_page(layout, &path, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/requests`
pub async fn request(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    request_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let Some(text) = errors.check(
        "text",
        fields::single_line(&form.text, limits::TITLE, "your request"),
    ) else {
        let mut page = request_page(layout, &path, &form);
        page.errors = errors;
        return page.respond();
    };
    let message = format!(
        "Your request was added. {} can see it now.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_request(&path, &person)?;
    let at = clock::format(state.clock.now());
    let request_id = store::insert_request(&mut tx, id, person.id, &text, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.requested",
        &path,
        json!({ "request_id": request_id, "text": text }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Committing to repair ----------------------------------------------------

/// `POST /breaches/{id}/repair/propose`: either person proposes.
pub async fn propose(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    let other = path.other_name(person.id).to_string();
    let message = format!("You proposed committing to repair. It begins once {other} confirms.");
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    if !path.can_propose() {
        return Err(not_possible(
            "A proposal is already waiting, or a repair is already under way.",
        ));
    }
    let at = clock::format(state.clock.now());
    let repair_id = store::insert_proposal(&mut tx, id, person.id, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.commitment_proposed",
        &path,
        json!({ "repair_id": repair_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

/// Before the write: the proposer may not answer their own proposal.
fn answer_proposal_role(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    match path.open_repair() {
        Some(repair) if repair.state == "proposed" && repair.proposed_by == person.id => only(
            false,
            format!(
                "This proposal is yours; {} answers it.",
                path.other_name(person.id)
            ),
        ),
        _ => Ok(()),
    }
}

fn check_answer_proposal(path: &RepairPath, person: &CurrentPerson) -> Result<i64> {
    let Some(repair) = path.open_repair().filter(|r| r.state == "proposed") else {
        // Nothing waits: whoever asks, there is nothing to answer.
        if path.open_repair().is_some() {
            return Err(not_possible("The repair has already begun."));
        }
        return Err(not_possible("There is no proposal waiting for an answer."));
    };
    only(
        repair.proposed_by != person.id,
        format!(
            "This proposal is yours; {} answers it.",
            path.other_name(person.id)
        ),
    )?;
    Ok(repair.id)
}

/// `POST /breaches/{id}/repair/confirm`: the other person confirms; the
/// repair begins.
pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    answer_proposal_role(&path, &person)?;
    let message = "You both chose to work on this. The repair has begun.";
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, message));
    };
    let repair_id = check_answer_proposal(&path, &person)?;
    let at = clock::format(state.clock.now());
    store::answer_proposal(&mut tx, repair_id, person.id, true, None, &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.commitment_confirmed",
        &path,
        json!({ "repair_id": repair_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, message))
}

fn not_now_page(
    layout: Layout,
    path: &RepairPath,
    person: &CurrentPerson,
    form: &StepForm,
) -> StepPage {
    let other = path.other_name(person.id).to_string();
    let mut page = page(layout, path, "repair/not-now");
    page.heading = "Not now".into();
    page.intro = vec![format!(
        "{other} proposed committing to a period of repair. Saying \"not now\" is allowed; either of you can propose again later."
    )];
    page.fields = vec![note_field(
        &format!("A note for {other} (optional)"),
        "Up to 2,000 characters.",
        &form.note,
    )];
    page.submit = "Say not now".into();
    page.once = form.key();
    page
}

/// `GET /breaches/{id}/repair/not-now`
pub async fn not_now_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_answer_proposal(&path, &person)?;
    not_now_page(layout, &path, &person, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/repair/not-now`
pub async fn not_now(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    answer_proposal_role(&path, &person)?;
    let mut errors = FormErrors::new();
    let note = optional_note(&mut errors, &form.note);
    if !errors.is_empty() {
        let mut page = not_now_page(layout, &path, &person, &form);
        page.errors = errors;
        return page.respond();
    }
    let message = "You said not now. Either of you can propose again later.";
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, message));
    };
    let repair_id = check_answer_proposal(&path, &person)?;
    let at = clock::format(state.clock.now());
    store::answer_proposal(&mut tx, repair_id, person.id, false, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.not_now",
        &path,
        json!({ "repair_id": repair_id, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, message))
}

fn check_step_away(path: &RepairPath) -> Result<i64> {
    path.open_repair()
        .filter(|r| r.state == "active")
        .map(|r| r.id)
        .ok_or_else(|| not_possible("There is no repair under way to step away from."))
}

fn step_away_page(
    layout: Layout,
    path: &RepairPath,
    person: &CurrentPerson,
    form: &StepForm,
) -> StepPage {
    let other = path.other_name(person.id).to_string();
    let mut page = page(layout, path, "repair/step-away");
    page.heading = "Step away from this repair".into();
    page.intro = vec![
        "You can step away at any time. It is recorded and shown to both of you; nothing written before it changes, and either of you can propose a new period of repair later.".into(),
    ];
    page.fields = vec![note_field(
        &format!("A note for {other} (optional)"),
        "Up to 2,000 characters.",
        &form.note,
    )];
    page.submit = "Step away".into();
    page.once = form.key();
    page
}

/// `GET /breaches/{id}/repair/step-away`
pub async fn step_away_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    check_step_away(&path)?;
    step_away_page(layout, &path, &person, &StepForm::default()).respond()
}

/// `POST /breaches/{id}/repair/step-away`: either person, while under way.
pub async fn step_away(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<StepForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    let mut errors = FormErrors::new();
    let note = optional_note(&mut errors, &form.note);
    if !errors.is_empty() {
        let mut page = step_away_page(layout, &path, &person, &form);
        page.errors = errors;
        return page.respond();
    }
    let message = "You stepped away from the repair. It is recorded; nothing before it changed.";
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, message));
    };
    let repair_id = check_step_away(&path)?;
    let at = clock::format(state.clock.now());
    store::step_away(&mut tx, repair_id, person.id, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "repair.stepped_away",
        &path,
        json!({ "repair_id": repair_id, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, message))
}
