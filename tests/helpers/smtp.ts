// A real SMTP server inside a test (smtp-server from npm): what arrived, with the envelope, a
// switch to refuse messages the way a busy or broken server does (4xx or 5xx after DATA), and one
// to leave a message unanswered (a sender stuck mid-send, e.g. to be killed there).
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { trackOpen } from "./leak-check.ts";

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO, as the client sent them. */
  envelope: { from: string | undefined; to: string[] };
  /** The message as transmitted (headers and MIME body). */
  raw: string;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for config.mail.smtpUrl. */
  url: string;
  received: ReceivedMail[];
  /** Answers each message's DATA with this reply (e.g. 451 or 550) while set; undefined accepts. */
  refuseWith: { code: number; message: string } | undefined;
  /** Messages refused so far. */
  refusals: number;
  /**
   * While set, a message it matches is never answered after DATA: it is not accepted, its sender
   * waits (until its own timeout, or until it dies), and it is kept in `stalled`, not `received`.
   */
  stallWhen: ((mail: ReceivedMail) => boolean) | undefined;
  stalled: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    url: "",
    received: [],
    refuseWith: undefined,
    refusals: 0,
    stallWhen: undefined,
    stalled: [],
    close: async () => undefined,
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS to negotiate, no login to give.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const refusal = state.refuseWith;
        if (refusal) {
          state.refusals += 1;
          return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        }
        const from = session.envelope.mailFrom;
        const mail: ReceivedMail = {
          envelope: {
            from: from ? from.address : undefined,
            to: session.envelope.rcptTo.map((to) => to.address),
          },
          raw: Buffer.concat(chunks).toString("utf8"),
        };
        if (state.stallWhen?.(mail)) {
          state.stalled.push(mail);
          return;
        }
        state.received.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const release = trackOpen("test SMTP server");
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) =>
      server.close(() => {
        release();
        resolve();
      }),
    );
  return state;
}
