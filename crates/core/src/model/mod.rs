//! The domain model: incidents and their timelines, post-mortems, action items,
//! users, teams and services. Types here are what the API speaks and the store keeps.

mod account;
mod action_item;
mod comment;
mod coverage;
mod covers;
mod delivery;
mod factors;
mod incident;
mod learning;
mod notification;
mod postmortem;
mod public_summary;
mod reader;
mod review;
mod similar;
mod timeline;
mod tracker;

pub use account::*;
pub use action_item::*;
pub use comment::*;
pub use coverage::*;
pub use covers::*;
pub use delivery::*;
pub use factors::*;
pub use incident::*;
pub use learning::*;
pub use notification::*;
pub use postmortem::*;
pub use public_summary::*;
pub use reader::*;
pub use review::*;
pub use similar::*;
pub use timeline::*;
pub use tracker::*;

/// Declares a closed set of lower-snake-case words, stored and sent as text.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        // Written out rather than derived: the derive does not see a `rename` given
        // through this macro and would document the variants' Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in the API and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The word as a person reads it, with spaces for underscores:
            /// `monitoring_alert` is `monitoring alert`.
            pub fn words(self) -> String {
                self.as_str().replace('_', " ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::model::UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::model::UnknownWord {
                        kind: stringify!($name),
                        value: s.to_string(),
                        expected: &[$($text),+],
                    }),
                }
            }
        }
    };
}
pub(crate) use word_enum;

/// A type's name as words: `EventKind` as `event kind`.
fn kind_words(kind: &str) -> String {
    let mut out = String::new();
    for c in kind.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A word that is not one of a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {} {value:?}; expected one of: {}", kind_words(kind), expected.join(", "))]
pub struct UnknownWord {
    /// The set the word was meant to belong to.
    pub kind: &'static str,
    /// The word given.
    pub value: String,
    /// The words accepted.
    pub expected: &'static [&'static str],
}
