// Structured JSON logs (pino); each request logs through a child carrying its request id.
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "roost" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["*.password", "*.refreshToken", "*.accessToken", "*.authorization"],
      censor: "[redacted]",
    },
  });
}
