//! Importing a team's incident history from PagerDuty or Opsgenie through their REST APIs:
//! every vendor incident (an Opsgenie alert) created in a window becomes a Hindsight
//! incident, titled, rated and tied to services from the vendor's record, and its log
//! entries go through the very importer a saved file of them would ([`crate::imports`]),
//! so its timeline, key moments and response metrics come out as they would from the file.
//!
//! It is resumable. The window is read in chunks of [`CHUNK`], oldest first, each chunk's
//! incidents in the vendor's order of creation; after each incident is fully imported a
//! checkpoint in the database ([`HistoryCheckpoint`], keyed by vendor and the window asked
//! for) records the chunk and how many of its incidents are in. The same command run again
//! after Ctrl-C, a network failure or a kill asks the vendor for the rest only: the list
//! from that offset of that chunk on. An incident half imported when it stopped is read
//! again whole; its events already stored are recognised (same source and id) and skipped.
//! Once the whole window is in, running the command again reads it all again: incidents
//! already imported that are resolved on both sides are skipped without reading their log
//! entries, others are brought up to date. An incident is found again by the vendor's id
//! (the reference `pagerduty_incident` or `opsgenie_incident`, the one a file import records
//! too), so nothing is imported twice.
//!
//! Not here: HTTP details ([`client`]), each vendor's endpoints ([`pagerduty`],
//! [`opsgenie`]), progress bars (the command line's).

mod client;
mod opsgenie;
mod pagerduty;

use std::collections::BTreeSet;
use std::io::{BufRead, Read};
use std::time::Instant;

use hindsight_core::access::Viewer;
use hindsight_core::import::{Format, Rejected};
use hindsight_core::{IncidentStatus, NewIncident, Severity};
use hindsight_store::{HistoryCheckpoint, Store, StoreError};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use client::{MAX_BODY, RequestCounts};

use crate::imports::{self, IngestError, Source, Target};
use client::ApiClient;

/// How much of the window one listing covers: well inside PagerDuty's six months per query,
/// and few enough incidents for the vendors' largest offsets in any team's month.
pub const CHUNK: time::Duration = time::Duration::days(30);
/// Rejected records kept in the summary at most (all are counted).
const MAX_REJECTIONS: usize = 20;
/// Longest incident title taken from a vendor (Hindsight's titles are short).
const MAX_TITLE: usize = 180;

/// Where the history comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    PagerDuty,
    Opsgenie,
}

impl Vendor {
    /// As the command line and the checkpoint name it.
    pub fn key(self) -> &'static str {
        match self {
            Vendor::PagerDuty => "pagerduty",
            Vendor::Opsgenie => "opsgenie",
        }
    }

    /// The vendor's API: its US service, or its EU one.
    pub fn default_base_url(self, eu: bool) -> &'static str {
        match (self, eu) {
            (Vendor::PagerDuty, false) => "https://api.pagerduty.com",
            (Vendor::PagerDuty, true) => "https://api.eu.pagerduty.com",
            (Vendor::Opsgenie, false) => "https://api.opsgenie.com",
            (Vendor::Opsgenie, true) => "https://api.eu.opsgenie.com",
        }
    }

    /// The environment variable the token is read from.
    pub fn token_variable(self) -> &'static str {
        match self {
            Vendor::PagerDuty => "PAGERDUTY_TOKEN",
            Vendor::Opsgenie => "OPSGENIE_API_KEY",
        }
    }

    /// The file format whose importer reads what the API answers.
    fn format(self) -> Format {
        match self {
            Vendor::PagerDuty => Format::PagerDutyLog,
            Vendor::Opsgenie => Format::Opsgenie,
        }
    }

    fn max_offset(self) -> usize {
        match self {
            Vendor::PagerDuty => pagerduty::MAX_OFFSET,
            Vendor::Opsgenie => opsgenie::MAX_OFFSET,
        }
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Vendor::PagerDuty => "PagerDuty",
            Vendor::Opsgenie => "Opsgenie",
        })
    }
}

impl std::str::FromStr for Vendor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pagerduty" => Ok(Vendor::PagerDuty),
            "opsgenie" => Ok(Vendor::Opsgenie),
            other => Err(format!("unknown vendor {other:?}; expected pagerduty or opsgenie")),
        }
    }
}

/// What to import, from where, and how politely.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    pub vendor: Vendor,
    /// Incidents created from this moment on…
    pub since: OffsetDateTime,
    /// …and before this one (`None`: up to when the import starts).
    pub until: Option<OffsetDateTime>,
    /// The API's base URL, checked by [`check_base_url`].
    pub base_url: String,
    pub token: String,
    /// Requests per second at most.
    pub requests_per_second: f64,
    /// Times a request failing with a `5xx` or a broken connection is tried again.
    pub max_retries: u32,
}

/// Where an import stands, for a progress bar.
#[derive(Debug, Clone)]
pub struct HistoryProgress {
    /// Incidents done by this run.
    pub incidents: u64,
    /// The start of the chunk being read, and the end of the window.
    pub chunk_start: OffsetDateTime,
    pub since: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub requests: u64,
}

/// What an import of history did.
#[derive(Debug, Clone, Serialize)]
pub struct HistorySummary {
    pub vendor: Vendor,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// The end of the window imported (the one asked for, or when the first run started).
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// Whether this run went on from where an earlier one stopped.
    pub resumed: bool,
    /// Incidents declared by this run.
    pub incidents_new: u64,
    /// Incidents imported before that got new events.
    pub incidents_updated: u64,
    /// Incidents imported before with nothing new: resolved on both sides (their log
    /// entries not read again), or read again without a new event.
    pub incidents_skipped: u64,
    /// Events added to timelines.
    pub events_imported: u64,
    /// Events already on the timelines, or duplicates by the timeline's rule.
    pub events_duplicate: u64,
    /// Records that could not be read; the first ones are in `rejections`.
    pub records_rejected: u64,
    pub requests: u64,
    pub retries: u64,
    pub rate_limit_waits: u64,
    pub seconds: f64,
    pub rejections: Vec<Rejected>,
    pub notes: Vec<String>,
}

/// Why an import of history stopped.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("--api-url {url:?}: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("the {vendor} token holds characters no HTTP header may carry; check {}", vendor.token_variable())]
    Token { vendor: Vendor },
    #[error("--since {since} is not before the end of the window, {until}")]
    Window { since: String, until: String },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("{vendor} refused {endpoint} at {base} ({status}{}): {}", said.as_ref().map(|s| format!(", \"{s}\"")).unwrap_or_default(), refusal_hint(*vendor, *status))]
    Refused { vendor: Vendor, endpoint: String, status: u16, said: Option<String>, base: String },
    #[error(
        "{vendor} did not answer {endpoint} after {attempts} attempts ({reason}); nothing imported is lost: run the \
         same command again later to go on from there"
    )]
    Unavailable { vendor: Vendor, endpoint: String, reason: String, attempts: u32 },
    #[error(
        "{vendor} kept answering {endpoint} with \"too many requests\"; run the same command again later, with a lower \
         --rate, to go on from there"
    )]
    RateLimited { vendor: Vendor, endpoint: String },
    #[error("{vendor}'s answer to {endpoint} is larger than {limit} bytes; nothing of it was imported")]
    TooLarge { vendor: Vendor, endpoint: String, limit: usize },
    #[error("{vendor}'s answer to {endpoint} is not what its API documents, at {path}: {reason}")]
    Malformed { vendor: Vendor, endpoint: String, path: String, reason: String },
    #[error(
        "{vendor} lists more than {limit} incidents created between {from} and {to}, more than its API pages through"
    )]
    TooManyInChunk { vendor: Vendor, limit: usize, from: String, to: String },
    #[error("importing {vendor} incident {id}: {source}")]
    Import {
        vendor: Vendor,
        id: String,
        #[source]
        source: IngestError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do about a refusal.
fn refusal_hint(vendor: Vendor, status: u16) -> String {
    let variable = vendor.token_variable();
    match status {
        401 => format!("the token was not accepted; set {variable} to a valid {vendor} API key"),
        403 => {
            format!("the token may not read this; give {variable} a key with read access to incidents and their logs")
        }
        402 => format!("the {vendor} account's plan does not include this API"),
        404 => "not found; check --api-url (the vendor's API, e.g. its EU address with --eu)".to_string(),
        _ => "check --since, --until and --api-url".to_string(),
    }
}

/// `url` if it is an http(s) URL with a host and nothing after its path.
pub fn check_base_url(url: &str) -> Result<String, HistoryError> {
    let bad = |reason: &str| HistoryError::BaseUrl { url: url.chars().take(200).collect(), reason: reason.to_string() };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must be an http:// or https:// URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("must name a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not hold a user name or password (the token comes from the environment)"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// One vendor incident as listed, before its log entries.
#[derive(Debug)]
pub(crate) struct VendorIncident {
    pub id: String,
    pub number: Option<i64>,
    pub title: String,
    pub severity: Severity,
    /// Service names as the vendor has them.
    pub services: Vec<String>,
    pub resolved: bool,
    pub link: Option<String>,
    /// What the vendor's importer needs besides the log (Opsgenie: the alert's deliveries).
    pub detail: serde_json::Value,
}

/// A page of a vendor's incident list.
pub(crate) struct ListedPage {
    pub incidents: Vec<VendorIncident>,
    pub more: bool,
}

/// Hands pages of a vendor's log to the importer reading them on its thread.
pub(crate) struct PageSink {
    sender: tokio::sync::mpsc::Sender<Result<Vec<u8>, String>>,
}

impl PageSink {
    /// Sends a page on; `false` when the importer stopped reading.
    pub async fn send(&mut self, page: Vec<u8>) -> bool {
        self.sender.send(Ok(page)).await.is_ok()
    }
}

/// The pages a [`PageSink`] sends, read as one stream: the importer's input. A failure to
/// fetch a page is an I/O error here, so the import stops rather than settle the incident on
/// half its log.
struct PagesReader {
    receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, String>>,
    page: Vec<u8>,
    at: usize,
}

impl Read for PagesReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for PagesReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at >= self.page.len() {
            match self.receiver.blocking_recv() {
                Some(Ok(page)) => {
                    self.page = page;
                    self.at = 0;
                }
                Some(Err(reason)) => return Err(std::io::Error::other(reason)),
                None => return Ok(&[]),
            }
        }
        Ok(&self.page[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.page.len());
    }
}

pub(crate) fn format_rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_default()
}

/// Longest vendor id taken (PagerDuty's are 7 to 14 characters, Opsgenie's UUIDs 36).
const MAX_ID: usize = 100;

/// `id` if it is safe as one segment of a URL path: letters, digits, `-` and `_` (the
/// vendors' ids are), so that no id can climb out of its endpoint (`..`, `/`, `?`).
pub(crate) fn checked_id(vendor: Vendor, endpoint: &str, path: String, id: String) -> Result<String, HistoryError> {
    if !id.is_empty() && id.len() <= MAX_ID && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Ok(id);
    }
    Err(HistoryError::Malformed {
        vendor,
        endpoint: endpoint.to_string(),
        path,
        reason: format!(
            "{:?} is not an id (letters, digits, - and _, at most {MAX_ID})",
            id.chars().take(120).collect::<String>()
        ),
    })
}

/// `name` as a service slug: lower case, words joined by `-`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Imports `request.vendor`'s incidents created in the window into the store, as `viewer`,
/// going on from the checkpoint of an earlier run of the same window when it did not finish.
/// `progress` is told after each incident.
pub async fn import_history(
    store: &Store,
    viewer: &Viewer,
    request: HistoryRequest,
    mut progress: impl FnMut(&HistoryProgress),
) -> Result<HistorySummary, HistoryError> {
    let started = Instant::now();
    let vendor = request.vendor;
    let mut client =
        ApiClient::new(vendor, &request.base_url, &request.token, request.requests_per_second, request.max_retries)?;
    let earlier = store.history_checkpoint(vendor.key(), request.since, request.until).await?;
    let resumed = earlier.as_ref().is_some_and(|c| c.finished_at.is_none());
    let mut checkpoint = match earlier {
        Some(c) if c.finished_at.is_none() => c,
        _ => {
            let ends_at = request.until.unwrap_or_else(OffsetDateTime::now_utc);
            HistoryCheckpoint {
                vendor: vendor.key().to_string(),
                since: request.since,
                until: request.until,
                ends_at,
                chunk_start: request.since,
                chunk_done: 0,
                finished_at: None,
            }
        }
    };
    if checkpoint.since >= checkpoint.ends_at {
        return Err(HistoryError::Window {
            since: format_rfc3339(checkpoint.since),
            until: format_rfc3339(checkpoint.ends_at),
        });
    }
    store.save_history_checkpoint(&checkpoint).await?;
    let mut run = Run {
        store,
        viewer,
        vendor,
        known_services: store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect(),
        unknown_services: BTreeSet::new(),
        summary: HistorySummary {
            vendor,
            since: checkpoint.since,
            until: checkpoint.ends_at,
            resumed,
            incidents_new: 0,
            incidents_updated: 0,
            incidents_skipped: 0,
            events_imported: 0,
            events_duplicate: 0,
            records_rejected: 0,
            requests: 0,
            retries: 0,
            rate_limit_waits: 0,
            seconds: 0.0,
            rejections: Vec::new(),
            notes: Vec::new(),
        },
    };
    let mut done = 0;
    let result = async {
        while checkpoint.chunk_start < checkpoint.ends_at {
            let from = checkpoint.chunk_start;
            let to = (from + CHUNK).min(checkpoint.ends_at);
            loop {
                let offset = usize::try_from(checkpoint.chunk_done).unwrap_or(0);
                if offset >= vendor.max_offset() {
                    return Err(HistoryError::TooManyInChunk {
                        vendor,
                        limit: vendor.max_offset(),
                        from: format_rfc3339(from),
                        to: format_rfc3339(to),
                    });
                }
                let page = match vendor {
                    Vendor::PagerDuty => pagerduty::list(&mut client, from, to, offset).await?,
                    Vendor::Opsgenie => opsgenie::list(&mut client, from, to, offset).await?,
                };
                let listed = page.incidents.len();
                for incident in page.incidents {
                    run.import_one(&mut client, incident).await?;
                    checkpoint.chunk_done += 1;
                    store.save_history_checkpoint(&checkpoint).await?;
                    done += 1;
                    progress(&HistoryProgress {
                        incidents: done,
                        chunk_start: from,
                        since: checkpoint.since,
                        ends_at: checkpoint.ends_at,
                        requests: client.counts.requests,
                    });
                }
                if !page.more || listed == 0 {
                    break;
                }
            }
            checkpoint.chunk_start = to;
            checkpoint.chunk_done = 0;
            store.save_history_checkpoint(&checkpoint).await?;
        }
        checkpoint.finished_at = Some(OffsetDateTime::now_utc());
        store.save_history_checkpoint(&checkpoint).await?;
        Ok(())
    }
    .await;
    result?;
    let mut summary = run.finish();
    summary.requests = client.counts.requests;
    summary.retries = client.counts.retries;
    summary.rate_limit_waits = client.counts.rate_limit_waits;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One run's state beside the checkpoint.
struct Run<'a> {
    store: &'a Store,
    viewer: &'a Viewer,
    vendor: Vendor,
    /// Hindsight's services: slug and name.
    known_services: Vec<(String, String)>,
    /// Vendor service names with no Hindsight service, for a note.
    unknown_services: BTreeSet<String>,
    summary: HistorySummary,
}

impl Run<'_> {
    /// Imports one vendor incident with its whole log: declares it unless an import brought
    /// it before, then reads its log through the vendor's file importer into its timeline.
    async fn import_one(&mut self, client: &mut ApiClient, incident: VendorIncident) -> Result<(), HistoryError> {
        let vendor = self.vendor;
        let mut refs = vec![(format!("{}_incident", vendor.key()), incident.id.clone())];
        let known = self.store.incidents_by_refs(self.viewer, &refs).await?;
        let existing = known.values().min().copied();
        let number = match existing {
            Some(number) => {
                let stored = self.store.incident(self.viewer, number).await?;
                if incident.resolved && stored.status == IncidentStatus::Resolved {
                    self.summary.incidents_skipped += 1;
                    return Ok(());
                }
                number
            }
            None => {
                let created = self.store.create_incident(self.viewer, self.new_incident(&incident)).await?;
                if let Some(n) = incident.number {
                    refs.push((format!("{}_incident_number", vendor.key()), n.to_string()));
                }
                // The reference first, so that a run stopped from here on finds the incident again.
                self.store.import_events(self.viewer, created.number, &[], &refs).await?;
                created.number
            }
        };

        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let reader = PagesReader { receiver, page: Vec::new(), at: 0 };
        let origin = match vendor {
            Vendor::PagerDuty => format!("PagerDuty GET /incidents/{}/log_entries", incident.id),
            Vendor::Opsgenie => format!("Opsgenie GET /v2/alerts/{}/logs", incident.id),
        };
        let source = Source::Stream { origin, input: Box::new(reader) };
        let import =
            imports::import(self.store, self.viewer, vendor.format(), source, Target::Incident(number), |_| {});
        let fetch = async move {
            let mut sink = PageSink { sender };
            let fetched = match vendor {
                Vendor::PagerDuty => pagerduty::timeline(client, &incident, &mut sink).await,
                Vendor::Opsgenie => opsgenie::timeline(client, &incident, &mut sink).await,
            };
            if let Err(e) = &fetched {
                let _ = sink.sender.send(Err(e.to_string())).await;
            }
            (fetched, incident.id)
        };
        let (imported, (fetched, id)) = tokio::join!(import, fetch);
        let (_, truncated) = fetched?;
        let imported = imported.map_err(|source| HistoryError::Import { vendor, id: id.clone(), source })?;
        if truncated {
            self.summary.notes.push(format!(
                "{vendor} incident {id} has more log entries than its API pages through; the first ones were imported"
            ));
        }
        match existing {
            None => self.summary.incidents_new += 1,
            Some(_) if imported.imported > 0 => self.summary.incidents_updated += 1,
            Some(_) => self.summary.incidents_skipped += 1,
        }
        self.summary.events_imported += imported.imported;
        self.summary.events_duplicate += imported.duplicates;
        self.summary.records_rejected += imported.rejected;
        let room = MAX_REJECTIONS.saturating_sub(self.summary.rejections.len());
        self.summary.rejections.extend(imported.rejections.into_iter().take(room));
        for note in imported.notes {
            if !self.summary.notes.contains(&note) && self.summary.notes.len() < MAX_REJECTIONS {
                self.summary.notes.push(note);
            }
        }
        Ok(())
    }

    /// The incident to declare for a vendor incident; its moments and status follow from its
    /// timeline once its log is in, as for an incident a file import declares.
    fn new_incident(&mut self, incident: &VendorIncident) -> NewIncident {
        let mut services = Vec::new();
        for name in &incident.services {
            let wanted = slug(name);
            match self.known_services.iter().find(|(s, n)| *s == wanted || n.eq_ignore_ascii_case(name.trim())) {
                Some((s, _)) if !services.contains(s) => services.push(s.clone()),
                Some(_) => {}
                None => {
                    self.unknown_services.insert(name.chars().take(100).collect());
                }
            }
        }
        let reference = match incident.number {
            Some(n) => format!("#{n} ({})", incident.id),
            None => incident.id.clone(),
        };
        let link = incident.link.as_deref().map(|l| format!(": {l}")).unwrap_or_default();
        NewIncident::triggered(
            incident.title.chars().take(MAX_TITLE).collect(),
            format!("Imported from {} incident {reference}{link}", self.vendor),
            incident.severity,
            services,
        )
    }

    fn finish(mut self) -> HistorySummary {
        if !self.unknown_services.is_empty() {
            let names: Vec<String> = self.unknown_services.iter().take(10).cloned().collect();
            let more = self.unknown_services.len().saturating_sub(names.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            self.summary.notes.push(format!(
                "{} services with no Hindsight service of that name or slug were left off the incidents: {}{more}",
                self.vendor,
                names.join(", ")
            ));
        }
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_are_api_urls() {
        assert_eq!(check_base_url("https://api.eu.opsgenie.com/").unwrap(), "https://api.eu.opsgenie.com");
        assert_eq!(check_base_url("http://127.0.0.1:8080/proxy/pd").unwrap(), "http://127.0.0.1:8080/proxy/pd");
        for bad in [
            "file:///etc/passwd",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://x.example?a=1",
            "not a url",
            "unix:/run/x",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn only_plain_ids_go_into_paths() {
        let check = |id: &str| checked_id(Vendor::PagerDuty, "GET /incidents", "incidents[0].id".into(), id.into());
        assert_eq!(check("PT4KHLK").unwrap(), "PT4KHLK");
        assert!(check("8418d193-2dab-4490-b331-8c02cdd196b7").is_ok());
        for bad in ["..", "%2e%2e", "a/b", "x?y", "", &"P".repeat(101)] {
            let err = check(bad).unwrap_err().to_string();
            assert!(err.contains("incidents[0].id") && err.contains("GET /incidents"), "{err}");
        }
    }

    #[test]
    fn service_names_become_slugs() {
        assert_eq!(slug(" Checkout API "), "checkout-api");
        assert_eq!(slug("DB / Pool"), "db-pool");
    }

    #[test]
    fn the_reader_stops_on_a_failed_fetch() {
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        sender.try_send(Ok(b"{\"a\":".to_vec())).unwrap();
        sender.try_send(Ok(b"1}".to_vec())).unwrap();
        sender.try_send(Err("PagerDuty did not answer".to_string())).unwrap();
        let mut reader = PagesReader { receiver, page: Vec::new(), at: 0 };
        let mut text = String::new();
        let err = reader.read_to_string(&mut text).unwrap_err();
        assert_eq!(text, "{\"a\":1}");
        assert!(err.to_string().contains("did not answer"));
    }
}
