//! Rate limiting of failed sign-ins per client address, in memory. Account lockout (in the
//! store) stops guessing one account's password; this stops one client guessing across many
//! accounts (or usernames that do not exist, which have no row to lock).
//!
//! Invariants:
//! - Bounded: at most [`MAX_TRACKED`] addresses are tracked; when full, expired windows go
//!   first, then the oldest window.
//! - IPv6 clients are counted per /64 (one subscriber's allocation), IPv4-mapped IPv6 as IPv4.
//! - A blocked client is refused before any password is checked.
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

pub const MAX_TRACKED: usize = 10_000;

/// A failure window of one client: when it started and how many failures it holds.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: i64,
    failures: i64,
}

pub struct IpLimiter {
    limit: i64,
    window_secs: i64,
    capacity: usize,
    windows: Mutex<HashMap<IpAddr, Window>>,
}

/// The address a limit applies to: IPv6 cut to its /64.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
        v4 => v4,
    }
}

impl IpLimiter {
    /// At most `limit` failures per `window_secs` per client.
    pub fn new(limit: i64, window_secs: i64) -> IpLimiter {
        IpLimiter::with_capacity(limit, window_secs, MAX_TRACKED)
    }

    pub fn with_capacity(limit: i64, window_secs: i64, capacity: usize) -> IpLimiter {
        IpLimiter {
            limit: limit.max(1),
            window_secs: window_secs.max(1),
            capacity: capacity.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until `ip` may try again, if it is blocked now.
    pub fn blocked(&self, ip: IpAddr, now: i64) -> Option<i64> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let w = windows.get(&bucket(ip))?;
        let ends = w.start + self.window_secs;
        (w.failures >= self.limit && ends > now).then_some(ends - now)
    }

    /// Counts a failed sign-in from `ip`.
    pub fn failed(&self, ip: IpAddr, now: i64) {
        let key = bucket(ip);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(&key) && windows.len() >= self.capacity {
            let window_secs = self.window_secs;
            windows.retain(|_, w| w.start + window_secs > now);
            if windows.len() >= self.capacity {
                let oldest = windows.iter().min_by_key(|(_, w)| w.start).map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    windows.remove(&oldest);
                }
            }
        }
        let w = windows.entry(key).or_insert(Window {
            start: now,
            failures: 0,
        });
        if w.start + self.window_secs <= now {
            *w = Window {
                start: now,
                failures: 0,
            };
        }
        w.failures += 1;
    }

    pub fn tracked(&self) -> usize {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The client's address: the last value of `header` when the deployment names one (the address
/// its reverse proxy saw), else the TCP peer. `None` when neither is known (a test router
/// without connection info): such requests share one bucket.
pub fn client_ip(headers: &HeaderMap, extensions: &Extensions, header: Option<&str>) -> IpAddr {
    let from_header = header.and_then(|name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    });
    from_header
        .or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_limit_blocks_for_the_rest_of_the_window_then_lifts() {
        let l = IpLimiter::new(3, 100);
        let a = ip("192.0.2.1");
        for _ in 0..2 {
            l.failed(a, 10);
            assert_eq!(l.blocked(a, 10), None);
        }
        l.failed(a, 20);
        assert_eq!(l.blocked(a, 20), Some(90));
        assert_eq!(l.blocked(ip("192.0.2.2"), 20), None, "another client");
        assert_eq!(l.blocked(a, 110), None, "window over");
        l.failed(a, 110);
        assert_eq!(l.blocked(a, 110), None, "a new window");
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let l = IpLimiter::new(2, 100);
        l.failed(ip("2001:db8:1:2::1"), 1);
        l.failed(ip("2001:db8:1:2:ffff::9"), 1);
        assert!(l.blocked(ip("2001:db8:1:2::77"), 1).is_some());
        assert!(l.blocked(ip("2001:db8:1:3::1"), 1).is_none());
        l.failed(ip("::ffff:192.0.2.7"), 1);
        l.failed(ip("192.0.2.7"), 1);
        assert!(l.blocked(ip("192.0.2.7"), 1).is_some());
    }

    #[test]
    fn memory_is_bounded() {
        let l = IpLimiter::with_capacity(1, 100, 50);
        for i in 0..200u32 {
            l.failed(
                IpAddr::V4(std::net::Ipv4Addr::from(0xC000_0200 + i)),
                i64::from(i),
            );
            assert!(l.tracked() <= 50);
        }
        // The newest are still tracked; the oldest made room.
        assert!(l
            .blocked(IpAddr::V4(std::net::Ipv4Addr::from(0xC000_0200 + 199)), 199)
            .is_some());
        assert!(l
            .blocked(IpAddr::V4(std::net::Ipv4Addr::from(0xC000_0200)), 199)
            .is_none());
    }

    #[test]
    fn the_address_comes_from_the_named_header_or_the_peer() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.4"),
        );
        let mut ext = Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        assert_eq!(
            client_ip(&h, &ext, Some("x-forwarded-for")),
            ip("198.51.100.4")
        );
        assert_eq!(client_ip(&h, &ext, None), ip("127.0.0.1"));
        assert_eq!(
            client_ip(&HeaderMap::new(), &Extensions::new(), None),
            ip("0.0.0.0")
        );
    }
}
