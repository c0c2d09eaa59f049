import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { HttpLogger } from 'pino-http';

/**
 * pino-http, paid for only when it logs. pino-http builds a child logger per request with the
 * serialized request in its bindings (headers and all, stringified) whatever the level, about a
 * quarter of a millisecond per request and hop. With info enabled every request is logged, so
 * pino-http runs as is. Above info (the all-in-one runs at warn) only failures are logged: the
 * request keeps its id, and the same "request errored" line is written through pino-http's own
 * logger and serializers when the response turns out to be a failure.
 */
export function requestLogging(
  httpLogger: HttpLogger,
  opts: {
    genReqId: (req: IncomingMessage, res: ServerResponse) => string;
    /** Requests pino-http does not log (autoLogging.ignore). */
    ignore: (req: IncomingMessage) => boolean;
  },
): RequestHandler {
  const logger = httpLogger.logger;
  return (req, res, next) => {
    if (logger.isLevelEnabled('info')) return httpLogger(req, res, next);
    const r = req as IncomingMessage & { id?: unknown };
    r.id = r.id || opts.genReqId(req, res);
    if (opts.ignore(req)) return next();
    const start = Date.now();
    const done = (err?: unknown) => {
      res.off('finish', done);
      res.off('close', done);
      res.off('error', done);
      if (!err && res.statusCode < 500) return;
      logger.error(
        {
          req,
          res,
          err: err ?? new Error(`failed with status code ${res.statusCode}`),
          responseTime: Date.now() - start,
        },
        'request errored',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}
