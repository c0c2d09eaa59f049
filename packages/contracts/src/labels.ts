/** A code with its user-facing labels. Codes are stable; labels are for people. */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

export type LabelTable<C extends string> = { readonly [K in C]: Label };

/** Builds a tuple of codes from a label table so zod enums and labels never drift apart. */
export function codesOf<C extends string>(table: LabelTable<C>): [C, ...C[]] {
  return Object.keys(table) as [C, ...C[]];
}

/** Label of a code in the wanted language, falling back to the code itself. */
export function labelOf<C extends string>(table: LabelTable<C>, code: C, lang: 'zh' | 'en' = 'zh'): string {
  return table[code]?.[lang] ?? code;
}
