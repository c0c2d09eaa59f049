export * from './module.js';
export { PointsConfigSchema, pointsSettingsOf, type PointsSettings } from './config.js';
export { DEFAULT_RULES, type PointsRules } from './domain/rules.js';
