//! Importing what other tools recorded into an incident's timeline: runs a core
//! importer on a blocking thread, streams its records through a bounded channel, ties
//! them to an incident (given; or, an episode of records that belong together at a time
//! (core's `Episodes`), found by the ids the tools use, by service and time, or declared
//! from the episode's first trigger), stores them in batches, marks the key moments, and
//! moves each incident's moments and status to what its whole timeline shows.
//! The importer's thread also does all the per-record work that storing does not need
//! (payload and correlation text, references, key-moment candidates, the streaming
//! duplicate check), so that the side which stores, the slower one, only stores.
//!
//! Memory stays flat however large the input: records are stored as they come; only a
//! bounded set of candidates (the earliest and latest of each kind, without their
//! payloads) is kept to choose the key moments from, and at most `REORDER_LIMIT`
//! records (without payloads) are held to run the duplicate rule in timeline order.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet};
use std::io::BufRead;
use std::sync::Arc;

use hindsight_core::access::Viewer;
use hindsight_core::import::{
    DUPLICATE_LOOKBACK, Duplicates, Episodes, FINGERPRINT_SOURCES, Format, ImportError, ImportStats, Record, Rejected,
    SNIFF_BYTES, SlackOptions, import_slack_export, importer, key_moments, record_from_stored, stored_correlation,
    wrong_format_hint,
};
use hindsight_core::{EventKind, IncidentStatus, KeyMoment, NewIncident, Severity, incident_handle};
use hindsight_store::{DuplicateCheck, ImportedEvent, Store, StoreError, StoredEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Which incident the events belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// This one.
    Incident(i64),
    /// Whichever the records point to; with `create`, a new one when none does.
    Correlate { create: bool },
}

/// Where an import reads from.
pub enum Source {
    /// A stream in one of the single-stream formats, named for error messages.
    Stream { origin: String, input: Box<dyn BufRead + Send> },
    /// A Slack export folder or zip.
    SlackExport { path: std::path::PathBuf, channels: Vec<String> },
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    /// Handle of the incident the events went to (the first, when they went to several).
    pub incident: Option<String>,
    /// Handles of every incident the events went to: more than one when the records told of
    /// episodes far apart in time with no id in common (see core's `Episodes`).
    pub incidents: Vec<String>,
    /// Whether this import declared an incident.
    pub created_incident: bool,
    /// Records read from the input.
    pub read: u64,
    /// New events added to the timeline.
    pub imported: u64,
    /// Records already on the timeline (same source and id), skipped; and events that core's
    /// duplicate rule found to be one with another (one alert seen by two tools, a repeated
    /// notification), of which only the earliest stays on the timeline.
    pub duplicates: u64,
    /// Records that could not be read; the first ones are in `rejections`.
    pub rejected: u64,
    /// Records understood but not timeline events.
    pub skipped: u64,
    /// Events an earlier import had set aside as duplicates that are back on the timeline:
    /// the rule keeps the first of copies minutes apart, and this import brought an earlier
    /// copy that ends the run they were part of.
    pub restored: u64,
    #[schema(value_type = Vec<Object>)]
    pub rejections: Vec<Rejected>,
    pub notes: Vec<String>,
    /// Handles of the incidents this import resolved (their timeline shows a resolution).
    pub resolved: Vec<String>,
    /// Key moments marked on the timeline of the (first) incident by this import.
    pub key_moments: BTreeMap<String, String>,
}

/// Why an import could not go on.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Input(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "none of the records say which incident they belong to (no known incident id, alert fingerprint, \
         channel, or service with an incident at that time); name the incident, or ask to create one"
    )]
    NoIncident,
    #[error("the importer stopped unexpectedly: {0}")]
    Crashed(String),
}

/// Records the importer hands over at a time.
const BATCH: usize = 1024;
/// Bytes of payload and text the importer hands over at most at a time (a batch is sent
/// when it holds `BATCH` records or this many bytes), so that what is in flight stays small
/// when records are large.
const BATCH_BYTES: usize = 4 << 20;
/// Bytes of payload and text stored per transaction at most.
const STORE_BATCH_BYTES: usize = 16 << 20;
/// Batches read ahead while the store writes: reading goes on while a batch is stored.
const BATCHES_IN_FLIGHT: usize = 8;
/// Records stored per transaction.
const STORE_BATCH: usize = 4096;
/// Services and times tried at most when correlating by service and time.
const SERVICE_LOOKUPS: usize = 256;
/// References to the incident recorded at most per import.
const MAX_REFS: usize = 10_000;
/// Records the streaming duplicate check holds back at most to put them in timeline order.
const REORDER_LIMIT: usize = 16_384;
/// How far behind the latest record read one may come and still be checked as it streams:
/// a day and some, as a Slack export's channels are read one day file after another.
const REORDER_HORIZON: time::Duration = time::Duration::hours(26);
/// Duplicates the streaming check remembers at most; beyond, the stored timeline is checked.
const MAX_STREAM_DUPLICATES: usize = 100_000;
/// Stored events read back at a time by the duplicate check.
const DUPLICATE_CHECK_PAGE: i64 = 2048;
/// Records kept per kind, at each end of time, to choose key moments from.
const CANDIDATES_PER_END: usize = 500;
/// How far from an incident's start an event about one of its services may be and still belong to it.
const SERVICE_WINDOW: time::Duration = time::Duration::hours(6);

/// A record as read, its raw payload and correlation already in the text the store keeps
/// (`record.raw` is null) and its references to the incident listed, so the importer's
/// thread does that work while the store writes.
struct ReadRecord {
    record: Record,
    raw_payload: Option<String>,
    correlation: String,
    references: Vec<(String, String)>,
    /// The episode of the import the record belongs to (always 0 for a named incident).
    episode: usize,
}

impl ReadRecord {
    fn new(mut record: Record) -> ReadRecord {
        let raw = std::mem::take(&mut record.raw);
        let correlation = stored_correlation(&record);
        let references = references(&record);
        ReadRecord {
            raw_payload: (!raw.is_null()).then(|| raw.to_string()),
            correlation,
            references,
            record,
            episode: 0,
        }
    }

    /// About how many bytes it holds: its payload and texts.
    fn size(&self) -> usize {
        self.raw_payload.as_ref().map_or(0, String::len) + self.record.text.len() + self.correlation.len() + 256
    }
}

/// The references the tools use for the incident a record is about.
fn references(record: &Record) -> Vec<(String, String)> {
    let c = &record.correlation;
    let mut refs = Vec::new();
    if let Some(id) = &c.incident_id {
        refs.push((format!("{}_incident", record.source), id.clone()));
    }
    if let Some(number) = c.incident_number {
        refs.push((format!("{}_incident_number", record.source), number.to_string()));
    }
    if let Some(fingerprint) = &c.fingerprint {
        refs.push(("alert_fingerprint".to_string(), fingerprint.clone()));
    }
    if let Some(channel) = &c.channel {
        refs.push(("slack_channel".to_string(), channel.trim_start_matches('#').to_string()));
    }
    refs
}

/// Reads `source` as `format` into the incident `target` names, as `viewer`.
/// `progress` is called with the number of records read so far, now and then.
pub async fn import(
    store: &Store,
    viewer: &Viewer,
    format: Format,
    source: Source,
    target: Target,
    mut progress: impl FnMut(u64) + Send,
) -> Result<ImportSummary, IngestError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<ReadRecord>>(BATCHES_IN_FLIGHT);
    let correlate = matches!(target, Target::Correlate { .. });
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut batch_bytes = 0;
        let mut episodes = Episodes::default();
        let mut observed: Vec<Observed> = Vec::new();
        let mut sink = |record: Record| {
            let mut read = ReadRecord::new(record);
            if correlate {
                read.episode = episodes.assign(read.record.occurred_at, &read.references);
            }
            if observed.len() <= read.episode {
                observed.resize_with(read.episode + 1, Observed::default);
            }
            observed[read.episode].observe(&read.record);
            batch_bytes += read.size();
            batch.push(read);
            if batch.len() >= BATCH || batch_bytes >= BATCH_BYTES {
                batch_bytes = 0;
                // A closed channel means the receiving side gave up; the rest is not needed.
                let _ = sender.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        };
        let stats = match source {
            Source::Stream { origin, mut input } => {
                let head = input.fill_buf().map(|b| b[..b.len().min(SNIFF_BYTES)].to_vec()).unwrap_or_default();
                let read = importer(format).import(&mut input, &origin, &mut sink);
                with_format_hint(read, &origin, format, &head)
            }
            Source::SlackExport { path, channels } => import_slack_export(&path, &SlackOptions { channels }, &mut sink),
        };
        if !batch.is_empty() {
            let _ = sender.blocking_send(batch);
        }
        stats.map(|stats| (stats, observed))
    });
    let mut ingest = Ingest::new(store.clone(), viewer, target);
    let mut stored_error = None;
    while let Some(batch) = receiver.recv().await {
        if stored_error.is_some() {
            continue;
        }
        if let Err(e) = ingest.push(batch).await {
            stored_error = Some(e);
            receiver.close();
        }
        progress(ingest.summary.read);
    }
    let (stats, observed) = reader.await.map_err(|e| IngestError::Crashed(e.to_string()))??;
    if let Some(e) = stored_error {
        return Err(e);
    }
    progress(ingest.summary.read);
    ingest.finish(stats, observed).await
}

/// An import that read nothing, or could not read its input at all, says which format
/// the input looks like when that is another than the one chosen.
fn with_format_hint(
    read: Result<ImportStats, ImportError>,
    origin: &str,
    format: Format,
    head: &[u8],
) -> Result<ImportStats, ImportError> {
    match read {
        Ok(mut stats) if stats.imported == 0 && stats.rejected > 0 => {
            if let Some(hint) = wrong_format_hint(origin, format, head) {
                stats.notes.insert(0, hint);
            }
            Ok(stats)
        }
        Err(ImportError::Unrecognised { origin: at, reason }) => {
            let reason = match wrong_format_hint(origin, format, head) {
                Some(hint) => format!("{reason}; {hint}"),
                None => reason,
            };
            Err(ImportError::Unrecognised { origin: at, reason })
        }
        other => other,
    }
}

struct Ingest<'a> {
    /// The shared store, until the import proves large (see `push`).
    store: Store,
    own_connection: bool,
    viewer: &'a Viewer,
    target: Target,
    /// Per episode, once looked for: the incident its records go to, or `None` when none
    /// matched and none may be declared (its records are left out).
    landed: Vec<Option<Option<i64>>>,
    pending: Vec<ReadRecord>,
    /// What `pending` holds, in bytes (`ReadRecord::size`).
    pending_bytes: usize,
    /// References recorded, by incident.
    refs: HashSet<(i64, String, String)>,
    /// New events stored, by incident.
    added: BTreeMap<i64, u64>,
    /// Records left out: their episode matched no incident and none may be declared.
    left_out: u64,
    summary: ImportSummary,
}

/// What an import learns from every record as it is read, on the importer's thread so that
/// the side storing the records only stores: the key-moment candidates, the span of time
/// and the sources read, and the streaming duplicate check.
#[derive(Default)]
struct Observed {
    /// Shared with the streaming check's held records, so a record read is copied once.
    candidates: BTreeMap<EventKind, Vec<Arc<Record>>>,
    /// The earliest and latest record read, and the sources whose stored events the
    /// duplicate rule compares with the records read.
    earliest: Option<OffsetDateTime>,
    latest: Option<OffsetDateTime>,
    compared_sources: BTreeSet<String>,
    stream: StreamCheck,
}

impl Observed {
    /// Takes in what was seen of another episode that went to the same incident.
    fn join(&mut self, other: Observed) {
        for (kind, records) in other.candidates {
            self.candidates.entry(kind).or_default().extend(records);
        }
        self.earliest = self.earliest.into_iter().chain(other.earliest).min();
        self.latest = self.latest.into_iter().chain(other.latest).max();
        self.compared_sources.extend(other.compared_sources);
        // Two streams' verdicts are not one stream's: the stored timeline is checked instead.
        self.stream.give_up();
    }

    /// Drops removed events from the key-moment candidates.
    fn forget_candidates(&mut self, removed: &HashSet<(String, String)>) {
        if removed.is_empty() {
            return;
        }
        for bucket in self.candidates.values_mut() {
            bucket.retain(|r| !removed.contains(&(r.source.clone(), r.external_id.clone())));
        }
    }

    /// Takes note of a record read (its payload already apart).
    fn observe(&mut self, record: &Record) {
        let record = Arc::new(record.clone());
        self.note_scope(&record);
        self.stream.offer(&record);
        self.keep_candidate(record);
    }

    /// Keeps the record if it is among the earliest or latest of its kind.
    fn keep_candidate(&mut self, record: Arc<Record>) {
        let bucket = self.candidates.entry(record.kind).or_default();
        bucket.push(record);
        if bucket.len() > 4 * CANDIDATES_PER_END {
            bucket.sort_by_key(|r| r.occurred_at);
            bucket.drain(CANDIDATES_PER_END..bucket.len() - CANDIDATES_PER_END);
        }
    }

    /// Widens what the duplicate check reads back to cover `record`: from its time on (less
    /// the rule's longest window), its source, and every source of alert fingerprints when
    /// it has one (one alert seen by two tools is one event).
    fn note_scope(&mut self, record: &Record) {
        if self.earliest.is_none_or(|at| record.occurred_at < at) {
            self.earliest = Some(record.occurred_at);
        }
        if self.latest.is_none_or(|at| record.occurred_at > at) {
            self.latest = Some(record.occurred_at);
        }
        if !self.compared_sources.contains(&record.source) {
            self.compared_sources.insert(record.source.clone());
        }
        if record.correlation.fingerprint.is_some() {
            for source in FINGERPRINT_SOURCES {
                if !self.compared_sources.contains(*source) {
                    self.compared_sources.insert(source.to_string());
                }
            }
        }
    }
}

impl<'a> Ingest<'a> {
    fn new(store: Store, viewer: &'a Viewer, target: Target) -> Self {
        let (landed, incidents) = match target {
            Target::Incident(number) => (vec![Some(Some(number))], vec![incident_handle(number)]),
            Target::Correlate { .. } => (Vec::new(), Vec::new()),
        };
        Ingest {
            store,
            own_connection: false,
            viewer,
            target,
            landed,
            pending: Vec::new(),
            pending_bytes: 0,
            refs: HashSet::new(),
            added: BTreeMap::new(),
            left_out: 0,
            summary: ImportSummary { incidents, ..ImportSummary::default() },
        }
    }

    async fn push(&mut self, batch: Vec<ReadRecord>) -> Result<(), IngestError> {
        self.summary.read += batch.len() as u64;
        self.pending_bytes += batch.iter().map(ReadRecord::size).sum::<usize>();
        self.pending.extend(batch);
        if self.pending.len() >= STORE_BATCH || self.pending_bytes >= STORE_BATCH_BYTES {
            // More than a batch: a large import, worth a connection of its own
            // (`Store::for_import`). A webhook's few records stay on the shared pool.
            if !self.own_connection {
                self.store = self.store.for_import().await?;
                self.own_connection = true;
            }
            self.flush().await?;
        }
        Ok(())
    }

    /// Applies core's duplicate rule (`Duplicates`, the one `build_timeline` uses) to the
    /// stored timeline where this import could have added a duplicate, and sets aside the
    /// events it finds to be duplicates (`DuplicateCheck::set_aside`): the same alert from
    /// two tools, a repeated notification, one step told twice. Events set aside before are
    /// judged again with the rest and come back when the rule now keeps them, so the timeline
    /// left is `build_timeline`'s over everything imported, whatever the order of imports.
    ///
    /// When the records came in timeline order (give or take [`REORDER_HORIZON`]) and no
    /// other event of the sources compared (on the timeline or set aside) lies within the
    /// rule's reach of them, the rule's verdict on the records as they streamed is its verdict
    /// on the stored timeline, and the events it rejected are set aside by their ids.
    /// Otherwise the stored events are read back a page at a time, in timeline order, so
    /// memory stays flat.
    async fn set_aside_duplicates(&mut self, number: i64, observed: &mut Observed) -> Result<(), IngestError> {
        let (Some(earliest), Some(latest)) = (observed.earliest, observed.latest) else {
            return Ok(());
        };
        // Even when nothing new was stored the check runs: an import killed after storing its
        // rows and before this check left them unchecked, and running it again must finish the job.
        let imported = self.added.get(&number).copied().unwrap_or(0);
        let sources: Vec<String> = observed.compared_sources.iter().cloned().collect();
        let stream = std::mem::take(&mut observed.stream).finish();
        // One check of this incident at a time, each seeing what the ones before it stored
        // and set aside (`DuplicateCheck`).
        let mut check = self.store.begin_duplicate_check(self.viewer, number).await?;
        if let Some(rejected) = stream {
            let around = check
                .count_events_between(
                    &sources,
                    earliest.saturating_sub(DUPLICATE_LOOKBACK),
                    latest.saturating_add(DUPLICATE_LOOKBACK),
                )
                .await?;
            if u64::try_from(around).ok() == Some(imported) {
                let removed = check.set_aside(&rejected).await?;
                check.commit().await?;
                self.summary.imported = self.summary.imported.saturating_sub(removed);
                self.summary.duplicates += removed;
                observed.forget_candidates(&rejected.into_iter().collect());
                return Ok(());
            }
        }
        self.check_stored_timeline(&mut check, observed, &sources, earliest).await?;
        Ok(check.commit().await?)
    }

    /// The duplicate rule over the stored events of `sources` from `earliest` on, those set
    /// aside included, read back a page at a time; sets aside what it rejects and brings back
    /// what it keeps. The events on the timeline in the rule's reach before `earliest` are
    /// what the first ones are judged against.
    async fn check_stored_timeline(
        &mut self,
        check: &mut DuplicateCheck,
        observed: &mut Observed,
        sources: &[String],
        earliest: OffsetDateTime,
    ) -> Result<(), IngestError> {
        let from = earliest.saturating_sub(DUPLICATE_LOOKBACK);
        let candidate_keys: HashSet<(String, String)> =
            observed.candidates.values().flatten().map(|r| (r.source.clone(), r.external_id.clone())).collect();
        let mut dropped_candidates = HashSet::new();
        let mut duplicates = Duplicates::default();
        let mut removed = 0;
        let mut after: Option<StoredEvent> = None;
        // The last event judged, and whether the rule kept it.
        let mut previous: Option<((String, String), bool)> = None;
        loop {
            let page = check.events_with_correlation(sources, from, after.as_ref(), DUPLICATE_CHECK_PAGE).await?;
            let last_page = (page.len() as i64) < DUPLICATE_CHECK_PAGE;
            let mut dropped = Vec::new();
            let mut back = Vec::new();
            for event in &page {
                let key = (event.source.clone(), event.external_id.clone());
                if let Some((last, kept)) = &previous
                    && *last == key
                {
                    // The same event on the timeline and set aside (imported again after it was
                    // set aside): one verdict, and one place for it.
                    if *kept && event.set_aside {
                        back.push(key);
                    }
                    continue;
                }
                let record = record_from_stored(hindsight_core::import::StoredEvent {
                    occurred_at: event.occurred_at,
                    source: &event.source,
                    external_id: &event.external_id,
                    kind: event.kind,
                    actor: event.actor.as_deref(),
                    text: &event.text,
                    correlation: event.correlation.as_deref(),
                    raw_payload: event.raw_payload.as_deref(),
                });
                if event.occurred_at < earliest {
                    // Settled before this import: nothing it brought comes before. What is on
                    // the timeline there is what later events are judged against.
                    if !event.set_aside {
                        duplicates.remember(&record);
                    }
                    continue;
                }
                let kept = duplicates.keep(&record);
                match (kept, event.set_aside) {
                    (true, true) => back.push(key.clone()),
                    (false, false) => {
                        if candidate_keys.contains(&key) {
                            dropped_candidates.insert(key.clone());
                        }
                        dropped.push(key.clone());
                    }
                    _ => {}
                }
                previous = Some((key, kept));
            }
            // Pages follow the last event read, and events read keep their place in timeline
            // order whether set aside or not, so moving them does not move the pages.
            removed += check.set_aside(&dropped).await?;
            self.summary.restored += check.restore(&back).await?;
            after = page.into_iter().next_back();
            if last_page {
                break;
            }
        }
        self.summary.imported = self.summary.imported.saturating_sub(removed);
        self.summary.duplicates += removed;
        observed.forget_candidates(&dropped_candidates);
        Ok(())
    }

    /// The incident the records of `episode` go to (`reads` are some of them), looked for
    /// the first time they come: `None` when none matches and none may be declared.
    async fn incident_of(&mut self, episode: usize, reads: &[ReadRecord]) -> Result<Option<i64>, IngestError> {
        if let Some(Some(landed)) = self.landed.get(episode) {
            return Ok(*landed);
        }
        let found = self.find_incident(reads).await?;
        let landed = match found {
            Some(number) => Some(number),
            None if self.target == (Target::Correlate { create: true }) => {
                self.summary.created_incident = true;
                Some(self.create_incident(reads).await?)
            }
            None => None,
        };
        if self.landed.len() <= episode {
            self.landed.resize(episode + 1, None);
        }
        self.landed[episode] = Some(landed);
        if let Some(number) = landed {
            let handle = incident_handle(number);
            if !self.summary.incidents.contains(&handle) {
                self.summary.incidents.push(handle);
            }
        }
        Ok(landed)
    }

    /// The known incident the records point to: by the first of their references, in input
    /// order, that names one; else by service and time.
    async fn find_incident(&self, reads: &[ReadRecord]) -> Result<Option<i64>, IngestError> {
        let mut refs = Vec::new();
        let mut seen = HashSet::new();
        for read in reads {
            for reference in &read.references {
                if seen.insert(reference) {
                    refs.push(reference.clone());
                }
            }
        }
        let known = self.store.incidents_by_refs(self.viewer, &refs).await?;
        if let Some(number) = refs.iter().find_map(|r| known.get(r)) {
            return Ok(Some(*number));
        }
        let mut tried = HashSet::new();
        for ReadRecord { record, .. } in reads {
            let Some(service) = &record.correlation.service else { continue };
            if !tried.insert((service, record.occurred_at)) {
                continue;
            }
            if tried.len() > SERVICE_LOOKUPS {
                break;
            }
            if let Some(number) =
                self.store.incident_near(self.viewer, service, record.occurred_at, SERVICE_WINDOW).await?
            {
                return Ok(Some(number));
            }
        }
        Ok(None)
    }

    /// Declares an incident for `reads`: titled as the tool titles its incident, else by the
    /// first alert or page, else for the tool that told of it. Its moments are left to its
    /// timeline ([`Store::follow_timeline`], once the import is in): a log that lacks its trigger
    /// leaves impact start unknown, not at its first entry.
    async fn create_incident(&self, reads: &[ReadRecord]) -> Result<i64, IngestError> {
        let read = || reads.iter().map(|r| &r.record);
        let first = read().min_by_key(|r| r.occurred_at).ok_or(IngestError::NoIncident)?;
        let first_alert =
            read().filter(|r| matches!(r.kind, EventKind::Alert | EventKind::Page)).min_by_key(|r| r.occurred_at);
        let titled = read().filter(|r| r.correlation.incident_title.is_some()).min_by_key(|r| r.occurred_at);
        let title = match (titled.and_then(|r| r.correlation.incident_title.as_deref()), first_alert) {
            (Some(title), _) => title,
            (None, Some(alert)) => alert.text.lines().next().unwrap_or(""),
            (None, None) => "",
        };
        let mut title: String = title.chars().take(180).collect();
        if title.trim().is_empty() {
            title = format!("Incident from {}", first.source);
        }
        let first = first_alert.unwrap_or(first);
        let known_services = self.store.list_services().await?;
        let services = first
            .correlation
            .service
            .iter()
            .filter(|s| known_services.iter().any(|k| &k.slug == *s))
            .cloned()
            .collect();
        let description = format!("Declared by an import of {} events.", first.source);
        let new = NewIncident::triggered(title, description, Severity::new(3).unwrap_or(Severity::SEV1), services);
        Ok(self.store.create_incident(self.viewer, new).await?.number)
    }

    async fn flush(&mut self) -> Result<(), IngestError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        if pending.iter().all(|r| r.episode == pending[0].episode) {
            return self.store_episode(pending).await;
        }
        let mut by_episode: BTreeMap<usize, Vec<ReadRecord>> = BTreeMap::new();
        for read in pending {
            by_episode.entry(read.episode).or_default().push(read);
        }
        for reads in by_episode.into_values() {
            self.store_episode(reads).await?;
        }
        Ok(())
    }

    /// Stores records of one episode in its incident, or leaves them out when it has none.
    async fn store_episode(&mut self, reads: Vec<ReadRecord>) -> Result<(), IngestError> {
        let Some(number) = self.incident_of(reads[0].episode, &reads).await? else {
            self.left_out += reads.len() as u64;
            return Ok(());
        };
        let mut new_refs = Vec::new();
        for read in &reads {
            for (kind, value) in &read.references {
                let key = (number, kind.clone(), value.clone());
                if self.refs.len() < MAX_REFS && !self.refs.contains(&key) {
                    self.refs.insert(key);
                    new_refs.push((kind.clone(), value.clone()));
                }
            }
        }
        let events: Vec<ImportedEvent> = reads
            .into_iter()
            .map(|ReadRecord { record: r, raw_payload, correlation, .. }| ImportedEvent {
                occurred_at: r.occurred_at,
                source: r.source,
                external_id: r.external_id,
                kind: r.kind,
                actor: r.actor,
                text: r.text,
                // Key moments are chosen once everything is in.
                key_moment: None,
                raw_payload,
                correlation: Some(correlation),
            })
            .collect();
        let added = self.store.import_events(self.viewer, number, &events, &new_refs).await?;
        *self.added.entry(number).or_default() += added;
        self.summary.imported += added;
        self.summary.duplicates += events.len() as u64 - added;
        Ok(())
    }

    async fn finish(mut self, stats: ImportStats, observed: Vec<Observed>) -> Result<ImportSummary, IngestError> {
        self.flush().await?;
        self.summary.rejected = stats.rejected;
        self.summary.skipped = stats.skipped + self.left_out;
        self.summary.rejections = stats.rejections;
        self.summary.notes = stats.notes;
        if self.left_out > 0 {
            if self.summary.incidents.is_empty() {
                return Err(IngestError::NoIncident);
            }
            self.summary.notes.push(format!(
                "{} records were left out: they lie more than a day from the incident's records and share none of \
                 its ids, and no incident of theirs was found; import them with --create-incident or into a named incident",
                self.left_out
            ));
        }
        // What was seen of each episode, by the incident it went to; episodes that went to one
        // incident are one there (their streaming duplicate checks cannot be joined: the
        // stored timeline is read back instead).
        let mut by_incident: Vec<(i64, Observed)> = Vec::new();
        for (episode, seen) in observed.into_iter().enumerate() {
            let Some(Some(Some(number))) = self.landed.get(episode).copied() else { continue };
            match by_incident.iter_mut().find(|(n, _)| *n == number) {
                Some((_, joined)) => joined.join(seen),
                None => by_incident.push((number, seen)),
            }
        }
        if by_incident.is_empty() {
            // Nothing was read, so nothing was stored.
            if let Target::Incident(number) = self.target {
                self.summary.incident = Some(incident_handle(number));
                self.summary.incidents = vec![incident_handle(number)];
            }
            return Ok(self.summary);
        }
        self.summary.incident = self.summary.incidents.first().cloned();
        for (position, (number, mut seen)) in by_incident.into_iter().enumerate() {
            self.settle(number, &mut seen, position == 0).await?;
        }
        Ok(self.summary)
    }

    /// Sets aside the duplicates this import made on incident `number`'s timeline, marks the
    /// key moments its records suggest (told in the summary when `told`), and moves the
    /// incident's moments and status to what its whole timeline shows.
    async fn settle(&mut self, number: i64, observed: &mut Observed, told: bool) -> Result<(), IngestError> {
        self.set_aside_duplicates(number, observed).await?;
        let candidates: Vec<Record> =
            std::mem::take(&mut observed.candidates).into_values().flatten().map(Arc::unwrap_or_clone).collect();
        let suggestion = key_moments(&candidates);
        let mut marks = Vec::new();
        let find = |id: &str| candidates.iter().find(|r| r.external_id == id).map(|r| r.source.clone());
        let singles = [
            (&suggestion.impact_start, KeyMoment::ImpactStart),
            (&suggestion.detection, KeyMoment::Detection),
            (&suggestion.acknowledgement, KeyMoment::Acknowledgement),
            (&suggestion.mitigation, KeyMoment::Mitigation),
            (&suggestion.resolution, KeyMoment::Resolution),
        ];
        for (moment, marker) in singles {
            if let Some(m) = moment
                && let Some(source) = find(&m.external_id)
            {
                marks.push((source, m.external_id.clone(), marker));
                if told {
                    self.summary.key_moments.insert(marker.as_str().to_string(), format_time(m.at));
                }
            }
        }
        for m in &suggestion.escalations {
            if let Some(source) = find(&m.external_id) {
                marks.push((source, m.external_id.clone(), KeyMoment::Escalation));
            }
        }
        self.store.mark_key_moments(self.viewer, number, &marks).await?;
        // Two index reads over the whole timeline (its marked events, its first alert), whatever this import brought.
        let (was, now) = self.store.follow_timeline(self.viewer, number, suggestion.detection_method).await?;
        if was != IncidentStatus::Resolved && now.status == IncidentStatus::Resolved {
            self.summary.resolved.push(now.handle);
        }
        Ok(())
    }
}

/// Core's duplicate rule applied to the records of one import as they stream: records are
/// held back a little ([`REORDER_HORIZON`], at most [`REORDER_LIMIT`] of them, without their
/// payloads) and handed to the rule in timeline order. A record that comes later than that
/// allows, or more duplicates than [`MAX_STREAM_DUPLICATES`], makes the check give up, and
/// the import reads the stored timeline back instead.
#[derive(Default)]
struct StreamCheck {
    duplicates: Duplicates,
    held: BinaryHeap<Reverse<Held>>,
    latest: Option<OffsetDateTime>,
    /// The last record handed to the rule; a record before it in timeline order came too late.
    released: Option<Held>,
    /// Records the rule rejected: (source, external id).
    rejected: Vec<(String, String)>,
    gave_up: bool,
}

impl StreamCheck {
    fn offer(&mut self, record: &Arc<Record>) {
        if self.gave_up {
            return;
        }
        // The record's payload is already apart (`ReadRecord`).
        let held = Held(Arc::clone(record));
        match self.released.as_ref().map(|last| held.cmp(last)) {
            Some(Ordering::Less) => return self.give_up(),
            // The same event again: the store keeps the first and counts this one.
            Some(Ordering::Equal) => return,
            _ => {}
        }
        if self.latest.is_none_or(|at| record.occurred_at > at) {
            self.latest = Some(record.occurred_at);
        }
        self.held.push(Reverse(held));
        while let (Some(Reverse(first)), Some(latest)) = (self.held.peek(), self.latest) {
            if self.held.len() <= REORDER_LIMIT && latest - first.0.occurred_at <= REORDER_HORIZON {
                break;
            }
            if let Some(Reverse(first)) = self.held.pop() {
                self.release(first);
            }
        }
    }

    fn release(&mut self, held: Held) {
        if self.released.as_ref().is_some_and(|last| *last == held) {
            return;
        }
        if !self.duplicates.keep(&held.0) {
            self.rejected.push((held.0.source.clone(), held.0.external_id.clone()));
            if self.rejected.len() > MAX_STREAM_DUPLICATES {
                return self.give_up();
            }
        }
        self.released = Some(held);
    }

    fn give_up(&mut self) {
        self.gave_up = true;
        self.held = BinaryHeap::new();
        self.rejected = Vec::new();
    }

    /// The records the rule rejected, or `None` if the check gave up.
    fn finish(mut self) -> Option<Vec<(String, String)>> {
        while !self.gave_up
            && let Some(Reverse(first)) = self.held.pop()
        {
            self.release(first);
        }
        (!self.gave_up).then_some(self.rejected)
    }
}

/// A record in timeline order: time, source, external id.
struct Held(Arc<Record>);

impl Ord for Held {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.occurred_at, &self.0.source, &self.0.external_id).cmp(&(
            other.0.occurred_at,
            &other.0.source,
            &other.0.external_id,
        ))
    }
}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Held {}

fn format_time(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
