/**
 * The suite's one way to talk to the gateway: every answer goes past the `observe` hook (the PII
 * scanner) before the caller sees it, so "every response body the suite received" is literally
 * every response body of the run, token grants and the OpenAPI document included.
 */

export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  /** The `Location` header (a job accepted with 202 names itself there). */
  location?: string;
}

export interface Exchange {
  method: string;
  /** Path and query as sent. */
  url: string;
  answer: Answer;
}

export interface RequestOptions {
  /** A JSON body (serialised with JSON.stringify). */
  json?: unknown;
  /** A body sent as is (malformed JSON, form data…); wins over `json`. */
  raw?: string;
  /** Content type of `raw` (default application/json). */
  contentType?: string;
  /** Bearer token. */
  token?: string;
  /** Form fields (application/x-www-form-urlencoded), for the token endpoint. */
  form?: Record<string, string>;
  /** More request headers (`Prefer: respond-async`). */
  headers?: Record<string, string>;
}

export class Gateway {
  /** Requests sent, by anyone, through this client. */
  requests = 0;
  constructor(
    readonly url: string,
    private readonly observe: (x: Exchange) => void,
  ) {}

  async send(method: string, url: string, opts: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | URLSearchParams | undefined;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.form) body = new URLSearchParams(opts.form);
    else if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    this.requests++;
    const res = await fetch(`${this.url}${url}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (text && contentType.includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const location = res.headers.get('location');
    const answer: Answer = {
      status: res.status,
      contentType,
      text,
      body: parsed,
      ...(location ? { location } : {}),
    };
    this.observe({ method, url, answer });
    return answer;
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The records of a list answer: the body itself when it is an array, else its `items`. */
export function itemsOf(body: unknown): Json[] | undefined {
  const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.items) ? body.items : null;
  return list ? list.filter(isObject) : undefined;
}

export const is2xx = (status: number) => status >= 200 && status < 300;

/** Top-level keys of a JSON object answer, sorted (the "shape" compared between answers). */
export function shapeOf(answer: Answer): string {
  const kind = answer.contentType.split(';')[0]!.trim();
  return isObject(answer.body) ? `${kind} {${Object.keys(answer.body).sort().join(',')}}` : kind;
}
