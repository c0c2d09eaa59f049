// One express app per variant (see middleware.mjs), answering a read's JSON on GET /x.
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { createApp, createLogger, requestIdOf, ServiceMetrics } from '@honglian/service-kit';

const variant = process.env.VARIANT ?? 'bare';
const body = {
  id: '331003-community-01',
  county: '331003',
  kind: 'community',
  kindLabel: { zh: '社区', en: 'Community' },
  name: '黄岩区示范社区',
  parentId: '331003-street-01',
  path: '/331000/331003/331003-street-01/331003-community-01',
  validFrom: '2024-01-01',
  validTo: null,
};
const logger = createLogger({
  name: 'bench',
  level: process.env.LOG_LEVEL ?? 'warn',
  destination: process.stderr,
});
const route = (_req, res) => {
  res.json(body);
};
let app;
if (variant === 'service-kit')
  app = createApp({ name: 'bench', logger, routes: (a) => a.get('/x', route) }).app;
else {
  app = express();
  if (variant === 'helmet') app.use(helmet());
  if (variant === 'pino-http')
    app.use(
      pinoHttp({
        logger,
        genReqId: requestIdOf,
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      }),
    );
  if (variant === 'metrics') app.use(new ServiceMetrics('bench').middleware());
  app.get('/x', route);
}
const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  else process.exit(0);
});
