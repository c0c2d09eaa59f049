#!/usr/bin/env node
// Computing a cycle of COMPOUNDS compounds × 6 rater roles, beside a plain read of the same submissions.
//
//   npm run build -w @honglian/property-evaluation && node services/property-evaluation/bench/compute.mjs
//
// In process: the module on a fresh database of the embedded server (or MONGO_URL) through testkit's
// harness, a fixed clock. Setup writes the read model (FIRMS firms, each serving COMPOUNDS / FIRMS
// compounds) and the submissions straight into the collections (the API's write path is not what
// is measured), then times, ROUNDS times each: a plain read of the cycle's submissions, and
// POST /cycles/:id/compute's use case (read contracts, orgs and submissions, score, replace the
// results, emit the event, one transaction). Prints figures; asserts nothing.
//
// Variables: COMPOUNDS (1000), FIRMS (100), ROUNDS (3).

import { performance } from 'node:perf_hooks';
import { startModule } from '@honglian/testkit';
import { propertyEvaluationModule } from '@honglian/property-evaluation';

const COMPOUNDS = Number(process.env.COMPOUNDS ?? 1000);
const FIRMS = Number(process.env.FIRMS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const C = '331003';
const admin = { subject: 'bench', username: 'bench', roles: ['county-admin'], county: C };

const ROLES = {
  community: { env: 25, facilities: 25, safety: 32 },
  branch: { 'party-building': 39, cooperation: 39 },
  committee: { contract: 38, transparency: 37 },
  street: { 'street-safety': 40, 'street-order': 40 },
  self: { 'self-overall': 90 },
};

const h = await startModule(propertyEvaluationModule, { now: '2026-07-02T09:00:00+08:00', start: true });
try {
  const { ctx, cycles } = h.service;
  const m = ctx.data.models;
  const orgs = [];
  const contracts = [];
  const at = '2026-01-01T00:00:00.000Z';
  for (let f = 0; f < FIRMS; f++)
    orgs.push({
      _id: `firm-${f}`,
      county: C,
      kind: 'property-firm',
      name: `物业${f}`,
      parentId: C,
      path: `/331000/${C}/firm-${f}`,
      code: null,
      closedOn: null,
      effectiveFrom: '2024-01-01',
      eventTime: at,
    });
  for (let i = 0; i < COMPOUNDS; i++) {
    orgs.push({
      _id: `cp-${i}`,
      county: C,
      kind: 'compound',
      name: `小区${i}`,
      parentId: 'cm',
      path: `/331000/${C}/cm/cp-${i}`,
      code: null,
      closedOn: null,
      effectiveFrom: '2024-01-01',
      eventTime: at,
    });
    contracts.push({
      _id: `ct-${i}`,
      county: C,
      firmId: `firm-${i % FIRMS}`,
      compoundId: `cp-${i}`,
      validFrom: '2024-01-01',
      validTo: null,
      endedOn: null,
    });
  }
  await m.Org.insertMany(orgs);
  await m.Contract.insertMany(contracts);

  const cycle = await cycles.create(admin, { period: '2026-H1' });
  const households = Array.from({ length: COMPOUNDS }, (_, i) => ({
    compoundId: `cp-${i}`,
    households: 200 + (i % 1800),
  }));
  for (let i = 0; i < households.length; i += 1000)
    await cycles.setHouseholds(admin, cycle._id, households.slice(i, i + 1000));
  await cycles.start(admin, cycle._id);
  const now = new Date();
  const subs = [];
  for (let i = 0; i < COMPOUNDS; i++) {
    const base = {
      county: C,
      cycleId: cycle._id,
      firmId: `firm-${i % FIRMS}`,
      compoundId: `cp-${i}`,
      compoundPath: `/331000/${C}/cm/cp-${i}`,
      vetoes: [],
      bonuses: [],
      evidence: [],
      comment: '',
      revision: 1,
      submittedBy: 'bench',
      submittedAt: now,
      updatedAt: now,
      revisions: [],
    };
    for (const [role, scores] of Object.entries(ROLES))
      subs.push({ ...base, _id: `sub-${i}-${role}`, raterRole: role, scores, survey: null });
    subs.push({
      ...base,
      _id: `sub-${i}-residents`,
      raterRole: 'residents',
      scores: {},
      survey: { respondents: 100, satisfied: 68 },
    });
  }
  for (let i = 0; i < subs.length; i += 2000) await m.Submission.insertMany(subs.slice(i, i + 2000));

  const time = async (label, fn) => {
    const ms = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(48)} median ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms  (min ${ms[0].toFixed(0)}, max ${ms.at(-1).toFixed(0)})`,
    );
  };
  console.log(
    `${COMPOUNDS} compounds × 6 roles = ${subs.length} submissions, ${FIRMS} firms, ${ROUNDS} rounds`,
  );
  await time('plain read of the cycle’s submissions', () => ctx.data.submissions.ofCycle(cycle._id));
  await time('compute the cycle (read, score, write results)', () => cycles.compute(admin, cycle._id));
  const scored = (await ctx.data.results.ofCycle(cycle._id)).filter((r) => r.firm.score !== null).length;
  console.log(`results: ${FIRMS} firms, ${scored} scored`);
} finally {
  await h.close();
}
