// PCRE (mongod) regular expressions on top of JS RegExp. The few constructs
// whose meaning differs between the engines are translated (`$`, `\A`, `\Z`,
// `\z`, leading inline flags); other PCRE-only syntax is rejected instead of
// being run with a different meaning.
import { err } from '../errors.js';

const cache = new Map<string, RegExp>();

// Escapes that mean the same in PCRE and JS (non-unicode mode).
const SAFE_ESCAPES = new Set('bBdDsSwWnrtf0123456789cx'.split(''));

const END_OR_FINAL_NEWLINE = '(?=\\n?(?![\\s\\S]))';

/**
 * Rewrite anchors: without the m flag PCRE's `$` also matches before a final
 * newline (JS: only at the end); `\A`, `\Z`, `\z` have no JS spelling.
 * With `extended`, unescaped whitespace and #-comments are dropped (PCRE x).
 */
function translate(pattern: string, multiline: boolean, extended: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += END_OR_FINAL_NEWLINE;
      else if (!inClass && n === 'z') out += '(?![\\s\\S])';
      else out += c + n;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // a leading ']' (or '^]') is a literal in both engines
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
    } else if (extended && c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (extended && /\s/.test(c)) {
      continue;
    } else if (c === '$' && !multiline) out += END_OR_FINAL_NEWLINE;
    else out += c;
  }
  return out;
}

export function compileRegex(pattern: string, options: string): RegExp {
  const key = options + '/' + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  let flags = '';
  let extended = false;
  let source = pattern;
  // leading inline flags, e.g. (?i)abc
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    options += inline[1];
    source = source.slice(inline[0].length);
  }
  for (const o of options) {
    if (o === 'i' || o === 'm' || o === 's') {
      if (!flags.includes(o)) flags += o;
    } else if (o === 'x') extended = true;
    else if (o === 'u' || o === 'l') continue;
    else throw err(51108, `invalid flag in regex options: ${o}`);
  }
  source = translate(source, flags.includes('m'), extended);
  let re: RegExp;
  try {
    re = new RegExp(source, flags + 'u');
  } catch {
    for (const m of source.matchAll(/\\(.)/g)) {
      const e = m[1] as string;
      if (/[A-Za-z]/.test(e) && !SAFE_ESCAPES.has(e))
        throw err(
          51091,
          `Regular expression is invalid: escape \\${e} is not supported by the embedded MongoDB server`,
        );
    }
    try {
      re = new RegExp(source, flags);
    } catch (e) {
      throw err(51091, `Regular expression is invalid: ${(e as Error).message}`);
    }
  }
  if (cache.size > 5000) cache.clear();
  cache.set(key, re);
  return re;
}
