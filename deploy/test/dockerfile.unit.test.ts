import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Copy } from 'dockerfile-ast';

const root = path.join(__dirname, '..', '..');
const dockerfile = DockerfileParser.parse(fs.readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8'));
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());

describe('deploy/Dockerfile', () => {
  it('is multi-stage: prune, build, runtime', () => {
    expect(stages).toEqual(['base', 'prune', 'build', 'runtime']);
  });

  it('prunes the monorepo to the one service with turbo', () => {
    const runs = instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getTextContent());
    expect(runs.some((r) => r.includes('turbo prune "@honglian/${SERVICE}" --docker'))).toBe(true);
    expect(runs.some((r) => r.includes('npm ci'))).toBe(true);
  });

  it('copies only from earlier stages or files that exist in the repository', () => {
    for (const copy of instructions.filter((i) => i.getKeyword() === 'COPY') as Copy[]) {
      const from = copy
        .getFlags()
        .find((f) => f.getName() === 'from')
        ?.getValue();
      const sources = copy
        .getArguments()
        .map((a) => a.getValue())
        .slice(0, -1);
      if (from) expect(stages).toContain(from);
      else for (const src of sources) expect(fs.existsSync(path.join(root, src))).toBe(true);
    }
  });

  it('runs as a non-root user with telemetry preloaded and a healthcheck', () => {
    const keywords = instructions.map((i) => i.getKeyword());
    expect(instructions.find((i) => i.getKeyword() === 'USER')?.getTextContent()).toBe('USER node');
    expect(keywords).toContain('HEALTHCHECK');
    const cmd = instructions
      .filter((i) => i.getKeyword() === 'CMD')
      .at(-1)!
      .getTextContent();
    expect(cmd).toContain('"--import", "@honglian/service-kit/telemetry", "dist/main.js"');
  });

  it('can build every service: each has a main entry and a package named after its folder', () => {
    for (const name of fs.readdirSync(path.join(root, 'services'))) {
      expect(fs.existsSync(path.join(root, 'services', name, 'src', 'main.ts'))).toBe(true);
      const pkg = JSON.parse(fs.readFileSync(path.join(root, 'services', name, 'package.json'), 'utf8'));
      expect(pkg.name).toBe(`@honglian/${name}`);
    }
  });
});
