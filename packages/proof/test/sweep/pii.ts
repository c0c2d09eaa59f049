import { Writable } from 'node:stream';

/**
 * The PII scanner: unmasked mainland ID numbers (GB 11643: 17 digits and a check character, the
 * checksum validated so other 18-digit runs are not flagged), mobile numbers (1[3-9] and nine
 * digits, not part of a longer digit run or a decimal fraction) and secrets (the PII_KEY) in any
 * text. Response bodies and log lines are scanned as they arrive and only hits are kept, so a
 * long run holds no copy of what it saw.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function isValidIdNumber(candidate: string): boolean {
  return (
    /^\d{17}[\dX]$/i.test(candidate) && idCheckChar(candidate.slice(0, 17)) === candidate[17]!.toUpperCase()
  );
}

// Not glued to letters or digits on either side (a hex hash or a longer number is not an ID).
const ID_RUN = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// Not inside a longer digit run or a hex/alphanumeric token (a request id's last UUID group), and
// not the fraction of a decimal number.
const MOBILE = /(?<![0-9A-Za-z.])1[3-9]\d{9}(?![0-9A-Za-z]|\.\d)/g;

export interface PiiHit {
  kind: 'id-number' | 'mobile' | 'secret';
  /** The value, masked for the report (the report must not leak either). */
  value: string;
  /** Where: `METHOD /path → status`, or `log: <line start>`. */
  where: string;
}

const mask = (v: string) => (v.length > 8 ? `${v.slice(0, 4)}…${v.slice(-4)}` : `${v.slice(0, 2)}…`);

export class PiiScanner {
  readonly hits: PiiHit[] = [];
  bodies = 0;
  logLines = 0;
  /** Bodies left out as documented disclosures (the reveal endpoint), by where. */
  readonly exempted = new Map<string, number>();

  constructor(private readonly secrets: readonly string[]) {}

  /** Hits in one text, without recording them. */
  find(text: string, where: string): PiiHit[] {
    const found: PiiHit[] = [];
    for (const m of text.matchAll(ID_RUN))
      if (isValidIdNumber(m[0])) found.push({ kind: 'id-number', value: mask(m[0]), where });
    for (const m of text.matchAll(MOBILE)) found.push({ kind: 'mobile', value: mask(m[0]), where });
    for (const secret of this.secrets)
      if (secret && text.includes(secret)) found.push({ kind: 'secret', value: mask(secret), where });
    return found;
  }

  scanBody(text: string, where: string): void {
    this.bodies++;
    this.hits.push(...this.find(text, where));
  }

  exempt(where: string): void {
    this.exempted.set(where, (this.exempted.get(where) ?? 0) + 1);
  }

  scanLogLine(line: string): void {
    this.logLines++;
    this.hits.push(...this.find(line, `log: ${line.slice(0, 300)}`));
  }

  /** A stream for the suite's logger: every line it writes is scanned (and counted per service). */
  logStream(): Writable & { services: Map<string, number> } {
    let pending = '';
    const services = new Map<string, number>();
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        pending += chunk.toString();
        let at: number;
        while ((at = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, at);
          pending = pending.slice(at + 1);
          if (!line) continue;
          this.scanLogLine(line);
          // The base logger names itself first; a service's child logger adds its name after.
          const service = [...line.matchAll(/"service":"([^"]+)"/g)].at(-1)?.[1];
          if (service) services.set(service, (services.get(service) ?? 0) + 1);
        }
        done();
      },
    });
    return Object.assign(stream, { services });
  }
}
