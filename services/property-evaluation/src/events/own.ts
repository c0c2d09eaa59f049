import { EvaluationResultPublished, EvaluationResultRevised } from '@honglian/contracts';
import { eventHandlers, on, type EventHandlers, type IdempotentContext } from '@honglian/messaging';
import type { WebhookService } from '../app/webhooks.js';

/**
 * The service's own publications and revisions become webhook deliveries (one per subscriber),
 * in the same transaction as the processed-event record: a redelivered event adds none.
 */
export function webhookHandlers(webhooks: WebhookService): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on(EvaluationResultPublished, (event, { session }) =>
      webhooks.enqueue('result.published', { id: event.id, data: event.data }, session),
    ),
    on(EvaluationResultRevised, (event, { session }) =>
      webhooks.enqueue('result.revised', { id: event.id, data: event.data }, session),
    ),
  ]);
}
