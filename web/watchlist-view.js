// The watchlist controls: a form to add symbols, a chip with a remove button
// per symbol, and the "all quotes" / "watchlist only" choice.

import { el } from './dom.js';
import { parseSymbols } from './watchlist.js';

/**
 * bindWatchlist connects the controls to a Watchlist and keeps the chips in
 * step with it.
 * @param {object} o
 * @param {import('./watchlist.js').Watchlist} o.watchlist
 * @param {HTMLFormElement} o.form holds the text input
 * @param {HTMLInputElement} o.input
 * @param {HTMLUListElement} o.chips
 * @param {HTMLElement} o.message a polite live region for feedback
 * @param {HTMLInputElement[]} o.modes radio inputs with values 'all' and 'watch'
 * @returns {(text: string) => void} shows a message
 */
export function bindWatchlist({ watchlist, form, input, chips, message, modes }) {
  const say = (text) => {
    message.textContent = text;
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const { symbols, invalid } = parseSymbols(input.value);
    const added = watchlist.add(symbols);
    const already = symbols.filter((s) => !added.includes(s) && watchlist.has(s));
    const notes = [];
    if (added.length) notes.push(`Watching ${added.join(', ')}.`);
    if (already.length) notes.push(`${already.join(', ')} ${already.length > 1 ? 'are' : 'is'} already on the watchlist.`);
    if (invalid.length) notes.push(`Not a symbol: ${invalid.map((w) => `“${w}”`).join(', ')} (letters, digits, - and _ only).`);
    if (symbols.length > added.length + already.length) notes.push('The watchlist is full.');
    if (!symbols.length && !invalid.length) notes.push('Type one or more symbols, e.g. AAPL MSFT.');
    say(notes.join(' '));
    input.value = invalid.join(' '); // keep what needs fixing
    input.setAttribute('aria-invalid', String(invalid.length > 0));
  });

  chips.addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-remove]');
    if (!button) return;
    const symbol = button.dataset.remove;
    // Keep the keyboard where it was: on the next chip, or the input.
    const li = button.closest('li');
    const next = li.nextElementSibling ?? li.previousElementSibling;
    const nextSymbol = next?.dataset.symbol;
    if (watchlist.remove(symbol)) say(`Removed ${symbol}.`);
    const target = nextSymbol && chips.querySelector(`li[data-symbol="${nextSymbol}"] button`);
    (target || input).focus();
  });

  for (const radio of modes) {
    radio.addEventListener('change', () => {
      if (radio.checked) watchlist.mode = radio.value;
    });
  }

  function render() {
    for (const radio of modes) radio.checked = radio.value === watchlist.mode;
    const items = watchlist.symbols.map((s) => {
      const remove = el('button', 'chip-remove', '×');
      remove.type = 'button';
      remove.dataset.remove = s;
      remove.setAttribute('aria-label', `Remove ${s} from the watchlist`);
      const li = el('li', 'chip', el('span', 'chip-name', s), remove);
      li.dataset.symbol = s;
      return li;
    });
    if (items.length === 0) items.push(el('li', 'chip-empty', 'No symbols yet.'));
    chips.replaceChildren(...items);
  }

  watchlist.onChange(render);
  render();
  return say;
}
