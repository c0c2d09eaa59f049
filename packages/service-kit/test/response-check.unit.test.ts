import { z } from 'zod';
import { responseMismatch } from '../src/routes.js';

const View = z.object({ id: z.string(), name: z.string(), tags: z.array(z.object({ code: z.string() })) });
const spec = {
  responses: {
    200: { description: 'ok', schema: View },
    204: { description: 'nothing' },
  },
};

describe('an answer is checked against the schema its route documents', () => {
  it('passes what the schema documents exactly (Dates as the client gets them)', () => {
    expect(responseMismatch(spec, 200, { id: 'a', name: 'n', tags: [{ code: 'x' }] })).toBeNull();
    expect(responseMismatch(spec, 204, undefined)).toBeNull();
  });

  it('names a field the handler sends but the schema does not document, however deep', () => {
    expect(responseMismatch(spec, 200, { id: 'a', name: 'n', tags: [], secret: 's' })).toBe(
      'secret: sent but not documented',
    );
    expect(responseMismatch(spec, 200, { id: 'a', name: 'n', tags: [{ code: 'x', idNumber: '1' }] })).toBe(
      'tags.0.idNumber: sent but not documented',
    );
  });

  it('names a documented field that is missing or of the wrong type', () => {
    expect(responseMismatch(spec, 200, { id: 'a', tags: [] })).toMatch(/^name: /);
    expect(responseMismatch(spec, 200, { id: 1, name: 'n', tags: [] })).toMatch(/^id: /);
  });

  it('refuses a status the route does not document, and a body where none is documented', () => {
    expect(responseMismatch(spec, 201, { id: 'a' })).toBe('status 201 is not documented');
    expect(responseMismatch(spec, 204, { id: 'a' })).toMatch(/documents no body schema/);
    expect(responseMismatch(spec, 200, undefined)).toMatch(/none was sent/);
  });
});
