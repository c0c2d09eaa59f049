/**
 * `honglian import` and `honglian seed`: clients of a running suite (its gateway), as an official
 * or an operator would use it. Imports go as jobs (`Prefer: respond-async`) and are polled until
 * they end, so a large file never meets the gateway's proxy timeout.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, DEMO_WEB_CLIENT_ID } from '@honglian/contracts';
import { ACCEPTANCE_CITY, fixtureCity, fixtureCityWorkbook } from '@honglian/org-registry';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const KINDS = ['orgs', 'firms', 'contracts', 'pairings', 'members', 'workbook'] as const;

interface Remote {
  url: string;
  token: string;
}

interface ImportReport {
  status?: string;
  rows?: number;
  created?: number;
  changed?: number;
  unchanged?: number;
  errorCount?: number;
  errors?: { sheet?: string; row?: number; column?: string; reason?: { zh: string; en: string } }[];
  [field: string]: unknown;
}

class UsageError extends Error {}

async function connect(values: { url?: string; user?: string }): Promise<Remote> {
  const url = (values.url ?? process.env.HONGLIAN_URL ?? 'http://localhost:8080').replace(/\/$/, '');
  const given = process.env.HONGLIAN_TOKEN;
  if (given) return { url, token: given };
  const res = await fetch(`${url}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: DEMO_WEB_CLIENT_ID,
      username: values.user ?? 'city-admin',
      password: process.env.HONGLIAN_PASSWORD ?? DEMO_PASSWORD,
    }),
  });
  if (!res.ok)
    throw new Error(
      `sign-in as ${values.user ?? 'city-admin'} at ${url} failed: ${res.status} ${await res.text()}`,
    );
  return { url, token: ((await res.json()) as { access_token: string }).access_token };
}

/** Sends a file as an import job and waits for its end: the report, or the problem it failed with. */
export async function importFile(
  remote: Remote,
  body: Uint8Array,
  opts: { kind: string; contentType: string; dryRun: boolean },
): Promise<{ report?: ImportReport; problem?: Record<string, unknown> }> {
  const auth = { authorization: `Bearer ${remote.token}` };
  const res = await fetch(
    `${remote.url}/api/v1/registry/imports?kind=${opts.kind}&dryRun=${String(opts.dryRun)}`,
    { method: 'POST', headers: { ...auth, prefer: 'respond-async', 'content-type': opts.contentType }, body },
  );
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status !== 202) return res.ok ? { report: answer as ImportReport } : { problem: answer };
  const location = new URL(res.headers.get('location')!, remote.url).toString();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const job = (await (await fetch(location, { headers: auth })).json()) as {
      status: string;
      report?: ImportReport;
      problem?: Record<string, unknown>;
    };
    if (job.status === 'running' || job.status === 'queued') continue;
    if (job.status === 'done') return { report: job.report ?? {} };
    return { problem: job.problem ?? { detail: `the import job ended ${job.status}` } };
  }
}

/** One line per figure, then the errors (at most 20) in both languages. */
function describe(
  what: string,
  outcome: { report?: ImportReport; problem?: Record<string, unknown> },
): boolean {
  if (outcome.problem) {
    const reason = outcome.problem.reason as { zh: string; en: string } | undefined;
    process.stderr.write(
      `${what}: refused (${String(outcome.problem.status ?? '')}) ${reason ? `${reason.zh} / ${reason.en}` : String(outcome.problem.detail ?? '')}\n`,
    );
    const report = outcome.problem.report as ImportReport | undefined;
    if (report) return describe(what, { report }) && false;
    return false;
  }
  const r = outcome.report!;
  const figures = ['status', 'rows', 'created', 'changed', 'unchanged', 'errorCount']
    .filter((k) => r[k] !== undefined)
    .map((k) => `${k} ${String(r[k])}`)
    .join(', ');
  process.stdout.write(`${what}: ${figures}\n`);
  for (const e of (r.errors ?? []).slice(0, 20)) {
    const where = [e.sheet, e.row !== undefined ? `row ${e.row}` : '', e.column].filter(Boolean).join(' ');
    process.stdout.write(`  ${where}: ${e.reason?.zh ?? ''} / ${e.reason?.en ?? ''}\n`);
  }
  if ((r.errors?.length ?? 0) > 20) process.stdout.write(`  … ${r.errors!.length - 20} more\n`);
  return !r.errorCount;
}

export async function runImport(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kind: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        url: { type: 'string' },
        user: { type: 'string' },
      },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('name one file to import');
    const ext = extname(file).toLowerCase();
    if (ext !== '.csv' && ext !== '.xlsx') throw new UsageError(`${file}: a .csv or .xlsx file`);
    const kind = values.kind ?? (ext === '.xlsx' ? 'workbook' : undefined);
    if (!kind || !(KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    const body = new Uint8Array(await readFile(file));
    const remote = await connect(values);
    const outcome = await importFile(remote, body, {
      kind,
      contentType: ext === '.csv' ? 'text/csv' : XLSX,
      dryRun: values['dry-run'],
    });
    return describe(`${file} (${kind}${values['dry-run'] ? ', dry run' : ''})`, outcome) ? 0 : 1;
  } catch (err) {
    return failed(err);
  }
}

export async function runSeed(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        members: { type: 'string' },
        counties: { type: 'string' },
        url: { type: 'string' },
        user: { type: 'string' },
      },
    });
    // Counties beside the demo city's two (黄岩 331003, 椒江 331002), so the seed adds to it.
    const counties = (values.counties ?? '331004,331081').split(',').map((c) => c.trim());
    if (counties.some((c) => !/^\d{6}$/.test(c)))
      throw new UsageError('--counties: six-digit county codes, comma-separated');
    const members = Number(values.members ?? ACCEPTANCE_CITY.members);
    if (!Number.isInteger(members) || members < 0 || members > 1_000_000)
      throw new UsageError('--members must be a whole number from 0 to 1,000,000');
    const city = fixtureCity({ ...ACCEPTANCE_CITY, counties, members });
    const remote = await connect(values);
    // The structure as one workbook (all or nothing), then the members, which may be many.
    const { members: rows, ...structure } = city.files;
    const first = await importFile(
      remote,
      new Uint8Array(await fixtureCityWorkbook({ ...city, files: structure as typeof city.files })),
      {
        kind: 'workbook',
        contentType: XLSX,
        dryRun: false,
      },
    );
    if (!describe('organisations, firms, contracts, pairings', first)) return 1;
    if (rows.length === 0) return 0;
    const second = await importFile(
      remote,
      new Uint8Array(await fixtureCityWorkbook({ ...city, files: { members: rows } as typeof city.files })),
      { kind: 'workbook', contentType: XLSX, dryRun: false },
    );
    return describe(`${rows.length} members`, second) ? 0 : 1;
  } catch (err) {
    return failed(err);
  }
}

function failed(err: unknown): number {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`honglian: ${(err as Error).message}\n`);
    return 2;
  }
  process.stderr.write(`honglian: ${(err as Error).message}\n`);
  return 1;
}
