//! `/unsubscribe/{token}`: the link at the foot of every email. `GET` asks to confirm;
//! `POST` stops those emails, as a mail program's one-click unsubscribe does (RFC 8058,
//! `List-Unsubscribe-Post`). No sign-in: the link's signature names the person and what
//! to stop, and forging one needs the server's secret key.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_app::deliveries::{self, Unsubscribe};

use super::kit::PageError;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    token: String,
    /// "of this kind (mentioned)", "at all".
    what: String,
    done: bool,
}

fn words(what: Unsubscribe) -> String {
    match what {
        Unsubscribe::Kind(kind) => format!("of this kind ({})", kind.words()),
        Unsubscribe::All => "at all".into(),
    }
}

fn refused(e: hindsight_app::AppError) -> PageError {
    PageError::new(StatusCode::NOT_FOUND, format!("{e}: use the link of a newer email, or choose on your inbox page."))
}

/// `GET /unsubscribe/{token}`.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Result<UnsubscribePage, PageError> {
    let what = deliveries::unsubscribe_of(&state.settings.deliverer, &token).map_err(refused)?;
    Ok(UnsubscribePage { token, what: words(what), done: false })
}

/// `POST /unsubscribe/{token}`.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, PageError> {
    let what = deliveries::unsubscribe(&state.store, &state.settings.deliverer, &token).await.map_err(refused)?;
    Ok(UnsubscribePage { token, what: words(what), done: true })
}
