/**
 * Rough distance and travel time from the patient's area to a hospital, in
 * words. We know only the centre of the patient's postcode district and the
 * site's coordinates, and no route: these are estimates, and the page says so.
 */
import { distanceMiles, type LatLon } from '../domain/distance';

/**
 * Assumptions for a rough time by road: roads wind, so the road distance is
 * taken as 1.3 times the straight line (a usual detour factor for Britain),
 * driven at an average 40 mph over a mix of town streets, A roads and
 * motorway. Good enough to compare hospitals, not to plan a journey.
 */
const ROAD_DETOUR_FACTOR = 1.3;
const AVERAGE_ROAD_MPH = 40;

export function straightLineMiles(from: LatLon, to: LatLon): number {
  return distanceMiles(from, to);
}

/** Minutes by car, rounded to 5 minutes up to 2 hours and to 15 minutes beyond: the estimate is no finer. */
export function roughDriveMinutes(straightMiles: number): number {
  const minutes = ((straightMiles * ROAD_DETOUR_FACTOR) / AVERAGE_ROAD_MPH) * 60;
  const step = minutes < 120 ? 5 : 15;
  return Math.round(minutes / step) * step;
}

export function distanceWords(miles: number): string {
  if (miles < 1) return 'less than 1 mile';
  const whole = Math.round(miles);
  return `about ${whole} ${whole === 1 ? 'mile' : 'miles'}`;
}

/** "about 1 hour 10 minutes by car". */
export function driveTimeWords(straightMiles: number): string {
  const minutes = roughDriveMinutes(straightMiles);
  if (minutes < 5) return 'less than 5 minutes by car';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [
    hours > 0 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : '',
    rest > 0 ? `${rest} minutes` : '',
  ].filter(Boolean);
  return `about ${parts.join(' ')} by car`;
}
