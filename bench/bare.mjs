// The yardstick: a bare express 5 app in a process of its own, answering the same JSON bodies the
// suite answers (the driver sends them over IPC), with express.json() for the write. No auth, no
// logging, no database: what express itself costs on this machine at this moment.
import express from 'express';

const bodies = { read: {}, list: {}, write: {} };
const app = express();
app.use(express.json());
app.get('/orgs/:id', (_req, res) => {
  res.json(bodies.read);
});
app.get('/orgs', (_req, res) => {
  res.json(bodies.list);
});
app.post('/attendances/:action', (req, res) => {
  res
    .status(req.params.action === 'check-in' ? 201 : 200)
    .json({ ...bodies.write, memberId: req.body.memberId });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` });
});

process.on('message', (msg) => {
  if (msg.type === 'bodies') Object.assign(bodies, msg.bodies);
  else if (msg.type === 'cpu') return process.send({ id: msg.id, cpu: process.cpuUsage() });
  else if (msg.type === 'stop') return server.close(() => process.exit(0));
  process.send({ id: msg.id });
});
