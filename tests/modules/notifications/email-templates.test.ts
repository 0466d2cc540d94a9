// Every e-mail template, rendered: text and HTML both greet the recipient by name and carry the
// links they need, and whatever users wrote is escaped in the HTML (and only there).
import { describe, expect, it } from "vitest";
import {
  type EmailContext,
  emailTemplates,
  renderEmail,
  type SendEmailPayload,
} from "../../../src/modules/notifications/email.ts";
import { escapeHtml } from "../../../src/modules/notifications/email-layout.ts";

const ctx: EmailContext = { appUrl: "https://app.roost.test" };
/** A name as a hostile user might choose it. */
const name = `<script>alert("x")</script> O'Brien & Co`;

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);

/** The HTML holds no tag the user wrote, and the user's text escaped. */
function expectEscaped(html: string, value: string): void {
  expect(html).not.toContain(value);
  expect(html).toContain(escapeHtml(value));
  expect(html).not.toMatch(/<script/i);
}

describe("e-mail templates", () => {
  it("welcome: the name in both parts, escaped in HTML, with the links to search and to list a place", () => {
    const email = emailTemplates.welcome({ firstName: name }, ctx);
    expect(email.subject).toBe(`Welcome to Roost, ${name}`);
    expect(email.text).toMatch(/^Hi <script>alert\("x"\)<\/script> O'Brien & Co,\n\n/);
    expect(email.text).toContain("Find a place to stay: https://app.roost.test/");
    expect(email.text).toContain("List your place: https://app.roost.test/host/listings/new");
    expect(email.text).toMatch(/The Roost team$/);

    expectEscaped(email.html, name);
    expect(email.html).toContain(`Hi ${escapeHtml(name)},`);
    expect(email.html).toContain(`<title>Welcome to Roost, ${escapeHtml(name)}</title>`);
    expect(hrefs(email.html)).toEqual([
      "https://app.roost.test/",
      "https://app.roost.test/host/listings/new",
    ]);
  });

  it("notice: title, body and link of the notification, escaped in HTML, and the notifications page", () => {
    const data = {
      firstName: name,
      title: `Booking confirmed: "Tom & Jerry's <loft>"`,
      body: `Your stay at Tom & Jerry's <b>loft</b> is confirmed.\nSee you soon.`,
      link: "https://app.roost.test/bookings/42?tab=details&lang=en",
    };
    const email = emailTemplates.notice(data, ctx);
    expect(email.subject).toBe(data.title);
    expect(email.text).toBe(
      [
        `Hi ${name},`,
        data.body,
        `Open in Roost: ${data.link}`,
        "All your notifications: https://app.roost.test/notifications",
        "The Roost team",
      ].join("\n\n"),
    );

    expectEscaped(email.html, name);
    expectEscaped(email.html, data.title);
    expect(email.html).toContain(
      "Your stay at Tom &amp; Jerry&#39;s &lt;b&gt;loft&lt;/b&gt; is confirmed.<br>See you soon.",
    );
    expect(email.html).not.toContain("<b>");
    // The link's & is an attribute entity; a mail client reads it back as the URL itself.
    expect(hrefs(email.html)).toEqual([
      "https://app.roost.test/bookings/42?tab=details&amp;lang=en",
      "https://app.roost.test/notifications",
    ]);
  });

  it("notice: a link that is not http(s) is shown as text, never made clickable", () => {
    const email = emailTemplates.notice(
      { firstName: "Ann", title: "Hello", body: "Body", link: 'javascript:alert("x")' },
      ctx,
    );
    expect(hrefs(email.html)).toEqual(["https://app.roost.test/notifications"]);
    expect(email.html).toContain("Open in Roost: javascript:alert(&quot;x&quot;)");
  });

  it("renderEmail renders each template by name and keeps subjects to one line", () => {
    const payloads: SendEmailPayload[] = [
      { emailId: "e1", template: "welcome", to: "a@example.test", data: { firstName: "Ann" } },
      {
        emailId: "e2",
        template: "notice",
        to: "b@example.test",
        data: { firstName: "Bo", title: "Line one\r\nBcc: victim@example.test", body: "B", link: ctx.appUrl },
      },
    ];
    const [welcome, notice] = payloads.map((payload) => renderEmail(payload, ctx));
    expect(welcome?.subject).toBe("Welcome to Roost, Ann");
    expect(notice?.subject).toBe("Line one Bcc: victim@example.test");
    expect(notice?.text).toMatch(/^Hi Bo,/);
  });
});
