// Rendering: the quotes table and the scores board. Updates are only recorded
// as they arrive; flush() writes them to the DOM, at most once per animation
// frame (the caller schedules it).

const priceFmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const changeFmt = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2, maximumFractionDigits: 4, signDisplay: 'exceptZero',
});
const pctFmt = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero',
});
export const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

const fmt = (f, v) => (Number.isFinite(v) ? f.format(v) : '–');

// el creates an element with a class and children (strings become text).
export function el(tag, className, ...children) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  e.append(...children);
  return e;
}

// A Cell is an element whose text is written only when it changes and which
// can flash; the flash alternates between two identical animations so that a
// new flash restarts the animation without forcing a layout.
class Cell {
  constructor(element) {
    this.element = element;
    this.text = document.createTextNode('');
    this.base = element.className;
    this.flip = 0;
    element.append(this.text);
  }

  set(s) {
    if (this.text.data !== s) this.text.data = s;
  }

  flash(dir) {
    this.flip ^= 1;
    this.element.className = `${this.base} flash-${dir}-${this.flip}`;
  }
}

// setData sets a data-* attribute only when it changes.
function setData(element, key, value) {
  if (element.dataset[key] !== value) element.dataset[key] = value;
}

// insertSorted inserts key into the sorted array keys and returns its index.
function insertSorted(keys, key) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  keys.splice(lo, 0, key);
  return lo;
}

// QuotesTable keeps one row per symbol, sorted by symbol. update() only records
// the newest quote per symbol; flush() writes them, once per animation frame.
export class QuotesTable {
  constructor(tbody, countEl) {
    this.tbody = tbody;
    this.countEl = countEl;
    this.placeholder = tbody.querySelector('.placeholder');
    this.rows = new Map(); // symbol -> row
    this.symbols = []; // sorted
    this.pending = new Map(); // symbol -> newest quote not yet drawn
  }

  update(q) {
    if (typeof q?.symbol === 'string' && q.symbol !== '') this.pending.set(q.symbol, q);
  }

  flush() {
    if (this.pending.size === 0) return;
    const before = this.rows.size;
    for (const q of this.pending.values()) this.draw(q);
    this.pending.clear();
    if (this.rows.size !== before) {
      this.placeholder?.remove();
      this.countEl.textContent = `(${this.rows.size})`;
    }
  }

  draw(q) {
    const row = this.rows.get(q.symbol) ?? this.addRow(q.symbol);
    const last = q.last;
    if (row.first === undefined && Number.isFinite(last)) row.first = last;
    const change = last - row.first;
    const pct = row.first ? (change / row.first) * 100 : NaN;

    row.last.set(fmt(priceFmt, last));
    row.change.set(fmt(changeFmt, change));
    row.pct.set(Number.isFinite(pct) ? `${pctFmt.format(pct)}%` : '–');
    row.bid.set(fmt(priceFmt, q.bid));
    row.ask.set(fmt(priceFmt, q.ask));
    row.size.set(fmt(intFmt, q.size));
    row.volume.set(fmt(intFmt, q.volume));
    setData(row.tr, 'trend', change > 0 ? 'up' : change < 0 ? 'down' : 'flat');

    if (row.prev !== undefined && Number.isFinite(last) && last !== row.prev) {
      row.last.flash(last > row.prev ? 'up' : 'down');
    }
    row.prev = last;
  }

  addRow(symbol) {
    const th = el('th', 'sym', symbol);
    th.scope = 'row';
    const cell = (cls) => new Cell(el('td', `num ${cls}`));
    const row = {
      tr: null,
      last: cell('last'),
      change: cell('chg'),
      pct: cell('chg'),
      bid: cell('bid'),
      ask: cell('ask'),
      size: cell('size'),
      volume: cell('vol'),
      first: undefined,
      prev: undefined,
    };
    row.tr = el('tr', '', th, row.last.element, row.change.element, row.pct.element,
      row.bid.element, row.ask.element, row.size.element, row.volume.element);
    const i = insertSorted(this.symbols, symbol);
    const next = this.symbols[i + 1];
    this.tbody.insertBefore(row.tr, next === undefined ? null : this.rows.get(next).tr);
    this.rows.set(symbol, row);
    return row;
  }
}

// periodLabel names a period the way the league does: Q4, P3, OT.
function periodLabel(league, period) {
  if (!Number.isFinite(period) || period <= 0) return '';
  const rules = { nba: ['Q', 4], wnba: ['Q', 4], nfl: ['Q', 4], ncaaf: ['Q', 4], nhl: ['P', 3] };
  const rule = rules[league];
  if (!rule) return `Period ${period}`;
  const [prefix, regular] = rule;
  if (period <= regular) return `${prefix}${period}`;
  return period === regular + 1 ? 'OT' : `${period - regular}OT`;
}

// ScoresBoard keeps one card per game, grouped by league; leagues and games
// are sorted by name so cards never move while you read them.
export class ScoresBoard {
  constructor(root, countEl) {
    this.root = root;
    this.countEl = countEl;
    this.placeholder = root.querySelector('.placeholder');
    this.leagues = new Map(); // league -> {section, list, keys, cards}
    this.leagueNames = []; // sorted
    this.games = 0;
    this.pending = new Map(); // subject -> newest score not yet drawn
  }

  update(subject, s) {
    if (s && typeof s === 'object') this.pending.set(subject, s);
  }

  flush() {
    if (this.pending.size === 0) return;
    const before = this.games;
    for (const [subject, s] of this.pending) this.draw(subject, s);
    this.pending.clear();
    if (this.games !== before) {
      this.placeholder?.remove();
      this.countEl.textContent = `(${this.games})`;
    }
  }

  draw(subject, s) {
    // scores.<league>.<game>: fall back to the subject when a field is missing.
    const [, subjLeague = '', subjGame = subject] = subject.split('.');
    const leagueName = typeof s.league === 'string' && s.league ? s.league : subjLeague;
    const league = this.leagues.get(leagueName) ?? this.addLeague(leagueName);
    const card = league.cards.get(subject) ?? this.addCard(league, subject, s.game || subjGame);

    card.away.set(String(s.away ?? '?'));
    card.home.set(String(s.home ?? '?'));
    const awayPts = fmt(intFmt, s.away_score);
    const homePts = fmt(intFmt, s.home_score);
    if (card.drawn && awayPts !== card.awayPts.text.data) card.awayPts.flash('up');
    if (card.drawn && homePts !== card.homePts.text.data) card.homePts.flash('up');
    card.awayPts.set(awayPts);
    card.homePts.set(homePts);

    const status = typeof s.status === 'string' ? s.status : '';
    card.status.set(status);
    const over = status === 'final' || status === 'scheduled';
    card.period.set(over ? '' : periodLabel(leagueName, s.period));
    card.clock.set(over ? '' : String(s.clock ?? ''));
    setData(card.li, 'status', status);
    const lead = s.home_score > s.away_score ? 'home' : s.away_score > s.home_score ? 'away' : 'tie';
    setData(card.li, 'lead', lead);
    card.drawn = true;
  }

  addLeague(name) {
    const heading = el('h3', 'league-name', name.toUpperCase());
    const list = el('ul', 'games');
    const section = el('section', 'league', heading, list);
    const league = { section, list, keys: [], cards: new Map() };
    const i = insertSorted(this.leagueNames, name);
    const next = this.leagueNames[i + 1];
    this.root.insertBefore(section, next === undefined ? null : this.leagues.get(next).section);
    this.leagues.set(name, league);
    return league;
  }

  addCard(league, subject, game) {
    const cell = (tag, cls) => new Cell(el(tag, cls));
    const card = {
      li: null,
      away: cell('span', 'team'),
      home: cell('span', 'team'),
      awayPts: cell('span', 'pts'),
      homePts: cell('span', 'pts'),
      period: cell('span', 'period'),
      clock: cell('span', 'clock'),
      status: cell('span', 'badge'),
      drawn: false,
    };
    card.li = el('li', 'game',
      el('div', 'line away', card.away.element, card.awayPts.element),
      el('div', 'line home', el('span', 'at', '@ '), card.home.element, card.homePts.element),
      el('div', 'meta', card.period.element, ' ', card.clock.element, card.status.element));
    card.li.title = `${game}`;
    const i = insertSorted(league.keys, subject);
    const next = league.keys[i + 1];
    league.list.insertBefore(card.li, next === undefined ? null : league.cards.get(next).li);
    league.cards.set(subject, card);
    this.games++;
    return card;
  }
}
