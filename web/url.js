// The URLs of a gateway as the ticker.js client uses them: query parameters
// (the token, the SSE stream's subjects) and the SSE endpoint derived from the
// WebSocket endpoint (docs/protocol.md, section 11).

/**
 * sseUrlFor derives the SSE endpoint from a WebSocket URL:
 * ws://host/ws -> http://host/sse, wss://host/p/ws -> https://host/p/sse.
 * @param {string} wsUrl
 * @returns {string}
 */
export function sseUrlFor(wsUrl) {
  const u = new URL(wsUrl, globalThis.location?.href);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = /\/ws$/.test(u.pathname) ? u.pathname.slice(0, -2) + 'sse' : u.pathname.replace(/\/?$/, '/sse');
  u.search = '';
  u.hash = '';
  return u.toString();
}

/**
 * withParams returns url with the query parameters of params set; a value
 * that is undefined or '' is left out. A relative url is resolved against
 * the page's location.
 * @param {string} url
 * @param {Record<string, string|undefined>} params
 * @returns {string}
 */
export function withParams(url, params) {
  const u = new URL(url, globalThis.location?.href);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
  return u.toString();
}
