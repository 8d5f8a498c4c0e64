//! From configuration to a live provider: one `type` per backend in `[providers.NAME]`, each
//! adapter's own settings in its own file, secrets loaded through [`SecretRef`].

use serde::Deserialize;

#[cfg(feature = "https")]
use super::per_rrset::PerRrset;

use super::{
    DynProvider, Secret, SecretRef, alibaba, alibaba_esa, azure, baidu, bunny, cloudflare, cloudns,
    desec, digitalocean, dnspod, dreamhost, duckdns, dyndns2, edgeone, gandi, gcloud, gcore,
    godaddy, hetzner, hostinger, huawei, ionos, linode, luadns, mythicbeasts, namecheap, namecom,
    namesilo, netcup, nfsn, ns1, ovh, porkbun, powerdns, rfc2136, route53, scaleway, servercow,
    spaceship, template, tencent, transip, vercel, volcengine, vultr,
};

/// One `[providers.NAME]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
#[cfg_attr(
    not(feature = "https"),
    allow(
        clippy::large_enum_variant,
        reason = "the hosted variants are empty stubs in this build; a few tables per run"
    )
)]
pub enum ProviderConfig {
    /// RFC 2136 UPDATE to an authoritative server.
    Rfc2136(rfc2136::Config),
    /// PowerDNS Authoritative's HTTP API.
    Powerdns(powerdns::Config),
    /// Cloudflare's API v4.
    Cloudflare(cloudflare::Config),
    /// The dyndns2 protocol (No-IP, Dyn, DNS-O-Matic, dynv6, ...).
    Dyndns2(dyndns2::Config),
    /// DuckDNS.
    Duckdns(duckdns::Config),
    /// deSEC.
    Desec(desec::Config),
    /// Hetzner DNS.
    Hetzner(hetzner::Config),
    /// DigitalOcean.
    Digitalocean(digitalocean::Config),
    /// Gandi LiveDNS.
    Gandi(gandi::Config),
    /// Porkbun.
    Porkbun(porkbun::Config),
    /// Amazon Route 53.
    Route53(route53::Config),
    /// Alibaba Cloud DNS.
    Alibaba(alibaba::Config),
    /// Tencent Cloud DNSPod.
    Tencent(tencent::Config),
    /// Namecheap dynamic DNS.
    Namecheap(namecheap::Config),
    /// GoDaddy.
    Godaddy(godaddy::Config),
    /// Any HTTP API, described by URL and body templates.
    Template(template::Config),
    /// IONOS DNS API.
    Ionos(ionos::Config),
    /// Vultr DNS.
    Vultr(vultr::Config),
    /// Name.com API v4.
    Namecom(namecom::Config),
    /// DNSPod's legacy token API.
    Dnspod(dnspod::Config),
    /// Bunny DNS.
    Bunny(bunny::Config),
    /// Gcore Managed DNS.
    Gcore(gcore::Config),
    /// NameSilo.
    Namesilo(namesilo::Config),
    /// Mythic Beasts DNS API v2.
    Mythicbeasts(mythicbeasts::Config),
    /// Hostinger DNS API.
    Hostinger(hostinger::Config),
    /// Servercow DNS API.
    Servercow(servercow::Config),
    /// Tencent Cloud EdgeOne DNS records.
    Edgeone(edgeone::Config),
    /// Alibaba Cloud ESA DNS records.
    AlibabaEsa(alibaba_esa::Config),
    /// Huawei Cloud DNS.
    Huawei(huawei::Config),
    /// Baidu AI Cloud domain resolution.
    Baidu(baidu::Config),
    /// Spaceship.
    Spaceship(spaceship::Config),
    /// ClouDNS.
    Cloudns(cloudns::Config),
    /// Linode (Akamai Cloud) Domains.
    Linode(linode::Config),
    /// NS1.
    Ns1(ns1::Config),
    /// Vercel DNS.
    Vercel(vercel::Config),
    /// Scaleway Domains and DNS.
    Scaleway(scaleway::Config),
    /// DreamHost.
    Dreamhost(dreamhost::Config),
    /// OVHcloud API (signed).
    Ovh(ovh::Config),
    /// Google Cloud DNS (service account).
    Gcloud(gcloud::Config),
    /// Volcengine TrafficRoute DNS (signed).
    Volcengine(volcengine::Config),
    /// Azure DNS (Entra ID application).
    Azure(azure::Config),
    /// TransIP (RSA-signed login).
    Transip(transip::Config),
    /// netcup CCP DNS API (session login).
    Netcup(netcup::Config),
    /// LuaDNS REST API.
    Luadns(luadns::Config),
    /// NearlyFreeSpeech.NET member API (signed).
    Nfsn(nfsn::Config),
    /// Yandex PDD: closed; configuring it is an error that says so.
    Yandex(Gone),
    /// CloudXNS: shut down; configuring it is an error that says so.
    Cloudxns(Gone),
}

/// The settings of a service that no longer exists: whatever they are, building the provider
/// fails with the reason (`registry::dead`), not with a complaint about a field.
#[derive(Debug, Clone, Deserialize)]
pub struct Gone(
    #[allow(dead_code, reason = "read only to accept any settings")]
    std::collections::BTreeMap<String, serde::de::IgnoredAny>,
);

impl ProviderConfig {
    /// The `type` as written in the configuration.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderConfig::Rfc2136(_) => "rfc2136",
            ProviderConfig::Powerdns(_) => "powerdns",
            ProviderConfig::Cloudflare(_) => "cloudflare",
            ProviderConfig::Dyndns2(_) => "dyndns2",
            ProviderConfig::Duckdns(_) => "duckdns",
            ProviderConfig::Desec(_) => "desec",
            ProviderConfig::Hetzner(_) => "hetzner",
            ProviderConfig::Digitalocean(_) => "digitalocean",
            ProviderConfig::Gandi(_) => "gandi",
            ProviderConfig::Porkbun(_) => "porkbun",
            ProviderConfig::Route53(_) => "route53",
            ProviderConfig::Alibaba(_) => "alibaba",
            ProviderConfig::Tencent(_) => "tencent",
            ProviderConfig::Namecheap(_) => "namecheap",
            ProviderConfig::Godaddy(_) => "godaddy",
            ProviderConfig::Template(_) => "template",
            ProviderConfig::Ionos(_) => "ionos",
            ProviderConfig::Vultr(_) => "vultr",
            ProviderConfig::Namecom(_) => "namecom",
            ProviderConfig::Dnspod(_) => "dnspod",
            ProviderConfig::Bunny(_) => "bunny",
            ProviderConfig::Gcore(_) => "gcore",
            ProviderConfig::Namesilo(_) => "namesilo",
            ProviderConfig::Mythicbeasts(_) => "mythicbeasts",
            ProviderConfig::Hostinger(_) => "hostinger",
            ProviderConfig::Servercow(_) => "servercow",
            ProviderConfig::Edgeone(_) => "edgeone",
            ProviderConfig::AlibabaEsa(_) => "alibaba-esa",
            ProviderConfig::Huawei(_) => "huawei",
            ProviderConfig::Baidu(_) => "baidu",
            ProviderConfig::Spaceship(_) => "spaceship",
            ProviderConfig::Cloudns(_) => "cloudns",
            ProviderConfig::Linode(_) => "linode",
            ProviderConfig::Ns1(_) => "ns1",
            ProviderConfig::Vercel(_) => "vercel",
            ProviderConfig::Scaleway(_) => "scaleway",
            ProviderConfig::Dreamhost(_) => "dreamhost",
            ProviderConfig::Ovh(_) => "ovh",
            ProviderConfig::Gcloud(_) => "gcloud",
            ProviderConfig::Volcengine(_) => "volcengine",
            ProviderConfig::Azure(_) => "azure",
            ProviderConfig::Transip(_) => "transip",
            ProviderConfig::Netcup(_) => "netcup",
            ProviderConfig::Luadns(_) => "luadns",
            ProviderConfig::Nfsn(_) => "nfsn",
            ProviderConfig::Yandex(_) => "yandex",
            ProviderConfig::Cloudxns(_) => "cloudxns",
        }
    }
}

/// What building a provider needs besides its configuration, and what it found to warn about.
#[derive(Debug, Default)]
pub struct Setup {
    /// Refuse secret files readable by group or others (instead of warning).
    pub strict_permissions: bool,
    /// Warnings for the user (loose permissions, ...), never holding a secret.
    pub warnings: Vec<String>,
    /// `check-config`: a systemd credential that exists only under the unit is noted in
    /// `unchecked` instead of failing (a placeholder stands in for it).
    pub check_only: bool,
    /// What `check_only` could not check, for the user.
    pub unchecked: Vec<String>,
}

impl Setup {
    /// `check_only`, outside the unit: `path` is a systemd credential that does not exist
    /// here (`/run/credentials/UNIT/NAME`, from `LoadCredential=`); noted, not checked.
    pub fn unchecked_credential_file(&mut self, path: &std::path::Path) -> bool {
        let unchecked = self.check_only
            && path.starts_with("/run/credentials")
            && crate::environment::var_os("CREDENTIALS_DIRECTORY").is_none()
            && !path.exists();
        if unchecked {
            self.unchecked.push(format!(
                "{}: a systemd credential, which exists only under the unit (LoadCredential=)",
                path.display()
            ));
        }
        unchecked
    }

    /// Load a secret; `what` names it in messages (`token`, `password`).
    pub fn secret(&mut self, r: &SecretRef, what: &str) -> Result<Secret, String> {
        if self.check_only
            && let SecretRef::Credential(name) = r
            && crate::environment::var_os("CREDENTIALS_DIRECTORY").is_none()
        {
            self.unchecked.push(format!(
                "{what}: the systemd credential '{name}' exists only under the unit (LoadCredential=)"
            ));
            return Ok(Secret::new("unchecked-credential"));
        }
        let (secret, warning) = r
            .load(self.strict_permissions)
            .map_err(|e| format!("{what}: {e}"))?;
        if let Some(w) = warning {
            self.warnings.push(format!("{what}: {w}"));
        }
        Ok(secret)
    }
}

/// Build the provider a configuration describes. `name` is its `[providers.NAME]`, for messages.
pub async fn build(
    name: &str,
    conf: &ProviderConfig,
    setup: &mut Setup,
) -> Result<Box<dyn DynProvider>, String> {
    let _ = name;
    match conf {
        ProviderConfig::Rfc2136(c) => Ok(Box::new(rfc2136::Rfc2136::from_config(c, setup).await?)),
        ProviderConfig::Yandex(_) | ProviderConfig::Cloudxns(_) => Err(gone(conf)),
        _ => hosted(conf, setup),
    }
}

/// Why a service that no longer exists cannot be configured.
fn gone(conf: &ProviderConfig) -> String {
    let kind = conf.kind();
    let why = super::registry::dead(kind).unwrap_or("the service no longer exists");
    format!("type '{kind}': {why}")
}

/// A build without the `https` feature has no hosted-API adapter: each one's variant holds
/// `not_built::Config`, and building it says so.
#[cfg(not(feature = "https"))]
fn hosted(conf: &ProviderConfig, _setup: &mut Setup) -> Result<Box<dyn DynProvider>, String> {
    Err(super::not_built::message(conf.kind()))
}

/// The hosted-API adapters (the `https` feature): one arm per adapter.
#[cfg(feature = "https")]
fn hosted(conf: &ProviderConfig, setup: &mut Setup) -> Result<Box<dyn DynProvider>, String> {
    let p: Box<dyn DynProvider> = match conf {
        ProviderConfig::Rfc2136(_) => return Err("type 'rfc2136': not a hosted API".into()),
        ProviderConfig::Powerdns(c) => Box::new(powerdns::PowerDns::new(c, setup)?),
        ProviderConfig::Cloudflare(c) => Box::new(cloudflare::Cloudflare::new(c, setup)?),
        ProviderConfig::Dyndns2(c) => Box::new(dyndns2::Dyndns2::new(c, setup)?),
        ProviderConfig::Duckdns(c) => Box::new(duckdns::DuckDns::new(c, setup)?),
        ProviderConfig::Desec(c) => Box::new(desec::Desec::new(c, setup)?),
        ProviderConfig::Hetzner(c) => Box::new(hetzner::Hetzner::new(c, setup)?),
        ProviderConfig::Digitalocean(c) => Box::new(digitalocean::DigitalOcean::new(c, setup)?),
        ProviderConfig::Gandi(c) => Box::new(gandi::Gandi::new(c, setup)?),
        ProviderConfig::Porkbun(c) => Box::new(porkbun::Porkbun::new(c, setup)?),
        ProviderConfig::Route53(c) => Box::new(route53::Route53::new(c, setup)?),
        ProviderConfig::Alibaba(c) => Box::new(alibaba::Alibaba::new(c, setup)?),
        ProviderConfig::Tencent(c) => Box::new(tencent::Tencent::new(c, setup)?),
        ProviderConfig::Namecheap(c) => Box::new(namecheap::Namecheap::new(c, setup)?),
        ProviderConfig::Godaddy(c) => Box::new(godaddy::GoDaddy::new(c, setup)?),
        ProviderConfig::Template(c) => Box::new(template::Template::new(c, setup)?),
        ProviderConfig::Ionos(c) => Box::new(ionos::Ionos::new(c, setup)?),
        ProviderConfig::Vultr(c) => Box::new(vultr::Vultr::new(c, setup)?),
        ProviderConfig::Namecom(c) => Box::new(namecom::NameCom::new(c, setup)?),
        ProviderConfig::Dnspod(c) => Box::new(dnspod::DnsPod::new(c, setup)?),
        ProviderConfig::Bunny(c) => Box::new(bunny::Bunny::new(c, setup)?),
        ProviderConfig::Gcore(c) => Box::new(PerRrset(gcore::Gcore::new(c, setup)?)),
        ProviderConfig::Namesilo(c) => Box::new(namesilo::NameSilo::new(c, setup)?),
        ProviderConfig::Mythicbeasts(c) => {
            Box::new(PerRrset(mythicbeasts::MythicBeasts::new(c, setup)?))
        }
        ProviderConfig::Hostinger(c) => Box::new(PerRrset(hostinger::Hostinger::new(c, setup)?)),
        ProviderConfig::Servercow(c) => Box::new(PerRrset(servercow::Servercow::new(c, setup)?)),
        ProviderConfig::Edgeone(c) => Box::new(edgeone::EdgeOne::new(c, setup)?),
        ProviderConfig::AlibabaEsa(c) => Box::new(alibaba_esa::AlibabaEsa::new(c, setup)?),
        ProviderConfig::Huawei(c) => Box::new(PerRrset(huawei::Huawei::new(c, setup)?)),
        ProviderConfig::Baidu(c) => Box::new(baidu::Baidu::new(c, setup)?),
        ProviderConfig::Spaceship(c) => Box::new(PerRrset(spaceship::Spaceship::new(c, setup)?)),
        ProviderConfig::Cloudns(c) => Box::new(cloudns::ClouDns::new(c, setup)?),
        ProviderConfig::Linode(c) => Box::new(linode::Linode::new(c, setup)?),
        ProviderConfig::Ns1(c) => Box::new(PerRrset(ns1::Ns1::new(c, setup)?)),
        ProviderConfig::Vercel(c) => Box::new(vercel::Vercel::new(c, setup)?),
        ProviderConfig::Scaleway(c) => Box::new(PerRrset(scaleway::Scaleway::new(c, setup)?)),
        ProviderConfig::Dreamhost(c) => Box::new(dreamhost::Dreamhost::new(c, setup)?),
        ProviderConfig::Ovh(c) => Box::new(ovh::Ovh::new(c, setup)?),
        ProviderConfig::Gcloud(c) => Box::new(gcloud::GoogleCloudDns::new(c, setup)?),
        ProviderConfig::Volcengine(c) => Box::new(volcengine::Volcengine::new(c, setup)?),
        ProviderConfig::Azure(c) => Box::new(PerRrset(azure::Azure::new(c, setup)?)),
        ProviderConfig::Transip(c) => Box::new(transip::TransIp::new(c, setup)?),
        ProviderConfig::Netcup(c) => Box::new(netcup::Netcup::new(c, setup)?),
        ProviderConfig::Luadns(c) => Box::new(luadns::LuaDns::new(c, setup)?),
        ProviderConfig::Nfsn(c) => Box::new(PerRrset(nfsn::Nfsn::new(c, setup)?)),
        ProviderConfig::Yandex(_) | ProviderConfig::Cloudxns(_) => {
            return Err(gone(conf));
        }
    };
    Ok(p)
}
