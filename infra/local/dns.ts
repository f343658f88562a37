import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addRecord,
  checkRecord,
  DNS_RECORD_TYPES,
  readRecords,
  removeRecords,
  type DnsRecordType,
} from './dns-local';

/**
 * `npm run dns -- add <TYPE> <name> <value>`, `npm run dns -- remove <TYPE> <name> [value]`,
 * `npm run dns -- list`: the records of the twin's DNS server (dns-local.ts), which the domain
 * verifier asks. A change is answered at once, running twin or not.
 */
const usage = `usage:
  npm run dns -- add <${DNS_RECORD_TYPES.join('|')}> <name> <value>
  npm run dns -- remove <TYPE> <name> [value]
  npm run dns -- list

  e.g. npm run dns -- add TXT _tenantry-challenge.app.acme.example tenantry-domain-verification=…
       npm run dns -- add CNAME app.acme.example localhost
       npm run dns -- add CAA acme.example '0 issue "letsencrypt.org"'`;

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dataDir = process.env.TENANTRY_DATA_DIR ?? join(root, '.data');
const file = join(dataDir, 'dns-records.json');
const [command, type, name, ...rest] = process.argv.slice(2);
const value = rest.join(' ');

function typeOf(given: string | undefined): DnsRecordType {
  const upper = (given ?? '').toUpperCase();
  if (!(DNS_RECORD_TYPES as readonly string[]).includes(upper)) {
    console.error(`${given ?? '(no type)'} is not one of ${DNS_RECORD_TYPES.join(', ')}\n\n${usage}`);
    process.exit(2);
  }
  return upper as DnsRecordType;
}

try {
  if (command === 'list') {
    for (const record of readRecords(file)) console.log(`${record.type}\t${record.name}\t${record.value}`);
  } else if (command === 'add' && name && value) {
    const record = { type: typeOf(type), name, value };
    checkRecord(record);
    addRecord(file, record);
    console.log(`${record.type} ${record.name} ${record.value}`);
  } else if (command === 'remove' && name) {
    const removed = removeRecords(file, typeOf(type), name, value || undefined);
    console.log(`${removed} record${removed === 1 ? '' : 's'} removed`);
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
