//! Reading fields out of vendor JSON with errors that name the field and what was found,
//! and the time formats vendors use (RFC 3339 text, epoch numbers, Slack `ts`).
//!
//! Shared by the importers; it knows no vendor.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The value at a dotted path (`event.data.id`), if every step is there.
pub(crate) fn get<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, step| v.get(step))
}

/// The non-blank text at `path`; numbers are read as their decimal text.
pub(crate) fn text(value: &Value, path: &str) -> Option<String> {
    match get(value, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The text at `path`, or why there is none.
pub(crate) fn required_text(value: &Value, path: &str) -> Result<String, String> {
    match get(value, path) {
        None | Some(Value::Null) => Err(format!("missing field {path}")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(format!("{path} is empty")),
        Some(Value::String(s)) => Ok(s.trim().to_string()),
        Some(other) => Err(format!("{path} must be a string, found {}", type_name(other))),
    }
}

/// The id at `path`, a string or an integer (GitHub ids are numbers), or why there is none.
pub(crate) fn required_id(value: &Value, path: &str) -> Result<String, String> {
    match get(value, path) {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        _ => required_text(value, path).map_err(|e| e.replace("must be a string", "must be a string or an integer")),
    }
}

/// The RFC 3339 time at `path`, or why there is none.
pub(crate) fn required_time(value: &Value, path: &str) -> Result<OffsetDateTime, String> {
    let raw = match get(value, path) {
        None | Some(Value::Null) => return Err(format!("missing field {path}")),
        Some(Value::String(s)) => s,
        Some(other) => return Err(format!("{path} must be an RFC 3339 time, found {}", type_name(other))),
    };
    parse_time(raw).ok_or_else(|| format!("{path} is not an RFC 3339 time: {raw:?}"))
}

/// An RFC 3339 time, keeping its offset.
pub(crate) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// A time from an epoch number in seconds, milliseconds, microseconds or nanoseconds,
/// told apart by size (Opsgenie sends `createdAt` in ms and `updatedAt` in ns).
pub(crate) fn epoch_time(number: i128) -> Option<OffsetDateTime> {
    let magnitude = number.unsigned_abs();
    let nanos = if magnitude >= 100_000_000_000_000_000 {
        number
    } else if magnitude >= 100_000_000_000_000 {
        number.checked_mul(1_000)?
    } else if magnitude >= 100_000_000_000 {
        number.checked_mul(1_000_000)?
    } else {
        number.checked_mul(1_000_000_000)?
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// The epoch time at `path` (a number, or a string of digits), or why there is none.
pub(crate) fn required_epoch(value: &Value, path: &str) -> Result<OffsetDateTime, String> {
    let number = match get(value, path) {
        None | Some(Value::Null) => return Err(format!("missing field {path}")),
        Some(Value::Number(n)) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
        Some(Value::String(s)) => s.trim().parse::<i128>().ok(),
        Some(other) => return Err(format!("{path} must be an epoch number, found {}", type_name(other))),
    };
    number.and_then(epoch_time).ok_or_else(|| {
        format!("{path} is not an epoch time: {}", get(value, path).map_or_else(String::new, Value::to_string))
    })
}

/// A Slack `ts` (`"1736478514.897649"`: seconds, a dot, a fraction) as a time.
pub(crate) fn slack_ts(ts: &str) -> Option<OffsetDateTime> {
    let (seconds, fraction) = ts.trim().split_once('.').unwrap_or((ts.trim(), ""));
    if seconds.is_empty()
        || !seconds.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let seconds: i128 = seconds.parse().ok()?;
    let digits = &fraction[..fraction.len().min(9)];
    let nanos: i128 =
        if digits.is_empty() { 0 } else { digits.parse::<i128>().ok()? * 10i128.pow(9 - digits.len() as u32) };
    OffsetDateTime::from_unix_timestamp_nanos(seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?).ok()
}

/// How a JSON value is called in an error message.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The nanoseconds since the epoch, as text: a stable part of an id.
pub(crate) fn instant_key(at: OffsetDateTime) -> String {
    at.unix_timestamp_nanos().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn epoch_numbers_of_every_unit_read_the_same() {
        let at = datetime!(2015-01-05 10:03:11.104 UTC);
        assert_eq!(epoch_time(1_420_452_191), Some(datetime!(2015-01-05 10:03:11 UTC)));
        assert_eq!(epoch_time(1_420_452_191_104), Some(at));
        assert_eq!(epoch_time(1_420_452_191_104_000), Some(at));
        assert_eq!(epoch_time(1_420_452_191_104_000_000), Some(at));
        assert_eq!(epoch_time(i128::MAX), None);
    }

    #[test]
    fn slack_ts_keeps_microseconds() {
        assert_eq!(slack_ts("1736478514.897649"), Some(datetime!(2025-01-10 03:08:34.897649 UTC)));
        assert_eq!(slack_ts("1736478514"), Some(datetime!(2025-01-10 03:08:34 UTC)));
        assert_eq!(slack_ts("17364x8514.1"), None);
        assert_eq!(slack_ts("."), None);
        assert_eq!(slack_ts("99999999999999999999999999999999999999.1"), None);
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let v = serde_json::json!({"a": {"b": 3, "c": [1]}});
        assert_eq!(required_id(&v, "a.b"), Ok("3".to_string()));
        assert_eq!(required_text(&v, "a.b"), Err("a.b must be a string, found a number".to_string()));
        assert_eq!(required_text(&v, "a.x"), Err("missing field a.x".to_string()));
        assert_eq!(required_text(&v, "a.c"), Err("a.c must be a string, found an array".to_string()));
        assert!(required_time(&v, "a.b").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn rfc3339_keeps_the_offset() {
        let at = parse_time("2021-10-12T09:51:03.157076+02:00").unwrap();
        assert_eq!(at.offset().whole_hours(), 2);
    }
}
