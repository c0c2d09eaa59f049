export * from './app.js';
export * from './config.js';
export * from './console.js';
export * from './routing.js';
export * from './openapi.js';
export * from './identity/index.js';
