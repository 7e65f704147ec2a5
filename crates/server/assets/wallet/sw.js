// The wallet's service worker: keeps the app shell so the passport can be viewed offline.
// `__WALLET_VERSION__` and the file list are filled in by the server (crates/server/src/wallet.rs)
// from the files it serves, so a new build gets a new cache and the old one is removed. The list
// is relative to this file, so the same worker serves `/wallet/` and a static copy of the wallet
// (`passport wallet-site`) hosted at any path.
//
// Only the app's own files are cached. Protocol traffic (offers, tokens, credentials,
// presentation requests and responses) always goes to the network and is never stored here:
// credentials live in IndexedDB, on the device, not in this cache.
const VERSION = '__WALLET_VERSION__';
const CACHE = `wallet-${VERSION}`;
const FILES = [/*__WALLET_FILES__*/].map((f) => new URL(f, self.location).pathname);
// The folder the wallet lives in (`/wallet/` on the server).
const SCOPE = new URL('./', self.location).pathname;
// Fetched from the network when online and kept for offline use (network first).
const NETWORK_FIRST = [`${SCOPE}config.json`, '/trust-list'];
// The trust list the configuration names, which may be on another origin (a static copy of
// the wallet, `passport wallet-site`): kept too, so organisations keep their names offline.
// Learnt from config.json whenever it passes through here.
let trustListUrl = null;
const learnTrustList = (response) => response.json()
  .then((config) => { trustListUrl = typeof config.trust_list_url === 'string' ? new URL(config.trust_list_url).href : null; })
  .catch(() => {});
caches.open(CACHE).then((cache) => cache.match(`${SCOPE}config.json`)).then((r) => r && learnTrustList(r));

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('wallet-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackUrl ?? request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(fallbackUrl ?? request);
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (trustListUrl !== null && url.href === trustListUrl) {
    event.respondWith(networkFirst(request, url.href));
    return;
  }
  if (url.origin !== self.location.origin) return;
  // Opening the wallet (also with ?offer= or ?request=): the live page, else the kept one.
  if (request.mode === 'navigate' && url.pathname.startsWith(SCOPE)) {
    event.respondWith(networkFirst(request, SCOPE));
    return;
  }
  if (NETWORK_FIRST.includes(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname).then((response) => {
      if (url.pathname === `${SCOPE}config.json`) learnTrustList(response.clone());
      return response;
    }));
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(caches.open(CACHE).then(async (cache) => (await cache.match(url.pathname)) ?? fetch(request)));
  }
});
