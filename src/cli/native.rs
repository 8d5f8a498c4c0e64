//! The native commands: `set`, `add`, `delete`, `keygen`.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};

use super::report::Report;
use super::{Connection, DeleteArgs, Guards, KeygenArgs, RecordArgs, exit, via_provider};
use crate::client::{self, Signer};
use crate::discover;
use crate::transport;
use crate::tsig::{Algorithm, Key};
use crate::update::{Change, Prerequisite, Update, parse_rdata, parse_type};

/// `set` replaces the RRset, `add` appends to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Replace.
    Set,
    /// Append.
    Add,
}

/// `dnsup keygen`.
/// Create `path` with mode 0600 from the start (never readable by others, not even for a
/// moment) and write `bytes`; an existing file is left alone.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                std::io::Error::new(e.kind(), "already exists; remove it or choose another name")
            } else {
                e
            }
        })?;
    file.write_all(bytes)?;
    file.sync_all()
}

pub fn keygen(args: &KeygenArgs) -> u8 {
    let result = Algorithm::parse(&args.algorithm)
        .map_err(|e| e.to_string())
        .and_then(|(alg, bits)| {
            let name = Name::from_ascii(&args.name).map_err(|e| format!("key name: {e}"))?;
            match bits {
                None => Key::generate(name, alg).map_err(|e| e.to_string()),
                // A truncated key (hmac-sha256-128) has a full-size secret; only the MAC sent
                // is shorter.
                Some(bits) => {
                    use ring::rand::{SecureRandom, SystemRandom};
                    let mut secret = vec![0; alg.full_len()];
                    SystemRandom::new()
                        .fill(&mut secret)
                        .map_err(|_| "the system random generator failed".to_string())?;
                    Key::new(name, alg, secret, Some(bits)).map_err(|e| e.to_string())
                }
            }
        });
    match result {
        Ok(key) => match &args.output {
            None => {
                crate::out!("{}", key.to_named_conf());
                exit::OK
            }
            Some(path) => match write_private(path, key.to_named_conf().as_bytes()) {
                Ok(()) => exit::OK,
                Err(e) => {
                    crate::errln!("error [output]: {}: {e}", path.display());
                    exit::USAGE
                }
            },
        },
        Err(e) => {
            crate::errln!("error [input]: {e}");
            exit::USAGE
        }
    }
}

/// An input error before anything was sent.
struct InputError(u8, String);

impl<E: std::fmt::Display> From<E> for InputError {
    fn from(e: E) -> Self {
        InputError(exit::USAGE, e.to_string())
    }
}

/// Make `name` absolute: names ending in a dot, or in the zone, are taken as they are;
/// others are relative to the zone (or to the root when no zone is given).
fn absolute(name: &str, zone: Option<&Name>) -> Result<Name, InputError> {
    let parsed = Name::from_ascii(name).map_err(|e| format!("name '{name}': {e}"))?;
    if parsed.is_fqdn() {
        return Ok(parsed);
    }
    let mut fq = parsed.clone();
    fq.set_fqdn(true);
    match zone {
        Some(z) if !z.zone_of(&fq) => Ok(parsed.append_domain(z)?),
        _ => Ok(fq),
    }
}

fn values(rtype: RecordType, texts: &[String], origin: &Name) -> Result<Vec<RData>, InputError> {
    texts
        .iter()
        .map(|t| parse_rdata(rtype, t, origin).map_err(InputError::from))
        .collect()
}

fn guards(
    g: &Guards,
    name: &Name,
    rtype: Option<RecordType>,
    origin: &Name,
) -> Result<Vec<Prerequisite>, InputError> {
    let mut out = Vec::new();
    if g.if_name_absent {
        out.push(Prerequisite::NameNotInUse(name.clone()));
    }
    if g.if_name_exists {
        out.push(Prerequisite::NameInUse(name.clone()));
    }
    if g.if_absent || g.if_exists || !g.if_equals.is_empty() {
        let Some(rtype) = rtype else {
            return Err("--if-absent, --if-exists and --if-equals need a TYPE".into());
        };
        if g.if_absent {
            out.push(Prerequisite::RrsetAbsent(name.clone(), rtype));
        }
        if g.if_exists {
            out.push(Prerequisite::RrsetExists(name.clone(), rtype));
        }
        for v in values(rtype, &g.if_equals, origin)? {
            out.push(Prerequisite::RrsetEquals(name.clone(), v));
        }
    }
    Ok(out)
}

fn transport_config(c: &Connection) -> transport::Config {
    transport::Config {
        tcp: c.tcp,
        udp_interval: Duration::from_secs(c.retry_interval.max(1)),
        udp_retries: c.retries,
        timeout: Duration::from_secs(c.timeout.max(1)),
        local: c.local.map(|ip| SocketAddr::new(ip, 0)),
        tls: None,
        https: None,
        reuse: None,
    }
}

/// Everything needed to send, after the command line is understood.
struct Plan {
    update: Update,
    key: Option<Key>,
    servers: Vec<SocketAddr>,
    config: transport::Config,
    /// With --gss: the zone's primary (SOA MNAME), whose DNS/ principal the context is for.
    primary: Option<Name>,
}

/// Find the zone and servers (nsupdate's rules) and put the update together.
async fn plan(
    conn: &Connection,
    owner: &Name,
    prerequisites: Vec<Prerequisite>,
    changes: Vec<Change>,
    apex_ok: bool,
) -> Result<Plan, InputError> {
    let key = conn.dest.load_key()?;
    let mut config = transport_config(conn);
    config.tls = conn.dest.tls.build(&conn.dest.servers)?;
    let mut servers = conn.dest.resolve_servers().await?;
    if let Some((client, addrs)) = conn.dest.tls.build_https(&servers).await? {
        config.https = Some(client);
        servers = addrs;
    }
    let is_ds = changes.iter().any(|c| {
        matches!(c, Change::Add { rdata, .. } if rdata.record_type() == RecordType::DS)
            || matches!(c, Change::DeleteRrset(_, RecordType::DS))
    });
    let given = conn
        .dest
        .zone
        .as_deref()
        .map(|z| absolute(z, None))
        .transpose()?;
    // A DS record lives in the parent zone (RFC 4034 section 5): discovery starts one label up.
    let start = if given.is_none() && is_ds && !owner.is_root() {
        owner.base_name()
    } else {
        owner.clone()
    };
    let signer = key.as_ref().map(Signer::new);
    let zone_error = |e: discover::DiscoverError| InputError(exit::ZONE, e.to_string());
    let (zone, primary, servers) = if conn.gss.gss {
        let (zone, primary, servers) =
            discover::locate_with_primary(given, servers, &start, conn.dest.port(), &config)
                .await
                .map_err(zone_error)?;
        (zone, Some(primary), servers)
    } else {
        let (zone, servers) =
            discover::locate(given, servers, &start, signer, conn.dest.port(), &config)
                .await
                .map_err(zone_error)?;
        (zone, None, servers)
    };
    // RFC 2136 section 3.4.2.3: a server ignores deleting the apex NS RRset, so `set` there
    // would silently add instead of replace.
    if changes
        .iter()
        .any(|c| matches!(c, Change::DeleteRrset(n, RecordType::NS) if n.eq_ignore_root(&zone)))
    {
        return Err(
            "the NS RRset at the zone apex cannot be replaced or deleted as a whole \
             (RFC 2136 3.4.2.3): add and delete single NS records instead"
                .into(),
        );
    }
    check_apex(&changes, &zone, apex_ok)?;
    let mut update = Update::new(zone);
    for p in prerequisites {
        update.require(p)?;
    }
    for c in changes {
        update.change(c)?;
    }
    Ok(Plan {
        update,
        key,
        servers,
        config,
        primary,
    })
}

/// What a server silently ignores at the apex is refused (RFC 2136 section 3.4.2.3: the SOA
/// RRset cannot be deleted), and deleting the whole apex name needs `--apex`: the server would
/// remove every RRset there but SOA and NS (MX, TXT, ...), which is rarely what was meant.
fn check_apex(changes: &[Change], zone: &Name, apex_ok: bool) -> Result<(), InputError> {
    for c in changes {
        match c {
            Change::DeleteRrset(n, RecordType::SOA) if n.eq_ignore_root(zone) => {
                return Err(format!(
                    "the SOA record of {zone} cannot be deleted: the server ignores it (RFC 2136 \
                     3.4.2.3); to change it, add a new SOA with a higher serial"
                )
                .into());
            }
            Change::DeleteRecord(n, rdata)
                if n.eq_ignore_root(zone) && rdata.record_type() == RecordType::SOA =>
            {
                return Err(format!(
                    "the SOA record of {zone} cannot be deleted: the server ignores it (RFC 2136 \
                     3.4.2.3)"
                )
                .into());
            }
            // Type ANY with class ANY is the same UPDATE as deleting the name (RFC 2136 2.5.3).
            Change::DeleteName(n) | Change::DeleteRrset(n, RecordType::ANY)
                if n.eq_ignore_root(zone) && !apex_ok =>
            {
                return Err(format!(
                    "{zone} is the zone apex: deleting the name would remove every record there \
                     but SOA and NS (MX, TXT, A, ...); give a TYPE to delete one RRset, or \
                     --apex to delete them all"
                )
                .into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// The changes in words, e.g. `add home.example.test. 300 A 192.0.2.1`.
fn describe_changes(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            Change::Add { name, ttl, rdata } => {
                format!("add {name} {ttl} {} {rdata}", rdata.record_type())
            }
            Change::DeleteRrset(name, t) => format!("delete {name} {t}"),
            Change::DeleteName(name) => format!("delete {name} (every RRset)"),
            Change::DeleteRecord(name, rdata) => {
                format!("delete {name} {} {rdata}", rdata.record_type())
            }
        })
        .collect()
}

async fn execute(
    conn: &Connection,
    action: &str,
    owner: Name,
    prerequisites: Vec<Prerequisite>,
    changes: Vec<Change>,
    apex_ok: bool,
) -> u8 {
    let zone_hint = conn.dest.zone.clone().unwrap_or_default();
    let early = Report {
        zone: zone_hint,
        action,
        json: conn.json,
        changes: describe_changes(&changes),
    };
    let plan = match plan(conn, &owner, prerequisites, changes, apex_ok).await {
        Ok(p) => p,
        Err(InputError(code, msg)) => return early.failure(code, &msg),
    };
    let report = Report {
        zone: plan.update.zone().to_string(),
        action,
        json: conn.json,
        changes: describe_changes(plan.update.changes()),
    };
    if conn.dry_run {
        let text = crate::script::render_dig(&plan.update.to_message(0));
        if conn.json {
            crate::outln!(
                "{}",
                serde_json::json!({"status": "dry-run", "zone": report.zone, "action": action,
                    "servers": plan.servers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "message": text})
            );
        } else {
            crate::outln!("{text}");
        }
        return exit::OK;
    }
    if let (Some(opts), Some(primary)) = (conn.gss.options(), &plan.primary) {
        if let Some(path) = &opts.keytab
            && let Some(w) = crate::provider::credential::loose_permissions(path)
        {
            if conn.dest.strict_permissions {
                return report.failure(
                    exit::USAGE,
                    &format!("refused: keytab {w} (strict permissions are on)"),
                );
            }
            crate::errln!("warning: keytab {w}");
        }
        return execute_gss(&plan, &opts, primary, &report).await;
    }
    let signer = plan.key.as_ref().map(Signer::new);
    match client::send_update(&plan.update, signer, &plan.servers, &plan.config).await {
        Ok(outcome) => report.outcome(&outcome),
        Err(e) => {
            let mut message = e.to_string();
            if may_have_been_applied(&e) {
                message.push_str(
                    "; a server may have received and applied the update even so (only its \
                     answer was missing): check the zone before sending it again",
                );
            }
            report.failure(exit::for_client_error(&e), &message)
        }
    }
}

/// Send with GSS-TSIG: negotiate a context with the first server that completes the TKEY
/// exchange (in order), then send the update there, signed with it.
async fn execute_gss(
    plan: &Plan,
    opts: &crate::gss::GssOptions,
    primary: &Name,
    report: &Report<'_>,
) -> u8 {
    let o = opts.clone();
    let creds = match tokio::task::spawn_blocking(move || crate::gss::credentials(&o)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return report.failure(exit::GSS, &e.to_string()),
        Err(e) => return report.failure(exit::GSS, &e.to_string()),
    };
    let mut last = String::from("no server to negotiate with");
    for server in &plan.servers {
        let key = match crate::gss::negotiate(*server, primary, &creds, opts, &plan.config).await {
            Ok(key) => key,
            Err(e) => {
                last = format!("{server}: {e}");
                if e.gss_kind().is_some() {
                    // A credential problem is the same with every server.
                    break;
                }
                continue;
            }
        };
        let one = std::slice::from_ref(server);
        return match client::send_update(&plan.update, Some(Signer::new(&key)), one, &plan.config)
            .await
        {
            Ok(outcome) => {
                let code = report.outcome(&outcome);
                gss_note(&outcome, report.json);
                code
            }
            Err(e) => {
                let mut message = e.to_string();
                if matches!(&e, client::ClientError::UnsignedError { rcode, .. } if rcode == "SERVFAIL")
                {
                    message.push_str(
                        " (a Samba DNS server answers SERVFAIL when a secure update is refused: \
                         the principal may not update this name)",
                    );
                }
                report.failure(exit::for_client_error(&e), &message)
            }
        };
    }
    report.failure(exit::GSS, &format!("GSS-TSIG negotiation failed: {last}"))
}

/// What dnsup says beyond the outcome line for GSS-TSIG (on stderr; not with --json).
fn gss_note(outcome: &client::Outcome, json: bool) {
    use crate::tsig::gss::SignatureVariant;
    if json {
        return;
    }
    if outcome.gss_signature == Some(SignatureVariant::SambaNoMacLength) {
        crate::errln!(
            "note: the server's answer signature verified only in Samba's form (request MAC \
             without its length); accepted under --gss-verify compatible"
        );
    }
    if outcome.rcode() == hickory_proto::op::ResponseCode::ServFail {
        crate::errln!(
            "note: a Samba DNS server answers SERVFAIL when a secure update is refused: the \
             principal may not update this name (Windows answers REFUSED)"
        );
    }
}

/// True when the update may have reached a server: it timed out, closed the connection or
/// answered unverifiably, rather than refusing the connection.
fn may_have_been_applied(e: &client::ClientError) -> bool {
    use crate::transport::Failure;
    match e {
        client::ClientError::Network(n) | client::ClientError::Unverified(n) => {
            // A TLS failure is a handshake that failed (nothing was sent) or a server that
            // dropped the session unanswered, which named does only to clients it refuses;
            // an HTTP error status means the DoH endpoint did not take the message.
            n.0.iter()
                .any(|(_, f)| !matches!(f, Failure::Io(_) | Failure::Tls(_) | Failure::Http(_)))
        }
        _ => false,
    }
}

fn block_on<F: std::future::Future<Output = u8>>(f: F) -> u8 {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(f),
        Err(e) => {
            crate::errln!("error [runtime]: {e}");
            exit::NETWORK
        }
    }
}

/// `dnsup set` / `dnsup add`.
pub fn run_record(verb: Verb, args: RecordArgs) -> u8 {
    let prepared = (|| -> Result<_, InputError> {
        let zone = args
            .conn
            .dest
            .zone
            .as_deref()
            .map(|z| absolute(z, None))
            .transpose()?;
        let origin = zone.clone().unwrap_or_else(Name::root);
        let name = absolute(&args.name, zone.as_ref())?;
        let rtype = parse_type(&args.rtype)?;
        if args.conn.dest.provider.is_some() {
            let v = values(rtype, &args.values, &origin)?;
            let change = match verb {
                Verb::Set => via_provider::Change::Set(v),
                Verb::Add => via_provider::Change::Add(v),
            };
            return Ok(Prepared::Provider(via_provider::Request {
                name,
                rtype,
                change,
                ttl: args.ttl,
                zone,
            }));
        }
        let mut changes = Vec::new();
        if verb == Verb::Set {
            changes.push(Change::DeleteRrset(name.clone(), rtype));
        }
        for rdata in values(rtype, &args.values, &origin)? {
            changes.push(Change::Add {
                name: name.clone(),
                ttl: args.ttl,
                rdata,
            });
        }
        let prereqs = guards(&args.guards, &name, Some(rtype), &origin)?;
        Ok(Prepared::Rfc2136(name, prereqs, changes))
    })();
    let action = if verb == Verb::Set { "set" } else { "add" };
    run_prepared(prepared, &args.conn, &args.guards, action, false)
}

/// A parsed native command: an RFC 2136 update, or a change through `--provider`.
enum Prepared {
    Rfc2136(Name, Vec<Prerequisite>, Vec<Change>),
    Provider(via_provider::Request),
}

fn run_prepared(
    prepared: Result<Prepared, InputError>,
    conn: &Connection,
    guards: &Guards,
    action: &str,
    apex_ok: bool,
) -> u8 {
    match prepared {
        Ok(Prepared::Rfc2136(name, prereqs, changes)) => {
            block_on(execute(conn, action, name, prereqs, changes, apex_ok))
        }
        Ok(Prepared::Provider(request)) => {
            block_on(via_provider::run(conn, guards, action, request))
        }
        Err(InputError(code, msg)) => input_failure(conn, action, code, &msg),
    }
}

/// `dnsup delete`.
pub fn run_delete(args: DeleteArgs) -> u8 {
    let prepared = (|| -> Result<_, InputError> {
        let zone = args
            .conn
            .dest
            .zone
            .as_deref()
            .map(|z| absolute(z, None))
            .transpose()?;
        let origin = zone.clone().unwrap_or_else(Name::root);
        let name = absolute(&args.name, zone.as_ref())?;
        let rtype = args.rtype.as_deref().map(parse_type).transpose()?;
        if args.conn.dest.provider.is_some() {
            let Some(t) = rtype else {
                return Err(
                    "deleting every record of a name needs RFC 2136: give a TYPE with --provider"
                        .into(),
                );
            };
            let v = values(t, &args.values, &origin)?;
            return Ok(Prepared::Provider(via_provider::Request {
                name,
                rtype: t,
                change: via_provider::Change::Remove(v),
                ttl: 300,
                zone,
            }));
        }
        let changes = match rtype {
            None => vec![Change::DeleteName(name.clone())],
            Some(t) if args.values.is_empty() => vec![Change::DeleteRrset(name.clone(), t)],
            Some(t) => values(t, &args.values, &origin)?
                .into_iter()
                .map(|d| Change::DeleteRecord(name.clone(), d))
                .collect(),
        };
        let prereqs = guards(&args.guards, &name, rtype, &origin)?;
        Ok(Prepared::Rfc2136(name, prereqs, changes))
    })();
    run_prepared(prepared, &args.conn, &args.guards, "delete", args.apex)
}

fn input_failure(conn: &Connection, action: &str, code: u8, msg: &str) -> u8 {
    Report {
        zone: conn.dest.zone.clone().unwrap_or_default(),
        action,
        json: conn.json,
        changes: Vec::new(),
    }
    .failure(code, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_absolute() {
        let zone = Name::from_ascii("example.test.").unwrap();
        let abs = |n: &str, z: Option<&Name>| absolute(n, z).ok().unwrap().to_string();
        assert_eq!(abs("www", Some(&zone)), "www.example.test.");
        assert_eq!(abs("www.example.test", Some(&zone)), "www.example.test.");
        assert_eq!(abs("www.other.test.", Some(&zone)), "www.other.test.");
        assert_eq!(abs("www.example.test", None), "www.example.test.");
    }
}
