import type { Connection } from 'mongoose';
import { ManualItemStore } from './manual-items.js';
import { assessmentModels, type AssessmentModels } from './models.js';
import { ProjectionStore } from './projections.js';
import { RatingStore } from './ratings.js';

export interface AssessmentData {
  models: AssessmentModels;
  projections: ProjectionStore;
  ratings: RatingStore;
  manualItems: ManualItemStore;
}

export function assessmentData(conn: Connection): AssessmentData {
  const models = assessmentModels(conn);
  return {
    models,
    projections: new ProjectionStore(models),
    ratings: new RatingStore(models),
    manualItems: new ManualItemStore(models),
  };
}
