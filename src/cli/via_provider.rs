//! `dnsup set|add|delete --provider NAME`: the native commands through any provider of the
//! configuration file, with the daemon's care: read the RRset, compute the new one, write only
//! if it differs, guarded by "it still holds what was read" as far as the provider allows.
//!
//! The guards map onto the provider's conditional replace: `--if-absent` expects nothing,
//! `--if-equals V...` expects exactly V, `--if-exists` expects what was read and fails when
//! nothing was. Name-level guards (`--if-name-absent/-exists`) and deleting a whole name need
//! RFC 2136 and are refused here.

use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::json;

use super::exit;
use super::{Connection, Guards};
use crate::daemon::config::Config;
use crate::provider::{self, Applied, DynProvider, ProviderError, RrsetKey, same_values};

/// What the command asks for, once parsed.
pub enum Change {
    /// Make the RRset exactly these values.
    Set(Vec<RData>),
    /// Add these values to the RRset.
    Add(Vec<RData>),
    /// Remove these values (all of the RRset when empty).
    Remove(Vec<RData>),
}

/// One command's target and change.
pub struct Request {
    /// Owner name (absolute).
    pub name: Name,
    /// Record type.
    pub rtype: RecordType,
    /// What to do.
    pub change: Change,
    /// TTL of new values.
    pub ttl: u32,
    /// `--zone`, when given.
    pub zone: Option<Name>,
}

/// A failure with its exit code.
struct Failure(u8, String);

fn provider_code(e: &ProviderError) -> u8 {
    match e {
        ProviderError::Network(_) | ProviderError::Protocol(_) | ProviderError::Throttled(..) => {
            exit::NETWORK
        }
        ProviderError::Auth(_) => exit::TSIG,
        ProviderError::Unsupported(_) => exit::USAGE,
        _ => exit::REFUSED,
    }
}

impl From<ProviderError> for Failure {
    fn from(e: ProviderError) -> Self {
        Failure(provider_code(&e), e.to_string())
    }
}

/// Run one command through `--provider`; returns the exit code.
pub async fn run(conn: &Connection, guards: &Guards, action: &str, request: Request) -> u8 {
    let Request {
        name,
        rtype,
        change,
        ttl,
        zone: given_zone,
    } = request;
    let pname = conn.dest.provider.clone().unwrap_or_default();
    let mut zone_shown = given_zone
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let result = async {
        let provider = load(conn, &pname).await?;
        let zone = match given_zone {
            Some(z) => z,
            None => provider
                .find_zone(&name)
                .await
                .map_err(|e| Failure(exit::ZONE, format!("cannot find the zone of {name}: {e}")))?,
        };
        zone_shown = zone.to_string();
        apply(&*provider, conn, &zone, name, rtype, change, ttl, guards).await
    }
    .await;
    let (code, body) = match result {
        Ok(body) => (exit::OK, body),
        Err(Failure(code, message)) => (
            code,
            json!({"status": "error", "exit_code": code, "error": message}),
        ),
    };
    if conn.json {
        let mut v = body;
        v["zone"] = zone_shown.into();
        v["action"] = action.into();
        v["provider"] = pname.into();
        crate::outln!("{v}");
    } else if code == exit::OK {
        crate::errln!(
            "{zone_shown}: {} (provider {pname})",
            body["summary"].as_str().unwrap_or("")
        );
    } else {
        crate::errln!(
            "error [{}]: {}",
            super::report::phase(code),
            body["error"].as_str().unwrap_or("")
        );
    }
    code
}

async fn load(conn: &Connection, pname: &str) -> Result<Box<dyn DynProvider>, Failure> {
    let path = &conn.dest.config;
    let config = Config::load_providers(path).map_err(|e| Failure(exit::USAGE, e.to_string()))?;
    let pconf = config.providers.get(pname).ok_or_else(|| {
        let names: Vec<&str> = config.providers.keys().map(String::as_str).collect();
        Failure(
            exit::USAGE,
            format!(
                "{}: no [providers.{pname}] (defined: {})",
                path.display(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ),
        )
    })?;
    let mut setup = provider::build::Setup {
        strict_permissions: conn.dest.strict_permissions || config.strict_permissions,
        ..Default::default()
    };
    let built = provider::build(pname, pconf, &mut setup)
        .await
        .map_err(|e| Failure(exit::USAGE, format!("provider '{pname}': {e}")))?;
    for w in setup.warnings {
        crate::errln!("warning: {w}");
    }
    Ok(built)
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    p: &dyn DynProvider,
    conn: &Connection,
    zone: &Name,
    name: Name,
    rtype: RecordType,
    change: Change,
    ttl: u32,
    guards: &Guards,
) -> Result<serde_json::Value, Failure> {
    if guards.if_name_absent || guards.if_name_exists {
        return Err(Failure(
            exit::USAGE,
            "--if-name-absent and --if-name-exists need RFC 2136 (drop --provider)".into(),
        ));
    }
    if !zone.zone_of(&name) {
        return Err(Failure(
            exit::USAGE,
            format!("{name} is not in the zone {zone}"),
        ));
    }
    let caps = p.capabilities();
    let key = RrsetKey { name, rtype };
    let needs_current = !matches!(change, Change::Set(_)) || guards.if_exists;
    if !caps.read && needs_current {
        return Err(Failure(
            exit::USAGE,
            format!(
                "{} cannot read records, so it cannot add to, remove from or check an RRset: use set",
                p.label()
            ),
        ));
    }
    let current = if caps.read {
        p.read(zone, &key).await?
    } else {
        provider::Rrset::default()
    };
    let new: Vec<RData> = match change {
        Change::Set(v) => v,
        Change::Add(v) => {
            let mut all = current.values.clone();
            for x in v {
                if !all.contains(&x) {
                    all.push(x);
                }
            }
            all
        }
        Change::Remove(v) if v.is_empty() => Vec::new(),
        Change::Remove(v) => current
            .values
            .iter()
            .filter(|x| !v.contains(x))
            .cloned()
            .collect(),
    };
    let expected: Vec<RData> = if guards.if_absent {
        Vec::new()
    } else if !guards.if_equals.is_empty() {
        guards
            .if_equals
            .iter()
            .map(|t| crate::update::parse_rdata(rtype, t, zone))
            .collect::<Result<_, _>>()
            .map_err(|e| Failure(exit::USAGE, e.to_string()))?
    } else {
        current.values.clone()
    };
    if guards.if_exists && current.values.is_empty() {
        return Err(Failure(
            exit::PREREQUISITE,
            format!("{key} does not exist (--if-exists); nothing was changed"),
        ));
    }
    if caps.read && !same_values(&expected, &current.values) {
        return Err(Failure(
            exit::PREREQUISITE,
            format!("{key} does not hold what the guard expects; nothing was changed"),
        ));
    }
    let shown = |v: &[RData]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let in_sync = caps.read
        && same_values(&new, &current.values)
        && (new.is_empty() || !caps.ttl || current.ttl == Some(caps.effective_ttl(ttl)));
    let mut body = json!({
        "from": shown(&current.values),
        "to": shown(&new),
        "ttl": ttl,
    });
    if in_sync {
        body["status"] = "unchanged".into();
        body["summary"] = format!("{key} already holds that; nothing sent").into();
        return Ok(body);
    }
    if conn.dry_run {
        body["status"] = "dry-run".into();
        body["summary"] = format!(
            "{key} would change from [{}] to [{}]",
            shown(&current.values).join(", "),
            shown(&new).join(", ")
        )
        .into();
        return Ok(body);
    }
    match p.replace(zone, &key, &expected, &new, ttl).await? {
        Applied::Done => {
            body["status"] = "ok".into();
            body["summary"] = format!("{key} is now [{}]", shown(&new).join(", ")).into();
            Ok(body)
        }
        Applied::Conflict(why) => Err(Failure(
            exit::PREREQUISITE,
            format!("{why}; nothing was changed"),
        )),
    }
}
