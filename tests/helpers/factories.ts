// Fluent factories: each test makes its own users and listings, so files and tests can
// run in parallel. Users are made through the API (signUp), as a client would.
import { randomBytes } from "node:crypto";
import { LogInDocument, SignUpDocument } from "../../schema/generated/graphql.ts";
import type { Listing, Prisma } from "../../src/generated/prisma/client.ts";
import type { TestApp } from "./app.ts";
import type { GraphQLClient } from "./client.ts";

export interface TestUser {
  id: string;
  /** Relay global id. */
  globalId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** A client that sends this user's access token. */
  client: GraphQLClient;
}

const unique = () => randomBytes(5).toString("hex");

class UserFactory {
  private email = `user-${unique()}@example.test`;
  private password = `pw-${unique()}-secret`;
  private firstName = "Test";
  private lastName = "User";
  private role: "GUEST" | "HOST" | "ADMIN" = "GUEST";

  constructor(private readonly t: TestApp) {}

  withEmail(email: string): this {
    this.email = email;
    return this;
  }
  withPassword(password: string): this {
    this.password = password;
    return this;
  }
  named(firstName: string, lastName: string): this {
    this.firstName = firstName;
    this.lastName = lastName;
    return this;
  }
  host(): this {
    this.role = "HOST";
    return this;
  }
  admin(): this {
    this.role = "ADMIN";
    return this;
  }

  async create(): Promise<TestUser> {
    const input = {
      email: this.email,
      password: this.password,
      firstName: this.firstName,
      lastName: this.lastName,
    };
    let auth = (await this.t.client.ok(SignUpDocument, { input })).signUp;
    if (this.role !== "GUEST") {
      // Roles other than guest are not self-service: set it, then log in for a token carrying it.
      await this.t.app.db.user.update({
        where: { email: this.email.toLowerCase() },
        data: { role: this.role },
      });
      auth = (
        await this.t.client.ok(LogInDocument, { input: { email: this.email, password: this.password } })
      ).logIn;
    }
    const row = await this.t.app.db.user.findUniqueOrThrow({ where: { email: this.email.toLowerCase() } });
    return {
      id: row.id,
      globalId: auth.user.id,
      email: row.email,
      password: this.password,
      accessToken: auth.accessToken,
      refreshToken: auth.refreshToken,
      client: this.t.client.as(auth.accessToken),
    };
  }
}

class ListingFactory {
  private data: Partial<Prisma.ListingUncheckedCreateInput> = {};
  private photoCount = 1;

  constructor(
    private readonly t: TestApp,
    private readonly host: { id: string },
  ) {}

  with(data: Partial<Prisma.ListingUncheckedCreateInput>): this {
    Object.assign(this.data, data);
    return this;
  }
  listed(): this {
    this.data.status = "LISTED";
    return this;
  }
  photos(count: number): this {
    this.photoCount = count;
    return this;
  }

  async create(): Promise<Listing> {
    const listing = await this.t.app.db.listing.create({
      data: {
        hostId: this.host.id,
        title: `Test listing ${unique()}`,
        description: "A place made by a test factory.",
        propertyType: "APARTMENT",
        roomType: "ENTIRE_PLACE",
        addressLine1: "1 Test Street",
        city: "Lisbon",
        country: "PT",
        lat: 38.7223,
        lng: -9.1393,
        maxGuests: 4,
        bedrooms: 2,
        beds: 2,
        bathrooms: 1,
        currency: "EUR",
        nightlyPrice: 10_000,
        cleaningFee: 2_500,
        ...this.data,
        photos: {
          create: Array.from({ length: this.photoCount }, (_, position) => ({
            url: `https://images.example.test/${unique()}.jpg`,
            position,
          })),
        },
      },
    });
    await this.t.app.db.user.updateMany({
      where: { id: this.host.id, role: "GUEST" },
      data: { role: "HOST" },
    });
    return listing;
  }
}

export function factories(t: TestApp) {
  return {
    user: () => new UserFactory(t),
    listing: (host: { id: string }) => new ListingFactory(t, host),
  };
}
