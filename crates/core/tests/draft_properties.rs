//! The first draft's promises, over arbitrary timelines: every time, day, actor, source,
//! service, count and duration a sentence states is in the events it cites (or is a count
//! of them, or the time between two of them), and everything it quotes is their text; the
//! same timeline in any order gives the same draft; no timeline makes it panic or write a
//! section longer than a post-mortem's section may be.
//!
//! The check reads the sentences as a reader would, with its own parsing, rather than
//! trusting the draft's own helpers.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use hindsight_core::analysis::{Draft, DraftSentence, ResponseChecklist, draft_from_timeline};
use hindsight_core::validate::MAX_TEXT;
use hindsight_core::{
    DetectionMethod, EventKind, Incident, IncidentStatus, KeyMoment, Moments, Responder, ResponderRole, Severity,
    TimelineEvent,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

const ACTORS: &[&str] = &["ana", "ben", "dara", "fatima", "deploy-bot", "kubelet"];
const SOURCES: &[&str] = &["alertmanager", "pagerduty", "slack", "github", "manual"];
const SERVICES: &[&str] = &["checkout-api", "payments-db", "search"];
/// Words event texts are made of: services, numbers, times and days that tempt a leak into
/// sentences that do not cite them, Markdown, quotes, and the words the response analysis reads.
const WORDS: &[&str] = &[
    "checkout-api",
    "payments-db",
    "search",
    "pool",
    "Restarted",
    "rolled",
    "back",
    "status",
    "page",
    "42",
    "2.3.1",
    "10:07 UTC",
    "2026-03-02",
    "7 minutes",
    "*bold*",
    "[x](y)",
    "<b>",
    "“quoted”",
    "\n",
    "handover",
    "channel",
    "customers notified",
    "ana",
    "   ",
];

const BASE: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);

#[derive(Debug, Clone)]
struct Spec {
    minute: i64,
    second: i64,
    offset_hours: i8,
    source: usize,
    kind: EventKind,
    actor: Option<usize>,
    words: Vec<usize>,
    key_moment: Option<KeyMoment>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..3 * 24 * 60i64,
        0..60i64,
        -12..=14i8,
        0..SOURCES.len(),
        prop::sample::select(EventKind::ALL),
        prop::option::of(0..ACTORS.len() + 1),
        prop::collection::vec(0..WORDS.len(), 0..12),
        prop::option::weighted(0.25, prop::sample::select(KeyMoment::ALL)),
    )
        .prop_map(|(minute, second, offset_hours, source, kind, actor, words, key_moment)| Spec {
            minute,
            second,
            offset_hours,
            source,
            kind,
            actor,
            words,
            key_moment,
        })
}

fn events_of(specs: &[Spec]) -> Vec<TimelineEvent> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let offset = UtcOffset::from_hms(s.offset_hours, 0, 0).unwrap();
            TimelineEvent {
                id: format!("e{i}"),
                incident: "INC-9".into(),
                occurred_at: (BASE + Duration::minutes(s.minute) + Duration::seconds(s.second)).to_offset(offset),
                source: SOURCES[s.source].into(),
                external_id: format!("x{i}"),
                kind: s.kind,
                // One past the names: an actor that is only white space.
                actor: s.actor.map(|a| ACTORS.get(a).map_or(" ", |name| *name).to_string()),
                text: s.words.iter().map(|w| WORDS[*w]).collect::<Vec<_>>().join(" "),
                key_moment: s.key_moment,
                has_raw_payload: false,
                raw_payload_url: None,
                created_by: None,
                created_at: BASE,
                version: 1,
            }
        })
        .collect()
}

fn incident(services: Vec<String>, severity: u8, commander: bool, moments: Option<[i64; 4]>) -> Incident {
    let at = |minute: i64| Some(BASE + Duration::minutes(minute));
    Incident {
        id: "i9".into(),
        handle: "INC-9".into(),
        number: 9,
        title: "Checkout errors".into(),
        description: String::new(),
        severity: Severity::new(severity).unwrap(),
        status: IncidentStatus::Resolved,
        services,
        teams: vec![],
        detection_method: DetectionMethod::MonitoringAlert,
        moments: match moments {
            Some([detected, acknowledged, mitigated, resolved]) => Moments {
                started_at: None,
                detected_at: at(detected),
                acknowledged_at: at(acknowledged),
                mitigated_at: at(mitigated),
                resolved_at: at(resolved),
            },
            None => Moments::default(),
        },
        moments_from_timeline: vec![],
        responders: if commander {
            vec![Responder { username: "ana".into(), role: ResponderRole::IncidentCommander }]
        } else {
            vec![]
        },
        private: false,
        created_by: None,
        created_at: BASE,
        updated_at: BASE,
        version: 1,
    }
}

fn incident_strategy() -> impl Strategy<Value = Incident> {
    (
        prop::sample::subsequence(SERVICES, 0..=SERVICES.len()),
        1..=5u8,
        any::<bool>(),
        prop::option::of(prop::array::uniform4(0..3 * 24 * 60i64)),
    )
        .prop_map(|(services, severity, commander, moments)| {
            incident(services.into_iter().map(String::from).collect(), severity, commander, moments)
        })
}

// ---- reading a sentence as a reader would ----

/// Text on one line, as a quote shows it: white space collapsed, curly quotes straight.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['“', '”'], "\"")
}

fn utc(e: &TimelineEvent) -> OffsetDateTime {
    e.occurred_at.to_offset(UtcOffset::UTC)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Byte ranges where `name` stands as a whole word in `text`.
fn whole_words(text: &str, name: &str) -> Vec<(usize, usize)> {
    text.match_indices(name)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
        })
        .map(|(at, _)| (at, at + name.len()))
        .collect()
}

fn blank(text: &mut String, (from, to): (usize, usize)) {
    text.replace_range(from..to, &" ".repeat(to - from));
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).map(str::to_lowercase).collect()
}

/// Checks one sentence against the events it cites; says what it states that they do not hold.
fn check(sentence: &DraftSentence, events: &[TimelineEvent], incident: &Incident) -> Result<(), String> {
    let mut cited = Vec::new();
    for id in &sentence.cites {
        cited.push(events.iter().find(|e| &e.id == id).ok_or(format!("cites {id}, which is no event"))?);
    }
    if cited.is_empty() {
        return Err("cites nothing".into());
    }
    let mut rest = sentence.text.clone();

    // What it quotes: the start of a cited event's text, cut at a word when it ends in `…`.
    while let Some(open) = rest.find('“') {
        let close = open + rest[open..].find('”').ok_or("a quote that does not close")?;
        let quoted = &rest[open + '“'.len_utf8()..close];
        let found = cited.iter().any(|e| {
            let text = one_line(&e.text);
            match quoted.strip_suffix('…') {
                Some(start) => text.starts_with(start) && text[start.len()..].starts_with(' '),
                None => text == quoted,
            }
        });
        if !found {
            return Err(format!("quotes {quoted:?}, which no cited event says"));
        }
        blank(&mut rest, (open, close + '”'.len_utf8()));
    }

    // Names: actors of cited events, sources of cited events, services their text names.
    let names: Vec<(&str, &str)> = ACTORS
        .iter()
        .map(|n| ("actor", *n))
        .chain(SOURCES.iter().map(|n| ("source", *n)))
        .chain(incident.services.iter().map(|n| ("service", n.as_str())))
        .collect();
    for (what, name) in names {
        for range in whole_words(&rest.clone(), name) {
            let held = cited.iter().any(|e| match what {
                "actor" => e.actor.as_deref().map(str::trim) == Some(name),
                "source" => e.source == name,
                _ => words_of(&e.text).contains(&name.to_lowercase()),
            });
            if !held {
                return Err(format!("names the {what} {name}, which no cited event holds"));
            }
            blank(&mut rest, range);
        }
    }

    // Times `HH:MM UTC` and days `YYYY-MM-DD` of cited events.
    let chars: Vec<char> = rest.chars().collect();
    let mut kept = String::new();
    let mut i = 0;
    let digits = |from: usize, n: usize| -> Option<u32> {
        let s: String = chars.get(from..from + n)?.iter().collect();
        s.chars().all(|c| c.is_ascii_digit()).then(|| s.parse().ok()).flatten()
    };
    while i < chars.len() {
        let time = (digits(i, 2), chars.get(i + 2).copied(), digits(i + 3, 2), chars.get(i + 5..i + 9));
        if let (Some(h), Some(':'), Some(m), Some(utc_word)) = time
            && utc_word.iter().collect::<String>() == " UTC"
        {
            if !cited.iter().any(|e| utc(e).hour() as u32 == h && utc(e).minute() as u32 == m) {
                return Err(format!("says {h:02}:{m:02} UTC, when no cited event happened"));
            }
            kept.push(' ');
            i += 9;
            continue;
        }
        let day =
            (digits(i, 4), chars.get(i + 4).copied(), digits(i + 5, 2), chars.get(i + 7).copied(), digits(i + 8, 2));
        if let (Some(y), Some('-'), Some(mo), Some('-'), Some(d)) = day {
            let on_that_day = cited.iter().any(|e| {
                let date = utc(e).date();
                date.year() as u32 == y && u8::from(date.month()) as u32 == mo && date.day() as u32 == d
            });
            if !on_that_day {
                return Err(format!("says {y:04}-{mo:02}-{d:02}, a day no cited event happened on"));
            }
            kept.push(' ');
            i += 10;
            continue;
        }
        kept.push(chars[i]);
        i += 1;
    }

    // Durations (`45 minutes`, `1 h 47 min`, `3 d 2 h`) between two cited events' clock times,
    // then counts: how many events it cites, of one kind, or actors among them.
    let minute = |e: &TimelineEvent| e.occurred_at.unix_timestamp().div_euclid(60);
    let gaps: Vec<i64> =
        cited.iter().flat_map(|a| cited.iter().map(move |b| minute(b) - minute(a))).filter(|g| *g > 0).collect();
    let mut counts = vec![cited.len()];
    for kind in EventKind::ALL {
        counts.push(cited.iter().filter(|e| e.kind == *kind).count());
    }
    let mut actors: Vec<&str> = cited.iter().filter_map(|e| e.actor.as_deref().map(str::trim)).collect();
    actors.retain(|a| !a.is_empty());
    actors.sort_unstable();
    actors.dedup();
    counts.push(actors.len());
    let tokens: Vec<String> = kept
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '(' | ')')).to_string())
        .collect();
    let number = |t: &String| t.parse::<i64>().ok().filter(|_| t.chars().all(|c| c.is_ascii_digit()));
    let mut i = 0;
    while i < tokens.len() {
        let mut parts = Vec::new();
        while let (Some(n), Some(unit)) = (tokens.get(i).and_then(number), tokens.get(i + 1)) {
            if !matches!(unit.as_str(), "d" | "h" | "min" | "minute" | "minutes") {
                break;
            }
            parts.push((n, unit.clone()));
            i += 2;
        }
        if !parts.is_empty() {
            let part =
                |unit: &[&str]| parts.iter().filter(|(_, u)| unit.contains(&u.as_str())).map(|(n, _)| n).sum::<i64>();
            let (days, hours, mins) = (part(&["d"]), part(&["h"]), part(&["min", "minute", "minutes"]));
            // Past a day the minutes are left unsaid.
            let matches = |gap: &i64| {
                if days > 0 { gap / 60 == days * 24 + hours } else { *gap == hours * 60 + mins }
            };
            if !gaps.iter().any(matches) {
                return Err(format!("says {parts:?}, which is no time between two cited events"));
            }
            continue;
        }
        let token = &tokens[i];
        if let Some(n) = number(token) {
            if !counts.contains(&(n as usize)) {
                return Err(format!("says {n}, which counts no part of the {} cited events", cited.len()));
            }
        } else if token.chars().any(|c| c.is_ascii_digit()) {
            return Err(format!("says {token:?}, which no cited event holds"));
        }
        i += 1;
    }
    Ok(())
}

fn check_draft(draft: &Draft, events: &[TimelineEvent], incident: &Incident) -> Result<(), TestCaseError> {
    prop_assert_eq!(draft.events, events.len());
    prop_assert_eq!(draft.is_empty(), events.is_empty());
    for section in &draft.sections {
        prop_assert!(!section.sentences.is_empty() || !section.narrative.is_empty());
        for sentence in section.sentences.iter().chain(&section.narrative) {
            if let Err(wrong) = check(sentence, events, incident) {
                return Err(TestCaseError::fail(format!("{:?} {wrong}", sentence.text)));
            }
            for id in &sentence.cites {
                let link = format!("(/incidents/INC-9#event-{id})");
                prop_assert!(section.markdown.contains(&link), "{} has no link to {id}", section.section);
            }
        }
        prop_assert!(section.markdown.chars().count() <= MAX_TEXT);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_sentence_states_only_what_its_cited_events_hold(
        specs in prop::collection::vec(spec(), 0..40),
        incident in incident_strategy(),
    ) {
        let events = events_of(&specs);
        let draft = draft_from_timeline(&incident, &events, &ResponseChecklist::default());
        check_draft(&draft, &events, &incident)?;
    }

    #[test]
    fn the_same_timeline_in_any_order_gives_the_same_draft(
        (events, shuffled) in prop::collection::vec(spec(), 0..30)
            .prop_map(|specs| events_of(&specs))
            .prop_flat_map(|events| (Just(events.clone()), Just(events).prop_shuffle())),
        incident in incident_strategy(),
    ) {
        let checklist = ResponseChecklist::default();
        prop_assert_eq!(draft_from_timeline(&incident, &events, &checklist), draft_from_timeline(&incident, &shuffled, &checklist));
    }

    #[test]
    fn no_timeline_makes_it_panic_or_overflow_a_section(
        events in prop::collection::vec(
            (any::<i64>(), ".*", ".*", prop::sample::select(EventKind::ALL), prop::option::of(".*"), ".*",
             prop::option::of(prop::sample::select(KeyMoment::ALL))),
            0..30,
        ),
        incident in incident_strategy(),
    ) {
        let events: Vec<TimelineEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, (seconds, source, id, kind, actor, text, key_moment))| TimelineEvent {
                id: format!("{id}{i}"),
                incident: "INC-9".into(),
                // Anywhere from year -9999 to 9999.
                occurred_at: OffsetDateTime::from_unix_timestamp(seconds % 250_000_000_000).unwrap_or(BASE),
                source,
                external_id: String::new(),
                kind,
                actor,
                text,
                key_moment,
                has_raw_payload: false,
                raw_payload_url: None,
                created_by: None,
                created_at: BASE,
                version: 1,
            })
            .collect();
        let draft = draft_from_timeline(&incident, &events, &ResponseChecklist::default());
        for section in &draft.sections {
            prop_assert!(section.markdown.chars().count() <= MAX_TEXT);
        }
    }
}

/// The check itself catches what it is there to catch.
#[test]
fn the_check_refuses_a_sentence_that_states_what_its_events_do_not_hold() {
    let events = events_of(&[
        Spec {
            minute: 0,
            second: 0,
            offset_hours: 2,
            source: 0,
            kind: EventKind::Alert,
            actor: Some(0),
            words: vec![0],
            key_moment: None,
        },
        Spec {
            minute: 30,
            second: 0,
            offset_hours: 0,
            source: 1,
            kind: EventKind::Page,
            actor: Some(1),
            words: vec![1],
            key_moment: None,
        },
    ]);
    let incident = incident(vec!["checkout-api".into(), "payments-db".into()], 2, true, None);
    let said = |text: &str, cites: &[&str]| DraftSentence {
        text: text.into(),
        cites: cites.iter().map(|c| c.to_string()).collect(),
    };
    let ok = [
        said("At 00:00 UTC on 2026-03-01, an alert by ana: “checkout-api”.", &["e0"]),
        said("2 pages were sent by ana and ben, 30 minutes apart, from alertmanager.", &["e0", "e1"]),
        said("The events name the service payments-db.", &["e1"]),
    ];
    for sentence in &ok {
        assert_eq!(check(sentence, &events, &incident), Ok(()), "{}", sentence.text);
    }
    let wrong = [
        said("At 00:01 UTC, an alert.", &["e0"]),
        said("At 00:00 UTC on 2026-03-02, an alert.", &["e0"]),
        said("At 02:00 UTC, an alert.", &["e0"]),
        said("An alert by ben.", &["e0"]),
        said("An alert from pagerduty.", &["e0"]),
        said("The events name the service payments-db.", &["e0"]),
        said("3 pages were sent.", &["e0", "e1"]),
        said("It ran 31 minutes.", &["e0", "e1"]),
        said("It ran 1 h 30 min.", &["e0", "e1"]),
        said("An alert: “checkout-api pool”.", &["e0"]),
        said("An alert: “checkout…”.", &["e0"]),
        said("Version 2.3.1 went out.", &["e0"]),
        said("An alert.", &["e7"]),
    ];
    for sentence in &wrong {
        assert!(check(sentence, &events, &incident).is_err(), "{}", sentence.text);
    }
}
