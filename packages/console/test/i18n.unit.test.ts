import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

/** Every key of a dictionary, dotted, with whether it is a text or a group. */
function keys(dict: object, prefix = ''): Map<string, 'text' | 'group'> {
  const out = new Map<string, 'text' | 'group'>();
  for (const [k, v] of Object.entries(dict)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, 'text');
    else {
      out.set(key, 'group');
      for (const [kk, vv] of keys(v as object, key)) out.set(kk, vv);
    }
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'i18n' ? [] : sources(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

/** The keys the code asks for: t('a.b'), t(`a.${x}`) (its static prefix), and nav labels. */
function usedKeys(): { exact: Set<string>; prefixes: Set<string> } {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of sources(path.join(__dirname, '..', 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) exact.add(m[1]!);
    for (const m of text.matchAll(/\bt\(`([a-zA-Z0-9_.-]+)\.\$\{/g)) prefixes.add(m[1]!);
    for (const m of text.matchAll(/label: '([a-zA-Z0-9_.-]+\.[a-zA-Z0-9_.-]+)'/g)) exact.add(m[1]!);
    for (const m of text.matchAll(/'(member\.pledge\.items\.[a-z]+)'/g)) exact.add(m[1]!);
  }
  return { exact, prefixes };
}

describe('the dictionaries', () => {
  const zh = keys(zhCN);
  const english = keys(en);

  it('have the same keys in Chinese and English', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort());
  });

  it('hold every text the console asks for, in both languages', () => {
    const { exact, prefixes } = usedKeys();
    expect(exact.size).toBeGreaterThan(200);
    expect([...exact].filter((k) => zh.get(k) !== 'text' || english.get(k) !== 'text')).toEqual([]);
    expect([...prefixes].filter((k) => zh.get(k) !== 'group' || english.get(k) !== 'group')).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const get = (dict: object, key: string) =>
      key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], dict) as string;
    const differ = [...zh]
      .filter(([, kind]) => kind === 'text')
      .map(([key]) => key)
      .filter((key) => placeholders(get(zhCN, key)).join() !== placeholders(get(en, key)).join());
    expect(differ).toEqual([]);
  });
});
