export * from './service-basics.js';
export * from './tokens.js';
export * from './serve.js';
