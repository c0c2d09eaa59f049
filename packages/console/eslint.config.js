// The repository's rules (../../eslint.config.js) for this package, run from here (`eslint .`): the
// same config array, plus what a browser app in .tsx needs. The root's architecture rule for
// packages (no package imports a service or the cli) is written for `packages/**/*.{ts,js,mjs,cjs}`
// relative to the root; from this directory it is applied again to every source here, .tsx included.
import globals from 'globals';
import root from '../../eslint.config.js';
import { architectureRules } from '../../eslint.architecture.js';

const packagesRule = architectureRules().find((block) =>
  block.files?.includes('packages/**/*.{ts,js,mjs,cjs}'),
);
if (!packagesRule)
  throw new Error('eslint.architecture.js no longer has the packages rule this config re-applies');

export default [
  ...root,
  { files: ['**/*.{ts,tsx,js,mjs,cjs}'], rules: packagesRule.rules },
  { files: ['src/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
];
