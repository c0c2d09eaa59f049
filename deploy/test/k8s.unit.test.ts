import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TOPICS, deadLetterTopic } from '@honglian/contracts';

/**
 * deploy/k8s: every overlay rendered by kustomize (`kubectl kustomize`, kustomize v5) and each
 * object validated against the Kubernetes schemas (deploy/k8s/validate.mjs, kubernetes-models);
 * then what the manifests promise (probes, limits, non-root, policies, topics) and that compose
 * and Kubernetes run the same images on the same port with the same variables.
 */
const root = path.join(__dirname, '..', '..');
const overlaysDir = path.join(root, 'deploy/k8s/overlays');
const overlays = fs.readdirSync(overlaysDir).sort();
const serviceDirs = fs.readdirSync(path.join(root, 'services')).sort();

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
};
type Rendered = {
  overlay: string;
  objects: { kind: string; name: string; errors: string[]; object: K8sObject }[];
};

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = kubectl.status === 0;
if (!haveKubectl) {
  console.warn('kubectl is not installed: the Kubernetes overlays are NOT rendered or validated here');
}
const withKubectl = haveKubectl ? describe : describe.skip;

function renderAll(): Rendered[] {
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'deploy/k8s/validate.mjs'), ...overlays.map((o) => path.join(overlaysDir, o)), '--json'],
    { encoding: 'utf8', cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  if (!run.stdout) throw new Error(`validate.mjs printed nothing: ${run.stderr}`);
  return JSON.parse(run.stdout) as Rendered[];
}

const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
};

/** Variables only the cluster sets: Kafka over TLS with SCRAM, topics made by the operator, the ingress as proxy. */
const K8S_ONLY = new Set([
  'KAFKA_CREATE_TOPICS',
  'KAFKA_SSL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'TRUST_PROXY',
]);
/** Secrets the prod overlay expects to exist (created out of band: deploy/README.md). */
const PROD_SECRETS = [
  'honglian-checkin-qr',
  'honglian-kafka',
  'honglian-metrics',
  'honglian-mongodb',
  'honglian-pii',
];

withKubectl('Kubernetes manifests (deploy/k8s)', () => {
  let rendered: Rendered[];
  beforeAll(() => {
    rendered = renderAll();
  });
  const of = (overlay: string) => rendered.find((r) => r.overlay.endsWith(`/${overlay}`))!.objects;
  const objects = (overlay: string, kind: string) =>
    of(overlay)
      .filter((o) => o.kind === kind)
      .map((o) => o.object);

  it('has a dev and a prod overlay', () => {
    expect(overlays).toEqual(expect.arrayContaining(['dev', 'prod']));
  });

  it.each(overlays)('%s: renders, and every object is valid against its schema', (overlay) => {
    const all = of(overlay);
    expect(all.length).toBeGreaterThan(30);
    expect(all.filter((o) => o.errors.length > 0).map((o) => `${o.kind}/${o.name}: ${o.errors}`)).toEqual([]);
    for (const o of all)
      expect(o.object.metadata.namespace).toBe(overlay === 'prod' ? 'honglian' : 'honglian-dev');
  });

  it.each(overlays)(
    '%s: a Deployment, Service and PodDisruptionBudget per service, probed, limited, non-root',
    (overlay) => {
      const deployments = objects(overlay, 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual(serviceDirs);
      expect(
        objects(overlay, 'Service')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(serviceDirs);
      expect(
        objects(overlay, 'PodDisruptionBudget')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual(serviceDirs);
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        const [container] = pod.containers;
        expect(container.readinessProbe.httpGet.path).toBe('/readyz');
        expect(container.livenessProbe.httpGet.path).toBe('/healthz');
        expect(container.resources.requests).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.resources.limits).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
      }
      for (const s of objects(overlay, 'Service')) expect(s.spec.type).toBe('ClusterIP');
    },
  );

  it.each(overlays)('%s: autoscales the gateway and check-in only; publishes only the gateway', (overlay) => {
    const hpas = objects(overlay, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'member-checkin']);
    const backends = objects(overlay, 'Ingress').flatMap((i) =>
      i.spec.rules.flatMap((r: { http: { paths: { backend: { service: { name: string } } }[] } }) =>
        r.http.paths.map((p) => p.backend.service.name),
      ),
    );
    expect(new Set(backends)).toEqual(new Set(['gateway']));
    const policies = objects(overlay, 'NetworkPolicy');
    const denyAll = policies.find((p) => p.metadata.name === 'default-deny')!;
    expect(denyAll.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // The only ingress rule without a `from` (open to any source) selects the gateway.
    const open = policies.filter((p) =>
      (p.spec.ingress ?? []).some((rule: { from?: unknown[] }) => !rule.from || rule.from.length === 0),
    );
    expect(open.map((p) => p.spec.podSelector.matchLabels)).toEqual([
      { 'app.kubernetes.io/name': 'gateway' },
    ]);
    const egress = JSON.stringify(policies.find((p) => p.metadata.name === 'egress-dependencies'));
    for (const port of [27017, 9092, 8080, 53]) expect(egress).toContain(`"port":${port}`);
  });

  it.each(overlays)('%s: declares exactly the TOPICS and their dead-letter topics', (overlay) => {
    const topics = objects(overlay, 'KafkaTopic');
    const expected = Object.values(TOPICS).flatMap((t) => [t, deadLetterTopic(t)]);
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(expected.sort());
    for (const t of topics) {
      expect(t.metadata.name).toBe(t.spec.topicName);
      expect(t.spec.partitions).toBeGreaterThanOrEqual(1);
      expect(t.spec.config['retention.ms']).toBeDefined();
    }
  });

  it('dev generates every secret it references; prod references only the documented ones', () => {
    const refs = (overlay: string) =>
      objects(overlay, 'Deployment').flatMap((d) =>
        d.spec.template.spec.containers.flatMap(
          (c: { env?: { valueFrom?: { secretKeyRef?: { name: string; optional?: boolean } } }[] }) =>
            (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
        ),
      );
    const devSecrets = new Set(objects('dev', 'Secret').map((s) => s.metadata.name));
    for (const ref of refs('dev').filter((r) => !r.optional)) expect(devSecrets).toContain(ref.name);
    expect(objects('prod', 'Secret')).toEqual([]);
    expect([...new Set(refs('prod').map((r) => r.name))].sort()).toEqual(PROD_SECRETS);
  });

  describe('compose and Kubernetes agree', () => {
    const envOf = (overlay: string, name: string) => {
      const deployment = objects(overlay, 'Deployment').find((d) => d.metadata.name === name)!;
      const container = deployment.spec.template.spec.containers[0];
      const configMaps = objects(overlay, 'ConfigMap');
      const names = new Set<string>((container.env ?? []).map((e: { name: string }) => e.name));
      for (const from of container.envFrom ?? []) {
        const cm = configMaps.find((c) => c.metadata.name === from.configMapRef.name);
        expect(cm).toBeDefined();
        for (const key of Object.keys(cm!.data ?? {})) names.add(key);
      }
      return { container, names };
    };

    it.each(overlays)('%s: same images, port and variables for every service', (overlay) => {
      for (const name of serviceDirs) {
        const service = compose.services[name]!;
        const { container, names } = envOf(overlay, name);
        expect(container.image.split(':')[0]).toBe(service.image!.split(':')[0]);
        expect(container.image.split(':')[0]).toBe(`honglian/${name}`);
        const port = Number(service.environment!.PORT);
        expect(container.ports).toEqual([expect.objectContaining({ containerPort: port })]);
        const k8sService = objects(overlay, 'Service').find((s) => s.metadata.name === name)!;
        expect(k8sService.spec.ports[0].port).toBe(port);
        const composeNames = Object.keys(service.environment!).sort();
        expect([...names].filter((n) => !K8S_ONLY.has(n)).sort()).toEqual(composeNames);
      }
    });

    it('the gateway reaches the services at the same URLs and routes the same prefixes', () => {
      const gateway = compose.services.gateway!.environment!;
      const cm = objects('prod', 'ConfigMap').find((c) => c.metadata.name === 'gateway-config')!;
      expect(cm.data!.SERVICE_URLS).toBe(gateway.SERVICE_URLS);
      expect(cm.data!.API_ROUTES).toBe(gateway.API_ROUTES);
    });
  });
});

describe('the compose profile `observability`', () => {
  const full = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { profiles?: string[]; volumes?: string[] }>;
  };
  it('runs Prometheus and Grafana on the files of deploy/observability, only when asked', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(full.services[name]!.profiles).toEqual(['observability']);
      for (const volume of full.services[name]!.volumes!) {
        const source = volume.split(':')[0]!;
        expect(source).toMatch(/^\.\/deploy\/observability\//);
        expect(fs.existsSync(path.join(root, source))).toBe(true);
      }
    }
    const prometheus = parse(
      fs.readFileSync(path.join(root, 'deploy/observability/prometheus/prometheus.yml'), 'utf8'),
    ) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.map((t) => t.split(':')[0]).sort()).toEqual(serviceDirs);
    const rules = parse(
      fs.readFileSync(path.join(root, 'deploy/observability/prometheus/alerts.yml'), 'utf8'),
    ) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    expect(rules.groups.flatMap((g) => g.rules).length).toBeGreaterThan(5);
  });
});
