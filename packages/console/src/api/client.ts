import { ApiError } from './errors';

/** The services behind the gateway, same origin. */
export const API = {
  registry: '/api/v1/registry',
  checkin: '/api/v1/checkin',
  points: '/api/v1/points',
  evaluation: '/api/v1/evaluation',
  assessment: '/api/v1/assessment',
} as const;

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface ApiClientOptions {
  accessToken(): string | undefined;
  /** The user's language, sent as Accept-Language (problem details come back in it). */
  language(): string;
  /** A 401: the session is gone; sign in again. */
  onUnauthorized(): void;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/** The file name a Content-Disposition header gives, else the fallback. */
function fileNameOf(header: string | null, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '');
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header ?? '');
  return plain?.[1] ?? fallback;
}

/** Fetches the API with the bearer token; every non-2xx answer becomes an ApiError. */
export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  private async send(
    method: string,
    path: string,
    init: { body?: BodyInit; type?: string; accept?: string } = {},
  ) {
    const headers: Record<string, string> = {
      accept: init.accept ?? 'application/json',
      'accept-language': this.opts.language() === 'en' ? 'en' : 'zh-CN',
    };
    const token = this.opts.accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.type) headers['content-type'] = init.type;
    const res = await fetch(path, { method, headers, body: init.body ?? null, credentials: 'same-origin' });
    if (res.ok) return res;
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = await res.json();
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      body = { title: res.statusText || `HTTP ${res.status}` };
    }
    if (res.status === 401) this.opts.onUnauthorized();
    throw new ApiError(res.status, body);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(
      method,
      path,
      body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' },
    );
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  /** Sends a file as the request body (imports). */
  async upload<T>(path: string, file: File, query?: Query): Promise<T> {
    const type =
      file.type || (file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/octet-stream');
    const res = await this.send('POST', withQuery(path, query), { body: file, type });
    return (await res.json()) as T;
  }

  /** Downloads a file with the bearer token (a plain link would carry none) and saves it. */
  async download(path: string, query: Query | undefined, fallbackName: string): Promise<string> {
    const res = await this.send('GET', withQuery(path, query), { accept: '*/*' });
    const name = fileNameOf(res.headers.get('content-disposition'), fallbackName);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return name;
  }
}
