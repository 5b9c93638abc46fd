// ticker.v1 JSON client: keeps one WebSocket open to the gateway. It
// subscribes, reconnects with backoff, splits frames into messages and detects
// a dead socket. It touches no DOM; callers get messages and status through
// callbacks. See docs/protocol.md for the wire protocol.

const SUBPROTOCOL = 'ticker.v1.json';
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;
const STABLE_AFTER_MS = 10_000; // an open lasting this long resets the backoff
const GOING_AWAY_MAX_MS = 1_000; // after 1001 (pod draining) reconnect within this
const IDLE_PING_MS = 15_000; // ping after this long without a frame from the server
const IDLE_CLOSE_MS = 25_000; // give the socket up after this long without a frame
export const CLIENT_TIMEOUT_CODE = 4000; // our own close code for a silent socket

/**
 * @typedef {object} Status
 * @property {'connecting'|'open'|'reconnecting'|'closed'} state
 * @property {boolean} [subscribed] open: the subscription has been acknowledged
 * @property {string} [protocol] open: the subprotocol the server chose ('' = JSON by default)
 * @property {number} [retryAt] reconnecting: when the next attempt starts (ms since epoch)
 * @property {{code: number, reason: string}|null} lastClose the last close seen, if any
 */

/**
 * connect keeps a ticker.v1 JSON connection to url open until close() is
 * called: it subscribes to subjects after every (re)connect and reconnects with
 * exponential backoff and full jitter. Messages are delivered one by one,
 * whatever the framing.
 *
 * @param {object} o
 * @param {string} o.url WebSocket URL of the gateway's /ws endpoint
 * @param {string[]} o.subjects subject patterns to subscribe to
 * @param {(subject: string, data: any, snapshot: boolean) => void} o.onMessage
 * @param {(err: {code: string, msg: string, id?: number|string}) => void} [o.onError]
 * @param {(status: Status) => void} [o.onStatus]
 */
export function connect({ url, subjects, onMessage, onError = () => {}, onStatus = () => {} }) {
  let ws = null; // the current socket, null between attempts
  let attempt = 0; // failed attempts since the last stable open
  let retryTimer = 0;
  let idleTimer = 0;
  let openedAt = 0;
  let lastRx = 0;
  let pinged = false;
  let nextId = 1;
  let subId = 0;
  let stopped = false;
  let lastClose = null;

  const status = (state, extra = {}) => onStatus({ state, lastClose, ...extra });

  function open() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    status('connecting');
    let sock;
    try {
      sock = new WebSocket(url, SUBPROTOCOL);
    } catch (err) {
      closed(1006, String(err?.message ?? err)); // malformed URL, blocked port
      return;
    }
    ws = sock;
    sock.binaryType = 'arraybuffer';
    sock.onopen = () => {
      openedAt = lastRx = Date.now();
      pinged = false;
      nextId = 1;
      subId = nextId++;
      send({ op: 'sub', id: subId, subjects });
      idleTimer = setInterval(checkIdle, 5_000);
      status('open', { subscribed: false, protocol: sock.protocol });
    };
    sock.onmessage = (ev) => {
      lastRx = Date.now();
      pinged = false;
      if (typeof ev.data === 'string') receive(ev.data);
      // A binary frame cannot come on a JSON connection; ignore it if it does.
    };
    // Every failure ends in close; error carries nothing more to show.
    sock.onclose = (ev) => closed(ev.code, ev.reason);
  }

  function send(op) {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(op));
  }

  // receive splits a text frame into its "\n"-separated messages.
  function receive(text) {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) handle(text.slice(start, end));
      start = end + 1;
    }
  }

  function handle(line) {
    let m;
    try {
      m = JSON.parse(line);
    } catch {
      onError({ code: 'client', msg: `unreadable message from server: ${line.slice(0, 80)}` });
      return;
    }
    switch (m?.op) {
      case 'msg':
        if (typeof m.subject === 'string') onMessage(m.subject, m.data, m.snapshot === true);
        break;
      case 'ack':
        if (m.id === subId && ws) status('open', { subscribed: true, protocol: ws.protocol });
        break;
      case 'error':
        onError(m);
        break;
      case 'pong':
        break; // receiving it already reset the idle clock
      default:
        break; // ignore ops this client does not know
    }
  }

  // checkIdle pings a quiet server and gives up on a silent one, which catches
  // half-open connections the browser would not notice for minutes.
  function checkIdle() {
    const idle = Date.now() - lastRx;
    if (idle >= IDLE_CLOSE_MS) {
      abandon(CLIENT_TIMEOUT_CODE, `nothing received for ${Math.round(idle / 1000)} s`);
    } else if (idle >= IDLE_PING_MS && !pinged) {
      pinged = true;
      send({ op: 'ping', id: nextId++ });
    }
  }

  // abandon drops the current socket without waiting for its close event.
  function abandon(code, reason) {
    const sock = ws;
    if (!sock) return;
    sock.onopen = sock.onmessage = sock.onclose = null;
    try {
      sock.close(code, reason);
    } catch {
      // already closing
    }
    closed(code, reason);
  }

  function closed(code, reason) {
    clearInterval(idleTimer);
    idleTimer = 0;
    ws = null;
    lastClose = { code, reason };
    if (stopped) {
      status('closed');
      return;
    }
    if (openedAt && Date.now() - openedAt >= STABLE_AFTER_MS) attempt = 0;
    openedAt = 0;
    // Full jitter: a uniform delay up to the exponential ceiling, so that
    // clients dropped together do not come back together.
    const ceiling = code === 1001
      ? GOING_AWAY_MAX_MS
      : Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
    const delay = Math.random() * ceiling;
    attempt = Math.min(attempt + 1, 30);
    retryTimer = setTimeout(open, delay);
    status('reconnecting', { retryAt: Date.now() + delay });
  }

  open();

  return {
    /** reconnectNow skips the rest of the backoff wait (also after close()). */
    reconnectNow() {
      if (ws) return;
      stopped = false;
      open();
    },
    /** close closes the connection for good. */
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      if (ws) ws.close(1000, 'bye');
      else status('closed');
    },
  };
}
