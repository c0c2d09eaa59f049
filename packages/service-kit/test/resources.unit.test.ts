import express from 'express';
import { Readiness, owningResources, type ServiceHandle } from '../src/index.js';

describe('owningResources', () => {
  it('starts resources after the service and stops them after it, in order', async () => {
    const log: string[] = [];
    const service: ServiceHandle & { extra: string } = {
      name: 'svc',
      app: express(),
      readiness: new Readiness(),
      extra: 'kept',
      start: async () => void log.push('service start'),
      stop: async () => void log.push('service stop'),
    };
    const bus = {
      start: async () => void log.push('bus start'),
      stop: async () => void log.push('bus stop'),
    };
    const databases = { close: async () => void log.push('databases close') };
    const owned = owningResources(service, [bus, databases]);
    await owned.start();
    await owned.stop();
    expect(log).toEqual(['service start', 'bus start', 'service stop', 'bus stop', 'databases close']);
    expect(owned.extra).toBe('kept');
  });
});
