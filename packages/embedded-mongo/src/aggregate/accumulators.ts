// $group accumulators, implemented natively so $sum of Int32 stays Int32
// (promoting on overflow), Decimal128 sums are exact and $min/$max use the
// BSON order.
import { Double, Int32 } from 'bson';
import { err, unsupported } from '../errors.js';
import { add, divide, numKind, toDouble } from '../numeric.js';
import { canonicalKey, compareValues, isPlainObject, MISSING } from '../values.js';
import type { Doc } from '../values.js';

export interface Accumulator {
  add(v: unknown): void;
  result(): unknown;
}

export type AccumulatorFactory = () => Accumulator;

const isNullish = (v: unknown): boolean => v === MISSING || v === null || v === undefined;

const UNSUPPORTED = new Set([
  '$top',
  '$bottom',
  '$topN',
  '$bottomN',
  '$firstN',
  '$lastN',
  '$minN',
  '$maxN',
  '$median',
  '$percentile',
  '$covariancePop',
  '$covarianceSamp',
  '$expMovingAvg',
  '$derivative',
  '$integral',
  '$concatArrays',
  '$setUnion',
]);

export function accumulatorFactory(op: string, field: string): AccumulatorFactory {
  switch (op) {
    case '$sum':
      return () => {
        let acc: unknown = new Int32(0);
        return {
          add: (v) => {
            if (numKind(v)) acc = add(acc, v);
          },
          result: () => acc,
        };
      };
    case '$count':
      return () => {
        let n = 0;
        return { add: () => void n++, result: () => new Int32(n) };
      };
    case '$avg':
      return () => {
        let acc: unknown = new Int32(0);
        let n = 0;
        return {
          add: (v) => {
            if (numKind(v)) {
              acc = add(acc, v);
              n++;
            }
          },
          result: () => {
            if (n === 0) return null;
            if (numKind(acc) === 'decimal') return divide(acc, new Int32(n));
            return new Double(toDouble(acc) / n);
          },
        };
      };
    case '$min':
    case '$max':
      return () => {
        let best: unknown = MISSING;
        return {
          add: (v) => {
            if (isNullish(v)) return;
            if (best === MISSING) best = v;
            else {
              const c = compareValues(v, best);
              if (op === '$min' ? c < 0 : c > 0) best = v;
            }
          },
          result: () => (best === MISSING ? null : best),
        };
      };
    case '$first':
      return () => {
        let seen = false;
        let value: unknown = null;
        return {
          add: (v) => {
            if (!seen) {
              seen = true;
              value = v === MISSING ? null : v;
            }
          },
          result: () => value,
        };
      };
    case '$last':
      return () => {
        let value: unknown = null;
        return {
          add: (v) => {
            value = v === MISSING ? null : v;
          },
          result: () => value,
        };
      };
    case '$push':
      return () => {
        const out: unknown[] = [];
        return {
          add: (v) => {
            if (v !== MISSING) out.push(v);
          },
          result: () => out,
        };
      };
    case '$addToSet':
      return () => {
        const seen = new Map<string, unknown>();
        return {
          add: (v) => {
            if (v === MISSING) return;
            const k = canonicalKey(v);
            if (!seen.has(k)) seen.set(k, v);
          },
          result: () => [...seen.values()],
        };
      };
    case '$mergeObjects':
      return () => {
        const out: Doc = {};
        return {
          add: (v) => {
            if (isNullish(v)) return;
            if (!isPlainObject(v))
              throw err(40400, `$mergeObjects requires object inputs, but input is of type ${typeof v}`);
            Object.assign(out, v);
          },
          result: () => out,
        };
      };
    case '$stdDevPop':
    case '$stdDevSamp':
      return () => {
        let n = 0;
        let mean = 0;
        let m2 = 0;
        return {
          add: (v) => {
            if (!numKind(v)) return;
            const x = toDouble(v);
            n++;
            const d = x - mean;
            mean += d / n;
            m2 += d * (x - mean);
          },
          result: () => {
            const denom = op === '$stdDevPop' ? n : n - 1;
            return denom <= 0 ? null : new Double(Math.sqrt(m2 / denom));
          },
        };
      };
    case '$accumulator':
      throw unsupported('$accumulator (server-side JavaScript)');
    default:
      if (UNSUPPORTED.has(op)) throw unsupported(`${op} accumulator`);
      throw err(15952, `unknown group operator '${op}' in field '${field}'`);
  }
}
