//! Exit codes of the native commands. One place decides them; the README lists them.
//!
//! The `nsupdate` front end uses nsupdate's own codes instead (0 success, 1 input error,
//! 2 update failed), so scripts written for nsupdate keep working.

use hickory_proto::op::ResponseCode;

use crate::client::{ClientError, Outcome};

/// Everything was done (or, with `--dry-run`, would be sent).
pub const OK: u8 = 0;
/// Bad arguments or input: syntax, unknown type, malformed data, unreadable key file.
pub const USAGE: u8 = 1;
/// The server answered with an error: REFUSED, NOTAUTH, NOTZONE, SERVFAIL, FORMERR, NOTIMP.
pub const REFUSED: u8 = 2;
/// A prerequisite failed: YXDOMAIN, NXDOMAIN, YXRRSET or NXRRSET. The zone is unchanged.
pub const PREREQUISITE: u8 = 3;
/// TSIG failed: the server said BADSIG, BADKEY, BADTIME or BADTRUNC, or no answer was authentic.
pub const TSIG: u8 = 4;
/// No answer: timeout, connection refused, unreachable.
pub const NETWORK: u8 = 5;
/// The zone or its primary server could not be found.
pub const ZONE: u8 = 6;
/// The daemon (`run --once`, `detect`): some record is not in sync or has no address to publish.
pub const NOT_IN_SYNC: u8 = 7;

/// The exit code for an authentic answer.
pub fn for_outcome(outcome: &Outcome) -> u8 {
    if outcome.tsig_error.is_some() {
        return TSIG;
    }
    match outcome.rcode() {
        ResponseCode::NoError => OK,
        ResponseCode::YXDomain
        | ResponseCode::NXDomain
        | ResponseCode::YXRRSet
        | ResponseCode::NXRRSet => PREREQUISITE,
        _ => REFUSED,
    }
}

/// The exit code for a failed exchange.
pub fn for_client_error(err: &ClientError) -> u8 {
    match err {
        // A request that cannot be signed is too large or malformed: an input problem.
        ClientError::Encode(_) | ClientError::Sign(_) => USAGE,
        ClientError::Unverified(_) => TSIG,
        ClientError::UnsignedError { .. } => REFUSED,
        _ => NETWORK,
    }
}
