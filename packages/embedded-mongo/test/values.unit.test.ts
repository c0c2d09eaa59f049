// Unit tests of the value semantics every query, sort and index relies on.
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { add, compareNumbers, divide, multiply, numberKey } from '../src/numeric.js';
import { compileFilter } from '../src/query/matcher.js';
import { compileRegex } from '../src/query/regex.js';
import { canonicalKey, compareStrings, compareValues, identical, MISSING } from '../src/values.js';

test('numbers of every BSON type compare by exact value', () => {
  expect(compareNumbers(new Int32(1), new Double(1))).toBe(0);
  expect(compareNumbers(Long.fromNumber(1), Decimal128.fromString('1.000'))).toBe(0);
  expect(compareNumbers(Long.fromString('9007199254740993'), new Double(9007199254740992))).toBe(1);
  expect(compareNumbers(Decimal128.fromString('0.1'), new Double(0.1))).toBe(-1);
  expect(compareNumbers(new Double(NaN), new Int32(-1000))).toBe(-1);
  expect(compareNumbers(new Double(NaN), Decimal128.fromString('NaN'))).toBe(0);
  expect(compareNumbers(new Double(-Infinity), Long.fromString('-9223372036854775808'))).toBe(-1);
});

test('canonical keys are equal exactly for equal values', () => {
  expect(numberKey(new Int32(3))).toBe(numberKey(Decimal128.fromString('3.00')));
  expect(numberKey(new Double(0.5))).toBe(numberKey(Decimal128.fromString('0.5')));
  expect(numberKey(new Double(0.1))).not.toBe(numberKey(Decimal128.fromString('0.1')));
  expect(numberKey(new Double(-0))).toBe(numberKey(new Int32(0)));
  expect(canonicalKey({ a: new Int32(1), b: [new Double(2)] })).toBe(
    canonicalKey({ a: Long.fromNumber(1), b: [new Int32(2)] }),
  );
  expect(canonicalKey({ a: 1, b: 2 })).not.toBe(canonicalKey({ b: 2, a: 1 }));
  expect(canonicalKey(['a,b'])).not.toBe(canonicalKey(['a', 'b']));
  expect(canonicalKey(null)).toBe(canonicalKey(MISSING));
});

test('the BSON type order', () => {
  const ordered = [
    new MinKey(),
    null,
    new Int32(-5),
    Decimal128.fromString('2.5'),
    '',
    'a',
    {},
    { a: 1 },
    [],
    new Binary(Buffer.from('a')),
    new ObjectId('000000000000000000000000'),
    false,
    true,
    new Date(-1),
    new Date(0),
    new Timestamp({ t: 0, i: 1 }),
    /a/,
    new MaxKey(),
  ];
  for (let i = 0; i < ordered.length - 1; i++) expect(compareValues(ordered[i], ordered[i + 1])).toBe(-1);
});

test('strings compare in UTF-8 byte order', () => {
  expect(compareStrings('Z', 'a')).toBe(-1);
  expect(compareStrings('\uffff', '😀')).toBe(-1); // U+FFFF < U+1F600 although its UTF-16 unit is larger
  expect(compareStrings('ab', 'a')).toBe(1);
});

test('arithmetic keeps BSON numeric types', () => {
  expect(add(new Int32(1), new Int32(2))).toEqual(new Int32(3));
  expect(add(new Int32(2147483647), new Int32(1))).toEqual(Long.fromNumber(2147483648));
  expect(add(Long.fromNumber(1), new Double(0.5))).toEqual(new Double(1.5));
  expect(String(add(Decimal128.fromString('0.1'), Decimal128.fromString('0.2')))).toBe('0.3');
  expect(String(add(Decimal128.fromString('1.10'), new Int32(1)))).toBe('2.10');
  expect(String(multiply(Decimal128.fromString('1.5'), Decimal128.fromString('2')))).toBe('3.0');
  expect(() => add(Long.fromString('9223372036854775807'), new Int32(1), 'error')).toThrow(RangeError);
  expect(divide(new Int32(1), new Int32(4))).toEqual(new Double(0.25));
  expect(String(divide(Decimal128.fromString('1'), Decimal128.fromString('4')))).toBe('0.25');
});

test('identical distinguishes types that compare equal', () => {
  expect(identical(new Int32(1), new Double(1))).toBe(false);
  expect(identical({ a: [new Int32(1)] }, { a: [new Int32(1)] })).toBe(true);
  expect(identical(Decimal128.fromString('1.0'), Decimal128.fromString('1.00'))).toBe(false);
});

test('matcher: type bracketing, null/missing, NaN', () => {
  const gt0 = compileFilter({ v: { $gt: new Int32(0) } });
  expect(gt0({ v: 'string' })).toBe(false);
  expect(gt0({ v: Long.fromNumber(3) })).toBe(true);
  expect(compileFilter({ v: null })({})).toBe(true);
  expect(compileFilter({ v: { $gte: null } })({})).toBe(true);
  expect(compileFilter({ v: { $gt: null } })({ v: null })).toBe(false);
  expect(compileFilter({ v: new Double(NaN) })({ v: new Double(NaN) })).toBe(true);
  expect(compileFilter({ v: { $lt: new Int32(0) } })({ v: new Double(NaN) })).toBe(false);
  expect(compileFilter({ 'a.b': null })({ a: [{ b: 1 }, { c: 1 }] })).toBe(true);
  expect(compileFilter({ 'a.1': 'y' })({ a: ['x', 'y'] })).toBe(true);
  expect(() => compileFilter({ $where: 'true' })).toThrow(/\$where/);
});

test('regular expressions follow PCRE where JS differs, or are rejected', () => {
  expect(compileRegex('abc$', '').test('abc\n')).toBe(true); // PCRE $ matches before a final newline
  expect(compileRegex('abc$', '').test('abc\nx')).toBe(false);
  expect(compileRegex('\\Aab', 'm').test('x\nab')).toBe(false);
  expect(compileRegex('^ab', 'm').test('x\nab')).toBe(true);
  expect(compileRegex('ab\\z', '').test('ab\n')).toBe(false);
  expect(compileRegex('[$]', '').test('$')).toBe(true);
  expect(compileRegex('(?i)abc', '').test('ABC')).toBe(true);
  expect(compileRegex(' a b # comment', 'x').test('ab')).toBe(true);
  expect(() => compileRegex('a\\Kb', '')).toThrow(/\\K/);
  expect(() => compileRegex('a', 'q')).toThrow(/invalid flag/);
});
