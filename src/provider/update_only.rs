//! What the update-only services (dyndns2, DuckDNS, Namecheap dynamic DNS) share: they set
//! one value per host name, cannot read, delete or set a TTL, and guard nothing.

use hickory_proto::rr::{RData, RecordType};

use super::{Capabilities, Guard, ProviderError, Rrset, RrsetKey};

/// The capabilities of an update-only service serving `types`.
pub const fn capabilities(types: &'static [RecordType]) -> Capabilities {
    Capabilities {
        read: false,
        guard: Guard::None,
        delete: false,
        multiple_values: false,
        ttl: false,
        min_ttl: 0,
        ttl_set: &[],
        types,
    }
}

/// What [`Provider::read`](super::Provider::read) answers: `service` cannot read records.
pub fn cannot_read(service: &str, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    Err(ProviderError::Unsupported(format!(
        "{key}: {service} cannot read records"
    )))
}

/// The refusal of anything but exactly one value (`what`: "value", "address").
pub fn not_one(service: &str, what: &str, key: &RrsetKey) -> ProviderError {
    ProviderError::Unsupported(format!("{key}: {service} sets exactly one {what}"))
}

/// The one value of `new`, or [`not_one`].
pub fn one_value<'a>(
    service: &str,
    what: &str,
    key: &RrsetKey,
    new: &'a [RData],
) -> Result<&'a RData, ProviderError> {
    match new {
        [value] => Ok(value),
        _ => Err(not_one(service, what, key)),
    }
}
