// Pure rules: no database, no bus, no express; only the kit's domain subpath and the contracts.
import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import { NotePosted } from './contracts.js';

export interface Board {
  _id: string;
  county: string;
  name: string;
  open: boolean;
  noteCount: number;
}

export interface Note {
  _id: string;
  boardId: string;
  county: string;
  title: string;
  postedBy: string;
  postedAt: Date;
}

export interface PostNote {
  noteId: string;
  boardId: string;
  title: string;
  by: string;
  at: Date;
}

/** Decides a post from the board (null when unknown or outside the caller's scope) and the titles on it. */
export function decidePost(
  cmd: PostNote,
  state: { board: Board | null; titles: readonly string[]; maxTitle: number },
): Decision<{ note: Note }> {
  const { board } = state;
  if (!board) return refuse.notFound();
  if (!board.open) return refuse.gone('公告栏已关闭', 'the board is closed');
  if (/^\d+$/.test(cmd.title) || cmd.title.length > state.maxTitle) {
    return refuse.invalid(
      '标题须为文字且不超过限长',
      `a title is text of at most ${state.maxTitle} characters`,
      {
        field: 'title',
      },
    );
  }
  if (state.titles.includes(cmd.title)) {
    return refuse.conflict('同名公告已存在', 'a note with this title is already on the board', {
      extras: { existingTitle: cmd.title },
    });
  }
  const note: Note = {
    _id: cmd.noteId,
    boardId: board._id,
    county: board.county,
    title: cmd.title,
    postedBy: cmd.by,
    postedAt: cmd.at,
  };
  return accept({ note }, [
    draftEvent(NotePosted, {
      subject: note._id,
      county: note.county,
      data: {
        noteId: note._id,
        boardId: note.boardId,
        county: note.county,
        title: note.title,
        postedBy: cmd.by,
      },
    }),
  ]);
}
