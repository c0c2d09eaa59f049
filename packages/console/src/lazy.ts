import { lazy, type ComponentType } from 'react';

/** A page loaded when first shown (each area is its own chunk; a phone downloads only the member pages). */
export function lazyPage<M extends Record<string, unknown>, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}
