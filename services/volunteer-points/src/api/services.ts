import type { CertificateService } from '../app/certificates.js';
import type { PointsContext } from '../app/context.js';
import type { Jobs } from '../app/jobs.js';
import type { OrderService } from '../app/orders.js';
import type { PointsService } from '../app/points.js';
import type { RecordService } from '../app/records.js';
import type { RedemptionService } from '../app/redemption.js';

/** The use cases the routes call. */
export interface PointsServices {
  ctx: PointsContext;
  points: PointsService;
  records: RecordService;
  orders: OrderService;
  shop: RedemptionService;
  certificates: CertificateService;
  jobs: Jobs;
}

export const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };
export const notFound = { description: 'Not found, or outside your scope' };
