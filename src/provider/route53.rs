//! STUB: replaced by the real adapter.

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::http::HttpSettings;
use super::{Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey};

/// `type = "route53"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Route53;

impl Route53 {
    /// Build from configuration.
    pub fn new(_c: &Config, _setup: &mut Setup) -> Result<Self, String> {
        Err("route53: not built yet".into())
    }
}

impl Provider for Route53 {
    fn label(&self) -> String {
        "route53".into()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::READ_WRITE
    }
    async fn find_zone(&self, _name: &Name) -> Result<Name, ProviderError> {
        Err(ProviderError::Unsupported("stub".into()))
    }
    async fn read(&self, _zone: &Name, _key: &RrsetKey) -> Result<Rrset, ProviderError> {
        Err(ProviderError::Unsupported("stub".into()))
    }
    async fn replace(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        _expected: &[RData],
        _new: &[RData],
        _ttl: u32,
    ) -> Result<Applied, ProviderError> {
        Err(ProviderError::Unsupported("stub".into()))
    }
}
