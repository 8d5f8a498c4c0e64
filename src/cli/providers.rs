//! `dnsup providers`: the provider registry as a table, JSON or the README's Markdown.

use clap::Args;

use super::exit;
use crate::provider::registry;

/// Options of `dnsup providers`.
#[derive(Debug, Args)]
pub struct ProvidersArgs {
    /// One JSON array: every provider with its capabilities, credentials and documentation.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// The README's provider table (Markdown).
    #[arg(long)]
    pub markdown: bool,
    /// Leave out services that no longer exist.
    #[arg(long)]
    pub alive: bool,
}

/// Print the registry.
pub fn run(a: &ProvidersArgs) -> u8 {
    let entries: Vec<registry::Entry> = registry::all()
        .into_iter()
        .filter(|e| !a.alive || e.dead.is_none())
        .collect();
    if a.json {
        let list: Vec<serde_json::Value> = entries.iter().map(registry::to_json).collect();
        crate::outln!("{}", serde_json::Value::Array(list));
    } else if a.markdown {
        crate::out!("{}", registry::markdown(&entries));
    } else {
        crate::out!("{}", registry::text_table(&entries));
    }
    exit::OK
}
