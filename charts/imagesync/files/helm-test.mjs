// `helm test`: checks that the REST API answers and that the Kubernetes API server serves the ImageImport
// resource. Runs with the ImageSync image's node and no packages. Reads:
//   IMAGESYNC_API_URL     the API's in-cluster URL, e.g. http://imagesync-api.ns.svc:80
//   KUBERNETES_API_URL    default https://kubernetes.default.svc
//   SERVICE_ACCOUNT_DIR   default /var/run/secrets/kubernetes.io/serviceaccount (token; its ca.crt is
//                         trusted through NODE_EXTRA_CA_CERTS)
// Discovery needs no RBAC: every authenticated identity may read /apis.
import { readFileSync } from "node:fs";

const apiUrl = process.env.IMAGESYNC_API_URL;
const kubernetesUrl = process.env.KUBERNETES_API_URL ?? "https://kubernetes.default.svc";
const serviceAccountDir = process.env.SERVICE_ACCOUNT_DIR ?? "/var/run/secrets/kubernetes.io/serviceaccount";
const attempts = Number(process.env.ATTEMPTS ?? "30");

/** Retries `check` for a while: right after an install the pods may still be starting. */
async function eventually(name, check) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const detail = await check();
      console.log(`ok   ${name}: ${detail}`);
      return true;
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  console.log(`FAIL ${name}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  return false;
}

async function apiAnswers() {
  const response = await fetch(new URL("/readyz", apiUrl), { signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) throw new Error(`GET ${apiUrl}/readyz answered ${response.status}`);
  return `GET /readyz answered 200`;
}

async function crdServed() {
  const token = readFileSync(`${serviceAccountDir}/token`, "utf8").trim();
  const url = new URL("/apis/imagesync.io/v1alpha1", kubernetesUrl);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  if (response.status !== 200) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  const resources = (await response.json()).resources ?? [];
  if (!resources.some((resource) => resource.name === "imageimports")) {
    throw new Error(`${url.pathname} does not list imageimports`);
  }
  return "imageimports.imagesync.io/v1alpha1 is served";
}

if (apiUrl === undefined) {
  console.log("FAIL IMAGESYNC_API_URL is not set");
  process.exit(1);
}
const results = [
  await eventually("the REST API answers", apiAnswers),
  await eventually("the CRD is served", crdServed),
];
process.exit(results.every(Boolean) ? 0 : 1);
