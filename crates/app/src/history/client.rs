//! The HTTP side of a history import: one vendor's REST API asked politely. Requests are
//! spaced to a configured rate; a `429` waits as long as the vendor says (`Retry-After`,
//! PagerDuty's `ratelimit-reset`, Opsgenie's `X-RateLimit-Period-In-Sec`); a `5xx` or a
//! broken connection is retried a bounded number of times with a growing wait; a refusal
//! (`401`, `403`, `404`, …) stops the import with what to do about it. Every body is read up
//! to a bound, and every answer decoded into a type, an error naming the endpoint and the
//! JSON path at fault.
//!
//! The token travels in one header marked sensitive and appears in no message.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use super::{HistoryError, Vendor};

/// Largest response body read, in bytes (a page of 100 PagerDuty log entries with their
/// channels is well under a megabyte).
pub const MAX_BODY: usize = 16 << 20;
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take in all, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The first wait before retrying a failed request; each retry waits twice the one before.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Waits for the rate limit one request may take at least (or `max_retries`, if more)
/// before the import stops and says so.
const MIN_RATE_LIMIT_WAITS: u32 = 8;
/// The longest wait a vendor may ask for; beyond, the import stops and says so.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// What the client counts for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Requests sent again after a `5xx` or a broken connection.
    pub retries: u64,
    /// Waits because the vendor answered `429` or said its limit was reached.
    pub rate_limit_waits: u64,
}

/// One vendor's API, asked at a bounded rate.
pub struct ApiClient {
    http: reqwest::Client,
    vendor: Vendor,
    base: String,
    headers: HeaderMap,
    /// The least time between two requests.
    spacing: Duration,
    max_retries: u32,
    last_request: Option<Instant>,
    /// When the vendor said its limit resets, if it said the limit was reached.
    limited_until: Option<Instant>,
    pub counts: RequestCounts,
}

impl ApiClient {
    /// A client for `vendor` at `base` (already checked), authenticated with `token`.
    pub fn new(
        vendor: Vendor,
        base: &str,
        token: &str,
        requests_per_second: f64,
        max_retries: u32,
    ) -> Result<ApiClient, HistoryError> {
        let mut headers = HeaderMap::new();
        let (auth, accept) = match vendor {
            Vendor::PagerDuty => (format!("Token token={token}"), "application/vnd.pagerduty+json;version=2"),
            Vendor::Opsgenie => (format!("GenieKey {token}"), "application/json"),
        };
        let mut auth = HeaderValue::from_str(&auth).map_err(|_| HistoryError::Token { vendor })?;
        auth.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static(accept));
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // A redirect could carry the token elsewhere; the vendors' APIs do not redirect.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hindsight/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HistoryError::Client(e.to_string()))?;
        let spacing =
            if requests_per_second > 0.0 { Duration::from_secs_f64(1.0 / requests_per_second) } else { Duration::ZERO };
        Ok(ApiClient {
            http,
            vendor,
            base: base.trim_end_matches('/').to_string(),
            headers,
            spacing,
            max_retries,
            last_request: None,
            limited_until: None,
            counts: RequestCounts::default(),
        })
    }

    /// `GET path?query`, decoded as `T`; `endpoint` names it in errors (e.g.
    /// `GET /incidents`).
    pub async fn get_json<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        endpoint: &str,
    ) -> Result<(T, Vec<u8>), HistoryError> {
        let body = self.get(path, query, endpoint).await?;
        let mut deserializer = serde_json::Deserializer::from_slice(&body);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| HistoryError::Malformed {
            vendor: self.vendor,
            endpoint: endpoint.to_string(),
            path: e.path().to_string(),
            reason: e.inner().to_string(),
        })?;
        Ok((value, body))
    }

    /// `GET path?query`: the body of its `2xx` answer, after the waits and retries it took.
    async fn get(&mut self, path: &str, query: &[(&str, String)], endpoint: &str) -> Result<Vec<u8>, HistoryError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        let mut waited = 0;
        loop {
            self.wait_for_turn().await;
            self.counts.requests += 1;
            let sent = self.http.get(&url).headers(self.headers.clone()).query(query).send().await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => {
                    self.note_limit(response.headers());
                    match read_body(response).await {
                        Ok(body) => return Ok(body),
                        Err(BodyError::TooLarge) => {
                            return Err(HistoryError::TooLarge {
                                vendor: self.vendor,
                                endpoint: endpoint.to_string(),
                                limit: MAX_BODY,
                            });
                        }
                        Err(BodyError::Broken(reason)) => Failure::Transient(reason, None),
                    }
                }
                Ok(response) => self.failure(response, endpoint).await?,
                Err(e) => Failure::Transient(describe(&e), None),
            };
            match failure {
                Failure::RateLimited(wait) => {
                    // A 429 is the vendor pacing us, not a failure: it does not use up retries,
                    // but a vendor that never lets us through stops the import after a few.
                    self.counts.rate_limit_waits += 1;
                    waited += 1;
                    if waited > self.max_retries.max(MIN_RATE_LIMIT_WAITS) {
                        return Err(HistoryError::RateLimited { vendor: self.vendor, endpoint: endpoint.to_string() });
                    }
                    self.sleep(wait, endpoint).await?;
                }
                Failure::Transient(reason, asked) => {
                    attempt += 1;
                    if attempt > self.max_retries {
                        return Err(HistoryError::Unavailable {
                            vendor: self.vendor,
                            endpoint: endpoint.to_string(),
                            reason,
                            attempts: attempt,
                        });
                    }
                    self.counts.retries += 1;
                    let backoff = FIRST_BACKOFF.saturating_mul(1 << (attempt - 1).min(6));
                    self.sleep(asked.unwrap_or(backoff), endpoint).await?;
                }
            }
        }
    }

    /// Waits until the next request may go: the configured spacing, and a reset the vendor
    /// announced.
    async fn wait_for_turn(&mut self) {
        let now = Instant::now();
        let mut until = self.last_request.map(|at| at + self.spacing).filter(|at| *at > now);
        if let Some(limited) = self.limited_until.take().filter(|at| *at > now) {
            self.counts.rate_limit_waits += 1;
            until = until.max(Some(limited));
        }
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
        self.last_request = Some(Instant::now());
    }

    async fn sleep(&self, wait: Duration, endpoint: &str) -> Result<(), HistoryError> {
        if wait > MAX_WAIT {
            return Err(HistoryError::RateLimited { vendor: self.vendor, endpoint: endpoint.to_string() });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// PagerDuty says, on every answer, how many requests are left and when its window
    /// resets: when none are left, the next request waits for the reset.
    fn note_limit(&mut self, headers: &HeaderMap) {
        let remaining = header_number(headers, "ratelimit-remaining");
        if remaining == Some(0.0)
            && let Some(reset) = header_number(headers, "ratelimit-reset")
        {
            self.limited_until = Some(Instant::now() + seconds(reset));
        }
    }

    /// What a non-`2xx` answer means: wait and retry, or stop with what to do.
    async fn failure(&self, response: reqwest::Response, endpoint: &str) -> Result<Failure, HistoryError> {
        let status = response.status();
        let asked = retry_after(response.headers());
        let vendor = self.vendor;
        let endpoint = endpoint.to_string();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Ok(Failure::RateLimited(asked.unwrap_or(FIRST_BACKOFF * 4)));
        }
        if status.is_server_error() {
            return Ok(Failure::Transient(format!("{status}"), asked));
        }
        // The vendor's own words help (e.g. PagerDuty's `error.message`); a bounded excerpt.
        let said = match read_body(response).await {
            Ok(body) => vendor_message(&body),
            Err(_) => None,
        };
        Err(HistoryError::Refused { vendor, endpoint, status: status.as_u16(), said, base: self.base.clone() })
    }
}

/// Why a request did not succeed, when it may be tried again.
enum Failure {
    /// `429`: wait this long.
    RateLimited(Duration),
    /// `5xx` or a broken connection (the reason, and how long the vendor asked to wait).
    Transient(String, Option<Duration>),
}

enum BodyError {
    TooLarge,
    Broken(String),
}

/// The body, read chunk by chunk up to [`MAX_BODY`].
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| BodyError::Broken(describe(&e)))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error in words, without the URL's query (it holds no secret, but is long).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        let mut text = e.to_string();
        if let Some(url) = e.url() {
            text = text.replace(url.as_str(), url.path());
        }
        text
    }
}

/// How long the answer asks to wait: `Retry-After` (seconds), else PagerDuty's
/// `ratelimit-reset`, else Opsgenie's `X-RateLimit-Period-In-Sec`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    ["retry-after", "ratelimit-reset", "x-ratelimit-period-in-sec"]
        .iter()
        .find_map(|name| header_number(headers, name))
        .map(seconds)
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<f64> {
    let value: f64 = headers.get(name)?.to_str().ok()?.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(MAX_WAIT + Duration::from_secs(1))
}

/// The message in a vendor's error body: PagerDuty's `{"error": {"message", "errors"}}`,
/// Opsgenie's `{"message"}`; at most 300 characters.
fn vendor_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = value
        .pointer("/error/message")
        .or_else(|| value.get("message"))
        .and_then(serde_json::Value::as_str)?
        .to_string();
    let details = value
        .pointer("/error/errors")
        .and_then(serde_json::Value::as_array)
        .map(|errors| errors.iter().filter_map(serde_json::Value::as_str).collect::<Vec<_>>().join("; "))
        .filter(|d| !d.is_empty());
    let text = match details {
        Some(details) => format!("{message}: {details}"),
        None => message,
    };
    Some(text.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_asked_is_read_from_either_vendors_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-reset", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert("retry-after", HeaderValue::from_static("1"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(1)), "Retry-After first");
        let mut opsgenie = HeaderMap::new();
        opsgenie.insert("x-ratelimit-period-in-sec", HeaderValue::from_static("60"));
        assert_eq!(retry_after(&opsgenie), Some(Duration::from_secs(60)));
        let mut odd = HeaderMap::new();
        odd.insert("retry-after", HeaderValue::from_static("-5"));
        odd.insert("ratelimit-reset", HeaderValue::from_static("NaN"));
        assert_eq!(retry_after(&odd), None);
    }

    #[test]
    fn a_vendors_error_message_is_kept_short() {
        let pagerduty = br#"{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Offset must be less than 10000."]}}"#;
        assert_eq!(
            vendor_message(pagerduty).as_deref(),
            Some("Invalid Input Provided: Offset must be less than 10000.")
        );
        let opsgenie = br#"{"message": "Could not authenticate", "took": 0.0, "requestId": "r"}"#;
        assert_eq!(vendor_message(opsgenie).as_deref(), Some("Could not authenticate"));
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(1000));
        assert_eq!(vendor_message(long.as_bytes()).map(|m| m.len()), Some(300));
        assert_eq!(vendor_message(b"<html>"), None);
    }
}
