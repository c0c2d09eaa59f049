import fc from 'fast-check';
import { isObject, type Json } from './http.js';
import { deref, type Schema } from './openapi.js';

/**
 * Plausible example values from a JSON schema: what the sweep sends with a write on another
 * scope's object (so validation does not hide the scope check) and what the fuzzer mutates.
 * `hint` supplies values by field name (ids of the target's county, periods…); everything else
 * is derived from the schema (enums, formats, bounds, patterns).
 */
export type Hint = (name: string, schema: Schema) => unknown;

const DAY = 86_400_000;
const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
let serial = 0;

export const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type.map(String);
  if (typeof s.type === 'string') return [s.type];
  if (isObject(s.properties)) return ['object'];
  return [];
}

/** Whether every required field of an object branch has a hint (the branch the caller can fill). */
function fillable(doc: Json, branch: Schema, hint: Hint): boolean {
  const s = deref(doc, branch);
  const props = isObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required.map(String) : [];
  return required.every((name) => hint(name, deref(doc, props[name])) !== undefined);
}

function dateish(name: string): 'start' | 'end' | undefined {
  if (/^(to|end|until|validTo|endsAt|checkOutAt)$/.test(name) || /(End|Until)$/.test(name)) return 'end';
  if (/^(from|start|date|asOf)$/.test(name) || /(From|Start|Date|On|At)$/.test(name)) return 'start';
  return undefined;
}

function stringFor(doc: Json, s: Schema, name: string, now: number): string {
  const format = typeof s.format === 'string' ? s.format : undefined;
  const when = dateish(name);
  if (format === 'date-time')
    return new Date(when === 'end' ? now + 2 * 3_600_000 : now - 60_000).toISOString();
  if (format === 'date') return isoDay(when === 'end' ? now : now - 30 * DAY);
  if (format === 'uri' || format === 'url' || /url$/i.test(name)) return 'https://example.org/proof';
  if (format === 'email') return 'proof@example.org';
  if (typeof s.pattern === 'string' && s.pattern !== ID_PATTERN) {
    try {
      const [value] = fc.sample(fc.stringMatching(new RegExp(s.pattern)), { seed: 7, numRuns: 1 });
      if (value !== undefined) return value;
    } catch {
      // An expression JavaScript cannot compile: fall through to a plain string.
    }
  }
  if (!format && when && !s.pattern) return isoDay(when === 'end' ? now + 365 * DAY : now);
  let text = s.pattern === ID_PATTERN ? `proof-${++serial}` : `核查 proof ${name}`.trim();
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  while (text.length < min) text += 'x';
  return text.slice(0, max);
}

function numberFor(s: Schema, integer: boolean): number {
  const lo =
    typeof s.minimum === 'number'
      ? s.minimum
      : typeof s.exclusiveMinimum === 'number'
        ? s.exclusiveMinimum + (integer ? 1 : 0.5)
        : undefined;
  const hi =
    typeof s.maximum === 'number'
      ? s.maximum
      : typeof s.exclusiveMaximum === 'number'
        ? s.exclusiveMaximum - (integer ? 1 : 0.5)
        : undefined;
  let value = 1;
  if (lo !== undefined && value < lo) value = lo;
  if (hi !== undefined && value > hi) value = hi;
  return integer ? Math.ceil(value) : value;
}

/** An example value of `schema` for the field `name`. */
export function sample(
  doc: Json,
  schema: unknown,
  hint: Hint,
  name = '',
  now = Date.now(),
  depth = 0,
): unknown {
  const s = deref(doc, schema);
  if ('const' in s) return s.const;
  if (depth > 8) return null;
  const hinted = name ? hint(name, s) : undefined;
  if (hinted !== undefined) return hinted;
  const branches = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : []).filter(
    (b) => !typesOf(deref(doc, b)).includes('null') || typesOf(deref(doc, b)).length > 1,
  );
  if (branches.length > 0) {
    const best = branches.find((b) => typesOf(deref(doc, b)).includes('object') && fillable(doc, b, hint));
    return sample(doc, best ?? branches[0], hint, name, now, depth + 1);
  }
  if (Array.isArray(s.allOf)) {
    const merged: Json = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf.map((p) => deref(doc, p))) {
      Object.assign(merged.properties as Json, isObject(part.properties) ? part.properties : {});
      (merged.required as unknown[]).push(...(Array.isArray(part.required) ? part.required : []));
    }
    return sample(doc, merged, hint, name, now, depth + 1);
  }
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== null) ?? null;
  if ('default' in s && s.default !== null && typeof s.default !== 'object') return s.default;
  const type = typesOf(s).find((t) => t !== 'null') ?? 'string';
  switch (type) {
    case 'object': {
      const props = isObject(s.properties) ? s.properties : {};
      const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
      const out: Json = {};
      // Required fields, and the ids the caller can name (a report's memberId…); with nothing
      // required (a PATCH, a claim), the first field, so the body is not empty.
      const keys = Object.keys(props).filter(
        (key) =>
          required.has(key) ||
          (required.size > 0 && /Id$/.test(key) && hint(key, deref(doc, props[key])) !== undefined),
      );
      if (keys.length === 0 && Object.keys(props).length > 0) keys.push(Object.keys(props)[0]!);
      for (const key of keys) out[key] = sample(doc, props[key], hint, key, now, depth + 1);
      return out;
    }
    case 'array': {
      const n = Math.max(typeof s.minItems === 'number' ? s.minItems : 1, 1);
      const item = sample(doc, s.items, hint, singularField(name), now, depth + 1);
      return Array.from({ length: n }, () => item);
    }
    case 'integer':
      return numberFor(s, true);
    case 'number':
      return numberFor(s, false);
    case 'boolean':
      return true;
    default:
      return stringFor(doc, s, name, now);
  }
}

const singularField = (name: string) => (name.endsWith('s') ? name.slice(0, -1) : name);
