// PLACEHOLDER for the Stripe provider, so the builtin branch compiles on its own: the real
// file comes from the Stripe branch and replaces this one at merge. Nothing here works.
import type {
  Authorization,
  AuthorizeRequest,
  CaptureRequest,
  PaymentProvider,
  PayoutRequest,
  RefundRequest,
  VoidRequest,
} from "./provider.ts";

const notImplemented = (): never => {
  throw new Error("StripeProvider is a placeholder: not implemented");
};

export class StripeProvider implements PaymentProvider {
  readonly name = "stripe";

  constructor(_config: {
    secretKey: string;
    webhookSecret: string | undefined;
    apiUrl: string | undefined;
  }) {}

  async authorize(_request: AuthorizeRequest): Promise<Authorization> {
    return notImplemented();
  }
  async capture(_request: CaptureRequest): Promise<void> {
    return notImplemented();
  }
  async void(_request: VoidRequest): Promise<void> {
    return notImplemented();
  }
  async refund(_request: RefundRequest): Promise<{ ref: string }> {
    return notImplemented();
  }
  async payout(_request: PayoutRequest): Promise<{ ref: string }> {
    return notImplemented();
  }
}
