import { reason, type Reason } from '@honglian/service-kit/domain';

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Geofence extends GeoPoint {
  radiusMeters: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * An activity with a geofence accepts a scan only from inside it. The phone's
 * stated accuracy is tolerated up to `allowanceMeters` (GPS indoors drifts),
 * never more, so a wide accuracy claim cannot stretch the fence.
 */
export function checkGeofence(
  fence: Geofence | null | undefined,
  at: (GeoPoint & { accuracyMeters?: number }) | null | undefined,
  allowanceMeters: number,
): Reason | null {
  if (!fence) return null;
  if (!at) return reason('该活动需要定位签到，请开启定位', 'this activity needs your location to check in');
  const slack = Math.min(Math.max(at.accuracyMeters ?? 0, 0), allowanceMeters);
  const d = distanceMeters(fence, at);
  if (d > fence.radiusMeters + slack)
    return reason(
      `不在活动地点范围内（距离约${Math.round(d)}米）`,
      `you are about ${Math.round(d)} m from the activity, outside its ${fence.radiusMeters} m geofence`,
    );
  return null;
}
