import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
// A child process and an OTLP export on a loaded machine: a generous bound, never a measure.
jest.setTimeout(180_000);

interface OtlpSpan {
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

/** A bare OTLP/HTTP JSON receiver standing in for the collector. */
async function startReceiver() {
  const spans: { service: string; span: OtlpSpan }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/traces') return res.writeHead(404).end();
      const raw = Buffer.concat(chunks);
      const payload = JSON.parse(
        (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString(),
      );
      for (const rs of payload.resourceSpans ?? []) {
        const service = rs.resource.attributes.find((a: { key: string }) => a.key === 'service.name')?.value
          .stringValue;
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ service, span });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    spans,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

describe('OpenTelemetry bootstrap', () => {
  it('exports an HTTP server span over OTLP when enabled', async () => {
    const receiver = await startReceiver();
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          path.join(__dirname, '..', 'dist', 'telemetry', 'register.js'),
          path.join(__dirname, 'fixtures', 'traced.mjs'),
        ],
        {
          env: {
            PATH: process.env.PATH,
            OTEL_ENABLED: 'true',
            OTEL_SERVICE_NAME: 'traced-fixture',
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      const server = receiver.spans.filter((s) => s.service === 'traced-fixture' && s.span.kind === 2);
      expect(server.length).toBeGreaterThan(0);
      const attrs = Object.fromEntries(
        server[0]!.span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue]),
      );
      expect(attrs['http.route'] ?? attrs['http.target'] ?? attrs['url.path']).toMatch(/\/orgs/);
    } finally {
      receiver.close();
    }
  });

  it('stays off by default', async () => {
    const receiver = await startReceiver();
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          path.join(__dirname, '..', 'dist', 'telemetry', 'register.js'),
          path.join(__dirname, 'fixtures', 'traced.mjs'),
        ],
        { env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, stdio: 'ignore' },
      );
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
      expect(receiver.spans).toEqual([]);
    } finally {
      receiver.close();
    }
  });
});
