//! Round trips: what `to_markdown` writes, `from_markdown` reads back the same, for every demo
//! incident, for text that looks like the document's own grammar, and for arbitrary such text.

use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::syntax::trim_blank_lines;
use super::{PostmortemDocument, from_markdown, to_html, to_markdown};
use hindsight_core::model::{
    ActionItem, ActionItemKind, ActionItemStatus, Certainty, DamageControlAction, DamageControlStatus, EventKind,
    Incident, IncidentStatus, KeyMoment, Moments, NewActionItem, NewPostmortem, NewTimelineEvent, Postmortem,
    PostmortemStatus, Priority, Recommendation, Responder, ResponderRole, Sections, Severity, TimelineEvent,
    incident_handle,
};
use hindsight_demo::{DemoIncident, demo_data};

const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

/// A document as the store would give it, built from a demo incident's inputs; with the ids given
/// to its action items.
pub(super) fn demo_document(number: i64, demo: &DemoIncident) -> (PostmortemDocument, Vec<String>) {
    let handle = incident_handle(number);
    let new = &demo.incident;
    let incident = new.declared(format!("incident-{number}"), number, Some(demo.declared_by.clone()), NOW);
    let ids: Vec<String> = (0..demo.action_items.len()).map(|i| format!("{handle}-action-{i}")).collect();
    let action_items =
        demo.action_items.iter().zip(&ids).map(|(item, id)| stored_action_item(&handle, id, item)).collect();
    let events = demo.timeline.iter().enumerate().map(|(i, e)| stored_event(&handle, i, e)).collect();
    let (status, new_postmortem) = match &demo.postmortem {
        Some(pm) => (pm.status, pm.new_postmortem(&ids)),
        None => (PostmortemStatus::Draft, NewPostmortem::default()),
    };
    let postmortem = Postmortem {
        id: format!("postmortem-{number}"),
        incident: handle.clone(),
        incident_title: new.title.clone(),
        status,
        owner: new_postmortem.owner,
        due_date: new_postmortem.due_date,
        // As the store keeps them: every row with its id.
        sections: {
            let mut sections = new_postmortem.sections;
            sections.settle_row_ids();
            sections
        },
        created_at: NOW,
        updated_at: NOW,
        published_at: None,
        version: 4,
    };
    let factors = demo.postmortem.as_ref().map(|pm| pm.factors.clone()).unwrap_or_default();
    let covers = Vec::new();
    (PostmortemDocument { incident, postmortem, events, action_items, discussion: Vec::new(), factors, covers }, ids)
}

fn stored_action_item(handle: &str, id: &str, item: &NewActionItem) -> ActionItem {
    ActionItem {
        id: id.to_owned(),
        incident: handle.to_owned(),
        title: item.title.clone(),
        description: item.description.clone(),
        kind: item.kind,
        owner: item.owner.clone(),
        owner_team: item.owner_team.clone(),
        priority: item.priority,
        due_date: item.due_date,
        status: item.status,
        tracker_url: item.tracker_url.clone(),
        created_at: NOW,
        updated_at: NOW,
        closed_at: item.closed_at,
        version: 1,
    }
}

fn stored_event(handle: &str, index: usize, event: &NewTimelineEvent) -> TimelineEvent {
    TimelineEvent {
        id: format!("{handle}-event-{index}"),
        incident: handle.to_owned(),
        occurred_at: event.occurred_at,
        source: event.source.clone(),
        external_id: event.external_id.clone().unwrap_or_else(|| format!("e{index}")),
        kind: event.kind,
        actor: event.actor.clone(),
        text: event.text.clone(),
        key_moment: event.key_moment,
        has_raw_payload: false,
        raw_payload_url: None,
        created_by: None,
        created_at: NOW,
        version: 1,
    }
}

/// A small document with one of everything, for the tests of each form.
pub(super) fn sample_document() -> PostmortemDocument {
    let mut sections = Sections { summary: "Checkout failed for 20 minutes.".into(), ..Sections::default() };
    sections.impact.users_affected = Some(212);
    sections.impact.productivity_lost_hours = Some(2.5);
    sections.root_cause.certainty = Certainty::Probable;
    sections.root_cause.description = "pgbouncer resolves the primary by a DNS name nobody updates.".into();
    sections.trigger = "A storage fault on the primary.".into();
    sections.damage_control.push(DamageControlAction {
        id: String::new(),
        description: "Refund the failed orders.".into(),
        owner_team: Some("payments".into()),
        status: DamageControlStatus::InProgress,
    });
    sections.recommendations.push(Recommendation {
        id: String::new(),
        text: "Make the failover update every client.".into(),
        action_items: vec!["ai-1".into()],
    });
    PostmortemDocument {
        incident: Incident {
            id: "i-7".into(),
            handle: "INC-7".into(),
            number: 7,
            title: "Checkout read-only after a failover".into(),
            description: "Orders failed.".into(),
            severity: Severity::new(2).unwrap_or(Severity::SEV1),
            status: IncidentStatus::Mitigated,
            services: vec!["checkout-api".into(), "payments-db".into()],
            teams: vec!["payments".into()],
            detection_method: hindsight_core::model::DetectionMethod::MonitoringAlert,
            moments: Moments { started_at: Some(datetime!(2026-11-20 10:00 UTC)), ..Moments::default() },
            moments_from_timeline: Vec::new(),
            responders: vec![Responder { username: "ana.silva".into(), role: ResponderRole::IncidentCommander }],
            private: false,
            created_by: Some("ana.silva".into()),
            created_at: NOW,
            updated_at: NOW,
            version: 2,
        },
        postmortem: Postmortem {
            id: "p-7".into(),
            incident: "INC-7".into(),
            incident_title: "Checkout read-only after a failover".into(),
            status: PostmortemStatus::InReview,
            owner: Some("ana.silva".into()),
            due_date: Some(date!(2026 - 12 - 01)),
            sections,
            created_at: NOW,
            updated_at: NOW,
            published_at: None,
            version: 3,
        },
        events: vec![TimelineEvent {
            id: "e-1".into(),
            incident: "INC-7".into(),
            occurred_at: datetime!(2026-11-20 10:04 UTC),
            source: "pagerduty".into(),
            external_id: "Q1".into(),
            kind: EventKind::Acknowledgement,
            actor: Some("dara.kim".into()),
            text: "Acknowledged.".into(),
            key_moment: Some(KeyMoment::Acknowledgement),
            has_raw_payload: false,
            raw_payload_url: None,
            created_by: None,
            created_at: NOW,
            version: 1,
        }],
        action_items: vec![ActionItem {
            id: "ai-1".into(),
            incident: "INC-7".into(),
            title: "Point pgbouncer at Consul".into(),
            description: "Drop the hand-kept DNS record.".into(),
            kind: ActionItemKind::FixRootCause,
            owner: Some("dara.kim".into()),
            owner_team: None,
            priority: Priority::P1,
            due_date: Some(date!(2026 - 12 - 15)),
            status: ActionItemStatus::Open,
            tracker_url: Some("https://tracker.example.com/browse/OPS-1".into()),
            created_at: NOW,
            updated_at: NOW,
            closed_at: None,
            version: 1,
        }],
        discussion: Vec::new(),
        factors: vec!["infrastructure".into(), "configuration".into()],
        covers: vec!["INC-8".into()],
    }
}

#[test]
fn every_demo_incident_survives_markdown_and_back() {
    let data = demo_data(NOW);
    assert!(!data.incidents.is_empty());
    for (index, demo) in data.incidents.iter().enumerate() {
        let (doc, ids) = demo_document(index as i64 + 1, demo);
        let markdown = to_markdown(&doc);
        let back = from_markdown(&markdown).unwrap_or_else(|e| panic!("{}: {e}\n{markdown}", doc.incident.handle));
        let title = &demo.incident.title;
        assert_eq!(back.handle.as_deref(), Some(doc.incident.handle.as_str()), "{title}");
        assert_eq!(back.incident, demo.incident, "{title}");
        assert_eq!(back.status, doc.postmortem.status, "{title}");
        let expected = demo.postmortem.as_ref().map(|pm| pm.new_postmortem(&ids)).unwrap_or_default();
        assert_eq!(back.new_postmortem(&ids), expected, "{title}");
        assert_eq!(back.action_items, demo.action_items, "{title}");
        assert_eq!(back.events, demo.timeline, "{title}");
        assert_eq!(back.factors, doc.factors, "{title}");
    }
}

#[test]
fn every_demo_incident_survives_json_and_back() {
    for (index, demo) in demo_data(NOW).incidents.iter().enumerate() {
        let (doc, _) = demo_document(index as i64 + 1, demo);
        let json = serde_json::to_string_pretty(&doc).unwrap();
        let back: PostmortemDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
    }
}

#[test]
fn every_demo_incident_renders_as_a_page() {
    for (index, demo) in demo_data(NOW).incidents.iter().enumerate() {
        let (doc, _) = demo_document(index as i64 + 1, demo);
        let html = to_html(&doc);
        assert!(html.contains("<section id=\"timeline\">"), "{}", demo.incident.title);
        assert!(html.ends_with("</html>\n"));
    }
}

/// Text that tries every way user text could be mistaken for the document's structure.
const TRICKY: &str = "Intro paragraph with a [link](https://example.com).

## Timeline
### Analysis
\\## already escaped
\\\\### doubly escaped
#### a real, deeper heading

```sh
## inside a code block
# a shell comment
- [done] not an action (payments)
```

- a list
  - nested, then a blank line

    indented code under it
- Action item 1: not a link
\\- Action item 2: escaped, not a link
2026-11-20T10:04:00Z · slack · message · bob: not an event [detection]

---
Trailing text (payments) [mitigation]";

#[test]
fn markdown_that_looks_like_the_documents_own_structure_survives() {
    let mut doc = sample_document();
    let sections = &mut doc.postmortem.sections;
    sections.summary = TRICKY.into();
    sections.root_cause.analysis = TRICKY.into();
    sections.lessons.got_lucky = TRICKY.into();
    sections.resolution = "```\nan unclosed fence\n## Lessons".into();
    sections.damage_control.push(DamageControlAction {
        id: String::new(),
        description: TRICKY.into(),
        owner_team: None,
        status: DamageControlStatus::Planned,
    });
    sections.recommendations.push(Recommendation {
        id: String::new(),
        text: TRICKY.into(),
        action_items: vec!["ai-1".into()],
    });
    doc.action_items[0].description = format!("- kind: improve_response\n\n{TRICKY}");
    doc.action_items[0].title = "Fix C:\\temp\\## parser\nsecond line ### ".into();
    doc.action_items[0].owner = Some("team: lead".into());
    doc.events[0].text = TRICKY.into();
    doc.events[0].actor = Some("Grafana: alerts · bot".into());
    doc.events.push(TimelineEvent { text: "Ends in [detection]".into(), key_moment: None, ..doc.events[0].clone() });
    doc.events.push(TimelineEvent { actor: None, text: "Ratio: 3:1 \\[resolution]".into(), ..doc.events[0].clone() });

    let markdown = to_markdown(&doc);
    let back = from_markdown(&markdown).unwrap_or_else(|e| panic!("{e}\n{markdown}"));
    let ids: Vec<String> = doc.action_items.iter().map(|a| a.id.clone()).collect();
    assert_eq!(back.new_postmortem(&ids).sections, doc.postmortem.sections);
    let events: Vec<(&str, Option<&str>, Option<KeyMoment>)> =
        back.events.iter().map(|e| (e.text.as_str(), e.actor.as_deref(), e.key_moment)).collect();
    let expected: Vec<(&str, Option<&str>, Option<KeyMoment>)> =
        doc.events.iter().map(|e| (e.text.as_str(), e.actor.as_deref(), e.key_moment)).collect();
    assert_eq!(events, expected);
    assert_eq!(back.action_items[0].title, doc.action_items[0].title);
    assert_eq!(back.action_items[0].description, doc.action_items[0].description);
    assert_eq!(back.action_items[0].owner, doc.action_items[0].owner);
}

fn tricky_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("## "),
        Just("### "),
        Just("#"),
        Just("\\"),
        Just("\n"),
        Just("\n\n"),
        Just(" "),
        Just("  "),
        Just("\t"),
        Just("- "),
        Just("```"),
        Just("---"),
        Just("[detection]"),
        Just("[mitigation]"),
        Just("]"),
        Just(": "),
        Just(":"),
        Just(" · "),
        Just("("),
        Just(")"),
        Just("(payments)"),
        Just("(no team)"),
        Just("- Action item 1: x"),
        Just("word"),
        Just("é ≈ $"),
    ];
    proptest::collection::vec(fragment, 0..30).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn any_text_survives_up_to_blank_lines_at_its_ends(
        text in tricky_text(),
        line in tricky_text().prop_map(|t| t.replace('\n', " ")),
        with_moment in any::<bool>(),
    ) {
        let mut doc = sample_document();
        let sections = &mut doc.postmortem.sections;
        sections.summary = text.clone();
        sections.impact.data_lost_detail = text.clone();
        sections.lessons.went_badly = text.clone();
        sections.damage_control[0].description = text.clone();
        sections.recommendations[0].text = text.clone();
        doc.action_items[0].title = text.clone();
        doc.action_items[0].description = text.clone();
        doc.action_items[0].owner = Some(line.clone());
        doc.events[0].text = text.clone();
        doc.events[0].actor = Some(text.clone());
        doc.events[0].source = line.clone();
        doc.events[0].key_moment = with_moment.then_some(KeyMoment::Mitigation);

        let markdown = to_markdown(&doc);
        let back = from_markdown(&markdown).map_err(|e| TestCaseError::fail(format!("{e}\n{markdown}")))?;
        let trimmed = trim_blank_lines(&text);
        let sections = back.new_postmortem(&["ai-1".to_owned()]).sections;
        prop_assert_eq!(&sections.summary, trimmed);
        prop_assert_eq!(&sections.impact.data_lost_detail, trimmed);
        prop_assert_eq!(&sections.lessons.went_badly, trimmed);
        prop_assert_eq!(&sections.damage_control[0].description, trimmed);
        prop_assert_eq!(&sections.recommendations[0].text, trimmed);
        prop_assert_eq!(&sections.recommendations[0].action_items, &vec!["ai-1".to_owned()]);
        prop_assert_eq!(&back.action_items[0].title, &text);
        prop_assert_eq!(&back.action_items[0].description, trimmed);
        prop_assert_eq!(back.action_items[0].owner.as_ref(), Some(&line));
        prop_assert_eq!(&back.events[0].text, trimmed);
        prop_assert_eq!(back.events[0].actor.as_ref(), Some(&text));
        prop_assert_eq!(&back.events[0].source, &line);
        prop_assert_eq!(back.events[0].key_moment, doc.events[0].key_moment);
    }

}

#[test]
fn the_discussion_is_an_appendix_that_reading_back_leaves_out() {
    use hindsight_core::{Comment, CommentAnchor};
    let plain = sample_document();
    let mut doc = plain.clone();
    let comment = |id: &str, reply_to: Option<&str>, body: &str| Comment {
        id: id.into(),
        postmortem: doc_id(&plain),
        reply_to: reply_to.map(Into::into),
        anchor: None,
        body: body.into(),
        author: Some("dara.kim".into()),
        mentions: Vec::new(),
        created_at: NOW,
        resolved_at: None,
        resolved_by: None,
    };
    let mut first = comment("c1", None, "## Not a heading <b>nor markup</b>");
    first.anchor = Some(CommentAnchor {
        section: "root_cause.description".into(),
        start: "AQ==".into(),
        end: "AQ==".into(),
        quote: "the DNS <record>".into(),
    });
    first.resolved_at = Some(NOW);
    first.resolved_by = Some("ana.silva".into());
    doc.discussion = vec![first, comment("c2", Some("c1"), "Yes, the TTL.")];

    let markdown = crate::to_markdown(&doc);
    assert!(markdown.contains("\n## Appendix: discussion\n"), "{markdown}");
    assert!(markdown.contains("On Root cause: “the DNS <record>”"), "{markdown}");
    assert!(markdown.contains("- dara.kim, 2026-11-20 12:00 UTC: Yes, the TTL."), "{markdown}");
    assert!(markdown.contains("Resolved by ana.silva, 2026-11-20 12:00 UTC"), "{markdown}");
    // Read back, it is the post-mortem without its discussion.
    let read = crate::from_markdown(&markdown).expect("the export reads back");
    let again = crate::from_markdown(&crate::to_markdown(&plain)).expect("the plain export reads back");
    assert_eq!(read, again);

    let html = crate::to_html(&doc);
    assert!(html.contains("<h2>Appendix: discussion</h2>"), "{html}");
    assert!(html.contains("On Root cause: “the DNS &lt;record&gt;”"), "{html}");
    assert!(html.contains("## Not a heading &lt;b&gt;nor markup&lt;/b&gt;"), "{html}");
    assert!(!crate::to_html(&plain).contains("Appendix"));
    let typst = crate::pdf::to_typst(&doc);
    assert!(typst.contains("== Appendix: discussion"), "{typst}");
}

fn doc_id(doc: &PostmortemDocument) -> String {
    doc.postmortem.id.clone()
}
