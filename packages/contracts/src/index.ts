export * from './labels.js';
export * from './enums.js';
export * from './topics.js';
export * from './cloudevent.js';
export * from './events.js';
export * from './org-structure.js';
export * from './events/org-registry.js';
export * from './events/checkin.js';
