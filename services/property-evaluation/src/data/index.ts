import type { Connection } from 'mongoose';
import { WebhookStore } from './webhooks.js';
import { evaluationModels, type EvaluationModels } from './models.js';
import { ReadModel } from './read-model.js';
import {
  AppealStore,
  CycleStore,
  ResultStore,
  SubmissionStore,
  TemplateStore,
  VersionStore,
} from './stores.js';

/** The service's stores: one per aggregate, and the registry's read model. */
export interface EvaluationData {
  models: EvaluationModels;
  readModel: ReadModel;
  templates: TemplateStore;
  cycles: CycleStore;
  submissions: SubmissionStore;
  appeals: AppealStore;
  results: ResultStore;
  versions: VersionStore;
  webhooks: WebhookStore;
}

export function evaluationData(conn: Connection): EvaluationData {
  const models = evaluationModels(conn);
  return {
    models,
    readModel: new ReadModel(models),
    templates: new TemplateStore(models),
    cycles: new CycleStore(models),
    submissions: new SubmissionStore(models),
    appeals: new AppealStore(models),
    results: new ResultStore(models),
    versions: new VersionStore(models),
    webhooks: new WebhookStore(models),
  };
}
