import type { ImportDoc, ImportJobDoc, RegistryModels } from './models.js';

/** What an import records when it starts applying a file. */
export type ImportStart = Pick<ImportDoc, 'kind' | 'fileHash' | 'county' | 'orgPath' | 'startedAt' | 'actor'>;
/** What an import records once the whole file is applied. */
export type ImportOutcome = Pick<ImportDoc, 'rows' | 'created' | 'unchanged'> & { finishedAt: Date };

/** The record of each applied (or applying) import: one per file, kind and place of upload. */
export class ImportStore {
  constructor(private readonly models: RegistryModels) {}

  private get Import() {
    return this.models.Import;
  }

  /** The import's record; null when the file was never applied there. */
  record(id: string): Promise<ImportDoc | null> {
    return this.Import.findById(id).lean<ImportDoc>().exec();
  }

  /**
   * Import records matching `filter` (the caller's scope), newest first: keyset on the start
   * time, then the id, after the last record of the previous page.
   */
  page(filter: Record<string, unknown>, after: { at: Date; id: string } | null, limit: number) {
    const keyset = after
      ? { $or: [{ startedAt: { $lt: after.at } }, { startedAt: after.at, _id: { $lt: after.id } }] }
      : {};
    return this.Import.find({ $and: [filter, keyset] })
      .sort({ startedAt: -1, _id: -1 })
      .limit(limit)
      .lean<ImportDoc[]>()
      .exec();
  }

  /** How many import records match `filter`. */
  count(filter: Record<string, unknown>): Promise<number> {
    return this.Import.countDocuments(filter).exec();
  }

  /** Marks the import as applying (created the first time, restarted when sent again). */
  async applying(id: string, start: ImportStart): Promise<void> {
    await this.Import.updateOne({ _id: id }, { $set: { ...start, status: 'applying' } }, { upsert: true });
  }

  /** Marks the import as applied, with what it did. */
  async applied(id: string, outcome: ImportOutcome): Promise<void> {
    await this.Import.updateOne({ _id: id }, { $set: { status: 'applied', ...outcome } });
  }
}

/** Imports run in the background (`Prefer: respond-async`): their state, heartbeat and outcome. */
export class ImportJobStore {
  constructor(private readonly models: RegistryModels) {}

  private get ImportJob() {
    return this.models.ImportJob;
  }

  /** Records a new job; the record as stored (defaults applied). */
  async create(job: ImportJobDoc): Promise<ImportJobDoc> {
    const doc = await this.ImportJob.create(job);
    return doc.toObject();
  }

  findById(id: string): Promise<ImportJobDoc | null> {
    return this.ImportJob.findById(id).lean<ImportJobDoc>().exec();
  }

  /** The job's process is still running it. */
  async heartbeat(id: string, at: Date): Promise<void> {
    await this.ImportJob.updateOne({ _id: id }, { $set: { heartbeatAt: at } });
  }

  /** How the job ended (its report or its problem). */
  async finish(id: string, outcome: Partial<ImportJobDoc>, finishedAt: Date): Promise<void> {
    await this.ImportJob.updateOne({ _id: id }, { $set: { ...outcome, finishedAt } });
  }
}
