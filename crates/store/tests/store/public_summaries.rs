//! Public summaries: written by those who may see the post-mortem, public only while
//! published, the post-mortem published and the incident not private.

use crate::common::{admin, incident, note, person};
use hindsight_core::{IncidentPatch, NewPostmortem, PostmortemStatus, PublicSummaryDraft, Role};
use hindsight_store::{Store, StoreError, Ts};

fn draft(title: &str) -> PublicSummaryDraft {
    PublicSummaryDraft { title: title.into(), body: "What happened, for you.".into(), ..PublicSummaryDraft::default() }
}

async fn a_summary_is_public_only_while_everything_allows_it(store: Store) {
    let admin = admin(&store).await;
    let outsider = person(&store, "outsider", Role::Editor).await;
    let mut ids = Vec::new();
    for title in ["First", "Second"] {
        let made = store.create_incident(&admin, incident(title)).await.unwrap();
        let pm = store.create_postmortem(&admin, made.number, NewPostmortem::default()).await.unwrap();
        assert_eq!(store.public_summary(&admin, &pm.id).await.unwrap(), None);
        let written = store.put_public_summary(&admin, &pm.id, &draft(title), &note()).await.unwrap();
        assert_eq!((written.title.as_str(), written.updated_by.as_deref()), (title, Some("admin")));
        // Not while the post-mortem is a draft.
        let refused = store.publish_public_summary(&admin, &pm.id, true, &note()).await.unwrap_err();
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
        for (version, status) in [(1, PostmortemStatus::InReview), (2, PostmortemStatus::Published)] {
            store.set_postmortem_status(&admin, &pm.id, version, status).await.unwrap();
        }
        let public = store.publish_public_summary(&admin, &pm.id, true, &note()).await.unwrap();
        assert!(public.published_at.is_some());
        ids.push((made.number, pm.id));
    }
    let listed = |store: Store| async move {
        store.public_posts(None, 50).await.unwrap().into_iter().map(|p| p.title).collect::<Vec<_>>()
    };
    assert_eq!(listed(store.clone()).await, ["Second", "First"]);
    let newest = store.public_posts(None, 1).await.unwrap();
    let older = store.public_posts(Some(Ts::from(newest[0].published_at)), 50).await.unwrap();
    assert_eq!(older.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["First"]);
    // Publishing again keeps the first publication time; new words stay public.
    let (first_number, first) = ids[0].clone();
    let before = store.public_post(&first).await.unwrap().published_at;
    store.publish_public_summary(&admin, &first, true, &note()).await.unwrap();
    store.put_public_summary(&admin, &first, &draft("First, reworded"), &note()).await.unwrap();
    let after = store.public_post(&first).await.unwrap();
    assert_eq!((after.title.as_str(), after.published_at), ("First, reworded", before));

    // A private incident's summary leaves the public page, and its writers are only those
    // who may see the incident.
    let current = store.incident(&admin, first_number).await.unwrap();
    let private = IncidentPatch { version: current.version, private: Some(true), ..IncidentPatch::default() };
    store.update_incident(&admin, first_number, private).await.unwrap();
    assert_eq!(listed(store.clone()).await, ["Second"]);
    assert!(matches!(store.public_post(&first).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.public_summary(&outsider, &first).await, Err(StoreError::NotFound(_))));
    let by_outsider = store.put_public_summary(&outsider, &first, &draft("Hijacked"), &note()).await;
    assert!(matches!(by_outsider, Err(StoreError::NotFound(_))));
    assert!(store.publish_public_summary(&admin, &first, true, &note()).await.is_err());

    // An archived post-mortem's summary leaves it too; taking one off by hand as well.
    let (_, second) = ids[1].clone();
    store.set_postmortem_status(&admin, &second, 3, PostmortemStatus::Archived).await.unwrap();
    assert_eq!(listed(store.clone()).await, Vec::<String>::new());
    let off = store.publish_public_summary(&admin, &second, false, &note()).await.unwrap();
    assert_eq!(off.published_at, None);
}

on_both_databases!(a_summary_is_public_only_while_everything_allows_it);
