import type { Rating } from './ratings.js';

export interface ReplayLine {
  subjectId: string;
  level: Rating['level'];
  name: string;
  from: { score: number; colour: Rating['result']['colour']; ruleVersion: string } | null;
  to: { score: number; colour: Rating['result']['colour']; ruleVersion: string };
  colourChanged: boolean;
  scoreChange: number;
}

/** What a new rule version would change, subject by subject (changed ones first, then by id). */
export function replayDiff(current: Rating[], proposed: Rating[]): ReplayLine[] {
  const held = new Map(current.map((r) => [r.subjectId, r]));
  return proposed
    .map((p) => {
      const c = held.get(p.subjectId) ?? null;
      const from = c ? { score: c.result.score, colour: c.result.colour, ruleVersion: c.ruleVersion } : null;
      return {
        subjectId: p.subjectId,
        level: p.level,
        name: p.name,
        from,
        to: { score: p.result.score, colour: p.result.colour, ruleVersion: p.ruleVersion },
        colourChanged: from?.colour !== p.result.colour,
        scoreChange: Math.round((p.result.score - (from?.score ?? 0)) * 100) / 100,
      };
    })
    .sort(
      (a, b) => Number(b.colourChanged) - Number(a.colourChanged) || a.subjectId.localeCompare(b.subjectId),
    );
}
