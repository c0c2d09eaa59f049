import { randomUUID } from 'node:crypto';
import { toProblem, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ImportJobView, ImportReport } from '../api/schemas.js';
import type { ImportJobDoc } from '../data/models.js';
import type { ImportFormat } from '../imports/index.js';
import { actorOf, refusalError, type RegistryContext } from './context.js';
import { seesUpload, uploadPlacement, type ImportService, type ImportTarget } from './imports.js';
import { importJobView } from './views.js';

/** A job whose heartbeat is older than this ran in a process that is gone. */
const STALE_AFTER_MS = 60_000;
const HEARTBEAT_MS = 10_000;

/**
 * Imports that outlive a request (`Prefer: respond-async`): a county's members take longer than
 * a gateway or a browser waits. The job runs the same `ImportService.run` as the synchronous
 * route and keeps its outcome (report or problem) to be polled. A job interrupted by a restart
 * reads as `interrupted`; sending the file again finishes it, since apply is idempotent.
 */
export class ImportJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly imports: ImportService,
  ) {}

  /** Starts the import in the background; the upload is cleaned up when the job ends. */
  async start(
    target: ImportTarget,
    upload: { file: string; hash: string; cleanup(): Promise<void> },
    format: ImportFormat,
    dryRun: boolean,
    principal: Principal,
  ): Promise<ImportJobView> {
    const now = this.ctx.clock.now();
    const job = await this.ctx.importJobs.create({
      _id: `job-${randomUUID()}`,
      ...uploadPlacement(principal),
      actor: actorOf(principal),
      kind: target,
      dryRun,
      status: 'running',
      createdAt: now,
      heartbeatAt: now,
    });
    const id = job._id;
    const heartbeat = setInterval(() => {
      void this.ctx.importJobs.heartbeat(id, this.ctx.clock.now()).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const done = (async () => {
      let outcome: Partial<ImportJobDoc>;
      try {
        const report: ImportReport = await this.imports.run(target, upload, format, dryRun, principal);
        outcome = { status: 'done', report: report as unknown as Record<string, unknown> };
      } catch (err) {
        const { problem, unexpected } = toProblem(err);
        if (unexpected) this.ctx.logger.error({ err, jobId: id }, 'import job failed');
        outcome = { status: 'failed', problem: problem.toJSON() as Record<string, unknown> };
      } finally {
        clearInterval(heartbeat);
        await upload.cleanup();
      }
      await this.ctx.importJobs.finish(id, outcome, this.ctx.clock.now());
    })().catch((err: unknown) =>
      this.ctx.logger.error({ err, jobId: id }, 'import job outcome not recorded'),
    );
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return view(job, now);
  }

  /**
   * The job if the caller manages where it was uploaded (city admin: all; county admin: their
   * county; community staff: their subtree); else 404, as if it did not exist. Its report names
   * rows and reasons from that place, so it is read like that place's records.
   */
  async get(id: string, principal: Principal): Promise<ImportJobView> {
    const doc = await this.ctx.importJobs.findById(id);
    if (!doc || !seesUpload(principal, doc)) {
      throw refusalError(refuse.notFound(), `Import job ${id} was not found.`);
    }
    return view(doc, this.ctx.clock.now());
  }

  /** Waits for the jobs this process started (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

function view(doc: ImportJobDoc, now: Date): ImportJobView {
  const stale =
    doc.status === 'running' && now.getTime() - new Date(doc.heartbeatAt).getTime() > STALE_AFTER_MS;
  return importJobView(doc, stale ? 'interrupted' : doc.status);
}

/** Whether a `Prefer` header (RFC 7240) asks for `respond-async`. */
export const asyncPreferred = (prefer: string | string[] | undefined): boolean =>
  [prefer ?? []]
    .flat()
    .join(',')
    .split(',')
    .some((p) => p.trim().toLowerCase() === 'respond-async');
