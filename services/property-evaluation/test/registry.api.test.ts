import { ContractEnded, OrgChanged, TOPICS, createEvent } from '@honglian/contracts';
import { P, startEvaluation, users, type Harness } from './support.js';

const REG = '/honglian/org-registry';

/** The read model learns firms, compounds and contracts from org-registry events alone, idempotently. */
describe('the registry read model', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEvaluation();
  });
  afterAll(() => h.close());

  const firm = (name: string, effectiveFrom: string, id?: string) =>
    createEvent({
      type: OrgChanged.type,
      source: REG,
      subject: 'firm-p',
      county: '331003',
      time: new Date('2026-02-01T00:00:00Z'),
      ...(id ? { id } : {}),
      data: {
        orgId: 'firm-p',
        county: '331003',
        kind: 'property-firm',
        name,
        parentId: '331003',
        path: P.firmP,
        code: '91331003MA0000001X',
        effectiveFrom,
        changed: ['name'],
      },
    });

  it('applies a newer change, ignores an older one and a duplicate delivery', async () => {
    await h.publishTo(
      TOPICS.orgRegistry,
      firm('P物业（更名）', '2026-02-01', '00000000-0000-4000-8000-000000000001'),
    );
    await h.publishTo(TOPICS.orgRegistry, firm('P物业（旧名）', '2025-01-01'));
    await h.publishTo(
      TOPICS.orgRegistry,
      firm('P物业（重复）', '2026-02-01', '00000000-0000-4000-8000-000000000001'),
    );
    const org = await h.service.ctx.data.readModel.org('firm-p');
    expect(org).toMatchObject({ name: 'P物业（更名）', code: '91331003MA0000001X' });
  });

  it('an ended contract no longer ties the firm to the compound in a later period', async () => {
    await h.publishTo(
      TOPICS.orgRegistry,
      createEvent({
        type: ContractEnded.type,
        source: REG,
        subject: 'ct-2',
        county: '331003',
        time: new Date('2026-01-01T00:00:00Z'),
        data: {
          contractId: 'ct-2',
          county: '331003',
          firmId: 'firm-r',
          compoundId: 'cp-2',
          validFrom: '2024-01-01',
          validTo: null,
          endedOn: '2026-01-01',
        },
      }),
    );
    const body = {
      firmId: 'firm-r',
      compoundId: 'cp-2',
      raterRole: 'community',
      scores: { env: 1, facilities: 1, safety: 1 },
    };
    for (const [period, status] of [
      ['2026-H1', 422],
      ['2025-H2', 201],
    ] as const) {
      const cycle = await h.http.post('/cycles', users.admin, { period });
      await h.http.post(`/cycles/${cycle.body.id}/start`, users.admin);
      expect((await h.http.post(`/cycles/${cycle.body.id}/submissions`, users.staff, body)).status).toBe(
        status,
      );
    }
  });
});
