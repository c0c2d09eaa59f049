import { randomUUID } from 'node:crypto';
import { emitAll, eventHandlers, on, withOutbox } from '@honglian/messaging';
import {
  ServiceConfigSchema,
  accept,
  defineServiceModule,
  orThrow,
  refuse,
  scopeAllows,
  type Clock,
  type Decision,
  type Principal,
} from '@honglian/service-kit';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { BoardClosed, BoardOpened, NotePosted } from './contracts.js';
import { decidePost, type Board, type Note } from './domain.js';

/** What the API answers, documented and (in tests) checked against every answer: one schema per view. */
const NoteView = z.object({
  _id: z.string(),
  boardId: z.string(),
  county: z.string(),
  title: z.string(),
  postedBy: z.string(),
  postedAt: z.iso.datetime(),
});
const BoardView = z.object({
  _id: z.string(),
  county: z.string(),
  name: z.string(),
  open: z.boolean(),
  noteCount: z.number().int(),
});

/** Load → decide → save: the only place that touches the store for a post. */
class NoteService {
  constructor(
    private readonly db: Connection,
    private readonly clock: Clock,
    private readonly maxTitle: number,
  ) {}

  boards() {
    return this.db.collection<Board>('boards');
  }

  notes() {
    return this.db.collection<Note>('notes');
  }

  async post(principal: Principal, boardId: string, title: string): Promise<Note> {
    return withOutbox(this.db, async (session, outbox) => {
      const board = await this.boards().findOne({ _id: boardId }, { session });
      const titles = await this.notes().find({ boardId }, { session }).toArray();
      const { changes, events } = orThrow(
        decidePost(
          {
            noteId: `n-${randomUUID()}`,
            boardId,
            title,
            by: principal.username ?? principal.subject,
            at: this.clock.now(),
          },
          {
            board: board && scopeAllows(principal, board) ? board : null,
            titles: titles.map((n) => n.title),
            maxTitle: this.maxTitle,
          },
        ),
      );
      await this.notes().insertOne(changes.note, { session });
      emitAll(outbox, events, { time: this.clock.now() });
      return changes.note;
    });
  }

  async board(principal: Principal, boardId: string): Promise<Board | null> {
    const board = await this.boards().findOne({ _id: boardId });
    return board && scopeAllows(principal, board) ? board : null;
  }
}

export const toyNotes = defineServiceModule({
  name: 'toy-notes',
  prefix: '/api/v1/toy-notes',
  title: 'Toy notes',
  config: ServiceConfigSchema.extend({ TOY_MAX_TITLE: z.coerce.number().int().positive().default(40) }),
  settings: (config) => ({ maxTitle: config.TOY_MAX_TITLE }),
  outbox: { topic: 'honglian.toy-notes.v1', relay: { pollIntervalMs: 50, backoffMs: 10, maxBackoffMs: 20 } },
  create: ({ db, clock, settings }) => {
    const notes = new NoteService(db, clock, settings.maxTitle);
    return {
      prepare: async () => {
        await notes.notes().createIndex({ boardId: 1, title: 1 });
      },
      routes: (api) => {
        api.route(
          {
            method: 'post',
            path: '/boards/:boardId/notes',
            summary: 'Pin a note to a board',
            roles: ['county-admin', 'city-admin'],
            request: {
              params: z.object({ boardId: z.string() }),
              body: z.strictObject({ title: z.string().min(1) }),
            },
            responses: { 201: { description: 'The note', schema: NoteView } },
          },
          async ({ params, body, principal }) => ({
            status: 201,
            body: await notes.post(principal, params.boardId, body.title),
          }),
        );
        api.route(
          {
            method: 'get',
            path: '/boards/:boardId',
            summary: 'A board and how many notes it has',
            request: { params: z.object({ boardId: z.string() }) },
            responses: { 200: { description: 'The board', schema: BoardView } },
          },
          async ({ params, principal }) => ({
            body: orThrow(found(await notes.board(principal, params.boardId))).changes,
          }),
        );
      },
      consumers: [
        {
          group: 'toy-notes.boards',
          topics: ['honglian.toy-registry.v1'],
          handle: eventHandlers([
            on(BoardOpened, async (event, { session }) => {
              const { boardId, county, name } = event.data;
              await notes
                .boards()
                .updateOne(
                  { _id: boardId },
                  { $set: { county, name, open: true }, $setOnInsert: { noteCount: 0 } },
                  { upsert: true, session },
                );
            }),
            on(BoardClosed, async (event, { session }) => {
              await notes
                .boards()
                .updateOne({ _id: event.data.boardId }, { $set: { open: false } }, { session });
            }),
          ]),
        },
        {
          // Its own events, consumed back: a read model kept from facts, as other services would.
          group: 'toy-notes.counts',
          topics: ['honglian.toy-notes.v1'],
          handle: eventHandlers([
            on(NotePosted, async (event, { session }) => {
              await notes
                .boards()
                .updateOne({ _id: event.data.boardId }, { $inc: { noteCount: 1 } }, { session });
            }),
          ]),
        },
      ],
      expose: { notes },
    };
  },
});

/** A read of one record: found, or the refusal every out-of-scope read gets. */
function found<T>(value: T | null): Decision<T> {
  return value ? accept(value) : refuse.notFound();
}
