// Which payment provider a process uses (contract section 7): Stripe when its secret key is
// configured, else the built-in provider.
import type { Config } from "../../config.ts";
import type { Clock } from "../../infra/clock.ts";
import { createDatabase } from "../../infra/db.ts";
import type { Logger } from "../../infra/logger.ts";
import { BuiltinProvider } from "./builtin-provider.ts";
import type { PaymentProvider } from "./provider.ts";
import { StripeProvider } from "./stripe-provider.ts";

export interface ProviderHandle {
  provider: PaymentProvider;
  close(): Promise<void>;
}

/**
 * The built-in provider keeps its books through a pool of its own, as a real provider is a system
 * of its own: calls made while a booking's transaction holds one of the app's connections
 * (capture on confirmation) never wait for another of them.
 */
export function createPaymentProvider(
  config: Config,
  deps: { databaseUrl: string; clock: Clock; logger: Logger },
): ProviderHandle {
  if (config.payments.stripe) {
    deps.logger.info({ provider: "stripe" }, "payment provider");
    return { provider: new StripeProvider(config.payments.stripe), close: async () => undefined };
  }
  const database = createDatabase({
    url: deps.databaseUrl,
    max: 4,
    onError: (error) => deps.logger.error({ err: error }, "built-in payment provider's client failed"),
  });
  deps.logger.info({ provider: "builtin" }, "payment provider");
  return {
    provider: new BuiltinProvider({ db: database.prisma, clock: deps.clock }),
    close: () => database.close(),
  };
}
