import mongoose from 'mongoose';
import request from 'supertest';
import { connectTestDatabase } from '@honglian/embedded-mongo';
import { InProcessEventBus } from '@honglian/messaging';
import { FixedClock, createLogger } from '@honglian/service-kit';
import { TEST_USERS, bearer, publishedEvents, startTestIssuer, type TestUser } from '@honglian/testkit';
import {
  MemberRegistered,
  OrgCreated,
  PairingCreated,
  TOPICS,
  createEvent,
  type CloudEvent,
} from '@honglian/contracts';
import { createService } from '../src/index.js';

export const QR_SECRET = Buffer.alloc(32, 9);
export const START = '2026-01-05T09:00:00+08:00';

/** The member-checkin service on a fresh database, a real token issuer, the in-process bus and a fixed clock. */
export async function startCheckin(
  opts: Pick<
    Parameters<typeof createService>[0],
    'rules' | 'timers' | 'scanBatchSize' | 'scanIntervalMs'
  > = {},
) {
  const db = await connectTestDatabase();
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const bus = new InProcessEventBus();
  const issuer = await startTestIssuer();
  const clock = new FixedClock(START);
  const service = createService({
    logger: createLogger({ name: 'member-checkin-test', level: 'silent' }),
    clock,
    auth: issuer.authenticator(),
    db: conn,
    bus,
    qrSecret: QR_SECRET,
    scanIntervalMs: 0,
    ...opts,
  });
  await service.start();
  await bus.start();
  const tokens = new Map<string, string>();
  const as = async (user: TestUser) => {
    const key = JSON.stringify(user);
    // Long-lived tokens: the fixed clock moves months, the issuer's clock does not.
    if (!tokens.has(key)) tokens.set(key, await issuer.token(user, { expiresIn: 3600 }));
    return bearer(tokens.get(key)!);
  };
  const base = '/api/v1/checkin';
  /** Every JSON response, newest last (tests of refusals check their shape). */
  const responses: request.Response[] = [];
  const seen = (res: request.Response) => {
    responses.push(res);
    return res;
  };
  const http = {
    get: async (path: string, user: TestUser) =>
      seen(
        await request(service.app)
          .get(base + path)
          .set(await as(user)),
      ),
    post: async (path: string, user: TestUser, body?: object) =>
      seen(
        await request(service.app)
          .post(base + path)
          .set(await as(user))
          .send(body ?? {}),
      ),
    /** A binary download (XLSX) as a Buffer. */
    binary: async (path: string, user: TestUser) =>
      request(service.app)
        .get(base + path)
        .set(await as(user))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        }),
    put: async (path: string, user: TestUser, body: object) =>
      seen(
        await request(service.app)
          .put(base + path)
          .set(await as(user))
          .send(body),
      ),
  };

  /** Publishes org-registry facts on the bus and waits until the read model has them. */
  const publishRegistry = async (...events: CloudEvent[]) => {
    for (const e of events) await bus.publish(TOPICS.orgRegistry, e);
    await bus.whenIdle();
  };

  /** Events this service published, once the outbox relay caught up. */
  const events = () => publishedEvents(conn, bus, TOPICS.memberCheckin);

  return {
    service,
    issuer,
    conn,
    bus,
    clock,
    http,
    responses,
    publishRegistry,
    events,
    async close() {
      await service.stop();
      await bus.stop();
      await conn.close();
      await db.stop();
      await issuer.close();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startCheckin>>;

export { expectValidEvents } from '@honglian/testkit';

/* ---------- the fixture world, as org-registry events ---------- */

const REG = '/honglian/org-registry';
const t0 = new Date('2026-01-01T08:00:00+08:00');

export const ids = {
  city: '331000',
  county: '331003',
  street: '331003-street-01',
  /** Community X: where Li lives (the demo community). */
  X: '331003-community-01',
  /** Community Y: paired with Li's work unit. */
  Y: '331003-community-02',
  gridX3: '331003-community-01-grid-03',
  compound: '331003-compound-01',
  unit: 'hy-housing-bureau',
  unitParty: 'hy-housing-bureau-party',
  pairing: 'pairing-bureau-y',
  li: '331003-member-01',
  wang: '331003-member-02',
  evil: '331003-member-03',
} as const;

const P = {
  city: '/331000',
  county: '/331000/331003',
  street: '/331000/331003/331003-street-01',
  X: '/331000/331003/331003-street-01/331003-community-01',
  Y: '/331000/331003/331003-street-01/331003-community-02',
};

export function org(
  orgId: string,
  kind: string,
  name: string,
  parentId: string | null,
  path: string,
  county = '331003',
  over: { id?: string; time?: Date; effectiveFrom?: string; type?: string; changed?: string[] } = {},
): CloudEvent {
  return createEvent({
    type: over.type ?? OrgCreated.type,
    source: REG,
    subject: orgId,
    county,
    time: over.time ?? t0,
    ...(over.id ? { id: over.id } : {}),
    data: {
      orgId,
      county,
      kind,
      name,
      parentId,
      path,
      effectiveFrom: over.effectiveFrom ?? '2026-01-01',
      ...(over.changed ? { changed: over.changed } : {}),
    },
  });
}

export function member(
  memberId: string,
  name: string,
  over: Partial<{
    workUnitId: string | null;
    residenceCompoundId: string | null;
    residenceCommunityId: string | null;
  }> = {},
  opts: { id?: string; time?: Date; type?: string; effectiveFrom?: string; changed?: string[] } = {},
): CloudEvent {
  return createEvent({
    type: opts.type ?? MemberRegistered.type,
    source: REG,
    subject: memberId,
    county: '331003',
    time: opts.time ?? t0,
    ...(opts.id ? { id: opts.id } : {}),
    data: {
      memberId,
      county: '331003',
      name,
      category: 'in-service',
      status: 'active',
      partyOrgId: ids.unitParty,
      workUnitId: ids.unit,
      residenceCompoundId: ids.compound,
      residenceBuildingId: null,
      residenceCommunityId: ids.X,
      effectiveFrom: opts.effectiveFrom ?? '2026-01-01',
      ...over,
      ...(opts.changed ? { changed: opts.changed } : {}),
    },
  });
}

/** 黄岩区: street, communities X and Y, grid X-3, the compound in X, the housing bureau paired with Y, and its members. */
export function fixtureEvents(): CloudEvent[] {
  return [
    org(ids.city, 'city', '台州市', null, P.city, '331000'),
    org(ids.county, 'county', '黄岩区', ids.city, P.county),
    org(ids.street, 'street', '东城街道', ids.county, P.street),
    org(ids.X, 'community', '双江社区', ids.street, P.X),
    org(ids.Y, 'community', '天长社区', ids.street, P.Y),
    org(ids.gridX3, 'grid', '双江三网格', ids.X, `${P.X}/${ids.gridX3}`),
    org(ids.compound, 'compound', '锦江花园', ids.X, `${P.X}/${ids.compound}`),
    org(ids.unit, 'agency-unit', '黄岩区住房和城乡建设局', ids.county, `${P.county}/${ids.unit}`),
    org(
      ids.unitParty,
      'agency-party-organisation',
      '区住建局机关党支部',
      ids.unit,
      `${P.county}/${ids.unit}/${ids.unitParty}`,
    ),
    createEvent({
      type: PairingCreated.type,
      source: REG,
      subject: ids.pairing,
      county: '331003',
      time: t0,
      data: {
        pairingId: ids.pairing,
        county: '331003',
        agencyOrgId: ids.unitParty,
        agencyUnitId: ids.unit,
        targetId: ids.Y,
        targetKind: 'community',
        validFrom: '2026-01-01',
        validTo: null,
        needs: [],
        resources: [],
        projects: [],
      },
    }),
    member(ids.li, '李红'),
    member(ids.wang, '王刚'),
    member(ids.evil, '=HYPERLINK("http://evil.example","点我")'),
  ];
}

/** Callers: staff of X and of Y, Li herself, admins of two counties, the city. */
export const users = {
  ...TEST_USERS,
  staffX: { username: 'staff-x', roles: ['community-staff'], county: '331003', orgPath: P.X },
  staffY: { username: 'staff-y', roles: ['community-staff'], county: '331003', orgPath: P.Y },
  streetStaff: { username: 'staff-street', roles: ['community-staff'], county: '331003', orgPath: P.street },
  li: { username: 'member-331003', roles: ['member'], county: '331003', memberId: ids.li },
  wang: { username: 'wang', roles: ['member'], county: '331003', memberId: ids.wang },
} satisfies Record<string, TestUser>;
