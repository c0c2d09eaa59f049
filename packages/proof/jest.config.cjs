const { availableParallelism } = require('node:os');

// Long end-to-end files: two at a time even on two cores. Jest's default (cores − 1) runs them one
// by one, and these packages finish last in `npm test`, when the machine is otherwise idle.
module.exports = {
  ...require('../../jest.preset.cjs'),
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
