//! `/admin/deliveries`: where domain events go out to (Slack, Teams, signed webhooks),
//! added and removed here; how many deliveries wait; and those given up after their tries,
//! each with its last error and a button to try it again. A webhook's signing secret is
//! shown once, on the page that answers its adding.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_app::deliveries;
use hindsight_core::events::DomainEventKind;
use hindsight_core::{Delivery, DeliveryState, Destination, DestinationKind, NewDestination, ValidationErrors};
use serde::Deserialize;

use super::form_errors;
use crate::auth::Caller;
use crate::state::AppState;
use crate::web::kit::{Chrome, NoFields, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::web::view;

/// Failed deliveries the page lists.
const FAILED_SHOWN: i64 = 50;

/// A destination as the page lists it.
struct DestinationRow {
    id: String,
    name: String,
    kind: &'static str,
    team: String,
    events: String,
    added: String,
}

/// A given-up delivery as the page lists it.
struct FailedRow {
    id: i64,
    to: String,
    channel: &'static str,
    attempts: i32,
    error: String,
    created: String,
}

/// The add form as it was sent, to fill in again when refused (the address is not
/// sent back: it is a credential).
#[derive(Debug, Default, Deserialize)]
pub struct DestinationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    url: String,
    /// A Slack bot token; like the address, never sent back.
    #[serde(default)]
    token: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    events: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    destinations: Vec<DestinationRow>,
    failed: Vec<FailedRow>,
    pending: i64,
    failed_count: i64,
    /// Every event kind, with whether the form has it ticked.
    kinds: Vec<(&'static str, bool)>,
    teams: Vec<String>,
    form_name: String,
    form_kind: String,
    form_team: String,
    errors: Vec<String>,
    /// The destination just added and its signing secret, shown this once.
    secret: Option<(String, String)>,
    has_key: bool,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    form: &DestinationForm,
    errors: Vec<String>,
    secret: Option<(String, String)>,
) -> Result<DeliveriesPage, PageError> {
    let actor = caller.actor();
    let destinations = deliveries::destinations(&state.store, &actor).await?;
    let failed = deliveries::deliveries(&state.store, &actor, Some(DeliveryState::Failed), None, FAILED_SHOWN).await?;
    let teams = state.store.list_teams().await?.into_iter().map(|team| team.slug).collect();
    Ok(DeliveriesPage {
        chrome,
        destinations: destinations.iter().map(destination_row).collect(),
        failed: failed.items.iter().map(failed_row).collect(),
        pending: failed.pending,
        failed_count: failed.failed,
        kinds: DomainEventKind::ALL
            .iter()
            .map(|kind| (kind.as_str(), form.events.iter().any(|e| e == kind.as_str())))
            .collect(),
        teams,
        form_name: form.name.clone(),
        form_kind: form.kind.clone(),
        form_team: form.team.clone(),
        errors,
        secret,
        has_key: state.settings.deliverer.has_key(),
    })
}

fn destination_row(destination: &Destination) -> DestinationRow {
    let events = if destination.events.is_empty() {
        "every event".to_string()
    } else {
        destination.events.iter().map(|kind| kind.words()).collect::<Vec<_>>().join(", ")
    };
    DestinationRow {
        id: destination.id.clone(),
        name: destination.name.clone(),
        kind: kind_words(destination.kind),
        team: destination.team.clone().unwrap_or_else(|| "every team".into()),
        events,
        added: view::when(destination.created_at),
    }
}

fn kind_words(kind: DestinationKind) -> &'static str {
    match kind {
        DestinationKind::Slack => "Slack",
        DestinationKind::Teams => "Microsoft Teams",
        DestinationKind::Webhook => "signed webhook",
    }
}

fn failed_row(delivery: &Delivery) -> FailedRow {
    FailedRow {
        id: delivery.id,
        to: delivery.destination.clone().or_else(|| delivery.recipient.clone()).unwrap_or_default(),
        channel: delivery.channel.as_str(),
        attempts: delivery.attempts,
        error: delivery.last_error.clone().unwrap_or_default(),
        created: view::when(delivery.created_at),
    }
}

/// `GET /admin/deliveries`.
pub async fn list(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(page(&state, &caller, chrome, &DestinationForm::default(), Vec::new(), None).await?.into_response())
}

/// The form read as a new destination; what cannot be read is named by its field.
fn read_form(form: &DestinationForm) -> Result<NewDestination, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind =
        form.kind.parse::<DestinationKind>().map_err(|_| errors.push("kind", "choose Slack, Teams or webhook")).ok();
    let mut events = Vec::new();
    for event in &form.events {
        match event.parse::<DomainEventKind>() {
            Ok(kind) => events.push(kind),
            Err(_) => errors.push("events", format!("{event:?} is not a kind of event")),
        }
    }
    let team = Some(form.team.trim().to_string()).filter(|team| !team.is_empty());
    errors.into_result()?;
    let kind = kind.unwrap_or(DestinationKind::Webhook);
    let token = Some(form.token.trim().to_string()).filter(|token| !token.is_empty());
    Ok(NewDestination { name: form.name.clone(), kind, url: form.url.trim().to_string(), team, events, token })
}

/// `POST /admin/deliveries/destinations`.
pub async fn add(State(state): State<AppState>, posted: Posted<DestinationForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let added = match read_form(&form) {
        Ok(new) => deliveries::add_destination(&state.store, &caller.actor(), &state.settings.deliverer, &new).await,
        Err(errors) => Err(hindsight_app::AppError::Invalid(errors)),
    };
    match added {
        Ok(added) => match added.signing_secret {
            Some(secret) => {
                let secret = Some((added.destination.name.clone(), secret));
                let chrome = Chrome::of(&caller);
                let shown = page(&state, &caller, chrome, &DestinationForm::default(), Vec::new(), secret).await?;
                Ok(shown.into_response())
            }
            None => {
                let notice = format!("Added {}: events go to it from now on.", added.destination.name);
                Ok(see_other_with_notice("/admin/deliveries", &notice))
            }
        },
        Err(error) => {
            let errors = form_errors(error)?;
            let shown = page(&state, &caller, Chrome::of(&caller), &form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
    }
}

/// `POST /admin/deliveries/destinations/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let Posted { caller, .. } = posted;
    deliveries::remove_destination(&state.store, &caller.actor(), &id).await?;
    Ok(see_other_with_notice("/admin/deliveries", "Removed the destination, with what it had still to send."))
}

/// `POST /admin/deliveries/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let Posted { caller, .. } = posted;
    deliveries::retry_delivery(&state.store, &caller.actor(), id).await?;
    Ok(see_other_with_notice("/admin/deliveries", &format!("Delivery {id} will be tried again within seconds.")))
}
