/**
 * The offline shell (public/sw.js) lets a reload work while the relay is down.
 * Not in development, where Vite serves modules that change on every edit.
 */
export function registerOfflineShell(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // Once the worker controls the page, it sees (and keeps) every later fetch; at that
  // moment, hand it everything fetched before.
  navigator.serviceWorker.addEventListener('controllerchange', rememberLoadedAssets);
  addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .then(() => rememberLoadedAssets())
      .catch((error: unknown) => console.warn('Tandem: offline shell unavailable', error));
  });
}

/** Hands the service worker every asset this page has loaded so far (chunks load lazily). */
export function rememberLoadedAssets(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const urls = performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((url) => url.includes('/assets/'));
  void navigator.serviceWorker.ready.then((registration) =>
    registration.active?.postMessage({ type: 'cache-assets', urls }),
  );
}
