#!/usr/bin/env node
// helm --post-renderer for the real node: puts every pod template (CronJob, Job, Deployment) on the
// host network, the only network its pods have (nothing but 127.0.0.1; see the README's e2e harness).
// Reads helm's rendered manifests on stdin, writes them back on stdout.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

const podSpecs = (doc) => [doc?.spec?.jobTemplate?.spec?.template?.spec, doc?.spec?.template?.spec].filter(Boolean);
const docs = parseAllDocuments(readFileSync(0, 'utf8'))
  .map((d) => d.toJSON())
  .filter((d) => d !== null);
for (const doc of docs) {
  for (const spec of podSpecs(doc)) {
    spec.hostNetwork = true;
    spec.dnsPolicy = 'ClusterFirstWithHostNet';
  }
}
process.stdout.write(docs.map((d) => stringify(d)).join('---\n'));
