// msgpack, as much of it as ticker.v1 needs: encode turns a client op (maps,
// arrays, strings, integers) into bytes; decodeAll reads a server frame, which
// holds one or more concatenated maps. No dependencies.

const utf8Enc = new TextEncoder();
const utf8Dec = new TextDecoder();

/**
 * encode returns the msgpack encoding of value: null, booleans, numbers
 * (safe integers as integers, others as float64), strings, arrays and plain
 * objects (as maps with string keys; undefined values are left out).
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function encode(value) {
  const out = [];
  write(out, value);
  return Uint8Array.from(out);
}

function write(out, v) {
  if (v === null || v === undefined) {
    out.push(0xc0);
  } else if (v === false || v === true) {
    out.push(v ? 0xc3 : 0xc2);
  } else if (typeof v === 'number') {
    writeNumber(out, v);
  } else if (typeof v === 'string') {
    const b = utf8Enc.encode(v);
    if (b.length < 32) out.push(0xa0 | b.length);
    else if (b.length < 0x100) out.push(0xd9, b.length);
    else if (b.length < 0x10000) out.push(0xda, b.length >> 8, b.length & 0xff);
    else out.push(0xdb, ...be32(b.length));
    for (const x of b) out.push(x);
  } else if (Array.isArray(v)) {
    header(out, v.length, 0x90, 0xdc);
    for (const x of v) write(out, x);
  } else if (typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    header(out, entries.length, 0x80, 0xde);
    for (const [k, x] of entries) {
      write(out, k);
      write(out, x);
    }
  } else {
    throw new TypeError(`msgpack: cannot encode ${typeof v}`);
  }
}

// header writes the length of an array (fix 0x90, 16-bit 0xdc, 32-bit 0xdd)
// or a map (0x80, 0xde, 0xdf).
function header(out, n, fix, wide16) {
  if (n < 16) out.push(fix | n);
  else if (n < 0x10000) out.push(wide16, n >> 8, n & 0xff);
  else out.push(wide16 + 1, ...be32(n));
}

function be32(n) {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function writeNumber(out, n) {
  if (Number.isSafeInteger(n)) {
    if (n >= 0 && n < 0x80) return void out.push(n);
    if (n < 0 && n >= -32) return void out.push(n & 0xff);
    if (n >= 0 && n <= 0xffffffff) return void out.push(0xce, ...be32(n));
    if (n < 0 && n >= -0x80000000) return void out.push(0xd2, ...be32(n >>> 0));
  }
  const b = new Uint8Array(9);
  b[0] = 0xcb;
  new DataView(b.buffer).setFloat64(1, n);
  for (const x of b) out.push(x);
}

/**
 * decodeAll decodes every value in bytes, in order: a ticker.v1 msgpack frame
 * holds one or more concatenated maps. Integers beyond 2^53 (a `ts` in ns)
 * become the nearest number; maps become plain objects; ext values become
 * {type, data}. It throws on a truncated or malformed frame.
 * @param {Uint8Array} bytes
 * @returns {unknown[]}
 */
export function decodeAll(bytes) {
  const r = { b: bytes, v: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), i: 0 };
  const values = [];
  while (r.i < bytes.length) values.push(read(r));
  return values;
}

function need(r, n) {
  if (r.i + n > r.b.length) throw new RangeError('msgpack: truncated');
  const at = r.i;
  r.i += n;
  return at;
}

function read(r) {
  const t = r.b[need(r, 1)];
  if (t < 0x80) return t;
  if (t >= 0xe0) return t - 0x100;
  if ((t & 0xf0) === 0x80) return readMap(r, t & 0x0f);
  if ((t & 0xf0) === 0x90) return readArray(r, t & 0x0f);
  if ((t & 0xe0) === 0xa0) return readStr(r, t & 0x1f);
  const v = r.v;
  switch (t) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return readBin(r, r.b[need(r, 1)]);
    case 0xc5: return readBin(r, v.getUint16(need(r, 2)));
    case 0xc6: return readBin(r, v.getUint32(need(r, 4)));
    case 0xc7: return readExt(r, r.b[need(r, 1)]);
    case 0xc8: return readExt(r, v.getUint16(need(r, 2)));
    case 0xc9: return readExt(r, v.getUint32(need(r, 4)));
    case 0xca: return v.getFloat32(need(r, 4));
    case 0xcb: return v.getFloat64(need(r, 8));
    case 0xcc: return r.b[need(r, 1)];
    case 0xcd: return v.getUint16(need(r, 2));
    case 0xce: return v.getUint32(need(r, 4));
    case 0xcf: return Number(v.getBigUint64(need(r, 8)));
    case 0xd0: return v.getInt8(need(r, 1));
    case 0xd1: return v.getInt16(need(r, 2));
    case 0xd2: return v.getInt32(need(r, 4));
    case 0xd3: return Number(v.getBigInt64(need(r, 8)));
    case 0xd4: return readExt(r, 1);
    case 0xd5: return readExt(r, 2);
    case 0xd6: return readExt(r, 4);
    case 0xd7: return readExt(r, 8);
    case 0xd8: return readExt(r, 16);
    case 0xd9: return readStr(r, r.b[need(r, 1)]);
    case 0xda: return readStr(r, v.getUint16(need(r, 2)));
    case 0xdb: return readStr(r, v.getUint32(need(r, 4)));
    case 0xdc: return readArray(r, v.getUint16(need(r, 2)));
    case 0xdd: return readArray(r, v.getUint32(need(r, 4)));
    case 0xde: return readMap(r, v.getUint16(need(r, 2)));
    case 0xdf: return readMap(r, v.getUint32(need(r, 4)));
    default: throw new RangeError(`msgpack: unknown type byte 0x${t.toString(16)}`);
  }
}

function readStr(r, n) {
  const at = need(r, n);
  return utf8Dec.decode(r.b.subarray(at, at + n));
}

function readBin(r, n) {
  const at = need(r, n);
  return r.b.slice(at, at + n);
}

function readExt(r, n) {
  const type = r.v.getInt8(need(r, 1));
  return { type, data: readBin(r, n) };
}

function readArray(r, n) {
  // Every element takes at least one byte: refuse a length the frame cannot hold.
  if (n > r.b.length - r.i) throw new RangeError('msgpack: truncated');
  const a = new Array(n);
  for (let k = 0; k < n; k++) a[k] = read(r);
  return a;
}

function readMap(r, n) {
  if (2 * n > r.b.length - r.i) throw new RangeError('msgpack: truncated');
  const o = {};
  for (let k = 0; k < n; k++) {
    const key = read(r);
    const val = read(r);
    if (key === '__proto__') continue; // never let data reach the prototype
    o[String(key)] = val;
  }
  return o;
}
