import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAll, encode } from '../msgpack.js';

const hex = (s) => Uint8Array.from(s.match(/../g).map((b) => parseInt(b, 16)));

test('encode writes a sub op as a msgpack map', () => {
  const b = encode({ op: 'sub', id: 1, subjects: ['quotes.AAPL'] });
  // fixmap(3) "op" "sub" "id" 1 "subjects" fixarray(1) "quotes.AAPL"
  assert.deepEqual(b, hex('83a26f70a3737562a2696401a87375626a6563747391ab71756f7465732e4141504c'));
});

test('encode and decodeAll round-trip', () => {
  const values = [
    { op: 'ping', id: 300 }, { id: 'a'.repeat(40), n: -5, big: 70000, neg: -70000, f: 1.5, t: true, z: null },
    ['x'.repeat(300)], {},
  ];
  const bytes = new Uint8Array(values.flatMap((v) => [...encode(v)]));
  assert.deepEqual(decodeAll(bytes), values);
});

test('decodeAll reads concatenated maps, the widths Go uses, and uint64 ts', () => {
  // {"a":float32(1.5)} {"ts":uint64 1732350000123456789} {"s":int8 -3, "u":uint16 513}
  const bytes = hex('81a161ca3fc00000' + '81a27473cf' + BigInt('1732350000123456789').toString(16).padStart(16, '0') + '82a173d0fda175cd0201');
  const [a, b, c] = decodeAll(bytes);
  assert.deepEqual(a, { a: 1.5 });
  assert.ok(Math.abs(b.ts - 1732350000123456789) < 1000);
  assert.deepEqual(c, { s: -3, u: 513 });
});

test('decodeAll refuses truncated input and does not touch prototypes', () => {
  assert.throws(() => decodeAll(hex('82a161')), RangeError);
  assert.throws(() => decodeAll(hex('dd7fffffff')), RangeError, 'a huge declared length');
  const [o] = decodeAll(encode({ ['__proto__']: 1, x: 2 }));
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
});
