// The connection indicator in the dashboard header.

import { CLIENT_TIMEOUT_CODE } from './ticker.js';

const CLOSE_NAMES = {
  1000: 'normal',
  1001: 'server going away',
  1006: 'connection lost',
  1008: 'policy',
  1009: 'message too big',
  1011: 'server error',
  1013: 'try again later',
  [CLIENT_TIMEOUT_CODE]: 'server silent',
};

/** describeClose says how a connection ended: "closed 1001 (draining)". */
export function describeClose(c) {
  if (!c) return '';
  return `closed ${c.code} (${c.reason || (CLOSE_NAMES[c.code] ?? 'no reason given')})`;
}

const LABELS = {
  connecting: 'connecting…',
  open: 'open',
  reconnecting: 'reconnecting',
  idle: 'idle',
  closed: 'closed',
};

/**
 * createStatusView returns an onStatus callback that shows a ticker.js Status
 * in the header. The live region (the state label) only changes with the
 * state, so screen readers are not told every tick of the countdown, which
 * goes to the detail text.
 */
export function createStatusView({ box, state, detail, transport, retry, toggle, main }) {
  let countdown = 0;
  let current = null;

  function tick() {
    const s = Math.max(0, Math.ceil((current.retryAt - Date.now()) / 1000));
    const last = describeClose(current.lastClose);
    detail.textContent = `in ${s} s${last ? ` · ${last}` : ''}`;
  }

  return function show(st) {
    current = st;
    clearInterval(countdown);
    countdown = 0;
    box.dataset.state = st.state;
    box.dataset.transport = st.transport;
    main.dataset.stale = String(st.state !== 'open');
    retry.hidden = st.state !== 'reconnecting';
    toggle.textContent = st.state === 'closed' ? 'Connect' : 'Disconnect';
    transport.textContent = `${st.transport === 'sse' ? 'SSE' : 'WebSocket'}${st.codec === 'msgpack' ? ' · msgpack' : ''}`;

    switch (st.state) {
      case 'connecting':
        detail.textContent = st.lastClose && st.attempt > 0 ? `attempt ${st.attempt + 1}` : '';
        break;
      case 'open':
        detail.textContent = st.subscribed ? 'subscribed' : 'subscribing…';
        break;
      case 'reconnecting':
        tick();
        countdown = setInterval(tick, 250);
        break;
      case 'idle':
        detail.textContent = 'no subscriptions';
        break;
      case 'closed':
        detail.textContent = describeClose(st.lastClose);
        break;
    }
    const label = LABELS[st.state] ?? st.state;
    if (state.textContent !== label) state.textContent = label;
  };
}
