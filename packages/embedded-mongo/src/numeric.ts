// BSON numbers. Documents are stored as the driver sent them (Int32, Double,
// Long, Decimal128 wrappers, never plain JS numbers) so a Long stays a Long.
// Comparison is exact across types (1 == 1.0 == Long(1); Double(0.1) is not
// Decimal128("0.1")), arithmetic follows MongoDB's type promotion
// int32 -> int64 -> double -> decimal.
import { Decimal128, Double, Int32, Long } from 'bson';

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

const KIND_RANK: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

export function numKind(v: unknown): NumKind | undefined {
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
  if (typeof v !== 'object' || v === null) return undefined;
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    default:
      return undefined;
  }
}

export const isNumeric = (v: unknown): boolean => numKind(v) !== undefined;

/** Nearest JS number (lossy for big Longs / Decimal128). */
export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  if (t === 'Long') return (v as Long).toNumber();
  if (t === 'Decimal128') return Number.parseFloat(String(v));
  return Number.NaN;
}

/** Exact value: coef * 10^exp, or a special. */
export type Exact =
  { kind: 'finite'; coef: bigint; exp: number } | { kind: 'nan' } | { kind: 'inf'; negative: boolean };

const F64 = new DataView(new ArrayBuffer(8));

function exactOfDouble(x: number): Exact {
  if (Number.isNaN(x)) return { kind: 'nan' };
  if (!Number.isFinite(x)) return { kind: 'inf', negative: x < 0 };
  if (Number.isInteger(x)) return { kind: 'finite', coef: BigInt(x), exp: 0 };
  // x = mantissa * 2^e (e < 0) = mantissa * 5^-e / 10^-e: a finite decimal expansion.
  F64.setFloat64(0, x);
  const hi = F64.getUint32(0);
  const lo = F64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mantissa |= 1n << 52n;
    e = biased - 1075;
  }
  const coef = mantissa * 5n ** BigInt(-e);
  return normalize({ kind: 'finite', coef: x < 0 ? -coef : coef, exp: e });
}

const DEC_RE = /^(-)?(\d+)(?:\.(\d+))?(?:E([+-]\d+))?$/;

function exactOfDecimal(d: Decimal128): Exact {
  const s = d.toString();
  if (s === 'NaN' || s === '-NaN') return { kind: 'nan' };
  if (s === 'Infinity' || s === '-Infinity') return { kind: 'inf', negative: s[0] === '-' };
  const m = DEC_RE.exec(s);
  if (!m) return { kind: 'nan' };
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  const coef = BigInt(digits);
  return { kind: 'finite', coef: m[1] ? -coef : coef, exp };
}

export function exactOf(v: unknown): Exact {
  switch (numKind(v)) {
    case 'int':
      return { kind: 'finite', coef: BigInt(toDouble(v)), exp: 0 };
    case 'long':
      return { kind: 'finite', coef: (v as Long).toBigInt(), exp: 0 };
    case 'decimal':
      return exactOfDecimal(v as Decimal128);
    default:
      return exactOfDouble(toDouble(v));
  }
}

/** Strip trailing zeros so equal values have one representation. */
function normalize(e: Exact): Exact {
  if (e.kind !== 'finite') return e;
  if (e.coef === 0n) return { kind: 'finite', coef: 0n, exp: 0 };
  let { coef, exp } = e;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { kind: 'finite', coef, exp };
}

function compareExact(a: Exact, b: Exact): number {
  // MongoDB orders NaN below every other number and equal to itself.
  if (a.kind === 'nan') return b.kind === 'nan' ? 0 : -1;
  if (b.kind === 'nan') return 1;
  if (a.kind === 'inf') return b.kind === 'inf' && a.negative === b.negative ? 0 : a.negative ? -1 : 1;
  if (b.kind === 'inf') return b.negative ? 1 : -1;
  const signA = a.coef < 0n ? -1 : a.coef > 0n ? 1 : 0;
  const signB = b.coef < 0n ? -1 : b.coef > 0n ? 1 : 0;
  if (signA !== signB) return signA < signB ? -1 : 1;
  const m = Math.min(a.exp, b.exp);
  const x = a.coef * 10n ** BigInt(a.exp - m);
  const y = b.coef * 10n ** BigInt(b.exp - m);
  return x < y ? -1 : x > y ? 1 : 0;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** Fast path value when exact as a JS number, else undefined. */
function fastNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  if (t === 'Long') {
    const l = v as Long;
    const n = l.toNumber();
    return n >= -SAFE && n <= SAFE ? n : undefined;
  }
  return undefined;
}

export function compareNumbers(a: unknown, b: unknown): number {
  const x = fastNumber(a);
  const y = fastNumber(b);
  if (x !== undefined && y !== undefined) {
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return 0;
    // at least one NaN
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    return nx && ny ? 0 : nx ? -1 : 1;
  }
  return compareExact(exactOf(a), exactOf(b));
}

/** Canonical string: equal numbers of any type give the same string. */
export function numberKey(v: unknown): string {
  const x = fastNumber(v);
  if (x !== undefined) {
    if (Number.isInteger(x) && x >= -SAFE && x <= SAFE) return x === 0 ? '0' : String(x);
    if (Number.isNaN(x)) return 'NaN';
    if (!Number.isFinite(x)) return x < 0 ? '-Inf' : 'Inf';
  }
  const e = normalize(exactOf(v));
  if (e.kind === 'nan') return 'NaN';
  if (e.kind === 'inf') return e.negative ? '-Inf' : 'Inf';
  if (e.exp >= 0) return (e.coef * 10n ** BigInt(e.exp)).toString();
  return `${e.coef}e${e.exp}`;
}

// ---------- construction ----------

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function decimalFromExact(e: Exact): Decimal128 {
  if (e.kind === 'nan') return Decimal128.fromString('NaN');
  if (e.kind === 'inf') return Decimal128.fromString(e.negative ? '-Infinity' : 'Infinity');
  return Decimal128.fromStringWithRounding(`${e.coef}E${e.exp}`);
}

/** A double widened to decimal the way mongod does for mixed arithmetic (15 significant digits). */
function exactForDecimalArithmetic(v: unknown): Exact {
  const kind = numKind(v);
  if (kind === 'double') {
    const x = toDouble(v);
    if (!Number.isFinite(x)) return exactOfDouble(x);
    return exactOfDecimal(Decimal128.fromString(x.toPrecision(15)));
  }
  return exactOf(v);
}

function resultKind(a: unknown, b: unknown): NumKind {
  const ka = numKind(a) ?? 'double';
  const kb = numKind(b) ?? 'double';
  return KIND_RANK[ka] >= KIND_RANK[kb] ? ka : kb;
}

function fromBigInt(n: bigint, kind: 'int' | 'long', onLongOverflow: 'double' | 'error'): unknown {
  if (kind === 'int' && n >= BigInt(INT32_MIN) && n <= BigInt(INT32_MAX)) return new Int32(Number(n));
  if (n >= INT64_MIN && n <= INT64_MAX) return Long.fromBigInt(n);
  if (onLongOverflow === 'error') throw new RangeError('int64 overflow');
  return new Double(Number(n));
}

function bigOf(v: unknown): bigint {
  if (numKind(v) === 'long') return (v as Long).toBigInt();
  return BigInt(toDouble(v));
}

export type Overflow = 'double' | 'error';

export function add(a: unknown, b: unknown, overflow: Overflow = 'double'): unknown {
  const kind = resultKind(a, b);
  if (kind === 'double') return new Double(toDouble(a) + toDouble(b));
  if (kind === 'decimal') {
    const x = exactForDecimalArithmetic(a);
    const y = exactForDecimalArithmetic(b);
    if (x.kind !== 'finite' || y.kind !== 'finite') return decimalFromExact(specialSum(x, y));
    const m = Math.min(x.exp, y.exp);
    return decimalFromExact({
      kind: 'finite',
      coef: x.coef * 10n ** BigInt(x.exp - m) + y.coef * 10n ** BigInt(y.exp - m),
      exp: m,
    });
  }
  return fromBigInt(bigOf(a) + bigOf(b), kind, overflow);
}

function specialSum(x: Exact, y: Exact): Exact {
  if (x.kind === 'nan' || y.kind === 'nan') return { kind: 'nan' };
  if (x.kind === 'inf' && y.kind === 'inf') return x.negative === y.negative ? x : { kind: 'nan' };
  return x.kind === 'inf' ? x : y;
}

export function negate(a: unknown): unknown {
  const kind = numKind(a);
  if (kind === 'int') {
    const n = toDouble(a);
    return n === INT32_MIN ? Long.fromNumber(-n) : new Int32(-n);
  }
  if (kind === 'long') return fromBigInt(-(a as Long).toBigInt(), 'long', 'double');
  if (kind === 'decimal') {
    const e = exactOf(a);
    if (e.kind === 'finite') return decimalFromExact({ kind: 'finite', coef: -e.coef, exp: e.exp });
    if (e.kind === 'inf') return decimalFromExact({ kind: 'inf', negative: !e.negative });
    return a;
  }
  return new Double(-toDouble(a));
}

export function subtract(a: unknown, b: unknown): unknown {
  return add(a, negate(b));
}

export function multiply(a: unknown, b: unknown, overflow: Overflow = 'double'): unknown {
  const kind = resultKind(a, b);
  if (kind === 'double') return new Double(toDouble(a) * toDouble(b));
  if (kind === 'decimal') {
    const x = exactForDecimalArithmetic(a);
    const y = exactForDecimalArithmetic(b);
    if (x.kind === 'finite' && y.kind === 'finite')
      return decimalFromExact({ kind: 'finite', coef: x.coef * y.coef, exp: x.exp + y.exp });
    return Decimal128.fromString(String(toDouble(a) * toDouble(b)));
  }
  return fromBigInt(bigOf(a) * bigOf(b), kind, overflow);
}

/** $divide: double unless a decimal is involved. */
export function divide(a: unknown, b: unknown): unknown {
  if (resultKind(a, b) !== 'decimal') return new Double(toDouble(a) / toDouble(b));
  const x = exactForDecimalArithmetic(a);
  const y = exactForDecimalArithmetic(b);
  if (x.kind !== 'finite' || y.kind !== 'finite' || y.coef === 0n)
    return Decimal128.fromString(String(toDouble(a) / toDouble(b)));
  // 34 significant digits of quotient, then drop trailing zeros down to the preferred exponent.
  const scale = 40;
  const q = (x.coef * 10n ** BigInt(scale)) / y.coef;
  let coef = q;
  let exp = x.exp - y.exp - scale;
  const preferred = x.exp - y.exp;
  while (exp < preferred && coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return decimalFromExact({ kind: 'finite', coef, exp });
}

/** Truncating integer view used by $mod, $bit, $size arguments. */
export function toIntegerBig(v: unknown): bigint | undefined {
  const kind = numKind(v);
  if (kind === undefined) return undefined;
  if (kind === 'long') return (v as Long).toBigInt();
  const x = toDouble(v);
  if (!Number.isFinite(x)) return undefined;
  return BigInt(Math.trunc(x));
}

export function isIntegral(v: unknown): boolean {
  const kind = numKind(v);
  if (kind === 'int' || kind === 'long') return true;
  if (kind === 'double') return Number.isInteger(toDouble(v));
  if (kind === 'decimal') {
    const e = normalize(exactOf(v));
    return e.kind === 'finite' && e.exp >= 0;
  }
  return false;
}

/** Zero of the given number's type (used by $mul on a missing field). */
export function zeroLike(v: unknown): unknown {
  switch (numKind(v)) {
    case 'int':
      return new Int32(0);
    case 'long':
      return Long.fromNumber(0);
    case 'decimal':
      return Decimal128.fromString('0');
    default:
      return new Double(0);
  }
}

/** Wrap a JS number the way the BSON serializer would (int32 if integral and in range). */
export function fromJsNumber(n: number): Int32 | Double {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0)
    ? new Int32(n)
    : new Double(n);
}

export function isNaNValue(v: unknown): boolean {
  const kind = numKind(v);
  if (kind === 'double' || kind === 'int') return Number.isNaN(toDouble(v));
  if (kind === 'decimal') return (v as Decimal128).toString().endsWith('NaN');
  return false;
}
