import { TEST_USERS, startModule, type TestUser } from '@honglian/testkit';
import { ContractStarted, OrgCreated, TOPICS, createEvent, type CloudEvent } from '@honglian/contracts';
import { propertyEvaluationModule, type EvaluationSettings } from '../src/index.js';

export const START = '2026-07-02T09:00:00+08:00';
export const DAY = 86_400_000;

/** The evaluation module served by testkit's `startModule`: a fresh database, real tokens, a fixed clock at START. */
export async function startEvaluation(webhooks: Partial<EvaluationSettings['webhooks']> = {}) {
  const h = await startModule(propertyEvaluationModule, {
    now: START,
    settings: (fromEnv) => ({ ...fromEnv, webhooks: { ...fromEnv.webhooks, intervalMs: 0, ...webhooks } }),
  });
  await h.publishTo(TOPICS.orgRegistry, ...world());
  return h;
}
export type Harness = Awaited<ReturnType<typeof startEvaluation>>;

const REG = '/honglian/org-registry';
const t0 = new Date('2026-01-01T08:00:00+08:00');

export const P = {
  A: '/331000/331003',
  street: '/331000/331003/st-1',
  community: '/331000/331003/st-1/cm-1',
  cp1: '/331000/331003/st-1/cm-1/cp-1',
  cp2: '/331000/331003/st-1/cm-1/cp-2',
  firmP: '/331000/331003/firm-p',
  cp9: '/331000/331002/st-9/cm-9/cp-9',
};
export const CREDIT_P = '91331003MA0000001X';

function org(
  orgId: string,
  kind: string,
  name: string,
  path: string,
  county = '331003',
  code?: string,
): CloudEvent {
  const parts = path.split('/').filter(Boolean);
  return createEvent({
    type: OrgCreated.type,
    source: REG,
    subject: orgId,
    county,
    time: t0,
    data: {
      orgId,
      county,
      kind,
      name,
      parentId: parts.length > 1 ? parts.at(-2)! : null,
      path,
      effectiveFrom: '2024-01-01',
      ...(code ? { code } : {}),
    },
  });
}

function contract(contractId: string, firmId: string, compoundId: string, county = '331003'): CloudEvent {
  return createEvent({
    type: ContractStarted.type,
    source: REG,
    subject: contractId,
    county,
    time: t0,
    data: { contractId, county, firmId, compoundId, validFrom: '2024-01-01', validTo: null },
  });
}

/** Two counties; firm P serves compound 1 (scenario 5), firm R compound 2 (scenario 6), firm Z a compound of 331002. */
export function world(): CloudEvent[] {
  return [
    org('331003', 'county', '黄岩区', P.A),
    org('st-1', 'street', '示范街道', P.street),
    org('cm-1', 'community', '示范社区', P.community),
    org('cp-1', 'compound', '锦绣苑', P.cp1),
    org('cp-2', 'compound', '和合家园', P.cp2),
    org('firm-p', 'property-firm', 'P物业', P.firmP, '331003', CREDIT_P),
    org('firm-r', 'property-firm', 'R物业', '/331000/331003/firm-r', '331003', '91331003MA0000002X'),
    org('cp-9', 'compound', '椒江小区', P.cp9, '331002'),
    org('firm-z', 'property-firm', 'Z物业', '/331000/331002/firm-z', '331002', '91331002MA0000009X'),
    contract('ct-1', 'firm-p', 'cp-1'),
    contract('ct-2', 'firm-r', 'cp-2'),
    contract('ct-9', 'firm-z', 'cp-9', '331002'),
  ];
}

export const users = {
  admin: TEST_USERS.countyAdmin331003,
  otherAdmin: TEST_USERS.countyAdmin331002,
  city: TEST_USERS.cityAdmin,
  staff: { username: 'staff-cm1', roles: ['community-staff'], county: '331003', orgPath: P.community },
  branch: { username: 'branch-cp1', roles: ['compound-committee'], county: '331003', orgPath: P.cp1 },
  firmP: { username: 'firm-p', roles: ['property-firm'], county: '331003', firmId: 'firm-p' },
  firmR: { username: 'firm-r', roles: ['property-firm'], county: '331003', firmId: 'firm-r' },
  /** Staff over the community who also works for firm P: may not rate it. */
  staffOfP: {
    username: 'staff-of-p',
    roles: ['community-staff', 'property-firm'],
    county: '331003',
    orgPath: P.community,
    firmId: 'firm-p',
  },
  consumer: TEST_USERS.apiConsumer,
} satisfies Record<string, TestUser>;

/** Scenario 5's ratings of firm P at compound 1: community 82, branch 78, committee 75, residents 68 %, street 80. */
export const SCENARIO_5: [keyof typeof users, object][] = [
  ['staff', { raterRole: 'community', scores: { env: 25, facilities: 25, safety: 32 } }],
  ['branch', { raterRole: 'branch', scores: { 'party-building': 39, cooperation: 39 } }],
  ['branch', { raterRole: 'committee', scores: { contract: 38, transparency: 37 } }],
  ['staff', { raterRole: 'residents', survey: { respondents: 100, satisfied: 68 } }],
  ['staff', { raterRole: 'street', scores: { 'street-safety': 40, 'street-order': 40 } }],
  [
    'firmP',
    { raterRole: 'self', scores: { 'self-overall': 95 }, evidence: ['https://example.org/self.pdf'] },
  ],
];

/** Opens and starts a 2026-H1 cycle of 331003 with households set; returns its id. */
export async function collectingCycle(h: Harness, period = '2026-H1'): Promise<string> {
  const created = await h.http.post('/cycles', users.admin, { period });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const hh = await h.http.put(`/cycles/${id}/households`, users.admin, {
    compounds: [
      { compoundId: 'cp-1', households: 1800 },
      { compoundId: 'cp-2', households: 600 },
    ],
  });
  expect(hh.status).toBe(200);
  expect((await h.http.post(`/cycles/${id}/start`, users.admin)).status).toBe(200);
  return id;
}

export async function rate(
  h: Harness,
  cycleId: string,
  firmId: string,
  compoundId: string,
  set: [keyof typeof users, object][],
) {
  const out = [];
  for (const [who, body] of set) {
    const res = await h.http.post(`/cycles/${cycleId}/submissions`, users[who], {
      firmId,
      compoundId,
      ...body,
    });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    out.push(res.body);
  }
  return out;
}

/** Firm X, registered in 331002, holds a contract for compound cp-3 of 331003 (the registry allows it). */
export const crossCounty = (): CloudEvent[] => [
  createEvent({
    type: OrgCreated.type,
    source: REG,
    subject: 'cp-3',
    county: '331003',
    time: t0,
    data: {
      orgId: 'cp-3',
      county: '331003',
      kind: 'compound',
      name: '东城小区',
      parentId: 'cm-1',
      path: '/331000/331003/st-1/cm-1/cp-3',
      effectiveFrom: '2024-01-01',
    },
  }),
  createEvent({
    type: OrgCreated.type,
    source: REG,
    subject: 'firm-x',
    county: '331002',
    time: t0,
    data: {
      orgId: 'firm-x',
      county: '331002',
      kind: 'property-firm',
      name: 'X物业',
      parentId: '331002',
      path: '/331000/331002/firm-x',
      effectiveFrom: '2024-01-01',
      code: '91331002MA0000003X',
    },
  }),
  createEvent({
    type: ContractStarted.type,
    source: REG,
    subject: 'ct-3',
    county: '331003',
    time: t0,
    data: {
      contractId: 'ct-3',
      county: '331003',
      firmId: 'firm-x',
      compoundId: 'cp-3',
      validFrom: '2024-01-01',
      validTo: null,
    },
  }),
];
