export * from './module.js';
export { DEFAULT_RULES, validateTemplate, type Template, type TemplateRules } from './domain/template.js';
export { canonicalJson, contentHashOf } from './domain/results.js';
