//! Web pages, rendered on the server (askama) and usable without JavaScript; scripts
//! only enhance them (live hints, confirmations).
//!
//! Pages go through the same store calls as the API, with the same `Viewer` and the
//! same role checks (`Caller::require_write`, `require_admin`), so they show and allow
//! exactly what the API would for the same person. Forms post to page routes with a
//! per-session token (`kit::Posted`); success redirects back (post/redirect/get),
//! failure shows the form again with the person's input and what was wrong.

mod action_items;
mod admin;
pub(crate) mod covers;
mod declare;
pub(crate) mod document;
mod editor;
pub(crate) mod factors;
mod fallback;
mod home;
mod inbox;
mod incident_edit;
mod incidents;
pub(crate) mod insights;
mod kit;
mod public;
mod readers;
mod reviews;
mod session;
mod teams;
mod unsubscribe;
mod view;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rust_embed::Embed;

use crate::state::AppState;

pub use fallback::{method_not_allowed, not_found};
pub(crate) use kit::PageError;

/// Stylesheets, scripts and images of the pages, embedded in the binary.
#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// Routes of the web pages and their assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(session::login_page).post(session::login_submit))
        .route("/logout", post(session::logout))
        .route("/incidents", get(incidents::incidents))
        .route("/incidents/new", get(declare::form).post(declare::submit))
        .route("/incidents/import-postmortem", post(declare::import_document))
        .route("/incidents/response-times", get(incidents::response_times))
        .route("/incidents/response-times.csv", get(incidents::response_times_csv))
        .route("/insights", get(insights::index))
        .route("/insights/hotspots", get(insights::hotspots))
        .route("/insights/hotspots.csv", get(insights::hotspots_csv))
        .route("/insights/fixes", get(insights::fixes))
        .route("/insights/fixes.csv", get(insights::fixes_csv))
        .route("/insights/factors", get(factors::report))
        .route("/insights/factors.csv", get(factors::report_csv))
        .route("/insights/follow-through", get(factors::follow_through))
        .route("/insights/follow-through.csv", get(factors::follow_through_csv))
        .route("/insights/unknown-causes", get(insights::unknown_causes))
        .route("/insights/unknown-causes.csv", get(insights::unknown_causes_csv))
        .route("/incidents/{handle}", get(incidents::incident))
        .route("/incidents/{handle}/unknown-cause", post(incidents::close_unknown_cause))
        .route("/incidents/{handle}/unknown-cause/reopen", post(incidents::reopen_unknown_cause))
        .route("/incidents/{handle}/edit", get(incident_edit::form).post(incident_edit::save))
        .route("/incidents/{handle}/postmortem/edit", get(editor::edit).post(editor::save))
        .route("/incidents/{handle}/postmortem/comments", post(editor::comment))
        .route("/action-items", get(action_items::board))
        .route("/action-items/{id}", get(action_items::item).post(action_items::save_item))
        .route("/action-items/{id}/status", post(action_items::change_status))
        .route("/action-items/{id}/issue", post(action_items::create_issue))
        .route("/incidents/{handle}/action-items", get(action_items::incident_items).post(action_items::add_item))
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/read", post(inbox::read_all))
        .route("/inbox/email", post(inbox::email))
        .route("/inbox/{id}/open", post(inbox::open))
        .route("/unsubscribe/{token}", get(unsubscribe::confirm).post(unsubscribe::unsubscribe))
        .route("/teams", get(teams::teams))
        .route("/teams/{slug}", get(teams::team))
        .route("/services", get(teams::services))
        .route("/services/{slug}", get(teams::service))
        .route("/incidents/{handle}/postmortem", get(document::read))
        .route("/incidents/{handle}/postmortem/markdown", get(document::markdown))
        .route("/incidents/{handle}/postmortem/export.html", get(document::html_file))
        .route("/incidents/{handle}/postmortem/export.pdf", get(document::pdf_file))
        .route("/incidents/{handle}/postmortem/history", get(document::history))
        .route("/incidents/{handle}/postmortem/draft", get(back_to_draft).post(document::write_draft))
        .route("/incidents/{handle}/postmortem/read", post(readers::mark_read))
        .route("/incidents/{handle}/postmortem/readers", post(readers::choose))
        .route("/incidents/{handle}/postmortem/factors", post(factors::choose))
        .route("/incidents/{handle}/postmortem/incidents", post(covers::add))
        .route("/incidents/{handle}/postmortem/incidents/remove", post(covers::remove))
        .route("/incidents/{handle}/postmortem/reviewers", post(reviews::choose))
        .route("/incidents/{handle}/postmortem/reviews", post(reviews::verdict))
        .route("/incidents/{handle}/postmortem/review-meeting", post(reviews::meeting))
        .route("/incidents/{handle}/postmortem/public-summary", post(public::save))
        .route("/incidents/{handle}/postmortem/public-summary/publish", post(public::publish))
        .route("/public", get(public::list))
        .route("/public/feed.atom", get(public::feed))
        .route("/public/{id}", get(public::post))
        .route("/settings/tokens", get(admin::tokens::own).post(admin::tokens::create_own))
        .route("/settings/tokens/{id}/revoke", post(admin::tokens::revoke_own))
        .route("/admin", get(admin::index))
        .route("/admin/users", get(admin::users::list).post(admin::users::create))
        .route("/admin/users/{username}/role", post(admin::users::set_role))
        .route("/admin/users/{username}/password", post(admin::users::set_password))
        .route("/admin/users/{username}/disabled", post(admin::users::set_disabled))
        .route("/admin/teams", get(admin::teams::list).post(admin::teams::create_team))
        .route("/admin/teams/{slug}/members", post(admin::teams::add_member))
        .route("/admin/teams/{slug}/members/remove", post(admin::teams::remove_member))
        .route("/admin/services", post(admin::teams::create_service))
        .route("/admin/tokens", get(admin::tokens::all))
        .route("/admin/tokens/{id}/revoke", post(admin::tokens::revoke_any))
        .route("/admin/policy", get(admin::settings::policy).post(admin::settings::save_policy))
        .route("/admin/policy/reset", post(admin::settings::reset_policy))
        .route("/admin/webhooks", get(admin::settings::webhooks))
        .route("/admin/deliveries", get(admin::deliveries::list))
        .route("/admin/deliveries/destinations", post(admin::deliveries::add))
        .route("/admin/deliveries/destinations/{id}/remove", post(admin::deliveries::remove))
        .route("/admin/deliveries/{id}/retry", post(admin::deliveries::retry))
        .route("/admin/trackers", get(admin::trackers::list).post(admin::trackers::add))
        .route("/admin/trackers/{id}/remove", post(admin::trackers::remove))
        .route("/admin/webhooks/{vendor}", post(admin::settings::set_secret))
        .route("/admin/webhooks/{vendor}/clear", post(admin::settings::clear_secret))
        .route("/incidents/{handle}/status", get(back_to_form("status")).post(incidents::change_status))
        .route("/incidents/{handle}/resolve", get(incidents::confirm_resolve))
        .route("/incidents/{handle}/moments", get(back_to_form("override-moment")).post(incidents::override_moment))
        .route("/incidents/{handle}/events", get(back_to_form("add-event")).post(incidents::add_event))
        .route("/incidents/{handle}/recurrence", get(back_to_form("similar-h")).post(incidents::set_recurrence))
        .route("/incidents/{handle}/recurrence/remove", post(incidents::clear_recurrence))
        .route(
            "/incidents/{handle}/import",
            get(back_to_form("import-events"))
                .post(incidents::import)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::imports::MAX_IMPORT_BYTES)),
        )
        .route("/assets/{*path}", get(asset))
        .route("/favicon.ico", get(|| async { Redirect::permanent("/assets/favicon.svg") }))
}

/// A GET of a form's address on the incident page (the address a refused form's page
/// shows, opened again or reloaded from the address bar): back to the page, at the form.
fn back_to_form(form: &'static str) -> impl Fn(Path<String>) -> std::future::Ready<Redirect> + Clone {
    move |Path(handle): Path<String>| {
        std::future::ready(Redirect::to(&format!("/incidents/{}#{form}", kit::urlencode(&handle))))
    }
}

/// A GET of the first draft's form address (a refused form's page reloaded): the page, with the draft.
async fn back_to_draft(Path(handle): Path<String>) -> Redirect {
    Redirect::to(&format!("/incidents/{}/postmortem?draft=shown#first-draft", kit::urlencode(&handle)))
}

async fn asset(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_string()),
                (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
