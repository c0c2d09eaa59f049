export * from './module.js';
export * from './config.js';
export type { CheckinRules } from './domain/rules.js';
export { DEFAULT_RULES } from './domain/rules.js';
