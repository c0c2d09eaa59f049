import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { BaseConfigSchema, ConfigError, loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    const config = loadConfig(BaseConfigSchema, { PORT: '9090', OTEL_ENABLED: 'yes', LOG_LEVEL: '' });
    expect(config).toMatchObject({
      PORT: 9090,
      OTEL_ENABLED: true,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
  });

  it('keeps an empty value where the schema gives it a meaning of its own', () => {
    const schema = BaseConfigSchema.extend({ DATA_DIR: z.string().default('.data') });
    expect(loadConfig(schema, { DATA_DIR: '' }).DATA_DIR).toBe('.data');
    expect(loadConfig(schema, { DATA_DIR: '', LOG_LEVEL: '' }, { keepEmpty: ['DATA_DIR'] })).toMatchObject({
      DATA_DIR: '',
      LOG_LEVEL: 'info',
    });
    expect(loadConfig(schema, {}, { keepEmpty: ['DATA_DIR'] }).DATA_DIR).toBe('.data');
  });

  it('names every bad variable', () => {
    const schema = BaseConfigSchema.extend({ QR_ROTATION_SECONDS: z.coerce.number().int().positive() });
    try {
      loadConfig(schema, { PORT: 'eighty', MONGO_URL: 'postgres://x', QR_ROTATION_SECONDS: '-1' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const names = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(names).toEqual(['MONGO_URL', 'PORT', 'QR_ROTATION_SECONDS']);
      expect((err as ConfigError).message).toMatch(/MONGO_URL: a mongodb:\/\/ or mongodb\+srv:\/\/ URL/);
    }
  });

  it('makes a process exit 1 with a message naming the variable', () => {
    const fixture = path.join(__dirname, 'fixtures', 'bad-config.mjs');
    const run = spawnSync(process.execPath, [fixture], {
      env: { PATH: process.env.PATH, PORT: '70000' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Invalid configuration:\n\s+PORT: /);
  });
});
