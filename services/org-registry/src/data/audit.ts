import type { AuditDoc, RegistryModels } from './models.js';

/** The audit log: who asked for a member's personal data, and how it ended. */
export class AuditLog {
  constructor(private readonly models: RegistryModels) {}

  async record(entry: AuditDoc): Promise<void> {
    await this.models.Audit.create(entry);
  }
}
