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

  describe('multiline', () => {
    const description = plainText(200, 0, { multiline: true });

    it('keeps line feeds and normalises CRLF and CR to LF', () => {
      expect(description.parse('第一行\n第二行')).toBe('第一行\n第二行');
      expect(description.parse(' a\r\nb\rc \r\n')).toBe('a\nb\nc');
      // A list in a description: only the start of the value is a spreadsheet cell's start.
      expect(description.parse('须知：\n- 带好工具\n- 准时到场')).toBe('须知：\n- 带好工具\n- 准时到场');
    });

    it.each([
      ['NUL', 'a\n\u0000b'],
      ['tab', 'a\n\tb'],
      ['vertical tab', 'a\u000bb'],
      ['C1 next-line', 'a\u0085b'],
      ['right-to-left override', 'a\n\u202Eb'],
      ['a formula on the first line', '=1+1\nok'],
    ])('still refuses %s', (_what, value) => {
      expect(description.safeParse(value).success).toBe(false);
    });

    it('is not the default', () => {
      expect(plainText(200).safeParse('a\nb').success).toBe(false);
    });
  });
});
