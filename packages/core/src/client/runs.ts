import { type FileHandle, open } from 'node:fs/promises';
import type { Engagement } from '../model/engagement';
import type { MergeKey } from './merge';

/*
 * Sorted runs of the external sort, kept as bytes rather than objects. A record waiting in a chunk
 * survives many young-generation collections, so as an object graph it is promoted to the old
 * generation and dies there; V8 lets the old generation grow to several times its live size before
 * collecting it, which is where a listing's memory went. As UTF-8 bytes in reused off-heap buffers,
 * only a small key object per record outlives the page it came in.
 *
 * A run file holds one line per record: `<occurredAt ms>\t<JSON id>\t<JSON engagement>\n`. JSON never
 * contains a raw tab or newline, so the key is read without parsing the engagement, and runs can be
 * merged into longer runs by copying lines.
 */

const TAB = 9;
const NL = 10;
/** Bytes written per `write()`. */
const FLUSH_BYTES = 64 * 1024;
/** Bytes read per `read()` of a run; a longer line grows its reader's buffer. */
const READ_BYTES = 16 * 1024;

/** Bytes of the blocks record JSON is kept in; a longer record gets a block of its own. */
const BLOCK_BYTES = 64 * 1024;

/** A record held by the sorter: its key, and the engagement itself or its JSON in a block. */
export class Item implements MergeKey {
  constructor(
    readonly t: number,
    readonly id: string,
    readonly e: Engagement | undefined,
    readonly buf: Buffer | undefined,
    readonly off: number,
    readonly len: number,
  ) {}
}

/**
 * Holds the JSON of a chunk's records in off-heap blocks shared through `pool`: memory follows the
 * bytes held (one partly used block per arena at most), and blocks go back to the pool once the
 * chunk spilled.
 */
export class Arena {
  #blocks: Buffer[] = [];
  #current: Buffer | undefined;
  #used = 0;
  constructor(private readonly pool: Buffer[]) {}
  /** Keeps `text` (the record's JSON) as UTF-8. */
  add(t: number, id: string, text: string): Item {
    let block = this.#current;
    if (!block || block.length - this.#used < text.length * 3) {
      const need = Buffer.byteLength(text);
      if (need > BLOCK_BYTES) {
        const own = Buffer.allocUnsafeSlow(need);
        own.write(text, 0);
        return new Item(t, id, undefined, own, 0, need);
      }
      if (!block || block.length - this.#used < need) {
        block = this.pool.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
        this.#blocks.push(block);
        this.#current = block;
        this.#used = 0;
      }
    }
    const off = this.#used;
    this.#used += block.write(text, off);
    return new Item(t, id, undefined, block, off, this.#used - off);
  }
  /** The engagement an item added here holds as JSON. */
  value(item: Item): Engagement {
    const buf = item.buf as Buffer;
    return JSON.parse(buf.toString('utf8', item.off, item.off + item.len)) as Engagement;
  }
  /** Gives the blocks back to the pool; the items added so far must no longer be read. */
  clear(): void {
    for (const b of this.#blocks) this.pool.push(b);
    this.#blocks = [];
    this.#current = undefined;
    this.#used = 0;
  }
}

/** The line prefix holding the sort key. */
const keyPrefix = (t: number, id: string) => `${t}\t${JSON.stringify(id)}\t`;

/** Writes one run file through a buffer (no string per batch of lines). */
export class RunWriter {
  #buf: Buffer;
  #used = 0;
  private constructor(
    private readonly handle: FileHandle,
    buffer: Buffer | undefined,
  ) {
    this.#buf = buffer ?? Buffer.allocUnsafeSlow(2 * FLUSH_BYTES);
  }
  /** `buffer` is reused if given (see `buffer` after `close()`). */
  static async create(file: string, buffer?: Buffer): Promise<RunWriter> {
    return new RunWriter(await open(file, 'w'), buffer);
  }
  /** The write buffer, to reuse for the next run. */
  get buffer(): Buffer {
    return this.#buf;
  }
  /** True once a `flush()` is due. */
  get full(): boolean {
    return this.#used >= FLUSH_BYTES;
  }
  /** Appends one record. */
  item(item: Item): void {
    this.text(keyPrefix(item.t, item.id));
    if (item.e !== undefined) this.text(JSON.stringify(item.e));
    else this.bytes(item.buf as Buffer, item.off, item.off + item.len);
    this.#room(1);
    this.#buf[this.#used++] = NL;
  }
  /** Appends bytes as they are (a whole line of another run). */
  bytes(src: Buffer, start: number, end: number): void {
    this.#room(end - start);
    this.#used += src.copy(this.#buf, this.#used, start, end);
  }
  async flush(): Promise<void> {
    let done = 0;
    while (done < this.#used) {
      const { bytesWritten } = await this.handle.write(this.#buf, done, this.#used - done);
      done += bytesWritten;
    }
    this.#used = 0;
  }
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
  private text(s: string): void {
    const free = this.#buf.length - this.#used;
    if (free < s.length * 3) this.#room(Buffer.byteLength(s));
    this.#used += this.#buf.write(s, this.#used);
  }
  #room(n: number): void {
    if (this.#buf.length - this.#used >= n) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#used + n));
    this.#buf.copy(next, 0, 0, this.#used);
    this.#buf = next;
  }
}

/** Reads a run file one block at a time; the current line stays as bytes until `value()`. */
export class RunReader implements MergeKey {
  t = 0;
  id = '';
  #buf = Buffer.allocUnsafeSlow(READ_BYTES);
  #view = this.#buf.subarray(0, 0);
  #pos = 0;
  #end = 0;
  #eof = false;
  #lineStart = 0;
  #jsonStart = 0;
  #lineEnd = 0;
  private constructor(private readonly handle: FileHandle) {}
  static async open(file: string): Promise<RunReader> {
    return new RunReader(await open(file, 'r'));
  }
  async next(): Promise<boolean> {
    while (true) {
      const nl = this.#view.indexOf(NL, this.#pos);
      if (nl >= 0) {
        this.#line(this.#pos, nl);
        this.#pos = nl + 1;
        return true;
      }
      if (this.#eof) {
        if (this.#pos < this.#end) throw new Error('engagekit: a spilled run ends mid-line');
        return false;
      }
      await this.#fill();
    }
  }
  value(): Engagement {
    return JSON.parse(this.#buf.toString('utf8', this.#jsonStart, this.#lineEnd)) as Engagement;
  }
  /** Copies the current line (with its newline) to `w`. */
  copyLine(w: RunWriter): void {
    w.bytes(this.#buf, this.#lineStart, this.#lineEnd + 1);
  }
  async close(): Promise<void> {
    await this.handle.close();
  }
  #line(start: number, end: number): void {
    const tab1 = this.#view.indexOf(TAB, start);
    const tab2 = tab1 < 0 ? -1 : this.#view.indexOf(TAB, tab1 + 1);
    if (tab2 < 0 || tab2 > end) throw new Error('engagekit: a spilled run has a malformed line');
    this.t = Number(this.#buf.toString('latin1', start, tab1));
    this.id = JSON.parse(this.#buf.toString('utf8', tab1 + 1, tab2)) as string;
    this.#lineStart = start;
    this.#jsonStart = tab2 + 1;
    this.#lineEnd = end;
  }
  /** Moves the unread bytes to the front (the current line was consumed) and reads a block. */
  async #fill(): Promise<void> {
    if (this.#pos > 0) {
      this.#buf.copy(this.#buf, 0, this.#pos, this.#end);
      this.#end -= this.#pos;
      this.#pos = 0;
    }
    if (this.#end === this.#buf.length) {
      const next = Buffer.allocUnsafeSlow(this.#buf.length * 2);
      this.#buf.copy(next, 0, 0, this.#end);
      this.#buf = next;
    }
    const { bytesRead } = await this.handle.read(
      this.#buf,
      this.#end,
      this.#buf.length - this.#end,
      null,
    );
    if (bytesRead === 0) this.#eof = true;
    this.#end += bytesRead;
    this.#view = this.#buf.subarray(0, this.#end);
  }
}
