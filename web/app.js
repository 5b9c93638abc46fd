// ticker dashboard: wires the parts together; each lives in its own module:
//   ticker.js          the connection (WebSocket, or SSE as a fallback);
//   watchlist.js       the watched symbols and the mode, kept in localStorage;
//   watchlist-view.js  the controls that edit them;
//   quotes.js          the quotes table (with sparkline.js), scores.js the scores board;
//   stats.js           messages per second and latency; status.js the connection indicator.
// The page subscribes scores.>, quotes.<SYM> per watched symbol, and quotes.>
// in "all quotes" mode; editing the watchlist subscribes and unsubscribes.
//
// Query parameters, for trying the other paths: ?transport=sse|websocket,
// ?codec=msgpack, ?token=<JWT>.

import { connect } from './ticker.js';
import { decodeAll } from './msgpack.js';
import { createStats } from './stats.js';
import { QuotesTable } from './quotes.js';
import { ScoresBoard } from './scores.js';
import { createStatusView } from './status.js';
import { Watchlist } from './watchlist.js';
import { bindWatchlist } from './watchlist-view.js';
import { el, intFmt } from './dom.js';

const MAX_ERRORS_SHOWN = 20;
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const options = {
  codec: params.get('codec') === 'msgpack' ? 'msgpack' : 'json',
  decode: decodeAll,
  transport: ['websocket', 'sse'].includes(params.get('transport')) ? params.get('transport') : 'auto',
  token: params.get('token') || undefined,
};
const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
$('endpoint').textContent = url;

const quotes = new QuotesTable($('quote-rows'), $('quote-count'));
const scores = new ScoresBoard($('leagues'), $('game-count'));
const stats = createStats();
const watchlist = new Watchlist();

// --- drawing, at most once per frame ---

let frameRequested = false;
function render() {
  frameRequested = false;
  quotes.flush();
  scores.flush();
}
function scheduleRender() {
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(render);
  }
}

function onQuote(m) {
  stats.message(m.data?.ts, m.snapshot);
  quotes.update(m.data);
  scheduleRender();
}

function onScore(m) {
  stats.message(m.data?.ts, m.snapshot);
  scores.update(m.subject, m.data);
  scheduleRender();
}

function onError(err) {
  const id = err.id === undefined ? '' : ` (id ${JSON.stringify(err.id)})`;
  const time = new Date().toLocaleTimeString();
  const item = el('li', '', el('time', '', time), ' ', el('code', '', String(err.code)),
    ` ${err.msg ?? ''}${id}`);
  const list = $('errors');
  list.prepend(item);
  while (list.children.length > MAX_ERRORS_SHOWN) list.lastElementChild.remove();
  $('errors-panel').hidden = false;
}

// --- the connection and its subscriptions ---

const showStatus = createStatusView({
  box: $('conn'),
  state: $('conn-state'),
  detail: $('conn-detail'),
  transport: $('conn-transport'),
  retry: $('reconnect'),
  toggle: $('conn-toggle'),
  main: $('main'),
});

let client = null;
let allSub = null; // quotes.> in "all quotes" mode
const watchSubs = new Map(); // symbol -> its quotes.<SYM> subscription

const say = bindWatchlist({
  watchlist,
  form: $('watch-form'),
  input: $('watch-input'),
  chips: $('watchlist'),
  message: $('watch-msg'),
  modes: [$('mode-all'), $('mode-watch')],
});

// sync brings the subscriptions and the table in line with the watchlist.
function sync() {
  const want = new Set(watchlist.symbols);
  if (client) {
    for (const [symbol, sub] of watchSubs) {
      if (!want.has(symbol)) {
        sub.unsubscribe();
        watchSubs.delete(symbol);
      }
    }
    for (const symbol of want) {
      if (watchSubs.has(symbol)) continue;
      const sub = client.subscribe([`quotes.${symbol}`], onQuote);
      watchSubs.set(symbol, sub);
      sub.ready.catch((err) => {
        if (err.code === 'closed' || watchSubs.get(symbol) !== sub) return;
        watchSubs.delete(symbol);
        watchlist.remove(symbol);
        say(`${symbol} was refused (${err.code}) and left the watchlist.`);
      });
    }
    // The full table needs no more than 4 updates a second per symbol, as
    // field deltas; the watchlist's own subscriptions stay unlimited (a
    // subject gets the highest rate of its patterns). A server without
    // these features ignores both keys and sends every update whole.
    if (watchlist.mode === 'all' && !allSub) allSub = client.subscribe(['quotes.>'], onQuote, { maxRate: 4, delta: true });
    if (watchlist.mode !== 'all' && allSub) {
      allSub.unsubscribe();
      allSub = null;
    }
  }
  quotes.setWatched(want);
  if (watchlist.mode === 'watch') quotes.retain((s) => want.has(s));
  for (const symbol of want) quotes.ensure(symbol);
  quotes.setEmptyText(watchlist.mode === 'watch'
    ? 'The watchlist is empty: add a symbol above, or show all quotes.'
    : 'Waiting for quotes…');
}

function start() {
  client = connect(url, { ...options, onStatus: showStatus, onError });
  client.subscribe(['scores.>'], onScore);
  allSub = null;
  watchSubs.clear();
  sync();
}

function stop() {
  client.close();
  client = null;
}

watchlist.onChange(sync);
$('quote-filter').addEventListener('input', (ev) => quotes.setFilter(ev.target.value));
$('reconnect').addEventListener('click', () => client?.reconnectNow());
$('conn-toggle').addEventListener('click', () => (client ? stop() : start()));
window.addEventListener('online', () => client?.reconnectNow());
start();

setInterval(() => {
  const { rate, median } = stats.take();
  $('stat-rate').textContent = intFmt.format(rate);
  $('stat-latency').textContent = Number.isFinite(median) ? `${median.toFixed(1)} ms` : '–';
}, 1000);
