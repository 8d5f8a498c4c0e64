#![allow(dead_code)]
//! One behaviour suite for every provider, real or faked: read an RRset, replace it only if it
//! still holds what was read, report a conflict (changing nothing) when it does not, delete,
//! keep A, AAAA and TXT apart, and never touch a record it does not manage. What a provider
//! cannot do (by its [`Capabilities`]) must be refused with `Unsupported` before anything is
//! sent, never half done.

use std::str::FromStr;

use dnsup::daemon::reconcile::rdata;
use dnsup::provider::{Applied, Capabilities, DynProvider, Guard, ProviderError, Rrset, RrsetKey};
use hickory_proto::rr::{Name, RData, RecordType};

use super::fake::{Fake, FakeResponse};

pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub fn v(s: &str) -> RData {
    rdata(s.parse().unwrap())
}

pub fn txt(s: &str) -> RData {
    dnsup::update::parse_rdata(RecordType::TXT, s, &Name::root()).unwrap()
}

pub fn key(name: &str, rtype: RecordType) -> RrsetKey {
    RrsetKey {
        name: Name::from_str(name).unwrap(),
        rtype,
    }
}

/// What the suite drives and how it sees the result.
pub struct Subject<'a> {
    /// The provider under test.
    pub provider: &'a dyn DynProvider,
    /// Its zone (`example.test.`).
    pub zone: Name,
    /// What the authoritative side holds: the provider's own read for readable providers,
    /// the fake's store for write-only ones.
    pub truth: &'a dyn Fn(&RrsetKey) -> Rrset,
}

impl Subject<'_> {
    fn caps(&self) -> Capabilities {
        self.provider.capabilities()
    }

    fn read(&self, k: &RrsetKey) -> Rrset {
        if self.caps().read {
            let got = block(self.provider.read(&self.zone, k))
                .unwrap_or_else(|e| panic!("{}: read {k}: {e}", self.provider.label()));
            let mut truth = (self.truth)(k);
            let mut read = got.clone();
            truth.values.sort_by_key(ToString::to_string);
            read.values.sort_by_key(ToString::to_string);
            assert_eq!(
                read,
                truth,
                "{}: read {k} differs from the truth",
                self.provider.label()
            );
            got
        } else {
            (self.truth)(k)
        }
    }

    fn replace(&self, k: &RrsetKey, expected: &[RData], new: &[RData], ttl: u32) -> Applied {
        block(self.provider.replace(&self.zone, k, expected, new, ttl))
            .unwrap_or_else(|e| panic!("{}: replace {k}: {e}", self.provider.label()))
    }

    fn values(&self, k: &RrsetKey) -> Vec<String> {
        let mut v: Vec<String> = self
            .read(k)
            .values
            .iter()
            .map(ToString::to_string)
            .collect();
        v.sort();
        v
    }
}

fn sorted(values: &[RData]) -> Vec<String> {
    let mut v: Vec<String> = values.iter().map(ToString::to_string).collect();
    v.sort();
    v
}

/// The suite. `bystanders` reads everything the suite must not touch, before and after.
pub fn behaviour_suite<B: PartialEq + std::fmt::Debug>(s: &Subject, bystanders: &dyn Fn() -> B) {
    let caps = s.caps();
    let label = s.provider.label();
    let before = bystanders();
    let suite_name = format!("suite.{}", s.zone);
    let k = key(&suite_name, RecordType::A);
    let k6 = key(&suite_name, RecordType::AAAA);
    let kt = key(&suite_name, RecordType::TXT);

    // The zone is found, or the provider says it cannot list zones.
    match block(s.provider.find_zone(&k.name)) {
        Ok(z) => assert_eq!(z, s.zone, "{label}: find_zone"),
        Err(e) => assert!(
            matches!(e, ProviderError::Unsupported(_)),
            "{label}: find_zone: {e}"
        ),
    }

    // Absent at first; a create guarded by "absent" works.
    assert!(
        s.values(&k).is_empty(),
        "{label}: {k} exists before the suite"
    );
    assert_eq!(
        s.replace(&k, &[], &[v("192.0.2.1")], 120),
        Applied::Done,
        "{label}"
    );
    let set = s.read(&k);
    assert_eq!(sorted(&set.values), ["192.0.2.1"], "{label}");
    if caps.ttl {
        assert_eq!(set.ttl, Some(caps.effective_ttl(120)), "{label}: TTL");
    }

    if caps.guard != Guard::None {
        // A create guarded by "absent" conflicts now, and a stale guard conflicts; neither
        // changes anything.
        assert!(
            matches!(
                s.replace(&k, &[], &[v("192.0.2.9")], 120),
                Applied::Conflict(_)
            ),
            "{label}: create over an existing RRset must conflict"
        );
        assert!(
            matches!(
                s.replace(&k, &[v("192.0.2.7")], &[v("192.0.2.9")], 120),
                Applied::Conflict(_)
            ),
            "{label}: a stale guard must conflict"
        );
        assert_eq!(
            s.values(&k),
            ["192.0.2.1"],
            "{label}: a conflict changed the RRset"
        );
    }

    // The right guard replaces; several values in one RRset where the provider holds them.
    let current = [v("192.0.2.1")];
    let next: Vec<RData> = if caps.multiple_values {
        vec![v("192.0.2.2"), v("192.0.2.3")]
    } else {
        vec![v("192.0.2.2")]
    };
    assert_eq!(s.replace(&k, &current, &next, 60), Applied::Done, "{label}");
    let got = s.read(&k);
    assert_eq!(sorted(&got.values), sorted(&next), "{label}");
    if caps.ttl {
        assert_eq!(
            got.ttl,
            Some(caps.effective_ttl(60)),
            "{label}: TTL after replace"
        );
    }
    if caps.multiple_values && caps.guard != Guard::None {
        // A guard over a whole RRset must list all of it.
        assert!(
            matches!(
                s.replace(&k, &[v("192.0.2.2")], &[v("192.0.2.4")], 60),
                Applied::Conflict(_)
            ),
            "{label}: a partial guard must conflict"
        );
        assert_eq!(s.values(&k), sorted(&next), "{label}");
    }
    if !caps.multiple_values {
        let err =
            block(
                s.provider
                    .replace(&s.zone, &k, &next, &[v("192.0.2.5"), v("192.0.2.6")], 60),
            )
            .unwrap_err();
        assert!(
            matches!(err, ProviderError::Unsupported(_)),
            "{label}: {err}"
        );
        assert_eq!(
            s.values(&k),
            sorted(&next),
            "{label}: refused change was applied"
        );
    }

    // AAAA is a separate RRset.
    if caps.serves(RecordType::AAAA) {
        assert_eq!(
            s.replace(&k6, &[], &[v("2001:db8::1")], 60),
            Applied::Done,
            "{label}"
        );
        assert_eq!(s.values(&k6), ["2001:db8::1"], "{label}");
        assert_eq!(
            s.values(&k),
            sorted(&next),
            "{label}: AAAA change touched A"
        );
    }

    // TXT (ACME DNS-01) with spaces and quotes survives the round trip.
    if caps.serves(RecordType::TXT) {
        let value = txt("\"acme token with spaces\" \"and \\\"quotes\\\"\"");
        assert_eq!(
            s.replace(&kt, &[], std::slice::from_ref(&value), 60),
            Applied::Done,
            "{label}"
        );
        assert_eq!(
            s.values(&kt),
            [value.to_string()],
            "{label}: TXT round trip"
        );
        if caps.delete {
            assert_eq!(s.replace(&kt, &[value], &[], 60), Applied::Done, "{label}");
            assert!(s.values(&kt).is_empty(), "{label}");
        }
    } else {
        let err = block(s.provider.replace(&s.zone, &kt, &[], &[txt("x")], 60)).unwrap_err();
        assert!(
            matches!(err, ProviderError::Unsupported(_)),
            "{label}: {err}"
        );
    }

    // Replacing with nothing deletes, where the provider can.
    if caps.delete {
        assert_eq!(s.replace(&k, &next, &[], 60), Applied::Done, "{label}");
        assert!(s.values(&k).is_empty(), "{label}: delete");
        if caps.serves(RecordType::AAAA) {
            assert_eq!(
                s.values(&k6),
                ["2001:db8::1"],
                "{label}: deleting A touched AAAA"
            );
        }
    } else {
        let err = block(s.provider.replace(&s.zone, &k, &next, &[], 60)).unwrap_err();
        assert!(
            matches!(err, ProviderError::Unsupported(_)),
            "{label}: {err}"
        );
        assert_eq!(
            s.values(&k),
            sorted(&next),
            "{label}: refused delete was applied"
        );
    }

    assert_eq!(
        bystanders(),
        before,
        "{label}: records the suite does not manage changed"
    );
}

/// A 429 with a short `Retry-After` is waited out and the request sent again; one asking for
/// longer than dnsup waits fails at once with a network error that says when to retry.
pub fn rate_limits_are_honoured(s: &Subject, fake: &Fake) {
    let k = key(&format!("rate.{}", s.zone), RecordType::A);
    let op = || -> Result<(), ProviderError> {
        if s.caps().read {
            block(s.provider.read(&s.zone, &k)).map(|_| ())
        } else {
            block(s.provider.replace(&s.zone, &k, &[], &[v("192.0.2.44")], 60)).map(|_| ())
        }
    };
    op().unwrap();
    fake.clear();
    op().unwrap();
    let per_op = fake.requests().len();

    fake.clear();
    fake.inject(FakeResponse::text(429, "slow down").with_header("Retry-After", "1"));
    op().unwrap_or_else(|e| panic!("{}: after a 429: {e}", s.provider.label()));
    assert_eq!(fake.requests().len(), per_op + 1, "one request sent again");

    fake.clear();
    fake.inject(FakeResponse::text(429, "slow down").with_header("Retry-After", "3600"));
    let err = op().unwrap_err();
    assert!(
        matches!(&err, ProviderError::Throttled(_, 3600)),
        "{}: {err}",
        s.provider.label()
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "no retry when the wait is too long"
    );

    fake.clear();
    fake.inject(FakeResponse::text(503, "maintenance"));
    op().unwrap_or_else(|e| panic!("{}: after a 503: {e}", s.provider.label()));
}

/// Wrong credentials are an authentication error, and no message holds the secret.
pub fn bad_credentials_are_an_auth_error(p: &dyn DynProvider, zone: &Name, secret: &str) {
    let k = key(&format!("auth.{zone}"), RecordType::A);
    let err = if p.capabilities().read {
        block(p.read(zone, &k)).unwrap_err()
    } else {
        block(p.replace(zone, &k, &[], &[v("192.0.2.1")], 60)).unwrap_err()
    };
    assert!(
        matches!(err, ProviderError::Auth(_)),
        "{}: {err}",
        p.label()
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains(secret), "the secret leaked into: {text}");
}
