/* global self, caches -- a service worker: these are its globals (the lint config knows only Node and the page). */
// Parley's service worker: a copy of the app shell (index.html and its hashed assets), so that a
// tab opened while the hub is down still shows Parley, which then says which server it cannot
// reach, instead of the browser's "This site can't be reached". The network always comes first for
// the page; the API (/v1), other origins and anything but GET are never touched. No third-party
// request is ever made. What it must not do is slow a join down: the page that installs it is left
// uncontrolled (no clients.claim(): it came from the network and needs nothing from here), and in
// the pages it does control, only navigations and the assets wake it (static routes, below): every
// other request (the hub's API and its event stream, 12–15 requests in a join) goes straight to the
// network instead of waiting for this worker's thread to say it does not want it.
const CACHE = 'parley-shell-v1'
const scope = new URL(self.registration.scope)
const SHELL = scope.href
const ASSETS = `${scope.pathname}assets/`
/** Marks a page served from this copy; the app reads it (src/main.ts) to say the server is down. */
const OFFLINE_MARK = '<meta name="parley-shell" content="offline">'

self.addEventListener('install', (event) => {
  event.waitUntil(Promise.all([routePastWorker(event), keepShell()]).then(() => self.skipWaiting()))
})

/**
 * The static routing API (Chromium): anything but a navigation or an asset is the network's, with no
 * fetch event. Elsewhere the fetch handler still lets it pass, only later.
 */
function routePastWorker(event) {
  if (typeof event.addRoutes !== 'function') return undefined
  const mine = { or: [{ requestMode: 'navigate' }, { urlPattern: `${scope.origin}${ASSETS}*` }] }
  return event.addRoutes({ condition: { not: mine }, source: 'network' }).catch((error) => console.warn('[parley] service worker routes not set:', error))
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith('parley-') && name !== CACHE).map((name) => caches.delete(name))))
      // No clients.claim(): the pages already open were loaded without this worker and stay so.
  )
})

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== scope.origin) return
  if (request.mode === 'navigate') event.respondWith(page(event))
  else if (url.pathname.startsWith(ASSETS)) event.respondWith(asset(request))
})

/** The assets index.html names: the entry script, its preloads and stylesheet, and the screens it prefetches. */
function assetsOf(html) {
  return [...html.matchAll(/(?:src|href)="([^"]*\/assets\/[^"]+)"/g)].map((match) => new URL(match[1], scope).href)
}

/** Keeps this build's shell: the page, and its assets (a new build replaces the old ones). */
async function keepShell(response) {
  const cache = await caches.open(CACHE)
  const fresh = response ?? (await fetch(SHELL, { cache: 'no-store' }).catch(() => undefined))
  if (!fresh?.ok) return
  const html = await fresh.clone().text()
  const previous = await cache.match(SHELL)
  if (previous && (await previous.text()) === html) return
  for (const key of await cache.keys()) if (key.url !== SHELL) await cache.delete(key)
  await cache.put(SHELL, new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }))
  await Promise.all(assetsOf(html).map((url) => fetch(url).then((got) => (isAsset(got) ? cache.put(url, got) : undefined)).catch(() => undefined)))
}

/** The network's page when it answers (and kept for later); this copy when it does not. */
async function page(event) {
  const { request } = event
  try {
    const response = await fetch(request)
    if (response.ok && new URL(request.url).pathname === scope.pathname) event.waitUntil(keepShell(response.clone()))
    return response
  } catch (error) {
    const kept = await (await caches.open(CACHE)).match(SHELL)
    if (!kept) throw error
    const html = (await kept.text()).replace('<head>', `<head>${OFFLINE_MARK}`)
    return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })
  }
}

/** Hashed assets never change: this copy first, else the network (kept when it is really an asset). */
async function asset(request) {
  const cache = await caches.open(CACHE)
  const kept = await cache.match(request)
  if (kept) return kept
  const response = await fetch(request)
  if (isAsset(response)) await cache.put(request, response.clone())
  return response
}

/** The hub answers an unknown path with index.html: that is no asset to keep. */
function isAsset(response) {
  return response.ok && !(response.headers.get('content-type') ?? '').includes('text/html')
}
