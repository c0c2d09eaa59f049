import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds `.openapi()` to zod schemas, which the registry uses for named components.
extendZodWithOpenApi(z);

export { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

/** RFC 9457 problem details, as every error answer is shaped. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    invalid_params: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** A fresh registry with the shared components (bearer auth, Problem) registered. */
export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from the identity provider (Keycloak realm honglian).',
  });
  registry.register('Problem', ProblemSchema);
  return registry;
}

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
  servers?: { url: string; description?: string }[];
}

/** Generates the OpenAPI 3.1 document of everything registered. */
export function buildOpenApiDocument(registry: OpenAPIRegistry, info: ApiInfo): Record<string, unknown> {
  const generator = new OpenApiGeneratorV31(registry.definitions);
  const { servers, ...rest } = info;
  return generator.generateDocument({
    openapi: '3.1.0',
    info: rest,
    ...(servers ? { servers } : {}),
  }) as unknown as Record<string, unknown>;
}

/** `/orgs/:id` (express) → `/orgs/{id}` (OpenAPI). */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
