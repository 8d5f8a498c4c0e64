//! What every API that stores a whole RRset (one name and type, all its values) as one object
//! shares, written once: finding the zone among the account's, and the guarded replace (read
//! the RRset, compare it with what is expected, then one write, or one delete when nothing is
//! left, or nothing when it already holds the new values). An adapter built on it is only its
//! API: [`RrsetApi`] lists zones, reads an RRset and makes the write and the delete.
//!
//! The sibling of [`super::per_record`], for the APIs that keep one record per value.

use std::future::Future;

use hickory_proto::rr::{Name, RData};

use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, check_expected, longest_zone,
    same_values,
};

/// An RRset as the API holds it: its values and TTL, and whatever the API needs to change
/// it afterwards (an id, the TTL of each item).
#[derive(Debug, Clone)]
pub struct Held<H> {
    /// What it holds.
    pub rrset: Rrset,
    /// The API's handle on it.
    pub handle: H,
}

/// The calls of an API that stores one object per RRset.
pub trait RrsetApi {
    /// The `type` of its configuration, for logs ([`Provider::label`]).
    const LABEL: &'static str;
    /// What it can do ([`Provider::capabilities`]); its `min_ttl` and `ttl_set` are applied
    /// before a write.
    const CAPABILITIES: Capabilities;

    /// What [`RrsetApi::fetch`] learns that a write or a delete needs (`()` when the URL
    /// is made from the name and type alone).
    type Handle;

    /// The provider's name, for messages.
    fn name(&self) -> &'static str;

    /// Every zone of the account.
    fn zones(&self) -> impl Future<Output = Result<Vec<Name>, ProviderError>>;

    /// The zone of `name`: by default the longest of [`RrsetApi::zones`] that holds it.
    fn find_zone(&self, name: &Name) -> impl Future<Output = Result<Name, ProviderError>> {
        async move {
            let zones = self.zones().await?;
            longest_zone(name, &zones).ok_or_else(|| {
                ProviderError::Refused(format!(
                    "no zone of this {} account holds {name} ({} zones listed)",
                    self.name(),
                    zones.len()
                ))
            })
        }
    }

    /// The RRset `key` in `zone`, `None` when it does not exist.
    fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> impl Future<Output = Result<Option<Held<Self::Handle>>, ProviderError>>;

    /// Whether `held` already is `new` with `ttl` (nothing to send). By default: the same
    /// values, and its TTL is `ttl`.
    fn holds(held: &Held<Self::Handle>, new: &[RData], ttl: u32) -> bool {
        held.rrset.ttl == Some(ttl) && same_values(&held.rrset.values, new)
    }

    /// Make `key` hold `new` (not empty, no duplicates) with `ttl`: create it when `held` is
    /// `None`, else change it.
    fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<Self::Handle>>,
        new: &[RData],
        ttl: u32,
    ) -> impl Future<Output = Result<(), ProviderError>>;

    /// Whether `error`, from [`RrsetApi::write`] or [`RrsetApi::delete`], says that the RRset
    /// changed since [`RrsetApi::fetch`] read it (an API that guards its writes, with an ETag
    /// for instance): the replace is then a conflict, not a failure. By default: never.
    fn changed_meanwhile(error: &ProviderError) -> bool {
        let _ = error;
        false
    }

    /// Delete the RRset `held`.
    fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: &Held<Self::Handle>,
    ) -> impl Future<Output = Result<(), ProviderError>>;
}

/// An [`RrsetApi`] as a [`Provider`]. (A wrapper, not a blanket impl: the per-record engine
/// has that.)
#[derive(Debug)]
pub struct PerRrset<A>(pub A);

impl<A: RrsetApi> Provider for PerRrset<A> {
    fn label(&self) -> String {
        A::LABEL.into()
    }

    fn capabilities(&self) -> Capabilities {
        A::CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        self.0.find_zone(name).await
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        Ok(self
            .0
            .fetch(zone, key)
            .await?
            .map(|h| h.rrset)
            .unwrap_or_default())
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let api = &self.0;
        let held_ttl = A::CAPABILITIES.effective_ttl(ttl);
        if held_ttl != ttl && !A::CAPABILITIES.ttl_set.is_empty() && !new.is_empty() {
            tracing::info!(
                "{key}: {} takes only some TTLs; {ttl} s is rounded up to {held_ttl} s",
                api.name()
            );
        }
        let held = api.fetch(zone, key).await?;
        let actual = held.as_ref().map(|h| h.rrset.clone()).unwrap_or_default();
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let mut values: Vec<RData> = Vec::with_capacity(new.len());
        for v in new {
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        let sent = match held {
            None if values.is_empty() => Ok(()),
            Some(h) if values.is_empty() => api.delete(zone, key, &h).await,
            Some(h) if A::holds(&h, &values, held_ttl) => Ok(()),
            held => api.write(zone, key, held.as_ref(), &values, held_ttl).await,
        };
        match sent {
            Ok(()) => Ok(Applied::Done),
            Err(e) if A::changed_meanwhile(&e) => Ok(Applied::Conflict(format!(
                "{key} changed at {} since it was read: {e}",
                api.name()
            ))),
            Err(e) => Err(e),
        }
    }
}

/// The [`RrsetApi::fetch`] answer for an API that needs no handle: `None` when `rrset` holds
/// nothing.
pub fn found(rrset: Rrset) -> Option<Held<()>> {
    (!rrset.values.is_empty()).then_some(Held { rrset, handle: () })
}

/// The [`RrsetApi::fetch`] answer for an API that keeps a TTL per value: the handle is the
/// TTLs, `None` when nothing is held.
pub fn found_values(held: Vec<(RData, u32)>) -> Option<Held<Vec<u32>>> {
    if held.is_empty() {
        return None;
    }
    let (values, ttls): (Vec<RData>, Vec<u32>) = held.into_iter().unzip();
    Some(Held {
        rrset: Rrset {
            ttl: ttls.first().copied(),
            values,
        },
        handle: ttls,
    })
}

/// [`RrsetApi::holds`] for a handle of per-value TTLs (from [`found_values`]): the same
/// values, each with `ttl`.
pub fn holds_values(held: &Held<Vec<u32>>, new: &[RData], ttl: u32) -> bool {
    held.handle.iter().all(|&t| t == ttl) && same_values(&held.rrset.values, new)
}
