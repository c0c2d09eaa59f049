export * from './service-basics.js';
