//! Reading command-line values into the domain's words and times, each error naming the flag
//! at fault. Not the flags themselves (clap, in main.rs).

use std::fmt::Display;
use std::str::FromStr;

use anyhow::Context;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `value` read as a `T` (a status, a severity, a kind, …), or an error naming `flag`.
pub fn word<T: FromStr>(flag: &str, value: &str) -> anyhow::Result<T>
where
    T::Err: Display,
{
    value.parse().map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

/// `word` of a flag that may be left out.
pub fn optional_word<T: FromStr>(flag: &str, value: Option<&str>) -> anyhow::Result<Option<T>>
where
    T::Err: Display,
{
    value.map(|v| word(flag, v)).transpose()
}

/// `text` read as an RFC 3339 time, or an error naming `flag` and showing what a time looks
/// like; `also` tells what else the flag takes.
pub fn time(flag: &str, text: &str, also: &str) -> anyhow::Result<OffsetDateTime> {
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .with_context(|| format!("{flag}: {text:?} is not an RFC 3339 time such as 2026-11-20T10:00:00Z{also}"))?;
    hindsight_core::validate::time_in_range(at).map_err(|message| anyhow::anyhow!("{flag} {message}"))?;
    Ok(at)
}
