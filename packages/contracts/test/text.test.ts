import { plainText } from '../src/index.js';

describe('plainText', () => {
  const name = plainText(20);

  it('keeps ordinary Chinese and English text, trimmed', () => {
    expect(name.parse('  红色物业 联盟 ')).toBe('红色物业 联盟');
    expect(name.parse('Building 3-2')).toBe('Building 3-2');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['line break', 'a\r\nb'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['right-to-left override', 'abc\u202Egpj.exe'],
    ['isolate', 'a\u2066b'],
    ['formula =', '=HYPERLINK("x")'],
    ['formula +', '+1'],
    ['formula -', '-2+3'],
    ['formula @', '@SUM(A1)'],
  ])('refuses %s', (_what, value) => {
    expect(name.safeParse(value).success).toBe(false);
  });

  it('bounds the length and refuses blank text', () => {
    expect(name.safeParse('   ').success).toBe(false);
    expect(name.safeParse('x'.repeat(21)).success).toBe(false);
  });
});
