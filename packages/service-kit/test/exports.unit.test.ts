import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every name the package root exports comes from one module only. A name two `export *` lines
 * both reach is valid ESM, but OpenTelemetry's loader hook (OTEL_ENABLED=true) drops it, and
 * every module importing it then fails to load: `honglian start` with telemetry on did.
 */
test('the package root exports each name from one module', async () => {
  const source = readFileSync(path.join(__dirname, '..', 'src', 'index.ts'), 'utf8');
  const stars = [...source.matchAll(/^export \* from '(.+)';$/gm)].map((m) => m[1]!);
  const named = [...source.matchAll(/^export \{([^}]+)\} from '(.+)';$/gm)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !n.startsWith('type '))
      .map((n) => [n.split(/\s+as\s+/).pop()!, m[2]!] as const),
  );
  const owner = new Map<string, string>();
  const twice: string[] = [];
  for (const spec of stars) {
    const mod = (await import(path.join(__dirname, '..', 'src', spec.replace(/\.js$/, '.ts')))) as object;
    for (const name of Object.keys(mod)) {
      if (owner.has(name)) twice.push(`${name}: ${owner.get(name)} and ${spec}`);
      else owner.set(name, spec);
    }
  }
  for (const [name, spec] of named) {
    if (owner.has(name)) twice.push(`${name}: ${owner.get(name)} and ${spec}`);
    else owner.set(name, spec);
  }
  expect(twice).toEqual([]);
});
