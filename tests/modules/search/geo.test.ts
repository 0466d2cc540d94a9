// The 3-D box around a lat/lng rectangle holds every point of the rectangle and little else.
import { describe, expect, it } from "vitest";
import { boundingUnitBox, type LatLngBounds, unitPoint } from "../../../src/modules/search/geo.ts";

const inside = (box: ReturnType<typeof boundingUnitBox>, p: [number, number, number]) =>
  p.every((v, i) => v >= box.min[i]! && v <= box.max[i]!);

/** A grid over the rectangle, edges included; lng wraps across the antimeridian. */
function gridOf(b: LatLngBounds, steps = 24): Array<[number, number]> {
  const width = b.east >= b.west ? b.east - b.west : b.east + 360 - b.west;
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const lng = b.west + (width * j) / steps;
      points.push([b.south + ((b.north - b.south) * i) / steps, lng > 180 ? lng - 360 : lng]);
    }
  }
  return points;
}

describe("boundingUnitBox", () => {
  it.each<[string, LatLngBounds]>([
    ["a city", { north: 38.8, south: 38.6, east: -9.0, west: -9.3 }],
    ["across the equator and the prime meridian", { north: 10, south: -10, east: 10, west: -10 }],
    ["across the antimeridian (west > east)", { north: -15, south: -20, east: -175, west: 175 }],
    ["a pole cap", { north: 90, south: 80, east: 180, west: -180 }],
    ["the whole world", { north: 90, south: -90, east: 180, west: -180 }],
    ["a wide band through 90°E", { north: 5, south: -5, east: 135, west: 45 }],
    ["a box on the edge at 180", { north: 1, south: 0, east: 180, west: 179 }],
  ])("holds every point of %s", (_name, bounds) => {
    const box = boundingUnitBox(bounds);
    for (const [lat, lng] of gridOf(bounds)) expect(inside(box, unitPoint(lat, lng))).toBe(true);
  });

  it("is tight: a small box excludes points a degree away, on either side of the antimeridian", () => {
    const box = boundingUnitBox({ north: 1, south: -1, east: -179, west: 179 });
    expect(inside(box, unitPoint(0, 180))).toBe(true);
    expect(inside(box, unitPoint(0, 177))).toBe(false);
    expect(inside(box, unitPoint(0, -177))).toBe(false);
    expect(inside(box, unitPoint(0, 0))).toBe(false);
    expect(inside(box, unitPoint(3, 180))).toBe(false);
  });
});
