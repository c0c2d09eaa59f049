/**
 * Why something was refused, readable by people: zh-CN for users, English for
 * logs and integrators. Problem bodies carry it as `reason`, import reports per
 * row, domain refusals as their `reason`.
 */
export interface Reason {
  readonly zh: string;
  readonly en: string;
}

export function reason(zh: string, en: string): Reason {
  return { zh, en };
}
