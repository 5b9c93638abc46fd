import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, Unreadable, decodeFrame, encodeOp, subprotocolFor,
} from '../codec.js';
import { decodeAll, encode } from '../msgpack.js';
import { clientError, errText } from '../errors.js';

test('subprotocolFor names the subprotocol of each codec', () => {
  assert.equal(subprotocolFor('json'), SUBPROTOCOL_JSON);
  assert.equal(subprotocolFor('msgpack'), SUBPROTOCOL_MSGPACK);
  assert.equal(SUBPROTOCOL_JSON, 'ticker.v1.json');
  assert.equal(SUBPROTOCOL_MSGPACK, 'ticker.v1.msgpack');
});

test('encodeOp: JSON text, or msgpack bytes on a binary connection', () => {
  const op = { op: 'sub', id: 1, subjects: ['quotes.AAPL'] };
  assert.equal(encodeOp(op, false, encode), '{"op":"sub","id":1,"subjects":["quotes.AAPL"]}');
  const bytes = encodeOp(op, true, encode);
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(decodeAll(bytes), [op]);
});

test('decodeFrame: a JSON frame is split on newlines; empty lines and a trailing newline are skipped', () => {
  assert.deepEqual([...decodeFrame('{"a":1}\n{"a":2}\n\n{"a":3}\n')], [{ a: 1 }, { a: 2 }, { a: 3 }]);
  assert.deepEqual([...decodeFrame('{"a":1}')], [{ a: 1 }]);
  assert.deepEqual([...decodeFrame('\n\n')], []);
});

test('decodeFrame: an unreadable JSON line yields an Unreadable, the rest still comes', () => {
  const out = [...decodeFrame('{nope\n{"a":2}')];
  assert.equal(out.length, 2);
  assert.ok(out[0] instanceof Unreadable);
  assert.equal(out[0].err.code, 'client');
  assert.match(out[0].err.msg, /^unreadable message from server: \{nope/);
  assert.deepEqual(out[1], { a: 2 });
});

test('decodeFrame: lines are read only when asked for, so a consumer can stop', () => {
  const it = decodeFrame('{"a":1}\n{nope');
  assert.deepEqual(it.next().value, { a: 1 });
  it.return(); // stopped: the bad line is never parsed nor reported
  assert.equal(it.next().done, true);
});

test('decodeFrame: binary frames go through the decoder, as ArrayBuffer or a view', () => {
  const frame = new Uint8Array([...encode({ op: 'ack', id: 1 }), ...encode({ op: 'pong', id: 2 })]);
  assert.deepEqual([...decodeFrame(frame.buffer, decodeAll)], [{ op: 'ack', id: 1 }, { op: 'pong', id: 2 }]);
  const padded = new Uint8Array([0xff, ...frame, 0xff]);
  assert.deepEqual([...decodeFrame(padded.subarray(1, 1 + frame.length), decodeAll)].length, 2);
  assert.deepEqual([...decodeFrame(frame.buffer, () => ({ op: 'pong' }))], [{ op: 'pong' }], 'one message, not an array');
});

test('decodeFrame: a binary frame without a decoder, or one that does not decode, yields one Unreadable', () => {
  const [none] = [...decodeFrame(new ArrayBuffer(2), undefined)];
  assert.equal(none.err.msg, 'binary frame, but no msgpack decoder');
  const boom = new Error('truncated');
  const [bad, ...rest] = [...decodeFrame(new ArrayBuffer(2), () => { throw boom; })];
  assert.equal(rest.length, 0);
  assert.equal(bad.err.msg, 'unreadable msgpack frame: truncated');
  assert.equal(bad.err.error, boom);
});

test('clientError and errText', () => {
  assert.deepEqual(clientError('x'), { code: 'client', msg: 'x' });
  const e = new Error('y');
  assert.deepEqual(clientError('x', e), { code: 'client', msg: 'x', error: e });
  assert.equal(errText(e), 'y');
  assert.equal(errText('plain'), 'plain');
  assert.equal(errText(undefined), 'undefined');
});
