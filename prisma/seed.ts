// Demo data for a fresh development database: three users, listings in real cities, and trips
// and reservations in every booking state (prisma/seed-bookings.ts), so GraphiQL shows a living
// marketplace. Never run against a database that has users.
import type { App } from "../src/app.ts";
import { addDays } from "../src/core/calendar-date.ts";
import type { Listing } from "../src/generated/prisma/client.ts";
import { hashPassword } from "../src/modules/accounts/password.ts";
import { demoDay, seedPastStay, seedTripsAhead } from "./seed-bookings.ts";

export const DEMO_PASSWORD = "roost-demo-password";

interface DemoListing {
  slug: string;
  title: string;
  city: string;
  region?: string;
  country: string;
  lat: number;
  lng: number;
  timeZone: string;
  currency: string;
  nightlyPrice: number;
  cleaningFee: number;
  propertyType: "APARTMENT" | "HOUSE" | "GUESTHOUSE" | "HOTEL" | "CABIN" | "VILLA" | "OTHER";
  roomType: "ENTIRE_PLACE" | "PRIVATE_ROOM" | "SHARED_ROOM";
  maxGuests: number;
  bedrooms: number;
  instantBook: boolean;
  amenities: string[];
}

// Prices in each place's own currency, in minor units (JPY and ISK have none).
const listings: DemoListing[] = [
  {
    slug: "lisbon-alfama",
    title: "Sunny loft above the Alfama rooftops",
    city: "Lisbon",
    country: "PT",
    lat: 38.7114,
    lng: -9.1302,
    timeZone: "Europe/Lisbon",
    currency: "EUR",
    nightlyPrice: 9500,
    cleaningFee: 3000,
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    maxGuests: 3,
    bedrooms: 1,
    instantBook: true,
    amenities: ["wifi", "kitchen", "washer", "workspace"],
  },
  {
    slug: "paris-marais",
    title: "Quiet studio in the heart of the Marais",
    city: "Paris",
    country: "FR",
    lat: 48.8575,
    lng: 2.3592,
    timeZone: "Europe/Paris",
    currency: "EUR",
    nightlyPrice: 14000,
    cleaningFee: 4500,
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    maxGuests: 2,
    bedrooms: 1,
    instantBook: false,
    amenities: ["wifi", "kitchen", "heating", "elevator"],
  },
  {
    slug: "barcelona-gracia",
    title: "Bright room with balcony in Gràcia",
    city: "Barcelona",
    country: "ES",
    lat: 41.4036,
    lng: 2.1589,
    timeZone: "Europe/Madrid",
    currency: "EUR",
    nightlyPrice: 6000,
    cleaningFee: 1500,
    propertyType: "APARTMENT",
    roomType: "PRIVATE_ROOM",
    maxGuests: 2,
    bedrooms: 1,
    instantBook: true,
    amenities: ["wifi", "air_conditioning", "balcony"],
  },
  {
    slug: "london-hackney",
    title: "Victorian terrace house near London Fields",
    city: "London",
    country: "GB",
    lat: 51.5418,
    lng: -0.0586,
    timeZone: "Europe/London",
    currency: "GBP",
    nightlyPrice: 18500,
    cleaningFee: 6000,
    propertyType: "HOUSE",
    roomType: "ENTIRE_PLACE",
    maxGuests: 6,
    bedrooms: 3,
    instantBook: false,
    amenities: ["wifi", "kitchen", "washer", "garden", "heating"],
  },
  {
    slug: "nyc-brooklyn",
    title: "Brownstone garden apartment in Brooklyn",
    city: "New York",
    region: "NY",
    country: "US",
    lat: 40.6872,
    lng: -73.9418,
    timeZone: "America/New_York",
    currency: "USD",
    nightlyPrice: 21000,
    cleaningFee: 7500,
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    maxGuests: 4,
    bedrooms: 2,
    instantBook: true,
    amenities: ["wifi", "kitchen", "air_conditioning", "washer", "workspace"],
  },
  {
    slug: "tokyo-shimokita",
    title: "Minimal flat two minutes from Shimokitazawa station",
    city: "Tokyo",
    country: "JP",
    lat: 35.6615,
    lng: 139.6683,
    timeZone: "Asia/Tokyo",
    currency: "JPY",
    nightlyPrice: 16000,
    cleaningFee: 5000,
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    maxGuests: 2,
    bedrooms: 1,
    instantBook: true,
    amenities: ["wifi", "air_conditioning", "washer"],
  },
  {
    slug: "reykjavik-cabin",
    title: "Lava-field cabin with northern-lights views",
    city: "Reykjavík",
    country: "IS",
    lat: 64.0802,
    lng: -21.8277,
    timeZone: "Atlantic/Reykjavik",
    currency: "ISK",
    nightlyPrice: 32000,
    cleaningFee: 9000,
    propertyType: "CABIN",
    roomType: "ENTIRE_PLACE",
    maxGuests: 4,
    bedrooms: 2,
    instantBook: false,
    amenities: ["wifi", "kitchen", "hot_tub", "free_parking", "heating"],
  },
  {
    slug: "capetown-villa",
    title: "Clifton villa with ocean pool",
    city: "Cape Town",
    country: "ZA",
    lat: -33.9376,
    lng: 18.3776,
    timeZone: "Africa/Johannesburg",
    currency: "ZAR",
    nightlyPrice: 550000,
    cleaningFee: 80000,
    propertyType: "VILLA",
    roomType: "ENTIRE_PLACE",
    maxGuests: 8,
    bedrooms: 4,
    instantBook: false,
    amenities: ["wifi", "pool", "kitchen", "free_parking", "air_conditioning"],
  },
  {
    slug: "sydney-bondi",
    title: "Bondi beach flat, sea breeze included",
    city: "Sydney",
    region: "NSW",
    country: "AU",
    lat: -33.8908,
    lng: 151.2743,
    timeZone: "Australia/Sydney",
    currency: "AUD",
    nightlyPrice: 26000,
    cleaningFee: 9000,
    propertyType: "APARTMENT",
    roomType: "ENTIRE_PLACE",
    maxGuests: 4,
    bedrooms: 2,
    instantBook: true,
    amenities: ["wifi", "kitchen", "washer", "beach_access"],
  },
  {
    slug: "cdmx-roma",
    title: "Guesthouse room in Roma Norte",
    city: "Mexico City",
    country: "MX",
    lat: 19.4194,
    lng: -99.1617,
    timeZone: "America/Mexico_City",
    currency: "MXN",
    nightlyPrice: 95000,
    cleaningFee: 20000,
    propertyType: "GUESTHOUSE",
    roomType: "PRIVATE_ROOM",
    maxGuests: 2,
    bedrooms: 1,
    instantBook: true,
    amenities: ["wifi", "workspace", "breakfast"],
  },
];

/** Loads demo data when the database holds no users; returns whether it did. */
export async function seedDemoDataIfEmpty(app: App): Promise<boolean> {
  if ((await app.db.user.count()) > 0) return false;
  await seedDemoData(app);
  return true;
}

/**
 * Users, listings with calendars, past stays with reviews and payouts, and trips ahead in every
 * booking state. Takes the app, not just a client: bookings go through the use cases, which
 * price with the app's fees and need its payment provider, clock and jobs.
 */
export async function seedDemoData(app: App): Promise<void> {
  const { db } = app;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users = await db.user.createManyAndReturn({
    data: [
      { email: "host@roost.example", passwordHash, firstName: "Helena", lastName: "Host", role: "HOST" },
      { email: "guest@roost.example", passwordHash, firstName: "Gustavo", lastName: "Guest", role: "GUEST" },
      { email: "admin@roost.example", passwordHash, firstName: "Ada", lastName: "Admin", role: "ADMIN" },
    ],
  });
  const [host, guest] = users;
  if (!host || !guest) throw new Error("demo users were not created");
  const now = app.clock.now();
  const bySlug = new Map<string, Listing>();
  for (const [index, listing] of listings.entries()) {
    const created = await db.listing.create({
      data: {
        hostId: host.id,
        title: listing.title,
        description: `${listing.title}. A demo listing in ${listing.city}, loaded on first start.`,
        propertyType: listing.propertyType,
        roomType: listing.roomType,
        status: "LISTED",
        addressLine1: `1 Demo Street`,
        city: listing.city,
        region: listing.region,
        country: listing.country,
        lat: listing.lat,
        lng: listing.lng,
        timeZone: listing.timeZone,
        maxGuests: listing.maxGuests,
        bedrooms: listing.bedrooms,
        beds: Math.max(1, listing.bedrooms),
        bathrooms: Math.max(1, Math.ceil(listing.bedrooms / 2)),
        currency: listing.currency,
        nightlyPrice: listing.nightlyPrice,
        cleaningFee: listing.cleaningFee,
        weeklyDiscountPct: 10,
        monthlyDiscountPct: 25,
        instantBook: listing.instantBook,
        cancellationPolicy: "MODERATE",
        houseRules: "No parties. Quiet hours after 22:00.",
        publishedAt: now,
        photos: {
          create: [1, 2, 3].map((n) => ({
            url: `https://picsum.photos/seed/roost-${listing.slug}-${n}/1200/800`,
            caption: n === 1 ? listing.title : null,
            position: n - 1,
          })),
        },
        amenities: { create: listing.amenities.map((amenityCode) => ({ amenityCode })) },
      },
    });
    bySlug.set(listing.slug, created);
    await seedStaysAndReviews(app, created, guest.id, index);
    await seedCalendar(app, created, index);
  }
  await seedTripsAhead(app, bySlug, guest, host);
}

const reviewComments = [
  "Spotless, quiet and exactly as pictured. Would stay again.",
  "Great location and a very responsive host.",
  "Comfortable beds and a well-equipped kitchen.",
];

/** Two completed, paid-out past stays with published guest reviews, so ratings and reviews show. */
async function seedStaysAndReviews(
  app: App,
  listing: Listing,
  guestId: string,
  index: number,
): Promise<void> {
  const ratings: number[] = [];
  for (const stay of [0, 1]) {
    const booking = await seedPastStay(app, listing, guestId, {
      checkIn: demoDay(app, -120 + stay * 40 - index),
      nights: 3,
      guests: Math.min(2, listing.maxGuests),
    });
    const rating = (index + stay) % 3 === 0 ? 4 : 5;
    ratings.push(rating);
    await app.db.review.create({
      data: {
        bookingId: booking.id,
        listingId: listing.id,
        authorId: guestId,
        subjectId: listing.hostId,
        direction: "GUEST_TO_HOST",
        rating,
        cleanliness: 5,
        accuracy: rating,
        communication: 5,
        location: 4 + ((index + 1) % 2),
        checkInRating: 5,
        value: rating,
        comment: reviewComments[(index + stay) % reviewComments.length] ?? "Lovely stay.",
        createdAt: addDays(booking.checkOut, 1),
        publishedAt: addDays(booking.checkOut, 2),
      },
    });
  }
  await app.db.listing.update({
    where: { id: listing.id },
    data: {
      ratingAverage: ratings.reduce((sum, r) => sum + r, 0) / ratings.length,
      ratingCount: ratings.length,
    },
  });
}

/** A host block next month and pricier nights the week after, so the calendar has texture. */
async function seedCalendar(app: App, listing: Listing, index: number): Promise<void> {
  const blockStart = demoDay(app, 30 + index);
  await app.db.calendarHold.create({
    data: {
      listingId: listing.id,
      kind: "BLOCK",
      startDate: blockStart,
      endDate: addDays(blockStart, 3),
      note: "Host away",
    },
  });
  const pricier = Math.round(listing.nightlyPrice * 1.2);
  await app.db.nightPrice.createMany({
    data: [0, 1, 2, 3, 4].map((n) => ({
      listingId: listing.id,
      night: demoDay(app, 40 + index + n),
      amount: pricier,
    })),
  });
}
