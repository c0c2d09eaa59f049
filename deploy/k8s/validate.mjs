#!/usr/bin/env node
// Renders kustomize overlays with `kubectl kustomize` (kustomize v5 built into kubectl) and
// validates every object against the Kubernetes JSON schemas shipped by the npm package
// kubernetes-models (no cluster needed). KafkaTopic (a Strimzi custom resource, not in those
// schemas) is checked against the fields of Strimzi's kafka.strimzi.io/v1beta2 CRD it uses.
//
//   node deploy/k8s/validate.mjs                       # every overlay under deploy/k8s/overlays
//   node deploy/k8s/validate.mjs deploy/k8s/overlays/prod --json
//
// Exit 0 when everything is valid, 1 when something is not, 3 when kubectl is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));

/** apiVersion/kind → the kubernetes-models module and class that validates it. */
const MODELS = {
  'v1/ConfigMap': ['kubernetes-models/v1', 'ConfigMap'],
  'v1/Secret': ['kubernetes-models/v1', 'Secret'],
  'v1/Service': ['kubernetes-models/v1', 'Service'],
  'v1/Namespace': ['kubernetes-models/v1', 'Namespace'],
  'v1/ServiceAccount': ['kubernetes-models/v1', 'ServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1', 'Deployment'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1', 'PodDisruptionBudget'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2', 'HorizontalPodAutoscaler'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1', 'NetworkPolicy'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1', 'Ingress'],
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The subset of Strimzi's KafkaTopic v1beta2 schema these manifests use, strictly. */
function validateKafkaTopic(doc) {
  const errors = [];
  const name = doc.metadata?.name ?? '';
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253)
    errors.push(`metadata.name ${name} is not a DNS subdomain`);
  if (!doc.metadata?.labels?.['strimzi.io/cluster'])
    errors.push('metadata.labels["strimzi.io/cluster"] is required');
  const spec = doc.spec;
  if (!spec || typeof spec !== 'object') return [...errors, 'spec is required'];
  const allowed = ['topicName', 'partitions', 'replicas', 'config'];
  for (const key of Object.keys(spec))
    if (!allowed.includes(key)) errors.push(`spec.${key} is not a KafkaTopic field`);
  if (spec.topicName !== undefined && typeof spec.topicName !== 'string')
    errors.push('spec.topicName must be a string');
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1)
    errors.push('spec.partitions must be an integer ≥ 1');
  if (!Number.isInteger(spec.replicas) || spec.replicas < 1 || spec.replicas > 32767)
    errors.push('spec.replicas must be an integer in 1..32767');
  if (spec.config !== undefined) {
    if (typeof spec.config !== 'object' || Array.isArray(spec.config))
      errors.push('spec.config must be an object');
    else
      for (const [key, value] of Object.entries(spec.config))
        if (!['string', 'number', 'boolean'].includes(typeof value))
          errors.push(`spec.config.${key} must be a scalar`);
  }
  return errors;
}

async function validateDocument(doc) {
  if (!doc || typeof doc !== 'object') return ['not an object'];
  const key = `${doc.apiVersion}/${doc.kind}`;
  if (key === 'kafka.strimzi.io/v1beta2/KafkaTopic') return validateKafkaTopic(doc);
  const model = MODELS[key];
  if (!model) return [`no schema known for ${key}`];
  const [module, name] = model;
  const Model = (await import(module))[name];
  // kustomize wraps base64 Secret data at 76 columns; the API server's decoder skips the line
  // breaks, the schema's "byte" format does not: validate the value as the server reads it.
  const candidate =
    key === 'v1/Secret' && doc.data
      ? {
          ...doc,
          data: Object.fromEntries(
            Object.entries(doc.data).map(([k, v]) => [k, String(v).replace(/\s+/g, '')]),
          ),
        }
      : doc;
  try {
    new Model(candidate).validate();
    return [];
  } catch (error) {
    return [String(error.message ?? error)];
  }
}

/** Renders an overlay; throws when kubectl is missing or kustomize fails. */
export function render(overlay) {
  const run = spawnSync('kubectl', ['kustomize', overlay], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw Object.assign(new Error(`kubectl: ${run.error.message}`), { code: 'NO_KUBECTL' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed: ${run.stderr}`);
  return run.stdout;
}

export async function validateOverlay(overlay) {
  const text = render(overlay);
  const objects = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${overlay}: ${document.errors[0].message}`);
    const doc = document.toJS();
    if (doc === null) continue;
    objects.push({
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      name: doc.metadata?.name,
      errors: await validateDocument(doc),
      object: doc,
    });
  }
  return { overlay, objects };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  let overlays = args.filter((a) => a !== '--json');
  if (overlays.length === 0) {
    const dir = path.join(here, 'overlays');
    overlays = fs.readdirSync(dir).map((o) => path.join(dir, o));
  }
  const results = [];
  try {
    for (const overlay of overlays) results.push(await validateOverlay(overlay));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.code === 'NO_KUBECTL' ? 3 : 1);
  }
  const invalid = results.flatMap((r) =>
    r.objects
      .filter((o) => o.errors.length > 0)
      .map((o) => `${r.overlay}: ${o.kind}/${o.name}: ${o.errors.join('; ')}`),
  );
  if (json) process.stdout.write(JSON.stringify(results));
  else {
    for (const r of results) process.stdout.write(`${r.overlay}: ${r.objects.length} objects\n`);
    for (const line of invalid) process.stdout.write(`INVALID ${line}\n`);
  }
  process.exit(invalid.length > 0 ? 1 : 0);
}
