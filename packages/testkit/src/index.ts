export * from './service-basics.js';
export * from './tokens.js';
export * from './serve.js';
export * from './events.js';
