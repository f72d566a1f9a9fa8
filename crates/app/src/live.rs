//! The live document of a post-mortem: its narrative sections as Yjs texts (one root text
//! per path, `summary`, `root_cause.description`, …) and the text of each damage-control
//! action and recommendation (`damage_control.<id>`, `recommendations.<id>`), which several
//! editors change at once and which merge without losing a keystroke. Structured fields
//! (certainty, flags, numbers, which rows a list has) are not in it: they keep their
//! version check.
//!
//! The store keeps the document as the updates editors sent, in the order they were
//! accepted; a document nobody has opened yet is seeded once from the post-mortem's
//! sections. Writing the texts back into the post-mortem is [`write_back`].

use hindsight_core::validate::MAX_TEXT;
use hindsight_core::{Postmortem, PostmortemPatch, Sections, SectionsPatch, ValidationErrors, live_row};
use hindsight_store::{LiveDocument, LiveUpdate, Store, StoreError};
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update, WriteTxn};

use crate::{Actor, AppError};

/// The largest update one message may carry: a reconnecting editor sends everything it
/// wrote offline at once, and the texts are at most [`MAX_TEXT`] characters each.
pub const MAX_UPDATE_BYTES: usize = 4 * 1024 * 1024;

/// The most texts a document may hold: the narrative ones, a text for each row of the two
/// lists (200 each at most), and room for rows added and removed while it is open.
pub const MAX_LIVE_TEXTS: usize = 800;

/// The Yjs client id the seed is written with: a document seeded twice from the same
/// sections (two servers opening it at once) is the same update, applied once.
const SEED_CLIENT: u64 = 1;

/// A post-mortem's live document, in memory, and the number of the last stored update it holds.
pub struct LiveDoc {
    pub doc: Doc,
    pub last_seq: i64,
}

impl LiveDoc {
    /// The whole document as one update (for a client that has nothing yet).
    pub fn state(&self) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(&StateVector::default())
    }

    /// The texts as the document holds them, by name: every narrative text (empty when
    /// the document has none), then the row texts it has, in name order.
    pub fn texts(&self) -> Vec<(String, String)> {
        let txn = self.doc.transact();
        let narrative = Sections::default().narrative().map(|(path, _)| path);
        let mut rows: Vec<String> =
            txn.root_refs().map(|(name, _)| name).filter(|name| live_row(name).is_some()).map(str::to_string).collect();
        rows.sort();
        narrative
            .iter()
            .map(|path| path.to_string())
            .chain(rows)
            .map(|name| {
                let text = txn.get_text(name.as_str()).map(|t| t.get_string(&txn)).unwrap_or_default();
                (name, text)
            })
            .collect()
    }
}

/// Opens the live document of post-mortem `id` as `actor` (who must be able to see it):
/// the stored one, or, the first time, one seeded from the post-mortem's narrative sections.
pub async fn open(store: &Store, actor: &Actor, id: &str) -> Result<LiveDoc, AppError> {
    let viewer = actor.viewer();
    let stored = store.live_document(&viewer, id).await?;
    if stored.last_seq() > 0 {
        return load(&stored);
    }
    let postmortem = store.postmortem(&viewer, id).await?;
    store.seed_live_document(&viewer, id, &seed(&postmortem.sections)).await?;
    load(&store.live_document(&viewer, id).await?)
}

/// Applies an update an editor sent to the live document of post-mortem `id` and stores
/// it; answers its number. Editors and admins only; an update that does not decode, names
/// anything but the texts of a post-mortem, or makes a text longer than a section may be is refused
/// and nothing is stored. For one update without a room (a tool, a test); an open editor's
/// room holds its document and uses [`accept`].
pub async fn apply(store: &Store, actor: &Actor, id: &str, update: &[u8]) -> Result<i64, AppError> {
    actor.require_write()?;
    let mut live = open(store, actor, id).await?;
    Ok(accept(store, actor, id, &mut live, update).await?.seq)
}

/// What [`accept`] did with an update.
#[derive(Debug, Default)]
pub struct Accepted {
    /// The number the update was stored under.
    pub seq: i64,
    /// Updates other servers stored before it that `live` did not hold yet, now applied to
    /// it: to pass on to the editors connected here.
    pub missed: Vec<Vec<u8>>,
}

/// Applies an update to a live document held in memory (a room's), with the checks of
/// [`apply`], stores it, and brings the document up to date with what other servers stored
/// meanwhile. The update is applied first and checked after (a refused update is rare, and
/// checking on a copy costs the whole document per keystroke): a refused one leaves `live`
/// read again from the store, which never held it.
pub async fn accept(
    store: &Store,
    actor: &Actor,
    id: &str,
    live: &mut LiveDoc,
    update: &[u8],
) -> Result<Accepted, AppError> {
    let decoded = decode_from(actor, update)?;
    let stored = match apply_checked(&live.doc, decoded) {
        Ok(()) => store.append_live_update(&actor.viewer(), id, update).await.map_err(AppError::from),
        Err(refused) => Err(refused),
    };
    let seq = match stored {
        Ok(seq) => seq,
        Err(e) => {
            *live = load(&store.live_document_after(id, 0).await?)?;
            return Err(e);
        }
    };
    let missed = if seq > live.last_seq + 1 {
        // Others stored updates before this one: take them in (this one comes back too).
        catch_up(store, id, live).await?.into_iter().filter(|u| u.seq != seq).map(|u| u.body).collect()
    } else {
        Vec::new()
    };
    live.last_seq = live.last_seq.max(seq);
    Ok(Accepted { seq, missed })
}

/// The update `actor` sent, decoded, if they may write and it is within
/// [`MAX_UPDATE_BYTES`]; what it changes is [`apply_checked`]'s to check.
fn decode_from(actor: &Actor, update: &[u8]) -> Result<Update, AppError> {
    actor.require_write()?;
    if update.len() > MAX_UPDATE_BYTES {
        return Err(invalid(format!("at most {MAX_UPDATE_BYTES} bytes an update")));
    }
    Update::decode_v1(update).map_err(|e| invalid(format!("not a Yjs update: {e}")))
}

/// Accepts several updates at once, from one or more editors, into a room's document, and
/// stores them in one transaction (a group commit: the updates that arrived while the room
/// was storing the last ones). Each is checked as [`accept`] checks it. Answers, in order,
/// each one's number or why it was refused, and the updates other servers stored before
/// them that `live` did not hold (now applied, to pass on). When one is refused, the rest
/// are taken one by one.
pub async fn accept_all(
    store: &Store,
    id: &str,
    live: &mut LiveDoc,
    updates: &[(&Actor, &[u8])],
) -> (Vec<Result<i64, AppError>>, Vec<Vec<u8>>) {
    if let [(actor, update)] = updates {
        return match accept(store, actor, id, live, update).await {
            Ok(accepted) => (vec![Ok(accepted.seq)], accepted.missed),
            Err(e) => (vec![Err(e)], Vec::new()),
        };
    }
    let applied = updates.iter().try_for_each(|(actor, update)| apply_checked(&live.doc, decode_from(actor, update)?));
    let stored = match applied {
        Ok(()) => {
            let batch: Vec<(std::borrow::Cow<'_, hindsight_core::access::Viewer>, &[u8])> =
                updates.iter().map(|(actor, update)| (actor.viewer(), *update)).collect();
            let batch: Vec<(&hindsight_core::access::Viewer, &[u8])> =
                batch.iter().map(|(v, u)| (v.as_ref(), *u)).collect();
            store.append_live_updates(id, &batch).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    let seqs = match stored {
        Ok(seqs) => seqs,
        Err(_) => {
            // Something in the batch was refused (or the store failed): the document read
            // again, which never held any of it, and each update on its own.
            match store.live_document_after(id, 0).await.map_err(AppError::from).and_then(|stored| load(&stored)) {
                Ok(reloaded) => *live = reloaded,
                Err(e) => return (updates.iter().map(|_| Err(corrupt(e.to_string()))).collect(), Vec::new()),
            }
            let (mut results, mut missed) = (Vec::new(), Vec::new());
            for (actor, update) in updates {
                match accept(store, actor, id, live, update).await {
                    Ok(accepted) => {
                        results.push(Ok(accepted.seq));
                        missed.extend(accepted.missed);
                    }
                    Err(e) => results.push(Err(e)),
                }
            }
            return (results, missed);
        }
    };
    let (first, last) = (seqs.first().copied().unwrap_or_default(), seqs.last().copied().unwrap_or_default());
    let missed = if first > live.last_seq + 1 {
        // Others stored updates before these: take them in (these come back too).
        match catch_up(store, id, live).await {
            Ok(newer) => newer.into_iter().filter(|u| !seqs.contains(&u.seq)).map(|u| u.body).collect(),
            Err(e) => {
                tracing::warn!(error = %e, postmortem = id, "could not catch up a live document");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    live.last_seq = live.last_seq.max(last);
    (seqs.into_iter().map(Ok).collect(), missed)
}

/// Applies to `live` the updates stored after the last one it holds (other servers' editors
/// write to the same document); answers them, to pass on.
pub async fn catch_up(store: &Store, id: &str, live: &mut LiveDoc) -> Result<Vec<LiveUpdate>, AppError> {
    let newer = store.live_document_after(id, live.last_seq).await?;
    if let Some(snapshot) = &newer.snapshot {
        // Compacted past what this copy holds: the snapshot holds everything up to it.
        apply_stored(live, snapshot)?;
    }
    for update in &newer.updates {
        apply_stored(live, &update.body)?;
        live.last_seq = live.last_seq.max(update.seq);
    }
    Ok(newer.updates)
}

fn apply_stored(live: &LiveDoc, body: &[u8]) -> Result<(), AppError> {
    let update = Update::decode_v1(body).map_err(|e| corrupt(format!("a stored update does not decode: {e}")))?;
    live.doc.transact_mut().apply_update(update).map_err(|e| corrupt(format!("a stored update does not apply: {e}")))
}

/// Writes a live document's texts (`texts`, as [`LiveDoc::texts`] reads them from a
/// document up to date with the store) into post-mortem `id` where they differ from what it
/// holds (the text of a row the post-mortem does not have is not written), as one change typed by `typed_by` (the last one last, whom the change is
/// by; its history names them all and says what changed). Answers the post-mortem as
/// changed, or `None` when nothing differed. A post-mortem changed meanwhile by someone
/// else is read again and the texts written over it: the live document already holds
/// everyone's typing, saves included ([`merge_saved`]).
pub async fn write_back(
    store: &Store,
    typed_by: &[Actor],
    id: &str,
    texts: &[(String, String)],
) -> Result<Option<Postmortem>, AppError> {
    let Some(actor) = typed_by.last() else { return Ok(None) };
    actor.require_write()?;
    let names: Vec<String> = typed_by.iter().map(|a| a.viewer().username.clone()).collect();
    let reason = format!("Typed live by {}", names.join(", "));
    let mut retries = 0;
    loop {
        let current = store.postmortem(&actor.viewer(), id).await?;
        let mut sections = current.sections.clone();
        for (name, text) in texts {
            sections.set_live_text(name, text.clone());
        }
        if sections == current.sections {
            return Ok(None);
        }
        let patch = PostmortemPatch {
            version: current.version,
            // Sections replace whole: the fields beside the texts are as just read.
            sections: Some(SectionsPatch::from(sections)),
            ..PostmortemPatch::default()
        };
        match crate::postmortems::change_from_live(store, actor, id, patch, &reason).await {
            Err(AppError::Store(StoreError::Conflict { .. })) if retries < 3 => retries += 1,
            other => return other.map(Some),
        }
    }
}

/// Stores what `live` holds as the snapshot of post-mortem `id`'s document, in place of the
/// updates it holds (those after it, from other servers, stay): a document read back is then
/// one snapshot and a few updates, not every keystroke since it was opened.
pub async fn compact(store: &Store, id: &str, live: &LiveDoc) -> Result<(), AppError> {
    Ok(store.compact_live_document(id, &live.state(), live.last_seq).await?)
}

/// Brings the live document of a post-mortem, if it has one, in line with `saved` (the
/// post-mortem as a form or API save left it, from `before`): each text the save changed is
/// merged into the document's text, stored as one update, which open editors receive. The
/// merge is three-way, character by character: what the save changed since `before` goes
/// in, and what was typed live meanwhile, not yet in `before`, stays; where both changed
/// the same characters, the save's text wins. A text the save left as it was is not
/// touched, so a save of other fields never undoes live typing, and writing the document
/// back changes nothing here. A row the save added starts from its saved text; the text of
/// a row it removed is emptied (an id given again later starts empty).
pub async fn merge_saved(store: &Store, actor: &Actor, before: &Sections, saved: &Postmortem) -> Result<(), AppError> {
    let viewer = actor.viewer();
    let stored = store.live_document(&viewer, &saved.id).await?;
    if stored.last_seq() == 0 {
        // Nobody opened it live yet: it will be seeded from the saved sections.
        return Ok(());
    }
    let live = load(&stored)?;
    let update = {
        let mut txn = live.doc.transact_mut();
        let was: std::collections::HashMap<String, &str> = before.live_texts().into_iter().collect();
        let now: std::collections::HashMap<String, &str> = saved.sections.live_texts().into_iter().collect();
        let mut names: Vec<&String> = was.keys().chain(now.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let (was, now) = (was.get(name).copied(), now.get(name).copied());
            if was == now {
                continue;
            }
            let text = txn.get_or_insert_text(name.as_str());
            let current = text.get_string(&txn);
            let wanted = match (was, now) {
                (_, None) => String::new(),
                (Some(was), Some(now)) if current == was => now.to_string(),
                (was, Some(now)) => three_way(was.unwrap_or(""), &current, now),
            };
            if current == wanted {
                continue;
            }
            let (at, cut, put) = smallest_edit(&current, &wanted);
            if cut > 0 {
                text.remove_range(&mut txn, at, cut);
            }
            if !put.is_empty() {
                text.insert(&mut txn, at, put);
            }
        }
        txn.encode_update_v1()
    };
    if Update::decode_v1(&update).map_err(|e| corrupt(format!("an edit does not encode: {e}")))?.is_empty() {
        return Ok(());
    }
    store.append_live_update(&viewer, &saved.id, &update).await?;
    Ok(())
}

/// `live` (typed since `base`) and `saved` (saved since `base`) merged character by
/// character; where both changed the same characters, `saved`.
fn three_way(base: &str, live: &str, saved: &str) -> String {
    // The merge works on lines: one line per character, written as its number.
    let lines = |text: &str| text.chars().map(|c| format!("{}\n", u32::from(c))).collect::<String>();
    let Ok(merged) = diffy::merge(&lines(base), &lines(live), &lines(saved)) else { return saved.to_string() };
    merged.lines().filter_map(|line| line.parse::<u32>().ok().and_then(char::from_u32)).collect()
}

/// The edit that turns `from` into `to`: where it starts and how much it cuts, in UTF-8
/// bytes (the document's unit), and what it puts in: all but the common start and end.
fn smallest_edit<'a>(from: &str, to: &'a str) -> (u32, u32, &'a str) {
    let start: usize = from.chars().zip(to.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let (from_rest, to_rest) = (&from[start..], &to[start..]);
    let end: usize =
        from_rest.chars().rev().zip(to_rest.chars().rev()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let cut = from_rest.len() - end;
    let put = &to_rest[..to_rest.len() - end];
    (start as u32, cut as u32, put)
}

/// The seed of a document: every text of `sections`, written by [`SEED_CLIENT`] in a fixed
/// order, so the same sections always give the same bytes.
pub fn seed(sections: &Sections) -> Vec<u8> {
    let doc = Doc::with_client_id(SEED_CLIENT);
    let mut txn = doc.transact_mut();
    for (name, text) in sections.live_texts() {
        let shared = txn.get_or_insert_text(name.as_str());
        if !text.is_empty() {
            shared.insert(&mut txn, 0, text);
        }
    }
    txn.encode_update_v1()
}

/// The document a stored one makes: the snapshot, then every update after it.
fn load(stored: &LiveDocument) -> Result<LiveDoc, AppError> {
    let doc = Doc::new();
    {
        let mut txn = doc.transact_mut();
        for body in stored.snapshot.iter().chain(stored.updates.iter().map(|u| &u.body)) {
            let update =
                Update::decode_v1(body).map_err(|e| corrupt(format!("a stored update does not decode: {e}")))?;
            txn.apply_update(update).map_err(|e| corrupt(format!("a stored update does not apply: {e}")))?;
        }
    }
    Ok(LiveDoc { doc, last_seq: stored.last_seq() })
}

/// Applies `update` to `doc` and refuses it if it does not apply, names a shared type other
/// than the texts of a post-mortem (a narrative path, or `damage_control.<id>` or
/// `recommendations.<id>` with a well-formed id), leaves more than [`MAX_LIVE_TEXTS`] texts,
/// or leaves a text longer than [`MAX_TEXT`] characters. A refused update may have been
/// applied in part: the caller reads the document again.
fn apply_checked(doc: &Doc, update: Update) -> Result<(), AppError> {
    let mut txn = doc.transact_mut();
    txn.apply_update(update).map_err(|e| invalid(format!("the update does not apply: {e}")))?;
    let narrative = Sections::default().narrative().map(|(path, _)| path);
    let mut count = 0;
    for (name, _) in txn.root_refs() {
        if !narrative.contains(&name) && live_row(name).is_none() {
            return Err(invalid(format!("{name:?} is not a text of a post-mortem")));
        }
        count += 1;
        let Some(text) = txn.get_text(name) else { continue };
        // Its length in bytes is at hand; the characters are counted only past the limit.
        if text.len(&txn) as usize > MAX_TEXT && text.get_string(&txn).chars().count() > MAX_TEXT {
            return Err(invalid(format!("{name}: at most {MAX_TEXT} characters")));
        }
    }
    if count > MAX_LIVE_TEXTS {
        return Err(invalid(format!("at most {MAX_LIVE_TEXTS} texts a document")));
    }
    Ok(())
}

fn invalid(message: String) -> AppError {
    AppError::Invalid(ValidationErrors::single("update", message))
}

fn corrupt(message: String) -> AppError {
    AppError::Store(StoreError::Corrupt(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_edit_keeps_the_common_start_and_end() {
        assert_eq!(smallest_edit("The pool ran dry.", "The pool ran dry at 10:02."), (16, 0, " at 10:02"));
        assert_eq!(smallest_edit("abc", "abc"), (3, 0, ""));
        assert_eq!(smallest_edit("abXc", "abc"), (2, 1, ""));
        assert_eq!(smallest_edit("", "new"), (0, 0, "new"));
        assert_eq!(smallest_edit("old", ""), (0, 3, ""));
        // Offsets are UTF-8 bytes, on character boundaries.
        assert_eq!(smallest_edit("Zürich down", "Zürich up"), (8, 4, "up"));
        assert_eq!(smallest_edit("aaa", "aa"), (2, 1, ""));
    }

    #[test]
    fn a_save_merges_with_what_was_typed_live_since_it_was_loaded() {
        let base = "The pool ran dry.\nNobody was paged.";
        // Typed live at the end, saved at the start: both stay, even on one line.
        assert_eq!(
            three_way(base, "The pool ran dry at 10:02.\nNobody was paged.", "The DB pool ran dry.\nNobody was paged."),
            "The DB pool ran dry at 10:02.\nNobody was paged."
        );
        assert_eq!(three_way("Zürich", "Zürich down", "Zürich"), "Zürich down");
        // Both changed the same words: the save's text.
        assert_eq!(three_way("ran dry", "ran out", "ran low"), "ran low");
        assert_eq!(three_way("", "", "new"), "new");
    }
}
