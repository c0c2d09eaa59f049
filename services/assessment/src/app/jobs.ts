import { randomUUID } from 'node:crypto';
import { throwRefusal, toProblem, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { JobDoc } from '../data/models.js';
import { actorOf, type AssessmentContext } from './context.js';

/** Rating runs that outlive a request (`Prefer: respond-async`, like the registry's imports). */
export class RatingJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly ctx: AssessmentContext) {}

  async start(
    what: string,
    principal: Principal,
    run: () => Promise<Record<string, unknown>>,
  ): Promise<JobDoc> {
    const job: JobDoc = {
      _id: `job-${randomUUID()}`,
      county: principal.roles.includes('city-admin') ? null : (principal.county ?? null),
      actor: actorOf(principal),
      what,
      status: 'running',
      result: null,
      problem: null,
      createdAt: this.ctx.clock.now().toISOString(),
      finishedAt: null,
    };
    await this.ctx.data.ratings.createJob(job);
    const done = (async () => {
      let change: Partial<JobDoc>;
      try {
        change = { status: 'done', result: await run() };
      } catch (err) {
        const { problem, unexpected } = toProblem(err);
        if (unexpected) this.ctx.logger.error({ err, jobId: job._id }, 'rating job failed');
        change = { status: 'failed', problem: problem.toJSON() as Record<string, unknown> };
      }
      await this.ctx.data.ratings.finishJob(job._id, {
        ...change,
        finishedAt: this.ctx.clock.now().toISOString(),
      });
    })().catch((err: unknown) => this.ctx.logger.error({ err }, 'rating job outcome not recorded'));
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return job;
  }

  /** The job when the caller started it in their county (city: all); else 404. */
  async get(id: string, principal: Principal): Promise<JobDoc> {
    const job = await this.ctx.data.ratings.job(id);
    const sees =
      job &&
      (principal.roles.includes('city-admin') || (job.county !== null && job.county === principal.county));
    return sees ? job : throwRefusal(refuse.notFound());
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

/** Whether a `Prefer` header (RFC 7240) asks for `respond-async`. */
export const asyncPreferred = (prefer: string | string[] | undefined): boolean =>
  [prefer ?? []]
    .flat()
    .join(',')
    .split(',')
    .some((p) => p.trim().toLowerCase() === 'respond-async');
