import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "roost-config-"));

describe("loadConfig", () => {
  it("has development defaults and keeps a generated JWT secret under the data folder", () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      env: "development",
      port: 4000,
      databaseUrl: undefined,
      redisUrl: undefined,
      persistedOnly: false,
      seedDemoData: true,
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, "jwt-secret"), "utf8").trim()).toBe(config.jwtSecret);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(config.jwtSecret);
  });

  it("requires JWT_SECRET and DATABASE_URL in production, and persists only there by default", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x/y" })).toThrow(
      /JWT_SECRET/,
    );
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "s".repeat(40) })).toThrow(/DATABASE_URL/);
    const production = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: "s".repeat(40),
      DATABASE_URL: "postgres://x/y",
    });
    expect(production.persistedOnly).toBe(true);
    expect(production.seedDemoData).toBe(false);
  });

  it("names every invalid variable at once", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "eighty",
        REDIS_URL: "http://nope",
        JWT_SECRET: "short",
        GRAPHQL_PERSISTED_ONLY: "maybe",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ["PORT", "REDIS_URL", "JWT_SECRET", "GRAPHQL_PERSISTED_ONLY"])
      expect(message).toContain(name);
  });

  it("parses booleans and numbers", () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      PORT: "8080",
      GRAPHQL_PERSISTED_ONLY: "true",
      WORKER_IN_PROCESS: "0",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 8080,
      persistedOnly: true,
      workerInProcess: false,
      logLevel: "debug",
    });
  });

  it("reads the rate limits, with their defaults", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).auth).toMatchObject({
      signUpsPerIpPerHour: 20,
      loginFailuresPerAccount: 5,
      loginAttemptsPerIp: 50,
      loginWindowSeconds: 900,
    });
    const config = loadConfig({
      DATA_DIR: dataDir(),
      SIGNUP_LIMIT_PER_HOUR: "3",
      LOGIN_LIMIT_PER_ACCOUNT: "4",
      LOGIN_LIMIT_PER_IP: "30",
      LOGIN_WINDOW_SECONDS: "60",
    });
    expect(config.auth).toMatchObject({
      signUpsPerIpPerHour: 3,
      loginFailuresPerAccount: 4,
      loginAttemptsPerIp: 30,
      loginWindowSeconds: 60,
    });
    expect(() => loadConfig({ SIGNUP_LIMIT_PER_HOUR: "0" })).toThrow(/SIGNUP_LIMIT_PER_HOUR/);
    expect(() => loadConfig({ LOGIN_WINDOW_SECONDS: "soon" })).toThrow(/LOGIN_WINDOW_SECONDS/);
  });

  it("allows any origin without credentials outside production, none in production", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).http.corsOrigins).toBe("*");
    const production = { NODE_ENV: "production", JWT_SECRET: "s".repeat(40), DATABASE_URL: "postgres://x/y" };
    expect(loadConfig(production).http.corsOrigins).toEqual([]);
    expect(loadConfig({ ...production, CORS_ORIGINS: "*" }).http.corsOrigins).toBe("*");
    expect(loadConfig({ DATA_DIR: dataDir(), CORS_ORIGINS: "" }).http.corsOrigins).toEqual([]);
  });

  it("reads CORS_ORIGINS as exact origins and refuses paths and `null`", () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      CORS_ORIGINS: "https://app.example.com, http://localhost:5173/,https://Admin.Example.com:443",
    });
    expect(config.http.corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
      "https://admin.example.com",
    ]);
    for (const bad of [
      "null",
      "https://app.example.com/path",
      "app.example.com",
      "ftp://x.example",
      "*,https://a.example",
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });

  it("trusts no proxy by default; TRUST_PROXY takes a hop count or CIDRs", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).http.trustProxy).toEqual({ hops: 0 });
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "1" }).http.trustProxy).toEqual({ hops: 1 });
    expect(
      loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "10.0.0.0/8,127.0.0.1/32" }).http.trustProxy,
    ).toEqual({
      cidrs: ["10.0.0.0/8", "127.0.0.1/32"],
    });
    expect(() => loadConfig({ TRUST_PROXY: "yes" })).toThrow(/TRUST_PROXY/);
  });

  it("protects /metrics only when METRICS_TOKEN is set, and wants a long one", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).http.metricsToken).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: "" }).http.metricsToken).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: "m".repeat(32) }).http.metricsToken).toBe(
      "m".repeat(32),
    );
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
  });
});
