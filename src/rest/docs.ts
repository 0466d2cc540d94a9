// The REST facade's own pages: the OpenAPI document at /api/openapi.json and Swagger UI at
// /api/docs, served from the swagger-ui-dist package on this origin (no CDN, no validator
// badge calling validator.swagger.io), so the page works offline and under our CSP.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { GraphQLSchema } from "graphql";
import packageJson from "../../package.json" with { type: "json" };
import { openApiDocument, type OpenApiOptions } from "./openapi.ts";
import type { CompiledRoute } from "./route-table.ts";

export const OPENAPI_PATH = "/api/openapi.json";
export const DOCS_PATH = "/api/docs";
const ASSETS_PATH = `${DOCS_PATH}/assets/`;

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The only files served from swagger-ui-dist, by name: nothing else of the folder is reachable. */
const swaggerUiAssets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/** Starts Swagger UI: a file of our own, since the page's policy need not allow inline scripts. */
const initScript = `// Roost: Swagger UI on the REST facade's OpenAPI document.
window.ui = SwaggerUIBundle(${JSON.stringify({
  url: OPENAPI_PATH,
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  displayOperationId: true,
  docExpansion: "list",
  filter: true,
  tryItOutEnabled: false,
})});
`;
const INIT_NAME = "roost-docs.js";

/** Asset URLs carry a version, so browsers may keep them for a year. */
const ASSET_CACHE = "public, max-age=31536000, immutable";

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

export interface DocsPagesOptions {
  routes: readonly CompiledRoute[];
  schema: GraphQLSchema;
  /** Where clients send requests (the document's `servers`); this origin by default. */
  serverUrl?: string;
}

export function docsPages(
  options: DocsPagesOptions,
): (url: URL, request: Request) => Promise<Response | undefined> {
  const documentOptions: OpenApiOptions = {
    version: packageJson.version,
    ...(options.serverUrl && { serverUrl: options.serverUrl }),
  };
  let documentJson: string | undefined;
  const assets = new Map<string, Promise<Asset>>();
  const swaggerVersion = (async () => {
    const manifest = JSON.parse(await readFile(join(swaggerUiDir, "package.json"), "utf8")) as {
      version: string;
    };
    return manifest.version;
  })();
  const initVersion = createHash("sha256").update(initScript).digest("hex").slice(0, 12);

  const assetOf = (name: string): Promise<Asset> | undefined => {
    let asset = assets.get(name);
    if (asset) return asset;
    if (name === INIT_NAME) {
      asset = Promise.resolve({
        body: new TextEncoder().encode(initScript),
        type: "text/javascript; charset=utf-8",
      });
    } else if (Object.hasOwn(swaggerUiAssets, name)) {
      const type = swaggerUiAssets[name] ?? "application/octet-stream";
      asset = readFile(join(swaggerUiDir, name)).then((body) => ({ body: new Uint8Array(body), type }));
    } else {
      return undefined;
    }
    assets.set(name, asset);
    return asset;
  };

  const page = async (): Promise<string> => {
    const v = encodeURIComponent(await swaggerVersion);
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roost REST API</title>
<link rel="stylesheet" href="${ASSETS_PATH}swagger-ui.css?v=${v}">
<link rel="icon" type="image/png" href="${ASSETS_PATH}favicon-32x32.png?v=${v}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS_PATH}swagger-ui-bundle.js?v=${v}"></script>
<script src="${ASSETS_PATH}${INIT_NAME}?v=${initVersion}"></script>
</body>
</html>
`;
  };

  return async (url, request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const { pathname } = url;
    if (pathname === OPENAPI_PATH) {
      documentJson ??= JSON.stringify(openApiDocument(options.routes, options.schema, documentOptions));
      return new Response(documentJson, {
        headers: {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "public, max-age=300",
        },
      });
    }
    if (pathname === DOCS_PATH) {
      return new Response(await page(), { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (pathname.startsWith(ASSETS_PATH)) {
      const asset = assetOf(pathname.slice(ASSETS_PATH.length));
      if (!asset) return undefined; // the facade answers 404
      const { body, type } = await asset;
      return new Response(body, { headers: { "content-type": type, "cache-control": ASSET_CACHE } });
    }
    return undefined;
  };
}
