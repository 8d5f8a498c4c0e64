//! Every provider through one behaviour suite (`suite.rs`): RFC 2136 against real named and
//! knotd, PowerDNS against a real pdns_server, and each hosted API against a local fake that
//! checks every request against the provider's documentation (`fake.rs`).

#[path = "../common/mod.rs"]
mod common;

mod fake;
mod harness;
mod store;
mod suite;

mod alibaba;
mod alibaba_esa;
mod azure;
mod baidu;
mod bunny;
mod cloudflare;
mod cloudns;
mod daemon_waits;
mod desec;
mod digitalocean;
mod dnspod;
mod dreamhost;
mod duckdns;
mod dyndns2;
mod edgeone;
mod gandi;
mod gcloud;
mod gcore;
mod godaddy;
mod hetzner;
mod hostinger;
mod huawei;
mod ionos;
mod linode;
mod luadns;
mod mythicbeasts;
mod namecheap;
mod namecom;
mod namesilo;
mod netcup;
mod nfsn;
mod ns1;
mod ovh;
mod porkbun;
mod powerdns;
mod presets;
mod registry;
mod rfc2136;
mod route53;
mod scaleway;
mod servercow;
mod spaceship;
mod template;
mod tencent;
mod tls;
mod transip;
mod vercel;
mod volcengine;
mod vultr;
