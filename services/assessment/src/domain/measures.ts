import type { Fact } from './facts.js';
import type { RuleSet } from './rules.js';
import { add, type Measures } from './scoring.js';

const GOOD_BANDS = new Set(['AAA', 'AA', 'A']);
const POOR_BANDS = new Set(['C', 'blacklist']);

/**
 * 报而不到 flags of one report, paired with their clears whatever order they arrived in: a flag
 * is cleared by the first clear at or after it and before the next flag.
 */
function pairFlags(flags: Fact[], clears: Fact[]): { flag: Fact; clear: Fact | null }[] {
  const sortedFlags = [...flags].sort((a, b) => a.at.localeCompare(b.at));
  const sortedClears = [...clears].sort((a, b) => a.at.localeCompare(b.at));
  return sortedFlags.map((flag, i) => {
    const next = sortedFlags[i + 1]?.at ?? '\uffff';
    const clear = sortedClears.find((c) => c.at >= flag.at && c.at < next) ?? null;
    return { flag, clear };
  });
}

function noShows(facts: Fact[], measures: Measures, openOnly: boolean): void {
  const byReport = new Map<string, { flags: Fact[]; clears: Fact[] }>();
  for (const f of facts) {
    if (f.kind !== 'noshow-flag' && f.kind !== 'noshow-clear') continue;
    const r = byReport.get(f.ref ?? '') ?? { flags: [], clears: [] };
    (f.kind === 'noshow-flag' ? r.flags : r.clears).push(f);
    byReport.set(f.ref ?? '', r);
  }
  for (const { flags, clears } of byReport.values()) {
    for (const { flag, clear } of pairFlags(flags, clears)) {
      if (!clear) add(measures, 'noshow-open', 1, flag.eventId);
      else if (!openOnly) {
        add(measures, 'noshow-cleared', 1, flag.eventId);
        add(measures, 'noshow-cleared', 0, clear.eventId);
      }
    }
  }
}

/**
 * A member's measures folded one fact at a time (a rebuild streams millions of facts without
 * keeping them): each fact adds to its measure at once; only 报而不到 flags and clears are kept,
 * to be paired when the fold ends.
 */
export class MemberFold {
  private readonly m: Measures = {};
  private readonly noShowFacts: Fact[] = [];

  constructor(private readonly rules: RuleSet) {}

  add(f: Fact): void {
    const m = this.m;
    switch (f.kind) {
      case 'attendance':
        add(m, 'attendance-hours', f.value, f.eventId);
        add(m, 'attendances', 1, f.eventId);
        break;
      case 'order-done':
        add(m, 'orders-done', 1, f.eventId);
        break;
      case 'order-rated':
        if (f.value === 5) add(m, 'orders-rated-5', 1, f.eventId);
        break;
      case 'points':
        add(m, 'points', f.value, f.eventId);
        break;
      case 'call-response':
        add(m, f.value <= this.rules.callFastSeconds ? 'calls-fast' : 'calls-slow', 1, f.eventId);
        break;
      case 'manual':
        if (f.ref === 'manual-bonus' || f.ref === 'manual-deduction' || f.ref === 'absent-no-dues')
          add(m, f.ref, f.ref === 'absent-no-dues' ? 1 : f.value, f.eventId);
        break;
      case 'noshow-flag':
      case 'noshow-clear':
        this.noShowFacts.push(f);
        break;
      default:
        break;
    }
  }

  /** The measures; `reported`: the member ever had an active report. */
  measures(reported: boolean): Measures {
    noShows(this.noShowFacts, this.m, false);
    if (!reported) this.m['never-reported'] = { units: 1, events: [] };
    return this.m;
  }
}

/** A member's measures from their facts of the period; `reported`: ever had an active report. */
export function memberMeasures(facts: Fact[], reported: boolean, rules: RuleSet): Measures {
  const fold = new MemberFold(rules);
  for (const f of facts) fold.add(f);
  return fold.measures(reported);
}

/** Latest version per firm and cycle (a revision replaces what it revises). */
export function latestEvaluations(facts: Fact[]): Fact[] {
  const latest = new Map<string, Fact>();
  for (const f of facts) {
    if (f.kind !== 'evaluation') continue;
    const key = f._id.replace(/:v\d+$/, '');
    const held = latest.get(key);
    if (!held || f.version > held.version) latest.set(key, f);
  }
  return [...latest.values()];
}

/**
 * A community's measures: its facts of the period, the published results of the firms serving
 * its compounds, and its members' scores (roll-up member → community).
 */
export function communityMeasures(
  facts: Fact[],
  evaluations: Fact[],
  members: { ratingId: string; score: number; colour: string }[],
  rules: RuleSet,
): Measures {
  const m: Measures = {};
  const cancelled = new Set(facts.filter((f) => f.kind === 'activity-cancelled').map((f) => f.ref));
  for (const f of facts) {
    if (f.kind === 'activity' && !cancelled.has(f.ref)) add(m, 'activities-held', 1, f.eventId);
    if (f.kind === 'attendance') add(m, 'member-hours', f.value, f.eventId);
    if (f.kind === 'order-done') add(m, 'orders-done', 1, f.eventId);
    if (f.kind === 'call-response' && f.value <= rules.callFastSeconds) add(m, 'calls-fast', 1, f.eventId);
  }
  noShows(facts, m, true);
  for (const e of latestEvaluations(evaluations)) {
    if (e.note && GOOD_BANDS.has(e.note)) add(m, 'property-good', 1, e.eventId);
    if (e.note && POOR_BANDS.has(e.note)) add(m, 'property-poor', 1, e.eventId);
  }
  if (members.length > 0) {
    const avg = members.reduce((s, x) => s + x.score, 0) / members.length;
    if (avg > 60) m['members-above-60'] = { units: avg - 60, events: members.map((x) => x.ratingId) };
    for (const x of members) if (x.colour === 'grey') add(m, 'members-grey', 1, x.ratingId);
  }
  return m;
}

/** A street's measures from its communities' ratings (roll-up community → street). */
export function streetMeasures(communities: { ratingId: string; score: number; colour: string }[]): Measures {
  const m: Measures = {};
  for (const c of communities) {
    if (c.colour === 'red') add(m, 'communities-red', 1, c.ratingId);
    if (c.colour === 'grey') add(m, 'communities-grey', 1, c.ratingId);
  }
  if (communities.length > 0) {
    const avg = communities.reduce((s, x) => s + x.score, 0) / communities.length;
    if (avg > 60) m['communities-above-60'] = { units: avg - 60, events: communities.map((x) => x.ratingId) };
  }
  return m;
}
