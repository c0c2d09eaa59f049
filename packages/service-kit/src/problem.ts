import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InvalidParam {
  /** Where the bad value is: body, query, params or headers, then the field path. */
  name: string;
  reason: string;
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

  toJSON(instance?: string): ProblemDetails {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
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

export function fromZodError(error: ZodError, location?: string): HttpProblem {
  const params = invalidParamsOf(error, location);
  return badRequest(`Invalid request: ${params.map((p) => `${p.name}: ${p.reason}`).join('; ')}`, params);
}

export function sendProblem(
  res: Parameters<RequestHandler>[1],
  problem: HttpProblem,
  instance?: string,
): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toJSON(instance)));
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

const BODY_PARSER_PROBLEMS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'The request body is not valid JSON.'],
  'entity.too.large': [413, 'The request body is larger than the limit.'],
  'entity.verify.failed': [400, 'The request body could not be verified.'],
  'request.aborted': [400, 'The request was aborted.'],
  'request.size.invalid': [400, 'The request size does not match its Content-Length.'],
  'encoding.unsupported': [415, 'The request body encoding is not supported.'],
  'charset.unsupported': [415, 'The request body charset is not supported.'],
  'parameters.too.many': [413, 'The request body has too many parameters.'],
  'stream.encoding.set': [500, 'Internal Server Error'],
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
    const [status, detail] = BODY_PARSER_PROBLEMS[err.type]!;
    return { problem: new HttpProblem(status, detail), unexpected: status >= 500 };
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
  sendProblem(res, new HttpProblem(404, `No route for ${req.method} ${req.path}`), req.originalUrl);
};
