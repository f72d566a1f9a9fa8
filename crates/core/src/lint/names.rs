//! Decides whether the subject of a verb is a person: a known name, an
//! @mention, a role ("the on-call engineer", "the intern"), a pronoun, or a
//! capitalised word that looks like a first name and is not a known system
//! word. The blame rules only fire on people, so this is where precision lives.
//!
//! It does not resolve references across sentences ("it", "they" stay
//! ambiguous) and knows no grammar beyond noun phrases, prepositions and
//! relative clauses.

use super::sentences::{Kind, Sentence, Token};

/// Who (or what) a subject is, as far as the check can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agent {
    /// One of the names the caller passed.
    Named,
    /// A capitalised word that looks like a first name.
    Guessed,
    /// An `@handle`.
    Mention,
    /// he, she, I, you.
    Pronoun,
    /// someone, somebody, whoever, anyone.
    Someone,
    /// A role standing for a person; `pointed` for roles that single someone out
    /// (the intern, the new hire, the contractor).
    Role { pointed: bool },
    /// we, everyone, the team.
    Group,
    /// they: people or things.
    They,
    /// nobody, no one.
    Nobody,
}

impl Agent {
    /// Whether the agent is one identifiable person (or a stand-in for one).
    pub fn is_individual(self) -> bool {
        matches!(
            self,
            Agent::Named | Agent::Guessed | Agent::Mention | Agent::Pronoun | Agent::Someone | Agent::Role { .. }
        )
    }

    /// Whether the agent is named outright (a name, a handle, a pronoun for one, a pointed role).
    pub fn is_singled_out(self) -> bool {
        matches!(self, Agent::Named | Agent::Guessed | Agent::Mention | Agent::Pronoun | Agent::Role { pointed: true })
    }

    /// Whether naming the agent should be replaced by an anonymous stand-in.
    pub fn is_identifying(self) -> bool {
        matches!(self, Agent::Named | Agent::Guessed | Agent::Mention)
    }
}

/// A subject found in a sentence: who it is and the tokens that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subject {
    pub agent: Agent,
    /// Index of the first token of the subject phrase.
    pub first: usize,
    /// Index of the head token (the last token of the phrase).
    pub head: usize,
}

/// The people the caller told us about, as lower-case word sequences.
pub(crate) struct People {
    names: Vec<Vec<String>>,
}

impl People {
    /// Usernames and display names; a display name's first word counts on its own too.
    pub fn new(known: &[String]) -> Self {
        let mut names: Vec<Vec<String>> = Vec::new();
        for name in known {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| w.trim_start_matches('@').to_lowercase())
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                continue;
            }
            if words.len() > 1 && words[0].chars().count() >= 2 && words[0].chars().all(char::is_alphabetic) {
                names.push(vec![words[0].clone()]);
            }
            names.push(words);
        }
        names.sort();
        names.dedup();
        People { names }
    }

    /// The first token of a known name ending at token `head`, if one does.
    fn known_name_ending_at(&self, s: &Sentence, head: usize) -> Option<usize> {
        self.names
            .iter()
            .filter(|name| name.len() <= head + 1)
            .filter(|name| {
                let first = head + 1 - name.len();
                name.iter().enumerate().all(|(k, w)| {
                    let t = &s.tokens[first + k];
                    matches!(t.kind, Kind::Word | Kind::Mention) && t.lower.trim_start_matches('@') == w.as_str()
                })
            })
            .map(|name| head + 1 - name.len())
            .min()
    }

    /// Whether token `i` names a person (a name, a handle, a pronoun for one) when
    /// used as a possessor: `Dana's change`, `his mistake`.
    pub fn is_person_possessor(&self, s: &Sentence, i: usize) -> bool {
        let t = &s.tokens[i];
        if t.is_any(&["his", "her", "my", "your"]) {
            return true;
        }
        t.possessive
            && matches!(self.classify(s, i).map(|(a, _)| a), Some(Agent::Named | Agent::Guessed | Agent::Mention))
    }

    /// Who token `head` names, and where the phrase starts, if it is a person.
    pub fn classify(&self, s: &Sentence, head: usize) -> Option<(Agent, usize)> {
        let t = s.tokens.get(head)?;
        match t.kind {
            Kind::Mention => return Some((Agent::Mention, head)),
            Kind::Word => {}
            _ => return None,
        }
        if let Some(first) = self.known_name_ending_at(s, head) {
            return Some((Agent::Named, first));
        }
        let word = t.lower.as_str();
        let agent = match word {
            "he" | "she" | "i" | "you" | "him" | "me" => Agent::Pronoun,
            "someone" | "somebody" | "whoever" | "anyone" | "anybody" => Agent::Someone,
            "we" | "us" | "everyone" | "everybody" => Agent::Group,
            "they" | "them" => Agent::They,
            "nobody" => Agent::Nobody,
            "one" if head > 0 && s.is(head - 1, "no") => return Some((Agent::Nobody, head - 1)),
            "hire" | "hires" if head > 0 && s.is(head - 1, "new") => Agent::Role { pointed: true },
            _ if TEAM_WORDS.contains(&word) => Agent::Group,
            _ if ROLE_WORDS.contains(&word) => {
                let first = phrase_start(s, head);
                let pointed =
                    POINTED_ROLES.contains(&word) || s.tokens[first..head].iter().any(|t| t.is_any(POINTED_MODIFIERS));
                return Some((Agent::Role { pointed }, first));
            }
            _ if looks_like_first_name(s, head) => {
                let first = if head > 0 && looks_like_first_name(s, head - 1) { head - 1 } else { head };
                return Some((Agent::Guessed, first));
            }
            _ => return None,
        };
        let first = if matches!(agent, Agent::Group | Agent::Role { .. }) { phrase_start(s, head) } else { head };
        Some((agent, first))
    }

    /// The subject of the verb group that starts at token `verb`, if it is a person.
    ///
    /// Looks left past adverbs and auxiliaries to the noun phrase before the verb,
    /// then through a prepositional phrase (`the author of the script`), a
    /// parenthetical (`Dana, who was on call,`) or a relative clause (`the
    /// developer who wrote it`) to the phrase's head.
    pub fn subject_of(&self, s: &Sentence, verb: usize) -> Option<Subject> {
        let mut k = verb;
        while k > 0 && s.tokens[k - 1].is_any(SUBJECT_VERB_FILLERS) {
            k -= 1;
        }
        let mut head = k.checked_sub(1)?;
        if s.tokens[head].is_punct(',') {
            // `Dana, who was on call, should have…`
            let open = (head.saturating_sub(15)..head).rev().find(|&j| s.tokens[j].is_punct(','))?;
            if !s.is_any(open + 1, &["who", "whom", "as", "being"]) {
                return None;
            }
            head = open.checked_sub(1)?;
        }
        if s.tokens[head].is_any(&["and", "then"]) {
            // `The engineer took a shortcut and skipped…`: the subject of the first verb.
            let head = if s.is(head, "then") && head > 0 && s.is(head - 1, "and") { head - 1 } else { head };
            return self.coordinated_subject(s, head);
        }
        let head = skip_post_modifiers(s, head);
        let mut start = match self.classify(s, head) {
            // A person inside a phrase attached to the subject (`the job run by the intern`)
            // is not the subject; look at what the phrase is attached to.
            Some((_, first)) if first > 0 && s.tokens[first - 1].is_any(ATTACHING) => first,
            Some((agent, first)) => return Some(Subject { agent, first, head }),
            None if matches!(s.tokens[head].kind, Kind::Word | Kind::Opaque | Kind::Number) => phrase_start(s, head),
            None => return None,
        };
        // `the author of the migration`, `the SRE on call`: the head is before the preposition.
        for _ in 0..2 {
            if start < 2 || !s.tokens[start - 1].is_any(ATTACHING) {
                break;
            }
            let outer = start - 2;
            if s.tokens[start - 1].is("of") && s.tokens[outer].is_any(QUANTIFIERS) {
                // `one of the engineers`
                return self.classify(s, start).or_else(|| self.classify(s, head)).map(|(agent, _)| Subject {
                    agent,
                    first: outer,
                    head,
                });
            }
            // A guessed name reached through a preposition is too often a place or product.
            if let Some((agent, first)) = self.classify(s, outer).filter(|(a, _)| *a != Agent::Guessed) {
                return Some(Subject { agent, first, head: outer });
            }
            start = phrase_start(s, outer);
        }
        // `the developer who wrote the script`: the subject is what `who` refers to.
        let clause_start = (0..verb).rev().find(|&j| is_clause_punct(&s.tokens[j])).map_or(0, |j| j + 1);
        for j in (clause_start..k).rev() {
            if s.is(j, "whoever") {
                return Some(Subject { agent: Agent::Someone, first: j, head: j });
            }
            if s.is(j, "who") && j > clause_start {
                let before = if s.tokens[j - 1].is_punct(',') { j.checked_sub(2)? } else { j - 1 };
                let (agent, first) = self.classify(s, before)?;
                return Some(Subject { agent, first, head: before });
            }
        }
        None
    }
}

impl People {
    /// The subject of a clause whose later verb follows `and` at `conjunction`: a
    /// person within the first few words of the clause, else none.
    fn coordinated_subject(&self, s: &Sentence, conjunction: usize) -> Option<Subject> {
        let clause_start = (0..conjunction).rev().find(|&j| is_clause_punct(&s.tokens[j])).map_or(0, |j| j + 1);
        (clause_start..(clause_start + 6).min(conjunction)).find_map(|m| {
            let (agent, first) = self.classify(s, m)?;
            let next_is_verb = s.tokens.get(m + 1).is_some_and(|t| t.kind == Kind::Word && !t.is_any(PP_PREPOSITIONS));
            next_is_verb.then_some(Subject { agent, first, head: m })
        })
    }
}

/// Skips words that follow a noun without changing who it is: `the engineer responsible`, `the on-call themselves`.
fn skip_post_modifiers(s: &Sentence, mut head: usize) -> usize {
    while head > 0 && s.tokens[head].is_any(POST_MODIFIERS) {
        head -= 1;
    }
    head
}

/// The first token of the noun phrase ending at `head`: back over modifiers to a determiner.
pub(crate) fn phrase_start(s: &Sentence, head: usize) -> usize {
    let mut first = head;
    for _ in 0..5 {
        if first == 0 {
            break;
        }
        let t = &s.tokens[first - 1];
        if t.is_any(DETERMINERS) {
            return first - 1;
        }
        let joins_phrase = match t.kind {
            Kind::Word => !t.is_any(PHRASE_STOPS) && !t.is_any(PP_PREPOSITIONS) && !t.possessive,
            Kind::Opaque | Kind::Mention => true,
            Kind::Number => !t.text.contains(':'),
            Kind::Punct => false,
        };
        if !joins_phrase {
            break;
        }
        first -= 1;
    }
    first
}

pub(crate) fn is_clause_punct(t: &Token) -> bool {
    t.kind == Kind::Punct && !t.is_punct('.')
}

/// Whether token `i` is a capitalised word that reads as a first name: not a
/// common word, not a system word, not shaped like a noun, not after a determiner.
pub(crate) fn looks_like_first_name(s: &Sentence, i: usize) -> bool {
    let t = &s.tokens[i];
    if t.kind != Kind::Word {
        return false;
    }
    if !name_shaped(&t.text) {
        return false;
    }
    let word = t.lower.as_str();
    if COMMON_WORDS.contains(&word) || SYSTEM_WORDS.contains(&word) || ROLE_WORDS.contains(&word) {
        return false;
    }
    if NOUN_SUFFIXES.iter().any(|suffix| word.len() > suffix.len() + 2 && word.ends_with(suffix)) {
        return false;
    }
    if i > 0 {
        let previous = &s.tokens[i - 1];
        // `the Argo rollout`, `in Chubby`: a determiner or preposition before a name is rare.
        if previous.is_any(DETERMINERS)
            || previous.is_any(ATTACHING)
            || previous.is_any(&["into", "onto", "via", "than", "like"])
        {
            return false;
        }
        // `Google Cloud`, `US West`: part of a product or place name, unless both look like names (`Dana Kim`).
        // `Obviously Aisha should have…`: a sentence adverb opening the sentence, not part of a name.
        // `Had Victor looked…`, `If Beatriz had read…`, `Because Siobhan ignored…`: a conjunction
        // opening the sentence is capitalised only because it comes first.
        let opening_adverb = i == 1
            && ((previous.lower.len() > 4 && previous.lower.ends_with("ly")) || previous.is_any(OPENING_CONJUNCTIONS));
        if previous.kind == Kind::Word
            && !opening_adverb
            && previous.text.chars().next().is_some_and(char::is_uppercase)
            && (SYSTEM_WORDS.contains(&previous.lower.as_str())
                || COMMON_WORDS.contains(&previous.lower.as_str())
                || !name_shaped(&previous.text))
        {
            return false;
        }
    }
    true
}

/// Conjunctions that open a sentence before a subject: `Had Victor…`, `Because Dana…`.
const OPENING_CONJUNCTIONS: &[&str] =
    &["had", "if", "because", "since", "when", "once", "after", "before", "while", "although", "though", "unless"];

/// Whether token `i` is shaped like a first name and is no known word, wherever it stands:
/// `down to Farah not…`, `result of Elif's…`. Looser than `looks_like_first_name`, for
/// frames that already point at a person.
pub(crate) fn name_anywhere(s: &Sentence, i: usize) -> bool {
    let t = &s.tokens[i];
    let word = t.lower.as_str();
    i > 0
        && t.kind == Kind::Word
        && name_shaped(&t.text)
        && !COMMON_WORDS.contains(&word)
        && !SYSTEM_WORDS.contains(&word)
        && !ROLE_WORDS.contains(&word)
        && !NOUN_SUFFIXES.iter().any(|suffix| word.len() > suffix.len() + 2 && word.ends_with(suffix))
}

/// A capital followed by lower-case letters: `Dana`, `O'Neil`, `Mary-Jane`; not `DNS` or `PagerDuty`.
fn name_shaped(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return false };
    let rest: Vec<char> = chars.collect();
    first.is_uppercase()
        && !rest.is_empty()
        && rest.len() <= 14
        && rest.iter().all(|c| c.is_lowercase() || *c == '-' || *c == '\'')
        && rest.iter().any(|c| c.is_lowercase())
}

/// Words that can sit between a subject and its verb.
#[rustfmt::skip]
pub(crate) const SUBJECT_VERB_FILLERS: &[&str] = &[
    "probably", "really", "clearly", "definitely", "certainly", "obviously", "also", "still", "just", "simply",
    "perhaps", "maybe", "likely", "surely", "arguably", "then", "honestly", "frankly", "again", "actually", "never",
    "always", "apparently", "unfortunately", "mistakenly", "accidentally", "inadvertently", "erroneously", "errantly",
    "wrongly", "carelessly", "blindly", "recklessly", "negligently", "sloppily", "stupidly", "foolishly", "hastily",
    "thoughtlessly", "once", "immediately", "later", "first", "had", "has", "have", "himself", "herself", "themselves",
    "ourselves", "myself", "completely", "totally", "somehow", "evidently", "keep", "keeps", "kept",
];

/// Words after a noun that leave it the head: `the engineer responsible`.
#[rustfmt::skip]
const POST_MODIFIERS: &[&str] = &[
    "responsible", "involved", "concerned", "himself", "herself", "themselves", "ourselves", "myself", "alone", "too",
    "also", "again", "later", "here", "there",
];

/// Prepositions that attach a phrase to the noun before them.
pub(crate) const PP_PREPOSITIONS: &[&str] = &["of", "on", "in", "at", "with", "from", "for", "during", "behind"];

/// Words that attach a phrase to the noun before them, including a passive agent.
const ATTACHING: &[&str] = &["of", "on", "in", "at", "with", "from", "for", "during", "behind", "by", "to"];

/// Words that take `of` and a group: `one of the engineers`.
const QUANTIFIERS: &[&str] =
    &["one", "some", "many", "several", "all", "most", "each", "two", "three", "both", "any", "either", "neither"];

pub(crate) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "our", "their", "this", "that", "these", "those", "his", "her", "its", "my", "your", "some",
    "any", "every", "each", "another", "whose",
];

/// Words that end a noun phrase going leftwards: verbs, auxiliaries, conjunctions.
#[rustfmt::skip]
const PHRASE_STOPS: &[&str] = &[
    "and", "or", "but", "so", "because", "since", "when", "while", "after", "before", "until", "although", "though",
    "if", "whereas", "which", "that", "then", "as", "once", "unless", "whether", "where", "who", "whom", "is", "was",
    "were", "are", "be", "been", "being", "has", "had", "have", "do", "does", "did", "will", "would", "should", "could",
    "can", "may", "might", "must", "not", "to", "by", "than", "it", "what", "how", "why", "found", "said", "saw", "see",
    "think", "thought", "noticed", "learned", "realised", "realized", "believe", "believed", "know", "knew", "means",
    "meant", "yesterday", "today", "tonight", "meanwhile", "later", "eventually", "finally", "first", "next", "also",
    "however", "here", "there", "at",
];

/// Words for a group of people.
const TEAM_WORDS: &[&str] = &[
    "team",
    "teams",
    "squad",
    "org",
    "organisation",
    "organization",
    "department",
    "staff",
    "people",
    "folks",
    "guys",
    "crew",
];

/// Words for a person's role.
#[rustfmt::skip]
pub(crate) const ROLE_WORDS: &[&str] = &[
    "engineer", "engineers", "developer", "developers", "dev", "devs", "programmer", "programmers", "operator",
    "operators", "on-call", "oncall", "on-caller", "on-callers", "oncaller", "responder", "responders", "intern",
    "interns", "sre", "sres", "dba", "dbas", "admin", "admins", "administrator", "administrators", "sysadmin",
    "sysadmins", "reviewer", "reviewers", "approver", "approvers", "author", "authors", "committer", "commander", "ic",
    "lead", "manager", "managers", "contractor", "contractors", "employee", "employees", "staffer", "colleague",
    "colleagues", "teammate", "teammates", "person", "member", "members", "analyst", "technician", "technicians",
    "maintainer", "maintainers", "trainee", "trainees", "newcomer", "newcomers", "newbie", "junior", "juniors",
    "individual", "human", "humans", "coworker", "co-worker", "specialist", "architect", "tester", "testers", "guy",
];

/// Roles that single one person out.
const POINTED_ROLES: &[&str] =
    &["intern", "interns", "trainee", "trainees", "newcomer", "newbie", "contractor", "junior", "individual"];
const POINTED_MODIFIERS: &[&str] = &["junior", "new", "inexperienced", "same"];

/// Endings of nouns that are rarely first names: `Monitoring`, `Replication`, `Deployments`.
const NOUN_SUFFIXES: &[&str] = &[
    "ing", "tion", "sion", "ment", "ments", "ness", "ity", "ance", "ers", "ors", "ies", "ions", "ism", "ics", "ware",
    "age", "ages", "ure", "ures", "ogy", "ful", "ship", "able", "ible", "ive", "ous", "ets", "ops", "ups", "ks", "ds",
    "ts", "ps", "gs",
];

/// Words that start a sentence or clause with a capital and are not names.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "we", "our", "us", "they", "their", "he", "she",
    "his", "her", "i", "you", "your", "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody",
    "nothing", "everything", "something", "no", "none", "each", "every", "all", "both", "some", "many", "most",
    "several", "one", "two", "three", "then", "after", "before", "when", "while", "because", "since", "if", "but",
    "and", "or", "so", "later", "meanwhile", "eventually", "finally", "first", "second", "third", "next", "last",
    "also", "however", "unfortunately", "luckily", "fortunately", "ultimately", "initially", "suddenly", "here",
    "there", "today", "yesterday", "tonight", "again", "still", "only", "even", "instead", "afterwards", "root",
    "cause", "impact", "summary", "timeline", "detection", "resolution", "trigger", "action", "owner", "status",
    "traffic", "latency", "deploy", "deploys", "rollout", "rollback", "config", "prod", "staging", "production",
    "automation", "review", "code", "backup", "backups", "cache", "network", "database", "disk", "memory", "cpu",
    "load", "capacity", "failover", "recovery", "customers", "users", "support", "security", "infra", "platform",
    "payments", "checkout", "search", "login", "auth", "billing", "api", "service", "server", "cluster", "node", "pod",
    "job", "queue", "worker", "scheduler", "tool", "script", "pipeline", "build", "release", "change", "migration",
    "upgrade", "maintenance", "dashboard", "logs", "metrics", "alerts", "alert", "pages", "page", "leadership", "legal",
    "sales", "marketing", "finance", "somehow", "apparently", "clearly", "obviously", "evidently", "sadly",
    "thankfully", "frankly", "honestly", "basically", "essentially", "overall", "ok", "yes", "note", "update", "edit",
    "context", "background", "why", "what", "how", "who", "where", "which", "whoever", "once", "twice", "during",
    "until", "although", "though", "whereas", "as", "for", "with", "without", "from", "at", "in", "on", "by", "of",
    "to", "into", "over", "under", "per", "via", "within", "between", "across", "around", "about", "against", "through",
    "despite", "upon", "off", "out", "up", "down", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "utc", "am", "pm", "nobody", "never", "always", "sometimes", "often", "usually", "rarely",
    "because", "thus", "hence", "therefore", "meanwhile", "otherwise", "please", "let", "make", "add", "run", "use",
    "check", "restart", "retry", "revert", "just", "simply", "merely", "did", "does", "do", "was", "were", "is", "are",
    "had", "has", "have", "will", "would", "should", "could", "can", "must", "might", "shall", "not", "nor", "yet",
    "had", "then", "soon", "now", "whatever", "whichever", "anything", "whole", "other", "others", "such", "same",
    "more", "less", "few", "much", "any", "own", "either", "neither", "staff", "team", "teams", "ops", "devops", "sre",
    "cloud", "web", "mobile", "app", "apps", "client", "clients", "frontend", "backend", "storage", "compute", "edge",
    "core", "data", "email", "mail", "chat", "phone", "power", "hardware", "software", "firmware", "vendor", "provider",
    "region", "zone", "primary", "replica", "secondary", "leader", "follower", "master", "origin", "host", "hosts",
    "machine", "instance", "container", "process", "thread", "request", "requests", "response", "responses", "error",
    "errors", "failure", "outage", "incident", "bug", "fix", "patch", "hotfix", "feature", "flag", "toggle", "switch",
    "router", "proxy", "gateway", "firewall", "certificate", "cert", "key", "token", "secret", "password", "account",
    "quota", "limit", "budget", "threshold", "health", "probe", "canary", "test", "tests", "check", "checks", "lint",
    "linter", "hook", "cron", "batch", "stream", "topic", "table", "index", "schema", "query", "queries", "row", "rows",
    "file", "files", "directory", "volume", "snapshot", "image", "binary", "package", "library", "module", "version",
    "branch", "commit", "merge", "diff", "pr", "ticket", "runbook", "playbook", "checklist", "procedure", "plan",
    "policy", "rule", "rules", "doc", "docs", "wiki", "step", "steps", "time", "date", "day", "week", "month", "year",
    "hour", "minute", "second", "night", "morning", "evening", "weekend", "holiday", "peak", "spike", "surge", "burst",
    "retry", "retries", "timeout", "timeouts", "backoff", "throttle", "rate", "cost", "risk", "mitigation",
    "remediation", "lessons", "learnings", "takeaways", "recommendations", "next", "follow-up", "followup", "why",
    "customer", "user", "nothing", "anything", "everything", "something", "somewhere", "nowhere", "everywhere", "app",
    "engine", "agent", "effect", "north", "south", "east", "west", "central", "europe", "asia", "america", "africa",
    "australia", "pacific", "atlantic", "temporary", "global", "local", "remote", "internal", "external",
];

/// Names of systems, products and protocols that often start a sentence.
#[rustfmt::skip]
pub(crate) const SYSTEM_WORDS: &[&str] = &[
    "kubernetes", "k8s", "kafka", "zookeeper", "consul", "etcd", "vault", "nomad", "terraform", "ansible", "puppet",
    "chef", "salt", "saltstack", "jenkins", "github", "gitlab", "bitbucket", "circleci", "travis", "argo", "argocd",
    "flux", "spinnaker", "helm", "docker", "containerd", "podman", "nginx", "apache", "haproxy", "envoy", "istio",
    "linkerd", "traefik", "caddy", "varnish", "squid", "memcached", "memcache", "redis", "valkey", "postgres",
    "postgresql", "mysql", "mariadb", "mongodb", "mongo", "cassandra", "scylla", "elasticsearch", "elastic",
    "opensearch", "kibana", "logstash", "fluentd", "fluentbit", "vector", "grafana", "prometheus", "alertmanager",
    "thanos", "cortex", "mimir", "loki", "tempo", "jaeger", "zipkin", "datadog", "splunk", "sentry", "honeycomb",
    "newrelic", "pagerduty", "opsgenie", "victorops", "slack", "zoom", "teams", "jira", "confluence", "statuspage",
    "aws", "gcp", "azure", "google", "amazon", "microsoft", "s3", "ec2", "ebs", "elb", "alb", "rds", "lambda",
    "cloudfront", "cloudwatch", "cloudflare", "fastly", "akamai", "route53", "bgp", "dns", "linux", "windows", "macos",
    "ubuntu", "debian", "centos", "rhel", "chrome", "chromium", "firefox", "safari", "android", "ios", "java", "python",
    "ruby", "rails", "node", "nodejs", "django", "flask", "spring", "jvm", "go", "golang", "rust", "openssl",
    "letsencrypt", "certbot", "systemd", "cron", "crontab", "openstack", "ceph", "gluster", "nfs", "zfs", "hadoop",
    "hdfs", "spark", "flink", "airflow", "celery", "rabbitmq", "sidekiq", "resque", "puma", "unicorn", "gunicorn",
    "uwsgi", "tomcat", "jetty", "pgbouncer", "patroni", "orchestrator", "vitess", "citus", "cockroach", "cockroachdb",
    "dynamo", "dynamodb", "bigtable", "spanner", "bigquery", "snowflake", "redshift", "heroku", "vercel", "netlify",
    "openshift", "rancher", "nagios", "icinga", "zabbix", "graphite", "statsd", "collectd", "telegraf", "influx",
    "influxdb", "mesos", "marathon", "yarn", "npm", "pip", "cargo", "maven", "gradle", "bazel", "webpack", "stripe",
    "twilio", "okta", "auth0", "keycloak", "ldap", "kerberos", "ssh", "tls", "ssl", "http", "https", "grpc", "graphql",
    "postfix", "exim", "bind", "unbound", "coredns", "kubelet", "kubectl", "calico", "cilium", "flannel", "weave",
    "metallb", "velero", "harbor", "nexus", "artifactory", "sonarqube", "dependabot", "renovate", "copilot", "openai",
    "hindsight", "git", "svn", "mercurial", "bash", "zsh", "vim", "emacs", "excel", "sheets", "gmail", "outlook",
    "exchange", "sharepoint", "office", "trello", "asana", "notion", "discord", "mattermost", "rocket", "teleport",
    "bastion", "jumpbox", "nginx's", "varnish's", "puppetdb", "foreman", "cobbler", "pxe", "ipmi", "idrac", "ilo",
    "raid", "lvm", "xfs", "ext4", "btrfs", "iptables", "nftables", "haproxy's", "keepalived", "pacemaker", "corosync",
    "drbd", "galera", "percona", "proxysql", "maxscale", "clickhouse", "druid", "pinot", "presto", "trino", "hive",
    "impala", "kinesis", "pubsub", "sqs", "sns", "eventbridge", "firehose", "glue", "athena", "emr", "eks", "ecs",
    "gke", "aks", "fargate", "beanstalk", "cloudformation", "pulumi", "crossplane", "backstage", "buildkite",
    "teamcity", "bamboo", "octopus", "drone", "tekton", "concourse", "nix", "guix", "homebrew", "apt", "dpkg", "rpm",
    "dnf", "snap", "flatpak", "kernel", "grub", "bios", "uefi", "cdn", "waf", "vpn", "vpc", "nat", "lb", "api", "sdk",
    "cli", "ui", "ci", "cd",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{markdown::mask, sentences::split};

    fn sentence(text: &str) -> Sentence {
        let chars: Vec<char> = text.chars().collect();
        split(&chars, &mask(&chars)).remove(0)
    }

    fn people() -> People {
        People::new(&["Dana Kim".to_string(), "sam".to_string(), "dana.kim".to_string()])
    }

    /// The agent of the subject of the first occurrence of `verb`.
    fn agent(text: &str, verb: &str) -> Option<Agent> {
        let s = sentence(text);
        let i = s.tokens.iter().position(|t| t.lower == verb).expect("verb present");
        people().subject_of(&s, i).map(|subject| subject.agent)
    }

    #[test]
    fn known_names_match_whole_and_by_first_word() {
        assert_eq!(agent("Dana Kim broke it", "broke"), Some(Agent::Named));
        assert_eq!(agent("Dana broke it", "broke"), Some(Agent::Named));
        assert_eq!(agent("then dana.kim broke it", "broke"), Some(Agent::Named));
        assert_eq!(agent("@whoever broke it", "broke"), Some(Agent::Mention));
    }

    #[test]
    fn a_multi_word_name_subject_starts_at_its_first_word() {
        let s = sentence("Then Dana Kim broke it");
        assert_eq!(people().subject_of(&s, 3).map(|x| (x.first, x.head)), Some((1, 2)));
    }

    #[test]
    fn roles_and_pronouns_are_people() {
        assert_eq!(agent("The on-call engineer missed it", "missed"), Some(Agent::Role { pointed: false }));
        assert_eq!(agent("The new hire missed it", "missed"), Some(Agent::Role { pointed: true }));
        assert_eq!(agent("The junior engineer missed it", "missed"), Some(Agent::Role { pointed: true }));
        assert_eq!(agent("She missed it", "missed"), Some(Agent::Pronoun));
        assert_eq!(agent("We missed it", "missed"), Some(Agent::Group));
        assert_eq!(agent("Nobody missed it", "missed"), Some(Agent::Nobody));
        assert_eq!(agent("No one missed it", "missed"), Some(Agent::Nobody));
    }

    #[test]
    fn systems_are_not_people() {
        assert_eq!(agent("The job failed to start", "failed"), None);
        assert_eq!(agent("Kubernetes failed to start", "failed"), None);
        assert_eq!(agent("Monitoring missed the spike", "missed"), None);
        assert_eq!(agent("Replication broke", "broke"), None);
        assert_eq!(agent("PagerDuty failed to page", "failed"), None);
        assert_eq!(agent("The DNS server failed", "failed"), None);
        assert_eq!(agent("Google Cloud failed to", "failed"), None);
    }

    #[test]
    fn capitalised_first_names_are_guessed() {
        assert_eq!(agent("Marco broke the deploy", "broke"), Some(Agent::Guessed));
        assert_eq!(agent("The deploy broke because Jordan skipped the canary", "skipped"), Some(Agent::Guessed));
        assert_eq!(agent("At 14:02 Aisha ran the job", "ran"), Some(Agent::Guessed));
        assert_eq!(agent("Obviously Aisha ran the job", "ran"), Some(Agent::Guessed));
    }

    #[test]
    fn place_and_product_names_are_not_guessed_as_people() {
        assert_eq!(agent("A service running on App Engine caused the failure", "caused"), None);
        assert_eq!(agent("In West Europe we experienced load and caused it", "caused"), Some(Agent::Group));
        assert_eq!(agent("The ACL stored in Chubby corrupted", "corrupted"), None);
        assert_eq!(agent("Effect on the instances updated with faulty code", "updated"), None);
    }

    #[test]
    fn a_verb_after_and_takes_the_clause_subject() {
        assert_eq!(
            agent("The engineer took a shortcut and skipped the deploy", "skipped"),
            Some(Agent::Role { pointed: false })
        );
        assert_eq!(agent("The deploy stalled and skipped the canary", "skipped"), None);
    }

    #[test]
    fn adverbs_and_auxiliaries_between_subject_and_verb_are_skipped() {
        assert_eq!(agent("Dana probably should have", "should"), Some(Agent::Named));
        assert_eq!(agent("Dana had accidentally deleted it", "deleted"), Some(Agent::Named));
    }

    #[test]
    fn the_head_of_a_prepositional_phrase_is_before_the_preposition() {
        assert_eq!(
            agent("The author of the migration failed to test it", "failed"),
            Some(Agent::Role { pointed: false })
        );
        assert_eq!(agent("The SRE on call neglected to ack", "neglected"), Some(Agent::Role { pointed: false }));
        assert_eq!(agent("The issue with Compute Engine network connectivity should have", "should"), None);
    }

    #[test]
    fn relative_clauses_and_parentheticals_point_back_to_their_noun() {
        assert_eq!(
            agent("The developer who wrote the script should have", "should"),
            Some(Agent::Role { pointed: false })
        );
        assert_eq!(agent("Dana, who was on call, should have", "should"), Some(Agent::Named));
        assert_eq!(agent("Whoever approved this should have", "should"), Some(Agent::Someone));
        assert_eq!(agent("The job run by the intern failed to start", "failed"), None);
    }

    #[test]
    fn post_modifiers_leave_the_noun_as_head() {
        assert_eq!(agent("The engineer responsible was let go", "was"), Some(Agent::Role { pointed: false }));
    }
}
