// Throw-away certificate authorities for TLS tests, made with the openssl CLI.
import { execFile as execFileCallback } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);

export interface TestPki {
  dir: string;
  /** PEM of the CA that signed the server certificate, and its path. */
  caPem: string;
  caFile: string;
  /** PEM of an unrelated CA: trusting it must fail the handshake. */
  otherCaFile: string;
  serverKey: string;
  serverCert: string;
  remove(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A CA, a server certificate it signs for 127.0.0.1/localhost, and a second, unrelated CA. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'leakguard-pki-'));
  const at = (name: string): string => join(dir, name);
  const makeCa = (name: string) =>
    execFile('openssl', [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=leakguard test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  await Promise.all([makeCa('ca'), makeCa('other-ca')]);
  await execFile('openssl', [
    'req',
    ...EC,
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(at('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await execFile('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
  ]);
  const [caPem, serverKey, serverCert] = await Promise.all([
    readFile(at('ca.crt'), 'utf8'),
    readFile(at('server.key'), 'utf8'),
    readFile(at('server.crt'), 'utf8'),
  ]);
  return {
    dir,
    caPem,
    caFile: at('ca.crt'),
    otherCaFile: at('other-ca.crt'),
    serverKey,
    serverCert,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
