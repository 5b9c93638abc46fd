// The URLs of a gateway as the ticker.js client uses them: query parameters
// (the token, the SSE stream's subjects), the SSE endpoint derived from the
// WebSocket endpoint (docs/protocol.md, section 11), and which of several
// gateways the next attempt goes to.

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

/**
 * endpoints pairs each WebSocket URL the client was given (one, or a list of
 * pods or regions) with its SSE endpoint: those of sseUrl, in order, or
 * derived by sseUrlFor.
 * @param {string|string[]} url
 * @param {string|string[]} [sseUrl]
 * @returns {{ws: string, sse: string}[]}
 */
export function endpoints(url, sseUrl) {
  const ws = Array.isArray(url) ? url : [url];
  if (ws.length === 0 || ws.some((u) => typeof u !== 'string' || u === '')) {
    throw new TypeError('ticker: url must be a URL or a non-empty list of URLs');
  }
  const sse = sseUrl === undefined ? ws.map(sseUrlFor) : Array.isArray(sseUrl) ? sseUrl : [sseUrl];
  if (sse.length !== ws.length) throw new TypeError('ticker: sseUrl needs one endpoint per url');
  return ws.map((u, i) => ({ ws: u, sse: sse[i] }));
}

/**
 * nextUrl returns the index among n endpoints of the next attempt's, after
 * the attempt to the one at cur ended with code. After 1001 (the gateway
 * drains) and 1013 (it refuses new connections) it is one of the others at
 * random, so that the clients a drained or overloaded pod sends away spread
 * evenly over the remaining pods instead of all landing on the next one;
 * otherwise the next in turn.
 * @param {number} cur
 * @param {number} n
 * @param {number} code
 * @param {() => number} random uniform in [0, 1)
 * @returns {number}
 */
export function nextUrl(cur, n, code, random) {
  if (n <= 1) return 0;
  if (code !== 1001 && code !== 1013) return (cur + 1) % n;
  const i = Math.min(Math.max(Math.floor(random() * (n - 1)), 0), n - 2); // one of the n-1 others
  return i >= cur ? i + 1 : i;
}
