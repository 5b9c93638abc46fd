// The scores board: one card per game, grouped by league; leagues and games
// are sorted by name so cards never move while you read them. update() only
// records what arrives; flush() writes it, at most once per animation frame.

import { Cell, el, fmt, insertSorted, intFmt, setData } from './dom.js';

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
    if (card.drawn && awayPts !== card.awayPts.text.data) card.awayPts.flash();
    if (card.drawn && homePts !== card.homePts.text.data) card.homePts.flash();
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
    card.li.dataset.subject = subject;
    card.li.dataset.testid = 'game';
    const i = insertSorted(league.keys, subject);
    const next = league.keys[i + 1];
    league.list.insertBefore(card.li, next === undefined ? null : league.cards.get(next).li);
    league.cards.set(subject, card);
    this.games++;
    return card;
  }
}
