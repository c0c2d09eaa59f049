// Shared jest preset: sources are ES modules in TypeScript; @swc/jest compiles
// them (and ESM-only dependencies) to CommonJS for jest's module registry.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // ESM-only packages must be compiled too; everything else in node_modules is CJS.
  transformIgnorePatterns: ['/node_modules/(?!(jose|csv-parse|csv-stringify|express-rate-limit|mingo)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
};
