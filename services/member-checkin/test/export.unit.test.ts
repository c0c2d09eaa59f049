import { csvSafeCell } from '@honglian/service-kit/tables';

describe('CSV cells', () => {
  it('neutralise formulas, keep numbers', () => {
    expect(csvSafeCell('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    for (const c of ['+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvSafeCell(c).startsWith("'")).toBe(true);
    expect(csvSafeCell(-3)).toBe('-3');
    expect(csvSafeCell('李红')).toBe('李红');
    expect(csvSafeCell(null)).toBe('');
  });
});
