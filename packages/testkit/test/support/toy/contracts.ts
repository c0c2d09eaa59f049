import { defineEvent } from '@honglian/contracts';
import { z } from 'zod';

/** Facts of an upstream toy registry: the boards notes are pinned to. */
export const BoardOpened = defineEvent(
  'honglian.toy-registry.board.opened.v1',
  z.object({ boardId: z.string(), county: z.string(), name: z.string() }),
);
export const BoardClosed = defineEvent(
  'honglian.toy-registry.board.closed.v1',
  z.object({ boardId: z.string(), county: z.string() }),
);

/** What the toy notes service tells others. */
export const NotePosted = defineEvent(
  'honglian.toy-notes.note.posted.v1',
  z.object({
    noteId: z.string(),
    boardId: z.string(),
    county: z.string(),
    title: z.string(),
    postedBy: z.string(),
  }),
);
