/* global self, caches, fetch, Request */
// Offline shell. Everything typed is already kept in IndexedDB; this lets the page
// itself load when the relay (which also serves it) is down or the network is
// gone, so a reload while offline still shows the project.
//   - the page (any navigation): network first, else the last page we saw;
//   - /assets/*: content-hashed and immutable, so cache first;
//   - /api and /yjs: never touched.
const SHELL_CACHE = 'tandem-shell';
const ASSET_CACHE = 'tandem-assets';
const SHELL_KEY = '/';

self.addEventListener('install', (event) => {
  self.skipWaiting();
  // The page that installs us was fetched before we existed: fetch it once more.
  event.waitUntil(
    fetch(SHELL_KEY)
      .then((response) => response.ok && rememberShell(response))
      .catch(() => {}),
  );
});

// The page lists the assets it loaded (before we controlled it, or lazily): keep them.
self.addEventListener('message', (event) => {
  const urls = event.data && event.data.type === 'cache-assets' ? event.data.urls : [];
  event.waitUntil(Promise.all(urls.filter(isAsset).map((url) => asset(new Request(url)).catch(() => {}))));
});

function isAsset(url) {
  try {
    const parsed = new URL(url);
    return parsed.origin === self.location.origin && parsed.pathname.startsWith('/assets/');
  } catch {
    return false;
  }
}
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') event.respondWith(page(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
});

async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok) await rememberShell(response.clone());
    return response;
  } catch (error) {
    const cached = await caches.open(SHELL_CACHE).then((cache) => cache.match(SHELL_KEY));
    if (cached) return cached;
    throw error;
  }
}

// A new build references new asset names: drop the old ones so the cache stays small.
async function rememberShell(response) {
  const cache = await caches.open(SHELL_CACHE);
  const previous = await cache.match(SHELL_KEY);
  const [next, old] = await Promise.all([response.clone().text(), previous ? previous.text() : null]);
  if (old !== null && old !== next) await caches.delete(ASSET_CACHE);
  await cache.put(SHELL_KEY, response);
}

async function asset(request) {
  const cache = await caches.open(ASSET_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
