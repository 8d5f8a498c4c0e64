//! What every API that stores one record per value (each with its own id) shares, written
//! once: finding the zone among the account's, reading an RRset as the records of one name
//! and type, and the guarded replace (read, compare with what is expected, then the fewest
//! update/create/delete calls [`super::plan`] finds, creates before deletes). An adapter built
//! on it is only its API: [`RecordApi`] lists zones and records and makes the three calls.

use std::future::Future;

use hickory_proto::rr::{Name, RData};

use super::plan::{Held, Step, plan};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, check_expected, longest_zone,
};

/// One record (one value) as the API holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The API's id for it.
    pub id: String,
    /// Its value.
    pub value: RData,
    /// Its TTL.
    pub ttl: u32,
}

/// The calls of an API that stores one record per value.
pub trait RecordApi {
    /// The `type` of its configuration, for logs ([`Provider::label`]).
    const LABEL: &'static str;
    /// What it can do ([`Provider::capabilities`]).
    const CAPABILITIES: Capabilities;
    /// The lowest TTL the API takes; lower TTLs are raised to it.
    const MIN_TTL: u32 = 0;

    /// The provider's name, for messages.
    fn name(&self) -> &'static str;

    /// Every zone of the account.
    fn zones(&self) -> impl Future<Output = Result<Vec<Name>, ProviderError>>;

    /// The records of `key` in `zone` (exactly that name and type).
    fn records(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> impl Future<Output = Result<Vec<Record>, ProviderError>>;

    /// Create a record of `key` holding `value`.
    fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> impl Future<Output = Result<(), ProviderError>>;

    /// Make `record` hold `value` with `ttl`.
    fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> impl Future<Output = Result<(), ProviderError>>;

    /// Delete `record`.
    fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
    ) -> impl Future<Output = Result<(), ProviderError>>;
}

/// Every per-record API is a [`Provider`] through this engine: an adapter only implements
/// [`RecordApi`] (its requests and answers).
impl<T: RecordApi> Provider for T {
    fn label(&self) -> String {
        T::LABEL.into()
    }

    fn capabilities(&self) -> Capabilities {
        T::CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        find_zone(self, name).await
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        read(self, zone, key).await
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let held = T::CAPABILITIES.effective_ttl(ttl.max(T::MIN_TTL));
        if held != ttl && !T::CAPABILITIES.ttl_set.is_empty() && !new.is_empty() {
            tracing::info!(
                "{key}: {} takes only some TTLs; {ttl} s is rounded up to {held} s",
                self.name()
            );
        }
        replace(self, zone, key, expected, new, held).await
    }
}

/// The zone of `name`: the longest of the account's zones that holds it.
pub async fn find_zone<A: RecordApi>(api: &A, name: &Name) -> Result<Name, ProviderError> {
    let zones = api.zones().await?;
    longest_zone(name, &zones).ok_or_else(|| {
        ProviderError::Refused(format!(
            "no zone of this {} account holds {name} ({} zones listed)",
            api.name(),
            zones.len()
        ))
    })
}

/// The RRset the records make.
pub fn rrset(records: &[Record]) -> Rrset {
    Rrset {
        ttl: records.first().map(|r| r.ttl),
        values: records.iter().map(|r| r.value.clone()).collect(),
    }
}

/// Read `key`.
pub async fn read<A: RecordApi>(
    api: &A,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Rrset, ProviderError> {
    let mut set = rrset(&api.records(zone, key).await?);
    if !A::CAPABILITIES.ttl {
        // The API holds no TTL per record: there is none to report.
        set.ttl = None;
    }
    Ok(set)
}

/// Make `key` hold `new` with `ttl` (already raised to the provider's minimum) if it still
/// holds `expected`.
pub async fn replace<A: RecordApi>(
    api: &A,
    zone: &Name,
    key: &RrsetKey,
    expected: &[RData],
    new: &[RData],
    ttl: u32,
) -> Result<Applied, ProviderError> {
    let records = api.records(zone, key).await?;
    if let Some(conflict) = check_expected(key, &rrset(&records), expected) {
        return Ok(conflict);
    }
    let held: Vec<Held<RData>> = records
        .iter()
        .map(|r| Held {
            value: r.value.clone(),
            // An API without per-record TTLs never needs a record rewritten for its TTL.
            ttl_ok: !A::CAPABILITIES.ttl || r.ttl == ttl,
        })
        .collect();
    for step in plan(&held, new) {
        match step {
            Step::Retime(i) => {
                let r = &records[i];
                api.update(zone, key, r, &r.value, ttl).await?;
            }
            Step::Reuse { index, value, .. } => {
                api.update(zone, key, &records[index], &value, ttl).await?;
            }
            Step::Create(value) => api.create(zone, key, &value, ttl).await?,
            Step::Delete(i) => api.delete(zone, key, &records[i]).await?,
        }
    }
    Ok(Applied::Done)
}
