import { createHmac, randomBytes } from 'node:crypto';
import type { ImportKind, Reason, RowError } from './types.js';

/** A value that must not repeat within one file. */
export interface DuplicateKey {
  /** The column a duplicate is reported on (zh header). */
  column: string;
  /** Fields whose values together make the key; a row missing any of them is not checked. */
  fields: readonly string[];
  /** Check only rows where this field is empty (a natural key standing in for a missing code). */
  unless?: string;
  /** What is duplicated, for the reason text. */
  what: Reason;
}

export const DUPLICATE_KEYS: Record<ImportKind, readonly DuplicateKey[]> = {
  orgs: [{ column: '编码', fields: ['id'], what: { zh: '编码', en: 'code' } }],
  firms: [
    { column: '编码', fields: ['id'], what: { zh: '编码', en: 'code' } },
    {
      column: '统一社会信用代码',
      fields: ['creditCode'],
      what: { zh: '统一社会信用代码', en: 'unified social credit code' },
    },
  ],
  contracts: [
    { column: '合同编号', fields: ['id'], what: { zh: '合同编号', en: 'contract number' } },
    {
      column: '小区编码',
      fields: ['firmId', 'compoundId', 'validFrom'],
      unless: 'id',
      what: { zh: '物业企业、小区和开始日期', en: 'firm, compound and start date' },
    },
  ],
  pairings: [
    { column: '结对编号', fields: ['id'], what: { zh: '结对编号', en: 'pairing number' } },
    {
      column: '结对社区或小区编码',
      fields: ['agencyOrgId', 'targetId', 'validFrom'],
      unless: 'id',
      what: {
        zh: '单位党组织、结对对象和开始日期',
        en: 'agency party organisation, paired unit and start date',
      },
    },
  ],
  members: [
    { column: '党员编号', fields: ['id'], what: { zh: '党员编号', en: 'member code' } },
    { column: '身份证号', fields: ['idNumber'], what: { zh: '身份证号', en: 'ID number' } },
  ],
};

/**
 * In-file duplicate detection for files of any length: remembers, per key, a
 * keyed hash (HMAC with a secret that lives only as long as the tracker) and
 * the first row that had it — about 100 bytes a row, and never the value
 * itself, so ID numbers are not kept in memory nor recoverable from it.
 */
export class DuplicateTracker {
  private readonly secret = randomBytes(32);
  private readonly firstRows = new Map<string, number>();

  constructor(private readonly keys: readonly DuplicateKey[]) {}

  static forKind(kind: ImportKind): DuplicateTracker {
    return new DuplicateTracker(DUPLICATE_KEYS[kind]);
  }

  /** Keys remembered so far. */
  get size(): number {
    return this.firstRows.size;
  }

  /**
   * Records a row's keys. Returns, for each key an earlier row already had,
   * an error on the key's column naming that first row. Columns in `skip`
   * (already reported as invalid) are not checked.
   */
  check(row: number, values: Readonly<Record<string, unknown>>, skip?: ReadonlySet<string>): RowError[] {
    const errors: RowError[] = [];
    this.keys.forEach((key, index) => {
      if (skip?.has(key.column)) return;
      if (key.unless !== undefined && !isBlank(values[key.unless])) return;
      const parts = key.fields.map((f) => values[f]);
      if (parts.some(isBlank)) return;
      const first = this.seen(index, parts.map(String), row);
      if (first !== undefined) {
        errors.push({
          row,
          column: key.column,
          reason: {
            zh: `${key.what.zh}与第${first}行重复`,
            en: `same ${key.what.en} as row ${first}`,
          },
        });
      }
    });
    return errors;
  }

  /** The first row that had this key, or undefined (and the key is recorded for `row`). */
  seen(keyIndex: number, parts: readonly string[], row: number): number | undefined {
    const digest = createHmac('sha256', this.secret)
      .update(`${keyIndex}\u0000${parts.join('\u0000')}`)
      .digest()
      .subarray(0, 15)
      .toString('base64');
    const first = this.firstRows.get(digest);
    if (first === undefined) this.firstRows.set(digest, row);
    return first;
  }
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}
