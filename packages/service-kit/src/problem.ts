import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InvalidParam {
  /** Where the bad value is: body, query, params or headers, then the field path. */
  name: string;
  /** Why, in English. */
  reason: string;
  /** Why, in Chinese (zod's zh-CN messages; a rule's own message where it gives one). */
  reason_zh?: string;
}

/** A problem's text in both languages (`reason` in every problem body). */
export interface ProblemReason {
  zh: string;
  en: string;
}

/**
 * The Chinese text of problems that carry no reason of their own, by status: every problem body
 * has `reason: {zh, en}`, and `detail` is in the language `Accept-Language` prefers (zh-CN
 * unless English is preferred).
 */
const GENERIC_ZH: Record<number, string> = {
  400: '请求无效',
  401: '缺少访问令牌或令牌无效',
  403: '您的角色无权执行此操作',
  404: '记录不存在或不在您的管辖范围内',
  405: '不支持此请求方法',
  406: '无法提供所请求的格式',
  409: '与当前状态冲突',
  410: '记录已不再可用',
  412: '前提条件不成立',
  413: '请求体超过大小限制',
  415: '不支持此内容类型',
  422: '请求违反业务规则',
  429: '请求过于频繁，请按 Retry-After 秒数后重试',
  500: '服务器内部错误，已记录',
  502: '上游服务无响应',
  503: '服务暂时不可用，请稍后重试',
  504: '上游服务响应超时',
};

export type ProblemLanguage = 'zh' | 'en';

/** The language of a problem's `detail`: English when `Accept-Language` prefers it, else Chinese. */
export function problemLanguageOf(
  req: { acceptsLanguages(...langs: string[]): string | false } | undefined,
): ProblemLanguage {
  return req?.acceptsLanguages('zh', 'en') === 'en' ? 'en' : 'zh';
}

function isReason(value: unknown): value is ProblemReason {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ProblemReason).zh === 'string' &&
    typeof (value as ProblemReason).en === 'string'
  );
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * An error that is an answer: its status and RFC 9457 body are meant for the
 * client. Anything else thrown is a bug and answers a bare 500.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail?: string,
    opts: {
      type?: string;
      title?: string;
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail ?? STATUS_CODES[status] ?? 'Error');
    this.name = 'HttpProblem';
    this.status = status;
    this.type = opts.type ?? 'about:blank';
    this.title = opts.title ?? STATUS_CODES[status] ?? 'Error';
    this.extensions = opts.extensions ?? {};
    this.headers = opts.headers ?? {};
  }

  /** The problem's text in both languages: its own `reason`, or the status's generic Chinese and its detail. */
  reason(): ProblemReason {
    const own = this.extensions.reason;
    if (isReason(own)) return own;
    return { zh: GENERIC_ZH[this.status] ?? '请求失败', en: this.message };
  }

  /** The RFC 9457 body; `detail` in `language` (the English detail is the problem's message). */
  toJSON(instance?: string, language: ProblemLanguage = 'en'): ProblemDetails {
    const reason = this.reason();
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: language === 'zh' ? reason.zh : this.message,
      reason,
      ...(instance ? { instance } : {}),
    };
  }
}

export const badRequest = (detail: string, invalidParams?: InvalidParam[]) =>
  new HttpProblem(400, detail, invalidParams ? { extensions: { invalid_params: invalidParams } } : {});
export const notFound = (detail = 'The resource does not exist or is outside your scope.') =>
  new HttpProblem(404, detail);
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new HttpProblem(409, detail, extensions ? { extensions } : {});
export const unprocessable = (detail: string, extensions?: Record<string, unknown>) =>
  new HttpProblem(422, detail, extensions ? { extensions } : {});
export const forbidden = (detail = 'Your role does not allow this.') => new HttpProblem(403, detail);
/** A path whose percent-encoding does not decode (e.g. `%E0%A4%A`): the client's mistake, never a 500. */
export const malformedPath = () =>
  new HttpProblem(400, 'The request path contains a malformed percent-encoding.', {
    title: 'Malformed request path',
    extensions: {
      reason: {
        zh: '请求路径中的百分号编码无效',
        en: 'The request path contains a malformed percent-encoding.',
      },
    },
  });

/** True when every `%xx` sequence of a path decodes as UTF-8. */
export function isDecodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** zod issues as RFC 9457 `invalid_params`, prefixed with where they came from. */
export function invalidParamsOf(error: ZodError, location?: string): InvalidParam[] {
  return error.issues.map((issue) => ({
    name: [location, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    reason: issue.message,
  }));
}

/**
 * A 400 from zod issues. `zh`: the same input's issues with zod's zh-CN messages (a schema parsed
 * again with them), so each invalid param and the reason read in both languages.
 */
export function fromZodError(error: ZodError, location?: string, zh?: ZodError): HttpProblem {
  const params = invalidParamsOf(error, location);
  const zhParams = zh ? invalidParamsOf(zh, location) : [];
  const both = params.map((p, i) => {
    const other = zhParams[i];
    return other && other.name === p.name && other.reason !== p.reason
      ? { ...p, reason_zh: other.reason }
      : p;
  });
  const en = `Invalid request: ${both.map((p) => `${p.name}: ${p.reason}`).join('; ')}`;
  return new HttpProblem(400, en, {
    extensions: {
      invalid_params: both,
      reason: { zh: `请求无效：${both.map((p) => `${p.name}：${p.reason_zh ?? p.reason}`).join('；')}`, en },
    },
  });
}

export function sendProblem(
  res: Parameters<RequestHandler>[1],
  problem: HttpProblem,
  instance?: string,
): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  const language = problemLanguageOf(res.req);
  res.vary('Accept-Language');
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .setHeader('Content-Language', language === 'zh' ? 'zh-CN' : 'en');
  res.send(JSON.stringify(problem.toJSON(instance, language)));
}

/** Errors raised by express's body parser carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status: number;
}
function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as BodyParserError).type === 'string' &&
    typeof (err as BodyParserError).status === 'number'
  );
}

const BODY_PARSER_PROBLEMS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'The request body is not valid JSON.', '请求体不是有效的 JSON'],
  'entity.too.large': [413, 'The request body is larger than the limit.', '请求体超过大小限制'],
  'entity.verify.failed': [400, 'The request body could not be verified.', '请求体无法校验'],
  'request.aborted': [400, 'The request was aborted.', '请求已中断'],
  'request.size.invalid': [
    400,
    'The request size does not match its Content-Length.',
    '请求大小与 Content-Length 不符',
  ],
  'encoding.unsupported': [415, 'The request body encoding is not supported.', '不支持请求体的编码'],
  'charset.unsupported': [415, 'The request body charset is not supported.', '不支持请求体的字符集'],
  'parameters.too.many': [413, 'The request body has too many parameters.', '请求体参数过多'],
  'stream.encoding.set': [500, 'Internal Server Error', '服务器内部错误，已记录'],
};

function isClientError(err: unknown): err is { status: number } {
  if (typeof err !== 'object' || err === null) return false;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/** Turns any error into a problem; unknown errors become an opaque 500. */
export function toProblem(err: unknown): { problem: HttpProblem; unexpected: boolean } {
  if (err instanceof HttpProblem) return { problem: err, unexpected: false };
  if (err instanceof ZodError) return { problem: fromZodError(err), unexpected: false };
  // express's router decodes path params with decodeURIComponent and flags the URIError 400
  // without `expose`.
  if (err instanceof URIError && (err as URIError & { status?: unknown }).status === 400) {
    return { problem: malformedPath(), unexpected: false };
  }
  if (isBodyParserError(err) && BODY_PARSER_PROBLEMS[err.type]) {
    const [status, en, zh] = BODY_PARSER_PROBLEMS[err.type]!;
    return {
      problem: new HttpProblem(status, en, { extensions: { reason: { zh, en } } }),
      unexpected: status >= 500,
    };
  }
  // Any other client-side error a parser or middleware flags (4xx status, `expose`) keeps its
  // status with a generic detail: what the client sent never becomes a 500.
  if (isClientError(err)) {
    return { problem: new HttpProblem(err.status, 'The request could not be processed.'), unexpected: false };
  }
  return {
    problem: new HttpProblem(500, 'An unexpected error occurred. It has been logged.'),
    unexpected: true,
  };
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { problem, unexpected } = toProblem(err);
    if (unexpected) logger.error({ err, reqId: req.id }, 'unhandled error');
    sendProblem(res, problem, req.originalUrl);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const en = `No route for ${req.method} ${req.path}`;
  sendProblem(
    res,
    new HttpProblem(404, en, { extensions: { reason: { zh: '没有此接口', en } } }),
    req.originalUrl,
  );
};
