// The shape every Roost e-mail shares, in text and in HTML: greeting, paragraphs, links, sign-off.
// Every value that reaches the HTML is escaped here, so templates cannot forget to.

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailLink {
  label: string;
  /** Absolute http(s) URL. */
  href: string;
}

export interface EmailContent {
  subject: string;
  firstName: string;
  paragraphs: string[];
  /** The first is the main call to action. */
  links: EmailLink[];
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Only http(s) links go into an href; anything else (javascript:, data:) is dropped to text. */
const isWebUrl = (href: string): boolean => /^https?:\/\//i.test(href);

const SIGN_OFF = "The Roost team";

export function renderLayout(content: EmailContent): RenderedEmail {
  const text = [
    `Hi ${content.firstName},`,
    ...content.paragraphs,
    ...content.links.map((link) => `${link.label}: ${link.href}`),
    SIGN_OFF,
  ].join("\n\n");

  const paragraph = (body: string) =>
    `<p style="margin:0 0 16px">${escapeHtml(body).replace(/\n/g, "<br>")}</p>`;
  const link = ({ label, href }: EmailLink, index: number) => {
    if (!isWebUrl(href)) return paragraph(`${label}: ${href}`);
    const style = index === 0 ? ' style="font-weight:bold"' : "";
    return `<p style="margin:0 0 16px"><a href="${escapeHtml(href)}"${style}>${escapeHtml(label)}</a></p>`;
  };
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;color:#222">',
    paragraph(`Hi ${content.firstName},`),
    ...content.paragraphs.map(paragraph),
    ...content.links.map(link),
    paragraph(SIGN_OFF),
    "</body></html>",
  ].join("\n");

  return { subject: content.subject, text, html };
}
