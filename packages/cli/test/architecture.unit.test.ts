import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The import rules of eslint.architecture.js, checked on code that is never written to disk:
 * ESLint runs in a child process (its config is an ES module) on each snippet as if it were the
 * named file.
 */
const root = path.resolve(__dirname, '../../..');

interface Case {
  file: string;
  code: string;
}

function lint(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
    const cases = JSON.parse(process.argv[1]);
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.file });
      out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}

const use = (imports: string) => `${imports}\nexport const used = [x];\n`;

const CASES: { name: string; file: string; code: string; refused: RegExp | null }[] = [
  {
    name: 'domain importing express',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import x from 'express';`),
    refused: /'express' import is restricted.*domain\/ is pure/,
  },
  {
    name: 'domain importing mongoose',
    file: 'services/org-registry/src/domain/new-rule.ts',
    code: use(`import x from 'mongoose';`),
    refused: /'mongoose'/,
  },
  {
    name: 'domain importing the bus',
    file: 'services/org-registry/src/domain/new-rule.ts',
    code: use(`import { InProcessEventBus as x } from '@honglian/messaging';`),
    refused: /'@honglian\/messaging'/,
  },
  {
    name: 'domain importing a value from the kit',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import { systemClock as x } from '@honglian/service-kit';`),
    refused: /'@honglian\/service-kit'/,
  },
  {
    name: 'domain importing a type from the kit',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: `import type { Principal } from '@honglian/service-kit';\nexport type P = Principal;\n`,
    refused: null,
  },
  {
    name: 'domain importing the kit’s pure subpath',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import { refuse as x } from '@honglian/service-kit/domain';`),
    refused: null,
  },
  {
    name: 'domain importing its service’s data layer',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import { checkinModels as x } from '../data/models.js';`),
    refused: /does not reach into api\/, app\/, data\//,
  },
  {
    name: 'domain importing its service’s module (the entry point)',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import { memberCheckinModule as x } from '../module.js';`),
    refused: /does not reach into api\/, app\/, data\//,
  },
  {
    name: 'domain reading files',
    file: 'services/member-checkin/src/domain/new-rule.ts',
    code: use(`import { readFileSync as x } from 'node:fs';`),
    refused: /'node:fs'/,
  },
  {
    name: 'a domain file importing the pure part of service-kit',
    file: 'services/member-checkin/src/domain/scope.ts',
    code: use(`import { isWithinOrgPath as x } from '@honglian/service-kit/domain';`),
    refused: null,
  },
  {
    name: 'a domain file importing the whole of service-kit (express, mongoose behind it)',
    file: 'services/member-checkin/src/domain/scope.ts',
    code: use(`import { isWithinOrgPath as x } from '@honglian/service-kit';`),
    refused: /service-kit/,
  },
  {
    name: 'a use case querying mongoose itself',
    file: 'services/member-checkin/src/app/new-rule.ts',
    code: use(`import x from 'mongoose';`),
    refused: /Queries live in data/,
  },
  {
    name: 'a use case naming a session type',
    file: 'services/member-checkin/src/app/new-rule.ts',
    code: use(`import type { ClientSession as x } from 'mongoose';`),
    refused: null,
  },
  {
    name: 'a service importing another by package',
    file: 'services/member-checkin/src/app/new-rule.ts',
    code: use(`import { createService as x } from '@honglian/org-registry';`),
    refused: /never imports another service/,
  },
  {
    name: 'a service test importing another’s source by path',
    file: 'services/member-checkin/test/new-rule.test.ts',
    code: use(`import { DEMO_DIRECTORY as x } from '../../gateway/src/identity/demo-users.js';`),
    refused: /never imports another service/,
  },
  {
    name: 'a service importing the cli',
    file: 'services/assessment/src/new-rule.ts',
    code: use(`import { startSuite as x } from '@honglian/cli';`),
    refused: /Only packages\/cli/,
  },
  {
    name: 'a package other than the cli importing a service',
    file: 'packages/testkit/src/new-rule.ts',
    code: use(`import { SERVICE as x } from '@honglian/gateway';`),
    refused: /Only packages\/cli/,
  },
  {
    name: 'the cli composing services',
    file: 'packages/cli/src/new-rule.ts',
    code: use(`import { SERVICE as x } from '@honglian/gateway';`),
    refused: null,
  },
];

describe('architecture import rules', () => {
  const results = lint(CASES.map(({ file, code }) => ({ file, code })));

  it.each(CASES.map((c, i) => [c.name, c.refused, i] as const))('%s', (_name, refused, i) => {
    const messages = results[i]!;
    if (refused) {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(refused);
    } else {
      expect(messages).toEqual([]);
    }
  });
});
