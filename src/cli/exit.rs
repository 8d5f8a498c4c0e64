//! Exit codes of the native commands. One place decides them; the README lists them.
//!
//! The `nsupdate` front end uses nsupdate's own codes instead (0 success, 1 input error,
//! 2 update failed), so scripts written for nsupdate keep working.

use hickory_proto::op::ResponseCode;

use crate::client::{ClientError, Outcome};
use crate::daemon::status::FailureKind;

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
/// The daemon (`run --once`, `plan`, `detect`): some record has no address to publish, or
/// records failed in different ways (see [`for_failures`]).
pub const NOT_IN_SYNC: u8 = 7;
/// `plan`: nothing failed, and a pass would change records.
pub const PENDING: u8 = 8;

/// The exit code of `run --once` and `plan` from the failures of a pass: `OK` when there are
/// none; when every failure is of one kind, that kind's code (the same as the native
/// commands': `TSIG` for refused credentials, `NETWORK`, `REFUSED`, `PREREQUISITE` for a
/// conflict, `ZONE`); `NOT_IN_SYNC` for records without an address, or for a mix of kinds.
pub fn for_failures(kinds: impl IntoIterator<Item = FailureKind>) -> u8 {
    let mut kinds: Vec<FailureKind> = kinds.into_iter().collect();
    kinds.sort();
    kinds.dedup();
    match kinds.as_slice() {
        [] => OK,
        [one] => match one {
            FailureKind::Auth => TSIG,
            FailureKind::Network => NETWORK,
            FailureKind::Refused => REFUSED,
            FailureKind::Conflict => PREREQUISITE,
            FailureKind::Zone => ZONE,
            _ => NOT_IN_SYNC,
        },
        _ => NOT_IN_SYNC,
    }
}
/// GSS-TSIG: no security context (no Kerberos ticket or keytab, unknown principal, clock skew,
/// the Kerberos library missing, or the server refused the TKEY negotiation).
pub const GSS: u8 = 9;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_kind_of_failure_has_its_code_and_a_mix_is_7() {
        use FailureKind::*;
        assert_eq!(for_failures([]), OK);
        assert_eq!(for_failures([Auth, Auth]), TSIG);
        assert_eq!(for_failures([Network]), NETWORK);
        assert_eq!(for_failures([Refused]), REFUSED);
        assert_eq!(for_failures([Conflict]), PREREQUISITE);
        assert_eq!(for_failures([Zone]), ZONE);
        assert_eq!(for_failures([NoAddress]), NOT_IN_SYNC);
        assert_eq!(for_failures([Provider]), NOT_IN_SYNC);
        assert_eq!(for_failures([Auth, Network]), NOT_IN_SYNC);
    }
}
