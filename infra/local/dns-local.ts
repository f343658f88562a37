import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import dns2 from 'dns2';

/**
 * The twin's DNS server (dns2, over UDP and TCP): the domain verifier asks it over the DNS protocol, as
 * it asks the internet's in AWS. Its zone is a JSON file of records (`npm run dns -- add TXT …`
 * writes it), read again whenever it changes: no restart to add a record. A name it holds no record
 * of is NXDOMAIN; a name with records of other types answers none (NOERROR), as a real server does.
 */
export const DNS_RECORD_TYPES = ['TXT', 'CNAME', 'CAA', 'A', 'AAAA'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export interface DnsRecord {
  type: DnsRecordType;
  /** Lower case, no trailing dot. */
  name: string;
  /** TXT: the text; CNAME: the target; CAA: `0 issue "amazon.com"`; A/AAAA: the address. */
  value: string;
}

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

export function readRecords(file: string): DnsRecord[] {
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as DnsRecord[];
}

function writeRecords(file: string, records: DnsRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(records, null, 2)}\n`);
  renameSync(temporary, file);
}

/** Adds a record (once: the same type, name and value twice is one record). */
export function addRecord(file: string, record: DnsRecord): DnsRecord[] {
  const entry = { ...record, name: normalizeName(record.name) };
  if (entry.type === 'CNAME') entry.value = normalizeName(entry.value);
  const records = readRecords(file);
  const exists = records.some(
    (known) => known.type === entry.type && known.name === entry.name && known.value === entry.value,
  );
  if (!exists) writeRecords(file, [...records, entry]);
  return readRecords(file);
}

/** Removes the records of a type at a name (only the one with `value`, where given); answers how many. */
export function removeRecords(file: string, type: DnsRecordType, name: string, value?: string): number {
  const records = readRecords(file);
  const target = normalizeName(name);
  const kept = records.filter(
    (record) =>
      !(record.type === type && record.name === target && (value === undefined || record.value === value)),
  );
  writeRecords(file, kept);
  return records.length - kept.length;
}

/** `0 issue "amazon.com"` → flags, tag, value. */
function caaParts(value: string): { flags: number; tag: string; value: string } {
  const match = /^(\d+)\s+(\w+)\s+"?([^"]*)"?$/.exec(value.trim());
  if (!match) throw new Error(`A CAA value reads like 0 issue "amazon.com", not ${value}`);
  return { flags: Number(match[1]), tag: match[2] ?? 'issue', value: match[3] ?? '' };
}

/** Checks a record before it is written (the command refuses what the server could not answer). */
export function checkRecord(record: DnsRecord): void {
  if (!(DNS_RECORD_TYPES as readonly string[]).includes(record.type)) {
    throw new Error(`The twin's DNS holds ${DNS_RECORD_TYPES.join(', ')} records, not ${record.type}`);
  }
  if (!/^[a-z0-9_*](?:[a-z0-9_.*-]*[a-z0-9])?$/.test(normalizeName(record.name))) {
    throw new Error(`${record.name} is not a DNS name`);
  }
  if (record.type === 'CAA') caaParts(record.value);
}

export interface LocalDns {
  /** `127.0.0.1:<port>`, for DNS_SERVERS. */
  server: string;
  port: number;
  recordsFile: string;
  /**
   * Tests only (the fault control's `dns`): `pause` leaves questions unanswered (a silent server),
   * `crash` closes the port and opens it again a moment later, `resume` answers again.
   */
  control: {
    readonly paused: boolean;
    readonly restarts: number;
    readonly child: { pid?: number };
    pause(): void;
    resume(): void;
    crash(): void;
    ready(): Promise<void>;
  };
  stop(): Promise<void>;
}

/** A UDP port free now (the previous one where it still is), for a server that listens on UDP and TCP. */
async function freeUdpPort(previous: number | undefined): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        const { port: bound } = socket.address();
        socket.close(() => resolve(bound));
      });
    });
  if (previous) {
    try {
      return await attempt(previous);
    } catch {
      // Taken since: any other.
    }
  }
  return attempt(0);
}

export async function startDnsLocal(options: { recordsFile: string; port?: number }): Promise<LocalDns> {
  const { Packet } = dns2;
  const port = await freeUdpPort(options.port);
  let cache: { mtimeMs: number; records: DnsRecord[] } | undefined;
  const records = (): DnsRecord[] => {
    if (!existsSync(options.recordsFile)) return [];
    const { mtimeMs } = statSync(options.recordsFile);
    if (cache?.mtimeMs !== mtimeMs) cache = { mtimeMs, records: readRecords(options.recordsFile) };
    return cache.records;
  };
  let paused = false;
  let restarts = 0;
  let listening: Promise<unknown> = Promise.resolve();
  // A crash closes the server's sockets for good: the restart is a new server on the same port.
  const makeServer = () =>
    dns2.createServer({
      udp: true,
      tcp: true,
      handle: (request, send) => {
        // Paused: the question goes unanswered, as a server that is down or unreachable leaves it.
        if (paused) return undefined;
        const response = Packet.createResponseFromRequest(request);
        const [question] = request.questions;
        if (!question) return send(response);
        const name = normalizeName(question.name);
        let known: DnsRecord[] = [];
        try {
          known = records().filter((record) => record.name === name);
        } catch {
          response.header.rcode = Packet.RCODE.SERVFAIL;
          return send(response);
        }
        if (known.length === 0) {
          response.header.rcode = Packet.RCODE.NXDOMAIN;
          return send(response);
        }
        const wanted = Object.entries(Packet.TYPE).find(([, code]) => code === question.type)?.[0];
        // A name with a CNAME has no other records: every question about it gets the CNAME.
        const alias = known.find((record) => record.type === 'CNAME');
        const answering = alias ? [alias] : known.filter((record) => record.type === wanted);
        // dns2 encodes plain records (its README's way); its types ask for Resource instances.
        const answers = response.answers as unknown as Array<Record<string, unknown>>;
        for (const record of answering) {
          const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
          if (record.type === 'TXT') answers.push({ ...base, type: Packet.TYPE.TXT, data: record.value });
          if (record.type === 'CNAME')
            answers.push({ ...base, type: Packet.TYPE.CNAME, domain: record.value });
          if (record.type === 'CAA')
            answers.push({ ...base, type: Packet.TYPE.CAA, ...caaParts(record.value) });
          if (record.type === 'A') answers.push({ ...base, type: Packet.TYPE.A, address: record.value });
          if (record.type === 'AAAA')
            answers.push({ ...base, type: Packet.TYPE.AAAA, address: record.value });
        }
        return send(response);
      },
    });
  let server = makeServer();
  const listen = () => {
    server = makeServer();
    return server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  };
  listening = listen();
  await listening;
  return {
    server: `127.0.0.1:${port}`,
    port,
    recordsFile: options.recordsFile,
    control: {
      get paused() {
        return paused;
      },
      get restarts() {
        return restarts;
      },
      child: { pid: process.pid },
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
      },
      crash: () => {
        restarts += 1;
        listening = server
          .close()
          .then(() => new Promise((resolve) => setTimeout(resolve, 1_000)).then(listen));
      },
      ready: async () => {
        await listening;
      },
    },
    stop: async () => {
      await listening.catch(() => undefined);
      await server.close();
    },
  };
}
