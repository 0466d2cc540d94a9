// Location geometry for search: the 3-D box around a lat/lng rectangle, so a bounds search can use
// the same GiST index on the stored point, ll_to_earth(lat, lng), as a radius search
// (earthdistance's cube model).

export interface LatLngBounds {
  north: number;
  south: number;
  /** east < west: the box crosses the antimeridian. */
  east: number;
  west: number;
}

/** An axis-aligned box on the unit sphere's coordinates (multiply by earth() for metres). */
export interface UnitBox {
  min: [number, number, number];
  max: [number, number, number];
}

/** Widening for floating-point noise: a point on the box's edge must stay inside the cube. */
const MARGIN = 1e-9;

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The range of f over [from, to], given f's extremes can only lie at the ends or multiples of 90°. */
function rangeOf(f: (degrees: number) => number, from: number, to: number): [number, number] {
  const values = [f(from), f(to)];
  for (let quarter = Math.ceil(from / 90) * 90; quarter < to; quarter += 90) values.push(f(quarter));
  return [Math.min(...values), Math.max(...values)];
}

function productRange([a, b]: [number, number], [c, d]: [number, number]): [number, number] {
  const corners = [a * c, a * d, b * c, b * d];
  return [Math.min(...corners), Math.max(...corners)];
}

/**
 * The smallest axis-aligned box holding every point of the rectangle, in the coordinates
 * ll_to_earth uses (x = cos lat cos lng, y = cos lat sin lng, z = sin lat, on the unit sphere).
 * Latitude and longitude vary independently over the rectangle, so each coordinate's extremes
 * are products of the extremes of its two factors.
 */
export function boundingUnitBox(bounds: LatLngBounds): UnitBox {
  const east = bounds.east >= bounds.west ? bounds.east : bounds.east + 360;
  const cosLat = rangeOf((d) => Math.cos(radians(d)), bounds.south, bounds.north);
  const sinLat = rangeOf((d) => Math.sin(radians(d)), bounds.south, bounds.north);
  const cosLng = rangeOf((d) => Math.cos(radians(d)), bounds.west, east);
  const sinLng = rangeOf((d) => Math.sin(radians(d)), bounds.west, east);
  const x = productRange(cosLat, cosLng);
  const y = productRange(cosLat, sinLng);
  return {
    min: [x[0] - MARGIN, y[0] - MARGIN, sinLat[0] - MARGIN],
    max: [x[1] + MARGIN, y[1] + MARGIN, sinLat[1] + MARGIN],
  };
}

/** The unit-sphere point ll_to_earth(lat, lng) / earth(). */
export function unitPoint(lat: number, lng: number): [number, number, number] {
  return [
    Math.cos(radians(lat)) * Math.cos(radians(lng)),
    Math.cos(radians(lat)) * Math.sin(radians(lng)),
    Math.sin(radians(lat)),
  ];
}
