//! Importing what other tools recorded into an incident's timeline: runs a core
//! importer on a blocking thread, streams its records through a bounded channel, ties
//! them to an incident (given, found by the ids the tools use, by service and time, or
//! created from the first trigger), stores them in batches, and marks the key moments.
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
    DUPLICATE_LOOKBACK, Duplicates, FINGERPRINT_SOURCES, Format, ImportError, ImportStats, Record, Rejected,
    SNIFF_BYTES, SlackOptions, import_slack_export, importer, key_moments, record_from_stored, stored_correlation,
    wrong_format_hint,
};
use hindsight_core::{
    DetectionMethod, EventKind, IncidentPatch, IncidentStatus, KeyMoment, NewIncident, Severity, incident_handle,
};
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
    /// Handle of the incident the events went to.
    pub incident: Option<String>,
    /// Whether that incident was created by this import.
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
    /// Key moments marked on the timeline by this import.
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
}

impl ReadRecord {
    fn new(mut record: Record) -> ReadRecord {
        let raw = std::mem::take(&mut record.raw);
        let correlation = stored_correlation(&record);
        let references = references(&record);
        ReadRecord { raw_payload: (!raw.is_null()).then(|| raw.to_string()), correlation, references, record }
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
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut batch_bytes = 0;
        let mut observed = Observed::default();
        let mut sink = |record: Record| {
            let read = ReadRecord::new(record);
            observed.observe(&read.record);
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
    ingest.observed = observed;
    ingest.finish(stats).await
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
    incident: Option<i64>,
    pending: Vec<ReadRecord>,
    /// What `pending` holds, in bytes (`ReadRecord::size`).
    pending_bytes: usize,
    refs: HashSet<(String, String)>,
    /// What the importer's thread saw of the records, once it is done.
    observed: Observed,
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
        let incident = match target {
            Target::Incident(number) => Some(number),
            Target::Correlate { .. } => None,
        };
        Ingest {
            store,
            own_connection: false,
            viewer,
            target,
            incident,
            pending: Vec::new(),
            pending_bytes: 0,
            refs: HashSet::new(),
            observed: Observed::default(),
            summary: ImportSummary::default(),
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
    async fn set_aside_duplicates(&mut self, number: i64) -> Result<(), IngestError> {
        let (Some(earliest), Some(latest)) = (self.observed.earliest, self.observed.latest) else {
            return Ok(());
        };
        // Even when nothing new was stored the check runs: an import killed after storing its
        // rows and before this check left them unchecked, and running it again must finish the job.
        let sources: Vec<String> = self.observed.compared_sources.iter().cloned().collect();
        let stream = std::mem::take(&mut self.observed.stream).finish();
        // One check of this incident at a time, each seeing what the ones before it stored
        // and set aside (`DuplicateCheck`).
        let mut check = self.store.begin_duplicate_check(self.viewer, number).await?;
        if let Some(rejected) = stream {
            let around = check
                .count_events_between(&sources, earliest - DUPLICATE_LOOKBACK, latest + DUPLICATE_LOOKBACK)
                .await?;
            if u64::try_from(around).ok() == Some(self.summary.imported) {
                let removed = check.set_aside(&rejected).await?;
                check.commit().await?;
                self.summary.imported = self.summary.imported.saturating_sub(removed);
                self.summary.duplicates += removed;
                self.forget_candidates(&rejected.into_iter().collect());
                return Ok(());
            }
        }
        self.check_stored_timeline(&mut check, &sources, earliest).await?;
        Ok(check.commit().await?)
    }

    /// The duplicate rule over the stored events of `sources` from `earliest` on, those set
    /// aside included, read back a page at a time; sets aside what it rejects and brings back
    /// what it keeps. The events on the timeline in the rule's reach before `earliest` are
    /// what the first ones are judged against.
    async fn check_stored_timeline(
        &mut self,
        check: &mut DuplicateCheck,
        sources: &[String],
        earliest: OffsetDateTime,
    ) -> Result<(), IngestError> {
        let from = earliest - DUPLICATE_LOOKBACK;
        let candidate_keys: HashSet<(String, String)> =
            self.observed.candidates.values().flatten().map(|r| (r.source.clone(), r.external_id.clone())).collect();
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
        self.forget_candidates(&dropped_candidates);
        Ok(())
    }

    /// Drops removed events from the key-moment candidates.
    fn forget_candidates(&mut self, removed: &HashSet<(String, String)>) {
        if removed.is_empty() {
            return;
        }
        for bucket in self.observed.candidates.values_mut() {
            bucket.retain(|r| !removed.contains(&(r.source.clone(), r.external_id.clone())));
        }
    }

    async fn resolve_incident(&mut self) -> Result<i64, IngestError> {
        if let Some(number) = self.incident {
            return Ok(number);
        }
        // The first record, in input order, whose reference names a known incident.
        let mut refs = Vec::new();
        let mut seen = HashSet::new();
        for read in &self.pending {
            for reference in &read.references {
                if seen.insert(reference) {
                    refs.push(reference.clone());
                }
            }
        }
        let known = self.store.incidents_by_refs(self.viewer, &refs).await?;
        if let Some(number) = refs.iter().find_map(|r| known.get(r)) {
            self.incident = Some(*number);
            return Ok(*number);
        }
        let mut tried = HashSet::new();
        for ReadRecord { record, .. } in &self.pending {
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
                self.incident = Some(number);
                return Ok(number);
            }
        }
        let Target::Correlate { create: true } = self.target else {
            return Err(IngestError::NoIncident);
        };
        let number = self.create_incident().await?;
        self.incident = Some(number);
        self.summary.created_incident = true;
        Ok(number)
    }

    /// Declares an incident from the first trigger among the records read so far.
    async fn create_incident(&mut self) -> Result<i64, IngestError> {
        let read = || self.pending.iter().map(|r| &r.record);
        let first = read()
            .filter(|r| matches!(r.kind, EventKind::Alert | EventKind::Page))
            .min_by_key(|r| r.occurred_at)
            .or_else(|| read().min_by_key(|r| r.occurred_at))
            .ok_or(IngestError::NoIncident)?;
        let mut title: String = first.text.lines().next().unwrap_or("").chars().take(180).collect();
        if title.trim().is_empty() {
            title = format!("Incident from {}", first.source);
        }
        let known_services = self.store.list_services().await?;
        let services = first
            .correlation
            .service
            .iter()
            .filter(|s| known_services.iter().any(|k| &k.slug == *s))
            .cloned()
            .collect();
        let new = NewIncident {
            title,
            description: format!("Declared by an import of {} events.", first.source),
            severity: Severity::new(3).unwrap_or(Severity::SEV1),
            status: IncidentStatus::Triggered,
            services,
            teams: Vec::new(),
            detection_method: DetectionMethod::Unknown,
            started_at: Some(first.occurred_at),
            detected_at: None,
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            responders: Vec::new(),
            private: false,
        };
        Ok(self.store.create_incident(self.viewer, new).await?.number)
    }

    async fn flush(&mut self) -> Result<(), IngestError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let number = self.resolve_incident().await?;
        let mut new_refs = Vec::new();
        for read in &self.pending {
            for reference in &read.references {
                if self.refs.len() < MAX_REFS && !self.refs.contains(reference) {
                    self.refs.insert(reference.clone());
                    new_refs.push(reference.clone());
                }
            }
        }
        self.pending_bytes = 0;
        let events: Vec<ImportedEvent> = self
            .pending
            .drain(..)
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
        self.summary.imported += added;
        self.summary.duplicates += events.len() as u64 - added;
        Ok(())
    }

    async fn finish(mut self, stats: ImportStats) -> Result<ImportSummary, IngestError> {
        self.flush().await?;
        self.summary.rejected = stats.rejected;
        self.summary.skipped = stats.skipped;
        self.summary.rejections = stats.rejections;
        self.summary.notes = stats.notes;
        let Some(number) = self.incident else {
            // Nothing was read, so nothing was stored.
            if let Target::Incident(number) = self.target {
                self.summary.incident = Some(incident_handle(number));
            }
            return Ok(self.summary);
        };
        self.summary.incident = Some(incident_handle(number));
        self.set_aside_duplicates(number).await?;
        let candidates: Vec<Record> =
            std::mem::take(&mut self.observed.candidates).into_values().flatten().map(Arc::unwrap_or_clone).collect();
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
                self.summary.key_moments.insert(marker.as_str().to_string(), format_time(m.at));
            }
        }
        for m in &suggestion.escalations {
            if let Some(source) = find(&m.external_id) {
                marks.push((source, m.external_id.clone(), KeyMoment::Escalation));
            }
        }
        self.store.mark_key_moments(self.viewer, number, &marks).await?;
        self.fill_incident_moments(number, &suggestion).await?;
        Ok(self.summary)
    }

    /// Sets the moments and detection method the incident does not know yet.
    async fn fill_incident_moments(
        &self,
        number: i64,
        suggestion: &hindsight_core::import::KeyMomentsSuggestion,
    ) -> Result<(), IngestError> {
        let incident = self.store.incident(self.viewer, number).await?;
        let known = &incident.moments;
        let found = suggestion.moments();
        let fill = |have: Option<OffsetDateTime>, found: Option<OffsetDateTime>| match (have, found) {
            (None, Some(at)) => Some(Some(at)),
            _ => None,
        };
        let mut patch = IncidentPatch {
            version: incident.version,
            started_at: fill(known.started_at, found.started_at),
            detected_at: fill(known.detected_at, found.detected_at),
            acknowledged_at: fill(known.acknowledged_at, found.acknowledged_at),
            mitigated_at: fill(known.mitigated_at, found.mitigated_at),
            resolved_at: fill(known.resolved_at, found.resolved_at),
            ..IncidentPatch::default()
        };
        if incident.detection_method == DetectionMethod::Unknown
            && suggestion.detection_method != DetectionMethod::Unknown
        {
            patch.detection_method = Some(suggestion.detection_method);
        }
        let nothing = IncidentPatch { version: incident.version, ..IncidentPatch::default() };
        if patch == nothing {
            return Ok(());
        }
        match self.store.update_incident(self.viewer, number, patch).await {
            Ok(_) => Ok(()),
            // Moments out of order with what the incident already holds: keep what people set.
            Err(StoreError::Invalid(_) | StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
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
