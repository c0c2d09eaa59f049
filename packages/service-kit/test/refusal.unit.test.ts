import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  HttpProblem,
  REFUSAL_KINDS,
  REFUSAL_STATUS,
  RefusalError,
  accept,
  createApp,
  createLogger,
  isRefusal,
  orThrow,
  refuse,
  refusalProblem,
  type Decision,
  type Refusal,
} from '../src/index.js';
import * as domain from '../src/domain/index.js';

const ALREADY = { zh: '该成员已报到', en: 'the member has already reported' };

describe('refuse', () => {
  it('builds refusals from a {zh,en} reason or the two strings', () => {
    expect(refuse.conflict(ALREADY, { extras: { reportId: 'r-1' } })).toEqual({
      ok: false,
      kind: 'conflict',
      reason: ALREADY,
      extras: { reportId: 'r-1' },
    });
    expect(refuse.invalid('名称不能为空', 'the name must not be empty', { field: 'name' })).toEqual({
      ok: false,
      kind: 'invalid',
      reason: { zh: '名称不能为空', en: 'the name must not be empty' },
      field: 'name',
    });
    expect(refuse('precondition-failed', 'x', 'y').kind).toBe('precondition-failed');
  });

  it('refuses extras that a problem body would overwrite', () => {
    expect(() => refuse.conflict(ALREADY, { extras: { title: 'x', status: 1 } })).toThrow(
      /must not be named title, status/,
    );
  });

  it('says "not found or outside your scope" by default, in both languages', () => {
    const r = refuse.notFound();
    expect(r.kind).toBe('not-found');
    expect(r.reason.en).toMatch(/outside your scope/);
    expect(r.reason.zh).toMatch(/管辖范围/);
  });

  it('is recognised by isRefusal, and accept() is not one', () => {
    expect(isRefusal(refuse.gone('已过期', 'expired'))).toBe(true);
    expect(isRefusal(accept({ id: 1 }))).toBe(false);
    expect(isRefusal({ ok: false, kind: 'teapot', reason: ALREADY })).toBe(false);
    expect(accept()).toEqual({ ok: true, changes: undefined, events: [] });
  });
});

describe('refusal kinds → HTTP status (one mapping)', () => {
  it('covers every kind', () => {
    expect(Object.keys(REFUSAL_STATUS).sort()).toEqual([...REFUSAL_KINDS].sort());
    expect(REFUSAL_STATUS).toMatchObject({
      invalid: 422,
      'not-found': 404,
      conflict: 409,
      forbidden: 403,
      gone: 410,
      'bad-request': 400,
    });
  });

  it('renders a refusal as the problem services answer today: detail in English, reason, field, extras', () => {
    const problem = refusalProblem(
      refuse.invalid('社区不符', 'wrong community', { field: 'communityId', extras: { expected: 'cm-1' } }),
    );
    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem.toJSON('/x')).toEqual({
      type: 'about:blank',
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'wrong community',
      instance: '/x',
      reason: { zh: '社区不符', en: 'wrong community' },
      field: 'communityId',
      expected: 'cm-1',
    });
  });

  it('reaches the client through the kit error handler as problem+json', async () => {
    const decide = (n: number): Decision<{ n: number }> =>
      n === 404
        ? refuse.notFound()
        : n === 409
          ? refuse.conflict(ALREADY)
          : n === 422
            ? refuse.invalid('太大', 'too big', { field: 'n' })
            : accept({ n });
    const { app } = createApp({
      name: 'refusal-test',
      logger: createLogger({ name: 'test', level: 'silent' }),
      routes: (a) =>
        a.get('/things/:n', (req, res) => {
          const { changes } = orThrow(decide(Number(req.params.n)));
          res.json(changes);
        }),
    });
    expect((await request(app).get('/things/7')).body).toEqual({ n: 7 });
    for (const status of [404, 409, 422]) {
      const res = await request(app).get(`/things/${status}`);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.reason).toEqual(
        // detail in the language Accept-Language prefers: Chinese unless English is preferred
        expect.objectContaining({ zh: res.body.detail, en: expect.any(String) }),
      );
    }
    expect((await request(app).get('/things/422')).body.field).toBe('n');
  });

  it('keeps the refusal on the error', () => {
    const r: Refusal = refuse.forbidden('无权操作', 'not allowed');
    try {
      orThrow(r);
    } catch (err) {
      expect(err).toBeInstanceOf(RefusalError);
      expect((err as RefusalError).refusal).toBe(r);
      expect((err as RefusalError).status).toBe(403);
    }
    expect.assertions(3);
  });
});

describe('@honglian/service-kit/domain', () => {
  it('exports the pure helpers domain code needs', () => {
    expect(Object.keys(domain).sort()).toEqual(
      [
        'FixedClock',
        'NOT_FOUND_REASON',
        'REFUSAL_KINDS',
        'accept',
        'draftEvent',
        'escapeRegex',
        'isRefusal',
        'isWithinOrgPath',
        'orgSubtreePattern',
        'reason',
        'refuse',
        'systemClock',
      ].sort(),
    );
    expect(domain.isWithinOrgPath('/a/b/c', '/a/b')).toBe(true);
    expect(domain.isWithinOrgPath('/a/b2', '/a/b')).toBe(false);
  });

  it('loads nothing but itself and @honglian/contracts at run time', () => {
    // Follows the value imports (not `import type`) of src/domain from its entry point.
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        else bare.add(spec);
      }
    };
    visit(path.join(__dirname, '../src/domain/index.ts'));
    expect([...bare]).toEqual(['@honglian/contracts']);
    expect([...seen].map((f) => path.relative(path.join(__dirname, '../src'), f)).sort()).toEqual([
      'clock.ts',
      'domain/index.ts',
      'domain/paths.ts',
      'domain/refusal.ts',
    ]);
  });
});
