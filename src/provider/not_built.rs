//! What each hosted-API adapter's module holds in a build without the `https` feature: its
//! settings are accepted as they are (so a configuration naming it parses, and `check-config`
//! and the daemon say what is missing instead of "unknown variant"), and building it fails
//! with [`message`] (exit status 1). See ARCHITECTURE.md, "The https feature".

use serde::Deserialize;

use super::Capabilities;

/// The settings of an adapter this build lacks, whatever they are.
#[derive(Debug, Clone, Deserialize)]
pub struct Config(
    #[allow(dead_code, reason = "read only to accept any settings")]
    std::collections::BTreeMap<String, serde::de::IgnoredAny>,
);

/// Shown by `dnsup providers` as "not built in"; never used to plan an update.
pub const CAPABILITIES: Capabilities = Capabilities::READ_WRITE;

/// Why a provider of `kind` cannot be built here, and what to do.
pub fn message(kind: &str) -> String {
    format!(
        "this dnsup was built without HTTPS providers (cargo feature \"https\"); provider type \
         '{kind}' needs the default build"
    )
}
