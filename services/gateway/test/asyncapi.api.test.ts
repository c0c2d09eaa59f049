import { Parser } from '@asyncapi/parser';
import request from 'supertest';
import { TOPICS, deadLetterTopic, knownEventTypes, topicOfEventType } from '@honglian/contracts';
import { startTestIssuer, type TestIssuer } from '@honglian/testkit';
import { startGateway } from './support.js';

/**
 * `/asyncapi.json`: the AsyncAPI 3 document of every event in @honglian/contracts, beside
 * `/openapi.json` and linked from `/docs`. The list of events comes from the registry of defined
 * events (`knownEventTypes`), so an event another service defines later is checked the same way.
 */
describe('AsyncAPI document at /asyncapi.json', () => {
  let issuer: TestIssuer;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    gateway = await startGateway({ auth: issuer.authenticator(), services: {} });
    const res = await request(gateway.url).get('/asyncapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = res.body;
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.close();
  });

  it('is a valid AsyncAPI 3 document (the AsyncAPI parser reports no error)', async () => {
    expect(doc.asyncapi).toMatch(/^3\./);
    const { document, diagnostics } = await new Parser().parse(doc);
    expect(
      diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`),
    ).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.messages().length).toBeGreaterThan(knownEventTypes().length);
  });

  it('lists every event type defined in the contracts, on the channel of its topic, with its data schema', () => {
    const types = knownEventTypes();
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) {
      const message = doc.components.messages[type];
      expect(message).toBeDefined();
      expect(message.payload.properties.type.const).toBe(type);
      expect(message.payload.properties.data).toBeInstanceOf(Object);
      const channel = Object.values(doc.channels).find(
        (c) => (c as { address: string }).address === topicOfEventType(type),
      ) as { messages: Record<string, { $ref: string }> };
      expect(channel.messages[type]).toEqual({ $ref: `#/components/messages/${type}` });
    }
  });

  it('has every topic and its dead-letter topic, with the dead-letter headers', () => {
    const addresses = Object.values(doc.channels).map((c) => (c as { address: string }).address);
    for (const topic of Object.values(TOPICS)) {
      expect(addresses).toContain(topic);
      expect(addresses).toContain(deadLetterTopic(topic));
    }
    const headers = doc.components.messages.deadLetter.headers;
    for (const name of [
      'x-failure-reason',
      'x-failure-attempts',
      'x-original-topic',
      'x-original-partition',
      'x-original-offset',
      'x-failed-at',
      'x-consumer-group',
    ])
      expect(headers.required).toContain(name);
  });

  it('is linked from the API docs, without a token', async () => {
    const openapi = await request(gateway.url).get('/openapi.json');
    expect(openapi.body.externalDocs).toEqual({ description: 'Events (AsyncAPI 3)', url: '/asyncapi.json' });
    expect(openapi.body.info.description).toContain('(/asyncapi.json)');
    const docs = await request(gateway.url).get('/docs/');
    expect(docs.status).toBe(200);
  });
});
