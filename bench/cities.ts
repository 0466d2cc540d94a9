// The eight cities the seed packs listings around, with what a stay there typically costs.
import type { City } from "./scenarios.ts";

export interface SeedCity extends City {
  country: string;
  timeZone: string;
  currency: string;
  /** Typical nightly price in the currency's minor units. */
  price: number;
}

export const CITIES: SeedCity[] = [
  {
    name: "Lisbon",
    country: "PT",
    lat: 38.7223,
    lng: -9.1393,
    timeZone: "Europe/Lisbon",
    currency: "EUR",
    price: 9_000,
  },
  {
    name: "Paris",
    country: "FR",
    lat: 48.8566,
    lng: 2.3522,
    timeZone: "Europe/Paris",
    currency: "EUR",
    price: 14_000,
  },
  {
    name: "Barcelona",
    country: "ES",
    lat: 41.3874,
    lng: 2.1686,
    timeZone: "Europe/Madrid",
    currency: "EUR",
    price: 11_000,
  },
  {
    name: "London",
    country: "GB",
    lat: 51.5072,
    lng: -0.1276,
    timeZone: "Europe/London",
    currency: "GBP",
    price: 15_000,
  },
  {
    name: "New York",
    country: "US",
    lat: 40.7128,
    lng: -74.006,
    timeZone: "America/New_York",
    currency: "USD",
    price: 20_000,
  },
  {
    name: "Tokyo",
    country: "JP",
    lat: 35.6762,
    lng: 139.6503,
    timeZone: "Asia/Tokyo",
    currency: "JPY",
    price: 15_000,
  },
  {
    name: "Sydney",
    country: "AU",
    lat: -33.8688,
    lng: 151.2093,
    timeZone: "Australia/Sydney",
    currency: "AUD",
    price: 22_000,
  },
  {
    name: "Mexico City",
    country: "MX",
    lat: 19.4326,
    lng: -99.1332,
    timeZone: "America/Mexico_City",
    currency: "MXN",
    price: 120_000,
  },
];
