// What an import reports when it applied nothing (a dry run, or a file refused for its errors).

/** A validation's counts as a report of nothing applied: the rows it would create are `planned`. */
export function nothingApplied<E, T extends { created: number; unchanged: number }>(v: {
  rows: number;
  created: number;
  unchanged: number;
  errorCount: number;
  errors: E[];
  sheets: T[];
}) {
  return {
    rows: v.rows,
    created: 0,
    unchanged: v.unchanged,
    planned: { created: v.created, unchanged: v.unchanged },
    errorCount: v.errorCount,
    errors: v.errors,
    sheets: v.sheets.map((t) => ({
      ...t,
      created: 0,
      planned: { created: t.created, unchanged: t.unchanged },
    })),
  };
}
