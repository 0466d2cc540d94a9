// Which payment provider a process uses (contract section 7): Stripe when its secret key is
// configured, else the built-in provider.
import type { Config } from "../../config.ts";
import type { Clock } from "../../infra/clock.ts";
import type { Db } from "../../infra/db.ts";
import type { Logger } from "../../infra/logger.ts";
import { BuiltinProvider } from "./builtin-provider.ts";
import type { PaymentProvider } from "./provider.ts";
import { StripeProvider } from "./stripe-provider.ts";

export function createPaymentProvider(
  config: Config,
  deps: { db: Db; clock: Clock; logger: Logger },
): PaymentProvider {
  const provider = config.payments.stripe
    ? new StripeProvider(config.payments.stripe)
    : new BuiltinProvider({ db: deps.db, clock: deps.clock });
  deps.logger.info({ provider: provider.name }, "payment provider");
  return provider;
}
