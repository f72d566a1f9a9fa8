//! Slack workspace exports: a folder or zip with `users.json`, `channels.json` and one
//! `<channel>/<YYYY-MM-DD>.json` array of messages per channel and day. Each day file is
//! streamed message by message; people's ids are resolved to display names (from
//! `users.json`, else from the profile Slack copies into messages), as are `<@U123>`,
//! `<#C123>`, `<!here>` and link markup in the text.
//!
//! People's messages become `message` events; bot posts, joins, topic changes and other
//! channel housekeeping become `note` events; tombstones, hidden and change records are
//! skipped. Through `Importer` this reads one day file (the channel is its folder's name);
//! [`import_slack_export`] reads a whole export, which is why this file opens files.

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use super::fields::{slack_ts, text, type_name};
use super::json_stream::read_json_records;
use super::limits::{MAX_UNZIPPED_ENTRY, MAX_UNZIPPED_EXPORT, TooLarge, Unzipped};
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};
use crate::model::EventKind;

/// Which parts of an export to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlackOptions {
    /// Channel names to read (without `#`); empty reads every channel.
    pub channels: Vec<String>,
}

/// The files of a Slack export, wherever they are kept (a folder, a zip, memory).
pub trait SlackExportFiles {
    /// Every day file, as (channel name, path within the export), in any order.
    fn day_files(&mut self) -> std::io::Result<Vec<(String, String)>>;

    /// Opens a file by its path within the export; `None` when there is no such file.
    fn open(&mut self, path: &str) -> std::io::Result<Option<Box<dyn BufRead + '_>>>;
}

/// Reads a Slack export folder (or `.zip` file) at `path`.
pub fn import_slack_export(
    path: &Path,
    options: &SlackOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<ImportStats, ImportError> {
    let origin = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| ImportError::read(&origin, e))?;
    if metadata.is_dir() {
        return import_slack_files(&mut ExportFolder { root: path.to_path_buf() }, &origin, options, sink);
    }
    open_zip(path, &origin, options, sink)
}

/// Reads an export still in its zip, entry by entry, without unpacking it.
fn open_zip(
    path: &Path,
    origin: &str,
    options: &SlackOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<ImportStats, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::read(origin, e))?;
    let archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| ImportError::unrecognised(origin, format!("not a Slack export folder or zip: {e}")))?;
    let limits = ZipLimits { entry: MAX_UNZIPPED_ENTRY, export: MAX_UNZIPPED_EXPORT };
    import_slack_files(&mut ExportZip::new(archive, limits), origin, options, sink)
}

/// How much a zip's entries may unpack to, one and all together.
#[derive(Debug, Clone, Copy)]
struct ZipLimits {
    entry: u64,
    export: u64,
}

/// The most names read from one listing (`users.json`, `channels.json`); more stay as ids.
const MAX_NAMES: usize = 100_000;

/// Reads every day file of an export (or the chosen channels'), resolving names with its
/// `users.json` and `channels.json`.
pub fn import_slack_files(
    files: &mut dyn SlackExportFiles,
    origin: &str,
    options: &SlackOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<ImportStats, ImportError> {
    let mut emitter = Emitter::new(sink);
    let mut names = Names::default();
    read_directory(files, origin, "users.json", &mut emitter, &mut names.users, user_name)?;
    for list in ["channels.json", "groups.json", "mpims.json"] {
        read_directory(files, origin, list, &mut emitter, &mut names.channels, channel_name)?;
    }
    let mut days = files.day_files().map_err(|e| ImportError::read(origin, e))?;
    if days.is_empty() {
        return Err(ImportError::unrecognised(origin, "not a Slack export: no <channel>/<YYYY-MM-DD>.json files"));
    }
    // Day by day across channels, so the messages come out close to timeline order.
    fn day(path: &str) -> &str {
        path.rsplit('/').next().unwrap_or(path)
    }
    days.sort_by(|(a_channel, a_path), (b_channel, b_path)| {
        day(a_path).cmp(day(b_path)).then_with(|| a_channel.cmp(b_channel)).then_with(|| a_path.cmp(b_path))
    });
    let wanted = |channel: &str| {
        options.channels.is_empty() || options.channels.iter().any(|c| c.trim_start_matches('#') == channel)
    };
    for missing in options.channels.iter().filter(|c| !days.iter().any(|(d, _)| d == c.trim_start_matches('#'))) {
        emitter.note(format!("{origin}: no channel named {missing} in the export"));
    }
    for (channel, path) in days.into_iter().filter(|(channel, _)| wanted(channel)) {
        let Some(mut reader) = files.open(&path).map_err(|e| ImportError::read(&path, e))? else {
            continue;
        };
        match read_day(&mut reader, &path, &channel, &mut names, &mut emitter) {
            Ok(()) => {}
            Err(ImportError::Read { source, .. }) if TooLarge::of(&source).is_some() => {
                let limit = TooLarge::of(&source).cloned();
                emitter.reject_at(path, source.to_string());
                if let Some(TooLarge::Export { .. }) = limit {
                    // Nothing more of the export is read.
                    break;
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(emitter.finish())
}

/// Reads one listing (`users.json`, `channels.json`) into an id-to-name map, if present.
fn read_directory(
    files: &mut dyn SlackExportFiles,
    origin: &str,
    file: &str,
    emitter: &mut Emitter,
    into: &mut HashMap<String, String>,
    name_of: fn(&Value) -> Option<String>,
) -> Result<(), ImportError> {
    let Some(mut reader) = files.open(file).map_err(|e| ImportError::read(origin, e))? else {
        return Ok(());
    };
    // A broken listing only costs names, so its problems are notes, not rejections.
    let mut problems = 0u64;
    let mut quiet = |_: Record| {};
    let mut listing = Emitter::new(&mut quiet);
    let mut full = false;
    let read = read_json_records(&mut reader, file, None, &mut listing, &mut |value, _, _| match (
        text(&value, "id"),
        name_of(&value),
    ) {
        (Some(id), Some(name)) if into.len() < MAX_NAMES || into.contains_key(&id) => {
            into.insert(id, clip_name(name));
        }
        (Some(_), Some(_)) => full = true,
        _ => problems += 1,
    });
    match read {
        Ok(()) => {}
        Err(ImportError::Read { source, .. }) if TooLarge::of(&source).is_some() => {
            emitter.reject_at(file.to_string(), format!("{source}; names past there stay as ids"));
        }
        Err(e) => return Err(e),
    }
    if full {
        emitter.note(format!("{file}: more than {MAX_NAMES} entries; the rest stay as ids"));
    }
    let stats = listing.finish();
    if stats.rejected > 0 || problems > 0 {
        let unread = stats.rejected + problems;
        emitter.note(format!("{file}: {unread} of its entries had no id or name; those stay as ids"));
    }
    Ok(())
}

/// A name as kept: no longer than the model keeps any short text.
fn clip_name(name: String) -> String {
    if name.chars().count() <= crate::validate::MAX_SHORT {
        return name;
    }
    name.chars().take(crate::validate::MAX_SHORT).collect()
}

/// The name to show for a person: display name, else real name, else user name.
fn user_name(user: &Value) -> Option<String> {
    text(user, "profile.display_name")
        .or_else(|| text(user, "profile.real_name"))
        .or_else(|| text(user, "real_name"))
        .or_else(|| text(user, "name"))
}

fn channel_name(channel: &Value) -> Option<String> {
    text(channel, "name")
}

/// What ids are called: people and channels.
#[derive(Debug, Default)]
struct Names {
    users: HashMap<String, String>,
    channels: HashMap<String, String>,
}

impl Names {
    fn user(&self, id: &str) -> Option<&str> {
        self.users.get(id).map(String::as_str)
    }
}

fn read_day(
    input: &mut dyn BufRead,
    path: &str,
    channel: &str,
    names: &mut Names,
    emitter: &mut Emitter,
) -> Result<(), ImportError> {
    read_json_records(input, path, None, emitter, &mut |value, at, emitter| {
        map_message(value, at, channel, names, emitter);
    })
}

/// Reads one `<channel>/<YYYY-MM-DD>.json` file; names come only from the messages.
pub(crate) struct SlackDayImporter;

impl Importer for SlackDayImporter {
    fn format(&self) -> Format {
        Format::SlackExport
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let channel = channel_of(origin);
        let mut emitter = Emitter::new(sink);
        read_day(input, origin, &channel, &mut Names::default(), &mut emitter)?;
        Ok(emitter.finish())
    }
}

/// The channel of a day file: its folder's name (`general/2026-11-20.json` is `general`).
fn channel_of(origin: &str) -> String {
    let mut parts = origin.rsplit(['/', '\\']);
    parts.next();
    parts.next().filter(|p| !p.is_empty()).unwrap_or("slack").to_string()
}

fn map_message(message: Value, at: &Location, channel: &str, names: &mut Names, emitter: &mut Emitter) {
    if !message.is_object() {
        return emitter.reject(at, format!("a message must be an object, found {}", type_name(&message)));
    }
    if text(&message, "type").is_some_and(|t| t != "message") {
        return emitter.skip();
    }
    let subtype = text(&message, "subtype");
    let hidden = message.get("hidden").and_then(Value::as_bool) == Some(true);
    if hidden
        || matches!(subtype.as_deref(), Some("tombstone" | "message_changed" | "message_deleted" | "message_replied"))
    {
        return emitter.skip();
    }
    let Some(ts) = text(&message, "ts") else {
        return emitter.reject(at, "missing field ts");
    };
    let Some(occurred_at) = slack_ts(&ts) else {
        return emitter.reject(at, format!("ts is not a Slack timestamp: {ts:?}"));
    };
    // Learn names from the profile Slack copies into messages, for exports without users.json.
    if let (Some(user), Some(name)) = (text(&message, "user"), user_name_from_profile(&message)) {
        names.users.entry(user).or_insert(name);
    }
    let bot = subtype.as_deref() == Some("bot_message") || message.get("bot_id").is_some_and(|b| !b.is_null());
    let actor = if bot {
        text(&message, "username").or_else(|| text(&message, "bot_profile.name")).or_else(|| text(&message, "bot_id"))
    } else {
        text(&message, "user").map(|id| names.user(&id).map_or(id.clone(), str::to_string))
    };
    let mut words = text(&message, "text").map(|t| resolve_markup(&t, names)).unwrap_or_default();
    if words.trim().is_empty() {
        words = attachment_text(&message);
    }
    if words.trim().is_empty() {
        return emitter.skip();
    }
    if message.get("edited").is_some_and(Value::is_object) {
        words.push_str(" (edited)");
    }
    let kind = match subtype.as_deref() {
        None | Some("thread_broadcast" | "me_message" | "file_share" | "reply_broadcast") if !bot => EventKind::Message,
        _ => EventKind::Note,
    };
    let record = Record {
        occurred_at,
        source: "slack".to_string(),
        kind,
        actor,
        text: words,
        key_moment: None,
        external_id: format!("slack:{channel}:{ts}"),
        correlation: Correlation { channel: Some(channel.to_string()), ..Correlation::default() },
        raw: message,
    };
    emitter.record(at, record);
}

fn user_name_from_profile(message: &Value) -> Option<String> {
    text(message, "user_profile.display_name")
        .or_else(|| text(message, "user_profile.real_name"))
        .or_else(|| text(message, "user_profile.name"))
}

/// What a message without text shows: its files' names or its attachments' fallbacks.
fn attachment_text(message: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(files) = message.get("files").and_then(Value::as_array) {
        let names: Vec<String> = files.iter().filter_map(|f| text(f, "name").or_else(|| text(f, "title"))).collect();
        if !names.is_empty() {
            parts.push(format!("shared {}", names.join(", ")));
        }
    }
    if let Some(attachments) = message.get("attachments").and_then(Value::as_array) {
        parts.extend(attachments.iter().filter_map(|a| text(a, "fallback").or_else(|| text(a, "text"))));
    }
    parts.join("\n")
}

/// Slack's markup as plain text: `<@U1>` and `<@U1|ana>` as `@Ana`, `<#C1|general>` as
/// `#general`, `<!here>` as `@here`, `<https://x|label>` as `label (https://x)`, and the
/// `&amp;`, `&lt;`, `&gt;` escapes undone.
fn resolve_markup(text: &str, names: &Names) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&unescape(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&unescape(&rest[open..]));
            return out;
        };
        out.push_str(&markup_text(&after[..close], names));
        rest = &after[close + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

fn markup_text(inner: &str, names: &Names) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(unescape(label))),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = label.or_else(|| names.user(id).map(str::to_string)).unwrap_or_else(|| id.to_string());
        return format!("@{}", name.trim_start_matches('@'));
    }
    if let Some(id) = target.strip_prefix('#') {
        let name = label.or_else(|| names.channels.get(id).cloned()).unwrap_or_else(|| id.to_string());
        return format!("#{name}");
    }
    if let Some(command) = target.strip_prefix('!') {
        return match label {
            Some(label) => label,
            None => format!("@{}", command.split('^').next().unwrap_or(command)),
        };
    }
    let url = unescape(target);
    match label {
        Some(label) if label != url && !url.ends_with(&label) => format!("{label} ({url})"),
        Some(label) => label,
        None => url,
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// An export unpacked in a folder.
struct ExportFolder {
    root: PathBuf,
}

impl SlackExportFiles for ExportFolder {
    fn day_files(&mut self) -> std::io::Result<Vec<(String, String)>> {
        let mut days = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue;
            }
            let channel = entry.file_name().to_string_lossy().into_owned();
            for file in std::fs::read_dir(entry.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().into_owned();
                if is_day_file(&name) && file.file_type()?.is_file() {
                    days.push((channel.clone(), format!("{channel}/{name}")));
                }
            }
        }
        Ok(days)
    }

    fn open(&mut self, path: &str) -> std::io::Result<Option<Box<dyn BufRead + '_>>> {
        match File::open(self.root.join(path)) {
            Ok(file) => Ok(Some(Box::new(BufReader::new(file)))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `2026-11-20.json`.
fn is_day_file(name: &str) -> bool {
    let Some(date) = name.strip_suffix(".json") else {
        return false;
    };
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

/// An export still in its zip.
struct ExportZip<R: std::io::Read + std::io::Seek> {
    archive: zip::ZipArchive<R>,
    /// The folder inside the zip that holds the export (often none: the root).
    prefix: String,
    limits: ZipLimits,
    /// Bytes unpacked so far, from every entry.
    unpacked: Rc<Cell<u64>>,
}

impl<R: std::io::Read + std::io::Seek> ExportZip<R> {
    fn new(archive: zip::ZipArchive<R>, limits: ZipLimits) -> ExportZip<R> {
        let names = zip_names(&archive);
        let prefix = names
            .iter()
            .filter_map(|name| name.strip_suffix("channels.json").or_else(|| name.strip_suffix("users.json")))
            .filter(|prefix| prefix.is_empty() || prefix.ends_with('/'))
            .min_by_key(|prefix| prefix.len())
            .unwrap_or("")
            .to_string();
        ExportZip { archive, prefix, limits, unpacked: Rc::new(Cell::new(0)) }
    }
}

fn zip_names<R: std::io::Read + std::io::Seek>(archive: &zip::ZipArchive<R>) -> Vec<String> {
    archive.file_names().filter_map(Result::ok).map(|name| name.into_owned()).collect()
}

impl<R: std::io::Read + std::io::Seek> SlackExportFiles for ExportZip<R> {
    fn day_files(&mut self) -> std::io::Result<Vec<(String, String)>> {
        let mut days = Vec::new();
        for name in zip_names(&self.archive) {
            let Some(inside) = name.strip_prefix(self.prefix.as_str()) else { continue };
            if let Some((channel, file)) = inside.split_once('/')
                && !file.contains('/')
                && is_day_file(file)
            {
                days.push((channel.to_string(), inside.to_string()));
            }
        }
        Ok(days)
    }

    fn open(&mut self, path: &str) -> std::io::Result<Option<Box<dyn BufRead + '_>>> {
        let full = format!("{}{path}", self.prefix);
        match self.archive.by_name(&full) {
            Ok(file) => {
                let unzipped = Unzipped::new(file, self.limits.entry, self.unpacked.clone(), self.limits.export);
                Ok(Some(Box::new(BufReader::new(unzipped))))
            }
            Err(zip::result::ZipError::FileNotFound) => Ok(None),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut names = Names::default();
        names.users.insert("U1".into(), "Ana".into());
        names.channels.insert("C9".into(), "inc-42".into());
        names
    }

    #[test]
    fn mentions_and_links_read_as_plain_text() {
        let text = "<@U1> see <#C9> &amp; <https://status.example.com|status page> <!here> <@U7|bo> a &lt; b";
        assert_eq!(
            resolve_markup(text, &names()),
            "@Ana see #inc-42 & status page (https://status.example.com) @here @bo a < b"
        );
    }

    #[test]
    fn unclosed_markup_is_kept() {
        assert_eq!(resolve_markup("a <@U1 b", &names()), "a <@U1 b");
    }

    /// A zip of these files, deflated.
    fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in files {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A day file of one message whose text is `size` bytes of `a`, then one short message.
    fn bomb_day(size: usize) -> Vec<u8> {
        let mut day = br#"[{"type":"message","ts":"1795183805.000100","user":"U1","text":""#.to_vec();
        day.resize(day.len() + size, b'a');
        day.extend(br#""},{"type":"message","ts":"1795183806.000100","user":"U1","text":"still here"}]"#);
        day
    }

    fn read_zip(zip: Vec<u8>, limits: ZipLimits) -> (Vec<Record>, ImportStats) {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut records = Vec::new();
        let stats = import_slack_files(
            &mut ExportZip::new(archive, limits),
            "export.zip",
            &SlackOptions::default(),
            &mut |r| records.push(r),
        )
        .unwrap();
        (records, stats)
    }

    #[test]
    fn a_message_with_an_overlong_string_is_rejected_and_the_next_read() {
        let zip = zip_of(&[("general/2026-11-20.json", bomb_day(2 << 20))]);
        let (records, stats) = read_zip(zip, ZipLimits { entry: MAX_UNZIPPED_ENTRY, export: MAX_UNZIPPED_EXPORT });
        assert_eq!(records.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), ["still here"]);
        assert_eq!(stats.rejections[0].location, "general/2026-11-20.json: $[0]");
        assert!(stats.rejections[0].reason.contains("longer than 1 MiB"), "{:?}", stats.rejections);
    }

    #[test]
    fn a_zip_bomb_is_rejected_naming_its_entry_and_the_other_entries_are_read() {
        let ops = br#"[{"type":"message","ts":"1795270205.000100","user":"U1","text":"rolled back"}]"#.to_vec();
        let zip = zip_of(&[("general/2026-11-20.json", bomb_day(64 << 20)), ("ops/2026-11-21.json", ops)]);
        assert!(zip.len() < 1 << 20, "a bomb: {} bytes", zip.len());
        let (records, stats) = read_zip(zip, ZipLimits { entry: 8 << 20, export: 1 << 30 });
        assert_eq!(records.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), ["rolled back"]);
        let rejections: Vec<String> = stats.rejections.iter().map(ToString::to_string).collect();
        // The message is still being read when the limit is reached: the entry is what is refused.
        assert_eq!(
            rejections,
            ["general/2026-11-20.json: unpacks to more than 8 MiB, the most one file of an export may hold; \
             the rest of it was not read"]
        );
    }

    #[test]
    fn an_export_that_unpacks_past_its_limit_is_read_no_further() {
        let day = |n: usize| (format!("c{n}/2026-11-2{n}.json"), bomb_day(3 << 20));
        let files: Vec<(String, Vec<u8>)> = (1..=3).map(day).collect();
        let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(name, bytes)| (name.as_str(), bytes.clone())).collect();
        let (records, stats) = read_zip(zip_of(&files), ZipLimits { entry: 4 << 20, export: 5 << 20 });
        assert_eq!(records.len(), 1, "only the first day's short message");
        let last = stats.rejections.last().unwrap().to_string();
        assert!(last.starts_with("c2/2026-11-22.json: the export unpacks to more than 5 MiB"), "{last}");
        assert!(!stats.rejections.iter().any(|r| r.location.starts_with("c3/")), "{:?}", stats.rejections);
    }

    #[test]
    fn day_files_are_named_by_date() {
        assert!(is_day_file("2026-11-20.json"));
        assert!(!is_day_file("channels.json"));
        assert!(!is_day_file("2026-1-20.json"));
    }

    #[test]
    fn the_channel_is_the_folder_of_the_day_file() {
        assert_eq!(channel_of("export/inc-42/2026-11-20.json"), "inc-42");
        assert_eq!(channel_of("2026-11-20.json"), "slack");
    }
}
