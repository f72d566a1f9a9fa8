//! The `hindsight` binary: serve the product, run the demo, manage the database,
//! users and API tokens from the command line.

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

mod action_items;
mod audit;
mod backup;
mod config;
mod demo;
mod document;
mod flags;
mod history;
mod import;
mod incidents;
mod inspect;
mod lint;
mod paging;

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hindsight_app::Actor;
use hindsight_app::accounts::CreateUser;
use hindsight_core::Role;
use hindsight_server::{AppState, Settings};
use hindsight_store::Store;

use crate::config::{Config, FlagOverrides};

/// mimalloc instead of the system allocator: an import allocates and frees a few small
/// strings per record, and glibc's malloc took a quarter of an import's CPU
/// (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The demo's admin account.
const DEMO_LOGIN: (&str, &str) = ("admin", "demo-password");

/// The version `--version` prints: the program's and its database schema's (the last
/// migration; a test holds it to `hindsight_store::SCHEMA_VERSION`).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (database schema 28)");

/// Hindsight: incident post-mortems, self-hosted.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version = VERSION, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./hindsight.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://USER@HOST/DB [env: HINDSIGHT_DATABASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Log format: text or json [env: HINDSIGHT_LOG_FORMAT].
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web UI and API on ./hindsight-demo.db with realistic demo data.
    Demo {
        /// Port to listen on, on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Demo database file.
        #[arg(long, default_value = "hindsight-demo.db")]
        database: PathBuf,
    },
    /// Serve the web UI and API (runs migrations first).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 [env: HINDSIGHT_LISTEN].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Check the configuration, or print every setting with its default.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Copy the whole SQLite database to a new file while servers keep running (for
    /// PostgreSQL it prints the pg_dump command), then check the copy's hash chains.
    Backup {
        /// The backup file to write; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Put a backup in place as the SQLite database of --database-url, bring it up to this
    /// version's schema and check its hash chains. Stop the servers using it first.
    Restore {
        /// The backup file `hindsight backup` wrote.
        file: std::path::PathBuf,
        /// Replace the database when it exists (every server using it must be stopped).
        #[arg(long)]
        replace: bool,
    },
    /// Import events from files other tools wrote into an incident's timeline.
    Import {
        /// pagerduty-webhook, pagerduty-log, alertmanager, grafana, opsgenie, slack-export, github, jsonl or csv.
        #[arg(long, value_name = "FORMAT")]
        format: String,
        /// Files to read (for slack-export: the export's folder or zip).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The incident the events belong to, e.g. INC-42; by default found from the events.
        #[arg(long, conflicts_with = "create_incident")]
        incident: Option<String>,
        /// Declare a new incident from the first trigger when the events match none.
        #[arg(long)]
        create_incident: bool,
        /// For slack-export: only these channels (repeatable).
        #[arg(long = "channel", value_name = "NAME")]
        channels: Vec<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Say whether an incident needs a post-mortem, and why (the policy in hindsight.toml).
    Policy {
        /// The incident, e.g. INC-42.
        #[arg(required_unless_present = "decide_past")]
        incident: Option<String>,
        /// Instead: decide on every resolved incident that has no decision kept (those resolved
        /// before decisions were kept, for post-mortem coverage), with today's policy.
        #[arg(long, conflicts_with = "incident")]
        decide_past: bool,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Check a Markdown file, or an incident's stored post-mortem, for blaming language (exit 1 when found).
    Lint {
        /// A Markdown file, or an incident handle such as INC-42.
        target: String,
        /// A person's name to recognise (repeatable); stored users and responders are known already.
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export an incident's post-mortem as Markdown (with front matter), printable HTML, JSON or PDF.
    Export {
        /// The incident, e.g. INC-42.
        incident: String,
        /// md, html, json or pdf (pdf only in builds with the `pdf` feature).
        #[arg(long, default_value = "md")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add the post-mortem's discussion (its comment threads) as an appendix.
        #[arg(long)]
        discussion: bool,
    },
    /// Print the first draft of an incident's post-mortem, written from its timeline: each
    /// sentence followed by links to the events it comes from. With --write, write it into
    /// the post-mortem's empty sections (sections someone has written keep their text).
    Draft {
        /// The incident, e.g. INC-42.
        incident: String,
        /// Write the draft into the post-mortem's empty sections, as the operator.
        #[arg(long)]
        write: bool,
        /// Print the draft, and which sections it fills and is offered beside, as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import incident history from PagerDuty or Opsgenie through their REST APIs: each
    /// incident (Opsgenie: alert) created in the window becomes an incident, its log its
    /// timeline. The token comes from PAGERDUTY_TOKEN or OPSGENIE_API_KEY. Stopped (Ctrl-C, a
    /// network failure), the same command run again goes on from where it stopped; run again
    /// later, it skips what is already imported and brings the rest up to date.
    ImportHistory {
        /// pagerduty or opsgenie.
        #[arg(long, value_name = "VENDOR")]
        from: String,
        /// Incidents created from this date (YYYY-MM-DD, midnight UTC) or RFC 3339 time on.
        #[arg(long, value_name = "DATE")]
        since: String,
        /// …and before this date or time (default: when the import first started).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// The vendor's API address, http:// or https:// (default: its US API), e.g. a proxy.
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
        /// Use the vendor's EU API (api.eu.pagerduty.com, api.eu.opsgenie.com).
        #[arg(long, conflicts_with = "api_url")]
        eu: bool,
        /// Requests per second at most, well under the vendors' limits by default.
        #[arg(long, default_value_t = 2.0, value_name = "PER_SECOND")]
        rate: f64,
        /// Times a request failing with a 5xx answer or a broken connection is tried again.
        #[arg(long, default_value_t = 5, value_name = "N")]
        max_retries: u32,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Store a Markdown post-mortem (as `export --format md` writes it) as a new incident.
    ImportPostmortem {
        /// The Markdown file.
        file: PathBuf,
    },
    /// List incidents, newest first, filtered and searched as on the list page.
    Incidents {
        /// triggered, acknowledged, mitigated or resolved.
        #[arg(long)]
        status: Option<String>,
        /// SEV1 to SEV5.
        #[arg(long)]
        severity: Option<String>,
        /// Service slug.
        #[arg(long)]
        service: Option<String>,
        /// Team slug: incidents naming the team or affecting a service it owns.
        #[arg(long)]
        team: Option<String>,
        /// Words (or their beginnings) the title or description contains, ignoring case.
        #[arg(long)]
        search: Option<String>,
        /// Order: newest, oldest, severity (most severe first), or began (latest to begin first).
        #[arg(long, default_value = "newest", value_parser = ["newest", "oldest", "severity", "began"])]
        sort: String,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON object per incident, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Declare an incident (status triggered), as the operator.
    Declare {
        /// What broke, in a line.
        #[arg(long)]
        title: String,
        /// SEV1 (worst) to SEV5.
        #[arg(long)]
        severity: String,
        /// What broke and what people saw (Markdown).
        #[arg(long, default_value = "")]
        description: String,
        /// Slug of an affected service (repeatable).
        #[arg(long = "service")]
        services: Vec<String>,
        /// Slug of a team named on the incident (repeatable).
        #[arg(long = "team")]
        teams: Vec<String>,
        /// When the impact began, RFC 3339 (default: now).
        #[arg(long)]
        started_at: Option<String>,
        /// Visible only to its responders, named teams and admins.
        #[arg(long)]
        private: bool,
        /// Print the incident as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Change an incident: its fields, status or key moments (kept in its history).
    Update {
        /// The incident, e.g. INC-42.
        incident: String,
        /// What broke, in a line.
        #[arg(long)]
        title: Option<String>,
        /// What broke and what people saw (Markdown).
        #[arg(long)]
        description: Option<String>,
        /// SEV1 (worst) to SEV5.
        #[arg(long)]
        severity: Option<String>,
        /// triggered, acknowledged, mitigated or resolved; resolving one that needs a
        /// post-mortem starts its draft.
        #[arg(long)]
        status: Option<String>,
        /// Slug of an affected service (repeatable; replaces the list).
        #[arg(long = "service")]
        services: Vec<String>,
        /// Slug of a team named on the incident (repeatable; replaces the list).
        #[arg(long = "team")]
        teams: Vec<String>,
        /// How it was detected: monitoring_alert, customer_report, internal_report or unknown.
        #[arg(long)]
        detection_method: Option<String>,
        /// Visible only to its responders, named teams and admins.
        #[arg(long, conflicts_with = "public")]
        private: bool,
        /// Visible to everyone signed in.
        #[arg(long)]
        public: bool,
        /// When the impact began: RFC 3339, or none to clear it.
        #[arg(long)]
        started_at: Option<String>,
        /// When it was detected: RFC 3339, or none.
        #[arg(long)]
        detected_at: Option<String>,
        /// When a responder acknowledged it: RFC 3339, or none.
        #[arg(long)]
        acknowledged_at: Option<String>,
        /// When the impact ended: RFC 3339, or none.
        #[arg(long)]
        mitigated_at: Option<String>,
        /// When it was resolved: RFC 3339, or none.
        #[arg(long)]
        resolved_at: Option<String>,
        /// Why (e.g. why a key moment is moved); kept in the history.
        #[arg(long)]
        reason: Option<String>,
        /// Print the incident as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Add an event to an incident's timeline by hand, as the operator.
    Event {
        /// The incident, e.g. INC-42.
        incident: String,
        /// When it happened, RFC 3339 (default: now).
        #[arg(long)]
        at: Option<String>,
        /// What kind of event: note, message, alert, page, acknowledgement, escalation,
        /// status_update, deploy, rollback, …
        #[arg(long, default_value = "note")]
        kind: String,
        /// Who or what acted.
        #[arg(long)]
        actor: Option<String>,
        /// What happened.
        #[arg(long)]
        text: String,
        /// The key moment it marks: impact_start, detection, acknowledgement, escalation,
        /// mitigation or resolution.
        #[arg(long)]
        key_moment: Option<String>,
        /// Print the event as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List action items across incidents, as on the board, each with its id; or change one:
    /// close, reopen, reassign or re-date it.
    #[command(args_conflicts_with_subcommands = true)]
    ActionItems {
        #[command(subcommand)]
        change: Option<ActionItemCommand>,
        /// Username of the owner.
        #[arg(long)]
        owner: Option<String>,
        /// Slug of the owning team.
        #[arg(long)]
        team: Option<String>,
        /// Only this incident's, e.g. INC-42.
        #[arg(long)]
        incident: Option<String>,
        /// open, in_progress, done or wont_do.
        #[arg(long)]
        status: Option<String>,
        /// Only unfinished items due before today.
        #[arg(long)]
        overdue: bool,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON object per action item, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Print an incident's timeline.
    Timeline {
        /// The incident, e.g. INC-42.
        incident: String,
        /// The events imports set aside as duplicates instead (not on the timeline).
        #[arg(long)]
        duplicates: bool,
        /// One JSON object per event, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Print an incident's response metrics: time to detect, acknowledge, mitigate, resolve;
    /// without an incident, how they spread across incidents (medians and percentiles).
    Metrics {
        /// The incident, e.g. INC-42; leave out for every incident the filters select.
        incident: Option<String>,
        /// Across incidents: triggered, acknowledged, mitigated or resolved.
        #[arg(long, conflicts_with = "incident")]
        status: Option<String>,
        /// Across incidents: SEV1 to SEV5.
        #[arg(long, conflicts_with = "incident")]
        severity: Option<String>,
        /// Across incidents: service slug.
        #[arg(long, conflicts_with = "incident")]
        service: Option<String>,
        /// Across incidents: team slug.
        #[arg(long, conflicts_with = "incident")]
        team: Option<String>,
        /// Across incidents: words the title or description contains.
        #[arg(long, conflicts_with = "incident")]
        search: Option<String>,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the tamper-evident record, or list account and settings changes.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Read the configuration as `serve` would and check it: its values, and settings in the
    /// file that Hindsight does not know (a misspelt one would be ignored).
    Check,
    /// Print every setting with its default, as hindsight.toml would hold it.
    Defaults,
    /// Print a new random secret key, for `secret_key` (or `HINDSIGHT_SECRET_KEY`).
    SecretKey,
}

#[derive(Debug, Subcommand)]
enum ActionItemCommand {
    /// Close an action item as done (or as won't do).
    Close {
        /// The action item's id, as `hindsight action-items` prints it.
        id: String,
        /// Closed as not to be done, rather than done.
        #[arg(long)]
        wont_do: bool,
        /// Print the action item as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Open a closed action item again.
    Reopen {
        /// The action item's id, as `hindsight action-items` prints it.
        id: String,
        /// Print the action item as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Give an action item to a person, a team, or both; or to nobody.
    Reassign {
        /// The action item's id, as `hindsight action-items` prints it.
        id: String,
        /// Username of the person who owns it now.
        #[arg(long)]
        owner: Option<String>,
        /// Slug of the team that owns it now.
        #[arg(long)]
        team: Option<String>,
        /// Owned by no person and no team.
        #[arg(long, conflicts_with_all = ["owner", "team"])]
        nobody: bool,
        /// Print the action item as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Set an action item's due date, or clear it with `none`.
    Due {
        /// The action item's id, as `hindsight action-items` prints it.
        id: String,
        /// A date such as 2026-12-15, or `none`.
        date: String,
        /// Print the action item as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain (histories and audit events); exit 1 naming each broken row.
    Verify {
        /// Print the report as JSON (keep it outside the database to detect a rewrite).
        #[arg(long)]
        json: bool,
    },
    /// List account and settings changes, newest first.
    Log {
        /// How many events to show (at most 200).
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; prints a generated password unless --password-stdin is given.
    Add {
        /// Sign-in name: a-z, 0-9, '.', '_', '-'.
        name: String,
        /// viewer, editor or admin.
        #[arg(long, default_value = "editor")]
        role: String,
        /// Name shown in the UI (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print its secret (shown once).
    Create {
        /// Username of the owner.
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by id.
    Revoke { id: String },
    /// List a user's tokens.
    List { user: String },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        end_quietly_on_closed_pipe();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each thing said once: a cause whose text the
/// line already holds is left out (libraries often repeat their source in their own
/// message), and a cause that starts by naming what the line ends with (`importing
/// /tmp` then `/tmp: cannot read`) goes on without naming it again.
fn error_text(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
            continue;
        }
        if line.contains(&text) {
            continue;
        }
        let rest = match text.split_once(": ") {
            Some((head, rest)) if line.ends_with(head) => rest,
            _ => text.as_str(),
        };
        line.push_str(": ");
        line.push_str(rest);
    }
    line
}

/// Lets a command whose output goes into a pipe that closes early (`hindsight timeline INC-1 |
/// head`) end there, quietly, as other command-line tools do, instead of failing on its next
/// write. Not for the servers: a client closing its connection must not stop them.
#[allow(unsafe_code, reason = "the one call Hindsight makes that Rust cannot check")]
fn end_quietly_on_closed_pipe() {
    // SAFETY: runs at start-up, before any thread exists, and only restores the default
    // action for SIGPIPE (which the Rust runtime sets to "ignore").
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let flags = FlagOverrides { database_url: cli.database_url.clone(), listen, log_format: cli.log_format.clone() };
    let mut config = Config::load(cli.config.as_deref(), &flags)?;
    init_logging(&config.log_format);
    let config_file = cli.config.clone();
    match cli.command {
        Command::Demo { port, database } => {
            config.database_url = format!("sqlite://{}", database.display());
            config.listen = format!("127.0.0.1:{port}");
            // The port first: a busy one should not leave a new demo database behind.
            let listener = bind(&config, "choose another with --port").await?;
            let store = open(&config).await?;
            let summary = demo::load_demo(&store).await.context("loading the demo data")?;
            if summary.reused {
                println!("Reusing {} ({} users, {} incidents).", database.display(), summary.users, summary.incidents);
            } else {
                println!(
                    "Created {} with {} users and {} incidents.",
                    database.display(),
                    summary.users,
                    summary.incidents
                );
            }
            serve(listener, store, &config, Some(DEMO_LOGIN)).await
        }
        Command::Serve { .. } => {
            let listener = bind(&config, "choose another with --listen ADDRESS:PORT").await?;
            let store = open(&config).await?;
            serve(listener, store, &config, None).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("{} is up to date.", hindsight_store::redact(&config.database_url));
            Ok(())
        }
        Command::Config { command: ConfigCommand::Defaults } => {
            print!("{}", Config::defaults_toml()?);
            Ok(())
        }
        Command::Config { command: ConfigCommand::SecretKey } => {
            println!("{}", hindsight_app::secrets::SecretKey::generate());
            Ok(())
        }
        Command::Config { command: ConfigCommand::Check } => {
            let file = config_file.or_else(|| Some(PathBuf::from("hindsight.toml")).filter(|f| f.exists()));
            if let Some(file) = &file {
                let unknown = Config::unknown_keys(file)?;
                if !unknown.is_empty() {
                    anyhow::bail!(
                        "{}: Hindsight has no setting {}; `hindsight config defaults` lists every one",
                        file.display(),
                        unknown.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    );
                }
            }
            let from = file.map_or("the defaults and the environment".to_string(), |f| f.display().to_string());
            println!(
                "The configuration is valid ({from}): database {}, listening on {}.",
                hindsight_store::redact(&config.database_url),
                config.listen
            );
            Ok(())
        }
        Command::Backup { file } => backup::backup(&open(&config).await?, &config.database_url, &file).await,
        Command::Restore { file, replace } => backup::restore(&config.database_url, &file, replace).await,
        Command::Import { format, paths, incident, create_incident, channels, json } => {
            let format = flags::word("--format", &format)?;
            let store = open(&config).await?;
            let args = import::ImportArgs { format, paths, incident, create_incident, channels, json };
            import::run(&store, args).await
        }
        Command::Policy { incident, decide_past, json } => {
            let store = open(&config).await?;
            match incident {
                Some(incident) if !decide_past => inspect::policy(&store, &config, &incident, json).await,
                _ => inspect::decide_past(&store, &config, json).await,
            }
        }
        Command::Lint { target, names, json } => lint::run(&config, &target, names, json).await,
        Command::Export { incident, format, output, discussion } => {
            let store = open(&config).await?;
            document::export(&store, &incident, &format, output, discussion).await
        }
        Command::Draft { incident, write, json } => {
            let store = open(&config).await?;
            document::draft(&store, &config, &incident, write, json).await
        }
        Command::ImportHistory { from, since, until, api_url, eu, rate, max_retries, json } => {
            let store = open(&config).await?;
            let args = history::HistoryArgs { from, since, until, api_url, eu, rate, max_retries, json };
            history::run(&store, args).await
        }
        Command::ImportPostmortem { file } => {
            let store = open(&config).await?;
            document::import(&store, &file).await
        }
        Command::Incidents { status, severity, service, team, search, sort, limit, json } => {
            let store = open(&config).await?;
            let selection = incidents::IncidentSelection { status, severity, service, team, search };
            let list = incidents::IncidentList { selection, sort, limit };
            incidents::list(&store, &list, json).await
        }
        Command::Declare { title, severity, description, services, teams, started_at, private, json } => {
            let store = open(&config).await?;
            let declaration =
                incidents::Declaration { title, severity, description, services, teams, started_at, private };
            incidents::declare(&store, declaration, json).await
        }
        Command::Update {
            incident,
            title,
            description,
            severity,
            status,
            services,
            teams,
            detection_method,
            private,
            public,
            started_at,
            detected_at,
            acknowledged_at,
            mitigated_at,
            resolved_at,
            reason,
            json,
        } => {
            let store = open(&config).await?;
            let update = incidents::Update {
                title,
                description,
                severity,
                status,
                services: (!services.is_empty()).then_some(services),
                teams: (!teams.is_empty()).then_some(teams),
                detection_method,
                private: (private || public).then_some(private),
                moments: [started_at, detected_at, acknowledged_at, mitigated_at, resolved_at],
                reason,
            };
            incidents::update(&store, &config, &incident, update, json).await
        }
        Command::Event { incident, at, kind, actor, text, key_moment, json } => {
            let store = open(&config).await?;
            let event = inspect::NewEvent { at, kind, actor, text, key_moment };
            inspect::add_event(&store, &incident, event, json).await
        }
        Command::ActionItems { change: Some(change), .. } => {
            let store = open(&config).await?;
            let (id, json, change) = match change {
                ActionItemCommand::Close { id, wont_do, json } => (id, json, action_items::Change::Close { wont_do }),
                ActionItemCommand::Reopen { id, json } => (id, json, action_items::Change::Reopen),
                ActionItemCommand::Reassign { id, owner, team, nobody, json } => {
                    (id, json, action_items::Change::Reassign { owner, team, nobody })
                }
                ActionItemCommand::Due { id, date, json } => (id, json, action_items::Change::Due(date)),
            };
            action_items::change(&store, &id, change, json).await
        }
        Command::ActionItems { change: None, owner, team, incident, status, overdue, limit, json } => {
            let store = open(&config).await?;
            let list = action_items::ActionItemList { owner, team, incident, status, overdue, limit };
            action_items::list(&store, &list, json).await
        }
        Command::Timeline { incident, duplicates, json } => {
            let store = open(&config).await?;
            inspect::timeline(&store, &incident, duplicates, json).await
        }
        Command::Metrics { incident, status, severity, service, team, search, json } => {
            let store = open(&config).await?;
            match incident {
                Some(incident) => inspect::metrics(&store, &incident, json).await,
                None => {
                    let selection = incidents::IncidentSelection { status, severity, service, team, search };
                    inspect::response_times(&store, &selection, json).await
                }
            }
        }
        Command::User { command } => {
            let store = open(&config).await?;
            user_command(&store, command).await
        }
        Command::Token { command } => {
            let store = open(&config).await?;
            token_command(&store, command).await
        }
        Command::Audit { command } => {
            let store = open(&config).await?;
            match command {
                AuditCommand::Verify { json } => audit::verify(&store, json).await,
                AuditCommand::Log { limit, json } => audit::log(&store, limit, json).await,
            }
        }
    }
}

/// Why a change to `what` was refused, as a command says it: what did not pass the checks,
/// or that someone changed it meanwhile; nothing was changed either way.
pub(crate) fn change_refused(what: &str, error: hindsight_app::AppError) -> anyhow::Error {
    use hindsight_app::AppError;
    use hindsight_store::StoreError;
    match error {
        AppError::Store(StoreError::Invalid(errors)) => anyhow::anyhow!("{what} was not changed: {errors}"),
        AppError::Store(StoreError::Conflict { .. }) => {
            anyhow::anyhow!("{what} was changed by someone else meanwhile; nothing was changed, run the command again")
        }
        other => other.into(),
    }
}

/// The file a `sqlite://PATH[?options]` URL names; `None` for any other database.
pub(crate) fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p))
}

pub(crate) async fn open(config: &Config) -> anyhow::Result<Store> {
    let url = hindsight_store::redact(&config.database_url);
    if let Some(path) = sqlite_path(&config.database_url) {
        let folder = std::path::Path::new(path).parent().filter(|f| !f.as_os_str().is_empty());
        if let Some(folder) = folder.filter(|f| !f.is_dir()) {
            anyhow::bail!(
                "cannot open {url}: the folder {} does not exist; create it, or give a --database-url in a folder \
                 that does",
                folder.display()
            );
        }
    }
    let store = Store::connect(&config.database_url).await.with_context(|| format!("opening {url}"))?;
    store.migrate().await.with_context(|| format!("migrating {url}"))?;
    Ok(store)
}

/// Listens on the configured address; a port in use is refused with `hint` (how to choose another).
async fn bind(config: &Config, hint: &str) -> anyhow::Result<tokio::net::TcpListener> {
    let addr: SocketAddr =
        config.listen.parse().with_context(|| format!("listen address {:?} is not ADDRESS:PORT", config.listen))?;
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => anyhow::bail!(
            "cannot listen on {addr}: the address is already in use (another Hindsight, or another program); {hint}"
        ),
        Err(e) => Err(e).with_context(|| format!("listening on {addr}")),
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    config: &Config,
    demo_login: Option<(&str, &str)>,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    // The demo makes a key of its own for the run, so destinations can be tried out.
    let key = match (config.secret_key()?, demo_login) {
        (Some(key), _) => Some(key),
        (None, Some(_)) => Some(
            hindsight_app::secrets::SecretKey::from_base64(&hindsight_app::secrets::SecretKey::generate())
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
        (None, None) => None,
    };
    let base_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let deliverer = hindsight_app::deliveries::Deliverer::new(config.deliveries, &config.email, key.clone(), &base_url)
        .map_err(|e| anyhow::anyhow!(e))?;
    let settings = Settings {
        secure_cookies: config.secure_cookies.unwrap_or(!addr.ip().is_loopback()),
        session_hours: config.session_hours,
        max_body_bytes: config.max_body_bytes,
        severity_labels: config.severity_labels.clone(),
        rules: hindsight_app::Rules { secret_key: key.clone(), ..config.rules() },
        public_url: config.public_url.clone(),
        connections: config.connections,
        trusted_proxies: config.trusted_proxies()?,
        notifications: config.notifications,
        deliverer,
        ..Settings::default()
    };
    let local = addr;
    // Whoever started the server may have stopped reading its output; serving goes on.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "Hindsight is serving on http://{local}/ ({})", store.backend());
    let _ = writeln!(out, "API: http://{local}/api/v1  OpenAPI: http://{local}/api/v1/openapi.json");
    if let Some((user, password)) = demo_login {
        let _ = writeln!(out, "Sign in as {user} / {password}");
    }
    let _ = out.flush();
    tracing::info!(%local, backend = store.backend(), "serving");
    hindsight_server::serve(listener, AppState::new(store.clone(), settings)).await?;
    // Connections still held by a task that has not seen the stop yet are not waited for long.
    if tokio::time::timeout(std::time::Duration::from_secs(10), store.close()).await.is_err() {
        tracing::warn!("stopped without closing every database connection: some were still in use after 10 s");
    }
    Ok(())
}

async fn user_command(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, role, display_name, email, password_stdin } => {
            let role: Role = flags::word("--role", &role)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
                // Its length is the accounts' rule, checked with the other fields below.
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (hindsight_app::secrets::new_secret("")[..24].to_string(), true)
            };
            let new = CreateUser {
                display_name: display_name.unwrap_or_else(|| name.clone()),
                username: name,
                email,
                role,
                password: Some(password.clone()),
            };
            let user = hindsight_app::accounts::create_user(store, &Actor::Operator, new).await?;
            println!("Created {} ({}).", user.username, user.role);
            if generated {
                println!("Password (shown once): {password}");
                if !std::io::stdout().is_terminal() {
                    eprintln!("note: the generated password was printed to standard output");
                }
            }
            Ok(())
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                let teams = user.teams.join(",");
                let state = if user.disabled { " (disabled)" } else { "" };
                println!("{:<24} {:<7} {}{} [{}]", user.username, user.role, user.display_name, state, teams);
            }
            Ok(())
        }
    }
}

async fn token_command(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { user, name } => {
            let created = hindsight_app::accounts::create_token(store, &Actor::Operator, &user, &name).await?;
            let (token, secret) = (created.token, created.secret);
            eprintln!("Created token {} ({}) for {}. It is shown once:", token.id, token.name, token.username);
            println!("{secret}");
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let token = hindsight_app::accounts::revoke_token(store, &Actor::Operator, &id).await?;
            println!("Revoked token {} of {}.", token.id, token.username);
            Ok(())
        }
        TokenCommand::List { user } => {
            for token in store.list_tokens(&user).await? {
                let state = if token.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}  {:<8} {}", token.id, state, token.name);
            }
            Ok(())
        }
    }
}
