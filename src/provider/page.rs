//! Paged listings (zones of an account, records of a name): the loop every adapter that lists
//! runs, with the page fetch and the API's own end-of-listing rule left to the adapter.

use std::future::Future;
use std::sync::Mutex;

use hickory_proto::rr::Name;

use super::ProviderError;

/// At most this many pages of one listing are asked for (the rest is not listed).
pub const MAX_PAGES: usize = 1000;

/// What a paged listing gave.
#[derive(Debug)]
pub struct Listing<T> {
    /// Every item of every page asked for, in order.
    pub items: Vec<T>,
    /// False when the listing went on past the page limit (`items` then holds the first pages).
    pub complete: bool,
}

/// Ask for pages until `fetch` says there are no more, at most `limit` of them. `fetch` gets
/// where the page starts (`first`, then what the previous page said comes next) and how many
/// items came before it; it answers the page's items and where the next page starts (`None`:
/// this was the last).
pub async fn pages<T, C, F, Fut>(
    limit: usize,
    first: C,
    mut fetch: F,
) -> Result<Listing<T>, ProviderError>
where
    F: FnMut(C, usize) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<C>), ProviderError>>,
{
    let mut items = Vec::new();
    let mut at = first;
    for _ in 0..limit {
        let (page, next) = fetch(at, items.len()).await?;
        items.extend(page);
        match next {
            Some(n) => at = n,
            None => {
                return Ok(Listing {
                    items,
                    complete: true,
                });
            }
        }
    }
    Ok(Listing {
        items,
        complete: false,
    })
}

/// The first [`MAX_PAGES`] pages of a listing numbered from 1 whose answers carry the total
/// number of items: `fetch` gets the page number and the items so far and answers the page's
/// items and the total; the listing ends at an empty page or when the items reach the total.
pub async fn counted<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ProviderError>
where
    F: FnMut(u32, usize) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, u64), ProviderError>>,
{
    let listing = pages(MAX_PAGES, 1u32, |page, seen| {
        let answer = fetch(page, seen);
        async move {
            let (items, total) = answer.await?;
            let more = !items.is_empty() && ((seen + items.len()) as u64) < total;
            Ok((items, more.then_some(page + 1)))
        }
    })
    .await?;
    Ok(listing.items)
}

/// The first [`MAX_PAGES`] pages of a listing numbered from 1: `fetch` gets the page number
/// and answers the page's items and whether another page follows.
pub async fn numbered<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ProviderError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, bool), ProviderError>>,
{
    let listing = pages(MAX_PAGES, 1u32, |page, _| {
        let answer = fetch(page);
        async move {
            let (items, more) = answer.await?;
            Ok((items, more.then_some(page + 1)))
        }
    })
    .await?;
    Ok(listing.items)
}

/// The zones of an account, listed once and then kept (adapters that find zones by listing
/// them all): the names, or the names with the API's ids (`ZoneCache<(Name, u64)>`).
#[derive(Debug)]
pub struct ZoneCache<T = Name>(Mutex<Option<Vec<T>>>);

impl<T> Default for ZoneCache<T> {
    fn default() -> Self {
        ZoneCache(Mutex::new(None))
    }
}

impl<T: Clone> ZoneCache<T> {
    /// The zones kept, or what `list` lists (kept when it succeeds).
    pub async fn get_or_list(
        &self,
        list: impl Future<Output = Result<Vec<T>, ProviderError>>,
    ) -> Result<Vec<T>, ProviderError> {
        if let Some(z) = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(z);
        }
        let zones = list.await?;
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(zones.clone());
        Ok(zones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn counted_stops_at_the_total_or_an_empty_page() {
        let got = run(counted(|page, seen| async move {
            Ok((vec![(page, seen); 2], 5))
        }))
        .unwrap();
        assert_eq!(got, [(1, 0), (1, 0), (2, 2), (2, 2), (3, 4), (3, 4)]);
        let got: Vec<u32> = run(counted(|page, _| async move {
            Ok((if page < 3 { vec![page] } else { vec![] }, 100))
        }))
        .unwrap();
        assert_eq!(got, [1, 2]);
    }

    #[test]
    fn the_page_limit_is_reported() {
        let l = run(pages(3, 0u32, |at, _| async move {
            Ok((vec![at], Some(at + 1)))
        }))
        .unwrap();
        assert_eq!(l.items, [0, 1, 2]);
        assert!(!l.complete);
        let l = run(pages(3, 0u32, |at, _| async move {
            Ok((vec![at], (at < 1).then_some(at + 1)))
        }))
        .unwrap();
        assert_eq!(l.items, [0, 1]);
        assert!(l.complete);
    }
}
