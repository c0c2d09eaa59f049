import { createEvent, type TypedEvent } from '@honglian/contracts';
import request from 'supertest';
import {
  TEST_USERS,
  describeModuleBasics,
  expectValidEvents,
  startModule,
  type ModuleHarness,
} from '../src/index.js';
import { BoardClosed, BoardOpened, NotePosted } from './support/toy/contracts.js';
import { toyNotes } from './support/toy/module.js';

const admin = TEST_USERS.countyAdmin331003;
const registry = (type: string, boardId: string, county = '331003', name = '东城公告栏') =>
  createEvent({
    type,
    source: '/honglian/toy-registry',
    subject: boardId,
    county,
    data: type === BoardOpened.type ? { boardId, county, name } : { boardId, county },
  });

describeModuleBasics(toyNotes);

describe('a toy module served by the harness', () => {
  let h: ModuleHarness<typeof toyNotes>;

  beforeEach(async () => {
    h = await startModule(toyNotes);
    // Upstream facts arrive on the bus, as another service's events would.
    await h.publish(registry(BoardOpened.type, 'b-1'), registry(BoardOpened.type, 'b-2', '331002'));
  });
  afterEach(async () => h.close());

  it('serves its routes with the test issuer’s tokens and the module’s settings', async () => {
    expect(h.settings).toEqual({ maxTitle: 40 });
    const res = await h.http.post('/boards/b-1/notes', admin, { title: '停水通知' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      boardId: 'b-1',
      county: '331003',
      title: '停水通知',
      postedBy: admin.username,
    });
    expect(res.body.postedAt).toBe(h.clock.now().toISOString());
    expect((await h.http.post('/boards/b-1/notes', null, { title: 'x' })).status).toBe(401);
    expect((await h.http.post('/boards/b-1/notes', admin, { text: 'x' })).status).toBe(400);
    expect((await h.http.post('/boards/b-1/notes', TEST_USERS.member331003, { title: 'x' })).status).toBe(
      403,
    );
  });

  it('maps the domain’s refusals to 404, 409, 410 and 422 problem+json with {zh,en} reasons', async () => {
    await h.http.post('/boards/b-1/notes', admin, { title: '停水通知' });

    const duplicate = await h.http.post('/boards/b-1/notes', admin, { title: '停水通知' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(duplicate.body).toMatchObject({
      status: 409,
      // Chinese unless the client prefers English (Accept-Language)
      detail: '同名公告已存在',
      reason: { zh: '同名公告已存在', en: 'a note with this title is already on the board' },
      existingTitle: '停水通知',
    });

    const invalid = await h.http.post('/boards/b-1/notes', admin, { title: '2026' });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ field: 'title', reason: { zh: expect.stringMatching(/标题/) } });

    // Another county's board and a board that does not exist answer alike.
    const foreign = await h.http.post('/boards/b-2/notes', admin, { title: '通知' });
    const missing = await h.http.post('/boards/b-9/notes', admin, { title: '通知' });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect({ ...foreign.body, instance: undefined }).toEqual({ ...missing.body, instance: undefined });

    await h.publish(registry(BoardClosed.type, 'b-1'));
    expect((await h.http.post('/boards/b-1/notes', admin, { title: '新通知' })).status).toBe(410);
    expect(h.responses.map((r) => r.status)).toEqual([201, 409, 422, 404, 404, 410]);
  });

  it('emits through the outbox and consumes its events with on(Event, handler) maps, once each', async () => {
    const posted = await h.http.post('/boards/b-1/notes', admin, { title: '停水通知' });
    const events = await h.events();
    expectValidEvents(events);
    expect(events).toHaveLength(1);
    const event = events[0] as TypedEvent<typeof NotePosted>;
    expect(event).toMatchObject({
      type: NotePosted.type,
      source: '/honglian/toy-notes',
      subject: posted.body._id,
      county: '331003',
      time: h.clock.now().toISOString(),
      data: { noteId: posted.body._id, boardId: 'b-1', title: '停水通知' },
    });
    await h.settle();
    expect((await h.http.get('/boards/b-1', admin)).body).toMatchObject({ noteCount: 1, open: true });

    // A redelivery of the same event changes nothing (idempotent consumer).
    await h.publish(event as never);
    expect((await h.http.get('/boards/b-1', admin)).body.noteCount).toBe(1);
  });

  it('reports not ready while the relay cannot publish, and catches up once it can', async () => {
    const publish = jest.spyOn(h.bus, 'publish').mockRejectedValue(new Error('broker unreachable'));
    expect((await h.http.post('/boards/b-1/notes', admin, { title: '停电通知' })).status).toBe(201);
    let ready = await request(h.service.app).get('/readyz');
    for (let i = 0; i < 100 && ready.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await request(h.service.app).get('/readyz');
    }
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({
      mongodb: { ok: true },
      bus: { ok: true },
      outbox: { ok: false, detail: expect.stringMatching(/broker unreachable/) },
    });
    publish.mockRestore();
    await h.settle();
    expect((await request(h.service.app).get('/readyz')).status).toBe(200);
    expect((await h.http.get('/boards/b-1', admin)).body.noteCount).toBe(1);
  });
});

describe('harness options', () => {
  it('merges settings over those from the test environment and starts the clock where asked', async () => {
    const h = await startModule(toyNotes, {
      env: { TOY_MAX_TITLE: '20' },
      settings: (s) => ({ maxTitle: s.maxTitle / 4 }),
      now: '2026-01-05T09:00:00+08:00',
    });
    try {
      expect(h.settings).toEqual({ maxTitle: 5 });
      await h.publish(registry(BoardOpened.type, 'b-1'));
      expect((await h.http.post('/boards/b-1/notes', admin, { title: '一二三四五六' })).status).toBe(422);
      const ok = await h.http.post('/boards/b-1/notes', admin, { title: '一二三' });
      expect(ok.body.postedAt).toBe('2026-01-05T01:00:00.000Z');
    } finally {
      await h.close();
    }
  });

  it('can leave the service stopped for tests of start-up', async () => {
    const h = await startModule(toyNotes, { start: false, settings: { maxTitle: 3 } });
    try {
      expect(h.settings.maxTitle).toBe(3);
      expect(h.service.relay!.status().running).toBe(false);
    } finally {
      await h.close();
    }
  });
});
