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

function describeClose(c) {
  if (!c) return '';
  const name = CLOSE_NAMES[c.code] ?? 'closed';
  return `closed ${c.code} (${c.reason || name})`;
}

// createStatusView shows a Status in the header. The live region only changes
// on a change of state, so screen readers are not told every countdown tick.
export function createStatusView({ box, state, detail, button, main }) {
  let countdown = 0;
  let current = null;

  function tick() {
    const s = Math.max(0, Math.ceil((current.retryAt - Date.now()) / 1000));
    detail.textContent = `in ${s} s · ${describeClose(current.lastClose)}`;
  }

  return function show(st) {
    current = st;
    clearInterval(countdown);
    countdown = 0;
    box.dataset.state = st.state;
    main.dataset.stale = String(st.state !== 'open');
    button.hidden = st.state !== 'reconnecting' && st.state !== 'closed';
    button.textContent = st.state === 'closed' ? 'Connect' : 'Reconnect now';

    let label = st.state;
    switch (st.state) {
      case 'connecting':
        label = 'connecting…';
        detail.textContent = '';
        break;
      case 'open':
        detail.textContent = st.subscribed ? 'subscribed' : 'subscribing…';
        break;
      case 'reconnecting':
        tick();
        countdown = setInterval(tick, 250);
        break;
      case 'closed':
        detail.textContent = describeClose(st.lastClose);
        break;
    }
    if (state.textContent !== label) state.textContent = label;
  };
}
