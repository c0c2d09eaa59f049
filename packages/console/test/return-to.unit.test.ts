import { returnToOf } from '../src/auth/return-to';

describe('where the console goes back to after signing in', () => {
  it('keeps a path of this console, with its query and fragment', () => {
    expect(returnToOf('/m/check-in?activity=a&token=t')).toBe('/m/check-in?activity=a&token=t');
    expect(returnToOf('/')).toBe('/');
    expect(returnToOf('/orgs#x')).toBe('/orgs#x');
  });

  it('never another origin, nor anything but a path', () => {
    for (const bad of [
      '//evil.example/x',
      '/\\evil.example/x',
      'https://evil.example/',
      'orgs',
      '',
      undefined,
      42,
    ])
      expect([bad, returnToOf(bad)]).toEqual([bad, '/']);
  });
});
