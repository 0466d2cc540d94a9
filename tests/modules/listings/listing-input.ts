// A complete, valid createListing input for tests to vary.
import type { CreateListingInput } from "../../../schema/generated/graphql.ts";

export function validListingInput(overrides: Partial<CreateListingInput> = {}): CreateListingInput {
  return {
    title: "Bright loft by the river",
    description: "Two rooms, lots of light, five minutes from the tram.",
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    address: { line1: "Rua Augusta 10", city: "Lisbon", postalCode: "1100-053", country: "pt" },
    location: { lat: 38.71, lng: -9.137 },
    maxGuests: 4,
    bedrooms: 2,
    beds: 2,
    bathrooms: 1.5,
    nightlyPrice: 9_500,
    currency: "EUR",
    cleaningFee: 3_000,
    minNights: 2,
    maxNights: 30,
    instantBook: true,
    cancellationPolicy: "MODERATE",
    amenityCodes: ["wifi", "kitchen"],
    houseRules: "No parties.",
    checkInTime: "15:00",
    checkOutTime: "11:00",
    timeZone: "Europe/Lisbon",
    ...overrides,
  };
}
