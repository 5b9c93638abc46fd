// ticker dashboard: a ticker.v1 JSON client and a live view of its messages.
//
// This module only wires together the parts, which live in their own modules:
//   ticker.js   connection: keeps one WebSocket open: subscribe, reconnect
//               with backoff, split frames into messages, detect a dead socket;
//   stats.js    messages per second and median latency over the last second;
//   render.js   the quotes table and the scores board, written to the DOM at
//               most once per animation frame;
//   status.js   the connection indicator in the header.
// See docs/protocol.md for the wire protocol.

import { connect } from './ticker.js';
import { createStats } from './stats.js';
import { QuotesTable, ScoresBoard, el, intFmt } from './render.js';
import { createStatusView } from './status.js';

const SUBJECTS = ['quotes.>', 'scores.>'];
const MAX_ERRORS_SHOWN = 20;

const $ = (id) => document.getElementById(id);

const quotes = new QuotesTable($('quote-rows'), $('quote-count'));
const scores = new ScoresBoard($('leagues'), $('game-count'));
const stats = createStats();

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

function onMessage(subject, data, snapshot) {
  stats.message(data?.ts, snapshot);
  if (subject.startsWith('quotes.')) quotes.update(data);
  else if (subject.startsWith('scores.')) scores.update(subject, data);
  else return;
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

const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
$('endpoint').textContent = url;

const conn = connect(url, {
  onError,
  onStatus: createStatusView({
    box: $('conn'),
    state: $('conn-state'),
    detail: $('conn-detail'),
    button: $('reconnect'),
    main: $('main'),
  }),
});

conn.subscribe(SUBJECTS, (m) => onMessage(m.subject, m.data, m.snapshot));

$('reconnect').addEventListener('click', () => conn.reconnectNow());
window.addEventListener('online', () => conn.reconnectNow());

setInterval(() => {
  const { rate, median } = stats.take();
  $('stat-rate').textContent = intFmt.format(rate);
  $('stat-latency').textContent = Number.isFinite(median) ? `${median.toFixed(1)} ms` : '–';
}, 1000);
