// Runs graphql-http's server audit (the GraphQL over HTTP spec's checks) against a
// running Levelground: node tests/graphql_http_audit.mjs URL TOKEN
// Every request carries the bearer token, as an API client's would. Prints one JSON
// object: counts of ok, warn and error results, and the titles of those not ok.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchFn = (input, init = {}) =>
  fetch(input, {
    ...init,
    headers: { ...(init.headers || {}), authorization: `Bearer ${token}` },
  });

const results = await auditServer({ url, fetchFn });
const summary = { total: results.length, ok: 0, warn: 0, error: 0, problems: [] };
for (const result of results) {
  summary[result.status] += 1;
  if (result.status !== 'ok') {
    summary.problems.push({ id: result.id, status: result.status, name: result.name, reason: result.reason });
  }
}
console.log(JSON.stringify(summary));
