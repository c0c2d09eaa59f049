export * from './service-basics.js';
export * from './tokens.js';
export * from './keycloak.js';
export * from './serve.js';
export * from './events.js';
export * from './module-harness.js';
export * from './module-basics.js';
