import { allowedRedirect, allowedWebOrigin, responseUrl } from '../src/identity/redirects.js';

/** Where the development identity provider may send a browser back to (never an open redirect). */
const PUBLIC = 'https://honglian.example.org';

describe('redirect URIs of the public client', () => {
  it.each([
    'https://honglian.example.org/callback',
    'https://honglian.example.org/',
    'https://honglian.example.org/callback?from=menu',
    'https://HONGLIAN.example.org/callback',
    'http://localhost:5173/callback',
    'http://localhost/callback',
    'http://127.0.0.1:8080/callback',
    'http://[::1]:3000/callback',
  ])('allows %s', (uri) => {
    expect(allowedRedirect(uri, PUBLIC)?.href).toBe(new URL(uri).href);
  });

  it.each([
    undefined,
    '',
    '/callback',
    '//honglian.example.org/callback',
    'http://honglian.example.org/callback',
    'https://honglian.example.org:8443/callback',
    'https://honglian.example.org.evil.example/callback',
    'https://evil.example/?https://honglian.example.org/',
    'https://honglian.example.org@evil.example/callback',
    'https://user:pass@honglian.example.org/callback',
    'https://honglian.example.org/callback#fragment',
    'https://localhost:5173/callback',
    'http://localhost.evil.example/callback',
    'http://localhost%2eevil.example/callback',
    'http://127.0.0.1.evil.example/callback',
    'http://127.0.0.2/callback',
    'javascript:alert(1)//http://localhost:5173/',
    'data:text/html,<script>alert(1)</script>',
    `https://honglian.example.org/${'x'.repeat(3000)}`,
  ])('refuses %s', (uri) => {
    expect(allowedRedirect(uri, PUBLIC)).toBeUndefined();
  });
});

describe('browser origins (CORS)', () => {
  it('allows the public origin and local development servers, exactly as origins', () => {
    expect(allowedWebOrigin('https://honglian.example.org', PUBLIC)).toBe(true);
    expect(allowedWebOrigin('http://localhost:5173', PUBLIC)).toBe(true);
    expect(allowedWebOrigin('http://127.0.0.1:4173', PUBLIC)).toBe(true);
    for (const origin of [
      undefined,
      'null',
      'https://evil.example',
      'http://localhost:5173/',
      'https://honglian.example.org.evil.example',
    ]) {
      expect(allowedWebOrigin(origin, PUBLIC)).toBe(false);
    }
  });
});

describe('authorization responses', () => {
  it('adds the parameters to the query, keeping the redirect URI’s own, or to the fragment', () => {
    const redirect = new URL('http://localhost:5173/callback?from=menu');
    expect(responseUrl(redirect, 'query', { code: 'c', state: 's&t', iss: undefined })).toBe(
      'http://localhost:5173/callback?from=menu&code=c&state=s%26t',
    );
    expect(responseUrl(redirect, 'fragment', { code: 'c', state: 's' })).toBe(
      'http://localhost:5173/callback?from=menu#code=c&state=s',
    );
  });
});
