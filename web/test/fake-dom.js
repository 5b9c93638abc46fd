// A minimal DOM for the views' unit tests under Node: just what dom.js,
// sparkline.js and quotes.js use (elements, text nodes, dataset, classList,
// append, insertBefore, remove). installDocument() sets globalThis.document.
// Not a test file itself.

class FakeNode {
  constructor() {
    this.parentNode = null;
    this.childNodes = [];
  }

  get firstChild() {
    return this.childNodes[0] ?? null;
  }

  get isConnected() {
    let n = this;
    while (n.parentNode) n = n.parentNode;
    return n.root === true;
  }

  get textContent() {
    return this.childNodes.map((c) => c.textContent).join('');
  }

  set textContent(s) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    if (s !== '') this.append(String(s));
  }

  append(...nodes) {
    for (const n of nodes) this.insertBefore(typeof n === 'string' ? new FakeText(n) : n, null);
  }

  insertBefore(node, ref) {
    node.remove();
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(node);
    else this.childNodes.splice(i, 0, node);
    node.parentNode = this;
    return node;
  }

  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }
}

class FakeText extends FakeNode {
  constructor(data) {
    super();
    this.data = data;
  }

  get textContent() {
    return this.data;
  }
}

class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.className = '';
    this.dataset = {};
    this.attributes = new Map();
    this.hidden = false;
    const el = this;
    this.classList = {
      contains: (c) => el.className.split(/\s+/).includes(c),
      toggle(c, on) {
        const set = new Set(el.className.split(/\s+/).filter(Boolean));
        if (on ?? !set.has(c)) set.add(c);
        else set.delete(c);
        el.className = [...set].join(' ');
      },
    };
  }

  setAttribute(k, v) {
    this.attributes.set(k, String(v));
  }

  getAttribute(k) {
    return this.attributes.get(k) ?? null;
  }
}

/** installDocument sets globalThis.document to a fake one and returns it. */
export function installDocument() {
  const body = new FakeElement('body');
  body.root = true;
  globalThis.document = {
    body,
    createElement: (tag) => new FakeElement(tag),
    createElementNS: (ns, tag) => new FakeElement(tag),
    createTextNode: (data) => new FakeText(data),
  };
  return globalThis.document;
}
