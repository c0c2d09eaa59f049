/** The services of the suite; each owns one topic `honglian.<service>.v1`. */
export const SERVICE_NAMES = [
  'gateway',
  'org-registry',
  'member-checkin',
  'volunteer-points',
  'property-evaluation',
  'assessment',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services that publish events (the gateway does not). */
export type PublishingService = Exclude<ServiceName, 'gateway'>;

export const TOPICS = {
  orgRegistry: 'honglian.org-registry.v1',
  memberCheckin: 'honglian.member-checkin.v1',
  volunteerPoints: 'honglian.volunteer-points.v1',
  propertyEvaluation: 'honglian.property-evaluation.v1',
  assessment: 'honglian.assessment.v1',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export function topicOf(service: PublishingService): Topic {
  return `honglian.${service}.v1` as Topic;
}

/** Dead-letter topic of a topic. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
