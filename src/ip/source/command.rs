//! A user's program that prints the address: run directly (no shell, so nothing in the
//! configuration is ever interpreted by one), in its own process group, killed with that group
//! when it overruns. Its stdout must be exactly one address; a non-zero exit is a failure and
//! the first line of its stderr says why.

use std::net::IpAddr;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{SourceError, SourceErrorKind, SourceSpec, seconds};
use crate::ip::Family;
use crate::ip::text::{BadAnswer, first_line, parse_answer};

/// How much of stdout and stderr is kept; the rest is read and dropped so the program never
/// blocks on a full pipe.
const KEEP: usize = 4096;

pub(super) async fn detect(
    spec: &SourceSpec,
    argv: &[String],
    family: Family,
    limit: Duration,
) -> Result<Option<IpAddr>, SourceError> {
    let err = |kind, why: String| SourceError::new(spec, kind, why);
    let Some((program, args)) = argv.split_first() else {
        return Err(err(SourceErrorKind::Config, "argv is empty".into()));
    };
    // A clean environment: PATH, the locale, TZ and DNSUP_FAMILY; never dnsup's secrets.
    let mut child = crate::environment::child_command(program)
        .args(args)
        .env(
            "DNSUP_FAMILY",
            match family {
                Family::V4 => "ipv4",
                Family::V6 => "ipv6",
            },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| err(SourceErrorKind::Local, format!("cannot run {program}: {e}")))?;
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let run = async {
        let (out, errors, status) = tokio::join!(keep(stdout), keep(stderr), child.wait());
        (out, errors, status)
    };
    let finished = tokio::time::timeout(limit, run).await;
    let Ok((out, errors, status)) = finished else {
        // The program, and anything it started in its group.
        if let Some(group) = group {
            let _ = killpg(group, Signal::SIGKILL);
        }
        let _ = child.kill().await;
        return Err(err(
            SourceErrorKind::Timeout,
            format!("killed after {}", seconds(limit)),
        ));
    };
    let status = status.map_err(|e| err(SourceErrorKind::Local, format!("waiting: {e}")))?;
    if !status.success() {
        let why = first_line(&errors).map_or_else(String::new, |l| format!(": {l}"));
        return Err(err(SourceErrorKind::Answer, format!("{status}{why}")));
    }
    match parse_answer(&out, family) {
        Ok(ip) => Ok(Some(ip)),
        Err(e @ BadAnswer::WrongFamily(_)) => Err(err(SourceErrorKind::WrongFamily, e.to_string())),
        Err(e) => Err(err(SourceErrorKind::Answer, format!("stdout: {e}"))),
    }
}

/// Read `pipe` to its end, keeping the first [`KEEP`] bytes (one more, to see an overrun).
async fn keep<R: AsyncRead + Unpin>(pipe: Option<R>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut buf = [0u8; 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = (KEEP + 1).saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}
