//! Demo data: a small, believable organisation with a few months of incidents,
//! timelines, post-mortems and action items, for `hindsight demo`, screenshots
//! and for anyone who wants to try Hindsight without a history of their own.
//!
//! Everything is placed relative to the `now` passed in, so the data always looks
//! recent and the same `now` always gives the same data. This crate only
//! describes the data, in the model's own input types; it does no I/O. The CLI's
//! loader writes it through the store; the document crate's round trip and the
//! browser tests read it.

use time::{Date, Duration, OffsetDateTime, UtcOffset};

use hindsight_core::{
    ActionItemKind, ActionItemStatus, Certainty, DamageControlAction, DamageControlStatus, DamageScope,
    DetectionMethod, EventKind as E, IncidentStatus, KeyMoment as K, Lessons, NewActionItem, NewIncident,
    NewPostmortem, NewTimelineEvent, PendingRecommendation, PostmortemStatus, Priority, PublicSummaryDraft, Responder,
    ResponderRole as R, Role, RootCause, Sections, Severity, link_recommendations,
};

/// Everything the demo holds, in the order it must be created.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub users: Vec<DemoUser>,
    pub teams: Vec<DemoTeam>,
    pub services: Vec<DemoService>,
    /// Oldest first, so handles grow with time.
    pub incidents: Vec<DemoIncident>,
    /// Incidents confirmed to be an earlier one come back.
    pub recurrences: Vec<DemoRecurrence>,
    /// Incidents covered by another incident's post-mortem.
    pub covers: Vec<DemoCover>,
}

/// An incident, by title, covered by the post-mortem of another incident, by title.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCover {
    pub incident: String,
    pub covered_by: String,
    /// Username of who added it.
    pub added_by: String,
}

/// An incident, by title, confirmed by a person to be an earlier one come back.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRecurrence {
    pub incident: String,
    pub recurs: String,
    /// Username of who confirmed it.
    pub confirmed_by: String,
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

/// A team and the usernames of its members.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoTeam {
    pub slug: String,
    pub name: String,
    pub members: Vec<String>,
}

/// A service and the slug of the team that owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoService {
    pub slug: String,
    pub name: String,
    pub owner_team: String,
}

/// One incident with everything that hangs off it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoIncident {
    /// Username of whoever declared it; they can always see it.
    pub declared_by: String,
    pub incident: NewIncident,
    /// In the order things happened.
    pub timeline: Vec<NewTimelineEvent>,
    pub action_items: Vec<NewActionItem>,
    pub postmortem: Option<DemoPostmortem>,
}

/// A post-mortem and the status its review has reached.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPostmortem {
    pub status: PostmortemStatus,
    /// Username of the owner.
    pub owner: String,
    /// Keys of the contributing factors it is tagged with (the default taxonomy's).
    pub factors: Vec<String>,
    pub due_date: Option<Date>,
    /// Every section but the recommendations, which need action item ids; see [`DemoPostmortem::new_postmortem`].
    pub sections: Sections,
    pub recommendations: Vec<PendingRecommendation>,
    /// A public summary, published with the post-mortem.
    pub public_summary: Option<PublicSummaryDraft>,
}

impl DemoPostmortem {
    /// The post-mortem to create, its recommendations linked to the ids the incident's action items were given.
    pub fn new_postmortem(&self, action_item_ids: &[String]) -> NewPostmortem {
        let mut sections = self.sections.clone();
        sections.recommendations = link_recommendations(&self.recommendations, action_item_ids);
        NewPostmortem { owner: Some(self.owner.clone()), due_date: self.due_date, sections }
    }

    /// The moves that take a new (draft) post-mortem to its status, in order.
    pub fn status_moves(&self) -> Vec<PostmortemStatus> {
        use PostmortemStatus::*;
        match self.status {
            Draft => vec![],
            InReview => vec![InReview],
            Published => vec![InReview, Published],
            Archived => vec![InReview, Published, Archived],
        }
    }
}

/// Owned keys of contributing factors.
fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_string()).collect()
}

/// The demo organisation and its last four months of incidents, placed relative to `now`.
pub fn demo_data(now: OffsetDateTime) -> DemoData {
    let clock = Clock::new(now);
    let mut incidents = vec![
        database_failover(&clock),
        failover_retries(&clock),
        bad_deploy(&clock),
        certificate_expiry(&clock),
        dns_change(&clock),
        queue_backlog(&clock),
        cache_stampede(&clock),
        processor_outage(&clock),
        migration_data_loss(&clock),
        login_outage(&clock),
        cache_stampede_again(&clock),
        cron_revoked_keys(&clock),
        disk_full(&clock),
        notifier_stalled(&clock),
        config_push(&clock),
        webhook_timeouts(&clock),
        slow_autocomplete(&clock),
    ];
    // Work that has started has a ticket somewhere; number them in creation order.
    let mut ticket = 1200;
    for item in incidents.iter_mut().flat_map(|i| i.action_items.iter_mut()) {
        if matches!(item.status, ActionItemStatus::InProgress | ActionItemStatus::Done) {
            ticket += 1;
            item.tracker_url = Some(format!("https://tracker.example.com/browse/OPS-{ticket}"));
        }
    }
    let recurrences = vec![DemoRecurrence {
        incident: CACHE_STAMPEDE_AGAIN.into(),
        recurs: CACHE_STAMPEDE.into(),
        confirmed_by: "lena.fischer".into(),
    }];
    let covers = vec![DemoCover {
        incident: FAILOVER_RETRIES.into(),
        covered_by: FAILOVER.into(),
        added_by: "ana.silva".into(),
    }];
    DemoData { users: users(), teams: teams(), services: services(), incidents, recurrences, covers }
}

fn users() -> Vec<DemoUser> {
    [
        ("admin", "Hindsight Admin", Role::Admin),
        ("ana.silva", "Ana Silva", Role::Editor),
        ("ben.okafor", "Ben Okafor", Role::Editor),
        ("chen.wei", "Chen Wei", Role::Editor),
        ("dara.kim", "Dara Kim", Role::Editor),
        ("emil.novak", "Emil Novak", Role::Editor),
        ("fatima.haddad", "Fatima Haddad", Role::Editor),
        ("lena.fischer", "Lena Fischer", Role::Editor),
        ("grace.lee", "Grace Lee", Role::Viewer),
        ("ivan.petrov", "Ivan Petrov", Role::Viewer),
    ]
    .into_iter()
    .map(|(username, display_name, role)| DemoUser {
        username: username.into(),
        display_name: display_name.into(),
        email: format!("{username}@example.com"),
        role,
    })
    .collect()
}

fn teams() -> Vec<DemoTeam> {
    [
        ("platform", "Platform & SRE", &["ana.silva", "lena.fischer"][..]),
        ("payments", "Payments", &["ben.okafor"]),
        ("identity", "Identity & Access", &["chen.wei"]),
        ("data", "Data & Storage", &["dara.kim", "ivan.petrov"]),
        ("edge", "Edge & Network", &["emil.novak"]),
        ("support", "Customer Support", &["fatima.haddad", "grace.lee"]),
    ]
    .into_iter()
    .map(|(slug, name, members)| DemoTeam { slug: slug.into(), name: name.into(), members: strings(members) })
    .collect()
}

fn services() -> Vec<DemoService> {
    [
        ("checkout-api", "Checkout API", "payments"),
        ("billing", "Billing & invoicing", "payments"),
        ("payments-db", "Payments database", "data"),
        ("catalog-api", "Catalog API", "platform"),
        ("notifications", "Notifications", "platform"),
        ("auth-service", "Sign-in service", "identity"),
        ("edge-proxy", "Edge proxies", "edge"),
        ("reporting", "Reporting & exports", "data"),
    ]
    .into_iter()
    .map(|(slug, name, owner)| DemoService { slug: slug.into(), name: name.into(), owner_team: owner.into() })
    .collect()
}

// ---- building blocks ----

const DAY: i64 = 24 * 60;

const PAGERDUTY: &str = "pagerduty";
const ALERTMANAGER: &str = "alertmanager";
const SLACK: &str = "slack";
const GITHUB: &str = "github";
const MANUAL: &str = "manual";

/// Places things relative to `now`, in UTC, on whole minutes.
struct Clock {
    now: OffsetDateTime,
    today: Date,
}

impl Clock {
    fn new(now: OffsetDateTime) -> Clock {
        let now = now.to_offset(UtcOffset::UTC);
        let now = now.saturating_sub(
            Duration::seconds(i64::from(now.second())) + Duration::nanoseconds(i64::from(now.nanosecond())),
        );
        Clock { now, today: now.date() }
    }

    /// `days` before today at `hour`:`minute` UTC.
    fn day(&self, days: i64, hour: i64, minute: i64) -> OffsetDateTime {
        self.today
            .midnight()
            .assume_utc()
            .saturating_sub(Duration::days(days))
            .saturating_add(Duration::minutes(hour * 60 + minute))
    }

    /// `minutes` before now.
    fn ago(&self, minutes: i64) -> OffsetDateTime {
        self.now.saturating_sub(Duration::minutes(minutes))
    }

    /// `days` after today (before, when negative).
    fn date(&self, days: i64) -> Option<Date> {
        Some(self.today.saturating_add(Duration::days(days)))
    }
}

/// An incident's timeline, written as minutes after its first symptom.
struct Timeline {
    start: OffsetDateTime,
    events: Vec<NewTimelineEvent>,
}

impl Timeline {
    fn starting(start: OffsetDateTime) -> Timeline {
        Timeline { start, events: Vec::new() }
    }

    fn ev(mut self, minute: i64, source: &str, kind: E, actor: &str, text: &str) -> Timeline {
        self.events.push(NewTimelineEvent {
            occurred_at: self.start.saturating_add(Duration::minutes(minute)),
            source: source.into(),
            kind,
            actor: Some(actor.into()),
            text: text.into(),
            key_moment: None,
            raw_payload: None,
            external_id: None,
        });
        self
    }

    /// Marks the last event added as a key moment.
    fn key(mut self, moment: K) -> Timeline {
        if let Some(last) = self.events.last_mut() {
            last.key_moment = Some(moment);
        }
        self
    }

    fn moment(&self, moment: K) -> Option<OffsetDateTime> {
        self.events.iter().find(|e| e.key_moment == Some(moment)).map(|e| e.occurred_at)
    }
}

/// The fields of an incident that are not its moments; those come from the timeline's key moments.
struct Head<'a> {
    title: &'a str,
    description: &'a str,
    severity: u8,
    status: IncidentStatus,
    detection: DetectionMethod,
    services: &'a [&'a str],
    teams: &'a [&'a str],
    responders: &'a [(&'a str, R)],
    private: bool,
}

impl Head<'_> {
    fn with(self, timeline: &Timeline) -> NewIncident {
        NewIncident {
            title: self.title.into(),
            description: self.description.into(),
            // Levels here are constants from 1 to 5; the tests check every one is used.
            severity: Severity::new(self.severity).unwrap_or(Severity::SEV1),
            status: self.status,
            services: strings(self.services),
            teams: strings(self.teams),
            detection_method: self.detection,
            started_at: timeline.moment(K::ImpactStart),
            detected_at: timeline.moment(K::Detection),
            acknowledged_at: timeline.moment(K::Acknowledgement),
            mitigated_at: timeline.moment(K::Mitigation),
            resolved_at: timeline.moment(K::Resolution),
            responders: self
                .responders
                .iter()
                .map(|&(username, role)| Responder { username: username.into(), role })
                .collect(),
            private: self.private,
        }
    }
}

/// Who owns an action item.
enum Owner {
    User(&'static str),
    Team(&'static str),
}

fn item(
    title: &str,
    description: &str,
    kind: ActionItemKind,
    owner: Owner,
    priority: Priority,
    due_date: Option<Date>,
    status: ActionItemStatus,
) -> NewActionItem {
    let (owner, owner_team) = match owner {
        Owner::User(name) => (Some(name.to_string()), None),
        Owner::Team(slug) => (None, Some(slug.to_string())),
    };
    NewActionItem {
        title: title.into(),
        description: description.into(),
        kind,
        owner,
        owner_team,
        priority,
        due_date,
        status,
        tracker_url: None,
        closed_at: None,
    }
}

/// When an item recorded as done or won't do was closed.
trait Closed {
    fn closed(self, at: OffsetDateTime) -> Self;
}

impl Closed for NewActionItem {
    fn closed(self, at: OffsetDateTime) -> NewActionItem {
        NewActionItem { closed_at: Some(at), ..self }
    }
}

fn damage_control(description: &str, team: &str, status: DamageControlStatus) -> DamageControlAction {
    DamageControlAction { id: String::new(), description: description.into(), owner_team: Some(team.into()), status }
}

/// Damage control that says there was none, and why, as the completeness check expects: a single `None: <why>`.
fn no_damage_control(why: &str) -> Vec<DamageControlAction> {
    vec![DamageControlAction {
        id: String::new(),
        description: format!("None: {why}"),
        owner_team: None,
        status: DamageControlStatus::Done,
    }]
}

fn recommend(text: &str, action_items: &[usize]) -> PendingRecommendation {
    PendingRecommendation { text: text.into(), action_items: action_items.to_vec() }
}

fn lessons(went_well: &str, went_badly: &str, got_lucky: &str) -> Lessons {
    Lessons { went_well: went_well.into(), went_badly: went_badly.into(), got_lucky: got_lucky.into() }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

// ---- the incidents, oldest first ----

fn database_failover(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(118, 3, 12))
        .ev(0, MANUAL, E::Milestone, "dara.kim", "The storage volume behind pg-payments-1 stops answering; Patroni fences the primary.")
        .key(K::ImpactStart)
        .ev(1, ALERTMANAGER, E::Alert, "alertmanager", "PaymentsDBPrimaryDown firing: pg-payments-1 unreachable from the Patroni leader check.")
        .key(K::Detection)
        .ev(1, PAGERDUTY, E::Page, "PagerDuty", "Paged data on-call (dara.kim): PaymentsDBPrimaryDown.")
        .ev(2, ALERTMANAGER, E::Alert, "alertmanager", "CheckoutWriteErrors firing: 38% of POST /orders answer 500.")
        .ev(4, PAGERDUTY, E::Acknowledgement, "dara.kim", "dara.kim acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(6, SLACK, E::Message, "dara.kim", "Patroni promoted pg-payments-2 at 03:13 and the cluster is healthy from the database side, but checkout is still failing. Looking at the clients.")
        .ev(9, PAGERDUTY, E::Escalation, "dara.kim", "Escalated to platform on-call (ana.silva).")
        .key(K::Escalation)
        .ev(12, SLACK, E::Message, "ana.silva", "Taking IC. Checkout's pgbouncer pods still hold connections to pg-payments-1, which is up but read-only: every write fails with `cannot execute INSERT in a read-only transaction`.")
        .ev(14, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: checkout degraded, some orders failing. Investigating.")
        .ev(19, MANUAL, E::Action, "ana.silva", "Ran RELOAD on pgbouncer in the checkout pods.")
        .ev(21, MANUAL, E::Action, "dara.kim", "Reloaded pgbouncer in the checkout pods from its admin console.")
        .ev(23, SLACK, E::Message, "ana.silva", "pgbouncer got two RELOADs two minutes apart, from two terminals, and neither changed anything: it only resolves the server's name when it opens a new connection. Let's post commands here before running them.")
        .ev(25, SLACK, E::Message, "dara.kim", "The `pg-payments-primary` DNS record still points at pg-payments-1. The failover hook updates Consul; nothing updates this record.")
        .ev(29, MANUAL, E::Action, "dara.kim", "Pointed pg-payments-primary at pg-payments-2 by hand and restarted the pgbouncer pods.")
        .ev(31, ALERTMANAGER, E::StatusUpdate, "alertmanager", "CheckoutWriteErrors resolved.")
        .key(K::Mitigation)
        .ev(33, SLACK, E::Message, "ben.okafor", "Orders flowing again. 212 orders failed in the window; the saved-cart retry job will pick most of them up.")
        .ev(75, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: resolved.")
        .ev(80, MANUAL, E::Milestone, "ana.silva", "Retried orders reconciled with the card processor: no charge without an order. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ana.silva".into(),
        incident: Head {
            title: "Checkout read-only after a payments database failover",
            description: "The primary of the payments PostgreSQL cluster lost its storage volume and the cluster failed over to a replica in under a minute. Checkout, however, kept sending writes to the old primary, which was fenced and read-only, so orders failed for 31 minutes until the database hostname was repointed by hand.",
            severity: 2,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["payments-db", "checkout-api"],
            teams: &["data", "payments"],
            responders: &[
                ("ana.silva", R::IncidentCommander),
                ("dara.kim", R::SubjectMatterExpert),
                ("ben.okafor", R::Responder),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Resolve the payments primary through Consul in pgbouncer",
                "Drop the hand-kept `pg-payments-primary` DNS record; pgbouncer should follow the same source of truth the failover updates.",
                ActionItemKind::FixRootCause,
                Owner::User("dara.kim"),
                Priority::P1,
                clock.date(-90),
                ActionItemStatus::Done,
            ),
            item(
                "Add a 'check the clients' step to the database failover runbook",
                "The runbook ends once a replica is promoted. Add: confirm writes succeed from checkout and billing, and how to recycle their pools.",
                ActionItemKind::ImproveResponse,
                Owner::Team("data"),
                Priority::P2,
                clock.date(-100),
                ActionItemStatus::Done,
            ),
            item(
                "Quarterly failover drill in staging with checkout attached",
                "Fail the staging payments cluster over while the checkout load test runs, and time how long writes fail.",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("ana.silva"),
                Priority::P3,
                clock.date(-20),
                ActionItemStatus::InProgress,
            ),
            item(
                "Move the payments database to a managed PostgreSQL service",
                "Decided against for now: the migration risk and cost outweigh one failover incident. To be revisited at the next capacity review.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("data"),
                Priority::P4,
                None,
                ActionItemStatus::WontDo,
            ),
            item(
                "Have the incident bot post admin commands to the incident channel as they run",
                "Commands run through the database and pgbouncer admin consoles show up in the channel with who ran them, so responders see an action before repeating it.",
                ActionItemKind::ImproveResponse,
                Owner::Team("platform"),
                Priority::P3,
                clock.date(-75),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Archived,
            owner: "ana.silva".into(),
            factors: keys(&["infrastructure", "configuration", "detection"]),
            due_date: clock.date(-104),
            sections: Sections {
                summary: "A storage fault took out the payments database primary at 03:12 UTC. The automatic failover worked as designed and promoted a replica within a minute, but checkout reaches the database through a DNS record that the failover does not update. Checkout kept writing to the fenced old primary and orders failed for 31 minutes, until the record was changed by hand.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(212),
                    access_lost_minutes: Some(31),
                    productivity_lost_hours: Some(9.5),
                    revenue_impact: "≈ $18,400 in orders delayed; ≈ $2,100 never completed".into(),
                    notes: "212 orders failed outright. 160 were completed by the saved-cart retry job; the other 52 customers received an apology and a discount code. No card was charged without an order.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "Clients find the payments primary through the `pg-payments-primary` DNS record, which is maintained by hand, while the failover hook only updates Consul.".into(),
                    analysis: "The DNS record predates the move to Consul and was kept \"temporarily\" for pgbouncer, which could not read Consul at the time. Failover tests in staging passed because staging clients already used Consul. Nothing in production exercised the DNS path until a real failover.".into(),
                    certainty: Certainty::Confirmed,
                    component: "pgbouncer / payments database endpoint".into(),
                    legacy_code: Some(true),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "A provider-side fault on the storage volume of pg-payments-1.".into(),
                detection: "Alertmanager fired PaymentsDBPrimaryDown within a minute and paged the data on-call; the checkout error alert followed a minute later. Detection was quick. Understanding that the failover had succeeded *and* checkout was still broken took longer.".into(),
                response_analysis: "The page was acknowledged in 4 minutes. The first ten minutes went to confirming the database side was healthy, which it was. Escalating to platform brought in someone who knew how pgbouncer resolves hostnames, and the cause was found 13 minutes later. The failover runbook stops at \"confirm a replica was promoted\" and says nothing about clients, so there was no obvious next step. Actions were reported in the channel after they ran rather than announced before, so pgbouncer was reloaded twice, two minutes apart, from two terminals: harmless here, but not for an action that is unsafe to repeat, such as a second failover or restore.".into(),
                resolution: "Repointed the DNS record at the new primary and restarted the pgbouncer pods so they opened fresh connections.".into(),
                damage_control: vec![
                    damage_control("Replayed 160 failed orders from saved carts; emailed the other 52 customers an apology and a discount code.", "payments", DamageControlStatus::Done),
                    damage_control("Reconciled payments with the card processor to rule out charges without an order.", "payments", DamageControlStatus::Done),
                ],
                lessons: lessons(
                    "- Patroni's failover worked in 40 seconds, exactly as rehearsed.\n- Both alerts fired within two minutes.\n- The saved-cart retry job recovered most orders without anyone touching them.",
                    "- The runbook ends where the database is fine, not where customers are.\n- Staging did not match production in how clients find the database.\n- The channel showed actions only after they ran, so one was done twice.",
                    "- It happened at 03:00, when checkout traffic is at its lowest.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Let clients find the database through service discovery, never a hand-kept record.", &[0]),
                recommend("Make the failover runbook finish with the clients, not the database.", &[1]),
                recommend("Rehearse failovers with real client traffic attached.", &[2, 3]),
                recommend("Show every action in the incident channel as it is taken.", &[4]),
            ],
        }),
    }
}

fn bad_deploy(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(104, 14, 20))
        .ev(0, GITHUB, E::Deploy, "deploy-bot", "catalog-api 4.12.0 deployed to production (PR #2214 \"Move price formatting into the serializer\").")
        .key(K::ImpactStart)
        .ev(3, ALERTMANAGER, E::Alert, "alertmanager", "CatalogHTTP5xxRatio above 5% for 2 minutes (currently 17%).")
        .key(K::Detection)
        .ev(3, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (lena.fischer): CatalogHTTP5xxRatio.")
        .ev(5, PAGERDUTY, E::Acknowledgement, "lena.fischer", "lena.fischer acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(7, SLACK, E::Message, "lena.fischer", "Errors began with the 4.12.0 deploy. Stack traces all end in PriceSerializer, only for products with tiered prices.")
        .ev(9, SLACK, E::Message, "ana.silva", "Nothing in 4.12.0 needs a migration, so rolling back is safe.")
        .ev(10, GITHUB, E::Rollback, "deploy-bot", "Rollback to catalog-api 4.11.3 started.")
        .ev(14, GITHUB, E::Deploy, "deploy-bot", "Rollback complete on all 12 pods.")
        .ev(15, ALERTMANAGER, E::StatusUpdate, "alertmanager", "CatalogHTTP5xxRatio resolved.")
        .key(K::Mitigation)
        .ev(22, SLACK, E::Message, "lena.fischer", "Error rate at baseline. Writing a failing test with a tiered price before trying again.")
        .ev(60, GITHUB, E::Deploy, "deploy-bot", "catalog-api 4.12.1 deployed: handles tiered prices, with a test for them.")
        .ev(70, MANUAL, E::Milestone, "lena.fischer", "4.12.1 healthy for 10 minutes. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "lena.fischer".into(),
        incident: Head {
            title: "Product pages failed after catalog-api 4.12.0",
            description: "Release 4.12.0 of catalog-api moved price formatting into the response serializer. Products with tiered prices made the serializer throw, so about one product page in six answered HTTP 500 for 15 minutes, until the release was rolled back.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["catalog-api"],
            teams: &["platform"],
            responders: &[
                ("lena.fischer", R::IncidentCommander),
                ("ana.silva", R::Responder),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Add tiered, bundled and free products to catalog-api's test fixtures",
                "The fixtures only held products with a single price, so the new serializer was never run against a list of tiers.",
                ActionItemKind::FixRootCause,
                Owner::User("lena.fischer"),
                Priority::P2,
                clock.date(-95),
                ActionItemStatus::Done,
            ),
            item(
                "Canary catalog-api releases on 5% of traffic for 10 minutes",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("platform"),
                Priority::P2,
                clock.date(-14),
                ActionItemStatus::InProgress,
            ),
            item(
                "Roll back automatically when the 5xx ratio doubles within 10 minutes of a deploy",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("ana.silva"),
                Priority::P3,
                clock.date(30),
                ActionItemStatus::Open,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Archived,
            owner: "lena.fischer".into(),
            factors: keys(&["change", "testing"]),
            due_date: clock.date(-94),
            sections: Sections {
                summary: "catalog-api 4.12.0 could not serialise tiered prices. Pages for those products (about one in six) answered 500 for 15 minutes. The alert fired in 3 minutes and a rollback fixed it; 4.12.1 shipped the same afternoon with a test.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(3400),
                    access_lost_minutes: Some(0),
                    productivity_lost_hours: Some(3.0),
                    revenue_impact: "≈ $4,000, estimated from conversion on the affected pages".into(),
                    notes: "Search, cart and checkout kept working; only product detail pages for tiered products failed.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "The new serializer assumed a price has one amount; tiered prices carry a list of tiers.".into(),
                    analysis: "Price formatting used to live in the template, which had a branch for tiers. Moving it into the serializer was meant as a pure refactor, and the tests passed, because none of the fixtures had a tiered price.".into(),
                    certainty: Certainty::Confirmed,
                    component: "catalog-api PriceSerializer".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "Deploy of catalog-api 4.12.0 at 14:20 UTC.".into(),
                detection: "The 5xx ratio alert fired 3 minutes after the deploy.".into(),
                response_analysis: "Responders tied the errors to the deploy within 4 minutes of the page, and rolled back without debating a fix forward. The rollback itself took 4 minutes because it runs the full rolling update.".into(),
                resolution: "Rolled back to 4.11.3, then shipped 4.12.1 with tier support and a test.".into(),
                damage_control: no_damage_control("the failed page views left no orders, charges or data behind to repair."),
                lessons: lessons(
                    "- Alert to rollback in 7 minutes.\n- Choosing rollback over fix-forward immediately.",
                    "- A refactor shipped to all pods at once.\n- Test data did not look like production data.",
                    "- Tiered products are a minority of the catalogue.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Test with the shapes production data actually has.", &[0]),
                recommend("Expose new releases to a small share of traffic first, and undo them without waiting for a person.", &[1, 2]),
            ],
        }),
    }
}

fn certificate_expiry(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(92, 9, 41))
        .ev(0, MANUAL, E::Milestone, "emil.novak", "The TLS certificate of api.shop.example expires (notAfter 09:41:07 UTC).")
        .key(K::ImpactStart)
        .ev(22, SLACK, E::Message, "chen.wei", "The mobile app on my phone cannot reach the API, and `curl https://api.shop.example` says the certificate has expired.")
        .key(K::Detection)
        .ev(27, SLACK, E::Escalation, "chen.wei", "Triggered the edge on-call from Slack with /pd trigger.")
        .ev(27, PAGERDUTY, E::Page, "PagerDuty", "Paged edge on-call (emil.novak): api.shop.example certificate expired.")
        .ev(31, PAGERDUTY, E::Acknowledgement, "emil.novak", "emil.novak acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(36, SLACK, E::Message, "emil.novak", "This hostname is not in cert-manager's inventory. It is still served by the old proxy pair, proxy-legacy-1 and -2, with a certificate installed by hand a year ago.")
        .ev(40, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: mobile apps and the partner API unavailable; the website and web checkout are fine.")
        .ev(48, SLACK, E::Message, "fatima.haddad", "41 support tickets so far; replying with a macro that links the status page.")
        .ev(62, MANUAL, E::Action, "emil.novak", "Requested a new certificate from the CA with the ACME client on the bastion; DNS-01 challenge passed.")
        .ev(88, MANUAL, E::Action, "emil.novak", "New certificate live on proxy-legacy-1. proxy-legacy-2 refused to reload: a syntax error in an unrelated edit from months ago.")
        .ev(107, MANUAL, E::Action, "emil.novak", "Fixed the configuration on proxy-legacy-2 and reloaded; both proxies serve the new certificate.")
        .key(K::Mitigation)
        .ev(115, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: recovered. The apps reconnect on their own.")
        .ev(180, MANUAL, E::Milestone, "emil.novak", "Partner webhook backlog drained. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "emil.novak".into(),
        incident: Head {
            title: "Mobile apps and partner API down on an expired TLS certificate",
            description: "The certificate for api.shop.example expired at 09:41 UTC. Browsers were unaffected because the website uses another hostname, but the mobile apps and partner integrations refused the connection for 1 hour 47 minutes.",
            severity: 2,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::InternalReport,
            services: &["edge-proxy", "checkout-api"],
            teams: &["edge"],
            responders: &[
                ("emil.novak", R::IncidentCommander),
                ("chen.wei", R::Responder),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Move api.shop.example to cert-manager and retire the legacy proxy pair",
                "The last hostname on proxy-legacy-1/2. Once moved, the pair can be switched off.",
                ActionItemKind::FixRootCause,
                Owner::User("emil.novak"),
                Priority::P1,
                clock.date(-60),
                ActionItemStatus::InProgress,
            ),
            item(
                "Alert 21 days before any certificate we serve expires, from an outside probe",
                "Probe every public hostname from outside our network, so the check sees what clients see regardless of how the certificate was installed.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("edge"),
                Priority::P1,
                clock.date(-80),
                ActionItemStatus::Done,
            ),
            item(
                "Send certificate authority emails to the edge team's alias",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("edge"),
                Priority::P3,
                clock.date(-85),
                ActionItemStatus::Done,
            ),
            item(
                "Send affected partners a summary and the new certificate chain",
                "",
                ActionItemKind::DamageControl,
                Owner::User("fatima.haddad"),
                Priority::P2,
                clock.date(-90),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: Some(PublicSummaryDraft {
                title: "Mobile apps and partner API unavailable for 1 hour 47 minutes".into(),
                body: "Our mobile apps and the partner API could not connect to our servers for 1 hour and 47 minutes, because a security certificate they rely on had expired. No data was lost. Checkout on the website kept working, and partners' webhook deliveries were sent once the service recovered.\n\nThe certificate now renews automatically, and we are alerted well before any certificate expires. We are sorry for the disruption.".into(),
                impact_began_at: None,
                impact_ended_at: None,
            }),
            status: PostmortemStatus::Published,
            owner: "emil.novak".into(),
            factors: keys(&["legacy", "automation", "detection"]),
            due_date: clock.date(-80),
            sections: Sections {
                summary: "The certificate for api.shop.example, which the mobile apps and partners use, expired. It had been installed by hand on two legacy proxies that never moved to cert-manager, and its renewal reminders went to a mailbox nobody reads any more. The apps and partner API were down for 1 hour 47 minutes.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(9800),
                    access_lost_minutes: Some(107),
                    productivity_lost_hours: Some(14.0),
                    revenue_impact: "≈ $7,500 in mobile orders; partner traffic was retried".into(),
                    notes: "9,800 mobile sessions failed to connect. Partners' webhook deliveries queued and went out after recovery. Support answered 63 tickets.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "A certificate issued by hand, for a hostname still served by legacy proxies outside cert-manager, was not renewed.".into(),
                    analysis: "When certificates moved to cert-manager, the inventory was built from the Kubernetes ingresses. api.shop.example never had an ingress: it is served by two VMs kept for old partner IP allow-lists. The CA's expiry emails went to a shared mailbox that was retired in a reorganisation.".into(),
                    certainty: Certainty::Confirmed,
                    component: "legacy edge proxies (proxy-legacy-1/2)".into(),
                    legacy_code: Some(true),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "The certificate reached its expiry date.".into(),
                detection: "Nothing monitored certificate expiry on this hostname. An engineer noticed while trying the app, 22 minutes in; support tickets began a few minutes later.".into(),
                response_analysis: "Once the right person was paged, the cause was clear in five minutes. Most of the time went to issuing a certificate by hand and to a reload that failed on an old, unrelated configuration error on the second proxy: the legacy pair had not been reloaded in months.".into(),
                resolution: "Issued a new certificate through ACME by hand, installed it on both proxies, fixed the stale configuration error on proxy-legacy-2.".into(),
                damage_control: vec![
                    damage_control("Support macro with the status page link, and a follow-up email to customers who wrote in.", "support", DamageControlStatus::Done),
                    damage_control("Partner summary with the new certificate chain.", "edge", DamageControlStatus::Done),
                ],
                lessons: lessons(
                    "- Support and engineering talked in one channel from the first tickets.\n- The ACME client on the bastion still worked.",
                    "- An inventory built from one source missed everything outside it.\n- Expiry reminders went to a mailbox nobody reads.\n- A proxy that is never reloaded hides configuration errors until the worst moment.",
                    "- The website uses a different hostname, so web checkout kept working.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Check certificates from the outside, by hostname, whatever serves them.", &[1]),
                recommend("Finish the move to cert-manager and retire hand-managed proxies.", &[0]),
                recommend("Keep vendor notifications on team aliases, not personal or orphaned mailboxes.", &[2]),
            ],
        }),
    }
}

fn dns_change(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(80, 10, 5))
        .ev(0, GITHUB, E::Deploy, "terraform-ci", "dns-zones PR #318 \"Add analytics vendor verification record\" applied to shop.example.")
        .key(K::ImpactStart)
        .ev(180, MANUAL, E::Message, "fatima.haddad", "A customer forwarded a bounce for their order confirmation: \"550 5.7.26 Unauthenticated email from shop.example is not accepted due to domain's DMARC policy\".")
        .key(K::Detection)
        .ev(188, SLACK, E::Escalation, "fatima.haddad", "Raised in #incidents and paged the edge on-call.")
        .ev(188, PAGERDUTY, E::Page, "PagerDuty", "Paged edge on-call (emil.novak): transactional email bouncing.")
        .ev(196, PAGERDUTY, E::Acknowledgement, "emil.novak", "emil.novak acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(210, SLACK, E::Message, "emil.novak", "The SPF record is gone. PR #318 set the apex TXT values to the vendor token instead of adding it next to SPF.")
        .ev(214, SLACK, E::Message, "ana.silva", "Transactional bounce ratio has been 20-25% since 10:05. The alert watches send volume, which stayed normal, so it never fired.")
        .ev(226, GITHUB, E::Deploy, "terraform-ci", "dns-zones PR #319 \"Restore SPF next to the verification token\" applied.")
        .ev(232, SLACK, E::StatusUpdate, "fatima.haddad", "Support macro updated: ask customers to check spam; confirmations will be resent.")
        .ev(300, MANUAL, E::Milestone, "emil.novak", "The record's one-hour TTL has passed; provider logs show SPF passing on new mail.")
        .key(K::Mitigation)
        .ev(360, MANUAL, E::Action, "ana.silva", "Re-sent 4,112 order confirmations and 318 password reset emails that had bounced.")
        .ev(380, MANUAL, E::Milestone, "emil.novak", "Resend complete; bounce ratio under 1%. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "emil.novak".into(),
        incident: Head {
            title: "Order confirmation emails bounced after a DNS zone change",
            description: "A change to the shop.example zone, adding a verification record for a new vendor, replaced the SPF record instead of adding a record beside it. For five hours, order confirmations and password reset emails failed SPF: most landed in spam and some providers rejected them.",
            severity: 4,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::CustomerReport,
            services: &["notifications", "edge-proxy"],
            teams: &["edge", "platform"],
            responders: &[
                ("emil.novak", R::IncidentCommander),
                ("ana.silva", R::SubjectMatterExpert),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Fail the DNS plan in CI when it removes SPF, DKIM or DMARC records",
                "",
                ActionItemKind::FixRootCause,
                Owner::User("emil.novak"),
                Priority::P2,
                clock.date(-66),
                ActionItemStatus::Done,
            ),
            item(
                "Alert on the transactional email bounce ratio, not only on volume",
                "",
                ActionItemKind::ImproveResponse,
                Owner::User("ana.silva"),
                Priority::P2,
                clock.date(-60),
                ActionItemStatus::Done,
            ),
            item(
                "Split the apex TXT values into one Terraform resource each",
                "So adding a value can never rewrite the others.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("edge"),
                Priority::P4,
                clock.date(45),
                ActionItemStatus::Open,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::InReview,
            owner: "emil.novak".into(),
            factors: keys(&["change", "configuration", "testing"]),
            due_date: clock.date(-70),
            sections: Sections {
                summary: "A DNS change meant to add one TXT record replaced the zone's SPF record. Transactional email failed authentication for five hours, until a customer forwarded a bounce to support.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(4430),
                    access_lost_minutes: Some(300),
                    productivity_lost_hours: Some(6.0),
                    revenue_impact: "None measured".into(),
                    notes: "4,112 order confirmations and 318 password reset emails bounced or went to spam. Customers who could not reset a password could not sign in, so access lost counts the five hours until mail authenticated again; we cannot tell how many gave up.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "The apex TXT records are a single Terraform resource holding a list, and the change set the list rather than adding to it.".into(),
                    analysis: "The plan did show the SPF value being removed, as one line in a 40-line diff mostly made of unrelated formatting. Reviewers had no reason to look for a removal in a change described as an addition.".into(),
                    certainty: Certainty::Confirmed,
                    component: "dns-zones Terraform module".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "Applying dns-zones PR #318.".into(),
                detection: "Three hours after the change, by a customer. The bounce alert watches volume, which did not change.".into(),
                response_analysis: "Once paged, the edge on-call found the cause in 14 minutes. The fix was applied quickly, but the one-hour TTL meant another hour before mail authenticated everywhere.".into(),
                resolution: "Restored the SPF value beside the verification token, waited out the TTL, re-sent the bounced emails.".into(),
                damage_control: vec![damage_control(
                    "Re-sent every bounced order confirmation and password reset email.",
                    "platform",
                    DamageControlStatus::Done,
                )],
                lessons: lessons(
                    "- The fix was a one-line revert through the normal pipeline.\n- Sent mail was logged, so we knew exactly what to resend.",
                    "- Our email alert could not see the failure.\n- The plan output buried the one line that mattered.",
                    "- A customer took the time to forward the bounce.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Guard the records mail depends on in CI.", &[0, 2]),
                recommend("Alert on delivery outcomes, not only on how much we send.", &[1]),
            ],
        }),
    }
}

fn queue_backlog(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(68, 8, 30))
        .ev(0, GITHUB, E::Deploy, "deploy-bot", "notifier 2.7.0 deployed (upgrades the AMQP client from 5.x to 6.x).")
        .key(K::ImpactStart)
        .ev(52, ALERTMANAGER, E::Alert, "alertmanager", "NotificationsQueueAgeHigh: the oldest message is 15 minutes old.")
        .key(K::Detection)
        .ev(52, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (ana.silva): NotificationsQueueAgeHigh.")
        .ev(61, PAGERDUTY, E::Acknowledgement, "ana.silva", "ana.silva acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(70, SLACK, E::Message, "ana.silva", "Queue depth 240k and rising. Consumers are up with no errors, just slow: about 40 messages/s per pod instead of 400.")
        .ev(84, MANUAL, E::Action, "ana.silva", "Scaled notifier from 6 to 24 pods.")
        .ev(97, SLACK, E::Message, "ana.silva", "24 pods only reach ~1,000 messages/s in total. The broker shows prefetch=1 on every consumer.")
        .ev(105, SLACK, E::Message, "lena.fischer", "The 6.x client changed the default prefetch from 50 to 1, and we never set it ourselves. Each message now waits a full round trip.")
        .ev(112, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: emails and SMS delayed by up to two hours; orders are not affected.")
        .ev(121, GITHUB, E::Deploy, "deploy-bot", "notifier 2.7.1 deployed with prefetch=50 set explicitly.")
        .ev(128, ALERTMANAGER, E::StatusUpdate, "alertmanager", "Consume rate 9,800 messages/s; backlog shrinking.")
        .key(K::Mitigation)
        .ev(196, ALERTMANAGER, E::StatusUpdate, "alertmanager", "NotificationsQueueAgeHigh resolved.")
        .ev(205, SLACK, E::Message, "ana.silva", "Backlog drained. Password reset links sent during the delay expired before they arrived; support resends on request.")
        .ev(215, MANUAL, E::Milestone, "ana.silva", "Scaled back to 6 pods. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ana.silva".into(),
        incident: Head {
            title: "Notification queue backlog delayed emails and SMS",
            description: "After a client library upgrade, consumers of the notifications queue slowed to a tenth of their usual rate. The backlog grew to 1.9 million messages, and order updates, delivery SMS and password reset emails arrived up to two and a half hours late.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["notifications"],
            teams: &["platform"],
            responders: &[
                ("ana.silva", R::IncidentCommander),
                ("lena.fischer", R::SubjectMatterExpert),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Set every AMQP client option we rely on explicitly, with a test that reads them back",
                "Prefetch, heartbeat, confirm mode and reconnect delay.",
                ActionItemKind::FixRootCause,
                Owner::User("lena.fischer"),
                Priority::P2,
                clock.date(-40),
                ActionItemStatus::InProgress,
            ),
            item(
                "Alert when the consume rate stays below the publish rate for 10 minutes",
                "Queue age alerts fire only once the delay is already visible to customers.",
                ActionItemKind::ImproveResponse,
                Owner::Team("platform"),
                Priority::P2,
                clock.date(-20),
                ActionItemStatus::Open,
            ),
            item(
                "Count a password reset link's lifetime from delivery, not creation",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("chen.wei"),
                Priority::P3,
                clock.date(20),
                ActionItemStatus::Open,
            ),
            item(
                "Resend expired password reset emails to the users who asked for them",
                "",
                ActionItemKind::DamageControl,
                Owner::User("fatima.haddad"),
                Priority::P1,
                clock.date(-67),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Published,
            owner: "lena.fischer".into(),
            factors: keys(&["capacity", "dependency"]),
            due_date: clock.date(-54),
            sections: Sections {
                summary: "A library upgrade silently changed a consumer default, and the notifier processed messages ten times slower. Notifications arrived up to two and a half hours late; nothing was lost.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(61000),
                    access_lost_minutes: Some(196),
                    productivity_lost_hours: Some(7.0),
                    revenue_impact: "None measured".into(),
                    notes: "1.9 million messages delayed. About 900 password reset links expired before delivery. Access lost counts the time until the backlog drained, during which a customer who needed a password reset could not sign in; everyone else could.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "The AMQP client's 6.x release lowered the default prefetch from 50 to 1, and the notifier relied on the default.".into(),
                    analysis: "Setting prefetch back to 50 restored the consume rate at once, which makes this the leading explanation. It does not explain everything: a staging load test with prefetch=1 reached 2,500 messages/s, more than production managed with four times the pods. Broker CPU was at 90% during the incident, so broker load is a probable second factor.".into(),
                    certainty: Certainty::Probable,
                    component: "notifier AMQP consumer".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: "Broker CPU at 90% from 09:10 to 10:40 UTC; the broker's own metrics show no queue other than notifications growing.".into(),
                },
                trigger: "Deploy of notifier 2.7.0.".into(),
                detection: "The queue age alert fired 52 minutes after the deploy, once the oldest message was 15 minutes old. By then the delay was visible to customers.".into(),
                response_analysis: "Scaling out was the right first move but hid the cause for a while: more pods helped a little, which looked like progress. Reading the consumer settings on the broker found the cause.".into(),
                resolution: "Deployed 2.7.1 with prefetch set explicitly; the backlog drained in about an hour.".into(),
                damage_control: vec![damage_control(
                    "Support resent password reset emails on request.",
                    "support",
                    DamageControlStatus::Done,
                )],
                lessons: lessons(
                    "- The broker's consumer view made the cause visible.\n- Status page updated within the hour.",
                    "- A dependency upgrade changed behaviour with no error or log line.\n- The alert measures the symptom customers see, not the imbalance that leads to it.",
                    "- Orders were not affected: order emails are retried, not dropped.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Never rely on a client library's defaults for behaviour that matters.", &[0]),
                recommend("Alert on the cause of a backlog, not only on its age.", &[1]),
                recommend("Make delivery delays harmless for time-limited links.", &[2]),
            ],
        }),
    }
}

fn cache_stampede(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(57, 19, 5))
        .ev(0, MANUAL, E::Action, "dara.kim", "Started the planned rolling restart of redis-catalog for a kernel update (CHG-1184); expected to be invisible to users.")
        .ev(1, MANUAL, E::Milestone, "dara.kim", "Cache hit ratio falls from 97% to 4%; catalog database connections reach their limit of 500.")
        .key(K::ImpactStart)
        .ev(3, ALERTMANAGER, E::Alert, "alertmanager", "CatalogLatencyP99High: p99 at 8.2 s.")
        .key(K::Detection)
        .ev(3, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (lena.fischer): CatalogLatencyP99High.")
        .ev(4, ALERTMANAGER, E::Alert, "alertmanager", "CatalogDBConnectionsSaturated firing.")
        .ev(6, PAGERDUTY, E::Acknowledgement, "lena.fischer", "lena.fischer acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(9, SLACK, E::Message, "lena.fischer", "Every request for the top products goes to Postgres, and the cache cannot refill because the fills themselves time out.")
        .ev(12, SLACK, E::Message, "dara.kim", "The restart finished at 19:07. Persistence is off on this cluster, so every node came back empty.")
        .ev(15, SLACK, E::StatusUpdate, "ben.okafor", "Status page: product pages slow or failing.")
        .ev(18, MANUAL, E::Action, "lena.fischer", "Turned on catalog-api's serve-stale flag. No effect: an empty cache holds nothing stale.")
        .ev(21, MANUAL, E::Action, "lena.fischer", "Limited catalog traffic at the edge to 30% to let the cache fill.")
        .ev(27, MANUAL, E::Action, "dara.kim", "Warmed the cache with the top 5,000 products from the nightly export; database connections back under the limit.")
        .key(K::Mitigation)
        .ev(35, MANUAL, E::Action, "lena.fischer", "Lifted the edge limit in steps of 20%.")
        .ev(50, SLACK, E::StatusUpdate, "ben.okafor", "Status page: resolved.")
        .ev(52, MANUAL, E::Milestone, "lena.fischer", "Latency normal at full traffic. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "lena.fischer".into(),
        incident: Head {
            title: CACHE_STAMPEDE,
            description: "A planned restart of the catalog Redis cluster emptied the cache during the evening peak. Thousands of concurrent misses for the same popular products all went to the catalog database, which saturated; catalog-api timed out for 26 minutes.",
            severity: 2,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["catalog-api", "checkout-api"],
            teams: &["platform", "data"],
            responders: &[
                ("lena.fischer", R::IncidentCommander),
                ("dara.kim", R::SubjectMatterExpert),
                ("ben.okafor", R::Scribe),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Coalesce concurrent cache fills for the same key in catalog-api",
                "One database query per missing key, however many requests are waiting for it.",
                ActionItemKind::FixRootCause,
                Owner::User("lena.fischer"),
                Priority::P1,
                clock.date(-45),
                ActionItemStatus::Done,
            )
            .closed(clock.day(47, 16, 30)),
            item(
                "Warm the catalog cache before a Redis node takes traffic",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("dara.kim"),
                Priority::P2,
                clock.date(-10),
                ActionItemStatus::Done,
            )
            .closed(clock.day(38, 11, 0)),
            item(
                "Schedule cache maintenance outside the 17:00-22:00 UTC peak",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("data"),
                Priority::P3,
                clock.date(-50),
                ActionItemStatus::Done,
            )
            .closed(clock.day(52, 9, 15)),
            item(
                "Turn on AOF persistence for redis-catalog",
                "Decided against: it doubles write load on these nodes, and warming the cache covers the same risk.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("data"),
                Priority::P3,
                None,
                ActionItemStatus::WontDo,
            )
            .closed(clock.day(50, 14, 0)),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Published,
            owner: "lena.fischer".into(),
            factors: keys(&["capacity", "change"]),
            due_date: clock.date(-43),
            sections: Sections {
                summary: "A routine Redis restart at peak time left the catalog cache empty. catalog-api has no protection against many requests missing the same key at once, so the database was flooded with identical queries and the catalog was unavailable for 26 minutes.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(21000),
                    access_lost_minutes: Some(26),
                    productivity_lost_hours: Some(8.0),
                    revenue_impact: "≈ $31,000 in orders lost or delayed".into(),
                    notes: "Product pages and search failed or took over 8 seconds; checkout failed for carts that needed a price refresh.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "catalog-api fills its cache on a miss with no request coalescing, so N concurrent misses for one key make N database queries.".into(),
                    analysis: "With a warm cache this never matters. With a cold cache at peak, about 6,000 identical queries per second reached a database sized for 600. The fills timed out, so nothing entered the cache and the flood continued: the system could not recover on its own.".into(),
                    certainty: Certainty::Confirmed,
                    component: "catalog-api cache layer".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "A planned restart of redis-catalog, without persistence, during the evening peak.".into(),
                detection: "Latency alert within 2 minutes of the first symptom.".into(),
                response_analysis: "The team understood the mechanism within 10 minutes. The first mitigation tried (serve stale) could not work on an empty cache; limiting traffic at the edge and warming the cache from the nightly export did.".into(),
                resolution: "Limited traffic, warmed the cache from the export, then restored traffic in steps.".into(),
                damage_control: no_damage_control("failed requests stopped before an order was created or a card charged, and carts were kept, so there was nothing to repair or refund."),
                lessons: lessons(
                    "- Fast, clear alerts.\n- The nightly export made a good warm-up list on short notice.",
                    "- A change classed as routine ran at peak time.\n- No one had tested what a cold cache does under load.",
                    "- The edge already had a per-service traffic limit we could turn down.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Make the cache safe to lose: one fill per key.", &[0]),
                recommend("Never put an empty cache in front of peak traffic.", &[1, 2, 3]),
            ],
        }),
    }
}

fn processor_outage(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(45, 13, 40))
        .ev(0, MANUAL, E::Milestone, "ben.okafor", "The card processor's EU authorisation endpoint starts timing out (time from their incident report).")
        .key(K::ImpactStart)
        .ev(4, ALERTMANAGER, E::Alert, "alertmanager", "CheckoutPaymentAuthFailureRate above 10% (currently 38%).")
        .key(K::Detection)
        .ev(4, PAGERDUTY, E::Page, "PagerDuty", "Paged payments on-call (ben.okafor): CheckoutPaymentAuthFailureRate.")
        .ev(7, PAGERDUTY, E::Acknowledgement, "ben.okafor", "ben.okafor acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(10, SLACK, E::Message, "ben.okafor", "Every failure is a timeout from the processor's EU endpoint. Their status page says all systems operational.")
        .ev(14, MANUAL, E::Action, "ben.okafor", "Opened a priority ticket with the processor.")
        .ev(18, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: some card payments failing; PayPal and bank transfer work.")
        .ev(22, MANUAL, E::Action, "ben.okafor", "Moved PayPal to the top of the payment methods for EU shoppers (feature flag).")
        .key(K::Mitigation)
        .ev(31, SLACK, E::Message, "ben.okafor", "The processor confirms an incident in their EU region; no estimate yet.")
        .ev(52, ALERTMANAGER, E::StatusUpdate, "alertmanager", "CheckoutPaymentAuthFailureRate resolved.")
        .ev(58, MANUAL, E::Action, "ben.okafor", "Restored the usual order of payment methods.")
        .ev(65, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: resolved.")
        .ev(66, MANUAL, E::Milestone, "ben.okafor", "Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ben.okafor".into(),
        incident: Head {
            title: "Card payments failing during our processor's EU outage",
            description: "Our card processor had a partial outage in its EU region. About 40% of card authorisations timed out for 52 minutes; customers could still pay with PayPal or bank transfer.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["checkout-api"],
            teams: &["payments"],
            responders: &[
                ("ben.okafor", R::IncidentCommander),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Integrate a second card processor with automatic failover",
                "Decided against for now: about three months of work, while outages at this processor cost us roughly an hour a year. Revisit if that changes.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("payments"),
                Priority::P2,
                None,
                ActionItemStatus::WontDo,
            ),
            item(
                "Runbook entry for promoting other payment methods during a card outage",
                "",
                ActionItemKind::ImproveResponse,
                Owner::User("ben.okafor"),
                Priority::P2,
                clock.date(-35),
                ActionItemStatus::Done,
            ),
            item(
                "Probe the processor's authorisation endpoint ourselves instead of trusting its status page",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("payments"),
                Priority::P3,
                clock.date(10),
                ActionItemStatus::Open,
            ),
            item(
                "Claim the SLA credit from the processor",
                "",
                ActionItemKind::DamageControl,
                Owner::User("ben.okafor"),
                Priority::P4,
                clock.date(-30),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Published,
            owner: "ben.okafor".into(),
            factors: keys(&["dependency", "communication"]),
            due_date: clock.date(-31),
            sections: Sections {
                summary: "Our card processor's EU region failed for 52 minutes and about 40% of card payments failed with it. We promoted PayPal within 22 minutes, which recovered most orders.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(2700),
                    access_lost_minutes: Some(0),
                    productivity_lost_hours: Some(2.5),
                    revenue_impact: "≈ $9,000 in abandoned checkouts".into(),
                    notes: "Failed authorisations were not charged. PayPal and bank transfer worked throughout, so no customer was left without a way to pay.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "An outage at our card processor: according to their report, a failed database migration in their EU region.".into(),
                    analysis: "Nothing in our systems failed. For us the question is how much an outage at one provider should cost, and we accept the current answer; see the declined action item.".into(),
                    certainty: Certainty::Confirmed,
                    component: "external: card processor, EU region".into(),
                    legacy_code: Some(false),
                    must_fix: Some(false),
                    clues: String::new(),
                },
                trigger: "Failure at the processor.".into(),
                detection: "Our failure-rate alert fired in 4 minutes. The processor's status page stayed green for another 30.".into(),
                response_analysis: "The on-call recognised a provider problem quickly and did not spend time looking for a fault of ours. Promoting PayPal was improvised; it worked, but only one person knew the flag existed.".into(),
                resolution: "The processor recovered; we restored the usual payment methods.".into(),
                damage_control: vec![damage_control(
                    "Claimed the SLA credit.",
                    "payments",
                    DamageControlStatus::Done,
                )],
                lessons: lessons(
                    "- Detection in 4 minutes, far ahead of the provider's status page.\n- A feature flag let us steer customers to a working payment method.",
                    "- The flag was known only to one person.",
                    "- PayPal was unaffected.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Write down how to steer customers to working payment methods.", &[1]),
                recommend("Measure a provider's health ourselves.", &[2]),
                recommend("Accept single-processor risk for now; review yearly.", &[0, 3]),
            ],
        }),
    }
}

fn migration_data_loss(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(41, 2, 0))
        .ev(0, GITHUB, E::Deploy, "deploy-bot", "billing migration 0087_split_invoice_lines applied in production.")
        .key(K::ImpactStart)
        .ev(4, GITHUB, E::Message, "deploy-bot", "Migration 0087 finished in 4 min 12 s: 8.1 million rows moved to invoice_lines_archive.")
        .ev(3 * DAY + 420, SLACK, E::Message, "finance-ops", "Monthly reconciliation is €212,000 short of payments received: 1,406 invoices have no line items.")
        .key(K::Detection)
        .ev(3 * DAY + 445, SLACK, E::Escalation, "ben.okafor", "Raised in #data and paged the data on-call.")
        .ev(3 * DAY + 446, PAGERDUTY, E::Page, "PagerDuty", "Paged data on-call (dara.kim): invoice line items missing.")
        .ev(3 * DAY + 450, PAGERDUTY, E::Acknowledgement, "dara.kim", "dara.kim acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(3 * DAY + 480, SLACK, E::Message, "dara.kim", "Every affected invoice is for an open period, `period_end IS NULL`. Migration 0087 archived rows matching `NOT (period_end >= cutoff)`, which is true for NULL, and the archive copy skipped NULL periods.")
        .ev(3 * DAY + 495, MANUAL, E::Action, "ben.okafor", "Paused invoice emails and dunning for the affected accounts, so nobody is billed or chased from a wrong invoice.")
        .ev(3 * DAY + 510, SLACK, E::Escalation, "ben.okafor", "Declared SEV1 and made the incident private: it concerns customers' billing data.")
        .ev(3 * DAY + 550, MANUAL, E::Action, "dara.kim", "Restored invoice_lines from the pre-migration snapshot into a side database.")
        .ev(3 * DAY + 660, GITHUB, E::Deploy, "deploy-bot", "billing PR #1040 deployed: a test for NULL periods in migration 0087 and a guard against re-running it.")
        .ev(3 * DAY + 720, MANUAL, E::Action, "dara.kim", "Copied 61,930 missing line items back; rebuilt 37 created after the snapshot from payment records.")
        .key(K::Mitigation)
        .ev(3 * DAY + 960, MANUAL, E::Action, "ben.okafor", "Finance verified the totals of all 1,406 accounts against payments.")
        .ev(3 * DAY + 1020, MANUAL, E::Milestone, "ben.okafor", "Invoice emails resumed. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ben.okafor".into(),
        incident: Head {
            title: "Migration deleted invoice line items for 1,406 accounts",
            description: "A migration that split `invoice_lines` into current and archived tables treated an open billing period (`period_end` NULL) as old. The line items of open invoices for 1,406 accounts were removed and never reached the archive. The pre-migration snapshot restored almost all of them; 37 had to be rebuilt from payment records.",
            severity: 1,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::InternalReport,
            services: &["billing", "payments-db"],
            teams: &["data", "payments"],
            responders: &[
                ("ben.okafor", R::IncidentCommander),
                ("dara.kim", R::SubjectMatterExpert),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: true,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Migrations that move or delete rows must count before and after, and abort on a mismatch",
                "A shared helper for data migrations, used by every team.",
                ActionItemKind::FixRootCause,
                Owner::User("dara.kim"),
                Priority::P1,
                clock.date(-10),
                ActionItemStatus::InProgress,
            ),
            item(
                "Add open-period invoices to the billing test fixtures",
                "",
                ActionItemKind::FixRootCause,
                Owner::User("ben.okafor"),
                Priority::P1,
                clock.date(-30),
                ActionItemStatus::Done,
            ),
            item(
                "Reconcile invoice totals against payments daily and alert on a 0.5% gap",
                "Monthly reconciliation found this after three days; daily would have found it the next morning.",
                ActionItemKind::ImproveResponse,
                Owner::Team("payments"),
                Priority::P2,
                clock.date(14),
                ActionItemStatus::Open,
            ),
            item(
                "Write to affected customers explaining the delayed invoices",
                "",
                ActionItemKind::DamageControl,
                Owner::User("fatima.haddad"),
                Priority::P1,
                clock.date(-36),
                ActionItemStatus::Done,
            ),
            item(
                "Snapshot the affected tables before every destructive migration",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("data"),
                Priority::P2,
                clock.date(30),
                ActionItemStatus::Open,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::InReview,
            owner: "dara.kim".into(),
            factors: keys(&["data", "change", "testing"]),
            due_date: clock.date(-24),
            sections: Sections {
                summary: "A schema migration mishandled NULL and deleted the line items of every open invoice, 61,967 rows across 1,406 accounts. Finance found the gap three days later. All but 37 rows were restored from a snapshot and those 37 were rebuilt from payment records; invoicing for the affected accounts was three days late.".into(),
                impact: DamageScope {
                    data_lost: Some(true),
                    data_lost_detail: "61,967 invoice line items deleted: 61,930 restored from the pre-migration snapshot, 37 rebuilt from payment records. No payment records were lost.".into(),
                    users_affected: Some(1406),
                    access_lost_minutes: Some(0),
                    productivity_lost_hours: Some(46.0),
                    revenue_impact: "€212,000 of invoicing delayed by three days; none lost".into(),
                    notes: "Dunning was paused for the affected accounts, so no customer was chased over a wrong invoice. Customers kept access to their accounts throughout; only their invoices were late.".into(),
                },
                root_cause: RootCause {
                    description: "The migration's condition used SQL's three-valued logic without handling NULL, and its tests had no open billing periods.".into(),
                    analysis: "`NOT (period_end >= cutoff)` was written to mean \"ended before the cutoff\". For a NULL `period_end` the comparison is unknown and, in the form used for the delete, the row matched. The copy into the archive used the positive form, `period_end < cutoff`, which is unknown for NULL, so those rows were deleted without being copied. The migration's tests used closed periods only.".into(),
                    certainty: Certainty::Confirmed,
                    component: "billing migrations".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "Running migration 0087 in production.".into(),
                detection: "Monthly reconciliation by finance, three days after the migration. No check compared row counts or totals before and after.".into(),
                response_analysis: "Once found, the cause was clear within half an hour, and pausing invoice emails early kept customers from seeing wrong invoices. The snapshot existed because of the nightly backup schedule, not because the migration planned for it.".into(),
                resolution: "Restored the missing rows from the pre-migration snapshot, rebuilt the newer ones from payment records, and had finance verify every affected account.".into(),
                damage_control: vec![
                    damage_control("Paused invoice emails and dunning for affected accounts until verified.", "payments", DamageControlStatus::Done),
                    damage_control("Wrote to affected customers about the delayed invoices.", "support", DamageControlStatus::Done),
                ],
                lessons: lessons(
                    "- Pausing outbound invoices first limited the harm to customers.\n- Finance's reconciliation caught what our checks did not.",
                    "- Three days passed before anyone noticed.\n- The migration had no before-and-after check.",
                    "- The nightly snapshot was taken 40 minutes before the migration ran.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Every data migration proves it kept every row it meant to keep.", &[0, 1, 4]),
                recommend("Find billing discrepancies within a day, not a month.", &[2]),
            ],
        }),
    }
}

fn login_outage(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(27, 7, 50))
        .ev(0, GITHUB, E::Deploy, "deploy-bot", "auth-service 3.4.0 deployed (PR #677 \"Load secrets through the new config loader\").")
        .key(K::ImpactStart)
        .ev(34, MANUAL, E::Message, "fatima.haddad", "Support: 27 chats in 15 minutes from customers who get \"Your session expired\" when signing in.")
        .key(K::Detection)
        .ev(38, SLACK, E::Message, "fatima.haddad", "Customers cannot sign in, lots of chats. Did something just ship?")
        .ev(41, PAGERDUTY, E::Page, "PagerDuty", "Paged identity on-call (chen.wei) from Slack.")
        .ev(44, PAGERDUTY, E::Acknowledgement, "chen.wei", "chen.wei acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(49, SLACK, E::Message, "chen.wei", "Reproduced: sign-in fails most of the time with \"session expired\". Dashboards are green: no 5xx, normal latency.")
        .ev(52, SLACK, E::Escalation, "chen.wei", "Declared SEV1; emil.novak is incident commander.")
        .key(K::Escalation)
        .ev(58, SLACK, E::Message, "chen.wei", "The CSRF check fails whenever the form is posted to a different pod than the one that rendered it. 3.4.0 reads the key under a new name and, when it is missing, generates a random key per pod.")
        .ev(60, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: many customers unable to sign in; investigating.")
        .ev(63, GITHUB, E::Rollback, "deploy-bot", "Rollback to auth-service 3.3.2 started.")
        .ev(69, GITHUB, E::Deploy, "deploy-bot", "Rollback complete.")
        .key(K::Mitigation)
        .ev(75, SLACK, E::Message, "chen.wei", "Sign-in success rate back to 97%; support chats dropping off.")
        .ev(80, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: monitoring.")
        .ev(130, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: resolved.")
        .ev(131, MANUAL, E::Milestone, "emil.novak", "Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "chen.wei".into(),
        incident: Head {
            title: "Customers could not sign in after auth-service 3.4.0",
            description: "After auth-service 3.4.0, each pod generated its own CSRF signing key instead of reading the shared one. A sign-in form posted to a different pod than the one that rendered it failed with \"Your session expired\" — about five attempts in six. The page answered 200, so no alert fired; customers told us.",
            severity: 1,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::CustomerReport,
            services: &["auth-service"],
            teams: &["identity", "support"],
            responders: &[
                ("emil.novak", R::IncidentCommander),
                ("chen.wei", R::SubjectMatterExpert),
                ("ana.silva", R::Scribe),
                ("fatima.haddad", R::CommunicationsLead),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Refuse to start when a required secret is missing, outside development",
                "The generated fallback key is a convenience for local runs; in any other environment a missing secret is a deploy error.",
                ActionItemKind::FixRootCause,
                Owner::User("chen.wei"),
                Priority::P1,
                clock.date(-24),
                ActionItemStatus::Done,
            ),
            item(
                "Synthetic sign-in every minute from two regions, alerting on failure",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("identity"),
                Priority::P1,
                clock.date(-20),
                ActionItemStatus::Done,
            ),
            item(
                "Alert on the sign-in success rate, not only on errors",
                "",
                ActionItemKind::ImproveResponse,
                Owner::User("chen.wei"),
                Priority::P2,
                clock.date(-5),
                ActionItemStatus::InProgress,
            ),
            item(
                "Let support page the identity on-call directly for sign-in complaints",
                "",
                ActionItemKind::ImproveResponse,
                Owner::User("fatima.haddad"),
                Priority::P3,
                clock.date(-15),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Published,
            owner: "chen.wei".into(),
            factors: keys(&["change", "configuration"]),
            due_date: clock.date(-13),
            sections: Sections {
                summary: "A configuration refactor in auth-service renamed the CSRF key setting. With the key missing, each pod generated its own, and most sign-ins failed as \"session expired\". Our monitoring saw only successful responses; customers told support 34 minutes in, and a rollback fixed it 35 minutes later.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(38000),
                    access_lost_minutes: Some(69),
                    productivity_lost_hours: Some(20.0),
                    revenue_impact: "≈ $54,000 in orders delayed; most customers came back the same day".into(),
                    notes: "Customers already signed in were not affected.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "The new config loader reads the CSRF key as `AUTH_CSRF_KEY`; production still set `CSRF_SECRET`. When the key is absent, the service generated a random one at start-up.".into(),
                    analysis: "The fallback was written for local development and had been harmless while every environment set the old name. The rename was covered by tests that run a single instance, where a per-process key works perfectly.".into(),
                    certainty: Certainty::Confirmed,
                    component: "auth-service config loader".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "Deploy of auth-service 3.4.0.".into(),
                detection: "Customers, through support, 34 minutes after the deploy. The failure was a 200 response with an error message, which none of our alerts look at.".into(),
                response_analysis: "Support escalated as soon as the pattern was clear. Once paged, identity reproduced the problem in 5 minutes and found the cause in 14. Declaring SEV1 and handing command to someone else let the expert keep debugging.".into(),
                resolution: "Rolled back to 3.3.2.".into(),
                damage_control: vec![damage_control(
                    "Support answered every chat with the status page link and followed up after recovery.",
                    "support",
                    DamageControlStatus::Done,
                )],
                lessons: lessons(
                    "- Support spotted the pattern and escalated quickly.\n- Separate incident commander and expert roles.",
                    "- Our monitoring could not see a failed sign-in that answers 200.\n- A development convenience reached production.",
                    "- The rollback needed no migration.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("A missing secret stops the service; it is never invented.", &[0]),
                recommend("Watch whether customers can sign in, not whether the server answers.", &[1, 2]),
                recommend("Give support a direct line to the on-call.", &[3]),
            ],
        }),
    }
}

fn cron_revoked_keys(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(19, 1, 0))
        .ev(0, MANUAL, E::Action, "key-janitor (cron)", "Nightly key-janitor run starts: 212 API keys selected as idle.")
        .key(K::ImpactStart)
        .ev(2, MANUAL, E::Action, "key-janitor (cron)", "key-janitor finished: 212 keys revoked.")
        .ev(20, ALERTMANAGER, E::Alert, "alertmanager", "PartnerAPI401Rate elevated (warning: routed to the ticket queue, does not page).")
        .ev(400, MANUAL, E::Message, "partner support inbox", "Two partners report HTTP 401 \"key revoked\" on keys they use every week.")
        .key(K::Detection)
        .ev(405, PAGERDUTY, E::Page, "PagerDuty", "Paged identity on-call (chen.wei): partner keys revoked.")
        .ev(409, PAGERDUTY, E::Acknowledgement, "chen.wei", "chen.wei acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(412, SLACK, E::Message, "chen.wei", "Audit log: key-janitor revoked 212 keys at 01:00. The last run on the old scheduler revoked 3.")
        .ev(425, SLACK, E::Message, "ana.silva", "The CronJob runs with idleDays=9. Production values don't set it, and the chart's default, 9, was meant for staging.")
        .ev(431, GITHUB, E::Deploy, "ana.silva", "helm-charts PR #88 \"key-janitor: require idleDays, set 90 in production\" merged.")
        .ev(440, MANUAL, E::Action, "chen.wei", "Suspended the key-janitor CronJob.")
        .ev(470, MANUAL, E::Action, "chen.wei", "Restored the 212 keys from the audit log (revocation sets a flag; nothing was deleted).")
        .key(K::Mitigation)
        .ev(475, SLACK, E::StatusUpdate, "chen.wei", "Email to affected partners: keys restored, nothing for you to do.")
        .ev(520, MANUAL, E::Milestone, "chen.wei", "Traffic from all 140 partners back to normal. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "chen.wei".into(),
        incident: Head {
            title: "Nightly key-janitor job revoked active partner API keys",
            description: "The nightly job that revokes idle API keys moved from the old scheduler to a Kubernetes CronJob. Production did not set `idleDays`, so the chart's default of 9 applied, and at 01:00 UTC the job revoked 212 keys of 140 partners that had been idle for more than 9 days — far less than the intended 90.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::CustomerReport,
            services: &["auth-service"],
            teams: &["identity"],
            responders: &[
                ("chen.wei", R::IncidentCommander),
                ("ana.silva", R::SubjectMatterExpert),
            ],
            private: true,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Remove the idleDays default and fail the chart render when it is unset",
                "",
                ActionItemKind::FixRootCause,
                Owner::User("ana.silva"),
                Priority::P1,
                clock.date(-17),
                ActionItemStatus::Done,
            ),
            item(
                "Cap revocations at 20 per run and page identity when the cap is hit",
                "A sudden jump in how many keys look idle is more likely a bug than a fact.",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("chen.wei"),
                Priority::P1,
                clock.date(-3),
                ActionItemStatus::InProgress,
            ),
            item(
                "Page during business hours on the partner 401 \"key revoked\" alert",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("identity"),
                Priority::P3,
                clock.date(25),
                ActionItemStatus::Open,
            ),
            item(
                "Send affected partners an apology and the timeline",
                "",
                ActionItemKind::DamageControl,
                Owner::Team("identity"),
                Priority::P2,
                clock.date(-16),
                ActionItemStatus::Done,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::InReview,
            owner: "chen.wei".into(),
            factors: keys(&["automation", "configuration"]),
            due_date: clock.date(-5),
            sections: Sections {
                summary: "When the key-janitor job moved to Kubernetes, a staging default for how long a key must be idle before it is revoked applied in production. The job revoked 212 partner API keys that were in use; partners were cut off for up to 7 hours 50 minutes overnight, until two of them wrote in.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(140),
                    access_lost_minutes: Some(470),
                    productivity_lost_hours: Some(12.0),
                    revenue_impact: "Partner orders were retried after recovery; no loss measured".into(),
                    notes: "Most affected partners send little traffic overnight, which is also why so few noticed.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "A setting production depends on had a default, and the default was a test value.".into(),
                    analysis: "The chart was written against staging, where a short idle period makes the job testable. The production values file was copied from the old scheduler's configuration, which named the setting differently, so the production value silently fell back to the default.".into(),
                    certainty: Certainty::Confirmed,
                    component: "key-janitor Helm chart".into(),
                    legacy_code: Some(false),
                    must_fix: Some(true),
                    clues: String::new(),
                },
                trigger: "The first production run of key-janitor as a CronJob.".into(),
                detection: "A warning fired 20 minutes in but only opens a ticket. Partners reported the failure almost seven hours later.".into(),
                response_analysis: "Once paged, the cause was found in 16 minutes thanks to the audit log. Restoring keys was quick because revocation is a flag, not a delete.".into(),
                resolution: "Fixed the chart, suspended the job, and restored the revoked keys from the audit log.".into(),
                damage_control: vec![damage_control(
                    "Emailed every affected partner: what happened, and that no action was needed.",
                    "identity",
                    DamageControlStatus::Done,
                )],
                lessons: lessons(
                    "- The audit log made both the diagnosis and the restore easy.\n- Revocation is reversible by design.",
                    "- A destructive job had no limit on how much it could destroy in one run.\n- The one alert that saw it did not page.",
                    "- It happened overnight, when partner traffic is low.",
                ),
                recommendations: vec![],
            },
            recommendations: vec![
                recommend("Settings production depends on have no defaults.", &[0]),
                recommend("Destructive jobs limit themselves and ask for help when something looks off.", &[1, 2]),
            ],
        }),
    }
}

fn disk_full(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(12, 2, 10))
        .ev(0, MANUAL, E::Milestone, "dara.kim", "Disk use on report-worker-2 starts climbing about 25 GB an hour (reconstructed from node metrics).")
        .key(K::ImpactStart)
        .ev(95, ALERTMANAGER, E::Alert, "alertmanager", "NodeDiskWillFillIn4h on report-worker-2 — silenced by a maintenance silence left over from last week.")
        .ev(245, MANUAL, E::Milestone, "dara.kim", "The data volume is full; export workers crash-loop with ENOSPC (reconstructed from logs).")
        .ev(390, SLACK, E::Message, "dara.kim", "report-worker-2's disk is full and exports are stuck. Not sure who noticed first: two people messaged me at about the same time.")
        .key(K::Detection)
        .ev(395, MANUAL, E::Acknowledgement, "dara.kim", "dara.kim took the incident.")
        .key(K::Acknowledgement)
        .ev(405, SLACK, E::Message, "dara.kim", "180 GB in /var/tmp/exports: files named export-<uuid>.tmp, all with the same owner, created between 02:10 and 09:15.")
        .ev(412, MANUAL, E::Action, "dara.kim", "Deleted the temporary files to free space. No sample kept.")
        .ev(418, MANUAL, E::Action, "dara.kim", "Restarted the export workers; 1,240 queued exports draining.")
        .key(K::Mitigation)
        .ev(470, SLACK, E::Message, "lena.fischer", "The weekly all-accounts export also starts at 02:10, but it normally writes about 2 GB. Nothing else ties it to this.")
        .ev(510, MANUAL, E::Milestone, "dara.kim", "Queue drained and late exports delivered. Incident resolved.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "dara.kim".into(),
        incident: Head {
            title: "Report exports stalled when report-worker-2's disk filled up",
            description: "The data volume of report-worker-2 filled overnight with temporary export files. Scheduled customer exports queued behind it and were delivered about six hours late. We do not yet know what wrote 180 GB of temporary files.",
            severity: 4,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::Unknown,
            services: &["reporting"],
            teams: &["data"],
            responders: &[
                ("dara.kim", R::IncidentCommander),
                ("lena.fischer", R::SubjectMatterExpert),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Runbook: keep a sample of unexplained files before freeing space",
                "",
                ActionItemKind::ImproveResponse,
                Owner::Team("data"),
                Priority::P3,
                clock.date(10),
                ActionItemStatus::Open,
            ),
            item(
                "Expire alert silences after 24 hours unless renewed",
                "The disk alert fired in time and was silenced by a maintenance window that had ended a week earlier.",
                ActionItemKind::ImproveResponse,
                Owner::User("ana.silva"),
                Priority::P2,
                clock.date(-1),
                ActionItemStatus::Open,
            ),
            item(
                "Give export temporary files their own volume with a quota",
                "",
                ActionItemKind::MitigateFutureImpact,
                Owner::User("dara.kim"),
                Priority::P2,
                clock.date(14),
                ActionItemStatus::InProgress,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Draft,
            owner: "dara.kim".into(),
            factors: keys(&["capacity", "detection", "documentation"]),
            due_date: clock.date(2),
            sections: Sections {
                summary: "Temporary export files filled report-worker-2's disk overnight and customer exports were about six hours late. The disk alert fired in time but was silenced. What wrote the files is not known yet.".into(),
                impact: DamageScope {
                    data_lost: Some(false),
                    users_affected: Some(310),
                    productivity_lost_hours: Some(3.0),
                    notes: "1,240 scheduled exports for 310 customers were delivered late; none were lost.".into(),
                    ..DamageScope::default()
                },
                root_cause: RootCause {
                    description: "Unknown: something on report-worker-2 wrote 180 GB of temporary export files in seven hours.".into(),
                    analysis: String::new(),
                    certainty: Certainty::Unknown,
                    component: "reporting export workers".into(),
                    legacy_code: None,
                    must_fix: Some(true),
                    clues: "- Files named `export-<uuid>.tmp` in /var/tmp/exports, all owned by the export worker user.\n- Growth began at 02:10, when the weekly all-accounts export starts; that export normally writes about 2 GB.\n- Growth was steady at about 25 GB an hour, not bursty.\n- Only report-worker-2 was affected; report-worker-1 runs the same code.\n- The files were deleted during the response, so none are left to inspect.".into(),
                },
                detection: "Unclear. The disk alert fired at 03:45 but was silenced by a leftover maintenance silence. Two people noticed stuck exports at about the same time in the morning; neither remembers what made them look.".into(),
                lessons: lessons(
                    "- Restarting the workers drained the backlog without loss.",
                    "- The evidence was deleted before anyone looked at it.",
                    "",
                ),
                ..Sections::default()
            },
            recommendations: vec![
                recommend("Keep evidence before cleaning up.", &[0]),
                recommend("Silences end when the maintenance does.", &[1]),
            ],
        }),
    }
}

const CACHE_STAMPEDE: &str = "Catalog outage from a cache stampede after a Redis restart";
const CACHE_STAMPEDE_AGAIN: &str = "Catalog slow again: cache stampede after the nightly import";

fn cache_stampede_again(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(22, 1, 40))
        .ev(0, GITHUB, E::Milestone, "catalog-import", "Nightly catalog import invalidates 412,000 product keys.")
        .key(K::ImpactStart)
        .ev(2, ALERTMANAGER, E::Alert, "alertmanager", "CatalogDbCpuHigh: catalog database CPU above 90%.")
        .key(K::Detection)
        .ev(3, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (dara.kim): CatalogDbCpuHigh.")
        .ev(6, PAGERDUTY, E::Acknowledgement, "dara.kim", "dara.kim acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(14, SLACK, E::Message, "dara.kim", "The nightly catalog import invalidated every product key at once; the cache fills are not coalesced for bulk invalidations.")
        .ev(21, MANUAL, E::Action, "dara.kim", "Paused the import and warmed the cache from the replica.")
        .key(K::Mitigation)
        .ev(48, SLACK, E::StatusUpdate, "dara.kim", "Catalog latency back to normal; import resumed in batches.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "dara.kim".into(),
        incident: Head {
            title: CACHE_STAMPEDE_AGAIN,
            description: "At 01:40 the nightly catalog import invalidated every product key at once, and the catalog database saturated under the cache fills. catalog-api answered slowly for 21 minutes, during the night's quietest hour.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["catalog-api"],
            teams: &["platform"],
            responders: &[("dara.kim", R::IncidentCommander)],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Draft,
            owner: "dara.kim".into(),
            factors: keys(&["capacity", "change"]),
            due_date: clock.date(5),
            sections: Sections {
                summary: "The cache stampede of two months ago came back through another door: a bulk invalidation by the nightly import.".into(),
                root_cause: RootCause {
                    description: "Fills are coalesced per key, but a bulk invalidation still sends one fill per key at the same moment.".into(),
                    certainty: Certainty::Probable,
                    component: "catalog-api cache layer".into(),
                    ..RootCause::default()
                },
                ..Sections::default()
            },
            recommendations: vec![],
        }),
    }
}

fn notifier_stalled(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(8, 9, 5))
        .ev(
            0,
            MANUAL,
            E::Milestone,
            "ana.silva",
            "Consume rate of the notifications queue falls below its publish rate (from the broker dashboard).",
        )
        .key(K::ImpactStart)
        .ev(15, ALERTMANAGER, E::Alert, "alertmanager", "NotificationQueueAge above 15 minutes.")
        .key(K::Detection)
        .ev(16, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (ana.silva): NotificationQueueAge.")
        .ev(19, PAGERDUTY, E::Acknowledgement, "ana.silva", "ana.silva acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(
            27,
            SLACK,
            E::Message,
            "ana.silva",
            "Prefetch is 50 as it should be. Broker CPU is at 88% again, with no deploy today.",
        )
        .ev(45, MANUAL, E::Action, "ana.silva", "Moved the notifications queue to the second broker node.")
        .key(K::Mitigation)
        .ev(90, SLACK, E::StatusUpdate, "ana.silva", "Backlog drained; emails on time again.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ana.silva".into(),
        incident: Head {
            title: "Order update emails delayed by a stalled notifier queue",
            description: "Consumers of the notifications queue slowed while broker CPU climbed to 88%, and order update emails arrived up to 40 minutes late. No deploy preceded it.",
            severity: 4,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["notifications"],
            teams: &["platform"],
            responders: &[("ana.silva", R::IncidentCommander)],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Draft,
            owner: "ana.silva".into(),
            factors: keys(&["dependency", "detection"]),
            due_date: clock.date(6),
            sections: Sections {
                summary: "The notifier slowed again with its settings right, which points at the broker.".into(),
                root_cause: RootCause {
                    description: "Unknown; broker CPU was high again.".into(),
                    certainty: Certainty::Unknown,
                    component: "notifier AMQP consumer".into(),
                    clues: "Broker CPU at 88% from 09:00; only the notifications queue grew.".into(),
                    ..RootCause::default()
                },
                ..Sections::default()
            },
            recommendations: vec![],
        }),
    }
}

fn config_push(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.ago(300))
        .ev(0, GITHUB, E::Deploy, "config-pusher", "edge-config PR #1291 \"Tighten health checks\" pushed to all proxies.")
        .key(K::ImpactStart)
        .ev(2, ALERTMANAGER, E::Alert, "alertmanager", "EdgeUpstream504Rate above 2% (currently 11%).")
        .key(K::Detection)
        .ev(2, PAGERDUTY, E::Page, "PagerDuty", "Paged edge on-call (emil.novak): EdgeUpstream504Rate.")
        .ev(5, PAGERDUTY, E::Acknowledgement, "emil.novak", "emil.novak acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(8, SLACK, E::Message, "emil.novak", "The 504s started with the push. The new `timeouts` block sets `upstream: 1s`; it was meant for health checks only.")
        .ev(10, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: checkout and search failing for some requests.")
        .ev(13, GITHUB, E::Rollback, "config-pusher", "Revert of edge-config PR #1291 pushed to all proxies.")
        .ev(18, ALERTMANAGER, E::StatusUpdate, "alertmanager", "EdgeUpstream504Rate resolved.")
        .key(K::Mitigation)
        .ev(26, SLACK, E::Message, "ana.silva", "Report downloads still time out through the eu-west proxies: they seem to have kept the pushed configuration.")
        .ev(34, MANUAL, E::Action, "emil.novak", "Set the upstream timeout by hand on the 4 eu-west proxies.")
        .ev(45, SLACK, E::StatusUpdate, "fatima.haddad", "Status page: monitoring; report downloads may still be slow.")
        .ev(60, SLACK, E::Message, "emil.novak", "Keeping the incident open until we understand why eu-west kept the old configuration and the manual override is gone.");
    DemoIncident {
        declared_by: "emil.novak".into(),
        incident: Head {
            title: "Edge configuration push set upstream timeouts to one second",
            description: "A configuration push to the edge proxies, meant to shorten health-check timeouts, also lowered the upstream request timeout from 30 seconds to 1. Requests slower than a second — checkout, search, report downloads — failed with 504. The push was reverted after 13 minutes; the eu-west proxies are still on a manual override.",
            severity: 2,
            status: IncidentStatus::Mitigated,
            detection: DetectionMethod::MonitoringAlert,
            services: &["edge-proxy", "checkout-api", "catalog-api", "reporting"],
            teams: &["edge"],
            responders: &[
                ("emil.novak", R::IncidentCommander),
                ("ana.silva", R::SubjectMatterExpert),
                ("lena.fischer", R::Scribe),
                ("fatima.haddad", R::CommunicationsLead),
                ("admin", R::Responder),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![
            item(
                "Find out why the eu-west proxies kept the pushed configuration after the revert",
                "",
                ActionItemKind::FixRootCause,
                Owner::User("emil.novak"),
                Priority::P1,
                clock.date(1),
                ActionItemStatus::InProgress,
            ),
            item(
                "Show the rendered proxy configuration diff in edge-config pull requests",
                "Reviewers saw the template change, not that it changed every route's upstream timeout.",
                ActionItemKind::MitigateFutureImpact,
                Owner::Team("edge"),
                Priority::P2,
                clock.date(14),
                ActionItemStatus::Open,
            ),
        ],
        postmortem: Some(DemoPostmortem {
            public_summary: None,
            status: PostmortemStatus::Draft,
            owner: "admin".into(),
            factors: keys(&["change", "configuration", "automation"]),
            due_date: clock.date(7),
            sections: Sections {
                summary: "An edge configuration push meant for health checks also cut every upstream timeout to one second. Slow requests failed with 504 for 18 minutes until the push was reverted. (Draft: the incident is still open.)".into(),
                root_cause: RootCause {
                    description: "The `timeouts` block in the proxy template applies to upstream requests as well as health checks.".into(),
                    certainty: Certainty::Probable,
                    component: "edge-config proxy template".into(),
                    ..RootCause::default()
                },
                trigger: "Push of edge-config PR #1291.".into(),
                detection: "The 504 rate alert fired 2 minutes after the push.".into(),
                ..Sections::default()
            },
            recommendations: vec![],
        }),
    }
}

fn webhook_timeouts(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.ago(140))
        .ev(0, MANUAL, E::Milestone, "lena.fischer", "Webhook retry rate for partners in ap-southeast starts rising (from the delivery dashboard).")
        .key(K::ImpactStart)
        .ev(22, ALERTMANAGER, E::Alert, "alertmanager", "WebhookRetryRate above 5% for ap-southeast destinations.")
        .key(K::Detection)
        .ev(22, PAGERDUTY, E::Page, "PagerDuty", "Paged platform on-call (lena.fischer): WebhookRetryRate.")
        .ev(31, PAGERDUTY, E::Acknowledgement, "lena.fischer", "lena.fischer acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(45, SLACK, E::Message, "lena.fischer", "Only partners hosted in one region. TCP connects take 3-4 s from our eu-central egress; they used to take 250 ms.")
        .ev(60, SLACK, E::Message, "ben.okafor", "Two partners confirm webhooks arrive late but none are missing.")
        .ev(80, MANUAL, E::Action, "lena.fischer", "Raised the webhook timeout for ap-southeast destinations from 5 s to 15 s as a test.")
        .ev(95, SLACK, E::Message, "lena.fischer", "Retry rate down to 3%. Not calling it mitigated until we know where the latency comes from.");
    DemoIncident {
        declared_by: "lena.fischer".into(),
        incident: Head {
            title: "Partner webhook deliveries to ap-southeast timing out",
            description: "About 8% of webhook deliveries to partners hosted in ap-southeast time out and are retried. Deliveries succeed in the end, 5 to 20 minutes late. Cause under investigation.",
            severity: 4,
            status: IncidentStatus::Acknowledged,
            detection: DetectionMethod::MonitoringAlert,
            services: &["notifications"],
            teams: &["platform"],
            responders: &[
                ("lena.fischer", R::IncidentCommander),
                ("ben.okafor", R::Responder),
                ("admin", R::SubjectMatterExpert),
            ],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![item(
            "Trace the route from the eu-central egress to ap-southeast partners",
            "Connects take 3-4 s since the latency began; find the hop that changed.",
            ActionItemKind::FixRootCause,
            Owner::User("admin"),
            Priority::P2,
            clock.date(3),
            ActionItemStatus::Open,
        )],
        postmortem: None,
    }
}

/// The aftershock of [`database_failover`]: covered by its post-mortem, not given its own.
const FAILOVER: &str = "Checkout read-only after a payments database failover";
const FAILOVER_RETRIES: &str = "Saved-cart retries stalled on orders that failed during the payments failover";

fn failover_retries(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.day(118, 5, 0))
        .ev(0, MANUAL, E::Milestone, "ben.okafor", "The saved-cart retry job starts on the 212 orders that failed during the failover; each retry waits on the order's lock, still held by the failed attempt.")
        .key(K::ImpactStart)
        .ev(7, ALERTMANAGER, E::Alert, "alertmanager", "SavedCartRetryBacklog firing: 212 retries queued, none done in 5 minutes.")
        .key(K::Detection)
        .ev(8, PAGERDUTY, E::Page, "PagerDuty", "Paged payments on-call (ben.okafor): SavedCartRetryBacklog.")
        .ev(10, PAGERDUTY, E::Acknowledgement, "ben.okafor", "ben.okafor acknowledged the page.")
        .key(K::Acknowledgement)
        .ev(16, SLACK, E::Message, "ben.okafor", "The failed attempts from 03:12 still hold their order locks: the locks expire after two hours, not when the connection dies. Releasing them by hand for the 212 orders, then restarting the job.")
        .ev(24, MANUAL, E::Action, "ben.okafor", "Released the stale order locks and restarted the saved-cart retry job.")
        .key(K::Mitigation)
        .ev(41, ALERTMANAGER, E::StatusUpdate, "alertmanager", "SavedCartRetryBacklog resolved: 204 orders retried, 8 left for support to contact.")
        .key(K::Resolution);
    DemoIncident {
        declared_by: "ben.okafor".into(),
        incident: Head {
            title: FAILOVER_RETRIES,
            description: "After the payments database failover, the job that retries failed orders stalled on the locks the failed attempts still held.",
            severity: 3,
            status: IncidentStatus::Resolved,
            detection: DetectionMethod::MonitoringAlert,
            services: &["checkout-api"],
            teams: &["payments"],
            responders: &[("ben.okafor", R::IncidentCommander)],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![],
        postmortem: None,
    }
}

fn slow_autocomplete(clock: &Clock) -> DemoIncident {
    let timeline = Timeline::starting(clock.ago(25))
        .ev(-3, GITHUB, E::Deploy, "deploy-bot", "catalog-api 4.19.0 deployed (new text analyzer for merchant search).")
        .ev(0, MANUAL, E::Milestone, "ana.silva", "p95 of /admin/search/suggest rises from 180 ms to 2.4 s.")
        .key(K::ImpactStart)
        .ev(6, ALERTMANAGER, E::Alert, "alertmanager", "AdminSuggestLatencyHigh (severity: low).")
        .key(K::Detection)
        .ev(
            6,
            PAGERDUTY,
            E::Page,
            "PagerDuty",
            "Low-urgency notification to platform on-call; pages during business hours only.",
        )
        .ev(
            12,
            SLACK,
            E::Message,
            "alertmanager-bot",
            "#alerts-platform: AdminSuggestLatencyHigh firing for catalog-api.",
        )
        .ev(
            18,
            SLACK,
            E::Message,
            "ana.silva",
            "Saw this. 4.19.0 went out just before; I'll look after stand-up unless it gets worse.",
        );
    DemoIncident {
        declared_by: "ana.silva".into(),
        incident: Head {
            title: "Slow autocomplete in the merchant admin search box",
            description: "Autocomplete in the merchant admin takes 2-3 seconds instead of 200 ms. Storefront search is not affected.",
            severity: 5,
            status: IncidentStatus::Triggered,
            detection: DetectionMethod::MonitoringAlert,
            services: &["catalog-api"],
            teams: &["platform"],
            responders: &[],
            private: false,
        }
        .with(&timeline),
        timeline: timeline.events,
        action_items: vec![],
        postmortem: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use hindsight_core::analysis::{
        MissingItem, Necessity, PolicyConfig, PolicyCriterion, PolicyDecision, ResponseChecklist, ResponseFinding,
        ResponseFindingKind, analyse_response, check_completeness, evaluate_policy,
    };
    use hindsight_core::{ActionItem, Incident, Postmortem, TimelineEvent, incident_handle};
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-14 15:26:53.5 +01:00);

    fn data() -> DemoData {
        demo_data(NOW)
    }

    /// One demo incident as the store would hold it.
    struct Case {
        pub incident: Incident,
        pub events: Vec<TimelineEvent>,
        pub postmortem: Option<Postmortem>,
        pub action_items: Vec<ActionItem>,
    }

    /// The demo data as stored values, with made-up ids.
    fn demo_cases(now: OffsetDateTime) -> Vec<Case> {
        let data = demo_data(now);
        let mut cases = Vec::new();
        for (number, demo) in (1..).zip(data.incidents) {
            let handle = incident_handle(number);
            let new = &demo.incident;
            let incident = new.declared(format!("inc-{number}"), number, Some(demo.declared_by.clone()), now);
            let events = demo
                .timeline
                .iter()
                .enumerate()
                .map(|(i, e)| TimelineEvent {
                    id: format!("{handle}-e{i}"),
                    incident: handle.clone(),
                    occurred_at: e.occurred_at,
                    source: e.source.clone(),
                    external_id: e.external_id.clone().unwrap_or_else(|| format!("e{i}")),
                    kind: e.kind,
                    actor: e.actor.clone(),
                    text: e.text.clone(),
                    key_moment: e.key_moment,
                    has_raw_payload: false,
                    raw_payload_url: None,
                    created_by: None,
                    created_at: now,
                    version: 1,
                })
                .collect();
            let action_items: Vec<ActionItem> = demo
                .action_items
                .iter()
                .enumerate()
                .map(|(i, a)| ActionItem {
                    id: format!("{handle}-a{i}"),
                    incident: handle.clone(),
                    title: a.title.clone(),
                    description: a.description.clone(),
                    kind: a.kind,
                    owner: a.owner.clone(),
                    owner_team: a.owner_team.clone(),
                    priority: a.priority,
                    due_date: a.due_date,
                    status: a.status,
                    tracker_url: a.tracker_url.clone(),
                    created_at: now,
                    updated_at: now,
                    closed_at: a.closed_at,
                    version: 1,
                })
                .collect();
            let ids: Vec<String> = action_items.iter().map(|a| a.id.clone()).collect();
            let postmortem = demo.postmortem.as_ref().map(|pm| {
                let new = pm.new_postmortem(&ids);
                Postmortem {
                    id: format!("{handle}-pm"),
                    incident: handle.clone(),
                    incident_title: incident.title.clone(),
                    status: pm.status,
                    owner: new.owner,
                    due_date: new.due_date,
                    sections: new.sections,
                    created_at: now,
                    updated_at: now,
                    published_at: None,
                    version: 1,
                }
            });
            cases.push(Case { incident, events, postmortem, action_items });
        }
        cases
    }

    fn demo() -> Vec<(Case, Vec<ResponseFinding>, PolicyDecision)> {
        demo_cases(NOW)
            .into_iter()
            .map(|case| {
                let response = analyse_response(&case.incident, &case.events, &ResponseChecklist::default());
                let decision = evaluate_policy(
                    &case.incident,
                    &case.events,
                    case.postmortem.as_ref(),
                    &response,
                    &PolicyConfig::default(),
                );
                (case, response, decision)
            })
            .collect()
    }

    #[test]
    fn the_demo_exercises_every_policy_criterion_and_response_finding() {
        let demo = demo();
        let criteria: BTreeSet<PolicyCriterion> =
            demo.iter().flat_map(|(_, _, d)| d.reasons.iter().map(|r| r.criterion)).collect();
        let unused: Vec<&PolicyCriterion> = PolicyCriterion::ALL.iter().filter(|c| !criteria.contains(c)).collect();
        assert!(unused.is_empty(), "policy criteria the demo never meets: {unused:?}");

        let kinds: BTreeSet<ResponseFindingKind> =
            demo.iter().flat_map(|(_, findings, _)| findings.iter().map(|f| f.kind)).collect();
        let unused: Vec<ResponseFindingKind> =
            ResponseFindingKind::ALL.iter().copied().filter(|k| !kinds.contains(k)).collect();
        assert!(unused.is_empty(), "response findings the demo never shows: {unused:?}");
    }

    #[test]
    fn every_demo_incident_at_sev2_or_above_requires_a_postmortem() {
        for (case, _, decision) in demo() {
            if case.incident.severity.level() <= 2 {
                assert_eq!(decision.necessity, Necessity::Required, "{}", case.incident.title);
            }
        }
    }

    #[test]
    fn demo_findings_never_name_a_responder() {
        let users: Vec<String> = demo_data(NOW).users.into_iter().map(|u| u.username).collect();
        for (case, findings, _) in demo() {
            for finding in &findings {
                for user in &users {
                    assert!(!finding.message.contains(user.as_str()), "{}: {}", case.incident.title, finding.message);
                }
            }
        }
    }

    #[test]
    fn every_demo_postmortem_can_be_checked_and_drafts_miss_something() {
        for (case, _, _) in demo() {
            let Some(pm) = &case.postmortem else { continue };
            let missing = check_completeness(pm, &case.incident, &case.events, &case.action_items);
            if pm.status == PostmortemStatus::Draft {
                assert!(!missing.is_empty(), "{}", case.incident.title);
            }
            assert!(missing.iter().all(|m| !m.message.is_empty() && !m.path.is_empty()));
        }
    }

    #[test]
    fn analysis_results_round_trip_through_json() {
        for (case, findings, decision) in demo() {
            let json = serde_json::to_value(&decision).unwrap();
            assert_eq!(serde_json::from_value::<PolicyDecision>(json).unwrap(), decision);
            let json = serde_json::to_value(&findings).unwrap();
            assert_eq!(serde_json::from_value::<Vec<ResponseFinding>>(json).unwrap(), findings);
            if let Some(pm) = &case.postmortem {
                let missing = check_completeness(pm, &case.incident, &case.events, &case.action_items);
                let json = serde_json::to_value(&missing).unwrap();
                assert_eq!(serde_json::from_value::<Vec<MissingItem>>(json).unwrap(), missing);
            }
        }
    }

    #[test]
    fn there_are_at_least_twelve_incidents_across_six_services() {
        let data = data();
        assert!(data.incidents.len() >= 12, "{}", data.incidents.len());
        let services: HashSet<_> = data.incidents.iter().flat_map(|i| &i.incident.services).collect();
        assert!(services.len() >= 6, "{services:?}");
    }

    #[test]
    fn every_severity_is_used() {
        let levels: HashSet<u8> = data().incidents.iter().map(|i| i.incident.severity.level()).collect();
        assert_eq!(levels, (1..=5).collect());
    }

    #[test]
    fn every_incident_status_and_detection_method_is_used() {
        let data = data();
        let statuses: HashSet<_> = data.incidents.iter().map(|i| i.incident.status).collect();
        assert_eq!(statuses.len(), IncidentStatus::ALL.len());
        let methods: HashSet<_> = data.incidents.iter().map(|i| i.incident.detection_method).collect();
        assert_eq!(methods.len(), DetectionMethod::ALL.len());
    }

    #[test]
    fn every_postmortem_status_is_used() {
        let statuses: HashSet<_> =
            data().incidents.iter().filter_map(|i| i.postmortem.as_ref().map(|p| p.status)).collect();
        assert_eq!(statuses.len(), PostmortemStatus::ALL.len(), "{statuses:?}");
    }

    #[test]
    fn every_action_item_status_and_kind_is_used() {
        let data = data();
        let items: Vec<_> = data.incidents.iter().flat_map(|i| &i.action_items).collect();
        let statuses: HashSet<_> = items.iter().map(|a| a.status).collect();
        let kinds: HashSet<_> = items.iter().map(|a| a.kind).collect();
        assert_eq!(statuses.len(), ActionItemStatus::ALL.len());
        assert_eq!(kinds.len(), ActionItemKind::ALL.len());
        let overdue = items.iter().any(|a| {
            matches!(a.status, ActionItemStatus::Open | ActionItemStatus::InProgress)
                && a.due_date.is_some_and(|d| d < NOW.date())
        });
        assert!(overdue, "some unfinished action item should be overdue");
        assert!(items.iter().any(|a| a.owner.is_some()));
        assert!(items.iter().any(|a| a.owner_team.is_some()));
    }

    #[test]
    fn every_input_passes_its_own_validation() {
        for demo in data().incidents {
            let title = &demo.incident.title;
            assert_eq!(demo.incident.validate(), Ok(()), "{title}");
            for event in &demo.timeline {
                assert_eq!(event.validate(), Ok(()), "{title}: {}", event.text);
            }
            for item in &demo.action_items {
                assert_eq!(item.validate(), Ok(()), "{title}: {}", item.title);
            }
            if let Some(pm) = &demo.postmortem {
                let mut errors = hindsight_core::ValidationErrors::default();
                pm.new_postmortem(&[]).sections.validate(&mut errors);
                assert_eq!(errors.into_result(), Ok(()), "{title}");
            }
        }
    }

    #[test]
    fn moments_are_ordered_and_match_the_status() {
        for demo in data().incidents {
            let i = &demo.incident;
            let known: Vec<_> = [i.started_at, i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at]
                .into_iter()
                .flatten()
                .collect();
            assert!(known.is_sorted(), "{}", i.title);
            assert!(i.started_at.is_some() && i.detected_at.is_some(), "{}", i.title);
            let expected = match i.status {
                IncidentStatus::Triggered => 2,
                IncidentStatus::Acknowledged => 3,
                IncidentStatus::Mitigated => 4,
                IncidentStatus::Resolved => 5,
            };
            assert_eq!(known.len(), expected, "{}: moments for {}", i.title, i.status);
        }
    }

    #[test]
    fn timelines_are_chronological_sized_and_in_the_past() {
        let now = NOW.to_offset(UtcOffset::UTC);
        for demo in data().incidents {
            let times: Vec<_> = demo.timeline.iter().map(|e| e.occurred_at).collect();
            assert!((6..=20).contains(&times.len()), "{}", demo.incident.title);
            assert!(times.is_sorted(), "{}", demo.incident.title);
            assert!(times.iter().all(|t| *t <= now), "{}", demo.incident.title);
            assert!(times.iter().all(|t| *t >= now - Duration::days(125)), "{}", demo.incident.title);
        }
    }

    #[test]
    fn timelines_use_every_source_and_kind_asked_of_a_demo() {
        let data = data();
        let events: Vec<_> = data.incidents.iter().flat_map(|i| &i.timeline).collect();
        let sources: HashSet<_> = events.iter().map(|e| e.source.as_str()).collect();
        assert_eq!(sources, HashSet::from([PAGERDUTY, ALERTMANAGER, SLACK, GITHUB, MANUAL]));
        let kinds: HashSet<_> = events.iter().map(|e| e.kind).collect();
        for kind in E::ALL.iter().filter(|k| **k != E::Note) {
            assert!(kinds.contains(kind), "{kind}");
        }
    }

    #[test]
    fn two_incidents_are_private_and_their_people_can_see_them() {
        let data = data();
        let private: Vec<_> = data.incidents.iter().filter(|i| i.incident.private).collect();
        assert_eq!(private.len(), 2);
        for demo in private {
            let responders: HashSet<_> = demo.incident.responders.iter().map(|r| r.username.as_str()).collect();
            assert!(responders.contains(demo.declared_by.as_str()));
            if let Some(pm) = &demo.postmortem {
                assert!(responders.contains(pm.owner.as_str()));
            }
        }
    }

    #[test]
    fn a_viewer_outside_the_private_incidents_exists() {
        let data = data();
        let outsider = data.users.iter().find(|u| {
            u.role == Role::Viewer && {
                data.incidents.iter().filter(|i| i.incident.private).all(|i| {
                    !i.incident.responders.iter().any(|r| r.username == u.username)
                        && !data
                            .teams
                            .iter()
                            .any(|t| i.incident.teams.contains(&t.slug) && t.members.contains(&u.username))
                })
            }
        });
        assert!(outsider.is_some());
    }

    #[test]
    fn every_name_refers_to_something_in_the_demo() {
        let data = data();
        let users: HashSet<_> = data.users.iter().map(|u| u.username.as_str()).collect();
        let teams: HashSet<_> = data.teams.iter().map(|t| t.slug.as_str()).collect();
        let services: HashSet<_> = data.services.iter().map(|s| s.slug.as_str()).collect();
        assert!(users.contains("admin"));
        assert!(data.users.iter().any(|u| u.username == "admin" && u.role == Role::Admin));
        assert!(data.users.iter().filter(|u| u.role == Role::Editor).count() >= 3);
        for team in &data.teams {
            assert!(team.members.iter().all(|m| users.contains(m.as_str())), "{}", team.slug);
        }
        for service in &data.services {
            assert!(teams.contains(service.owner_team.as_str()), "{}", service.slug);
        }
        for demo in &data.incidents {
            let i = &demo.incident;
            assert!(users.contains(demo.declared_by.as_str()), "{}", i.title);
            assert!(i.services.iter().all(|s| services.contains(s.as_str())), "{}", i.title);
            assert!(i.teams.iter().all(|t| teams.contains(t.as_str())), "{}", i.title);
            assert!(i.responders.iter().all(|r| users.contains(r.username.as_str())), "{}", i.title);
            for item in &demo.action_items {
                assert!(item.owner.as_deref().is_none_or(|o| users.contains(o)), "{}", item.title);
                assert!(item.owner_team.as_deref().is_none_or(|t| teams.contains(t)), "{}", item.title);
            }
            if let Some(pm) = &demo.postmortem {
                assert!(users.contains(pm.owner.as_str()), "{}", i.title);
                for rec in &pm.recommendations {
                    assert!(rec.action_items.iter().all(|&n| n < demo.action_items.len()), "{}", rec.text);
                }
            }
        }
    }

    #[test]
    fn recommendations_link_the_ids_they_are_given() {
        let data = data();
        let demo = &data.incidents[0];
        let pm = demo.postmortem.as_ref().unwrap();
        let ids: Vec<String> = (0..demo.action_items.len()).map(|n| format!("id-{n}")).collect();
        let new = pm.new_postmortem(&ids);
        assert_eq!(new.owner.as_deref(), Some(pm.owner.as_str()));
        assert_eq!(new.sections.recommendations.len(), pm.recommendations.len());
        assert_eq!(new.sections.recommendations[0].action_items, ["id-0"]);
    }

    #[test]
    fn status_moves_are_each_allowed() {
        for demo in data().incidents {
            let Some(pm) = demo.postmortem else { continue };
            let mut at = PostmortemStatus::Draft;
            for next in pm.status_moves() {
                assert!(at.can_move_to(next), "{at} -> {next}");
                at = next;
            }
            assert_eq!(at, pm.status);
        }
    }

    #[test]
    fn settled_postmortems_fill_every_section() {
        for demo in data().incidents {
            let Some(pm) = &demo.postmortem else { continue };
            if pm.status == PostmortemStatus::Draft {
                continue;
            }
            let s = &pm.sections;
            let title = &demo.incident.title;
            for text in [&s.summary, &s.trigger, &s.detection, &s.response_analysis, &s.resolution] {
                assert!(!text.is_empty(), "{title}");
            }
            assert!(!s.root_cause.description.is_empty(), "{title}");
            assert!(!s.lessons.went_well.is_empty() && !s.lessons.went_badly.is_empty(), "{title}");
            assert!(s.impact.users_affected.is_some(), "{title}");
            assert!(!pm.recommendations.is_empty(), "{title}");
        }
    }

    #[test]
    fn postmortems_past_draft_are_complete_and_some_draft_is_not() {
        let mut incomplete_drafts = 0;
        for case in demo_cases(NOW) {
            let Some(pm) = &case.postmortem else { continue };
            let missing = check_completeness(pm, &case.incident, &case.events, &case.action_items);
            let ids: Vec<&str> = missing.iter().map(|m| m.id.as_str()).collect();
            if pm.status == PostmortemStatus::Draft {
                incomplete_drafts += usize::from(!ids.is_empty());
            } else {
                assert!(ids.is_empty(), "{} is {} but lacks {ids:?}", case.incident.title, pm.status);
            }
        }
        assert!(incomplete_drafts > 0, "some draft should still lack something, as drafts do");
    }

    #[test]
    fn unknown_root_causes_leave_clues() {
        let data = data();
        let pms: Vec<_> = data.incidents.iter().filter_map(|i| i.postmortem.as_ref()).collect();
        for certainty in Certainty::ALL {
            assert!(pms.iter().any(|p| p.sections.root_cause.certainty == *certainty), "{certainty}");
        }
        for pm in pms {
            if pm.sections.root_cause.certainty == Certainty::Unknown {
                assert!(!pm.sections.root_cause.clues.is_empty());
            }
        }
        assert!(
            data.incidents
                .iter()
                .filter_map(|i| i.postmortem.as_ref())
                .any(|p| p.sections.impact.data_lost == Some(true))
        );
    }

    #[test]
    fn same_now_gives_same_data() {
        assert_eq!(demo_data(NOW), demo_data(NOW));
        let later = demo_data(NOW + Duration::days(1));
        assert_ne!(later, demo_data(NOW));
    }
}
